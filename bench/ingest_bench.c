/*
 * oyl-ingest-bench: ingestion throughput of real text on each backend,
 * against the bound of writing the same rows by hand (doc/performance.md).
 *
 *   oyl-ingest-bench <corpus dir> [--pg "<app conninfo>" --pg-owner "<owner conninfo>"]
 *                    [--sqlite PATH] [--formats DIR] [--runs N] [--one-by-one]
 *
 * Each file of the corpus is a document.  Each run, on each backend: a
 * fresh schema (PostgreSQL, the owner's, migrated by the library) or file
 * (SQLite), one tenant and knowledge base, and every file ingested by
 * one oyl_doc_ingest_many (--one-by-one: an oyl_doc_ingest per file) by
 * the bootstrap superadmin (on PostgreSQL as the app
 * role: the library's checks and row-level security in force); MB/s is
 * the corpus's bytes over the time of the loop.  Then the bound: the rows
 * the library wrote (documents with their text, the originals' pieces in
 * document_blobs, document_chunks) written again into a fresh schema of
 * the same DDL, so the same indexes: on PostgreSQL by COPY as the tables'
 * owner with row-level security off (ingest_pg.c), on SQLite by prepared
 * INSERTs (ingest_sqlite.c).  The bound leaves out what the library does
 * besides writing those rows (extraction, chunking, checks, audit), so the
 * run also times that work alone, without storage (ingest_extract.c).
 * Last, the extractors' speed on each format under --formats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ingest.h"

#define MAX_RUNS 20

typedef struct args {
	const char *corpus, *pg, *pg_owner, *sqlite, *formats;
	int runs;
} args;

/* Every run's figures. */
typedef struct results {
	int n;
	pg_run pg[MAX_RUNS];
	sq_run sq[MAX_RUNS];
	work_result work[MAX_RUNS];
} results;

static int usage(void)
{
	fprintf(stderr, "usage: oyl-ingest-bench <corpus dir> [--pg \"<app conninfo>\" --pg-owner "
			"\"<owner conninfo>\"] [--sqlite PATH] [--formats DIR] [--runs N (2)] [--one-by-one]\n");
	return 2;
}

static bool parse(int argc, char **argv, args *a)
{
	memset(a, 0, sizeof *a);
	a->runs = 2;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--pg") == 0 && v)
			a->pg = argv[++i];
		else if (strcmp(argv[i], "--pg-owner") == 0 && v)
			a->pg_owner = argv[++i];
		else if (strcmp(argv[i], "--sqlite") == 0 && v)
			a->sqlite = argv[++i];
		else if (strcmp(argv[i], "--formats") == 0 && v)
			a->formats = argv[++i];
		else if (strcmp(argv[i], "--one-by-one") == 0)
			ingest_one_by_one = true;
		else if (strcmp(argv[i], "--runs") == 0 && v)
			a->runs = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !a->corpus)
			a->corpus = argv[i];
		else
			return false;
	}
	if (a->pg && !a->pg_owner)
		a->pg_owner = a->pg;
	return a->corpus && a->runs >= 1 && a->runs <= MAX_RUNS;
}

/* ---- figures ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Prints "median (min-max)" of n figures; returns the median. */
static double print_spread(const double *v, int n)
{
	double s[MAX_RUNS];
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	double median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	printf("%7.2f (%.2f-%.2f)", median, s[0], s[n - 1]);
	return median;
}

static double mb_per_s(const corpus *c, const timing *t)
{
	return c->bytes / 1e6 / t->wall_s;
}

/* One line: MB/s over the runs, then the median run's seconds and CPU. */
static void print_line(const char *what, const corpus *c, const timing *t, int n)
{
	double v[MAX_RUNS], wall[MAX_RUNS], cli[MAX_RUNS], srv[MAX_RUNS];
	for (int r = 0; r < n; r++) {
		v[r] = mb_per_s(c, &t[r]);
		wall[r] = t[r].wall_s;
		cli[r] = t[r].client_cpu_s;
		srv[r] = t[r].server_cpu_s;
	}
	qsort(wall, (size_t)n, sizeof *wall, cmp_double);
	qsort(cli, (size_t)n, sizeof *cli, cmp_double);
	qsort(srv, (size_t)n, sizeof *srv, cmp_double);
	printf("  %-34s", what);
	print_spread(v, n);
	printf("  %7.2f s  client CPU %6.2f s", wall[n / 2], cli[n / 2]);
	if (srv[n / 2] >= 0)
		printf("  server CPU %6.2f s", srv[n / 2]);
	printf("\n");
}

static void report_pg(const corpus *c, const results *res)
{
	timing lib[MAX_RUNS], text[MAX_RUNS], bin[MAX_RUNS];
	double ratio[MAX_RUNS], ratio_text[MAX_RUNS];
	const pg_run *p = res->pg;
	for (int r = 0; r < res->n; r++) {
		lib[r] = p[r].lib.t;
		text[r] = p[r].bound.text;
		bin[r] = p[r].bound.binary;
		double best = text[r].wall_s < bin[r].wall_s ? text[r].wall_s : bin[r].wall_s;
		ratio[r] = best / lib[r].wall_s;
		ratio_text[r] = text[r].wall_s / lib[r].wall_s;
	}
	printf("\nPostgreSQL                         MB/s median (min-max over %d runs), "
	       "median run\n",
	       res->n);
	print_line("liboyl, app role, RLS in force", c, lib, res->n);
	print_line("bound: COPY text, owner, no RLS", c, text, res->n);
	print_line("bound: COPY binary, owner, no RLS", c, bin, res->n);
	printf("  ratio liboyl / fastest COPY        ");
	print_spread(ratio, res->n);
	printf("   (goal >= 0.70)\n  ratio liboyl / COPY text           ");
	print_spread(ratio_text, res->n);
	printf("\n  rows: %lld documents (%lld refused, %lld duplicates), %lld document_blobs, "
	       "%lld document_chunks, %lld search_postings; COPY sent %.1f MB as text, %.1f MB "
	       "as binary\n",
	       (long long)p[0].bound.rows[0], (long long)p[0].lib.failed,
	       (long long)p[0].lib.existing, (long long)p[0].bound.rows[1],
	       (long long)p[0].bound.rows[2], (long long)p[0].bound.rows[3],
	       p[0].bound.bytes_text / 1e6,
	       p[0].bound.bytes_binary / 1e6);
	printf("  round trips of one oyl_doc_ingest: %d (smallest file), %d (largest file)\n",
	       p[0].rt_small, p[0].rt_large);
}

static void report_sqlite(const corpus *c, const results *res)
{
	timing lib[MAX_RUNS], bound[MAX_RUNS];
	double ratio[MAX_RUNS];
	for (int r = 0; r < res->n; r++) {
		lib[r] = res->sq[r].lib.t;
		bound[r] = res->sq[r].bound;
		ratio[r] = bound[r].wall_s / lib[r].wall_s;
	}
	printf("\nSQLite                             MB/s median (min-max over %d runs), "
	       "median run\n",
	       res->n);
	print_line("liboyl", c, lib, res->n);
	print_line("bound: prepared INSERTs, txn/doc", c, bound, res->n);
	printf("  ratio liboyl / bound               ");
	print_spread(ratio, res->n);
	printf("\n  rows: %lld documents, %lld document_blobs, %lld document_chunks, %lld "
	       "search_postings\n",
	       (long long)res->sq[0].rows[0], (long long)res->sq[0].rows[1],
	       (long long)res->sq[0].rows[2], (long long)res->sq[0].rows[3]);
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The library's own work without storage, against its time on each backend. */
static void report_work(const corpus *c, const results *res, bool pg, bool sq)
{
	double rd[MAX_RUNS], sha[MAX_RUNS], ex[MAX_RUNS], ch[MAX_RUNS], lp[MAX_RUNS],
		ls[MAX_RUNS];
	for (int r = 0; r < res->n; r++) {
		rd[r] = res->work[r].read_s;
		sha[r] = res->work[r].sha_s;
		ex[r] = res->work[r].extract_s;
		ch[r] = res->work[r].chunk_s;
		lp[r] = pg ? res->pg[r].lib.t.wall_s : 0;
		ls[r] = sq ? res->sq[r].lib.t.wall_s : 0;
	}
	double m_rd = median_of(rd, res->n), m_sha = median_of(sha, res->n),
	       m_ex = median_of(ex, res->n), m_ch = median_of(ch, res->n);
	double sum = m_rd + m_sha + m_ex + m_ch;
	printf("\nthe library's work without storage (one thread, medians): read %.2f s, SHA-256 "
	       "%.2f s, extraction and normalisation %.2f s (%.1f MB/s), chunking %.2f s "
	       "(%.1f MB/s): %.2f s in all, %.1f MB/s\n",
	       m_rd, m_sha, m_ex, c->bytes / 1e6 / m_ex, m_ch, c->bytes / 1e6 / m_ch, sum,
	       c->bytes / 1e6 / sum);
	printf("  text %.1f MB, %lld chunks\n", res->work[0].text_bytes / 1e6,
	       (long long)res->work[0].chunks);
	if (pg)
		printf("  = %.0f%% of liboyl's time on PostgreSQL\n",
		       100 * sum / median_of(lp, res->n));
	if (sq)
		printf("  = %.0f%% of liboyl's time on SQLite\n",
		       100 * sum / median_of(ls, res->n));
}

/* ---- runs ---- */

static bool run(const args *a, const corpus *c, int r, results *res)
{
	if (a->pg) {
		pg_run *p = &res->pg[r];
		if (!pg_run_once(a->pg, a->pg_owner, c, r, r % 2 == 1, p))
			return false;
		fprintf(stderr, "run %d: postgres liboyl %.1f s, COPY text %.1f s, binary %.1f s\n",
			r + 1, p->lib.t.wall_s, p->bound.text.wall_s, p->bound.binary.wall_s);
	}
	if (a->sqlite) {
		sq_run *s = &res->sq[r];
		if (!sq_run_once(a->sqlite, c, s))
			return false;
		fprintf(stderr, "run %d: sqlite liboyl %.1f s, bound %.1f s\n", r + 1,
			s->lib.t.wall_s, s->bound.wall_s);
	}
	if (!work_only(c, &res->work[r]))
		return false;
	fprintf(stderr, "run %d: work without storage %.1f s\n", r + 1,
		res->work[r].read_s + res->work[r].sha_s + res->work[r].extract_s +
			res->work[r].chunk_s);
	return true;
}

static void print_load(const char *when)
{
	char line[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			snprintf(line, sizeof line, "?\n");
		fclose(f);
	}
	printf("load average %s: %s", when, line);
}

static void print_server(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, "SELECT current_setting('server_version'), "
				"current_setting('fsync'), current_setting('synchronous_commit'), "
				"current_setting('shared_buffers')");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		printf("PostgreSQL %s (fsync=%s, synchronous_commit=%s, shared_buffers=%s), "
		       "on this machine\n",
		       PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
		       PQgetvalue(r, 0, 3));
	PQclear(r);
	PQfinish(c);
}

int main(int argc, char **argv)
{
	args a;
	if (!parse(argc, argv, &a))
		return usage();
	corpus c;
	if (!corpus_load(&c, a.corpus) || c.n == 0) {
		fprintf(stderr, "oyl-ingest-bench: no files in %s\n", a.corpus);
		return 1;
	}
	printf("oyl-ingest-bench: liboyl %s, SQLite %s\n", oyl_version(), sqlite3_libversion());
	if (a.pg)
		print_server(a.pg_owner);
	printf("corpus %s: %zu files (a document each), %.2f MB (1 MB = 10^6 bytes)\n", a.corpus,
	       c.n, c.bytes / 1e6);
	print_load("at the start");
	fflush(stdout);
	static results res;
	int status = 0;
	for (int r = 0; r < a.runs && status == 0; r++, res.n++)
		if (!run(&a, &c, r, &res))
			status = 1;
	if (status == 0) {
		if (a.pg)
			report_pg(&c, &res);
		if (a.sqlite)
			report_sqlite(&c, &res);
		report_work(&c, &res, a.pg != NULL, a.sqlite != NULL);
		extract_formats(a.formats, &c);
	}
	print_load("at the end");
	corpus_free(&c);
	return status;
}
