/* What start-up refuses beyond the configuration's own text: each repository's key must
 * load, and with persist limits an existing data_dir must enforce project quotas (one
 * that does not exist yet is made and checked at start-up). `northstard --check` runs
 * this too, so it accepts only what start-up accepts (the parser already applies every
 * rule that needs no file, the console's address included). */
#include "config.h"

#include <sys/stat.h>

#include "persist_quota.h"
#include "sign.h"

int ns_config_check(const struct ns_config *c, struct ns_err *err)
{
	for (size_t i = 0; i < c->nrepos; i++) {
		const struct ns_repo_config *rc = &c->repos[i];
		struct ns_pubkey key;
		if (rc->key && ns_pubkey_load(rc->key, &key, err) < 0)
			return ns_err_wrap(err, "repository %s: key", rc->name);
	}
	struct stat st;
	if (c->persist.quota && stat(c->data_dir, &st) == 0 &&
	    ns_persist_quota_check(c->data_dir, err) < 0)
		return ns_err_ret(err);
	return 0;
}
