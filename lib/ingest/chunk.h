/*
 * Chunking: a document's text cut into overlapping windows of about
 * `target_tokens` words, at the strongest boundary the window offers
 * (a section, then a paragraph, a sentence, a line, a word).  A word is
 * never cut, except one longer than a whole chunk's byte budget, which is
 * cut at a character boundary.  Deterministic: the same text and options
 * give the same chunks.  doc/ingestion.md gives the defaults and why.
 */
#ifndef OYL_INGEST_CHUNK_H
#define OYL_INGEST_CHUNK_H

#include "ingest/text.h"

#define OYL__CHUNK_TARGET_DEFAULT 200 /* words */
#define OYL__CHUNK_OVERLAP_DEFAULT 40 /* words */
#define OYL__CHUNK_TARGET_MAX 4000
/* Bytes a chunk may hold per target word: long identifiers and URLs
 * fit, a 10 MB field without a space is cut. */
#define OYL__CHUNK_BYTES_PER_TOKEN 16

typedef struct oyl__chunk_options {
	int64_t target_tokens;  /* most words in a chunk */
	int64_t overlap_tokens; /* words a chunk repeats of the one before (< target) */
} oyl__chunk_options;

typedef struct oyl__chunk {
	int64_t ordinal;            /* 0, 1, ... */
	size_t start, end;          /* bytes of the text: [start, end) */
	int64_t start_char, end_char; /* the same in characters (code points) */
	int64_t tokens;             /* words */
	int64_t page;               /* the page it starts on (1-based), 0 when none */
	const char *section;        /* JSON array of the section titles it starts under, or NULL */
} oyl__chunk;

/* Receives each chunk, borrowed for the call; non-zero stops chunking
 * and is returned. */
typedef int (*oyl__chunk_cb)(const oyl__chunk *c, void *payload);

/* The words of s[0..n), as chunks count them. */
int64_t oyl__count_tokens(const char *s, size_t n);

/* Cuts t into chunks.  OYL_OK, OYL_ENOMEM, OYL_EINVAL (bad options), or
 * what the callback returned. */
int oyl__chunk_text(const oyl__text *t, const oyl__chunk_options *o, oyl__chunk_cb cb,
		    void *payload);

#endif
