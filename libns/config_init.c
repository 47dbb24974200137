/* The keys of the configuration that matter when northstard is PID 1 (ours; Northstar
 * has none): `modules`, the kernel modules loaded before the repositories open, and
 * `init`, how PID-1 mode halts and where it logs. Kept apart from config.c: one
 * concern, one file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static int ierr(const struct ns_ydoc *doc, const struct ns_ynode *n, struct ns_err *err,
		const char *key, const char *what)
{
	return ns_yerr(err, doc, n, EINVAL, "%s: %s", key, what);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

int ns_config_parse_modules(const struct ns_ydoc *doc, const struct ns_ynode *v,
			    struct ns_config *c, struct ns_err *err)
{
	if (v->kind != NS_YSEQ)
		return ierr(doc, v, err, "modules", "expected a list of paths of .ko files");
	c->modules = calloc(v->n ? v->n : 1, sizeof(char *));
	if (!c->modules)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->n; i++) {
		const struct ns_ynode *it = v->items[i];
		if (it->kind != NS_YSCALAR || !it->str[0])
			return ierr(doc, it, err, "modules", "expected a path of a .ko file");
		/* finit_module takes the module itself: compressed ones need a kernel that
		 * decompresses (MODULE_INIT_COMPRESSED_FILE), which we do not ask for */
		if (it->str[0] != '/')
			return ierr(doc, it, err, "modules", "the path must be absolute");
		if (!ends_with(it->str, ".ko"))
			return ierr(doc, it, err, "modules",
				    "not a .ko file (decompress .ko.xz/.ko.zst/.ko.gz first)");
		c->modules[c->nmodules++] = it->str;
	}
	return 0;
}

int ns_config_parse_init(const struct ns_ydoc *doc, const struct ns_ynode *m,
			 struct ns_init_config *ic, struct ns_err *err)
{
	if (m->kind != NS_YMAP)
		return ierr(doc, m, err, "init", "expected a mapping");
	for (size_t i = 0; i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i), *v = ns_ymap_val(m, i);
		if (k->kind != NS_YSCALAR)
			return ierr(doc, k, err, "init", "keys must be scalars");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ns_ymap_key(m, j)->str, k->str))
				return ns_yerr(err, doc, k, EINVAL, "init: duplicate key '%s'",
					       k->str);
		if (!strcmp(k->str, "halt")) {
			if (v->kind == NS_YSCALAR && !strcmp(v->str, "poweroff"))
				ic->reboot = false;
			else if (v->kind == NS_YSCALAR && !strcmp(v->str, "reboot"))
				ic->reboot = true;
			else
				return ierr(doc, v, err, "init.halt",
					    "expected 'poweroff' or 'reboot'");
		} else if (!strcmp(k->str, "log")) {
			if (v->kind == NS_YSCALAR && !strcmp(v->str, "console"))
				ic->log_kmsg = false;
			else if (v->kind == NS_YSCALAR && !strcmp(v->str, "kmsg"))
				ic->log_kmsg = true;
			else
				return ierr(doc, v, err, "init.log",
					    "expected 'console' or 'kmsg'");
		} else {
			return ns_yerr(err, doc, k, EINVAL, "init: unknown key '%s'", k->str);
		}
	}
	return 0;
}
