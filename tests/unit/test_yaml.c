#include <errno.h>

#include "libns/yaml.h"
#include "testlib.h"

static int load(const char *text, struct ns_ydoc *doc, struct ns_err *err)
{
	return ns_yaml_load("t.yaml", text, strlen(text), doc, err);
}

static int test_tree_and_positions(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_OK(load("name: hello\nlist:\n- a\n- 'b'\nmap: {x: 1}\n", &d, &err), &err);
	CHECK(d.root && d.root->kind == NS_YMAP);
	CHECK_INT(d.root->n, 3);
	const struct ns_ynode *l = ns_ymap_get(d.root, "list");
	CHECK(l && l->kind == NS_YSEQ && l->n == 2);
	CHECK_INT(l->items[1]->line, 4);
	CHECK_INT(l->items[1]->col, 3);
	CHECK(!l->items[1]->plain);
	CHECK_STR(ns_ymap_get(d.root, "name")->str, "hello");
	ns_ydoc_free(&d);
	return 0;
}

static int test_yaml12_scalars(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_OK(load("a: yes\nb: 0777\nc: 0o777\nd: 0x1f\ne: +12\nf: -3\ng: true\nh: ~\n"
		      "i: '12'\nj: 0b101\nk:\nl: 18446744073709551616\n",
		      &d, &err),
		 &err);
	uint64_t u;
	int64_t i;
	bool b;
	CHECK_INT(ns_yscalar_bool(ns_ymap_get(d.root, "a"), &b), -EINVAL);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "b"), &u), -EINVAL);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "c"), &u), 0);
	CHECK_INT(u, 0777);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "d"), &u), 0);
	CHECK_INT(u, 31);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "e"), &u), 0);
	CHECK_INT(u, 12);
	CHECK_INT(ns_yscalar_i64(ns_ymap_get(d.root, "f"), &i), 0);
	CHECK_INT(i, -3);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "f"), &u), -ERANGE);
	CHECK_INT(ns_yscalar_bool(ns_ymap_get(d.root, "g"), &b), 0);
	CHECK(b);
	CHECK(ns_yscalar_is_null(ns_ymap_get(d.root, "h")));
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "i"), &u), -EINVAL);
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "j"), &u), 0);
	CHECK_INT(u, 5);
	CHECK(ns_yscalar_is_null(ns_ymap_get(d.root, "k")));
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "l"), &u), -ERANGE);
	ns_ydoc_free(&d);
	return 0;
}

static int test_tags(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_OK(load("policy: !fifo\n  priority: 11\nnet: !namespace foo\n", &d, &err), &err);
	const struct ns_ynode *p = ns_ymap_get(d.root, "policy");
	CHECK_STR(p->tag, "!fifo");
	CHECK(p->kind == NS_YMAP);
	CHECK_STR(ns_ymap_get(d.root, "net")->tag, "!namespace");
	CHECK(!ns_ymap_get(d.root, "net")->plain);
	ns_ydoc_free(&d);
	return 0;
}

static int test_json_input(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_OK(load("{\"name\": \"x\", \"uid\": 1000, \"args\": [\"a\", \"b\"]}", &d, &err),
		 &err);
	uint64_t u;
	CHECK_INT(ns_yscalar_u64(ns_ymap_get(d.root, "uid"), &u), 0);
	CHECK_INT(u, 1000);
	ns_ydoc_free(&d);
	return 0;
}

static int test_errors(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_FAIL(load("a: [1, 2\n", &d, &err), &err, "t.yaml:");
	CHECK_FAIL(load("a: &x 1\nb: *x\n", &d, &err), &err, "t.yaml:2:4: YAML aliases");
	CHECK_FAIL(load("a: 1\n---\nb: 2\n", &d, &err), &err, "only one YAML document");
	char deep[400];
	memset(deep, '[', 100);
	deep[100] = '\0';
	CHECK_FAIL(load(deep, &d, &err), &err, "nesting deeper");
	CHECK_FAIL(ns_yaml_load("t.yaml", "a: \0", 4, &d, &err), &err, "NUL");
	/* complex keys: the config fuzzer's crash (a mapping as the only key of `type`) */
	CHECK_FAIL(load("repositories:\n l:\n  type:\n   ? s:\n", &d, &err), &err,
		   "t.yaml:4:6: a mapping key must be a scalar");
	CHECK_FAIL(load("? [a, b]\n: 1\n", &d, &err), &err,
		   "t.yaml:1:3: a mapping key must be a scalar");
	CHECK_FAIL(load("{? {a: 1}: 2}\n", &d, &err), &err, "a mapping key must be a scalar");
	CHECK_OK(load("", &d, &err), &err);
	CHECK(d.root == NULL);
	return 0;
}

static int test_error_position(void)
{
	struct ns_err err;
	struct ns_ydoc d;
	CHECK_OK(load("a:\n  b: 1\n", &d, &err), &err);
	const struct ns_ynode *b = ns_ymap_get(ns_ymap_get(d.root, "a"), "b");
	ns_yerr(&err, &d, b, EINVAL, "bad %s", "value");
	CHECK_STR(err.msg, "t.yaml:2:6: bad value");
	ns_ydoc_free(&d);
	return 0;
}

/* ns_yscalar_resolve: serde_yaml's typing of scalars. */
static int test_resolve(void)
{
	static const struct {
		const char *text;
		enum ns_ytype type;
	} rows[] = {
	    {"a: ''", NS_YT_STR},	    {"a:", NS_YT_NULL},
	    {"a: ~", NS_YT_NULL},	    {"a: null", NS_YT_NULL},
	    {"a: Null", NS_YT_NULL},	    {"a: NULL", NS_YT_NULL},
	    {"a: nULL", NS_YT_STR},	    {"a: 'null'", NS_YT_STR},
	    {"a: true", NS_YT_BOOL},	    {"a: False", NS_YT_BOOL},
	    {"a: yes", NS_YT_STR},	    {"a: on", NS_YT_STR},
	    {"a: 12", NS_YT_INT},	    {"a: -12", NS_YT_INT},
	    {"a: +12", NS_YT_INT},	    {"a: 0", NS_YT_INT},
	    {"a: 0x1F", NS_YT_INT},	    {"a: 0o17", NS_YT_INT},
	    {"a: 0b11", NS_YT_INT},	    {"a: 0777", NS_YT_STR},
	    {"a: -0777", NS_YT_STR},	    {"a: 0x", NS_YT_STR},
	    {"a: 0X1F", NS_YT_STR},	    {"a: 1_000", NS_YT_STR},
	    {"a: 1.5", NS_YT_FLOAT},	    {"a: -1.", NS_YT_FLOAT},
	    {"a: .5", NS_YT_FLOAT},	    {"a: 1e3", NS_YT_FLOAT},
	    {"a: 1E-3", NS_YT_FLOAT},	    {"a: .inf", NS_YT_FLOAT},
	    {"a: -.Inf", NS_YT_FLOAT},	    {"a: .NaN", NS_YT_FLOAT},
	    {"a: inf", NS_YT_STR},	    {"a: nan", NS_YT_STR},
	    {"a: 1e", NS_YT_STR},	    {"a: 0.0.1", NS_YT_STR},
	    {"a: 07.5", NS_YT_FLOAT},	    {"a: '5'", NS_YT_STR},
	    {"a: \"5\"", NS_YT_STR},	    {"a: !!str 5", NS_YT_STR},
	    {"a: !!int 5", NS_YT_INT},	    {"a: !!float 5", NS_YT_FLOAT},
	    {"a: !!bool true", NS_YT_BOOL}, {"a: !!null ''", NS_YT_NULL},
	    {"a: !foo 5", NS_YT_STR},	    {"a: 18446744073709551616", NS_YT_INT},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ns_err err;
		struct ns_ydoc d;
		struct ns_yscalar v;
		CHECK_OK(load(rows[i].text, &d, &err), &err);
		CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "a"), &v), 0);
		if (v.type != rows[i].type) {
			fprintf(stderr, "  '%s' is %s\n", rows[i].text, ns_ytype_name(v.type));
			return NS_TEST_FAIL;
		}
		ns_ydoc_free(&d);
	}
	struct ns_err err;
	struct ns_ydoc d;
	struct ns_yscalar v;
	CHECK_OK(load("a: -0x10\nb: 18446744073709551616\nc: !!int x\nd: [1]\ne: 2.5\n", &d, &err),
		 &err);
	CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "a"), &v), 0);
	CHECK(v.neg && v.mag == 16 && !v.overflow);
	CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "b"), &v), 0);
	CHECK(v.overflow);
	CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "c"), &v), -EINVAL);
	CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "d"), &v), -EINVAL);
	CHECK_INT(ns_yscalar_resolve(ns_ymap_get(d.root, "e"), &v), 0);
	CHECK(v.f == 2.5);
	ns_ydoc_free(&d);
	return 0;
}

NS_TEST_MAIN(T(test_resolve), T(test_tree_and_positions), T(test_yaml12_scalars), T(test_tags),
	     T(test_json_input), T(test_errors), T(test_error_position))
