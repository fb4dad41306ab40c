/* Exact cosine ranking of one knowledge base's chunks (vector.h). */
#include "search/vector.h"

#include <stdlib.h>
#include <string.h>

#include "embed/vectors.h"
#include "model/kind.h"
#include "records/batch.h"

/* The best k so far: a heap whose root is the worst of them. */
typedef struct best {
	oyl__ranked *h;
	size_t n, k;
} best;

static int worse(const oyl__ranked *a, const oyl__ranked *b)
{
	return oyl__ranked_cmp(a, b) > 0;
}

static void sift_down(best *b, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < b->n && worse(&b->h[l], &b->h[w]))
			w = l;
		if (r < b->n && worse(&b->h[r], &b->h[w]))
			w = r;
		if (w == i)
			return;
		oyl__ranked t = b->h[i];
		b->h[i] = b->h[w];
		b->h[w] = t;
		i = w;
	}
}

static void offer(best *b, const oyl__ranked *c)
{
	if (b->n < b->k) {
		size_t i = b->n++;
		b->h[i] = *c;
		while (i > 0 && worse(&b->h[i], &b->h[(i - 1) / 2])) {
			oyl__ranked t = b->h[i];
			b->h[i] = b->h[(i - 1) / 2];
			b->h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (b->k && worse(&b->h[0], c)) {
		b->h[0] = *c;
		sift_down(b, 0);
	}
}

typedef struct scan {
	oyl_db *db;
	const float *query;
	uint32_t dim;
	double min_score;
	float *v; /* one vector, decoded */
	best top;
	const oyl__doc_filter *filter;
	char (*docs)[OYL_UUID_LEN + 1]; /* the knowledge base's current documents */
	size_t ndocs, cap;
} scan;

/* A document of the knowledge base whose vectors are current. */
static int doc_row(const oyl_value *vals, size_t n, void *payload)
{
	(void)n;
	scan *s = payload;
	const char *status = vals[DOCUMENTS_status].s;
	const char *id = vals[DOCUMENTS_id].s;
	/* processed; or being reprocessed, its old chunks answering */
	if (strcmp(status, "processed") != 0 && strcmp(status, "processing") != 0)
		return 0;
	if (vals[DOCUMENTS_embedding_dimension].i != (int64_t)s->dim)
		return 0;
	if (!oyl__doc_filter_has(s->filter, id))
		return 0;
	if (s->ndocs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char(*d)[OYL_UUID_LEN + 1] = oyl__realloc(s->docs, cap * sizeof *d);
		if (!d)
			return OYL_ENOMEM;
		s->docs = d;
		s->cap = cap;
	}
	memcpy(s->docs[s->ndocs], id, OYL_UUID_LEN);
	s->docs[s->ndocs++][OYL_UUID_LEN] = '\0';
	return 0;
}

/* A chunk: its cosine (a dot product: both are unit vectors). */
static int chunk_row(const oyl_value *vals, size_t n, void *payload)
{
	(void)n;
	scan *s = payload;
	const oyl_value *e = &vals[DOCUMENT_CHUNKS_embedding];
	/* a chunk of another length was not made by this model: skipped */
	if (e->type == OYL_TYPE_NULL || e->n != (size_t)s->dim * 4)
		return 0;
	oyl__vector_decode((const unsigned char *)e->s, s->dim, s->v);
	double dot = 0;
	for (uint32_t i = 0; i < s->dim; i++)
		dot += (double)s->v[i] * s->query[i];
	if (dot < s->min_score)
		return 0;
	oyl__ranked r;
	memcpy(r.document_id, vals[DOCUMENT_CHUNKS_document_id].s, OYL_UUID_LEN);
	r.document_id[OYL_UUID_LEN] = '\0';
	r.ordinal = vals[DOCUMENT_CHUNKS_ordinal].i;
	r.score = dot;
	r.kb = 0;
	offer(&s->top, &r);
	return 0;
}

static int read_documents(oyl_db *db, const char *tenant, const oyl__record *kb, scan *s)
{
	oyl_filter f[2] = {
		oyl__eq(DOCUMENTS_knowledge_base_id, OYL_TYPE_UUID,
			oyl__record_text(kb, KNOWLEDGE_BASES_id)),
		oyl__eq(DOCUMENTS_embedding_model, OYL_TYPE_TEXT,
			oyl__record_text(kb, KNOWLEDGE_BASES_embedding_model)),
	};
	oyl_query q = {f, 2, DOCUMENTS_created_at, 0, NULL, NULL, 0, 0};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	oyl__batch_list(&bt, tenant, &oyl__t_documents_meta, &q, doc_row, s);
	int rc = oyl__batch_run(&bt);
	oyl__batch_free(&bt);
	return rc;
}

/* Every chunk vector of the current documents, OYL__BATCH_MAX documents
 * a round trip. */
static int read_chunks(oyl_db *db, const char *tenant, scan *s)
{
	oyl_filter f[OYL__BATCH_MAX];
	oyl_query q[OYL__BATCH_MAX];
	int rc = OYL_OK;
	for (size_t from = 0; rc == OYL_OK && from < s->ndocs; from += OYL__BATCH_MAX) {
		oyl__batch bt;
		oyl__batch_begin(&bt, db);
		for (size_t i = 0; i < OYL__BATCH_MAX && from + i < s->ndocs; i++) {
			f[i] = oyl__eq(DOCUMENT_CHUNKS_document_id, OYL_TYPE_UUID, s->docs[from + i]);
			q[i] = (oyl_query){&f[i], 1, DOCUMENT_CHUNKS_ordinal, 0, NULL, NULL, 0, 0};
			oyl__batch_list(&bt, tenant, &oyl__t_chunk_vectors, &q[i], chunk_row, s);
		}
		rc = oyl__batch_run(&bt);
		oyl__batch_free(&bt);
	}
	return rc;
}

int oyl__rank_vector(oyl_db *db, const oyl__record *kb, const float *query, uint32_t dim,
		     const oyl__doc_filter *filter, size_t k, double min_score, oyl__ranked *hits,
		     size_t *n)
{
	*n = 0;
	if (!oyl__record_text(kb, KNOWLEDGE_BASES_embedding_model) || k == 0)
		return OYL_OK;
	const char *tenant = oyl__record_text(kb, KNOWLEDGE_BASES_tenant_id);
	scan s = {db, query, dim, min_score, NULL, {hits, 0, k}, filter, NULL, 0, 0};
	int rc = (s.v = oyl__malloc((size_t)dim * sizeof *s.v))
			 ? OYL_OK
			 : oyl__fail(db, OYL_ENOMEM, "out of memory searching");
	if (rc == OYL_OK)
		rc = read_documents(db, tenant, kb, &s);
	if (rc == OYL_OK)
		rc = read_chunks(db, tenant, &s);
	if (rc == OYL_OK) {
		qsort(hits, s.top.n, sizeof *hits, oyl__ranked_cmp);
		*n = s.top.n;
	}
	oyl__free(s.v);
	oyl__free(s.docs);
	return rc;
}
