/*
 * oyl-bench: what liboyl's PostgreSQL path costs against what a competent
 * user would write or pick instead (doc/performance.md).  Shared pieces:
 * the bench's setup, clocks and figures.
 */
#ifndef OYL_BENCH_H
#define OYL_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "oyl/oyl.h"

enum { OP_CREATE, OP_GET, OP_LIST, OP_UPDATE, OP_DELETE, NOPS };
extern const char *const op_names[NOPS];

#define LIST_LIMIT 20

/* What both paths work on: one tenant, its tenant_admin, a schema. */
typedef struct bench_env {
	const char *runtime_conninfo; /* the runtime role's, without search_path */
	const char *schema;
	char *uri;                    /* the runtime role's, with the schema */
	PGconn *owner;                /* the schema's owner (no search_path) */
	oyl_db *db;
	oyl_actor *admin;
	char tenant[37], admin_id[37];
} bench_env;

/* Latencies of each operation, in ns. */
typedef struct stats {
	int64_t *lat[NOPS];
	int64_t n[NOPS], cap;
	int64_t total_ns[NOPS];
	int round_trips[NOPS]; /* of one operation, counted on the wire */
	PGconn *traced;        /* while counting them */
	void *trace;
} stats;

int64_t now_ns(void);
/* Round trips in a libpq trace (PQtrace): the Syncs and simple Queries sent. */
int sent_round_trips(FILE *f);
bool stats_init(stats *st, int64_t cap);
void stats_free(stats *st);
void stats_add(stats *st, int op, int64_t ns);
double median_us(const int64_t *v, int64_t n); /* sorts v */
double ops_per_s(const stats *st, int op);

/* ---- the two paths of the mix -------------------------------------------- */

/* liboyl: the public calls, as the tenant_admin. */
bool oyl_mix(const bench_env *env, int i, stats *st);

/* A hand-written program with the same effect: prepared statements, one
 * round trip each, on a connection of its own as the runtime role. */
typedef struct pq_path pq_path;
pq_path *pq_open(const bench_env *env);
bool pq_mix(pq_path *p, int i, stats *st);
void pq_close(pq_path *p);
PGconn *pq_conn(pq_path *p);

/* Counts the round trips of each operation that follows on conn (in
 * libpq's trace of the protocol: a Sync or a simple Query each), until
 * stats_untrace(). */
void stats_trace(stats *st, PGconn *conn);
void stats_untrace(stats *st);
PGconn *oyl_conn(oyl_db *db);

/* ---- pgbench ---------------------------------------------------------------- */

/* The scripts pgbench runs (pgbench_run.c says what each holds). */
enum { PGB_WRITES, PGB_LIBOYL, PGB_TWO, PGB_NSCRIPTS };

/* Writes the scripts for env's tenant and admin; false on failure. */
bool pgbench_scripts(const bench_env *env);
void pgbench_scripts_remove(void);
/* pgbench's transactions per second running `script` on one connection
 * for `seconds`; < 0 when it could not run. */
double pgbench_tps(const bench_env *env, int script, int seconds);

/* ---- list pages ------------------------------------------------------------- */

/* Page times of lists of 1,000, 10,000 and 100,000 workspaces. */
bool list_pages(const bench_env *env);

#endif
