#include <errno.h>
#include <stdlib.h>

#include "libns/json.h"
#include "testlib.h"

static int test_emit_exact(void)
{
	cJSON *o = cJSON_CreateObject();
	CHECK(ns_json_add_u64(o, "big", UINT64_MAX));
	CHECK(ns_json_add_i64(o, "neg", INT64_MIN));
	char *s = cJSON_PrintUnformatted(o);
	CHECK_STR(s, "{\"big\":18446744073709551615,\"neg\":-9223372036854775808}");
	free(s);
	cJSON_Delete(o);
	return 0;
}

static int test_read_checked(void)
{
	cJSON *o =
	    cJSON_Parse("{\"a\":42,\"f\":1.5,\"huge\":1e300,\"n\":-1,\"lim\":9007199254740993,"
			"\"s\":\"7\"}");
	CHECK(o);
	uint64_t u;
	int64_t i;
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "a"), 100, &u), 0);
	CHECK_INT(u, 42);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "a"), 41, &u), -ERANGE);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "f"), UINT64_MAX, &u), -EINVAL);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "huge"), UINT64_MAX, &u), -ERANGE);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "n"), UINT64_MAX, &u), -ERANGE);
	CHECK_INT(ns_json_get_i64(cJSON_GetObjectItem(o, "n"), -5, 5, &i), 0);
	CHECK_INT(i, -1);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "lim"), UINT64_MAX, &u), -ERANGE);
	CHECK_INT(ns_json_get_u64(cJSON_GetObjectItem(o, "s"), UINT64_MAX, &u), -EINVAL);
	CHECK_INT(ns_json_get_u64(NULL, UINT64_MAX, &u), -EINVAL);
	cJSON_Delete(o);
	return 0;
}

NS_TEST_MAIN(T(test_emit_exact), T(test_read_checked))
