/* cJSON helpers for exact integers: cJSON stores numbers as doubles, so integers
 * are emitted as raw decimal text and read back with range checks that refuse
 * fractions and anything from 2^53 on (where doubles stop being exact). */
#ifndef NS_JSON_H
#define NS_JSON_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define NS_JSON_MAX_EXACT (UINT64_C(1) << 53)

cJSON *ns_json_u64(uint64_t v);
cJSON *ns_json_i64(int64_t v);
bool ns_json_add_u64(cJSON *obj, const char *key, uint64_t v);
bool ns_json_add_i64(cJSON *obj, const char *key, int64_t v);

/* 0 when item is an integral number in [0, max] (and < 2^53); -EINVAL otherwise,
 * -ERANGE when out of range. */
int ns_json_get_u64(const cJSON *item, uint64_t max, uint64_t *out);
int ns_json_get_i64(const cJSON *item, int64_t min, int64_t max, int64_t *out);

#endif
