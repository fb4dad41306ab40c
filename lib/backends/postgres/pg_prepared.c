/*
 * Prepared statements: each distinct statement text is parsed and planned
 * by the server once per connection, under the name "oyl_<slot>", and then
 * only bound and executed.  The texts are few (one per table, operation
 * and shape of filters), so the slots are not recycled: past
 * PG_PREPARED_MAX a new text simply runs unnamed.
 *
 * The Parse goes in the same pipeline as the statement's first execution,
 * so preparing costs no round trip.  A slot is READY once the server
 * answered its Parse; a Parse that failed or was skipped (the pipeline
 * aborted) leaves it to be sent again.  A reconnection forgets them all.
 *
 * With the host's OYL_DB_NO_PREPARE (a pooler that cannot carry named
 * statements, PgBouncer before 1.21 in transaction mode), nothing here is
 * used and every statement runs unnamed.
 */
#include <string.h>

#include "pg_internal.h"
#include "util/decimal.h"

/* A statement's text hashed eight bytes at a time: texts run to hundreds
 * of bytes and a search sends some twenty of them (a byte at a time, the
 * hash was about 8% of a search's client time). */
static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ n;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
		h ^= h >> 31;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * UINT64_C(0x94D049BB133111EB);
	return h ^ (h >> 29);
}

int oyl__pg_prepared_slot(pg_backend *b, const char *text, size_t len, int nparams,
			  bool *must_parse)
{
	uint64_t h = hash_text(text, len);

	*must_parse = false;
	for (size_t i = 0; i < b->nprepared; i++) {
		pg_prepared *p = &b->prepared[i];
		if (p->hash == h && p->len == len && p->nparams == nparams &&
		    memcmp(p->text, text, len) == 0) {
			if (p->state == PG_PREP_NONE) {
				p->state = PG_PREP_SENT;
				*must_parse = true;
			}
			return (int)i;
		}
	}
	if (b->nprepared == PG_PREPARED_MAX)
		return -1;
	char *copy = oyl_malloc(len + 1);
	if (!copy)
		return -1; /* it simply runs unnamed */
	memcpy(copy, text, len);
	copy[len] = '\0';
	pg_prepared *p = &b->prepared[b->nprepared];
	*p = (pg_prepared){copy, h, len, nparams, PG_PREP_SENT};
	*must_parse = true;
	return (int)b->nprepared++;
}

void oyl__pg_prepared_name(int slot, char name[16])
{
	_Static_assert(4 + 3 + 1 <= 16 && PG_PREPARED_MAX <= 1000, "oyl_<slot> fits its buffer");
	memcpy(name, "oyl_", 4);
	name[4 + oyl__decimal((uint64_t)slot, name + 4)] = '\0';
}

void oyl__pg_prepared_forget(pg_backend *b)
{
	for (size_t i = 0; i < b->nprepared; i++)
		b->prepared[i].state = PG_PREP_NONE;
}

void oyl__pg_prepared_free(pg_backend *b)
{
	for (size_t i = 0; i < b->nprepared; i++)
		oyl_free(b->prepared[i].text);
	b->nprepared = 0;
}
