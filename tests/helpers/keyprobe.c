/* keyprobe: kernel keyrings for tests/integration/sec_keyring.sh (raw system calls, no
 * libkeyutils).
 *
 * usage: keyprobe plant DESC SECRET PROG [ARGS...]
 *          join a fresh session keyring, add the "user" key DESC holding SECRET to it,
 *          print "planted keyring=SERIAL" on stderr, and exec PROG (the daemon)
 *        keyprobe add DESC SECRET      add the "user" key DESC to the session keyring
 *        keyprobe read DESC            the key DESC as this process finds it (its
 *                                      thread, process and session keyrings):
 *                                      "found SECRET" (0) or "none" (1)
 *        keyprobe session              "session=SERIAL uid=UID" of the session keyring
 * Exit status 2 on a usage or system call error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING    -3
#define KEYCTL_GET_KEYRING_ID	    0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_DESCRIBE		    6
#define KEYCTL_READ		    11

static long keyctl(long op, long a, long b, long c)
{
	return syscall(SYS_keyctl, op, a, b, c, 0L);
}

static long add(const char *desc, const char *secret)
{
	return syscall(SYS_add_key, "user", desc, secret, strlen(secret),
		       (long)KEY_SPEC_SESSION_KEYRING);
}

static int fail(const char *what)
{
	fprintf(stderr, "keyprobe: %s: %s\n", what, strerror(errno));
	return 2;
}

static int session(void)
{
	long id = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0);
	if (id < 0)
		return fail("session keyring id");
	char d[256];
	long n = keyctl(KEYCTL_DESCRIBE, id, (long)d, sizeof(d) - 1);
	if (n < 0)
		return fail("describe the session keyring");
	d[n < (long)sizeof(d) ? n : (long)sizeof(d) - 1] = '\0';
	/* "type;uid;gid;perm;description" */
	const char *uid = strchr(d, ';');
	printf("session=%ld uid=%ld\n", id, uid ? strtol(uid + 1, NULL, 10) : -1L);
	return 0;
}

static int read_key(const char *desc)
{
	long id = syscall(SYS_request_key, "user", desc, NULL, 0L);
	if (id < 0) {
		printf("none\n");
		return 1;
	}
	char buf[256];
	long n = keyctl(KEYCTL_READ, id, (long)buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("none (found %ld, unreadable)\n", id);
		return 1;
	}
	buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = '\0';
	printf("found %s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "plant") == 0) {
		long ring = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0);
		if (ring < 0)
			return fail("join a session keyring");
		if (add(argv[2], argv[3]) < 0)
			return fail("add_key");
		fprintf(stderr, "planted keyring=%ld\n", ring);
		execvp(argv[4], argv + 4);
		return fail(argv[4]);
	}
	if (argc == 4 && strcmp(argv[1], "add") == 0)
		return add(argv[2], argv[3]) < 0 ? fail("add_key") : 0;
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_key(argv[2]);
	if (argc == 2 && strcmp(argv[1], "session") == 0)
		return session();
	fprintf(stderr, "usage: keyprobe plant DESC SECRET PROG [ARGS...] | add DESC SECRET | "
			"read DESC | session\n");
	return 2;
}
