/*
 * The text of a document as the extractors build it: normalised UTF-8
 * with marks (where a page or a section begins).  Every byte an extractor
 * appends is normalised on the way in, so offsets the marks record are
 * offsets into the final text:
 *
 *   - CRLF and a lone CR become LF (a CR at the end of one append and an
 *     LF at the start of the next are one line end);
 *   - an invalid UTF-8 sequence becomes U+FFFD and is counted;
 *   - NUL bytes are removed and counted;
 *   - the result is in Unicode NFC (utf8proc).  NFC is applied to each
 *     append in stretches that end before an ASCII byte (no ASCII
 *     character composes with what precedes it), so a combining mark is
 *     composed with its base only within one append.
 *
 * A text has a size limit: appending past it fails with OYL_EINVAL
 * (an extractor that meets it stops: a ZIP bomb ends there).
 */
#ifndef OYL_INGEST_TEXT_H
#define OYL_INGEST_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef enum oyl__mark_kind {
	OYL__MARK_PAGE = 1,    /* a page begins: `page` (1-based) */
	OYL__MARK_SECTION = 2, /* a heading of `level` (1 = top) titled `title` begins */
} oyl__mark_kind;

typedef struct oyl__mark {
	size_t at;   /* byte offset into the text */
	int kind;    /* an oyl__mark_kind */
	int level;   /* SECTION */
	int64_t page; /* PAGE */
	char *title; /* SECTION: normalised, one line */
} oyl__mark;

typedef struct oyl__text {
	char *s; /* NUL-terminated; NULL while empty */
	size_t n, cap;
	oyl__mark *marks;
	size_t nmarks, capmarks;
	size_t limit;        /* most bytes of text allowed */
	int64_t invalid;     /* invalid UTF-8 sequences replaced */
	int64_t nuls;        /* NUL bytes removed */
	int64_t controls;    /* other C0 controls but TAB, LF, FF (kept) */
	int pending_cr;      /* the last append ended in CR */
	int status;          /* first failure (latched), OYL_OK while none */
	char errmsg[128];    /* its message */
} oyl__text;

void oyl__text_init(oyl__text *t, size_t limit);
void oyl__text_free(oyl__text *t);

/* Appends raw bytes (any encoding errors included), normalised.  Returns
 * t->status: once a call failed, every later one fails the same way. */
int oyl__text_append(oyl__text *t, const char *s, size_t n);
int oyl__text_puts(oyl__text *t, const char *s);

/* Ends the current paragraph: the text ends with one blank line after
 * it (nothing at the start of the text, nothing if already there). */
int oyl__text_paragraph(oyl__text *t);
/* Ends the current line unless the text is empty or ends with one. */
int oyl__text_line(oyl__text *t);
/* Ends with one space unless it ends with white space (or is empty). */
int oyl__text_space(oyl__text *t);

/* Marks that a page begins here. */
int oyl__text_page(oyl__text *t, int64_t page);
/* Marks that a section begins here; the title's white space is folded
 * to single spaces. */
int oyl__text_section(oyl__text *t, int level, const char *title, size_t n);

/* The text as it is now, and its length. */
static inline const char *oyl__text_str(const oyl__text *t)
{
	return t->s ? t->s : "";
}

/* The number of code points in s[0..n) (valid UTF-8). */
size_t oyl__utf8_chars(const char *s, size_t n);

#endif
