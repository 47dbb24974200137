/* dm-verity hash trees (format 1: sha256 over salt || block) and their superblock,
 * laid out as veritysetup writes them: superblock, then the levels top first. */
#include "verity.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "io.h"
#include "sha256.h"
#include "util.h"

#define BS		      NS_VERITY_BLOCK_SIZE
#define DS		      NS_VERITY_DIGEST_SIZE
#define DIGESTS_PER_BLOCK     (BS / DS)
#define CHUNK_BLOCKS	      64 /* blocks per read: 256 KiB */
#define MIN_BLOCKS_PER_WORKER 256
#define MAX_WORKERS	      16
#define ULL(x)		      ((unsigned long long)(x))

static const char sb_magic[8] = {'v', 'e', 'r', 'i', 't', 'y', 0, 0};

/* --- superblock -------------------------------------------------------------- */

void ns_verity_sb_init(struct ns_verity_sb *sb, uint64_t data_blocks, const uint8_t *salt,
		       size_t salt_size, const uint8_t uuid[16])
{
	memset(sb, 0, sizeof(*sb));
	sb->version = 1;
	sb->hash_type = 1;
	memcpy(sb->uuid, uuid, 16);
	strcpy(sb->algorithm, "sha256");
	sb->data_block_size = BS;
	sb->hash_block_size = BS;
	sb->data_blocks = data_blocks;
	sb->salt_size = (uint16_t)(salt_size > NS_VERITY_SALT_MAX ? NS_VERITY_SALT_MAX : salt_size);
	memcpy(sb->salt, salt, sb->salt_size);
}

void ns_verity_sb_encode(const struct ns_verity_sb *sb, uint8_t out[NS_VERITY_SB_SIZE])
{
	memset(out, 0, NS_VERITY_SB_SIZE);
	memcpy(out, sb_magic, sizeof(sb_magic));
	ns_put_le32(out + 8, sb->version);
	ns_put_le32(out + 12, sb->hash_type);
	memcpy(out + 16, sb->uuid, 16);
	memcpy(out + 32, sb->algorithm, strnlen(sb->algorithm, 32));
	ns_put_le32(out + 64, sb->data_block_size);
	ns_put_le32(out + 68, sb->hash_block_size);
	ns_put_le64(out + 72, sb->data_blocks);
	ns_put_le16(out + 80, sb->salt_size);
	memcpy(out + 88, sb->salt, sb->salt_size);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* The superblock is not signed: every field the kernel table takes from it must be
 * checked, and salt_size bounds an array (Northstar panics on a large one). */
int ns_verity_sb_decode(const uint8_t *in, size_t len, uint64_t data_size, struct ns_verity_sb *sb,
			struct ns_err *err)
{
	memset(sb, 0, sizeof(*sb));
	if (len < 88 + NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity superblock: only %zu bytes", len);
	if (memcmp(in, sb_magic, sizeof(sb_magic)) != 0)
		return ns_err_set(err, EINVAL,
				  "verity superblock: bad magic (expected \"verity\")");
	sb->version = ns_le32(in + 8);
	sb->hash_type = ns_le32(in + 12);
	memcpy(sb->uuid, in + 16, 16);
	memcpy(sb->algorithm, in + 32, 32);
	sb->data_block_size = ns_le32(in + 64);
	sb->hash_block_size = ns_le32(in + 68);
	sb->data_blocks = ns_le64(in + 72);
	sb->salt_size = ns_le16(in + 80);
	if (sb->version != 1)
		return ns_err_set(err, EINVAL, "verity superblock: version %u, expected 1",
				  sb->version);
	if (sb->hash_type != 1)
		return ns_err_set(err, EINVAL,
				  "verity superblock: hash type %u, expected 1 (normal)",
				  sb->hash_type);
	if (strcmp(sb->algorithm, "sha256") != 0)
		return ns_err_set(err, EINVAL,
				  "verity superblock: algorithm '%.32s', expected sha256",
				  sb->algorithm);
	if (!all_zero(in + 38, 26))
		return ns_err_set(err, EINVAL,
				  "verity superblock: algorithm field has bytes after "
				  "'sha256'");
	if (sb->data_block_size != BS || sb->hash_block_size != BS)
		return ns_err_set(err, EINVAL,
				  "verity superblock: block sizes %u/%u, expected %u/%u",
				  sb->data_block_size, sb->hash_block_size, BS, BS);
	if (sb->salt_size > NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity superblock: salt size %u is above %d",
				  sb->salt_size, NS_VERITY_SALT_MAX);
	if (sb->data_blocks == 0 || sb->data_blocks > UINT64_MAX / BS ||
	    sb->data_blocks * BS != data_size)
		return ns_err_set(err, EINVAL,
				  "verity superblock: %llu data blocks of %u bytes, but the "
				  "signed data size is %llu bytes",
				  ULL(sb->data_blocks), BS, ULL(data_size));
	memcpy(sb->salt, in + 88, sb->salt_size);
	return 0;
}

void ns_verity_params_init(struct ns_verity_params *p, const struct ns_verity_sb *sb,
			   const uint8_t root[32])
{
	memset(p, 0, sizeof(*p));
	memcpy(p->root_hash, root, 32);
	memcpy(p->salt, sb->salt, sb->salt_size);
	p->salt_size = sb->salt_size;
	p->data_block_size = sb->data_block_size;
	p->hash_block_size = sb->hash_block_size;
	p->data_blocks = sb->data_blocks;
	p->hash_start_block = sb->data_blocks * sb->data_block_size / sb->hash_block_size + 1;
}

/* --- tree geometry ------------------------------------------------------------- */

struct geometry {
	unsigned levels;
	uint64_t blocks[NS_VERITY_LEVELS_MAX]; /* level 0 hashes the data blocks */
	uint64_t offset[NS_VERITY_LEVELS_MAX]; /* bytes from the tree start: top level first */
	uint64_t size;
};

static void geometry(uint64_t data_blocks, struct geometry *g)
{
	memset(g, 0, sizeof(*g));
	for (uint64_t n = data_blocks; n > 1 && g->levels < NS_VERITY_LEVELS_MAX;) {
		n = (n + DIGESTS_PER_BLOCK - 1) / DIGESTS_PER_BLOCK;
		g->blocks[g->levels++] = n;
	}
	for (unsigned i = g->levels; i-- > 0;) {
		g->offset[i] = g->size;
		g->size += g->blocks[i] * BS;
	}
}

uint64_t ns_verity_tree_size(uint64_t data_blocks)
{
	struct geometry g;
	geometry(data_blocks, &g);
	return g.size;
}

/* --- parallel hashing ---------------------------------------------------------- */

/* Hashes blocks [first, first + count) of a source (memory, or fd at off holding
 * src_len bytes; beyond that the source reads as zeros). Build mode stores digest i at
 * out + i * 32; check mode compares with expect + i * 32 and stops at the first
 * mismatch. */
struct hash_job {
	const uint8_t *mem;
	int fd;
	uint64_t off, src_len;
	const mbedtls_sha256_context *salted;
	uint64_t first, count;
	uint8_t *out;
	const uint8_t *expect;
	uint64_t bad; /* check mode: first mismatching block, UINT64_MAX if none */
	int error;    /* -errno of a failed read */
	uint64_t error_off;
};

static void hash_block(const mbedtls_sha256_context *salted, const uint8_t *block,
		       uint8_t digest[DS])
{
	mbedtls_sha256_context c = *salted; /* what mbedtls_sha256_clone does */
	ns_sha256_update(&c, block, BS);
	ns_sha256_finish(&c, digest);
}

static int load_chunk(struct hash_job *j, uint64_t b, uint64_t n, uint8_t *buf)
{
	uint64_t start = b * BS;
	uint64_t want = n * BS;
	if (start + want > j->src_len)
		want = j->src_len - start;
	ssize_t got = ns_pread_full(j->fd, buf, (size_t)want, j->off + start);
	if (got < 0 || (uint64_t)got != want) {
		j->error = got < 0 ? (int)got : -EIO;
		j->error_off = j->off + start + (got > 0 ? (uint64_t)got : 0);
		return -1;
	}
	memset(buf + want, 0, (size_t)(n * BS - want));
	return 0;
}

static void *hash_worker(void *arg)
{
	struct hash_job *j = arg;
	uint8_t *buf = j->mem ? NULL : malloc(CHUNK_BLOCKS * BS);
	if (!j->mem && !buf) {
		j->error = -ENOMEM;
		return NULL;
	}
	uint64_t end = j->first + j->count;
	for (uint64_t b = j->first; b < end && j->bad == UINT64_MAX;) {
		uint64_t n = end - b < CHUNK_BLOCKS ? end - b : CHUNK_BLOCKS;
		const uint8_t *src = j->mem ? j->mem + b * BS : buf;
		if (!j->mem && load_chunk(j, b, n, buf) < 0)
			break;
		for (uint64_t k = 0; k < n; k++) {
			uint8_t d[DS];
			hash_block(j->salted, src + k * BS, d);
			if (j->out) {
				memcpy(j->out + (b + k) * DS, d, DS);
			} else if (memcmp(j->expect + (b + k) * DS, d, DS) != 0) {
				j->bad = b + k;
				break;
			}
		}
		b += n;
	}
	free(buf);
	return NULL;
}

static unsigned worker_count(uint64_t blocks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t by_work = blocks / MIN_BLOCKS_PER_WORKER;
	uint64_t n = cpus < 1 ? 1 : (uint64_t)cpus;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	if (n > by_work)
		n = by_work;
	return n < 1 ? 1 : (unsigned)n;
}

/* Splits tmpl's block range over the workers and merges their results into tmpl. A
 * thread that cannot be created leaves its share to the calling thread. */
static void run_jobs(struct hash_job *tmpl)
{
	struct hash_job jobs[MAX_WORKERS];
	pthread_t tids[MAX_WORKERS];
	bool started[MAX_WORKERS] = {false};
	unsigned n = worker_count(tmpl->count);
	uint64_t per = tmpl->count / n, extra = tmpl->count % n, first = tmpl->first;
	for (unsigned i = 0; i < n; i++) {
		jobs[i] = *tmpl;
		jobs[i].first = first;
		jobs[i].count = per + (i < extra);
		jobs[i].bad = UINT64_MAX;
		jobs[i].error = 0;
		first += jobs[i].count;
	}
	for (unsigned i = 1; i < n; i++)
		started[i] = pthread_create(&tids[i], NULL, hash_worker, &jobs[i]) == 0;
	hash_worker(&jobs[0]);
	for (unsigned i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			hash_worker(&jobs[i]);
	}
	tmpl->bad = UINT64_MAX;
	tmpl->error = 0;
	for (unsigned i = 0; i < n; i++) { /* ranges ascend: the first hit is the lowest */
		if (jobs[i].error && !tmpl->error) {
			tmpl->error = jobs[i].error;
			tmpl->error_off = jobs[i].error_off;
		}
		if (jobs[i].bad != UINT64_MAX && tmpl->bad == UINT64_MAX)
			tmpl->bad = jobs[i].bad;
	}
}

static int job_error(const struct hash_job *j, struct ns_err *err)
{
	if (j->error == -ENOMEM)
		return ns_err_set(err, ENOMEM, "out of memory");
	if (j->error == -EIO)
		return ns_err_set(err, EIO, "data ends early at file offset %llu",
				  ULL(j->error_off));
	return ns_err_sys(err, -j->error, "read at file offset %llu", ULL(j->error_off));
}

static void salted_context(const uint8_t *salt, size_t salt_size, mbedtls_sha256_context *c)
{
	ns_sha256_start(c);
	ns_sha256_update(c, salt, salt_size);
}

/* --- build ---------------------------------------------------------------------- */

int ns_verity_build(int fd, uint64_t off, uint64_t len, const uint8_t *salt, size_t salt_size,
		    struct ns_verity_tree *t, struct ns_err *err)
{
	struct geometry g;
	mbedtls_sha256_context salted;

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return ns_err_set(err, EINVAL, "verity: no data to hash");
	if (salt_size > NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity: salt of %zu bytes is above %d", salt_size,
				  NS_VERITY_SALT_MAX);
	t->data_blocks = (len + BS - 1) / BS;
	geometry(t->data_blocks, &g);
	if (g.size > SIZE_MAX)
		return ns_err_set(err, EFBIG, "verity: hash tree too large");
	ns_autofree uint8_t *tree = calloc(1, g.size ? (size_t)g.size : 1);
	if (!tree)
		return ns_err_set(err, ENOMEM, "out of memory for a %llu-byte hash tree",
				  ULL(g.size));
	salted_context(salt, salt_size, &salted);

	struct hash_job j = {.fd = fd,
			     .off = off,
			     .src_len = len,
			     .salted = &salted,
			     .count = t->data_blocks,
			     .out = g.levels ? tree + g.offset[0] : t->root};
	run_jobs(&j);
	for (unsigned i = 1; !j.error && i < g.levels; i++) {
		j = (struct hash_job){.mem = tree + g.offset[i - 1],
				      .salted = &salted,
				      .count = g.blocks[i - 1],
				      .out = tree + g.offset[i]};
		run_jobs(&j);
	}
	if (j.error) {
		mbedtls_sha256_free(&salted);
		return job_error(&j, err);
	}
	if (g.levels)
		hash_block(&salted, tree + g.offset[g.levels - 1], t->root);
	mbedtls_sha256_free(&salted);
	t->size = (size_t)g.size;
	t->data = ns_steal_ptr(&tree);
	return 0;
}

void ns_verity_tree_free(struct ns_verity_tree *t)
{
	free(t->data);
	t->data = NULL;
	t->size = 0;
}

int ns_verity_format(int data_fd, uint64_t data_off, uint64_t data_len, int hash_fd,
		     uint64_t hash_off, const uint8_t *salt, size_t salt_size,
		     const uint8_t uuid[16], uint8_t root[32], struct ns_err *err)
{
	struct ns_verity_tree t;
	struct ns_verity_sb sb;
	uint8_t block[NS_VERITY_SB_SIZE];

	int r = ns_verity_build(data_fd, data_off, data_len, salt, salt_size, &t, err);
	if (r < 0)
		return r;
	ns_verity_sb_init(&sb, t.data_blocks, salt, salt_size, uuid);
	ns_verity_sb_encode(&sb, block);
	r = ns_pwrite_full(hash_fd, block, sizeof(block), hash_off);
	if (r == 0)
		r = ns_pwrite_full(hash_fd, t.data, t.size, hash_off + sizeof(block));
	if (r < 0) {
		ns_verity_tree_free(&t);
		return ns_err_sys(err, -r, "write verity hash area at offset %llu", ULL(hash_off));
	}
	memcpy(root, t.root, 32);
	ns_verity_tree_free(&t);
	return 0;
}

/* --- check ---------------------------------------------------------------------- */

static int check_params(const struct ns_verity_params *p, struct ns_err *err)
{
	if (p->data_block_size != BS || p->hash_block_size != BS)
		return ns_err_set(err, EINVAL,
				  "verity: block sizes %u/%u, only %u/%u are supported",
				  p->data_block_size, p->hash_block_size, BS, BS);
	if (p->data_blocks == 0 || p->data_blocks > UINT64_MAX / BS / 2)
		return ns_err_set(err, EINVAL, "verity: %llu data blocks", ULL(p->data_blocks));
	if (p->salt_size > NS_VERITY_SALT_MAX)
		return ns_err_set(err, EINVAL, "verity: salt size %u is above %d", p->salt_size,
				  NS_VERITY_SALT_MAX);
	if (p->hash_start_block < p->data_blocks + 1)
		return ns_err_set(err, EINVAL, "verity: hash area at block %llu overlaps the data",
				  ULL(p->hash_start_block));
	if (p->hash_start_block > UINT64_MAX / BS / 2)
		return ns_err_set(err, EINVAL, "verity: hash area at block %llu is out of range",
				  ULL(p->hash_start_block));
	return 0;
}

/* Levels from the top down: the top block against the root, then each level's blocks
 * against the digests of the (already trusted) level above. */
static int check_levels(const uint8_t *tree, const struct geometry *g, uint64_t tree_off,
			const mbedtls_sha256_context *salted, const uint8_t root[32],
			struct ns_err *err)
{
	uint8_t d[DS];
	unsigned top = g->levels - 1;
	hash_block(salted, tree + g->offset[top], d);
	if (memcmp(d, root, DS) != 0)
		return ns_err_set(err, EBADMSG,
				  "verity: hash block at level %u index 0 (file offset "
				  "%llu) does not match the root hash",
				  top, ULL(tree_off + g->offset[top]));
	for (unsigned i = top; i > 0; i--) {
		struct hash_job j = {.mem = tree + g->offset[i - 1],
				     .salted = salted,
				     .count = g->blocks[i - 1],
				     .expect = tree + g->offset[i]};
		run_jobs(&j);
		if (j.bad != UINT64_MAX)
			return ns_err_set(err, EBADMSG,
					  "verity: hash block at level %u index %llu "
					  "(file offset %llu) does not match its hash at level %u",
					  i - 1, ULL(j.bad),
					  ULL(tree_off + g->offset[i - 1] + j.bad * BS), i);
	}
	return 0;
}

static int check_data(int fd, uint64_t base, uint64_t data_blocks, const uint8_t *expect,
		      const mbedtls_sha256_context *salted, struct ns_err *err)
{
	struct hash_job j = {.fd = fd,
			     .off = base,
			     .src_len = data_blocks * BS,
			     .salted = salted,
			     .count = data_blocks,
			     .expect = expect};
	run_jobs(&j);
	if (j.error)
		return job_error(&j, err);
	if (j.bad != UINT64_MAX)
		return ns_err_set(err, EBADMSG,
				  "verity: data block %llu (file offset %llu) does not "
				  "match its hash%s",
				  ULL(j.bad), ULL(base + j.bad * BS),
				  data_blocks == 1 ? " (the root hash)" : " at level 0");
	return 0;
}

int ns_verity_check(int fd, uint64_t base, const struct ns_verity_params *p, struct ns_err *err)
{
	struct geometry g;
	mbedtls_sha256_context salted;
	int r = check_params(p, err);
	if (r < 0)
		return r;
	geometry(p->data_blocks, &g);
	uint64_t tree_off = base + p->hash_start_block * BS;
	ns_autofree uint8_t *tree = malloc(g.size ? (size_t)g.size : 1);
	if (!tree)
		return ns_err_set(err, ENOMEM, "out of memory for a %llu-byte hash tree",
				  ULL(g.size));
	ssize_t got = ns_pread_full(fd, tree, (size_t)g.size, tree_off);
	if (got < 0)
		return ns_err_sys(err, (int)-got, "read verity hash tree at file offset %llu",
				  ULL(tree_off));
	if ((uint64_t)got != g.size)
		return ns_err_set(err, EBADMSG,
				  "verity: hash tree at file offset %llu is cut short "
				  "(%zd of %llu bytes)",
				  ULL(tree_off), got, ULL(g.size));
	salted_context(p->salt, p->salt_size, &salted);
	if (g.levels)
		r = check_levels(tree, &g, tree_off, &salted, p->root_hash, err);
	if (r >= 0)
		r = check_data(fd, base, p->data_blocks,
			       g.levels ? tree + g.offset[0] : p->root_hash, &salted, err);
	mbedtls_sha256_free(&salted);
	return r;
}
