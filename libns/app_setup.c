#include "app_setup.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "keyring.h"
#include "seccomp_guard.h"

static int prepare_steps(const struct ns_manifest *m, const struct ns_app_opts *o,
			 struct ns_app_plan *p, struct ns_err *err)
{
	if (ns_rlimit_prepare(m->rlimits, m->nrlimits, &p->rlimits, err) < 0 ||
	    ns_sched_prepare(&m->sched, &p->sched, err) < 0)
		return ns_err_ret(err);
	if (ns_creds_prepare(m->uid, m->gid, m->suppl_groups, m->nsuppl_groups, o->group_file,
			     &p->creds, err) < 0)
		return ns_err_ret(err);
	if (ns_caps_prepare(m->capabilities, &p->caps, err) < 0)
		return ns_err_ret(err);
	/* a persist mount: its quota must hold, whatever the manifest's filter says */
	for (size_t i = 0; i < m->nmounts && !p->has_guard; i++) {
		if (m->mounts[i].type != NS_MOUNT_PERSIST)
			continue;
		if (ns_seccomp_guard_build(&p->guard, err) < 0)
			return ns_err_ret(err);
		p->has_guard = true;
	}
	/* No seccomp section: the default profile, with the capability rules of what the
	 * manifest grants; no filter only when the runtime asks for Northstar's behaviour
	 * (docs/seccomp.md). */
	static const struct ns_seccomp profile_only = {.present = true, .profile_default = true};
	const struct ns_seccomp *sc = m->seccomp.present ? &m->seccomp : &profile_only;
	if (!m->seccomp.present && o->seccomp_unfiltered)
		return 0;
	if (ns_seccomp_build(sc, m->capabilities, o->violation, &p->seccomp, err) < 0)
		return ns_err_ret(err);
	p->has_seccomp = true;
	return 0;
}

int ns_app_prepare(const struct ns_manifest *m, const struct ns_app_opts *opts,
		   struct ns_app_plan *plan, struct ns_err *err)
{
	static const struct ns_app_opts defaults = {0};
	const struct ns_app_opts *o = opts ? opts : &defaults;
	memset(plan, 0, sizeof(*plan));
	if (o->pdeathsig < 0 || o->pdeathsig >= NSIG)
		return ns_err_set(err, EINVAL, "parent-death signal %d", o->pdeathsig);
	plan->pdeathsig = o->pdeathsig;
	int r = prepare_steps(m, o, plan, err);
	if (r < 0) {
		ns_app_plan_free(plan);
		return ns_err_wrap(err, "prepare the application of '%s'", m->name ? m->name : "?");
	}
	return 0;
}

int ns_app_set_fds(struct ns_app_plan *plan, const int stdio[3], const int *keep, size_t nkeep,
		   struct ns_err *err)
{
	if (nkeep > NS_FDS_KEEP_MAX)
		return ns_err_set(err, EINVAL, "%zu descriptors to keep, more than %d", nkeep,
				  NS_FDS_KEEP_MAX);
	memcpy(plan->stdio, stdio, sizeof(plan->stdio));
	if (nkeep)
		memcpy(plan->keep, keep, nkeep * sizeof(*keep));
	plan->nkeep = nkeep;
	plan->arrange_fds = true;
	return 0;
}

void ns_app_plan_free(struct ns_app_plan *plan)
{
	ns_creds_plan_free(&plan->creds);
	ns_caps_plan_free(&plan->caps);
	if (plan->has_seccomp)
		ns_seccomp_prog_free(&plan->seccomp);
	plan->has_seccomp = false;
	if (plan->has_guard)
		ns_seccomp_prog_free(&plan->guard);
	plan->has_guard = false;
}

static int apply_process_state(const struct ns_app_plan *p, struct ns_err *err)
{
	if (ns_signals_reset(err) < 0)
		return ns_err_ret(err);
	/* before the rlimits: a low nofile limit would stop the copies it makes */
	if (p->arrange_fds && ns_fds_arrange(p->stdio, p->keep, p->nkeep, err) < 0)
		return ns_err_ret(err);
	if (ns_rlimit_apply(&p->rlimits, err) < 0 || ns_sched_apply(&p->sched, err) < 0)
		return ns_err_ret(err);
	return 0;
}

int ns_app_apply(const struct ns_app_plan *p, struct ns_err *err)
{
	if (apply_process_state(p, err) < 0 || ns_creds_apply(&p->creds, err) < 0)
		return ns_err_ret(err);
	/* after the id change, so the keyring is the application's; a kernel without
	 * keyrings has none to share */
	int r = ns_keyring_new_session(err);
	if (r < 0 && r != -ENOSYS)
		return r;
	if (p->pdeathsig && prctl(PR_SET_PDEATHSIG, (unsigned long)p->pdeathsig, 0, 0, 0) < 0)
		return ns_err_sys(err, errno, "set the parent-death signal");
	if (ns_caps_apply(&p->caps, err) < 0)
		return ns_err_ret(err);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return ns_err_sys(err, errno, "set no_new_privs");
	if (p->has_guard && ns_seccomp_install(&p->guard, err) < 0)
		return ns_err_ret(err);
	if (p->has_seccomp && ns_seccomp_install(&p->seccomp, err) < 0)
		return ns_err_ret(err);
	return 0;
}
