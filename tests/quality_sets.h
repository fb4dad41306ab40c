/*
 * The retrieval quality sets of doc/retrieval.md, made from text Debian
 * ships (nobody here wrote it):
 *
 *   man   known items: the manual pages of sections 2 and 3 of the Linux
 *         man-pages project (package manpages-dev); a page's NAME line's
 *         description is the question, the page without its NAME section
 *         the document to find;
 *   faq   questions and their answers: the Python FAQ (package
 *         python3-doc, its reStructuredText sources); a question is a
 *         heading that ends in '?', its answer the text up to the next
 *         heading, stored without the question;
 *   sections  passages inside long documents: the Python library
 *         reference's sources (the same package), each file one document
 *         stored without its headings; a question is a section's heading
 *         of three words or more (not the file's title, none that occurs
 *         twice), the passage to find that section's text.  The first two
 *         sets ask for a whole document, this one for a place in it.
 *
 * Manual pages are read from their roff source with a small filter (the
 * macros dropped, the font escapes removed): good enough for words, not a
 * renderer.
 */
#ifndef OYL_TEST_QUALITY_SETS_H
#define OYL_TEST_QUALITY_SETS_H

#include <stddef.h>

typedef struct qitem {
	char *name;     /* the document's name */
	char *question;
	char *text;     /* the document (items of one document have the same) */
	long start, end; /* the passage to find, in characters of text; end < 0: any */
} qitem;

typedef struct qset {
	qitem *items;
	size_t n, cap;
} qset;

/* The man set from a directory of gzip'd pages (e.g. /usr/share/man/man3). */
int qset_add_man(qset *s, const char *dir);
/* The FAQ set from a directory of .rst.txt files. */
int qset_add_faq(qset *s, const char *dir);
/* The sections set from a directory of .rst.txt files. */
int qset_add_sections(qset *s, const char *dir);
void qset_free(qset *s);

#endif
