/* The manifest corpora under tests/manifest:
 *   examples/<name>.yaml  Northstar's example manifests, each with examples/<name>.json,
 *                         the reviewed console JSON it must give; its YAML form must
 *                         re-parse to the same manifest, and so must the JSON itself.
 *   bad/<name>.yaml       broken manifests; the first line "# expect: TEXT" names the
 *                         message (with field and line:column) the parser must give. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "libns/io.h"
#include "libns/manifest.h"
#include "libns/util.h"
#include "testlib.h"

static const char *corpus_dir(const char *sub, char *buf, size_t size)
{
	const char *top = getenv("NS_TOP");
	snprintf(buf, size, "%s/tests/manifest/%s", top ? top : ".", sub);
	return buf;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted *.yaml names of dir (malloc'ed), or -1. */
static int list_yaml(const char *dir, char ***out)
{
	ns_autoclosedir DIR *d = opendir(dir);
	char **names = NULL;
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		names = realloc(names, (size_t)(n + 1) * sizeof(*names));
		names[n++] = strndup(e->d_name, len - 5);
	}
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	*out = names;
	return n;
}

static char *read_text(const char *dir, const char *name, const char *ext, size_t *len)
{
	char path[1024];
	char *buf;
	struct ns_err err;
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	if (ns_read_file_at(AT_FDCWD, path, 1 << 20, &buf, len, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		return NULL;
	}
	return buf;
}

static int check_bad(const char *dir, const char *name)
{
	size_t len;
	ns_autofree char *text = read_text(dir, name, ".yaml", &len);
	struct ns_manifest m;
	struct ns_err err = {0};
	if (!text)
		return -1;
	if (strncmp(text, "# expect: ", 10)) {
		fprintf(stderr, "  bad/%s.yaml: no '# expect: ' first line\n", name);
		return -1;
	}
	char *eol = strchr(text, '\n');
	ns_autofree char *expect = strndup(text + 10, eol ? (size_t)(eol - text - 10) : 0);
	if (ns_manifest_parse("manifest.yaml", text, len, &m, &err) == 0) {
		ns_manifest_free(&m);
		fprintf(stderr, "  bad/%s.yaml: parsed\n", name);
		return -1;
	}
	if (!strstr(err.msg, expect)) {
		fprintf(stderr, "  bad/%s.yaml:\n    got:      %s\n    expected: %s\n", name,
			err.msg, expect);
		return -1;
	}
	return 0;
}

static int test_bad_corpus(void)
{
	char dir[1024], **names;
	int n = list_yaml(corpus_dir("bad", dir, sizeof(dir)), &names), failed = 0;
	if (n < 0) {
		fprintf(stderr, "  cannot read %s\n", dir);
		return NS_TEST_FAIL;
	}
	for (int i = 0; i < n; i++) {
		failed += check_bad(dir, names[i]) < 0;
		free(names[i]);
	}
	free(names);
	if (failed)
		fprintf(stderr, "  %d of %d bad manifests misjudged\n", failed, n);
	CHECK(n >= 40);
	CHECK_INT(failed, 0);
	return 0;
}

static char *json_text(const struct ns_manifest *m)
{
	cJSON *j = ns_manifest_to_json(m);
	char *s = j ? cJSON_Print(j) : NULL;
	cJSON_Delete(j);
	return s;
}

/* YAML out, parse back, same manifest; and the same YAML once more (stable text). */
static int yaml_round_trip(const char *name, const struct ns_manifest *m)
{
	struct ns_err err;
	struct ns_manifest again;
	ns_autofree char *yaml = NULL, *yaml2 = NULL;
	size_t len, len2;
	if (ns_manifest_to_yaml(m, &yaml, &len, &err) < 0 ||
	    ns_manifest_parse("out.yaml", yaml, len, &again, &err) < 0) {
		fprintf(stderr, "  %s: YAML round trip: %s\n", name, err.msg);
		return -1;
	}
	bool same = ns_manifest_equal(m, &again);
	int r = ns_manifest_to_yaml(&again, &yaml2, &len2, &err);
	ns_manifest_free(&again);
	if (!same || r < 0 || strcmp(yaml, yaml2)) {
		fprintf(stderr, "  %s: YAML round trip differs:\n%s\n", name, yaml);
		return -1;
	}
	return 0;
}

static int check_example(const char *dir, const char *name)
{
	size_t len, jlen;
	ns_autofree char *text = read_text(dir, name, ".yaml", &len);
	ns_autofree char *expect = read_text(dir, name, ".json", &jlen);
	struct ns_manifest m, fromjson;
	struct ns_err err;
	int r = -1;
	if (!text || !expect)
		return -1;
	if (ns_manifest_parse("manifest.yaml", text, len, &m, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", name, err.msg);
		return -1;
	}
	ns_autofree char *json = json_text(&m);
	if (!json || strncmp(json, expect, strlen(json)) || strcmp(expect + strlen(json), "\n")) {
		fprintf(stderr, "  %s: JSON differs from %s.json:\n%s\n", name, name, json);
		goto out;
	}
	if (yaml_round_trip(name, &m) < 0)
		goto out;
	if (ns_manifest_parse("manifest.json", json, strlen(json), &fromjson, &err) < 0) {
		fprintf(stderr, "  %s: JSON input: %s\n", name, err.msg);
		goto out;
	}
	r = ns_manifest_equal(&m, &fromjson) ? 0 : -1;
	if (r < 0)
		fprintf(stderr, "  %s: the JSON reads back differently\n", name);
	ns_manifest_free(&fromjson);
out:
	ns_manifest_free(&m);
	return r;
}

static int test_examples(void)
{
	char dir[1024], **names;
	int n = list_yaml(corpus_dir("examples", dir, sizeof(dir)), &names), failed = 0;
	if (n < 0) {
		fprintf(stderr, "  cannot read %s\n", dir);
		return NS_TEST_FAIL;
	}
	for (int i = 0; i < n; i++) {
		failed += check_example(dir, names[i]) < 0;
		free(names[i]);
	}
	free(names);
	CHECK(n >= 22); /* every Northstar example */
	CHECK_INT(failed, 0);
	return 0;
}

NS_TEST_MAIN(T(test_bad_corpus), T(test_examples))
