/*
 * oyl-chat-bench: what oyl_chat_send costs beyond the search it makes
 * (doc/performance.md).  A program to run by hand, not a test.
 *
 *   oyl-chat-bench DOC_DIR [URI] [--rounds N]
 *
 * DOC_DIR's Markdown files (the project's doc/) are ingested into one
 * knowledge base; URI defaults to a SQLite file in a temporary directory
 * (a PostgreSQL URI must name a migrated database).  Then, in the same
 * run:
 *
 *   1. for each question of a fixed list, one oyl_kb_search of the
 *      assistant (5 passages, as chat asks for) and one oyl_chat_send of
 *      the same question with the offline extractive answerer, each in a
 *      new session; the medians and their ratio (goal: below 2);
 *   2. oyl_chat_send with the OpenAI-compatible HTTP provider against a
 *      scripted server on 127.0.0.1 that answers at once with a stream of
 *      K one-word tokens, for K = 1 and K = 1000: the difference divided by
 *      999 is the library's own cost per streamed token (the server's
 *      writes included: it runs in this process);
 *   3. on SQLite, the floor: the search, the answerer and a send's rows
 *      written by prepared statements (chat_floor.c), which no send can
 *      go below.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oyl/oyl.h"
#include "oyl/sys/provider.h"
#include "bench.h"
#include "chat_floor.h"
#include "stub_http.h"

static oyl_db *db;

static void die(const char *what, int rc)
{
	fprintf(stderr, "oyl-chat-bench: %s: %s (%s)\n", what, db ? oyl_db_errmsg(db) : "",
		oyl_status_name(rc));
	exit(1);
}

static const char *const questions[] = {
	"How does liboyl keep one tenant from reading another tenant's data?",
	"What happens to chat history when a document is deleted?",
	"How are documents chunked?",
	"Which formats can be ingested?",
	"How is BM25 computed and which parameters does it use?",
	"What does the worker do when its lease expires?",
	"How are passwords hashed?",
	"What is the long-call rule?",
	"How do I register an embedder?",
	"What does OYL_ENOTFOUND mean for another tenant's record?",
	"How are API keys stored?",
	"What does the row-level security policy check?",
	"How are originals stored in a directory?",
	"What is the default chunk size?",
	"How does round robin routing work?",
	"What is in the audit trail?",
	"How do lists paginate with a cursor?",
	"Which PostgreSQL roles does a deployment need?",
	"How does hybrid search fuse rankings?",
	"What happens when a quota is exceeded?",
};
#define NQ (sizeof questions / sizeof questions[0])

static void ingest_dir(oyl_actor *admin, const char *kb, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		die(dir, OYL_EINVAL);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		oyl_doc_source src = OYL_DOC_SOURCE_INIT;
		src.path = path;
		int rc = oyl_doc_ingest(admin, kb, &src, NULL, NULL);
		if (rc != OYL_OK && rc != OYL_EXISTS)
			die(path, rc);
	}
	closedir(d);
}

/* A provider that answers "[1]." at once: what chat costs without a model. */
static int instant_complete(oyl_provider *p, const oyl_provider_request *req,
			    oyl_provider_delta_fn on_delta, void *ctx, oyl_provider_usage *usage)
{
	(void)p;
	(void)req;
	usage->prompt_tokens = usage->completion_tokens = 1;
	return on_delta("[1].", 4, ctx) ? OYL_ECANCELED : OYL_OK;
}

static const char *instant_errmsg(oyl_provider *p)
{
	(void)p;
	return "";
}

static void instant_free(oyl_provider *p)
{
	free(p);
}

/* The extractive answerer, its time counted: what the answering costs
 * within a send, so that the send's own time can be told from it. */
typedef struct timed {
	oyl_provider base;
	oyl_provider *inner;
	int64_t ns; /* of the last complete() */
} timed;

static int timed_complete(oyl_provider *p, const oyl_provider_request *req,
			  oyl_provider_delta_fn on_delta, void *ctx, oyl_provider_usage *usage)
{
	timed *t = (timed *)p;
	int64_t t0 = now_ns();
	int rc = t->inner->complete(t->inner, req, on_delta, ctx, usage);
	t->ns = now_ns() - t0;
	return rc;
}

static const char *timed_errmsg(oyl_provider *p)
{
	timed *t = (timed *)p;
	return t->inner->errmsg(t->inner);
}

static void timed_free(oyl_provider *p)
{
	timed *t = (timed *)p;
	oyl_provider_free(t->inner);
	free(t);
}

static char *new_session(oyl_actor *user, const char *assistant)
{
	static char id[37];
	oyl_chat_session *s;
	int rc = oyl_chat_session_create(user, assistant, NULL, &s);
	if (rc)
		die("session", rc);
	memcpy(id, oyl_chat_session_id(s), 37);
	oyl_chat_session_free(s);
	return id;
}

static int64_t time_send(oyl_actor *user, const char *assistant, const char *q)
{
	char *sid = new_session(user, assistant);
	int64_t t0 = now_ns();
	int rc = oyl_chat_send(user, sid, q, NULL, NULL);
	int64_t t = now_ns() - t0;
	if (rc)
		die("chat send", rc);
	return t;
}

/* An answer of k one-word tokens as the chat-completions stream sends it. */
static char *stream_body(int k)
{
	static const char ev[] =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"}}]}\n\n";
	static const char tail[] = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":900,"
				   "\"completion_tokens\":1000}}\n\ndata: [DONE]\n\n";
	char *b = malloc((size_t)k * sizeof ev + sizeof tail);
	size_t o = 0;
	for (int i = 0; i < k; i++) {
		memcpy(b + o, ev, sizeof ev - 1);
		o += sizeof ev - 1;
	}
	memcpy(b + o, tail, sizeof tail);
	return b;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: oyl-chat-bench DOC_DIR [URI] [--rounds N]\n");
		return 2;
	}
	const char *dir = argv[1], *uri = NULL;
	int rounds = 5;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else
			uri = argv[i];
	}
	char tmp[] = "/tmp/oyl-chat-bench.XXXXXX", path[128];
	if (!uri) {
		if (!mkdtemp(tmp))
			return 1;
		snprintf(path, sizeof path, "sqlite:%s/bench.db", tmp);
		uri = path;
	}
	oyl_db_options opts = OYL_DB_OPTIONS_INIT;
	opts.flags = OYL_DB_MIGRATE;
	int rc = oyl_db_open(&db, uri, &opts);
	if (rc)
		die(oyl_last_open_error(), rc);
	oyl_actor *root, *user;
	oyl_tenant *t;
	oyl_user *u;
	oyl_workspace *w;
	oyl_teammate *tm;
	oyl_assistant *a;
	oyl_knowledge_base *kb;
	char slug[64];
	snprintf(slug, sizeof slug, "bench-%ld", (long)getpid());
	char email[96];
	snprintf(email, sizeof email, "reader-%ld@bench.example", (long)getpid());
	if ((rc = oyl_actor_superadmin(db, &root)) ||
	    (rc = oyl_tenant_create(root, "Bench", slug, NULL, &t)) ||
	    (rc = oyl_user_create(root, oyl_tenant_id(t), email, "Reader", OYL_ROLE_USER, &u)) ||
	    (rc = oyl_actor_for_user(db, oyl_user_id(u), &user)) ||
	    (rc = oyl_workspace_create(root, oyl_tenant_id(t), "W", &w)) ||
	    (rc = oyl_teammate_create(root, oyl_workspace_id(w), "T", NULL, &tm)) ||
	    (rc = oyl_assistant_create(root, oyl_teammate_id(tm), "A", &a)) ||
	    (rc = oyl_kb_create(root, oyl_assistant_id(a), "Docs", NULL, &kb)))
		die("setting up", rc);
	char assistant[37], user_id[37];
	memcpy(assistant, oyl_assistant_id(a), 37);
	memcpy(user_id, oyl_user_id(u), 37);
	ingest_dir(root, oyl_kb_id(kb), dir);
	/* measured on a handle of its own: the ingesting connection's plans
	 * were made while the tables were empty (doc/performance.md) */
	oyl_actor_free(user);
	oyl_actor_free(root);
	oyl_db_close(db);
	if ((rc = oyl_db_open(&db, uri, &opts)) || (rc = oyl_actor_superadmin(db, &root)) ||
	    (rc = oyl_actor_for_user(db, user_id, &user)))
		die("opening again", rc);
	printf("oyl-chat-bench: liboyl %s, %s, %d rounds of %zu questions\n", oyl_version(),
	       oyl_db_backend_name(db), rounds, NQ);

	/* 1: chat with the extractive answerer against its own search */
	timed *ex = calloc(1, sizeof *ex);
	oyl_provider tinit = OYL_PROVIDER_INIT;
	ex->base = tinit;
	ex->base.name = "timed-extractive";
	ex->base.complete = timed_complete;
	ex->base.errmsg = timed_errmsg;
	ex->base.free = timed_free;
	if ((rc = oyl_extractive_provider_new(&ex->inner)) ||
	    (rc = oyl_db_add_provider(db, "timed", &ex->base)) ||
	    (rc = oyl_assistant_set_provider(root, assistant, "timed", NULL, NULL, NULL)))
		die("provider", rc);
	size_t n = (size_t)rounds * NQ;
	int64_t *search_ns = calloc(n, sizeof *search_ns), *send_ns = calloc(n, sizeof *send_ns);
	int64_t *own_ns = calloc(n, sizeof *own_ns), *answer_ns = calloc(n, sizeof *answer_ns);
	for (size_t i = 0; i < NQ; i++) /* warm: statements prepared, pages cached */
		time_send(user, assistant, questions[i]);
	for (size_t k = 0; k < n; k++) {
		const char *q = questions[k % NQ];
		oyl_search_options so = OYL_SEARCH_OPTIONS_INIT;
		so.limit = OYL_CHAT_PASSAGES_DEFAULT;
		oyl_search_results *r;
		int64_t t0 = now_ns();
		if ((rc = oyl_kb_search(user, assistant, q, &so, &r)))
			die("search", rc);
		search_ns[k] = now_ns() - t0;
		oyl_search_free(r);
		send_ns[k] = time_send(user, assistant, q);
		own_ns[k] = send_ns[k] - ex->ns;
		answer_ns[k] = ex->ns;
	}
	double s_us = median_us(search_ns, (int64_t)n), c_us = median_us(send_ns, (int64_t)n);
	double o_us = median_us(own_ns, (int64_t)n), a_us = median_us(answer_ns, (int64_t)n);

	/* the same with a provider that answers at once: chat's own storage */
	oyl_provider *instant = calloc(1, sizeof *instant);
	oyl_provider init = OYL_PROVIDER_INIT;
	*instant = init;
	instant->name = "instant";
	instant->complete = instant_complete;
	instant->errmsg = instant_errmsg;
	instant->free = instant_free;
	if ((rc = oyl_db_add_provider(db, "instant", instant)) ||
	    (rc = oyl_assistant_set_provider(root, assistant, "instant", NULL, NULL, NULL)))
		die("provider", rc);
	for (size_t k = 0; k < n; k++)
		send_ns[k] = time_send(user, assistant, questions[k % NQ]);
	double i_us = median_us(send_ns, (int64_t)n);
	printf("\n1. oyl_chat_send (extractive) against oyl_kb_search of the same question\n");
	printf("   search, median                      %10.1f us\n", s_us);
	printf("   chat send, extractive, median       %10.1f us\n", c_us);
	printf("   ratio                               %10.2f  (goal: below 2)\n", c_us / s_us);
	printf("   the send without its answering      %10.1f us (ratio %.2f)\n", o_us,
	       o_us / s_us);
	printf("   chat send, instant provider, median %10.1f us (ratio %.2f)\n", i_us,
	       i_us / s_us);
	if (strcmp(oyl_db_backend_name(db), "sqlite") == 0 && strncmp(uri, "sqlite:", 7) == 0) {
		/* the floor: a send's rows by prepared statements on the same file */
		const char *path = uri + 7;
		if (strncmp(path, "///", 3) == 0)
			path += 2;
		char(*sessions)[37] = calloc(n, sizeof *sessions);
		for (size_t k = 0; k < n; k++)
			memcpy(sessions[k], new_session(user, assistant), 37);
		double f_us = chat_floor_sqlite_us(path, oyl_tenant_id(t), sessions, n);
		free(sessions);
		printf("   the answerer alone, median          %10.1f us\n", a_us);
		printf("   a send's rows, prepared statements  %10.1f us (two transactions)\n",
		       f_us);
		printf("   search + answerer + those rows      %10.1f us (ratio %.2f: the floor)\n",
		       s_us + a_us + f_us, (s_us + a_us + f_us) / s_us);
	}

	/* 2: the HTTP provider's cost per streamed token */
	stub *st = stub_start();
	oyl_http_provider_options ho = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	ho.base_url = stub_url(st);
	ho.model = "bench";
	oyl_provider *p;
	char err[256];
	if ((rc = oyl_http_provider_new(&ho, &p, err, sizeof err)))
		die(err, rc);
	if ((rc = oyl_db_add_provider(db, "http", p)) ||
	    (rc = oyl_assistant_set_provider(root, assistant, "http", NULL, NULL, NULL)))
		die("provider", rc);
	const int sizes[2] = {1, 1000};
	double med[2];
	int reps = rounds * 4;
	int64_t *v = calloc((size_t)reps, sizeof *v);
	for (int s = 0; s < 2; s++) {
		char *body = stream_body(sizes[s]);
		stub_reply reply = {STUB_ANSWER, 200, "Content-Type: text/event-stream\r\n", body,
				    0};
		stub_script(st, &reply, 1);
		time_send(user, assistant, questions[0]); /* warm */
		for (int k = 0; k < reps; k++)
			v[k] = time_send(user, assistant, questions[k % NQ]);
		med[s] = median_us(v, reps);
		free(body);
	}
	printf("\n2. oyl_chat_send with the HTTP provider, a scripted server answering at once\n");
	printf("   1 token, median          %10.1f us\n", med[0]);
	printf("   1000 tokens, median      %10.1f us\n", med[1]);
	printf("   per streamed token       %10.2f us\n", (med[1] - med[0]) / 999.0);

	free(v);
	free(search_ns);
	free(send_ns);
	free(own_ns);
	free(answer_ns);
	stub_stop(st);
	oyl_kb_free(kb);
	oyl_assistant_free(a);
	oyl_teammate_free(tm);
	oyl_workspace_free(w);
	oyl_user_free(u);
	oyl_tenant_free(t);
	oyl_actor_free(user);
	oyl_actor_free(root);
	oyl_db_close(db);
	return 0;
}
