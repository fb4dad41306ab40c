/*
 * Statement text and its parameters.  SQL text is built only from fixed
 * strings and descriptor identifiers; every value becomes a numbered
 * parameter ("?n") bound with the storage class of its column:
 *
 *   TEXT, UUID, JSON  text (UUIDs canonical lowercase, checked here)
 *   INT, TIME, BOOL   integer (TIME: microseconds since the epoch; BOOL 0/1)
 *   REAL              double
 *   BLOB              blob
 *
 * The checks PostgreSQL's types make on the other backend (UUID syntax,
 * UTF-8, no NUL byte in text) are made here, so both backends refuse the
 * same values with OYL_EINVAL.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sq_internal.h"

void oyl__sq_sql_init(sq_sql *q)
{
	memset(q, 0, sizeof *q);
}

void oyl__sq_sql_free(sq_sql *q)
{
	oyl_free(q->text);
	oyl_free(q->params);
	memset(q, 0, sizeof *q);
}

static bool reserve_text(sq_sql *q, size_t more)
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

static void add_bytes(sq_sql *q, const char *s, size_t n)
{
	if (!reserve_text(q, n))
		return;
	memcpy(q->text + q->len, s, n);
	q->len += n;
	q->text[q->len] = '\0';
}

void oyl__sq_sql_add(sq_sql *q, const char *s)
{
	add_bytes(q, s, strlen(s));
}

static void add_quoted(sq_sql *q, const char *name)
{
	add_bytes(q, "\"", 1);
	for (const char *p = name; *p; p++)
		add_bytes(q, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	add_bytes(q, "\"", 1);
}

void oyl__sq_sql_ident(sq_sql *q, const char *qual, const char *name)
{
	if (qual) {
		add_quoted(q, qual);
		add_bytes(q, ".", 1);
	}
	add_quoted(q, name);
}

/* A new NULL parameter and its "?n" placeholder in the text. */
static sq_param *new_param(sq_sql *q)
{
	char mark[24];

	if (q->oom)
		return NULL;
	if (q->nparams == q->cap_params) {
		size_t cap = q->cap_params ? q->cap_params * 2 : 16;
		sq_param *p = oyl_realloc(q->params, cap * sizeof *p);
		if (!p) {
			q->oom = true;
			return NULL;
		}
		q->params = p;
		q->cap_params = cap;
	}
	sq_param *p = &q->params[q->nparams++];
	memset(p, 0, sizeof *p);
	p->kind = SQ_NULL;
	snprintf(mark, sizeof mark, "?%zu", q->nparams);
	oyl__sq_sql_add(q, mark);
	return p;
}

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool oyl__sq_is_uuid(const char *s, size_t n)
{
	if (!s || n != SQ_UUID_LEN)
		return false;
	for (size_t i = 0; i < SQ_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex_lower(s[i]))
			return false;
	}
	return true;
}

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool is_texty(int32_t type)
{
	return type == OYL_TYPE_TEXT || type == OYL_TYPE_JSON || type == OYL_TYPE_UUID;
}

static bool is_integral(int32_t type)
{
	return type == OYL_TYPE_INT || type == OYL_TYPE_TIME || type == OYL_TYPE_BOOL;
}

static int bind_text_value(sq_backend *b, sq_param *p, const char *col, const oyl_value *v)
{
	if (!is_texty(v->type) || (!v->s && v->n))
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: text expected", col);
	if (v->n > INT32_MAX)
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: value too large", col);
	if (v->n && memchr(v->s, '\0', v->n))
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: text contains a NUL byte", col);
	if (v->n && !is_utf8((const unsigned char *)v->s, v->n))
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: text is not valid UTF-8", col);
	p->kind = SQ_TEXT;
	p->s = v->s ? v->s : "";
	p->n = v->n;
	return OYL_OK;
}

int oyl__sq_bind(sq_backend *b, sq_sql *q, int32_t coltype, const char *col, const oyl_value *v)
{
	sq_param *p = new_param(q);

	if (!p)
		return oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	if (!v || v->type == OYL_TYPE_NULL)
		return OYL_OK;

	switch (coltype) {
	case OYL_TYPE_UUID:
		if (!is_texty(v->type) || !oyl__sq_is_uuid(v->s, v->n))
			return oyl__sq_fail(b, OYL_EINVAL,
					    "column %s: not a canonical lowercase UUID", col);
		p->kind = SQ_TEXT;
		p->s = v->s;
		p->n = v->n;
		return OYL_OK;
	case OYL_TYPE_TEXT:
	case OYL_TYPE_JSON:
		return bind_text_value(b, p, col, v);
	case OYL_TYPE_BLOB:
		if ((v->type != OYL_TYPE_BLOB && v->type != OYL_TYPE_TEXT) || (!v->s && v->n))
			return oyl__sq_fail(b, OYL_EINVAL, "column %s: bytes expected", col);
		if (v->n > INT32_MAX)
			return oyl__sq_fail(b, OYL_EINVAL, "column %s: value too large", col);
		p->kind = SQ_BLOB;
		p->s = v->s ? v->s : "";
		p->n = v->n;
		return OYL_OK;
	case OYL_TYPE_REAL:
		if (v->type == OYL_TYPE_REAL)
			p->r = v->r;
		else if (v->type == OYL_TYPE_INT)
			p->r = (double)v->i;
		else
			return oyl__sq_fail(b, OYL_EINVAL, "column %s: number expected", col);
		/* SQLite stores a NaN as NULL: refuse it rather than lose it. */
		if (isnan(p->r))
			return oyl__sq_fail(b, OYL_EINVAL, "column %s: NaN cannot be stored", col);
		p->kind = SQ_REAL;
		return OYL_OK;
	default:
		break;
	}

	if (!is_integral(v->type))
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: integer, time or boolean expected",
				    col);
	p->kind = SQ_INT;
	p->i = coltype == OYL_TYPE_BOOL ? (v->i != 0) : v->i;
	return OYL_OK;
}

int oyl__sq_bind_uuid(sq_backend *b, sq_sql *q, const char *col, const char *uuid)
{
	oyl_value v = {OYL_TYPE_UUID, 0, 0, uuid, uuid ? strnlen(uuid, SQ_UUID_LEN + 1) : 0};

	if (!uuid)
		return oyl__sq_fail(b, OYL_EINVAL, "column %s: no id given", col);
	return oyl__sq_bind(b, q, OYL_TYPE_UUID, col, &v);
}

void oyl__sq_bind_int64(sq_sql *q, int64_t n)
{
	sq_param *p = new_param(q);

	if (p) {
		p->kind = SQ_INT;
		p->i = n;
	}
}

void oyl__sq_bind_text(sq_sql *q, const char *s, size_t n)
{
	sq_param *p = new_param(q);

	if (p) {
		p->kind = SQ_TEXT;
		p->s = s;
		p->n = n;
	}
}
