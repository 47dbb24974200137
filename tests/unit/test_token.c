/* Console tokens: the spec's construction (checked against Python's hmac module, whose
 * results are the literals below), and every verdict of verification. */
#include <errno.h>
#include <stdlib.h>

#include "libns/base64.h"
#include "libns/console_msg.h"
#include "libns/token.h"
#include "testlib.h"

#define VALIDITY NS_TOKEN_VALIDITY_MS_DEFAULT

static struct ns_token_key fixed_key(void)
{
	struct ns_token_key k;
	for (int i = 0; i < NS_TOKEN_KEY_LEN; i++)
		k.bytes[i] = (uint8_t)i;
	return k;
}

static const uint8_t hello[] = "hello!";

/* Containers by name, and the global console. */
static const struct ns_token_party CLIENT = {NS_TOKEN_CONTAINER, "client"};
static const struct ns_token_party SERVER = {NS_TOKEN_CONTAINER, "server"};
static const struct ns_token_party MALLORY = {NS_TOKEN_CONTAINER, "mallory"};
static const struct ns_token_party OTHER = {NS_TOKEN_CONTAINER, "other"};
static const struct ns_token_party EXTERN = {NS_TOKEN_CONSOLE, "extern"};
static const struct ns_token_party EXTERN_C = {NS_TOKEN_CONTAINER, "extern"};

static int test_known_answer(void)
{
	struct ns_err err = {0};
	struct ns_token_key k = fixed_key();
	uint8_t tok[NS_TOKEN_LEN];
	/* hmac.new(K, u128_be(5000) + H(b"container:client") + H(b"container:server") +
	 * H(b"hello!")) */
	CHECK_OK(ns_token_create(&k, 5999, &CLIENT, &SERVER, hello, 6, tok, &err), &err);
	char *s = ns_base64_encode(tok, sizeof(tok));
	CHECK_STR(s, "AAAAAAAAAAWSv/vsbHb5UsOHkA0+Ly9kc3/us3XPHhRXDMTaX2ydoQ==");
	free(s);
	CHECK_OK(ns_token_create(&k, 0, &EXTERN, &EXTERN, NULL, 0, tok, &err), &err);
	s = ns_base64_encode(tok, sizeof(tok));
	CHECK_STR(s, "AAAAAAAAAABnVdxeuaKErlQG7/IiKRhf60uaCS1blcGMsWj+MnoMMA==");
	free(s);
	/* a container named "extern" is another party than the console */
	CHECK_OK(ns_token_create(&k, 0, &EXTERN_C, &EXTERN, NULL, 0, tok, &err), &err);
	s = ns_base64_encode(tok, sizeof(tok));
	CHECK_STR(s, "AAAAAAAAAACKw8oW0PQ5PVCsPBIOeQzhlsZdC0KqoChanEvK/Y4hYw==");
	free(s);
	return 0;
}

static int test_verdicts(void)
{
	struct ns_err err = {0};
	struct ns_token_key k;
	uint8_t tok[NS_TOKEN_LEN];
	CHECK_OK(ns_token_key_init(&k, &err), &err);
	uint64_t made = 100500; /* t = 100 s */
	CHECK_OK(ns_token_create(&k, made, &CLIENT, &SERVER, hello, 6, tok, &err), &err);
#define VERIFY(now, user, target, shared, len)                                                     \
	ns_token_verify(&k, now, VALIDITY, tok, &user, &target, shared, len)
	/* fresh, recent (half the validity), and at the very end of it */
	CHECK_INT(VERIFY(made, CLIENT, SERVER, hello, 6), NS_VERIFY_OK);
	CHECK_INT(VERIFY(made + VALIDITY / 2, CLIENT, SERVER, hello, 6), NS_VERIFY_OK);
	CHECK_INT(VERIFY(100000 + VALIDITY, CLIENT, SERVER, hello, 6), NS_VERIFY_OK);
	/* expired: more than the validity since t (whole seconds) */
	CHECK_INT(VERIFY(100000 + VALIDITY + 1, CLIENT, SERVER, hello, 6), NS_VERIFY_EXPIRED);
	CHECK_INT(VERIFY(UINT64_MAX, CLIENT, SERVER, hello, 6), NS_VERIFY_EXPIRED);
	/* future: now before t */
	CHECK_INT(VERIFY(99999, CLIENT, SERVER, hello, 6), NS_VERIFY_FUTURE);
	CHECK_INT(VERIFY(0, CLIENT, SERVER, hello, 6), NS_VERIFY_FUTURE);
	/* wrong shared value, user or target (the verifier is not the target) */
	CHECK_INT(VERIFY(made, CLIENT, SERVER, (const uint8_t *)"hello?", 6), NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, CLIENT, SERVER, hello, 5), NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, CLIENT, SERVER, NULL, 0), NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, MALLORY, SERVER, hello, 6), NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, CLIENT, OTHER, hello, 6), NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, SERVER, CLIENT, hello, 6), NS_VERIFY_INVALID);
	/* every flipped bit of the MAC */
	for (int i = 8; i < NS_TOKEN_LEN; i++) {
		for (int b = 0; b < 8; b++) {
			tok[i] ^= (uint8_t)(1 << b);
			CHECK_INT(VERIFY(made, CLIENT, SERVER, hello, 6), NS_VERIFY_INVALID);
			tok[i] ^= (uint8_t)(1 << b);
		}
	}
	/* a forged time: past the time checks, the MAC no longer matches */
	tok[7] ^= 1; /* t = 101 */
	CHECK_INT(VERIFY(made + 1000, CLIENT, SERVER, hello, 6), NS_VERIFY_INVALID);
	tok[7] ^= 1;
	tok[0] = 0xff; /* far future */
	CHECK_INT(VERIFY(made, CLIENT, SERVER, hello, 6), NS_VERIFY_FUTURE);
	tok[0] = 0;
	/* another runtime (another key) */
	struct ns_token_key k2;
	CHECK_OK(ns_token_key_init(&k2, &err), &err);
	CHECK(memcmp(k.bytes, k2.bytes, sizeof(k.bytes)) != 0);
	CHECK_INT(ns_token_verify(&k2, made, VALIDITY, tok, &CLIENT, &SERVER, hello, 6),
		  NS_VERIFY_INVALID);
	CHECK_INT(VERIFY(made, CLIENT, SERVER, hello, 6), NS_VERIFY_OK);
#undef VERIFY
	/* a shorter validity */
	CHECK_INT(ns_token_verify(&k, 102000, 1000, tok, &CLIENT, &SERVER, hello, 6),
		  NS_VERIFY_EXPIRED);
	return 0;
}

/* On the wire: the token of a response and of token_verify is 40 bytes of canonical
 * base64; anything else is a decode error. */
static int test_wire_form(void)
{
	struct ns_err err = {0};
	struct ns_token_key k = fixed_key();
	struct ns_console_response resp = {.kind = NS_RESP_TOKEN};
	CHECK_OK(ns_token_create(&k, 5000, &CLIENT, &SERVER, hello, 6, resp.token, &err), &err);
	char *s = ns_console_encode_response(&resp, &err);
	CHECK_STR(s,
		  "{\"response\":{\"token\":\"AAAAAAAAAAWSv/vsbHb5UsOHkA0+Ly9kc3/us3XPHhRXDMTaX2yd"
		  "oQ==\"}}");
	struct ns_console_response back;
	CHECK_OK(ns_console_decode_response(s, strlen(s), &back, &err), &err);
	free(s);
	CHECK(!memcmp(back.token, resp.token, NS_TOKEN_LEN));
	ns_console_response_free(&back);

	const char *bad[] = {
	    "AAAAAAAAAAWR2fLxhHhMTCiYBoRYkPeLRMDF3BJ65GFq5QqihWq4JQ",	   /* no padding */
	    "AAAAAAAAAAWR2fLxhHhMTCiYBoRYkPeLRMDF3BJ65GFq5QqihWq4JR==",	   /* stray bits */
	    "AAAAAAAAAAWR2fLxhHhMTCiYBoRY kPeLRMDF3BJ65GFq5QqihWq4JQ==",   /* a space */
	    "AAAAAAAAAAWR2fLxhHhMTCiYBoRYkPeLRMDF3BJ65GFq5QqihWq4JQ==\\n", /* a newline */
	    "AAAAAAAAAAWR2fLxhHhMTCiYBoRYkPeLRMDF3BJ65GFq5QqihWq4-Q==",	   /* URL alphabet */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char l[256];
		snprintf(l, sizeof(l), "{\"response\":{\"token\":\"%s\"}}", bad[i]);
		CHECK_FAIL(ns_console_decode_response(l, strlen(l), &back, &err), &err,
			   "response.token: not canonical padded base64");
	}
	const char *l =
	    "{\"response\":{\"token\":\"AAAAAAAAAAWR2fLxhHhMTCiYBoRYkPeLRMDF3BJ65GFq5Qqi"
	    "hWq4JUE=\"}}";
	CHECK_FAIL(ns_console_decode_response(l, strlen(l), &back, &err), &err,
		   "a token has 40 bytes, got 41");
	return 0;
}

/* Container and console identities live in separate name spaces: a container named
 * like a console mints nothing that verifies as the console's, and a token for the
 * console never verifies on such a container. */
static int test_name_spaces(void)
{
	struct ns_err err = {0};
	struct ns_token_key k;
	uint8_t tok[NS_TOKEN_LEN];
	CHECK_OK(ns_token_key_init(&k, &err), &err);
	/* a container "extern" makes a token for container "server" */
	CHECK_OK(ns_token_create(&k, 5000, &EXTERN_C, &SERVER, hello, 6, tok, &err), &err);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN, &SERVER, hello, 6),
		  NS_VERIFY_INVALID);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN_C, &SERVER, hello, 6),
		  NS_VERIFY_OK);
	/* the console makes one for the console: a container "extern" cannot use it */
	CHECK_OK(ns_token_create(&k, 5000, &EXTERN, &EXTERN, hello, 6, tok, &err), &err);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN, &EXTERN_C, hello, 6),
		  NS_VERIFY_INVALID);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN, &EXTERN, hello, 6),
		  NS_VERIFY_OK);
	/* the console makes one for a container: it verifies there, with user extern */
	CHECK_OK(ns_token_create(&k, 5000, &EXTERN, &SERVER, hello, 6, tok, &err), &err);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN, &SERVER, hello, 6),
		  NS_VERIFY_OK);
	CHECK_INT(ns_token_verify(&k, 5000, VALIDITY, tok, &EXTERN_C, &SERVER, hello, 6),
		  NS_VERIFY_INVALID);
	/* names on the wire: "extern" is the console, anything else a container */
	struct ns_token_party p = ns_token_party_named("extern");
	CHECK_INT(p.kind, NS_TOKEN_CONSOLE);
	p = ns_token_party_named("Extern");
	CHECK_INT(p.kind, NS_TOKEN_CONTAINER);
	p = ns_token_party_named("extern-1");
	CHECK_INT(p.kind, NS_TOKEN_CONTAINER);
	/* reserved for containers: the console's name in any case, nothing else */
	CHECK(ns_console_identity_reserved("extern"));
	CHECK(ns_console_identity_reserved("EXTERN"));
	CHECK(ns_console_identity_reserved("eXtErN"));
	CHECK(!ns_console_identity_reserved("extern-1"));
	CHECK(!ns_console_identity_reserved("externa"));
	CHECK(!ns_console_identity_reserved("xextern"));
	CHECK(!ns_console_identity_reserved("ext"));
	return 0;
}

static int test_base64(void)
{
	uint8_t out[16];
	size_t n;
	CHECK_INT(ns_base64_decode("", 0, out, sizeof(out), &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(ns_base64_decode("aGk=", 4, out, sizeof(out), &n), 0);
	CHECK_INT(n, 2);
	CHECK(!memcmp(out, "hi", 2));
	CHECK_INT(ns_base64_decode("aGl=", 4, out, sizeof(out), &n), -EINVAL);
	CHECK_INT(ns_base64_decode("aGk", 3, out, sizeof(out), &n), -EINVAL);
	CHECK_INT(ns_base64_decode("=aGk", 4, out, sizeof(out), &n), -EINVAL);
	CHECK_INT(ns_base64_decode("aG==", 4, out, sizeof(out), &n), -EINVAL);
	CHECK_INT(ns_base64_decode("aGVsbG8h", 8, out, 5, &n), -ENOBUFS);
	return 0;
}

NS_TEST_MAIN(T(test_known_answer), T(test_verdicts), T(test_wire_form), T(test_name_spaces),
	     T(test_base64))
