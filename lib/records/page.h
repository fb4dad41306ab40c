/*
 * Pages of records: what a list call returns.  A list is planned (its
 * limit, offset or keyset cursor checked, its query made), its reads are
 * added to the call's batch, and once the batch has run the page is
 * finished (the next page's cursor, the total) and handed out.
 *
 * Lists are ordered by (order column, id), which every list's index
 * serves in that order (doc/schema.md), so a page costs the same however
 * far into the list it is.
 */
#ifndef OYL_RECORDS_PAGE_H
#define OYL_RECORDS_PAGE_H

#include "records/batch.h"

typedef struct oyl__page_plan {
	oyl_page *page;
	const oyl_table *t;
	int order_col;
	oyl_query query;
	oyl_value after;
	char after_id[OYL_UUID_LEN + 1];
	int64_t want; /* rows to keep; one more says a next page exists */
	int more;
	int with_total;
	int list_read, total_read;
} oyl__page_plan;

/* Checks opts (EINVAL naming the field) and makes an empty page. */
int oyl__page_plan_make(oyl_db *db, const oyl_table *t, int order_col, const oyl_filter *filters,
			size_t nfilters, const oyl_list_options *opts, oyl__page_plan *plan);
/* Adds the page's reads (its rows, its total) to a batch, in scope. */
void oyl__page_plan_reads(oyl__page_plan *plan, oyl__batch *bt, const char *scope);
/* After the batch ran: the cursor and total; OYL_OK or ENOMEM. */
int oyl__page_plan_finish(oyl_db *db, oyl__page_plan *plan, const oyl__batch *bt);
/* Frees a plan's page that was not handed out. */
void oyl__page_plan_drop(oyl__page_plan *plan);

/* The record at index i of a page of table t, or NULL. */
const void *oyl__page_item(const oyl_page *page, const oyl_table *t, size_t i);
/* The same, writable: for derived figures (a tenant's counts). */
oyl__record *oyl__page_record(oyl_page *page, size_t i);

#endif
