/* Statement text and its parameter list (see sql.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sql.h"
#include "util/decimal.h"

void (*oyl__sql_hook)(const oyl__sql *q);

void oyl__sql_init(oyl__sql *q, const oyl__sql_dialect *d)
{
	memset(q, 0, sizeof *q);
	q->d = d;
	q->bad_row = SIZE_MAX;
}

static void free_owned(oyl__sql *q)
{
	for (size_t i = 0; i < q->nowned; i++)
		oyl_free(q->owned[i]);
	oyl_free(q->owned);
	q->owned = NULL;
	q->nowned = 0;
}

void oyl__sql_free(oyl__sql *q)
{
	free_owned(q);
	oyl_free(q->text);
	oyl_free(q->params);
	oyl__sql_init(q, q->d);
}

void oyl__sql_reset(oyl__sql *q)
{
	free_owned(q);
	q->len = 0;
	if (q->text)
		q->text[0] = '\0';
	q->nparams = 0;
	q->oom = false;
	q->bad_row = SIZE_MAX;
	q->err[0] = '\0';
}

static bool reserve_text(oyl__sql *q, size_t more)
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

static void add_bytes(oyl__sql *q, const char *s, size_t n)
{
	if (!reserve_text(q, n))
		return;
	memcpy(q->text + q->len, s, n);
	q->len += n;
	q->text[q->len] = '\0';
}

void oyl__sql_add(oyl__sql *q, const char *s)
{
	add_bytes(q, s, strlen(s));
}

/* Descriptor names are plain identifiers; a quote would be doubled. */
static void add_quoted(oyl__sql *q, const char *name)
{
	size_t n = strlen(name);
	if (!memchr(name, '"', n)) { /* every name the schema has: one copy */
		if (!reserve_text(q, n + 2))
			return;
		char *at = q->text + q->len;
		at[0] = '"';
		memcpy(at + 1, name, n);
		at[n + 1] = '"';
		q->len += n + 2;
		q->text[q->len] = '\0';
		return;
	}
	add_bytes(q, "\"", 1);
	for (const char *p = name; *p;) {
		size_t run = strcspn(p, "\"");
		add_bytes(q, p, run);
		p += run;
		if (*p == '"') {
			add_bytes(q, "\"\"", 2);
			p++;
		}
	}
	add_bytes(q, "\"", 1);
}

void oyl__sql_ident(oyl__sql *q, const char *qual, const char *name)
{
	if (qual) {
		add_quoted(q, qual);
		add_bytes(q, ".", 1);
	}
	add_quoted(q, name);
}

void oyl__sql_num(oyl__sql *q, long long n)
{
	char buf[1 + OYL__DECIMAL_MAX];
	size_t sign = n < 0;
	buf[0] = '-';
	uint64_t u = sign ? 0 - (uint64_t)n : (uint64_t)n;
	add_bytes(q, buf + !sign, sign + oyl__decimal(u, buf + 1));
}

int oyl__sql_fail(oyl__sql *q, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof q->err, fmt, ap);
	va_end(ap);
	return status;
}

int oyl__sql_status(oyl__sql *q)
{
	return q->oom ? oyl__sql_fail(q, OYL_ENOMEM, "out of memory") : OYL_OK;
}
