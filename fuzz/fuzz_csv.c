/* text/csv (ingest/extract_csv.c): the input is the file. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_extract("text/csv", data, size);
	return 0;
}
