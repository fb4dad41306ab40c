/*
 * Parameters in PostgreSQL's binary format: exact, and independent of the
 * session's DateStyle, TimeZone and of the process locale.  The type of
 * each parameter is the cast its placeholder carries ("$3::uuid"):
 *
 *   TEXT, JSON  the bytes as they are (the server checks the encoding)
 *   UUID        16 bytes
 *   INT         int8, 8 bytes big-endian; BOOL one byte
 *   TIME        timestamptz: int8 microseconds since 2000-01-01 UTC
 *   REAL        float8, 8 bytes big-endian
 *   BLOB        bytea: the bytes
 *
 * A literal parameter (an id list, "{a,b}") goes in text format.
 */
#include <string.h>

#include "pg_internal.h"

/* Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
#define PG_EPOCH_US INT64_C(946684800000000)

char *oyl__pg_scratch(pg_backend *b, size_t n)
{
	if (n <= b->scratch_cap)
		return b->scratch;
	size_t cap = b->scratch_cap ? b->scratch_cap : 1024;
	while (cap < n)
		cap *= 2;
	char *grown = oyl_realloc(b->scratch, cap);
	if (!grown)
		return NULL;
	b->scratch = grown;
	b->scratch_cap = cap;
	return grown;
}

static void put_be64(char *out, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (char)(v & 0xff);
		v >>= 8;
	}
}

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* A canonical lowercase UUID (checked by the builder) as 16 bytes. */
static void put_uuid(char *out, const char *s)
{
	int k = 0;
	for (int i = 0; i < PG_UUID_LEN; i += 2) {
		if (s[i] == '-')
			i++;
		out[k++] = (char)(hex_value(s[i]) << 4 | hex_value(s[i + 1]));
	}
}

int oyl__pg_encoded_size(int32_t coltype)
{
	switch (coltype) {
	case OYL_TYPE_UUID:
		return 16;
	case OYL_TYPE_BOOL:
		return 1;
	default: /* TIME, REAL, INT */
		return 8;
	}
}

int oyl__pg_encode(const oyl__sql_param *p, char *buf)
{
	uint64_t bits;

	switch (p->coltype) {
	case OYL_TYPE_UUID:
		put_uuid(buf, p->s);
		return 16;
	case OYL_TYPE_BOOL:
		buf[0] = p->i ? 1 : 0;
		return 1;
	case OYL_TYPE_TIME:
		put_be64(buf, (uint64_t)(p->i - PG_EPOCH_US));
		return 8;
	case OYL_TYPE_REAL:
		memcpy(&bits, &p->r, sizeof bits);
		put_be64(buf, bits);
		return 8;
	default: /* INT */
		put_be64(buf, (uint64_t)p->i);
		return 8;
	}
}

int oyl__pg_params(pg_backend *b, const oyl__sql *q, pg_params *out)
{
	size_t n = q->nparams;
	size_t need = n * (sizeof(char *) + 2 * sizeof(int) + PG_BINARY_MAX);

	memset(out, 0, sizeof *out);
	if (n > 65535)
		return oyl__pg_fail(b, OYL_EINVAL, "too many values in one statement");
	char *mem = oyl__pg_scratch(b, need ? need : 1);
	if (!mem)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	out->values = (const char **)(void *)mem;
	out->lengths = (int *)(void *)(mem + n * sizeof(char *));
	out->formats = out->lengths + n;
	char *bin = (char *)(out->formats + n);
	out->n = (int)n;
	for (size_t i = 0; i < n; i++) {
		const oyl__sql_param *p = &q->params[i];
		out->formats[i] = 1;
		out->lengths[i] = 0;
		if (p->kind == OYL__SQL_NULL) {
			out->values[i] = NULL;
		} else if (p->coltype == OYL__SQL_LITERAL) {
			out->values[i] = p->s; /* NUL-terminated, made by the builder */
			out->formats[i] = 0;
		} else if (p->kind == OYL__SQL_TEXT && p->coltype != OYL_TYPE_UUID) {
			out->values[i] = p->s;
			out->lengths[i] = (int)p->n;
		} else if (p->kind == OYL__SQL_BLOB) {
			out->values[i] = p->s;
			out->lengths[i] = (int)p->n;
		} else {
			char *slot = bin + i * PG_BINARY_MAX;
			out->lengths[i] = oyl__pg_encode(p, slot);
			out->values[i] = slot;
		}
	}
	return OYL_OK;
}
