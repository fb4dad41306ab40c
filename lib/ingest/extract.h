/*
 * Extractors: one file per format, each turning a file's bytes into a
 * document's text (ingest/text.h) with its page and section marks.  The
 * registry (extract.c) picks one by MIME type; formats whose library was
 * not found at build time are absent from it, and a document of such a
 * type gets OYL_ENOTSUP naming the missing library.
 */
#ifndef OYL_INGEST_EXTRACT_H
#define OYL_INGEST_EXTRACT_H

#include <stddef.h>

#include "ingest/text.h"

/* What an extractor is given besides the bytes. */
typedef struct oyl__extract_ctx {
	const char *mime_type; /* the type it was chosen for */
	const char *name;      /* the original file name (for messages) */
	/* Called now and then with the bytes of the input done; non-zero
	 * cancels: the extractor stops and returns that value.  May be NULL. */
	int (*progress)(size_t done, void *payload);
	void *payload;
	char errmsg[256]; /* the extractor's message on failure */
} oyl__extract_ctx;

typedef struct oyl__extractor {
	const char *name;              /* "text", "csv", "html", "docx", "pdf", "ocr" */
	const char *const *mime_types; /* NULL-terminated */
	/* Appends the document's text to `out`.  OYL_OK; OYL_EINVAL for a
	 * file that is not what its type says (ctx->errmsg says why); or the
	 * text's own failure (size limit, ENOMEM); or a progress value. */
	int (*extract)(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx);
} oyl__extractor;

/* The extractor of a MIME type, or NULL. */
const oyl__extractor *oyl__extractor_for(const char *mime_type);

/* The library a known type needs when this build lacks its extractor
 * ("poppler-glib"), or NULL when the type is unknown. */
const char *oyl__extractor_missing(const char *mime_type);

/*
 * The MIME type of a file: its magic bytes first, then the extension of
 * `name`, then, for bytes that look like text, text/plain.  NULL when
 * nothing tells (the caller refuses the file).  Static strings.
 */
const char *oyl__sniff_mime(const unsigned char *data, size_t n, const char *name);

/* Formats the extractor's message (printf-like) and returns status. */
int oyl__extract_fail(oyl__extract_ctx *ctx, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The extractors (each in its own file). */
extern const oyl__extractor oyl__extract_text, oyl__extract_csv, oyl__extract_html,
	oyl__extract_docx, oyl__extract_pdf, oyl__extract_ocr;

#endif
