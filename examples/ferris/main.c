/* ferris: a program shipped in a resource container. The ferris NPK has no init of its
 * own; hello-ferris mounts it on /bin and runs /bin/ferris with a file from another
 * resource (message) as its argument. It prints each file it is given, then a crab
 * saying it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char crab[] = "    \\\n"
			   "     \\    (\\/)      (\\/)\n"
			   "      \\    \\ \\      / /\n"
			   "         .--'\\_o__o_/'--.\n"
			   "        (    \\______/    )\n"
			   "         '-.__________.-'\n"
			   "          // //    \\\\ \\\\\n";

/* Copies the file to stdout and ends it with a newline if it has none. */
static int say(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ferris: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int c, last = '\n';
	while ((c = fgetc(f)) != EOF)
		putchar(last = c);
	if (last != '\n')
		putchar('\n');
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++)
		if (say(argv[i]) < 0)
			status = 1;
	fputs(crab, stdout);
	return status;
}
