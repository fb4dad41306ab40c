/* BM25 scoring from postings (bm25.h). */
#include "search/bm25.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "search/postings.h"

/* One posting as added: appended, never looked up (oyl__bm25_top sorts
 * them by chunk, then reads each chunk's run). */
typedef struct posting {
	uint64_t key;
	uint32_t tf;  /* low 5 bits: the term's index; the rest: its frequency */
	uint32_t len; /* the chunk's length in terms */
} posting;

_Static_assert(OYL__BM25_TERMS_MAX <= 32, "a term's index fits the low 5 bits of tf");

/* The arrays outlive a question (oyl__bm25_reuse). */
struct oyl__bm25 {
	oyl__bm25_params p;
	size_t terms;
	int64_t df[OYL__BM25_TERMS_MAX];
	posting *post, *spare; /* spare: the other half of the radix sort */
	size_t n, room;
	/* the sort's histograms, a digit of the key each: of 8 bits, and of
	 * 12 for many postings (two passes then cover a question of 4,096
	 * documents of 4,096 chunks), made at the first such sort */
	uint32_t narrow[8][256];
	uint32_t *wide;
};

#define WIDE_BITS 12
#define BOUND_TERMS 8
/* A bound on a score is raised by this share, so that rounding in the sum
 * it bounds can never put the score above it. */
#define ROUNDING_SLACK 0x1p-40
#define WIDE_DIGITS ((64 + WIDE_BITS - 1) / WIDE_BITS)

static int valid(const oyl__bm25_params *p, size_t terms)
{
	return p && terms > 0 && terms <= OYL__BM25_TERMS_MAX && p->k1 >= 0 && p->b >= 0 &&
	       p->b <= 1 && p->chunks >= 0 && p->average_len >= 0;
}

int oyl__bm25_new(const oyl__bm25_params *p, size_t terms, oyl__bm25 **out)
{
	*out = NULL;
	if (!valid(p, terms))
		return OYL_EINVAL;
	oyl__bm25 *s = oyl__calloc(1, sizeof *s);
	if (!s)
		return OYL_ENOMEM;
	s->p = *p;
	s->terms = terms;
	*out = s;
	return OYL_OK;
}

int oyl__bm25_reuse(oyl__bm25 **s, const oyl__bm25_params *p, size_t terms)
{
	if (!*s)
		return oyl__bm25_new(p, terms, s);
	if (!valid(p, terms))
		return OYL_EINVAL;
	oyl__bm25 *r = *s;
	r->p = *p;
	r->terms = terms;
	memset(r->df, 0, sizeof r->df);
	r->n = 0;
	return OYL_OK;
}

size_t oyl__bm25_room(const oyl__bm25 *s)
{
	return s ? s->room : 0;
}

void oyl__bm25_free(oyl__bm25 *s)
{
	if (!s)
		return;
	oyl__free(s->post);
	oyl__free(s->spare);
	oyl__free(s->wide);
	oyl__free(s);
}

/* Room for twice the postings, kept from a question before when it is
 * large enough (a fresh allocation of a large array costs a page fault
 * per page). */
static int grow(oyl__bm25 *s)
{
	size_t room = s->room ? s->room * 2 : 1024;
	if (room > UINT32_MAX) /* the sort counts in 32 bits */
		return OYL_ENOMEM;
	posting *p = oyl__realloc(s->post, room * sizeof *p);
	if (!p)
		return OYL_ENOMEM;
	s->post = p;
	posting *q = oyl__realloc(s->spare, room * sizeof *q);
	if (!q)
		return OYL_ENOMEM;
	s->spare = q;
	s->room = room;
	return OYL_OK;
}

int oyl__bm25_add(oyl__bm25 *s, size_t term, uint64_t key, int64_t tf, int64_t len)
{
	if (tf < 1 || tf > UINT32_MAX || len < tf || len > UINT32_MAX)
		return OYL_EINVAL;
	/* a run of one: the key split into its document and ordinal halves */
	uint32_t ordinal = (uint32_t)key, f = (uint32_t)tf, l = (uint32_t)len;
	return oyl__bm25_add_run(s, term, key & ~(uint64_t)UINT32_MAX, &ordinal, &f, &l, 1);
}

/* Checks a run of term `term` in the document of key_high and makes room
 * for n more postings.  OYL_EINVAL, OYL_ENOMEM. */
static int begin_run(oyl__bm25 *s, size_t term, uint64_t key_high, size_t n)
{
	if (!s || term >= s->terms || (key_high & UINT32_MAX))
		return OYL_EINVAL;
	while (s->room - s->n < n) {
		int rc = grow(s);
		if (rc)
			return rc;
	}
	return OYL_OK;
}

int oyl__bm25_add_run(oyl__bm25 *s, size_t term, uint64_t key_high, const uint32_t *ordinal,
		      const uint32_t *tf, const uint32_t *len, size_t n)
{
	int rc = begin_run(s, term, key_high, n);
	if (rc)
		return rc;
	posting *out = s->post + s->n;
	for (size_t i = 0; i < n; i++) {
		if (tf[i] < 1 || tf[i] > (UINT32_MAX >> 5) || len[i] < tf[i])
			return OYL_EINVAL; /* the postings before it stay out too */
		out[i] = (posting){key_high | ordinal[i], tf[i] << 5 | (uint32_t)term, len[i]};
	}
	s->n += n;
	s->df[term] += (int64_t)n;
	return OYL_OK;
}

int oyl__bm25_add_block(oyl__bm25 *s, size_t term, uint64_t key_high, const unsigned char *block,
			size_t size)
{
	/* room for as many chunks as the block can hold, so that the loop
	 * below decodes each one straight into its place */
	int rc = begin_run(s, term, key_high, size / OYL__BLOCK_POSTING_MIN);
	if (rc)
		return rc;
	oyl__block_reader r;
	oyl__block_reader_init(&r, block, size);
	posting *out = s->post + s->n;
	size_t n = 0;
	uint32_t ordinal, tf, len;
	int got;
	while ((got = oyl__block_next(&r, &ordinal, &tf, &len)) == 1) {
		if (tf > (UINT32_MAX >> 5))
			return OYL_EINVAL;
		out[n++] = (posting){key_high | ordinal, tf << 5 | (uint32_t)term, len};
	}
	if (got < 0)
		return got; /* the chunks read before it stay out too */
	s->n += n;
	s->df[term] += (int64_t)n;
	return OYL_OK;
}

int oyl__bm25_count(oyl__bm25 *s, size_t term, int64_t chunks)
{
	if (!s || term >= s->terms || chunks < 0)
		return OYL_EINVAL;
	s->df[term] += chunks;
	return OYL_OK;
}

int64_t oyl__bm25_df(const oyl__bm25 *s, size_t term)
{
	return s && term < s->terms ? s->df[term] : 0;
}

/* The index of m's lowest set bit (m != 0). */
static int lowest_bit(uint32_t m)
{
#if defined(__GNUC__)
	return __builtin_ctz(m);
#else
	int t = 0;
	while (!(m & 1)) {
		m >>= 1;
		t++;
	}
	return t;
#endif
}

typedef struct order {
	oyl__bm25_tie tie;
	void *ctx;
} order;

/* a ranks before b: higher score, then the tie's order */
static int before(const order *o, const oyl__bm25_hit *a, const oyl__bm25_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return o->tie ? o->tie(a->chunk, b->chunk, o->ctx) < 0 : a->chunk < b->chunk;
}

/* hits[0..n) as a heap whose root is the worst hit kept. */
static void sift_down(const order *o, oyl__bm25_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t worst = i, l = 2 * i + 1, r = l + 1;
		if (l < n && before(o, &h[worst], &h[l]))
			worst = l;
		if (r < n && before(o, &h[worst], &h[r]))
			worst = r;
		if (worst == i)
			return;
		oyl__bm25_hit t = h[i];
		h[i] = h[worst];
		h[worst] = t;
		i = worst;
	}
}

static void sift_up(const order *o, oyl__bm25_hit *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(o, &h[parent], &h[i]))
			return;
		oyl__bm25_hit t = h[i];
		h[i] = h[parent];
		h[parent] = t;
		i = parent;
	}
}

/*
 * a[0..n) in key order, stably: a radix sort, least significant digit
 * first, each digit starting at a bit where keys differ (a question's
 * keys differ in a few runs of bits only: the document's number and the
 * ordinal), between a and tmp.  Sequential passes over the arrays: a
 * chunk table probed at random costs a cache miss a posting.  Returns
 * the array that holds the result (a or tmp).
 */
static posting *radix_sort(oyl__bm25 *s, posting *a, posting *tmp, size_t n)
{
	uint64_t all = ~UINT64_C(0), any = 0;
	for (size_t i = 0; i < n; i++) {
		all &= a[i].key;
		any |= a[i].key;
	}
	uint64_t varies = all ^ any; /* the bits some keys have and others not */
	if (n >= ((size_t)1 << WIDE_BITS) && !s->wide)
		s->wide = oyl__malloc((sizeof *s->wide * WIDE_DIGITS) << WIDE_BITS);
	/* without the memory for wide digits, narrow ones do */
	int bits = n >= ((size_t)1 << WIDE_BITS) && s->wide ? WIDE_BITS : 8;
	uint32_t *count = bits == WIDE_BITS ? s->wide : &s->narrow[0][0];
	uint32_t mask = ((uint32_t)1 << bits) - 1;
	int shift[8], ndigits = 0;
	for (int bit = 0; bit < 64;)
		if ((varies >> bit) & 1) {
			shift[ndigits++] = bit;
			bit += bits;
		} else {
			bit++;
		}
	memset(count, 0, ((size_t)ndigits << bits) * sizeof *count);
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < ndigits; j++)
			count[((size_t)j << bits) + ((a[i].key >> shift[j]) & mask)]++;
	for (int j = 0; j < ndigits; j++) {
		uint32_t *c = count + ((size_t)j << bits);
		int d = shift[j];
		uint32_t at = 0;
		for (uint32_t v = 0; v <= mask; v++) {
			uint32_t k = c[v];
			c[v] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			tmp[c[(a[i].key >> d) & mask]++] = a[i];
		posting *t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/*
 * The postings in key order.  The caller numbers documents as they first
 * come, so the first term's postings arrive in order already (and a
 * question of one term needs no sort at all): only what follows the
 * postings' ordered start is sorted, then merged with it.  Returns the
 * array that holds the result (the scorer's own or its spare).
 */
static posting *sort_by_key(oyl__bm25 *s)
{
	posting *from = s->post, *to = s->spare;
	size_t head = 1;
	while (head < s->n && from[head - 1].key <= from[head].key)
		head++;
	if (head >= s->n)
		return from;
	posting *rest = radix_sort(s, from + head, to + head, s->n - head);
	/* into the spare: where the sorted rest lies there, each write lands
	 * at or before the next element of it still to be read */
	size_t i = 0, j = 0, k = 0, m = s->n - head;
	while (i < head && j < m)
		to[k++] = from[i].key <= rest[j].key ? from[i++] : rest[j++];
	while (i < head)
		to[k++] = from[i++];
	while (j < m)
		to[k++] = rest[j++];
	return to;
}

int oyl__bm25_top(oyl__bm25 *s, size_t k, double min_score, oyl__bm25_tie tie, void *ctx,
		  oyl__bm25_hit *hits, size_t *n)
{
	if (!s || !n || (k && !hits))
		return OYL_EINVAL;
	order o = {tie, ctx};
	*n = 0;
	if (s->n == 0 || k == 0)
		return OYL_OK;
	double avg = s->p.average_len > 0 ? s->p.average_len : 1.0;
	double k1 = s->p.k1, b = s->p.b;
	/* what is the same for every chunk, out of the loop: idf(t) * (k1 +
	 * 1) per term, and norm = k1 * (1 - b + b * len / avg) as a + c * len */
	double weight[OYL__BM25_TERMS_MAX];
	for (size_t t = 0; t < s->terms; t++) {
		/* statistics read a moment apart may lag the postings: N >= df */
		double df = (double)s->df[t];
		double chunks = (double)s->p.chunks > df ? (double)s->p.chunks : df;
		weight[t] = log(1.0 + (chunks - df + 0.5) / (df + 0.5)) * (k1 + 1.0);
	}
	double norm_a = k1 * (1.0 - b), norm_c = k1 * b / avg;
	/* For questions of up to BOUND_TERMS terms, the most each set of
	 * terms can score: a term adds weight * f / (f + norm), norm >= 0, so
	 * at most its weight (give or take rounding, which the slack covers). */
	double bound[1u << BOUND_TERMS];
	uint32_t bound_masks = s->terms <= BOUND_TERMS ? UINT32_C(1) << s->terms : 0;
	bound[0] = 0.0;
	for (size_t t = 0; bound_masks && t < s->terms; t++)
		for (uint32_t m = UINT32_C(1) << t; m < UINT32_C(2) << t; m++)
			bound[m] = bound[m - (UINT32_C(1) << t)] + weight[t];
	for (uint32_t m = 1; m < bound_masks; m++)
		bound[m] *= 1.0 + ROUNDING_SLACK;
	const posting *post = sort_by_key(s);
	uint32_t f[OYL__BM25_TERMS_MAX];
	size_t kept = 0;
	for (size_t i = 0, end; i < s->n; i = end) {
		/* one chunk's run: its terms (a bit each) and their frequencies,
		 * its length as first added */
		uint32_t present = 0, damaged = 0;
		for (end = i; end < s->n && post[end].key == post[i].key; end++) {
			uint32_t term = post[end].tf & 31;
			damaged |= present & (UINT32_C(1) << term);
			present |= UINT32_C(1) << term;
			f[term] = post[end].tf >> 5;
		}
		if (damaged) /* a (term, chunk) twice */
			return OYL_EINVAL;
		/* a chunk whose terms could not bring it in is not scored */
		if (present < bound_masks) {
			double most = bound[present];
			if (most < min_score || (kept == k && most < hits[0].score))
				continue;
		}
		double norm = norm_a + norm_c * (double)post[i].len;
		double score = 0.0;
		/* in term-index order, the lowest bit first */
		for (uint32_t m = present; m; m &= m - 1) {
			int t = lowest_bit(m);
			score += weight[t] * (double)f[t] / ((double)f[t] + norm);
		}
		if (!(score >= min_score))
			continue;
		oyl__bm25_hit hit = {post[i].key, score};
		if (kept < k) {
			hits[kept] = hit;
			sift_up(&o, hits, kept++);
		} else if (before(&o, &hit, &hits[0])) {
			hits[0] = hit;
			sift_down(&o, hits, kept, 0);
		}
	}
	/* best first: take the worst off the heap into the end, repeatedly */
	for (size_t m = kept; m > 1; m--) {
		oyl__bm25_hit t = hits[0];
		hits[0] = hits[m - 1];
		hits[m - 1] = t;
		sift_down(&o, hits, m - 1, 0);
	}
	*n = kept;
	return OYL_OK;
}
