/*
 * Transactions and their tenant scope, carried into PostgreSQL for the
 * row-level security policies (pg_schema_v2.c).
 *
 * begin() sends nothing: the transaction opens on the server with the
 * first batch that needs it, whose first statements are then
 *   BEGIN
 *   SET LOCAL citus.propagate_set_commands = 'local'   (Citus only)
 *   SET LOCAL oyl.tenant_id = '<tenant>'               ('' for the platform)
 *   SET LOCAL oyl.platform = 'off'                      ('on' for the platform)
 * each a statement of its own: Citus replays a SET LOCAL's whole query
 * text on its workers, so nothing else may share it.  The Citus setting
 * is sent only to a server that has Citus (asked at every connect).
 * oyl.platform is set 'off' even in a tenant's transaction, where the
 * library itself left nothing on: a connection shared through a pooler
 * may carry a session-wide 'on' from some other client.  A statement
 * whose scope differs from the settings in force gets both again before
 * it (the core may begin as the platform and act inside one tenant).
 * Statements on global tables have no policy and need none.
 *
 * SET takes no parameters, so the tenant id goes in as a literal: only a
 * canonical lowercase UUID passes, which holds nothing to escape (and its
 * statement is never prepared: its text differs per tenant).  Never
 * set_config(): Citus does not carry it to its workers.
 *
 * A read transaction's batch also ends with COMMIT, in the same round
 * trip: under READ COMMITTED every statement sees what was committed
 * before it began, so a read-only transaction split between batches reads
 * exactly what one would.  A write transaction's writes wait in the
 * pipeline and go with its COMMIT.
 */
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

#define CONTROL(op_) ((pg_entry){PG_ENTRY_CONTROL, -1, -1, (op_), "", NULL, NULL, false})

void oyl__pg_txn_forget(pg_backend *b)
{
	b->server_txn = false;
	b->scope_set = false;
	b->scope_tenant[0] = '\0';
}

static bool in_force(const pg_backend *b, const char *tenant)
{
	return b->scope_set && strcmp(b->scope_tenant, tenant ? tenant : "") == 0;
}

static int queue_settings(pg_backend *b, const char *tenant)
{
	char sql[96];

	snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", tenant ? tenant : "");
	int rc = oyl__pg_queue(b, NULL, sql, tenant == NULL, CONTROL("setting the scope"));
	/* before the wall, the policies trusted this setting; behind it, the
	 * platform is a role and no policy reads it */
	if (rc == OYL_OK && !b->wall)
		rc = oyl__pg_queue(b, NULL,
				   tenant ? "SET LOCAL oyl.platform = 'off'"
					  : "SET LOCAL oyl.platform = 'on'",
				   true, CONTROL("setting the scope"));
	/* whatever happens next, the old settings are no longer known to hold */
	b->scope_set = false;
	if (rc == OYL_OK) {
		b->scope_set = true;
		snprintf(b->scope_tenant, sizeof b->scope_tenant, "%s", tenant ? tenant : "");
	}
	return rc;
}

/* A transaction the login may not open behind the wall. */
static int no_role(pg_backend *b, bool platform)
{
	const char *who = PQuser(b->conn);
	if (platform)
		return oyl__pg_fail(b, OYL_EPERM,
				    "this connection cannot act for the platform: its role %s is not "
				    "a member of oyl_platform (doc/security.md)",
				    who ? who : "?");
	return oyl__pg_fail(b, OYL_EPERM,
			    "this connection cannot act for a tenant: its role %s is a member of "
			    "neither oyl_runtime nor oyl_platform (doc/security.md)",
			    who ? who : "?");
}

/*
 * The role a transaction runs as behind the wall: the platform's for the
 * platform's work, else the runtime's (the platform's when the login may
 * only take that one: a tenant's rows are the platform's too).  A lookup
 * runs as the runtime: its functions need no more.  NULL, with the
 * failure set, when the login may take neither.
 */
static const char *role_for(pg_backend *b, bool platform)
{
	if (platform && !b->lookup)
		return b->as_platform ? "SET LOCAL ROLE oyl_platform" : (no_role(b, true), NULL);
	if (b->as_runtime)
		return "SET LOCAL ROLE oyl_runtime";
	if (b->as_platform)
		return "SET LOCAL ROLE oyl_platform";
	no_role(b, false);
	return NULL;
}

/* `global`: the statement that opens it is on a global table. */
static int open_server_txn(pg_backend *b, const char *tenant, bool global)
{
	int rc = OYL_OK;

	/* the first statement of a batch: a connection that died while idle
	 * is replaced now, before anything of this transaction is sent */
	if (b->nqueue == 0)
		rc = oyl__pg_check_idle(b);
	if (rc == OYL_OK)
		rc = oyl__pg_queue(b, NULL, "BEGIN", true, CONTROL("begin"));
	if (rc != OYL_OK)
		return rc;
	b->server_txn = true;
	b->batch_opened = true;
	if (b->citus)
		rc = oyl__pg_queue(b, NULL, "SET LOCAL citus.propagate_set_commands = 'local'", true,
				   CONTROL("setting the scope"));
	if (rc == OYL_OK && b->wall) {
		/* a statement alone runs as the platform on a global table (its
		 * scope filters none of it), when the login may */
		bool platform = b->txn != PG_TXN_NONE
					? b->txn_platform
					: tenant == NULL || b->own_platform || (global && b->as_platform);
		const char *role = role_for(b, platform);
		rc = role ? oyl__pg_queue(b, NULL, role, true, CONTROL("setting the role")) : OYL_EPERM;
	}
	return rc == OYL_OK ? queue_settings(b, tenant) : rc;
}

int oyl__pg_txn_enter(pg_backend *b, const oyl_scope *scope, const oyl_table *t, bool *own)
{
	const char *tenant = scope ? scope->tenant_id : NULL;
	bool policed = !t || t->tenant_col >= 0;

	*own = false;
	if (tenant && !oyl__pg_is_uuid(tenant))
		return oyl__pg_fail(b, OYL_EINVAL,
				    "the scope's tenant id is not a canonical lowercase UUID");
	if (!b->server_txn) {
		/* outside begin(), a global table's statement is a transaction
		 * alone, unless the wall polices global tables too */
		if (b->txn == PG_TXN_NONE && !policed && !b->wall) {
			if (b->nqueue == 0)
				return oyl__pg_check_idle(b);
			return OYL_OK;
		}
		*own = b->txn == PG_TXN_NONE;
		return open_server_txn(b, tenant, !policed);
	}
	if (policed && !in_force(b, tenant))
		return queue_settings(b, tenant);
	return OYL_OK;
}

int oyl__pg_txn_own_end(pg_backend *b, bool own)
{
	if (!own)
		return OYL_OK;
	pg_entry commit = CONTROL("commit");
	commit.commit = true;
	int rc = oyl__pg_queue(b, NULL, "COMMIT", true, commit);
	oyl__pg_txn_forget(b);
	return rc;
}

int oyl__pg_txn_close_read(pg_backend *b)
{
	if (b->txn != PG_TXN_READ || !b->server_txn)
		return OYL_OK;
	int rc = oyl__pg_queue(b, NULL, "COMMIT", true, CONTROL("commit"));
	oyl__pg_txn_forget(b);
	return rc;
}

/* Statements queued and not yet synced: sends the Sync and drops their
 * answers; leaves pipeline mode.  A connection that cannot is replaced. */
static void drain(pg_backend *b)
{
	if (PQpipelineStatus(b->conn) == PQ_PIPELINE_OFF)
		return;
	if (!oyl__pg_lost(b) && PQpipelineSync(b->conn) == 1 && oyl__pg_flush(b) == OYL_OK) {
		/* each statement answers with a result and a NULL; the Sync ends it */
		int nulls = 0;
		while (!oyl__pg_lost(b) && nulls < 1000) {
			PGresult *res = PQgetResult(b->conn);
			if (!res) {
				nulls++;
				continue;
			}
			ExecStatusType st = PQresultStatus(res);
			PQclear(res);
			if (st == PGRES_PIPELINE_SYNC)
				break;
		}
	}
	if (oyl__pg_lost(b) || !PQexitPipelineMode(b->conn))
		oyl__pg_reconnect(b);
}

void oyl__pg_txn_abort(pg_backend *b)
{
	char saved[PG_ERRMSG_SIZE];

	memcpy(saved, b->errmsg, sizeof saved);
	oyl__pg_queue_clear(b);
	drain(b);
	if (!oyl__pg_lost(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE)
		PQclear(PQexec(b->conn, "ROLLBACK"));
	oyl__pg_txn_forget(b);
	memcpy(b->errmsg, saved, sizeof saved);
}

int oyl__pg_txn_sync(pg_backend *b)
{
	int rc = oyl__pg_sync(b);
	if (rc != OYL_OK && b->txn == PG_TXN_NONE)
		oyl__pg_txn_abort(b); /* a call's own transaction: nobody else will end it */
	return rc;
}

int oyl__pg_begin(oyl_backend *base, const oyl_scope *scope, unsigned flags)
{
	pg_backend *b = pg_of(base);

	oyl__pg_context(b, "begin", NULL);
	if (scope && scope->tenant_id && !oyl__pg_is_uuid(scope->tenant_id))
		return oyl__pg_fail(b, OYL_EINVAL,
				    "the scope's tenant id is not a canonical lowercase UUID");
	if (b->txn != PG_TXN_NONE || b->nqueue ||
	    (!oyl__pg_lost(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE))
		return oyl__pg_fail(b, OYL_EMISUSE, "a transaction is already open");
	b->txn_platform = !scope || !scope->tenant_id;
	/* refused now, with nothing sent, when the login may not act so */
	if (b->wall && (b->txn_platform ? !b->as_platform : !b->as_runtime && !b->as_platform))
		return no_role(b, b->txn_platform);
	/* nothing is sent yet: the first batch opens the transaction */
	b->txn = (flags & OYL_TXN_WRITE) ? PG_TXN_WRITE : PG_TXN_READ;
	b->writes = 0;
	b->failed_write = -1;
	oyl__pg_txn_forget(b);
	return OYL_OK;
}

/* A commit that failed, or whose answers are read: no transaction left. */
static int commit_end(pg_backend *b, int rc)
{
	if (rc != OYL_OK)
		oyl__pg_txn_abort(b);
	oyl__pg_queue_clear(b);
	oyl__pg_txn_forget(b);
	b->txn = PG_TXN_NONE;
	b->committing = false;
	return rc;
}

int oyl__pg_commit_start(oyl_backend *base)
{
	pg_backend *b = pg_of(base);
	int rc = OYL_OK;

	oyl__pg_context(b, "commit", NULL);
	if (b->server_txn) {
		pg_entry commit = CONTROL("commit");
		commit.commit = true;
		rc = oyl__pg_queue(b, NULL, "COMMIT", true, commit);
	}
	if (rc == OYL_OK)
		rc = oyl__pg_sync_send(b);
	if (rc != OYL_OK)
		return commit_end(b, rc);
	b->committing = true;
	return OYL_OK;
}

int oyl__pg_commit_finish(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	if (!b->committing)
		return oyl__pg_fail(b, OYL_EMISUSE, "commit_finish() without commit_start()");
	oyl__pg_context(b, "commit", NULL);
	return commit_end(b, oyl__pg_sync_receive(b));
}

int oyl__pg_commit(oyl_backend *base)
{
	int rc = oyl__pg_commit_start(base);
	return rc ? rc : oyl__pg_commit_finish(base);
}

int oyl__pg_rollback(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	/* statements queued and not sent are dropped with the connection's
	 * pipeline; a transaction the server has is rolled back */
	oyl__pg_txn_abort(b);
	b->txn = PG_TXN_NONE;
	b->committing = false;
	return OYL_OK;
}
