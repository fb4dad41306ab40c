/*
 * Images through OCR (ingest/extract_ocr.c: Leptonica decodes, Tesseract
 * reads): the input is the file.  Tesseract takes seconds on a large
 * page, so inputs are kept small: at most 64 KiB, every page of at most
 * FUZZ_OCR_PIXELS by its header (each TIFF page's), at most
 * FUZZ_OCR_PAGES pages.  An input whose header Leptonica cannot read is
 * still given to the extractor, which refuses it by the same check.
 */
#include <leptonica/allheaders.h>

#include "fuzz_common.h"

#define FUZZ_OCR_MAX_INPUT 65536
#define FUZZ_OCR_PIXELS (256 * 256)
#define FUZZ_OCR_PAGES 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setMsgSeverity(L_SEVERITY_NONE); /* Leptonica's complaints about bad input */
	return 0;
}

static int small(l_int32 w, l_int32 h)
{
	return w > 0 && h > 0 && (int64_t)w * h <= FUZZ_OCR_PIXELS;
}

/* 1: the input is cheap enough to read; 0: skip it. */
static int cheap(const uint8_t *data, size_t size)
{
	l_int32 w, h, bps, spp, res, cmap, format;
	if (size > FUZZ_OCR_MAX_INPUT)
		return 0;
	if (size >= 4 && (memcmp(data, "II*\0", 4) == 0 || memcmp(data, "MM\0*", 4) == 0)) {
		for (int page = 0;; page++) {
			if (readHeaderMemTiff(data, size, page, &w, &h, &bps, &spp, &res, &cmap,
					      &format) != 0)
				return 1; /* past the last page (or none) */
			if (page == FUZZ_OCR_PAGES || !small(w, h))
				return 0;
		}
	}
	if (pixReadHeaderMem(data, size, &format, &w, &h, &bps, &spp, &cmap) != 0)
		return 1;
	return small(w, h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cheap(data, size))
		return -1; /* not added to the corpus */
	int rc = fuzz_extract("image/png", data, size);
	/* Without English data every input would fail alike: say so. */
	FUZZ_CHECK(rc != OYL_ENOTSUP, "Tesseract has no English data (tesseract-ocr-eng)");
	return 0;
}
