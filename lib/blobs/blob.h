/*
 * Blob stores: where documents' original bytes are kept.  Two stores
 * share this interface and one test suite (tests/test_blobs.c):
 *
 *   database   (the default) pieces of at most 1 MiB in document_blobs, a
 *              tenant-owned table, written in the document's transaction:
 *              every host and worker that reaches the database reads
 *              them, and a cascade delete leaves no orphan.
 *   directory  files named by SHA-256 under <dir>/<tenant>/<aa>/<sha>,
 *              written to a temporary name, fsynced and renamed before
 *              the document's transaction; removed only after the
 *              transaction that drops their last reference commits.  A
 *              crash in between leaves an unreferenced file, which
 *              oyl_gc() removes; never a reference to a missing file.
 *
 * A store is used in three steps around a document's transaction:
 * stage() before it (the directory store writes the file, and holds the
 * tenant's lock shared so that no collector removes it before the
 * reference commits), write() inside it (the database store writes its
 * pieces), unstage() after it, committed or not.
 */
#ifndef OYL_BLOBS_BLOB_H
#define OYL_BLOBS_BLOB_H

#include "core/internal.h"

#define OYL__BLOB_PIECE (1u << 20)

typedef struct oyl__blob_store oyl__blob_store;

/* Receives the bytes back, a piece at a time; non-zero stops. */
typedef int (*oyl__blob_sink)(const void *data, size_t n, void *ctx);

/* What a stage holds until unstage(). */
typedef struct oyl__blob_stage {
	char *ref; /* the document's file_path, or NULL (database store) */
	int lock_fd; /* the tenant's lock, held shared; -1 when none */
} oyl__blob_stage;

struct oyl__blob_store {
	const char *name; /* "database" or "directory" */
	int (*stage)(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *sha256,
		     const unsigned char *data, size_t n, oyl__blob_stage *out);
	/* In the document's transaction (scope: its tenant). */
	int (*write)(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *document_id,
		     const unsigned char *data, size_t n);
	void (*unstage)(oyl__blob_store *s, oyl__blob_stage *st);
	/* In a transaction in the tenant's scope (database store) or none. */
	int (*read)(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *document_id,
		    const char *ref, oyl__blob_sink sink, void *ctx);
	/* After a commit that dropped references to `ref` (NULL: every file of
	 * the tenant, which is gone): removes what nothing references now. */
	int (*release)(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *ref);
	/* oyl_gc(): removes files no document references; counts them. */
	int (*gc)(oyl__blob_store *s, oyl_db *db, int64_t *removed);
	void (*free)(oyl__blob_store *s);
};

/* The stores.  The directory's must exist and be writable. */
int oyl__blob_store_database(oyl__blob_store **out);
int oyl__blob_store_directory(const char *dir, oyl__blob_store **out, char *err, size_t errlen);

/* The handle's store (made when it was opened). */
oyl__blob_store *oyl__blobs(oyl_db *db);

/*
 * Asks the handle's store to release `ref` of `tenant` once the current
 * transaction commits (NULL ref: the whole tenant); nothing happens if it
 * rolls back.  Refs that are NULL with a tenant for a database store are
 * ignored (the cascade already took the pieces).
 */
int oyl__blob_release_after_commit(oyl_db *db, const char *tenant, const char *ref);

#endif
