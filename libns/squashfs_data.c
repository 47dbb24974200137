/* File data and fragment blocks. The main thread reads files block by block into a
 * ring of slots; a small pool of threads compresses them; the main thread writes
 * the results strictly in submission order, so the image does not depend on which
 * thread finished first. All-zero blocks are left out (sparse). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "squashfs_int.h"
#include "util.h"

enum slot_state { SLOT_FREE, SLOT_PENDING, SLOT_DONE };
enum job_kind { JOB_BLOCK, JOB_FRAG };

struct slot {
	uint8_t *in, *out;
	size_t len;
	int result; /* compressed size, 0 = store as is, < 0 = -errno */
	enum slot_state state;
	enum job_kind kind;
	bool first; /* the first stored block of its file: sets the file's start */
	struct sq_node *node;
	uint32_t index; /* block of node, or fragment number */
};

struct sq_data {
	struct sq_out *out;
	struct ns_sqfs_opts o;
	struct slot *slots;
	size_t nslots;
	uint64_t head, tail, next_pending; /* submitted, written, taken by a worker */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *threads;
	unsigned nthreads;
	bool stop;
	struct sq_comp inline_comp; /* used when there are no worker threads */
	uint8_t *frag_buf;
	size_t frag_fill;
	struct sq_frag_entry *frags;
	uint32_t nfrags, capfrags;
	char path[PATH_MAX];
};

struct worker_arg {
	struct sq_data *d;
	struct sq_comp comp;
};

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct sq_data *d = a->d;
	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->stop && d->next_pending == d->head)
			pthread_cond_wait(&d->work, &d->mu);
		if (d->next_pending == d->head)
			break;
		struct slot *s = &d->slots[d->next_pending++ % d->nslots];
		pthread_mutex_unlock(&d->mu);
		int r = sq_compress(&a->comp, s->in, s->len, s->out, s->len);
		pthread_mutex_lock(&d->mu);
		s->result = r;
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&d->done);
	}
	pthread_mutex_unlock(&d->mu);
	sq_comp_free(&a->comp);
	free(a);
	return NULL;
}

static int start_workers(struct sq_data *d, unsigned n, struct ns_err *err)
{
	if (!(d->threads = calloc(n, sizeof(*d->threads))))
		return ns_err_set(err, ENOMEM, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct worker_arg *a = calloc(1, sizeof(*a));
		if (!a)
			return ns_err_set(err, ENOMEM, "out of memory");
		a->d = d;
		if (sq_comp_init(&a->comp, d->o.comp, err) < 0) {
			free(a);
			return ns_err_ret(err);
		}
		int r = pthread_create(&d->threads[i], NULL, worker, a);
		if (r) {
			sq_comp_free(&a->comp);
			free(a);
			return ns_err_sys(err, r, "start a compression thread");
		}
		d->nthreads++;
	}
	return 0;
}

int sq_data_new(struct sq_data **ret, struct sq_out *out, const struct ns_sqfs_opts *o,
		struct ns_err *err)
{
	struct sq_data *d = calloc(1, sizeof(*d));
	if (!d)
		return ns_err_set(err, ENOMEM, "out of memory");
	d->out = out;
	d->o = *o;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->work, NULL);
	pthread_cond_init(&d->done, NULL);
	*ret = d;
	unsigned threads = o->threads;
	if (threads == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (unsigned)c : 1;
	}
	if (threads > 64)
		threads = 64;
	/* a deep ring keeps every thread busy past a slow block (results go out in
	 * order); bounded to about 64 MiB of buffers */
	d->nslots = threads > 1 ? 16 * (size_t)threads : 1;
	size_t cap = (64u << 20) / (2 * (size_t)o->block_size);
	if (threads > 1 && d->nslots > cap)
		d->nslots = cap > 2 * (size_t)threads + 1 ? cap : 2 * (size_t)threads + 1;
	d->slots = calloc(d->nslots, sizeof(*d->slots));
	d->frag_buf = malloc(o->block_size);
	if (!d->slots || !d->frag_buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nslots; i++) {
		d->slots[i].in = malloc(o->block_size);
		d->slots[i].out = malloc(o->block_size);
		if (!d->slots[i].in || !d->slots[i].out)
			return ns_err_set(err, ENOMEM, "out of memory");
	}
	if (sq_comp_init(&d->inline_comp, o->comp, err) < 0)
		return ns_err_ret(err);
	return threads > 1 ? start_workers(d, threads, err) : 0;
}

static void stop_workers(struct sq_data *d)
{
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	d->next_pending = d->head; /* abandon queued work */
	pthread_cond_broadcast(&d->work);
	pthread_mutex_unlock(&d->mu);
	for (unsigned i = 0; i < d->nthreads; i++)
		pthread_join(d->threads[i], NULL);
	d->nthreads = 0;
}

void sq_data_free(struct sq_data *d)
{
	if (!d)
		return;
	stop_workers(d);
	for (size_t i = 0; d->slots && i < d->nslots; i++) {
		free(d->slots[i].in);
		free(d->slots[i].out);
	}
	sq_comp_free(&d->inline_comp);
	free(d->slots);
	free(d->threads);
	free(d->frag_buf);
	free(d->frags);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->work);
	pthread_cond_destroy(&d->done);
	free(d);
}

/* Writes the oldest submitted slot once it is compressed. */
static int drain_one(struct sq_data *d, struct ns_err *err)
{
	struct slot *s = &d->slots[d->tail % d->nslots];
	pthread_mutex_lock(&d->mu);
	while (s->state != SLOT_DONE) {
		if (d->next_pending == d->head) {
			pthread_cond_wait(&d->done, &d->mu);
			continue;
		}
		/* rather than wait, compress a queued block here too */
		struct slot *job = &d->slots[d->next_pending++ % d->nslots];
		pthread_mutex_unlock(&d->mu);
		int r = sq_compress(&d->inline_comp, job->in, job->len, job->out, job->len);
		pthread_mutex_lock(&d->mu);
		job->result = r;
		job->state = SLOT_DONE;
	}
	pthread_mutex_unlock(&d->mu);
	if (s->result < 0)
		return ns_err_set(err, EIO, "zlib: compressing a data block failed");
	uint64_t at = d->out->pos;
	uint32_t size = s->result > 0 ? (uint32_t)s->result : (uint32_t)s->len | SQ_BLOCK_RAW;
	int r = sq_out_write(d->out, s->result > 0 ? s->out : s->in,
			     s->result > 0 ? (size_t)s->result : s->len, err);
	if (r < 0)
		return r;
	if (s->kind == JOB_FRAG) {
		d->frags[s->index] = (struct sq_frag_entry){at, size};
	} else {
		if (s->first)
			s->node->start = at;
		s->node->blocks[s->index] = size;
	}
	s->state = SLOT_FREE;
	d->tail++;
	return 0;
}

/* The next free slot, writing finished ones to make room. */
static struct slot *free_slot(struct sq_data *d, struct ns_err *err)
{
	if (d->head - d->tail == d->nslots && drain_one(d, err) < 0)
		return NULL;
	return &d->slots[d->head % d->nslots];
}

static int submit(struct sq_data *d, struct slot *s, struct ns_err *err)
{
	if (d->nthreads == 0) {
		s->result = sq_compress(&d->inline_comp, s->in, s->len, s->out, s->len);
		s->state = SLOT_DONE;
		d->head++;
		return drain_one(d, err);
	}
	pthread_mutex_lock(&d->mu);
	s->state = SLOT_PENDING;
	d->head++;
	pthread_cond_signal(&d->work);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static int submit_fragment(struct sq_data *d, struct ns_err *err)
{
	if (d->nfrags == d->capfrags) {
		uint32_t cap = d->capfrags ? d->capfrags * 2 : 64;
		struct sq_frag_entry *f = realloc(d->frags, cap * sizeof(*f));
		if (!f)
			return ns_err_set(err, ENOMEM, "out of memory");
		d->frags = f;
		d->capfrags = cap;
	}
	if (d->nfrags == UINT32_MAX - 1)
		return ns_err_set(err, EFBIG, "too many fragments for squashfs");
	struct slot *s = free_slot(d, err);
	if (!s)
		return ns_err_ret(err);
	memcpy(s->in, d->frag_buf, d->frag_fill);
	s->len = d->frag_fill;
	s->kind = JOB_FRAG;
	s->index = d->nfrags++;
	s->node = NULL;
	s->first = false;
	d->frag_fill = 0;
	return submit(d, s, err);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (v)
			return false;
	}
	for (; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Where one file's bytes come from. */
struct source {
	int fd;
	const uint8_t *mem;
	uint64_t off, size;
	const char *path;
};

static int source_read(struct source *s, uint8_t *buf, size_t len, struct ns_err *err)
{
	if (s->mem) {
		memcpy(buf, s->mem + s->off, len);
	} else {
		ssize_t n = ns_read_full(s->fd, buf, len);
		if (n < 0)
			return ns_err_sys(err, (int)-n, "read '%s'", s->path);
		if ((size_t)n != len)
			return ns_err_set(err, EAGAIN,
					  "'%s' shrank during packing (%llu bytes, "
					  "expected %llu)",
					  s->path, (unsigned long long)(s->off + (uint64_t)n),
					  (unsigned long long)s->size);
	}
	s->off += len;
	return 0;
}

static int add_blocks(struct sq_data *d, struct sq_node *n, struct source *src, uint64_t nblocks,
		      struct ns_err *err)
{
	bool first = true;
	for (uint64_t i = 0; i < nblocks; i++) {
		struct slot *s = free_slot(d, err);
		if (!s)
			return ns_err_ret(err);
		uint64_t left = n->size - src->off;
		s->len = left < d->o.block_size ? (size_t)left : d->o.block_size;
		if (source_read(src, s->in, s->len, err) < 0)
			return ns_err_ret(err);
		if (all_zero(s->in, s->len)) {
			n->blocks[i] = 0;
			n->sparse += s->len;
			continue;
		}
		s->kind = JOB_BLOCK;
		s->node = n;
		s->index = (uint32_t)i;
		s->first = first;
		first = false;
		int r = submit(d, s, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_tail(struct sq_data *d, struct sq_node *n, struct source *src, struct ns_err *err)
{
	size_t tail = (size_t)(n->size - src->off);
	if (d->frag_fill + tail > d->o.block_size && submit_fragment(d, err) < 0)
		return ns_err_ret(err);
	if (source_read(src, d->frag_buf + d->frag_fill, tail, err) < 0)
		return ns_err_ret(err);
	n->frag = d->nfrags;
	n->frag_off = (uint32_t)d->frag_fill;
	d->frag_fill += tail;
	return 0;
}

static int open_source(struct sq_data *d, struct sq_node *n, const char *src_dir, struct source *s,
		       struct ns_err *err)
{
	*s = (struct source){.fd = -1, .mem = n->mem, .size = n->size, .path = d->path};
	if (sq_node_path(n, src_dir, d->path, sizeof(d->path)) < 0)
		return ns_err_set(err, ENAMETOOLONG, "'%s...': path too long", d->path);
	if (n->mem || !src_dir)
		return 0;
	s->fd = open(d->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (s->fd < 0)
		return ns_err_sys(err, errno, "open '%s'", d->path);
	struct stat st;
	if (fstat(s->fd, &st) < 0)
		return ns_err_sys(err, errno, "stat '%s'", d->path);
	if (!S_ISREG(st.st_mode) || st.st_ino != n->ino || st.st_dev != n->dev)
		return ns_err_set(err, EAGAIN, "'%s' was replaced during packing", d->path);
	if ((uint64_t)st.st_size != n->size)
		return ns_err_set(err, EAGAIN,
				  "'%s' changed size during packing (%llu bytes, "
				  "then %llu)",
				  d->path, (unsigned long long)n->size,
				  (unsigned long long)st.st_size);
	(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/* After the expected size, the file must be at its end. */
static int check_eof(struct source *s, struct ns_err *err)
{
	uint8_t c;
	if (s->fd < 0)
		return 0;
	ssize_t r = ns_read_full(s->fd, &c, 1);
	if (r < 0)
		return ns_err_sys(err, (int)-r, "read '%s'", s->path);
	if (r > 0)
		return ns_err_set(err, EAGAIN, "'%s' grew during packing (beyond %llu bytes)",
				  s->path, (unsigned long long)s->size);
	return 0;
}

int sq_data_add(struct sq_data *d, struct sq_node *n, const char *src_dir, struct ns_err *err)
{
	uint64_t bs = d->o.block_size, full = n->size / bs, tail = n->size % bs;
	bool tail_in_frag = tail && !d->o.no_fragments;
	uint64_t nblocks = full + (tail && !tail_in_frag);
	if (nblocks > UINT32_MAX / 2)
		return ns_err_set(err, EFBIG, "a file of %llu bytes is too large",
				  (unsigned long long)n->size);
	n->start = 0;
	n->frag = SQ_NO_FRAG;
	n->frag_off = 0;
	free(n->blocks);
	if (!(n->blocks = calloc(nblocks + 1, sizeof(*n->blocks))))
		return ns_err_set(err, ENOMEM, "out of memory");
	struct source s;
	int r = open_source(d, n, src_dir, &s, err);
	if (r >= 0)
		r = add_blocks(d, n, &s, nblocks, err);
	if (r >= 0 && tail_in_frag)
		r = add_tail(d, n, &s, err);
	if (r >= 0)
		r = check_eof(&s, err);
	if (s.fd >= 0)
		close(s.fd);
	return r;
}

int sq_data_finish(struct sq_data *d, struct ns_err *err)
{
	if (d->frag_fill && submit_fragment(d, err) < 0)
		return ns_err_ret(err);
	while (d->tail < d->head)
		if (drain_one(d, err) < 0)
			return ns_err_ret(err);
	return 0;
}

const struct sq_frag_entry *sq_data_frags(const struct sq_data *d, uint32_t *ret_n)
{
	*ret_n = d->nfrags;
	return d->frags;
}
