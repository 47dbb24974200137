#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

cJSON *ns_json_u64(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *ns_json_i64(int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

bool ns_json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
	cJSON *n = ns_json_u64(v);
	return n && cJSON_AddItemToObject(obj, key, n);
}

bool ns_json_add_i64(cJSON *obj, const char *key, int64_t v)
{
	cJSON *n = ns_json_i64(v);
	return n && cJSON_AddItemToObject(obj, key, n);
}

static int json_integral(const cJSON *item, double *out)
{
	if (!item || !cJSON_IsNumber(item))
		return -EINVAL;
	double d = item->valuedouble;
	if (!isfinite(d))
		return -ERANGE;
	if (d != floor(d))
		return -EINVAL;
	if (fabs(d) >= (double)NS_JSON_MAX_EXACT) /* 2^53 + 1 rounds to 2^53 */
		return -ERANGE;
	*out = d;
	return 0;
}

int ns_json_get_u64(const cJSON *item, uint64_t max, uint64_t *out)
{
	double d;
	int r = json_integral(item, &d);
	if (r < 0)
		return r;
	if (d < 0 || (uint64_t)d > max)
		return -ERANGE;
	*out = (uint64_t)d;
	return 0;
}

int ns_json_get_i64(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
	double d;
	int r = json_integral(item, &d);
	if (r < 0)
		return r;
	if ((int64_t)d < min || (int64_t)d > max)
		return -ERANGE;
	*out = (int64_t)d;
	return 0;
}
