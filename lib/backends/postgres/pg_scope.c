/*
 * The tenant scope of every statement, carried into PostgreSQL for the
 * row-level security policies of pg_schema_v2.c.
 *
 * A transaction's scope is two settings, made with SET LOCAL so that they
 * end with it:
 *   tenant A:  oyl.tenant_id = '<A>', oyl.platform = 'off'
 *   platform:  oyl.tenant_id = '',    oyl.platform = 'on'
 * preceded, once per transaction, by
 *   SET LOCAL citus.propagate_set_commands = 'local'
 * (Citus then carries the SET LOCALs to its workers; on plain PostgreSQL a
 * dotted name is a harmless placeholder setting).
 *
 * begin() sends BEGIN and the settings in one round trip.  Inside the
 * transaction, a call whose scope differs from the settings' sets them
 * again before its statement (the core may begin as the platform and
 * then act inside one tenant); the scope in force is remembered, so an
 * unchanged scope costs nothing.  A call outside any transaction gets one
 * of its own — BEGIN + settings, the statement, COMMIT (ROLLBACK on
 * error) — because SET LOCAL does nothing outside a transaction and the
 * policies would then see no scope at all.
 *
 * SET takes no parameters, so the id goes in as a literal: only a
 * canonical lowercase UUID passes, which holds nothing to escape.  Never
 * set_config(): Citus does not propagate it.
 */
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

#define CITUS_PROPAGATE "SET LOCAL citus.propagate_set_commands = 'local'; "

static const char *tenant_of(const oyl_scope *scope)
{
	return scope ? scope->tenant_id : NULL;
}

int oyl__pg_scope_sql(pg_backend *b, const oyl_scope *scope, bool begin, char *out, size_t size)
{
	const char *tenant = tenant_of(scope);

	if (tenant && !oyl__pg_is_uuid(tenant))
		return oyl__pg_fail(b, OYL_EINVAL,
				    "the scope's tenant id is not a canonical lowercase UUID");
	int n = snprintf(out, size,
			 "%sSET LOCAL oyl.tenant_id = '%s'; SET LOCAL oyl.platform = '%s'",
			 begin ? "BEGIN; " CITUS_PROPAGATE : "", tenant ? tenant : "",
			 tenant ? "off" : "on");
	if (n < 0 || (size_t)n >= size)
		return oyl__pg_fail(b, OYL_ESTORAGE, "scope statement too long");
	return OYL_OK;
}

void oyl__pg_scope_remember(pg_backend *b, const oyl_scope *scope)
{
	const char *tenant = tenant_of(scope);

	b->scope_kind = tenant ? PG_SCOPE_TENANT : PG_SCOPE_PLATFORM;
	if (tenant)
		memcpy(b->scope_tenant, tenant, PG_UUID_LEN + 1); /* validated: 36 chars */
	else
		b->scope_tenant[0] = '\0';
}

void oyl__pg_scope_forget(pg_backend *b)
{
	b->scope_kind = PG_SCOPE_NONE;
	b->scope_tenant[0] = '\0';
}

static bool in_force(const pg_backend *b, const oyl_scope *scope)
{
	const char *tenant = tenant_of(scope);

	if (!tenant)
		return b->scope_kind == PG_SCOPE_PLATFORM;
	return b->scope_kind == PG_SCOPE_TENANT && strcmp(b->scope_tenant, tenant) == 0;
}

/* Inside a transaction: sets the settings when the scope differs. */
static int switch_scope(pg_backend *b, const oyl_scope *scope)
{
	char sql[160];

	if (in_force(b, scope))
		return OYL_OK;
	int rc = oyl__pg_scope_sql(b, scope, false, sql, sizeof sql);
	if (rc != OYL_OK)
		return rc;
	/* Whatever happens next, the old settings are no longer known to hold. */
	oyl__pg_scope_forget(b);
	rc = oyl__pg_exec(b, sql, PGRES_COMMAND_OK);
	if (rc == OYL_OK)
		oyl__pg_scope_remember(b, scope);
	return rc;
}

int oyl__pg_run_scoped(pg_backend *b, const oyl_scope *scope, const oyl_table *t, pg_sql *q,
		       ExecStatusType expect, PGresult **res)
{
	*res = NULL;
	if (t->tenant_col < 0)
		return oyl__pg_run(b, q, expect, res);
	if (q->oom) /* before a transaction is opened for nothing */
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	if (b->in_txn) {
		int rc = switch_scope(b, scope);
		return rc == OYL_OK ? oyl__pg_run(b, q, expect, res) : rc;
	}

	int rc = oyl__pg_txn_open(b, scope);
	if (rc != OYL_OK)
		return rc;
	b->call_txn = true; /* no silent reconnect between the settings and q */
	rc = oyl__pg_run(b, q, expect, res);
	int end = oyl__pg_txn_finish(b, rc == OYL_OK);
	b->call_txn = false;
	if (rc == OYL_OK && end != OYL_OK) {
		PQclear(*res);
		*res = NULL;
		rc = end;
	}
	return rc;
}
