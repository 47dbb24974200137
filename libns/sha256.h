/* SHA-256 on mbedtls, across its 2.x ("_ret") and 3.x names. */
#ifndef NS_SHA256_H
#define NS_SHA256_H

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <stddef.h>
#include <stdint.h>

#include "hex.h"

#define NS_SHA256_SIZE 32

#if MBEDTLS_VERSION_MAJOR >= 3
#define ns_mbedtls_sha256_starts mbedtls_sha256_starts
#define ns_mbedtls_sha256_update mbedtls_sha256_update
#define ns_mbedtls_sha256_finish mbedtls_sha256_finish
#define ns_mbedtls_sha256	 mbedtls_sha256
#else
#define ns_mbedtls_sha256_starts mbedtls_sha256_starts_ret
#define ns_mbedtls_sha256_update mbedtls_sha256_update_ret
#define ns_mbedtls_sha256_finish mbedtls_sha256_finish_ret
#define ns_mbedtls_sha256	 mbedtls_sha256_ret
#endif

/* The software implementation cannot fail; the return codes exist for hardware ports. */
static inline void ns_sha256(const void *data, size_t len, uint8_t out[NS_SHA256_SIZE])
{
	(void)ns_mbedtls_sha256((const unsigned char *)data, len, out, 0);
}

static inline void ns_sha256_start(mbedtls_sha256_context *c)
{
	mbedtls_sha256_init(c);
	(void)ns_mbedtls_sha256_starts(c, 0);
}

static inline void ns_sha256_update(mbedtls_sha256_context *c, const void *data, size_t len)
{
	(void)ns_mbedtls_sha256_update(c, (const unsigned char *)data, len);
}

static inline void ns_sha256_finish(mbedtls_sha256_context *c, uint8_t out[NS_SHA256_SIZE])
{
	(void)ns_mbedtls_sha256_finish(c, out);
	mbedtls_sha256_free(c);
}

#endif
