/*
 * Constructors of the built-in backends.  This is the only thing the core
 * knows of them; everything else goes through include/oyl/backend.h.
 * Each returns an oyl_status; on failure *out is NULL and errbuf holds a
 * message (what failed, never a password).
 */
#ifndef OYL_BACKENDS_H
#define OYL_BACKENDS_H

#include "oyl/sys/backend.h"

/* path: a file path, or ":memory:". */
int oyl__sqlite_backend_new(oyl_backend **out, const char *path, const oyl_db_options *opts,
			    char *errbuf, size_t errbuf_size);

/* conninfo: a libpq URI or key=value string, passed to libpq as is. */
int oyl__postgres_backend_new(oyl_backend **out, const char *conninfo, const oyl_db_options *opts,
			      char *errbuf, size_t errbuf_size);

#endif
