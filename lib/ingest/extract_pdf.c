/*
 * PDF: the text of each page with poppler-glib, page by page, each page
 * marked where its text begins and ended with a paragraph break.
 *
 * poppler_page_get_text gives a page's text in reading order, one line of
 * the page a line of text.  Lines are joined back into paragraphs by one
 * deterministic rule, looking only at the two lines and the page's
 * "typical" line length (the 80th percentile of its lines' lengths in
 * code points, so that the short last lines of paragraphs do not count):
 *
 *   1. a blank line is a paragraph break;
 *   2. a line ending in a hyphen (-, U+2010 or a soft hyphen) right after
 *      a letter is joined to the next line without a space: the hyphen is
 *      dropped when the next line begins with a lowercase letter
 *      ("exam-" "ple" -> "example"), kept otherwise ("well-" "Known" ->
 *      "well-Known", "page-" "2" -> "page-2");
 *   3. a line shorter than 3/4 of the typical length, not ending in a
 *      comma or semicolon, followed by a line that begins with an
 *      uppercase letter, a digit or a bullet, ends its paragraph (the last
 *      line of a paragraph, a heading, a list item);
 *   4. any other line is joined to the next with a space.
 *
 * Failures: an encrypted PDF (one that needs a password) is OYL_EINVAL
 * "the PDF is encrypted"; one poppler cannot open is OYL_EINVAL "not a
 * readable PDF: <poppler's message>".  A PDF with no text (scanned pages)
 * gives an empty text: the caller decides.
 */
#include "ingest/extract.h"

#include <stdlib.h>
#include <string.h>

#include <poppler.h>
#include <utf8proc.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

typedef struct line {
	const char *s;
	size_t n;     /* bytes, trailing blanks cut */
	size_t chars; /* code points */
} line;

/* How a line meets the next one. */
enum join { JOIN_SPACE, JOIN_PARAGRAPH, JOIN_DROP_HYPHEN, JOIN_KEEP_HYPHEN };

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\v';
}

/* The code point that ends s[0..n) and its length in bytes (0 if none). */
static size_t last_cp(const char *s, size_t n, uint32_t *cp)
{
	size_t start = n;
	while (start > 0 && n - start < 4) {
		start--;
		if (((unsigned char)s[start] & 0xc0) != 0x80)
			break;
	}
	if (start == n || oyl__utf8_decode((const unsigned char *)s + start, n - start, cp) !=
				  (int)(n - start))
		return 0;
	return n - start;
}

static uint32_t first_cp(const line *l)
{
	uint32_t cp = 0;
	if (l->n == 0 || oyl__utf8_decode((const unsigned char *)l->s, l->n, &cp) < 0)
		return 0;
	return cp;
}

static int is_letter(uint32_t cp)
{
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* What may begin a paragraph after a short line. */
static int starts_paragraph(uint32_t cp)
{
	if (utf8proc_isupper((utf8proc_int32_t)cp))
		return 1;
	if (utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND)
		return 1;
	return cp == 0x2022 || cp == 0x25aa || cp == 0x25cf || cp == 0x2013 || cp == '-' ||
	       cp == '*';
}

/* Rule 2: the bytes of a hyphen that ends the line after a letter, or 0. */
static size_t end_hyphen(const line *l)
{
	uint32_t h, before;
	size_t hn = last_cp(l->s, l->n, &h);
	if (!hn || (h != '-' && h != 0x2010 && h != 0xad))
		return 0;
	if (!last_cp(l->s, l->n - hn, &before) || !is_letter(before))
		return 0;
	return hn;
}

static enum join join_of(const line *a, const line *b, size_t typical)
{
	if (end_hyphen(a))
		return utf8proc_islower((utf8proc_int32_t)first_cp(b)) ? JOIN_DROP_HYPHEN
									: JOIN_KEEP_HYPHEN;
	char last = a->s[a->n - 1];
	if (a->chars * 4 < typical * 3 && last != ',' && last != ';' &&
	    starts_paragraph(first_cp(b)))
		return JOIN_PARAGRAPH;
	return JOIN_SPACE;
}

static int cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	return (a > b) - (a < b);
}

/* Splits text into lines (trailing blanks cut); sets *typical. */
static line *split_lines(const char *text, size_t *nlines, size_t *typical)
{
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	line *ls = oyl__malloc(cap * sizeof *ls);
	size_t *lens = oyl__malloc(cap * sizeof *lens);
	if (!ls || !lens) {
		oyl__free(ls);
		oyl__free(lens);
		return NULL;
	}
	size_t k = 0, nlens = 0;
	for (const char *p = text;;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n > 0 && blank(p[n - 1]))
			n--;
		ls[k] = (line){p, n, oyl__utf8_chars(p, n)};
		if (n > 0)
			lens[nlens++] = ls[k].chars;
		k++;
		if (!e)
			break;
		p = e + 1;
	}
	*typical = 0;
	if (nlens > 0) {
		qsort(lens, nlens, sizeof *lens, cmp_size);
		*typical = lens[nlens * 4 / 5 < nlens ? nlens * 4 / 5 : nlens - 1];
	}
	oyl__free(lens);
	*nlines = k;
	return ls;
}

/* Appends one page's text, its lines joined into paragraphs. */
static int page_text(oyl__text *out, const char *text, oyl__extract_ctx *ctx)
{
	size_t nlines, typical;
	line *ls = split_lines(text, &nlines, &typical);
	if (!ls)
		return oyl__extract_fail(ctx, OYL_ENOMEM, "out of memory");
	for (size_t i = 0; i < nlines && !out->status; i++) {
		const line *a = &ls[i];
		if (a->n == 0) {
			oyl__text_paragraph(out); /* rule 1 */
			continue;
		}
		enum join j = JOIN_SPACE;
		if (i + 1 < nlines && ls[i + 1].n > 0)
			j = join_of(a, &ls[i + 1], typical);
		size_t n = j == JOIN_DROP_HYPHEN ? a->n - end_hyphen(a) : a->n;
		if (oyl__text_append(out, a->s, n))
			break;
		if (j == JOIN_PARAGRAPH)
			oyl__text_paragraph(out);
		else if (j == JOIN_SPACE && i + 1 < nlines)
			oyl__text_space(out);
	}
	oyl__free(ls);
	if (out->status)
		return out->status;
	return oyl__text_paragraph(out);
}

/* Opens the document over the caller's bytes (no copy). */
static PopplerDocument *open_doc(const unsigned char *data, size_t n, GBytes **bytes,
				 oyl__extract_ctx *ctx, int *st)
{
	GError *err = NULL;
	*bytes = g_bytes_new_static(data, n);
	PopplerDocument *doc = poppler_document_new_from_bytes(*bytes, NULL, &err);
	*st = OYL_OK;
	if (!doc) {
		if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
			*st = oyl__extract_fail(ctx, OYL_EINVAL, "the PDF is encrypted");
		else
			*st = oyl__extract_fail(ctx, OYL_EINVAL, "not a readable PDF: %s",
						err && err->message ? err->message
								    : "unknown error");
	}
	if (err)
		g_error_free(err);
	return doc;
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	GBytes *bytes;
	int st;
	PopplerDocument *doc = open_doc(data, n, &bytes, ctx, &st);
	if (!doc) {
		g_bytes_unref(bytes);
		return st;
	}
	int npages = poppler_document_get_n_pages(doc);
	for (int i = 0; i < npages && st == OYL_OK; i++) {
		if (oyl__text_page(out, (int64_t)i + 1)) {
			st = out->status;
			break;
		}
		PopplerPage *page = poppler_document_get_page(doc, i);
		if (page) {
			char *text = poppler_page_get_text(page);
			if (text)
				st = page_text(out, text, ctx);
			g_free(text);
			g_object_unref(page);
		}
		if (st == OYL_OK && ctx->progress)
			st = ctx->progress((size_t)((double)n * (i + 1) / npages), ctx->payload);
	}
	g_object_unref(doc);
	g_bytes_unref(bytes);
	return st;
}

static const char *const mime_types[] = {"application/pdf", NULL};

const oyl__extractor oyl__extract_pdf = {"pdf", mime_types, extract};
