/* text/html (ingest/extract_html.c, libxml2's HTML parser): the input is
 * the file. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_extract("text/html", data, size);
	return 0;
}
