/*
 * The embedded migrations, oldest first.  A new schema version is a new
 * pg_schema_v<N>.c and one line here; a published version never changes.
 */
#include "pg_internal.h"

const pg_migration oyl__pg_migrations[] = {
	{1, oyl__pg_schema_v1},
	{2, oyl__pg_schema_v2},
	{3, oyl__pg_schema_v3},
	{4, oyl__pg_schema_v4},
	{5, oyl__pg_schema_v5},
	{6, oyl__pg_schema_v6},
	{7, oyl__pg_schema_v7},
	{8, oyl__pg_schema_v8},
	{9, oyl__pg_schema_v9},
	{10, oyl__pg_schema_v10},
	{11, oyl__pg_schema_v11},
	{12, oyl__pg_schema_v12},
	{13, oyl__pg_schema_v13},
};

const size_t oyl__pg_nmigrations = sizeof oyl__pg_migrations / sizeof oyl__pg_migrations[0];
