/*
 * A record: one row of a table, copied out of the backend into a single
 * allocation.  Every public record type (oyl_tenant, oyl_user, ...) is a
 * struct whose only member is a record, so the core handles them alike.
 */
#ifndef OYL_CORE_RECORD_H
#define OYL_CORE_RECORD_H

#include "core/internal.h"

typedef struct oyl__record {
	const oyl_table *t;
	oyl_value *vals; /* t->ncols values; strings point into the same block */
	int64_t counts[2]; /* derived figures (a tenant's users, documents); -1 unset */
} oyl__record;

/* Copies a row (vals as a backend delivers it) into a new record. */
int oyl__record_copy(const oyl_table *t, const oyl_value *vals, size_t n, oyl__record **out);
void oyl__record_free(oyl__record *r);

/* Where oyl__record_cb puts the row it copies. */
typedef struct oyl__record_sink {
	const oyl_table *t;
	oyl__record *rec;
} oyl__record_sink;

/* A row callback (payload: an oyl__record_sink) that copies the first row. */
int oyl__record_cb(const oyl_value *vals, size_t n, void *payload);

/* Column getters: NULL / 0 for a NULL record or a NULL value. */
const char *oyl__record_text(const oyl__record *r, int col);
int64_t oyl__record_int(const oyl__record *r, int col);
double oyl__record_real(const oyl__record *r, int col); /* 0.0 for NULL */

/* The record as a JSON object (new string from oyl__malloc); secrets left out. */
int oyl__record_to_json(const oyl__record *r, char **json);

/* A NULL value, and values borrowing a string or holding a number. */
oyl_value oyl__val_null(void);
oyl_value oyl__val_text(int type, const char *s);
oyl_value oyl__val_int(int type, int64_t i);

#define OYL__DEFINE_RECORD_TYPE(type)                                                            \
	struct type {                                                                            \
		oyl__record rec;                                                                 \
	}

#endif
