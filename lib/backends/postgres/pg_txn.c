/*
 * Transactions and the tenant context of each one.
 *
 * begin() opens the transaction and sets, for its duration only,
 *   SET LOCAL citus.propagate_set_commands = 'local'
 *     (Citus then carries the SET LOCALs to its workers; on plain
 *     PostgreSQL a dotted name is a harmless placeholder setting)
 *   SET LOCAL oyl.tenant_id = '<uuid>'
 *     (what row-level security policies read).
 * SET takes no parameters, so the id goes in as a literal: only a
 * canonical lowercase UUID passes, which holds nothing to escape.  Never
 * set_config(): Citus does not propagate it.  All three statements go in
 * one round trip.
 */
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

static bool connection_bad(const pg_backend *b)
{
	return PQstatus(b->conn) == CONNECTION_BAD;
}

/* Ends whatever transaction the server still has open; errors are moot here. */
static void discard_transaction(pg_backend *b)
{
	if (!connection_bad(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE)
		PQclear(PQexec(b->conn, "ROLLBACK"));
}

int oyl__pg_begin(oyl_backend *base, const oyl_scope *scope, unsigned flags)
{
	pg_backend *b = pg_of(base);
	const char *tenant = scope ? scope->tenant_id : NULL;
	char sql[192];

	/* PostgreSQL takes row locks as it writes: no up-front mode like SQLite's
	 * BEGIN IMMEDIATE is needed, and a plain BEGIN also suits a reader. */
	(void)flags;
	oyl__pg_context(b, "begin", NULL);
	if (tenant && !oyl__pg_is_uuid(tenant))
		return oyl__pg_fail(b, OYL_EINVAL,
				    "the scope's tenant id is not a canonical lowercase UUID");
	if (b->in_txn || (!connection_bad(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE))
		return oyl__pg_fail(b, OYL_EMISUSE, "a transaction is already open");

	/* Platform scope sets the empty string: policies read it through
	 * NULLIF(..., '') and so fail closed; how the platform reaches every
	 * tenant's rows under RLS is decided with the RLS migration. */
	snprintf(sql, sizeof sql,
		 "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; "
		 "SET LOCAL oyl.tenant_id = '%s'",
		 tenant ? tenant : "");

	/* One reconnection per begin(), when the connection is known to be
	 * lost, or turns out lost on this first I/O after a pause: nothing of
	 * the new transaction has happened yet, so nothing can be lost. */
	bool reconnected = false;
	if (connection_bad(b)) {
		PQreset(b->conn);
		reconnected = true;
		if (connection_bad(b))
			return oyl__pg_fail_result(b, NULL);
	}
	for (;;) {
		PGresult *res = PQexec(b->conn, sql);

		if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			b->in_txn = true;
			return OYL_OK;
		}
		if (!reconnected && connection_bad(b)) {
			PQclear(res);
			PQreset(b->conn);
			reconnected = true;
			if (!connection_bad(b))
				continue;
			return oyl__pg_fail_result(b, NULL);
		}
		int rc = oyl__pg_fail_result(b, res);
		PQclear(res);
		discard_transaction(b);
		return rc;
	}
}

int oyl__pg_commit(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	oyl__pg_context(b, "commit", NULL);
	b->in_txn = false;
	if (connection_bad(b))
		return oyl__pg_fail(b, OYL_EDISCONNECTED,
				    "connection to the database was lost; nothing was committed");
	switch (PQtransactionStatus(b->conn)) {
	case PQTRANS_IDLE:
		return OYL_OK; /* no transaction open: nothing to commit */
	case PQTRANS_INERROR:
		discard_transaction(b);
		return oyl__pg_fail(b, OYL_ESTORAGE,
				    "a statement of the transaction failed; it was rolled back");
	default:
		break;
	}

	PGresult *res = PQexec(b->conn, "COMMIT");
	int rc = OYL_OK;
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (connection_bad(b))
			rc = oyl__pg_fail(b, OYL_EDISCONNECTED,
					  "connection lost during COMMIT: the outcome is unknown");
		else
			rc = oyl__pg_fail_result(b, res);
	} else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		rc = oyl__pg_fail(b, OYL_ESTORAGE, "the transaction was rolled back");
	}
	PQclear(res);
	discard_transaction(b);
	return rc;
}

int oyl__pg_rollback(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	oyl__pg_context(b, "rollback", NULL);
	b->in_txn = false;
	/* A lost connection has no transaction left on the server. */
	if (connection_bad(b) || PQtransactionStatus(b->conn) == PQTRANS_IDLE)
		return OYL_OK;
	return oyl__pg_exec(b, "ROLLBACK", PGRES_COMMAND_OK);
}
