/* Knowledge bases: an assistant's, holding its documents. */
#include <string.h>

#include "blobs/blob.h"
#include "core/validate.h"
#include "model/kind.h"

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
					    OYL__CONTENT_WRITE, kb_before_delete};

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
OYL__RECORD_BASICS(oyl_kb, oyl_knowledge_base, oyl__kind_knowledge_base)
