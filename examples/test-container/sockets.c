/* test-container: the socket command (tc.h). The runtime creates the manifest's sockets
 * and passes each bound fd as NORTHSTAR_SOCKET_<name>; the test checks that the fd and
 * the file the runtime bound it to (seen through the /unix-sockets mount) are two ends
 * of one working socket. A listener thread serves the fd while the main thread connects
 * to the path:
 *   datagram      10 datagrams "Hello!" arrive on the fd
 *   stream        10 rounds of "Hello!" echoed back through an accepted connection
 *   seq-packet    10 packets arrive through an accepted connection
 *   no_permission the socket file has mode 0000: connect must fail with EACCES
 * Every receive times out after 5 s, so a broken setup fails instead of hanging. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "examples/common/example.h"
#include "tc.h"

#define ROUNDS	10
#define MESSAGE "Hello!"
#define MSGLEN	(sizeof(MESSAGE) - 1)

struct listener {
	int fd, type;
	char error[256]; /* empty when everything arrived */
};

static void set_timeout(int fd)
{
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Reads exactly len bytes (a stream may split a message). */
static int read_full(int fd, char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = recv(fd, buf + off, len - off, 0);
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		off += (size_t)n;
	}
	return 0;
}

static void *listen_thread(void *arg)
{
	struct listener *l = arg;
	int fd = l->fd;
	if (l->type != SOCK_DGRAM && (fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		snprintf(l->error, sizeof(l->error), "accept: %s", strerror(errno));
		return NULL;
	}
	set_timeout(fd);
	for (int i = 0; i < ROUNDS; i++) {
		char buf[64];
		int r = l->type == SOCK_STREAM ? read_full(fd, buf, MSGLEN)
					       : (int)recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && l->type != SOCK_STREAM)
			r = -errno;
		if (r < 0) {
			snprintf(l->error, sizeof(l->error), "receive %d: %s", i, strerror(-r));
			break;
		}
		if (l->type != SOCK_STREAM && (size_t)r != MSGLEN) {
			snprintf(l->error, sizeof(l->error), "receive %d: %d bytes", i, r);
			break;
		}
		if (memcmp(buf, MESSAGE, MSGLEN)) {
			snprintf(l->error, sizeof(l->error), "receive %d: wrong bytes", i);
			break;
		}
		if (l->type == SOCK_STREAM && send(fd, buf, MSGLEN, MSG_NOSIGNAL) != MSGLEN) {
			snprintf(l->error, sizeof(l->error), "echo %d: %s", i, strerror(errno));
			break;
		}
	}
	if (fd != l->fd)
		close(fd);
	return NULL;
}

/* The main thread's side: sends, and for a stream checks every echo. */
static int talk(int fd, int type, char *error, size_t size)
{
	for (int i = 0; i < ROUNDS; i++) {
		char buf[MSGLEN];
		if (send(fd, MESSAGE, MSGLEN, MSG_NOSIGNAL) != MSGLEN) {
			snprintf(error, size, "send %d: %s", i, strerror(errno));
			return -1;
		}
		if (type != SOCK_STREAM)
			continue;
		int r = read_full(fd, buf, MSGLEN);
		if (r < 0 || memcmp(buf, MESSAGE, MSGLEN)) {
			snprintf(error, size, "echo %d: %s", i, r < 0 ? strerror(-r) : "mismatch");
			return -1;
		}
	}
	return 0;
}

static int socket_path(const char *name, struct sockaddr_un *a)
{
	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	int n = snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s:%s",
			 ex_env("SOCKET_DIR", "/unix-sockets"),
			 ex_container("test-container:0.0.1"), name);
	return n < (int)sizeof(a->sun_path) ? 0 : -1;
}

static int expect_denied(const struct sockaddr_un *a)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = fd < 0 ? -1 : connect(fd, (const struct sockaddr *)a, sizeof(*a));
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (r == 0) {
		fprintf(stderr, "Error: connect to %s succeeded\n", a->sun_path);
		return 1;
	}
	if (e != EACCES) {
		fprintf(stderr, "Error: connect to %s: %s (expected EACCES)\n", a->sun_path,
			strerror(e));
		return 1;
	}
	printf("Connecting to %s failed as expected: %s\n", a->sun_path, strerror(e));
	return 0;
}

static int type_of(const char *name)
{
	if (!strcmp(name, "datagram"))
		return SOCK_DGRAM;
	if (!strcmp(name, "stream"))
		return SOCK_STREAM;
	if (!strcmp(name, "seq-packet"))
		return SOCK_SEQPACKET;
	return -1;
}

static int check_socket(const char *name, const struct sockaddr_un *a, struct listener *l)
{
	char env[128], error[256] = "";
	snprintf(env, sizeof(env), "NORTHSTAR_SOCKET_%s", name);
	l->type = type_of(name);
	if ((l->fd = ex_env_fd(env)) < 0 || l->type < 0) {
		fprintf(stderr, "Error: %s\n", l->type < 0 ? "unknown socket" : "no fd in the env");
		return 1;
	}
	int type;
	socklen_t len = sizeof(type);
	if (getsockopt(l->fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != l->type) {
		fprintf(stderr, "Error: %s=%d is not a socket of the declared type\n", env, l->fd);
		return 1;
	}
	set_timeout(l->fd);
	pthread_t t;
	if (pthread_create(&t, NULL, listen_thread, l) != 0) {
		fprintf(stderr, "Error: cannot start the listener thread\n");
		return 1;
	}
	printf("Connecting to %s\n", a->sun_path);
	int fd = socket(AF_UNIX, l->type | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0) {
		snprintf(error, sizeof(error), "connect: %s", strerror(errno));
	} else {
		set_timeout(fd);
		talk(fd, l->type, error, sizeof(error));
	}
	if (fd >= 0)
		close(fd); /* ends the stream listener's connection too */
	/* After a failure here the listener may wait for data that never comes: no join. */
	if (!error[0]) {
		pthread_join(t, NULL);
		snprintf(error, sizeof(error), "%s", l->error);
	}
	if (error[0]) {
		fprintf(stderr, "Error: %s\n", error);
		return 1;
	}
	printf("%d messages through %s\n", ROUNDS, name);
	return 0;
}

int tc_socket(const char *name)
{
	struct sockaddr_un a;
	if (socket_path(name, &a) < 0) {
		fprintf(stderr, "Error: socket path too long\n");
		return 1;
	}
	if (!strcmp(name, "no_permission"))
		return expect_denied(&a);
	static struct listener l; /* outlives an unjoined thread */
	return check_socket(name, &a, &l);
}
