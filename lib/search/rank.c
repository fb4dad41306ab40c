/* Lexical ranking of one knowledge base (rank.h). */
#include "search/rank.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kind.h"
#include "records/batch.h"
#include "search/postings.h"

typedef struct scoring {
	oyl_db *db;
	oyl__bm25 *bm25;
	const oyl__doc_filter *filter;
	int failed; /* add_block stopped the read, its message given */
} scoring;

static int cmp_id(const void *key, const void *item)
{
	return memcmp(key, item, OYL_UUID_LEN);
}

static int wanted(const oyl__doc_filter *f, const char *doc)
{
	return f->n == 0 || bsearch(doc, f->ids, f->n, sizeof f->ids[0], cmp_id) != NULL;
}

/* One block: its chunks scored, or only counted when filtered out. */
static int score_block(const oyl_postings_block *bl, scoring *s)
{
	oyl__block_reader r;
	oyl__block_reader_init(&r, bl->data, bl->size);
	int score = wanted(s->filter, bl->document_id);
	char key[OYL__BM25_ID_LEN + 1];
	int64_t ordinal, tf, len, counted = 0;
	int more;
	while ((more = oyl__block_next(&r, &ordinal, &tf, &len)) == 1) {
		counted++;
		if (!score)
			continue;
		snprintf(key, sizeof key, "%.36s:%08" PRIx64, bl->document_id, (uint64_t)ordinal);
		int rc = oyl__bm25_add(s->bm25, (size_t)bl->term, key, tf, len);
		if (rc == OYL_ENOMEM)
			return oyl__fail(s->db, rc, "out of memory scoring a search");
		if (rc) { /* a (term, chunk) twice, or tf past the length: damaged */
			more = rc;
			break;
		}
	}
	if (more < 0)
		return oyl__fail(s->db, OYL_ESTORAGE,
				 "the search index of document %.36s is damaged: reprocess it",
				 bl->document_id);
	return score ? OYL_OK : oyl__bm25_count(s->bm25, (size_t)bl->term, counted);
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
		      const oyl__doc_filter *filter, size_t k, double min_score,
		      oyl__bm25_hit *hits, size_t *n)
{
	*n = 0;
	int64_t chunks = oyl__record_int(kb, KNOWLEDGE_BASES_indexed_chunks);
	if (terms->n == 0 || chunks == 0)
		return OYL_OK;
	oyl__bm25_params p = {kb->vals[KNOWLEDGE_BASES_bm25_k1].r, kb->vals[KNOWLEDGE_BASES_bm25_b].r,
			      chunks,
			      (double)oyl__record_int(kb, KNOWLEDGE_BASES_indexed_length) /
				      (double)chunks};
	scoring s = {db, NULL, filter, 0};
	int rc = oyl__bm25_new(&p, terms->n, &s.bm25);
	if (rc)
		return oyl__fail(db, rc, rc == OYL_ENOMEM ? "out of memory scoring a search"
							  : "knowledge base %s: bad BM25 settings",
				 oyl__record_text(kb, KNOWLEDGE_BASES_id));
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
	if (rc == OYL_OK)
		rc = oyl__bm25_top(s.bm25, k, min_score, hits, n);
	oyl__bm25_free(s.bm25);
	return rc;
}

void oyl__chunk_key_parts(const char *key, char doc[OYL_UUID_LEN + 1], int64_t *ordinal)
{
	memcpy(doc, key, OYL_UUID_LEN);
	doc[OYL_UUID_LEN] = '\0';
	*ordinal = (int64_t)strtoll(key + OYL_UUID_LEN + 1, NULL, 16);
}
