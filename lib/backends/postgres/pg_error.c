/*
 * Error messages and the mapping of PostgreSQL errors to oyl_status.
 *
 * Messages never carry bound values (they may hold secrets): we keep the
 * server's primary message, which names constraints and columns, and drop
 * DETAIL/CONTEXT, which quote the row.  Data exceptions (class 22) quote
 * the offending input even in their primary message ("invalid input syntax
 * for type uuid: "..."), so for them we write our own text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

void oyl__pg_context(pg_backend *b, const char *op, const char *obj)
{
	b->op = op;
	b->obj = obj ? obj : "";
}

int oyl__pg_fail(pg_backend *b, int status, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;

	/* "<op> <obj>: " then the text, each cut to what is left */
	if (b->op)
		snprintf(b->errmsg, sizeof b->errmsg, "%s%s%s: ", b->op, b->obj[0] ? " " : "",
			 b->obj);
	else
		b->errmsg[0] = '\0';
	used = strlen(b->errmsg);
	va_start(ap, fmt);
	vsnprintf(b->errmsg + used, sizeof b->errmsg - used, fmt, ap);
	va_end(ap);
	return status;
}

static bool is_state(const char *state, const char *want)
{
	return strcmp(state, want) == 0;
}

static bool in_class(const char *state, const char *cls)
{
	return strncmp(state, cls, 2) == 0;
}

static int status_of_sqlstate(const char *st)
{
	if (is_state(st, "23505") || is_state(st, "23P01"))
		return OYL_ECONFLICT;
	if (is_state(st, "23503"))
		return OYL_EREFERENCE;
	if (is_state(st, "23514") || is_state(st, "23502") || in_class(st, "22"))
		return OYL_EINVAL;
	/* serialization failure, deadlock, lock_timeout */
	if (is_state(st, "40001") || is_state(st, "40P01") || is_state(st, "55P03"))
		return OYL_EBUSY;
	/* statement_timeout and cancel requests */
	if (is_state(st, "57014"))
		return OYL_ETIMEOUT;
	if (is_state(st, "53200"))
		return OYL_ENOMEM;
	/* connection failures; the server ending the session (terminate, shutdown,
	 * idle_in_transaction_session_timeout) */
	if (in_class(st, "08") || is_state(st, "57P01") || is_state(st, "57P02") ||
	    is_state(st, "57P03") || is_state(st, "25P03"))
		return OYL_EDISCONNECTED;
	return OYL_ESTORAGE;
}

/* Our own words for a data exception, which must not quote the input. */
static const char *data_exception_text(const char *st)
{
	if (is_state(st, "22P02"))
		return "invalid input syntax for the column's type";
	if (is_state(st, "22021"))
		return "invalid byte sequence for the encoding";
	if (is_state(st, "22P05"))
		return "character not representable in the database encoding";
	if (is_state(st, "22001"))
		return "value too long for the column";
	if (is_state(st, "22003"))
		return "number out of range";
	if (is_state(st, "22008"))
		return "date/time out of range";
	return "invalid value";
}

/* The first line of libpq's connection message (the rest is hints). */
static void first_line(char *dst, size_t size, const char *src)
{
	size_t n = strcspn(src, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int oyl__pg_fail_result(pg_backend *b, const PGresult *res)
{
	char line[256];

	if (PQstatus(b->conn) == CONNECTION_BAD) {
		first_line(line, sizeof line, PQerrorMessage(b->conn));
		return oyl__pg_fail(b, OYL_EDISCONNECTED, "connection to the database was lost: %s",
				    line);
	}
	if (!res)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory (libpq)");

	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (!state) {
		/* A libpq-side failure (no server error), e.g. a wrong result shape. */
		first_line(line, sizeof line, PQresultErrorMessage(res));
		return oyl__pg_fail(b, OYL_ESTORAGE, "%s",
				    line[0] ? line : PQresStatus(PQresultStatus(res)));
	}
	int status = status_of_sqlstate(state);

	/* A row-level security WITH CHECK refusal is the database's twin of our
	 * own insert check (sql_bind.c), so it answers the same status: a row
	 * outside the transaction's tenant scope is bad input.  Any other 42501
	 * is the wall's grants refusing the statement (an audit row changed, a
	 * platform table touched in a tenant's transaction): OYL_EPERM, with
	 * the server's words. */
	if (is_state(state, "42501") && primary &&
	    strstr(primary, "violates row-level security policy"))
		return oyl__pg_fail(b, OYL_EINVAL,
				    "row-level security refused the row: its tenant is not the "
				    "transaction's (SQLSTATE 42501)");
	if (is_state(state, "42501"))
		return oyl__pg_fail(b, OYL_EPERM, "the database refused it: %s (SQLSTATE 42501)",
				    primary ? primary : "permission denied");
	if (in_class(state, "22"))
		return oyl__pg_fail(b, status, "%s (SQLSTATE %s)", data_exception_text(state),
				    state);
	return oyl__pg_fail(b, status, "%s (SQLSTATE %s)", primary ? primary : "error", state);
}

int oyl__pg_fail_sql(pg_backend *b, int status, const oyl__sql *q)
{
	return oyl__pg_fail(b, status, "%s", q->err[0] ? q->err : "invalid statement");
}
