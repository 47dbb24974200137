/* nstar token and verify-token: tokens the runtime makes for a pair of containers. */
#include <stdlib.h>
#include <string.h>

#include "applets/applet.h"
#include "libns/base64.h"
#include "libns/util.h"
#include "nstar.h"

const char nstar_help_token[] =
    "usage: nstar token TARGET SHARED\n"
    "\n"
    "Asks the runtime for a token that proves to the container named TARGET that this\n"
    "connection's owner (extern, for the runtime's console socket) made it, over the\n"
    "text SHARED. Prints 'created token BASE64'. Tokens expire (60 s by default).\n";

const char nstar_help_verify_token[] =
    "usage: nstar verify-token TOKEN USER SHARED\n"
    "\n"
    "Asks the runtime whether TOKEN (base64, as token prints it) was made by the\n"
    "container named USER for this connection's owner over SHARED. Prints Ok,\n"
    "Invalid, Expired or Future; the exit status is 0 for each.\n";

static int token_request(const struct nstar *ns, const struct ns_console_request *req)
{
	struct nstar_conn c;
	if (nstar_open(ns, false, &c))
		return NSTAR_EXIT_FAIL;
	struct ns_console_frame f;
	struct ns_err err;
	int status = 0;
	if (nstar_conn_request(&c, req, &f, &err) < 0) {
		status = nstar_fail(&err);
	} else {
		if (ns->json) {
			/* the raw session is the output */
		} else if (f.response.kind == NS_RESP_TOKEN) {
			ns_autofree char *b64 = ns_base64_encode(f.response.token, NS_TOKEN_LEN);
			status = b64 ? (printf("created token %s\n", b64), 0)
				     : nstar_failf("out of memory");
		} else {
			puts(ns_verification_name(f.response.verification));
		}
		ns_console_frame_free(&f);
	}
	nstar_conn_close(&c);
	return status;
}

static int name_operand(const struct nstar_cmd *cmd, const char *what, const char *s)
{
	if (ns_name_valid(s, strlen(s)))
		return 0;
	return nstar_usage_error(cmd,
				 "invalid %s '%s': a container name, 1 to 1024 of "
				 "[0-9A-Za-z._-]",
				 what, s);
}

int nstar_cmd_token(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("token");
	int first = nstar_getopt(cmd, argc, argv, false, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 2, 2) || name_operand(cmd, "target", argv[first]))
		return EXIT_USAGE;
	const char *shared = argv[first + 1];
	struct ns_console_request req = {.kind = NS_REQ_TOKEN_CREATE,
					 .target = argv[first],
					 .shared = (const uint8_t *)shared,
					 .shared_len = strlen(shared)};
	return token_request(ns, &req);
}

int nstar_cmd_verify_token(const struct nstar *ns, int argc, char **argv)
{
	const struct nstar_cmd *cmd = nstar_find_cmd("verify-token");
	int first = nstar_getopt(cmd, argc, argv, false, NULL, NULL);
	if (first < 0)
		return nstar_opt_exit(first);
	if (nstar_operands(cmd, argc - first, 3, 3) || name_operand(cmd, "user", argv[first + 1]))
		return EXIT_USAGE;
	const char *token = argv[first], *shared = argv[first + 2];
	struct ns_console_request req = {.kind = NS_REQ_TOKEN_VERIFY,
					 .user = argv[first + 1],
					 .shared = (const uint8_t *)shared,
					 .shared_len = strlen(shared)};
	size_t len;
	uint8_t buf[NS_TOKEN_LEN + 3];
	if (ns_base64_decode(token, strlen(token), buf, sizeof(buf), &len) < 0 ||
	    len != NS_TOKEN_LEN)
		return nstar_usage_error(cmd, "invalid token '%s': expected the base64 of %d bytes",
					 token, NS_TOKEN_LEN);
	memcpy(req.token, buf, NS_TOKEN_LEN);
	return token_request(ns, &req);
}
