/*
 * libpq's pipeline mode: statements are queued (sent into libpq's buffer,
 * their answers not yet read) and go to the server with one Sync; the
 * answers come back in order, one round trip for the whole batch.  Every
 * queued statement has an entry here, in the same order, saying what its
 * answer is for.
 *
 * After a failure the server skips the rest of the batch (each such
 * statement answers PGRES_PIPELINE_ABORTED) up to the Sync; the first
 * failure is the one reported, with the context of its own statement.
 *
 * The connection is non-blocking while a batch is flushed, and its input
 * is read whenever the output would block, so that a large batch cannot
 * deadlock with the server's answers (libpq's advice for pipelines).
 *
 * A connection that died while idle (the server restarted, an
 * administrator ended the session) usually has left something to read: the
 * server's last words, or the end of the stream.  Before a batch opens a
 * transaction, oyl__pg_check_idle() reads it and reconnects: nothing of
 * the new transaction has happened yet, so nothing can be lost.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

bool oyl__pg_lost(const pg_backend *b)
{
	return PQstatus(b->conn) == CONNECTION_BAD;
}

int oyl__pg_reconnect(pg_backend *b)
{
	PQreset(b->conn);
	oyl__pg_prepared_forget(b);
	oyl__pg_txn_forget(b);
	/* LISTEN died with the connection, and what was said meanwhile is
	 * lost: a waiting worker looks again at once */
	b->notified = b->listening;
	b->listening = false;
	if (oyl__pg_lost(b))
		return oyl__pg_fail_result(b, NULL);
	oyl__pg_detect(b);
	PQsetnonblocking(b->conn, 1);
	return OYL_OK;
}

int oyl__pg_check_idle(pg_backend *b)
{
	/* Read whatever arrived while the connection was idle (at most a
	 * few messages: a notice, a FATAL error, the end of the stream). */
	for (int i = 0; i < 4 && !oyl__pg_lost(b); i++) {
		struct pollfd p = {PQsocket(b->conn), POLLIN, 0};
		if (poll(&p, 1, 0) <= 0)
			break;
		if (!PQconsumeInput(b->conn))
			break;
		PGnotify *n;
		while ((n = PQnotifies(b->conn))) {
			b->notified |= b->listening;
			PQfreemem(n);
		}
	}
	return oyl__pg_lost(b) ? oyl__pg_reconnect(b) : OYL_OK;
}

static int grow_queue(pg_backend *b, size_t more)
{
	if (b->nqueue + more <= b->cap_queue)
		return OYL_OK;
	size_t cap = b->cap_queue ? b->cap_queue * 2 : 16;
	while (cap < b->nqueue + more)
		cap *= 2;
	pg_entry *q = oyl_realloc(b->queue, cap * sizeof *q);
	if (!q)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	b->queue = q;
	b->cap_queue = cap;
	return OYL_OK;
}

int oyl__pg_queue(pg_backend *b, const oyl__sql *q, const char *fixed, bool cacheable,
		  pg_entry entry)
{
	const char *text = q ? q->text : fixed;
	pg_params params = {NULL, NULL, NULL, 0};
	char name[16];
	bool parse = false;
	int slot = -1;

	if (q && q->oom)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	if (b->committing)
		return oyl__pg_fail(b, OYL_EMISUSE, "a commit is under way: commit_finish() first");
	if (q && oyl__sql_hook)
		oyl__sql_hook(q);
	/* room for the Parse and the statement before anything is sent, so
	 * that every message sent has its entry */
	int rc = grow_queue(b, 2);
	if (rc == OYL_OK && q)
		rc = oyl__pg_params(b, q, &params);
	if (rc != OYL_OK)
		return rc;
	if (oyl__pg_lost(b))
		return oyl__pg_fail_result(b, NULL);
	if (PQpipelineStatus(b->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(b->conn))
		return oyl__pg_fail_result(b, NULL);
	if (b->prepare && cacheable)
		slot = oyl__pg_prepared_slot(b, text, q ? q->len : strlen(text), params.n, &parse);
	if (slot >= 0) {
		oyl__pg_prepared_name(slot, name);
		if (parse) {
			if (!PQsendPrepare(b->conn, name, text, params.n, NULL)) {
				b->prepared[slot].state = PG_PREP_NONE;
				return oyl__pg_fail_result(b, NULL);
			}
			b->queue[b->nqueue++] = (pg_entry){PG_ENTRY_PREPARE, -1, slot, entry.op,
							   entry.obj, NULL, NULL, false};
		}
		if (!PQsendQueryPrepared(b->conn, name, params.n, params.values, params.lengths,
					 params.formats, 1))
			return oyl__pg_fail_result(b, NULL);
	} else if (!PQsendQueryParams(b->conn, text, params.n, NULL, params.values, params.lengths,
				      params.formats, 1)) {
		return oyl__pg_fail_result(b, NULL);
	}
	entry.res = NULL;
	b->queue[b->nqueue++] = entry;
	if (entry.kind == PG_ENTRY_WRITE || entry.commit)
		b->batch_writes = true;
	return OYL_OK;
}

int oyl__pg_flush(pg_backend *b)
{
	for (;;) {
		int r = PQflush(b->conn);
		if (r == 0)
			return OYL_OK;
		if (r < 0)
			return oyl__pg_fail_result(b, NULL);
		struct pollfd p = {PQsocket(b->conn), POLLIN | POLLOUT, 0};
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return oyl__pg_fail(b, OYL_EDISCONNECTED, "waiting on the connection: %s",
					    strerror(errno));
		if ((p.revents & POLLIN) && !PQconsumeInput(b->conn))
			return oyl__pg_fail_result(b, NULL);
	}
}

/* Applies one statement's answer to its entry; the first failure sets rc. */
static void settle(pg_backend *b, pg_entry *e, PGresult *res, int *rc)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_PIPELINE_ABORTED) {
		if (e->kind == PG_ENTRY_PREPARE)
			b->prepared[e->slot].state = PG_PREP_NONE;
		PQclear(res);
		return;
	}
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		if (e->kind == PG_ENTRY_PREPARE)
			b->prepared[e->slot].state = PG_PREP_NONE;
		if (*rc == OYL_OK) {
			oyl__pg_context(b, e->op, e->obj);
			*rc = oyl__pg_fail_result(b, res);
			if (e->kind == PG_ENTRY_WRITE)
				b->failed_write = e->write_no;
			/* the server ended the session before COMMIT: it rolled back */
			if (*rc == OYL_EDISCONNECTED && !e->commit) {
				size_t n = strlen(b->errmsg);
				snprintf(b->errmsg + n, sizeof b->errmsg - n,
					 "; the transaction was rolled back");
			}
		}
		PQclear(res);
		return;
	}
	switch (e->kind) {
	case PG_ENTRY_PREPARE:
		b->prepared[e->slot].state = PG_PREP_READY;
		break;
	case PG_ENTRY_WRITE:
		if (e->affected && !oyl__pg_parse_int64(PQcmdTuples(res), e->affected))
			*e->affected = 0;
		break;
	case PG_ENTRY_READ:
		e->res = res;
		return;
	default:
		break;
	}
	PQclear(res);
}

/* The connection broke during the batch: what can be said of it. */
static int lost_in_batch(pg_backend *b, size_t answered)
{
	for (size_t i = answered; i < b->nqueue; i++)
		if (b->queue[i].commit)
			return oyl__pg_fail(b, OYL_EDISCONNECTED,
					    "connection to the database was lost during COMMIT: "
					    "the transaction was applied whole or not at all, and "
					    "which is unknown");
	return oyl__pg_fail(b, OYL_EDISCONNECTED,
			    "connection to the database was lost; the transaction was rolled back");
}

int oyl__pg_sync_send(pg_backend *b)
{
	int rc = OYL_OK;

	if (b->nqueue == 0)
		return OYL_OK;
	if (!PQpipelineSync(b->conn) || (rc = oyl__pg_flush(b)) != OYL_OK) {
		oyl__pg_txn_forget(b);
		return oyl__pg_lost(b) ? lost_in_batch(b, 0) : (rc ? rc : oyl__pg_fail_result(b, NULL));
	}
	return OYL_OK;
}

int oyl__pg_sync(pg_backend *b)
{
	int rc = oyl__pg_sync_send(b);
	return rc ? rc : oyl__pg_sync_receive(b);
}

int oyl__pg_sync_receive(pg_backend *b)
{
	int rc = OYL_OK;
	size_t i = 0;

	if (b->nqueue == 0)
		return OYL_OK;
	for (; i < b->nqueue; i++) {
		PGresult *res = PQgetResult(b->conn);
		if (!res || oyl__pg_lost(b)) {
			PQclear(res);
			break;
		}
		settle(b, &b->queue[i], res, &rc);
		/* each statement's answer ends with a NULL */
		while ((res = PQgetResult(b->conn)))
			PQclear(res);
	}
	if (i < b->nqueue || oyl__pg_lost(b)) {
		oyl__pg_txn_forget(b);
		oyl__pg_prepared_forget(b);
		return lost_in_batch(b, i);
	}
	PGresult *sync = PQgetResult(b->conn);
	bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
	PQclear(sync);
	if (!synced || !PQexitPipelineMode(b->conn)) {
		oyl__pg_txn_forget(b);
		return rc ? rc : oyl__pg_fail(b, OYL_ESTORAGE, "the pipeline lost its order: %s",
					      PQerrorMessage(b->conn));
	}
	return rc;
}

PGresult *oyl__pg_take(pg_backend *b, size_t i)
{
	PGresult *res = i < b->nqueue ? b->queue[i].res : NULL;
	if (res)
		b->queue[i].res = NULL;
	return res;
}

void oyl__pg_queue_clear(pg_backend *b)
{
	for (size_t i = 0; i < b->nqueue; i++)
		PQclear(b->queue[i].res);
	b->nqueue = 0;
	b->batch_opened = false;
	b->batch_writes = false;
}
