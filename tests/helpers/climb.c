/* climb: the classic chroot escape, for the PID-1 tests (tests/vm/pid1_boot.sh,
 * tests/integration/pid1.sh): chroot(DIR) without changing directory, climb ".." as
 * far as it goes, chroot(".") there, and list what "/" then holds.
 *
 * usage: climb DIR
 * Prints "climb: / holds: NAME..." (sorted, dot entries included) and exits 0, or
 * "climb: chroot DIR: ERROR" and exits 1 when the first chroot is refused. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: climb DIR\n");
		return 2;
	}
	if (chroot(argv[1]) < 0) {
		printf("climb: chroot %s: %s\n", argv[1],
		       errno == EPERM ? "EPERM" : strerror(errno));
		return 1;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		printf("climb: chroot .: %s\n", strerror(errno));
		return 1;
	}
	struct dirent **names;
	int n = scandir("/", &names, NULL, NULL);
	if (n < 0) {
		printf("climb: scandir /: %s\n", strerror(errno));
		return 1;
	}
	char **v = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; v && i < n; i++)
		v[i] = names[i]->d_name;
	qsort(v, (size_t)n, sizeof(char *), cmp);
	printf("climb: / holds:");
	for (int i = 0; v && i < n; i++)
		if (strcmp(v[i], ".") && strcmp(v[i], ".."))
			printf(" %s", v[i]);
	printf("\n");
	return 0;
}
