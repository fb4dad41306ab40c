/* Knowledge bases: an assistant's, holding its documents. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "access/permissions.h"
#include "blobs/blob.h"
#include "core/validate.h"
#include "embed/registry.h"
#include "model/kind.h"
#include "search/tokenize.h"

/* A new knowledge base's search settings (doc/retrieval.md). */
#define DEFAULT_LANGUAGE "english"
#define DEFAULT_K1 1.2
#define DEFAULT_B 0.75

static int release_cb(const oyl_value *vals, size_t n, void *payload)
{
	(void)n;
	const oyl_value *ref = &vals[DOCUMENTS_file_path];
	return ref->type == OYL_TYPE_NULL
		       ? OYL_OK
		       : oyl__blob_release_after_commit(payload, vals[DOCUMENTS_tenant_id].s, ref->s);
}

/* Its documents' files go once the delete commits (directory store; the
 * database store's pieces go with the cascade). */
static int kb_before_delete(oyl_db *db, const oyl__record *row)
{
	if (strcmp(db->blobs->name, "directory") != 0)
		return OYL_OK;
	const char *tenant = oyl__record_text(row, KNOWLEDGE_BASES_tenant_id);
	oyl_filter f[2] = {oyl__eq(DOCUMENTS_knowledge_base_id, OYL_TYPE_UUID,
				   oyl__record_text(row, KNOWLEDGE_BASES_id)),
			   {DOCUMENTS_file_path, OYL_OP_IS_NOT_NULL, {0, 0, 0, NULL, 0}}};
	oyl_query q = {f, 2, DOCUMENTS_created_at, 0, NULL, NULL, 0, 0};
	oyl_scope scope = {tenant};
	int rc = db->backend->list(db->backend, &scope, &oyl__t_documents_meta, &q, release_cb, db);
	return rc < 0 ? oyl__fail_backend(db, rc, "listing the documents' files") : rc;
}

const oyl__kind oyl__kind_knowledge_base = {&oyl__t_knowledge_bases, "knowledge base",
					    "knowledge_base", &oyl__kind_assistant,
					    KNOWLEDGE_BASES_assistant_id, KNOWLEDGE_BASES_created_at,
					    KNOWLEDGE_BASES_updated_at, OYL__CONTENT_READ,
					    OYL__CONTENT_WRITE, kb_before_delete, 0};

OYL_API int oyl_kb_create(oyl_actor *actor, const char *assistant_id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	if (vector_db_id && (rc = oyl__check_name(db, "vector_db_id", vector_db_id)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[KNOWLEDGE_BASES__N];
	v[KNOWLEDGE_BASES_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[KNOWLEDGE_BASES_vector_db_id] = oyl__val_text(OYL_TYPE_TEXT, vector_db_id);
	v[KNOWLEDGE_BASES_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[KNOWLEDGE_BASES_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[KNOWLEDGE_BASES_search_language] = oyl__val_text(OYL_TYPE_TEXT, DEFAULT_LANGUAGE);
	v[KNOWLEDGE_BASES_bm25_k1] = (oyl_value){OYL_TYPE_REAL, 0, DEFAULT_K1, NULL, 0};
	v[KNOWLEDGE_BASES_bm25_b] = (oyl_value){OYL_TYPE_REAL, 0, DEFAULT_B, NULL, 0};
	v[KNOWLEDGE_BASES_indexed_chunks] = oyl__val_int(OYL_TYPE_INT, 0);
	v[KNOWLEDGE_BASES_indexed_length] = oyl__val_int(OYL_TYPE_INT, 0);
	v[KNOWLEDGE_BASES_embedder] = oyl__val_null();
	v[KNOWLEDGE_BASES_embedding_model] = oyl__val_null();
	v[KNOWLEDGE_BASES_embedding_dimension] = oyl__val_null();
	return oyl__create_child(db, actor, &oyl__kind_knowledge_base, "assistant_id", assistant_id,
				 v, NULL, out);
}

OYL_API int oyl_kb_get(oyl_actor *actor, const char *id, oyl_knowledge_base **out)
{
	return oyl__get_public(actor, &oyl__kind_knowledge_base, id, out);
}

OYL_API int oyl_kb_list(oyl_actor *actor, const char *assistant_id, const oyl_list_options *opts,
			oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_knowledge_base, assistant_id, opts, out);
}

OYL_API int oyl_kb_update(oyl_actor *actor, const char *id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	if (vector_db_id && *vector_db_id && (rc = oyl__check_name(db, "vector_db_id", vector_db_id)))
		return rc;
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_name, oyl__val_text(OYL_TYPE_TEXT, name)};
	if (vector_db_id)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_vector_db_id,
					*vector_db_id ? oyl__val_text(OYL_TYPE_TEXT, vector_db_id)
						      : oyl__val_null()};
	return oyl__update_public(actor, &oyl__kind_knowledge_base, id, set, n, NULL, out);
}

/* ---- search settings ---- */

/* What oyl_kb_set_search reads beside the knowledge base: one of its
 * documents, when the language is to change. */
typedef struct search_change {
	const char *id;
	char language[OYL__TERM_MAX + 1]; /* canonical, "" when unchanged */
	int doc;
	oyl_filter of_kb;
	oyl_query q;
	oyl__record_sink sink;
} search_change;

static void search_reads(oyl__batch *bt, const oyl_actor *actor, void *ctx)
{
	search_change *c = ctx;
	c->doc = -1;
	if (!c->language[0])
		return;
	c->of_kb = oyl__eq(DOCUMENTS_knowledge_base_id, OYL_TYPE_UUID, c->id);
	c->q = (oyl_query){&c->of_kb, 1, DOCUMENTS_created_at, 0, NULL, NULL, 1, 0};
	c->sink = (oyl__record_sink){&oyl__t_documents_meta, NULL};
	c->doc = oyl__batch_list(bt, oyl__actor_scope(actor), &oyl__t_documents_meta, &c->q,
				 oyl__record_cb, &c->sink);
}

static int search_check(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			const oyl__batch *bt, void *ctx)
{
	(void)bt;
	search_change *c = ctx;
	int rc = oyl__authorize(db, actor, OYL__CONTENT_WRITE);
	if (rc == OYL_OK && c->sink.rec &&
	    strcmp(oyl__record_text(row, KNOWLEDGE_BASES_search_language), c->language) != 0)
		rc = oyl__fail(db, OYL_ECONFLICT,
			       "knowledge base %s has documents indexed in %s: its language "
			       "changes only while it has none",
			       c->id, oyl__record_text(row, KNOWLEDGE_BASES_search_language));
	oyl__record_free(c->sink.rec);
	c->sink.rec = NULL;
	return rc;
}

/* A parameter: negative leaves it; else finite within [0, max]. */
static int check_param(oyl_db *db, const char *name, double v, double max)
{
	if (isnan(v) || (v >= 0 && (isinf(v) || v > max)))
		return oyl__fail(db, OYL_EINVAL, "settings.%s: 0 to %g (negative: unchanged)", name,
				 max);
	return OYL_OK;
}

OYL_API int oyl_kb_set_search(oyl_actor *actor, const char *id,
			      const oyl_kb_search_settings *s, oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!s || s->size < sizeof *s)
		return oyl__fail(db, OYL_EINVAL,
				 "settings: missing or size not set (use OYL_KB_SEARCH_SETTINGS_INIT)");
	if ((rc = check_param(db, "bm25_k1", s->bm25_k1, 3)) ||
	    (rc = check_param(db, "bm25_b", s->bm25_b, 1)))
		return rc;
	search_change c = {id, "", -1, {0}, {0}, {NULL, NULL}};
	if (s->language) {
		oyl__tokenizer *t = NULL;
		rc = oyl__tokenizer_new(s->language, &t);
		if (rc == OYL_OK)
			snprintf(c.language, sizeof c.language, "%s", oyl__tokenizer_language(t));
		oyl__tokenizer_free(t);
		if (rc == OYL_ENOMEM)
			return oyl__fail(db, rc, "out of memory");
		if (rc)
			return oyl__fail(db, OYL_EINVAL,
					 "settings.language: \"%.64s\" is not a Snowball stemmer's "
					 "name (\"english\", \"french\", ...) nor \"none\"",
					 s->language);
	}
	oyl_assign set[3];
	size_t n = 0;
	if (c.language[0])
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_search_language,
					oyl__val_text(OYL_TYPE_TEXT, c.language)};
	if (s->bm25_k1 >= 0)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_bm25_k1,
					(oyl_value){OYL_TYPE_REAL, 0, s->bm25_k1, NULL, 0}};
	if (s->bm25_b >= 0)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_bm25_b,
					(oyl_value){OYL_TYPE_REAL, 0, s->bm25_b, NULL, 0}};
	oyl__hooks hooks = {search_reads, search_check, &c, NULL, NULL};
	rc = oyl__update_public(actor, &oyl__kind_knowledge_base, id, set, n, &hooks, out);
	oyl__record_free(c.sink.rec);
	return rc;
}

/* ---- the embedder ---- */

OYL_API int oyl_kb_set_embedder(oyl_actor *actor, const char *id, const char *embedder,
				oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (embedder && (rc = oyl__embedder_name_check(db, "embedder", embedder)))
		return rc;
	/* a name no handle knows would fail every ingestion: refused now */
	if (embedder && !oyl__embedder_find(db, embedder))
		return oyl__fail(db, OYL_EINVAL,
				 "embedder: \"%s\" is not registered on this handle "
				 "(oyl_db_add_embedder)",
				 embedder);
	/* without an embedder the knowledge base has no current model: its
	 * vectors answer again only once they are made by the next one */
	oyl_assign set[] = {
		{KNOWLEDGE_BASES_embedder, oyl__val_text(OYL_TYPE_TEXT, embedder)},
		{KNOWLEDGE_BASES_embedding_model, oyl__val_null()},
		{KNOWLEDGE_BASES_embedding_dimension, oyl__val_null()},
	};
	return oyl__update_public(actor, &oyl__kind_knowledge_base, id, set, embedder ? 1 : 3,
				  NULL, out);
}

OYL_API int oyl_kb_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_knowledge_base, id);
}

OYL_API const oyl_knowledge_base *oyl_page_kb(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_knowledge_base.t, i);
}

OYL__TEXT_GETTER(oyl_kb_id, oyl_knowledge_base, oyl__kind_knowledge_base, KNOWLEDGE_BASES_id)
OYL__TEXT_GETTER(oyl_kb_tenant_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_tenant_id)
OYL__TEXT_GETTER(oyl_kb_assistant_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_assistant_id)
OYL__TEXT_GETTER(oyl_kb_name, oyl_knowledge_base, oyl__kind_knowledge_base, KNOWLEDGE_BASES_name)
OYL__TEXT_GETTER(oyl_kb_vector_db_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_vector_db_id)
OYL__INT_GETTER(oyl_kb_created_at, oyl_knowledge_base, oyl__kind_knowledge_base,
		KNOWLEDGE_BASES_created_at)
OYL__INT_GETTER(oyl_kb_updated_at, oyl_knowledge_base, oyl__kind_knowledge_base,
		KNOWLEDGE_BASES_updated_at)
OYL__TEXT_GETTER(oyl_kb_search_language, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_search_language)
OYL__REAL_GETTER(oyl_kb_bm25_k1, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_bm25_k1)
OYL__REAL_GETTER(oyl_kb_bm25_b, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_bm25_b)
OYL__TEXT_GETTER(oyl_kb_embedder, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_embedder)
OYL__TEXT_GETTER(oyl_kb_embedding_model, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_embedding_model)
OYL__INT_GETTER(oyl_kb_embedding_dimension, oyl_knowledge_base, oyl__kind_knowledge_base,
		KNOWLEDGE_BASES_embedding_dimension)
OYL__RECORD_BASICS(oyl_kb, oyl_knowledge_base, oyl__kind_knowledge_base)
