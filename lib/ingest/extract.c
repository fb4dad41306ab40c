/* The registry of extractors, and how a file's type is told. */
#include "ingest/extract.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "oyl/oyl.h"
#include "util/utf8.h"

/* Every format the library knows, with the library its extractor needs
 * (NULL: always built). */
static const struct {
	const oyl__extractor *x; /* NULL when not built */
	const char *mime;
	const char *needs;
} formats[] = {
	{&oyl__extract_text, "text/plain", NULL},
	{&oyl__extract_text, "text/markdown", NULL},
	{&oyl__extract_csv, "text/csv", NULL},
	{&oyl__extract_html, "text/html", NULL},
#ifdef OYL_HAVE_DOCX
	{&oyl__extract_docx,
#else
	{NULL,
#endif
	 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "libzip"},
#ifdef OYL_HAVE_PDF
	{&oyl__extract_pdf,
#else
	{NULL,
#endif
	 "application/pdf", "poppler-glib"},
#ifdef OYL_HAVE_OCR
	{&oyl__extract_ocr, "image/png", "tesseract"},
	{&oyl__extract_ocr, "image/jpeg", "tesseract"},
	{&oyl__extract_ocr, "image/tiff", "tesseract"},
#else
	{NULL, "image/png", "tesseract"},
	{NULL, "image/jpeg", "tesseract"},
	{NULL, "image/tiff", "tesseract"},
#endif
};

#define NFORMATS (sizeof formats / sizeof formats[0])

const oyl__extractor *oyl__extractor_for(const char *mime_type)
{
	for (size_t i = 0; mime_type && i < NFORMATS; i++)
		if (strcmp(formats[i].mime, mime_type) == 0)
			return formats[i].x;
	return NULL;
}

const char *oyl__extractor_missing(const char *mime_type)
{
	for (size_t i = 0; mime_type && i < NFORMATS; i++)
		if (strcmp(formats[i].mime, mime_type) == 0 && !formats[i].x)
			return formats[i].needs;
	return NULL;
}

int oyl__extract_fail(oyl__extract_ctx *ctx, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
	va_end(ap);
	return status;
}

static int starts(const unsigned char *d, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(d, magic, m) == 0;
}

static const char *by_extension(const char *name)
{
	static const struct {
		const char *ext, *mime;
	} exts[] = {
		{".txt", "text/plain"},
		{".text", "text/plain"},
		{".md", "text/markdown"},
		{".markdown", "text/markdown"},
		{".csv", "text/csv"},
		{".html", "text/html"},
		{".htm", "text/html"},
		{".xhtml", "text/html"},
		{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{".pdf", "application/pdf"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"},
		{".tif", "image/tiff"},
		{".tiff", "image/tiff"},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].mime;
	return NULL;
}

/* Markup that says HTML within the first bytes (after a BOM and blanks). */
static int looks_html(const unsigned char *d, size_t n)
{
	size_t i = starts(d, n, "\xef\xbb\xbf", 3) ? 3 : 0;
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	static const char *const tags[] = {"<!doctype html", "<html", "<head", "<body"};
	for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++) {
		size_t m = strlen(tags[k]);
		if (n - i >= m && strncasecmp((const char *)d + i, tags[k], m) == 0)
			return 1;
	}
	return 0;
}

const char *oyl__sniff_mime(const unsigned char *d, size_t n, const char *name)
{
	const char *ext = by_extension(name);
	if (starts(d, n, "%PDF-", 5))
		return "application/pdf";
	if (starts(d, n, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (starts(d, n, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (starts(d, n, "II*\0", 4) || starts(d, n, "MM\0*", 4))
		return "image/tiff";
	if (starts(d, n, "PK\x03\x04", 4)) {
		/* A ZIP: a DOCX when it says so by name, or holds word/document.xml
		 * (its local headers name their files in the clear). */
		if (ext && strstr(ext, "wordprocessingml"))
			return ext;
		size_t look = n < 65536 ? n : 65536;
		static const char part[] = "word/document.xml";
		for (size_t i = 0; i + sizeof part - 1 <= look; i++)
			if (memcmp(d + i, part, sizeof part - 1) == 0)
				return "application/vnd.openxmlformats-officedocument."
				       "wordprocessingml.document";
		return NULL;
	}
	if (looks_html(d, n))
		return "text/html";
	if (ext)
		return ext;
	/* Text: the first 64 KiB hold no NUL and are UTF-8 (a sequence cut at
	 * the end of the sample does not count). */
	size_t look = n < 65536 ? n : 65536;
	if (n > 0 && !memchr(d, 0, look)) {
		size_t i = 0;
		uint32_t cp;
		while (i < look) {
			int len = oyl__utf8_decode(d + i, n - i, &cp);
			if (len < 0)
				break;
			i += (size_t)len;
		}
		if (i >= look)
			return "text/plain";
	}
	return NULL;
}
