#include "outq.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Setting O_NONBLOCK on the descriptor we were given would change the file description
 * we share with whoever else holds it (the shell that started us, a supervisor, the
 * other end of `2>&1`): their writes would start failing with EAGAIN. So the flag is
 * never touched. Instead, by the kind of file:
 * - a regular file or block device: write() waits for the disk, never for a reader,
 *   and O_NONBLOCK would change nothing there: written directly;
 * - a socket (a supervisor's log stream): send(MSG_DONTWAIT) makes one call
 *   non-blocking without touching the description;
 * - a pipe, FIFO or character device (a tty, a serial console): /proc/self/fd/N is
 *   opened again, which gives a new description of the same pipe or device, and that
 *   one is ours to make non-blocking;
 * - when that open fails (no /proc, a FIFO whose reader went away, a device that refuses
 *   a second open): poll() for POLLOUT before each write, and write at most PIPE_BUF.
 *   A pipe that polls writable has a free page, which takes PIPE_BUF bytes without
 *   waiting. This is the weakest of the four: another writer on the same pipe may fill
 *   it between our poll and our write, and a tty may have less room than PIPE_BUF; then
 *   the write waits until the reader makes room, as every write did before. */
static enum ns_outq_mode choose(int fd, int *out_fd)
{
	struct stat st, st2;
	*out_fd = fd;
	if (fstat(fd, &st) < 0)
		return NS_OUTQ_POLL;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return NS_OUTQ_DIRECT;
	if (S_ISSOCK(st.st_mode))
		return NS_OUTQ_SEND;
	char path[40];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return NS_OUTQ_POLL;
	/* the same pipe or device, not a file of the same name */
	if (fstat(nfd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    st2.st_rdev != st.st_rdev) {
		close(nfd);
		return NS_OUTQ_POLL;
	}
	*out_fd = nfd;
	return NS_OUTQ_NONBLOCK;
}

int ns_outq_open(struct ns_outq *q, int fd, size_t cap, size_t reserve, struct ns_err *err)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	if (reserve >= cap)
		return ns_err_set(err, EINVAL, "output queue: reserve %zu not below size %zu",
				  reserve, cap);
	q->buf = malloc(cap);
	if (!q->buf)
		return ns_err_set(err, ENOMEM, "output queue of %zu bytes: out of memory", cap);
	q->cap = cap;
	q->reserve = reserve;
	q->mode = choose(fd, &q->fd);
	q->own_fd = q->fd != fd;
	return 0;
}

void ns_outq_close(struct ns_outq *q)
{
	if (q->own_fd && q->fd >= 0)
		close(q->fd);
	free(q->buf);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

bool ns_outq_room(const struct ns_outq *q, size_t n, bool urgent)
{
	size_t limit = urgent ? q->cap : q->cap - q->reserve;
	return q->buf && n <= limit && q->len <= limit - n;
}

bool ns_outq_push(struct ns_outq *q, const void *p, size_t n, bool urgent)
{
	if (!ns_outq_room(q, n, urgent))
		return false;
	if (q->head + q->len + n > q->cap) { /* compact: pending bytes to the front */
		memmove(q->buf, q->buf + q->head, q->len);
		q->head = 0;
	}
	memcpy(q->buf + q->head + q->len, p, n);
	q->len += n;
	return true;
}

/* One write of at most n bytes; bytes written, 0 when it would wait, or -errno. */
static ssize_t write_some(struct ns_outq *q, const char *p, size_t n)
{
	ssize_t w;
	if (q->mode == NS_OUTQ_POLL) {
		struct pollfd pfd = {.fd = q->fd, .events = POLLOUT};
		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT))
			return (pfd.revents & (POLLERR | POLLNVAL)) ? -EPIPE : 0;
	}
	do {
		if (q->mode == NS_OUTQ_SEND)
			w = send(q->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(q->fd, p, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	return w;
}

size_t ns_outq_flush(struct ns_outq *q)
{
	while (q->len) {
		const char *p = q->buf + q->head;
		size_t n = q->len;
		/* At most PIPE_BUF, ending at a line's end where one is: such a write to a
		 * pipe is atomic, so a record never interleaves with another writer's. */
		if (q->mode != NS_OUTQ_DIRECT && n > PIPE_BUF) {
			const char *nl = memrchr(p, '\n', PIPE_BUF);
			n = nl ? (size_t)(nl - p) + 1 : PIPE_BUF;
		}
		ssize_t w = write_some(q, p, n);
		if (w < 0) {
			q->discarded += q->len;
			q->len = q->head = 0;
			break;
		}
		q->head += (size_t)w;
		q->len -= (size_t)w;
		if ((size_t)w < n && q->mode != NS_OUTQ_DIRECT)
			break; /* full for now (a file takes the rest on the next round) */
	}
	if (!q->len)
		q->head = 0;
	return q->len;
}

int ns_outq_wait_fd(const struct ns_outq *q)
{
	return q->mode == NS_OUTQ_DIRECT ? -1 : q->fd;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ns_outq_drain(struct ns_outq *q, int timeout_ms)
{
	long long end = mono_ms() + timeout_ms;
	while (ns_outq_flush(q)) {
		long long left = end - mono_ms();
		if (left <= 0 || q->mode == NS_OUTQ_DIRECT)
			return -ETIMEDOUT;
		struct pollfd pfd = {.fd = q->fd, .events = POLLOUT};
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}
