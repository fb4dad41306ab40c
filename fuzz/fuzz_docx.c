/*
 * DOCX (ingest/extract_docx.c).  An input that starts with "PK" is the
 * file itself (the ZIP layer: damaged archives, bombs, lying headers).
 * Any other input is word/document.xml, stored uncompressed into a ZIP
 * made here: a mutation of a deflated part would only break its CRC, so
 * this is how the fuzzer reaches the WordprocessingML reader.
 */
#include <zip.h>

#include "fuzz_common.h"

#define MIME_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ZIP holding only word/document.xml = xml[0..n), stored; NULL when
 * libzip fails (then the input is skipped). */
static unsigned char *wrap(const uint8_t *xml, size_t n, size_t *zn)
{
	zip_error_t err;
	zip_error_init(&err);
	unsigned char *out = NULL;
	zip_source_t *archive = zip_source_buffer_create(NULL, 0, 0, &err);
	zip_t *za = archive ? zip_open_from_source(archive, ZIP_TRUNCATE, &err) : NULL;
	if (!za) {
		zip_source_free(archive);
		zip_error_fini(&err);
		return NULL;
	}
	zip_source_keep(archive); /* read back after zip_close */
	zip_source_t *part = zip_source_buffer(za, n ? xml : NULL, n, 0);
	zip_int64_t idx = part ? zip_file_add(za, "word/document.xml", part, 0) : -1;
	if (idx < 0) {
		zip_source_free(part);
	} else if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) == 0 &&
		   zip_close(za) == 0) {
		za = NULL;
		zip_stat_t st;
		if (zip_source_stat(archive, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
		    zip_source_open(archive) == 0) {
			out = malloc(st.size ? st.size : 1);
			if (out && zip_source_read(archive, out, st.size) == (zip_int64_t)st.size) {
				*zn = st.size;
			} else {
				free(out);
				out = NULL;
			}
			zip_source_close(archive);
		}
	}
	if (za)
		zip_discard(za);
	zip_source_free(archive);
	zip_error_fini(&err);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		fuzz_extract(MIME_DOCX, data, size);
		return 0;
	}
	size_t zn = 0;
	unsigned char *zip = wrap(data, size, &zn);
	if (zip)
		fuzz_extract(MIME_DOCX, zip, zn);
	free(zip);
	return 0;
}
