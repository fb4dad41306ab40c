/* application/pdf (ingest/extract_pdf.c, poppler-glib): the input is the
 * file.  Poppler itself is not instrumented: coverage guides the fuzzer
 * through the extractor's line joining, not through the PDF parser. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_extract("application/pdf", data, size);
	return 0;
}
