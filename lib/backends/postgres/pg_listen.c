/*
 * wait(): a worker's idle connection LISTENs on a channel and sleeps in
 * poll() on its socket until a NOTIFY arrives or the time is up.  The
 * first call starts listening and reports nothing old; a notification
 * that came while the connection was busy with other statements was kept
 * as `notified` (pg_pipeline.c) and counts at the next call.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "pg_internal.h"

static int start_listening(pg_backend *b, const char *channel)
{
	char *id = PQescapeIdentifier(b->conn, channel, strlen(channel));
	if (!id)
		return oyl__pg_fail(b, OYL_ENOMEM, "listen: out of memory");
	char sql[128];
	int n = snprintf(sql, sizeof sql, "LISTEN %s", id);
	PQfreemem(id);
	if (n < 0 || (size_t)n >= sizeof sql)
		return oyl__pg_fail(b, OYL_EINVAL, "listen: channel name too long");
	PGresult *res = PQexec(b->conn, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? OYL_OK : oyl__pg_fail_result(b, res);
	PQclear(res);
	if (rc == OYL_OK)
		b->listening = true;
	return rc;
}

int oyl__pg_wait(oyl_backend *base, const char *channel, int64_t timeout_ms)
{
	pg_backend *b = pg_of(base);
	oyl__pg_context(b, "wait for", channel ? channel : "");
	if (!channel || b->txn != PG_TXN_NONE)
		return oyl__pg_fail(b, OYL_EMISUSE, "wait: a channel, outside any transaction");
	int rc = oyl__pg_check_idle(b);
	if (rc)
		return rc;
	if (!b->listening) {
		if ((rc = start_listening(b, channel)))
			return rc;
	} else if (b->notified) {
		b->notified = false;
		return OYL_OK;
	}
	int64_t waited = 0;
	while (waited <= timeout_ms) {
		struct pollfd p = {PQsocket(b->conn), POLLIN, 0};
		int slice = timeout_ms - waited > 1000 ? 1000 : (int)(timeout_ms - waited);
		int ready = poll(&p, 1, slice);
		if (ready < 0 && errno != EINTR)
			return oyl__pg_fail(b, OYL_ESTORAGE, "wait: poll: %s", strerror(errno));
		if (ready > 0) {
			if (!PQconsumeInput(b->conn))
				return oyl__pg_reconnect(b) ? OYL_EDISCONNECTED : OYL_OK;
			int got = 0;
			PGnotify *n;
			while ((n = PQnotifies(b->conn))) {
				got = 1;
				PQfreemem(n);
			}
			if (got)
				return OYL_OK;
		}
		if (ready == 0 && slice == 0)
			break;
		waited += slice > 0 ? slice : 1;
	}
	return OYL_ETIMEOUT;
}
