/* Strict reader for the stored-only zip archives NPKs are. See zip.h for what it
 * refuses; every refusal names the entry or the offset. */
#include "zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "io.h"
#include "util.h"
#include "zip_format.h"

#define ULL(x) ((unsigned long long)(x))

/* The central-directory fields the local header must repeat. */
struct cd_record {
	uint16_t flags, method;
};

static int read_at(int fd, void *buf, size_t len, uint64_t off, const char *what,
		   struct ns_err *err)
{
	ssize_t n = ns_pread_full(fd, buf, len, off);
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read %s at offset %llu", what, ULL(off));
	if ((size_t)n != len)
		return ns_err_set(err, EINVAL,
				  "%s at offset %llu is cut short by the end of the file", what,
				  ULL(off));
	return 0;
}

/* Entry names in messages: printable ASCII as is, anything else as \xNN. */
static const char *printable(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/* Finds the end record. It must end exactly at the end of the file, and only one
 * candidate may do so: a comment that holds a second end record would let another
 * zip reader see a different archive. */
static int find_eocd(const uint8_t *tail, size_t tail_len, uint64_t base, size_t *ret,
		     struct ns_err *err)
{
	size_t found = SIZE_MAX, short_of_end = SIZE_MAX;
	for (size_t i = tail_len - ZIP_EOCD_SIZE + 1; i-- > 0;) {
		if (ns_le32(tail + i) != ZIP_SIG_EOCD)
			continue;
		size_t end = i + ZIP_EOCD_SIZE + ns_le16(tail + i + 20);
		if (end == tail_len && found == SIZE_MAX)
			found = i;
		else if (end == tail_len)
			return ns_err_set(
			    err, EINVAL,
			    "ambiguous zip: end records at offsets %llu and %llu both "
			    "reach the end of the file",
			    ULL(base + i), ULL(base + found));
		else if (end < tail_len && short_of_end == SIZE_MAX)
			short_of_end = i;
	}
	if (found != SIZE_MAX) {
		*ret = found;
		return 0;
	}
	if (short_of_end != SIZE_MAX) {
		size_t end = short_of_end + ZIP_EOCD_SIZE + ns_le16(tail + short_of_end + 20);
		return ns_err_set(err, EINVAL,
				  "%zu trailing bytes after the zip end record (offset %llu)",
				  tail_len - end, ULL(base + short_of_end));
	}
	return ns_err_set(err, EINVAL, "not a zip file: no end of central directory record");
}

static int parse_eocd(int fd, uint64_t size, struct ns_zip *z, uint16_t *entries,
		      struct ns_err *err)
{
	size_t tail_len = size < ZIP_EOCD_SIZE + 65535 ? (size_t)size : ZIP_EOCD_SIZE + 65535;
	uint64_t base = size - tail_len;
	ns_autofree uint8_t *tail = malloc(tail_len);
	if (!tail)
		return ns_err_set(err, ENOMEM, "out of memory");
	int r = read_at(fd, tail, tail_len, base, "zip end record", err);
	size_t at = 0;
	if (r < 0 || (r = find_eocd(tail, tail_len, base, &at, err)) < 0)
		return r;
	const uint8_t *p = tail + at;
	uint64_t eocd = base + at;
	uint16_t disk = ns_le16(p + 4), cd_disk = ns_le16(p + 6);
	uint16_t n_disk = ns_le16(p + 8), n_total = ns_le16(p + 10);
	z->cd_size = ns_le32(p + 12);
	z->cd_offset = ns_le32(p + 16);
	z->comment_len = ns_le16(p + 20);
	if (at >= ZIP_Z64_LOCATOR_SIZE && ns_le32(p - ZIP_Z64_LOCATOR_SIZE) == ZIP_SIG_Z64_LOCATOR)
		return ns_err_set(err, EINVAL,
				  "ZIP64 end record locator at offset %llu: ZIP64 "
				  "archives are refused",
				  ULL(eocd - ZIP_Z64_LOCATOR_SIZE));
	if (n_total == 0xffff || z->cd_size == ZIP_U32_LIMIT || z->cd_offset == ZIP_U32_LIMIT)
		return ns_err_set(err, EINVAL,
				  "zip end record at offset %llu has ZIP64 markers: "
				  "ZIP64 archives are refused",
				  ULL(eocd));
	if (disk || cd_disk || n_disk != n_total)
		return ns_err_set(err, EINVAL,
				  "zip end record at offset %llu describes a multi-disk "
				  "archive (disk %u, directory disk %u, %u of %u entries)",
				  ULL(eocd), disk, cd_disk, n_disk, n_total);
	if (z->comment_len > NS_ZIP_COMMENT_MAX)
		return ns_err_set(err, EINVAL, "zip comment is %zu bytes; at most %d are allowed",
				  z->comment_len, NS_ZIP_COMMENT_MAX);
	memcpy(z->comment, p + ZIP_EOCD_SIZE, z->comment_len);
	z->comment[z->comment_len] = '\0';
	if (n_total == 0)
		return ns_err_set(err, EINVAL, "zip archive has no entries");
	if (n_total > NS_ZIP_MAX_ENTRIES)
		return ns_err_set(err, EINVAL, "zip archive has %u entries; at most %d are allowed",
				  n_total, NS_ZIP_MAX_ENTRIES);
	if (z->cd_offset + z->cd_size > eocd)
		return ns_err_set(err, EINVAL,
				  "zip central directory (offset %llu, %llu bytes) runs "
				  "into the end record at offset %llu",
				  ULL(z->cd_offset), ULL(z->cd_size), ULL(eocd));
	if (z->cd_offset + z->cd_size < eocd)
		return ns_err_set(err, EINVAL,
				  "%llu unowned bytes between the zip central directory "
				  "and the end record at offset %llu",
				  ULL(eocd - z->cd_offset - z->cd_size), ULL(eocd));
	*entries = n_total;
	return 0;
}

static int check_name(const char *name, size_t len, size_t idx, uint64_t off, struct ns_err *err)
{
	char shown[4 * NS_ZIP_NAME_MAX + 8];
	const char *why = NULL;
	if (len == 0)
		why = "is empty";
	else if (memchr(name, '\0', len))
		why = "contains a NUL byte";
	else if (name[0] == '/')
		why = "is an absolute path";
	else if (memchr(name, '/', len) || memchr(name, '\\', len))
		why = "contains a path separator";
	else if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		why = "is a relative path component";
	for (size_t i = 0; !why && i < len; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] >= 0x7f)
			why = "has a control or non-ASCII byte";
	if (!why)
		return 0;
	return ns_err_set(err, EINVAL,
			  "zip entry %zu (central record at offset %llu): name '%s' %s", idx,
			  ULL(off), printable(name, len, shown, sizeof(shown)), why);
}

static int check_flags_method(const char *name, uint16_t flags, uint16_t method, struct ns_err *err)
{
	if (flags & ZIP_FLAG_ENCRYPTED)
		return ns_err_set(err, EINVAL, "zip entry '%s' is encrypted", name);
	if (flags & ZIP_FLAG_DATA_DESCRIPTOR)
		return ns_err_set(err, EINVAL, "zip entry '%s' uses a data descriptor", name);
	if (flags & ~ZIP_FLAG_UTF8)
		return ns_err_set(err, EINVAL, "zip entry '%s' has unsupported flags 0x%04x", name,
				  flags);
	if (method != 0)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s' is compressed (method %u); NPK entries must be "
				  "stored",
				  name, method);
	return 0;
}

/* Only ZIP64 fields matter: they would change what sizes mean to other readers.
 * Anything else, including malformed padding, is opaque. */
static int check_extra(const char *name, const uint8_t *p, size_t len, const char *where,
		       struct ns_err *err)
{
	while (len >= 4) {
		uint16_t id = ns_le16(p), sz = ns_le16(p + 2);
		if (id == ZIP_EXTRA_ZIP64)
			return ns_err_set(err, EINVAL,
					  "zip entry '%s' has a ZIP64 extra field in its %s", name,
					  where);
		if ((size_t)sz + 4 > len)
			break;
		p += 4 + sz;
		len -= 4 + (size_t)sz;
	}
	return 0;
}

static int parse_cd_entry(const uint8_t *p, size_t avail, uint64_t off, struct ns_zip *z,
			  struct cd_record *rec, size_t *used, struct ns_err *err)
{
	size_t idx = z->n;
	if (avail < ZIP_CDH_SIZE || ns_le32(p) != ZIP_SIG_CDH)
		return ns_err_set(err, EINVAL,
				  "zip central directory entry %zu at offset %llu: no "
				  "central header signature",
				  idx, ULL(off));
	uint16_t nlen = ns_le16(p + 28), elen = ns_le16(p + 30), clen = ns_le16(p + 32);
	uint32_t csize = ns_le32(p + 20), usize = ns_le32(p + 24), lfh = ns_le32(p + 42);
	size_t total = ZIP_CDH_SIZE + (size_t)nlen + elen + clen;
	if (total > avail)
		return ns_err_set(err, EINVAL,
				  "zip central directory entry %zu at offset %llu runs "
				  "past the directory's end",
				  idx, ULL(off));
	if (nlen > NS_ZIP_NAME_MAX)
		return ns_err_set(err, EINVAL,
				  "zip central directory entry %zu at offset %llu: name "
				  "of %u bytes; at most %d are allowed",
				  idx, ULL(off), nlen, NS_ZIP_NAME_MAX);
	struct ns_zip_entry *e = &z->entries[idx];
	int r = check_name((const char *)p + ZIP_CDH_SIZE, nlen, idx, off, err);
	if (r < 0)
		return r;
	memcpy(e->name, p + ZIP_CDH_SIZE, nlen);
	e->name[nlen] = '\0';
	rec->flags = ns_le16(p + 8);
	rec->method = ns_le16(p + 10);
	if ((r = check_flags_method(e->name, rec->flags, rec->method, err)) < 0)
		return r;
	if (csize == ZIP_U32_LIMIT || usize == ZIP_U32_LIMIT || lfh == ZIP_U32_LIMIT)
		return ns_err_set(
		    err, EINVAL, "zip entry '%s' has ZIP64 markers in its central record", e->name);
	if (csize != usize)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s': compressed size %u differs from size "
				  "%u in a stored entry",
				  e->name, csize, usize);
	if (ns_le16(p + 34) != 0)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s' starts on disk %u: multi-disk archives "
				  "are refused",
				  e->name, ns_le16(p + 34));
	if (clen != 0)
		return ns_err_set(err, EINVAL, "zip entry '%s' has a file comment", e->name);
	if ((r = check_extra(e->name, p + ZIP_CDH_SIZE + nlen, elen, "central record", err)) < 0)
		return r;
	if (ns_zip_find(z, e->name))
		return ns_err_set(err, EINVAL,
				  "duplicate zip entry '%s' (central record %zu at offset "
				  "%llu)",
				  e->name, idx, ULL(off));
	e->crc = ns_le32(p + 16);
	e->size = usize;
	e->lfh_offset = lfh;
	*used = total;
	return 0;
}

static int parse_cd(int fd, struct ns_zip *z, uint16_t entries, struct cd_record *recs,
		    struct ns_err *err)
{
	ns_autofree uint8_t *cd = malloc(z->cd_size ? z->cd_size : 1);
	if (!cd)
		return ns_err_set(err, ENOMEM, "out of memory");
	int r = read_at(fd, cd, z->cd_size, z->cd_offset, "zip central directory", err);
	if (r < 0)
		return r;
	size_t pos = 0;
	while (z->n < entries) {
		size_t used = 0;
		r = parse_cd_entry(cd + pos, z->cd_size - pos, z->cd_offset + pos, z, &recs[z->n],
				   &used, err);
		if (r < 0)
			return r;
		pos += used;
		z->n++;
	}
	if (pos != z->cd_size)
		return ns_err_set(err, EINVAL,
				  "zip central directory has %llu bytes after its %u "
				  "entries",
				  ULL(z->cd_size - pos), entries);
	return 0;
}

/* The local header must repeat the central record: a reader that walks local headers
 * must see the same archive as one that reads the directory. */
static int check_local_header(int fd, const struct ns_zip *z, struct ns_zip_entry *e,
			      const struct cd_record *rec, struct ns_err *err)
{
	uint8_t h[ZIP_LFH_SIZE + NS_ZIP_NAME_MAX];
	size_t nlen = strlen(e->name);
	if (e->lfh_offset + ZIP_LFH_SIZE + nlen > z->cd_offset)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s': local header at offset %llu overlaps "
				  "the central directory at offset %llu",
				  e->name, ULL(e->lfh_offset), ULL(z->cd_offset));
	int r = read_at(fd, h, ZIP_LFH_SIZE + nlen, e->lfh_offset, "zip local header", err);
	if (r < 0)
		return r;
	if (ns_le32(h) != ZIP_SIG_LFH)
		return ns_err_set(err, EINVAL, "zip entry '%s': no local header at offset %llu",
				  e->name, ULL(e->lfh_offset));
	const char *field = NULL;
	if (ns_le16(h + 6) != rec->flags)
		field = "flags";
	else if (ns_le16(h + 8) != rec->method)
		field = "compression method";
	else if (ns_le32(h + 14) != e->crc)
		field = "CRC-32";
	else if (ns_le32(h + 18) != e->size || ns_le32(h + 22) != e->size)
		field = "sizes";
	else if (ns_le16(h + 26) != nlen || memcmp(h + ZIP_LFH_SIZE, e->name, nlen) != 0)
		field = "name";
	if (field)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s': local header at offset %llu disagrees "
				  "with the central directory (%s)",
				  e->name, ULL(e->lfh_offset), field);
	uint16_t elen = ns_le16(h + 28);
	e->data_offset = e->lfh_offset + ZIP_LFH_SIZE + nlen + elen;
	if (e->data_offset + e->size > z->cd_offset)
		return ns_err_set(err, EINVAL,
				  "zip entry '%s' (data at offset %llu, %llu bytes) runs "
				  "into the central directory at offset %llu",
				  e->name, ULL(e->data_offset), ULL(e->size), ULL(z->cd_offset));
	ns_autofree uint8_t *extra = malloc(elen ? elen : 1);
	if (!extra)
		return ns_err_set(err, ENOMEM, "out of memory");
	r = read_at(fd, extra, elen, e->lfh_offset + ZIP_LFH_SIZE + nlen, "zip extra field", err);
	if (r < 0)
		return r;
	return check_extra(e->name, extra, elen, "local header", err);
}

static int cmp_lfh(const void *a, const void *b)
{
	const struct ns_zip_entry *x = *(const struct ns_zip_entry *const *)a;
	const struct ns_zip_entry *y = *(const struct ns_zip_entry *const *)b;
	return x->lfh_offset < y->lfh_offset ? -1 : x->lfh_offset > y->lfh_offset;
}

/* Entries must tile the data area: first header at 0, each next header where the
 * previous data ends, the directory right after the last. Overlaps would let one
 * byte range mean two things, and gaps could hide a second archive. */
static int check_layout(const struct ns_zip *z, struct ns_err *err)
{
	const struct ns_zip_entry *s[NS_ZIP_MAX_ENTRIES];
	for (size_t i = 0; i < z->n; i++)
		s[i] = &z->entries[i];
	qsort(s, z->n, sizeof(s[0]), cmp_lfh);
	if (s[0]->lfh_offset != 0)
		return ns_err_set(err, EINVAL, "%llu unowned bytes before the first zip entry '%s'",
				  ULL(s[0]->lfh_offset), s[0]->name);
	for (size_t i = 1; i < z->n; i++) {
		uint64_t end = s[i - 1]->data_offset + s[i - 1]->size;
		if (end > s[i]->lfh_offset)
			return ns_err_set(err, EINVAL,
					  "zip entries '%s' (offsets %llu..%llu) and '%s' "
					  "(offset %llu) overlap",
					  s[i - 1]->name, ULL(s[i - 1]->lfh_offset), ULL(end),
					  s[i]->name, ULL(s[i]->lfh_offset));
		if (end < s[i]->lfh_offset)
			return ns_err_set(err, EINVAL,
					  "%llu unowned bytes at offset %llu between zip "
					  "entries '%s' and '%s'",
					  ULL(s[i]->lfh_offset - end), ULL(end), s[i - 1]->name,
					  s[i]->name);
	}
	const struct ns_zip_entry *last = s[z->n - 1];
	uint64_t end = last->data_offset + last->size;
	if (end != z->cd_offset)
		return ns_err_set(err, EINVAL,
				  "%llu unowned bytes at offset %llu between zip entry "
				  "'%s' and the central directory",
				  ULL(z->cd_offset - end), ULL(end), last->name);
	return 0;
}

int ns_zip_open(int fd, uint64_t size, struct ns_zip *z, struct ns_err *err)
{
	struct cd_record recs[NS_ZIP_MAX_ENTRIES];
	uint16_t entries = 0;
	int r;

	memset(z, 0, sizeof(*z));
	if (size < ZIP_EOCD_SIZE)
		return ns_err_set(err, EINVAL, "not a zip file: only %llu bytes", ULL(size));
	if (size > ZIP_U32_LIMIT)
		return ns_err_set(
		    err, EFBIG, "zip file of %llu bytes needs ZIP64, which is refused", ULL(size));
	if ((r = parse_eocd(fd, size, z, &entries, err)) < 0)
		return r;
	if ((r = parse_cd(fd, z, entries, recs, err)) < 0)
		return r;
	for (size_t i = 0; i < z->n; i++)
		if ((r = check_local_header(fd, z, &z->entries[i], &recs[i], err)) < 0)
			return r;
	return check_layout(z, err);
}

const struct ns_zip_entry *ns_zip_find(const struct ns_zip *z, const char *name)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->entries[i].name, name) == 0)
			return &z->entries[i];
	return NULL;
}

static int crc_mismatch(const struct ns_zip_entry *e, uint32_t got, struct ns_err *err)
{
	return ns_err_set(err, EINVAL,
			  "zip entry '%s': CRC-32 mismatch (recorded %08x, data has "
			  "%08x)",
			  e->name, e->crc, got);
}

int ns_zip_read_entry(int fd, const struct ns_zip_entry *e, size_t max, char **ret, size_t *ret_len,
		      struct ns_err *err)
{
	if (e->size > max)
		return ns_err_set(err, EFBIG,
				  "zip entry '%s' is %llu bytes; at most %zu are allowed", e->name,
				  ULL(e->size), max);
	ns_autofree char *buf = malloc((size_t)e->size + 1);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	int r = read_at(fd, buf, (size_t)e->size, e->data_offset, e->name, err);
	if (r < 0)
		return r;
	buf[e->size] = '\0';
	uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)buf, (uInt)e->size);
	if (crc != e->crc)
		return crc_mismatch(e, crc, err);
	*ret = ns_steal_ptr(&buf);
	if (ret_len)
		*ret_len = (size_t)e->size;
	return 0;
}

/* Streams [off, off + len) through CRC-32, optionally copying it to out. */
static int crc_copy(int fd, uint64_t off, uint64_t len, int out, uint32_t *crc, struct ns_err *err)
{
	const size_t chunk = 1 << 18;
	ns_autofree uint8_t *buf = malloc(chunk);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	uLong c = crc32(0L, Z_NULL, 0);
	while (len) {
		size_t want = len < chunk ? (size_t)len : chunk;
		int r = read_at(fd, buf, want, off, "zip entry data", err);
		if (r < 0)
			return r;
		c = crc32(c, buf, (uInt)want);
		if (out >= 0 && (r = ns_write_full(out, buf, want)) < 0)
			return ns_err_sys(err, -r, "write");
		off += want;
		len -= want;
	}
	*crc = (uint32_t)c;
	return 0;
}

int ns_zip_crc_range(int fd, uint64_t off, uint64_t len, uint32_t *crc, struct ns_err *err)
{
	return crc_copy(fd, off, len, -1, crc, err);
}

int ns_zip_check_crc(int fd, const struct ns_zip_entry *e, struct ns_err *err)
{
	uint32_t crc;
	int r = crc_copy(fd, e->data_offset, e->size, -1, &crc, err);
	if (r < 0)
		return ns_err_wrap(err, "zip entry '%s'", e->name);
	return crc == e->crc ? 0 : crc_mismatch(e, crc, err);
}

static int extract_one(int fd, const struct ns_zip_entry *e, int dirfd, struct ns_err *err)
{
	ns_autoclose int out =
	    openat(dirfd, e->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return ns_err_sys(err, errno, "create '%s'", e->name);
	uint32_t crc;
	int r = crc_copy(fd, e->data_offset, e->size, out, &crc, err);
	if (r >= 0 && crc != e->crc)
		r = crc_mismatch(e, crc, err);
	if (r >= 0 && fsync(out) < 0)
		r = ns_err_sys(err, errno, "fsync '%s'", e->name);
	if (r < 0) {
		(void)unlinkat(dirfd, e->name, 0);
		return ns_err_wrap(err, "extract '%s'", e->name);
	}
	return 0;
}

int ns_zip_extract(int fd, const struct ns_zip *z, int dirfd, struct ns_err *err)
{
	for (size_t i = 0; i < z->n; i++) {
		int r = extract_one(fd, &z->entries[i], dirfd, err);
		if (r < 0) {
			while (i-- > 0) /* leave no partial extraction behind */
				(void)unlinkat(dirfd, z->entries[i].name, 0);
			return r;
		}
	}
	return 0;
}
