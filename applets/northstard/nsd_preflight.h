/* `northstard --check` (preflight.c): the configuration and every rule start-up
 * applies, one line per check, without starting anything. */
#ifndef NSD_PREFLIGHT_H
#define NSD_PREFLIGHT_H

#include <stdbool.h>

/* Prints the findings on stdout; returns the exit status: 0 when nothing failed. */
int nsd_check(const char *config, bool no_mount_ns);

#endif
