/* The database blob store: pieces of at most 1 MiB in document_blobs. */
#include "blobs/blob.h"

#include <string.h>

#include "records/record.h"
#include "records/schema.h"

static int db_stage(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *sha256,
		 const unsigned char *data, size_t n, oyl__blob_stage *out)
{
	(void)s, (void)db, (void)tenant, (void)sha256, (void)data, (void)n;
	out->ref = NULL;
	out->lock_fd = -1;
	return OYL_OK;
}

/* All pieces in one insert_many when the backend has it (PostgreSQL: a
 * few statements in the transaction's pipeline), else one by one. */
static int db_write(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *document_id,
		 const unsigned char *data, size_t n)
{
	(void)s;
	size_t pieces = n == 0 ? 1 : (n + OYL__BLOB_PIECE - 1) / OYL__BLOB_PIECE;
	oyl_value *rows = oyl__calloc(pieces * DOCUMENT_BLOBS__N, sizeof *rows);
	char(*ids)[OYL_UUID_LEN + 1] = oyl__calloc(pieces, sizeof *ids);
	if (!rows || !ids) {
		oyl__free(rows);
		oyl__free(ids);
		return oyl__fail(db, OYL_ENOMEM, "out of memory storing a document");
	}
	int64_t now = oyl__now();
	for (size_t p = 0; p < pieces; p++) {
		oyl_value *v = rows + p * DOCUMENT_BLOBS__N;
		size_t at = p * OYL__BLOB_PIECE;
		size_t len = n - at < OYL__BLOB_PIECE ? n - at : OYL__BLOB_PIECE;
		oyl__uuid_new(ids[p]);
		v[DOCUMENT_BLOBS_id] = oyl__val_text(OYL_TYPE_UUID, ids[p]);
		v[DOCUMENT_BLOBS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[DOCUMENT_BLOBS_document_id] = oyl__val_text(OYL_TYPE_UUID, document_id);
		v[DOCUMENT_BLOBS_seq] = oyl__val_int(OYL_TYPE_INT, (int64_t)p);
		v[DOCUMENT_BLOBS_data] =
			(oyl_value){OYL_TYPE_BLOB, 0, 0, (const char *)data + at, n ? len : 0};
		v[DOCUMENT_BLOBS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	}
	oyl__note note = {"storing the document's original", NULL, NULL};
	int rc = oyl__write_insert_many(db, tenant, &oyl__t_document_blobs, rows, pieces, &note);
	oyl__free(rows);
	oyl__free(ids);
	return rc;
}

static void db_unstage(oyl__blob_store *s, oyl__blob_stage *st)
{
	(void)s;
	oyl__free(st->ref);
	st->ref = NULL;
}

typedef struct reader {
	oyl__blob_sink sink;
	void *ctx;
	int64_t next; /* the piece expected */
} reader;

static int piece_cb(const oyl_value *vals, size_t n, void *payload)
{
	reader *r = payload;
	(void)n;
	r->next++;
	return r->sink(vals[DOCUMENT_BLOBS_data].s, vals[DOCUMENT_BLOBS_data].n, r->ctx);
}

/* Streams the pieces in order, one query per piece: a client library
 * that holds a whole result in memory (libpq) holds 1 MiB at a time,
 * never the whole original. */
static int db_read(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *document_id,
		   const char *ref, oyl__blob_sink sink, void *ctx)
{
	(void)s, (void)ref;
	oyl_scope scope = {tenant};
	reader r = {sink, ctx, 0};
	for (;;) {
		oyl_filter f[2] = {{DOCUMENT_BLOBS_document_id, OYL_OP_EQ,
				    oyl__val_text(OYL_TYPE_UUID, document_id)},
				   {DOCUMENT_BLOBS_seq, OYL_OP_EQ, oyl__val_int(OYL_TYPE_INT, r.next)}};
		oyl_query q = {f, 2, DOCUMENT_BLOBS_seq, 0, NULL, NULL, 1, 0};
		int64_t before = r.next;
		int rc = db->backend->list(db->backend, &scope, &oyl__t_document_blobs, &q, piece_cb,
					   &r);
		if (rc < 0)
			return oyl__fail_backend(db, rc, "reading the document's original");
		if (rc > 0)
			return rc; /* the sink's own value */
		if (r.next == before)
			break; /* no piece of that number: the end */
	}
	if (r.next == 0)
		return oyl__fail(db, OYL_ENOTFOUND, "document %s has no stored original", document_id);
	return OYL_OK;
}

static int db_release(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *ref)
{
	(void)s, (void)db, (void)tenant, (void)ref;
	return OYL_OK; /* the cascade took the pieces with their document */
}

static int db_gc(oyl__blob_store *s, oyl_db *db, int64_t *removed)
{
	(void)s, (void)db;
	*removed = 0;
	return OYL_OK;
}

static void store_free(oyl__blob_store *s)
{
	oyl__free(s);
}

int oyl__blob_store_database(oyl__blob_store **out)
{
	oyl__blob_store *s = oyl__calloc(1, sizeof *s);
	if (!s)
		return OYL_ENOMEM;
	*s = (oyl__blob_store){"database", db_stage, db_write, db_unstage, db_read, db_release,
			       db_gc, store_free};
	*out = s;
	return OYL_OK;
}
