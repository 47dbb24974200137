#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

/* NOROOT: uid 0 gains no capabilities at exec (a setuid-root binary stays powerless,
 * on top of no_new_privs). The fixups on uid changes stay on and keep-caps stays off,
 * both locked, so an application allowed CAP_SETUID cannot keep capabilities across a
 * uid change it makes. */
#define LOCKED_SECUREBITS                                                                          \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |                    \
	 SECBIT_KEEP_CAPS_LOCKED)

static const char *cap_label(unsigned cap, char *buf, size_t len)
{
	char *name = cap_to_name((cap_value_t)cap);
	snprintf(buf, len, "%s", name ? name : "?");
	cap_free(name);
	for (char *c = buf; *c; c++) /* the manifest's spelling: CAP_NET_ADMIN */
		*c = (char)toupper((unsigned char)*c);
	return buf;
}

/* Every capability in keep must be one the parent can hand on. */
static int check_held(uint64_t keep, unsigned last_cap, cap_t cur, struct ns_err *err)
{
	char label[64];
	for (unsigned c = 0; c < 64; c++) {
		if (!(keep & (1ull << c)))
			continue;
		if (c > last_cap)
			return ns_err_set(
			    err, EINVAL, "capability %u is unknown to this kernel (the last is %u)",
			    c, last_cap);
		cap_flag_value_t have = CAP_CLEAR;
		if (cap_get_flag(cur, (cap_value_t)c, CAP_PERMITTED, &have) < 0 ||
		    have != CAP_SET || cap_get_bound((cap_value_t)c) != 1)
			return ns_err_set(
			    err, EPERM,
			    "capability %s is not held by the runtime, so it cannot be "
			    "granted",
			    cap_label(c, label, sizeof(label)));
	}
	return 0;
}

static int set_flags(cap_t caps, cap_flag_t flag, uint64_t bits, unsigned last_cap)
{
	for (unsigned c = 0; c <= last_cap && c < 64; c++) {
		cap_value_t v = (cap_value_t)c;
		if ((bits & (1ull << c)) && cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static uint64_t permitted_bits(cap_t cur, unsigned last_cap)
{
	uint64_t bits = 0;
	for (unsigned c = 0; c <= last_cap && c < 64; c++) {
		cap_flag_value_t v = CAP_CLEAR;
		if (cap_get_flag(cur, (cap_value_t)c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			bits |= 1ull << c;
	}
	return bits;
}

int ns_caps_prepare(uint64_t keep, struct ns_caps_plan *plan, struct ns_err *err)
{
	struct ns_caps_plan p = {.keep = keep};
	int bits = cap_max_bits();
	if (bits <= 0 || bits > 64)
		return ns_err_set(err, EINVAL, "capabilities: the kernel reports %d of them", bits);
	p.last_cap = (unsigned)bits - 1;
	cap_t cur = cap_get_proc();
	if (!cur)
		return ns_err_sys(err, errno, "capabilities: read the runtime's own");
	int r = check_held(keep, p.last_cap, cur, err);
	uint64_t held = permitted_bits(cur, p.last_cap);
	cap_free(cur);
	if (r < 0)
		return r;
	p.raise = cap_init();
	p.final = cap_init();
	if (!p.raise || !p.final || set_flags(p.raise, CAP_PERMITTED, held, p.last_cap) < 0 ||
	    set_flags(p.raise, CAP_EFFECTIVE, held, p.last_cap) < 0 ||
	    set_flags(p.final, CAP_PERMITTED, keep, p.last_cap) < 0 ||
	    set_flags(p.final, CAP_EFFECTIVE, keep, p.last_cap) < 0 ||
	    set_flags(p.final, CAP_INHERITABLE, keep, p.last_cap) < 0) {
		r = ns_err_sys(err, errno ? errno : ENOMEM, "capabilities: build the sets");
		ns_caps_plan_free(&p);
		return r;
	}
	*plan = p;
	return 0;
}

void ns_caps_plan_free(struct ns_caps_plan *plan)
{
	if (plan->raise)
		cap_free(plan->raise);
	if (plan->final)
		cap_free(plan->final);
	plan->raise = plan->final = NULL;
}

static int drop_bounding(const struct ns_caps_plan *p, struct ns_err *err)
{
	for (unsigned c = 0; c <= p->last_cap; c++) {
		if (c < 64 && (p->keep & (1ull << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0)
			return ns_err_sys(err, errno, "capabilities: drop %u from the bounding set",
					  c);
	}
	return 0;
}

static int set_ambient(const struct ns_caps_plan *p, struct ns_err *err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return ns_err_sys(err, errno, "capabilities: clear the ambient set");
	for (unsigned c = 0; c <= p->last_cap && c < 64; c++) {
		if (!(p->keep & (1ull << c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0)
			return ns_err_sys(err, errno, "capabilities: raise %u in the ambient set",
					  c);
	}
	return 0;
}

/* cap_set_proc is one capset(2) on a set built before fork: no allocation, no lock
 * shared with other threads. */
int ns_caps_apply(const struct ns_caps_plan *p, struct ns_err *err)
{
	/* the uid switch cleared the effective set; CAP_SETPCAP is needed below */
	if (cap_set_proc(p->raise) < 0)
		return ns_err_sys(err, errno, "capabilities: raise the effective set");
	int r = drop_bounding(p, err);
	if (r < 0)
		return r;
	if (prctl(PR_SET_SECUREBITS, (unsigned long)LOCKED_SECUREBITS, 0, 0, 0) < 0)
		return ns_err_sys(err, errno, "capabilities: lock the securebits");
	if (cap_set_proc(p->final) < 0)
		return ns_err_sys(err, errno,
				  "capabilities: set effective, permitted, inheritable");
	return set_ambient(p, err);
}
