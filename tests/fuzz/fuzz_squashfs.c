/* libFuzzer target: the input describes a tree (types, names, sizes, contents,
 * devices, xattrs, hard links) and the writer's options. The tree is built in
 * memory, written to a memfd and read back by sqfs_check.h, which must find every
 * entry as described. The writer may refuse a tree (bad names), never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/sqfs_check.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES   400
#define MAX_CONTENT (512u * 1024)

struct build {
	struct sq_tree t;
	struct sq_node *dirs[MAX_NODES], *files[MAX_NODES], *last;
	size_t ndirs, nfiles, nnodes;
	uint8_t *arena;
	size_t used;
	ino_t next_ino;
};

static void fill(uint8_t *p, size_t len, unsigned how, struct in *in)
{
	uint32_t x = how * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		switch (how % 4) {
		case 0:
			p[i] = 0;
			break; /* sparse */
		case 1:
			p[i] = (uint8_t)("squashfs "[i % 9]);
			break; /* compressible */
		case 2:
			p[i] = in->n ? in->p[i % in->n] : 0;
			break;
		default:
			x = x * 1103515245u + 12345;
			p[i] = (uint8_t)(x >> 16); /* incompressible */
		}
	}
}

static void name_of(char *name, struct in *in)
{
	unsigned len = take(in);
	len = len == 255 ? 300 : len % 12 + 1; /* now and then too long */
	for (unsigned i = 0; i < len; i++) {
		unsigned c = take(in);
		name[i] = (char)(c == '/' || c == 0 ? 'a' + c % 26 : c);
	}
	name[len] = '\0';
}

static void add_file(struct build *b, struct sq_node *n, struct in *in)
{
	size_t sz = (size_t)take(in) << 8 | take(in);
	sz *= (take(in) % 4) + 1;
	if (sz > MAX_CONTENT - b->used)
		sz = MAX_CONTENT - b->used;
	uint8_t *p = b->arena + b->used;
	fill(p, sz, take(in), in);
	b->used += sz;
	n->mem = p;
	n->size = sz;
	b->files[b->nfiles++] = n;
}

/* One record: returns false when the input is used up or the tree is full. */
static bool add_record(struct build *b, struct in *in, struct ns_err *err)
{
	if (!in->n || b->nnodes >= MAX_NODES)
		return false;
	unsigned op = take(in) % 9;
	struct sq_node *parent = b->dirs[take(in) % b->ndirs];
	if (op == 8) { /* an xattr on the last node */
		char name[320] = "user.";
		name_of(name + 5, in);
		uint8_t val[16];
		size_t vlen = take(in) % sizeof(val);
		fill(val, vlen, 1, in);
		if (b->last)
			sq_node_set_xattr(b->last, name, val, vlen, err);
		return true;
	}
	if (op == 7 && !b->nfiles)
		op = 1;
	static const enum sq_itype types[] = {SQ_IT_DIR, SQ_IT_REG,  SQ_IT_SYMLINK, SQ_IT_CHR,
					      SQ_IT_BLK, SQ_IT_FIFO, SQ_IT_SOCK,    SQ_IT_REG};
	char name[320];
	name_of(name, in);
	struct sq_node *n = sq_node_new(parent, name, types[op], err);
	if (!n)
		return false;
	b->nnodes++;
	b->last = n;
	n->mode = (uint16_t)((take(in) << 4 | take(in)) & 07777);
	n->uid = take(in) % 4;
	n->gid = take(in) % 3;
	if (op == 0)
		b->dirs[b->ndirs++] = n;
	else if (op == 1)
		add_file(b, n, in);
	else if (op == 2)
		n->target = strdup(take(in) % 2 ? "../target" : "/a/much/longer/target/path");
	else if (op == 3 || op == 4)
		n->major = take(in) << 4, n->minor = take(in) << 12 | take(in);
	else if (op == 7) { /* a hard link to an earlier file */
		struct sq_node *f = b->files[take(in) % b->nfiles];
		if (!f->maybe_linked)
			f->maybe_linked = true, f->dev = 1, f->ino = ++b->next_ino;
		n->maybe_linked = true;
		n->dev = f->dev;
		n->ino = f->ino;
		n->mem = f->mem;
		n->size = f->size;
		n->mode = f->mode;
	}
	return true;
}

static void options_of(struct ns_sqfs_opts *o, struct in *in)
{
	unsigned f = take(in);
	static const uint32_t bs[] = {4096, 8192, 16384, 131072};
	ns_sqfs_opts_init(o);
	o->comp = f & 1 ? NS_SQFS_NONE : NS_SQFS_GZIP;
	o->no_fragments = f & 2;
	o->exports = f & 4;
	o->block_size = bs[(f >> 3) & 3];
	o->threads = f & 32 ? 2 : 1;
	o->force_ids = f & 64;
	o->uid = 7;
	o->gid = 9;
	o->mtime = 1234;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	struct ns_err err = {0};
	struct ns_sqfs_opts o;
	options_of(&o, &in);
	struct build *b = calloc(1, sizeof(*b));
	if (!b || sq_tree_init(&b->t, &err) < 0 || !(b->arena = malloc(MAX_CONTENT)))
		abort();
	b->dirs[b->ndirs++] = b->t.root;
	while (add_record(b, &in, &err))
		;
	int fd = memfd_create("sqfs", MFD_CLOEXEC);
	uint64_t img_size = 0;
	if (fd >= 0 && sq_tree_finish(&b->t, &o, &err) == 0 &&
	    sq_write_tree(&b->t, &o, fd, &img_size, &err) == 0) {
		uint8_t *img = mmap(NULL, img_size, PROT_READ, MAP_SHARED, fd, 0);
		struct sqck ck;
		if (img == MAP_FAILED || (off_t)img_size != lseek(fd, 0, SEEK_END))
			abort();
		if (sqck_run(&ck, img, img_size, &b->t) < 0) {
			fprintf(stderr, "image check failed: %s\n", ck.why);
			abort();
		}
		sqck_free(&ck);
		munmap(img, img_size);
	}
	if (fd >= 0)
		close(fd);
	sq_tree_free(&b->t);
	free(b->arena);
	free(b);
	return 0;
}
