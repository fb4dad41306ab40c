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
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

static uint64_t hash_text(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

int oyl__pg_prepared_slot(pg_backend *b, const char *text, int nparams, bool *must_parse)
{
	uint64_t h = hash_text(text);

	*must_parse = false;
	for (size_t i = 0; i < b->nprepared; i++) {
		pg_prepared *p = &b->prepared[i];
		if (p->hash == h && p->nparams == nparams && strcmp(p->text, text) == 0) {
			if (p->state == PG_PREP_NONE) {
				p->state = PG_PREP_SENT;
				*must_parse = true;
			}
			return (int)i;
		}
	}
	if (b->nprepared == PG_PREPARED_MAX)
		return -1;
	size_t n = strlen(text);
	char *copy = oyl_malloc(n + 1);
	if (!copy)
		return -1; /* it simply runs unnamed */
	memcpy(copy, text, n + 1);
	pg_prepared *p = &b->prepared[b->nprepared];
	*p = (pg_prepared){copy, h, nparams, PG_PREP_SENT};
	*must_parse = true;
	return (int)b->nprepared++;
}

void oyl__pg_prepared_name(int slot, char name[16])
{
	snprintf(name, 16, "oyl_%d", slot);
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
