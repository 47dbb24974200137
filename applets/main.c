/* northstar: one static binary holding every applet, busybox style.
 *
 * usage: northstar [--list | --help | --version]
 *        northstar APPLET [ARGS...]
 *        APPLET [ARGS...]          (through a link named after the applet)
 *        init [-c FILE]            (the initramfs' /init; also northstard, northstar
 *                                  alone or any other name started as PID 1):
 *                                  northstard in PID-1 mode, applets/northstard/init.c
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applet.h"
#include "libns/path.h"
#include "libns/util.h"

/* Sorted by name: looked up with bsearch. */
static const struct applet applets[] = {
    {"northstard", northstard_main, "the container runtime daemon"},
    {"ns-init", ns_init_main, "PID 1 inside each container"},
    {"nstar", nstar_main, "command-line client for the runtime console"},
    {"sextant", sextant_main, "pack, unpack, inspect, verify NPKs; generate keys"},
};

static const char usage[] =
    "usage: northstar [--list | --help | --version]\n"
    "       northstar APPLET [ARGS...]\n"
    "\n"
    "One binary, several applets. Call an applet through a link named after it, or\n"
    "name it as the first argument. Every applet takes --help and --version.\n";

static int cmp_applet(const void *key, const void *elem)
{
	return strcmp(key, ((const struct applet *)elem)->name);
}

static const struct applet *find_applet(const char *name)
{
	return bsearch(name, applets, ARRAY_SIZE(applets), sizeof(applets[0]), cmp_applet);
}

bool applet_std_options(int argc, char **argv, const char *name, const char *text)
{
	if (argc < 2)
		return false;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(text, stdout);
		return true;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s (northstar) %s, Northstar %s compatible\n", name, NS_VERSION,
		       NS_COMPAT_VERSION);
		return true;
	}
	return false;
}

int applet_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", name);
	return EXIT_USAGE;
}

static void list_applets(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++)
		fprintf(out, "%-11s %s\n", applets[i].name, applets[i].summary);
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? ns_basename(argv[0]) : "northstar";
	const struct applet *a = find_applet(self);
	/* The initramfs' /init, or the daemon the kernel started as PID 1 (rdinit=): the
	 * daemon in PID-1 mode. The other applets keep their meaning as PID 1 (ns-init in
	 * a container, a client as a container engine's first process). */
	bool pid1 = getpid() == 1 && ((a && a->main == northstard_main) ||
				      (!a && (strcmp(self, "northstar") != 0 || argc < 2)));
	if (!strcmp(self, "init") || pid1)
		return northstard_init_main(argc, argv);
	if (a)
		return a->main(argc, argv);

	if (strcmp(self, "northstar") != 0 && argc > 0) {
		fprintf(stderr, "northstar: unknown applet '%s' (see 'northstar --list')\n", self);
		return EXIT_USAGE;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--list")) {
		list_applets(stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		fputs("\nApplets:\n", stdout);
		list_applets(stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("northstar %s, Northstar %s compatible\n", NS_VERSION, NS_COMPAT_VERSION);
		return EXIT_SUCCESS;
	}
	a = find_applet(argv[1]);
	if (!a) {
		fprintf(stderr, "northstar: unknown applet '%s' (see 'northstar --list')\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return a->main(argc - 1, argv + 1);
}
