/* Rendering of notifications and JSON for nstar's output (runtime errors are
 * libns/console_errtext.h's sentences). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "libns/sbuf.h"

char *nstar_id_str(const struct ns_console_id *id, char *buf, size_t size)
{
	return ns_console_id_str(id, buf, size);
}

static void put_status(struct ns_sbuf *s, const struct ns_exit_status *st)
{
	if (st->kind == NS_EXIT_CODE)
		ns_sbuf_put(s, "exit code %d", (int)st->code);
	else
		ns_sbuf_put(s, "signalled %u", (unsigned)st->signal);
}

static void put_opt(struct ns_sbuf *s, const char *name, bool has, uint64_t v, bool last)
{
	if (has)
		ns_sbuf_put(s, "%s: Some(%llu)%s", name, (unsigned long long)v, last ? "" : ", ");
	else
		ns_sbuf_put(s, "%s: None%s", name, last ? "" : ", ");
}

char *nstar_notification_text(const struct ns_console_notification *n, char *buf, size_t size)
{
	struct ns_sbuf s = {buf, size, 0};
	char id[NS_CONTAINER_ID_STR_MAX];
	const char *c = nstar_id_str(&n->container, id, sizeof(id));
	const struct ns_memory_event *m = &n->memory;
	buf[0] = '\0';
	switch (n->kind) {
	case NS_NOTIF_STARTED:
		ns_sbuf_put(&s, "started %s", c);
		break;
	case NS_NOTIF_EXIT:
		ns_sbuf_put(&s, "container %s exited with status ", c);
		put_status(&s, &n->exit);
		break;
	case NS_NOTIF_INSTALL:
		ns_sbuf_put(&s, "installed %s", c);
		break;
	case NS_NOTIF_UNINSTALL:
		ns_sbuf_put(&s, "uninstalled %s", c);
		break;
	case NS_NOTIF_CGROUP:
		ns_sbuf_put(&s, "container %s memory event Memory(MemoryNotification { ", c);
		put_opt(&s, "low", m->has_low, m->low, false);
		put_opt(&s, "high", m->has_high, m->high, false);
		put_opt(&s, "max", m->has_max, m->max, false);
		put_opt(&s, "oom", m->has_oom, m->oom, false);
		put_opt(&s, "oom_kill", m->has_oom_kill, m->oom_kill, true);
		ns_sbuf_put(&s, " })");
		break;
	default:
		ns_sbuf_put(&s, "shutting down");
		break;
	}
	return buf;
}

void nstar_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void newline_indent(FILE *out, int depth)
{
	fputc('\n', out);
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

void nstar_json_pretty(FILE *out, const cJSON *item, int indent)
{
	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		bool obj = cJSON_IsObject(item);
		const cJSON *child = item->child;
		if (!child) {
			fputs(obj ? "{}" : "[]", out);
			return;
		}
		fputc(obj ? '{' : '[', out);
		for (; child; child = child->next) {
			newline_indent(out, indent + 1);
			if (obj) {
				nstar_json_string(out, child->string ? child->string : "");
				fputs(": ", out);
			}
			nstar_json_pretty(out, child, indent + 1);
			if (child->next)
				fputc(',', out);
		}
		newline_indent(out, indent);
		fputc(obj ? '}' : ']', out);
	} else if (cJSON_IsString(item)) {
		nstar_json_string(out, item->valuestring);
	} else if (cJSON_IsNumber(item)) {
		if (item->valuestring)
			fputs(item->valuestring, out);
		else
			fprintf(out, "%.17g", item->valuedouble);
	} else if (cJSON_IsRaw(item)) {
		fputs(item->valuestring, out);
	} else if (cJSON_IsBool(item)) {
		fputs(cJSON_IsTrue(item) ? "true" : "false", out);
	} else {
		fputs("null", out);
	}
}
