/*
 * text/plain and text/markdown: the text is kept as it is (normalised by
 * the text sink).  Markdown headings, ATX ("## Title") and setext (a line
 * underlined with === or ---), outside fenced code blocks, are recorded
 * as sections.  A file whose bytes are largely not text (invalid UTF-8,
 * NUL or control bytes for more than a quarter of them) is refused: it is
 * binary data labelled as text.  Fewer are repaired and counted (a
 * Latin-1 file has one accented letter in twenty or so).
 */
#include "ingest/extract.h"

#include <string.h>

#include "oyl/oyl.h"

#define PROGRESS_EVERY (1u << 20)

typedef struct line {
	const char *s;
	size_t n;   /* without its line end */
	size_t all; /* with it */
} line;

/* The line at data[at..n): ends at LF, CRLF or a lone CR. */
static line line_at(const char *d, size_t n, size_t at)
{
	line l = {d + at, 0, 0};
	size_t i = at;
	while (i < n && d[i] != '\n' && d[i] != '\r')
		i++;
	l.n = i - at;
	if (i < n)
		i += (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n') ? 2 : 1;
	l.all = i - at;
	return l;
}

static size_t indent(const line *l)
{
	size_t i = 0;
	while (i < l->n && l->s[i] == ' ')
		i++;
	return i;
}

/* An ATX heading: up to 3 spaces, 1-6 '#', then a space or the end.
 * Returns its level and the title's bounds. */
static int atx_heading(const line *l, const char **title, size_t *tn)
{
	size_t i = indent(l);
	if (i > 3)
		return 0;
	int level = 0;
	while (i < l->n && l->s[i] == '#' && level < 7)
		i++, level++;
	if (level == 0 || level > 6 || (i < l->n && l->s[i] != ' ' && l->s[i] != '\t'))
		return 0;
	size_t end = l->n;
	while (end > i && (l->s[end - 1] == ' ' || l->s[end - 1] == '\t'))
		end--;
	while (end > i && l->s[end - 1] == '#') /* closing sequence */
		end--;
	*title = l->s + i;
	*tn = end - i;
	return level;
}

/* A setext underline (=== for level 1, --- for 2), or 0. */
static int setext_underline(const line *l)
{
	size_t i = indent(l);
	if (i > 3 || i >= l->n || (l->s[i] != '=' && l->s[i] != '-'))
		return 0;
	char c = l->s[i];
	while (i < l->n && l->s[i] == c)
		i++;
	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return i == l->n ? (c == '=' ? 1 : 2) : 0;
}

/* A code fence (``` or ~~~): its character, or 0. */
static char fence(const line *l)
{
	size_t i = indent(l);
	if (i > 3 || l->n - i < 3)
		return 0;
	char c = l->s[i];
	if ((c != '`' && c != '~') || l->s[i + 1] != c || l->s[i + 2] != c)
		return 0;
	return c;
}

static int blank(const line *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return 0;
	return 1;
}

static int markdown(const char *d, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	size_t at = 0, reported = 0;
	char in_fence = 0;
	int prev_blank = 1;
	while (at < n) {
		line l = line_at(d, n, at);
		char f = fence(&l);
		if (in_fence) {
			if (f == in_fence)
				in_fence = 0;
		} else if (f) {
			in_fence = f;
		} else {
			const char *title;
			size_t tn;
			int level = atx_heading(&l, &title, &tn);
			if (level) {
				oyl__text_section(out, level, title, tn);
			} else if (prev_blank && !blank(&l) && at + l.all < n) {
				line next = line_at(d, n, at + l.all);
				int under = setext_underline(&next);
				if (under)
					oyl__text_section(out, under, l.s, l.n);
			}
		}
		prev_blank = blank(&l);
		if (oyl__text_append(out, l.s, l.all))
			return out->status;
		at += l.all;
		if (ctx->progress && at - reported >= PROGRESS_EVERY) {
			reported = at;
			int stop = ctx->progress(at, ctx->payload);
			if (stop)
				return stop;
		}
	}
	return OYL_OK;
}

static int plain(const char *d, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	for (size_t at = 0; at < n;) {
		size_t step = n - at < PROGRESS_EVERY ? n - at : PROGRESS_EVERY;
		/* Each append ends before a character, not inside one: the sink
		 * would take each part of a split sequence for an invalid one. */
		for (int k = 0; k < 3 && at + step < n && ((unsigned char)d[at + step] & 0xc0) == 0x80;
		     k++)
			step--;
		if (oyl__text_append(out, d + at, step))
			return out->status;
		at += step;
		if (ctx->progress && at < n) {
			int stop = ctx->progress(at, ctx->payload);
			if (stop)
				return stop;
		}
	}
	return OYL_OK;
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	const char *d = (const char *)data;
	int rc = strcmp(ctx->mime_type, "text/markdown") == 0 ? markdown(d, n, out, ctx)
							       : plain(d, n, out, ctx);
	if (rc)
		return rc;
	int64_t bad = out->invalid + out->nuls + out->controls;
	if (n > 0 && bad * 4 > (int64_t)n)
		return oyl__extract_fail(ctx, OYL_EINVAL,
					 "not text: %lld of its %zu bytes are not UTF-8 text "
					 "(invalid sequences, NUL or control bytes)",
					 (long long)bad, n);
	return OYL_OK;
}

static const char *const mimes[] = {"text/plain", "text/markdown", NULL};

const oyl__extractor oyl__extract_text = {"text", mimes, extract};
