/*
 * oyl-search-bench: top-10 lexical search latency (doc/performance.md).
 *
 *   oyl-search-bench <corpus dir> [--pg "<app conninfo>" --pg-owner "<owner conninfo>"]
 *                    [--sqlite PATH] [--tenants N (100)] [--small N (2000)]
 *                    [--big N (200000)] [--queries N (400)] [--cold]
 *
 * Each backend gets `tenants` tenants of about `small` chunks each and one
 * of about `big` chunks, ingested through the library from the corpus's
 * real text (44-word chunks, no overlap, so that the corpus makes that
 * many).  Questions are 1 to 3 consecutive words of the corpus.  Timed,
 * per question, median and 99th percentile, for the big tenant and for a
 * small one (a different one each question):
 *
 *   PostgreSQL, as the app role (row-level security in force)
 *     liboyl       oyl_kb_search by a user of the tenant;
 *     direct SQL   the statements the library sent for that question
 *                  (caught as it sent them, in the warming pass), replayed
 *                  with libpq, prepared, pipelined in the round trips the
 *                  data need (the target, then its postings, then the
 *                  chunks of the best): the same SQL without the library's
 *                  work.  The two are timed back to back, taking turns at
 *                  going first, with the catching hook off;
 *     GIN          what a user would write instead, as the tables' owner:
 *                  a tsvector ('english') with a GIN index over the same
 *                  chunks, ts_rank, the question's words ORed, LIMIT 10.
 *   SQLite
 *     liboyl       oyl_kb_search;
 *     FTS5         an FTS5 table (porter tokenizer) over the same chunks,
 *                  bm25(), the question's words ORed, LIMIT 10.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/internal.h"

#include "backends/sql/sql.h"
#include "bench.h"
#include "ingest.h"
#include "fts5_query.h"

typedef struct args {
	const char *corpus, *pg, *pg_owner, *sqlite;
	int tenants, small, big, queries;
	int cold; /* --cold: no untimed round before the timed one */
} args;

/* ---- the data: tenants filled through the library ---- */

typedef struct tenant {
	char id[37], kb[37], user_id[37];
	oyl_actor *user;
	int64_t chunks;
} tenant;

typedef struct world {
	oyl_db *db;
	oyl_actor *root;
	tenant *t; /* t[0]: the big one */
	int n;
} world;

PGconn *oyl__pg_conn(oyl_backend *b);

static bool make_tenant(world *w, int i, tenant *t)
{
	char slug[32], email[64];
	snprintf(slug, sizeof slug, "bench-%d", i);
	oyl_tenant *tn = NULL;
	oyl_workspace *ws = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *as = NULL;
	oyl_knowledge_base *kb = NULL;
	oyl_user *u = NULL;
	snprintf(email, sizeof email, "reader@%s.example", slug);
	bool ok = oyl_tenant_create(w->root, "Bench", slug, NULL, &tn) == OYL_OK &&
		  oyl_workspace_create(w->root, oyl_tenant_id(tn), "W", &ws) == OYL_OK &&
		  oyl_teammate_create(w->root, oyl_workspace_id(ws), "T", NULL, &tm) == OYL_OK &&
		  oyl_assistant_create(w->root, oyl_teammate_id(tm), "A", &as) == OYL_OK &&
		  oyl_kb_create(w->root, oyl_assistant_id(as), "K", NULL, &kb) == OYL_OK &&
		  oyl_user_create(w->root, oyl_tenant_id(tn), email, "Reader", OYL_ROLE_USER, &u) ==
			  OYL_OK &&
		  oyl_actor_for_user(w->db, oyl_user_id(u), &t->user) == OYL_OK;
	if (ok) {
		snprintf(t->id, sizeof t->id, "%s", oyl_tenant_id(tn));
		snprintf(t->kb, sizeof t->kb, "%s", oyl_kb_id(kb));
		snprintf(t->user_id, sizeof t->user_id, "%s", oyl_user_id(u));
	} else {
		fprintf(stderr, "oyl-search-bench: tenant %d: %s\n", i, oyl_db_errmsg(w->db));
	}
	oyl_tenant_free(tn);
	oyl_workspace_free(ws);
	oyl_teammate_free(tm);
	oyl_assistant_free(as);
	oyl_kb_free(kb);
	oyl_user_free(u);
	return ok;
}

/* Ingests files from `*next` on until the knowledge base has `want` chunks. */
static bool fill_tenant(world *w, tenant *t, const corpus *c, size_t *next, int64_t want)
{
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.chunk_tokens = 44;
	o.chunk_overlap = -1;
	for (size_t tries = 0; t->chunks < want && tries < c->n; tries++) {
		size_t n = 0;
		const corpus_file *f = &c->files[*next % c->n];
		++*next;
		unsigned char *data = read_whole(f->path, &n);
		if (!data)
			continue;
		oyl_doc_source s = OYL_DOC_SOURCE_INIT;
		s.data = data;
		s.length = n;
		s.name = strrchr(f->path, '/') + 1;
		s.mime_type = "text/plain";
		oyl_document *d = NULL;
		int rc = oyl_doc_ingest(w->root, t->kb, &s, &o, &d);
		if (rc == OYL_OK)
			t->chunks += oyl_document_chunk_count(d);
		oyl_document_free(d);
		free(data);
	}
	return t->chunks >= want;
}

static bool fill(world *w, const args *a, const corpus *c)
{
	w->n = a->tenants + 1;
	w->t = calloc((size_t)w->n, sizeof *w->t);
	if (!w->t || oyl_actor_superadmin(w->db, &w->root) != OYL_OK)
		return false;
	size_t next = 0;
	int64_t start = now_ns();
	for (int i = 0; i < w->n; i++) {
		if (!make_tenant(w, i, &w->t[i]))
			return false;
		/* the small ones start at places of their own in the corpus */
		if (i > 0)
			next = (size_t)i * 7919u;
		if (!fill_tenant(w, &w->t[i], c, &next, i == 0 ? a->big : a->small)) {
			fprintf(stderr, "oyl-search-bench: tenant %d: only %lld chunks\n", i,
				(long long)w->t[i].chunks);
			return false;
		}
		if (i == 0 || i % 20 == 0)
			fprintf(stderr, "oyl-search-bench: tenant %d of %d filled (%lld chunks, %.0f s)\n",
				i + 1, w->n, (long long)w->t[i].chunks, (now_ns() - start) / 1e9);
	}
	return true;
}

/* The searches run on a handle of their own, as a host's readers would:
 * not the one whose session ingested everything. */
static bool reopen(world *w, const char *uri)
{
	for (int i = 0; i < w->n; i++)
		oyl_actor_free(w->t[i].user);
	oyl_actor_free(w->root);
	oyl_db_close(w->db);
	w->db = NULL;
	if (oyl_db_open(&w->db, uri, NULL) != OYL_OK || oyl_actor_superadmin(w->db, &w->root))
		return false;
	for (int i = 0; i < w->n; i++)
		if (oyl_actor_for_user(w->db, w->t[i].user_id, &w->t[i].user) != OYL_OK)
			return false;
	return true;
}

static void world_free(world *w)
{
	for (int i = 0; i < w->n; i++)
		oyl_actor_free(w->t[i].user);
	free(w->t);
	oyl_actor_free(w->root);
	oyl_db_close(w->db);
}

/* ---- questions ---- */

/* Question q: 1 to 3 consecutive words at a place of the corpus's first
 * files (the big tenant's). */
static char **questions(const corpus *c, int n)
{
	char **qs = calloc((size_t)n, sizeof *qs);
	unsigned x = 2166136261u;
	for (int q = 0; q < n; q++) {
		x = x * 1103515245u + 12345u;
		size_t len = 0;
		unsigned char *text = read_whole(c->files[(x >> 8) % (c->n < 500 ? c->n : 500)].path,
						 &len);
		char out[128] = "";
		size_t k = 0;
		if (text && len > 0) {
			x = x * 1103515245u + 12345u;
			size_t at = ((size_t)x * 2654435761u) % len;
			while (at > 0 && !isspace(text[at - 1]))
				at--;
			int words = 1 + (int)((x >> 20) % 3), seen = 0;
			for (; at < len && k + 1 < sizeof out && k < 60; at++) {
				if (isspace(text[at])) {
					if (k && ++seen == words)
						break;
					if (k && out[k - 1] != ' ')
						out[k++] = ' ';
					continue;
				}
				out[k++] = (char)text[at];
			}
		}
		out[k] = '\0';
		free(text);
		qs[q] = strdup(out);
	}
	return qs;
}

/* ---- figures ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef struct figure {
	double median, p99;
} figure;

static figure summarise(double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	figure f = {n ? ms[n / 2] : 0, n ? ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] : 0};
	return f;
}

static void print_figure(const char *what, figure f, figure base)
{
	printf("  %-44s median %8.3f ms   p99 %8.3f ms", what, f.median, f.p99);
	if (base.median > 0)
		printf("   (%.2fx, %.2fx)", f.median / base.median, f.p99 / base.p99);
	printf("\n");
}

/* The medians of the questions where liboyl's call went first (even
 * ones) and of those where the replay did (a different half of the
 * questions: compare within a half): what going first still costs. */
static void split_by_order(const double *lib, const double *sql, int n, char *out, size_t size)
{
	double med[2][2];
	double *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);
	for (int first = 0; first < 2; first++) {
		int m = 0;
		for (int q = first; q < n; q += 2, m++) {
			a[m] = lib[q];
			b[m] = sql[q];
		}
		med[first][0] = summarise(a, m).median;
		med[first][1] = summarise(b, m).median;
	}
	free(a);
	free(b);
	snprintf(out, size,
		 "   liboyl first: %.3f against %.3f ms (%.2fx); direct SQL first: liboyl "
		 "%.3f against %.3f ms (%.2fx)\n",
		 med[0][0], med[0][1], med[0][0] / med[0][1], med[1][0], med[1][1],
		 med[1][0] / med[1][1]);
}

/* ---- liboyl ---- */

/* The calling thread's CPU time: how much of a call is the client's own
 * work rather than waiting for the server. */
static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double last_cpu_ms; /* of the last time_search() or replay() */

static double time_search(world *w, tenant *t, const char *q, size_t *hits)
{
	oyl_search_results *r = NULL;
	int64_t c0 = cpu_ns(), t0 = now_ns();
	int rc = oyl_kb_search(t->user, t->kb, q, NULL, &r);
	double ms = (now_ns() - t0) / 1e6;
	last_cpu_ms = (cpu_ns() - c0) / 1e6;
	if (rc != OYL_OK)
		fprintf(stderr, "oyl-search-bench: search [%s]: %s\n", q, oyl_db_errmsg(w->db));
	*hits = oyl_search_count(r);
	oyl_search_free(r);
	return ms;
}

/* ---- PostgreSQL: the same SQL, replayed ---- */

typedef struct stmt {
	char *text;
	int n;
	char *v[64];
} stmt;

typedef struct script {
	stmt s[32];
	int n;
} script;

static script *catching;

static char *value_text(const oyl__sql_param *p)
{
	char buf[64];
	if (p->kind == OYL__SQL_NULL)
		return NULL;
	if (p->kind == OYL__SQL_TEXT || p->kind == OYL__SQL_LITERAL)
		return strndup(p->s, p->n);
	/* a search binds no time: integers only */
	snprintf(buf, sizeof buf, "%lld", (long long)p->i);
	return strdup(buf);
}

static void catch_statement(const oyl__sql *q)
{
	if (!catching || catching->n == 32)
		return;
	stmt *s = &catching->s[catching->n++];
	s->text = strdup(q->text);
	s->n = (int)q->nparams < 64 ? (int)q->nparams : 64;
	for (int k = 0; k < s->n; k++)
		s->v[k] = value_text(&q->params[k]);
}

static void script_free(script *sc)
{
	for (int i = 0; i < sc->n; i++) {
		free(sc->s[i].text);
		for (int k = 0; k < sc->s[i].n; k++)
			free(sc->s[i].v[k]);
	}
	sc->n = 0;
}

static bool drain(PGconn *c)
{
	bool ok = true;
	for (;;) {
		PGresult *r = PQgetResult(c);
		if (!r) {
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_FATAL_ERROR) {
			fprintf(stderr, "oyl-search-bench: replay: %s", PQresultErrorMessage(r));
			ok = false;
		}
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC)
			return ok;
	}
}

/* Prepared statements of the replay, by text (what a competent user does,
 * as the library does). */
static char *prepared[256];
static int nprepared;

static const char *prepared_name(PGconn *c, const stmt *s)
{
	static char name[16];
	for (int i = 0; i < nprepared; i++)
		if (strcmp(prepared[i], s->text) == 0) {
			snprintf(name, sizeof name, "r%d", i);
			return name;
		}
	if (nprepared == 256)
		return NULL;
	snprintf(name, sizeof name, "r%d", nprepared);
	PGresult *r = PQprepare(c, name, s->text, 0, NULL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return NULL;
	prepared[nprepared++] = strdup(s->text);
	return name;
}

static void send_fixed(PGconn *c, const char *sql)
{
	PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
}

/*
 * The caught statements, inside a transaction as the library opens one
 * (role, tenant), each prepared once beforehand, in the round trips that
 * the data allow and no more: what names the target and its knowledge
 * bases (and the transaction's settings) first; then the postings, whose
 * terms need the knowledge base's language; then the chunks of the best,
 * known once scored, with the commit.
 */
static double replay(PGconn *c, const script *sc, const char *tenant)
{
	char names[32][16];
	for (int i = 0; i < sc->n; i++) {
		const char *nm = prepared_name(c, &sc->s[i]);
		snprintf(names[i], sizeof names[i], "%s", nm ? nm : "");
	}
	char set[128];
	snprintf(set, sizeof set, "SET LOCAL oyl.tenant_id = '%s'", tenant);
	int64_t c0 = cpu_ns(), t0 = now_ns();
	bool ok = true;
	PQenterPipelineMode(c);
	send_fixed(c, "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY");
	send_fixed(c, "SET LOCAL ROLE oyl_runtime");
	send_fixed(c, set);
	send_fixed(c, "SET LOCAL oyl.platform = 'off'");
	int phase = 0; /* 0: before the postings, 1: the postings, 2: after them */
	for (int i = 0; i < sc->n; i++) {
		int postings = strncmp(sc->s[i].text, "SELECT term", 11) == 0;
		int now = postings ? 1 : phase == 0 ? 0 : 2;
		if (now != phase) { /* a round trip ends where the library needed an answer */
			PQpipelineSync(c);
			ok &= drain(c);
			phase = now;
		}
		PQsendQueryPrepared(c, names[i], sc->s[i].n, (const char *const *)sc->s[i].v, NULL,
				    NULL, 1);
	}
	send_fixed(c, "COMMIT");
	PQpipelineSync(c);
	ok &= drain(c);
	PQexitPipelineMode(c);
	double ms = (now_ns() - t0) / 1e6;
	last_cpu_ms = (cpu_ns() - c0) / 1e6;
	return ok ? ms : -1;
}

/* ---- PostgreSQL: GIN as the owner ---- */

static bool owner_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "oyl-search-bench: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return ok;
}

static bool make_gin(PGconn *owner)
{
	int64_t t0 = now_ns();
	/* the owner reads the chunks with the wall lowered for the copy only */
	bool ok = owner_exec(owner, "DROP TABLE IF EXISTS bench_fts") &&
		  owner_exec(owner, "ALTER TABLE document_chunks NO FORCE ROW LEVEL SECURITY") &&
		  owner_exec(owner,
			     "CREATE TABLE bench_fts AS SELECT c.id, c.tenant_id, c.content, "
			     "to_tsvector('english', c.content) AS tsv FROM document_chunks c") &&
		  owner_exec(owner, "ALTER TABLE document_chunks FORCE ROW LEVEL SECURITY") &&
		  owner_exec(owner, "CREATE INDEX bench_fts_tsv ON bench_fts USING gin (tsv)") &&
		  owner_exec(owner, "CREATE INDEX bench_fts_tenant ON bench_fts (tenant_id)") &&
		  owner_exec(owner, "ANALYZE bench_fts") &&
		  owner_exec(owner,
			     "PREPARE gin_top(uuid, text) AS SELECT id, content, ts_rank(tsv, q) AS r "
			     "FROM bench_fts, CAST(replace(plainto_tsquery('english', $2)::text, ' & ', "
			     "' | ') AS tsquery) AS q WHERE tenant_id = $1 AND tsv @@ q ORDER BY r DESC "
			     "LIMIT 10");
	fprintf(stderr, "oyl-search-bench: the GIN table made in %.0f s\n", (now_ns() - t0) / 1e9);
	return ok;
}

static double time_gin(PGconn *owner, const char *tenant, const char *q)
{
	const char *v[2] = {tenant, q};
	int64_t t0 = now_ns();
	PGresult *r = PQexecPrepared(owner, "gin_top", 2, v, NULL, NULL, 0);
	double ms = (now_ns() - t0) / 1e6;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "oyl-search-bench: GIN [%s]: %s", q, PQerrorMessage(owner));
	PQclear(r);
	return ms;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static char *with_schema(const char *conninfo, const char *schema)
{
	size_t n = strlen(conninfo) + strlen(schema) + 64;
	char *out = malloc(n);
	snprintf(out, n, "%s options='-csearch_path=%s'", conninfo, schema);
	return out;
}

static int run_pg(const args *a, const corpus *c, char **qs)
{
	const char *schema = "oyl_search_bench";
	PGconn *owner = PQconnectdb(a->pg_owner);
	if (PQstatus(owner) != CONNECTION_OK) {
		fprintf(stderr, "oyl-search-bench: %s", PQerrorMessage(owner));
		return 1;
	}
	PQsetNoticeProcessor(owner, quiet, NULL);
	char sql[256];
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	owner_exec(owner, sql);
	snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
	owner_exec(owner, sql);
	snprintf(sql, sizeof sql, "GRANT USAGE ON SCHEMA %s TO PUBLIC", schema);
	owner_exec(owner, sql);
	char *owner_uri = with_schema(a->pg_owner, schema);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	oyl_db *m = NULL;
	if (oyl_db_open(&m, owner_uri, &o) != OYL_OK) {
		fprintf(stderr, "oyl-search-bench: migrate: %s\n", oyl_last_open_error());
		return 1;
	}
	oyl_db_close(m);
	char *app_uri = with_schema(a->pg, schema);
	world w = {0};
	if (oyl_db_open(&w.db, app_uri, NULL) != OYL_OK || !fill(&w, a, c)) {
		fprintf(stderr, "oyl-search-bench: PostgreSQL fill failed\n");
		return 1;
	}
	snprintf(sql, sizeof sql, "SET search_path = %s", schema);
	owner_exec(owner, sql);
	owner_exec(owner, "ANALYZE knowledge_bases, documents, document_chunks, search_postings");
	if (!reopen(&w, app_uri))
		return 1;
	PGconn *app = PQconnectdb(app_uri);
	if (PQstatus(app) != CONNECTION_OK || !make_gin(owner))
		return 1;
	int n = a->queries;
	double *lib_big = calloc((size_t)n, sizeof(double)), *lib_small = calloc((size_t)n, sizeof(double));
	double *sql_big = calloc((size_t)n, sizeof(double)), *sql_small = calloc((size_t)n, sizeof(double));
	double *gin_big = calloc((size_t)n, sizeof(double)), *gin_small = calloc((size_t)n, sizeof(double));
	/* the client's CPU of each call: [0] liboyl, [1] direct SQL; big, small */
	double *cpu[2][2];
	for (int i = 0; i < 4; i++)
		cpu[i / 2][i % 2] = calloc((size_t)n, sizeof(double));
	size_t hits_big = 0, hits_small = 0, h;
	/* Pass 0 catches each question's statements from the library's call.
	 * Pass 1, per question, the hook off: the library's call and the
	 * replay run twice, alternately, and only the second round is timed,
	 * so that each timed call finds the question's pages in the server's
	 * buffers (at full size they do not all stay there from pass 0, and a
	 * first run reading them in took two to three times as long) and
	 * comes right after the other's call.  Which goes first alternates
	 * from question to question.  With --cold, only the timed round: each
	 * side then pays the first run's reads on half of the questions. */
	script(*scripts)[2] = calloc((size_t)n, sizeof *scripts);
	for (int q = 0; q < n; q++)
		for (int which = 0; which < 2; which++) {
			tenant *t = which ? &w.t[1 + q % (w.n - 1)] : &w.t[0];
			catching = &scripts[q][which];
			oyl__sql_hook = catch_statement;
			time_search(&w, t, qs[q], &h);
			oyl__sql_hook = NULL;
			catching = NULL;
			replay(app, &scripts[q][which], t->id);
		}
	for (int q = 0; q < n; q++) {
		for (int which = 0; which < 2; which++) {
			tenant *t = which ? &w.t[1 + q % (w.n - 1)] : &w.t[0];
			double ms = 0, lib_cpu = 0, direct = 0, direct_cpu = 0;
			/* turns 0 and 1 untimed, 2 and 3 timed: each timed call
			 * comes right after the other's call of the same question */
			for (int turn = a->cold ? 2 : 0; turn < 4; turn++) {
				if ((turn + q) % 2 == 0) {
					ms = time_search(&w, t, qs[q], &h);
					lib_cpu = last_cpu_ms;
				} else {
					direct = replay(app, &scripts[q][which], t->id);
					direct_cpu = last_cpu_ms;
				}
			}
			script_free(&scripts[q][which]);
			(which ? lib_small : lib_big)[q] = ms;
			(which ? sql_small : sql_big)[q] = direct;
			cpu[0][which][q] = lib_cpu;
			cpu[1][which][q] = direct_cpu;
			*(which ? &hits_small : &hits_big) += h;
		}
		/* as warm as the two above: a first run untimed, unless --cold */
		for (int k = a->cold ? 1 : 0; k < 2; k++) {
			gin_big[q] = time_gin(owner, w.t[0].id, qs[q]);
			gin_small[q] = time_gin(owner, w.t[1 + q % (w.n - 1)].id, qs[q]);
		}
	}
	free(scripts);
	printf("\nPostgreSQL %s, %d questions (1 to 3 words of the corpus), top 10\n",
	       PQparameterStatus(owner, "server_version"), n);
	printf(" the big tenant (%lld chunks), %.1f results a question\n",
	       (long long)w.t[0].chunks, (double)hits_big / n);
	/* before summarise() sorts the arrays: the medians by who went first */
	char by_order[2][160];
	split_by_order(lib_big, sql_big, n, by_order[0], sizeof by_order[0]);
	split_by_order(lib_small, sql_small, n, by_order[1], sizeof by_order[1]);
	figure sb = summarise(sql_big, n), zero = {0, 0};
	print_figure("direct SQL (the library's statements, libpq)", sb, zero);
	print_figure("liboyl, app role, RLS in force", summarise(lib_big, n), sb);
	print_figure("GIN + ts_rank, owner, no RLS", summarise(gin_big, n), sb);
	printf("%s", by_order[0]);
	int64_t small_chunks = 0;
	for (int i = 1; i < w.n; i++)
		small_chunks += w.t[i].chunks;
	printf(" a small tenant (%d of them, %.0f chunks each on average), %.1f results a question\n",
	       w.n - 1, (double)small_chunks / (w.n - 1), (double)hits_small / n);
	figure ss = summarise(sql_small, n);
	print_figure("direct SQL (the library's statements, libpq)", ss, zero);
	print_figure("liboyl, app role, RLS in force", summarise(lib_small, n), ss);
	print_figure("GIN + ts_rank, owner, no RLS", summarise(gin_small, n), ss);
	printf("%s", by_order[1]);
	printf(" the client's own CPU a call, median (the rest is waiting for the server):\n");
	for (int which = 0; which < 2; which++)
		printf("  %-5s tenant: liboyl %.3f ms, direct SQL %.3f ms\n", which ? "small" : "big",
		       summarise(cpu[0][which], n).median, summarise(cpu[1][which], n).median);
	for (int i = 0; i < 4; i++)
		free(cpu[i / 2][i % 2]);
	/* round trips of one search, counted on the wire */
	FILE *trace = tmpfile();
	PGconn *lib_conn = oyl__pg_conn(w.db->backend);
	PQtrace(lib_conn, trace);
	PQsetTraceFlags(lib_conn, PQTRACE_SUPPRESS_TIMESTAMPS);
	time_search(&w, &w.t[0], qs[0], &h);
	PQuntrace(lib_conn);
	printf(" round trips of one oyl_kb_search: %d\n", sent_round_trips(trace));
	fclose(trace);
	/* the plans of the postings read and of the passages' chunks at this
	 * size, as the runtime role */
	script sc = {0};
	oyl__sql_hook = catch_statement;
	catching = &sc;
	time_search(&w, &w.t[0], "error message", &h);
	catching = NULL;
	oyl__sql_hook = NULL;
	for (int i = 0; i < sc.n; i++) {
		bool postings = strncmp(sc.s[i].text, "SELECT term", 11) == 0;
		if (!postings && !strstr(sc.s[i].text, "FROM \"document_chunks\""))
			continue;
		printf(" %s of the big tenant, EXPLAIN (ANALYZE, BUFFERS) as the runtime role:\n",
		       postings ? "the postings read" : "the passages' chunks read");
		char *explain = malloc(strlen(sc.s[i].text) + 64);
		sprintf(explain, "EXPLAIN (ANALYZE, BUFFERS) %s", sc.s[i].text);
		PQexec(app, "BEGIN");
		PQexec(app, "SET LOCAL ROLE oyl_runtime");
		snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", w.t[0].id);
		PQclear(PQexec(app, sql));
		PGresult *r = PQexecParams(app, explain, sc.s[i].n, NULL,
					   (const char *const *)sc.s[i].v, NULL, NULL, 0);
		for (int row = 0; row < PQntuples(r); row++)
			printf("    %s\n", PQgetvalue(r, row, 0));
		PQclear(r);
		PQclear(PQexec(app, "ROLLBACK"));
		free(explain);
	}
	script_free(&sc);
	PQfinish(app);
	PQfinish(owner);
	world_free(&w);
	free(lib_big), free(lib_small), free(sql_big), free(sql_small), free(gin_big), free(gin_small);
	free(owner_uri);
	free(app_uri);
	return 0;
}

/* ---- SQLite ---- */

static bool sq_exec(sqlite3 *s, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(s, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "oyl-search-bench: %s: %s\n", sql, err);
		sqlite3_free(err);
		return false;
	}
	return true;
}

static double time_fts(sqlite3_stmt *st, const char *tenant, const char *q)
{
	char match[512];
	fts5_or_query(q, match, sizeof match);
	if (!match[0])
		return 0.0;
	int64_t t0 = now_ns();
	sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tenant, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return (now_ns() - t0) / 1e6;
}

static int run_sqlite(const args *a, const corpus *c, char **qs)
{
	remove(a->sqlite);
	char uri[1100];
	snprintf(uri, sizeof uri, "sqlite:%s", a->sqlite);
	world w = {0};
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	if (oyl_db_open(&w.db, uri, &o) != OYL_OK || !fill(&w, a, c)) {
		fprintf(stderr, "oyl-search-bench: SQLite fill failed\n");
		return 1;
	}
	sqlite3 *s = NULL;
	sqlite3_open(a->sqlite, &s);
	int64_t t0 = now_ns();
	sq_exec(s, "CREATE VIRTUAL TABLE bench_fts USING fts5(content, tenant UNINDEXED, "
		   "tokenize = 'porter unicode61')");
	sq_exec(s, "INSERT INTO bench_fts (rowid, content, tenant) SELECT rowid, content, "
		   "tenant_id FROM document_chunks");
	fprintf(stderr, "oyl-search-bench: the FTS5 table made in %.0f s\n", (now_ns() - t0) / 1e9);
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(s,
			   "SELECT rowid, content, bm25(bench_fts) FROM bench_fts WHERE bench_fts "
			   "MATCH ?1 AND tenant = ?2 ORDER BY bm25(bench_fts) LIMIT 10",
			   -1, &st, NULL);
	int n = a->queries;
	double *lib_big = calloc((size_t)n, sizeof(double)), *lib_small = calloc((size_t)n, sizeof(double));
	double *fts_big = calloc((size_t)n, sizeof(double)), *fts_small = calloc((size_t)n, sizeof(double));
	size_t h;
	for (int pass = 0; pass < 2; pass++)
		for (int q = 0; q < n; q++) {
			tenant *big = &w.t[0], *small = &w.t[1 + q % (w.n - 1)];
			double lb = time_search(&w, big, qs[q], &h);
			double ls = time_search(&w, small, qs[q], &h);
			double fb = time_fts(st, big->id, qs[q]);
			double fs = time_fts(st, small->id, qs[q]);
			if (pass) {
				lib_big[q] = lb, lib_small[q] = ls, fts_big[q] = fb, fts_small[q] = fs;
			}
		}
	printf("\nSQLite %s, %d questions, top 10\n", sqlite3_libversion(), n);
	printf(" the big tenant (%lld chunks)\n", (long long)w.t[0].chunks);
	figure fb = summarise(fts_big, n), zero = {0, 0};
	print_figure("FTS5 bm25() (one table, every tenant)", fb, zero);
	print_figure("liboyl", summarise(lib_big, n), fb);
	printf(" a small tenant\n");
	figure fsm = summarise(fts_small, n);
	print_figure("FTS5 bm25() (one table, every tenant)", fsm, zero);
	print_figure("liboyl", summarise(lib_small, n), fsm);
	sqlite3_finalize(st);
	sqlite3_close(s);
	world_free(&w);
	free(lib_big), free(lib_small), free(fts_big), free(fts_small);
	return 0;
}

int main(int argc, char **argv)
{
	args a = {NULL, NULL, NULL, NULL, 100, 2000, 200000, 400, 0};
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--pg") == 0 && v)
			a.pg = argv[++i];
		else if (strcmp(argv[i], "--pg-owner") == 0 && v)
			a.pg_owner = argv[++i];
		else if (strcmp(argv[i], "--sqlite") == 0 && v)
			a.sqlite = argv[++i];
		else if (strcmp(argv[i], "--tenants") == 0 && v)
			a.tenants = atoi(argv[++i]);
		else if (strcmp(argv[i], "--small") == 0 && v)
			a.small = atoi(argv[++i]);
		else if (strcmp(argv[i], "--big") == 0 && v)
			a.big = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cold") == 0)
			a.cold = 1;
		else if (strcmp(argv[i], "--queries") == 0 && v)
			a.queries = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !a.corpus)
			a.corpus = argv[i];
		else {
			fprintf(stderr, "usage: oyl-search-bench <corpus dir> [--pg CONNINFO --pg-owner "
					"CONNINFO] [--sqlite PATH] [--tenants N] [--small N] [--big N] "
					"[--queries N] [--cold]\n");
			return 2;
		}
	}
	if (!a.corpus || a.tenants < 1 || a.queries < 1)
		return 2;
	if (a.pg && !a.pg_owner)
		a.pg_owner = a.pg;
	corpus c;
	if (!corpus_load(&c, a.corpus) || c.n == 0) {
		fprintf(stderr, "oyl-search-bench: no corpus in %s\n", a.corpus);
		return 1;
	}
	char **qs = questions(&c, a.queries);
	int rc = 0;
	if (a.pg)
		rc |= run_pg(&a, &c, qs);
	if (a.sqlite)
		rc |= run_sqlite(&a, &c, qs);
	for (int q = 0; q < a.queries; q++)
		free(qs[q]);
	free(qs);
	corpus_free(&c);
	return rc;
}
