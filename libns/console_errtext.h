/* The console's runtime errors (model::Error, struct ns_console_error) as sentences for
 * people: what happened, with the container's id, and what to do about it. nstar prints
 * them after "Error: "; northstard writes them to its log. The wire form is untouched:
 * this is only the text. Pure, unit-tested in tests/unit/test_console_errtext.c. */
#ifndef NS_CONSOLE_ERRTEXT_H
#define NS_CONSOLE_ERRTEXT_H

#include <stddef.h>

#include "console_msg.h"

/* Renders e into buf (cut to size, always terminated) and returns buf. Every variant
 * names what it is about (container, resource, repository) and ends with a hint, e.g.
 * "hello-world:0.0.1 is not started; nothing to stop (`nstar list` shows what runs)". */
char *ns_console_errtext(const struct ns_console_error *e, char *buf, size_t size);

#endif
