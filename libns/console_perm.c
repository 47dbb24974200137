/* Which console permission each request needs (spec §5), and the handshake's version
 * rule (§2). */
#include "console_msg.h"

static const enum ns_perm request_perms[NS_REQ_COUNT] = {
    [NS_REQ_IDENT] = NS_PERM_IDENT,
    [NS_REQ_INSPECT] = NS_PERM_INSPECT,
    [NS_REQ_INSTALL] = NS_PERM_INSTALL,
    [NS_REQ_KILL] = NS_PERM_KILL,
    [NS_REQ_LIST] = NS_PERM_LIST,
    [NS_REQ_MOUNT] = NS_PERM_MOUNT,
    [NS_REQ_REPOSITORIES] = NS_PERM_REPOSITORIES,
    [NS_REQ_SHUTDOWN] = NS_PERM_SHUTDOWN,
    [NS_REQ_START] = NS_PERM_START,
    [NS_REQ_TOKEN_CREATE] = NS_PERM_TOKEN_CREATE,
    [NS_REQ_TOKEN_VERIFY] = NS_PERM_TOKEN_VERIFICATION,
    [NS_REQ_UMOUNT] = NS_PERM_UMOUNT,
    [NS_REQ_UNINSTALL] = NS_PERM_UNINSTALL,
    /* ours: reading a container's output tells what inspect tells, and no more */
    [NS_REQ_LOGS] = NS_PERM_INSPECT,
};

enum ns_perm ns_console_request_perm(const struct ns_console_request *r)
{
	if ((unsigned)r->kind >= NS_REQ_COUNT)
		return NS_PERM_COUNT; /* no permission grants an unknown request */
	/* start_command is a permission of its own: it neither implies nor needs start. */
	if (r->kind == NS_REQ_START && (r->init || r->narguments || r->nenvironment))
		return NS_PERM_START_COMMAND;
	return request_perms[r->kind];
}

bool ns_console_request_permitted(uint32_t perms, const struct ns_console_request *r)
{
	enum ns_perm p = ns_console_request_perm(r);
	return p < NS_PERM_COUNT && (perms & (1u << p));
}

bool ns_console_subscribe_permitted(uint32_t perms)
{
	return perms & (1u << NS_PERM_NOTIFICATIONS);
}

struct ns_version ns_console_version(void)
{
	return (struct ns_version){NS_CONSOLE_VERSION_MAJOR, NS_CONSOLE_VERSION_MINOR,
				   NS_CONSOLE_VERSION_PATCH};
}

bool ns_console_version_accepted(const struct ns_version *server, const struct ns_version *client)
{
	/* semver requirement ">= MAJOR.MINOR.0" of the server's version */
	struct ns_version floor = {server->major, server->minor, 0};
	return ns_version_cmp(client, &floor) >= 0;
}
