/* Pages of records: limit, offset or keyset cursor, total, JSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/page.h"

struct oyl_page {
	const oyl_table *t;
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

static int collect_cb(const oyl_value *vals, size_t n, void *payload)
{
	oyl__page_plan *plan = payload;
	oyl_page *p = plan->page;
	if ((int64_t)p->n >= plan->want) {
		plan->more = 1;
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
	int rc = oyl__record_copy(p->t, vals, n, &p->items[p->n]);
	if (rc == OYL_OK)
		p->n++;
	return rc;
}

int oyl__page_plan_make(oyl_db *db, const oyl_table *t, int order_col, const oyl_filter *filters,
			size_t nfilters, const oyl_list_options *opts, oyl__page_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->list_read = plan->total_read = -1;
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
	if (o.cursor && !decode_cursor(o.cursor, &after_at, plan->after_id))
		return oyl__fail(db, OYL_EINVAL, "cursor: not a cursor of a liboyl list");
	plan->want = o.limit ? o.limit : OYL_LIST_DEFAULT_LIMIT;
	plan->with_total = (o.flags & OYL_LIST_TOTAL) != 0;
	plan->t = t;
	plan->order_col = order_col;

	oyl_page *p = oyl__calloc(1, sizeof *p);
	if (!p)
		return oyl__fail(db, OYL_ENOMEM, "out of memory listing");
	p->t = t;
	p->total = -1;
	plan->page = p;
	/* lists go by creation time, or by a position (a document's chunks) */
	int order_type = t->cols[order_col].type == OYL_TYPE_INT ? OYL_TYPE_INT : OYL_TYPE_TIME;
	plan->after = (oyl_value){order_type, after_at, 0, NULL, 0};
	plan->query = (oyl_query){filters, nfilters, order_col, 0, o.cursor ? &plan->after : NULL,
				  o.cursor ? plan->after_id : NULL, plan->want + 1, o.offset};
	return OYL_OK;
}

void oyl__page_plan_reads(oyl__page_plan *plan, oyl__batch *bt, const char *scope)
{
	plan->list_read = oyl__batch_list(bt, scope, plan->t, &plan->query, collect_cb, plan);
	if (plan->with_total)
		plan->total_read =
			oyl__batch_count(bt, scope, plan->t, plan->query.filters, plan->query.nfilters);
}

int oyl__page_plan_finish(oyl_db *db, oyl__page_plan *plan, const oyl__batch *bt)
{
	oyl_page *p = plan->page;
	if (plan->total_read >= 0)
		p->total = oyl__batch_count_of(bt, plan->total_read);
	if (plan->more && p->n > 0) {
		const oyl__record *last = p->items[p->n - 1];
		char buf[CURSOR_MAX + 1];
		snprintf(buf, sizeof buf, "%lld.%s",
			 (long long)oyl__record_int(last, plan->order_col), oyl__record_text(last, 0));
		if (!(p->next_cursor = oyl__strdup(buf)))
			return oyl__fail(db, OYL_ENOMEM, "out of memory listing");
	}
	return OYL_OK;
}

void oyl__page_plan_drop(oyl__page_plan *plan)
{
	oyl_page_free(plan->page);
	plan->page = NULL;
}

const void *oyl__page_item(const oyl_page *page, const oyl_table *t, size_t i)
{
	if (!page || page->t != t || i >= page->n)
		return NULL;
	return page->items[i];
}

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
