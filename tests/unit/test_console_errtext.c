/* libns/console_errtext.c: every model::Error variant as a sentence with its subject
 * and a hint, and the renderer's bounds (cut texts, tiny buffers, unknown kinds). */
#include <string.h>

#include "libns/console_errtext.h"
#include "testlib.h"

#define HELLO                                                                                      \
	{                                                                                          \
		"hello-world",                                                                     \
		{                                                                                  \
			0, 0, 1                                                                    \
		}                                                                                  \
	}

/* One error of each kind, with what its text must be. */
static const struct {
	struct ns_console_error e;
	const char *text;
} cases[] = {
    {{.kind = NS_ERROR_CONFIGURATION, .text = "bad key"},
     "the runtime's configuration is invalid: bad key; fix northstard's configuration file "
     "and restart it"},
    {{.kind = NS_ERROR_DUPLICATE_CONTAINER, .container = HELLO},
     "hello-world:0.0.1 is installed more than once; uninstall the extra copy (`nstar "
     "uninstall hello-world:0.0.1`)"},
    {{.kind = NS_ERROR_INVALID_CONTAINER, .container = HELLO},
     "hello-world:0.0.1 is not installed; `nstar list` shows the installed containers"},
    {{.kind = NS_ERROR_INVALID_ARGUMENTS, .text = "init is empty"},
     "the runtime refused the arguments: init is empty; check the command line (`nstar help "
     "COMMAND`)"},
    {{.kind = NS_ERROR_MOUNT_BUSY, .container = HELLO},
     "hello-world:0.0.1 is busy and cannot be mounted now; wait until what uses it is done "
     "and try again"},
    {{.kind = NS_ERROR_UMOUNT_BUSY, .container = HELLO},
     "hello-world:0.0.1 is running, so it (or the resource it uses) cannot be unmounted or "
     "uninstalled; stop it first (`nstar kill hello-world:0.0.1`)"},
    {{.kind = NS_ERROR_START_CONTAINER_STARTED, .container = HELLO},
     "hello-world:0.0.1 is already running; stop it first (`nstar kill hello-world:0.0.1`) "
     "to start it anew"},
    {{.kind = NS_ERROR_START_CONTAINER_RESOURCE, .container = HELLO},
     "hello-world:0.0.1 is a resource, not an app (its manifest has no init), so it cannot "
     "be started; start an app that uses it, or mount it (`nstar mount hello-world:0.0.1`)"},
    {{.kind = NS_ERROR_START_CONTAINER_MISSING_RESOURCE,
      .container = HELLO,
      .resource = "libs",
      .version = "^1.0"},
     "hello-world:0.0.1 needs the resource libs version ^1.0, which is not installed; "
     "install it (`nstar install NPK REPOSITORY`) and start again"},
    {{.kind = NS_ERROR_START_CONTAINER_FAILED, .container = HELLO, .text = "no such init"},
     "hello-world:0.0.1 failed to start: no such init; the runtime's log has the details"},
    {{.kind = NS_ERROR_STOP_CONTAINER_NOT_STARTED, .container = HELLO},
     "hello-world:0.0.1 is not started; nothing to stop (`nstar list` shows what runs)"},
    {{.kind = NS_ERROR_INVALID_REPOSITORY, .repository = "nope"},
     "there is no repository 'nope'; `nstar repositories` lists the runtime's repositories"},
    {{.kind = NS_ERROR_INSTALL_DUPLICATE, .container = HELLO},
     "hello-world:0.0.1 is already installed; uninstall it first (`nstar uninstall "
     "hello-world:0.0.1`) or pack a new version"},
    {{.kind = NS_ERROR_CRITICAL_CONTAINER,
      .container = HELLO,
      .status = {.kind = NS_EXIT_CODE, .code = 3}},
     "the critical container hello-world:0.0.1 exited with exit code 3; the runtime shuts "
     "down when a critical container ends: see its log"},
    {{.kind = NS_ERROR_UNEXPECTED, .text = "signature.yaml: invalid signature"},
     "the runtime failed: signature.yaml: invalid signature; the runtime's log may say more"},
};

static int test_every_variant(void)
{
	char buf[1024];
	bool seen[NS_ERROR_COUNT] = {0};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(ns_console_errtext(&cases[i].e, buf, sizeof(buf)), cases[i].text);
		seen[cases[i].e.kind] = true;
	}
	/* a variant added to the enum without a sentence here fails this */
	for (int k = 0; k < NS_ERROR_COUNT; k++)
		CHECK(seen[k]);
	return 0;
}

/* No sentence is Rust's Debug form, and each names the subject and gives a hint. */
static int test_sentences_not_debug(void)
{
	char buf[1024];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ns_console_errtext(&cases[i].e, buf, sizeof(buf));
		CHECK(!strstr(buf, " { "));
		CHECK(strchr(buf, ';'));
		CHECK(strstr(buf, "hello-world:0.0.1") || cases[i].e.container.name == NULL);
	}
	return 0;
}

static int test_signalled_and_missing_text(void)
{
	char buf[512];
	struct ns_console_error e = {.kind = NS_ERROR_CRITICAL_CONTAINER,
				     .container = {"a", {1, 0, 0}},
				     .status = {.kind = NS_EXIT_SIGNALLED, .signal = 9}};
	CHECK(strstr(ns_console_errtext(&e, buf, sizeof(buf)), "a:1.0.0 exited on signal 9; "));
	e = (struct ns_console_error){.kind = NS_ERROR_UNEXPECTED};
	CHECK_STR(ns_console_errtext(&e, buf, sizeof(buf)),
		  "the runtime failed: (unknown); the runtime's log may say more");
	e = (struct ns_console_error){.kind = NS_ERROR_COUNT};
	CHECK(strstr(ns_console_errtext(&e, buf, sizeof(buf)), "does not know"));
	return 0;
}

static int test_bounds(void)
{
	char tiny[8] = "xxxxxxx";
	struct ns_console_error e = cases[10].e;
	CHECK_STR(ns_console_errtext(&e, tiny, sizeof(tiny)), "hello-w");
	char none[1] = {'x'};
	CHECK_STR(ns_console_errtext(&e, none, 1), "");
	CHECK(ns_console_errtext(&e, NULL, 0) == NULL);
	return 0;
}

NS_TEST_MAIN(T(test_every_variant), T(test_sentences_not_debug), T(test_signalled_and_missing_text),
	     T(test_bounds))
