/* a * b / c in 64-bit arithmetic for every target: armhf and other 32-bit ABIs have no
 * 128-bit integer type, so the product is kept as two 64-bit halves. */
#ifndef NS_MULDIV_H
#define NS_MULDIV_H

#include <stdbool.h>
#include <stdint.h>

/* *out = a * b / c, rounded down (or up with round_up). 0, -EINVAL when c is 0, or
 * -ERANGE when the quotient does not fit in 64 bits. */
int ns_muldiv64(uint64_t a, uint64_t b, uint64_t c, bool round_up, uint64_t *out);

#endif
