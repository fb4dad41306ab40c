/* Record-level fixtures (see fixture.h). */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

int fx_table_index(const char *name)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(tables[i]->name, name) == 0)
			return (int)i;
	return -1;
}

int fx_col(const oyl_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Which table a `<x>_id` column points at in the fixture. */
static const char *parent_table(const oyl_table *t, const char *col)
{
	static const char *map[][2] = {
		{"user_id", "users"},
		{"workspace_id", "workspaces"},
		{"teammate_id", "teammates"},
		{"assistant_id", "assistants"},
		{"knowledge_base_id", "knowledge_bases"},
		{"document_id", "documents"},
		{"chunk_id", "document_chunks"},
		{"session_id", "chat_sessions"},
		{"message_id", "messages"},
		{"actor_id", "users"},
		{"object_id", "workspaces"},
	};
	/* a global table's user has no tenant: a superadmin (superadmin_sessions) */
	if (t->tenant_col < 0 && strcmp(col, "user_id") == 0)
		return "superadmins";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(col, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Text for enum-like and unique columns; NULL: use the generic text. */
static const char *special_text(const oyl_table *t, const char *col, const fx_tenant *fx,
				char *buf, size_t size)
{
	if (strcmp(col, "role") == 0)
		return strcmp(t->name, "messages") == 0 ? "assistant" : "user";
	if (strcmp(col, "status") == 0)
		return "uploaded";
	if (strcmp(col, "platform") == 0)
		return "twitter";
	if (strcmp(col, "slug") == 0 || strcmp(col, "prefix") == 0) {
		snprintf(buf, size, "fx-%d", fx->tag);
		return buf;
	}
	if (strcmp(col, "email") == 0 || strcmp(col, "email_key") == 0) {
		snprintf(buf, size, "%s-%d@example.com", t->name, fx->tag);
		return buf;
	}
	if (strcmp(col, "sha256") == 0 || strcmp(col, "token_hash") == 0 ||
	    strcmp(col, "key_hash") == 0) {
		snprintf(buf, size, "%064d", fx->tag);
		return buf;
	}
	if (strcmp(col, "content") == 0)
		return "The quick brown fox jumps over the lazy dog";
	return NULL;
}

static const unsigned char blob[] = {0x00, 0x01, 0xfe, 0xff, 0x00};

static void build_row(const oyl_table *t, int ti, fx_tenant *fx)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const oyl_column *col = &t->cols[c];
		oyl_value *v = &fx->rows[ti][c];
		char *buf = fx->texts[ti][c];
		*v = (oyl_value){OYL_TYPE_NULL, 0, 0, NULL, 0};
		const char *parent = NULL;
		if (c == 0) {
			/* a user's registry row shares the user's id */
			int reg = fx_table_index("user_emails");
			if (strcmp(t->name, "users") == 0 && reg >= 0 && fx->ids[reg][0])
				memcpy(fx->ids[ti], fx->ids[reg], 37);
			else
				oyl__uuid_new(fx->ids[ti]);
			*v = (oyl_value){OYL_TYPE_UUID, 0, 0, fx->ids[ti], 36};
			continue;
		}
		switch (col->type) {
		case OYL_TYPE_UUID:
			if (strcmp(col->name, "tenant_id") == 0) {
				snprintf(buf, 128, "%s", fx->tenant_id);
			} else if ((parent = parent_table(t, col->name))) {
				snprintf(buf, 128, "%s", fx->ids[fx_table_index(parent)]);
			} else {
				oyl__uuid_new(buf);
			}
			if (!buf[0])
				continue; /* parent not built (global table): NULL */
			*v = (oyl_value){OYL_TYPE_UUID, 0, 0, buf, strlen(buf)};
			break;
		case OYL_TYPE_TEXT: {
			const char *s = special_text(t, col->name, fx, buf, 128);
			if (!s) {
				snprintf(buf, 128, "%s of %s '; -- \\ %% _ \xc3\xa9", col->name,
					 t->name);
				s = buf;
			}
			*v = (oyl_value){OYL_TYPE_TEXT, 0, 0, s, strlen(s)};
			break;
		}
		case OYL_TYPE_INT:
			/* a rating is +1 or -1 (message_feedback_rating_check) */
			*v = (oyl_value){OYL_TYPE_INT, strcmp(col->name, "rating") == 0 ? 1 : 7, 0,
					 NULL, 0};
			break;
		case OYL_TYPE_TIME:
			*v = (oyl_value){OYL_TYPE_TIME, 1700000000123456LL + (int64_t)c, 0, NULL, 0};
			break;
		case OYL_TYPE_REAL:
			*v = (oyl_value){OYL_TYPE_REAL, 0, 0.625, NULL, 0};
			break;
		case OYL_TYPE_JSON:
			snprintf(buf, 128, "{\"k\":\"v '; --\",\"n\":[1,2]}");
			*v = (oyl_value){OYL_TYPE_JSON, 0, 0, buf, strlen(buf)};
			break;
		case OYL_TYPE_BLOB:
			*v = (oyl_value){OYL_TYPE_BLOB, 0, 0, (const char *)blob, sizeof blob};
			break;
		case OYL_TYPE_BOOL:
			*v = (oyl_value){OYL_TYPE_BOOL, 1, 0, NULL, 0};
			break;
		}
	}
}

void fx_build(oyl_backend *b, fx_tenant *fx, int tag)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	memset(fx, 0, sizeof *fx);
	fx->tag = tag;
	for (size_t i = 0; i < n; i++) {
		const oyl_table *t = tables[i];
		build_row(t, (int)i, fx);
		if (strcmp(t->name, "tenants") == 0)
			memcpy(fx->tenant_id, fx->ids[i], 37);
		oyl_scope scope = {t->tenant_col >= 0 ? fx->tenant_id : NULL};
		int rc = b->insert(b, &scope, t, fx->rows[i]);
		ck_assert_msg(rc == OYL_OK, "fixture insert into %s: %s: %s", t->name,
			      oyl_status_name(rc), b->errmsg(b));
	}
}

const oyl_value *fx_row(const fx_tenant *fx, const oyl_table *t)
{
	return fx->rows[fx_table_index(t->name)];
}
