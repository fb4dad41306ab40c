/*
 * A document's source read into memory and checked, before anything is
 * stored: its bytes (at most the size limit, refused before reading), its
 * names, its SHA-256 and its MIME type.
 */
#ifndef OYL_INGEST_SOURCE_H
#define OYL_INGEST_SOURCE_H

#include "core/internal.h"

#define OYL__NAME_MAX_BYTES 1024   /* an original name */
#define OYL__FILENAME_MAX_BYTES 255 /* the stored file name */

typedef struct oyl__source {
	unsigned char *data; /* ours (oyl__malloc), or the host's (`borrowed`) */
	size_t n;
	int borrowed;
	char *original_name;
	char *filename;
	const char *mime; /* static */
	char sha256[65];
} oyl__source;

/* Reads and checks; every refusal is EINVAL (ENOTSUP for a format this
 * build lacks) with a message naming the field, and *out holds nothing. */
int oyl__source_read(oyl_db *db, const oyl_doc_source *src, int64_t max_bytes, oyl__source *out);
void oyl__source_free(oyl__source *s);

#endif
