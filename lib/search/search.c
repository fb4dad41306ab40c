/*
 * oyl_kb_search (doc/retrieval.md): the target's knowledge bases read and
 * checked, each ranked by its own statistics and language, the rankings
 * merged, and the chunks of the best read back with their documents'
 * names and the spans of the matched terms.  One read transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "embed/registry.h"
#include "embed/vectors.h"
#include "model/kind.h"
#include "search/fuse.h"
#include "search/rank.h"
#include "search/results.h"
#include "search/search.h"
#include "search/vector.h"
#include "util/utf8.h"

#define DEFAULT_LIMIT 10
#define KBS_MAX 64 /* knowledge bases of an assistant searched at once */

typedef struct search_opts {
	size_t limit;
	int mode;
	double min_score;
	char (*docs)[OYL_UUID_LEN + 1];
	size_t ndocs;
} search_opts;

static int cmp_ids(const void *a, const void *b)
{
	return memcmp(a, b, OYL_UUID_LEN);
}

static int resolve_opts(oyl_db *db, const oyl_search_options *o, search_opts *out)
{
	*out = (search_opts){DEFAULT_LIMIT, OYL_SEARCH_LEXICAL, 0.0, NULL, 0};
	if (!o)
		return OYL_OK;
	if (o->size < sizeof *o)
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_SEARCH_OPTIONS_INIT)");
	if (o->limit < 0 || o->limit > OYL_SEARCH_LIMIT_MAX)
		return oyl__fail(db, OYL_EINVAL, "opts.limit: 1 to %d (0: %d), not %d",
				 OYL_SEARCH_LIMIT_MAX, DEFAULT_LIMIT, (int)o->limit);
	if (o->limit)
		out->limit = (size_t)o->limit;
	if (o->mode < OYL_SEARCH_LEXICAL || o->mode > OYL_SEARCH_HYBRID)
		return oyl__fail(db, OYL_EINVAL, "opts.mode: %d is not an oyl_search_mode",
				 (int)o->mode);
	out->mode = o->mode;
	if (!isfinite(o->min_score))
		return oyl__fail(db, OYL_EINVAL, "opts.min_score: must be a finite number");
	out->min_score = o->min_score;
	if (o->document_count && !o->document_ids)
		return oyl__fail(db, OYL_EINVAL, "opts.document_ids: NULL with a document_count");
	if (o->document_count > 10000)
		return oyl__fail(db, OYL_EINVAL, "opts.document_ids: at most 10000 documents");
	if (o->document_count) {
		out->docs = oyl__malloc(o->document_count * sizeof *out->docs);
		if (!out->docs)
			return oyl__fail(db, OYL_ENOMEM, "out of memory");
		out->ndocs = o->document_count;
		for (size_t i = 0; i < o->document_count; i++) {
			int rc = oyl__check_id(db, "opts.document_ids[]", o->document_ids[i],
					       out->docs[i]);
			if (rc)
				return rc;
		}
		qsort(out->docs, out->ndocs, sizeof *out->docs, cmp_ids);
	}
	return OYL_OK;
}

/* ---- the target: a knowledge base, or an assistant's ---- */

typedef struct target {
	oyl__record *kb[KBS_MAX];
	size_t n;
} target;

static int kb_row(const oyl_value *vals, size_t n, void *payload)
{
	target *t = payload;
	oyl__record *copy = NULL;
	if (t->n >= KBS_MAX)
		return 0;
	if (oyl__record_copy(&oyl__t_knowledge_bases, vals, n, &copy))
		return OYL_ENOMEM;
	t->kb[t->n++] = copy;
	return 0;
}

static void free_target(target *tg)
{
	for (size_t i = 0; i < tg->n; i++)
		oyl__record_free(tg->kb[i]);
	tg->n = 0;
}

/*
 * The target's reads: the knowledge base of that id, the assistant of that
 * id, and an assistant's knowledge bases, oldest first (none are listed
 * for a knowledge base's id).  Queued into a batch, the caller's or the
 * search's own, each row copied out as it comes, so that they are
 * settled once the batch has run and gone.  A caller that reads the
 * assistant itself queues its knowledge bases only.  A superadmin's list
 * needs the assistant's tenant first: it is read afterwards.
 */
struct oyl__search_target {
	char id[OYL_UUID_LEN + 1];
	oyl_filter of_kb, of_as, of_kbs;
	oyl_query q_kb, q_as, q_kbs;
	oyl__record_sink kb, as;
	target listed;
};

/* whole: the rows of the id too, not only an assistant's knowledge bases */
static oyl__search_target *queue_target(oyl__batch *bt, oyl_actor *actor, const char *id,
					int whole)
{
	oyl__search_target *t = oyl__calloc(1, sizeof *t);
	if (!t)
		return NULL;
	const char *scope = oyl__actor_scope(actor);
	snprintf(t->id, sizeof t->id, "%s", id);
	t->of_kbs = oyl__eq(KNOWLEDGE_BASES_assistant_id, OYL_TYPE_UUID, t->id);
	t->q_kbs = (oyl_query){&t->of_kbs, 1, KNOWLEDGE_BASES_created_at, 0, NULL, NULL, KBS_MAX, 0};
	t->kb = (oyl__record_sink){&oyl__t_knowledge_bases, NULL};
	t->as = (oyl__record_sink){&oyl__t_assistants, NULL};
	if (whole) {
		t->of_kb = oyl__eq(KNOWLEDGE_BASES_id, OYL_TYPE_UUID, t->id);
		t->of_as = oyl__eq(ASSISTANTS_id, OYL_TYPE_UUID, t->id);
		t->q_kb = (oyl_query){&t->of_kb, 1, KNOWLEDGE_BASES_id, 0, NULL, NULL, 1, 0};
		t->q_as = (oyl_query){&t->of_as, 1, ASSISTANTS_id, 0, NULL, NULL, 1, 0};
		oyl__batch_list(bt, scope, &oyl__t_knowledge_bases, &t->q_kb, oyl__record_cb,
				&t->kb);
		oyl__batch_list(bt, scope, &oyl__t_assistants, &t->q_as, oyl__record_cb, &t->as);
	}
	if (scope)
		oyl__batch_list(bt, scope, &oyl__t_knowledge_bases, &t->q_kbs, kb_row, &t->listed);
	return t;
}

oyl__search_target *oyl__search_target_queue(oyl__batch *bt, oyl_actor *actor,
					     const char *assistant_id)
{
	return queue_target(bt, actor, assistant_id, 0);
}

void oyl__search_target_free(oyl__search_target *t)
{
	if (!t)
		return;
	oyl__record_free(t->kb.rec);
	oyl__record_free(t->as.rec);
	free_target(&t->listed);
	oyl__free(t);
}

/* The target's knowledge bases, from its reads (and the caller's row of
 * the assistant, when it read it), checked. */
static int settle_target(oyl_db *db, oyl_actor *actor, oyl__search_target *t,
			 const oyl__record *assistant, target *out)
{
	const oyl__record *as = assistant ? assistant : t->as.rec;
	int rc = OYL_OK;
	if (t->kb.rec) {
		rc = oyl__visible(db, actor, &oyl__kind_knowledge_base, t->kb.rec, t->id);
		if (rc == OYL_OK) {
			out->kb[out->n++] = t->kb.rec;
			t->kb.rec = NULL;
		}
	} else if (as) {
		rc = oyl__visible(db, actor, &oyl__kind_assistant, as, t->id);
	} else {
		rc = oyl__fail(db, OYL_ENOTFOUND, "knowledge base or assistant %s not found", t->id);
	}
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__SEARCH);
	if (rc || !as)
		return rc;
	if (oyl__actor_scope(actor)) {
		*out = t->listed; /* the assistant's, read with it */
		t->listed.n = 0;
		return OYL_OK;
	}
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	oyl__batch_list(&bt, oyl__record_text(as, ASSISTANTS_tenant_id), &oyl__t_knowledge_bases,
			&t->q_kbs, kb_row, out);
	rc = oyl__batch_run(&bt);
	oyl__batch_free(&bt);
	return rc;
}

/* The target read in a round trip of its own, or from the reads a caller
 * queued in one of its batches (pre); `assistant`: the caller's row of
 * the target, read in this transaction, or NULL. */
static int read_target(oyl_db *db, oyl_actor *actor, const char *id, oyl__search_target *pre,
		       const oyl__record *assistant, target *out)
{
	if (pre)
		return settle_target(db, actor, pre, assistant, out);
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	oyl__search_target *t = queue_target(&bt, actor, id, !assistant);
	int rc = t ? oyl__batch_run(&bt) : oyl__fail(db, OYL_ENOMEM, "out of memory");
	oyl__batch_free(&bt);
	if (rc == OYL_OK)
		rc = settle_target(db, actor, t, assistant, out);
	oyl__search_target_free(t);
	return rc;
}

/* ---- ranking every knowledge base, merged ---- */

typedef struct kb_terms {
	oyl__tokenizer *tok;
	oyl__query_terms terms;
} kb_terms;

/* The question in each knowledge base's language (spans need the terms
 * whatever the mode). */
static int read_terms(oyl_db *db, const target *tg, kb_terms *kt, const char *query, size_t qlen)
{
	int rc = OYL_OK;
	for (size_t i = 0; rc == OYL_OK && i < tg->n; i++) {
		const char *language = oyl__record_text(tg->kb[i], KNOWLEDGE_BASES_search_language);
		rc = oyl__tokenizer_new(language, &kt[i].tok);
		if (rc)
			return oyl__fail(db, rc == OYL_ENOMEM ? rc : OYL_ESTORAGE,
					 "knowledge base %s: cannot tokenize in \"%s\"",
					 oyl__record_text(tg->kb[i], KNOWLEDGE_BASES_id), language);
		rc = oyl__query_terms_of(kt[i].tok, query, qlen, &kt[i].terms);
		if (rc == OYL_EINVAL)
			rc = oyl__fail(db, rc, "query: not valid UTF-8");
		else if (rc)
			rc = oyl__fail(db, rc, "out of memory reading the query");
	}
	return rc;
}

/* The rankings of every knowledge base merged, best first, the best
 * `depth` kept: each hit's kb its index in tg. */
typedef int (*rank_one)(oyl_db *db, const target *tg, size_t i, const void *ctx, size_t depth,
			double min_score, oyl__ranked *hits, size_t *n);

static int rank_each(oyl_db *db, const target *tg, rank_one rank, const void *ctx, size_t depth,
		     double min_score, oyl__ranked **out, size_t *n)
{
	*n = 0;
	oyl__ranked *all = oyl__malloc(tg->n * depth * sizeof *all + 1);
	int rc = all ? OYL_OK : oyl__fail(db, OYL_ENOMEM, "out of memory searching");
	for (size_t i = 0; rc == OYL_OK && i < tg->n; i++) {
		size_t got = 0;
		rc = rank(db, tg, i, ctx, depth, min_score, all + *n, &got);
		for (size_t j = 0; rc == OYL_OK && j < got; j++)
			all[(*n)++].kb = i;
	}
	if (rc) {
		oyl__free(all);
		*n = 0;
		return rc;
	}
	qsort(all, *n, sizeof *all, oyl__ranked_cmp);
	if (*n > depth)
		*n = depth;
	*out = all;
	return OYL_OK;
}

typedef struct lexical_ctx {
	const kb_terms *kt;
	const oyl__doc_filter *filter;
} lexical_ctx;

static int rank_one_lexical(oyl_db *db, const target *tg, size_t i, const void *ctx,
			    size_t depth, double min_score, oyl__ranked *hits, size_t *n)
{
	const lexical_ctx *c = ctx;
	return oyl__rank_lexical(db, tg->kb[i], &c->kt[i].terms, c->filter, depth, min_score, hits,
				 n);
}

/* ---- the question as a vector, by each embedder of the target ---- */

typedef struct question_vector {
	char name[OYL__EMBEDDER_NAME_MAX + 1];
	oyl__vectors v;
} question_vector;

typedef struct vector_ctx {
	question_vector *qv;
	size_t nqv;
	const oyl__doc_filter *filter;
} vector_ctx;

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n\f\v", s[i]))
			return 0;
	return 1;
}

/*
 * With no transaction open (the embedder is the long call): the question
 * embedded once per embedder the target's knowledge bases name.  A target
 * with none is OYL_ENOTSUP.  A blank question is embedded by none.
 */
static int embed_question(oyl_db *db, const target *tg, const char *id, const char *query,
			  size_t qlen, vector_ctx *vc)
{
	int named = 0;
	for (size_t i = 0; i < tg->n; i++) {
		const char *name = oyl__record_text(tg->kb[i], KNOWLEDGE_BASES_embedder);
		if (!name)
			continue;
		named = 1;
		int seen = 0;
		for (size_t j = 0; j < vc->nqv && !seen; j++)
			seen = strcmp(vc->qv[j].name, name) == 0;
		if (seen || blank(query, qlen))
			continue;
		oyl_embedder *e = oyl__embedder_find(db, name);
		if (!e)
			return oyl__fail(db, OYL_ENOTSUP,
					 "knowledge base %s is embedded by \"%s\", which this handle "
					 "has not registered (oyl_db_add_embedder)",
					 oyl__record_text(tg->kb[i], KNOWLEDGE_BASES_id), name);
		question_vector *q = &vc->qv[vc->nqv++];
		snprintf(q->name, sizeof q->name, "%s", name);
		int rc = oyl__embed(db, e, name, &query, &qlen, 1, NULL, NULL, &q->v);
		if (rc)
			return rc;
	}
	if (!named)
		return oyl__fail(db, OYL_ENOTSUP,
				 "opts.mode: vector and hybrid search need an embedder, and %s %s has "
				 "none (oyl_kb_set_embedder)",
				 tg->n == 1 && strcmp(oyl__record_text(tg->kb[0], KNOWLEDGE_BASES_id),
						      id) == 0
					 ? "knowledge base"
					 : "no knowledge base of assistant",
				 id);
	return OYL_OK;
}

static int rank_one_vector(oyl_db *db, const target *tg, size_t i, const void *ctx,
			   size_t depth, double min_score, oyl__ranked *hits, size_t *n)
{
	const vector_ctx *c = ctx;
	const oyl__record *kb = tg->kb[i];
	const char *name = oyl__record_text(kb, KNOWLEDGE_BASES_embedder);
	const char *model = oyl__record_text(kb, KNOWLEDGE_BASES_embedding_model);
	*n = 0;
	const question_vector *q = NULL;
	for (size_t j = 0; name && j < c->nqv && !q; j++)
		if (strcmp(c->qv[j].name, name) == 0)
			q = &c->qv[j];
	/* no embedder, no vector yet, or an embedder named since the
	 * question was embedded: nothing to compare with */
	if (!q || !model)
		return OYL_OK;
	int64_t dim = oyl__record_int(kb, KNOWLEDGE_BASES_embedding_dimension);
	if (strcmp(model, q->v.model) != 0 || dim != (int64_t)q->v.dim)
		return oyl__fail(db, OYL_ECONFLICT,
				 "knowledge base %s: its vectors were made by model \"%s\" "
				 "(dimension %lld) and embedder \"%s\" now makes \"%s\" (dimension "
				 "%u); reprocess its documents to renew them",
				 oyl__record_text(kb, KNOWLEDGE_BASES_id), model, (long long)dim, name,
				 q->v.model, q->v.dim);
	return oyl__rank_vector(db, kb, q->v.v, q->v.dim, c->filter, depth, min_score, hits, n);
}

/* The ranking the mode asks for, best first, at most o->limit. */
static int rank_mode(oyl_db *db, const target *tg, const kb_terms *kt, const vector_ctx *vc,
		     const search_opts *o, oyl__ranked **out, size_t *n)
{
	lexical_ctx lc = {kt, vc->filter};
	*out = NULL;
	*n = 0;
	if (o->mode == OYL_SEARCH_LEXICAL)
		return rank_each(db, tg, rank_one_lexical, &lc, o->limit, o->min_score, out, n);
	if (o->mode == OYL_SEARCH_VECTOR)
		return rank_each(db, tg, rank_one_vector, vc, o->limit, o->min_score, out, n);
	/* hybrid: both rankings to a fixed depth, each without a minimum (one
	 * more, to see whether the depth cuts a run of ties) */
	oyl__ranked *lex = NULL, *vec = NULL;
	size_t nlex = 0, nvec = 0;
	int rc = rank_each(db, tg, rank_one_lexical, &lc, OYL__FUSE_DEPTH + 1, -INFINITY, &lex,
			   &nlex);
	if (rc == OYL_OK)
		rc = rank_each(db, tg, rank_one_vector, vc, OYL__FUSE_DEPTH + 1, -INFINITY, &vec,
			       &nvec);
	oyl__fuse_cut(lex, &nlex, OYL__FUSE_DEPTH);
	oyl__fuse_cut(vec, &nvec, OYL__FUSE_DEPTH);
	if (rc == OYL_OK && !(*out = oyl__malloc((nlex + nvec) * sizeof **out + 1)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory searching");
	if (rc == OYL_OK) {
		oyl__fuse(lex, nlex, vec, nvec, o->min_score, *out, n);
		if (*n > o->limit)
			*n = o->limit;
	}
	oyl__free(lex);
	oyl__free(vec);
	return rc;
}

/* ---- the chunks of the best, read back ---- */

/* A batch's passages: one read of their chunks and one of their
 * documents where the backend answers reads of alternatives; else a read
 * per chunk and per document, ten passages a batch. */
#define PER_BATCH (OYL__BATCH_MAX / 2)

typedef struct passage {
	oyl__record *chunk;
	int doc; /* its document's index in the batch's documents */
} passage;

typedef struct passage_doc {
	const char *id;
	oyl__record *rec;
} passage_doc;

typedef struct fetch {
	const oyl__ranked *best; /* the batch's passages */
	passage *p;
	size_t n;
	passage_doc *docs; /* their distinct documents */
	size_t ndocs;
	oyl_filter *f; /* the chunks' alternatives, then the documents' */
} fetch;

static int keep_document(const oyl__record *doc)
{
	const char *status = oyl__record_text(doc, DOCUMENTS_status);
	/* processed; or being reprocessed, its old chunks answering */
	return strcmp(status, "processed") == 0 || strcmp(status, "processing") == 0;
}

static int same_id(const oyl_value *v, const char *id)
{
	return v->s && v->n == OYL_UUID_LEN && memcmp(v->s, id, OYL_UUID_LEN) == 0;
}

/* A chunk row: the passage it is. */
static int chunk_row(const oyl_value *vals, size_t n, void *payload)
{
	fetch *f = payload;
	const oyl_value *doc = &vals[DOCUMENT_CHUNKS_document_id];
	int64_t ordinal = vals[DOCUMENT_CHUNKS_ordinal].i;
	for (size_t i = 0; i < f->n; i++)
		if (!f->p[i].chunk && f->best[i].ordinal == ordinal &&
		    same_id(doc, f->best[i].document_id))
			return oyl__record_copy(&oyl__t_document_chunks, vals, n, &f->p[i].chunk);
	return OYL_OK;
}

/* A document row: the one of its id. */
static int document_row(const oyl_value *vals, size_t n, void *payload)
{
	fetch *f = payload;
	for (size_t d = 0; d < f->ndocs; d++)
		if (!f->docs[d].rec && same_id(&vals[DOCUMENTS_id], f->docs[d].id))
			return oyl__record_copy(&oyl__t_documents_meta, vals, n, &f->docs[d].rec);
	return OYL_OK;
}

/* The batch's reads: each passage's chunk, each distinct document once. */
static void queue_passages(oyl__batch *bt, const char *tenant, fetch *f, oyl_query *cq,
			   oyl_query *dq)
{
	oyl_filter *df = f->f + 2 * f->n;
	for (size_t i = 0; i < f->n; i++) {
		const oyl__ranked *r = &f->best[i];
		f->f[2 * i] = oyl__eq(DOCUMENT_CHUNKS_document_id, OYL_TYPE_UUID, r->document_id);
		f->f[2 * i + 1] = (oyl_filter){DOCUMENT_CHUNKS_ordinal, OYL_OP_EQ,
					       oyl__val_int(OYL_TYPE_INT, r->ordinal)};
		f->p[i].doc = -1;
		for (size_t j = 0; j < i && f->p[i].doc < 0; j++)
			if (memcmp(f->best[j].document_id, r->document_id, OYL_UUID_LEN) == 0)
				f->p[i].doc = f->p[j].doc;
		if (f->p[i].doc < 0) {
			df[f->ndocs] = oyl__eq(DOCUMENTS_id, OYL_TYPE_UUID, r->document_id);
			f->docs[f->ndocs].id = r->document_id;
			f->p[i].doc = (int)f->ndocs++;
		}
	}
	*cq = (oyl_query){f->f, 2 * f->n, DOCUMENT_CHUNKS_ordinal, 0, NULL, NULL, 0, 0};
	*dq = (oyl_query){df, f->ndocs, DOCUMENTS_id, 0, NULL, NULL, 0, 0};
	oyl__batch_list_any(bt, tenant, &oyl__t_document_chunks, cq, 2, chunk_row, f);
	oyl__batch_list_any(bt, tenant, &oyl__t_documents_meta, dq, 1, document_row, f);
}

/* The passages that still answer, as results. */
static int keep_passages(oyl_db *db, const target *tg, fetch *f, oyl_search_results *res)
{
	int rc = OYL_OK;
	for (size_t i = 0; i < f->n; i++) {
		const oyl__ranked *r = &f->best[i];
		const oyl__record *doc = f->docs[f->p[i].doc].rec;
		oyl__record *chunk = f->p[i].chunk;
		f->p[i].chunk = NULL;
		/* gone since it was ranked, or not answering: left out */
		if (rc != OYL_OK || !chunk || !doc || !keep_document(doc)) {
			oyl__record_free(chunk);
			continue;
		}
		oyl__result *x = &res->r[res->n++];
		x->chunk = chunk;
		x->score = r->score;
		x->kb = r->kb;
		snprintf(x->kb_id, sizeof x->kb_id, "%s",
			 oyl__record_text(tg->kb[r->kb], KNOWLEDGE_BASES_id));
		x->document_name = oyl__strdup(oyl__record_text(doc, DOCUMENTS_original_name));
		if (!x->document_name)
			rc = oyl__fail(db, OYL_ENOMEM, "out of memory reading search results");
	}
	return rc;
}

static void fetch_clear(fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		oyl__record_free(f->p[i].chunk);
		f->p[i].chunk = NULL;
	}
	for (size_t d = 0; d < f->ndocs; d++) {
		oyl__record_free(f->docs[d].rec);
		f->docs[d].rec = NULL;
	}
	f->ndocs = 0;
}

/* end_txn: the last batch also ends the caller's transaction. */
static int read_back(oyl_db *db, const target *tg, const kb_terms *kt, const oyl__ranked *best, size_t n,
		     int end_txn, oyl_search_results *res)
{
	/* what the spans need later: each knowledge base's language and terms */
	res->kbs = oyl__calloc(tg->n ? tg->n : 1, sizeof *res->kbs);
	if (!res->kbs)
		return oyl__fail(db, OYL_ENOMEM, "out of memory reading search results");
	res->nkbs = tg->n;
	for (size_t i = 0; i < tg->n; i++) {
		snprintf(res->kbs[i].language, sizeof res->kbs[i].language, "%s",
			 oyl__tokenizer_language(kt[i].tok));
		res->kbs[i].terms = kt[i].terms;
	}
	if (n == 0)
		return OYL_OK;
	/* a target's knowledge bases are its assistant's, of one tenant */
	const char *tenant = oyl__record_text(tg->kb[best[0].kb], KNOWLEDGE_BASES_tenant_id);
	for (size_t i = 1; i < tg->n; i++)
		if (strcmp(oyl__record_text(tg->kb[i], KNOWLEDGE_BASES_tenant_id), tenant) != 0)
			return oyl__fail(db, OYL_ERROR,
					 "internal: the knowledge bases of one search are of two tenants");
	size_t batch = oyl__batch_any_is_one(db) ? n : PER_BATCH;
	fetch f = {NULL, oyl__calloc(batch, sizeof *f.p), 0, oyl__calloc(batch, sizeof *f.docs), 0,
		   oyl__malloc(3 * batch * sizeof *f.f)};
	int rc = f.p && f.docs && f.f ? OYL_OK
				      : oyl__fail(db, OYL_ENOMEM, "out of memory reading search results");
	for (size_t from = 0; rc == OYL_OK && from < n; from += batch) {
		f.best = best + from;
		f.n = n - from < batch ? n - from : batch;
		oyl__batch bt;
		oyl_query cq, dq;
		oyl__batch_begin(&bt, db);
		queue_passages(&bt, tenant, &f, &cq, &dq);
		rc = end_txn && from + f.n == n ? oyl__batch_run_end(&bt) : oyl__batch_run(&bt);
		if (rc == OYL_OK)
			rc = keep_passages(db, tg, &f, res);
		oyl__batch_free(&bt);
		fetch_clear(&f);
	}
	oyl__free(f.p);
	oyl__free(f.docs);
	oyl__free(f.f);
	return rc;
}


/* Vector and hybrid: the target read (and checked) first, and the
 * question embedded after, with no transaction open. */
static int question_vectors(oyl_db *db, oyl_actor *actor, const char *key, const char *query,
			    size_t qlen, vector_ctx *vc)
{
	if (!oyl__utf8_valid(query, qlen))
		return oyl__fail(db, OYL_EINVAL, "query: not valid UTF-8");
	target tg = {{NULL}, 0};
	int rc = oyl__actor_begin(db, actor, OYL_TXN_READ);
	if (rc == OYL_OK)
		rc = oyl__txn_end(db, read_target(db, actor, key, NULL, NULL, &tg));
	if (rc == OYL_OK)
		rc = embed_question(db, &tg, key, query, qlen, vc);
	free_target(&tg);
	return rc;
}

/* What a search holds between its steps. */
typedef struct search_call {
	char key[OYL_UUID_LEN + 1];
	const char *query;
	size_t qlen;
	search_opts o;
	oyl__doc_filter filter;
	question_vector qv[KBS_MAX];
	vector_ctx vc;
	/* in a caller's transaction: its row of the assistant, the target's
	 * reads it queued (or NULL), and whether the last read ends it */
	const oyl__record *assistant;
	oyl__search_target *pre;
	int end_txn;
} search_call;

/* A search's state, its arguments checked, and its empty results. */
static int search_new(oyl_db *db, const char *target_id, const char *query,
		      const oyl_search_options *opts, search_call **c, oyl_search_results **res)
{
	*res = NULL;
	if (!(*c = oyl__calloc(1, sizeof **c)))
		return oyl__fail(db, OYL_ENOMEM, "out of memory");
	search_call *x = *c;
	int rc = oyl__check_id(db, "target_id", target_id, x->key);
	if (rc)
		return rc;
	if (!query)
		return oyl__fail(db, OYL_EINVAL, "query: NULL");
	x->query = query;
	x->qlen = strnlen(query, OYL__QUERY_MAX + 1);
	if (x->qlen > OYL__QUERY_MAX)
		return oyl__fail(db, OYL_EINVAL, "query: longer than %u bytes", OYL__QUERY_MAX);
	if ((rc = resolve_opts(db, opts, &x->o)))
		return rc;
	x->filter = (oyl__doc_filter){(const char(*)[OYL_UUID_LEN + 1])x->o.docs, x->o.ndocs};
	x->vc = (vector_ctx){x->qv, 0, &x->filter};
	if (!(*res = oyl__calloc(1, sizeof **res)))
		return oyl__fail(db, OYL_ENOMEM, "out of memory");
	return OYL_OK;
}

/* Frees the state; the results become *out on OYL_OK, else go too. */
static int search_done(int rc, search_call *c, oyl_search_results *res, oyl_search_results **out)
{
	if (c) {
		for (size_t i = 0; i < c->vc.nqv; i++)
			oyl__vectors_free(&c->qv[i].v);
		oyl__free(c->o.docs);
		oyl__free(c);
	}
	if (rc) {
		oyl_search_free(res);
		return rc;
	}
	*out = res;
	return OYL_OK;
}

/* The search's reads, in the transaction the caller opened for the actor. */
static int search_in_txn(oyl_db *db, oyl_actor *actor, search_call *c, oyl_search_results *res)
{
	target tg = {{NULL}, 0};
	kb_terms *kt = NULL; /* one per knowledge base: 2.4 kB each */
	oyl__ranked *best = NULL;
	size_t nbest = 0;
	int rc = read_target(db, actor, c->key, c->pre, c->assistant, &tg);
	if (rc == OYL_OK && !(kt = oyl__calloc(tg.n ? tg.n : 1, sizeof *kt)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory");
	if (rc == OYL_OK)
		rc = read_terms(db, &tg, kt, c->query, c->qlen);
	if (rc == OYL_OK)
		rc = rank_mode(db, &tg, kt, &c->vc, &c->o, &best, &nbest);
	if (rc == OYL_OK && nbest && !(res->r = oyl__calloc(nbest, sizeof *res->r)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory");
	if (rc == OYL_OK)
		rc = read_back(db, &tg, kt, best, nbest, c->end_txn, res);
	for (size_t i = 0; kt && i < tg.n; i++)
		oyl__tokenizer_free(kt[i].tok);
	oyl__free(kt);
	free_target(&tg);
	oyl__free(best);
	return rc;
}

OYL_API int oyl_kb_search(oyl_actor *actor, const char *target_id, const char *query,
			  const oyl_search_options *opts, oyl_search_results **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_kb_search", &rc);
	if (!db)
		return rc;
	search_call *c = NULL;
	oyl_search_results *res = NULL;
	rc = search_new(db, target_id, query, opts, &c, &res);
	if (rc == OYL_OK && c->o.mode != OYL_SEARCH_LEXICAL)
		rc = question_vectors(db, actor, c->key, query, c->qlen, &c->vc);
	if (rc == OYL_OK && (rc = oyl__actor_begin(db, actor, OYL_TXN_READ)) == OYL_OK)
		rc = oyl__txn_end(db, search_in_txn(db, actor, c, res));
	rc = search_done(rc, c, res, out);
	return rc ? rc : oyl__ok(db);
}

int oyl__search_lexical_in_txn(oyl_db *db, oyl_actor *actor, const oyl__record *assistant,
			       const char *query, const oyl_search_options *opts,
			       oyl__search_target *pre, int end_txn, oyl_search_results **out)
{
	*out = NULL;
	search_call *c = NULL;
	oyl_search_results *res = NULL;
	int rc = search_new(db, oyl__record_text(assistant, ASSISTANTS_id), query, opts, &c, &res);
	if (rc == OYL_OK && c->o.mode != OYL_SEARCH_LEXICAL)
		rc = oyl__fail(db, OYL_ERROR, "internal: only a lexical search runs in a "
					      "caller's transaction");
	if (rc == OYL_OK && pre && strcmp(pre->id, c->key) != 0)
		rc = oyl__fail(db, OYL_ERROR, "internal: the target read is another one's");
	if (rc == OYL_OK) {
		c->assistant = assistant;
		c->pre = pre;
		c->end_txn = end_txn;
		rc = search_in_txn(db, actor, c, res);
	}
	return search_done(rc, c, res, out);
}
