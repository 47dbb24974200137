/* strace lines to system call names; see strace.h for the expression matched. */
#include "strace.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name(char c)
{
	return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* \s*([a-zA-Z0-9_]+)\( from pos: the name is greedy, and as '(' is no name
 * character, a shorter name can never be followed by '(' either. */
static bool name_then_paren(const char *line, size_t len, size_t pos, const char **name,
			    size_t *name_len)
{
	while (pos < len && is_space(line[pos]))
		pos++;
	size_t start = pos;
	while (pos < len && is_name(line[pos]))
		pos++;
	if (pos == start || pos >= len || line[pos] != '(')
		return false;
	*name = line + start;
	*name_len = pos - start;
	return true;
}

bool nstar_strace_syscall(const char *line, size_t len, const char **name, size_t *name_len)
{
	size_t pos = 0;
	while (pos < len && is_space(line[pos]))
		pos++;
	/* The alternatives in the order the expression tries them: \[[^]]*], then \d+
	 * (longest first, backing off one digit at a time), then nothing. */
	if (pos < len && line[pos] == '[') {
		size_t end = pos + 1;
		while (end < len && line[end] != ']')
			end++;
		if (end < len && name_then_paren(line, len, end + 1, name, name_len))
			return true;
	}
	size_t digits = 0;
	while (pos + digits < len && is_digit(line[pos + digits]))
		digits++;
	for (size_t d = digits; d > 0; d--)
		if (name_then_paren(line, len, pos + d, name, name_len))
			return true;
	return name_then_paren(line, len, pos, name, name_len);
}
