/*
 * text/plain and text/markdown (ingest/extract_text.c): the input is the
 * file, and its first byte picks the type (odd: Markdown; '#' is odd), so
 * that real files are seeds as they are.
 *
 * Besides the common checks: text that needs no repair (valid UTF-8, in
 * NFC, without NUL, CR or other C0 controls but TAB, LF and FF) comes out
 * byte for byte as it went in, in both types.
 */
#include <utf8proc.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int needs_no_repair(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\f')
			return 0;
	if (!oyl__utf8_valid((const char *)d, n))
		return 0;
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t len = utf8proc_map(d, (utf8proc_ssize_t)n, &nfc,
					    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	int same = len == (utf8proc_ssize_t)n && memcmp(nfc, d, n) == 0;
	free(nfc); /* utf8proc's, from malloc */
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	oyl__text t;
	int rc = fuzz_extract_into(data[0] & 1 ? "text/markdown" : "text/plain", data, size, &t);
	if (rc == OYL_OK && needs_no_repair(data, size))
		FUZZ_CHECK(t.n == size && memcmp(oyl__text_str(&t), data, size) == 0,
			   "clean text of %zu bytes came out changed (%zu bytes)", size, t.n);
	oyl__text_free(&t);
	return 0;
}
