/*
 * The library's own work on a document, without storage, through its
 * internal interfaces: to tell how much of an ingestion is extraction and
 * chunking, and how fast each format's extractor is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "identity/secret.h"
#include "ingest.h"
#include "ingest/chunk.h"
#include "ingest/extract.h"

/* As the pipeline sizes a document's text (ingest/pipeline.c): up to 8
 * times the original, at least 16 MiB, at most 512 MiB; plain text in one
 * allocation of about its own size. */
#define TEXT_GROWTH 8
#define TEXT_MIN (16u << 20)
#define TEXT_MAX (512u << 20)
#define MIN_SECONDS 2.0 /* a format's files are extracted again until this long */

static void text_for(oyl__text *t, const char *mime, size_t n)
{
	size_t limit = n < TEXT_MIN / TEXT_GROWTH ? TEXT_MIN : n * TEXT_GROWTH;
	oyl__text_init(t, limit > TEXT_MAX ? TEXT_MAX : limit);
	if (strncmp(mime, "text/", 5) == 0 && (t->s = oyl__malloc(n + 4096))) {
		t->cap = n + 4096;
		t->s[0] = '\0';
	}
}

/* Extracts a file's text into t (initialised here); OYL_OK or a failure. */
static int extract(const unsigned char *data, size_t n, const char *mime, const char *name,
		   oyl__text *t)
{
	const oyl__extractor *x = oyl__extractor_for(mime);
	text_for(t, mime, n);
	if (!x)
		return OYL_ENOTSUP;
	oyl__extract_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.mime_type = mime;
	ctx.name = name;
	return x->extract(data, n, t, &ctx);
}

static int count_chunk(const oyl__chunk *ch, void *payload)
{
	(void)ch;
	(*(int64_t *)payload)++;
	return 0;
}

static double since(int64_t t0)
{
	return (now_ns() - t0) / 1e9;
}

bool work_only(const corpus *c, work_result *out)
{
	memset(out, 0, sizeof *out);
	oyl__chunk_options o = {OYL__CHUNK_TARGET_DEFAULT, OYL__CHUNK_OVERLAP_DEFAULT};
	for (size_t i = 0; i < c->n; i++) {
		int64_t t0 = now_ns();
		size_t n;
		unsigned char *data = read_whole(c->files[i].path, &n);
		if (!data)
			return false;
		out->read_s += since(t0);
		char sha[OYL_SHA256_HEX + 1];
		t0 = now_ns();
		oyl__sha256_hex(data, n, sha);
		out->sha_s += since(t0);
		t0 = now_ns();
		const char *name = strrchr(c->files[i].path, '/') + 1;
		const char *mime = oyl__sniff_mime(data, n, name);
		oyl__text t;
		int rc = extract(data, n, mime ? mime : "", name, &t);
		out->extract_s += since(t0);
		t0 = now_ns();
		if (rc == OYL_OK)
			rc = oyl__chunk_text(&t, &o, count_chunk, &out->chunks);
		out->chunk_s += since(t0);
		out->text_bytes += rc == OYL_OK ? (int64_t)t.n : 0;
		oyl__text_free(&t);
		free(data);
	}
	return true;
}

/* ---- extraction per format ---- */

typedef struct format {
	const char *dir; /* under the formats directory; NULL: the plain-text corpus */
	const char *label, *mime;
	bool once;       /* slow (OCR): one pass */
} format;

static const format formats[] = {
	{NULL, "text/plain (the corpus)", "text/plain", false},
	{"markdown", "text/markdown", "text/markdown", false},
	{"csv", "text/csv", "text/csv", false},
	{"html", "text/html", "text/html", false},
	{"docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	 false},
	{"pdf", "PDF", "application/pdf", false},
	{"png", "PNG (OCR)", "image/png", true},
};

typedef struct loaded {
	unsigned char **data;
	size_t *n;
	size_t count;
} loaded;

static bool load_all(const corpus *c, loaded *l)
{
	l->count = c->n;
	l->data = calloc(c->n ? c->n : 1, sizeof *l->data);
	l->n = calloc(c->n ? c->n : 1, sizeof *l->n);
	for (size_t i = 0; l->data && l->n && i < c->n; i++)
		if (!(l->data[i] = read_whole(c->files[i].path, &l->n[i])))
			return false;
	return l->data && l->n;
}

static void loaded_free(loaded *l)
{
	for (size_t i = 0; l->data && i < l->count; i++)
		free(l->data[i]);
	free(l->data);
	free(l->n);
}

static int64_t pages_of(const oyl__text *t)
{
	int64_t pages = 0;
	for (size_t i = 0; i < t->nmarks; i++)
		pages += t->marks[i].kind == OYL__MARK_PAGE;
	return pages;
}

/* One format's figures: passes over its files until MIN_SECONDS. */
static void measure(const format *f, const corpus *c)
{
	loaded l;
	if (!load_all(c, &l)) {
		printf("  %-24s cannot read its files\n", f->label);
		loaded_free(&l);
		return;
	}
	int64_t text = 0, pages = 0, failed = 0, passes = 0, t0 = now_ns();
	double s = 0;
	do {
		for (size_t i = 0; i < l.count; i++) {
			oyl__text t;
			int rc = extract(l.data[i], l.n[i], f->mime, c->files[i].path, &t);
			if (passes == 0) {
				text += rc == OYL_OK ? (int64_t)t.n : 0;
				/* an image is a page; a PDF says where its pages begin */
				pages += f->once ? 1 : pages_of(&t);
				failed += rc != OYL_OK;
			}
			oyl__text_free(&t);
		}
		passes++;
		s = since(t0);
	} while (!f->once && s < MIN_SECONDS);
	double mb = c->bytes / 1e6;
	printf("  %-24s %6zu %9.2f %9.2f %4lld %7.2f %8.2f", f->label, c->n, mb, text / 1e6,
	       (long long)passes, s, mb * (double)passes / s);
	if (pages)
		printf(" %7.2f", (double)pages * (double)passes / s);
	if (failed)
		printf("  (%lld refused)", (long long)failed);
	printf("\n");
	loaded_free(&l);
}

bool extract_formats(const char *dir, const corpus *plain)
{
	printf("\nextraction per format (internal extractor, normalisation included, no "
	       "chunking, one thread)\n");
	printf("  %-24s %6s %9s %9s %4s %7s %8s %7s\n", "format", "files", "MB in", "MB text",
	       "pass", "s", "MB/s", "pages/s");
	for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
		const format *f = &formats[k];
		if (!oyl__extractor_for(f->mime)) {
			printf("  %-24s not built (needs %s)\n", f->label,
			       oyl__extractor_missing(f->mime));
			continue;
		}
		if (!f->dir) {
			measure(f, plain);
			continue;
		}
		if (!dir)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, f->dir);
		corpus c;
		if (!corpus_load(&c, path) || c.n == 0) {
			printf("  %-24s no files in %s\n", f->label, path);
			corpus_free(&c);
			continue;
		}
		measure(f, &c);
		corpus_free(&c);
	}
	return true;
}
