/* Console responses, results and error variants: the spec's literal JSON round-trips
 * byte for byte, and the decoded fields are right. */
#include <errno.h>

#include "console_util.h"

#define HW "hello-world:0.0.1"

/* Spec §3.2, one line each (the inspect example joined into its wire form). */
static const char *const spec_responses[] = {
    "{\"response\":{\"permission_denied\":\"list\"}}",
    "{\"response\":{\"permission_denied\":{\"kill\":{\"container\":\"" HW "\",\"signal\":15}}}}",
    "{\"response\":{\"ident\":\"extern:0.0.0\"}}",
    "{\"response\":{\"list\":[\"" HW "\",\"cpueater:0.0.1\"]}}",
    "{\"response\":{\"repositories\":[\"default\",\"memory\"]}}",
    "{\"response\":\"shutdown\"}",
    "{\"response\":{\"start\":{\"ok\":{\"container\":\"" HW "\"}}}}",
    "{\"response\":{\"start\":{\"error\":{\"container\":\"" HW "\",\"error\":{"
    "\"start_container_started\":{\"container\":\"" HW "\"}}}}}}",
    "{\"response\":{\"kill\":{\"ok\":{\"container\":\"" HW "\"}}}}",
    "{\"response\":{\"kill\":{\"error\":{\"container\":\"" HW "\",\"error\":{\"unexpected\":{"
    "\"error\":\"EINVAL: Invalid argument\"}}}}}}",
    "{\"response\":{\"install\":{\"ok\":{\"container\":\"hello-ferris:0.0.1\"}}}}",
    "{\"response\":{\"install\":{\"error\":{\"error\":{\"install_duplicate\":{\"container\":"
    "\"hello-ferris:0.0.1\"}}}}}}",
    "{\"response\":{\"uninstall\":{\"ok\":{\"container\":\"" HW "\"}}}}",
    "{\"response\":{\"uninstall\":{\"error\":{\"container\":\"" HW "\",\"error\":{\"umount_busy\":"
    "{\"container\":\"" HW "\"}}}}}}",
    "{\"response\":{\"mount\":[{\"ok\":{\"container\":\"" HW "\"}},{\"error\":{\"container\":"
    "\"foo:1.0.0\",\"error\":{\"invalid_container\":{\"container\":\"foo:1.0.0\"}}}}]}}",
    "{\"response\":{\"umount\":[{\"error\":{\"container\":\"" HW "\",\"error\":{\"umount_busy\":{"
    "\"container\":\"" HW "\"}}}}]}}",
    "{\"response\":{\"mount\":[]}}",
    "{\"response\":{\"inspect\":{\"ok\":{\"container\":\"" HW "\",\"data\":{"
    "\"manifest\":{\"name\":\"hello-world\",\"version\":\"0.0.1\",\"init\":\"/hello-world\","
    "\"uid\":1000,\"gid\":1000,"
    "\"mounts\":{\"/dev\":{\"type\":\"dev\"},\"/proc\":{\"type\":\"proc\"},\"/lib\":{\"type\":"
    "\"bind\",\"host\":\"/lib\"},\"/lib64\":{\"type\":\"bind\",\"host\":\"/lib64\"}},"
    "\"io\":{\"stdout\":\"pipe\",\"stderr\":\"pipe\"}},"
    "\"repository\":\"default\",\"mounted\":true,"
    "\"process\":{\"pid\":97013,\"uptime\":5012345678,\"statistics\":{}}}}}}}",
    "{\"response\":{\"inspect\":{\"error\":{\"container\":\"nope:0.0.1\",\"error\":{"
    "\"invalid_container\":{\"container\":\"nope:0.0.1\"}}}}}}",
    "{\"response\":{\"token\":\"AAAAAAAAAAUAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==\"}}",
    "{\"response\":{\"token_verification\":\"Ok\"}}",
    "{\"response\":{\"token_verification\":\"Invalid\"}}",
    "{\"response\":{\"token_verification\":\"Expired\"}}",
    "{\"response\":{\"token_verification\":\"Future\"}}",
};

/* Spec §3.5: every error variant. */
static const char *const spec_errors[] = {
    "{\"configuration\":{\"context\":\"...\"}}",
    "{\"duplicate_container\":{\"container\":\"a:1.0.0\"}}",
    "{\"invalid_container\":{\"container\":\"a:1.0.0\"}}",
    "{\"invalid_arguments\":{\"cause\":\"...\"}}",
    "{\"mount_busy\":{\"container\":\"a:1.0.0\"}}",
    "{\"umount_busy\":{\"container\":\"a:1.0.0\"}}",
    "{\"start_container_started\":{\"container\":\"a:1.0.0\"}}",
    "{\"start_container_resource\":{\"container\":\"a:1.0.0\"}}",
    "{\"start_container_missing_resource\":{\"container\":\"a:1.0.0\",\"resource\":\"libs\","
    "\"version\":\"^1.0\"}}",
    "{\"start_container_failed\":{\"container\":\"a:1.0.0\",\"error\":\"...\"}}",
    "{\"stop_container_not_started\":{\"container\":\"a:1.0.0\"}}",
    "{\"invalid_repository\":{\"repository\":\"foo\"}}",
    "{\"install_duplicate\":{\"container\":\"a:1.0.0\"}}",
    "{\"critical_container\":{\"container\":\"a:1.0.0\",\"status\":{\"signalled\":{\"signal\":9}}}"
    "}",
    "{\"unexpected\":{\"error\":\"...\"}}",
};

static int test_spec_responses_roundtrip(void)
{
	for (size_t i = 0; i < sizeof(spec_responses) / sizeof(spec_responses[0]); i++)
		CHECK_RT(spec_responses[i]);
	return 0;
}

static int test_every_error_variant(void)
{
	CHECK_INT(sizeof(spec_errors) / sizeof(spec_errors[0]), NS_ERROR_COUNT);
	for (size_t i = 0; i < NS_ERROR_COUNT; i++) {
		char line[512];
		/* inside a start result, and inside install's result without container */
		snprintf(line, sizeof(line),
			 "{\"response\":{\"start\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
			 "%s}}}}",
			 spec_errors[i]);
		CHECK_RT(line);
		snprintf(line, sizeof(line),
			 "{\"response\":{\"install\":{\"error\":{\"error\":%s}}}}", spec_errors[i]);
		CHECK_RT(line);
		struct ns_err err = {0};
		struct ns_console_response r;
		CHECK_OK(ns_console_decode_response(line, strlen(line), &r, &err), &err);
		CHECK_INT(r.result.error.kind, i);
		CHECK(!r.result.ok);
		CHECK(strstr(spec_errors[i], ns_error_kind_name(r.result.error.kind)) ==
		      spec_errors[i] + 2);
		ns_console_response_free(&r);
	}
	return 0;
}

static int test_response_fields(void)
{
	struct ns_err err = {0};
	struct ns_console_response r;
	const char *l = spec_responses[17]; /* inspect ok */
	CHECK_OK(ns_console_decode_response(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.kind, NS_RESP_INSPECT);
	CHECK(r.result.ok);
	CHECK_STR(r.data.repository, "default");
	CHECK(r.data.mounted && r.data.running);
	CHECK_INT(r.data.pid, 97013);
	CHECK_INT(r.data.uptime_ns, 5012345678);
	CHECK_STR(cJSON_GetObjectItem(r.data.manifest, "init")->valuestring, "/hello-world");
	CHECK(cJSON_IsObject(r.data.statistics));
	ns_console_response_free(&r);

	l = spec_responses[1]; /* permission_denied echoing a kill */
	CHECK_OK(ns_console_decode_response(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.kind, NS_RESP_PERMISSION_DENIED);
	CHECK_INT(r.denied->kind, NS_REQ_KILL);
	CHECK_INT(r.denied->signal, 15);
	ns_console_response_free(&r);

	l = spec_responses[14]; /* mount with one ok, one error */
	CHECK_OK(ns_console_decode_response(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.nresults, 2);
	CHECK(r.results[0].ok && !r.results[1].ok);
	CHECK_STR(r.results[1].container.name, "foo");
	CHECK_INT(r.results[1].error.kind, NS_ERROR_INVALID_CONTAINER);
	ns_console_response_free(&r);

	l = spec_responses[23]; /* Future */
	CHECK_OK(ns_console_decode_response(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.verification, NS_VERIFY_FUTURE);
	ns_console_response_free(&r);

	/* a stopped container: process null, and a missing process reads the same */
	l = "{\"response\":{\"inspect\":{\"ok\":{\"container\":\"a:1.0.0\",\"data\":{\"manifest\":"
	    "{\"name\":\"a\"},\"repository\":\"r\",\"mounted\":false,\"process\":null}}}}}";
	CHECK_RT(l);
	l = "{\"response\":{\"inspect\":{\"ok\":{\"container\":\"a:1.0.0\",\"data\":{\"manifest\":"
	    "{\"name\":\"a\"},\"repository\":\"r\",\"mounted\":false}}}}}";
	CHECK_OK(ns_console_decode_response(l, strlen(l), &r, &err), &err);
	CHECK(!r.data.running);
	ns_console_response_free(&r);
	return 0;
}

/* The daemon's side: building responses, with the manifest as a cJSON object made
 * elsewhere and only borrowed here. */
static int test_encode_built_responses(void)
{
	struct ns_err err = {0};
	cJSON *manifest = cJSON_Parse("{\"name\":\"a\",\"version\":\"1.0.0\",\"uid\":1,\"gid\":1}");
	cJSON *stats = cJSON_Parse("{\"cpu\":{\"stat\":\"usage_usec 1\"}}");
	struct ns_console_response r = {
	    .kind = NS_RESP_INSPECT,
	    .result = {.ok = true, .container = test_id("a", 1, 0, 0)},
	    .data = {.manifest = manifest,
		     .repository = "default",
		     .mounted = true,
		     .running = true,
		     .pid = 4294967295u,
		     .uptime_ns = 18446744073709551615ull,
		     .statistics = stats},
	};
	char *s = ns_console_encode_response(&r, &err);
	CHECK_STR(s, "{\"response\":{\"inspect\":{\"ok\":{\"container\":\"a:1.0.0\",\"data\":{"
		     "\"manifest\":{\"name\":\"a\",\"version\":\"1.0.0\",\"uid\":1,\"gid\":1},"
		     "\"repository\":\"default\",\"mounted\":true,\"process\":{\"pid\":4294967295,"
		     "\"uptime\":18446744073709551615,\"statistics\":{\"cpu\":{\"stat\":"
		     "\"usage_usec 1\"}}}}}}}}");
	free(s);
	/* the borrowed objects are intact */
	CHECK_STR(cJSON_GetObjectItem(manifest, "name")->valuestring, "a");
	r.data.manifest = NULL;
	CHECK(!ns_console_encode_response(&r, &err));
	CHECK(strstr(err.msg, "manifest: expected a JSON object"));
	cJSON_Delete(manifest);
	cJSON_Delete(stats);

	/* free text with invalid UTF-8 goes out with U+FFFD, as Rust would render it */
	struct ns_console_response k = {
	    .kind = NS_RESP_KILL,
	    .result = {.ok = false,
		       .container = test_id("a", 1, 0, 0),
		       .error = {.kind = NS_ERROR_UNEXPECTED, .text = "bad \xff file"}},
	};
	s = ns_console_encode_response(&k, &err);
	CHECK_STR(s, "{\"response\":{\"kill\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":{"
		     "\"unexpected\":{\"error\":\"bad \xef\xbf\xbd file\"}}}}}}");
	free(s);

	/* a denied request is echoed */
	struct ns_console_request q = {.kind = NS_REQ_LIST};
	struct ns_console_response d = {.kind = NS_RESP_PERMISSION_DENIED, .denied = &q};
	s = ns_console_encode_response(&d, &err);
	CHECK_STR(s, "{\"response\":{\"permission_denied\":\"list\"}}");
	free(s);

	const char *repos[] = {"default", "default"};
	struct ns_console_response rp = {
	    .kind = NS_RESP_REPOSITORIES, .repositories = repos, .nrepositories = 2};
	CHECK(!ns_console_encode_response(&rp, &err));
	CHECK(strstr(err.msg, "\"default\" appears twice"));

	struct ns_console_response mr = {
	    .kind = NS_RESP_START,
	    .result = {.error = {.kind = NS_ERROR_START_CONTAINER_MISSING_RESOURCE,
				 .container = test_id("a", 1, 0, 0),
				 .resource = "libs",
				 .version = NULL}},
	};
	mr.result.container = test_id("a", 1, 0, 0);
	CHECK(!ns_console_encode_response(&mr, &err));
	CHECK(strstr(err.msg, "version: missing"));
	return 0;
}

static int test_bad_responses(void)
{
	CHECK_RESP_REFUSED("{\"response\":{\"kill\":{\"ok\":{}}}}",
			   "response.kill.ok: missing field \"container\"");
	CHECK_RESP_REFUSED("{\"response\":{\"kill\":{\"error\":{\"container\":\"a:1.0.0\"}}}}",
			   "response.kill.error: missing field \"error\"");
	CHECK_RESP_REFUSED("{\"response\":{\"kill\":{\"maybe\":{}}}}",
			   "response.kill: unknown variant \"maybe\"");
	CHECK_RESP_REFUSED(
	    "{\"response\":{\"kill\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
	    "{\"exploded\":{}}}}}}",
	    "response.kill.error.error: unknown variant \"exploded\"");
	CHECK_RESP_REFUSED(
	    "{\"response\":{\"kill\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
	    "{\"unexpected\":{\"error\":7}}}}}}",
	    "response.kill.error.error.unexpected.error: expected a string, got a number");
	CHECK_RESP_REFUSED(
	    "{\"response\":{\"start\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
	    "{\"start_container_missing_resource\":{\"container\":\"a:1.0.0\","
	    "\"resource\":\"a/b\",\"version\":\"1\"}}}}}}",
	    "error.start_container_missing_resource.resource: invalid container name");
	CHECK_RESP_REFUSED(
	    "{\"response\":{\"start\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
	    "{\"critical_container\":{\"container\":\"a:1.0.0\",\"status\":{"
	    "\"signalled\":{\"signal\":-9}}}}}}}}",
	    "critical_container.status.signalled.signal: -9 is out of range 0..4294967295");
	CHECK_RESP_REFUSED(
	    "{\"response\":{\"start\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
	    "{\"start_container_missing_resource\":{\"container\":\"a:1.0.0\","
	    "\"resource\":\"libs\",\"version\":\"not a requirement\"}}}}}}",
	    "start_container_missing_resource.version: invalid version requirement "
	    "\"not a requirement\"");
	CHECK_RESP_REFUSED("{\"response\":{\"list\":[\"a:1.0.0\",7]}}",
			   "response.list[1]: expected a string, got a number");
	CHECK_RESP_REFUSED("{\"response\":{\"repositories\":[\"a\",\"a\"]}}",
			   "response.repositories: \"a\" appears twice");
	CHECK_RESP_REFUSED("{\"response\":{\"mount\":{}}}",
			   "response.mount: expected an array, got an object");
	CHECK_RESP_REFUSED("{\"response\":{\"token_verification\":\"ok\"}}",
			   "response.token_verification: unknown variant \"ok\"");
	CHECK_RESP_REFUSED("{\"response\":{\"token\":\"AAAA\"}}",
			   "response.token: a token has 40 bytes, got 3");
	CHECK_RESP_REFUSED("{\"response\":{\"permission_denied\":\"dance\"}}",
			   "response.permission_denied: unknown variant \"dance\"");
	CHECK_RESP_REFUSED("{\"response\":{\"ident\":\"extern\"}}",
			   "response.ident: invalid container id 'extern'");
	CHECK_RESP_REFUSED("{\"response\":{\"shutdown\":null}}",
			   "response: variant \"shutdown\" takes no value");
	CHECK_RESP_REFUSED("{\"response\":\"start\"}", "response.start: expected a value");
	const char *inspect_pfx =
	    "{\"response\":{\"inspect\":{\"ok\":{\"container\":\"a:1.0.0\",\"data\":";
	char l[512];
	snprintf(l, sizeof(l), "%s{\"manifest\":[],\"repository\":\"r\",\"mounted\":true}}}}}",
		 inspect_pfx);
	CHECK_RESP_REFUSED(l,
			   "response.inspect.ok.data.manifest: expected an object, got an array");
	snprintf(l, sizeof(l),
		 "%s{\"manifest\":{},\"repository\":\"r\",\"mounted\":true,\"process\":"
		 "{\"pid\":4294967296,\"uptime\":0,\"statistics\":{}}}}}}}",
		 inspect_pfx);
	CHECK_RESP_REFUSED(l, "response.inspect.ok.data.process.pid: 4294967296 is out of range");
	snprintf(l, sizeof(l),
		 "%s{\"manifest\":{},\"repository\":\"r\",\"mounted\":true,\"process\":"
		 "{\"pid\":1,\"uptime\":0.5,\"statistics\":{}}}}}}}",
		 inspect_pfx);
	CHECK_RESP_REFUSED(l,
			   "response.inspect.ok.data.process.uptime: expected an integer, got 0.5");
	snprintf(l, sizeof(l),
		 "%s{\"manifest\":{},\"repository\":\"r\",\"mounted\":true,\"process\":"
		 "{\"pid\":1,\"uptime\":0}}}}}}",
		 inspect_pfx);
	CHECK_RESP_REFUSED(l, "response.inspect.ok.data.process: missing field \"statistics\"");
	return 0;
}

/* inspect carries ns_manifest_to_json's object; what nstar decodes from it is a manifest
 * that parses again (the Rust client would refuse anything else, spec §3.3). */
static int test_inspect_with_real_manifest(void)
{
	struct ns_err err = {0};
	struct ns_manifest m, back;
	const char *yaml =
	    "name: hello-world\nversion: 0.0.1\ninit: /hello-world\nuid: 1000\n"
	    "gid: 1000\nmounts:\n  /dev:\n    type: dev\n  /proc:\n    type: proc\n"
	    "  /lib:\n    type: bind\n    host: /lib\nio:\n  stdout: pipe\n  stderr: pipe\n";
	CHECK_OK(ns_manifest_parse("manifest.yaml", yaml, strlen(yaml), &m, &err), &err);
	cJSON *mj = ns_manifest_to_json(&m);
	CHECK(mj);
	cJSON *stats = cJSON_CreateObject();
	struct ns_console_response r = {
	    .kind = NS_RESP_INSPECT,
	    .result = {.ok = true, .container = {.name = m.name, .version = m.version}},
	    .data = {.manifest = mj,
		     .repository = "default",
		     .mounted = false,
		     .statistics = stats},
	};
	char *line = ns_console_encode_response(&r, &err);
	cJSON_Delete(mj);
	cJSON_Delete(stats);
	ns_manifest_free(&m);
	CHECK(line);
	CHECK(strstr(line, "\"process\":null}"));
	CHECK_RT(line);
	struct ns_console_response d;
	CHECK_OK(ns_console_decode_response(line, strlen(line), &d, &err), &err);
	free(line);
	char *text = cJSON_PrintUnformatted(d.data.manifest);
	ns_console_response_free(&d);
	CHECK(text);
	int r2 = ns_manifest_parse("inspect", text, strlen(text), &back, &err);
	free(text);
	CHECK_OK(r2, &err);
	CHECK_STR(back.init, "/hello-world");
	CHECK_INT(back.nmounts, 3);
	ns_manifest_free(&back);
	return 0;
}

NS_TEST_MAIN(T(test_spec_responses_roundtrip), T(test_inspect_with_real_manifest),
	     T(test_every_error_variant), T(test_response_fields), T(test_encode_built_responses),
	     T(test_bad_responses))
