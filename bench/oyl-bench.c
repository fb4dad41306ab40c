/*
 * oyl-bench: liboyl on PostgreSQL against what a competent user would
 * write or pick instead (doc/performance.md).
 *
 *   oyl-bench "<runtime conninfo>" [iterations ["<owner conninfo>"]]
 *
 * 1. The mix (create, get, list of 20, update, delete of a workspace, as a
 *    tenant_admin), `iterations` times (default 2000) through liboyl and
 *    through hand-written libpq with the same effect, prepared statements,
 *    one round trip each (mix_libpq.c), interleaved in blocks, in 5 rounds;
 *    operations per second, the ratio with its spread over the rounds, and
 *    round trips per operation counted on the wire.
 * 2. Creates per second against pgbench running a create's statements
 *    pipelined and prepared on one connection (pgbench_run.c), in slices
 *    of a few seconds taken in turn, the ratio with its spread: a shared
 *    machine's speed drifts by more than the difference measured.
 * 3. Page times of lists of 1,000, 10,000 and 100,000 rows (lists.c).
 *
 * Roles, as in a deployment (doc/backends.md): the owner conninfo creates
 * a fresh schema bench_<pid>, migrates it and drops it at the end;
 * everything measured connects with the runtime conninfo, a role that owns
 * nothing and is bound by row-level security.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "core/internal.h"

#define DEFAULT_ITERATIONS 2000
#define BLOCK 10
#define ROUNDS 5
#define SLICES 10
#define SLICE_SECONDS 1

PGconn *oyl__pg_conn(oyl_backend *b);

PGconn *oyl_conn(oyl_db *db)
{
	return oyl__pg_conn(db->backend);
}

static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static bool exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!good)
		fprintf(stderr, "oyl-bench: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return good;
}

static void value_of(PGconn *c, const char *sql, char *out, size_t size)
{
	PGresult *r = PQexec(c, sql);
	snprintf(out, size, "%s", PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "?");
	PQclear(r);
}

/* The conninfo with search_path set to the schema (key=value or URI). */
static char *with_schema(const char *conninfo, const char *schema)
{
	size_t n = strlen(conninfo) + strlen(schema) + 64;
	char *out = malloc(n);
	if (strstr(conninfo, "://"))
		snprintf(out, n, "%s%soptions=-csearch_path%%3D%s", conninfo,
			 strchr(conninfo, '?') ? "&" : "?", schema);
	else
		snprintf(out, n, "%s options='-csearch_path=%s'", conninfo, schema);
	return out;
}

static bool setup(bench_env *env, const char *owner_conninfo, PGconn *owner)
{
	char sql[64];
	snprintf(sql, sizeof sql, "CREATE SCHEMA %s", env->schema);
	if (!exec_ok(owner, sql))
		return false;
	char *owner_uri = with_schema(owner_conninfo, env->schema);
	env->uri = with_schema(env->runtime_conninfo, env->schema);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	oyl_db *migrator = NULL;
	int rc = oyl_db_open(&migrator, owner_uri, &o);
	free(owner_uri);
	if (rc != OYL_OK) {
		fprintf(stderr, "oyl-bench: migrate: %s\n", oyl_last_open_error());
		return false;
	}
	oyl_db_close(migrator);
	if ((rc = oyl_db_open(&env->db, env->uri, &o)) != OYL_OK) {
		fprintf(stderr, "oyl-bench: open: %s\n", oyl_last_open_error());
		return false;
	}
	oyl_actor *root = NULL;
	oyl_tenant *t = NULL;
	oyl_user *u = NULL;
	if (oyl_actor_superadmin(env->db, &root) ||
	    oyl_tenant_create(root, "Bench", "bench", NULL, &t) ||
	    oyl_user_create(root, oyl_tenant_id(t), "admin@bench.example", "Admin",
			    OYL_ROLE_TENANT_ADMIN, &u) ||
	    oyl_actor_for_user(env->db, oyl_user_id(u), &env->admin)) {
		fprintf(stderr, "oyl-bench: setup: %s\n", oyl_db_errmsg(env->db));
		return false;
	}
	snprintf(env->tenant, sizeof env->tenant, "%s", oyl_tenant_id(t));
	snprintf(env->admin_id, sizeof env->admin_id, "%s", oyl_user_id(u));
	/* the list pages through a full page and more */
	for (int i = 0; i < LIST_LIMIT + 1; i++)
		oyl_workspace_create(env->admin, env->tenant, "background", NULL);
	oyl_actor_free(root);
	oyl_tenant_free(t);
	oyl_user_free(u);
	return true;
}

static bool run_oyl(void *env, int i, stats *st)
{
	return oyl_mix(env, i, st);
}

static bool run_pq(void *p, int i, stats *st)
{
	return pq_mix(p, i, st);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* "median (min-max)" of n figures (sorts them). */
static void print_spread(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("%.2f (%.2f-%.2f over %d)", v[n / 2], v[0], v[n - 1], n);
}

static bool is_write(int op)
{
	return op == OP_CREATE || op == OP_UPDATE || op == OP_DELETE;
}

static double write_ns(const stats *st)
{
	double ns = 0;
	for (int k = 0; k < NOPS; k++)
		if (is_write(k))
			ns += st->total_ns[k];
	return ns;
}

static void report(const stats *oyl, const stats *pq, double *round_ratio)
{
	printf("\nthe mix: liboyl / hand-written libpq (prepared, a round trip a statement)\n");
	printf("  %-7s %9s %9s %7s %11s %11s %13s\n", "op", "liboyl/s", "libpq/s", "ratio",
	       "median us", "median us", "round trips");
	for (int k = 0; k < NOPS; k++) {
		double a = ops_per_s(oyl, k), b = ops_per_s(pq, k);
		printf("  %-7s %9.0f %9.0f %7.2f %11.1f %11.1f %8d / %d\n", op_names[k], a, b, a / b,
		       median_us(oyl->lat[k], oyl->n[k]), median_us(pq->lat[k], pq->n[k]),
		       oyl->round_trips[k], pq->round_trips[k]);
	}
	printf("  writes (create, update, delete): liboyl %.2fx the speed of hand-written libpq; "
	       "by round: ",
	       write_ns(pq) / write_ns(oyl));
	print_spread(round_ratio, ROUNDS);
	printf(" (must be >= 1.5)\n");
}

/* oyl_workspace_create calls per second for `seconds`; < 0 on failure. */
static double oyl_creates_per_s(const bench_env *env, int seconds)
{
	int64_t start = now_ns(), end = start + (int64_t)seconds * 1000000000;
	int64_t n = 0, t;
	do {
		if (oyl_workspace_create(env->admin, env->tenant, "pgbench", NULL) != OYL_OK) {
			fprintf(stderr, "oyl-bench: create: %s\n", oyl_db_errmsg(env->db));
			return -1;
		}
		n++;
	} while ((t = now_ns()) < end);
	return n * 1e9 / (double)(t - start);
}

/* Creates against pgbench, slice by slice, each path in turn first. */
static bool against_pgbench(const bench_env *env)
{
	double rate[SLICES], tps[PGB_NSCRIPTS][SLICES], ratio[PGB_NSCRIPTS][SLICES];
	if (!pgbench_scripts(env))
		return false;
	for (int s = 0; s < SLICES; s++) {
		for (int step = 0; step <= PGB_NSCRIPTS; step++) {
			int k = (step + s) % (PGB_NSCRIPTS + 1); /* PGB_NSCRIPTS: liboyl */
			double v = k == PGB_NSCRIPTS ? oyl_creates_per_s(env, SLICE_SECONDS)
						     : pgbench_tps(env, k, SLICE_SECONDS);
			if (v <= 0) {
				printf("  %s did not run\n", k == PGB_NSCRIPTS ? "liboyl" : "pgbench");
				pgbench_scripts_remove();
				return false;
			}
			if (k == PGB_NSCRIPTS)
				rate[s] = v;
			else
				tps[k][s] = v;
		}
		for (int k = 0; k < PGB_NSCRIPTS; k++)
			ratio[k][s] = rate[s] / tps[k][s];
	}
	pgbench_scripts_remove();

	static const char *const what[PGB_NSCRIPTS] = {
	    "BEGIN, SET LOCAL ROLE and tenant, the 2 inserts, COMMIT; 1 pipeline",
	    "every statement liboyl sends (+ the acting user's row); 1 pipeline",
	    "the same in liboyl's 2 pipelines (reads, then writes)"};
	printf("\ncreates: oyl_workspace_create / pgbench (prepared, 1 connection), %d slices of %d s "
	       "each\n",
	       SLICES, SLICE_SECONDS);
	qsort(rate, SLICES, sizeof rate[0], cmp_double);
	printf("  liboyl: median %.0f creates/s\n", rate[SLICES / 2]);
	for (int k = 0; k < PGB_NSCRIPTS; k++) {
		qsort(tps[k], SLICES, sizeof tps[k][0], cmp_double);
		printf("  pgbench %s: median %.0f tps\n    ratio liboyl / pgbench: ", what[k],
		       tps[k][SLICES / 2]);
		print_spread(ratio[k], SLICES);
		printf("%s\n", k == PGB_WRITES ? " (must be >= 0.8)" : "");
	}
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: oyl-bench \"<runtime conninfo>\" [iterations (default %d) "
				"[\"<owner conninfo>\"]]\n",
			DEFAULT_ITERATIONS);
		return 2;
	}
	int n = argc >= 3 ? atoi(argv[2]) : DEFAULT_ITERATIONS;
	if (n < 1)
		n = DEFAULT_ITERATIONS;
	const char *owner_conninfo = argc == 4 ? argv[3] : argv[1];
	char schema[32], version[96], fsync[16], user[64];
	snprintf(schema, sizeof schema, "bench_%ld", (long)getpid());
	bench_env env = {argv[1], schema, NULL, NULL, NULL, NULL, "", ""};
	stats so, sp;
	pq_path *pq = NULL;
	int status = 1;

	PGconn *owner = PQconnectdb(owner_conninfo);
	if (PQstatus(owner) != CONNECTION_OK) {
		fprintf(stderr, "oyl-bench: owner: %s", PQerrorMessage(owner));
		return 1;
	}
	PQsetNoticeProcessor(owner, drop_notice, NULL);
	env.owner = owner;
	value_of(owner, "SHOW server_version", version, sizeof version);
	value_of(owner, "SHOW fsync", fsync, sizeof fsync);
	if (!stats_init(&so, n) || !stats_init(&sp, n) || !setup(&env, owner_conninfo, owner) ||
	    !(pq = pq_open(&env)))
		goto out;
	value_of(pq_conn(pq), "SELECT current_user", user, sizeof user);
	printf("oyl-bench: liboyl %s, PostgreSQL %s (fsync=%s), runtime role %s, row-level "
	       "security in force\n",
	       oyl_version(), version, fsync, user);
	printf("iterations: %d per path (warm-up %d), interleaved in blocks of %d\n", n, n / 10 + 20,
	       BLOCK);

	/* round trips of one of each operation, counted on the wire */
	stats trace_o, trace_p;
	stats_init(&trace_o, 1);
	stats_init(&trace_p, 1);
	stats_trace(&trace_o, oyl_conn(env.db));
	oyl_mix(&env, -1, &trace_o);
	stats_untrace(&trace_o);
	stats_trace(&trace_p, pq_conn(pq));
	pq_mix(pq, -1, &trace_p);
	stats_untrace(&trace_p);
	memcpy(so.round_trips, trace_o.round_trips, sizeof so.round_trips);
	memcpy(sp.round_trips, trace_p.round_trips, sizeof sp.round_trips);
	stats_free(&trace_o);
	stats_free(&trace_p);

	stats warm;
	stats_init(&warm, n / 10 + 20);
	for (int i = 0; i < n / 10 + 20; i++)
		if (!oyl_mix(&env, i, &warm) || !pq_mix(pq, i, &warm))
			goto out;
	stats_free(&warm);
	double round_ratio[ROUNDS];
	int per_round = (n + ROUNDS - 1) / ROUNDS;
	for (int r = 0; r < ROUNDS; r++) {
		double oyl_before = write_ns(&so), pq_before = write_ns(&sp);
		for (int i = r * per_round; i < (r + 1) * per_round && i < n; i += BLOCK) {
			bool oyl_first = (i / BLOCK) % 2 == 0;
			for (int pass = 0; pass < 2; pass++) {
				bool oyl_turn = (pass == 0) == oyl_first;
				for (int k = i; k < i + BLOCK && k < n; k++)
					if (!(oyl_turn ? run_oyl(&env, k, &so) : run_pq(pq, k, &sp)))
						goto out;
			}
		}
		round_ratio[r] = (write_ns(&sp) - pq_before) / (write_ns(&so) - oyl_before);
	}
	report(&so, &sp, round_ratio);

	if (!against_pgbench(&env))
		goto out;
	if (!list_pages(&env))
		goto out;
	status = 0;
out:
	pq_close(pq);
	oyl_actor_free(env.admin);
	oyl_db_close(env.db);
	char sql[64];
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	exec_ok(owner, sql);
	PQfinish(owner);
	free(env.uri);
	stats_free(&so);
	stats_free(&sp);
	return status;
}
