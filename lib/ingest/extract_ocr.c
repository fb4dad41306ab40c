/*
 * Images (PNG, JPEG, TIFF): their text by OCR, Leptonica decoding and
 * Tesseract (English) reading.
 *
 * Rules:
 *   - an image is checked by its header before it is decoded: one that
 *     cannot be read is OYL_EINVAL "not a readable image", one of more
 *     than 100 megapixels OYL_EINVAL (a decompression bomb costs nothing);
 *   - a TIFF may hold pages: each page is marked (oyl__text_page, 1-based)
 *     where its text begins, at most MAX_PAGES of them; a PNG or JPEG is
 *     one unmarked page;
 *   - Tesseract's text is appended as it gives it (a blank line between
 *     its paragraphs), each page ended with a paragraph break;
 *   - colour maps are removed, transparency is flattened onto white and
 *     odd depths converted to 8 bits, so Tesseract sees what a viewer shows;
 *   - Tesseract is initialised once a call, after the first image decoded;
 *     without English data the call fails with OYL_ENOTSUP;
 *   - Tesseract's messages go to /dev/null; ctx->progress is called from
 *     its recogniser (percent of a page) and cancels it.
 */
#include "ingest/extract.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "oyl/oyl.h"

#define MAX_PIXELS 100000000LL
#define MAX_PAGES 5000

typedef struct ocr {
	const unsigned char *data;
	size_t n;
	oyl__text *out;
	oyl__extract_ctx *ctx;
	TessBaseAPI *api;  /* NULL until the first page is read */
	ETEXT_DESC *mon;   /* when ctx->progress is set */
	size_t base, span; /* the input bytes the current page stands for */
	int percent;       /* the last percent reported */
	int cancel;        /* a progress value that cancels */
} ocr;

static int is_tiff(const unsigned char *d, size_t n)
{
	return n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0);
}

static int too_large(ocr *o, l_int32 w, l_int32 h)
{
	if ((int64_t)w * h <= MAX_PIXELS)
		return OYL_OK;
	return oyl__extract_fail(o->ctx, OYL_EINVAL,
				 "the image is too large: %dx%d pixels "
				 "(the limit is %lld megapixels)",
				 (int)w, (int)h, MAX_PIXELS / 1000000);
}

/* Makes pix what Tesseract reads best: no colour map, no alpha, a depth
 * of 1, 8 or 32.  Takes pix; NULL when Leptonica fails. */
static PIX *prepare(PIX *pix)
{
	if (pix && pixGetColormap(pix)) {
		PIX *p = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
		pixDestroy(&pix);
		pix = p;
	}
	if (pix && pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4) {
		PIX *p = pixAlphaBlendUniform(pix, 0xffffff00); /* onto white */
		pixDestroy(&pix);
		pix = p;
	}
	l_int32 d = pix ? pixGetDepth(pix) : 0;
	if (pix && d != 1 && d != 8 && d != 32) {
		PIX *p = pixConvertTo8(pix, 0);
		pixDestroy(&pix);
		pix = p;
	}
	return pix;
}

/* Tesseract's cancel hook, called as it recognises words: reports the
 * page's progress (when the percent moved) and cancels on request. */
static bool on_words(void *arg, int words)
{
	ocr *o = arg;
	(void)words;
	if (o->cancel)
		return true;
	int pct = TessMonitorGetProgress(o->mon);
	if (pct <= o->percent || pct > 100)
		return false;
	o->percent = pct;
	o->cancel = o->ctx->progress(o->base + (size_t)((double)o->span * pct / 100),
				     o->ctx->payload);
	return o->cancel != 0;
}

/* Creates and initialises Tesseract (English). */
static int start_tesseract(ocr *o)
{
	o->api = TessBaseAPICreate();
	if (!o->api)
		return oyl__extract_fail(o->ctx, OYL_ENOMEM, "out of memory");
	TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
	if (TessBaseAPIInit3(o->api, NULL, "eng") != 0)
		return oyl__extract_fail(o->ctx, OYL_ENOTSUP,
					 "Tesseract has no English data (tesseract-ocr-eng)");
	TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
	TessBaseAPISetPageSegMode(o->api, PSM_AUTO);
	if (o->ctx->progress) {
		o->mon = TessMonitorCreate();
		if (!o->mon)
			return oyl__extract_fail(o->ctx, OYL_ENOMEM, "out of memory");
		TessMonitorSetCancelFunc(o->mon, on_words);
		TessMonitorSetCancelThis(o->mon, o);
	}
	return OYL_OK;
}

/* Reads one decoded page (takes pix) into the text. */
static int read_page(ocr *o, PIX *pix, int page)
{
	int st = OYL_OK;
	pix = prepare(pix);
	if (!pix)
		return oyl__extract_fail(o->ctx, OYL_EINVAL, "not a readable image");
	if (!o->api)
		st = start_tesseract(o);
	if (st == OYL_OK) {
		TessBaseAPISetImage2(o->api, pix);
		o->percent = -1;
		TessBaseAPIRecognize(o->api, o->mon);
		if (o->cancel) {
			st = o->cancel;
		} else {
			char *text = TessBaseAPIGetUTF8Text(o->api);
			if (!text)
				st = oyl__extract_fail(o->ctx, OYL_EINVAL,
						       "Tesseract could not read page %d", page);
			else if (oyl__text_puts(o->out, text) == OYL_OK)
				oyl__text_paragraph(o->out);
			TessDeleteText(text);
			if (st == OYL_OK)
				st = o->out->status;
		}
		TessBaseAPIClear(o->api);
	}
	pixDestroy(&pix);
	return st;
}

/* A PNG or JPEG: one page. */
static int read_single(ocr *o)
{
	l_int32 format, w, h, bps, spp, cmap;
	if (pixReadHeaderMem(o->data, o->n, &format, &w, &h, &bps, &spp, &cmap) != 0)
		return oyl__extract_fail(o->ctx, OYL_EINVAL, "not a readable image");
	int st = too_large(o, w, h);
	if (st)
		return st;
	PIX *pix = pixReadMem(o->data, o->n);
	if (!pix)
		return oyl__extract_fail(o->ctx, OYL_EINVAL, "not a readable image");
	o->base = 0;
	o->span = o->n;
	return read_page(o, pix, 1);
}

/* A TIFF: its pages in order, each header checked before it is decoded. */
static int read_tiff(ocr *o)
{
	size_t offset = 0;
	for (int page = 0;; page++) {
		if (page == MAX_PAGES)
			return oyl__extract_fail(o->ctx, OYL_EINVAL,
						 "the TIFF has more than %d pages", MAX_PAGES);
		l_int32 w, h, bps, spp, res, cmap, format;
		if (readHeaderMemTiff(o->data, o->n, page, &w, &h, &bps, &spp, &res, &cmap,
				      &format) != 0)
			return oyl__extract_fail(o->ctx, OYL_EINVAL, "not a readable image");
		int st = too_large(o, w, h);
		if (st)
			return st;
		o->base = offset;
		PIX *pix = pixReadMemFromMultipageTiff(o->data, o->n, &offset);
		if (!pix)
			return oyl__extract_fail(o->ctx, OYL_EINVAL, "not a readable image");
		/* the bytes up to the next page's directory stand for this one; a
		 * directory offset past the end or backwards (a damaged file)
		 * counts as the end, so progress stays within the file and only
		 * goes forward */
		size_t next = offset > o->base && offset <= o->n ? offset : o->n;
		o->span = next - o->base;
		if (oyl__text_page(o->out, (int64_t)page + 1)) {
			pixDestroy(&pix);
			return o->out->status;
		}
		st = read_page(o, pix, page + 1);
		if (st)
			return st;
		if (offset == 0)
			return OYL_OK;
		if (o->ctx->progress && (st = o->ctx->progress(next, o->ctx->payload)))
			return st;
		if (next == o->n)
			offset = o->n; /* the rest is read as what it claims, from there */
	}
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	ocr o;
	memset(&o, 0, sizeof o);
	o.data = data;
	o.n = n;
	o.out = out;
	o.ctx = ctx;
	int st = is_tiff(data, n) ? read_tiff(&o) : read_single(&o);
	if (st == OYL_OK && ctx->progress)
		st = ctx->progress(n, ctx->payload);
	if (o.mon)
		TessMonitorDelete(o.mon);
	if (o.api) {
		TessBaseAPIEnd(o.api);
		TessBaseAPIDelete(o.api);
	}
	return st;
}

static const char *const mime_types[] = {"image/png", "image/jpeg", "image/tiff", NULL};

const oyl__extractor oyl__extract_ocr = {"ocr", mime_types, extract};
