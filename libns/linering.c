/* The line ring (linering.h). Records are a 16-byte header (time in milliseconds, text
 * length, stream, flags; little-endian, so the layout does not depend on padding) and
 * the text, laid end to end in a circular buffer; either may wrap around its end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linering.h"

#define F_TRUNCATED 1u

int ns_linering_init(struct ns_linering *r, size_t cap, struct ns_err *err)
{
	memset(r, 0, sizeof(*r));
	if (cap < NS_LINERING_MIN)
		return ns_err_set(err, EINVAL, "line ring of %zu bytes: at least %d are needed",
				  cap, NS_LINERING_MIN);
	r->buf = malloc(cap);
	if (!r->buf)
		return ns_err_set(err, ENOMEM, "line ring of %zu bytes: out of memory", cap);
	r->cap = cap;
	return 0;
}

void ns_linering_free(struct ns_linering *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void ns_linering_clear(struct ns_linering *r)
{
	r->head = r->used = r->count = 0;
	r->first = r->evicted = 0;
}

static void put(struct ns_linering *r, size_t off, const void *p, size_t n)
{
	size_t first = r->cap - off < n ? r->cap - off : n;
	memcpy(r->buf + off, p, first);
	memcpy(r->buf, (const unsigned char *)p + first, n - first);
}

static void get(const struct ns_linering *r, size_t off, void *p, size_t n)
{
	size_t first = r->cap - off < n ? r->cap - off : n;
	memcpy(p, r->buf + off, first);
	memcpy((unsigned char *)p + first, r->buf, n - first);
}

static size_t wrap(const struct ns_linering *r, size_t off)
{
	return off >= r->cap ? off - r->cap : off;
}

struct hdr {
	uint64_t time_ms;
	uint32_t len;
	unsigned char stream, flags;
};

static void hdr_put(struct ns_linering *r, size_t off, const struct hdr *h)
{
	unsigned char b[NS_LINERING_HDR] = {0};
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(h->time_ms >> (8 * i));
	for (int i = 0; i < 4; i++)
		b[8 + i] = (unsigned char)(h->len >> (8 * i));
	b[12] = h->stream;
	b[13] = h->flags;
	put(r, off, b, sizeof(b));
}

static void hdr_get(const struct ns_linering *r, size_t off, struct hdr *h)
{
	unsigned char b[NS_LINERING_HDR];
	get(r, off, b, sizeof(b));
	*h = (struct hdr){0};
	for (int i = 0; i < 8; i++)
		h->time_ms |= (uint64_t)b[i] << (8 * i);
	for (int i = 0; i < 4; i++)
		h->len |= (uint32_t)b[8 + i] << (8 * i);
	h->stream = b[12];
	h->flags = b[13];
}

static void drop_oldest(struct ns_linering *r)
{
	struct hdr h;
	hdr_get(r, r->head, &h);
	size_t n = NS_LINERING_HDR + h.len;
	r->head = wrap(r, r->head + n);
	r->used -= n;
	r->count--;
	r->first++;
	r->evicted++;
}

uint64_t ns_linering_push(struct ns_linering *r, unsigned stream, uint64_t time_ms, const char *s,
			  size_t n)
{
	if (!r->buf)
		return 0;
	struct hdr h = {.time_ms = time_ms, .stream = (unsigned char)stream};
	size_t room = r->cap - NS_LINERING_HDR;
	if (room > UINT32_MAX)
		room = UINT32_MAX;
	if (n > room) {
		n = room;
		h.flags |= F_TRUNCATED;
	}
	h.len = (uint32_t)n;
	while (r->count && r->used + NS_LINERING_HDR + n > r->cap)
		drop_oldest(r);
	if (!r->count)
		r->head = 0; /* empty: start at the beginning, so the record need not wrap */
	size_t at = wrap(r, r->head + r->used);
	hdr_put(r, at, &h);
	if (n)
		put(r, wrap(r, at + NS_LINERING_HDR), s, n);
	r->used += NS_LINERING_HDR + n;
	r->count++;
	return r->first + r->count - 1;
}

void ns_linering_begin(const struct ns_linering *r, struct ns_linering_iter *it)
{
	it->off = r->head;
	it->left = r->used;
	it->seq = r->first;
}

bool ns_linering_next(const struct ns_linering *r, struct ns_linering_iter *it,
		      struct ns_linering_line *l, char *buf, size_t size)
{
	if (!it->left || !r->buf)
		return false;
	struct hdr h;
	hdr_get(r, it->off, &h);
	*l = (struct ns_linering_line){.seq = it->seq,
				       .time_ms = h.time_ms,
				       .stream = h.stream,
				       .truncated = h.flags & F_TRUNCATED,
				       .len = h.len};
	if (size) {
		size_t k = h.len < size - 1 ? h.len : size - 1;
		get(r, wrap(r, it->off + NS_LINERING_HDR), buf, k);
		buf[k] = '\0';
	}
	size_t n = NS_LINERING_HDR + h.len;
	it->off = wrap(r, it->off + n);
	it->left -= n;
	it->seq++;
	return true;
}
