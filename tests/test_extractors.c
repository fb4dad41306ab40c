/*
 * The DOCX, PDF and image (OCR) extractors (ingest/extract_*.c), white
 * box through the registry.  Every fixture is made at run time: DOCX with
 * libzip (a ZIP bomb from a raw deflate stream of repeated blocks, so
 * nothing near its size is ever allocated or compressed), PDF and PNG
 * with cairo, JPEG and TIFF with Leptonica from the cairo PNG, an
 * encrypted PDF with qpdf when it is installed (skipped with a message
 * when not).  A format this build lacks is skipped (OYL_HAVE_...).
 */
#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/extract.h"
#include "ingest/text.h"
#include "oyl/oyl.h"

#ifdef OYL_HAVE_DOCX
#include <zip.h>
#include <zlib.h>
#endif
#if defined(OYL_HAVE_PDF) || defined(OYL_HAVE_OCR)
#include <cairo.h>
#endif
#ifdef OYL_HAVE_PDF
#include <cairo-pdf.h>
#endif
#ifdef OYL_HAVE_OCR
#include <leptonica/allheaders.h>
#endif

#define LIMIT ((size_t)16 << 20)
/* Helpers a build without some formats leaves unused. */
#define HELPER static __attribute__((unused))
#define MIME_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

/* ---- running an extractor ------------------------------------------- */

typedef struct got {
	oyl__text t;
	oyl__extract_ctx ctx;
	int st;
	/* progress seen */
	size_t calls, last, cancel_at;
	int cancel_with;
	int went_back; /* a call reported less than the one before */
	size_t n;
} got;

HELPER int on_progress(size_t done, void *payload)
{
	got *g = payload;
	if (done < g->last || done > g->n)
		g->went_back = 1;
	g->last = done;
	if (++g->calls >= g->cancel_at && g->cancel_with)
		return g->cancel_with;
	return 0;
}

/* Extracts data as `mime`, by the registry's extractor, with progress
 * watched (cancel_with non-zero: returned from call cancel_at on). */
HELPER void extract_ex(got *g, const char *mime, const void *data, size_t n, size_t limit,
		       size_t cancel_at, int cancel_with)
{
	const oyl__extractor *x = oyl__extractor_for(mime);
	ck_assert_msg(x != NULL, "no extractor for %s", mime);
	memset(g, 0, sizeof *g);
	oyl__text_init(&g->t, limit);
	g->ctx.mime_type = mime;
	g->ctx.name = "fixture";
	g->ctx.progress = on_progress;
	g->ctx.payload = g;
	g->n = n;
	g->cancel_at = cancel_at;
	g->cancel_with = cancel_with;
	g->st = x->extract(data, n, &g->t, &g->ctx);
}

HELPER void extract(got *g, const char *mime, const void *data, size_t n)
{
	extract_ex(g, mime, data, n, LIMIT, 0, 0);
}

HELPER void done(got *g)
{
	oyl__text_free(&g->t);
}

HELPER void assert_fails(got *g, int st, const char *msg_part)
{
	ck_assert_msg(g->st == st, "status %d (%s), wanted %d", g->st, g->ctx.errmsg, st);
	ck_assert_msg(strstr(g->ctx.errmsg, msg_part) != NULL, "message \"%s\" lacks \"%s\"",
		      g->ctx.errmsg, msg_part);
}

HELPER double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A growable byte buffer (fixtures written by libraries into memory). */
typedef struct buf {
	unsigned char *p;
	size_t n, cap;
} buf;

HELPER void buf_put(buf *b, const void *data, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

/* ---- DOCX ------------------------------------------------------------- */
#ifdef OYL_HAVE_DOCX

#define W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define CONTENT_TYPES                                                                              \
	XML_DECL                                                                                   \
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"           \
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"                             \
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/"                     \
	"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"

typedef struct part {
	const char *name;
	const char *body;
} part;

/* The bytes of a ZIP being written into `mem` (closed first). */
static unsigned char *zip_bytes(zip_t *za, zip_source_t *mem, size_t *n)
{
	ck_assert_int_eq(zip_close(za), 0);
	zip_stat_t st;
	zip_stat_init(&st);
	ck_assert_int_eq(zip_source_stat(mem, &st), 0);
	unsigned char *p = malloc(st.size ? st.size : 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(zip_source_open(mem), 0);
	ck_assert_int_eq(zip_source_read(mem, p, st.size), (zip_int64_t)st.size);
	zip_source_close(mem);
	zip_source_free(mem);
	*n = st.size;
	return p;
}

/* A ZIP in memory to add parts to: zip_bytes() ends it. */
static zip_t *zip_new(zip_source_t **mem)
{
	zip_error_t err;
	zip_error_init(&err);
	*mem = zip_source_buffer_create(NULL, 0, 0, &err);
	ck_assert_ptr_nonnull(*mem);
	zip_t *za = zip_open_from_source(*mem, ZIP_TRUNCATE, &err);
	ck_assert_ptr_nonnull(za);
	zip_source_keep(*mem);
	zip_error_fini(&err);
	return za;
}

static void zip_put(zip_t *za, const char *name, const char *body)
{
	zip_source_t *s = zip_source_buffer(za, body, strlen(body), 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ge(zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8), 0);
}

static unsigned char *zip_of(const part *parts, size_t nparts, size_t *n)
{
	zip_source_t *mem;
	zip_t *za = zip_new(&mem);
	for (size_t i = 0; i < nparts; i++)
		zip_put(za, parts[i].name, parts[i].body);
	return zip_bytes(za, mem, n);
}

/* A DOCX whose word/document.xml is `xml`. */
static unsigned char *docx_of(const char *xml, size_t *n)
{
	part parts[] = {{"[Content_Types].xml", CONTENT_TYPES}, {"word/document.xml", xml}};
	return zip_of(parts, 2, n);
}

static const char DOC[] =
	XML_DECL "<w:document xmlns:w=\"" W "\" "
	"xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><w:body>"
	/* Title */
	"<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>Annual</w:t></w:r>"
	"<w:r><w:t xml:space=\"preserve\"> Report</w:t></w:r></w:p>"
	"<w:p><w:r><w:t xml:space=\"preserve\">First paragraph with </w:t></w:r>"
	"<w:r><w:rPr><w:b/></w:rPr><w:t>bold</w:t></w:r>"
	"<w:r><w:t xml:space=\"preserve\"> text.</w:t></w:r></w:p>"
	/* Heading1, with tab stops (w:tab that is not text) */
	"<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/>"
	"</w:tabs></w:pPr><w:r><w:t>Results</w:t></w:r></w:p>"
	/* a line break, a tab, a field code and deleted text */
	"<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>line two</w:t><w:tab/><w:t>after tab</w:t>"
	"<w:instrText> PAGE </w:instrText><w:delText>deleted</w:delText></w:r></w:p>"
	/* Heading2, spelt as a style name */
	"<w:p><w:pPr><w:pStyle w:val=\"heading 2\"/></w:pPr><w:r><w:t>Details</w:t></w:r></w:p>"
	/* a 2x3 table; a cell of two paragraphs, an empty cell */
	"<w:tbl><w:tblPr/><w:tr>"
	"<w:tc><w:p><w:r><w:t>Name</w:t></w:r></w:p></w:tc>"
	"<w:tc><w:p><w:r><w:t>Qty</w:t></w:r></w:p></w:tc>"
	"<w:tc><w:p><w:r><w:t>Price</w:t></w:r></w:p></w:tc></w:tr><w:tr>"
	"<w:tc><w:p><w:r><w:t>Apple</w:t></w:r></w:p></w:tc>"
	"<w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p><w:p><w:r><w:t>boxes</w:t></w:r></w:p></w:tc>"
	"<w:tc><w:p/></w:tc></w:tr></w:tbl>"
	/* markup compatibility: the fallback repeats the choice */
	"<w:p><w:r><w:t xml:space=\"preserve\">Box: </w:t>"
	"<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:t>chosen</w:t></mc:Choice>"
	"<mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
	"<w:p><w:r><w:t>The end.</w:t></w:r></w:p><w:sectPr/></w:body></w:document>";

static const char DOC_TEXT[] = "Annual Report\n\n"
			       "First paragraph with bold text.\n\n"
			       "Results\n\n"
			       "Line one\nline two\tafter tab\n\n"
			       "Details\n\n"
			       "Name | Qty | Price\n"
			       "Apple | 3 boxes |\n\n"
			       "Box: chosen\n\n"
			       "The end.\n\n";

static void assert_section(const oyl__text *t, size_t i, int level, const char *title)
{
	ck_assert_uint_gt(t->nmarks, i);
	const oyl__mark *m = &t->marks[i];
	ck_assert_int_eq(m->kind, OYL__MARK_SECTION);
	ck_assert_int_eq(m->level, level);
	ck_assert_str_eq(m->title, title);
	const char *at = strstr(oyl__text_str(t), title);
	ck_assert_ptr_nonnull(at);
	ck_assert_uint_eq(m->at, (size_t)(at - oyl__text_str(t)));
}

START_TEST(docx_text_tables_and_sections)
{
	size_t n;
	unsigned char *d = docx_of(DOC, &n);
	ck_assert_str_eq(oyl__sniff_mime(d, n, "upload.bin"), MIME_DOCX);
	got g;
	extract(&g, MIME_DOCX, d, n);
	ck_assert_msg(g.st == OYL_OK, "%d %s", g.st, g.ctx.errmsg);
	ck_assert_str_eq(oyl__text_str(&g.t), DOC_TEXT);
	ck_assert_uint_eq(g.t.nmarks, 3);
	assert_section(&g.t, 0, 1, "Annual Report");
	ck_assert_uint_eq(g.t.marks[0].at, 0);
	assert_section(&g.t, 1, 1, "Results");
	assert_section(&g.t, 2, 2, "Details");
	/* progress: at least the final call, never past n nor backwards */
	ck_assert_uint_ge(g.calls, 1);
	ck_assert_uint_eq(g.last, n);
	ck_assert_int_eq(g.went_back, 0);
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_refuses_what_is_not_a_docx)
{
	got g;
	static const char junk[] = "PK\3\4 this is not really a zip archive";
	extract(&g, MIME_DOCX, junk, sizeof junk - 1);
	assert_fails(&g, OYL_EINVAL, "not a ZIP archive");
	done(&g);

	extract(&g, MIME_DOCX, "", 0);
	assert_fails(&g, OYL_EINVAL, "not a DOCX file");
	done(&g);

	size_t n;
	part parts[] = {{"[Content_Types].xml", CONTENT_TYPES}, {"word/other.xml", "<a/>"}};
	unsigned char *d = zip_of(parts, 2, &n);
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "not a DOCX file: no word/document.xml");
	done(&g);
	free(d);

	d = docx_of(XML_DECL "<w:document xmlns:w=\"" W "\"><w:body><w:p><w:r><w:t>cut",
		    &n);
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "malformed word/document.xml");
	done(&g);
	free(d);

	d = docx_of(XML_DECL "<w:document xmlns:w=\"" W "\"><w:body><w:p></w:r></w:body>", &n);
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "malformed word/document.xml");
	done(&g);
	free(d);

	d = docx_of(XML_DECL "<html><body><p>hello</p></body></html>", &n);
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "not a WordprocessingML document");
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_refuses_entities)
{
	/* A DOCTYPE (Word writes none) is refused; entities are never
	 * expanded, and a billion laughs is stopped by the parser already. */
	size_t n;
	unsigned char *d = docx_of(XML_DECL "<!DOCTYPE w:document>"
					    "<w:document xmlns:w=\"" W "\"><w:body/></w:document>",
				   &n);
	got g;
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "not a DOCX file: word/document.xml has a DOCTYPE");
	done(&g);
	free(d);

	d = docx_of(
		XML_DECL "<!DOCTYPE w:document [<!ENTITY a \"aaaaaaaaaa\">"
			 "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
			 "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
			 "<w:document xmlns:w=\"" W "\"><w:body>"
			 "<w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>",
		&n);
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "not a DOCX file");
	ck_assert_uint_eq(g.t.n, 0);
	done(&g);
	free(d);
}
END_TEST

/*
 * A ZIP bomb: word/document.xml as a raw deflate stream made of one
 * compressed block of 1 MiB ("<w:p/>" every 16 KiB, spaces) repeated `mib` times
 * between a head and a tail, each block compressed on its own with a
 * full flush so that the copies may follow one another.  The ZIP's
 * headers declare `declared` bytes (a lie when it is not the real size).
 */
#define BOMB_UNIT 16384
#define BOMB_BLOCK ((size_t)1 << 20)
static const char BOMB_HEAD[] = XML_DECL "<w:document xmlns:w=\"" W "\"><w:body>";
static const char BOMB_TAIL[] = "</w:body></w:document>";

typedef struct bomb {
	unsigned char *head, *block, *tail; /* deflated */
	size_t nhead, nblock, ntail;
	size_t copies;
	zip_uint64_t size, declared, comp;
	uLong crc;
	zip_uint64_t pos; /* read position in the deflated stream */
} bomb;

/* Deflates s[0..n) raw, ending with a full flush or (last) the final block. */
static unsigned char *deflate_part(const void *s, size_t n, int last, size_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, (uLong)n) + 64;
	unsigned char *p = malloc(cap);
	ck_assert_ptr_nonnull(p);
	z.next_in = (Bytef *)s;
	z.avail_in = (uInt)n;
	z.next_out = p;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH);
	ck_assert_int_eq(rc, last ? Z_STREAM_END : Z_OK);
	ck_assert_uint_eq(z.avail_in, 0);
	*out = cap - z.avail_out;
	deflateEnd(&z);
	return p;
}

static void bomb_make(bomb *b, size_t mib, zip_uint64_t declared)
{
	memset(b, 0, sizeof *b);
	char *block = malloc(BOMB_BLOCK);
	ck_assert_ptr_nonnull(block);
	memset(block, ' ', BOMB_BLOCK);
	for (size_t i = 0; i < BOMB_BLOCK; i += BOMB_UNIT)
		memcpy(block + i, "<w:p/>", 6);
	b->head = deflate_part(BOMB_HEAD, sizeof BOMB_HEAD - 1, 0, &b->nhead);
	b->block = deflate_part(block, BOMB_BLOCK, 0, &b->nblock);
	b->tail = deflate_part(BOMB_TAIL, sizeof BOMB_TAIL - 1, 1, &b->ntail);
	b->copies = mib;
	b->size = sizeof BOMB_HEAD - 1 + mib * BOMB_BLOCK + sizeof BOMB_TAIL - 1;
	b->declared = declared ? declared : b->size;
	b->comp = b->nhead + mib * b->nblock + b->ntail;
	uLong crc_block = crc32(0, (const Bytef *)block, BOMB_BLOCK);
	b->crc = crc32(0, (const Bytef *)BOMB_HEAD, sizeof BOMB_HEAD - 1);
	for (size_t i = 0; i < mib; i++)
		b->crc = crc32_combine(b->crc, crc_block, BOMB_BLOCK);
	b->crc = crc32_combine(b->crc, crc32(0, (const Bytef *)BOMB_TAIL, sizeof BOMB_TAIL - 1),
			       sizeof BOMB_TAIL - 1);
	free(block);
}

static void bomb_free(bomb *b)
{
	free(b->head);
	free(b->block);
	free(b->tail);
}

/* The source of the bomb's part: already deflated, as its stat says, so
 * libzip copies it as it is (and writes the declared size). */
static zip_int64_t bomb_source(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	bomb *b = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		b->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t got = 0;
		while (got < len && b->pos < b->comp) {
			const unsigned char *src;
			zip_uint64_t off, avail;
			if (b->pos < b->nhead) {
				src = b->head;
				off = b->pos;
				avail = b->nhead;
			} else if (b->pos < b->nhead + b->copies * b->nblock) {
				src = b->block;
				off = (b->pos - b->nhead) % b->nblock;
				avail = b->nblock;
			} else {
				src = b->tail;
				off = b->pos - b->nhead - b->copies * b->nblock;
				avail = b->ntail;
			}
			zip_uint64_t k = avail - off < len - got ? avail - off : len - got;
			memcpy((unsigned char *)data + got, src + off, k);
			got += k;
			b->pos += k;
		}
		return (zip_int64_t)got;
	}
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->size = b->declared;
		st->comp_size = b->comp;
		st->comp_method = ZIP_CM_DEFLATE;
		st->crc = (zip_uint32_t)b->crc;
		st->valid |= ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
		st->valid |= ZIP_STAT_CRC;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		memset(data, 0, 2 * sizeof(int));
		return 2 * sizeof(int);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

static unsigned char *bomb_docx(size_t mib, zip_uint64_t declared, size_t *n)
{
	bomb b;
	bomb_make(&b, mib, declared);
	zip_source_t *mem;
	zip_t *za = zip_new(&mem);
	zip_put(za, "[Content_Types].xml", CONTENT_TYPES);
	zip_source_t *s = zip_source_function(za, bomb_source, &b);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ge(zip_file_add(za, "word/document.xml", s, 0), 0);
	unsigned char *d = zip_bytes(za, mem, n);
	bomb_free(&b);
	return d;
}

START_TEST(docx_bomb_is_refused_by_its_size)
{
	/* 300 MiB that deflate to about 300 KB: refused before inflating */
	size_t n;
	unsigned char *d = bomb_docx(300, 0, &n);
	ck_assert_uint_lt(n, 2 << 20);
	got g;
	double t0 = seconds();
	extract(&g, MIME_DOCX, d, n);
	double took = seconds() - t0;
	assert_fails(&g, OYL_EINVAL, "the DOCX expands past the limit");
	ck_assert_msg(took < 5, "took %.1f s", took);
	ck_assert_uint_eq(g.t.n, 0);
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_bomb_is_refused_by_its_ratio)
{
	/* 20 MiB is under the size bound, but at ~1000:1 past the ratio */
	size_t n;
	unsigned char *d = bomb_docx(20, 0, &n);
	got g;
	extract(&g, MIME_DOCX, d, n);
	assert_fails(&g, OYL_EINVAL, "the DOCX expands past the limit");
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_bomb_with_a_lying_header_is_stopped_while_inflating)
{
	/* 64 MiB whose headers say 4 KiB: the bytes actually inflated are
	 * counted, and past 16 MiB at this ratio they stop. */
	size_t n;
	unsigned char *d = bomb_docx(64, 4096, &n);
	got g;
	double t0 = seconds();
	extract(&g, MIME_DOCX, d, n);
	double took = seconds() - t0;
	assert_fails(&g, OYL_EINVAL, "the DOCX expands past the limit");
	ck_assert_msg(strstr(g.ctx.errmsg, "inflated to") != NULL, "%s", g.ctx.errmsg);
	ck_assert_msg(took < 30, "took %.1f s", took); /* 6 s under valgrind */
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_stops_at_the_text_limit)
{
	size_t n;
	unsigned char *d = docx_of(DOC, &n);
	got g;
	extract_ex(&g, MIME_DOCX, d, n, 40, 0, 0);
	ck_assert_int_eq(g.st, OYL_EINVAL);
	ck_assert_int_eq(g.t.status, OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(g.t.errmsg, "limit"));
	ck_assert_uint_le(g.t.n, 40);
	done(&g);
	free(d);
}
END_TEST

START_TEST(docx_progress_cancels)
{
	size_t n;
	unsigned char *d = docx_of(DOC, &n);
	got g;
	extract_ex(&g, MIME_DOCX, d, n, LIMIT, 1, 42);
	ck_assert_int_eq(g.st, 42);
	ck_assert_uint_eq(g.calls, 1);
	done(&g);
	free(d);

	/* a bigger part reports on the way (every MiB inflated) */
	static const char para[] =
		"<w:p><w:r><w:t>Some words of a long document.</w:t></w:r></w:p>";
	size_t count = 40000, len = strlen(para);
	char *xml = malloc(count * len + 512);
	ck_assert_ptr_nonnull(xml);
	char *p = xml + sprintf(xml, XML_DECL "<w:document xmlns:w=\"" W "\"><w:body>");
	for (size_t i = 0; i < count; i++, p += len)
		memcpy(p, para, len);
	strcpy(p, "</w:body></w:document>");
	d = docx_of(xml, &n);
	extract(&g, MIME_DOCX, d, n);
	ck_assert_int_eq(g.st, OYL_OK);
	ck_assert_uint_ge(g.calls, 2);
	ck_assert_uint_eq(g.last, n);
	ck_assert_int_eq(g.went_back, 0);
	done(&g);
	extract_ex(&g, MIME_DOCX, d, n, LIMIT, 1, 7);
	ck_assert_int_eq(g.st, 7);
	ck_assert_uint_lt(g.t.n, count * 30); /* stopped early */
	done(&g);
	free(d);
	free(xml);
}
END_TEST

#endif /* OYL_HAVE_DOCX */

/* ---- PDF -------------------------------------------------------------- */
#if defined(OYL_HAVE_PDF) || defined(OYL_HAVE_OCR)

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int n)
{
	buf_put(closure, data, n);
	return CAIRO_STATUS_SUCCESS;
}

#endif
#ifdef OYL_HAVE_PDF

#define MIME_PDF "application/pdf"

static const char *const PAGE1[] = {
	"Introduction",
	"The extractor joins the lines of a paragraph with spaces, and a word",
	"that a line end splits with a hyphen is joined up again, as this exam-",
	"ple shows. A compound that is split at a line end, such as the well-",
	"Known case, keeps its hyphen. The end.",
	"A second paragraph follows on the same page.",
	NULL};
static const char *const PAGE2[] = {"Page two starts here and runs on", "for a second line.",
				    NULL};

#define PAGE1_TEXT                                                                                 \
	"Introduction\n\n"                                                                         \
	"The extractor joins the lines of a paragraph with spaces, and a word that a line end "    \
	"splits with a hyphen is joined up again, as this example shows. A compound that is "      \
	"split at a line end, such as the well-Known case, keeps its hyphen. The end.\n\n"         \
	"A second paragraph follows on the same page.\n\n"
#define PAGE2_TEXT "Page two starts here and runs on for a second line.\n\n"

/* A PDF of pages of lines (an empty page: no lines), A4, 11 pt sans. */
static unsigned char *render_pdf(const char *const *const *pages, int npages, size_t *n)
{
	buf b = {0};
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_buf, &b, 595, 842);
	cairo_t *cr = cairo_create(s);
	cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	for (int p = 0; p < npages; p++) {
		for (int i = 0; pages[p] && pages[p][i]; i++) {
			cairo_move_to(cr, 60, 80 + 15 * i);
			cairo_show_text(cr, pages[p][i]);
		}
		cairo_show_page(cr);
	}
	cairo_destroy(cr);
	cairo_surface_finish(s);
	ck_assert_int_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	*n = b.n;
	return b.p;
}

static unsigned char *two_pages(size_t *n)
{
	const char *const *pages[] = {PAGE1, PAGE2};
	return render_pdf(pages, 2, n);
}

START_TEST(pdf_pages_paragraphs_and_hyphens)
{
	size_t n;
	unsigned char *d = two_pages(&n);
	ck_assert_str_eq(oyl__sniff_mime(d, n, NULL), MIME_PDF);
	got g;
	extract(&g, MIME_PDF, d, n);
	ck_assert_msg(g.st == OYL_OK, "%d %s", g.st, g.ctx.errmsg);
	const char *text = oyl__text_str(&g.t);
	ck_assert_ptr_nonnull(strstr(text, "this example shows"));
	ck_assert_ptr_nonnull(strstr(text, "the well-Known case"));
	ck_assert_str_eq(text, PAGE1_TEXT PAGE2_TEXT);
	ck_assert_uint_eq(g.t.nmarks, 2);
	ck_assert_int_eq(g.t.marks[0].kind, OYL__MARK_PAGE);
	ck_assert_int_eq(g.t.marks[0].page, 1);
	ck_assert_uint_eq(g.t.marks[0].at, 0);
	ck_assert_int_eq(g.t.marks[1].kind, OYL__MARK_PAGE);
	ck_assert_int_eq(g.t.marks[1].page, 2);
	ck_assert_uint_eq(g.t.marks[1].at, strlen(PAGE1_TEXT));
	/* progress after each page is read (0.45, 0.9 of the bytes), then all */
	ck_assert_uint_eq(g.calls, 3);
	ck_assert_uint_eq(g.last, n);
	ck_assert_int_eq(g.went_back, 0);
	done(&g);

	extract_ex(&g, MIME_PDF, d, n, LIMIT, 1, 9);
	ck_assert_int_eq(g.st, 9);
	ck_assert_uint_eq(g.t.nmarks, 0); /* stopped once page 1 was read, nothing kept */
	done(&g);
	free(d);
}
END_TEST

START_TEST(pdf_without_text_is_empty)
{
	const char *const *pages[] = {NULL};
	size_t n;
	unsigned char *d = render_pdf(pages, 1, &n);
	got g;
	extract(&g, MIME_PDF, d, n);
	ck_assert_int_eq(g.st, OYL_OK);
	ck_assert_uint_eq(g.t.n, 0);
	ck_assert_uint_eq(g.t.nmarks, 1);
	done(&g);
	free(d);
}
END_TEST

START_TEST(pdf_damaged_is_refused)
{
	size_t n;
	unsigned char *d = two_pages(&n);
	got g;
	extract(&g, MIME_PDF, d, n / 2);
	assert_fails(&g, OYL_EINVAL, "not a readable PDF: ");
	ck_assert_uint_eq(g.t.n, 0);
	done(&g);
	static const char junk[] = "%PDF-1.7\nnothing else here\n";
	extract(&g, MIME_PDF, junk, sizeof junk - 1);
	assert_fails(&g, OYL_EINVAL, "not a readable PDF: ");
	done(&g);
	free(d);
}
END_TEST

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	buf b = {0};
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, k);
	fclose(f);
	*n = b.n;
	return b.p;
}

/* Runs qpdf --encrypt with user password `user` on a PDF; NULL (after a
 * message) when qpdf is not installed. */
static unsigned char *qpdf_encrypt(const unsigned char *pdf, size_t n, const char *user,
				   size_t *out)
{
	if (system("qpdf --version >/dev/null 2>&1") != 0) {
		printf("SKIP: encrypted PDF case: qpdf is not installed (Debian package qpdf)\n");
		fflush(stdout);
		return NULL;
	}
	char dir[] = "/tmp/oyl-extract-XXXXXX", in[64], enc[64], cmd[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(in, sizeof in, "%s/in.pdf", dir);
	snprintf(enc, sizeof enc, "%s/enc.pdf", dir);
	FILE *f = fopen(in, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(pdf, 1, n, f), n);
	fclose(f);
	snprintf(cmd, sizeof cmd, "qpdf --encrypt '%s' owner 256 -- %s %s", user, in, enc);
	ck_assert_int_eq(system(cmd), 0);
	unsigned char *d = slurp(enc, out);
	unlink(in);
	unlink(enc);
	rmdir(dir);
	return d;
}

START_TEST(pdf_encrypted_is_refused)
{
	size_t n, ne;
	unsigned char *d = two_pages(&n);
	unsigned char *e = qpdf_encrypt(d, n, "user", &ne);
	if (e) {
		got g;
		extract(&g, MIME_PDF, e, ne);
		assert_fails(&g, OYL_EINVAL, "the PDF is encrypted");
		done(&g);
		free(e);
		/* encrypted without a user password: anyone may open it */
		e = qpdf_encrypt(d, n, "", &ne);
		extract(&g, MIME_PDF, e, ne);
		ck_assert_int_eq(g.st, OYL_OK);
		ck_assert_str_eq(oyl__text_str(&g.t), PAGE1_TEXT PAGE2_TEXT);
		done(&g);
		free(e);
	}
	free(d);
}
END_TEST

#endif /* OYL_HAVE_PDF */

/* ---- OCR -------------------------------------------------------------- */
#ifdef OYL_HAVE_OCR

static const char *const FOX[] = {"The quick brown fox jumps", "over the lazy dog 12345", NULL};
static const char *const JUGS[] = {"Pack my box with five", "dozen liquor jugs 67890", NULL};

/* A PNG of lines of black text on white, about 300 dpi at 18 pt. */
static unsigned char *render_png(const char *const *lines, size_t *n)
{
	int nlines = 0;
	while (lines[nlines])
		nlines++;
	cairo_surface_t *s =
		cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1800, 120 + 110 * nlines);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 75);
	for (int i = 0; i < nlines; i++) {
		cairo_move_to(cr, 60, 130 + 110 * i);
		cairo_show_text(cr, lines[i]);
	}
	cairo_destroy(cr);
	buf b = {0};
	ck_assert_int_eq(cairo_surface_write_to_png_stream(s, to_buf, &b), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	*n = b.n;
	return b.p;
}

/* The share of the lines' words found as whole words in text. */
static double words_found(const char *text, const char *const *lines)
{
	int all = 0, found = 0;
	for (int i = 0; lines[i]; i++) {
		char copy[128], *save = NULL;
		snprintf(copy, sizeof copy, "%s", lines[i]);
		for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			all++;
			size_t k = strlen(w);
			for (const char *p = strstr(text, w); p; p = strstr(p + 1, w)) {
				int left = p == text || !isalnum((unsigned char)p[-1]);
				int right = !isalnum((unsigned char)p[k]);
				if (left && right) {
					found++;
					break;
				}
			}
		}
	}
	return all ? (double)found / all : 0;
}

static void assert_reads(const char *mime, const unsigned char *d, size_t n)
{
	got g;
	extract(&g, mime, d, n);
	ck_assert_msg(g.st == OYL_OK, "%d %s", g.st, g.ctx.errmsg);
	double share = words_found(oyl__text_str(&g.t), FOX);
	ck_assert_msg(share >= 0.9, "%s: %.0f%% of the words in \"%s\"", mime, share * 100,
		      oyl__text_str(&g.t));
	ck_assert_uint_eq(g.t.nmarks, 0);
	ck_assert_uint_eq(g.last, n);
	done(&g);
}

START_TEST(ocr_reads_png_and_jpeg)
{
	size_t n;
	unsigned char *png = render_png(FOX, &n);
	ck_assert_str_eq(oyl__sniff_mime(png, n, NULL), "image/png");
	assert_reads("image/png", png, n);

	PIX *pix = pixReadMem(png, n);
	ck_assert_ptr_nonnull(pix);
	l_uint8 *jpeg = NULL;
	size_t nj = 0;
	ck_assert_int_eq(pixWriteMemJpeg(&jpeg, &nj, pix, 90, 0), 0);
	ck_assert_str_eq(oyl__sniff_mime(jpeg, nj, NULL), "image/jpeg");
	assert_reads("image/jpeg", jpeg, nj);
	lept_free(jpeg);
	pixDestroy(&pix);
	free(png);
}
END_TEST

START_TEST(ocr_reads_tiff_pages)
{
	size_t n1, n2;
	unsigned char *p1 = render_png(FOX, &n1), *p2 = render_png(JUGS, &n2);
	PIXA *pixa = pixaCreate(2);
	pixaAddPix(pixa, pixReadMem(p1, n1), L_INSERT);
	pixaAddPix(pixa, pixReadMem(p2, n2), L_INSERT);
	ck_assert_int_eq(pixaGetCount(pixa), 2);
	l_uint8 *tiff = NULL;
	size_t nt = 0;
	ck_assert_int_eq(pixaWriteMemMultipageTiff(&tiff, &nt, pixa), 0);
	ck_assert_str_eq(oyl__sniff_mime(tiff, nt, NULL), "image/tiff");

	got g;
	extract(&g, "image/tiff", tiff, nt);
	ck_assert_msg(g.st == OYL_OK, "%d %s", g.st, g.ctx.errmsg);
	const char *text = oyl__text_str(&g.t);
	ck_assert_uint_eq(g.t.nmarks, 2);
	ck_assert_int_eq(g.t.marks[0].page, 1);
	ck_assert_uint_eq(g.t.marks[0].at, 0);
	ck_assert_int_eq(g.t.marks[1].page, 2);
	size_t at = g.t.marks[1].at;
	ck_assert_uint_gt(at, 0);
	/* page 1's words before page 2's mark, page 2's after it */
	char *first = strndup(text, at);
	ck_assert_msg(words_found(first, FOX) >= 0.9, "page 1: \"%s\"", first);
	ck_assert_msg(words_found(first, JUGS) < 0.5, "page 1: \"%s\"", first);
	ck_assert_msg(words_found(text + at, JUGS) >= 0.9, "page 2: \"%s\"", text + at);
	free(first);
	ck_assert_uint_eq(g.last, nt);
	ck_assert_int_eq(g.went_back, 0);
	done(&g);
	lept_free(tiff);
	pixaDestroy(&pixa);
	free(p1);
	free(p2);
}
END_TEST

/* The CRC of a PNG chunk (type and data), as PNG defines it. */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

START_TEST(ocr_refuses_bad_images)
{
	got g;
	static const char junk[] = "\x89PNG\r\n\x1a\n this is no image at all";
	extract(&g, "image/png", junk, sizeof junk - 1);
	assert_fails(&g, OYL_EINVAL, "not a readable image");
	done(&g);
	extract(&g, "image/jpeg", "\xff\xd8\xff\xe0", 4);
	assert_fails(&g, OYL_EINVAL, "not a readable image");
	done(&g);
	extract(&g, "image/tiff", "II*\0\x08\0\0\0", 8);
	assert_fails(&g, OYL_EINVAL, "not a readable image");
	done(&g);

	/* a PNG whose header says 20000 x 20000 pixels: refused undecoded */
	size_t n;
	unsigned char *png = render_png(FOX, &n);
	ck_assert(memcmp(png + 12, "IHDR", 4) == 0);
	put_be32(png + 16, 20000);
	put_be32(png + 20, 20000);
	put_be32(png + 29, png_crc(png + 12, 17));
	double t0 = seconds();
	extract(&g, "image/png", png, n);
	assert_fails(&g, OYL_EINVAL, "the image is too large");
	ck_assert(seconds() - t0 < 5);
	done(&g);

	/* the first half of a PNG */
	free(png);
	png = render_png(FOX, &n);
	extract(&g, "image/png", png, n / 2);
	assert_fails(&g, OYL_EINVAL, "not a readable image");
	done(&g);
	free(png);
}
END_TEST

START_TEST(ocr_progress_cancels)
{
	size_t n;
	unsigned char *png = render_png(FOX, &n);
	got g;
	extract_ex(&g, "image/png", png, n, LIMIT, 1, 5);
	ck_assert_int_eq(g.st, 5);
	ck_assert_uint_eq(g.calls, 1);
	ck_assert_uint_le(g.last, n);
	done(&g);
	free(png);
}
END_TEST

#endif /* OYL_HAVE_OCR */

START_TEST(registry_knows_the_built_formats)
{
	static const struct {
		const char *mime;
		const oyl__extractor *x;
		int built;
	} want[] = {
#ifdef OYL_HAVE_DOCX
		{MIME_DOCX, &oyl__extract_docx, 1},
#else
		{MIME_DOCX, NULL, 0},
#endif
#ifdef OYL_HAVE_PDF
		{"application/pdf", &oyl__extract_pdf, 1},
#else
		{"application/pdf", NULL, 0},
#endif
#ifdef OYL_HAVE_OCR
		{"image/png", &oyl__extract_ocr, 1},
		{"image/jpeg", &oyl__extract_ocr, 1},
		{"image/tiff", &oyl__extract_ocr, 1},
#else
		{"image/png", NULL, 0},
		{"image/jpeg", NULL, 0},
		{"image/tiff", NULL, 0},
#endif
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_ptr_eq(oyl__extractor_for(want[i].mime), want[i].x);
		if (want[i].built) {
			ck_assert_ptr_null(oyl__extractor_missing(want[i].mime));
			/* the extractor lists the type it is registered for */
			int listed = 0;
			for (const char *const *m = want[i].x->mime_types; *m; m++)
				listed |= strcmp(*m, want[i].mime) == 0;
			ck_assert(listed);
		} else {
			ck_assert_ptr_nonnull(oyl__extractor_missing(want[i].mime));
		}
	}
}
END_TEST

/*
 * `test_extractors --fixtures DIR` writes the hostile files other tests
 * feed through the public API (test_bad_input): bomb.docx (300 MiB that
 * deflate to about 300 KB), truncated.pdf, encrypted.pdf (when qpdf is
 * installed).  The makers stay here, in one place.
 */
static void put_file(const char *dir, const char *name, const unsigned char *d, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(d, 1, n, f), n);
	fclose(f);
}

static const char *fixtures_dir;

START_TEST(write_fixtures)
{
	const char *dir = fixtures_dir;
	size_t n;
	unsigned char *d;
	(void)n, (void)d, (void)put_file;
#ifdef OYL_HAVE_DOCX
	d = bomb_docx(300, 0, &n);
	put_file(dir, "bomb.docx", d, n);
	free(d);
#endif
#ifdef OYL_HAVE_PDF
	d = two_pages(&n);
	put_file(dir, "truncated.pdf", d, n / 2);
	size_t en;
	unsigned char *e = qpdf_encrypt(d, n, "secret", &en);
	if (e)
		put_file(dir, "encrypted.pdf", e, en);
	free(e);
	free(d);
#endif
}
END_TEST

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
		/* the makers assert as they go: they run as a test of their own */
		fixtures_dir = argv[2];
		Suite *fs = suite_create("fixtures");
		TCase *ftc = tcase_create("fixtures");
		tcase_set_timeout(ftc, 120);
		tcase_add_test(ftc, write_fixtures);
		suite_add_tcase(fs, ftc);
		SRunner *fr = srunner_create(fs);
		srunner_set_fork_status(fr, CK_NOFORK);
		srunner_run_all(fr, CK_SILENT);
		int failed = srunner_ntests_failed(fr);
		srunner_free(fr);
		return failed ? 1 : 0;
	}
	Suite *s = suite_create("extractors");
	TCase *tc = tcase_create("registry");
	tcase_add_test(tc, registry_knows_the_built_formats);
	suite_add_tcase(s, tc);
#ifdef OYL_HAVE_DOCX
	tc = tcase_create("docx");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, docx_text_tables_and_sections);
	tcase_add_test(tc, docx_refuses_what_is_not_a_docx);
	tcase_add_test(tc, docx_refuses_entities);
	tcase_add_test(tc, docx_bomb_is_refused_by_its_size);
	tcase_add_test(tc, docx_bomb_is_refused_by_its_ratio);
	tcase_add_test(tc, docx_bomb_with_a_lying_header_is_stopped_while_inflating);
	tcase_add_test(tc, docx_stops_at_the_text_limit);
	tcase_add_test(tc, docx_progress_cancels);
	suite_add_tcase(s, tc);
#else
	printf("SKIP: DOCX: this build has no libzip\n");
#endif
#ifdef OYL_HAVE_PDF
	tc = tcase_create("pdf");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pdf_pages_paragraphs_and_hyphens);
	tcase_add_test(tc, pdf_without_text_is_empty);
	tcase_add_test(tc, pdf_damaged_is_refused);
	tcase_add_test(tc, pdf_encrypted_is_refused);
	suite_add_tcase(s, tc);
#else
	printf("SKIP: PDF: this build has no poppler-glib\n");
#endif
#ifdef OYL_HAVE_OCR
	tc = tcase_create("ocr");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, ocr_reads_png_and_jpeg);
	tcase_add_test(tc, ocr_reads_tiff_pages);
	tcase_add_test(tc, ocr_refuses_bad_images);
	tcase_add_test(tc, ocr_progress_cancels);
	suite_add_tcase(s, tc);
#else
	printf("SKIP: OCR: this build has no Tesseract/Leptonica\n");
#endif
#ifdef OYL_HAVE_OCR
	setMsgSeverity(L_SEVERITY_NONE); /* Leptonica's errors on the bad images */
#endif
	fflush(stdout);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose lists the tests */
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
#if defined(OYL_HAVE_PDF) || defined(OYL_HAVE_OCR)
	cairo_debug_reset_static_data();
#endif
	return failed == 0 ? 0 : 1;
}
