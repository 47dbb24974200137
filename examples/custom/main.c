/* custom: reads its own manifest back from the runtime. The manifest's "custom"
 * section carries any data a container wants to ship (here properties.hello); a
 * container with the inspect permission gets it through the console. */
#include <stdio.h>

#include "examples/common/client.h"
#include "examples/common/example.h"

static void die(const struct ns_err *err)
{
	ex_die("custom", "%s", err->msg);
}

int main(void)
{
	ex_line_buffered();
	struct ex_client c;
	struct ns_err err;
	if (ex_client_connect(&c, false, &err) < 0)
		die(&err);
	struct ns_container_id me;
	if (ex_client_ident(&c, &me, &err) < 0)
		die(&err);
	struct ns_console_request req = {.kind = NS_REQ_INSPECT,
					 .container = ns_console_id_of(&me)};
	struct ns_console_frame f;
	if (ex_client_call(&c, &req, &f, &err) < 0)
		die(&err);
	if (f.response.kind != NS_RESP_INSPECT || !f.response.result.ok)
		ex_die("custom", "inspect of %s failed", me.name);
	const cJSON *custom = cJSON_GetObjectItemCaseSensitive(f.response.data.manifest, "custom");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(custom, "properties");
	const cJSON *hello = cJSON_GetObjectItemCaseSensitive(props, "hello");
	if (!cJSON_IsString(hello))
		ex_die("custom", "the manifest has no custom.properties.hello string");
	printf("hello %s\n", hello->valuestring);
	ns_console_frame_free(&f);
	ex_client_close(&c);
	return 0;
}
