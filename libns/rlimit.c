#include "rlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "io.h"
#include "util.h"

#define NR_OPEN_DEFAULT 1048576u /* the kernel's default fs.nr_open */

static rlim_t nr_open(void)
{
	struct ns_err ignored;
	ns_autofree char *text = NULL;
	size_t len;
	if (ns_read_file_at(AT_FDCWD, "/proc/sys/fs/nr_open", 64, &text, &len, &ignored) < 0)
		return NR_OPEN_DEFAULT;
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	return v > 0 && end != text ? (rlim_t)v : NR_OPEN_DEFAULT;
}

static rlim_t resolve(bool present, uint64_t v, rlim_t unlimited)
{
	if (!present || v >= (uint64_t)RLIM_INFINITY)
		return unlimited;
	return (rlim_t)v;
}

static void describe(char *buf, size_t len, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64, (uint64_t)v);
}

static int prepare_one(const struct ns_rlimit *r, struct ns_rlimit_entry *e, struct ns_err *err)
{
	const char *name = ns_rlimit_name(r->res);
	int resource = ns_rlimit_resource(r->res);
	if (!name || resource < 0)
		return ns_err_set(err, EINVAL, "rlimit: unknown resource %d", (int)r->res);
	rlim_t unlimited = resource == RLIMIT_NOFILE ? nr_open() : RLIM_INFINITY;
	e->name = name;
	e->resource = resource;
	e->lim.rlim_cur = resolve(r->has_soft, r->soft, unlimited);
	e->lim.rlim_max = resolve(r->has_hard, r->hard, unlimited);
	if (e->lim.rlim_cur > e->lim.rlim_max) {
		char soft[32], hard[32];
		describe(soft, sizeof(soft), r->has_soft ? e->lim.rlim_cur : RLIM_INFINITY);
		describe(hard, sizeof(hard), e->lim.rlim_max);
		return ns_err_set(err, EINVAL, "rlimit %s: soft limit %s%s exceeds hard limit %s",
				  name, soft, r->has_soft ? "" : " (absent)", hard);
	}
	return 0;
}

int ns_rlimit_prepare(const struct ns_rlimit *rl, size_t n, struct ns_rlimit_plan *plan,
		      struct ns_err *err)
{
	struct ns_rlimit_plan p = {0};
	if (n > NS_RLIMIT_COUNT)
		return ns_err_set(err, EINVAL, "rlimit: %zu entries, more than %d resources", n,
				  NS_RLIMIT_COUNT);
	for (size_t i = 0; i < n; i++) {
		int r = prepare_one(&rl[i], &p.e[p.n], err);
		if (r < 0)
			return r;
		for (size_t j = 0; j < p.n; j++)
			if (p.e[j].resource == p.e[p.n].resource)
				return ns_err_set(err, EINVAL, "rlimit %s: given twice",
						  p.e[j].name);
		p.n++;
	}
	*plan = p;
	return 0;
}

int ns_rlimit_apply(const struct ns_rlimit_plan *plan, struct ns_err *err)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct ns_rlimit_entry *e = &plan->e[i];
		if (setrlimit(e->resource, &e->lim) < 0) {
			char soft[32], hard[32];
			describe(soft, sizeof(soft), e->lim.rlim_cur);
			describe(hard, sizeof(hard), e->lim.rlim_max);
			return ns_err_sys(err, errno, "rlimit %s: set soft %s, hard %s", e->name,
					  soft, hard);
		}
	}
	return 0;
}
