/*
 * What the fuzz targets share: the properties the text sink promises
 * (ingest/text.h) and those the chunker promises (ingest/chunk.h, the
 * same as tests/test_chunking.c checks), checked after every input.  A
 * broken property aborts, which libFuzzer reports as a crash and saves
 * the input that did it.
 */
#ifndef OYL_FUZZ_COMMON_H
#define OYL_FUZZ_COMMON_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/chunk.h"
#include "ingest/extract.h"
#include "ingest/text.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

/* The text limit the targets give an extractor: smaller than the
 * pipeline's 16 MiB, so that a ZIP bomb costs a fuzzer little time. */
#define FUZZ_TEXT_LIMIT ((size_t)4 << 20)

#define FUZZ_CHECK(cond, ...)                                                                    \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz: %s:%d: property broken: %s: ", __FILE__,         \
				__LINE__, #cond);                                                \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static inline int fuzz_is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* What text.h promises of any text, whatever was appended to it. */
static inline void fuzz_check_text(const oyl__text *t)
{
	const char *s = oyl__text_str(t);
	FUZZ_CHECK(t->n <= t->limit, "%zu bytes past a limit of %zu", t->n, t->limit);
	FUZZ_CHECK(t->n == 0 || (t->s && t->n < t->cap), "n %zu, cap %zu", t->n, t->cap);
	FUZZ_CHECK(s[t->n] == '\0', "not NUL-terminated at %zu", t->n);
	FUZZ_CHECK(!memchr(s, '\0', t->n), "a NUL byte in the text");
	FUZZ_CHECK(!memchr(s, '\r', t->n), "a CR in the text");
	FUZZ_CHECK(oyl__utf8_valid(s, t->n), "the text is not valid UTF-8");
	FUZZ_CHECK(t->status == OYL_OK || t->errmsg[0], "status %d without a message", t->status);
	size_t prev = 0;
	for (size_t i = 0; i < t->nmarks; i++) {
		const oyl__mark *m = &t->marks[i];
		FUZZ_CHECK(m->at <= t->n, "mark %zu at %zu past the text's %zu bytes", i, m->at,
			   t->n);
		FUZZ_CHECK(m->at >= prev, "mark %zu at %zu before mark %zu at %zu", i, m->at,
			   i - 1, prev);
		prev = m->at;
		FUZZ_CHECK(m->kind == OYL__MARK_PAGE || m->kind == OYL__MARK_SECTION,
			   "mark %zu of kind %d", i, m->kind);
		if (m->kind != OYL__MARK_SECTION)
			continue;
		size_t tn = m->title ? strlen(m->title) : 0;
		FUZZ_CHECK(tn > 0, "section mark %zu without a title", i);
		FUZZ_CHECK(m->level >= 1, "section mark %zu of level %d", i, m->level);
		FUZZ_CHECK(oyl__utf8_valid(m->title, tn), "title %zu is not valid UTF-8", i);
		FUZZ_CHECK(m->title[0] != ' ' && m->title[tn - 1] != ' ' &&
				   !strpbrk(m->title, "\t\n\r\f") && !strstr(m->title, "  "),
			   "title %zu not folded: \"%s\"", i, m->title);
	}
}

/* ---- chunks ------------------------------------------------------------ */

typedef struct fuzz_chunks {
	oyl__chunk *c;
	size_t n, cap;
} fuzz_chunks;

static inline int fuzz_collect(const oyl__chunk *c, void *payload)
{
	fuzz_chunks *all = payload;
	if (all->n == all->cap) {
		all->cap = all->cap ? all->cap * 2 : 64;
		all->c = realloc(all->c, all->cap * sizeof *all->c);
		FUZZ_CHECK(all->c != NULL, "out of memory");
	}
	all->c[all->n] = *c;
	/* The section is borrowed for the call: keep a copy. */
	all->c[all->n].section = c->section ? strdup(c->section) : NULL;
	all->n++;
	return 0;
}

static inline void fuzz_chunks_free(fuzz_chunks *all)
{
	for (size_t i = 0; i < all->n; i++)
		free((char *)all->c[i].section);
	free(all->c);
	memset(all, 0, sizeof *all);
}

/* The section path a chunk is given: a JSON array of strings. */
static inline void fuzz_check_section(const char *json, size_t i)
{
	if (!json)
		return;
	cJSON *arr = cJSON_Parse(json);
	FUZZ_CHECK(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0,
		   "chunk %zu: section is not a non-empty array: %s", i, json);
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		FUZZ_CHECK(cJSON_IsString(e), "chunk %zu: section holds a non-string", i);
	}
	cJSON_Delete(arr);
}

/* Chunks t twice with the options and checks every promised property. */
static inline void fuzz_check_chunks(const oyl__text *t, int64_t target, int64_t overlap)
{
	oyl__chunk_options o = {target, overlap};
	fuzz_chunks a = {0}, b = {0};
	int rc = oyl__chunk_text(t, &o, fuzz_collect, &a);
	FUZZ_CHECK(rc == OYL_OK, "chunking failed: %d", rc);
	rc = oyl__chunk_text(t, &o, fuzz_collect, &b);
	FUZZ_CHECK(rc == OYL_OK, "chunking failed the second time: %d", rc);

	const char *s = oyl__text_str(t);
	size_t max_bytes = (size_t)target * OYL__CHUNK_BYTES_PER_TOKEN;
	size_t nonspace = 0, covered = 0, chars_at = 0;
	int64_t chars = 0;
	for (size_t k = 0; k < t->n; k++)
		nonspace += !fuzz_is_space(s[k]);
	FUZZ_CHECK(a.n == b.n, "%zu chunks, then %zu", a.n, b.n);
	FUZZ_CHECK(nonspace == 0 || a.n > 0, "no chunk of %zu non-space bytes", nonspace);
	for (size_t i = 0; i < a.n; i++) {
		const oyl__chunk *c = &a.c[i], *d = &b.c[i];
		FUZZ_CHECK(c->start == d->start && c->end == d->end && c->tokens == d->tokens &&
				   c->page == d->page && c->start_char == d->start_char &&
				   c->end_char == d->end_char,
			   "chunk %zu differs the second time", i);
		int same = c->section && d->section ? strcmp(c->section, d->section) == 0
						    : c->section == d->section;
		FUZZ_CHECK(same, "chunk %zu: section differs the second time", i);
		FUZZ_CHECK(c->ordinal == (int64_t)i, "chunk %zu has ordinal %lld", i,
			   (long long)c->ordinal);
		FUZZ_CHECK(c->start < c->end && c->end <= t->n, "chunk %zu: [%zu, %zu) of %zu", i,
			   c->start, c->end, t->n);
		FUZZ_CHECK(c->end - c->start <= max_bytes, "chunk %zu: %zu bytes, at most %zu", i,
			   c->end - c->start, max_bytes);
		FUZZ_CHECK(c->tokens <= target, "chunk %zu: %lld words, target %lld", i,
			   (long long)c->tokens, (long long)target);
		FUZZ_CHECK(!fuzz_is_space(s[c->start]) && !fuzz_is_space(s[c->end - 1]),
			   "chunk %zu: [%zu, %zu) not trimmed", i, c->start, c->end);
		FUZZ_CHECK(c->tokens == oyl__count_tokens(s + c->start, c->end - c->start),
			   "chunk %zu: %lld words counted wrong", i, (long long)c->tokens);
		/* No word cut, unless the chunk is one word longer than a chunk
		 * may be (cut at a character boundary: not always at max_bytes). */
		if (c->end < t->n && !fuzz_is_space(s[c->end])) {
			size_t we = c->end;
			while (we < t->n && !fuzz_is_space(s[we]))
				we++;
			int one_word = 1;
			for (size_t k = c->start; k < c->end; k++)
				one_word &= !fuzz_is_space(s[k]);
			int64_t words = oyl__count_tokens(s + c->start, we - c->start);
			FUZZ_CHECK(one_word && (we - c->start > max_bytes || words > target),
				   "chunk %zu: [%zu, %zu) ends inside a word", i, c->start, c->end);
			FUZZ_CHECK((s[c->end] & 0xc0) != 0x80, "chunk %zu: cut inside a character",
				   i);
		}
		/* In order, overlapping or adjacent, never leaving a gap. */
		if (i > 0)
			FUZZ_CHECK(c->start > a.c[i - 1].start && c->end > a.c[i - 1].end,
				   "chunk %zu: [%zu, %zu) after [%zu, %zu)", i, c->start, c->end,
				   a.c[i - 1].start, a.c[i - 1].end);
		for (size_t k = covered; k < c->start; k++)
			FUZZ_CHECK(fuzz_is_space(s[k]), "byte %zu is in no chunk", k);
		if (c->end > covered)
			covered = c->end;
		/* Characters agree with bytes (counted on from the last start). */
		chars += (int64_t)oyl__utf8_chars(s + chars_at, c->start - chars_at);
		chars_at = c->start;
		size_t span = oyl__utf8_chars(s + c->start, c->end - c->start);
		FUZZ_CHECK(c->start_char == chars && c->end_char - c->start_char == (int64_t)span,
			   "chunk %zu: characters disagree with bytes", i);
		fuzz_check_section(c->section, i);
	}
	for (size_t k = covered; k < t->n; k++)
		FUZZ_CHECK(fuzz_is_space(s[k]), "byte %zu after the last chunk", k);
	fuzz_chunks_free(&a);
	fuzz_chunks_free(&b);
}

/* ---- extractors -------------------------------------------------------- */

typedef struct fuzz_progress {
	size_t n, last;
} fuzz_progress;

/* Progress only moves forward and never past the input. */
static inline int fuzz_on_progress(size_t done, void *payload)
{
	fuzz_progress *p = payload;
	FUZZ_CHECK(done >= p->last && done <= p->n, "progress %zu after %zu, of %zu", done,
		   p->last, p->n);
	p->last = done;
	return 0;
}

/*
 * Runs the extractor of `mime` as the pipeline does, into t (initialised
 * here, freed by the caller), then checks the text it left (whatever its
 * status) and, on success, chunks it with the default options (fuzz_chunk
 * tries the others).  Returns the extractor's status.
 */
static inline int fuzz_extract_into(const char *mime, const uint8_t *data, size_t size,
				    oyl__text *t)
{
	const oyl__extractor *x = oyl__extractor_for(mime);
	FUZZ_CHECK(x != NULL, "no extractor for %s in this build", mime);
	oyl__text_init(t, FUZZ_TEXT_LIMIT);
	fuzz_progress p = {size, 0};
	oyl__extract_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.mime_type = mime;
	ctx.name = "fuzz";
	ctx.progress = fuzz_on_progress;
	ctx.payload = &p;
	int rc = x->extract(data, size, t, &ctx);
	FUZZ_CHECK(rc == OYL_OK || rc == OYL_EINVAL || rc == OYL_ENOTSUP, "status %d (%s)", rc,
		   ctx.errmsg);
	FUZZ_CHECK(rc == OYL_OK || ctx.errmsg[0] || t->errmsg[0], "status %d without a message",
		   rc);
	FUZZ_CHECK(memchr(ctx.errmsg, '\0', sizeof ctx.errmsg) != NULL, "errmsg not terminated");
	fuzz_check_text(t);
	if (rc == OYL_OK) {
		FUZZ_CHECK(t->status == OYL_OK, "success with a failed text: %s", t->errmsg);
		fuzz_check_chunks(t, OYL__CHUNK_TARGET_DEFAULT, OYL__CHUNK_OVERLAP_DEFAULT);
	}
	return rc;
}

/* The same, for targets that need nothing of the text afterwards. */
static inline int fuzz_extract(const char *mime, const uint8_t *data, size_t size)
{
	oyl__text t;
	int rc = fuzz_extract_into(mime, data, size, &t);
	oyl__text_free(&t);
	return rc;
}

#endif
