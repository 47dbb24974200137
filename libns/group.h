/* /etc/group read directly: static glibc has no NSS, and the runtime must resolve
 * supplementary group names the same way on every image. */
#ifndef NS_GROUP_H
#define NS_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* One line "name:password:gid[:members]" without its newline. On success sets the
 * name (not NUL-terminated) and gid. Fails with -EINVAL for a malformed line: an empty
 * name, fewer than three fields, a gid that is not plain decimal or is above
 * 4294967294, a NUL byte, or a NIS "+"/"-" entry; comments and blank lines are
 * malformed too, which the lookup skips the same way. */
int ns_group_parse_line(const char *line, size_t len, const char **name, size_t *name_len,
			uint32_t *gid);

/* Looks name up in the text of a group file: the first well-formed line with that
 * name wins, malformed lines are skipped. Returns 1 (found), 0 (absent). */
int ns_group_find(const char *text, size_t len, const char *name, uint32_t *gid);

#endif
