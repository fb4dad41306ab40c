/*
 * text/html through libxml2's HTML parser, which decodes entities and
 * honours the declared charset (a <meta charset> or the BOM).  What a
 * reader sees: scripts, styles, templates, the <head> and DocBook's
 * navigation bars are dropped;
 * block elements end paragraphs, <br> ends a line, table rows are lines
 * with their cells separated by " | "; white space is collapsed as a
 * browser does, except inside <pre>.  h1..h6 are recorded as sections.
 * The tree is walked without recursion, so depth costs no stack; the
 * parser itself stops nesting at its own depth limit (256) and keeps the
 * text.
 */
#include "ingest/extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "oyl/oyl.h"

enum { K_INLINE, K_DROP, K_BLOCK, K_LINE, K_ROW, K_CELL, K_PRE, K_HEADING };

static int kind_of(const char *name)
{
	static const char *const drop[] = {"script", "style", "noscript", "template", "head",
					   "iframe", "object", "svg", "math", NULL};
	static const char *const block[] = {
		"p",	  "div",	"ul",	  "ol",	    "li",      "dl",	   "dt",     "dd",
		"table",  "blockquote", "section", "article", "header",  "footer", "nav",    "aside",
		"main",	  "figure",	"figcaption", "address", "hr",   "form",   "fieldset",
		"details", "summary",	"caption", "body",    "html",    "center", "title",  NULL};
	for (int i = 0; drop[i]; i++)
		if (strcasecmp(name, drop[i]) == 0)
			return K_DROP;
	if (strcasecmp(name, "br") == 0)
		return K_LINE;
	if (strcasecmp(name, "tr") == 0)
		return K_ROW;
	if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
		return K_CELL;
	if (strcasecmp(name, "pre") == 0)
		return K_PRE;
	if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' && !name[2])
		return K_HEADING;
	for (int i = 0; block[i]; i++)
		if (strcasecmp(name, block[i]) == 0)
			return K_BLOCK;
	return K_INLINE;
}

/* Appends text with runs of white space collapsed to one space. */
static int put_collapsed(oyl__text *out, const char *s)
{
	while (*s) {
		size_t run = strcspn(s, " \t\n\r\f");
		if (run) {
			if (oyl__text_append(out, s, run))
				return out->status;
			s += run;
		}
		size_t ws = strspn(s, " \t\n\r\f");
		if (ws) {
			oyl__text_space(out);
			s += ws;
		}
	}
	return out->status;
}

/* The heading's text, collapsed, for its section mark. */
static void mark_heading(xmlNode *h, oyl__text *out)
{
	xmlChar *title = xmlNodeGetContent(h);
	if (title) {
		oyl__text_section(out, h->name[1] - '0', (const char *)title,
				  strlen((const char *)title));
		xmlFree(title);
	}
}

/* What entering an element does. */
static void enter(xmlNode *node, oyl__text *out, int *cell_in_row)
{
	switch (kind_of((const char *)node->name)) {
	case K_BLOCK:
	case K_PRE:
		oyl__text_paragraph(out);
		break;
	case K_HEADING:
		oyl__text_paragraph(out);
		mark_heading(node, out);
		break;
	case K_ROW:
		oyl__text_line(out);
		*cell_in_row = 0;
		break;
	case K_CELL:
		if ((*cell_in_row)++)
			oyl__text_append(out, " | ", 3);
		break;
	default:
		break;
	}
}

/* What leaving an element does. */
static void leave(xmlNode *node, oyl__text *out)
{
	switch (kind_of((const char *)node->name)) {
	case K_BLOCK:
	case K_PRE:
	case K_HEADING:
		oyl__text_paragraph(out);
		break;
	case K_LINE:
	case K_ROW:
		oyl__text_line(out);
		break;
	default:
		break;
	}
}

/* DocBook's navigation bars (class navheader, navfooter): every page of a
 * multi-page manual repeats them; a reader skips them (measured on
 * Debian's manuals, doc/ingestion.md). */
static int navigation_bar(const xmlNode *n)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcasecmp((const char *)a->name, "class") != 0 || !a->children ||
		    !a->children->content)
			continue;
		const char *v = (const char *)a->children->content;
		return strstr(v, "navheader") || strstr(v, "navfooter");
	}
	return 0;
}

static int in_pre(xmlNode *n)
{
	for (; n; n = n->parent)
		if (n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, "pre") == 0)
			return 1;
	return 0;
}

static int walk(xmlNode *root, oyl__text *out)
{
	int cell_in_row = 0;
	xmlNode *n = root;
	while (n && !out->status) {
		int descend = 0;
		if (n->type == XML_ELEMENT_NODE) {
			if (kind_of((const char *)n->name) != K_DROP && !navigation_bar(n)) {
				enter(n, out, &cell_in_row);
				descend = n->children != NULL;
				if (!descend)
					leave(n, out);
			}
		} else if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
			   n->content) {
			if (in_pre(n->parent))
				oyl__text_puts(out, (const char *)n->content);
			else
				put_collapsed(out, (const char *)n->content);
		}
		if (descend) {
			n = n->children;
			continue;
		}
		/* Next: a sibling, or up (leaving each element) until one has one. */
		while (n && n != root && !n->next) {
			n = n->parent;
			if (n && n->type == XML_ELEMENT_NODE)
				leave(n, out);
		}
		n = (n && n != root) ? n->next : NULL;
	}
	return out->status;
}

static int extract(const unsigned char *data, size_t n, oyl__text *out, oyl__extract_ctx *ctx)
{
	if (n > (size_t)INT32_MAX)
		return oyl__extract_fail(ctx, OYL_EINVAL, "HTML larger than 2 GiB");
	htmlParserCtxtPtr pc = htmlNewParserCtxt();
	if (!pc)
		return OYL_ENOMEM;
	htmlDocPtr doc = htmlCtxtReadMemory(pc, (const char *)data, (int)n, NULL, NULL,
					    HTML_PARSE_RECOVER | HTML_PARSE_NONET |
						    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	/* The parser recovers from what browsers forgive; when it stops
	 * instead (nesting past its depth limit), the document is refused
	 * rather than kept in part. */
	if (!doc || pc->disableSAX) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		char msg[160];
		snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "no document");
		msg[strcspn(msg, "\n")] = '\0';
		xmlFreeDoc(doc);
		htmlFreeParserCtxt(pc);
		return oyl__extract_fail(ctx, OYL_EINVAL, "not readable as HTML: %s", msg);
	}
	htmlFreeParserCtxt(pc);
	xmlNode *root = xmlDocGetRootElement(doc);
	int rc = root ? walk(root, out) : OYL_OK;
	xmlFreeDoc(doc);
	if (!rc && ctx->progress)
		rc = ctx->progress(n, ctx->payload);
	return rc;
}

static const char *const mimes[] = {"text/html", NULL};

const oyl__extractor oyl__extract_html = {"html", mimes, extract};
