/*
 * Transactions: begin(), commit(), rollback(), and the opening and ending
 * shared with the transactions the backend opens for one call and for
 * migrate().  Each one carries its tenant scope (pg_scope.c).
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

int oyl__pg_txn_open(pg_backend *b, const oyl_scope *scope)
{
	char sql[224];

	int rc = oyl__pg_scope_sql(b, scope, true, sql, sizeof sql);
	if (rc != OYL_OK)
		return rc;
	if (b->in_txn || b->call_txn ||
	    (!connection_bad(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE))
		return oyl__pg_fail(b, OYL_EMISUSE, "a transaction is already open");
	oyl__pg_scope_forget(b);

	/* One reconnection, when the connection is known to be lost, or turns
	 * out lost on this first I/O after a pause: nothing of the new
	 * transaction has happened yet, so nothing can be lost. */
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
			oyl__pg_scope_remember(b, scope);
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
		rc = oyl__pg_fail_result(b, res);
		PQclear(res);
		discard_transaction(b);
		return rc;
	}
}

static int finish_commit(pg_backend *b)
{
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

static int finish_rollback(pg_backend *b)
{
	/* A lost connection has no transaction left on the server. */
	if (connection_bad(b) || PQtransactionStatus(b->conn) == PQTRANS_IDLE)
		return OYL_OK;
	return oyl__pg_exec(b, "ROLLBACK", PGRES_COMMAND_OK);
}

int oyl__pg_txn_finish(pg_backend *b, bool commit)
{
	int rc = commit ? finish_commit(b) : finish_rollback(b);

	oyl__pg_scope_forget(b);
	return rc;
}

int oyl__pg_begin(oyl_backend *base, const oyl_scope *scope, unsigned flags)
{
	pg_backend *b = pg_of(base);

	/* PostgreSQL takes row locks as it writes: no up-front mode like SQLite's
	 * BEGIN IMMEDIATE is needed, and a plain BEGIN also suits a reader. */
	(void)flags;
	oyl__pg_context(b, "begin", NULL);
	int rc = oyl__pg_txn_open(b, scope);
	if (rc == OYL_OK)
		b->in_txn = true;
	return rc;
}

int oyl__pg_commit(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	oyl__pg_context(b, "commit", NULL);
	b->in_txn = false;
	return oyl__pg_txn_finish(b, true);
}

int oyl__pg_rollback(oyl_backend *base)
{
	pg_backend *b = pg_of(base);

	oyl__pg_context(b, "rollback", NULL);
	b->in_txn = false;
	return oyl__pg_txn_finish(b, false);
}
