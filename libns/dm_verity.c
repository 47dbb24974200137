#include "dm_verity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hex.h"

static bool pow2_between(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

int ns_verity_check_params(const struct ns_verity_params *p, uint64_t image_size,
			   struct ns_err *err)
{
	uint64_t data_end, hash_start;

	if (!pow2_between(p->data_block_size, 512, 65536))
		return ns_err_set(err, EINVAL,
				  "verity data block size %u is not a power of two "
				  "from 512 to 65536",
				  p->data_block_size);
	if (!pow2_between(p->hash_block_size, 512, 65536))
		return ns_err_set(err, EINVAL,
				  "verity hash block size %u is not a power of two "
				  "from 512 to 65536",
				  p->hash_block_size);
	if (p->salt_size > NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity salt of %u bytes is longer than %d",
				  p->salt_size, NS_VERITY_SALT_MAX);
	if (p->data_blocks == 0)
		return ns_err_set(err, EINVAL, "verity data area is empty");
	if (__builtin_mul_overflow(p->data_blocks, (uint64_t)p->data_block_size, &data_end) ||
	    data_end > image_size)
		return ns_err_set(err, EINVAL,
				  "verity data area (%" PRIu64 " blocks of %u bytes) exceeds the "
				  "image (%" PRIu64 " bytes)",
				  p->data_blocks, p->data_block_size, image_size);
	/* A single data block has no tree (its hash is the root): the hash area may then
	 * start at the image end, as it does in an NPK whose squashfs is 4 KiB. */
	if (__builtin_mul_overflow(p->hash_start_block, (uint64_t)p->hash_block_size,
				   &hash_start) ||
	    hash_start > image_size || (hash_start == image_size && p->data_blocks > 1))
		return ns_err_set(err, EINVAL,
				  "verity hash area (block %" PRIu64
				  " of %u bytes) starts past the "
				  "image end (%" PRIu64 " bytes)",
				  p->hash_start_block, p->hash_block_size, image_size);
	if (hash_start < data_end)
		return ns_err_set(err, EINVAL,
				  "verity hash area (byte %" PRIu64 ") starts inside the data area "
				  "(%" PRIu64 " bytes)",
				  hash_start, data_end);
	return 0;
}

int ns_verity_table(const struct ns_verity_params *p, dev_t dev, char *buf, size_t size,
		    struct ns_err *err)
{
	char root[2 * sizeof(p->root_hash) + 1];
	char salt[2 * NS_VERITY_SALT_MAX + 1] = "-"; /* dm's word for "no salt" */

	if (p->salt_size > NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity salt of %u bytes is too long", p->salt_size);
	ns_hex(p->root_hash, sizeof(p->root_hash), root);
	if (p->salt_size > 0)
		ns_hex(p->salt, p->salt_size, salt);
	int n = snprintf(buf, size, "1 %u:%u %u:%u %u %u %" PRIu64 " %" PRIu64 " sha256 %s %s",
			 major(dev), minor(dev), major(dev), minor(dev), p->data_block_size,
			 p->hash_block_size, p->data_blocks, p->hash_start_block, root, salt);
	if (n < 0 || (size_t)n >= size)
		return ns_err_set(err, ENAMETOOLONG, "verity table longer than %zu bytes", size);
	return 0;
}

/* devtmpfs makes /dev/dm-N as the device appears; without it we make our own node. */
static int verity_node(struct ns_blk_ctx *ctx, struct ns_dm_verity *v, struct ns_err *err)
{
	struct stat st;
	snprintf(v->node, sizeof(v->node), "/dev/dm-%u", minor(v->devno));
	if (stat(v->node, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == v->devno)
		return 0;
	snprintf(v->node, sizeof(v->node), "/dev/mapper/%s", v->name);
	return ns_blk_ensure_node(ctx, v->node, S_IFBLK, v->devno, true, &v->made_node, err);
}

int ns_dm_verity_create(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, dev_t dev,
			uint64_t image_size, const struct ns_verity_params *p,
			struct ns_dm_verity *ret, struct ns_err *err)
{
	char table[NS_VERITY_TABLE_MAX];
	struct ns_dm_verity v;

	memset(&v, 0, sizeof(v));
	int r = ns_verity_check_params(p, image_size, err);
	if (r == 0)
		r = ns_verity_table(p, dev, table, sizeof(table), err);
	if (r < 0)
		return r;
	if (strlen(name) >= sizeof(v.name))
		return ns_err_set(err, ENAMETOOLONG, "device-mapper name '%.40s...' is too long",
				  name);
	memcpy(v.name, name, strlen(name) + 1);
	r = ns_dm_create(ctx, dm, name, &v.devno, err);
	if (r < 0)
		return r;
	uint64_t sectors = p->data_blocks * p->data_block_size / 512;
	r = ns_dm_load_table(ctx, dm, name, "verity", sectors, table, true, err);
	if (r == 0)
		r = ns_dm_resume(ctx, dm, name, err);
	if (r == 0)
		r = verity_node(ctx, &v, err);
	if (r < 0) {
		struct ns_err ignored;
		(void)ns_dm_verity_destroy(ctx, dm, &v, &ignored);
		return r;
	}
	*ret = v;
	return 0;
}

int ns_dm_verity_destroy(struct ns_blk_ctx *ctx, struct ns_dm *dm, struct ns_dm_verity *v,
			 struct ns_err *err)
{
	/* A node left by a failed unlink is replaced by the next create of this name. */
	if (v->made_node)
		(void)unlink(v->node);
	v->made_node = false;
	return ns_dm_remove(ctx, dm, v->name, false, err);
}

int ns_dm_verity_state(struct ns_blk_ctx *ctx, const char *name, char *ret_state,
		       struct ns_err *err)
{
	struct ns_dm dm;
	char status[256];
	int r = ns_dm_open(ctx, &dm, err);
	if (r < 0)
		return r;
	r = ns_dm_status(ctx, &dm, name, status, sizeof(status), err);
	ns_dm_close(&dm);
	if (r < 0)
		return r;
	if (status[0] != 'V' && status[0] != 'C')
		return ns_err_set(err, EPROTO, "'%s': unexpected verity status '%s'", name, status);
	*ret_state = status[0];
	return 0;
}
