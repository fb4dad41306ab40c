/*
 * BM25 scoring from postings (search/bm25.c): the formula of
 * doc/retrieval.md, the same bits whatever order the postings come in,
 * ties by the caller's order or by key, top-k against a full sort,
 * refusals, and allocation failures.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_alloc.h"
#include "harness.h"
#include "oyl/oyl.h"
#include "search/bm25.h"

typedef struct posting {
	size_t term;
	uint64_t id;
	int64_t tf, len;
} posting;

/* A chunk's key: spread over the 64 bits, as a caller's (document << 32 | ordinal) is. */
static uint64_t make_id(unsigned n)
{
	return ((uint64_t)(n % 97) << 32) | (n / 97);
}

/* The callers' kind of tie order: descending keys, to tell it from the default. */
static int reverse(uint64_t a, uint64_t b, void *ctx)
{
	(void)ctx;
	return (a < b) - (a > b);
}

/* The formula written out plainly, for one chunk. */
static double reference(const oyl__bm25_params *p, const int64_t *df, const int64_t *tf,
			size_t terms, int64_t len)
{
	double score = 0;
	for (size_t t = 0; t < terms; t++) {
		if (!tf[t])
			continue;
		double idf = log(1 + ((double)p->chunks - (double)df[t] + 0.5) / ((double)df[t] + 0.5));
		double norm = p->k1 * (1 - p->b + p->b * (double)len / p->average_len);
		score += idf * (double)tf[t] * (p->k1 + 1) / ((double)tf[t] + norm);
	}
	return score;
}

START_TEST(scores_follow_the_formula)
{
	oyl__bm25_params p = {1.2, 0.75, 10, 50.0};
	oyl__bm25 *s;
	ck_assert_int_eq(oyl__bm25_new(&p, 2, &s), OYL_OK);
	uint64_t a = make_id(1), b = make_id(2), c = make_id(3);
	/* a: both terms; b: term 0 often, long; c: term 1 once, short */
	ck_assert_int_eq(oyl__bm25_add(s, 0, a, 2, 40), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 1, a, 1, 40), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 0, b, 5, 120), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 1, c, 1, 10), OYL_OK);
	ck_assert_int_eq(oyl__bm25_df(s, 0), 2);
	ck_assert_int_eq(oyl__bm25_df(s, 1), 2);
	oyl__bm25_hit hits[5];
	size_t n;
	ck_assert_int_eq(oyl__bm25_top(s, 5, 0, NULL, NULL, hits, &n), OYL_OK);
	ck_assert_uint_eq(n, 3);
	int64_t df[2] = {2, 2};
	int64_t tf_a[2] = {2, 1}, tf_b[2] = {5, 0}, tf_c[2] = {0, 1};
	double want_a = reference(&p, df, tf_a, 2, 40), want_b = reference(&p, df, tf_b, 2, 120),
	       want_c = reference(&p, df, tf_c, 2, 10);
	ck_assert(want_a > want_b && want_a > want_c);
	ck_assert(hits[0].chunk == a);
	ck_assert_double_eq_tol(hits[0].score, want_a, 1e-12);
	for (size_t i = 1; i < 3; i++) {
		double want = hits[i].chunk == b ? want_b : want_c;
		ck_assert_double_eq_tol(hits[i].score, want, 1e-12);
	}
	ck_assert(hits[1].score >= hits[2].score);
	/* a minimum score leaves the others out */
	ck_assert_int_eq(oyl__bm25_top(s, 5, want_a, NULL, NULL, hits, &n), OYL_OK);
	ck_assert_uint_eq(n, 1);
	oyl__bm25_free(s);
}
END_TEST

/* n postings over `chunks` chunks and `terms` terms, deterministic. */
static posting *generate(size_t n, unsigned chunks, size_t terms, unsigned seed)
{
	posting *ps = calloc(n, sizeof *ps);
	char *used = calloc((size_t)chunks * terms, 1);
	size_t k = 0;
	srand(seed);
	while (k < n) {
		unsigned c = (unsigned)rand() % chunks;
		size_t t = (size_t)rand() % terms;
		if (used[(size_t)c * terms + t])
			continue;
		used[(size_t)c * terms + t] = 1;
		ps[k].term = t;
		ps[k].id = make_id(c);
		ps[k].tf = 1 + rand() % 4;
		ps[k].len = 100 + (int64_t)(c % 50) * 3; /* a chunk's length, the same each time */
		k++;
	}
	free(used);
	return ps;
}

static int by_key(const void *x, const void *y)
{
	const posting *a = x, *b = y;
	return (a->id > b->id) - (a->id < b->id);
}

static oyl__bm25_tie tie_order; /* the order score_all breaks ties in */

static const oyl__bm25_params usual = {1.2, 0.75, 5000, 150.0};

/* A scorer with settings p holding ps[0..n), added one by one. */
static oyl__bm25 *filled(const oyl__bm25_params *p, const posting *ps, size_t n, size_t terms)
{
	oyl__bm25 *s;
	ck_assert_int_eq(oyl__bm25_new(p, terms, &s), OYL_OK);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(oyl__bm25_add(s, ps[i].term, ps[i].id, ps[i].tf, ps[i].len), OYL_OK);
	return s;
}

static void score_all(const posting *ps, size_t n, size_t terms, size_t k, oyl__bm25_hit *hits,
		      size_t *got)
{
	oyl__bm25 *s = filled(&usual, ps, n, terms);
	ck_assert_int_eq(oyl__bm25_top(s, k, 0, tie_order, NULL, hits, got), OYL_OK);
	oyl__bm25_free(s);
}

START_TEST(the_same_bits_in_any_order)
{
	enum { N = 6000, TERMS = 4, K = 100 };
	posting *ps = generate(N, 3000, TERMS, 7);
	oyl__bm25_hit first[K], again[K];
	size_t n1, n2;
	score_all(ps, N, TERMS, K, first, &n1);
	ck_assert_uint_eq(n1, K);
	/* reversed, then shuffled: what a backend's other plan might return */
	for (size_t i = 0; i < N / 2; i++) {
		posting t = ps[i];
		ps[i] = ps[N - 1 - i];
		ps[N - 1 - i] = t;
	}
	score_all(ps, N, TERMS, K, again, &n2);
	ck_assert_uint_eq(n2, n1);
	ck_assert_int_eq(memcmp(first, again, sizeof first), 0);
	srand(11);
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		posting t = ps[i];
		ps[i] = ps[j];
		ps[j] = t;
	}
	score_all(ps, N, TERMS, K, again, &n2);
	ck_assert_int_eq(memcmp(first, again, sizeof first), 0);
	/* in key order from the start (as a first term's postings come), for
	 * two thirds and for all: the scorer sorts only the rest, or nothing */
	qsort(ps, 2 * N / 3, sizeof *ps, by_key);
	score_all(ps, N, TERMS, K, again, &n2);
	ck_assert_int_eq(memcmp(first, again, sizeof first), 0);
	qsort(ps, N, sizeof *ps, by_key);
	score_all(ps, N, TERMS, K, again, &n2);
	ck_assert_int_eq(memcmp(first, again, sizeof first), 0);
	free(ps);
}
END_TEST

/*
 * A scorer made ready for another question (oyl__bm25_reuse, as a handle
 * keeps one between searches) scores it as a new scorer does, whatever
 * the question before: more or fewer terms, more or fewer chunks.
 */
START_TEST(a_reused_scorer_scores_as_a_new_one)
{
	enum { K = 50 };
	struct {
		size_t n, terms;
		unsigned chunks, seed;
	} q[4] = {{6000, 4, 3000, 7}, {150, 1, 200, 8}, {9000, 2, 5000, 9}, {6000, 4, 3000, 7}};
	oyl__bm25_params p = {1.2, 0.75, 5000, 150.0};
	oyl__bm25 *reused = NULL;
	for (int i = 0; i < 4; i++) {
		posting *ps = generate(q[i].n, q[i].chunks, q[i].terms, q[i].seed);
		oyl__bm25_hit want[K], got[K];
		size_t nwant, ngot;
		score_all(ps, q[i].n, q[i].terms, K, want, &nwant);
		ck_assert_int_eq(oyl__bm25_reuse(&reused, &p, q[i].terms), OYL_OK);
		for (size_t j = 0; j < q[i].n; j++)
			ck_assert_int_eq(oyl__bm25_add(reused, ps[j].term, ps[j].id, ps[j].tf,
						       ps[j].len),
					 OYL_OK);
		ck_assert_int_eq(oyl__bm25_top(reused, K, 0, tie_order, NULL, got, &ngot), OYL_OK);
		ck_assert_uint_eq(ngot, nwant);
		ck_assert_int_eq(memcmp(want, got, nwant * sizeof want[0]), 0);
		for (size_t t = 0; t < q[i].terms; t++) {
			int64_t df = 0;
			for (size_t j = 0; j < q[i].n; j++)
				df += ps[j].term == t;
			ck_assert_int_eq(oyl__bm25_df(reused, t), df);
		}
		free(ps);
	}
	ck_assert_uint_ge(oyl__bm25_room(reused), 9000); /* kept: the largest question's postings */
	ck_assert_int_eq(oyl__bm25_reuse(&reused, &(oyl__bm25_params){1.2, 2.0, 1, 1.0}, 1),
			 OYL_EINVAL);
	oyl__bm25_free(reused);
}
END_TEST

static int rank_cmp(const void *x, const void *y)
{
	const oyl__bm25_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return tie_order ? tie_order(a->chunk, b->chunk, NULL) : (a->chunk > b->chunk) - (a->chunk < b->chunk);
}

/* _i 0: ties by key; 1: by the caller's order */
START_TEST(top_k_is_the_head_of_a_full_sort_with_ties_by_id)
{
	tie_order = _i ? reverse : NULL;
	enum { N = 20000, TERMS = 3 };
	posting *ps = generate(N, 12000, TERMS, 3);
	oyl__bm25_hit *all = calloc(N, sizeof *all);
	size_t nall, nk;
	score_all(ps, N, TERMS, N, all, &nall);
	oyl__bm25_hit *sorted = calloc(nall, sizeof *sorted);
	memcpy(sorted, all, nall * sizeof *sorted);
	qsort(sorted, nall, sizeof *sorted, rank_cmp);
	/* the full list comes out sorted already */
	ck_assert_int_eq(memcmp(all, sorted, nall * sizeof *sorted), 0);
	/* many chunks tie (same tf, same length): ids decide */
	size_t ties = 0;
	for (size_t i = 1; i < nall; i++)
		if (sorted[i].score == sorted[i - 1].score) {
			ties++;
			ck_assert_int_lt(rank_cmp(&sorted[i - 1], &sorted[i]), 0);
		}
	ck_assert_uint_gt(ties, 100);
	oyl__bm25_hit top[10];
	score_all(ps, N, TERMS, 10, top, &nk);
	ck_assert_uint_eq(nk, 10);
	ck_assert_int_eq(memcmp(top, sorted, sizeof top), 0);
	score_all(ps, N, TERMS, 0, top, &nk);
	ck_assert_uint_eq(nk, 0);
	free(sorted);
	free(all);
	free(ps);
}
END_TEST

/*
 * The top k skips chunks whose terms' weights could not bring them in: at
 * settings where a term scores its whole weight (k1 0), where length
 * counts fully (b 1) or not at all (b 0), with a floor, and for questions
 * of 1 to 9 terms (past 8 nothing is skipped), the top k is still the head
 * of the full ranking, ties included.
 */
START_TEST(skipping_chunks_that_cannot_enter_changes_no_top_k)
{
	const oyl__bm25_params settings[] = {
		{0.0, 0.75, 5000, 150.0}, {1.2, 1.0, 5000, 150.0}, {1.2, 0.0, 5000, 150.0},
		{100.0, 0.5, 5000, 150.0}, {1.2, 0.75, 5000, 150.0}};
	const double floors[] = {0, 0, 0, 0, 2.5};
	enum { N = 6000, K = 25 };
	tie_order = NULL;
	for (size_t terms = 1; terms <= 9; terms++)
		for (size_t v = 0; v < sizeof settings / sizeof settings[0]; v++) {
			posting *ps = generate(N, (unsigned)(N / terms + 2000), terms, (unsigned)(7 + terms));
			static oyl__bm25_hit all[N], top[K];
			size_t nall, ntop;
			for (size_t want_k = N; want_k >= K; want_k = want_k == N ? K : 0) {
				oyl__bm25 *s = filled(&settings[v], ps, N, terms);
				ck_assert_int_eq(oyl__bm25_top(s, want_k, floors[v], NULL, NULL,
							       want_k == N ? all : top,
							       want_k == N ? &nall : &ntop),
						 OYL_OK);
				oyl__bm25_free(s);
			}
			size_t expect = nall < K ? nall : K;
			ck_assert_msg(ntop == expect, "terms %zu, settings %zu", terms, v);
			ck_assert_msg(memcmp(top, all, expect * sizeof top[0]) == 0,
				      "terms %zu, settings %zu", terms, v);
			free(ps);
		}
}
END_TEST

/*
 * Runs (oyl__bm25_add_run: one term, one document, many chunks, as a
 * block of the index is read) score as the same postings added one by
 * one; a run with a bad posting adds nothing.
 */
START_TEST(a_run_adds_as_its_postings_one_by_one)
{
	enum { N = 9000, TERMS = 3, K = 40 };
	posting *ps = generate(N, 6000, TERMS, 13);
	oyl__bm25_hit want[K], got[K];
	size_t nwant, ngot;
	score_all(ps, N, TERMS, K, want, &nwant);
	oyl__bm25_params p = {1.2, 0.75, 5000, 150.0};
	oyl__bm25 *s;
	ck_assert_int_eq(oyl__bm25_new(&p, TERMS, &s), OYL_OK);
	/* every (term, document) of the postings as one run */
	static uint32_t ord[N], tf[N], len[N];
	char *done = calloc(N, 1);
	for (size_t i = 0; i < N; i++) {
		if (done[i])
			continue;
		uint64_t high = ps[i].id & ~(uint64_t)UINT32_MAX;
		size_t n = 0;
		for (size_t j = i; j < N; j++)
			if (!done[j] && ps[j].term == ps[i].term &&
			    (ps[j].id & ~(uint64_t)UINT32_MAX) == high) {
				ord[n] = (uint32_t)ps[j].id;
				tf[n] = (uint32_t)ps[j].tf;
				len[n++] = (uint32_t)ps[j].len;
				done[j] = 1;
			}
		ck_assert_int_eq(oyl__bm25_add_run(s, ps[i].term, high, ord, tf, len, n), OYL_OK);
	}
	free(done);
	ck_assert_int_eq(oyl__bm25_top(s, K, 0, tie_order, NULL, got, &ngot), OYL_OK);
	ck_assert_uint_eq(ngot, nwant);
	ck_assert_int_eq(memcmp(want, got, nwant * sizeof want[0]), 0);
	/* refused whole: a bad tf, a length shorter than its tf, a key with
	 * low bits, a term past the question's */
	int64_t df = oyl__bm25_df(s, 0);
	uint32_t o2[2] = {1, 2}, t2[2] = {1, 0}, l2[2] = {5, 5}, t3[2] = {1, 6};
	ck_assert_int_eq(oyl__bm25_add_run(s, 0, UINT64_C(7) << 32, o2, t2, l2, 2), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_add_run(s, 0, UINT64_C(7) << 32, o2, t3, l2, 2), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_add_run(s, 0, (UINT64_C(7) << 32) | 1, o2, l2, l2, 2),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_add_run(s, TERMS, UINT64_C(7) << 32, o2, l2, l2, 2), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_df(s, 0), df);
	ck_assert_int_eq(oyl__bm25_top(s, K, 0, tie_order, NULL, got, &ngot), OYL_OK);
	ck_assert_int_eq(memcmp(want, got, nwant * sizeof want[0]), 0);
	oyl__bm25_free(s);
	free(ps);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	oyl__bm25 *s;
	oyl__bm25_params p = {1.2, 0.75, 10, 5};
	oyl__bm25_params bad[] = {{-1, 0.75, 10, 5}, {1.2, 1.5, 10, 5}, {NAN, 0.75, 10, 5},
				  {1.2, 0.75, -1, 5}, {1.2, 0.75, 10, NAN}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_int_eq(oyl__bm25_new(&bad[i], 1, &s), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_new(&p, 0, &s), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_new(&p, OYL__BM25_TERMS_MAX + 1, &s), OYL_EINVAL);
	ck_assert_int_eq(oyl__bm25_new(&p, 2, &s), OYL_OK);
	uint64_t id = make_id(9);
	ck_assert_int_eq(oyl__bm25_add(s, 2, id, 1, 5), OYL_EINVAL);    /* no such term */
	ck_assert_int_eq(oyl__bm25_add(s, 0, id, 0, 5), OYL_EINVAL);    /* no occurrence */
	ck_assert_int_eq(oyl__bm25_add(s, 0, id, 6, 5), OYL_EINVAL);    /* longer than its chunk */
	ck_assert_int_eq(oyl__bm25_add(s, 0, id, 1, 5), OYL_OK);
	ck_assert_int_eq(oyl__bm25_df(s, 0), 1);
	/* statistics behind the postings (N < df) give no negative idf */
	oyl__bm25_hit h[1];
	size_t n;
	ck_assert_int_eq(oyl__bm25_top(s, 1, 0, NULL, NULL, h, &n), OYL_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert(h[0].score > 0);
	/* the same posting twice (a damaged index): found when the chunks
	 * are ranked, amid others */
	ck_assert_int_eq(oyl__bm25_reuse(&s, &p, 2), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 1, make_id(3), 1, 5), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 0, id, 1, 5), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 1, id, 2, 5), OYL_OK);
	ck_assert_int_eq(oyl__bm25_add(s, 0, id, 1, 5), OYL_OK);
	ck_assert_int_eq(oyl__bm25_top(s, 1, 0, NULL, NULL, h, &n), OYL_EINVAL);
	oyl__bm25_free(s);
}
END_TEST

START_TEST(out_of_memory_is_reported_and_nothing_leaks)
{
	fault_alloc_install();
	enum { N = 3000 };
	posting *ps = generate(N, 2000, 2, 5);
	oyl__bm25_params p = {1.2, 0.75, 5000, 150.0};
	for (long fail = 1;; fail++) {
		oyl__bm25 *s = NULL;
		fault_alloc_arm(fail, 0);
		int rc = oyl__bm25_new(&p, 2, &s);
		for (size_t i = 0; rc == OYL_OK && i < N; i++)
			rc = oyl__bm25_add(s, ps[i].term, ps[i].id, ps[i].tf, ps[i].len);
		int fired = fault_alloc_fired();
		ck_assert_int_eq(rc, fired ? OYL_ENOMEM : OYL_OK);
		oyl__bm25_free(s);
		fault_alloc_arm(0, 0);
		ck_assert_int_eq(fault_alloc_live(), 0);
		if (!fired)
			break;
	}
	free(ps);
	oyl_set_allocator(NULL);
}
END_TEST

/* Many postings sort with wide digits, whose histograms are made at the
 * first such sort; without that memory the narrow ones give the same. */
START_TEST(a_sort_without_memory_for_wide_digits_ranks_the_same)
{
	enum { N = 9000, TERMS = 2, K = 30 };
	posting *ps = generate(N, 8000, TERMS, 21);
	oyl__bm25_hit want[K], got[K];
	size_t nwant, ngot;
	score_all(ps, N, TERMS, K, want, &nwant);
	fault_alloc_install();
	oyl__bm25 *s = filled(&usual, ps, N, TERMS);
	fault_alloc_arm(1, 0); /* the histograms' allocation fails */
	ck_assert_int_eq(oyl__bm25_top(s, K, 0, tie_order, NULL, got, &ngot), OYL_OK);
	ck_assert(fault_alloc_fired());
	fault_alloc_arm(0, 0);
	ck_assert_uint_eq(ngot, nwant);
	ck_assert_int_eq(memcmp(want, got, nwant * sizeof want[0]), 0);
	oyl__bm25_free(s);
	ck_assert_int_eq(fault_alloc_live(), 0);
	oyl_set_allocator(NULL);
	free(ps);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bm25");
	TCase *tc = tcase_create("bm25");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, scores_follow_the_formula);
	tcase_add_test(tc, the_same_bits_in_any_order);
	tcase_add_test(tc, a_reused_scorer_scores_as_a_new_one);
	tcase_add_loop_test(tc, top_k_is_the_head_of_a_full_sort_with_ties_by_id, 0, 2);
	tcase_add_test(tc, skipping_chunks_that_cannot_enter_changes_no_top_k);
	tcase_add_test(tc, a_run_adds_as_its_postings_one_by_one);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_test(tc, out_of_memory_is_reported_and_nothing_leaks);
	tcase_add_test(tc, a_sort_without_memory_for_wide_digits_ranks_the_same);
	suite_add_tcase(s, tc);
	return t_run(s);
}
