/* inspect: shows what a process inside a container sees of its environment: ids,
 * mounts, environment, fds, capabilities, namespaces, network devices, the other
 * processes and the limits. Run it beside the same program on the host to see what the
 * runtime isolates. It then waits to be stopped. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples/common/example.h"
#include "examples/common/procinfo.h"

static void print_environ(void)
{
	printf("environ:\n");
	FILE *f = fopen("/proc/self/environ", "re");
	char *entry = NULL;
	size_t cap = 0;
	while (f && getdelim(&entry, &cap, '\0', f) > 0)
		printf("    %s\n", entry);
	free(entry);
	if (f)
		fclose(f);
}

static void print_namespaces(void)
{
	static const char *const ns[] = {"cgroup", "ipc",  "mnt",  "net",
					 "pid",	   "time", "user", "uts"};
	printf("namespaces:\n");
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		char path[64], target[128];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			printf("    %s: <%s>\n", ns[i], strerror(errno));
		else
			printf("    %s: %.*s\n", ns[i], (int)n, target);
	}
}

/* pid and command line of every process this pid namespace shows. */
static void print_processes(void)
{
	printf("processes:\n");
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[PATH_MAX], cmd[256] = "";
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i + 1 < n; i++) /* arguments are NUL separated */
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		cmd[n] = '\0';
		printf("    %s: %s\n", e->d_name, cmd);
	}
	if (d)
		closedir(d);
}

int main(void)
{
	ex_line_buffered();
	pi_print_ids();
	pi_dump_file("/proc/self/mounts");
	print_environ();
	pi_print_fds();
	pi_print_caps();
	print_namespaces();
	pi_dump_file("/proc/net/dev");
	print_processes();
	pi_dump_file("/proc/self/limits");
	fflush(stdout);
	for (;;)
		pause();
}
