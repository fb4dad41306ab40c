/*
 * Statement text and its parameters.  SQL text is built only from fixed
 * strings and descriptor identifiers; every value becomes a parameter
 * with an explicit cast in the text, so the server never guesses a type.
 *
 * Encodings (all independent of the session's DateStyle, TimeZone and of
 * the process locale):
 *   TEXT, JSON  binary format: the bytes as they are (the server checks UTF-8)
 *   UUID        text, canonical lowercase only (checked here)
 *   INT         decimal text; BOOL "true"/"false"
 *   TIME        "YYYY-MM-DD HH:MM:SS.ffffff+00" computed here, so exact
 *   REAL        binary float8 (8 bytes big-endian): exact, no locale
 *   BLOB        binary bytea
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

void oyl__pg_sql_init(pg_sql *q)
{
	memset(q, 0, sizeof *q);
}

void oyl__pg_sql_free(pg_sql *q)
{
	oyl_free(q->text);
	oyl_free(q->params);
	memset(q, 0, sizeof *q);
}

static bool reserve_text(pg_sql *q, size_t more)
{
	if (q->oom)
		return false;
	if (q->len + more + 1 <= q->cap)
		return true;
	size_t cap = q->cap ? q->cap : 256;
	while (cap < q->len + more + 1)
		cap *= 2;
	char *text = oyl_realloc(q->text, cap);
	if (!text) {
		q->oom = true;
		return false;
	}
	q->text = text;
	q->cap = cap;
	return true;
}

static void add_bytes(pg_sql *q, const char *s, size_t n)
{
	if (!reserve_text(q, n))
		return;
	memcpy(q->text + q->len, s, n);
	q->len += n;
	q->text[q->len] = '\0';
}

void oyl__pg_sql_add(pg_sql *q, const char *s)
{
	add_bytes(q, s, strlen(s));
}

void oyl__pg_sql_ident(pg_sql *q, const char *name)
{
	add_bytes(q, "\"", 1);
	for (const char *p = name; *p; p++)
		add_bytes(q, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	add_bytes(q, "\"", 1);
}

void oyl__pg_sql_num(pg_sql *q, long long n)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", n);
	oyl__pg_sql_add(q, buf);
}

/* A new, NULL parameter and its "$n::type" placeholder in the text. */
static pg_param *new_param(pg_sql *q, const char *type)
{
	if (q->oom)
		return NULL;
	if (q->nparams == q->cap_params) {
		size_t cap = q->cap_params ? q->cap_params * 2 : 16;
		pg_param *p = oyl_realloc(q->params, cap * sizeof *p);
		if (!p) {
			q->oom = true;
			return NULL;
		}
		q->params = p;
		q->cap_params = cap;
	}
	pg_param *p = &q->params[q->nparams++];
	memset(p, 0, sizeof *p);
	p->is_null = true;
	oyl__pg_sql_add(q, "$");
	oyl__pg_sql_num(q, (long long)q->nparams);
	oyl__pg_sql_add(q, "::");
	oyl__pg_sql_add(q, type);
	return p;
}

const char *oyl__pg_type_name(int32_t coltype)
{
	switch (coltype) {
	case OYL_TYPE_UUID:
		return "uuid";
	case OYL_TYPE_INT:
		return "int8";
	case OYL_TYPE_TIME:
		return "timestamptz";
	case OYL_TYPE_JSON:
		return "json";
	case OYL_TYPE_REAL:
		return "float8";
	case OYL_TYPE_BLOB:
		return "bytea";
	case OYL_TYPE_BOOL:
		return "bool";
	default:
		return "text";
	}
}

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool oyl__pg_is_uuid(const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < PG_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex_lower(s[i]))
			return false; /* also stops at a NUL before 36 */
	}
	return s[PG_UUID_LEN] == '\0';
}

/* Floor division and modulo, for instants before 1970. */
static int64_t floor_divmod(int64_t a, int64_t d, int64_t *rem)
{
	int64_t q = a / d, r = a % d;

	if (r < 0) {
		r += d;
		q--;
	}
	*rem = r;
	return q;
}

/* Microseconds since the epoch as an ISO timestamp in UTC (proleptic Gregorian). */
static void format_time(int64_t us, char *out, size_t size)
{
	int64_t in_day, day_us, days = floor_divmod(us, INT64_C(86400000000), &day_us);
	int64_t secs = floor_divmod(day_us, 1000000, &in_day);
	int frac = (int)in_day;

	/* days_from_civil inverted (H. Hinnant's civil_from_days) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int day = (int)(doy - (153 * mp + 2) / 5 + 1);
	int month = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t year = yoe + era * 400 + (month <= 2);

	/* PostgreSQL has no year 0: astronomical year 0 is 1 BC. */
	bool bc = year <= 0;
	snprintf(out, size, "%04lld-%02d-%02d %02d:%02d:%02d.%06d+00%s",
		 (long long)(bc ? 1 - year : year), month, day, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60), frac, bc ? " BC" : "");
}

static void put_float8(pg_param *p, double x)
{
	uint64_t bits;

	memcpy(&bits, &x, sizeof bits);
	for (int i = 0; i < 8; i++)
		p->small[i] = (char)(unsigned char)(bits >> (56 - 8 * i));
	p->len = 8;
	p->format = 1;
}

static bool is_texty(int32_t type)
{
	return type == OYL_TYPE_TEXT || type == OYL_TYPE_JSON || type == OYL_TYPE_UUID;
}

static bool is_integral(int32_t type)
{
	return type == OYL_TYPE_INT || type == OYL_TYPE_TIME || type == OYL_TYPE_BOOL;
}

int oyl__pg_bind(pg_backend *b, pg_sql *q, int32_t coltype, const char *col, const oyl_value *v)
{
	pg_param *p = new_param(q, oyl__pg_type_name(coltype));

	if (!p)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	if (!v || v->type == OYL_TYPE_NULL)
		return OYL_OK;
	p->is_null = false;

	switch (coltype) {
	case OYL_TYPE_UUID:
		if (!is_texty(v->type) || v->n != PG_UUID_LEN || !oyl__pg_is_uuid(v->s))
			return oyl__pg_fail(b, OYL_EINVAL,
					    "column %s: not a canonical lowercase UUID", col);
		memcpy(p->small, v->s, PG_UUID_LEN + 1);
		return OYL_OK;
	case OYL_TYPE_TEXT:
	case OYL_TYPE_JSON:
		if (!is_texty(v->type) || (!v->s && v->n))
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: text expected", col);
		if (v->n > INT_MAX)
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: value too large", col);
		if (v->n && memchr(v->s, '\0', v->n))
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: text contains a NUL byte",
					    col);
		p->ext = v->s ? v->s : "";
		p->len = (int)v->n;
		p->format = 1;
		return OYL_OK;
	case OYL_TYPE_BLOB:
		if ((v->type != OYL_TYPE_BLOB && v->type != OYL_TYPE_TEXT) || (!v->s && v->n))
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: bytes expected", col);
		if (v->n > INT_MAX)
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: value too large", col);
		p->ext = v->s ? v->s : "";
		p->len = (int)v->n;
		p->format = 1;
		return OYL_OK;
	case OYL_TYPE_REAL:
		if (v->type == OYL_TYPE_REAL)
			put_float8(p, v->r);
		else if (v->type == OYL_TYPE_INT)
			put_float8(p, (double)v->i);
		else
			return oyl__pg_fail(b, OYL_EINVAL, "column %s: number expected", col);
		return OYL_OK;
	default:
		break;
	}

	if (!is_integral(v->type))
		return oyl__pg_fail(b, OYL_EINVAL, "column %s: integer, time or boolean expected",
				    col);
	if (coltype == OYL_TYPE_TIME)
		format_time(v->i, p->small, sizeof p->small);
	else if (coltype == OYL_TYPE_BOOL)
		snprintf(p->small, sizeof p->small, "%s", v->i ? "true" : "false");
	else
		snprintf(p->small, sizeof p->small, "%lld", (long long)v->i);
	return OYL_OK;
}

int oyl__pg_bind_uuid(pg_backend *b, pg_sql *q, const char *col, const char *uuid)
{
	oyl_value v = {OYL_TYPE_UUID, 0, 0, uuid, uuid ? strnlen(uuid, PG_UUID_LEN + 1) : 0};

	if (!uuid)
		return oyl__pg_fail(b, OYL_EINVAL, "column %s: no id given", col);
	return oyl__pg_bind(b, q, OYL_TYPE_UUID, col, &v);
}

void oyl__pg_bind_int8(pg_sql *q, int64_t n)
{
	pg_param *p = new_param(q, "int8");

	if (p) {
		p->is_null = false;
		snprintf(p->small, sizeof p->small, "%lld", (long long)n);
	}
}

void oyl__pg_bind_text(pg_sql *q, const char *s)
{
	pg_param *p = new_param(q, "text");

	if (p) {
		p->is_null = false;
		p->ext = s;
		p->len = (int)strlen(s);
	}
}
