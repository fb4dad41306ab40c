/*
 * locate(): where a row is before its tenant is known.  Behind the wall
 * (schema version 5) each lookup the core makes is a SECURITY DEFINER
 * function that takes the key and returns at most one row's tenant and
 * id, run as the runtime role: the caller reads no row of any tenant to
 * find it (doc/security.md).  Before the wall, the row is read in the
 * platform's scope, as the policies of those versions allowed.
 */
#include <string.h>

#include "pg_internal.h"

/* The lookups there are, by table and key column. */
static const struct {
	const char *table, *column, *function;
} locators[] = {
	{"user_emails", "email_key", "oyl_locate_email"},
	{"user_emails", "id", "oyl_locate_user"},
	{"auth_sessions", "token_hash", "oyl_locate_session"},
	{"api_keys", "prefix", "oyl_locate_api_key"},
};

typedef struct located {
	char *tenant, *id;
	int rows;
} located;

static void copy_uuid(char out[PG_UUID_LEN + 1], const oyl_value *v)
{
	if (v->type == OYL_TYPE_UUID && v->s && v->n == PG_UUID_LEN)
		memcpy(out, v->s, PG_UUID_LEN + 1);
	else
		out[0] = '\0';
}

static int take(const oyl_value *vals, size_t n, void *payload)
{
	located *l = payload;
	if (n == 2 && l->rows++ == 0) {
		copy_uuid(l->tenant, &vals[0]);
		copy_uuid(l->id, &vals[1]);
	}
	return OYL_OK;
}

static const char *locator(const oyl_table *t, const char *column)
{
	for (size_t i = 0; i < sizeof locators / sizeof locators[0]; i++)
		if (strcmp(locators[i].table, t->name) == 0 &&
		    strcmp(locators[i].column, column) == 0)
			return locators[i].function;
	return NULL;
}

static int build(pg_backend *b, oyl__sql *q, const oyl_table *t, const oyl_column *c,
		 const char *function, const char *key)
{
	oyl_value v = {c->type == OYL_TYPE_UUID ? OYL_TYPE_UUID : OYL_TYPE_TEXT, 0, 0, key,
		       strlen(key)};
	int rc;
	if (b->wall) {
		oyl__sql_add(q, "SELECT tenant_id, id FROM ");
		oyl__sql_add(q, function);
		oyl__sql_add(q, "(");
		rc = oyl__sql_bind(q, v.type, c->name, &v);
		oyl__sql_add(q, ")");
	} else {
		oyl__sql_add(q, "SELECT tenant_id, id FROM ");
		oyl__sql_ident(q, NULL, t->name);
		oyl__sql_add(q, " WHERE ");
		oyl__sql_ident(q, NULL, c->name);
		oyl__sql_add(q, " = ");
		rc = oyl__sql_bind(q, v.type, c->name, &v);
		oyl__sql_add(q, " LIMIT 1");
	}
	return rc ? rc : oyl__sql_status(q);
}

int oyl__pg_locate(oyl_backend *base, const oyl_table *t, int32_t col, const char *key,
		   char tenant[37], char id[37])
{
	static const oyl_column cols[2] = {{"tenant_id", OYL_TYPE_UUID, 0},
					   {"id", OYL_TYPE_UUID, OYL_COL_NOT_NULL}};
	static const oyl_table shape = {"located", cols, 2, -1, -1};
	pg_backend *b = pg_of(base);
	oyl__sql q;

	oyl__pg_context(b, "look up in", t ? t->name : "");
	if (!t || !key || !tenant || !id || col < 0 || (size_t)col >= t->ncols)
		return oyl__pg_fail(b, OYL_EINVAL, "no table, column, key or out-buffer");
	tenant[0] = id[0] = '\0';
	const char *function = locator(t, t->cols[col].name);
	if (!function)
		return oyl__pg_fail(b, OYL_EINVAL, "%s cannot be looked up by %s", t->name,
				    t->cols[col].name);
	if (b->txn != PG_TXN_NONE)
		return oyl__pg_fail(b, OYL_EMISUSE, "a lookup is a transaction of its own");
	located found = {tenant, id, 0};
	oyl_scope platform = {NULL};
	oyl__pg_sql_init(&q);
	int rc = build(b, &q, t, &t->cols[col], function, key);
	if (rc != OYL_OK) {
		rc = oyl__pg_fail_sql(b, rc, &q);
	} else {
		b->lookup = true;
		rc = oyl__pg_run_rows(b, &q, &platform, t, &shape, take, &found);
		b->lookup = false;
	}
	oyl__sql_free(&q);
	if (rc == OYL_OK && found.rows == 0)
		rc = oyl__pg_fail(b, OYL_ENOTFOUND, "no such row");
	return rc;
}
