/* Text that nstar prints for notifications and inspect's JSON (runtime errors are
 * libns/console_errtext.h's). Pure functions into caller buffers or a FILE,
 * unit-tested in tests/unit/test_nstar.c. */
#ifndef NS_NSTAR_FORMAT_H
#define NS_NSTAR_FORMAT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "libns/console_msg.h"

/* The NS_CONTAINER_ID_STR_MAX-sized text of an id. */
char *nstar_id_str(const struct ns_console_id *id, char *buf, size_t size);

/* The line nstar notifications prints for n (without the newline). */
char *nstar_notification_text(const struct ns_console_notification *n, char *buf, size_t size);

/* Writes item as serde_json's pretty printer does: two-space indent, "key": value,
 * empty containers as {} and []. Numbers keep their exact source text when the tree
 * came from the strict parser. indent is the starting depth. */
void nstar_json_pretty(FILE *out, const cJSON *item, int indent);
/* A JSON string literal with serde_json's escapes. */
void nstar_json_string(FILE *out, const char *s);

#endif
