/*
 * Rows come back in binary format (pg_params.c describes the encodings):
 * each column is decoded along the descriptor's type, after checking that
 * the server sent that type.  UUIDs are written out as their canonical
 * lowercase text in a buffer that lives as long as the result's rows are
 * handed out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

#define PG_EPOCH_US INT64_C(946684800000000)

/* The PostgreSQL type (OID) that carries each oyl_type. */
static Oid oid_of(int32_t type)
{
	switch (type) {
	case OYL_TYPE_UUID:
		return 2950;
	case OYL_TYPE_INT:
		return 20;
	case OYL_TYPE_TIME:
		return 1184;
	case OYL_TYPE_JSON:
		return 114;
	case OYL_TYPE_REAL:
		return 701;
	case OYL_TYPE_BLOB:
		return 17;
	case OYL_TYPE_BOOL:
		return 16;
	default:
		return 25;
	}
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Two hex digits for each byte value: a UUID is written a byte at a time
 * (every row of a search's postings carries one). */
static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

static void format_uuid(const unsigned char *raw, char out[PG_UUID_LEN + 1])
{
	/* written out, not looped: a loop over a table of places cost twice
	 * the instructions */
#define PAIR(i, at) memcpy(out + (at), hex_pairs + 2 * raw[i], 2)
	PAIR(0, 0), PAIR(1, 2), PAIR(2, 4), PAIR(3, 6);
	PAIR(4, 9), PAIR(5, 11);
	PAIR(6, 14), PAIR(7, 16);
	PAIR(8, 19), PAIR(9, 21);
	PAIR(10, 24), PAIR(11, 26), PAIR(12, 28), PAIR(13, 30), PAIR(14, 32), PAIR(15, 34);
#undef PAIR
	out[8] = out[13] = out[18] = out[23] = '-';
	out[PG_UUID_LEN] = '\0';
}

/* One field into v; a UUID's text goes to `uuid`. */
static bool decode_field(const PGresult *res, int row, int col, int32_t type, oyl_value *v,
			 char uuid[PG_UUID_LEN + 1])
{
	const unsigned char *s = (const unsigned char *)PQgetvalue(res, row, col);
	int len = PQgetlength(res, row, col);
	uint64_t bits;

	memset(v, 0, sizeof *v);
	/* a NULL has length 0: only then is it worth asking (a big search
	 * decodes thousands of rows) */
	if (len == 0 && PQgetisnull(res, row, col)) {
		v->type = OYL_TYPE_NULL;
		return true;
	}
	v->type = type;
	switch (type) {
	case OYL_TYPE_UUID:
		if (len != 16)
			return false;
		format_uuid(s, uuid);
		v->s = uuid;
		v->n = PG_UUID_LEN;
		return true;
	case OYL_TYPE_INT:
	case OYL_TYPE_TIME:
		if (len != 8)
			return false;
		v->i = (int64_t)get_be64(s) + (type == OYL_TYPE_TIME ? PG_EPOCH_US : 0);
		return true;
	case OYL_TYPE_REAL:
		if (len != 8)
			return false;
		bits = get_be64(s);
		memcpy(&v->r, &bits, sizeof v->r);
		return true;
	case OYL_TYPE_BOOL:
		if (len != 1)
			return false;
		v->i = s[0] != 0;
		return true;
	default: /* text, json, bytea: the bytes (libpq adds a NUL after them) */
		v->s = (const char *)s;
		v->n = (size_t)len;
		return true;
	}
}

int oyl__pg_emit_rows(pg_backend *b, const PGresult *res, const oyl_table *t, oyl_row_cb cb,
		      void *payload)
{
	int nrows = PQntuples(res);
	int rc = OYL_OK;

	if (PQnfields(res) != (int)t->ncols)
		return oyl__pg_fail(b, OYL_ESTORAGE, "result has %d columns, expected %zu",
				    PQnfields(res), t->ncols);
	for (size_t c = 0; c < t->ncols; c++)
		if (PQftype(res, (int)c) != oid_of(t->cols[c].type) || PQfformat(res, (int)c) != 1)
			return oyl__pg_fail(b, OYL_ESTORAGE,
					    "column %s: the server sent type %u, expected %u",
					    t->cols[c].name, PQftype(res, (int)c),
					    oid_of(t->cols[c].type));
	if (nrows == 0)
		return OYL_OK;
	/* the values and the uuid texts of one row, reused row after row */
	char *mem = oyl_malloc(t->ncols * (sizeof(oyl_value) + PG_UUID_LEN + 1));
	if (!mem)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	oyl_value *vals = (oyl_value *)(void *)mem;
	char *uuids = mem + t->ncols * sizeof(oyl_value);
	for (int row = 0; row < nrows && rc == OYL_OK; row++) {
		for (size_t c = 0; c < t->ncols && rc == OYL_OK; c++)
			if (!decode_field(res, row, (int)c, t->cols[c].type, &vals[c],
					  uuids + c * (PG_UUID_LEN + 1)))
				rc = oyl__pg_fail(b, OYL_ESTORAGE, "column %s: malformed value",
						  t->cols[c].name);
		if (rc == OYL_OK)
			rc = cb(vals, t->ncols, payload);
	}
	oyl_free(mem);
	return rc;
}

int oyl__pg_result_int(pg_backend *b, const PGresult *res, int64_t *out)
{
	if (PQntuples(res) != 1 || PQnfields(res) < 1 || PQftype(res, 0) != 20 ||
	    PQgetisnull(res, 0, 0) || PQgetlength(res, 0, 0) != 8)
		return oyl__pg_fail(b, OYL_ESTORAGE, "unexpected result: one int8 expected");
	*out = (int64_t)get_be64((const unsigned char *)PQgetvalue(res, 0, 0));
	return OYL_OK;
}

bool oyl__pg_parse_int64(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}
