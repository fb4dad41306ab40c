/* A document's postings (postings.h). */
#include "search/postings.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

/* One term of the document. */
typedef struct entry {
	size_t term;      /* offset of its text in `names` */
	uint32_t len;     /* its bytes */
	uint32_t tf;      /* in the chunk being added */
	int64_t stamp;    /* the chunk that counted tf, -1: none yet */
	int64_t last;     /* the last ordinal written to its block, -1: none */
	unsigned char *block;
	size_t size, cap;
} entry;

struct oyl__postings {
	entry *e;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 into e, 0 empty */
	size_t nslots;   /* a power of two, at least twice n */
	char *names;     /* the terms' texts, NUL-terminated one after the other */
	size_t names_len, names_cap;
	uint32_t *touched; /* entries seen in the chunk being added */
	size_t ntouched, cap_touched;
	size_t *order;     /* after finish: entries in term order */
	int64_t length, last_ordinal;
};

int oyl__postings_new(oyl__postings **out)
{
	*out = oyl__calloc(1, sizeof **out);
	if (!*out)
		return OYL_ENOMEM;
	(*out)->last_ordinal = -1;
	return OYL_OK;
}

void oyl__postings_free(oyl__postings *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		oyl__free(p->e[i].block);
	oyl__free(p->e);
	oyl__free(p->slots);
	oyl__free(p->names);
	oyl__free(p->touched);
	oyl__free(p->order);
	oyl__free(p);
}

static uint64_t hash_term(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

static size_t find_slot(const oyl__postings *p, const char *s, size_t n)
{
	size_t mask = p->nslots - 1;
	for (size_t i = (size_t)hash_term(s, n) & mask;; i = (i + 1) & mask) {
		uint32_t at = p->slots[i];
		if (at == 0)
			return i;
		const entry *e = &p->e[at - 1];
		if (e->len == n && memcmp(p->names + e->term, s, n) == 0)
			return i;
	}
}

static int rehash(oyl__postings *p, size_t nslots)
{
	uint32_t *slots = oyl__calloc(nslots, sizeof *slots);
	if (!slots)
		return OYL_ENOMEM;
	oyl__free(p->slots);
	p->slots = slots;
	p->nslots = nslots;
	for (size_t i = 0; i < p->n; i++)
		slots[find_slot(p, p->names + p->e[i].term, p->e[i].len)] = (uint32_t)(i + 1);
	return OYL_OK;
}

static int grow(void **buf, size_t *cap, size_t need, size_t item)
{
	if (need <= *cap)
		return OYL_OK;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *b = oyl__realloc(*buf, n * item);
	if (!b)
		return OYL_ENOMEM;
	*buf = b;
	*cap = n;
	return OYL_OK;
}

/* The entry of a term, made when new. */
static entry *lookup(oyl__postings *p, const char *s, size_t n)
{
	if ((p->n + 1) * 2 > p->nslots && rehash(p, p->nslots ? p->nslots * 2 : 256))
		return NULL;
	size_t slot = find_slot(p, s, n);
	if (p->slots[slot])
		return &p->e[p->slots[slot] - 1];
	if (p->n >= UINT32_MAX - 1 ||
	    grow((void **)&p->e, &p->cap, p->n + 1, sizeof *p->e) ||
	    grow((void **)&p->names, &p->names_cap, p->names_len + n + 1, 1))
		return NULL;
	entry *e = &p->e[p->n];
	*e = (entry){p->names_len, (uint32_t)n, 0, -1, -1, NULL, 0, 0};
	memcpy(p->names + p->names_len, s, n);
	p->names[p->names_len + n] = '\0';
	p->names_len += n + 1;
	p->slots[slot] = (uint32_t)++p->n;
	return e;
}

typedef struct chunk_ctx {
	oyl__postings *p;
	int64_t ordinal;
	int64_t len;
	int failed;
} chunk_ctx;

static int on_token(const oyl__token *t, void *payload)
{
	chunk_ctx *c = payload;
	oyl__postings *p = c->p;
	entry *e = lookup(p, t->term, t->len);
	if (!e) {
		c->failed = 1;
		return OYL_ENOMEM;
	}
	c->len++;
	if (e->stamp != c->ordinal) {
		if (grow((void **)&p->touched, &p->cap_touched, p->ntouched + 1, sizeof *p->touched)) {
			c->failed = 1;
			return OYL_ENOMEM;
		}
		p->touched[p->ntouched++] = (uint32_t)(e - p->e);
		e->stamp = c->ordinal;
		e->tf = 0;
	}
	if (e->tf < UINT32_MAX)
		e->tf++;
	return 0;
}

static int put_varint(entry *e, uint64_t v)
{
	if (grow((void **)&e->block, &e->cap, e->size + 10, 1))
		return OYL_ENOMEM;
	do {
		unsigned char byte = v & 0x7f;
		v >>= 7;
		e->block[e->size++] = byte | (v ? 0x80 : 0);
	} while (v);
	return OYL_OK;
}

int oyl__postings_add_chunk(oyl__postings *p, oyl__tokenizer *t, int64_t ordinal,
			    const char *text, size_t n)
{
	if (ordinal <= p->last_ordinal || p->order)
		return OYL_EINVAL;
	p->last_ordinal = ordinal;
	p->ntouched = 0;
	chunk_ctx c = {p, ordinal, 0, 0};
	int rc = oyl__tokenize(t, text, n, on_token, &c);
	if (c.failed)
		return OYL_ENOMEM;
	if (rc)
		return rc;
	p->length += c.len;
	for (size_t i = 0; i < p->ntouched; i++) {
		entry *e = &p->e[p->touched[i]];
		uint64_t gap = (uint64_t)(e->last < 0 ? ordinal : ordinal - e->last - 1);
		if (put_varint(e, gap) || put_varint(e, e->tf) || put_varint(e, (uint64_t)c.len))
			return OYL_ENOMEM;
		e->last = ordinal;
	}
	return OYL_OK;
}

/* A term to sort: its text travels with it (qsort takes no context). */
typedef struct sort_key {
	const char *s;
	uint32_t len;
	size_t index;
} sort_key;

static int by_term(const void *a, const void *b)
{
	const sort_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

void oyl__postings_finish(oyl__postings *p)
{
	if (p->order || p->n == 0)
		return;
	/* on failure, the terms stay in the order they came: still complete */
	sort_key *keys = oyl__malloc(p->n * sizeof *keys);
	size_t *order = oyl__malloc(p->n * sizeof *order);
	if (keys && order) {
		for (size_t i = 0; i < p->n; i++)
			keys[i] = (sort_key){p->names + p->e[i].term, p->e[i].len, i};
		qsort(keys, p->n, sizeof *keys, by_term);
		for (size_t i = 0; i < p->n; i++)
			order[i] = keys[i].index;
		p->order = order;
		order = NULL;
	}
	oyl__free(keys);
	oyl__free(order);
}

int64_t oyl__postings_length(const oyl__postings *p)
{
	return p->length;
}

size_t oyl__postings_count(const oyl__postings *p)
{
	return p->n;
}

void oyl__postings_get(const oyl__postings *p, size_t i, const char **term,
		       const unsigned char **block, size_t *size)
{
	const entry *e = &p->e[p->order ? p->order[i] : i];
	*term = p->names + e->term;
	*block = e->block;
	*size = e->size;
}

void oyl__block_reader_init(oyl__block_reader *r, const unsigned char *block, size_t size)
{
	r->at = block;
	r->end = block + size;
	r->ordinal = -1;
}

static int get_varint(oyl__block_reader *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 63; shift += 7) {
		if (r->at >= r->end)
			return OYL_EINVAL;
		unsigned char byte = *r->at++;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = v;
			return OYL_OK;
		}
	}
	return OYL_EINVAL;
}

/* A chunk with any number past one byte, through the general decoder. */
int oyl__block_next_varint(oyl__block_reader *r, uint32_t *ordinal, uint32_t *tf,
			   uint32_t *len)
{
	uint64_t gap, f, l;
	if (get_varint(r, &gap) || get_varint(r, &f) || get_varint(r, &l))
		return OYL_EINVAL;
	return oyl__block_take(r, gap, f, l, ordinal, tf, len);
}

int oyl__block_read(oyl__block_reader *r, uint32_t *ordinal, uint32_t *tf, uint32_t *len,
		    size_t max)
{
	size_t n = 0;
	int got = 0;
	while (n < max && (got = oyl__block_next(r, &ordinal[n], &tf[n], &len[n])) == 1)
		n++;
	return got < 0 ? got : (int)n;
}
