/*
 * Backend conformance at the record level: the same cases against every
 * backend through the vtable of include/oyl/backend.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static oyl_db *db;
static oyl_backend *b;
static size_t ntables;
static const oyl_table *const *tables;

static void setup(void)
{
	db = t_open();
	b = t_backend_of(db);
	tables = oyl_schema_tables(&ntables);
}

static void teardown(void)
{
	oyl_db_close(db);
}

static int copy_cb(const oyl_value *v, size_t n, void *payload)
{
	oyl_value *out = payload;
	static char store[32][256];
	for (size_t i = 0; i < n; i++) {
		out[i] = v[i];
		if (v[i].s) {
			ck_assert_uint_lt(v[i].n, sizeof store[i]);
			memcpy(store[i], v[i].s, v[i].n);
			store[i][v[i].n] = '\0';
			out[i].s = store[i];
		}
	}
	return 0;
}

static void assert_value_eq(const oyl_table *t, size_t c, const oyl_value *want,
			    const oyl_value *got)
{
	const char *name = t->cols[c].name;
	ck_assert_msg(want->type == got->type, "%s.%s: type %d, want %d", t->name, name, got->type,
		      want->type);
	switch (want->type) {
	case OYL_TYPE_NULL:
		break;
	case OYL_TYPE_INT:
	case OYL_TYPE_TIME:
	case OYL_TYPE_BOOL:
		ck_assert_msg(want->i == got->i, "%s.%s: %lld, want %lld", t->name, name,
			      (long long)got->i, (long long)want->i);
		break;
	case OYL_TYPE_REAL:
		ck_assert_msg(want->r == got->r, "%s.%s: %g, want %g", t->name, name, got->r, want->r);
		break;
	default:
		ck_assert_msg(want->n == got->n && memcmp(want->s, got->s, want->n) == 0,
			      "%s.%s: \"%.*s\", want \"%.*s\"", t->name, name, (int)got->n, got->s,
			      (int)want->n, want->s);
	}
}

/*
 * What PostgreSQL's wall (schema version 5, doc/security.md) adds to the
 * contract.  The audit tables are append-only: an update or a remove is
 * refused (EPERM).  A tenant's transaction sees its own row of the global
 * tables it may read (tenants, user_emails) and may not read the
 * platform's at all.  SQLite has no wall below the core.
 */
static int append_only(const oyl_table *t)
{
	return t_is_postgres() &&
	       (!strcmp(t->name, "audit_events") || !strcmp(t->name, "platform_audit_events"));
}

/* What a tenant's scope gets for a row of a global table (its own, or not). */
static int global_in_tenant_scope(const oyl_table *t, int own_row)
{
	if (!t_is_postgres())
		return OYL_OK;
	if (!strcmp(t->name, "tenants") || !strcmp(t->name, "user_emails") ||
	    !strcmp(t->name, "ingest_jobs"))
		return own_row ? OYL_OK : OYL_ENOTFOUND;
	return OYL_EPERM;
}

/* Every table: insert (fixture), get back every column verbatim, update,
 * count, remove. */
START_TEST(crud_every_table)
{
	static fx_tenant fx;
	fx_build(b, &fx, 1);
	for (size_t i = 0; i < ntables; i++) {
		const oyl_table *t = tables[i];
		oyl_scope scope = {t->tenant_col >= 0 ? fx.tenant_id : NULL};
		oyl_value got[32];
		memset(got, 0, sizeof got);
		ck_assert_int_eq(b->get(b, &scope, t, fx.ids[i], copy_cb, got), OYL_OK);
		const oyl_value *want = fx_row(&fx, t);
		for (size_t c = 0; c < t->ncols; c++)
			assert_value_eq(t, c, &want[c], &got[c]);

		/* Update the first mutable text, int or time column. */
		for (size_t c = 1; c < t->ncols; c++) {
			const oyl_column *col = &t->cols[c];
			if (col->flags & OYL_COL_IMMUTABLE)
				continue;
			oyl_value nv;
			if (col->type == OYL_TYPE_TEXT && strcmp(col->name, "role") &&
			    strcmp(col->name, "status") && strcmp(col->name, "platform"))
				nv = (oyl_value){OYL_TYPE_TEXT, 0, 0, "changed ' \" ;", 13};
			else if (col->type == OYL_TYPE_TIME)
				nv = (oyl_value){OYL_TYPE_TIME, 1800000000000001LL, 0, NULL, 0};
			else
				continue;
			oyl_filter f = {0, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, fx.ids[i], 36}};
			oyl_assign set = {(int32_t)c, nv};
			int64_t changed = -1;
			if (append_only(t)) {
				ck_assert_int_eq(b->update(b, &scope, t, &f, 1, &set, 1, &changed),
						 OYL_EPERM);
				ck_assert_int_eq(b->get(b, &scope, t, fx.ids[i], copy_cb, got), OYL_OK);
				assert_value_eq(t, c, &fx_row(&fx, t)[c], &got[c]);
				break;
			}
			int rc = b->update(b, &scope, t, &f, 1, &set, 1, &changed);
			ck_assert_msg(rc == OYL_OK, "update %s: %s", t->name, b->errmsg(b));
			ck_assert_int_eq(changed, 1);
			ck_assert_int_eq(b->get(b, &scope, t, fx.ids[i], copy_cb, got), OYL_OK);
			assert_value_eq(t, c, &nv, &got[c]);
			break;
		}
		int64_t count = -1;
		ck_assert_int_eq(b->count(b, &scope, t, NULL, 0, &count), OYL_OK);
		ck_assert_int_eq(count, 1);
	}
	/* Remove leaves first (reverse creation order), each by id. */
	for (size_t i = ntables; i-- > 0;) {
		const oyl_table *t = tables[i];
		oyl_scope scope = {t->tenant_col >= 0 ? fx.tenant_id : NULL};
		oyl_filter f = {0, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, fx.ids[i], 36}};
		int64_t deleted = -1;
		/* documents.user_id has no cascade: the core clears it before a user goes. */
		int rc = b->remove(b, &scope, t, &f, 1, &deleted);
		if (append_only(t)) {
			ck_assert_msg(rc == OYL_EPERM, "remove from %s: %s", t->name,
				      oyl_status_name(rc));
			ck_assert_int_eq(b->get(b, &scope, t, fx.ids[i], copy_cb,
						(oyl_value[32]){0}),
					 OYL_OK);
			continue;
		}
		ck_assert_msg(rc == OYL_OK, "remove from %s: %s", t->name, b->errmsg(b));
		/* the count is exactly the row with that id (children went first) */
		ck_assert_msg(deleted == 1, "%s: deleted %lld, want 1", t->name, (long long)deleted);
		ck_assert_int_eq(b->get(b, &scope, t, fx.ids[i], copy_cb, (oyl_value[32]){0}),
				 OYL_ENOTFOUND);
	}
}
END_TEST

static oyl_value text(const char *s)
{
	return (oyl_value){OYL_TYPE_TEXT, 0, 0, s, strlen(s)};
}

static oyl_value uuid(const char *s)
{
	return (oyl_value){OYL_TYPE_UUID, 0, 0, s, strlen(s)};
}

/* Re-inserts a fixture row with fresh ids but chosen columns kept. */
static int insert_variant(const fx_tenant *fx, const char *table, const char *col, oyl_value v,
			  int fresh_id)
{
	const oyl_table *t = oyl_schema_table(table);
	oyl_value row[32];
	memcpy(row, fx_row(fx, t), t->ncols * sizeof row[0]);
	char id[37];
	if (fresh_id) {
		oyl__uuid_new(id);
		row[0] = uuid(id);
	}
	if (col)
		row[fx_col(t, col)] = v;
	oyl_scope scope = {t->tenant_col >= 0 ? fx->tenant_id : NULL};
	return b->insert(b, &scope, t, row);
}

START_TEST(unique_violation_is_conflict)
{
	static fx_tenant fx;
	fx_build(b, &fx, 1);
	ck_assert_int_eq(insert_variant(&fx, "tenants", NULL, text(""), 1), OYL_ECONFLICT);
	ck_assert_int_eq(insert_variant(&fx, "user_emails", NULL, text(""), 1), OYL_ECONFLICT);
	ck_assert_int_eq(insert_variant(&fx, "instructions", NULL, text(""), 1), OYL_ECONFLICT);
	ck_assert_int_eq(insert_variant(&fx, "workspaces", NULL, text(""), 0), OYL_ECONFLICT);
	/* the same content twice in one knowledge base */
	ck_assert_int_eq(insert_variant(&fx, "documents", NULL, text(""), 1), OYL_ECONFLICT);
	/* ... but per-tenant uniqueness: tenant B may reuse A's values */
	static fx_tenant fy;
	fx_build(b, &fy, 2);
	const oyl_table *docs = oyl_schema_table("documents");
	const oyl_value *sha = &fx_row(&fx, docs)[fx_col(docs, "sha256")];
	ck_assert_int_eq(insert_variant(&fy, "documents", "sha256", *sha, 1), OYL_OK);
	ck_assert_int_eq(insert_variant(&fy, "instructions", NULL, text(""), 1), OYL_ECONFLICT);
}
END_TEST

START_TEST(foreign_key_violation_is_reference)
{
	static fx_tenant fx, fy;
	fx_build(b, &fx, 1);
	fx_build(b, &fy, 2);
	char nowhere[37];
	oyl__uuid_new(nowhere);
	ck_assert_int_eq(insert_variant(&fx, "teammates", "workspace_id", uuid(nowhere), 1),
			 OYL_EREFERENCE);
	/* A parent of another tenant is as missing as a parent that never was:
	 * the foreign keys are composite (tenant_id, parent_id). */
	const char *ws_b = fy.ids[fx_table_index("workspaces")];
	ck_assert_int_eq(insert_variant(&fx, "teammates", "workspace_id", uuid(ws_b), 1),
			 OYL_EREFERENCE);
	ck_assert_int_eq(insert_variant(&fx, "workspaces", "tenant_id", uuid(nowhere), 1),
			 OYL_EINVAL); /* refused by scope before the database sees it */
}
END_TEST

START_TEST(check_violation_is_invalid)
{
	static fx_tenant fx;
	fx_build(b, &fx, 1);
	ck_assert_int_eq(insert_variant(&fx, "users", "role", text("god"), 1), OYL_EINVAL);
	ck_assert_int_eq(insert_variant(&fx, "social_links", "platform", text("myspace"), 1),
			 OYL_EINVAL);
	ck_assert_int_eq(insert_variant(&fx, "documents", "status", text("done"), 1), OYL_EINVAL);
	ck_assert_int_eq(insert_variant(&fx, "teammates", "orchestration_config",
					(oyl_value){OYL_TYPE_JSON, 0, 0, "[1]", 3}, 1),
			 OYL_EINVAL);
}
END_TEST

/*
 * Cascades: two tenants with one row in every table; delete one row of
 * tenant A and compare every table's count with the cascade contract.
 */
typedef struct cascade_case {
	const char *table;     /* the row deleted (tenant A's) */
	const char *gone[24];  /* tables that lose A's row with it */
} cascade_case;

static const cascade_case cascades[] = {
	{"tenants",
	 {"tenants", "user_emails", "users", "auth_sessions", "api_keys", "workspaces", "teammates",
	  "assistants", "instructions", "knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs",
	  "social_links", "chat_sessions", "messages", "message_citations", "message_feedback", "audit_events"}},
	{"workspaces",
	 {"workspaces", "teammates", "assistants", "instructions", "knowledge_bases", "documents",
	  "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"teammates",
	 {"teammates", "assistants", "instructions", "knowledge_bases", "documents",
	  "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"assistants",
	 {"assistants", "instructions", "knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"knowledge_bases", {"knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"documents", {"documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"ingest_jobs", {"ingest_jobs"}},
	{"chat_sessions", {"chat_sessions", "messages", "message_citations", "message_feedback"}},
	{"messages", {"messages", "message_citations", "message_feedback"}},
	{"superadmins", {"superadmins", "superadmin_sessions"}},
};

static int in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

START_TEST(cascades_follow_the_contract)
{
	const cascade_case *cc = &cascades[_i];
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	int ti = fx_table_index(cc->table);
	const oyl_table *t = tables[ti];
	oyl_scope scope = {t->tenant_col >= 0 ? fa.tenant_id : NULL};
	oyl_filter f = {0, OYL_OP_EQ, uuid(fa.ids[ti])};
	int64_t deleted = 0;
	ck_assert_int_eq(b->begin(b, &scope, OYL_TXN_WRITE), OYL_OK);
	int rc = b->remove(b, &scope, t, &f, 1, &deleted);
	ck_assert_msg(rc == OYL_OK, "delete %s: %s", cc->table, b->errmsg(b));
	ck_assert_int_eq(b->commit(b), OYL_OK);
	ck_assert_int_eq(deleted, 1);
	int64_t counts[FX_MAX_TABLES];
	t_counts(b, counts);
	for (size_t i = 0; i < ntables; i++) {
		int64_t want = in_list(cc->gone, tables[i]->name) ? 1 : 2;
		ck_assert_msg(counts[i] == want, "after deleting %s: %s has %lld rows, want %lld",
			      cc->table, tables[i]->name, (long long)counts[i], (long long)want);
	}
}
END_TEST

/* A user with uploads cannot be deleted by the schema alone: the core
 * must clear documents.user_id first (no ON DELETE SET NULL anywhere). */
START_TEST(user_delete_needs_uploader_cleared)
{
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	int ui = fx_table_index("users");
	oyl_scope scope = {fa.tenant_id};
	oyl_filter f = {0, OYL_OP_EQ, uuid(fa.ids[ui])};
	ck_assert_int_eq(b->remove(b, &scope, tables[ui], &f, 1, NULL), OYL_EREFERENCE);
	const oyl_table *docs = oyl_schema_table("documents");
	oyl_filter by_user = {fx_col(docs, "user_id"), OYL_OP_EQ, uuid(fa.ids[ui])};
	oyl_assign clear = {fx_col(docs, "user_id"), {OYL_TYPE_NULL, 0, 0, NULL, 0}};
	int64_t changed = 0;
	ck_assert_int_eq(b->update(b, &scope, docs, &by_user, 1, &clear, 1, &changed), OYL_OK);
	ck_assert_int_eq(changed, 1);
	int64_t deleted = 0;
	ck_assert_int_eq(b->remove(b, &scope, tables[ui], &f, 1, &deleted), OYL_OK);
	ck_assert_int_eq(deleted, 1);
	int64_t counts[FX_MAX_TABLES];
	t_counts(b, counts);
	const char *gone[] = {"users", "auth_sessions", "api_keys", "chat_sessions", "messages",
			      "message_citations", "message_feedback", NULL};
	for (size_t i = 0; i < ntables; i++)
		ck_assert_msg(counts[i] == (in_list(gone, tables[i]->name) ? 0 : 1),
			      "after deleting the user: %s has %lld rows", tables[i]->name,
			      (long long)counts[i]);
}
END_TEST

/* Scope: with tenant A's scope, no call returns, counts or changes a row
 * of tenant B, in any table. */
START_TEST(scope_confines_every_call)
{
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	uint64_t before = t_fingerprint(b);
	oyl_scope sa = {fa.tenant_id};
	for (size_t i = 0; i < ntables; i++) {
		const oyl_table *t = tables[i];
		if (t->tenant_col < 0)
			continue;
		oyl_value got[32];
		ck_assert_int_eq(b->get(b, &sa, t, fb.ids[i], copy_cb, got), OYL_ENOTFOUND);
		ck_assert_int_eq(b->get(b, &sa, t, fa.ids[i], copy_cb, got), OYL_OK);
		int64_t count = -1;
		ck_assert_int_eq(b->count(b, &sa, t, NULL, 0, &count), OYL_OK);
		ck_assert_int_eq(count, 1);
		oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
		ck_assert_int_eq(b->list(b, &sa, t, &q, copy_cb, got), OYL_OK);
		ck_assert_str_eq(got[0].s, fa.ids[i]);
		oyl_filter by_b = {0, OYL_OP_EQ, uuid(fb.ids[i])};
		int64_t n = -1;
		for (size_t c = 1; c < t->ncols; c++) {
			if (t->cols[c].flags & OYL_COL_IMMUTABLE || t->cols[c].type != OYL_TYPE_TIME)
				continue;
			oyl_assign set = {(int32_t)c, {OYL_TYPE_TIME, 42, 0, NULL, 0}};
			ck_assert_int_eq(b->update(b, &sa, t, &by_b, 1, &set, 1, &n),
					 append_only(t) ? OYL_EPERM : OYL_OK);
			if (!append_only(t))
				ck_assert_int_eq(n, 0);
			break;
		}
		n = -1;
		ck_assert_int_eq(b->remove(b, &sa, t, &by_b, 1, &n),
				 append_only(t) ? OYL_EPERM : OYL_OK);
		if (!append_only(t))
			ck_assert_int_eq(n, 0);
		/* A row of B cannot be written under A's scope. */
		oyl_value row[32];
		memcpy(row, fx_row(&fb, t), t->ncols * sizeof row[0]);
		char id[37];
		oyl__uuid_new(id);
		row[0] = uuid(id);
		row[t->tenant_col] = uuid(fb.tenant_id);
		ck_assert_int_eq(b->insert(b, &sa, t, row), OYL_EINVAL);
	}
	/* Nothing of B changed (and A's rows were only read). */
	ck_assert(t_fingerprint(b) == before);
}
END_TEST

START_TEST(failed_statement_rolls_back_transaction)
{
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	uint64_t before = t_fingerprint(b);
	oyl_scope sa = {fa.tenant_id};
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(insert_variant(&fa, "workspaces", "name", text("new one"), 1), OYL_OK);
	int rc = insert_variant(&fa, "workspaces", NULL, text(""), 0); /* write number 1 */
	if (rc == OYL_OK) {
		/* a deferred write fails with the batch that runs it */
		ck_assert(oyl_backend_caps(b) & OYL_BACKEND_CAP_DEFER);
		rc = b->commit(b);
		ck_assert_int_eq(b->failed_write(b), 1);
	}
	ck_assert_int_eq(rc, OYL_ECONFLICT);
	ck_assert_msg(strstr(b->errmsg(b), "insert into workspaces"), "%s", b->errmsg(b));
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert(t_fingerprint(b) == before);

	/* ... and with a read that comes after it in the transaction */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	rc = insert_variant(&fa, "workspaces", NULL, text(""), 0); /* write number 0 */
	if (rc == OYL_OK) {
		int64_t n = 0;
		rc = b->count(b, &sa, oyl_schema_table("workspaces"), NULL, 0, &n);
		ck_assert_int_eq(b->failed_write(b), 0);
	}
	ck_assert_int_eq(rc, OYL_ECONFLICT);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert(t_fingerprint(b) == before);
	/* The connection is usable at once. */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(insert_variant(&fa, "workspaces", "name", text("after"), 1), OYL_OK);
	ck_assert_int_eq(b->commit(b), OYL_OK);
	int64_t count = 0;
	ck_assert_int_eq(b->count(b, &sa, oyl_schema_table("workspaces"), NULL, 0, &count), OYL_OK);
	ck_assert_int_eq(count, 2);
}
END_TEST

typedef struct page_state {
	char ids[64][37];
	int64_t keys[64];
	int n;
} page_state;

static int page_cb(const oyl_value *v, size_t n, void *payload)
{
	page_state *p = payload;
	(void)n;
	ck_assert_int_lt(p->n, 64);
	memcpy(p->ids[p->n], v[0].s, 37);
	p->keys[p->n] = v[3].i; /* workspaces.created_at */
	p->n++;
	return 0;
}

START_TEST(keyset_pagination_visits_each_row_once)
{
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id};
	for (int i = 0; i < 24; i++) {
		oyl_value row[32];
		memcpy(row, fx_row(&fa, ws), ws->ncols * sizeof row[0]);
		char id[37];
		oyl__uuid_new(id);
		row[0] = uuid(id);
		/* Pairs share a timestamp, so the id must break ties. */
		row[fx_col(ws, "created_at")] = (oyl_value){OYL_TYPE_TIME, 1000 + i / 2, 0, NULL, 0};
		ck_assert_int_eq(b->insert(b, &sa, ws, row), OYL_OK);
	}
	for (int desc = 0; desc <= 1; desc++) {
		page_state all = {0}, page;
		oyl_value after_v;
		const char *after_id = NULL;
		for (int pages = 0; pages < 10; pages++) {
			memset(&page, 0, sizeof page);
			oyl_query q = {NULL, 0, fx_col(ws, "created_at"), desc, after_id ? &after_v : NULL,
				       after_id, 7, 0};
			ck_assert_int_eq(b->list(b, &sa, ws, &q, page_cb, &page), OYL_OK);
			for (int i = 0; i < page.n; i++) {
				memcpy(all.ids[all.n], page.ids[i], 37);
				all.keys[all.n++] = page.keys[i];
			}
			if (page.n < 7)
				break;
			after_v = (oyl_value){OYL_TYPE_TIME, page.keys[page.n - 1], 0, NULL, 0};
			after_id = all.ids[all.n - 1];
		}
		ck_assert_int_eq(all.n, 25);
		for (int i = 1; i < all.n; i++) {
			int order = all.keys[i - 1] < all.keys[i] ||
				    (all.keys[i - 1] == all.keys[i] &&
				     strcmp(all.ids[i - 1], all.ids[i]) < 0);
			ck_assert_msg(desc ? !order : order, "row %d out of order", i);
		}
	}
	/* offset and limit */
	page_state p = {0};
	oyl_query q = {NULL, 0, fx_col(ws, "created_at"), 0, NULL, NULL, 5, 20};
	ck_assert_int_eq(b->list(b, &sa, ws, &q, page_cb, &p), OYL_OK);
	ck_assert_int_eq(p.n, 5);
}
END_TEST

/* ---- postings (version 6) ---- */

typedef struct blocks {
	int term[16];
	char doc[16][37];
	char data[16][16];
	int n;
} blocks;

static int block_cb(const oyl_postings_block *bl, void *payload)
{
	blocks *bs = payload;
	if (bs->n < 16) {
		bs->term[bs->n] = bl->term;
		snprintf(bs->doc[bs->n], 37, "%s", bl->document_id);
		ck_assert_uint_lt(bl->size, sizeof bs->data[0]);
		memcpy(bs->data[bs->n], bl->data, bl->size);
		bs->data[bs->n][bl->size] = '\0';
	}
	bs->n++;
	return 0;
}

/* A posting of the fixture's document: `term` with block `data`. */
static void add_posting(const fx_tenant *fx, const char *kb, const char *term, const char *data)
{
	const oyl_table *t = oyl_schema_table("search_postings");
	oyl_value row[8];
	char id[37];
	memcpy(row, fx_row(fx, t), t->ncols * sizeof row[0]);
	oyl__uuid_new(id);
	row[0] = uuid(id);
	row[fx_col(t, "knowledge_base_id")] = uuid(kb);
	row[fx_col(t, "document_id")] = uuid(fx->ids[fx_table_index("documents")]);
	row[fx_col(t, "term")] = text(term);
	row[fx_col(t, "block")] = (oyl_value){OYL_TYPE_BLOB, 0, 0, data, strlen(data)};
	oyl_scope scope = {fx->tenant_id};
	ck_assert_int_eq(b->insert(b, &scope, t, row), OYL_OK);
}

/* The rows of exactly the terms asked, in the knowledge base asked, of
 * the scope's tenant; terms that look like SQL or patterns are plain
 * values; a platform scope or a term count out of range is refused. */
START_TEST(postings_are_confined_and_exact)
{
	if (!b->postings || b->version < 6)
		return;
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	const char *kb_a = fa.ids[fx_table_index("knowledge_bases")];
	const char *kb_b = fb.ids[fx_table_index("knowledge_bases")];
	char other_kb[37];
	oyl__uuid_new(other_kb); /* a knowledge base id no row of A's fixture has */
	add_posting(&fa, kb_a, "zebra", "\x01\x02\x03");
	add_posting(&fa, kb_a, "' or '1'='1", "abc");
	add_posting(&fa, kb_a, "%", "pct");
	add_posting(&fa, other_kb, "zebra", "not");
	add_posting(&fb, kb_b, "zebra", "bbb");
	add_posting(&fb, kb_b, "horse", "bbb");
	oyl_scope sa = {fa.tenant_id};
	blocks bs = {0};
	const char *asked[] = {"horse", "zebra", "_"};
	ck_assert_int_eq(b->postings(b, &sa, kb_a, asked, 3, block_cb, &bs), OYL_OK);
	ck_assert_int_eq(bs.n, 1);
	ck_assert_int_eq(bs.term[0], 1);
	ck_assert_str_eq(bs.doc[0], fa.ids[fx_table_index("documents")]);
	ck_assert_str_eq(bs.data[0], "\x01\x02\x03");
	const char *hostile[] = {"' or '1'='1", "x' or 'x'='x"};
	memset(&bs, 0, sizeof bs);
	ck_assert_int_eq(b->postings(b, &sa, kb_a, hostile, 2, block_cb, &bs), OYL_OK);
	ck_assert_int_eq(bs.n, 1);
	ck_assert_str_eq(bs.data[0], "abc");
	/* tenant A's scope with B's knowledge base: nothing */
	memset(&bs, 0, sizeof bs);
	ck_assert_int_eq(b->postings(b, &sa, kb_b, asked, 3, block_cb, &bs), OYL_OK);
	ck_assert_int_eq(bs.n, 0);
	oyl_scope platform = {NULL};
	ck_assert_int_eq(b->postings(b, &platform, kb_a, asked, 3, block_cb, &bs), OYL_EINVAL);
	ck_assert_int_eq(b->postings(b, &sa, kb_a, asked, 0, block_cb, &bs), OYL_EINVAL);
	const char *many[33];
	for (int i = 0; i < 33; i++)
		many[i] = "zebra";
	ck_assert_int_eq(b->postings(b, &sa, kb_a, many, 33, block_cb, &bs), OYL_EINVAL);
}
END_TEST

/* ---- OYL_OP_EQ_NOCASE ---- */

typedef struct names {
	char v[16][64];
	int n;
} names;

static int name_cb(const oyl_value *v, size_t n, void *payload)
{
	names *ns = payload;
	int col = fx_col(oyl_schema_table("workspaces"), "name");
	ck_assert_int_lt(col, (int)n);
	ck_assert_int_lt(ns->n, 16);
	ck_assert_uint_lt(v[col].n, sizeof ns->v[0]);
	memcpy(ns->v[ns->n], v[col].s, v[col].n);
	ns->v[ns->n++][v[col].n] = '\0';
	return 0;
}

/* The workspace names of scope that equal `value` but for ASCII case are
 * exactly want[0..nwant), in any order; count() agrees. */
static void assert_nocase(const oyl_scope *scope, const char *value, const char *const *want,
			  size_t nwant)
{
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_filter f = {fx_col(ws, "name"), OYL_OP_EQ_NOCASE, text(value)};
	oyl_query q = {&f, 1, fx_col(ws, "created_at"), 0, NULL, NULL, 0, 0};
	names got = {0};
	int rc = b->list(b, scope, ws, &q, name_cb, &got);
	ck_assert_msg(rc == OYL_OK, "[%s]: %s", value, b->errmsg(b));
	ck_assert_msg(got.n == (int)nwant, "[%s]: %d rows, want %zu (first: %s)", value, got.n,
		      nwant, got.n ? got.v[0] : "-");
	for (size_t w = 0; w < nwant; w++) {
		int found = 0;
		for (int k = 0; k < got.n; k++)
			found += strcmp(got.v[k], want[w]) == 0;
		ck_assert_msg(found == 1, "[%s]: \"%s\" found %d times, want once", value, want[w],
			      found);
	}
	int64_t n = -1;
	ck_assert_int_eq(b->count(b, scope, ws, &f, 1, &n), OYL_OK);
	ck_assert_msg(n == (int64_t)nwant, "[%s]: count %lld, want %zu", value, (long long)n, nwant);
}

#define E_ACUTE_UP "\xc3\x89" /* U+00C9 */
#define E_ACUTE_LO "\xc3\xa9" /* U+00E9 */
#define KELVIN "\xe2\x84\xaa"  /* U+212A KELVIN SIGN, whose Unicode lower case is 'k' */
#define DOTLESS_I "\xc4\xb1"   /* U+0131, whose Unicode upper case is 'I' */

/*
 * ASCII case-insensitive equality on both backends (PostgreSQL:
 * lower((x) COLLATE "C"); SQLite: its ASCII-only lower()): ASCII letters
 * fold, every other character compares as itself, whatever Unicode says
 * its case is.  Equality, not a pattern: no prefix, no trailing space.
 */
START_TEST(eq_nocase_folds_ascii_only)
{
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	static const char *mine[] = {
		"Alice", "ALICE", "Alicia", "Alice ", "Al%ce",
		E_ACUTE_UP "lan", E_ACUTE_LO "lan",
		"Kilo", KELVIN "ilo", "Iris", DOTLESS_I "ris",
	};
	for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
		ck_assert_int_eq(insert_variant(&fa, "workspaces", "name", text(mine[i]), 1), OYL_OK);
	/* tenant B's own Alice stays out of A's scope */
	ck_assert_int_eq(insert_variant(&fb, "workspaces", "name", text("alice"), 1), OYL_OK);
	oyl_scope sa = {fa.tenant_id};
	static const char *nothing[1];

	assert_nocase(&sa, "aLICE", (const char *[]){"Alice", "ALICE"}, 2);
	assert_nocase(&sa, "alice", (const char *[]){"Alice", "ALICE"}, 2);
	assert_nocase(&sa, "ALICE ", (const char *[]){"Alice "}, 1);
	assert_nocase(&sa, "al%CE", (const char *[]){"Al%ce"}, 1); /* % is no wildcard */
	assert_nocase(&sa, "Al_ce", nothing, 0);
	assert_nocase(&sa, "Ali", nothing, 0);
	/* É and é are not folded into each other; the ASCII letters next to them are */
	assert_nocase(&sa, E_ACUTE_UP "lan", (const char *[]){E_ACUTE_UP "lan"}, 1);
	assert_nocase(&sa, E_ACUTE_LO "lan", (const char *[]){E_ACUTE_LO "lan"}, 1);
	assert_nocase(&sa, E_ACUTE_UP "LAN", (const char *[]){E_ACUTE_UP "lan"}, 1);
	assert_nocase(&sa, E_ACUTE_LO "LaN", (const char *[]){E_ACUTE_LO "lan"}, 1);
	assert_nocase(&sa, "elan", nothing, 0);
	/* Unicode case mappings onto ASCII are not applied either way */
	assert_nocase(&sa, "kilo", (const char *[]){"Kilo"}, 1);
	assert_nocase(&sa, KELVIN "ILO", (const char *[]){KELVIN "ilo"}, 1);
	assert_nocase(&sa, "iris", (const char *[]){"Iris"}, 1);
	assert_nocase(&sa, DOTLESS_I "RIS", (const char *[]){DOTLESS_I "ris"}, 1);
	/* the platform scope sees both tenants' */
	oyl_scope platform = {NULL};
	assert_nocase(&platform, "ALIce", (const char *[]){"Alice", "ALICE", "alice"}, 3);
	/* a column that is not text is refused, not compared somehow */
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_filter on_time = {fx_col(ws, "created_at"), OYL_OP_EQ_NOCASE, text("x")};
	int64_t n = -1;
	ck_assert_int_eq(b->count(b, &sa, ws, &on_time, 1, &n), OYL_EINVAL);
	ck_assert_msg(strstr(b->errmsg(b), "case-insensitive"), "%s", b->errmsg(b));
}
END_TEST

START_TEST(migrate_is_idempotent_and_refuses_newer)
{
	int v = -1;
	ck_assert_int_eq(oyl_db_schema_version(db, &v), OYL_OK);
	ck_assert_int_eq(v, OYL_SCHEMA_VERSION);
	ck_assert_int_eq(oyl_db_migrate(db), OYL_OK);
	ck_assert_int_eq(oyl_db_schema_version(db, &v), OYL_OK);
	ck_assert_int_eq(v, OYL_SCHEMA_VERSION);
	oyl_db_close(db);

	char uri[T_URI_MAX];
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	ck_assert_int_eq(t_exec_sql(t_owner_uri(uri), "INSERT INTO schema_migrations (version, applied_at) "
					 "VALUES (999, CURRENT_TIMESTAMP)"),
			 0);
	ck_assert_int_eq(oyl_db_migrate(db), OYL_ESCHEMA);
	ck_assert_msg(strstr(oyl_db_errmsg(db), "999"), "message: %s", oyl_db_errmsg(db));
	oyl_db *again = NULL;
	ck_assert_int_eq(oyl_db_open(&again, uri, NULL), OYL_ESCHEMA);
	ck_assert_ptr_null(again);
	ck_assert_msg(strstr(oyl_last_open_error(), "newer"), "message: %s", oyl_last_open_error());
}
END_TEST

/* Two processes migrate the same empty database at once: both succeed
 * and the schema is applied once. */
START_TEST(concurrent_migrations_apply_once)
{
	char uri[T_URI_MAX];
	t_fresh_owner_uri(uri); /* the children migrate: DDL needs the owner */
	for (int round = 0; round < 3; round++) {
		if (round > 0)
			t_fresh_owner_uri(uri);
		pid_t kids[2];
		for (int k = 0; k < 2; k++) {
			kids[k] = fork();
			ck_assert_int_ge(kids[k], 0);
			if (kids[k] == 0) {
				oyl_db *mine = NULL;
				int rc = oyl_db_open(&mine, uri, NULL);
				if (rc == OYL_OK)
					rc = oyl_db_migrate(mine);
				if (rc != OYL_OK)
					fprintf(stderr, "child migrate: %s\n",
						mine ? oyl_db_errmsg(mine) : oyl_last_open_error());
				oyl_db_close(mine);
				_exit(rc == OYL_OK ? 0 : 1);
			}
		}
		for (int k = 0; k < 2; k++) {
			int st = 0;
			ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d failed", k);
		}
		oyl_db *check = t_open_uri(uri);
		int v = 0;
		ck_assert_int_eq(oyl_db_schema_version(check, &v), OYL_OK);
		ck_assert_int_eq(v, OYL_SCHEMA_VERSION);
		oyl_db_close(check);
		/* exactly one row per version */
		ck_assert_int_eq(t_query_int(uri, "SELECT count(*) FROM schema_migrations"),
				 OYL_SCHEMA_VERSION);
	}
}
END_TEST

/* ---- lock (backend version 2) ---- */

/* Inserts a tenant without users (a copy of tmpl's with a new id and slug). */
static void bare_tenant(oyl_backend *be, const fx_tenant *tmpl, int round, char id[37])
{
	const oyl_table *t = oyl_schema_table("tenants");
	oyl_value row[32];
	char slug[32];
	memcpy(row, fx_row(tmpl, t), t->ncols * sizeof row[0]);
	oyl__uuid_new(id);
	row[0] = uuid(id);
	snprintf(slug, sizeof slug, "lock-round-%d", round);
	row[fx_col(t, "slug")] = text(slug);
	oyl_scope platform = {NULL};
	ck_assert_int_eq(be->insert(be, &platform, t, row), OYL_OK);
}

/*
 * One decider, in a child process with its own connection: lock the
 * tenant, count its users, add one only if it has none, commit.  The
 * pause between count and insert leaves the other decider all the time
 * it needs to count too, unless the lock holds it back.  Returns an exit
 * status (no ck_assert here: this is not Check's process).
 */
static int decide(const char *uri, const char *tenant, const fx_tenant *tmpl, int ready, int go)
{
	oyl_db *mine = NULL;
	char byte = 'r';
	if (oyl_db_open(&mine, uri, NULL) != OYL_OK) {
		fprintf(stderr, "decider: open: %s\n", oyl_last_open_error());
		return 2;
	}
	oyl_backend *be = t_backend_of(mine);
	const oyl_table *tenants = oyl_schema_table("tenants"), *users = oyl_schema_table("users");
	oyl_scope s = {tenant};
	oyl_value row[32];
	char id[37];
	memcpy(row, fx_row(tmpl, users), users->ncols * sizeof row[0]);
	oyl__uuid_new(id);
	row[0] = uuid(id);
	row[users->tenant_col] = uuid(tenant);
	if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1) {
		oyl_db_close(mine);
		return 3;
	}
	int64_t n = -1;
	int rc = be->begin(be, &s, OYL_TXN_WRITE);
	if (rc == OYL_OK)
		rc = be->lock(be, &s, tenants, tenant);
	if (rc == OYL_OK)
		rc = be->count(be, &s, users, NULL, 0, &n);
	if (rc == OYL_OK && n < 1) {
		usleep(200 * 1000);
		rc = be->insert(be, &s, users, row);
	}
	if (rc == OYL_OK)
		rc = be->commit(be);
	if (rc != OYL_OK) {
		fprintf(stderr, "decider: %s: %s\n", oyl_status_name(rc), be->errmsg(be));
		be->rollback(be);
	}
	oyl_db_close(mine);
	return rc == OYL_OK ? 0 : 1;
}

/* Two deciders on one tenant at once, released together. */
static void race(const char *uri, const char *tenant, const fx_tenant *tmpl)
{
	int ready[2], go[2];
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0)
			_exit(decide(uri, tenant, tmpl, ready[1], go[0]));
	}
	/* the children's ends: a child that dies early then shows as EOF */
	close(ready[1]);
	close(go[0]);
	char bytes[2] = {'g', 'g'};
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(read(ready[0], bytes, 1), 1);
	ck_assert_int_eq(write(go[1], bytes, 2), 2);
	close(ready[0]);
	close(go[1]);
	for (int k = 0; k < 2; k++) {
		int st = 0;
		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "decider %d failed", k);
	}
}

/*
 * lock() finds rows as get() does (a missing id, or another tenant's row
 * under tenant A's scope: OYL_ENOTFOUND, the transaction still usable),
 * refuses to run outside a write transaction, and makes deciders run one
 * after the other: "add a user only if there is none", raced by two
 * processes, leaves exactly one user.
 */
START_TEST(lock_serialises_deciders)
{
	static fx_tenant fa, fb;
	char uri[T_URI_MAX], nowhere[37];
	t_fresh_uri(uri);
	oyl_db *shared = t_open_uri(uri);
	oyl_backend *sb = t_backend_of(shared);
	ck_assert_uint_ge(sb->version, 2);
	ck_assert_ptr_nonnull(sb->lock);
	fx_build(sb, &fa, 1);
	fx_build(sb, &fb, 2);
	oyl__uuid_new(nowhere);
	const oyl_table *tenants = oyl_schema_table("tenants");
	oyl_scope sa = {fa.tenant_id}, platform = {NULL};

	/* outside a write transaction it would serialise nothing */
	ck_assert_int_eq(sb->lock(sb, &sa, tenants, fa.tenant_id), OYL_EMISUSE);
	ck_assert_int_eq(sb->begin(sb, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(sb->lock(sb, &sa, tenants, nowhere), OYL_ENOTFOUND);
	ck_assert_int_eq(sb->lock(sb, &platform, tenants, fa.tenant_id), OYL_OK);
	for (size_t i = 0; i < ntables; i++) {
		const oyl_table *t = tables[i];
		int global = t->tenant_col < 0;
		int rc = sb->lock(sb, &sa, t, fa.ids[i]);
		/* a lock is a promise to write: refused where writing is */
		int want = append_only(t) ? OYL_EPERM : global ? global_in_tenant_scope(t, 1) : OYL_OK;
		ck_assert_msg(rc == want, "lock %s: %s, want %s: %s", t->name, oyl_status_name(rc),
			      oyl_status_name(want), sb->errmsg(sb));
		ck_assert_int_eq(sb->lock(sb, &sa, t, nowhere),
				 want == OYL_EPERM ? OYL_EPERM : OYL_ENOTFOUND);
		/* scope: B's row is as missing as one that never was (global
		 * tables: found, but behind PostgreSQL's wall) */
		ck_assert_int_eq(sb->lock(sb, &sa, t, fb.ids[i]),
				 want == OYL_EPERM ? OYL_EPERM
				 : global	   ? global_in_tenant_scope(t, 0)
						   : OYL_ENOTFOUND);
	}
	ck_assert_int_eq(sb->commit(sb), OYL_OK);

	const oyl_table *users = oyl_schema_table("users");
	for (int round = 0; round < 3; round++) {
		char tenant[37];
		bare_tenant(sb, &fa, round, tenant);
		race(uri, tenant, &fa);
		oyl_scope st = {tenant};
		int64_t n = -1;
		ck_assert_int_eq(sb->count(sb, &st, users, NULL, 0, &n), OYL_OK);
		ck_assert_msg(n == 1, "round %d: %lld users, want 1", round, (long long)n);
	}
	oyl_db_close(shared);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("conformance");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, crud_every_table);
	tcase_add_test(tc, unique_violation_is_conflict);
	tcase_add_test(tc, foreign_key_violation_is_reference);
	tcase_add_test(tc, check_violation_is_invalid);
	tcase_add_loop_test(tc, cascades_follow_the_contract, 0,
			    (int)(sizeof cascades / sizeof cascades[0]));
	tcase_add_test(tc, user_delete_needs_uploader_cleared);
	tcase_add_test(tc, scope_confines_every_call);
	tcase_add_test(tc, failed_statement_rolls_back_transaction);
	tcase_add_test(tc, keyset_pagination_visits_each_row_once);
	tcase_add_test(tc, postings_are_confined_and_exact);
	tcase_add_test(tc, eq_nocase_folds_ascii_only);
	tcase_add_test(tc, migrate_is_idempotent_and_refuses_newer);
	tcase_add_test(tc, concurrent_migrations_apply_once);
	tcase_add_test(tc, lock_serialises_deciders);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
