/*
 * Adding documents: oyl_doc_upload (store the original, leave it for a
 * worker), oyl_doc_ingest (store it and process it now) and
 * oyl_doc_reprocess.  Storing is:
 *
 *   1. the source read and checked (ingest/source.c): nothing is stored
 *      for a source refused there;
 *   2. a read: the knowledge base (visible, the actor an admin), and a
 *      document of the same bytes in it (OYL_EXISTS: no second copy);
 *   3. the blob store's stage (the directory store writes the file);
 *   4. one transaction: the same checks again, the tenant's row locked
 *      for its quotas, the document, its original's pieces (database
 *      store), its job for the workers (upload), the audit event.
 */
#include <stdio.h>
#include <string.h>

#include "blobs/blob.h"
#include "core/validate.h"
#include "ingest/add.h"
#include "ingest/pipeline.h"
#include "ingest/source.h"
#include "model/kind.h"
#include "model/quota.h"
#include "search/index.h"

/* The largest original oyl_doc_ingest processes before storing it. */
#define AT_ONCE_MAX ((size_t)8 << 20)

#define OPT_HAS(o, field) ((o) && (o)->size >= offsetof(oyl_doc_options, field) + sizeof((o)->field))

int oyl__doc_resolve_opts(oyl_db *db, const oyl_doc_options *o, oyl__doc_opts *out)
{
	out->max_bytes = OYL_DOC_MAX_BYTES_DEFAULT;
	out->chunking = (oyl__chunk_options){OYL__CHUNK_TARGET_DEFAULT, OYL__CHUNK_OVERLAP_DEFAULT};
	out->progress = NULL;
	out->progress_ctx = NULL;
	if (!o)
		return OYL_OK;
	if (o->size < sizeof(uint32_t))
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_DOC_OPTIONS_INIT)");
	if (OPT_HAS(o, max_bytes) && o->max_bytes) {
		if (o->max_bytes < 0)
			return oyl__fail(db, OYL_EINVAL, "opts.max_bytes: must be positive (0: default)");
		out->max_bytes = o->max_bytes;
	}
	if (OPT_HAS(o, chunk_tokens) && o->chunk_tokens) {
		if (o->chunk_tokens < 1 || o->chunk_tokens > OYL__CHUNK_TARGET_MAX)
			return oyl__fail(db, OYL_EINVAL, "opts.chunk_tokens: 1 to %d (0: %d)",
					 OYL__CHUNK_TARGET_MAX, OYL__CHUNK_TARGET_DEFAULT);
		out->chunking.target_tokens = o->chunk_tokens;
	}
	if (out->chunking.overlap_tokens >= out->chunking.target_tokens)
		out->chunking.overlap_tokens = out->chunking.target_tokens / 5;
	if (OPT_HAS(o, chunk_overlap) && o->chunk_overlap) {
		if (o->chunk_overlap < -1 || o->chunk_overlap >= out->chunking.target_tokens)
			return oyl__fail(db, OYL_EINVAL,
					 "opts.chunk_overlap: -1 (none) or fewer words than a chunk");
		out->chunking.overlap_tokens = o->chunk_overlap == -1 ? 0 : o->chunk_overlap;
	}
	if (OPT_HAS(o, progress_ctx)) {
		out->progress = o->progress;
		out->progress_ctx = o->progress_ctx;
	}
	return OYL_OK;
}

/* The chunking options a worker will use, stored with the document. */
static void options_json(const oyl__doc_opts *o, char *buf, size_t size)
{
	snprintf(buf, size, "{\"chunk_tokens\":%lld,\"chunk_overlap\":%lld}",
		 (long long)o->chunking.target_tokens, (long long)o->chunking.overlap_tokens);
}

/* Reads: the knowledge base and a document of the same bytes in it. */
typedef struct add_reads {
	int kb, same;
	oyl_filter same_filters[2];
	oyl_query same_query;
	oyl__record_sink same_sink;
} add_reads;

/* A document of the same bytes in the knowledge base.  `scope` is the
 * actor's tenant, or, for a platform actor, the knowledge base's once
 * known: the (tenant_id, knowledge_base_id, sha256) key then serves the
 * read.  With no scope it is left out (r->same -1). */
static void same_queue(oyl__batch *bt, const char *scope, const char *kb, const char *sha,
		       add_reads *r)
{
	r->same = -1;
	r->same_sink = (oyl__record_sink){&oyl__t_documents_meta, NULL};
	if (!scope)
		return;
	r->same_filters[0] = oyl__eq(DOCUMENTS_knowledge_base_id, OYL_TYPE_UUID, kb);
	r->same_filters[1] = oyl__eq(DOCUMENTS_sha256, OYL_TYPE_TEXT, sha);
	/* at most one row (the key is unique): any order does */
	r->same_query = (oyl_query){r->same_filters, 2, DOCUMENTS_sha256, 0, NULL, NULL, 1, 0};
	r->same = oyl__batch_list(bt, scope, &oyl__t_documents_meta, &r->same_query,
				  oyl__record_cb, &r->same_sink);
}

/* The knowledge base (locked when the document is written processed)
 * and a document of the same bytes. */
static void add_reads_queue(oyl__batch *bt, const char *scope, const char *kb, const char *sha,
			    int lock_kb, add_reads *r)
{
	r->kb = oyl__batch_get(bt, scope, &oyl__t_knowledge_bases, kb,
			       lock_kb ? OYL__LOCK_ROW : OYL__LOCK_NONE);
	same_queue(bt, scope, kb, sha, r);
}

static int check_kb(oyl_db *db, oyl_actor *actor, const oyl__batch *bt, const add_reads *r,
		    const char *kb)
{
	int rc = oyl__visible(db, actor, &oyl__kind_knowledge_base, oyl__batch_row(bt, r->kb), kb);
	return rc ? rc : oyl__authorize(db, actor, OYL__DOCUMENT_WRITE);
}

/* The tenant's quotas, decided under its lock (taken by the caller's
 * batch, so what is read here starts after it): the documents counted and
 * the bytes summed in one more read, only for a tenant that has such a
 * quota.  A tenant without one pays nothing: no count of its documents on
 * every ingest. */
typedef struct sum {
	int64_t bytes;
} sum;

static int sum_cb(const oyl_value *vals, size_t n, void *payload)
{
	(void)n;
	((sum *)payload)->bytes += vals[DOCUMENTS_size].i;
	return 0;
}

static int check_quotas(oyl_db *db, const char *tenant, const oyl__record *t, int locked,
			int64_t size)
{
	int has_docs = t->vals[TENANTS_quota_documents].type != OYL_TYPE_NULL;
	int has_bytes = t->vals[TENANTS_quota_bytes].type != OYL_TYPE_NULL;
	if (!has_docs && !has_bytes)
		return OYL_OK;
	if (!locked)
		return oyl__unsupported(db, "lock", "a tenant's document quota needs to decide");
	oyl_filter of_tenant = oyl__eq(DOCUMENTS_tenant_id, OYL_TYPE_UUID, tenant);
	oyl_query q = {&of_tenant, 1, DOCUMENTS_created_at, 0, NULL, NULL, 0, 0};
	sum s = {0};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int docs = has_docs ? oyl__batch_count(&bt, tenant, &oyl__t_documents_meta, &of_tenant, 1)
			    : -1;
	if (has_bytes)
		oyl__batch_list(&bt, tenant, &oyl__t_documents_meta, &q, sum_cb, &s);
	int rc = oyl__batch_run(&bt);
	int64_t count = rc == OYL_OK && docs >= 0 ? oyl__batch_count_of(&bt, docs) : 0;
	oyl__batch_free(&bt);
	if (rc)
		return rc;
	if (has_docs && count + 1 > oyl__record_int(t, TENANTS_quota_documents))
		return oyl__fail(db, OYL_EQUOTA, "quota: the tenant may have at most %lld documents",
				 (long long)oyl__record_int(t, TENANTS_quota_documents));
	int64_t limit = oyl__record_int(t, TENANTS_quota_bytes);
	if (has_bytes && s.bytes + size > limit)
		return oyl__fail(db, OYL_EQUOTA,
				 "quota: the tenant may store at most %lld bytes (%lld stored, this "
				 "document is %lld)",
				 (long long)limit, (long long)s.bytes, (long long)size);
	return OYL_OK;
}

static void outcome_values(const oyl__add_outcome *oc, int64_t now, oyl_value *v)
{
	const char *status = oc->done ? "processed" : oc->error ? "error" : "uploaded";
	v[DOCUMENTS_status] = oyl__val_text(OYL_TYPE_TEXT, status);
	v[DOCUMENTS_progress] = oyl__val_int(OYL_TYPE_INT, oc->done ? 100 : 0);
	/* processed or failed at once: one attempt made */
	v[DOCUMENTS_attempt] = oyl__val_int(OYL_TYPE_INT, oc->done || oc->error ? 1 : 0);
	v[DOCUMENTS_chunk_count] = oyl__val_int(OYL_TYPE_INT, oc->done ? (int64_t)oc->done->n : 0);
	v[DOCUMENTS_indexed_length] = oyl__val_int(
		OYL_TYPE_INT, oc->done ? oyl__postings_length(oc->done->postings) : 0);
	v[DOCUMENTS_invalid_utf8] =
		oyl__val_int(OYL_TYPE_INT, oc->done ? oc->done->text.invalid : 0);
	if (oc->error)
		v[DOCUMENTS_error] = oyl__val_text(OYL_TYPE_TEXT, oc->error);
	if (oc->done) {
		v[DOCUMENTS_processed_at] = oyl__val_int(OYL_TYPE_TIME, now);
		v[DOCUMENTS_raw_content] = (oyl_value){
			OYL_TYPE_TEXT, 0, 0, oyl__text_str(&oc->done->text), oc->done->text.n};
		oyl_value embedding[2];
		oyl__doc_embedding_values(oc->done, embedding);
		v[DOCUMENTS_embedding_model] = embedding[0];
		v[DOCUMENTS_embedding_dimension] = embedding[1];
	}
}

static int insert_job(oyl_db *db, const char *tenant, const char *id, int64_t now)
{
	char job[OYL_UUID_LEN + 1];
	oyl__uuid_new(job);
	oyl_value j[INGEST_JOBS__N];
	j[INGEST_JOBS_id] = oyl__val_text(OYL_TYPE_UUID, job);
	j[INGEST_JOBS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
	j[INGEST_JOBS_document_id] = oyl__val_text(OYL_TYPE_UUID, id);
	j[INGEST_JOBS_attempt] = oyl__val_int(OYL_TYPE_INT, 0);
	j[INGEST_JOBS_worker_id] = oyl__val_null();
	j[INGEST_JOBS_available_at] = oyl__val_int(OYL_TYPE_TIME, now);
	j[INGEST_JOBS_last_error] = oyl__val_null();
	j[INGEST_JOBS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	oyl__note jn = {"queueing the document for a worker", NULL, NULL};
	return oyl__write_insert(db, tenant, &oyl__t_ingest_jobs, j, &jn);
}

/* Inserts the document w->id of tenant w->tenant, its original, and its
 * job (uploaded) or chunks (processed). */
static int insert_document(oyl_db *db, oyl_actor *actor, const oyl__doc_work *w, const char *kb,
			   const oyl__source *src, const oyl__blob_stage *st, const oyl__doc_opts *o,
			   const oyl__add_outcome *oc, oyl__record **out)
{
	int64_t now = oyl__now();
	char opts[128];
	options_json(o, opts, sizeof opts);
	oyl_value v[DOCUMENTS__N];
	for (size_t i = 0; i < DOCUMENTS__N; i++)
		v[i] = oyl__val_null();
	v[DOCUMENTS_id] = oyl__val_text(OYL_TYPE_UUID, w->id);
	v[DOCUMENTS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, w->tenant);
	v[DOCUMENTS_knowledge_base_id] = oyl__val_text(OYL_TYPE_UUID, kb);
	v[DOCUMENTS_user_id] = oyl__val_text(OYL_TYPE_UUID, actor->id[0] && !actor->is_account
								     ? actor->id
								     : NULL);
	v[DOCUMENTS_filename] = oyl__val_text(OYL_TYPE_TEXT, src->filename);
	v[DOCUMENTS_original_name] = oyl__val_text(OYL_TYPE_TEXT, src->original_name);
	v[DOCUMENTS_size] = oyl__val_int(OYL_TYPE_INT, (int64_t)src->n);
	v[DOCUMENTS_mime_type] = oyl__val_text(OYL_TYPE_TEXT, src->mime);
	v[DOCUMENTS_sha256] = oyl__val_text(OYL_TYPE_TEXT, src->sha256);
	v[DOCUMENTS_file_path] = oyl__val_text(OYL_TYPE_TEXT, st->ref);
	v[DOCUMENTS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[DOCUMENTS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[DOCUMENTS_options] = oyl__val_text(OYL_TYPE_JSON, opts);
	outcome_values(oc, now, v);
	oyl__note note = {"storing the document",
			  "a document with the same content is already in this knowledge base",
			  NULL};
	int rc = oyl__write_insert(db, w->tenant, &oyl__t_documents, v, &note);
	if (rc == OYL_OK)
		rc = db->blobs->write(db->blobs, db, w->tenant, w->id, src->data, src->n);
	if (rc == OYL_OK && oc->queue)
		rc = insert_job(db, w->tenant, w->id, now);
	if (rc == OYL_OK && oc->done)
		rc = oyl__doc_store(db, w, oc->kb, oc->done, 0, 0);
	if (rc == OYL_OK) {
		char detail[256];
		snprintf(detail, sizeof detail, "{\"size\":%zu,\"mime_type\":\"%s\"}", src->n,
			 src->mime);
		rc = oyl__audit(db, actor, w->tenant, oc->queue ? "upload" : "ingest",
				&oyl__kind_document, w->id, detail);
	}
	if (rc == OYL_OK && out)
		rc = oyl__record_copy(&oyl__t_documents_meta, v, oyl__t_documents_meta.ncols, out)
			     ? oyl__fail(db, OYL_ENOMEM, "out of memory storing a document")
			     : OYL_OK;
	return rc;
}

/* Step 2: the knowledge base (its tenant into `tenant`) and a document of
 * the same bytes in it (*same).  A platform actor's second read waits for
 * the tenant, so that the tenant's key serves it. */
static int pre_read(oyl_db *db, oyl_actor *actor, const char *kb, const char *sha,
		    const char *tenant_hint, oyl__doc_work *w, oyl__record **same)
{
	*same = NULL;
	int rc = oyl__actor_begin(db, actor, OYL_TXN_READ);
	if (rc)
		return rc;
	const char *scope = oyl__actor_scope(actor);
	if (!scope && tenant_hint)
		scope = tenant_hint; /* a platform actor, the knowledge base's tenant known */
	for (int round = 0; rc == OYL_OK && round < 2 && !*same; round++) {
		add_reads r;
		oyl__batch bt;
		oyl__batch_begin(&bt, db);
		add_reads_queue(&bt, scope, kb, sha, 0, &r);
		rc = oyl__batch_run(&bt);
		if (rc == OYL_OK)
			rc = check_kb(db, actor, &bt, &r, kb);
		if (rc == OYL_OK) {
			const oyl__record *k = oyl__batch_row(&bt, r.kb);
			memcpy(w->tenant, oyl__record_text(k, KNOWLEDGE_BASES_tenant_id),
			       OYL_UUID_LEN + 1);
			oyl__doc_work_settings(w, k);
		}
		*same = r.same_sink.rec;
		oyl__batch_free(&bt);
		if (r.same >= 0)
			break;
		scope = w->tenant;
	}
	return oyl__txn_end(db, rc);
}

/* Step 2, with no transaction open: the pre-read; OYL_EXISTS with the
 * document of the same bytes in a->same. */
int oyl__add_read(oyl_db *db, oyl_actor *actor, const char *kb, const oyl__source *src,
		  const oyl__doc_opts *o, int queue, const char *tenant_hint, oyl__adding *a)
{
	memset(a, 0, sizeof *a);
	a->w = (oyl__doc_work){actor, "", "", 1, o->chunking, o->progress, o->progress_ctx, NULL, 0,
			       0, "", "", "", 0};
	a->kb = kb;
	a->src = src;
	a->o = o;
	a->oc.queue = queue;
	a->st = (oyl__blob_stage){NULL, -1};
	int rc = pre_read(db, actor, kb, src->sha256, tenant_hint, &a->w, &a->same);
	if (rc == OYL_OK && a->same)
		return OYL_EXISTS;
	if (rc == OYL_OK)
		oyl__uuid_new(a->w.id);
	return rc;
}

/* The work, with no transaction open and no storage touched: the text
 * extracted and chunked.  A failure is kept, to be stored with the
 * document. */
void oyl__add_work(oyl_db *db, oyl__adding *a)
{
	const oyl__source *src = a->src;
	a->work_rc = oyl__doc_extract(db, &a->w, src->data, src->n, src->mime, src->original_name,
				      &a->done);
	/* the work's own message ("cancelled" for a cancel) goes with the
	 * document and back to the caller */
	if (a->work_rc) {
		oyl__error_keep(db, &a->kept);
		a->oc.error = a->kept.msg;
	} else {
		a->oc.done = &a->done;
	}
}

/* Instead of the pre-read, for a source after prev into the same
 * knowledge base: prev's findings, a new id, the same bytes looked for by
 * prev's store. */
void oyl__add_follow(const oyl__adding *prev, const oyl__source *src, oyl__adding *a)
{
	memset(a, 0, sizeof *a);
	a->w = prev->w;
	a->w.attempt = 1;
	a->w.kb_changed = 0;
	oyl__uuid_new(a->w.id);
	a->kb = prev->kb;
	a->src = src;
	a->o = prev->o;
	a->oc.queue = prev->oc.queue;
	a->st = (oyl__blob_stage){NULL, -1};
	a->same_unknown = 1;
}

/* Steps 3 and 4: the blob store's stage and the one transaction, up to
 * its commit, sent (oyl__txn_end_start): oyl__add_end waits for it. */
void oyl__add_store(oyl_db *db, oyl__adding *a, oyl__adding *next)
{
	oyl_actor *actor = a->w.actor;
	const oyl__source *src = a->src;
	int rc = db->blobs->stage(db->blobs, db, a->w.tenant, src->sha256, src->data, src->n,
				  &a->st);
	if (rc == OYL_OK)
		rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE);
	if (rc) {
		oyl__error_keep(db, &a->store_error);
		a->rc = rc;
		return;
	}
	add_reads r;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	add_reads_queue(&bt, a->w.tenant, a->kb, src->sha256, a->oc.done != NULL, &r);
	int t = oyl__batch_get(&bt, NULL, &oyl__t_tenants, a->w.tenant, OYL__LOCK_DECIDE);
	add_reads nr;
	if (next)
		same_queue(&bt, a->w.tenant, a->kb, next->src->sha256, &nr);
	rc = oyl__batch_run(&bt);
	if (next) {
		if (rc == OYL_OK) {
			next->same = nr.same_sink.rec;
			nr.same_sink.rec = NULL;
			next->same_unknown = 0;
		}
		oyl__record_free(nr.same_sink.rec);
	}
	if (rc == OYL_OK)
		rc = check_kb(db, actor, &bt, &r, a->kb);
	if (rc == OYL_OK && a->oc.done)
		rc = oyl__doc_check_kb(db, &a->w, oyl__batch_row(&bt, r.kb), "add it again");
	a->oc.kb = oyl__batch_row(&bt, r.kb);
	a->same = r.same_sink.rec;
	r.same_sink.rec = NULL;
	if (rc == OYL_OK && !a->same)
		rc = check_quotas(db, a->w.tenant, oyl__batch_row(&bt, t),
				  oyl__batch_locked(&bt, t), (int64_t)src->n);
	if (rc == OYL_OK && !a->same)
		rc = insert_document(db, actor, &a->w, a->kb, src, &a->st, a->o, &a->oc,
				     &a->stored);
	oyl__batch_free(&bt);
	a->oc.kb = NULL;
	a->rc = oyl__txn_end_start(db, rc);
	if (a->rc)
		oyl__error_keep(db, &a->store_error);
}

/*
 * The end: the commit waited for, the stage's file released if nothing
 * refers to it, and the outcome: OYL_OK with the new document in *out,
 * OYL_EXISTS with the one of the same bytes, the work's status for a
 * document stored in error, or the store's failure (its message on the
 * handle).  a holds nothing after it.
 */
int oyl__add_end(oyl_db *db, oyl__adding *a, oyl__record **out)
{
	/* a store that returned OYL_OK has its commit to wait for */
	int rc = a->rc == OYL_OK ? oyl__txn_end_finish(db) : a->rc;
	if (rc != OYL_OK && a->rc == OYL_OK)
		oyl__error_keep(db, &a->store_error);
	/* A file written for a document that was not stored goes now (if no
	 * other document has the same bytes), after the stage's hold. */
	char *written = rc != OYL_OK && a->st.ref ? oyl__strdup(a->st.ref) : NULL;
	db->blobs->unstage(db->blobs, &a->st);
	if (written) {
		db->blobs->release(db->blobs, db, a->w.tenant, written);
		oyl__free(written);
	}
	*out = NULL;
	if (rc == OYL_OK && a->same) {
		*out = a->same;
		a->same = NULL;
		rc = OYL_EXISTS;
	} else if (rc == OYL_OK && a->oc.done) {
		oyl__doc_progress_done(&a->w, &a->done);
	}
	oyl__doc_text_free(&a->done);
	oyl__record_free(a->same);
	if (rc == OYL_OK && a->work_rc) {
		/* stored in error: the work's failure is the call's */
		oyl__error_restore(db, &a->kept);
		rc = a->work_rc;
	} else if (rc != OYL_OK && rc != OYL_EXISTS) {
		oyl__error_restore(db, &a->store_error);
	} else if (rc == OYL_OK) {
		*out = a->stored;
		a->stored = NULL;
	}
	oyl__record_free(a->stored);
	memset(a, 0, sizeof *a);
	return rc;
}

/* Drops what oyl__add_read and oyl__add_work made, for a document not stored. */
void oyl__add_drop(oyl__adding *a)
{
	oyl__doc_text_free(&a->done);
	oyl__record_free(a->same);
	oyl__record_free(a->stored);
	memset(a, 0, sizeof *a);
}

/*
 * Stores a new document: the pre-read, the work for oyl_doc_ingest at
 * once (w->progress set), the blob store's stage, one transaction.
 * OYL_EXISTS with the existing one in *out when the knowledge base has
 * these bytes already.  A failed work stores the document in error and
 * returns the work's status.
 */
static int add(oyl_db *db, oyl_actor *actor, const char *kb, const oyl__source *src,
	       const oyl__doc_opts *o, int queue, int at_once, oyl__record **out)
{
	oyl__adding a;
	int rc = oyl__add_read(db, actor, kb, src, o, queue, NULL, &a);
	if (rc == OYL_EXISTS) {
		*out = a.same;
		return rc;
	}
	if (rc)
		return rc;
	if (at_once)
		oyl__add_work(db, &a);
	oyl__add_store(db, &a, NULL);
	return oyl__add_end(db, &a, out);
}

/* Processes a stored document from the source's bytes, which it takes
 * over when they are the library's (read from a file): they are freed as
 * soon as the text is out of them. */
static int process_now(oyl_db *db, oyl_actor *actor, const oyl__doc_opts *o, oyl__record *stored,
		       oyl__source *src, oyl__record **out)
{
	oyl__doc_work w = {actor,	       "", "", 0, o->chunking, o->progress, o->progress_ctx,
			   NULL,	       0,  !src->borrowed, "", "", "", 0};
	memcpy(w.id, oyl__record_text(stored, DOCUMENTS_id), OYL_UUID_LEN + 1);
	memcpy(w.tenant, oyl__record_text(stored, DOCUMENTS_tenant_id), OYL_UUID_LEN + 1);
	oyl__record_free(stored);
	*out = NULL;
	const unsigned char *data = src->data;
	if (!src->borrowed)
		src->data = NULL; /* now the pipeline's */
	return oyl__doc_process(db, &w, data, src->n, out);
}

int oyl__add_at_once(const oyl__source *src)
{
	return src->n <= AT_ONCE_MAX;
}

int oyl__add_retried(const oyl__record *same)
{
	return strcmp(oyl__record_text(same, DOCUMENTS_status), "error") == 0;
}

int oyl__add_source(oyl_db *db, oyl_actor *actor, const char *kb, oyl__source *src,
		    const oyl__doc_opts *o, int queue, oyl__record **doc)
{
	/* A document up to AT_ONCE_MAX is extracted before it is stored, and
	 * stored processed in one transaction; a larger one is stored
	 * uploaded first, so that its original's memory can go before its
	 * text is written (the memory bound of doc/ingestion.md). */
	int at_once = !queue && oyl__add_at_once(src);
	int rc = add(db, actor, kb, src, o, queue, at_once, doc);
	/* A document of the same bytes left in error is tried again. */
	if (rc == OYL_EXISTS && !queue && oyl__add_retried(*doc))
		rc = process_now(db, actor, o, *doc, src, doc);
	else if (rc == OYL_OK && !queue && !at_once)
		rc = process_now(db, actor, o, *doc, src, doc);
	return rc;
}

static int add_public(oyl_actor *actor, const char *knowledge_base_id,
		      const oyl_doc_source *source, const oyl_doc_options *opts, int queue,
		      oyl_document **out)
{
	int rc;
	char kb[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, out, &rc);
	oyl__doc_opts o;
	if (!db || (rc = oyl__check_id(db, "knowledge_base_id", knowledge_base_id, kb)) ||
	    (rc = oyl__doc_resolve_opts(db, opts, &o)))
		return rc;
	oyl__source src;
	if ((rc = oyl__source_read(db, source, o.max_bytes, &src)))
		return rc;
	oyl__record *doc = NULL;
	rc = oyl__add_source(db, actor, kb, &src, &o, queue, &doc);
	oyl__source_free(&src);
	if (rc != OYL_OK && rc != OYL_EXISTS) {
		oyl__record_free(doc);
		return rc;
	}
	if (out)
		*out = (oyl_document *)doc;
	else
		oyl__record_free(doc);
	if (rc == OYL_EXISTS) {
		oyl__ok(db);
		return OYL_EXISTS;
	}
	return oyl__ok(db);
}

OYL_API int oyl_doc_upload(oyl_actor *actor, const char *knowledge_base_id,
			   const oyl_doc_source *source, const oyl_doc_options *opts,
			   oyl_document **out)
{
	return add_public(actor, knowledge_base_id, source, opts, 1, out);
}

OYL_API int oyl_doc_ingest(oyl_actor *actor, const char *knowledge_base_id,
			   const oyl_doc_source *source, const oyl_doc_options *opts,
			   oyl_document **out)
{
	return add_public(actor, knowledge_base_id, source, opts, 0, out);
}

OYL_API int oyl_doc_reprocess(oyl_actor *actor, const char *id, const oyl_doc_options *opts,
			      oyl_document **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	oyl__doc_opts o;
	oyl__doc_work w = {actor, "", "", 0, {0, 0}, NULL, NULL, NULL, 0, 0, "", "", "", 0};
	if (!db || (rc = oyl__check_id(db, "id", id, w.id)) || (rc = oyl__doc_resolve_opts(db, opts, &o)))
		return rc;
	w.chunking = o.chunking;
	w.progress = o.progress;
	w.progress_ctx = o.progress_ctx;
	oyl__record *doc = NULL;
	rc = oyl__doc_process(db, &w, NULL, 0, &doc);
	if (rc != OYL_OK)
		return rc;
	if (out)
		*out = (oyl_document *)doc;
	else
		oyl__record_free(doc);
	return oyl__ok(db);
}
