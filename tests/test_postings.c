/*
 * The search index's blocks (search/postings.c): what a document's
 * chunks pack reads back as written, in runs of any size, with numbers of
 * one byte and of several; a damaged block is refused, never misread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oyl/oyl.h"
#include "search/bm25.h"
#include "search/postings.h"

typedef struct want {
	uint32_t ordinal, tf, len;
} want;

/* Term `term`'s block from p; NULL when the document lacks it. */
static const unsigned char *block_of(const oyl__postings *p, const char *term, size_t *size)
{
	for (size_t i = 0; i < oyl__postings_count(p); i++) {
		const char *t;
		const unsigned char *b;
		oyl__postings_get(p, i, &t, &b, size);
		if (strcmp(t, term) == 0)
			return b;
	}
	return NULL;
}

/* The block read back `run` chunks at a time equals want[0..n). */
static void read_back(const unsigned char *b, size_t size, size_t run, const want *w, size_t n)
{
	oyl__block_reader r;
	uint32_t ord[300], tf[300], len[300];
	size_t seen = 0;
	int got;
	oyl__block_reader_init(&r, b, size);
	while ((got = oyl__block_read(&r, ord, tf, len, run)) > 0) {
		ck_assert_uint_le((size_t)got, run);
		for (int i = 0; i < got; i++, seen++) {
			ck_assert_uint_lt(seen, n);
			ck_assert_uint_eq(ord[i], w[seen].ordinal);
			ck_assert_uint_eq(tf[i], w[seen].tf);
			ck_assert_uint_eq(len[i], w[seen].len);
		}
	}
	ck_assert_int_eq(got, 0);
	ck_assert_uint_eq(seen, n);
}

/* A document's postings being built, with the tokenizer of no language. */
static void begin_document(oyl__tokenizer **tok, oyl__postings **p)
{
	ck_assert_int_eq(oyl__tokenizer_new("none", tok), OYL_OK);
	ck_assert_int_eq(oyl__postings_new(p), OYL_OK);
}

static void end_document(oyl__tokenizer *tok, oyl__postings *p)
{
	oyl__postings_free(p);
	oyl__tokenizer_free(tok);
}

START_TEST(a_block_reads_back_as_written)
{
	oyl__tokenizer *tok;
	oyl__postings *p;
	begin_document(&tok, &p);
	/* "kiwi" in 350 chunks: ordinals 0, 2, 4, ... then gaps past 128 */
	static char text[4096];
	static want kiwi[400], long_one[1];
	size_t nk = 0;
	for (uint32_t c = 0; c < 400; c++) {
		int64_t ordinal = c < 250 ? 2 * c : 500 + 200 * (int64_t)(c - 250);
		size_t len = 0;
		uint32_t tf = 0, words = 0;
		if (c % 8 != 7) { /* most hold kiwi, some several times */
			tf = 1 + c % 3;
			for (uint32_t i = 0; i < tf; i++, words++)
				len += (size_t)snprintf(text + len, sizeof text - len, "kiwi ");
		}
		/* chunk 5 is long: a length past one byte's 127 */
		uint32_t filler = c == 5 ? 300 : 2;
		for (uint32_t i = 0; i < filler; i++, words++)
			len += (size_t)snprintf(text + len, sizeof text - len, "w%u ", i);
		ck_assert_int_eq(oyl__postings_add_chunk(p, tok, ordinal, text, len), OYL_OK);
		if (tf)
			kiwi[nk++] = (want){(uint32_t)ordinal, tf, words};
		if (c == 5)
			long_one[0] = (want){(uint32_t)ordinal, 1, words};
	}
	oyl__postings_finish(p);
	size_t size;
	const unsigned char *b = block_of(p, "kiwi", &size);
	ck_assert_ptr_nonnull(b);
	size_t runs[] = {1, 3, 256, 300};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
		read_back(b, size, runs[i], kiwi, nk);
	b = block_of(p, "w299", &size);
	ck_assert_ptr_nonnull(b);
	read_back(b, size, 256, long_one, 1);
	end_document(tok, p);
}
END_TEST

/* The status of reading block b[0..size) to its end. */
static int read_all(const unsigned char *b, size_t size)
{
	oyl__block_reader r;
	uint32_t ord[8], tf[8], len[8];
	int got;
	oyl__block_reader_init(&r, b, size);
	while ((got = oyl__block_read(&r, ord, tf, len, 8)) > 0)
		;
	return got;
}

START_TEST(a_damaged_block_is_refused)
{
	const unsigned char good[] = {0, 1, 5, 3, 2, 7};
	ck_assert_int_eq(read_all(good, sizeof good), 0);
	const unsigned char cut[] = {0, 1, 5, 3, 2};             /* a chunk cut short */
	const unsigned char no_tf[] = {0, 0, 5};                 /* a term never there */
	const unsigned char too_long[] = {0, 6, 5};              /* more than its chunk */
	const unsigned char open_end[] = {0, 1, 0x85};           /* a number never ending */
	const unsigned char past_32[] = {0x80, 0x80, 0x80, 0x80, 0x10, 1, 1}; /* ordinal 2^32 */
	const unsigned char gap_past_32[] = {0, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1};
	const unsigned char huge[] = {0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
	/* ordinal 2^32 - 1, then one more in one-byte numbers */
	const unsigned char step_past_32[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1, 0, 1, 1};
	const struct {
		const unsigned char *b;
		size_t n;
	} bad[] = {{cut, sizeof cut},
		   {no_tf, sizeof no_tf},
		   {too_long, sizeof too_long},
		   {open_end, sizeof open_end},
		   {past_32, sizeof past_32},
		   {gap_past_32, sizeof gap_past_32},
		   {huge, sizeof huge},
		   {step_past_32, sizeof step_past_32}};
	oyl__bm25_params p = {1.2, 0.75, 100, 5.0};
	oyl__bm25 *s;
	ck_assert_int_eq(oyl__bm25_new(&p, 1, &s), OYL_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(read_all(bad[i].b, bad[i].n) == OYL_EINVAL, "block %zu", i);
		/* and the scorer, which decodes blocks itself, takes none of it */
		ck_assert_msg(oyl__bm25_add_block(s, 0, UINT64_C(3) << 32, bad[i].b, bad[i].n) ==
				      OYL_EINVAL,
			      "block %zu", i);
		ck_assert_int_eq(oyl__bm25_df(s, 0), 0);
	}
	oyl__bm25_free(s);
}
END_TEST

/* One posting each: a run read back from the block, or the block whole
 * (oyl__bm25_add_block decodes it straight into the scorer). */
static void score_block_as(int whole, const unsigned char *b, size_t size, oyl__bm25_hit *hits,
			   size_t *n)
{
	oyl__bm25_params p = {1.2, 0.75, 1000, 40.0};
	oyl__bm25 *s;
	ck_assert_int_eq(oyl__bm25_new(&p, 2, &s), OYL_OK);
	if (whole) {
		ck_assert_int_eq(oyl__bm25_add_block(s, 1, UINT64_C(9) << 32, b, size), OYL_OK);
	} else {
		oyl__block_reader r;
		static uint32_t ord[400], tf[400], len[400];
		oyl__block_reader_init(&r, b, size);
		int got = oyl__block_read(&r, ord, tf, len, 400);
		ck_assert_int_gt(got, 0);
		for (int i = 0; i < got; i++)
			ck_assert_int_eq(oyl__bm25_add(s, 1, UINT64_C(9) << 32 | ord[i], tf[i], len[i]),
					 OYL_OK);
	}
	ck_assert_int_eq(oyl__bm25_top(s, 400, 0, NULL, NULL, hits, n), OYL_OK);
	oyl__bm25_free(s);
}

START_TEST(a_block_scores_as_its_chunks_one_by_one)
{
	oyl__tokenizer *tok;
	oyl__postings *p;
	begin_document(&tok, &p);
	/* "fig" in 300 chunks, some ordinals and lengths past one byte */
	static char text[4096];
	for (uint32_t c = 0; c < 300; c++) {
		size_t len = 0;
		for (uint32_t i = 0; i < 1 + c % 4; i++)
			len += (size_t)snprintf(text + len, sizeof text - len, "fig ");
		for (uint32_t i = 0; i < (c % 50 == 0 ? 200 : 3); i++)
			len += (size_t)snprintf(text + len, sizeof text - len, "w ");
		int64_t ordinal = c < 200 ? c : 200 + 300 * (int64_t)c;
		ck_assert_int_eq(oyl__postings_add_chunk(p, tok, ordinal, text, len), OYL_OK);
	}
	oyl__postings_finish(p);
	size_t size, nwant, ngot;
	const unsigned char *b = block_of(p, "fig", &size);
	ck_assert_ptr_nonnull(b);
	static oyl__bm25_hit want[400], got[400];
	score_block_as(0, b, size, want, &nwant);
	score_block_as(1, b, size, got, &ngot);
	ck_assert_uint_eq(nwant, 300);
	ck_assert_uint_eq(ngot, nwant);
	ck_assert_int_eq(memcmp(want, got, nwant * sizeof want[0]), 0);
	end_document(tok, p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("postings");
	TCase *tc = tcase_create("postings");
	tcase_add_test(tc, a_block_reads_back_as_written);
	tcase_add_test(tc, a_damaged_block_is_refused);
	tcase_add_test(tc, a_block_scores_as_its_chunks_one_by_one);
	suite_add_tcase(s, tc);
	return t_run(s);
}
