/*
 * Embeddings through the public API, on every backend (argv[1]): a
 * knowledge base naming an embedder, chunks embedded in batches with no
 * transaction open, vector search as exact cosine, hybrid search as
 * reciprocal rank fusion, a failing or missing embedder, a changed model
 * making vectors stale until a reprocess renews them, and who may do what.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_backend.h"
#include "harness.h"
#include "test_embedder.h"

#define DIM 64

static char uri[T_URI_MAX];
static oyl_db *db;
static oyl_backend *fault; /* db's backend: tells whether a transaction is open */
static oyl_embedder *emb;  /* registered on db as "t" */
static t_two_tenants w; /* tenants A and B, their people and knowledge bases */

/* The embedder's hook: every call must come with no transaction open. */
static long calls_in_txn;
static void no_txn_hook(void *ctx)
{
	(void)ctx;
	if (fault_backend_in_txn(fault))
		calls_in_txn++;
}

static oyl_embedder *new_embedder(const char *model, uint32_t dim, size_t batch)
{
	oyl_embedder *e = t_embedder_new(model, dim, batch);
	ck_assert_ptr_nonnull(e);
	t_embedder_state_of(e)->hook = no_txn_hook;
	return e;
}

static void setup(void)
{
	t_fresh_uri(uri);
	if (t_is_postgres())
		t_migrate(uri);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	oyl_backend *inner = NULL;
	char err[512];
	ck_assert_msg(oyl_backend_open(&inner, uri, &o, err, sizeof err) == OYL_OK, "%s", err);
	fault = fault_backend_new(inner);
	ck_assert_int_eq(oyl_db_open_backend(&db, fault, &o), OYL_OK);
	calls_in_txn = 0;
	emb = new_embedder("hash-v1", DIM, 8);
	ck_assert_int_eq(oyl_db_add_embedder(db, "t", emb), OYL_OK);
	t_two_tenants_make(db, &w);
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_a, w.kb_a, "t", NULL), OYL_OK);
}

static void teardown(void)
{
	/* every embed call of the test came with no transaction open */
	ck_assert_int_eq(calls_in_txn, 0);
	t_two_tenants_free(&w);
	oyl_db_close(db);
}

/* Ingests text (chunks of `words` words, no overlap); its id into id. */
static int ingest_opts(oyl_actor *who, const char *kb, const char *name, const char *text,
		       int words, oyl_progress_fn progress, char id[37])
{
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = text;
	s.length = strlen(text);
	s.name = name;
	s.mime_type = "text/plain";
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.chunk_tokens = words;
	o.chunk_overlap = -1;
	o.progress = progress;
	oyl_document *d = NULL;
	int rc = oyl_doc_ingest(who, kb, &s, &o, &d);
	if (d && id)
		memcpy(id, oyl_document_id(d), 37);
	oyl_document_free(d);
	return rc;
}

static void ingest(const char *kb, const char *name, const char *text, char id[37])
{
	int rc = ingest_opts(w.admin_a, kb, name, text, 200, NULL, id);
	ck_assert_msg(rc == OYL_OK, "ingest %s: %s", name, oyl_db_errmsg(db));
}

static oyl_search_results *search_mode(oyl_actor *who, const char *target, const char *q,
				       int mode, int limit)
{
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = mode;
	o.limit = limit;
	oyl_search_results *r = NULL;
	int rc = oyl_kb_search(who, target, q, &o, &r);
	ck_assert_msg(rc == OYL_OK, "search [%s]: %s %s", q, oyl_status_name(rc),
		      oyl_db_errmsg(db));
	return r;
}

/* How many results a search gives. */
static size_t hits(oyl_actor *who, const char *target, const char *q, int mode, int limit)
{
	oyl_search_results *r = search_mode(who, target, q, mode, limit);
	size_t n = oyl_search_count(r);
	oyl_search_free(r);
	return n;
}

static int search_rc(oyl_actor *who, const char *target, const char *q, int mode)
{
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = mode;
	oyl_search_results *r = NULL;
	int rc = oyl_kb_search(who, target, q, &o, &r);
	oyl_search_free(r);
	return rc;
}

/* The cosine the test embedder gives two texts. */
static double cosine(const char *a, const char *b)
{
	float x[DIM], y[DIM];
	t_embed_text(a, strlen(a), DIM, x);
	t_embed_text(b, strlen(b), DIM, y);
	double xy = 0, xx = 0, yy = 0;
	for (int i = 0; i < DIM; i++) {
		xy += (double)x[i] * y[i];
		xx += (double)x[i] * x[i];
		yy += (double)y[i] * y[i];
	}
	return xy / sqrt(xx * yy);
}

static const char *const texts[] = {
	"zebra stripes on the savanna grass",
	"horses gallop across the open field",
	"the zebra herd drinks at the river",
	"database transactions commit or roll back",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

START_TEST(vector_search_is_exact_cosine)
{
	char ids[NTEXTS][37];
	for (size_t i = 0; i < NTEXTS; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%zu.txt", i);
		ingest(w.kb_a, name, texts[i], ids[i]);
	}
	const char *q = "zebra at the river";
	oyl_search_results *r = search_mode(w.user_a, w.kb_a, q, OYL_SEARCH_VECTOR, 10);
	/* every chunk answers, by cosine, best first */
	ck_assert_uint_eq(oyl_search_count(r), NTEXTS);
	ck_assert_str_eq(oyl_search_document_id(r, 0), ids[2]);
	for (size_t i = 0; i < oyl_search_count(r); i++) {
		size_t k = 0;
		while (strcmp(ids[k], oyl_search_document_id(r, i)) != 0)
			k++;
		/* float32 vectors: the cosine within float precision */
		ck_assert_double_eq_tol(oyl_search_score(r, i), cosine(q, texts[k]), 1e-5);
		if (i > 0)
			ck_assert(oyl_search_score(r, i) <= oyl_search_score(r, i - 1));
	}
	/* highlight spans are the question's terms, as in lexical search */
	ck_assert_uint_ge(oyl_search_span_count(r, 0), 2);
	oyl_search_free(r);

	/* the vectors' model and dimension, on the knowledge base and the
	 * document */
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_get(w.user_a, w.kb_a, &kb), OYL_OK);
	ck_assert_str_eq(oyl_kb_embedder(kb), "t");
	ck_assert_str_eq(oyl_kb_embedding_model(kb), "hash-v1");
	ck_assert_int_eq(oyl_kb_embedding_dimension(kb), DIM);
	oyl_kb_free(kb);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(w.user_a, ids[0], &d), OYL_OK);
	ck_assert_str_eq(oyl_document_embedding_model(d), "hash-v1");
	ck_assert_int_eq(oyl_document_embedding_dimension(d), DIM);
	oyl_document_free(d);

	/* limit, minimum score and the document filter */
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, q, OYL_SEARCH_VECTOR, 2), 2);
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = OYL_SEARCH_VECTOR;
	o.min_score = 0.5;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, q, &o, &r), OYL_OK);
	for (size_t i = 0; i < oyl_search_count(r); i++)
		ck_assert(oyl_search_score(r, i) >= 0.5);
	ck_assert_uint_lt(oyl_search_count(r), NTEXTS);
	oyl_search_free(r);
	const char *only[] = {ids[3]};
	o.min_score = -1;
	o.document_ids = only;
	o.document_count = 1;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, q, &o, &r), OYL_OK);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_id(r, 0), ids[3]);
	oyl_search_free(r);
}
END_TEST

START_TEST(chunks_are_embedded_in_batches_with_no_transaction_open)
{
	/* 50 chunks of 4 words, batches of 8: 7 calls */
	char text[4096] = "";
	for (int i = 0; i < 50; i++) {
		char words[80];
		snprintf(words, sizeof words, "word%d alpha%d beta%d gamma%d ", i, i, i, i);
		strcat(text, words);
	}
	t_embedder_state *st = t_embedder_state_of(emb);
	long calls = st->calls;
	char id[37];
	ck_assert_int_eq(ingest_opts(w.admin_a, w.kb_a, "many.txt", text, 4, NULL, id), OYL_OK);
	ck_assert_int_eq(st->calls - calls, 7);
	ck_assert_uint_le(st->max_batch, 8);
	/* every chunk has its vector: the vector search ranks them all */
	oyl_search_results *r = search_mode(w.user_a, w.kb_a, "alpha17 beta17", OYL_SEARCH_VECTOR, 100);
	ck_assert_uint_eq(oyl_search_count(r), 50);
	ck_assert_int_eq(oyl_search_ordinal(r, 0), 17);
	oyl_search_free(r);
	/* the question is embedded with no transaction open too (the hook
	 * counted any call inside one; teardown checks) */
	ck_assert_int_eq(calls_in_txn, 0);
	/* a worker embeds the same way */
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.chunk_tokens = 4;
	o.chunk_overlap = -1;
	oyl_document *d = NULL;
	calls = st->calls;
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, id, &o, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_chunk_count(d), 50);
	ck_assert_int_eq(st->calls - calls, 7);
	oyl_document_free(d);
}
END_TEST

START_TEST(an_embedder_may_learn_its_dimension)
{
	/* as the HTTP embedder does unless configured: 0 until its first answer */
	oyl_embedder *e = new_embedder("learns", 0, 4);
	ck_assert_int_eq(oyl_db_add_embedder(db, "t", e), OYL_OK);
	t_embedder_state *st = t_embedder_state_of(e);
	char id[37];
	ck_assert_int_eq(ingest_opts(w.admin_a, w.kb_a, "ten.txt",
				     "one two three four five six seven eight nine ten", 1, NULL, id),
			 OYL_OK);
	/* the first text alone to learn it, then 10 chunks in batches of 4 */
	ck_assert_int_eq(st->calls, 1 + 3);
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_get(w.user_a, w.kb_a, &kb), OYL_OK);
	ck_assert_int_eq(oyl_kb_embedding_dimension(kb), 48);
	oyl_kb_free(kb);
	oyl_search_results *r = search_mode(w.user_a, w.kb_a, "seven", OYL_SEARCH_VECTOR, 1);
	ck_assert_int_eq(oyl_search_ordinal(r, 0), 6);
	ck_assert_double_eq_tol(oyl_search_score(r, 0), 1.0, 1e-6);
	oyl_search_free(r);
}
END_TEST

static int cancel_at_chunks(int64_t bd, int64_t bt, int64_t cd, int64_t ct, void *ctx)
{
	(void)bd;
	(void)bt;
	(void)ctx;
	/* during the embedding: some chunks done of the total */
	return ct > 0 && cd > 0 && cd < ct;
}

START_TEST(a_failing_embedder_leaves_no_chunk)
{
	char ok_id[37];
	ingest(w.kb_a, "ok.txt", texts[0], ok_id);
	t_embedder_state *st = t_embedder_state_of(emb);
	st->fail_on = st->calls + 2;
	st->fail_code = OYL_EREMOTE;
	char text[2048] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "giraffe necks reach tall acacia trees ");
	char id[37] = "";
	ck_assert_int_eq(ingest_opts(w.admin_a, w.kb_a, "fails.txt", text, 5, NULL, id), OYL_EREMOTE);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "call"));
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "\"t\""));
	/* stored in error with the embedder's message, no chunk */
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_list(w.user_a, w.kb_a, OYL_DOC_ERROR, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	const oyl_document *d = oyl_page_document(p, 0);
	ck_assert_ptr_nonnull(strstr(oyl_document_error(d), "test embedder"));
	ck_assert_int_eq(oyl_document_chunk_count(d), 0);
	ck_assert_ptr_null(oyl_document_embedding_model(d));
	char failed[37];
	memcpy(failed, oyl_document_id(d), 37);
	oyl_page_free(p);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "giraffe", OYL_SEARCH_LEXICAL, 10), 0);
	/* a timeout is the embedder's status; the next attempt succeeds */
	st->fail_on = st->calls + 1;
	st->fail_code = OYL_ETIMEOUT;
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, failed, NULL, NULL), OYL_ETIMEOUT);
	oyl_document *done = NULL;
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, failed, NULL, &done), OYL_OK);
	int64_t chunks = oyl_document_chunk_count(done);
	ck_assert_int_gt(chunks, 1);
	oyl_document_free(done);
	/* its chunks and ok.txt's, every one with its vector */
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "giraffe", OYL_SEARCH_VECTOR, 100), (size_t)chunks + 1);
}
END_TEST

START_TEST(a_failed_reprocess_takes_the_document_out)
{
	char d1[37], d2[37];
	ingest(w.kb_a, "two.txt", texts[2], d2);
	oyl_search_results *r = search_mode(w.user_a, w.kb_a, "zebra", OYL_SEARCH_LEXICAL, 10);
	double alone = oyl_search_score(r, 0);
	oyl_search_free(r);
	ingest(w.kb_a, "one.txt", texts[0], d1);
	/* the reprocess of one.txt fails: it is in error, with no chunk left, and
	 * two.txt scores as it did before one.txt came */
	t_embedder_state *st = t_embedder_state_of(emb);
	st->fail_on = st->calls + 1;
	st->fail_code = OYL_EREMOTE;
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, d1, NULL, NULL), OYL_EREMOTE);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(w.user_a, d1, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_ERROR);
	ck_assert_int_eq(oyl_document_chunk_count(d), 0);
	ck_assert_ptr_null(oyl_document_embedding_model(d));
	oyl_document_free(d);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_chunks(w.user_a, d1, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 0);
	oyl_page_free(p);
	for (int mode = OYL_SEARCH_LEXICAL; mode <= OYL_SEARCH_HYBRID; mode++) {
		r = search_mode(w.user_a, w.kb_a, "zebra", mode, 10);
		ck_assert_uint_eq(oyl_search_count(r), 1);
		ck_assert_str_eq(oyl_search_document_id(r, 0), d2);
		if (mode == OYL_SEARCH_LEXICAL)
			ck_assert(oyl_search_score(r, 0) == alone);
		oyl_search_free(r);
	}
	/* processed again, it answers again */
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, d1, NULL, NULL), OYL_OK);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "zebra", OYL_SEARCH_LEXICAL, 10), 2);
}
END_TEST

/* A second handle, which names another embedder for kb_a while the
 * first one is embedding. */
static oyl_db *other;
static oyl_actor *other_admin;
static void switch_embedder(void *ctx)
{
	(void)ctx;
	ck_assert_int_eq(oyl_kb_set_embedder(other_admin, w.kb_a, "t2", NULL), OYL_OK);
}

START_TEST(an_embedder_changed_while_embedding_puts_the_document_in_error)
{
	char id[37];
	ingest(w.kb_a, "one.txt", texts[0], id);
	other = t_open_uri(uri);
	ck_assert_int_eq(oyl_db_add_embedder(other, "t2", t_embedder_new("other", 16, 4)), OYL_OK);
	ck_assert_int_eq(oyl_actor_superadmin(other, &other_admin), OYL_OK);
	t_embedder_state *st = t_embedder_state_of(emb);
	st->hook = switch_embedder;
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, id, NULL, NULL), OYL_ECONFLICT);
	st->hook = no_txn_hook;
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "process it again"));
	/* not left processing: in error, saying why, with no chunk */
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(w.user_a, id, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_ERROR);
	ck_assert_ptr_nonnull(strstr(oyl_document_error(d), "embedder became \"t2\""));
	ck_assert_int_eq(oyl_document_chunk_count(d), 0);
	oyl_document_free(d);
	oyl_actor_free(other_admin);
	oyl_db_close(other);
}
END_TEST

START_TEST(a_cancel_while_embedding_leaves_no_chunk)
{
	char text[2048] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "otters float holding paws ");
	ck_assert_int_eq(ingest_opts(w.admin_a, w.kb_a, "otters.txt", text, 5, cancel_at_chunks, NULL),
			 OYL_ECANCELED);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "otters", OYL_SEARCH_LEXICAL, 10), 0);
}
END_TEST

/* The rank of (document, ordinal) in r, from 1, tied scores sharing the
 * best rank of their run; 0 when absent. */
static size_t rank_of(const oyl_search_results *r, const char *doc, int64_t ordinal)
{
	for (size_t i = 0; i < oyl_search_count(r); i++) {
		if (strcmp(oyl_search_document_id(r, i), doc) != 0 ||
		    oyl_search_ordinal(r, i) != ordinal)
			continue;
		while (i > 0 && oyl_search_score(r, i - 1) == oyl_search_score(r, i))
			i--;
		return i + 1;
	}
	return 0;
}

START_TEST(hybrid_is_reciprocal_rank_fusion)
{
	for (size_t i = 0; i < NTEXTS; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%zu.txt", i);
		ingest(w.kb_a, name, texts[i], NULL);
	}
	ingest(w.kb_a, "more.txt",
	       "a river of data flows through the savanna of transactions; zebra crossings", NULL);
	const char *q = "zebra river transactions";
	oyl_search_results *lex = search_mode(w.user_a, w.kb_a, q, OYL_SEARCH_LEXICAL, 100);
	oyl_search_results *vec = search_mode(w.user_a, w.kb_a, q, OYL_SEARCH_VECTOR, 100);
	oyl_search_results *hyb = search_mode(w.user_a, w.kb_a, q, OYL_SEARCH_HYBRID, 100);
	ck_assert_uint_eq(oyl_search_count(hyb), NTEXTS + 1); /* the vector list holds all */
	for (size_t i = 0; i < oyl_search_count(hyb); i++) {
		const char *doc = oyl_search_document_id(hyb, i);
		int64_t ord = oyl_search_ordinal(hyb, i);
		size_t a = rank_of(lex, doc, ord), b = rank_of(vec, doc, ord);
		double want = (a ? 1.0 / (60 + a) : 0) + (b ? 1.0 / (60 + b) : 0);
		ck_assert_double_eq_tol(oyl_search_score(hyb, i), want, 1e-12);
		if (i > 0)
			ck_assert(oyl_search_score(hyb, i) <= oyl_search_score(hyb, i - 1));
	}
	/* a smaller limit is the same ranking's start */
	oyl_search_results *top2 = search_mode(w.user_a, w.kb_a, q, OYL_SEARCH_HYBRID, 2);
	ck_assert_uint_eq(oyl_search_count(top2), 2);
	for (size_t i = 0; i < 2; i++)
		ck_assert_str_eq(oyl_search_chunk_id(top2, i), oyl_search_chunk_id(hyb, i));
	oyl_search_free(top2);
	oyl_search_free(lex);
	oyl_search_free(vec);
	oyl_search_free(hyb);
}
END_TEST

START_TEST(a_changed_model_makes_vectors_stale_until_reprocessed)
{
	char d1[37], d2[37];
	ingest(w.kb_a, "one.txt", texts[0], d1);
	ingest(w.kb_a, "two.txt", texts[2], d2);
	/* the host registers a new model under the same name */
	ck_assert_int_eq(oyl_db_add_embedder(db, "t", new_embedder("hash-v2", 32, 4)), OYL_OK);
	ck_assert_int_eq(search_rc(w.user_a, w.kb_a, "zebra", OYL_SEARCH_VECTOR), OYL_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "reprocess"));
	ck_assert_int_eq(search_rc(w.user_a, w.kb_a, "zebra", OYL_SEARCH_HYBRID), OYL_ECONFLICT);
	/* lexical search is not concerned */
	ck_assert_int_eq(search_rc(w.user_a, w.kb_a, "zebra", OYL_SEARCH_LEXICAL), OYL_OK);
	/* one reprocessed: the knowledge base's vectors are the new model's,
	 * the other document's are stale and left out */
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, d1, NULL, NULL), OYL_OK);
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_get(w.user_a, w.kb_a, &kb), OYL_OK);
	ck_assert_str_eq(oyl_kb_embedding_model(kb), "hash-v2");
	ck_assert_int_eq(oyl_kb_embedding_dimension(kb), 32);
	oyl_kb_free(kb);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(w.user_a, d2, &d), OYL_OK);
	ck_assert_str_eq(oyl_document_embedding_model(d), "hash-v1");
	oyl_document_free(d);
	oyl_search_results *r = search_mode(w.user_a, w.kb_a, "zebra", OYL_SEARCH_VECTOR, 10);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_id(r, 0), d1);
	oyl_search_free(r);
	/* both renewed */
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, d2, NULL, NULL), OYL_OK);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "zebra", OYL_SEARCH_VECTOR, 10), 2);
}
END_TEST

START_TEST(modes_need_an_embedder)
{
	/* w.kb_b has none */
	char id[37];
	ck_assert_int_eq(ingest_opts(w.admin_b, w.kb_b, "b.txt", texts[0], 200, NULL, id), OYL_OK);
	ck_assert_int_eq(search_rc(w.admin_b, w.kb_b, "zebra", OYL_SEARCH_VECTOR), OYL_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "oyl_kb_set_embedder"));
	ck_assert_int_eq(search_rc(w.admin_b, w.kb_b, "zebra", OYL_SEARCH_HYBRID), OYL_ENOTSUP);
	ck_assert_int_eq(search_rc(w.admin_b, w.kb_b, "zebra", OYL_SEARCH_LEXICAL), OYL_OK);
	/* a name this handle has not registered, a bad name */
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_b, w.kb_b, "nobody", NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_b, w.kb_b, "bad name", NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_b, w.kb_b, "", NULL), OYL_EINVAL);
	/* who may: a user may not; another tenant's knowledge base is not found */
	ck_assert_int_eq(oyl_kb_set_embedder(w.user_a, w.kb_a, "t", NULL), OYL_EPERM);
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_b, w.kb_a, "t", NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(search_rc(w.admin_b, w.kb_a, "zebra", OYL_SEARCH_VECTOR), OYL_ENOTFOUND);
	/* no embedder again: vector search refused, lexical unchanged */
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_set_embedder(w.admin_a, w.kb_a, NULL, &kb), OYL_OK);
	ck_assert_ptr_null(oyl_kb_embedder(kb));
	ck_assert_ptr_null(oyl_kb_embedding_model(kb));
	oyl_kb_free(kb);
	ck_assert_int_eq(search_rc(w.user_a, w.kb_a, "zebra", OYL_SEARCH_VECTOR), OYL_ENOTSUP);
}
END_TEST

START_TEST(a_handle_without_the_embedder_refuses_clearly)
{
	char id[37];
	ingest(w.kb_a, "one.txt", texts[0], id);
	/* a second handle on the same database registers no "t" */
	oyl_db *other = t_open_uri(uri);
	oyl_actor *admin = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(other, &admin), OYL_OK);
	oyl_search_results *r = NULL;
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = OYL_SEARCH_VECTOR;
	ck_assert_int_eq(oyl_kb_search(admin, w.kb_a, "zebra", &o, &r), OYL_ENOTSUP);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(other), "oyl_db_add_embedder"));
	ck_assert_int_eq(oyl_doc_reprocess(admin, id, NULL, NULL), OYL_ENOTSUP);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(admin, id, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_ERROR);
	oyl_document_free(d);
	oyl_actor_free(admin);
	oyl_db_close(other);
}
END_TEST

START_TEST(questions_the_embedder_never_sees)
{
	ingest(w.kb_a, "one.txt", texts[0], NULL);
	t_embedder_state *st = t_embedder_state_of(emb);
	long calls = st->calls;
	oyl_search_results *r = NULL;
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = OYL_SEARCH_VECTOR;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "bad \xff utf-8", &o, &r), OYL_EINVAL);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "  \t ", OYL_SEARCH_VECTOR, 10), 0);
	ck_assert_uint_eq(hits(w.user_a, w.kb_a, "", OYL_SEARCH_HYBRID, 10), 0);
	ck_assert_int_eq(st->calls, calls);
	/* registration refuses what it cannot use, and the caller keeps it */
	oyl_embedder *e = t_embedder_new("x", 8, 1);
	ck_assert_int_eq(oyl_db_add_embedder(db, "bad/name", e), OYL_EINVAL);
	e->embed = NULL;
	ck_assert_int_eq(oyl_db_add_embedder(db, "ok", e), OYL_EINVAL);
	oyl_embedder_free(e);
	ck_assert_int_eq(oyl_db_add_embedder(db, "ok", NULL), OYL_EINVAL);
}
END_TEST

START_TEST(an_assistant_searches_the_knowledge_bases_that_have_vectors)
{
	/* a second knowledge base of the same assistant, with no embedder */
	oyl_knowledge_base *a = NULL;
	ck_assert_int_eq(oyl_kb_get(w.user_a, w.kb_a, &a), OYL_OK);
	char assistant[37];
	memcpy(assistant, oyl_kb_assistant_id(a), 37);
	oyl_kb_free(a);
	oyl_knowledge_base *k2 = NULL;
	ck_assert_int_eq(oyl_kb_create(w.admin_a, assistant, "plain", NULL, &k2), OYL_OK);
	char plain[37];
	memcpy(plain, oyl_kb_id(k2), 37);
	oyl_kb_free(k2);
	char with[37], without[37];
	ingest(w.kb_a, "with.txt", texts[0], with);
	ingest(plain, "without.txt", texts[2], without);
	oyl_search_results *r = search_mode(w.user_a, assistant, "zebra", OYL_SEARCH_VECTOR, 10);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_id(r, 0), with);
	oyl_search_free(r);
	r = search_mode(w.user_a, assistant, "zebra", OYL_SEARCH_HYBRID, 10);
	ck_assert_uint_eq(oyl_search_count(r), 2); /* the lexical side has both */
	oyl_search_free(r);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, vector_search_is_exact_cosine);
	tcase_add_test(tc, chunks_are_embedded_in_batches_with_no_transaction_open);
	tcase_add_test(tc, an_embedder_may_learn_its_dimension);
	tcase_add_test(tc, a_failing_embedder_leaves_no_chunk);
	tcase_add_test(tc, a_failed_reprocess_takes_the_document_out);
	tcase_add_test(tc, an_embedder_changed_while_embedding_puts_the_document_in_error);
	tcase_add_test(tc, a_cancel_while_embedding_leaves_no_chunk);
	tcase_add_test(tc, hybrid_is_reciprocal_rank_fusion);
	tcase_add_test(tc, a_changed_model_makes_vectors_stale_until_reprocessed);
	tcase_add_test(tc, modes_need_an_embedder);
	tcase_add_test(tc, a_handle_without_the_embedder_refuses_clearly);
	tcase_add_test(tc, questions_the_embedder_never_sees);
	tcase_add_test(tc, an_assistant_searches_the_knowledge_bases_that_have_vectors);
	suite_add_tcase(s, tc);
	return t_run(s);
}
