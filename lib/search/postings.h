/*
 * A document's postings, built from its chunks before they are stored
 * (doc/retrieval.md): for each term, a block that packs, for every chunk
 * holding it, (ordinal, term frequency, chunk length), as unsigned LEB128
 * varints, the ordinal as the gap from the previous one.  The terms come
 * out in bytewise order, so that the same document always gives the same
 * rows.
 */
#ifndef OYL_SEARCH_POSTINGS_H
#define OYL_SEARCH_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "oyl/oyl.h"
#include "search/tokenize.h"

typedef struct oyl__postings oyl__postings;

/* OYL_ENOMEM */
int oyl__postings_new(oyl__postings **out);
void oyl__postings_free(oyl__postings *p);

/* Tokenizes chunk `ordinal` (ascending from one call to the next) with t
 * and adds its terms.  OYL_EINVAL (ordinal not ascending), OYL_ENOMEM. */
int oyl__postings_add_chunk(oyl__postings *p, oyl__tokenizer *t, int64_t ordinal,
			    const char *text, size_t n);

/* Puts the terms in order; after it, no chunk may be added. */
void oyl__postings_finish(oyl__postings *p);

/* The sum of the chunks' lengths in terms (the document's share of the
 * knowledge base's total), and how many distinct terms. */
int64_t oyl__postings_length(const oyl__postings *p);
size_t oyl__postings_count(const oyl__postings *p);

/* Term i (0 <= i < count, after finish) and its block. */
void oyl__postings_get(const oyl__postings *p, size_t i, const char **term,
		       const unsigned char **block, size_t *size);

/* Reading a block back. */
typedef struct oyl__block_reader {
	const unsigned char *at, *end;
	int64_t ordinal; /* the last one read, -1 before the first */
} oyl__block_reader;

void oyl__block_reader_init(oyl__block_reader *r, const unsigned char *block, size_t size);
/* Up to `max` more chunks into the arrays: how many (0 at the end), or
 * OYL_EINVAL for a damaged block (a value past 32 bits among them). */
int oyl__block_read(oyl__block_reader *r, uint32_t *ordinal, uint32_t *tf, uint32_t *len,
		    size_t max);

/* The fewest bytes a chunk takes in a block: a bound on how many chunks
 * a block of n bytes holds. */
#define OYL__BLOCK_POSTING_MIN 3

/* The chunk of the numbers just read (gap from the last ordinal, tf,
 * length), checked: 1, or OYL_EINVAL for a damaged block.  The one place
 * both decoders below keep a block's rules. */
static inline int oyl__block_take(oyl__block_reader *r, uint64_t gap, uint64_t f, uint64_t l,
				  uint32_t *ordinal, uint32_t *tf, uint32_t *len)
{
	uint64_t next = r->ordinal < 0 ? gap : (uint64_t)r->ordinal + 1 + gap;
	if (f < 1 || l < f || l > UINT32_MAX || next > UINT32_MAX || next < gap)
		return OYL_EINVAL;
	r->ordinal = (int64_t)next;
	*ordinal = (uint32_t)next;
	*tf = (uint32_t)f;
	*len = (uint32_t)l;
	return 1;
}

/* The next chunk, for readers that place it themselves: 1, 0 at the end,
 * or OYL_EINVAL for a damaged block.  Inline so that a block's usual
 * chunks (three one-byte numbers) are read with no call; the rest go to
 * oyl__block_next_varint. */
int oyl__block_next_varint(oyl__block_reader *r, uint32_t *ordinal, uint32_t *tf,
			   uint32_t *len);

static inline int oyl__block_next(oyl__block_reader *r, uint32_t *ordinal, uint32_t *tf,
				  uint32_t *len)
{
	if (r->end - r->at < 3 || ((r->at[0] | r->at[1] | r->at[2]) & 0x80))
		return r->at < r->end ? oyl__block_next_varint(r, ordinal, tf, len) : 0;
	const unsigned char *b = r->at;
	r->at += 3;
	return oyl__block_take(r, b[0], b[1], b[2], ordinal, tf, len);
}

#endif
