/* Process introspection printers (procinfo.h). Everything is read at the moment of the
 * call, so the output shows the setup the runtime made: ids, scheduling, capabilities,
 * fds, mounts and limits. */
#include "procinfo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "libns/libc_compat.h"

static void print_link(const char *key, const char *path)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		printf("%s: <%s>\n", key, strerror(errno));
	else
		printf("%s: %.*s\n", key, (int)n, target);
}

void pi_print_ids(void)
{
	printf("getpid: %d\n", getpid());
	printf("getppid: %d\n", getppid());
	printf("getuid: %u\n", getuid());
	printf("getgid: %u\n", getgid());
	printf("getsid: %d\n", getsid(0));
	printf("getpgid: %d\n", getpgid(0));
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	printf("getgroups: [");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? ", " : "", groups[i]);
	printf("]\n");
	char cwd[PATH_MAX];
	printf("pwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
	print_link("exe", "/proc/self/exe");
}

void pi_print_sched(void)
{
	int priority = 0, policy = ns_sched_getscheduler(&priority); /* musl's wrappers: ENOSYS */
	if (policy >= 0)
		policy &= ~SCHED_RESET_ON_FORK; /* a flag, not part of the policy */
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, 0);
	printf("sched_getscheduler: %d\n", policy);
	printf("sched_priority: %d\n", priority);
	printf("getpriority: %d\n", prio);
}

/* One capability mask as {CAP_X, ...}, named by libcap. */
static void print_cap_set(const char *set, uint64_t mask)
{
	printf("caps %s: {", set);
	bool first = true;
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (UINT64_C(1) << bit)))
			continue;
		char *name = cap_to_name((cap_value_t)bit);
		printf("%s", first ? "" : ", ");
		for (const char *c = name ? name : "?"; *c; c++)
			putchar(toupper((unsigned char)*c));
		cap_free(name);
		first = false;
	}
	printf("}\n");
}

void pi_print_caps(void)
{
	/* /proc/self/status has all five sets, the ambient one included, in one read. */
	static const struct {
		const char *set, *key;
	} sets[] = {{"ambient", "CapAmb:"},
		    {"bounding", "CapBnd:"},
		    {"effective", "CapEff:"},
		    {"inheritable", "CapInh:"},
		    {"permitted", "CapPrm:"}};
	uint64_t masks[5] = {0};
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		for (size_t i = 0; i < 5; i++)
			if (!strncmp(line, sets[i].key, strlen(sets[i].key)))
				masks[i] = strtoull(line + strlen(sets[i].key), NULL, 16);
	if (f)
		fclose(f);
	for (size_t i = 0; i < 5; i++)
		print_cap_set(sets[i].set, masks[i]);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void pi_print_fds(void)
{
	printf("/proc/self/fd:\n");
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		printf("    <%s>\n", strerror(errno));
		return;
	}
	int fds[1024], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 1024) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d)) /* the listing's own fd is not the container's */
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(fds[0]), cmp_int);
	for (int i = 0; i < n; i++) {
		char path[64], key[80];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		snprintf(key, sizeof(key), "    %s", path);
		print_link(key, path);
	}
	printf("    total: %d\n", n);
}

void pi_dump_file(const char *path)
{
	printf("\"%s\":\n", path);
	FILE *f = fopen(path, "re");
	if (!f) {
		printf("<%s>\n", strerror(errno));
		return;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	fflush(stdout);
}
