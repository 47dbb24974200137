/* A bounded queue of bytes in front of a descriptor that the caller must never wait
 * on: the daemon's log sink (a pipe to a slow reader, a serial console) and the copies
 * of io: inherit output. Bytes are accepted whole or refused, so a caller can count
 * what it dropped; a share of the queue (the reserve) takes only urgent bytes. */
#ifndef NS_OUTQ_H
#define NS_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* How the descriptor is written without waiting (see outq.c for why each). */
enum ns_outq_mode {
	NS_OUTQ_DIRECT,	  /* regular file or block device: write() never waits for a reader */
	NS_OUTQ_NONBLOCK, /* our own reopened description with O_NONBLOCK */
	NS_OUTQ_SEND,	  /* a socket: send(MSG_DONTWAIT) */
	NS_OUTQ_POLL,	  /* none of those: poll() before each write of at most PIPE_BUF */
};

struct ns_outq {
	int fd;	     /* what is written to */
	bool own_fd; /* fd is our own description (closed with the queue) */
	enum ns_outq_mode mode;
	char *buf;
	size_t cap, head, len; /* pending bytes are buf[head..head+len) */
	size_t reserve;	       /* the last bytes of cap, for urgent pushes only */
	size_t discarded;      /* bytes thrown away after a write failed for good */
};

/* A queue of cap bytes for fd (which stays open and keeps its flags), reserve of them
 * for urgent pushes. */
int ns_outq_open(struct ns_outq *q, int fd, size_t cap, size_t reserve, struct ns_err *err);
void ns_outq_close(struct ns_outq *q);
/* Whether n more bytes would be accepted now. */
bool ns_outq_room(const struct ns_outq *q, size_t n, bool urgent);
/* Queues all n bytes, or nothing (false) when they do not fit. */
bool ns_outq_push(struct ns_outq *q, const void *p, size_t n, bool urgent);
/* Writes what the descriptor takes now, without waiting; returns the bytes still
 * pending. A write that fails for good (EPIPE, EIO, ENOSPC) discards what is pending:
 * a dead sink must not hold the queue full forever. */
size_t ns_outq_flush(struct ns_outq *q);
/* The descriptor to wait on for POLLOUT while bytes are pending, or -1 (direct mode:
 * nothing ever stays pending). */
int ns_outq_wait_fd(const struct ns_outq *q);
/* At exit: flushes, waiting for POLLOUT at most timeout_ms in all. Returns 0, or
 * -ETIMEDOUT when bytes were left (they stay queued). */
int ns_outq_drain(struct ns_outq *q, int timeout_ms);

#endif
