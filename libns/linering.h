/* A bounded ring of text lines: the newest lines that fit in a fixed number of bytes,
 * each with a stream number and a timestamp. A push drops the oldest lines to make
 * room; a line longer than the whole ring is cut to what fits and marked truncated.
 * Pure data structure: no I/O, no locking, memory allocated once at init. */
#ifndef NS_LINERING_H
#define NS_LINERING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* What each line costs beside its text (time, length, stream, flags). */
#define NS_LINERING_HDR 16
/* The smallest ring: a header and a few bytes of text. */
#define NS_LINERING_MIN 64

struct ns_linering {
	unsigned char *buf; /* NULL: not set up */
	size_t cap;	    /* bytes */
	size_t head;	    /* where the oldest record starts */
	size_t used;	    /* bytes held by records */
	size_t count;	    /* lines held */
	uint64_t first;	    /* number of the oldest line held (lines are numbered from 0) */
	uint64_t evicted;   /* lines dropped to make room since init or clear */
};

struct ns_linering_line {
	uint64_t seq;	  /* its number */
	uint64_t time_ms; /* as pushed */
	unsigned stream;  /* as pushed (0..255) */
	bool truncated;	  /* cut at push: it was longer than the ring */
	size_t len;	  /* bytes of text as stored (the copy may be shorter) */
};

struct ns_linering_iter {
	size_t off, left; /* the next record; bytes of records left */
	uint64_t seq;
};

/* cap bytes, at least NS_LINERING_MIN (EINVAL otherwise; ENOMEM). */
int ns_linering_init(struct ns_linering *r, size_t cap, struct ns_err *err);
/* Frees the memory; r is then empty and not set up. Safe on a zeroed or freed ring. */
void ns_linering_free(struct ns_linering *r);
/* Forgets every line (numbering and counts start again); keeps the memory. */
void ns_linering_clear(struct ns_linering *r);
/* Appends a line (n bytes of any value, not NUL-terminated); stream is kept modulo 256.
 * Returns its number. */
uint64_t ns_linering_push(struct ns_linering *r, unsigned stream, uint64_t time_ms, const char *s,
			  size_t n);

/* Iterates from the oldest line held to the newest. next copies the text into buf (size
 * bytes, NUL-terminated, cut when the line is longer: compare l->len) and returns false
 * once every line was seen. The ring must not change during an iteration. */
void ns_linering_begin(const struct ns_linering *r, struct ns_linering_iter *it);
bool ns_linering_next(const struct ns_linering *r, struct ns_linering_iter *it,
		      struct ns_linering_line *l, char *buf, size_t size);

#endif
