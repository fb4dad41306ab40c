/*
 * Test harness: every backend-dependent test program takes the backend
 * name as argv[1] ("sqlite" or "postgres") and gets fresh, isolated
 * databases from here.  PostgreSQL needs OYL_TEST_PG (a libpq conninfo of
 * a database the tests may create schemas in); without it the program
 * exits 77, which meson reports as a skip.  Each PostgreSQL database is a
 * schema of its own (search_path); each SQLite one a file in a temp dir.
 *
 * PostgreSQL roles (scripts/pg-cluster.sh makes them): OYL_TEST_PG, a
 * superuser, creates each schema AUTHORIZATION the role of
 * OYL_TEST_PG_OWNER, which migrates (DDL); the tests themselves run as
 * OYL_TEST_PG_APP, a member of oyl_runtime that owns no table and is
 * neither superuser nor BYPASSRLS, so row-level security is in force.
 * Without OYL_TEST_PG_OWNER and OYL_TEST_PG_APP, every role is
 * OYL_TEST_PG (RLS bypassed) and t_init prints a note.  On SQLite the
 * owner's URI and the runtime's are the same.
 */
#ifndef OYL_TEST_HARNESS_H
#define OYL_TEST_HARNESS_H

#include <check.h>
#include <stdint.h>

#include "core/internal.h"
#include "oyl/sys/backend.h"
#include "oyl/oyl.h"

#define T_URI_MAX 1024

/* Reads argv[1]; exits 77 when the backend is not available. */
void t_init(int argc, char **argv);
const char *t_backend(void);
int t_is_postgres(void);
/*
 * "sqlite-v1" and "sqlite-v2": the built-in SQLite backend cut down to an
 * older interface version (its version field, and no method past it), as
 * an older third-party backend would be.  0 for the others.
 */
unsigned t_cut_version(void);
void t_cut_backend(oyl_backend *be, unsigned version);

/*
 * A URI for a new empty database (nothing created in it yet), as the
 * runtime role: it may not migrate an empty database itself — use
 * t_open_uri() or t_migrate(), which migrate through the owner.
 */
void t_fresh_uri(char uri[T_URI_MAX]);
/* The same as the owner: for tests that migrate an empty database themselves. */
void t_fresh_owner_uri(char uri[T_URI_MAX]);
/*
 * The owner's URI of the database of `uri` (either role's URI), for raw
 * DDL or bookkeeping SQL in tests.  Returns one of a few static buffers:
 * valid until the call after next.
 */
const char *t_owner_uri(const char *uri);
/* The superuser's URI of the same database (row-level security does not
 * bind it): for checks that count every tenant's rows.  Static buffers as
 * t_owner_uri. */
const char *t_admin_uri(const char *uri);
/*
 * The same database as a login that is a member of oyl_runtime only (what
 * a tenant-facing server gets, OYL_TEST_PG_WEB), or NULL when there is
 * none.  One static buffer.
 */
const char *t_web_uri(const char *uri);
/* Migrates the database of `uri` through its owner; ck_assert on failure. */
void t_migrate(const char *uri);
/* 1 when PostgreSQL tests run as a separate runtime role (RLS in force). */
int t_has_runtime_role(void);
/* Opens a new empty database, migrated, as the runtime role; ck_assert on failure. */
oyl_db *t_open(void);
/*
 * Opens the database of `uri` as uri's role, after migrating it through
 * its owner (the open's own migrate is then a no-op read); ck_assert on
 * failure.
 */
oyl_db *t_open_uri(const char *uri);
/* A knowledge base in `tenant`, with the workspace, teammate and
 * assistant above it, made by `root` (a superadmin); its id in out. */
void t_make_kb(oyl_actor *root, const char *tenant, char out[37]);

/* Two tenants, A and B, each with a knowledge base; A's admin and user,
 * B's admin; all made by the handle's superadmin (root). */
typedef struct t_two_tenants {
	oyl_actor *root, *admin_a, *user_a, *admin_b;
	char tenant_a[37], tenant_b[37], kb_a[37], kb_b[37];
} t_two_tenants;
void t_two_tenants_make(oyl_db *db, t_two_tenants *w);
void t_two_tenants_free(t_two_tenants *w);

/* Removes every database this process created (schemas, temp files). */
void t_cleanup(void);

/* The backend of a handle, for record-level tests. */
oyl_backend *t_backend_of(oyl_db *db);

/* Rows of every table: counts[i] for oyl_schema_tables()[i]. */
void t_counts(oyl_backend *b, int64_t *counts);
/* A fingerprint of every row of every table (platform scope). */
uint64_t t_fingerprint(oyl_backend *b);

/* Runs a Check suite; returns the process exit status. */
int t_run(Suite *s);

/* Raw SQL on the database of a URI (test setup only): returns 0 on success. */
int t_exec_sql(const char *uri, const char *sql);

/* The first column of the first row of a query, as an integer (-1 on error). */
int64_t t_query_int(const char *uri, const char *sql);

#endif
