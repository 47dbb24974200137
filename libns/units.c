#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "muldiv.h"

struct unit {
	const char *name;
	uint64_t mult;
};

#define P10(n) ((uint64_t)n)
static const struct unit size_units[] = {
    {"", 1},
    {"b", 1},
    {"k", P10(1000)},
    {"kb", P10(1000)},
    {"ki", 1ull << 10},
    {"kib", 1ull << 10},
    {"m", P10(1000000)},
    {"mb", P10(1000000)},
    {"mi", 1ull << 20},
    {"mib", 1ull << 20},
    {"g", P10(1000000000)},
    {"gb", P10(1000000000)},
    {"gi", 1ull << 30},
    {"gib", 1ull << 30},
    {"t", P10(1000000000000)},
    {"tb", P10(1000000000000)},
    {"ti", 1ull << 40},
    {"tib", 1ull << 40},
    {"p", P10(1000000000000000)},
    {"pb", P10(1000000000000000)},
    {"pi", 1ull << 50},
    {"pib", 1ull << 50},
    {"e", P10(1000000000000000000)},
    {"eb", P10(1000000000000000000)},
    {"ei", 1ull << 60},
    {"eib", 1ull << 60},
};

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int ns_parse_size(const char *s, int allow_fraction, uint64_t *out)
{
	s = skip_space(s);
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	uint64_t whole = 0;
	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s++ - '0');
		if (whole > (UINT64_MAX - d) / 10)
			return -ERANGE;
		whole = whole * 10 + d;
	}
	/* Fraction kept as digits/scale, at most 18 digits of precision. */
	uint64_t frac = 0, scale = 1;
	if (*s == '.') {
		if (!allow_fraction)
			return -EINVAL;
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s)) {
			if (scale < 1000000000000000000ull) {
				frac = frac * 10 + (unsigned)(*s - '0');
				scale *= 10;
			}
			s++;
		}
	}
	s = skip_space(s);
	char unit[8];
	size_t n = 0;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 >= sizeof(unit))
			return -EINVAL;
		unit[n++] = (char)tolower((unsigned char)*s++);
	}
	unit[n] = '\0';
	if (*skip_space(s) != '\0')
		return -EINVAL;
	for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++) {
		if (strcmp(unit, size_units[i].name) != 0)
			continue;
		uint64_t m = size_units[i].mult, v;
		if (__builtin_mul_overflow(whole, m, &v))
			return -ERANGE;
		if (frac) {
			/* frac/scale * m, without overflowing the product */
			uint64_t f;
			if (ns_muldiv64(frac, m, scale, false, &f) < 0 ||
			    __builtin_add_overflow(v, f, &v))
				return -ERANGE;
		}
		*out = v;
		return 0;
	}
	return -EINVAL;
}

static const struct unit time_units[] = {
    {"nsec", 1},
    {"ns", 1},
    {"usec", 1000},
    {"us", 1000},
    {"\xc2\xb5s", 1000},
    {"msec", 1000000},
    {"ms", 1000000},
    {"seconds", 1000000000ull},
    {"second", 1000000000ull},
    {"sec", 1000000000ull},
    {"s", 1000000000ull},
    {"minutes", 60000000000ull},
    {"minute", 60000000000ull},
    {"min", 60000000000ull},
    {"m", 60000000000ull},
    {"hours", 3600000000000ull},
    {"hour", 3600000000000ull},
    {"hr", 3600000000000ull},
    {"h", 3600000000000ull},
    {"days", 86400000000000ull},
    {"day", 86400000000000ull},
    {"d", 86400000000000ull},
    {"weeks", 604800000000000ull},
    {"week", 604800000000000ull},
    {"w", 604800000000000ull},
    {"months", 2630016000000000ull},
    {"month", 2630016000000000ull},
    {"M", 2630016000000000ull},
    {"years", 31557600000000000ull},
    {"year", 31557600000000000ull},
    {"y", 31557600000000000ull},
};

int ns_parse_duration(const char *s, uint64_t *out_ns)
{
	uint64_t total = 0;
	int terms = 0;
	s = skip_space(s);
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		uint64_t v = 0;
		while (isdigit((unsigned char)*s)) {
			unsigned d = (unsigned)(*s++ - '0');
			if (v > (UINT64_MAX - d) / 10)
				return -ERANGE;
			v = v * 10 + d;
		}
		s = skip_space(s);
		const char *u = s;
		while (*s && !isdigit((unsigned char)*s) && *s != ' ' && *s != '\t')
			s++;
		size_t ulen = (size_t)(s - u);
		const struct unit *found = NULL;
		for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
			if (strlen(time_units[i].name) == ulen &&
			    memcmp(time_units[i].name, u, ulen) == 0) {
				found = &time_units[i];
				break;
			}
		}
		if (!found)
			return -EINVAL;
		uint64_t term;
		if (__builtin_mul_overflow(v, found->mult, &term) ||
		    __builtin_add_overflow(total, term, &total))
			return -ERANGE;
		terms++;
		s = skip_space(s);
	}
	if (terms == 0)
		return -EINVAL;
	*out_ns = total;
	return 0;
}

void ns_format_duration(uint64_t ns, char *buf, size_t size)
{
	static const struct {
		const char *one, *many;
		uint64_t mult;
	} parts[] = {
	    {"year", "years", 31557600000000000ull},
	    {"month", "months", 2630016000000000ull},
	    {"day", "days", 86400000000000ull},
	    {"h", "h", 3600000000000ull},
	    {"m", "m", 60000000000ull},
	    {"s", "s", 1000000000ull},
	    {"ms", "ms", 1000000ull},
	    {"us", "us", 1000ull},
	    {"ns", "ns", 1ull},
	};
	size_t len = 0;
	if (size == 0)
		return;
	buf[0] = '\0';
	if (ns == 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		uint64_t v = ns / parts[i].mult;
		ns %= parts[i].mult;
		if (v == 0)
			continue;
		int n = snprintf(buf + len, size - len, "%s%llu%s", len ? " " : "",
				 (unsigned long long)v, v == 1 ? parts[i].one : parts[i].many);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += (size_t)n;
	}
}
