/* The corpus, the clocks, and the library's ingestion of the corpus. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ingest.h"

/* ---- the corpus ---- */

static corpus *loading; /* nftw passes no context */

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || st->st_size == 0 || strstr(path, "/."))
		return 0;
	corpus *c = loading;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		corpus_file *f = realloc(c->files, cap * sizeof *f);
		if (!f)
			return 1;
		c->files = f;
		c->cap = cap;
	}
	if (!(c->files[c->n].path = strdup(path)))
		return 1;
	c->files[c->n++].size = st->st_size;
	c->bytes += st->st_size;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const corpus_file *)a)->path, ((const corpus_file *)b)->path);
}

bool corpus_load(corpus *c, const char *dir)
{
	memset(c, 0, sizeof *c);
	loading = c;
	if (nftw(dir, add_file, 32, FTW_PHYS) != 0) {
		corpus_free(c);
		return false;
	}
	qsort(c->files, c->n, sizeof *c->files, cmp_path);
	return true;
}

void corpus_free(corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->files[i].path);
	free(c->files);
	memset(c, 0, sizeof *c);
}

unsigned char *read_whole(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	unsigned char *data = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*n = data ? (size_t)size : 0;
	return data;
}

/* ---- clocks ---- */

double self_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double proc_cpu_s(int pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = pid > 0 ? fopen(path, "r") : NULL;
	if (!f)
		return -1;
	size_t n = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[n] = '\0';
	/* after the command's ")": state is field 3, utime 14, stime 15 */
	char *p = strrchr(line, ')');
	unsigned long long utime, stime;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

void clock_start(clock_mark *m, int server_pid)
{
	m->server_pid = server_pid;
	m->server = proc_cpu_s(server_pid);
	m->self = self_cpu_s();
	m->wall = now_ns();
}

timing clock_stop(const clock_mark *m)
{
	timing t;
	t.wall_s = (now_ns() - m->wall) / 1e9;
	t.client_cpu_s = self_cpu_s() - m->self;
	double server = proc_cpu_s(m->server_pid);
	t.server_cpu_s = server >= 0 && m->server >= 0 ? server - m->server : -1;
	return t;
}

/* ---- the library's ingestion ---- */

bool ingest_one_by_one;

static bool made(oyl_db *db, const char *what, int rc)
{
	if (rc == OYL_OK)
		return true;
	fprintf(stderr, "oyl-ingest-bench: %s: %s (%s)\n", what, oyl_db_errmsg(db),
		oyl_status_name(rc));
	return false;
}

/* A tenant with one knowledge base (and what it hangs from); its id in kb. */
static bool make_kb(oyl_db *db, oyl_actor *root, const char *slug, char kb[37])
{
	oyl_tenant *t = NULL;
	oyl_workspace *w = NULL;
	oyl_teammate *m = NULL;
	oyl_assistant *a = NULL;
	oyl_knowledge_base *k = NULL;
	bool ok = made(db, "tenant", oyl_tenant_create(root, "Ingest bench", slug, NULL, &t)) &&
		  made(db, "workspace", oyl_workspace_create(root, oyl_tenant_id(t), "docs", &w)) &&
		  made(db, "teammate",
		       oyl_teammate_create(root, oyl_workspace_id(w), "docs", NULL, &m)) &&
		  made(db, "assistant",
		       oyl_assistant_create(root, oyl_teammate_id(m), "docs", &a)) &&
		  made(db, "knowledge base",
		       oyl_kb_create(root, oyl_assistant_id(a), "Debian docs", NULL, &k));
	if (ok)
		snprintf(kb, 37, "%s", oyl_kb_id(k));
	oyl_tenant_free(t);
	oyl_workspace_free(w);
	oyl_teammate_free(m);
	oyl_assistant_free(a);
	oyl_kb_free(k);
	return ok;
}

/* Counts one file's outcome in r (the first few refusals are told). */
static void count(ingest_result *r, int rc, const oyl_document *doc, const char *path,
		  const char *message)
{
	if (rc == OYL_OK) {
		r->stored++;
		r->chunks += oyl_document_chunk_count(doc);
	} else if (rc == OYL_EXISTS) {
		r->existing++;
	} else if (r->failed++ < 5) {
		fprintf(stderr, "oyl-ingest-bench: %s: %s (%s)\n", path, message,
			oyl_status_name(rc));
	}
}

/* Ingests one file and counts it in r. */
static void ingest_one(oyl_db *db, oyl_actor *root, const char *kb, const char *path,
		       ingest_result *r)
{
	oyl_doc_source src = OYL_DOC_SOURCE_INIT;
	src.path = path;
	oyl_document *doc = NULL;
	int rc = oyl_doc_ingest(root, kb, &src, NULL, &doc);
	count(r, rc, doc, path, oyl_db_errmsg(db));
	oyl_document_free(doc);
}

/* What oyl_doc_ingest_many tells of each file, counted as ingest_one does. */
typedef struct many_count {
	const corpus *c;
	ingest_result *r;
} many_count;

static int count_done(size_t i, int status, const char *message, const oyl_document *doc,
		      void *ctx)
{
	many_count *mc = ctx;
	count(mc->r, status, doc, mc->c->files[i].path, message);
	return 0;
}

/* Every file in one oyl_doc_ingest_many, timed with the sources' set-up. */
static bool ingest_many(oyl_db *db, oyl_actor *root, const char *kb, const corpus *c,
			int server_pid, ingest_result *out)
{
	oyl_doc_source *src = calloc(c->n ? c->n : 1, sizeof *src);
	const oyl_doc_source **ptr = calloc(c->n ? c->n : 1, sizeof *ptr);
	bool ok = src && ptr;
	clock_mark m;
	clock_start(&m, server_pid);
	for (size_t i = 0; ok && i < c->n; i++) {
		src[i] = (oyl_doc_source)OYL_DOC_SOURCE_INIT;
		src[i].path = c->files[i].path;
		ptr[i] = &src[i];
	}
	many_count mc = {c, out};
	ok = ok && made(db, "ingest many", oyl_doc_ingest_many(root, kb, ptr, c->n, NULL,
								count_done, &mc));
	out->t = clock_stop(&m);
	free(src);
	free(ptr);
	return ok;
}

bool ingest_corpus(oyl_db *db, const corpus *c, int server_pid, bool one_by_one,
		   ingest_result *out)
{
	memset(out, 0, sizeof *out);
	oyl_actor *root = NULL;
	char kb[37];
	if (!made(db, "superadmin", oyl_actor_superadmin(db, &root)) ||
	    !make_kb(db, root, "ingest-bench", kb)) {
		oyl_actor_free(root);
		return false;
	}
	clock_mark m;
	bool ok = true;
	if (one_by_one) {
		clock_start(&m, server_pid);
		for (size_t i = 0; i < c->n; i++)
			ingest_one(db, root, kb, c->files[i].path, out);
		out->t = clock_stop(&m);
	} else {
		ok = ingest_many(db, root, kb, c, server_pid, out);
	}
	oyl_actor_free(root);
	if (!ok)
		return false;
	return out->failed * 100 <= (int64_t)c->n; /* a few refusals are reported, not fatal */
}

/* Round trips of one ingestion of `path`, counted in libpq's trace. */
static int traced_ingest(oyl_db *db, PGconn *conn, oyl_actor *root, const char *kb,
			 const char *path)
{
	stats st;
	ingest_result r;
	memset(&r, 0, sizeof r);
	if (!stats_init(&st, 1))
		return -1;
	stats_trace(&st, conn);
	ingest_one(db, root, kb, path, &r);
	stats_add(&st, 0, 0); /* counts the trace so far */
	stats_untrace(&st);
	int n = r.stored == 1 ? st.round_trips[0] : -1;
	stats_free(&st);
	return n;
}

bool pg_round_trips(oyl_db *db, PGconn *conn, const corpus *c, int *small, int *large)
{
	size_t lo = 0, hi = 0;
	for (size_t i = 0; i < c->n; i++) {
		lo = c->files[i].size < c->files[lo].size ? i : lo;
		hi = c->files[i].size > c->files[hi].size ? i : hi;
	}
	oyl_actor *root = NULL;
	char kb[37];
	bool ok = c->n && made(db, "superadmin", oyl_actor_superadmin(db, &root)) &&
		  make_kb(db, root, "round-trips", kb);
	if (ok) {
		*small = traced_ingest(db, conn, root, kb, c->files[lo].path);
		*large = traced_ingest(db, conn, root, kb, c->files[hi].path);
	}
	oyl_actor_free(root);
	return ok;
}
