/*
 * Where one row is before its tenant is known: the lookups that open a
 * login, a token's or an API key's call, or an actor's first call
 * (doc/security.md).  The backend's locate() answers them without opening
 * any tenant's rows to the caller; a backend without it (interface
 * version 3 and older) is asked to read the row in platform scope.
 */
#include <string.h>

#include "core/internal.h"

typedef struct found {
	int tenant_col;
	int rows;
	char *tenant, *id;
} found;

static void copy_uuid(char out[OYL_UUID_LEN + 1], const oyl_value *v)
{
	if (v->type == OYL_TYPE_UUID && v->s && v->n == OYL_UUID_LEN)
		memcpy(out, v->s, OYL_UUID_LEN + 1);
	else
		out[0] = '\0';
}

static int take_row(const oyl_value *vals, size_t n, void *payload)
{
	found *f = payload;
	if (f->rows++ == 0 && n > 0) {
		copy_uuid(f->id, &vals[0]);
		if (f->tenant_col >= 0 && (size_t)f->tenant_col < n)
			copy_uuid(f->tenant, &vals[f->tenant_col]);
	}
	return OYL_OK;
}

static int column_named(const oyl_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The older backends' way: the row read as the platform. */
static int read_as_platform(oyl_backend *b, const oyl_table *t, int32_t col, const char *key,
			    char tenant[OYL_UUID_LEN + 1], char id[OYL_UUID_LEN + 1])
{
	oyl_value v = {t->cols[col].type == OYL_TYPE_UUID ? OYL_TYPE_UUID : OYL_TYPE_TEXT, 0, 0,
		       key, strlen(key)};
	oyl_filter f = {col, OYL_OP_EQ, v};
	oyl_query q = {&f, 1, 0, 0, NULL, NULL, 2, 0};
	oyl_scope platform = {NULL};
	found fd = {column_named(t, "tenant_id"), 0, tenant, id};
	int rc = b->list(b, &platform, t, &q, take_row, &fd);
	if (rc == OYL_OK && fd.rows == 0)
		rc = OYL_ENOTFOUND;
	return rc;
}

int oyl__locate(oyl_db *db, const oyl_table *t, int32_t col, const char *key,
		char tenant[OYL_UUID_LEN + 1], char id[OYL_UUID_LEN + 1])
{
	oyl_backend *b = db->backend;
	tenant[0] = id[0] = '\0';
	int rc = db->caps & OYL_BACKEND_CAP_LOCATE ? b->locate(b, t, col, key, tenant, id)
						   : read_as_platform(b, t, col, key, tenant, id);
	if (rc == OYL_OK && !id[0])
		rc = oyl__fail(db, OYL_ESTORAGE, "looking up %s: the backend named no row", t->name);
	else if (rc != OYL_OK && rc != OYL_ENOTFOUND)
		rc = oyl__fail_backend(db, rc, "looking up the caller");
	return rc;
}
