/* libFuzzer target: the strict zip reader on arbitrary bytes; every entry it accepts
 * is read and CRC-checked, so accepted offsets and sizes must stay inside the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libns/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_zip z;
	int fd = memfd_create("fuzz.zip", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && ns_zip_open(fd, size, &z, &err) == 0) {
		for (size_t i = 0; i < z.n; i++) {
			char *buf = NULL;
			size_t len;
			if (z.entries[i].data_offset + z.entries[i].size > size)
				abort(); /* the reader promised bounds */
			if (ns_zip_read_entry(fd, &z.entries[i], size, &buf, &len, &err) == 0)
				free(buf);
		}
	}
	close(fd);
	return 0;
}
