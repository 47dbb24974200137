#include <errno.h>
#include <string.h>

#include "libns/group.h"
#include "testlib.h"

static int parse(const char *line, uint32_t *gid)
{
	const char *name;
	size_t len;
	return ns_group_parse_line(line, strlen(line), &name, &len, gid);
}

static int test_parse_line(void)
{
	const char *name;
	size_t len;
	uint32_t gid = 0;
	const char *l = "audio:x:29:pulse,bob";
	CHECK_INT(ns_group_parse_line(l, strlen(l), &name, &len, &gid), 0);
	CHECK_INT(len, 5);
	CHECK(strncmp(name, "audio", len) == 0);
	CHECK_INT(gid, 29);
	CHECK_INT(parse("nomembers:x:7", &gid), 0); /* members are optional */
	CHECK_INT(gid, 7);
	CHECK_INT(parse("max:x:4294967294:", &gid), 0);
	CHECK_INT(gid, 4294967294u);
	return 0;
}

static int test_bad_lines(void)
{
	uint32_t gid;
	static const char *const bad[] = {
	    "",			   /* blank */
	    "# comment:x:1:",	   /* comment */
	    "+nis:x:1:",	   /* NIS compat */
	    "-nis:x:1:",	   /* NIS compat */
	    ":x:5:",		   /* empty name */
	    "onlyname",		   /* one field */
	    "two:x",		   /* two fields */
	    "neg:x:-1:",	   /* sign */
	    "plus:x:+1:",	   /* sign */
	    "hex:x:0x10:",	   /* not decimal */
	    "space:x: 10:",	   /* leading blank */
	    "trail:x:10 :",	   /* trailing blank */
	    "empty:x::",	   /* empty gid */
	    "nogid:x:4294967295:", /* (gid_t)-1 */
	    "huge:x:99999999999:", /* overflow */
	    "cr:x:10\r",	   /* DOS line end */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &gid) != -EINVAL) {
			fprintf(stderr, "  accepted bad line '%s'\n", bad[i]);
			return NS_TEST_FAIL;
		}
	}
	const char nul[] = "nul\0x:x:3:";
	const char *name;
	size_t len;
	CHECK_INT(ns_group_parse_line(nul, sizeof(nul) - 1, &name, &len, &gid), -EINVAL);
	return 0;
}

static int test_find(void)
{
	static const char text[] = "root:x:0:\n"
				   "garbage line\n"
				   "video:x:abc:\n" /* bad, skipped: the next 'video' wins */
				   "video:x:44:\n"
				   "\n"
				   "video:x:45:\n" /* a later duplicate loses */
				   "+:::\n"
				   "vid:x:46:\n"
				   "last:x:1000"; /* no final newline */
	uint32_t gid = 0;
	CHECK_INT(ns_group_find(text, strlen(text), "video", &gid), 1);
	CHECK_INT(gid, 44);
	CHECK_INT(ns_group_find(text, strlen(text), "vid", &gid), 1);
	CHECK_INT(gid, 46);
	CHECK_INT(ns_group_find(text, strlen(text), "last", &gid), 1);
	CHECK_INT(gid, 1000);
	CHECK_INT(ns_group_find(text, strlen(text), "root", &gid), 1);
	CHECK_INT(gid, 0);
	CHECK_INT(ns_group_find(text, strlen(text), "vide", &gid), 0); /* no prefix match */
	CHECK_INT(ns_group_find(text, strlen(text), "garbage line", &gid), 0);
	CHECK_INT(ns_group_find(text, strlen(text), "", &gid), 0);
	CHECK_INT(ns_group_find("", 0, "video", &gid), 0);
	/* the length bounds the text: the last line cut short is a bad line */
	CHECK_INT(ns_group_find(text, strlen(text) - 4, "last", &gid), 0);
	return 0;
}

NS_TEST_MAIN(T(test_parse_line), T(test_bad_lines), T(test_find))
