/* Console errors as sentences: one arm per variant, each saying what happened and what
 * to do. The hints name nstar's commands because nstar is how a person reaches the
 * console; the daemon's log shows the same text, so both sides read alike. */
#include <stdio.h>

#include "console_errtext.h"
#include "sbuf.h"

/* Appends to buf; the text is cut at the end of buf, never overflowing it. */
static const char *or_unknown(const char *s)
{
	return s && *s ? s : "(unknown)";
}

static void put_status(struct ns_sbuf *s, const struct ns_exit_status *st)
{
	if (st->kind == NS_EXIT_CODE)
		ns_sbuf_put(s, "with exit code %d", (int)st->code);
	else
		ns_sbuf_put(s, "on signal %u", (unsigned)st->signal);
}

char *ns_console_errtext(const struct ns_console_error *e, char *buf, size_t size)
{
	struct ns_sbuf s = {buf, size, 0};
	char id[NS_CONTAINER_ID_STR_MAX];
	const char *c = ns_console_id_str(&e->container, id, sizeof(id));
	if (size)
		buf[0] = '\0';
	switch (e->kind) {
	case NS_ERROR_CONFIGURATION:
		ns_sbuf_put(
		    &s,
		    "the runtime's configuration is invalid: %s; fix northstard's configuration "
		    "file and restart it",
		    or_unknown(e->text));
		break;
	case NS_ERROR_DUPLICATE_CONTAINER:
		ns_sbuf_put(
		    &s,
		    "%s is installed more than once; uninstall the extra copy (`nstar uninstall "
		    "%s`)",
		    c, c);
		break;
	case NS_ERROR_INVALID_CONTAINER:
		ns_sbuf_put(&s, "%s is not installed; `nstar list` shows the installed containers",
			    c);
		break;
	case NS_ERROR_INVALID_ARGUMENTS:
		ns_sbuf_put(
		    &s,
		    "the runtime refused the arguments: %s; check the command line (`nstar help "
		    "COMMAND`)",
		    or_unknown(e->text));
		break;
	case NS_ERROR_MOUNT_BUSY:
		ns_sbuf_put(
		    &s,
		    "%s is busy and cannot be mounted now; wait until what uses it is done and "
		    "try again",
		    c);
		break;
	case NS_ERROR_UMOUNT_BUSY:
		ns_sbuf_put(&s,
			    "%s is running, so it (or the resource it uses) cannot be unmounted or "
			    "uninstalled; stop it first (`nstar kill %s`)",
			    c, c);
		break;
	case NS_ERROR_START_CONTAINER_STARTED:
		ns_sbuf_put(
		    &s, "%s is already running; stop it first (`nstar kill %s`) to start it anew",
		    c, c);
		break;
	case NS_ERROR_START_CONTAINER_RESOURCE:
		ns_sbuf_put(
		    &s,
		    "%s is a resource, not an app (its manifest has no init), so it cannot be "
		    "started; start an app that uses it, or mount it (`nstar mount %s`)",
		    c, c);
		break;
	case NS_ERROR_START_CONTAINER_MISSING_RESOURCE:
		ns_sbuf_put(
		    &s,
		    "%s needs the resource %s version %s, which is not installed; install it "
		    "(`nstar install NPK REPOSITORY`) and start again",
		    c, or_unknown(e->resource), or_unknown(e->version));
		break;
	case NS_ERROR_START_CONTAINER_FAILED:
		ns_sbuf_put(&s, "%s failed to start: %s; the runtime's log has the details", c,
			    or_unknown(e->text));
		break;
	case NS_ERROR_STOP_CONTAINER_NOT_STARTED:
		ns_sbuf_put(&s, "%s is not started; nothing to stop (`nstar list` shows what runs)",
			    c);
		break;
	case NS_ERROR_INVALID_REPOSITORY:
		ns_sbuf_put(&s,
			    "there is no repository '%s'; `nstar repositories` lists the runtime's "
			    "repositories",
			    e->repository ? e->repository : "");
		break;
	case NS_ERROR_INSTALL_DUPLICATE:
		ns_sbuf_put(
		    &s,
		    "%s is already installed; uninstall it first (`nstar uninstall %s`) or pack "
		    "a new version",
		    c, c);
		break;
	case NS_ERROR_CRITICAL_CONTAINER:
		ns_sbuf_put(&s, "the critical container %s exited ", c);
		put_status(&s, &e->status);
		ns_sbuf_put(&s,
			    "; the runtime shuts down when a critical container ends: see its log");
		break;
	case NS_ERROR_UNEXPECTED:
		ns_sbuf_put(&s, "the runtime failed: %s; the runtime's log may say more",
			    or_unknown(e->text));
		break;
	default:
		ns_sbuf_put(&s, "the runtime reported an error this client does not know (kind %d)",
			    (int)e->kind);
		break;
	}
	return buf;
}
