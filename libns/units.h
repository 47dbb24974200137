/* Byte sizes and durations as Northstar's configuration writes them. */
#ifndef NS_UNITS_H
#define NS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Sizes: "100", "100kB", "20M", "1 GiB", "1.5MiB" (fractions only with allow_fraction).
 * Units (case-insensitive): b, k/kb (10^3), ki/kib (2^10), m/mb, mi/mib, ... up to e/eib.
 * Returns 0, -EINVAL for bad syntax or -ERANGE on overflow. */
int ns_parse_size(const char *s, int allow_fraction, uint64_t *out);

/* Durations, humantime syntax: "5s", "1m", "100ms", "1h 30m", "2days". Returns
 * nanoseconds. Units: ns, us, ms, s, m, h, d, w, M (months), y; long forms too. */
int ns_parse_duration(const char *s, uint64_t *out_ns);

/* humantime-style rendering, e.g. "1m 3s 12ms 4us 7ns"; "0s" for zero. */
void ns_format_duration(uint64_t ns, char *buf, size_t size);

#endif
