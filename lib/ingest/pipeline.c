/* Processing one document: begin, work, finish (pipeline.h). */
#include "ingest/pipeline.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "blobs/blob.h"
#include "embed/registry.h"
#include "ingest/extract.h"
#include "search/index.h"

/* A document's text may be larger than its original (a compressed
 * format), up to this many times, and never more than TEXT_MAX. */
#define TEXT_GROWTH 8
#define TEXT_MIN (16u << 20)
#define TEXT_MAX (512u << 20)

static int open_txn(oyl_db *db, oyl__doc_work *w, unsigned flags)
{
	return w->actor ? oyl__actor_begin(db, w->actor, flags)
			: oyl__txn_begin(db, NULL, w->tenant, flags);
}

/* The actor's tenant, or, for a platform actor, the document's once it is
 * known: a read with the tenant is one the (tenant_id, ...) keys serve. */
static const char *read_scope(const oyl__doc_work *w)
{
	const char *scope = w->actor ? oyl__actor_scope(w->actor) : NULL;
	return scope ? scope : w->tenant[0] ? w->tenant : NULL;
}

/* Reads the document (metadata) for a write, checks who may. */
static int read_for_write(oyl_db *db, oyl__doc_work *w, oyl__record **row, int *locked)
{
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int target = oyl__batch_get(&bt, read_scope(w), &oyl__t_documents_meta, w->id,
				    OYL__LOCK_ROW);
	int rc = oyl__batch_run(&bt);
	const oyl__record *r = oyl__batch_row(&bt, target);
	if (rc == OYL_OK && w->actor)
		rc = oyl__visible(db, w->actor, &oyl__kind_document, r, w->id);
	else if (rc == OYL_OK && !r)
		rc = oyl__fail(db, OYL_ENOTFOUND, "document %s not found", w->id);
	if (rc == OYL_OK && w->actor)
		rc = oyl__authorize(db, w->actor, OYL__DOCUMENT_WRITE);
	*locked = oyl__batch_locked(&bt, target);
	*row = rc == OYL_OK ? oyl__batch_take(&bt, target) : NULL;
	oyl__batch_free(&bt);
	return rc;
}

/* Which moves a document's status may make (doc/ingestion.md). */
static int may_move(const char *from, const char *to)
{
	static const char *const moves[][2] = {
		{"uploaded", "processing"},  {"processing", "processed"}, {"processing", "error"},
		{"processed", "processing"}, {"error", "processing"},
	};
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(from, moves[i][0]) == 0 && strcmp(to, moves[i][1]) == 0)
			return 1;
	return 0;
}

/* A worker chunks as the uploader asked (the options kept with the
 * document); what it cannot read keeps the defaults. */
static void stored_options(const oyl__record *row, oyl__chunk_options *o)
{
	const oyl_value *v = &row->vals[DOCUMENTS_options];
	if (v->type == OYL_TYPE_NULL)
		return;
	cJSON *j = cJSON_ParseWithLength(v->s, v->n);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "chunk_tokens");
	const cJSON *ov = cJSON_GetObjectItemCaseSensitive(j, "chunk_overlap");
	if (cJSON_IsNumber(t) && cJSON_IsNumber(ov) && t->valuedouble >= 1 &&
	    t->valuedouble <= OYL__CHUNK_TARGET_MAX && ov->valuedouble >= 0 &&
	    ov->valuedouble < t->valuedouble) {
		o->target_tokens = (int64_t)t->valuedouble;
		o->overlap_tokens = (int64_t)ov->valuedouble;
	}
	cJSON_Delete(j);
}

/* The knowledge base's search language, which the work indexes in. */
static int read_language(oyl_db *db, oyl__doc_work *w, const char *kb)
{
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int k = oyl__batch_get(&bt, w->tenant, &oyl__t_knowledge_bases, kb, OYL__LOCK_NONE);
	int rc = oyl__batch_run(&bt);
	const oyl__record *r = oyl__batch_row(&bt, k);
	if (rc == OYL_OK && !r)
		rc = oyl__fail(db, OYL_ENOTFOUND, "knowledge base %s not found", kb);
	if (rc == OYL_OK)
		oyl__doc_work_settings(w, r);
	oyl__batch_free(&bt);
	return rc;
}

void oyl__doc_work_settings(oyl__doc_work *w, const oyl__record *kb)
{
	snprintf(w->kb, sizeof w->kb, "%s", oyl__record_text(kb, KNOWLEDGE_BASES_id));
	snprintf(w->language, sizeof w->language, "%s",
		 oyl__record_text(kb, KNOWLEDGE_BASES_search_language));
	const char *embedder = oyl__record_text(kb, KNOWLEDGE_BASES_embedder);
	snprintf(w->embedder, sizeof w->embedder, "%s", embedder ? embedder : "");
}

static int begin(oyl_db *db, oyl__doc_work *w, oyl__record **out)
{
	int rc = open_txn(db, w, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl__record *row = NULL;
	int locked = 0;
	rc = read_for_write(db, w, &row, &locked);
	const char *status = row ? oyl__record_text(row, DOCUMENTS_status) : "";
	int64_t attempt = row ? oyl__record_int(row, DOCUMENTS_attempt) : 0;
	/* A worker takes over a document left processing by a worker whose
	 * lease ran out (its job was claimable again); nobody else does. */
	int takeover = w->worker_id && strcmp(status, "processing") == 0;
	if (rc == OYL_OK && !takeover && !may_move(status, "processing"))
		rc = oyl__fail(db, OYL_ECONFLICT, "document %s is %s: it cannot be processed now",
			       w->id, status);
	if (rc == OYL_OK && w->worker_id)
		stored_options(row, &w->chunking);
	if (rc == OYL_OK) {
		memcpy(w->tenant, oyl__record_text(row, DOCUMENTS_tenant_id), OYL_UUID_LEN + 1);
		w->attempt = attempt + 1;
		rc = read_language(db, w, oyl__record_text(row, DOCUMENTS_knowledge_base_id));
	}
	if (rc == OYL_OK) {
		int64_t now = oyl__now();
		oyl_assign set[] = {
			{DOCUMENTS_status, oyl__val_text(OYL_TYPE_TEXT, "processing")},
			{DOCUMENTS_attempt, oyl__val_int(OYL_TYPE_INT, w->attempt)},
			{DOCUMENTS_progress, oyl__val_int(OYL_TYPE_INT, 0)},
			{DOCUMENTS_error, oyl__val_null()},
			{DOCUMENTS_worker_id, oyl__val_text(OYL_TYPE_TEXT, w->worker_id)},
			{DOCUMENTS_lease_until, w->lease_until ? oyl__val_int(OYL_TYPE_TIME, w->lease_until)
							       : oyl__val_null()},
			{DOCUMENTS_lease_started_at, w->worker_id ? oyl__val_int(OYL_TYPE_TIME, now)
								  : oyl__val_null()},
			{DOCUMENTS_updated_at, oyl__val_int(OYL_TYPE_TIME, now)},
		};
		/* fenced on the attempt read: a concurrent begin makes this one
		 * change nothing */
		oyl_filter f[2] = {oyl__eq(DOCUMENTS_id, OYL_TYPE_UUID, w->id),
				   {DOCUMENTS_attempt, OYL_OP_EQ, oyl__val_int(OYL_TYPE_INT, attempt)}};
		oyl__note note = {"starting to process the document", NULL, NULL};
		int64_t changed = 0;
		rc = oyl__write_update(db, w->tenant, &oyl__t_documents, f, 2, set,
				       sizeof set / sizeof set[0], locked ? NULL : &changed, &note);
		if (rc == OYL_OK && !locked && changed != 1)
			rc = oyl__fail(db, OYL_ECONFLICT, "document %s changed meanwhile", w->id);
	}
	rc = oyl__txn_end(db, rc);
	if (rc == OYL_OK)
		*out = row;
	else
		oyl__record_free(row);
	return rc;
}

/* ---- the work, with no transaction open ---- */

typedef struct buffer {
	unsigned char *s;
	size_t n, cap;
} buffer;

static int buffer_put(const void *data, size_t n, void *payload)
{
	buffer *b = payload;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		while (cap < b->n + n)
			cap *= 2;
		unsigned char *s = oyl__realloc(b->s, cap);
		if (!s)
			return OYL_ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->n, data, n);
	b->n += n;
	return OYL_OK;
}

static int read_original(oyl_db *db, oyl__doc_work *w, const char *file_path, int64_t size,
			 buffer *b)
{
	b->cap = size > 0 ? (size_t)size : 1;
	if (!(b->s = oyl__malloc(b->cap)))
		return oyl__fail(db, OYL_ENOMEM, "out of memory reading a document's original");
	int rc = oyl__txn_begin(db, NULL, w->tenant, OYL_TXN_READ);
	if (rc == OYL_OK)
		rc = db->blobs->read(db->blobs, db, w->tenant, w->id, file_path, buffer_put, b);
	if (rc == OYL_ENOMEM)
		rc = oyl__fail(db, rc, "out of memory reading a document's original");
	return oyl__txn_end(db, rc);
}

typedef struct progress {
	oyl__doc_work *w;
	int64_t total;
	int stopped;
} progress;

static int extract_progress(size_t done, void *payload)
{
	progress *p = payload;
	if (p->w->progress && p->w->progress((int64_t)done, p->total, 0, -1, p->w->progress_ctx))
		p->stopped = 1;
	return p->stopped ? OYL_ECANCELED : 0;
}

#define SLICE 1000 /* chunks per insert_many */

void oyl__doc_text_free(oyl__doc_text *t)
{
	for (size_t i = 0; i < t->nsections; i++)
		oyl__free(t->sections[i]);
	oyl__free(t->sections);
	oyl__free(t->c);
	oyl__postings_free(t->postings);
	oyl__vectors_free(&t->vectors);
	oyl__text_free(&t->text);
	memset(t, 0, sizeof *t);
}

static int add_chunk(const oyl__chunk *ch, void *payload)
{
	oyl__doc_text *c = payload;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		oyl__kept_chunk *k = oyl__realloc(c->c, cap * sizeof *k);
		if (!k)
			return OYL_ENOMEM;
		c->c = k;
		c->cap = cap;
	}
	size_t section = 0;
	if (ch->section) {
		if (c->nsections == 0 || ch->section != c->last_section ||
		    strcmp(ch->section, c->sections[c->nsections - 1]) != 0) {
			if (c->nsections == c->capsections) {
				size_t cap = c->capsections ? c->capsections * 2 : 16;
				char **s = oyl__realloc(c->sections, cap * sizeof *s);
				if (!s)
					return OYL_ENOMEM;
				c->sections = s;
				c->capsections = cap;
			}
			if (!(c->sections[c->nsections] = oyl__strdup(ch->section)))
				return OYL_ENOMEM;
			c->nsections++;
		}
		c->last_section = ch->section;
		section = c->nsections;
	}
	c->c[c->n++] = (oyl__kept_chunk){ch->start,	ch->end,  ch->start_char, ch->end_char,
				    ch->tokens, ch->page, section};
	return OYL_OK;
}

/* Rows of chunks [from, from + n) into v (n * DOCUMENT_CHUNKS__N values);
 * their vectors, when there are, encoded into enc. */
static void slice_rows(const oyl__doc_text *c, size_t from, size_t n, oyl_value *v,
		       char (*ids)[OYL_UUID_LEN + 1], unsigned char *enc)
{
	const char *text = oyl__text_str(&c->text);
	const oyl__vectors *vec = &c->vectors;
	size_t bytes = (size_t)vec->dim * 4;
	oyl__uuid_new_many(ids, n);
	for (size_t i = 0; i < n; i++, v += DOCUMENT_CHUNKS__N) {
		const oyl__kept_chunk *k = &c->c[from + i];
		v[DOCUMENT_CHUNKS_id] = oyl__val_text(OYL_TYPE_UUID, ids[i]);
		v[DOCUMENT_CHUNKS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, c->w->tenant);
		v[DOCUMENT_CHUNKS_document_id] = oyl__val_text(OYL_TYPE_UUID, c->w->id);
		v[DOCUMENT_CHUNKS_ordinal] = oyl__val_int(OYL_TYPE_INT, (int64_t)(from + i));
		v[DOCUMENT_CHUNKS_content] =
			(oyl_value){OYL_TYPE_TEXT, 0, 0, text + k->start, k->end - k->start};
		v[DOCUMENT_CHUNKS_token_count] = oyl__val_int(OYL_TYPE_INT, k->tokens);
		v[DOCUMENT_CHUNKS_start_offset] = oyl__val_int(OYL_TYPE_INT, k->start_char);
		v[DOCUMENT_CHUNKS_end_offset] = oyl__val_int(OYL_TYPE_INT, k->end_char);
		v[DOCUMENT_CHUNKS_embedding] = oyl__val_null();
		if (vec->n) {
			oyl__vector_encode(vec->v + (from + i) * vec->dim, vec->dim, enc + i * bytes);
			v[DOCUMENT_CHUNKS_embedding] =
				(oyl_value){OYL_TYPE_BLOB, 0, 0, (const char *)enc + i * bytes, bytes};
		}
		v[DOCUMENT_CHUNKS_created_at] = oyl__val_int(OYL_TYPE_TIME, c->now);
		v[DOCUMENT_CHUNKS_page] =
			k->page ? oyl__val_int(OYL_TYPE_INT, k->page) : oyl__val_null();
		v[DOCUMENT_CHUNKS_section] =
			oyl__val_text(OYL_TYPE_JSON, k->section ? c->sections[k->section - 1] : NULL);
	}
}

/* Writes every chunk, SLICE at a time, in the open transaction. */
int oyl__doc_write_chunks(oyl_db *db, const oyl__doc_text *c)
{
	oyl_value *v = oyl__malloc(SLICE * DOCUMENT_CHUNKS__N * sizeof *v);
	char(*ids)[OYL_UUID_LEN + 1] = oyl__malloc(SLICE * sizeof *ids);
	unsigned char *enc = c->vectors.n ? oyl__malloc(SLICE * (size_t)c->vectors.dim * 4) : NULL;
	int rc = v && ids && (enc || !c->vectors.n)
			 ? OYL_OK
			 : oyl__fail(db, OYL_ENOMEM, "out of memory storing chunks");
	oyl__note put = {"storing the document's chunks", NULL, NULL};
	for (size_t from = 0; rc == OYL_OK && from < c->n; from += SLICE) {
		size_t n = c->n - from < SLICE ? c->n - from : SLICE;
		slice_rows(c, from, n, v, ids, enc);
		rc = oyl__write_insert_many(db, c->w->tenant, &oyl__t_document_chunks, v, n, &put);
	}
	oyl__free(v);
	oyl__free(ids);
	oyl__free(enc);
	return rc;
}

/* The chunks' postings, built here with no transaction open. */
static int index_chunks(oyl_db *db, const oyl__doc_work *w, oyl__doc_text *rows)
{
	oyl__tokenizer *t = NULL;
	int rc = oyl__tokenizer_new(w->language, &t);
	if (rc == OYL_EINVAL)
		return oyl__fail(db, rc, "knowledge base %s: \"%s\" is not a search language", w->kb,
				 w->language);
	if (rc == OYL_OK)
		rc = oyl__postings_new(&rows->postings);
	const char *text = oyl__text_str(&rows->text);
	for (size_t i = 0; rc == OYL_OK && i < rows->n; i++)
		rc = oyl__postings_add_chunk(rows->postings, t, (int64_t)i, text + rows->c[i].start,
					     rows->c[i].end - rows->c[i].start);
	oyl__tokenizer_free(t);
	if (rc)
		return oyl__fail(db, rc, rc == OYL_ENOMEM ? "out of memory indexing the chunks"
							  : "indexing the chunks failed");
	oyl__postings_finish(rows->postings);
	return OYL_OK;
}

static int embed_progress(size_t done, void *ctx)
{
	oyl__doc_text *rows = ctx;
	const oyl__doc_work *w = rows->w;
	return w->progress && w->progress((int64_t)rows->text.n, (int64_t)rows->text.n,
					  (int64_t)done, (int64_t)rows->n, w->progress_ctx);
}

/* The chunks' vectors, by the knowledge base's embedder, with no
 * transaction open (the long call of doc/conventions.md). */
static int embed_chunks(oyl_db *db, const oyl__doc_work *w, oyl__doc_text *rows)
{
	oyl_embedder *e = oyl__embedder_find(db, w->embedder);
	if (!e)
		return oyl__fail(db, OYL_ENOTSUP,
				 "knowledge base %s is embedded by \"%s\", which this handle has not "
				 "registered (oyl_db_add_embedder)",
				 w->kb, w->embedder);
	const char **texts = oyl__malloc(rows->n * sizeof *texts);
	size_t *lens = oyl__malloc(rows->n * sizeof *lens);
	int rc = texts && lens ? OYL_OK : oyl__fail(db, OYL_ENOMEM, "out of memory embedding");
	const char *text = oyl__text_str(&rows->text);
	for (size_t i = 0; rc == OYL_OK && i < rows->n; i++) {
		texts[i] = text + rows->c[i].start;
		lens[i] = rows->c[i].end - rows->c[i].start;
	}
	if (rc == OYL_OK)
		rc = oyl__embed(db, e, w->embedder, texts, lens, rows->n, embed_progress, rows,
				&rows->vectors);
	oyl__free(texts);
	oyl__free(lens);
	return rc;
}

int oyl__doc_extract(oyl_db *db, oyl__doc_work *w, const unsigned char *data, size_t n,
		     const char *mime, const char *name, oyl__doc_text *rows)
{
	memset(rows, 0, sizeof *rows);
	oyl__text *text = &rows->text;
	const oyl__extractor *x = oyl__extractor_for(mime);
	if (!x) {
		const char *lib = oyl__extractor_missing(mime);
		return lib ? oyl__fail(db, OYL_ENOTSUP, "%s: this build of liboyl has no %s", mime, lib)
			   : oyl__fail(db, OYL_EINVAL, "%s: not a type liboyl reads", mime);
	}
	size_t limit = n < TEXT_MIN / TEXT_GROWTH ? TEXT_MIN : n * TEXT_GROWTH;
	oyl__text_init(text, limit > TEXT_MAX ? TEXT_MAX : limit);
	/* Plain text becomes about as long as it is: one allocation, not a
	 * growing buffer's copies (the memory bound of doc/ingestion.md). */
	if (strncmp(mime, "text/", 5) == 0 && (text->s = oyl__malloc(n + 4096)))
		text->cap = n + 4096, text->s[0] = '\0';
	progress p = {w, (int64_t)n, 0};
	oyl__extract_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.mime_type = mime;
	ctx.name = name;
	ctx.progress = extract_progress;
	ctx.payload = &p;
	int rc = x->extract(data, n, text, &ctx);
	if (p.stopped)
		return oyl__fail(db, OYL_ECANCELED, "cancelled");
	if (rc == OYL_ENOMEM)
		return oyl__fail(db, rc, "out of memory extracting the text of %s", name);
	if (rc)
		return oyl__fail(db, rc, "%s", ctx.errmsg[0] ? ctx.errmsg
				 : text->errmsg[0]          ? text->errmsg
							    : oyl_strerror(rc));
	rows->w = w;
	rows->now = oyl__now();
	rc = oyl__chunk_text(text, &w->chunking, add_chunk, rows);
	if (rc)
		return oyl__fail(db, rc, rc == OYL_ENOMEM ? "out of memory chunking %s"
							  : "chunking %s failed", name);
	if (rows->n == 0)
		return oyl__fail(db, OYL_EINVAL, "%s: no text could be extracted", name);
	if ((rc = index_chunks(db, w, rows)))
		return rc;
	if (w->embedder[0] && (rc = embed_chunks(db, w, rows)))
		return rc;
	if (w->progress && w->progress((int64_t)n, (int64_t)n, 0, (int64_t)rows->n,
				       w->progress_ctx))
		return oyl__fail(db, OYL_ECANCELED, "cancelled");
	return OYL_OK;
}

/* ---- the end: processed, or in error ---- */

/* The document as this attempt left it: its id, this attempt, processing. */
static void attempt_fence(const oyl__doc_work *w, oyl_filter f[3])
{
	f[0] = oyl__eq(DOCUMENTS_id, OYL_TYPE_UUID, w->id);
	f[1] = (oyl_filter){DOCUMENTS_attempt, OYL_OP_EQ, oyl__val_int(OYL_TYPE_INT, w->attempt)};
	f[2] = oyl__eq(DOCUMENTS_status, OYL_TYPE_TEXT, "processing");
}

void oyl__doc_progress_done(const oyl__doc_work *w, const oyl__doc_text *t)
{
	if (w->progress)
		w->progress((int64_t)t->text.n, (int64_t)t->text.n, (int64_t)t->n, (int64_t)t->n,
			    w->progress_ctx);
}

int oyl__doc_check_kb(oyl_db *db, oyl__doc_work *w, const oyl__record *kb, const char *again)
{
	const char *language = oyl__record_text(kb, KNOWLEDGE_BASES_search_language);
	const char *embedder = oyl__record_text(kb, KNOWLEDGE_BASES_embedder);
	if (!embedder)
		embedder = "";
	int new_language = strcmp(language, w->language) != 0;
	int new_embedder = strcmp(embedder, w->embedder) != 0;
	w->kb_changed = new_language || new_embedder;
	if (new_language)
		return oyl__fail(db, OYL_ECONFLICT,
				 "document %s: its knowledge base's search language became \"%s\" "
				 "while it was indexed in \"%s\"; %s",
				 w->id, language, w->language, again);
	if (new_embedder)
		return oyl__fail(db, OYL_ECONFLICT,
				 "document %s: its knowledge base's embedder became \"%s\" while it "
				 "was embedded by \"%s\"; %s",
				 w->id, embedder, w->embedder, again);
	return OYL_OK;
}

void oyl__doc_embedding_values(const oyl__doc_text *t, oyl_value v[2])
{
	const oyl__vectors *vec = &t->vectors;
	v[0] = vec->n ? oyl__val_text(OYL_TYPE_TEXT, vec->model) : oyl__val_null();
	v[1] = vec->n ? oyl__val_int(OYL_TYPE_INT, vec->dim) : oyl__val_null();
}

/* The knowledge base's vectors are the new ones' model and dimension from
 * now on: the others are stale (doc/retrieval.md). */
static int embedding_model(oyl_db *db, const oyl__doc_work *w, const oyl__record *kb,
			   const oyl__vectors *vec)
{
	const char *model = oyl__record_text(kb, KNOWLEDGE_BASES_embedding_model);
	if (!vec->n || (model && strcmp(model, vec->model) == 0 &&
			oyl__record_int(kb, KNOWLEDGE_BASES_embedding_dimension) == vec->dim))
		return OYL_OK;
	oyl_assign set[] = {
		{KNOWLEDGE_BASES_embedding_model, oyl__val_text(OYL_TYPE_TEXT, vec->model)},
		{KNOWLEDGE_BASES_embedding_dimension, oyl__val_int(OYL_TYPE_INT, vec->dim)},
	};
	oyl_filter of_kb = oyl__eq(KNOWLEDGE_BASES_id, OYL_TYPE_UUID, w->kb);
	oyl__note note = {"recording the knowledge base's embedding model", NULL, NULL};
	return oyl__write_update(db, w->tenant, &oyl__t_knowledge_bases, &of_kb, 1, set, 2, NULL,
				 &note);
}

int oyl__doc_store(oyl_db *db, const oyl__doc_work *w, const oyl__record *kb,
		   const oyl__doc_text *t, int64_t old_chunks, int64_t old_length)
{
	int rc = oyl__doc_write_chunks(db, t);
	if (rc == OYL_OK)
		rc = oyl__index_write(db, w->tenant, w->kb, w->id, t->postings);
	if (rc == OYL_OK)
		rc = oyl__index_count(db, w->tenant, kb, (int64_t)t->n - old_chunks,
				      oyl__postings_length(t->postings) - old_length);
	if (rc == OYL_OK)
		rc = embedding_model(db, w, kb, &t->vectors);
	return rc;
}

/* The document and its knowledge base, rows locked, for the final write;
 * an actor's rights again.  The index is written in the language the
 * knowledge base still has. */
static int read_for_finish(oyl_db *db, oyl__doc_work *w, oyl__record **doc, oyl__record **kb)
{
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int d = oyl__batch_get(&bt, read_scope(w), &oyl__t_documents_meta, w->id, OYL__LOCK_ROW);
	int k = oyl__batch_get(&bt, w->tenant, &oyl__t_knowledge_bases, w->kb, OYL__LOCK_ROW);
	int rc = oyl__batch_run(&bt);
	const oyl__record *r = oyl__batch_row(&bt, d);
	if (rc == OYL_OK && w->actor)
		rc = oyl__visible(db, w->actor, &oyl__kind_document, r, w->id);
	if (rc == OYL_OK && w->actor)
		rc = oyl__authorize(db, w->actor, OYL__DOCUMENT_WRITE);
	if (rc == OYL_OK && (!r || !oyl__batch_row(&bt, k)))
		rc = oyl__fail(db, OYL_ECONFLICT,
			       "document %s: attempt %lld was overtaken (the document or its "
			       "knowledge base was deleted); its chunks are not kept",
			       w->id, (long long)w->attempt);
	if (rc == OYL_OK)
		rc = oyl__doc_check_kb(db, w, oyl__batch_row(&bt, k), "process it again");
	*doc = rc == OYL_OK ? oyl__batch_take(&bt, d) : NULL;
	*kb = rc == OYL_OK ? oyl__batch_take(&bt, k) : NULL;
	oyl__batch_free(&bt);
	return rc;
}

/* The document's chunks (their vectors with them) and its search index,
 * in the open transaction; its statistics are the caller's. */
static int remove_chunks(oyl_db *db, const oyl__doc_work *w)
{
	oyl_filter of_doc = oyl__eq(DOCUMENT_CHUNKS_document_id, OYL_TYPE_UUID, w->id);
	oyl__note drop = {"removing the document's old chunks", NULL, NULL};
	int rc = oyl__write_remove(db, w->tenant, &oyl__t_document_chunks, &of_doc, 1, NULL, &drop);
	return rc == OYL_OK ? oyl__index_remove(db, w->tenant, w->id) : rc;
}

static int finish(oyl_db *db, oyl__doc_work *w, const oyl__doc_text *rows, oyl__record **out)
{
	const oyl__text *text = &rows->text;
	int rc = open_txn(db, w, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl__record *doc = NULL, *kb = NULL;
	rc = read_for_finish(db, w, &doc, &kb);
	int64_t now = oyl__now();
	int64_t length = oyl__postings_length(rows->postings);
	oyl_value embedding[2];
	oyl__doc_embedding_values(rows, embedding);
	oyl_assign set[] = {
		{DOCUMENTS_status, oyl__val_text(OYL_TYPE_TEXT, "processed")},
		{DOCUMENTS_processed_at, oyl__val_int(OYL_TYPE_TIME, now)},
		{DOCUMENTS_chunk_count, oyl__val_int(OYL_TYPE_INT, (int64_t)rows->n)},
		{DOCUMENTS_indexed_length, oyl__val_int(OYL_TYPE_INT, length)},
		{DOCUMENTS_invalid_utf8, oyl__val_int(OYL_TYPE_INT, text->invalid)},
		{DOCUMENTS_progress, oyl__val_int(OYL_TYPE_INT, 100)},
		{DOCUMENTS_raw_content, (oyl_value){OYL_TYPE_TEXT, 0, 0, oyl__text_str(text), text->n}},
		{DOCUMENTS_error, oyl__val_null()},
		{DOCUMENTS_worker_id, oyl__val_null()},
		{DOCUMENTS_lease_until, oyl__val_null()},
		{DOCUMENTS_lease_started_at, oyl__val_null()},
		{DOCUMENTS_updated_at, oyl__val_int(OYL_TYPE_TIME, now)},
		{DOCUMENTS_embedding_model, embedding[0]},
		{DOCUMENTS_embedding_dimension, embedding[1]},
	};
	const size_t nset = sizeof set / sizeof set[0];
	/* The fence first: this attempt, still processing, or nothing at all
	 * (a worker that lost its lease writes no chunk). */
	oyl_filter fence[3];
	attempt_fence(w, fence);
	int64_t changed = 0;
	oyl__note note = {"finishing the document", NULL, NULL};
	if (rc == OYL_OK)
		rc = oyl__write_update(db, w->tenant, &oyl__t_documents, fence, 3, set, nset,
				       &changed, &note);
	if (rc == OYL_OK && changed != 1)
		rc = oyl__fail(db, OYL_ECONFLICT,
			       "document %s: attempt %lld was overtaken (its lease ran out, or the "
			       "document was deleted); its chunks are not kept",
			       w->id, (long long)w->attempt);
	/* the old chunk set and its index go, the new ones come, and the
	 * knowledge base's statistics move from one to the other */
	int64_t old_chunks = doc ? oyl__record_int(doc, DOCUMENTS_chunk_count) : 0;
	int64_t old_length = doc ? oyl__record_int(doc, DOCUMENTS_indexed_length) : 0;
	if (rc == OYL_OK && old_chunks > 0)
		rc = remove_chunks(db, w);
	if (rc == OYL_OK)
		rc = oyl__doc_store(db, w, kb, rows, old_chunks, old_length);
	oyl__record_free(doc);
	oyl__record_free(kb);
	/* the document as it is now, for the caller */
	if (rc == OYL_OK && out) {
		oyl__batch bt;
		oyl__batch_begin(&bt, db);
		int d = oyl__batch_get(&bt, w->tenant, &oyl__t_documents_meta, w->id, OYL__LOCK_NONE);
		rc = oyl__batch_run(&bt);
		*out = rc == OYL_OK ? oyl__batch_take(&bt, d) : NULL;
		oyl__batch_free(&bt);
	}
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK && out) {
		oyl__record_free(*out);
		*out = NULL;
	}
	if (rc == OYL_OK)
		oyl__doc_progress_done(w, rows);
	return rc;
}

/* A document that this attempt still holds, going to error: the chunks of
 * an earlier attempt go with their index and their share of the
 * statistics (a document in error never answers, nor weighs in the
 * scores of the others).  Reads the document locked. */
static int forget_old_chunks(oyl_db *db, const oyl__doc_work *w)
{
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int d = oyl__batch_get(&bt, w->tenant, &oyl__t_documents_meta, w->id, OYL__LOCK_ROW);
	int rc = oyl__batch_run(&bt);
	const oyl__record *doc = rc == OYL_OK ? oyl__batch_row(&bt, d) : NULL;
	int held = doc && oyl__record_int(doc, DOCUMENTS_attempt) == w->attempt &&
		   strcmp(oyl__record_text(doc, DOCUMENTS_status), "processing") == 0;
	if (rc == OYL_OK && held && oyl__record_int(doc, DOCUMENTS_chunk_count) > 0) {
		rc = oyl__index_forget_document(db, doc);
		if (rc == OYL_OK)
			rc = remove_chunks(db, w);
	}
	oyl__batch_free(&bt);
	return rc;
}

/* The document in error with the failure's message, if this attempt
 * still holds it, and without chunks; the failure's own status and
 * message are kept. */
static int fail_document(oyl_db *db, oyl__doc_work *w, int status)
{
	char msg[OYL_ERRMSG_MAX];
	snprintf(msg, sizeof msg, "%s", status == OYL_ECANCELED ? "cancelled" : db->errmsg);
	int64_t now = oyl__now();
	oyl_assign set[] = {
		{DOCUMENTS_status, oyl__val_text(OYL_TYPE_TEXT, "error")},
		{DOCUMENTS_error, oyl__val_text(OYL_TYPE_TEXT, msg)},
		{DOCUMENTS_progress, oyl__val_int(OYL_TYPE_INT, 0)},
		{DOCUMENTS_worker_id, oyl__val_null()},
		{DOCUMENTS_lease_until, oyl__val_null()},
		{DOCUMENTS_lease_started_at, oyl__val_null()},
		{DOCUMENTS_updated_at, oyl__val_int(OYL_TYPE_TIME, now)},
		{DOCUMENTS_chunk_count, oyl__val_int(OYL_TYPE_INT, 0)},
		{DOCUMENTS_indexed_length, oyl__val_int(OYL_TYPE_INT, 0)},
		{DOCUMENTS_embedding_model, oyl__val_null()},
		{DOCUMENTS_embedding_dimension, oyl__val_null()},
	};
	oyl_filter fence[3];
	attempt_fence(w, fence);
	oyl__kept_error kept;
	oyl__error_keep(db, &kept);
	oyl__note note = {"recording the document's error", NULL, NULL};
	int rc = oyl__txn_begin(db, NULL, w->tenant, OYL_TXN_WRITE);
	if (rc == OYL_OK)
		rc = forget_old_chunks(db, w);
	if (rc == OYL_OK)
		rc = oyl__write_update(db, w->tenant, &oyl__t_documents, fence, 3, set,
				       sizeof set / sizeof set[0], NULL, &note);
	oyl__txn_end(db, rc);
	oyl__error_restore(db, &kept);
	return status;
}

int oyl__doc_process(oyl_db *db, oyl__doc_work *w, const unsigned char *data, size_t n,
		     oyl__record **out)
{
	oyl__record *row = NULL;
	if (out)
		*out = NULL;
	buffer original = {w->owns_data ? (unsigned char *)data : NULL, 0, 0};
	int rc = begin(db, w, &row);
	if (rc) {
		oyl__free(original.s);
		return rc;
	}
	if (!data) {
		original.s = NULL;
		rc = read_original(db, w, oyl__record_text(row, DOCUMENTS_file_path),
				   oyl__record_int(row, DOCUMENTS_size), &original);
		data = original.s;
		n = original.n;
	}
	oyl__doc_text done;
	memset(&done, 0, sizeof done);
	if (rc == OYL_OK)
		rc = oyl__doc_extract(db, w, data, n, oyl__record_text(row, DOCUMENTS_mime_type),
				      oyl__record_text(row, DOCUMENTS_original_name), &done);
	oyl__record_free(row);
	/* the original is not needed past here: its memory goes first */
	oyl__free(original.s);
	if (rc == OYL_OK)
		rc = finish(db, w, &done, out);
	/* Overtaken (ECONFLICT): the attempt that overtook this one decides
	 * the document.  Any other failure, and a knowledge base whose
	 * settings changed under the work: the document is in error. */
	if (rc != OYL_OK && (rc != OYL_ECONFLICT || w->kb_changed))
		rc = fail_document(db, w, rc);
	oyl__doc_text_free(&done);
	return rc;
}
