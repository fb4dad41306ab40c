/*
 * Workers, as separate processes on one database (argv[1]): 4 workers and
 * 200 uploaded documents, each processed exactly once; a worker killed
 * (SIGKILL) in the middle of a document, which another finishes once the
 * lease has run out, with exactly one chunk set; a worker stopped
 * (SIGSTOP) past its lease and then continued, which changes nothing;
 * a worker told to stop; and a document that keeps failing, given up
 * after the maximum attempts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static char uri[T_URI_MAX];
static oyl_db *db;
static oyl_actor *root;
static char tenant[2][37], kb[2][37];

static void setup(void)
{
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	for (int i = 0; i < 2; i++) {
		oyl_tenant *t = NULL;
		char slug[8];
		snprintf(slug, sizeof slug, "t%d", i);
		ck_assert_int_eq(oyl_tenant_create(root, slug, slug, NULL, &t), OYL_OK);
		memcpy(tenant[i], oyl_tenant_id(t), 37);
		oyl_tenant_free(t);
		t_make_kb(root, tenant[i], kb[i]);
	}
}

static void teardown(void)
{
	oyl_actor_free(root);
	oyl_db_close(db);
}

static void upload(int k, const char *name, const char *data, size_t n, char id[37])
{
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = data;
	s.length = n;
	s.name = name;
	s.mime_type = "text/plain";
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_upload(root, kb[k], &s, NULL, &d), OYL_OK);
	if (id)
		memcpy(id, oyl_document_id(d), 37);
	oyl_document_free(d);
}

/* A child process: its own handle, a worker, exit status = documents done. */
static pid_t spawn_worker(int64_t lease_seconds, int until_idle)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	oyl_db *mine = NULL;
	if (oyl_db_open(&mine, uri, NULL) != OYL_OK)
		_exit(255);
	oyl_worker_options o = OYL_WORKER_OPTIONS_INIT;
	o.lease_seconds = lease_seconds;
	o.until_idle = until_idle;
	o.poll_ms = 50;
	int64_t done = 0;
	int rc = oyl_worker_run(mine, &o, &done);
	if (rc != OYL_OK) {
		fprintf(stderr, "worker: %s: %s\n", oyl_status_name(rc), oyl_db_errmsg(mine));
		_exit(254);
	}
	oyl_db_close(mine);
	_exit((int)(done > 250 ? 250 : done));
}

static int reap(pid_t pid)
{
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= 250, "worker ended with %d", st);
	return WEXITSTATUS(st);
}

static oyl_document *get(const char *id)
{
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_get(root, id, &d), OYL_OK);
	return d;
}

/* Its chunks: exactly one set, ordinals 0..n-1, as many as it says. */
static void one_chunk_set(const char *id)
{
	oyl_document *d = get(id);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) * 1000000 + count(DISTINCT ordinal) * 1000 + "
		 "coalesce(max(ordinal), -1) + 1 FROM document_chunks WHERE document_id = '%s'",
		 id);
	int64_t n = oyl_document_chunk_count(d);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(t_query_int(t_admin_uri(uri), sql), n * 1000000 + n * 1000 + n);
	oyl_document_free(d);
}

START_TEST(four_workers_process_200_documents_each_exactly_once)
{
	char ids[200][37];
	for (int i = 0; i < 200; i++) {
		char text[128], name[32];
		int n = snprintf(text, sizeof text, "document %d of tenant %d. Its words.", i, i % 2);
		snprintf(name, sizeof name, "d%d.txt", i);
		upload(i % 2, name, text, (size_t)n, ids[i]);
	}
	pid_t kids[4];
	for (int k = 0; k < 4; k++)
		kids[k] = spawn_worker(60, 1);
	int total = 0;
	for (int k = 0; k < 4; k++)
		total += reap(kids[k]);
	ck_assert_int_eq(total, 200);
	for (int i = 0; i < 200; i++) {
		oyl_document *d = get(ids[i]);
		ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
		ck_assert_int_eq(oyl_document_attempt(d), 1); /* processed once */
		ck_assert_int_eq(oyl_document_chunk_count(d), 1);
		oyl_document_free(d);
	}
	ck_assert_int_eq(t_query_int(t_admin_uri(uri), "SELECT count(*) FROM document_chunks"), 200);
	ck_assert_int_eq(t_query_int(t_admin_uri(uri), "SELECT count(*) FROM ingest_jobs"), 0);
}
END_TEST

/* A text that takes a worker a while (about 8 MB: a second or so). */
static char *big_text(size_t *n, unsigned seed)
{
	size_t cap = 8u << 20;
	char *s = malloc(cap + 64);
	size_t at = 0;
	while (at < cap)
		at += (size_t)sprintf(s + at, "Sentence %u number %zu has several words in it. ",
				      seed, at);
	*n = at;
	return s;
}

static void wait_until_processing(const char *id)
{
	for (int i = 0; i < 600; i++) {
		oyl_document *d = get(id);
		int st = oyl_document_status(d);
		oyl_document_free(d);
		if (st == OYL_DOC_PROCESSING)
			return;
		usleep(10000);
	}
	ck_abort_msg("the worker never started on the document");
}

START_TEST(a_killed_worker_s_document_is_finished_by_another_after_the_lease)
{
	size_t n;
	char *text = big_text(&n, 1);
	char id[37];
	upload(0, "big.txt", text, n, id);
	free(text);
	pid_t a = spawn_worker(2, 1);
	wait_until_processing(id);
	kill(a, SIGKILL);
	int st;
	waitpid(a, &st, 0);
	/* before the lease ends nobody takes it; after, another does */
	pid_t b = spawn_worker(60, 1);
	ck_assert_int_eq(reap(b), 0);
	sleep(3);
	b = spawn_worker(60, 1);
	ck_assert_int_eq(reap(b), 1);
	oyl_document *d = get(id);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
	ck_assert_int_eq(oyl_document_attempt(d), 2);
	oyl_document_free(d);
	one_chunk_set(id);
}
END_TEST

START_TEST(a_worker_stopped_past_its_lease_changes_nothing_when_it_continues)
{
	size_t n;
	char *text = big_text(&n, 2);
	char id[37];
	upload(1, "big2.txt", text, n, id);
	free(text);
	pid_t a = spawn_worker(1, 1);
	wait_until_processing(id);
	kill(a, SIGSTOP);
	sleep(2);
	pid_t b = spawn_worker(60, 1);
	ck_assert_int_eq(reap(b), 1);
	const char *fp = "SELECT count(*) FROM document_chunks c JOIN documents d ON d.id = c.document_id"
			 " WHERE d.attempt = 2 AND d.status = 'processed'";
	int64_t before = t_query_int(t_admin_uri(uri), fp);
	ck_assert_int_gt(before, 0);
	uint64_t print = t_fingerprint(t_backend_of(db));
	kill(a, SIGCONT);
	ck_assert_int_eq(reap(a), 0); /* it ended nothing */
	ck_assert(t_fingerprint(t_backend_of(db)) == print);
	oyl_document *d = get(id);
	ck_assert_int_eq(oyl_document_attempt(d), 2);
	oyl_document_free(d);
	one_chunk_set(id);
}
END_TEST

static volatile int term;
static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

/* PostgreSQL: an idle worker with a long poll is woken by the upload's
 * NOTIFY, and SIGTERM (the host's handler sets the stop flag) ends it. */
START_TEST(an_idle_worker_wakes_on_an_upload_and_stops_on_sigterm)
{
	if (!t_is_postgres())
		return; /* SQLite's workers poll */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, on_term);
		oyl_db *mine = NULL;
		if (oyl_db_open(&mine, uri, NULL) != OYL_OK)
			_exit(255);
		oyl_worker_options o = OYL_WORKER_OPTIONS_INIT;
		o.poll_ms = 60000; /* only a notification wakes it in time */
		o.stop = &term;
		int64_t done = 0;
		int rc = oyl_worker_run(mine, &o, &done);
		oyl_db_close(mine);
		_exit(rc == OYL_OK ? (int)done : 254);
	}
	usleep(500000); /* the worker is listening, idle */
	char id[37];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	upload(0, "wake.txt", "wake up words", 13, id);
	for (int i = 0; i < 500; i++) {
		oyl_document *d = get(id);
		int st = oyl_document_status(d);
		oyl_document_free(d);
		if (st == OYL_DOC_PROCESSED)
			break;
		usleep(10000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	oyl_document *d = get(id);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
	oyl_document_free(d);
	printf("woken and processed %.3f s after the upload (poll 60 s)\n", took);
	ck_assert_msg(took < 5.0, "took %.3f s: the notification did not wake the worker", took);
	kill(pid, SIGTERM);
	ck_assert_int_eq(reap(pid), 1);
}
END_TEST

static volatile int stop_flag;

START_TEST(a_worker_stops_when_asked_and_fails_clearly_on_bad_options)
{
	stop_flag = 1;
	oyl_worker_options o = OYL_WORKER_OPTIONS_INIT;
	o.stop = &stop_flag;
	int64_t done = -1;
	ck_assert_int_eq(oyl_worker_run(db, &o, &done), OYL_OK);
	ck_assert_int_eq(done, 0);
	o.max_attempts = -2;
	ck_assert_int_eq(oyl_worker_run(db, &o, NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "max_attempts"));
	ck_assert_int_eq(oyl_worker_run(NULL, NULL, NULL), OYL_EMISUSE);
}
END_TEST

START_TEST(a_document_whose_worker_keeps_dying_is_given_up)
{
	char id[37];
	upload(0, "g.txt", "words", 5, id);
	/* three attempts whose leases all ran out: the job says so */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE ingest_jobs SET attempt = 3, last_error = 'killed'");
	ck_assert_int_eq(t_exec_sql(t_admin_uri(uri), sql), 0);
	oyl_worker_options o = OYL_WORKER_OPTIONS_INIT;
	o.until_idle = 1;
	int64_t done = 0;
	ck_assert_int_eq(oyl_worker_run(db, &o, &done), OYL_OK);
	ck_assert_int_eq(done, 1);
	oyl_document *d = get(id);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_ERROR);
	ck_assert_ptr_nonnull(strstr(oyl_document_error(d), "gave up after 3 attempts: killed"));
	oyl_document_free(d);
	ck_assert_int_eq(t_query_int(t_admin_uri(uri), "SELECT count(*) FROM ingest_jobs"), 0);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("workers");
	tcase_set_timeout(tc, 240);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, four_workers_process_200_documents_each_exactly_once);
	tcase_add_test(tc, a_killed_worker_s_document_is_finished_by_another_after_the_lease);
	tcase_add_test(tc, a_worker_stopped_past_its_lease_changes_nothing_when_it_continues);
	tcase_add_test(tc, an_idle_worker_wakes_on_an_upload_and_stops_on_sigterm);
	tcase_add_test(tc, a_worker_stops_when_asked_and_fails_clearly_on_bad_options);
	tcase_add_test(tc, a_document_whose_worker_keeps_dying_is_given_up);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
