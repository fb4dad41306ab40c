/*
 * Transactions.  A write transaction starts with BEGIN IMMEDIATE: it takes
 * the write lock at once (waiting up to the busy timeout), because a
 * deferred transaction that reads first and then writes fails with
 * SQLITE_BUSY at once, whatever the timeout, when another connection has
 * committed in between.  Reads use a plain (deferred) BEGIN.
 *
 * SQLite has no row-level security, so the scope is not needed here: each
 * statement carries its own tenant predicate.
 */
#include "sq_internal.h"

int oyl__sq_begin(oyl_backend *base, const oyl_scope *scope, unsigned flags)
{
	sq_backend *b = sq_of(base);

	(void)scope;
	oyl__sq_context(b, "begin", NULL);
	if (!sqlite3_get_autocommit(b->db))
		return oyl__sq_fail(b, OYL_EMISUSE, "a transaction is already open");
	return oyl__sq_exec(b, (flags & OYL_TXN_WRITE) ? "BEGIN IMMEDIATE" : "BEGIN");
}

int oyl__sq_commit(oyl_backend *base)
{
	sq_backend *b = sq_of(base);

	oyl__sq_context(b, "commit", NULL);
	if (sqlite3_get_autocommit(b->db))
		return oyl__sq_fail(b, OYL_ESTORAGE,
				    "no transaction is open (it was rolled back after an error)");
	/* On failure (e.g. SQLITE_BUSY) the transaction stays open for rollback(). */
	return oyl__sq_exec(b, "COMMIT");
}

int oyl__sq_rollback(oyl_backend *base)
{
	sq_backend *b = sq_of(base);

	/* SQLite rolls back by itself after some errors (I/O, full disk, no memory). */
	if (sqlite3_get_autocommit(b->db))
		return OYL_OK;
	oyl__sq_context(b, "rollback", NULL);
	return oyl__sq_exec(b, "ROLLBACK");
}
