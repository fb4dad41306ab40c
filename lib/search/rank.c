/* Lexical ranking of one knowledge base (rank.h). */
#include "search/rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kind.h"
#include "records/batch.h"
#include "search/postings.h"

/* The documents met in the postings, each numbered once: a chunk's key
 * for the scorer is (number << 32 | ordinal), cheap to hash, and its
 * number leads back to the id. */
typedef struct docs {
	char (*id)[OYL_UUID_LEN + 1];
	size_t n, cap;
	uint32_t *slots; /* open addressing: number + 1, 0 empty */
	size_t nslots;
} docs;

typedef struct scoring {
	oyl_db *db;
	oyl__bm25 *bm25;
	const oyl__doc_filter *filter;
	docs *d;
	int failed; /* add_block stopped the read, its message given */
} scoring;

/*
 * The scorer and the document table outlive a search, kept on the handle
 * for its next one: a search of a large knowledge base fills arrays of
 * megabytes, and made afresh each time they cost a page fault per page.
 * Past these sizes they are freed after the search instead.
 */
#define KEEP_POSTINGS_MAX (1u << 18) /* 8 MB: two arrays of 16-byte postings */
#define KEEP_DOCS_MAX (1u << 16)

struct oyl__rank_scratch {
	oyl__bm25 *bm25;
	docs d;
};

static void docs_free(docs *d)
{
	oyl__free(d->id);
	oyl__free(d->slots);
	memset(d, 0, sizeof *d);
}

void oyl__rank_scratch_free(oyl_db *db)
{
	if (!db->rank_scratch)
		return;
	oyl__bm25_free(db->rank_scratch->bm25);
	docs_free(&db->rank_scratch->d);
	oyl__free(db->rank_scratch);
	db->rank_scratch = NULL;
}

/* The handle's scratch, emptied for a new search; NULL out of memory. */
static oyl__rank_scratch *scratch_begin(oyl_db *db)
{
	if (!db->rank_scratch)
		db->rank_scratch = oyl__calloc(1, sizeof *db->rank_scratch);
	oyl__rank_scratch *r = db->rank_scratch;
	if (r) {
		r->d.n = 0;
		if (r->d.slots)
			memset(r->d.slots, 0, r->d.nslots * sizeof *r->d.slots);
	}
	return r;
}

/* After a search: what is too large to keep goes. */
static void scratch_end(oyl__rank_scratch *r)
{
	if (oyl__bm25_room(r->bm25) > KEEP_POSTINGS_MAX) {
		oyl__bm25_free(r->bm25);
		r->bm25 = NULL;
	}
	if (r->d.cap > KEEP_DOCS_MAX)
		docs_free(&r->d);
}

/* A UUID's text hashed by its first and last eight characters: random in
 * version 4 ids, the fast-moving time and the random tail in versions 1
 * and 7.  A short chain of multiplies: every row of a search's postings
 * waits for it before its document is found (the four-word hash before it
 * was half of the lookup's time). */
static uint64_t hash_id(const char *id)
{
	uint64_t head, tail;
	memcpy(&head, id, 8);
	memcpy(&tail, id + OYL_UUID_LEN - 8, 8);
	uint64_t h = (head ^ (tail >> 1 | tail << 63)) * UINT64_C(0xBF58476D1CE4E5B9);
	return h ^ (h >> 31);
}

static size_t find_doc(const docs *d, const char *id)
{
	size_t mask = d->nslots - 1;
	for (size_t i = (size_t)hash_id(id) & mask;; i = (i + 1) & mask)
		if (!d->slots[i] || memcmp(d->id[d->slots[i] - 1], id, OYL_UUID_LEN) == 0)
			return i;
}

/* The number of document `id`, given one when new; -1 out of memory. */
static int64_t doc_number(docs *d, const char *id)
{
	if ((d->n + 1) * 2 > d->nslots) {
		size_t nslots = d->nslots ? d->nslots * 2 : 64;
		uint32_t *slots = oyl__calloc(nslots, sizeof *slots);
		if (!slots)
			return -1;
		oyl__free(d->slots);
		d->slots = slots;
		d->nslots = nslots;
		for (size_t i = 0; i < d->n; i++)
			d->slots[find_doc(d, d->id[i])] = (uint32_t)(i + 1);
	}
	size_t slot = find_doc(d, id);
	if (d->slots[slot])
		return d->slots[slot] - 1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		char(*ids)[OYL_UUID_LEN + 1] = oyl__realloc(d->id, cap * sizeof *ids);
		if (!ids)
			return -1;
		d->id = ids;
		d->cap = cap;
	}
	memcpy(d->id[d->n], id, OYL_UUID_LEN);
	d->id[d->n][OYL_UUID_LEN] = '\0';
	d->slots[slot] = (uint32_t)++d->n;
	return (int64_t)d->n - 1;
}

/* Ties: by document id, then by ordinal. */
static int tie(uint64_t a, uint64_t b, void *ctx)
{
	const docs *d = ctx;
	int c = memcmp(d->id[a >> 32], d->id[b >> 32], OYL_UUID_LEN);
	if (c)
		return c;
	uint32_t x = (uint32_t)a, y = (uint32_t)b;
	return (x > y) - (x < y);
}

int oyl__ranked_cmp(const void *x, const void *y)
{
	const oyl__ranked *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	int c = memcmp(a->document_id, b->document_id, OYL_UUID_LEN);
	return c ? c : (a->ordinal > b->ordinal) - (a->ordinal < b->ordinal);
}

static int cmp_id(const void *key, const void *item)
{
	return memcmp(key, item, OYL_UUID_LEN);
}

int oyl__doc_filter_has(const oyl__doc_filter *f, const char *doc)
{
	return f->n == 0 || bsearch(doc, f->ids, f->n, sizeof f->ids[0], cmp_id) != NULL;
}

/* How many chunks a block lists, for a document the filter leaves out:
 * they count in the statistics without being scored. */
static int count_block(const oyl_postings_block *bl, scoring *s)
{
	enum { RUN = 256 };
	uint32_t ordinal[RUN], tf[RUN], len[RUN];
	oyl__block_reader r;
	oyl__block_reader_init(&r, bl->data, bl->size);
	int64_t counted = 0;
	int got;
	while ((got = oyl__block_read(&r, ordinal, tf, len, RUN)) > 0)
		counted += got;
	return got < 0 ? got : oyl__bm25_count(s->bm25, (size_t)bl->term, counted);
}

/* One block: its chunks scored, or only counted when filtered out. */
static int score_block(const oyl_postings_block *bl, scoring *s)
{
	int rc;
	if (oyl__doc_filter_has(s->filter, bl->document_id)) {
		int64_t doc = doc_number(s->d, bl->document_id);
		if (doc < 0)
			return oyl__fail(s->db, OYL_ENOMEM, "out of memory scoring a search");
		rc = oyl__bm25_add_block(s->bm25, (size_t)bl->term, (uint64_t)doc << 32, bl->data,
					 bl->size);
	} else {
		rc = count_block(bl, s);
	}
	if (rc == OYL_ENOMEM)
		return oyl__fail(s->db, rc, "out of memory scoring a search");
	if (rc)
		return oyl__fail(s->db, OYL_ESTORAGE,
				 "the search index of document %.36s is damaged: reprocess it",
				 bl->document_id);
	return OYL_OK;
}

static int add_block(const oyl_postings_block *bl, void *payload)
{
	scoring *s = payload;
	int rc = score_block(bl, s);
	s->failed = rc != OYL_OK;
	return rc;
}

/* Without the backend's postings(): one list per term, the same rows. */
typedef struct list_sink {
	scoring *s;
	int32_t term;
} list_sink;

static int list_row(const oyl_value *vals, size_t n, void *payload)
{
	list_sink *ls = payload;
	(void)n;
	oyl_postings_block bl = {ls->term, vals[SEARCH_POSTINGS_document_id].s,
				 (const unsigned char *)vals[SEARCH_POSTINGS_block].s,
				 vals[SEARCH_POSTINGS_block].n};
	return add_block(&bl, ls->s);
}

static int read_by_lists(oyl_db *db, const char *tenant, const char *kb,
			 const oyl__query_terms *terms, scoring *s)
{
	oyl_filter f[OYL__BM25_TERMS_MAX][2];
	oyl_query q[OYL__BM25_TERMS_MAX];
	list_sink ls[OYL__BM25_TERMS_MAX];
	int rc = OYL_OK;
	for (size_t from = 0; rc == OYL_OK && from < terms->n; from += OYL__BATCH_MAX) {
		oyl__batch bt;
		oyl__batch_begin(&bt, db);
		for (size_t i = from; i < terms->n && i < from + OYL__BATCH_MAX; i++) {
			f[i][0] = oyl__eq(SEARCH_POSTINGS_knowledge_base_id, OYL_TYPE_UUID, kb);
			f[i][1] = oyl__eq(SEARCH_POSTINGS_term, OYL_TYPE_TEXT, terms->term[i]);
			q[i] = (oyl_query){f[i], 2, SEARCH_POSTINGS_document_id, 0, NULL, NULL, 0, 0};
			ls[i] = (list_sink){s, (int32_t)i};
			oyl__batch_list(&bt, tenant, &oyl__t_search_postings, &q[i], list_row, &ls[i]);
		}
		rc = oyl__batch_run(&bt);
		oyl__batch_free(&bt);
	}
	return rc;
}

int oyl__rank_lexical(oyl_db *db, const oyl__record *kb, const oyl__query_terms *terms,
		      const oyl__doc_filter *filter, size_t k, double min_score, oyl__ranked *out,
		      size_t *n)
{
	*n = 0;
	int64_t chunks = oyl__record_int(kb, KNOWLEDGE_BASES_indexed_chunks);
	if (terms->n == 0 || chunks == 0)
		return OYL_OK;
	oyl__bm25_params p = {kb->vals[KNOWLEDGE_BASES_bm25_k1].r, kb->vals[KNOWLEDGE_BASES_bm25_b].r,
			      chunks,
			      (double)oyl__record_int(kb, KNOWLEDGE_BASES_indexed_length) /
				      (double)chunks};
	oyl__rank_scratch *scratch = scratch_begin(db);
	if (!scratch)
		return oyl__fail(db, OYL_ENOMEM, "out of memory scoring a search");
	int rc = oyl__bm25_reuse(&scratch->bm25, &p, terms->n);
	if (rc)
		return oyl__fail(db, rc, rc == OYL_ENOMEM ? "out of memory scoring a search"
							  : "knowledge base %s: bad BM25 settings",
				 oyl__record_text(kb, KNOWLEDGE_BASES_id));
	scoring s = {db, scratch->bm25, filter, &scratch->d, 0};
	const char *tenant = oyl__record_text(kb, KNOWLEDGE_BASES_tenant_id);
	const char *id = oyl__record_text(kb, KNOWLEDGE_BASES_id);
	if (db->caps & OYL_BACKEND_CAP_POSTINGS) {
		const char *list[OYL__BM25_TERMS_MAX];
		for (size_t i = 0; i < terms->n; i++)
			list[i] = terms->term[i];
		oyl_scope scope = {tenant};
		rc = db->backend->postings(db->backend, &scope, id, list, terms->n, add_block, &s);
		if (rc && !s.failed)
			rc = oyl__fail_backend(db, rc, "reading the search index");
	} else {
		rc = read_by_lists(db, tenant, id, terms, &s);
	}
	oyl__bm25_hit *hits = rc == OYL_OK ? oyl__malloc((k ? k : 1) * sizeof *hits) : NULL;
	if (rc == OYL_OK && !hits)
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory scoring a search");
	if (rc == OYL_OK && oyl__bm25_top(s.bm25, k, min_score, tie, s.d, hits, n) != OYL_OK)
		rc = oyl__fail(db, OYL_ESTORAGE,
			       "the search index of knowledge base %s is damaged (a chunk's term "
			       "listed twice): reprocess its documents",
			       id);
	for (size_t i = 0; rc == OYL_OK && i < *n; i++) {
		memcpy(out[i].document_id, s.d->id[hits[i].chunk >> 32], OYL_UUID_LEN + 1);
		out[i].ordinal = (int64_t)(uint32_t)hits[i].chunk;
		out[i].score = hits[i].score;
		out[i].kb = 0;
	}
	oyl__free(hits);
	scratch_end(scratch);
	return rc;
}
