/* mksqfs: a command line around the native squashfs writer, for tests and the
 * benchmark.
 *
 * usage: mksqfs [options] SRC|- OUT
 *   -c gzip|none   compression (default gzip)
 *   -b BYTES       block size (default 131072)
 *   -u UID -g GID  force every inode's owner
 *   -t SECONDS     mtime of every inode (default: $SOURCE_DATE_EPOCH, else 0)
 *   -F             no fragments          -X  ignore the source's xattrs
 *   -E             write the export table -j N  compression threads
 *   -O OFFSET      write into OUT at OFFSET with ns_sqfs_write (no temporary file)
 *   -x SPEC        an extra entry, repeatable: d,PATH,MODE,UID,GID[,LABEL]
 *                  c,PATH,MODE,UID,GID,MAJOR,MINOR[,LABEL]  s,PATH,MODE,UID,GID,TARGET[,LABEL]
 * SRC "-" packs an empty root. Prints "size BYTES" on success. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libns/squashfs.h"

static int usage(void)
{
	fprintf(stderr, "usage: mksqfs [-c gzip|none] [-b BYTES] [-u UID -g GID] [-t SECONDS] "
			"[-F] [-X] [-E] [-j N] [-O OFFSET] [-x SPEC]... SRC|- OUT\n");
	return 2;
}

/* Splits SPEC at commas; the label, last, may hold commas-free colons. */
static int parse_extra(char *spec, struct ns_fsx *x)
{
	char *f[8] = {0};
	int n = 0;
	for (char *s = spec; n < 8; n++) {
		f[n] = s;
		char *c = strchr(s, ',');
		if (!c) {
			n++;
			break;
		}
		*c = '\0';
		s = c + 1;
	}
	if (n < 5)
		return -1;
	memset(x, 0, sizeof(*x));
	x->path = f[1];
	x->mode = (uint32_t)strtoul(f[2], NULL, 8);
	x->uid = (uint32_t)strtoul(f[3], NULL, 10);
	x->gid = (uint32_t)strtoul(f[4], NULL, 10);
	int label = 5;
	if (strcmp(f[0], "d") == 0) {
		x->type = NS_FSX_DIR;
	} else if (strcmp(f[0], "c") == 0 && n >= 7) {
		x->type = NS_FSX_CHR;
		x->major = (uint32_t)strtoul(f[5], NULL, 10);
		x->minor = (uint32_t)strtoul(f[6], NULL, 10);
		label = 7;
	} else if (strcmp(f[0], "s") == 0 && n >= 6) {
		x->type = NS_FSX_SYMLINK;
		x->target = f[5];
		label = 6;
	} else {
		return -1;
	}
	x->selinux = label < n ? f[label] : NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct ns_sqfs_opts o;
	ns_sqfs_opts_init(&o);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	o.mtime = sde ? (uint32_t)strtoul(sde, NULL, 10) : 0;
	struct ns_fsx items[64];
	struct ns_fsx_list extras = {items, 0};
	long long offset = -1;
	int opt;
	while ((opt = getopt(argc, argv, "c:b:u:g:t:FXEj:O:x:")) != -1) {
		switch (opt) {
		case 'c':
			if (strcmp(optarg, "gzip") && strcmp(optarg, "none"))
				return usage();
			o.comp = strcmp(optarg, "gzip") == 0 ? NS_SQFS_GZIP : NS_SQFS_NONE;
			break;
		case 'b':
			o.block_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'u':
			o.force_ids = true;
			o.uid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o.force_ids = true;
			o.gid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.mtime = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'F':
			o.no_fragments = true;
			break;
		case 'X':
			o.no_xattrs = true;
			break;
		case 'E':
			o.exports = true;
			break;
		case 'j':
			o.threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'O':
			offset = strtoll(optarg, NULL, 10);
			break;
		case 'x':
			if (extras.n == 64 || parse_extra(optarg, &items[extras.n]) < 0)
				return usage();
			extras.n++;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2)
		return usage();
	const char *src = strcmp(argv[optind], "-") == 0 ? NULL : argv[optind];
	const char *out = argv[optind + 1];
	struct ns_err err = {0};
	uint64_t size = 0;
	int r;
	if (offset >= 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || lseek(fd, offset, SEEK_SET) < 0) {
			fprintf(stderr, "mksqfs: %s: %s\n", out, strerror(errno));
			return 1;
		}
		r = ns_sqfs_write(src, &extras, &o, fd, &size, &err);
		close(fd);
	} else {
		r = ns_sqfs_write_file(src, &extras, &o, out, &size, &err);
	}
	if (r < 0) {
		fprintf(stderr, "mksqfs: %s\n", err.msg);
		return 1;
	}
	printf("size %llu\n", (unsigned long long)size);
	return 0;
}
