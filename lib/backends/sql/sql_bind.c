/*
 * Values as parameters.  The checks a typed database makes (a UUID column
 * takes a UUID, text is UTF-8 without NUL bytes) are made here, before
 * any statement runs, so every backend refuses the same values with the
 * same status (OYL_EINVAL) and a message naming the column.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "sql.h"
#include "util/utf8.h"

/* A new NULL parameter of coltype, without placeholder text. */
static oyl__sql_param *push_param(oyl__sql *q, int32_t coltype)
{
	if (q->oom)
		return NULL;
	if (q->nparams == q->cap_params) {
		size_t cap = q->cap_params ? q->cap_params * 2 : 16;
		oyl__sql_param *p = oyl_realloc(q->params, cap * sizeof *p);
		if (!p) {
			q->oom = true;
			return NULL;
		}
		q->params = p;
		q->cap_params = cap;
	}
	oyl__sql_param *p = &q->params[q->nparams++];
	memset(p, 0, sizeof *p);
	p->coltype = coltype;
	p->kind = OYL__SQL_NULL;
	return p;
}

/* A new NULL parameter of coltype, with its placeholder in the text. */
static oyl__sql_param *new_param(oyl__sql *q, int32_t coltype)
{
	oyl__sql_param *p = push_param(q, coltype);
	if (p)
		q->d->placeholder(q, q->nparams, coltype);
	return p;
}

/* 1 for the characters of a canonical UUID's hex digits: 0-9 a-f. */
static const unsigned char hex_lower[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1,
};

/* Every id of every statement is checked here (an ingestion's arrays hold
 * thousands), so a table lookup and no branch per character. */
bool oyl__sql_is_uuid(const char *s, size_t n)
{
	if (!s || n != OYL__SQL_UUID_LEN)
		return false;
	if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return false;
	const uint64_t dashes = 1ULL << 8 | 1ULL << 13 | 1ULL << 18 | 1ULL << 23;
	unsigned ok = 1;
	for (size_t i = 0; i < OYL__SQL_UUID_LEN; i++)
		ok &= hex_lower[(unsigned char)s[i]] | (unsigned)(dashes >> i & 1);
	return ok != 0;
}

static bool is_texty(int32_t type)
{
	return type == OYL_TYPE_TEXT || type == OYL_TYPE_JSON || type == OYL_TYPE_UUID;
}

static bool is_integral(int32_t type)
{
	return type == OYL_TYPE_INT || type == OYL_TYPE_TIME || type == OYL_TYPE_BOOL;
}

static int bind_text(oyl__sql *q, oyl__sql_param *p, const char *col, const oyl_value *v)
{
	if (!is_texty(v->type) || (!v->s && v->n))
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: text expected", col);
	if (v->n > INT_MAX)
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: value too large", col);
	if (v->n && memchr(v->s, '\0', v->n))
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: text contains a NUL byte", col);
	if (v->n && !oyl__utf8_valid(v->s, v->n))
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: text is not valid UTF-8", col);
	p->kind = OYL__SQL_TEXT;
	p->s = v->s ? v->s : "";
	p->n = v->n;
	return OYL_OK;
}

/* Checks v against coltype and fills p (NULL until then) with it. */
static int bind_value(oyl__sql *q, oyl__sql_param *p, int32_t coltype, const char *col,
		      const oyl_value *v)
{
	if (!p)
		return oyl__sql_status(q);
	if (!v || v->type == OYL_TYPE_NULL)
		return OYL_OK;

	switch (coltype) {
	case OYL_TYPE_UUID:
		if (!is_texty(v->type) || !oyl__sql_is_uuid(v->s, v->n))
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: not a canonical lowercase UUID",
					     col);
		p->kind = OYL__SQL_TEXT;
		p->s = v->s;
		p->n = v->n;
		return OYL_OK;
	case OYL_TYPE_TEXT:
	case OYL_TYPE_JSON:
		return bind_text(q, p, col, v);
	case OYL_TYPE_BLOB:
		if ((v->type != OYL_TYPE_BLOB && v->type != OYL_TYPE_TEXT) || (!v->s && v->n))
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: bytes expected", col);
		if (v->n > INT_MAX)
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: value too large", col);
		p->kind = OYL__SQL_BLOB;
		p->s = v->s ? v->s : "";
		p->n = v->n;
		return OYL_OK;
	case OYL_TYPE_REAL:
		if (v->type == OYL_TYPE_REAL)
			p->r = v->r;
		else if (v->type == OYL_TYPE_INT)
			p->r = (double)v->i;
		else
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: number expected", col);
		/* SQLite would store a NaN as NULL: refused everywhere, not lost somewhere. */
		if (isnan(p->r))
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: NaN cannot be stored", col);
		p->kind = OYL__SQL_REAL;
		return OYL_OK;
	default:
		break;
	}
	if (!is_integral(v->type))
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: integer, time or boolean expected", col);
	p->kind = OYL__SQL_INT;
	p->i = coltype == OYL_TYPE_BOOL ? (v->i != 0) : v->i;
	return OYL_OK;
}

int oyl__sql_bind(oyl__sql *q, int32_t coltype, const char *col, const oyl_value *v)
{
	return bind_value(q, new_param(q, coltype), coltype, col, v);
}

int oyl__sql_bind_param(oyl__sql *q, int32_t coltype, const char *col, const oyl_value *v)
{
	return bind_value(q, push_param(q, coltype), coltype, col, v);
}

int oyl__sql_bind_checked(oyl__sql *q, const oyl__sql_param *checked)
{
	oyl__sql_param *p = push_param(q, checked->coltype);
	if (p)
		*p = *checked;
	return oyl__sql_status(q);
}

int oyl__sql_own(oyl__sql *q, char *mem)
{
	char **owned = mem ? oyl_realloc(q->owned, (q->nowned + 1) * sizeof *owned) : NULL;
	if (!owned) {
		oyl_free(mem);
		q->oom = true;
		return oyl__sql_status(q);
	}
	q->owned = owned;
	q->owned[q->nowned++] = mem;
	return OYL_OK;
}

int oyl__sql_bind_uuid(oyl__sql *q, const char *col, const char *uuid)
{
	oyl_value v = {OYL_TYPE_UUID, 0, 0, uuid, uuid ? strnlen(uuid, OYL__SQL_UUID_LEN + 1) : 0};

	if (!uuid) {
		new_param(q, OYL_TYPE_UUID); /* keeps the numbering */
		return oyl__sql_fail(q, OYL_EINVAL, "column %s: no id given", col);
	}
	return oyl__sql_bind(q, OYL_TYPE_UUID, col, &v);
}

void oyl__sql_bind_int(oyl__sql *q, int64_t n)
{
	oyl__sql_param *p = new_param(q, OYL_TYPE_INT);

	if (p) {
		p->kind = OYL__SQL_INT;
		p->i = n;
	}
}

int oyl__sql_bind_ids(oyl__sql *q, const char *col, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ids[i] || !oyl__sql_is_uuid(ids[i], strnlen(ids[i], OYL__SQL_UUID_LEN + 1)))
			return oyl__sql_fail(q, OYL_EINVAL, "ids[%zu]: not a canonical lowercase UUID",
					     i);
	/* open, then per id: quote, 36 characters, quote, a separator; close */
	const oyl__sql_dialect *d = q->d;
	size_t quotes = d->ids_quote ? 2 : 0;
	char *text = oyl_malloc(2 + n * (OYL__SQL_UUID_LEN + quotes + 1) + 1);
	int rc = oyl__sql_own(q, text);
	if (rc != OYL_OK)
		return rc;
	size_t len = 0;
	text[len++] = d->ids_open;
	for (size_t i = 0; i < n; i++) {
		if (i)
			text[len++] = ',';
		if (quotes)
			text[len++] = d->ids_quote;
		memcpy(text + len, ids[i], OYL__SQL_UUID_LEN);
		len += OYL__SQL_UUID_LEN;
		if (quotes)
			text[len++] = d->ids_quote;
	}
	text[len++] = d->ids_close;
	text[len] = '\0';

	/* the dialect writes the condition around the placeholder it needs */
	oyl__sql_param *p = push_param(q, OYL__SQL_LITERAL);
	if (!p)
		return oyl__sql_status(q);
	q->d->in_ids(q, col, q->nparams);
	p->kind = OYL__SQL_TEXT;
	p->s = text;
	p->n = len;
	return oyl__sql_status(q);
}
