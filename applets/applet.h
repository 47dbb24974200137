/* The applets of the northstar multicall binary. */
#ifndef NS_APPLET_H
#define NS_APPLET_H

#include <stdbool.h>

#define NS_VERSION "0.1.0"
/* Northstar release whose NPK format and console protocol we speak. */
#define NS_COMPAT_VERSION "0.9.3"

/* Exit statuses shared by every applet. */
enum { EXIT_USAGE = 2 };

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

int northstard_main(int argc, char **argv);
/* northstard's PID-1 mode: the binary as /init (applets/northstard/init.c). */
int northstard_init_main(int argc, char **argv);
int ns_init_main(int argc, char **argv);
int nstar_main(int argc, char **argv);
int sextant_main(int argc, char **argv);

/* Handles a lone --help/-h or --version/-V as argv[1]. Returns true when it printed
 * something and the applet should exit 0. */
bool applet_std_options(int argc, char **argv, const char *name, const char *usage);

/* Prints "name: <message>" and the usage hint to stderr; returns EXIT_USAGE. */
int applet_usage_error(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
