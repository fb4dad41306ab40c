/*
 * The chunker.  The text is read as pieces (runs of non-space bytes) and
 * the gaps between them; the gap after a piece is a boundary of some
 * strength.  A chunk takes pieces while its words and bytes fit, then
 * ends after the strongest boundary among the pieces that make it at
 * least half full (the latest of equals).  The next chunk starts some
 * `overlap` words back, at a sentence start when there is one, unless the
 * chunk ended at a section or at the end of the text.
 */
#include "ingest/chunk.h"

#include <cjson/cJSON.h>
#include <string.h>
#include <utf8proc.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

enum { B_WORD = 1, B_LINE, B_SENTENCE, B_PARAGRAPH, B_SECTION, B_END };

#define MAX_DEPTH 16 /* section levels kept in a path */

typedef struct piece {
	size_t start, end;
	int64_t tokens;
	int after; /* the boundary after it: B_* */
} piece;

typedef struct chunker {
	const oyl__text *t;
	int64_t target, overlap;
	size_t max_bytes;
	piece *p;
	size_t np, cap;
	/* marks read up to the current chunk's start */
	size_t mark;
	int64_t page;
	int levels[MAX_DEPTH];
	const char *titles[MAX_DEPTH];
	int depth;
	char *section; /* the path as JSON, NULL at depth 0 */
	int section_stale;
	/* characters before byte `char_at` */
	size_t char_at;
	int64_t chars;
} chunker;

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* A character of a word: letters, marks, numbers, connectors ('_'). */
static int is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       (cp >= '0' && cp <= '9') || cp == '_';
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_PC;
}

static size_t next_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
	int len = oyl__utf8_decode((const unsigned char *)s + i, n - i, cp);
	if (len < 0) { /* not in a normalised text; counted as one byte */
		*cp = 0xfffd;
		return i + (size_t)-len;
	}
	return i + (size_t)len;
}

int64_t oyl__count_tokens(const char *s, size_t n)
{
	int64_t words = 0;
	int in_word = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		i = next_cp(s, n, i, &cp);
		int w = is_word_cp(cp);
		words += w && !in_word;
		in_word = w;
	}
	return words;
}

/* Where to cut an overlong piece s[i..j): the last character boundary
 * within `bytes` bytes that keeps at most `tokens` words (at least one
 * character). */
static size_t cut_piece(const char *s, size_t i, size_t j, size_t bytes, int64_t tokens)
{
	size_t k = i, last = i;
	int64_t words = 0;
	int in_word = 0;
	while (k < j) {
		uint32_t cp;
		size_t next = next_cp(s, j, k, &cp);
		int w = is_word_cp(cp);
		if (w && !in_word && words == tokens)
			break;
		if (next - i > bytes)
			break;
		words += w && !in_word;
		in_word = w;
		k = last = next;
	}
	if (last == i) /* one character always fits */
		last = next_cp(s, j, i, &(uint32_t){0});
	return last;
}

/* A sentence ends at . ! ? (or … and the CJK full stop), possibly
 * followed by closing quotes and brackets. */
static int ends_sentence(const char *s, size_t start, size_t end)
{
	size_t k = end;
	while (k > start && strchr("\"')]}", s[k - 1]) && s[k - 1] != '\0')
		k--;
	if (k == start)
		return 0;
	char c = s[k - 1];
	if (c == '.' || c == '!' || c == '?')
		return 1;
	return (k - start >= 3 && (memcmp(s + k - 3, "\xe2\x80\xa6", 3) == 0 ||
				   memcmp(s + k - 3, "\xe3\x80\x82", 3) == 0));
}

/* A section mark at a position in (from, to]? */
static int section_between(const oyl__text *t, size_t from, size_t to)
{
	size_t lo = 0, hi = t->nmarks;
	while (lo < hi) { /* first mark with at > from */
		size_t mid = (lo + hi) / 2;
		if (t->marks[mid].at <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < t->nmarks && t->marks[i].at <= to; i++)
		if (t->marks[i].kind == OYL__MARK_SECTION)
			return 1;
	return 0;
}

static int push_piece(chunker *c, const piece *pc)
{
	if (c->np == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		piece *p = oyl__realloc(c->p, cap * sizeof *p);
		if (!p)
			return OYL_ENOMEM;
		c->p = p;
		c->cap = cap;
	}
	c->p[c->np++] = *pc;
	return OYL_OK;
}

/* Reads the pieces of one chunk from `pos` (a piece's start) into c->p. */
static int scan(chunker *c, size_t pos)
{
	const char *s = c->t->s;
	size_t n = c->t->n;
	int64_t tokens = 0;
	size_t i = pos;

	c->np = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && !is_space((unsigned char)s[j]))
			j++;
		int64_t ptok = oyl__count_tokens(s + i, j - i);
		if (c->np > 0 && (tokens + ptok > c->target || j - pos > c->max_bytes))
			break;
		int cut = 0;
		if (c->np == 0 && (j - i > c->max_bytes || ptok > c->target)) {
			j = cut_piece(s, i, j, c->max_bytes, c->target);
			ptok = oyl__count_tokens(s + i, j - i);
			cut = 1;
		}
		size_t k = j;
		int newlines = 0;
		while (k < n && is_space((unsigned char)s[k]))
			newlines += s[k++] == '\n';
		piece pc = {i, j, ptok, B_WORD};
		if (cut && k == j)
			pc.after = B_WORD;
		else if (k >= n)
			pc.after = B_END;
		else if (section_between(c->t, j, k))
			pc.after = B_SECTION;
		else if (newlines >= 2)
			pc.after = B_PARAGRAPH;
		else if (ends_sentence(s, i, j))
			pc.after = B_SENTENCE;
		else if (newlines == 1)
			pc.after = B_LINE;
		if (push_piece(c, &pc))
			return OYL_ENOMEM;
		tokens += ptok;
		i = k;
		if (cut)
			break;
	}
	return OYL_OK;
}

/* The last piece of the chunk: the strongest boundary once half full. */
static size_t choose_end(const chunker *c)
{
	if (c->p[c->np - 1].after == B_END)
		return c->np - 1;
	int64_t tokens = 0;
	size_t best = c->np - 1;
	int best_level = 0;
	for (size_t k = 0; k < c->np; k++) {
		tokens += c->p[k].tokens;
		size_t bytes = c->p[k].end - c->p[0].start;
		int full = tokens * 2 >= c->target || bytes * 2 >= c->max_bytes || k == c->np - 1;
		if (full && c->p[k].after >= best_level) {
			best = k;
			best_level = c->p[k].after;
		}
	}
	return best;
}

/* Where the next chunk starts: an index into c->p (e + 1: no overlap). */
static size_t choose_next(const chunker *c, size_t e)
{
	if (c->overlap == 0 || c->p[e].after >= B_SECTION || e == 0)
		return e + 1;
	size_t o = e + 1;
	int64_t acc = 0;
	while (o > 1 && acc + c->p[o - 1].tokens <= c->overlap)
		acc += c->p[--o].tokens;
	if (o > e)
		return e + 1;
	for (size_t q = o; q <= e; q++)
		if (c->p[q - 1].after >= B_SENTENCE)
			return q;
	return o;
}

/* Brings pages and the section path up to a chunk starting at `at`. */
static int advance_marks(chunker *c, size_t at)
{
	const oyl__text *t = c->t;
	for (; c->mark < t->nmarks && t->marks[c->mark].at <= at; c->mark++) {
		const oyl__mark *m = &t->marks[c->mark];
		if (m->kind == OYL__MARK_PAGE) {
			c->page = m->page;
			continue;
		}
		while (c->depth > 0 && c->levels[c->depth - 1] >= m->level)
			c->depth--;
		if (c->depth == MAX_DEPTH) /* deeper levels than that share the last slot */
			c->depth--;
		c->levels[c->depth] = m->level;
		c->titles[c->depth++] = m->title;
		c->section_stale = 1;
	}
	if (!c->section_stale)
		return OYL_OK;
	c->section_stale = 0;
	oyl__free(c->section);
	c->section = NULL;
	if (c->depth == 0)
		return OYL_OK;
	cJSON *arr = cJSON_CreateArray();
	for (int d = 0; arr && d < c->depth; d++) {
		cJSON *s = cJSON_CreateString(c->titles[d]);
		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			cJSON_Delete(arr);
			arr = NULL;
		}
	}
	char *json = arr ? cJSON_PrintUnformatted(arr) : NULL;
	cJSON_Delete(arr);
	if (!json)
		return OYL_ENOMEM;
	c->section = oyl__strdup(json);
	cJSON_free(json);
	return c->section ? OYL_OK : OYL_ENOMEM;
}

int oyl__chunk_text(const oyl__text *t, const oyl__chunk_options *o, oyl__chunk_cb cb,
		    void *payload)
{
	if (o->target_tokens < 1 || o->target_tokens > OYL__CHUNK_TARGET_MAX ||
	    o->overlap_tokens < 0 || o->overlap_tokens >= o->target_tokens)
		return OYL_EINVAL;
	chunker c;
	memset(&c, 0, sizeof c);
	c.t = t;
	c.target = o->target_tokens;
	c.overlap = o->overlap_tokens;
	c.max_bytes = (size_t)o->target_tokens * OYL__CHUNK_BYTES_PER_TOKEN;

	const char *s = oyl__text_str(t);
	size_t n = t->n, pos = 0, prev_end = 0, resume = 0;
	int64_t ordinal = 0;
	int rc = OYL_OK;
	while (pos < n && is_space((unsigned char)s[pos]))
		pos++;
	while (pos < n && rc == OYL_OK) {
		if ((rc = scan(&c, pos)))
			break;
		size_t e = choose_end(&c);
		/* An overlap that leaves no room to go past the last chunk is
		 * dropped: the chunk starts where the last one's next would
		 * have without overlap. */
		if (ordinal > 0 && c.p[e].end <= prev_end) {
			pos = resume;
			if ((rc = scan(&c, pos)))
				break;
			e = choose_end(&c);
		}
		if ((rc = advance_marks(&c, c.p[0].start)))
			break;
		oyl__chunk ch;
		ch.ordinal = ordinal++;
		ch.start = c.p[0].start;
		ch.end = c.p[e].end;
		c.chars += (int64_t)oyl__utf8_chars(s + c.char_at, ch.start - c.char_at);
		c.char_at = ch.start;
		ch.start_char = c.chars;
		ch.end_char = c.chars + (int64_t)oyl__utf8_chars(s + ch.start, ch.end - ch.start);
		ch.tokens = 0;
		for (size_t k = 0; k <= e; k++)
			ch.tokens += c.p[k].tokens;
		ch.page = c.page;
		ch.section = c.section;
		if ((rc = cb(&ch, payload)))
			break;
		prev_end = ch.end;
		if (c.p[e].after == B_END)
			break;
		/* Without overlap, the next chunk starts after this one's gap. */
		resume = e + 1 < c.np ? c.p[e + 1].start : c.p[e].end;
		while (resume < n && is_space((unsigned char)s[resume]))
			resume++;
		size_t q = choose_next(&c, e);
		pos = q <= e ? c.p[q].start : resume;
	}
	oyl__free(c.section);
	oyl__free(c.p);
	return rc;
}
