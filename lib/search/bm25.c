/* BM25 scoring from postings (bm25.h). */
#include "search/bm25.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

/* A chunk seen in the postings: its key, its length, and its term
 * frequencies (tf[] of the scorer, `terms` per chunk). */
typedef struct chunk {
	uint64_t key;
	int64_t len;
} chunk;

/* The arrays outlive a question (oyl__bm25_reuse): their sizes in
 * elements are kept apart from what the current question uses. */
struct oyl__bm25 {
	oyl__bm25_params p;
	size_t terms;
	int64_t df[OYL__BM25_TERMS_MAX];
	chunk *chunks;
	uint32_t *tf; /* chunks x terms */
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 into chunks, 0 empty */
	size_t nslots;   /* a power of two, at least twice n */
	size_t chunks_room, tf_room, slots_room; /* allocated elements */
};

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
	r->n = r->cap = r->nslots = 0;
	return OYL_OK;
}

size_t oyl__bm25_room(const oyl__bm25 *s)
{
	return s ? s->chunks_room : 0;
}

void oyl__bm25_free(oyl__bm25 *s)
{
	if (!s)
		return;
	oyl__free(s->chunks);
	oyl__free(s->tf);
	oyl__free(s->slots);
	oyl__free(s);
}

/* splitmix64's finaliser: keys that differ in a few bits spread out. */
static uint64_t hash_key(uint64_t x)
{
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* The slot of `key`: where it is, or the empty one where it would go. */
static size_t find_slot(const oyl__bm25 *s, uint64_t key)
{
	size_t mask = s->nslots - 1;
	for (size_t i = (size_t)hash_key(key) & mask;; i = (i + 1) & mask) {
		uint32_t at = s->slots[i];
		if (at == 0 || s->chunks[at - 1].key == key)
			return i;
	}
}

/* Room for twice the chunks, in the arrays a question before left when
 * they are large enough (a fresh allocation of a large array costs a page
 * fault per page: a fifth of a large search's time). */
static int grow(oyl__bm25 *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	if (cap > UINT32_MAX / 2)
		return OYL_ENOMEM;
	if (cap > s->chunks_room) {
		chunk *c = oyl__realloc(s->chunks, cap * sizeof *c);
		if (!c)
			return OYL_ENOMEM;
		s->chunks = c;
		s->chunks_room = cap;
	}
	if (cap * s->terms > s->tf_room) {
		uint32_t *tf = oyl__realloc(s->tf, cap * s->terms * sizeof *tf);
		if (!tf)
			return OYL_ENOMEM;
		s->tf = tf;
		s->tf_room = cap * s->terms;
	}
	if (cap * 2 > s->slots_room) {
		uint32_t *slots = oyl__malloc(cap * 2 * sizeof *slots);
		if (!slots)
			return OYL_ENOMEM;
		oyl__free(s->slots);
		s->slots = slots;
		s->slots_room = cap * 2;
	}
	memset(s->slots, 0, cap * 2 * sizeof *s->slots);
	s->nslots = cap * 2;
	s->cap = cap;
	for (size_t i = 0; i < s->n; i++)
		s->slots[find_slot(s, s->chunks[i].key)] = (uint32_t)i + 1;
	return OYL_OK;
}

int oyl__bm25_add(oyl__bm25 *s, size_t term, uint64_t key, int64_t tf, int64_t len)
{
	if (!s || term >= s->terms || tf < 1 || tf > UINT32_MAX || len < tf)
		return OYL_EINVAL;
	if (s->n == s->cap) {
		int rc = grow(s);
		if (rc)
			return rc;
	}
	size_t slot = find_slot(s, key);
	uint32_t at = s->slots[slot];
	if (at == 0) {
		chunk *c = &s->chunks[s->n];
		c->key = key;
		c->len = len;
		memset(&s->tf[s->n * s->terms], 0, s->terms * sizeof *s->tf);
		at = (uint32_t)++s->n;
		s->slots[slot] = at;
	}
	uint32_t *f = &s->tf[(size_t)(at - 1) * s->terms + term];
	if (*f)
		return OYL_EINVAL;
	*f = (uint32_t)tf;
	s->df[term]++;
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

int oyl__bm25_top(oyl__bm25 *s, size_t k, double min_score, oyl__bm25_tie tie, void *ctx,
		  oyl__bm25_hit *hits, size_t *n)
{
	if (!s || !n || (k && !hits))
		return OYL_EINVAL;
	order o = {tie, ctx};
	*n = 0;
	double idf[OYL__BM25_TERMS_MAX];
	for (size_t t = 0; t < s->terms; t++) {
		/* statistics read a moment apart may lag the postings: N >= df */
		double df = (double)s->df[t];
		double chunks = (double)s->p.chunks > df ? (double)s->p.chunks : df;
		idf[t] = log(1.0 + (chunks - df + 0.5) / (df + 0.5));
	}
	double avg = s->p.average_len > 0 ? s->p.average_len : 1.0;
	double k1 = s->p.k1, b = s->p.b;
	size_t kept = 0;
	for (size_t i = 0; i < s->n && k; i++) {
		const uint32_t *f = &s->tf[i * s->terms];
		double norm = k1 * (1.0 - b + b * (double)s->chunks[i].len / avg);
		double score = 0.0;
		for (size_t t = 0; t < s->terms; t++)
			if (f[t])
				score += idf[t] * (double)f[t] * (k1 + 1.0) / ((double)f[t] + norm);
		if (!(score >= min_score))
			continue;
		oyl__bm25_hit hit = {s->chunks[i].key, score};
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
