/* Console notifications (spec §3.4) and the example session of spec §8, line by line. */
#include <errno.h>

#include "console_util.h"

static const char *const spec_notifications[] = {
    "{\"notification\":{\"started\":\"hello-world:0.0.1\"}}",
    "{\"notification\":{\"exit\":[\"hello-world:0.0.1\",{\"exit\":{\"code\":0}}]}}",
    "{\"notification\":{\"exit\":[\"hello-world:0.0.1\",{\"signalled\":{\"signal\":15}}]}}",
    "{\"notification\":{\"install\":\"hello-ferris:0.0.1\"}}",
    "{\"notification\":{\"uninstall\":\"hello-ferris:0.0.1\"}}",
    "{\"notification\":{\"c_group\":[\"memeater:0.0.1\",{\"memory\":{\"low\":0,\"high\":0,"
    "\"max\":12,\"oom\":1,\"oom_kill\":1}}]}}",
    "{\"notification\":\"shutdown\"}",
};

/* Spec §8: the session, then what `nstar -j kill hello-world` prints. */
static const char *const session_client[] = {
    "{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":true}}",
    "{\"request\":\"list\"}",
    "{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":null,\"arguments\":[],"
    "\"environment\":{}}}}",
    "{\"request\":{\"kill\":{\"container\":\"hello-world:0.0.1\",\"signal\":15}}}",
    "{\"request\":{\"install\":{\"repository\":\"default\",\"size\":1843200}}}",
    "{\"request\":{\"start\":{\"container\":\"crashing:0.0.1\",\"init\":null,\"arguments\":[],"
    "\"environment\":{}}}}",
    "{\"request\":\"repositories\"}",
    "{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}",
};

static const char *const session_server[] = {
    "{\"connect_ack\":null}",
    "{\"response\":{\"list\":[\"hello-world:0.0.1\",\"cpueater:0.0.1\"]}}",
    "{\"response\":{\"start\":{\"ok\":{\"container\":\"hello-world:0.0.1\"}}}}",
    "{\"notification\":{\"started\":\"hello-world:0.0.1\"}}",
    "{\"response\":{\"kill\":{\"ok\":{\"container\":\"hello-world:0.0.1\"}}}}",
    "{\"notification\":{\"exit\":[\"hello-world:0.0.1\",{\"signalled\":{\"signal\":15}}]}}",
    "{\"response\":{\"kill\":{\"error\":{\"container\":\"hello-world:0.0.1\",\"error\":{"
    "\"stop_container_not_started\":{\"container\":\"hello-world:0.0.1\"}}}}}}",
    "{\"response\":{\"install\":{\"ok\":{\"container\":\"hello-ferris:0.0.1\"}}}}",
    "{\"notification\":{\"install\":\"hello-ferris:0.0.1\"}}",
    "{\"response\":{\"start\":{\"ok\":{\"container\":\"crashing:0.0.1\"}}}}",
    "{\"notification\":{\"started\":\"crashing:0.0.1\"}}",
    "{\"notification\":{\"exit\":[\"crashing:0.0.1\",{\"exit\":{\"code\":101}}]}}",
    "{\"response\":{\"permission_denied\":\"repositories\"}}",
    "{\"response\":{\"list\":[\"hello-world:0.0.1\"]}}",
};

static int test_spec_notifications_roundtrip(void)
{
	for (size_t i = 0; i < sizeof(spec_notifications) / sizeof(spec_notifications[0]); i++) {
		struct ns_err err = {0};
		struct ns_console_notification n;
		const char *l = spec_notifications[i];
		CHECK_RT(l);
		CHECK_OK(ns_console_decode_notification(l, strlen(l), &n, &err), &err);
		CHECK_INT(n.kind, i == 2 ? 1 : i > 2 ? i - 1 : i);
		char *s = ns_console_encode_notification(&n, &err);
		ns_console_notification_free(&n);
		CHECK_STR(s, l);
		free(s);
	}
	return 0;
}

static int test_notification_fields(void)
{
	struct ns_err err = {0};
	struct ns_console_notification n;
	const char *l = spec_notifications[2];
	CHECK_OK(ns_console_decode_notification(l, strlen(l), &n, &err), &err);
	CHECK_INT(n.kind, NS_NOTIF_EXIT);
	CHECK_STR(n.container.name, "hello-world");
	CHECK_INT(n.exit.kind, NS_EXIT_SIGNALLED);
	CHECK_INT(n.exit.signal, 15);
	ns_console_notification_free(&n);

	l = spec_notifications[5];
	CHECK_OK(ns_console_decode_notification(l, strlen(l), &n, &err), &err);
	CHECK_INT(n.kind, NS_NOTIF_CGROUP);
	CHECK(n.memory.has_max && n.memory.max == 12 && n.memory.has_oom_kill);
	ns_console_notification_free(&n);

	/* cgroup v1: only oom is known; the rest is null, and missing keys read as null */
	struct ns_console_notification v1 = {.kind = NS_NOTIF_CGROUP,
					     .container = test_id("memeater", 0, 0, 1),
					     .memory = {.has_oom = true, .oom = 1}};
	char *s = ns_console_encode_notification(&v1, &err);
	CHECK_STR(s, "{\"notification\":{\"c_group\":[\"memeater:0.0.1\",{\"memory\":{\"low\":null,"
		     "\"high\":null,\"max\":null,\"oom\":1,\"oom_kill\":null}}]}}");
	CHECK_RT(s);
	free(s);
	l = "{\"notification\":{\"c_group\":[\"m:0.0.1\",{\"memory\":{\"oom\":1,\"oom_group_kill\":"
	    "3}}]}}";
	CHECK_OK(ns_console_decode_notification(l, strlen(l), &n, &err), &err);
	CHECK(n.memory.has_oom && !n.memory.has_low && !n.memory.has_oom_kill);
	ns_console_notification_free(&n);

	struct ns_console_notification ex = {.kind = NS_NOTIF_EXIT,
					     .container = test_id("a", 1, 0, 0),
					     .exit = {.kind = NS_EXIT_CODE, .code = -1}};
	s = ns_console_encode_notification(&ex, &err);
	CHECK_STR(s, "{\"notification\":{\"exit\":[\"a:1.0.0\",{\"exit\":{\"code\":-1}}]}}");
	free(s);
	return 0;
}

static int refuse_notification(const char *line, const char *needle)
{
	struct ns_err err = {0};
	struct ns_console_notification n;
	if (ns_console_decode_notification(line, strlen(line), &n, &err) == 0) {
		ns_console_notification_free(&n);
		fprintf(stderr, "  accepted %s\n", line);
		return NS_TEST_FAIL;
	}
	if (!strstr(err.msg, needle)) {
		fprintf(stderr, "  error '%s' lacks '%s'\n", err.msg, needle);
		return NS_TEST_FAIL;
	}
	return 0;
}

static int test_bad_notifications(void)
{
	CHECK(refuse_notification("{\"notification\":{\"exit\":[\"a:1.0.0\"]}}",
				  "notification.exit: expected an array of 2 elements") == 0);
	CHECK(refuse_notification(
		  "{\"notification\":{\"exit\":[\"a:1.0.0\",{\"exit\":{\"code\":0}},1]}}",
		  "notification.exit: expected an array of 2 elements") == 0);
	CHECK(refuse_notification("{\"notification\":{\"exit\":{\"a\":1}}}",
				  "expected an array of 2 elements, got an object") == 0);
	CHECK(refuse_notification("{\"notification\":{\"exit\":[\"a:1.0.0\",{\"exit\":{\"code\":"
				  "2147483648}}]}}",
				  "notification.exit[1].exit.code: 2147483648 is out of range") ==
	      0);
	CHECK(refuse_notification("{\"notification\":{\"exit\":[\"a:1.0.0\",{\"crashed\":{}}]}}",
				  "notification.exit[1]: unknown variant \"crashed\"") == 0);
	CHECK(
	    refuse_notification("{\"notification\":{\"c_group\":[\"a:1.0.0\",{\"memory\":{\"low\":"
				"-1}}]}}",
				"notification.c_group[1].memory.low: -1 is out of range") == 0);
	CHECK(refuse_notification("{\"notification\":{\"c_group\":[\"a:1.0.0\",{\"cpu\":{}}]}}",
				  "notification.c_group[1]: unknown variant \"cpu\"") == 0);
	CHECK(refuse_notification("{\"notification\":{\"started\":[\"a:1.0.0\"]}}",
				  "notification.started: expected a string, got an array") == 0);
	CHECK(refuse_notification("{\"notification\":\"started\"}",
				  "notification.started: expected a value") == 0);
	CHECK(refuse_notification("{\"response\":\"shutdown\"}",
				  "expected a notification, got a response") == 0);
	return 0;
}

/* Every line of the session decodes as the kind it is and comes back byte for byte. */
static int test_example_session(void)
{
	for (size_t i = 0; i < sizeof(session_client) / sizeof(session_client[0]); i++) {
		struct ns_err err = {0};
		struct ns_console_frame f;
		const char *l = session_client[i];
		CHECK_RT(l);
		CHECK_OK(ns_console_decode_frame(l, strlen(l), &f, &err), &err);
		CHECK(f.kind == NS_FRAME_CONNECT || f.kind == NS_FRAME_REQUEST);
		ns_console_frame_free(&f);
	}
	int responses = 0, notifications = 0;
	for (size_t i = 0; i < sizeof(session_server) / sizeof(session_server[0]); i++) {
		struct ns_err err = {0};
		struct ns_console_frame f;
		const char *l = session_server[i];
		CHECK_RT(l);
		CHECK_OK(ns_console_decode_frame(l, strlen(l), &f, &err), &err);
		responses += f.kind == NS_FRAME_RESPONSE;
		notifications += f.kind == NS_FRAME_NOTIFICATION;
		ns_console_frame_free(&f);
	}
	CHECK_INT(responses, 8);
	CHECK_INT(notifications, 5);
	return 0;
}

NS_TEST_MAIN(T(test_spec_notifications_roundtrip), T(test_notification_fields),
	     T(test_bad_notifications), T(test_example_session))
