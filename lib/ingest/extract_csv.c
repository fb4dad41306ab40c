/*
 * text/csv, as RFC 4180 has it: fields separated by commas, records by
 * line ends (CRLF, LF or CR), a field in double quotes may hold commas,
 * line ends and doubled quotes.  The first record names the columns.
 * Each later record becomes a paragraph with one line per non-empty
 * field, "<column name>: <value>", so that a chunk of rows still says
 * what each value is.  Lenient where RFC 4180 is strict and the intent
 * is clear (a quote inside an unquoted field is kept; text after a
 * closing quote joins the field); refused: a quoted field that never
 * ends, and a field over OYL__CSV_FIELD_MAX bytes.
 */
#include "ingest/extract.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

#define OYL__CSV_FIELD_MAX (1u << 20)
#define PROGRESS_EVERY (1u << 20)

typedef struct field {
	char *s;
	size_t n, cap;
} field;

typedef struct csv {
	const char *d;
	size_t n, at;
	int64_t line;   /* of `at`, 1-based, for messages */
	field *fields;  /* the current record */
	size_t nfields, capfields;
	char **names;   /* the header's */
	size_t nnames;
} csv;

static int add_byte(csv *c, field *f, char ch, oyl__extract_ctx *ctx)
{
	if (f->n + 1 >= f->cap) {
		if (f->n >= OYL__CSV_FIELD_MAX)
			return oyl__extract_fail(ctx, OYL_EINVAL,
						 "CSV field %zu of the record on line %lld is larger "
						 "than %u bytes",
						 c->nfields, (long long)c->line, OYL__CSV_FIELD_MAX);
		size_t cap = f->cap ? f->cap * 2 : 64;
		char *s = oyl__realloc(f->s, cap);
		if (!s)
			return OYL_ENOMEM;
		f->s = s;
		f->cap = cap;
	}
	f->s[f->n++] = ch;
	f->s[f->n] = '\0';
	return OYL_OK;
}

static field *new_field(csv *c)
{
	if (c->nfields == c->capfields) {
		size_t cap = c->capfields ? c->capfields * 2 : 16;
		field *fs = oyl__realloc(c->fields, cap * sizeof *fs);
		if (!fs)
			return NULL;
		memset(fs + c->capfields, 0, (cap - c->capfields) * sizeof *fs);
		c->fields = fs;
		c->capfields = cap;
	}
	field *f = &c->fields[c->nfields++];
	f->n = 0;
	if (f->s)
		f->s[0] = '\0';
	return f;
}

/* Reads one record into c->fields.  1: a record was read; 0: end of
 * input; < 0: a failure. */
static int read_record(csv *c, oyl__extract_ctx *ctx)
{
	if (c->at >= c->n)
		return 0;
	c->nfields = 0;
	field *f = new_field(c);
	if (!f)
		return OYL_ENOMEM;
	int quoted = 0, rc;
	int64_t quote_line = 0;
	while (c->at < c->n) {
		char ch = c->d[c->at++];
		if (quoted) {
			if (ch == '"') {
				if (c->at < c->n && c->d[c->at] == '"') {
					c->at++;
				} else {
					quoted = 0;
					continue;
				}
			} else if (ch == '\n' || (ch == '\r' && (c->at >= c->n || c->d[c->at] != '\n'))) {
				c->line++;
			}
			if ((rc = add_byte(c, f, ch, ctx)))
				return rc;
			continue;
		}
		if (ch == '"' && f->n == 0) {
			quoted = 1;
			quote_line = c->line;
		} else if (ch == ',') {
			if (!(f = new_field(c)))
				return OYL_ENOMEM;
		} else if (ch == '\r' || ch == '\n') {
			if (ch == '\r' && c->at < c->n && c->d[c->at] == '\n')
				c->at++;
			c->line++;
			return 1;
		} else if ((rc = add_byte(c, f, ch, ctx))) {
			return rc;
		}
	}
	if (quoted)
		return oyl__extract_fail(ctx, OYL_EINVAL,
					 "CSV: the quoted field that starts on line %lld never ends",
					 (long long)quote_line);
	return 1;
}

static int empty_record(const csv *c)
{
	return c->nfields == 1 && c->fields[0].n == 0;
}

static int keep_header(csv *c)
{
	c->names = oyl__calloc(c->nfields, sizeof *c->names);
	if (!c->names)
		return OYL_ENOMEM;
	c->nnames = c->nfields;
	for (size_t i = 0; i < c->nfields; i++) {
		char fallback[32];
		const char *name = c->fields[i].n ? c->fields[i].s : fallback;
		snprintf(fallback, sizeof fallback, "column %zu", i + 1);
		if (!(c->names[i] = oyl__strdup(name)))
			return OYL_ENOMEM;
	}
	return OYL_OK;
}

static int render(const csv *c, oyl__text *out)
{
	for (size_t i = 0; i < c->nfields; i++) {
		const field *f = &c->fields[i];
		if (f->n == 0)
			continue;
		char extra[32];
		const char *name = extra;
		if (i < c->nnames)
			name = c->names[i];
		else
			snprintf(extra, sizeof extra, "column %zu", i + 1);
		oyl__text_puts(out, name);
		oyl__text_append(out, ": ", 2);
		oyl__text_append(out, f->s, f->n);
		oyl__text_line(out);
	}
	return oyl__text_paragraph(out);
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	csv c;
	memset(&c, 0, sizeof c);
	c.d = (const char *)data;
	c.n = n;
	c.line = 1;
	/* A UTF-8 byte-order mark is not part of the first column's name. */
	if (n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		c.at = 3;
	int rc = OYL_OK, got;
	size_t reported = 0;
	while ((got = read_record(&c, ctx)) == 1) {
		if (empty_record(&c))
			continue;
		if (!c.names) {
			if ((rc = keep_header(&c)))
				break;
			continue;
		}
		if ((rc = render(&c, out)))
			break;
		if (ctx->progress && c.at - reported >= PROGRESS_EVERY) {
			reported = c.at;
			if ((rc = ctx->progress(c.at, ctx->payload)))
				break;
		}
	}
	if (got < 0)
		rc = got;
	for (size_t i = 0; i < c.capfields; i++)
		oyl__free(c.fields[i].s);
	oyl__free(c.fields);
	for (size_t i = 0; i < c.nnames; i++)
		oyl__free(c.names[i]);
	oyl__free(c.names);
	return rc;
}

static const char *const mimes[] = {"text/csv", NULL};

const oyl__extractor oyl__extract_csv = {"csv", mimes, extract};
