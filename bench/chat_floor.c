/*
 * The floor of a chat send's storage on SQLite (doc/performance.md): the
 * rows one send writes, written by a competent user with prepared
 * statements on the same file, in the two transactions the long-call rule
 * requires (the question before the answering, the answer after it):
 *
 *   1. BEGIN IMMEDIATE; the session's row read (whose is it); the
 *      question inserted; COMMIT;
 *   2. BEGIN IMMEDIATE; the answer inserted (about 600 bytes, its usage);
 *      two citations with their passages' snapshots (about 1,200 bytes
 *      each); COMMIT.
 *
 * No checks of the actor, no history read, no session's title or time
 * kept: less than any implementation of oyl_chat_send must do.  A send
 * can therefore not cost less than one search, the answering and this.
 */
#include "chat_floor.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void must(sqlite3 *s, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "chat floor: %s: %s\n", what, sqlite3_errmsg(s));
		exit(1);
	}
}

static sqlite3_stmt *prepare(sqlite3 *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	must(s, sqlite3_prepare_v3(s, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL), sql);
	return st;
}

static void run(sqlite3 *s, sqlite3_stmt *st)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	must(s, rc, sqlite3_sql(st));
	sqlite3_reset(st);
}

/* A distinct id a row: the tables' keys are text. */
static const char *next_id(char buf[40])
{
	static unsigned long n;
	snprintf(buf, 40, "f100r000-0000-4000-8000-%012lu", ++n);
	return buf;
}

double chat_floor_sqlite_us(const char *path, const char *tenant, char (*sessions)[37],
			    size_t n)
{
	sqlite3 *s = NULL;
	must(s, sqlite3_open(path, &s), "open");
	sqlite3_busy_timeout(s, 5000);
	/* the library's settings on every connection (doc/backends.md) */
	must(s, sqlite3_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", NULL,
			     NULL, NULL),
	     "pragmas");
	sqlite3_stmt *begin = prepare(s, "BEGIN IMMEDIATE"), *commit = prepare(s, "COMMIT");
	sqlite3_stmt *session = prepare(s, "SELECT user_id, title FROM chat_sessions WHERE "
					   "tenant_id = ?1 AND id = ?2");
	sqlite3_stmt *message =
		prepare(s, "INSERT INTO messages (id, tenant_id, session_id, role, content, "
			   "assistant_id, usage, created_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7)");
	sqlite3_stmt *cite =
		prepare(s, "INSERT INTO message_citations (id, tenant_id, message_id, rank, "
			   "chunk_id, document_id, document_name, passage, score, created_at, "
			   "page) VALUES (?1, ?2, ?3, ?4, NULL, NULL, 'prompting.md', ?5, 9.5, ?6, "
			   "NULL)");
	char answer[601], passage[1201];
	memset(answer, 'a', sizeof answer - 1);
	answer[sizeof answer - 1] = '\0';
	memset(passage, 'p', sizeof passage - 1);
	passage[sizeof passage - 1] = '\0';
	const char *usage = "{\"prompt_tokens\":1534,\"completion_tokens\":166}";
	int64_t *ns = calloc(n, sizeof *ns);
	for (size_t k = 0; k < n; k++) {
		char id[40], answer_id[40];
		int64_t t0 = now_ns(), at = t0 / 1000;
		run(s, begin);
		sqlite3_bind_text(session, 1, tenant, -1, SQLITE_STATIC);
		sqlite3_bind_text(session, 2, sessions[k], -1, SQLITE_STATIC);
		run(s, session);
		sqlite3_bind_text(message, 1, next_id(id), -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 2, tenant, -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 3, sessions[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 4, "user", -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 5, "How are documents chunked?", -1, SQLITE_STATIC);
		sqlite3_bind_null(message, 6);
		sqlite3_bind_int64(message, 7, at);
		run(s, message);
		run(s, commit);

		run(s, begin);
		sqlite3_bind_text(message, 1, next_id(answer_id), -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 4, "assistant", -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 5, answer, -1, SQLITE_STATIC);
		sqlite3_bind_text(message, 6, usage, -1, SQLITE_STATIC);
		sqlite3_bind_int64(message, 7, at + 1);
		run(s, message);
		for (int r = 1; r <= 2; r++) {
			sqlite3_bind_text(cite, 1, next_id(id), -1, SQLITE_STATIC);
			sqlite3_bind_text(cite, 2, tenant, -1, SQLITE_STATIC);
			sqlite3_bind_text(cite, 3, answer_id, -1, SQLITE_STATIC);
			sqlite3_bind_int(cite, 4, r);
			sqlite3_bind_text(cite, 5, passage, -1, SQLITE_STATIC);
			sqlite3_bind_int64(cite, 6, at + 1);
			run(s, cite);
		}
		run(s, commit);
		ns[k] = now_ns() - t0;
	}
	sqlite3_stmt *all[] = {begin, commit, session, message, cite};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(s);
	double us = median_us(ns, (int64_t)n);
	free(ns);
	return us;
}
