/* Pages of records: limit, offset or keyset cursor, total, JSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kind.h"
#include "core/validate.h"

struct oyl_page {
	const oyl__kind *k;
	oyl__record **items;
	size_t n, cap;
	int64_t total;
	char *next_cursor;
};

/* The cursor is "<created_at>.<id>" of the last record shown: opaque to
 * hosts, checked strictly here. */
#define CURSOR_MAX 64

static int decode_cursor(const char *c, int64_t *at, char id[OYL_UUID_LEN + 1])
{
	char *end;
	if (!c || strnlen(c, CURSOR_MAX + 1) > CURSOR_MAX || !(*c >= '0' && *c <= '9'))
		return 0;
	long long v = strtoll(c, &end, 10);
	if (*end != '.' || !oyl__uuid_norm(end + 1, id))
		return 0;
	*at = v;
	return 1;
}

typedef struct collect {
	oyl_page *page;
	int64_t want; /* rows to keep; one more tells that a next page exists */
	int more;
} collect;

static int collect_cb(const oyl_value *vals, size_t n, void *payload)
{
	collect *c = payload;
	oyl_page *p = c->page;
	if ((int64_t)p->n >= c->want) {
		c->more = 1;
		return OYL_OK;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		oyl__record **items = oyl__realloc(p->items, cap * sizeof *items);
		if (!items)
			return OYL_ENOMEM;
		p->items = items;
		p->cap = cap;
	}
	int rc = oyl__record_copy(p->k->t, vals, n, &p->items[p->n]);
	if (rc == OYL_OK)
		p->n++;
	return rc;
}

int oyl__list_rows(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_filter *filters,
		   size_t nfilters, const oyl_list_options *opts, oyl_page **out)
{
	*out = NULL;
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	if (opts) {
		if (opts->size < sizeof(uint32_t))
			return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_LIST_OPTIONS_INIT)");
		memcpy(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
		o.size = sizeof o;
	}
	if (o.limit < 0 || o.limit > OYL_LIST_MAX_LIMIT)
		return oyl__fail(db, OYL_EINVAL, "limit: must be 1 to %d (0: %d)", OYL_LIST_MAX_LIMIT,
				 OYL_LIST_DEFAULT_LIMIT);
	if (o.offset < 0)
		return oyl__fail(db, OYL_EINVAL, "offset: must not be negative");
	if (o.offset && o.cursor)
		return oyl__fail(db, OYL_EINVAL, "cursor: give an offset or a cursor, not both");
	int64_t after_at = 0;
	char after_id[OYL_UUID_LEN + 1];
	if (o.cursor && !decode_cursor(o.cursor, &after_at, after_id))
		return oyl__fail(db, OYL_EINVAL, "cursor: not a cursor of a liboyl list");
	int64_t limit = o.limit ? o.limit : OYL_LIST_DEFAULT_LIMIT;

	oyl_page *p = oyl__calloc(1, sizeof *p);
	if (!p)
		return oyl__fail(db, OYL_ENOMEM, "out of memory listing");
	p->k = k;
	p->total = -1;
	oyl_value after = oyl__val_int(OYL_TYPE_TIME, after_at);
	oyl_query q = {filters, nfilters, k->created_col, 0, o.cursor ? &after : NULL,
		       o.cursor ? after_id : NULL, limit + 1, o.offset};
	oyl_scope s = {scope};
	collect c = {p, limit, 0};
	int rc = db->backend->list(db->backend, &s, k->t, &q, collect_cb, &c);
	if (rc == OYL_OK && (o.flags & OYL_LIST_TOTAL))
		rc = db->backend->count(db->backend, &s, k->t, filters, nfilters, &p->total);
	if (rc == OYL_OK && c.more && p->n > 0) {
		const oyl__record *last = p->items[p->n - 1];
		char buf[CURSOR_MAX + 1];
		snprintf(buf, sizeof buf, "%lld.%s", (long long)oyl__record_int(last, k->created_col),
			 oyl__record_text(last, 0));
		if (!(p->next_cursor = oyl__strdup(buf)))
			rc = OYL_ENOMEM;
	}
	if (rc != OYL_OK) {
		oyl_page_free(p);
		return rc == OYL_ENOMEM ? oyl__fail(db, rc, "out of memory listing")
					: oyl__fail_backend(db, rc, "listing");
	}
	*out = p;
	return OYL_OK;
}

int oyl__finish_list(oyl_db *db, int rc, oyl_page **out)
{
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl_page_free(*out);
		*out = NULL;
		return rc;
	}
	return oyl__ok(db);
}

const void *oyl__page_item(const oyl_page *page, const oyl__kind *k, size_t i)
{
	if (!page || page->k->t != k->t || i >= page->n)
		return NULL;
	return page->items[i];
}

/* Lets typed files fill derived figures (tenant counts) in place. */
oyl__record *oyl__page_record(oyl_page *page, size_t i)
{
	return (page && i < page->n) ? page->items[i] : NULL;
}

OYL_API size_t oyl_page_count(const oyl_page *page)
{
	return page ? page->n : 0;
}

OYL_API int64_t oyl_page_total(const oyl_page *page)
{
	return page ? page->total : -1;
}

OYL_API const char *oyl_page_next_cursor(const oyl_page *page)
{
	return page ? page->next_cursor : NULL;
}

OYL_API int oyl_page_to_json(const oyl_page *page, char **json)
{
	if (json)
		*json = NULL;
	if (!page || !json)
		return OYL_EMISUSE;
	/* Each item is exported as its record is, then spliced in as text. */
	size_t cap = 64, used = 0;
	char *buf = oyl__malloc(cap);
	int rc = buf ? OYL_OK : OYL_ENOMEM;
	for (size_t i = 0; rc == OYL_OK && i <= page->n; i++) {
		char *item = NULL, tail[160];
		const char *piece;
		if (i < page->n) {
			rc = oyl__record_to_json(page->items[i], &item);
			piece = item;
		} else {
			char total[32] = "null";
			if (page->total >= 0)
				snprintf(total, sizeof total, "%lld", (long long)page->total);
			snprintf(tail, sizeof tail, "],\"total\":%s,\"next_cursor\":%s%s%s}", total,
				 page->next_cursor ? "\"" : "",
				 page->next_cursor ? page->next_cursor : "null",
				 page->next_cursor ? "\"" : "");
			piece = tail;
		}
		if (rc != OYL_OK)
			break;
		const char *lead = i == 0 ? "{\"items\":[" : (i < page->n ? "," : "");
		size_t need = used + strlen(lead) + strlen(piece) + 1;
		if (need > cap) {
			size_t ncap = need * 2;
			char *nb = oyl__realloc(buf, ncap);
			if (!nb) {
				rc = OYL_ENOMEM;
				oyl__free(item);
				break;
			}
			buf = nb;
			cap = ncap;
		}
		used += (size_t)sprintf(buf + used, "%s%s", lead, piece);
		oyl__free(item);
	}
	if (rc != OYL_OK) {
		oyl__free(buf);
		return rc;
	}
	*json = buf;
	return OYL_OK;
}

OYL_API void oyl_page_free(oyl_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->n; i++)
		oyl__record_free(page->items[i]);
	oyl__free(page->items);
	oyl__free(page->next_cursor);
	oyl__free(page);
}
