/*
 * Record-level fixtures: one row in every table for a tenant, built from
 * the schema descriptors, so that a new table or column is covered
 * without touching the tests.
 */
#ifndef OYL_TEST_FIXTURE_H
#define OYL_TEST_FIXTURE_H

#include "harness.h"

#define FX_MAX_TABLES 32

/* The ids of one tenant's fixture, by table index in oyl_schema_tables(). */
typedef struct fx_tenant {
	char tenant_id[37];
	char ids[FX_MAX_TABLES][37];
	int tag; /* makes unique text (slug, e-mail) per fixture */
	/* the rows inserted, and the text their values point into */
	oyl_value rows[FX_MAX_TABLES][32];
	char texts[FX_MAX_TABLES][32][128];
} fx_tenant;

/* Inserts one row into every table for a new tenant (platform scope for
 * global tables, the tenant's scope for the others). */
void fx_build(oyl_backend *b, fx_tenant *fx, int tag);

/* The values fx_build used for table t's row (owned by fx). */
const oyl_value *fx_row(const fx_tenant *fx, const oyl_table *t);

/* Index of a table in oyl_schema_tables(), or -1. */
int fx_table_index(const char *name);

/* Index of a column in a table, or -1. */
int fx_col(const oyl_table *t, const char *name);

#endif
