/* Zip writer producing the bytes Rust's zip 2.2.0 writes for Northstar's NPKs (see
 * spec npk-format.md §1.2 and §1.3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "io.h"
#include "util.h"
#include "zip.h"
#include "zip_format.h"

#define ALIGN_MAX 4096
/* Smallest alignment field: id, length, alignment (APPNOTE 4.6.11). */
#define ALIGN_FIELD_MIN 6

void ns_zip_writer_init(struct ns_zip_writer *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
}

static int put(struct ns_zip_writer *w, const void *data, size_t len, struct ns_err *err)
{
	if (w->off + len >= ZIP_U32_LIMIT)
		return ns_err_set(err, EFBIG, "zip archive would reach 4 GiB, which needs ZIP64");
	int r = ns_pwrite_full(w->fd, data, len, w->off);
	if (r < 0)
		return ns_err_sys(err, -r, "write zip archive at offset %llu",
				  (unsigned long long)w->off);
	w->off += len;
	return 0;
}

/* Padding so the data after a header ending at `end` starts at a multiple of align:
 * at least the 6 bytes of the field itself, as zip 2.2.0 computes it. */
static uint16_t alignment_pad(uint64_t end, uint16_t align)
{
	if (align <= 1 || end % align == 0)
		return 0;
	uint64_t pad = align - end % align;
	while (pad < ALIGN_FIELD_MIN)
		pad += align;
	return (uint16_t)pad;
}

static void put_alignment_field(uint8_t *p, uint16_t pad, uint16_t align)
{
	memset(p, 0, pad);
	ns_put_le16(p, ZIP_EXTRA_ALIGNMENT);
	ns_put_le16(p + 2, (uint16_t)(pad - 4));
	ns_put_le16(p + 4, align);
}

/* The fields local and central headers share, from "version needed" to the name length. */
static void put_common(uint8_t *p, const struct ns_zip_wentry *e)
{
	ns_put_le16(p, ZIP_VERSION_NEEDED);
	ns_put_le16(p + 2, 0); /* flags: no data descriptor, ASCII names */
	ns_put_le16(p + 4, 0); /* stored */
	ns_put_le16(p + 6, ZIP_DOS_TIME);
	ns_put_le16(p + 8, ZIP_DOS_DATE);
	ns_put_le32(p + 10, e->crc);
	ns_put_le32(p + 14, (uint32_t)e->size);
	ns_put_le32(p + 18, (uint32_t)e->size);
	ns_put_le16(p + 22, (uint16_t)strlen(e->name));
	ns_put_le16(p + 24, e->pad);
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > NS_ZIP_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] >= 0x7f || name[i] == '/' || name[i] == '\\')
			return false;
	return true;
}

int ns_zip_writer_begin(struct ns_zip_writer *w, const char *name, uint16_t align,
			struct ns_err *err)
{
	if (w->open)
		return ns_err_set(err, EINVAL, "zip entry '%s' begun inside another entry", name);
	if (w->n == NS_ZIP_MAX_ENTRIES)
		return ns_err_set(err, EINVAL, "more than %d zip entries", NS_ZIP_MAX_ENTRIES);
	if (!name_ok(name))
		return ns_err_set(err, EINVAL, "invalid zip entry name '%s'", name);
	if (align > ALIGN_MAX)
		return ns_err_set(err, EINVAL, "zip alignment %u is above %d", align, ALIGN_MAX);
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->e[i].name, name))
			return ns_err_set(err, EINVAL, "duplicate zip entry '%s'", name);

	struct ns_zip_wentry *e = &w->e[w->n];
	memset(e, 0, sizeof(*e));
	strcpy(e->name, name);
	e->lfh_offset = w->off;
	e->align = align;
	size_t nlen = strlen(name);
	e->pad = alignment_pad(w->off + ZIP_LFH_SIZE + nlen, align);

	uint8_t h[ZIP_LFH_SIZE + NS_ZIP_NAME_MAX + ALIGN_MAX + ALIGN_FIELD_MIN];
	ns_put_le32(h, ZIP_SIG_LFH);
	put_common(h + 4, e); /* CRC and sizes are patched in at the end */
	memcpy(h + ZIP_LFH_SIZE, name, nlen);
	if (e->pad)
		put_alignment_field(h + ZIP_LFH_SIZE + nlen, e->pad, align);
	int r = put(w, h, ZIP_LFH_SIZE + nlen + e->pad, err);
	if (r < 0)
		return r;
	e->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	w->open = true;
	return 0;
}

int ns_zip_writer_write(struct ns_zip_writer *w, const void *data, size_t len, struct ns_err *err)
{
	if (!w->open)
		return ns_err_set(err, EINVAL, "zip data written outside an entry");
	struct ns_zip_wentry *e = &w->e[w->n];
	int r = put(w, data, len, err);
	if (r < 0)
		return ns_err_wrap(err, "zip entry '%s'", e->name);
	for (size_t done = 0; done < len;) { /* zlib takes 32-bit lengths */
		uInt n = len - done > (1u << 30) ? (1u << 30) : (uInt)(len - done);
		e->crc = (uint32_t)crc32(e->crc, (const Bytef *)data + done, n);
		done += n;
	}
	e->size += len;
	return 0;
}

int ns_zip_writer_copy(struct ns_zip_writer *w, int in, uint64_t in_off, uint64_t len,
		       struct ns_err *err)
{
	const size_t chunk = 1 << 18;
	ns_autofree uint8_t *buf = malloc(chunk);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	while (len) {
		size_t want = len < chunk ? (size_t)len : chunk;
		ssize_t n = ns_pread_full(in, buf, want, in_off);
		if (n < 0)
			return ns_err_sys(err, (int)-n, "read input at offset %llu",
					  (unsigned long long)in_off);
		if ((size_t)n != want)
			return ns_err_set(err, EIO, "input ends early at offset %llu",
					  (unsigned long long)(in_off + (uint64_t)n));
		int r = ns_zip_writer_write(w, buf, want, err);
		if (r < 0)
			return r;
		in_off += want;
		len -= want;
	}
	return 0;
}

int ns_zip_writer_end(struct ns_zip_writer *w, struct ns_err *err)
{
	if (!w->open)
		return ns_err_set(err, EINVAL, "zip entry ended without a begin");
	struct ns_zip_wentry *e = &w->e[w->n];
	uint8_t fields[12];
	ns_put_le32(fields, e->crc);
	ns_put_le32(fields + 4, (uint32_t)e->size);
	ns_put_le32(fields + 8, (uint32_t)e->size);
	int r = ns_pwrite_full(w->fd, fields, sizeof(fields), e->lfh_offset + 14);
	if (r < 0)
		return ns_err_sys(err, -r, "write zip local header of '%s'", e->name);
	w->open = false;
	w->n++;
	return 0;
}

int ns_zip_writer_add(struct ns_zip_writer *w, const char *name, const void *data, size_t len,
		      struct ns_err *err)
{
	int r = ns_zip_writer_begin(w, name, 0, err);
	if (r >= 0)
		r = ns_zip_writer_write(w, data, len, err);
	if (r >= 0)
		r = ns_zip_writer_end(w, err);
	return r;
}

static int put_central_record(struct ns_zip_writer *w, const struct ns_zip_wentry *e,
			      struct ns_err *err)
{
	uint8_t h[ZIP_CDH_SIZE + NS_ZIP_NAME_MAX + ALIGN_MAX + ALIGN_FIELD_MIN];
	size_t nlen = strlen(e->name);
	ns_put_le32(h, ZIP_SIG_CDH);
	ns_put_le16(h + 4, ZIP_VERSION_MADE_BY);
	put_common(h + 6, e);
	ns_put_le16(h + 32, 0); /* comment length */
	ns_put_le16(h + 34, 0); /* disk */
	ns_put_le16(h + 36, 0); /* internal attributes */
	ns_put_le32(h + 38, ZIP_EXTERNAL_ATTR);
	ns_put_le32(h + 42, (uint32_t)e->lfh_offset);
	memcpy(h + ZIP_CDH_SIZE, e->name, nlen);
	if (e->pad) /* zip 2.x repeats the local alignment field here */
		put_alignment_field(h + ZIP_CDH_SIZE + nlen, e->pad, e->align);
	return put(w, h, ZIP_CDH_SIZE + nlen + e->pad, err);
}

int ns_zip_writer_finish(struct ns_zip_writer *w, const char *comment, size_t comment_len,
			 struct ns_err *err)
{
	if (w->open)
		return ns_err_set(err, EINVAL, "zip entry '%s' was not ended", w->e[w->n].name);
	if (comment_len > NS_ZIP_COMMENT_MAX)
		return ns_err_set(err, EINVAL, "zip comment of %zu bytes; at most %d are allowed",
				  comment_len, NS_ZIP_COMMENT_MAX);
	uint64_t cd_offset = w->off;
	for (size_t i = 0; i < w->n; i++) {
		int r = put_central_record(w, &w->e[i], err);
		if (r < 0)
			return r;
	}
	uint8_t eocd[ZIP_EOCD_SIZE + NS_ZIP_COMMENT_MAX];
	memset(eocd, 0, ZIP_EOCD_SIZE);
	ns_put_le32(eocd, ZIP_SIG_EOCD);
	ns_put_le16(eocd + 8, (uint16_t)w->n);
	ns_put_le16(eocd + 10, (uint16_t)w->n);
	ns_put_le32(eocd + 12, (uint32_t)(w->off - cd_offset));
	ns_put_le32(eocd + 16, (uint32_t)cd_offset);
	ns_put_le16(eocd + 20, (uint16_t)comment_len);
	memcpy(eocd + ZIP_EOCD_SIZE, comment, comment_len);
	return put(w, eocd, ZIP_EOCD_SIZE + comment_len, err);
}
