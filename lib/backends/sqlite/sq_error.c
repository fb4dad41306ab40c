/*
 * Error messages and the mapping of SQLite result codes to oyl_status.
 *
 * SQLite's own messages name constraints and columns ("UNIQUE constraint
 * failed: tenants.slug") but never quote bound values, so they are safe
 * to keep.  The connection runs with extended result codes, which tell
 * the kinds of constraint apart.
 */
#include <stdarg.h>
#include <stdio.h>

#include "sq_internal.h"

void oyl__sq_context(sq_backend *b, const char *op, const char *obj)
{
	b->op = op;
	b->obj = obj ? obj : "";
}

int oyl__sq_fail(sq_backend *b, int status, const char *fmt, ...)
{
	size_t size = sizeof b->errmsg;
	int len = 0;
	va_list ap;

	if (b->op && b->obj && b->obj[0])
		len = snprintf(b->errmsg, size, "%s %s: ", b->op, b->obj);
	else if (b->op)
		len = snprintf(b->errmsg, size, "%s: ", b->op);
	if (len < 0 || (size_t)len >= size)
		len = 0; /* a prefix that long is a bug: keep the message itself */
	va_start(ap, fmt);
	vsnprintf(b->errmsg + len, size - (size_t)len, fmt, ap);
	va_end(ap);
	return status;
}

int oyl__sq_status_of(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_ROWID:
		return OYL_ECONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return OYL_EREFERENCE;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return OYL_EINVAL;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return OYL_EBUSY;
	case SQLITE_NOMEM:
		return OYL_ENOMEM;
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		return OYL_ECONNECT;
	default:
		return OYL_ESTORAGE;
	}
}

int oyl__sq_fail_sqlite(sq_backend *b, int rc)
{
	/* The connection's message belongs to its last call, which is ours. */
	const char *text = b->db ? sqlite3_errmsg(b->db) : sqlite3_errstr(rc);

	return oyl__sq_fail(b, oyl__sq_status_of(rc), "%s", text ? text : sqlite3_errstr(rc));
}
