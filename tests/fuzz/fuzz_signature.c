/* libFuzzer target: signature.yaml parsing (the split at "---", both YAML documents,
 * hex and canonical base64) on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "libns/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_signature s;
	if (ns_signature_parse((const char *)data, size, &s, &err) == 0 && s.signed_len > size)
		__builtin_trap();
	return 0;
}
