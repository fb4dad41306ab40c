/*
 * DOCX: the text of the main part, word/document.xml, read from the ZIP
 * in memory (libzip) and parsed as it is inflated (an xmlTextReader over
 * a read callback): the part is never inflated whole.
 *
 * What becomes text:
 *   - a paragraph (w:p) is ended with a paragraph break;
 *   - a run's w:t is its text, w:tab a TAB, w:br and w:cr a line end;
 *     field codes (w:instrText), deleted text (w:delText) and the
 *     fallback copy of markup-compatibility content are left out;
 *   - a paragraph styled "Title" or "HeadingN" (w:pStyle, case folded,
 *     "heading N" too) is a section of level 1 or N titled with its text:
 *     its text is buffered until the paragraph ends, then the section is
 *     marked where the text begins;
 *   - a table (w:tbl) in reading order: one line a row, cells joined by
 *     " | ", paragraphs within a cell by spaces, the table ended with a
 *     paragraph break.  A nested table's cells are joined by spaces.
 *
 * ZIP bombs: the part is refused (OYL_EINVAL, "the DOCX expands past the
 * limit") when its declared size, or the bytes actually inflated, pass
 * 256 MiB, or pass 16 MiB at more than 200 times its compressed size;
 * the text's own size limit stops the reading earlier still.
 *
 * XML: no network, no DTD loading, no entity substitution, the parser's
 * default size limits (XML_PARSE_HUGE is never set); a document with a
 * DOCTYPE is refused (Word writes none).
 */
#include "ingest/extract.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

#define PART "word/document.xml"
#define MAX_INFLATED ((zip_uint64_t)256 << 20)
#define RATIO_FREE ((zip_uint64_t)16 << 20) /* below this, any ratio */
#define MAX_RATIO 200
#define PROGRESS_STEP ((zip_uint64_t)1 << 20) /* inflated bytes between calls */
#define TITLE_MAX 65536 /* heading text buffered; past it the rest goes straight out */

static const char W_NS[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
static const char W_NS_STRICT[] = "http://purl.oclc.org/ooxml/wordprocessingml/main";
static const char MC_NS[] = "http://schemas.openxmlformats.org/markup-compatibility/2006";

typedef struct docx {
	oyl__text *out;
	oyl__extract_ctx *ctx;
	size_t n; /* the input's size, for progress */

	/* The part being inflated. */
	zip_file_t *zf;
	zip_uint64_t size, comp; /* declared sizes (0: unknown) */
	zip_uint64_t inflated;
	zip_uint64_t next_progress;
	int too_big;      /* the inflated bytes passed a bound */
	int zip_failed;   /* libzip failed: zmsg says why */
	char zmsg[128];
	char xmsg[160];   /* the first XML error */
	int cancel;       /* a progress value that cancels */

	/* Where the reader is. */
	int rdepth;        /* w:r nesting */
	int pdepth;        /* w:p nesting (text boxes nest paragraphs) */
	int tdepth;        /* w:tbl nesting */
	int in_t;          /* inside w:t */
	int cells;         /* cells of the outermost table's current row */
	int cell_text;     /* the current cell has text */
	int pending_space; /* a space goes before the next text */
	int style_seen;    /* the paragraph's first w:pStyle was read */
	int level;         /* the heading level of the paragraph, 0 none */
	char *buf;         /* a heading's text while buffered */
	size_t nbuf, capbuf;
} docx;

/* ---- reading the part ------------------------------------------------ */

/* The bound on a part of `size` bytes compressed to `comp`. */
static int past_limit(zip_uint64_t size, zip_uint64_t comp)
{
	if (size > MAX_INFLATED)
		return 1;
	return size >= RATIO_FREE && (comp == 0 || size / comp >= MAX_RATIO);
}

/* libxml2's read callback: inflates the next bytes, counting them, so a
 * part whose header lies about its size is stopped all the same. */
static int read_part(void *arg, char *buf, int len)
{
	docx *d = arg;
	if (len <= 0)
		return 0;
	zip_int64_t got = zip_fread(d->zf, buf, (zip_uint64_t)len);
	if (got < 0) {
		d->zip_failed = 1;
		snprintf(d->zmsg, sizeof d->zmsg, "%s", zip_file_strerror(d->zf));
		return -1;
	}
	d->inflated += (zip_uint64_t)got;
	if (past_limit(d->inflated, d->comp)) {
		d->too_big = 1;
		return -1;
	}
	return (int)got;
}

/* Keeps the parser's first error (it prints nothing itself then). */
static void xml_error(void *arg, const char *msg, xmlParserSeverities severity,
		      xmlTextReaderLocatorPtr loc)
{
	docx *d = arg;
	if (d->xmsg[0] || (severity != XML_PARSER_SEVERITY_ERROR &&
			   severity != XML_PARSER_SEVERITY_VALIDITY_ERROR))
		return;
	int line = loc ? xmlTextReaderLocatorLineNumber(loc) : 0;
	if (line > 0)
		snprintf(d->xmsg, sizeof d->xmsg, "line %d: %s", line, msg ? msg : "error");
	else
		snprintf(d->xmsg, sizeof d->xmsg, "%s", msg ? msg : "error");
	size_t k = strlen(d->xmsg);
	while (k > 0 && (d->xmsg[k - 1] == '\n' || d->xmsg[k - 1] == ' '))
		d->xmsg[--k] = '\0';
}

/* Reports progress when another step was inflated; non-zero cancels. */
static int progress(docx *d, int final)
{
	if (!d->ctx->progress || (!final && d->inflated < d->next_progress))
		return 0;
	d->next_progress = d->inflated + PROGRESS_STEP;
	size_t done = d->n;
	if (!final && d->size > 0 && d->inflated < d->size)
		done = (size_t)((double)d->n * (double)d->inflated / (double)d->size);
	d->cancel = d->ctx->progress(done, d->ctx->payload);
	return d->cancel;
}

/* ---- the text -------------------------------------------------------- */

/* Text of the current paragraph: into the heading buffer while one is
 * buffered, else straight out. */
static int put(docx *d, const char *s, size_t n);

/* Ends a buffered heading: its section mark, then its text. */
static int flush_heading(docx *d)
{
	if (!d->level)
		return d->out->status;
	int level = d->level;
	d->level = 0;
	if (oyl__text_section(d->out, level, d->buf ? d->buf : "", d->nbuf) == OYL_OK &&
	    d->nbuf > 0)
		oyl__text_append(d->out, d->buf, d->nbuf);
	d->nbuf = 0;
	return d->out->status;
}

static int put(docx *d, const char *s, size_t n)
{
	if (d->pending_space) {
		d->pending_space = 0;
		int st = put(d, " ", 1);
		if (st)
			return st;
	}
	if (d->tdepth > 0)
		d->cell_text = 1;
	if (d->level && d->nbuf + n <= TITLE_MAX) {
		if (d->nbuf + n > d->capbuf) {
			size_t cap = d->capbuf ? d->capbuf * 2 : 256;
			while (cap < d->nbuf + n)
				cap *= 2;
			char *b = oyl__realloc(d->buf, cap);
			if (!b)
				return oyl__extract_fail(d->ctx, OYL_ENOMEM, "out of memory");
			d->buf = b;
			d->capbuf = cap;
		}
		memcpy(d->buf + d->nbuf, s, n);
		d->nbuf += n;
		return OYL_OK;
	}
	if (d->level && flush_heading(d))
		return d->out->status;
	return oyl__text_append(d->out, s, n);
}

/* "Title" is level 1, "Heading1".."Heading9" (or "heading 1") level N. */
static int heading_level(const char *style)
{
	if (strcasecmp(style, "title") == 0)
		return 1;
	if (strncasecmp(style, "heading", 7) != 0)
		return 0;
	const char *p = style + 7;
	if (*p == ' ')
		p++;
	if (p[0] >= '1' && p[0] <= '9' && p[1] == '\0')
		return p[0] - '0';
	return 0;
}

static int is_w(const xmlChar *ns)
{
	return ns && (strcmp((const char *)ns, W_NS) == 0 ||
		      strcmp((const char *)ns, W_NS_STRICT) == 0);
}

static void paragraph_start(docx *d)
{
	if (++d->pdepth == 1) {
		d->style_seen = 0;
		d->level = 0;
		d->nbuf = 0;
	}
}

static int paragraph_end(docx *d)
{
	if (d->pdepth == 0)
		return OYL_OK;
	if (--d->pdepth > 0 || d->tdepth > 0) {
		/* Inside a cell or a text box: paragraphs run on with spaces. */
		d->pending_space = d->tdepth > 0 ? d->cell_text : 1;
		return d->out->status;
	}
	d->pending_space = 0;
	if (flush_heading(d))
		return d->out->status;
	return oyl__text_paragraph(d->out);
}

/* Reads w:pStyle: the first one of an outermost paragraph outside tables
 * (a revision's old properties come after the current ones). */
static void paragraph_style(docx *d, xmlTextReaderPtr r, const xmlChar *ns)
{
	if (d->pdepth != 1 || d->tdepth > 0 || d->style_seen)
		return;
	d->style_seen = 1;
	xmlChar *val = xmlTextReaderGetAttributeNs(r, BAD_CAST "val", ns);
	if (val) {
		d->level = heading_level((const char *)val);
		xmlFree(val);
	}
}

static int table_start(docx *d)
{
	if (d->tdepth++ == 0 && d->pdepth == 0)
		return oyl__text_paragraph(d->out);
	return d->out->status;
}

static int table_end(docx *d)
{
	if (d->tdepth == 0)
		return OYL_OK;
	if (--d->tdepth == 0) {
		d->pending_space = 0;
		return d->pdepth == 0 ? oyl__text_paragraph(d->out) : oyl__text_space(d->out);
	}
	return d->out->status;
}

static void row_start(docx *d)
{
	if (d->tdepth == 1)
		d->cells = 0;
}

static int row_end(docx *d)
{
	if (d->tdepth != 1) {
		d->pending_space = 1;
		return d->out->status;
	}
	d->pending_space = 0;
	return d->pdepth == 0 ? oyl__text_line(d->out) : oyl__text_space(d->out);
}

/* A cell of the outermost table after the first is set off by " | "
 * ("| " when the text already ends with white space: no double blank). */
static int cell_start(docx *d)
{
	if (d->tdepth != 1) {
		d->pending_space = 1;
		return d->out->status;
	}
	d->pending_space = 0;
	d->cell_text = 0;
	if (d->cells++ == 0)
		return d->out->status;
	const oyl__text *t = d->out;
	char last = t->n ? t->s[t->n - 1] : '\n';
	return oyl__text_puts(d->out, last == ' ' || last == '\n' || last == '\t' ? "| " : " | ");
}

/* A WordprocessingML element begins (`empty`: it has no end tag). */
static int element(docx *d, xmlTextReaderPtr r, const char *name, const xmlChar *ns, int empty)
{
	int st = OYL_OK;
	if (strcmp(name, "p") == 0) {
		paragraph_start(d);
		if (empty)
			st = paragraph_end(d);
	} else if (strcmp(name, "r") == 0) {
		if (!empty)
			d->rdepth++;
	} else if (strcmp(name, "t") == 0) {
		d->in_t = !empty && d->rdepth > 0;
	} else if (strcmp(name, "tab") == 0) {
		/* w:tab also defines tab stops in w:pPr: only a run's is text */
		if (d->rdepth > 0)
			st = put(d, "\t", 1);
	} else if (strcmp(name, "br") == 0 || strcmp(name, "cr") == 0) {
		if (d->rdepth > 0)
			st = put(d, "\n", 1);
	} else if (strcmp(name, "noBreakHyphen") == 0) {
		if (d->rdepth > 0)
			st = put(d, "-", 1);
	} else if (strcmp(name, "pStyle") == 0) {
		paragraph_style(d, r, ns);
	} else if (strcmp(name, "tbl") == 0) {
		st = table_start(d);
		if (empty)
			st = table_end(d);
	} else if (strcmp(name, "tr") == 0) {
		row_start(d);
		if (empty)
			st = row_end(d);
	} else if (strcmp(name, "tc") == 0) {
		st = cell_start(d);
	}
	return st ? st : d->out->status;
}

static int element_end(docx *d, const char *name)
{
	if (strcmp(name, "p") == 0)
		return paragraph_end(d);
	if (strcmp(name, "r") == 0 && d->rdepth > 0)
		d->rdepth--;
	else if (strcmp(name, "t") == 0)
		d->in_t = 0;
	else if (strcmp(name, "tbl") == 0)
		return table_end(d);
	else if (strcmp(name, "tr") == 0)
		return row_end(d);
	return d->out->status;
}

/*
 * One node of the part.  Returns 0 to go on, 1 to skip the node's
 * subtree, or a failure (out->status, or OYL_EINVAL with ctx->errmsg).
 */
static int node(docx *d, xmlTextReaderPtr r, int *seen_root)
{
	int type = xmlTextReaderNodeType(r);
	if (type == XML_READER_TYPE_DOCUMENT_TYPE)
		return oyl__extract_fail(d->ctx, OYL_EINVAL,
					 "not a DOCX file: " PART " has a DOCTYPE");
	if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
		const xmlChar *v = xmlTextReaderConstValue(r);
		if (d->in_t && v)
			return put(d, (const char *)v, strlen((const char *)v));
		return OYL_OK;
	}
	if (type != XML_READER_TYPE_ELEMENT && type != XML_READER_TYPE_END_ELEMENT)
		return OYL_OK;
	const char *name = (const char *)xmlTextReaderConstLocalName(r);
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);
	if (!name)
		return OYL_OK;
	if (!*seen_root) {
		if (!is_w(ns) || strcmp(name, "document") != 0)
			return oyl__extract_fail(d->ctx, OYL_EINVAL,
						 "not a DOCX file: " PART
						 " is not a WordprocessingML document");
		*seen_root = 1;
	}
	if (type == XML_READER_TYPE_ELEMENT && ns && strcmp((const char *)ns, MC_NS) == 0 &&
	    strcmp(name, "Fallback") == 0)
		return 1; /* the same content again, for older readers */
	if (!is_w(ns))
		return OYL_OK;
	if (type == XML_READER_TYPE_END_ELEMENT)
		return element_end(d, name);
	return element(d, r, name, ns, xmlTextReaderIsEmptyElement(r) == 1);
}

/* Parses the opened part into d->out. */
static int parse(docx *d)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
	xmlTextReaderPtr r = xmlReaderForIO(read_part, NULL, d, PART, NULL, opts);
	if (!r)
		return oyl__extract_fail(d->ctx, OYL_ENOMEM, "out of memory");
	xmlTextReaderSetErrorHandler(r, xml_error, d);

	int seen_root = 0, st = OYL_OK, rc;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		/* A subtree to skip: Next() moves past it onto the following node. */
		while ((st = node(d, r, &seen_root)) == 1 && (rc = xmlTextReaderNext(r)) == 1)
			;
		if (st == 1) {
			st = OYL_OK; /* the document ended (rc 0) or failed (rc -1) */
			break;
		}
		if (st || progress(d, 0))
			break;
	}
	xmlFreeTextReader(r);
	if (d->cancel)
		return d->cancel;
	if (st)
		return st;
	if (d->too_big)
		return oyl__extract_fail(d->ctx, OYL_EINVAL,
					 "the DOCX expands past the limit: " PART
					 " inflated to %llu bytes from %llu",
					 (unsigned long long)d->inflated,
					 (unsigned long long)d->comp);
	if (d->zip_failed)
		return oyl__extract_fail(d->ctx, OYL_EINVAL, "the DOCX is damaged: %s", d->zmsg);
	if (rc < 0 || !seen_root)
		return oyl__extract_fail(d->ctx, OYL_EINVAL,
					 "not a DOCX file: malformed " PART " (%s)",
					 d->xmsg[0] ? d->xmsg : "no document element");
	if (flush_heading(d))
		return d->out->status;
	if (oyl__text_paragraph(d->out))
		return d->out->status;
	return progress(d, 1);
}

/* Finds and opens the part, checking its declared sizes first. */
static int open_part(docx *d, zip_t *za)
{
	zip_int64_t idx = zip_name_locate(za, PART, ZIP_FL_NOCASE);
	if (idx < 0)
		return oyl__extract_fail(d->ctx, OYL_EINVAL, "not a DOCX file: no " PART);
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0)
		return oyl__extract_fail(d->ctx, OYL_EINVAL, "the DOCX is damaged: %s",
					 zip_strerror(za));
	d->size = st.valid & ZIP_STAT_SIZE ? st.size : 0;
	d->comp = st.valid & ZIP_STAT_COMP_SIZE ? st.comp_size : 0;
	if (past_limit(d->size, d->comp))
		return oyl__extract_fail(d->ctx, OYL_EINVAL,
					 "the DOCX expands past the limit: " PART
					 " would inflate to %llu bytes from %llu",
					 (unsigned long long)d->size, (unsigned long long)d->comp);
	d->zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!d->zf) {
		int ze = zip_error_code_zip(zip_get_error(za));
		if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_ENCRNOTSUPP)
			return oyl__extract_fail(d->ctx, OYL_EINVAL, "the DOCX is encrypted");
		return oyl__extract_fail(d->ctx, OYL_EINVAL, "the DOCX is damaged: %s",
					 zip_strerror(za));
	}
	return OYL_OK;
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	zip_error_t zerr;
	zip_error_init(&zerr);
	/* The buffer source reads the caller's bytes in place (no copy). */
	zip_source_t *src = zip_source_buffer_create(n ? data : NULL, n, 0, &zerr);
	if (!src) {
		zip_error_fini(&zerr);
		return oyl__extract_fail(ctx, OYL_ENOMEM, "out of memory");
	}
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	if (!za) {
		zip_source_free(src);
		int st = oyl__extract_fail(ctx, OYL_EINVAL,
					   "not a DOCX file: not a ZIP archive (%s)",
					   zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		return st;
	}
	zip_error_fini(&zerr);

	docx d;
	memset(&d, 0, sizeof d);
	d.out = out;
	d.ctx = ctx;
	d.n = n;
	d.next_progress = PROGRESS_STEP;
	int st = open_part(&d, za);
	if (st == OYL_OK)
		st = parse(&d);
	if (d.zf)
		zip_fclose(d.zf);
	zip_discard(za); /* frees the source too */
	oyl__free(d.buf);
	return st;
}

static const char *const mime_types[] = {
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document", NULL};

const oyl__extractor oyl__extract_docx = {"docx", mime_types, extract};
