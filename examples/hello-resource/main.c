/* hello-resource: reads data that another container provides. The message resource is
 * mounted read-only on /message (the manifest asks for version >= 0.0.2, and the
 * runtime picks the highest installed match). Every second it prints each file there.
 * A directory argument replaces /message outside a container. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/common/example.h"

static void print_file(unsigned long round, const char *dir, const char *name)
{
	char path[4096], buf[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "re");
	if (!f) {
		printf("%lu: Cannot read %s: %s\n", round, path, strerror(errno));
		return;
	}
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	printf("%lu: Content of %s: %s\n", round, path, buf);
}

static int regular(const struct dirent *e)
{
	return e->d_type == DT_REG;
}

int main(int argc, char **argv)
{
	ex_line_buffered();
	const char *dir = argc > 1 ? argv[1] : "/message";
	for (unsigned long round = 0;; round++) {
		struct dirent **names;
		int n = scandir(dir, &names, regular, alphasort);
		if (n < 0)
			ex_die("hello-resource", "%s: %s", dir, strerror(errno));
		for (int i = 0; i < n; i++) {
			print_file(round, dir, names[i]->d_name);
			free(names[i]);
		}
		free(names);
		ex_sleep_ms(1000);
	}
}
