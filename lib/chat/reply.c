/* The reply of oyl_chat_send (reply.h). */
#include "chat/reply.h"

#include <string.h>

#include "core/alloc.h"

oyl__reply *oyl__reply_new(void)
{
	return oyl__calloc(1, sizeof(oyl__reply));
}

void oyl__reply_reset_search(oyl__reply *r)
{
	oyl_search_free(r->search);
	r->search = NULL;
	oyl__free(r->citation_rows);
	r->citation_rows = NULL;
}

void oyl__reply_free(oyl__reply *r)
{
	if (!r)
		return;
	oyl__reply_reset_search(r);
	for (size_t i = 0; i < r->ncitations; i++)
		oyl__record_free(r->citations[i]);
	oyl__free(r->citations);
	oyl__free(r->cites.content);
	oyl__free(r);
}

int oyl__reply_citations(oyl_db *db, oyl__reply *r, const char *tenant, int64_t at)
{
	size_t n = r->cites.n;
	if (n == 0)
		return OYL_OK;
	r->citation_rows = oyl__calloc(n, sizeof *r->citation_rows);
	r->citations = oyl__calloc(n, sizeof *r->citations);
	if (!r->citation_rows || !r->citations)
		return oyl__fail(db, OYL_ENOMEM, "out of memory storing citations");
	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)r->cites.numbers[k] - 1; /* its passage */
		const oyl_search_results *s = r->search;
		oyl_value *v = r->citation_rows[k];
		char id[OYL_UUID_LEN + 1];
		oyl__uuid_new(id);
		int64_t page = oyl_search_page(s, i);
		v[MESSAGE_CITATIONS_id] = oyl__val_text(OYL_TYPE_UUID, id);
		v[MESSAGE_CITATIONS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[MESSAGE_CITATIONS_message_id] = oyl__val_text(OYL_TYPE_UUID, r->message_id);
		v[MESSAGE_CITATIONS_rank] = oyl__val_int(OYL_TYPE_INT, (int64_t)i + 1);
		v[MESSAGE_CITATIONS_chunk_id] =
			oyl__val_text(OYL_TYPE_UUID, oyl_search_chunk_id(s, i));
		v[MESSAGE_CITATIONS_document_id] =
			oyl__val_text(OYL_TYPE_UUID, oyl_search_document_id(s, i));
		v[MESSAGE_CITATIONS_document_name] =
			oyl__val_text(OYL_TYPE_TEXT, oyl_search_document_name(s, i));
		v[MESSAGE_CITATIONS_passage] =
			oyl__val_text(OYL_TYPE_TEXT, oyl_search_text(s, i, NULL));
		v[MESSAGE_CITATIONS_score] =
			(oyl_value){OYL_TYPE_REAL, 0, oyl_search_score(s, i), NULL, 0};
		v[MESSAGE_CITATIONS_created_at] = oyl__val_int(OYL_TYPE_TIME, at);
		v[MESSAGE_CITATIONS_page] =
			page > 0 ? oyl__val_int(OYL_TYPE_INT, page) : oyl__val_null();
		/* the record copies the id before it goes out of scope */
		if (oyl__record_copy(&oyl__t_message_citations, v, MESSAGE_CITATIONS__N,
				     &r->citations[k]) != OYL_OK)
			return oyl__fail(db, OYL_ENOMEM, "out of memory storing citations");
		r->ncitations++;
		v[MESSAGE_CITATIONS_id] =
			oyl__val_text(OYL_TYPE_UUID, oyl__record_text(r->citations[k], 0));
		v[MESSAGE_CITATIONS_message_id] = oyl__val_text(
			OYL_TYPE_UUID,
			oyl__record_text(r->citations[k], MESSAGE_CITATIONS_message_id));
	}
	return OYL_OK;
}

/* ---- public getters ------------------------------------------------- */

#define REPLY(x) ((const oyl__reply *)(x))

OYL_API const char *oyl_chat_reply_message_id(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->message_id : NULL;
}

OYL_API const char *oyl_chat_reply_question_id(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->question_id : NULL;
}

OYL_API const char *oyl_chat_reply_assistant_id(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->assistant_id : NULL;
}

OYL_API const char *oyl_chat_reply_content(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->cites.content : NULL;
}

OYL_API int64_t oyl_chat_reply_prompt_tokens(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->prompt_tokens : 0;
}

OYL_API int64_t oyl_chat_reply_completion_tokens(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->completion_tokens : 0;
}

OYL_API int oyl_chat_reply_tokens_estimated(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->estimated : 0;
}

OYL_API int64_t oyl_chat_reply_unknown_markers(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->cites.unknown : 0;
}

OYL_API size_t oyl_chat_reply_citation_count(const oyl_chat_reply *r)
{
	return r ? REPLY(r)->ncitations : 0;
}

OYL_API const oyl_citation *oyl_chat_reply_citation(const oyl_chat_reply *r, size_t i)
{
	return r && i < REPLY(r)->ncitations ? (const oyl_citation *)REPLY(r)->citations[i] : NULL;
}

OYL_API void oyl_chat_reply_free(oyl_chat_reply *r)
{
	oyl__reply_free((oyl__reply *)r);
}
