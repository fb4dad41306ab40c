/*
 * oyl-bench: what liboyl costs over hand-written libpq.
 *
 *   oyl-bench "<runtime conninfo>" [iterations ["<owner conninfo>"]]
 *
 * Runs a fixed mix of workspace operations — create, get, list (limit
 * 20), update (rename), delete — as a tenant_admin, `iterations` times
 * (default 2000) through liboyl, and the same number of times through
 * hand-written libpq code that sends the very statements the PostgreSQL
 * backend sends, in the same transactions, on the same connection (the
 * baseline borrows liboyl's PGconn between calls, so both paths talk to
 * one server process in one session).  Prints operations per second of
 * both, per operation and for the whole mix, and their ratio (liboyl /
 * libpq).  See doc/performance.md.
 *
 * Roles, as in a deployment (doc/backends.md): the owner conninfo creates
 * a fresh schema bench_<pid>, migrates it (granting oyl_runtime its
 * privileges) and drops it at the end; both measured paths, and the
 * setup of the tenant and its admin, connect with the runtime conninfo,
 * a role that owns nothing and is bound by row-level security.  Without
 * an owner conninfo the runtime conninfo does everything (it then needs
 * CREATE on the database, and owns the tables; FORCE ROW LEVEL SECURITY
 * still binds it unless it is a superuser or BYPASSRLS).
 *
 * The baseline is checked, not trusted: with the linker's --wrap, every
 * PQexec and PQexecParams of the process (liboyl's, linked statically,
 * and the baseline's) goes through a recorder.  Before measuring, one mix
 * runs through each path with the recorder on, and the two sequences of
 * statements (SQL text, parameter formats and values, with times masked
 * and ids numbered in order of appearance) must be identical, operation
 * by operation; if the backend changes what it sends, the benchmark says
 * so and stops, instead of reporting a ratio of two different things.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <uuid/uuid.h>

#include "oyl/oyl.h"
/* Internal: only to borrow liboyl's connection for the baseline. */
#include "backends/postgres/pg_internal.h"
#include "core/internal.h"

#define DEFAULT_ITERATIONS 2000
#define BLOCK 10         /* iterations per path before switching to the other */
#define LIST_LIMIT 20    /* the mix's list asks for this many ... */
#define LIST_BACKGROUND 20 /* ... and the tenant holds this many workspaces besides */
#define UUID_LEN 36
#define NAME_MAX_BYTES 1024
#define TIME_BUF 96 /* room for any int the compiler imagines */

enum { OP_CREATE, OP_GET, OP_LIST, OP_UPDATE, OP_DELETE, NOPS };
static const char *const op_names[NOPS] = {"create", "get", "list", "update", "delete"};

enum { PATH_OYL, PATH_PQ, NPATHS };

typedef struct stats {
	int64_t ns[NOPS];   /* wall time spent in each kind of operation */
	int64_t cpu[NOPS];  /* of which this process's CPU time (liboyl + libpq) */
	int64_t n[NOPS];    /* operations done */
	int64_t *lat[NOPS]; /* each operation's wall time, or NULL (not kept) */
	int64_t cap;        /* room in each lat[] */
} stats;

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* An operation's start: wall clock (CLOCK_MONOTONIC) and the thread's CPU clock. */
typedef struct timer {
	int64_t wall, cpu;
} timer;

static void timer_start(timer *t)
{
	t->cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t->wall = clock_ns(CLOCK_MONOTONIC);
}

static void timer_stop(const timer *t, stats *st, int op)
{
	int64_t wall = clock_ns(CLOCK_MONOTONIC) - t->wall;
	int64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t->cpu;

	if (st->lat[op] && st->n[op] < st->cap)
		st->lat[op][st->n[op]] = wall;
	st->ns[op] += wall;
	st->cpu[op] += cpu;
	st->n[op]++;
}

/* ---- the statement recorder (linker --wrap) ---------------------------- */

/*
 * Each statement becomes one line: "exec <sql>" or "params <sql> [$n fmt
 * value]...", with values that look like a timestamp masked and ids
 * replaced by their number in order of first appearance, so that two runs
 * that differ only in fresh ids and clock readings compare equal while a
 * swapped or wrong id does not.  `op` tags the operation the statement
 * belongs to.
 */
typedef struct rec_entry {
	int op;
	char *line;
} rec_entry;

#define REC_UUIDS 64

static struct {
	bool on;
	bool oom;
	int op;
	rec_entry *items;
	size_t n, cap;
	char uuids[REC_UUIDS][UUID_LEN + 1]; /* ids seen, numbered in order of appearance */
	int nuuids;
} rec;

static void rec_clear(void)
{
	for (size_t i = 0; i < rec.n; i++)
		free(rec.items[i].line);
	free(rec.items);
	rec.items = NULL;
	rec.n = rec.cap = 0;
	rec.nuuids = 0;
	rec.oom = false;
}

#ifdef OYL_BENCH_WRAP /* the rest of the recorder exists only with the wrapping */
/* 1, 2, ...: the id's number in this recording (0 when the table is full). */
static int rec_uuid_number(const char *v)
{
	for (int i = 0; i < rec.nuuids; i++)
		if (memcmp(rec.uuids[i], v, UUID_LEN) == 0)
			return i + 1;
	if (rec.nuuids == REC_UUIDS)
		return 0;
	memcpy(rec.uuids[rec.nuuids], v, UUID_LEN);
	rec.uuids[rec.nuuids][UUID_LEN] = '\0';
	return ++rec.nuuids;
}

static bool looks_like_uuid(const char *s, size_t n)
{
	if (n != UUID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* "YYYY-MM-DD HH:MM:SS.ffffff+00", as the backend formats times */
static bool looks_like_time(const char *s, size_t n)
{
	return n == 29 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' &&
	       s[16] == ':' && s[19] == '.' && memcmp(s + 26, "+00", 3) == 0;
}

static void rec_value(FILE *f, int i, const char *v, int len, int format)
{
	fprintf(f, " [$%d fmt%d ", i + 1, format);
	if (!v) {
		fputs("NULL]", f);
		return;
	}
	size_t n = format ? (size_t)len : strlen(v);
	if (looks_like_uuid(v, n))
		fprintf(f, "<uuid %d>]", rec_uuid_number(v));
	else if (looks_like_time(v, n))
		fputs("<time>]", f);
	else {
		fputc('\'', f);
		fwrite(v, 1, n, f);
		fputs("']", f);
	}
}

static void rec_add(const char *sql, int nparams, const char *const *values, const int *lengths,
		    const int *formats, int result_format, bool is_exec)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f) {
		rec.oom = true;
		return;
	}
	if (is_exec) {
		fprintf(f, "exec %s", sql);
	} else {
		fprintf(f, "params %s", sql);
		for (int i = 0; i < nparams; i++)
			rec_value(f, i, values[i], lengths ? lengths[i] : 0, formats ? formats[i] : 0);
		fprintf(f, " result fmt%d", result_format);
	}
	fclose(f);
	if (rec.n == rec.cap) {
		size_t cap = rec.cap ? rec.cap * 2 : 32;
		rec_entry *items = realloc(rec.items, cap * sizeof *items);
		if (!items) {
			free(line);
			rec.oom = true;
			return;
		}
		rec.items = items;
		rec.cap = cap;
	}
	rec.items[rec.n].op = rec.op;
	rec.items[rec.n++].line = line;
}

PGresult *__real_PQexec(PGconn *conn, const char *query);
PGresult *__real_PQexecParams(PGconn *conn, const char *command, int nParams,
			      const Oid *paramTypes, const char *const *paramValues,
			      const int *paramLengths, const int *paramFormats, int resultFormat);
PGresult *__wrap_PQexec(PGconn *conn, const char *query);
PGresult *__wrap_PQexecParams(PGconn *conn, const char *command, int nParams,
			      const Oid *paramTypes, const char *const *paramValues,
			      const int *paramLengths, const int *paramFormats, int resultFormat);

PGresult *__wrap_PQexec(PGconn *conn, const char *query)
{
	if (rec.on)
		rec_add(query, 0, NULL, NULL, NULL, 0, true);
	return __real_PQexec(conn, query);
}

PGresult *__wrap_PQexecParams(PGconn *conn, const char *command, int nParams,
			      const Oid *paramTypes, const char *const *paramValues,
			      const int *paramLengths, const int *paramFormats, int resultFormat)
{
	if (rec.on)
		rec_add(command, nParams, paramValues, paramLengths, paramFormats, resultFormat,
			false);
	return __real_PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths,
				   paramFormats, resultFormat);
}
#endif

/* ---- the liboyl path ------------------------------------------------------ */

typedef struct oyl_path {
	oyl_db *db;
	oyl_actor *admin; /* the tenant_admin everything runs as */
	const char *tenant_id;
} oyl_path;

static bool oyl_failed(const oyl_path *p, const char *what, int rc)
{
	fprintf(stderr, "oyl-bench: liboyl %s: %s (%s)\n", what, oyl_db_errmsg(p->db),
		oyl_status_name(rc));
	return false;
}

/* One mix through liboyl.  Each operation is timed including the freeing of
 * what it returned: that is part of using the library. */
static bool oyl_mix(oyl_path *p, int i, stats *st)
{
	char name[64], rename[64], id[UUID_LEN + 1];
	oyl_workspace *w = NULL;
	oyl_page *page = NULL;
	timer t;
	int rc;

	snprintf(name, sizeof name, "workspace %d", i);
	snprintf(rename, sizeof rename, "workspace %d renamed", i);

	rec.op = OP_CREATE;
	timer_start(&t);
	if ((rc = oyl_workspace_create(p->admin, p->tenant_id, name, &w)))
		return oyl_failed(p, "create", rc);
	memcpy(id, oyl_workspace_id(w), sizeof id);
	oyl_workspace_free(w);
	timer_stop(&t, st, OP_CREATE);

	rec.op = OP_GET;
	timer_start(&t);
	if ((rc = oyl_workspace_get(p->admin, id, &w)))
		return oyl_failed(p, "get", rc);
	bool same = strcmp(oyl_workspace_name(w), name) == 0;
	oyl_workspace_free(w);
	timer_stop(&t, st, OP_GET);
	if (!same)
		return oyl_failed(p, "get (wrong name)", OYL_ERROR);

	rec.op = OP_LIST;
	oyl_list_options lo = OYL_LIST_OPTIONS_INIT;
	lo.limit = LIST_LIMIT;
	timer_start(&t);
	if ((rc = oyl_workspace_list(p->admin, p->tenant_id, &lo, &page)))
		return oyl_failed(p, "list", rc);
	size_t count = oyl_page_count(page);
	oyl_page_free(page);
	timer_stop(&t, st, OP_LIST);
	if (count != LIST_LIMIT)
		return oyl_failed(p, "list (short page)", OYL_ERROR);

	rec.op = OP_UPDATE;
	timer_start(&t);
	if ((rc = oyl_workspace_update(p->admin, id, rename, NULL)))
		return oyl_failed(p, "update", rc);
	timer_stop(&t, st, OP_UPDATE);

	rec.op = OP_DELETE;
	timer_start(&t);
	if ((rc = oyl_workspace_delete(p->admin, id)))
		return oyl_failed(p, "delete", rc);
	timer_stop(&t, st, OP_DELETE);
	return true;
}

/* ---- the hand-written libpq path ---------------------------------------- */

/*
 * What a careful hand-written data layer would do for the same
 * operations, statement for statement as the PostgreSQL backend and the
 * core do them (lib/backends/postgres, lib/core/object.c, hierarchy.c,
 * audit.c, lib/backends/postgres/pg_scope.c): the transaction opens
 * with BEGIN and the row-level-security settings (citus, oyl.tenant_id,
 * oyl.platform = 'off') in one round trip; the whole transaction stays
 * in the tenant's scope, so no statement sets them again (the backend
 * only does when a call's scope differs from the one in force); the
 * parent tenant (create, list) or the row itself (update, delete) is
 * read first; every mutation writes its audit event in the same
 * transaction; workspaces carry no quota, so nothing is locked (only a
 * user's creation locks its tenant: lib/core/quota.c); values are
 * parameters with explicit casts, text in binary format, ids and times
 * in text format.  What it leaves
 * out is everything general: no validation of names and ids, no
 * permission check, no statement building, no status mapping, no record
 * copies beyond what the caller keeps.
 */

#define SQL_TENANT_GET                                                                           \
	"SELECT \"id\", \"name\", \"slug\", \"quota_users\", \"quota_documents\", "              \
	"\"quota_bytes\", (extract(epoch from \"created_at\") * 1000000)::int8, "               \
	"(extract(epoch from \"updated_at\") * 1000000)::int8 FROM \"tenants\" "                \
	"WHERE \"id\" = $1::uuid LIMIT 1"

#define WS_COLUMNS                                                                               \
	"\"id\", \"tenant_id\", \"name\", (extract(epoch from \"created_at\") * 1000000)::int8, " \
	"(extract(epoch from \"updated_at\") * 1000000)::int8"

#define SQL_WS_GET                                                                               \
	"SELECT " WS_COLUMNS " FROM \"workspaces\" WHERE \"id\" = $1::uuid "                     \
	"AND \"tenant_id\" = $2::uuid LIMIT 1"

#define SQL_WS_LIST                                                                              \
	"SELECT " WS_COLUMNS " FROM \"workspaces\" WHERE true AND \"tenant_id\" = $1::uuid "     \
	"AND \"tenant_id\" = $2::uuid ORDER BY \"created_at\" ASC NULLS FIRST, \"id\" ASC "      \
	"LIMIT $3::int8"

#define SQL_WS_INSERT                                                                            \
	"INSERT INTO \"workspaces\" (\"id\", \"tenant_id\", \"name\", \"created_at\", "          \
	"\"updated_at\") VALUES ($1::uuid, $2::uuid, $3::text, $4::timestamptz, "                \
	"$5::timestamptz)"

#define SQL_WS_RENAME                                                                            \
	"UPDATE \"workspaces\" SET \"name\" = $1::text, \"updated_at\" = $2::timestamptz "       \
	"WHERE \"tenant_id\" = $3::uuid AND \"id\" = $4::uuid"

#define SQL_WS_DELETE "DELETE FROM \"workspaces\" WHERE \"tenant_id\" = $1::uuid AND \"id\" = $2::uuid"

#define SQL_AUDIT_INSERT                                                                         \
	"INSERT INTO \"audit_events\" (\"id\", \"tenant_id\", \"actor_id\", \"actor_role\", "    \
	"\"action\", \"object_type\", \"object_id\", \"detail\", \"created_at\") VALUES "        \
	"($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::uuid, $8::json, "     \
	"$9::timestamptz)"

typedef struct pq_path {
	PGconn *conn;
	char tenant_id[UUID_LEN + 1];
	char actor_id[UUID_LEN + 1];
} pq_path;

/* What the caller keeps of a workspace row. */
typedef struct ws_row {
	char id[UUID_LEN + 1];
	char tenant_id[UUID_LEN + 1];
	char name[NAME_MAX_BYTES];
	int64_t created_at, updated_at;
} ws_row;

static bool pq_failed(pq_path *p, const char *what, PGresult *res)
{
	const char *why = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);

	if (*why)
		fprintf(stderr, "oyl-bench: libpq %s: %s", what, why);
	else /* the statement worked, but not on the rows expected */
		fprintf(stderr, "oyl-bench: libpq %s: unexpected result (%d rows, %s affected)\n",
			what, PQntuples(res), PQcmdTuples(res));
	PQclear(res);
	if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	return false;
}

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A timestamptz literal in UTC, as the backend writes one. */
static void format_time(int64_t us, char out[TIME_BUF])
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, TIME_BUF, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(us % 1000000));
}

static void new_uuid(char out[UUID_LEN + 1])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

static bool pq_command(pq_path *p, const char *what, PGresult *res)
{
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pq_failed(p, what, res);
	PQclear(res);
	return true;
}

static bool pq_begin(pq_path *p)
{
	char sql[224];

	snprintf(sql, sizeof sql,
		 "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; "
		 "SET LOCAL oyl.tenant_id = '%s'; SET LOCAL oyl.platform = 'off'",
		 p->tenant_id);
	return pq_command(p, "begin", PQexec(p->conn, sql));
}

static bool pq_commit(pq_path *p)
{
	return pq_command(p, "commit", PQexec(p->conn, "COMMIT"));
}

/* The parent of a workspace: its tenant must exist. */
static bool pq_tenant_exists(pq_path *p)
{
	const char *values[1] = {p->tenant_id};
	PGresult *res = PQexecParams(p->conn, SQL_TENANT_GET, 1, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		return pq_failed(p, "tenant", res);
	PQclear(res);
	return true;
}

static void copy_field(char *dst, size_t size, const PGresult *res, int row, int col)
{
	size_t n = (size_t)PQgetlength(res, row, col);

	if (n >= size)
		n = size - 1;
	memcpy(dst, PQgetvalue(res, row, col), n);
	dst[n] = '\0';
}

static void ws_from_result(ws_row *w, const PGresult *res, int row)
{
	copy_field(w->id, sizeof w->id, res, row, 0);
	copy_field(w->tenant_id, sizeof w->tenant_id, res, row, 1);
	copy_field(w->name, sizeof w->name, res, row, 2);
	w->created_at = strtoll(PQgetvalue(res, row, 3), NULL, 10);
	w->updated_at = strtoll(PQgetvalue(res, row, 4), NULL, 10);
}

static bool pq_fetch_ws(pq_path *p, const char *id, ws_row *out)
{
	const char *values[2] = {id, p->tenant_id};
	PGresult *res = PQexecParams(p->conn, SQL_WS_GET, 2, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		return pq_failed(p, "get workspace", res);
	ws_from_result(out, res, 0);
	PQclear(res);
	return true;
}

static bool pq_audit(pq_path *p, const char *action, const char *object_id, const char *detail)
{
	char id[UUID_LEN + 1], at[TIME_BUF];

	new_uuid(id);
	format_time(wall_us(), at);
	const char *values[9] = {id,        p->tenant_id, p->actor_id, "tenant_admin", action,
				 "workspace", object_id,   detail,      at};
	int lengths[9] = {0, 0, 0, (int)strlen(values[3]), (int)strlen(action), (int)strlen(values[5]),
			  0, (int)strlen(detail), 0};
	static const int formats[9] = {0, 0, 0, 1, 1, 1, 0, 1, 0};
	return pq_command(p, "audit event",
			  PQexecParams(p->conn, SQL_AUDIT_INSERT, 9, NULL, values, lengths, formats, 0));
}

static bool pq_create(pq_path *p, const char *name, char id[UUID_LEN + 1])
{
	char at[TIME_BUF];

	new_uuid(id);
	format_time(wall_us(), at);
	if (!pq_begin(p) || !pq_tenant_exists(p))
		return false;
	const char *values[5] = {id, p->tenant_id, name, at, at};
	int lengths[5] = {0, 0, (int)strlen(name), 0, 0};
	static const int formats[5] = {0, 0, 1, 0, 0};
	if (!pq_command(p, "insert workspace",
			PQexecParams(p->conn, SQL_WS_INSERT, 5, NULL, values, lengths, formats, 0)))
		return false;
	return pq_audit(p, "workspace.create", id, "{}") && pq_commit(p);
}

static bool pq_get(pq_path *p, const char *id, ws_row *out)
{
	return pq_begin(p) && pq_fetch_ws(p, id, out) && pq_commit(p);
}

static bool pq_list(pq_path *p, ws_row *rows, size_t *count)
{
	char limit[24];

	snprintf(limit, sizeof limit, "%d", LIST_LIMIT + 1); /* one more: is there a next page? */
	if (!pq_begin(p) || !pq_tenant_exists(p))
		return false;
	const char *values[3] = {p->tenant_id, p->tenant_id, limit};
	PGresult *res = PQexecParams(p->conn, SQL_WS_LIST, 3, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pq_failed(p, "list workspaces", res);
	int n = PQntuples(res);
	*count = 0;
	for (int i = 0; i < n && i < LIST_LIMIT; i++)
		ws_from_result(&rows[(*count)++], res, i);
	PQclear(res);
	return pq_commit(p);
}

static bool pq_one_row(pq_path *p, const char *what, PGresult *res)
{
	if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdTuples(res), "1") != 0)
		return pq_failed(p, what, res);
	PQclear(res);
	return true;
}

static bool pq_rename(pq_path *p, const char *id, const char *name)
{
	ws_row row;
	char at[TIME_BUF];

	if (!pq_begin(p) || !pq_fetch_ws(p, id, &row))
		return false;
	format_time(wall_us(), at);
	const char *values[4] = {name, at, row.tenant_id, id};
	int lengths[4] = {(int)strlen(name), 0, 0, 0};
	static const int formats[4] = {1, 0, 0, 0};
	if (!pq_one_row(p, "rename workspace",
			PQexecParams(p->conn, SQL_WS_RENAME, 4, NULL, values, lengths, formats, 0)))
		return false;
	return pq_audit(p, "workspace.update", id, "{\"fields\":[\"name\"]}") && pq_commit(p);
}

static bool pq_delete(pq_path *p, const char *id)
{
	ws_row row;

	if (!pq_begin(p) || !pq_fetch_ws(p, id, &row))
		return false;
	const char *values[2] = {row.tenant_id, id};
	if (!pq_one_row(p, "delete workspace",
			PQexecParams(p->conn, SQL_WS_DELETE, 2, NULL, values, NULL, NULL, 0)))
		return false;
	return pq_audit(p, "workspace.delete", id, "{}") && pq_commit(p);
}

static bool pq_mix(pq_path *p, int i, stats *st)
{
	static ws_row rows[LIST_LIMIT]; /* the list's page, reused */
	char name[64], rename[64], id[UUID_LEN + 1];
	ws_row w;
	size_t count = 0;
	timer t;

	snprintf(name, sizeof name, "workspace %d", i);
	snprintf(rename, sizeof rename, "workspace %d renamed", i);

	rec.op = OP_CREATE;
	timer_start(&t);
	if (!pq_create(p, name, id))
		return false;
	timer_stop(&t, st, OP_CREATE);

	rec.op = OP_GET;
	timer_start(&t);
	if (!pq_get(p, id, &w))
		return false;
	bool same = strcmp(w.name, name) == 0;
	timer_stop(&t, st, OP_GET);
	if (!same) {
		fprintf(stderr, "oyl-bench: libpq get: wrong name\n");
		return false;
	}

	rec.op = OP_LIST;
	timer_start(&t);
	if (!pq_list(p, rows, &count))
		return false;
	timer_stop(&t, st, OP_LIST);
	if (count != LIST_LIMIT) {
		fprintf(stderr, "oyl-bench: libpq list: short page\n");
		return false;
	}

	rec.op = OP_UPDATE;
	timer_start(&t);
	if (!pq_rename(p, id, rename))
		return false;
	timer_stop(&t, st, OP_UPDATE);

	rec.op = OP_DELETE;
	timer_start(&t);
	if (!pq_delete(p, id))
		return false;
	timer_stop(&t, st, OP_DELETE);
	return true;
}

/* ---- the check that both paths send the same statements ---------------- */

#ifdef OYL_BENCH_WRAP
static rec_entry *rec_take(size_t *n)
{
	rec_entry *items = rec.items;

	*n = rec.n;
	rec.items = NULL;
	rec.n = rec.cap = 0;
	rec.nuuids = 0;
	return items;
}

static void free_entries(rec_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].line);
	free(e);
}

static void print_op(const char *who, const rec_entry *e, size_t n, int op)
{
	fprintf(stderr, "  %s:\n", who);
	for (size_t i = 0; i < n; i++)
		if (e[i].op == op)
			fprintf(stderr, "    %s\n", e[i].line);
}

/*
 * Runs one mix through each path with the recorder on and compares.
 * Fills per_op with the number of statements (round trips) of each
 * operation.  false when they differ (printed) or a path failed.
 */
static bool verify(oyl_path *op, pq_path *pp, int per_op[NOPS])
{
	stats scratch;
	size_t nl = 0, np = 0;
	bool ok = true;

	memset(&scratch, 0, sizeof scratch);
	rec_clear();
	rec.on = true;
	bool ran = oyl_mix(op, -1, &scratch);
	rec.on = false;
	rec_entry *lib = rec_take(&nl);
	if (ran) {
		rec.on = true;
		ran = pq_mix(pp, -1, &scratch);
		rec.on = false;
	}
	bool oom = rec.oom;
	rec_entry *hand = rec_take(&np);
	if (!ran || oom) {
		if (oom)
			fprintf(stderr, "oyl-bench: out of memory recording statements\n");
		ok = false;
	}
	for (int k = 0; ok && k < NOPS; k++) {
		size_t i = 0, j = 0;
		int count = 0;
		bool same = true;
		for (;;) {
			while (i < nl && lib[i].op != k)
				i++;
			while (j < np && hand[j].op != k)
				j++;
			if (i == nl || j == np) {
				same = same && i == nl && j == np;
				break;
			}
			if (strcmp(lib[i].line, hand[j].line) != 0)
				same = false;
			count++;
			i++;
			j++;
		}
		per_op[k] = count;
		if (!same) {
			fprintf(stderr,
				"oyl-bench: %s: the hand-written baseline no longer sends what liboyl "
				"sends; update bench/oyl-bench.c to match the backend.\n",
				op_names[k]);
			print_op("liboyl", lib, nl, k);
			print_op("libpq ", hand, np, k);
			ok = false;
		}
	}
	free_entries(lib, nl);
	free_entries(hand, np);
	return ok;
}
#endif

/* ---- setup, measurement, report ----------------------------------------- */

static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static bool admin_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "oyl-bench: %s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

/* A single-value query's answer into out ("?" on failure). */
static void admin_value(PGconn *conn, const char *sql, char *out, size_t size)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) >= 1)
		snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
	else
		snprintf(out, size, "?");
	PQclear(res);
}

/* The conninfo with search_path set to the bench schema (key=value or URI). */
static char *with_schema(const char *conninfo, const char *schema)
{
	bool uri = strncmp(conninfo, "postgresql://", 13) == 0 ||
		   strncmp(conninfo, "postgres://", 11) == 0;
	size_t size = strlen(conninfo) + strlen(schema) + 64;
	char *out = malloc(size);

	if (!out)
		return NULL;
	if (uri)
		snprintf(out, size, "%s%coptions=-csearch_path%%3D%s", conninfo,
			 strchr(conninfo, '?') ? '&' : '?', schema);
	else
		snprintf(out, size, "%s options='-csearch_path=%s'", conninfo, schema);
	return out;
}

/*
 * liboyl's own connection, which the baseline uses between liboyl's calls
 * (it is idle then: every public call ends its transaction).  One server
 * process for both paths: with a second connection the two server
 * processes differed by more than the client's work (doc/performance.md).
 */
static PGconn *borrow_connection(oyl_db *db)
{
	if (!db->backend || strcmp(db->backend->name, "postgres") != 0)
		return NULL;
	return pg_of(db->backend)->conn;
}

static bool run_block(int path, oyl_path *op, pq_path *pp, int from, int count, stats *st)
{
	for (int i = from; i < from + count; i++)
		if (!(path == PATH_OYL ? oyl_mix(op, i, st) : pq_mix(pp, i, st)))
			return false;
	return true;
}

static double ops_per_s(int64_t n, int64_t ns)
{
	return ns > 0 ? (double)n * 1e9 / (double)ns : 0.0;
}

static double us_per_op(int64_t ns, int64_t n)
{
	return n > 0 ? (double)ns / 1e3 / (double)n : 0.0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n), in microseconds (sorts v). */
static double median_us(int64_t *v, int64_t n)
{
	if (!v || n == 0)
		return 0.0;
	qsort(v, (size_t)n, sizeof v[0], cmp_i64);
	int64_t mid = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return (double)mid / 1e3;
}

/* The latencies kept of op. */
static int64_t kept(const stats *st, int op)
{
	return st->n[op] < st->cap ? st->n[op] : st->cap;
}

/*
 * Each iteration's whole mix: the wall times of its five operations
 * added (call before the latencies are sorted).  New array, or NULL.
 */
static int64_t *mix_times(const stats *st, int64_t *n)
{
	*n = kept(st, 0);
	for (int k = 1; k < NOPS; k++)
		if (kept(st, k) < *n)
			*n = kept(st, k);
	int64_t *v = malloc((size_t)(*n ? *n : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (int64_t i = 0; i < *n; i++) {
		v[i] = 0;
		for (int k = 0; k < NOPS; k++)
			v[i] += st->lat[k][i];
	}
	return v;
}

/*
 * One line: throughput of both paths (operations / total wall time) and
 * their ratio liboyl / libpq, then the same ratio from the medians (less
 * sensitive to a stall of the machine), the median wall time per
 * operation and this process's CPU time per operation (liboyl / libpq).
 */
static void report_line(const char *label, int64_t n_oyl, int64_t ns_oyl, int64_t cpu_oyl,
			double med_oyl, int64_t n_pq, int64_t ns_pq, int64_t cpu_pq, double med_pq)
{
	double a = ops_per_s(n_oyl, ns_oyl), b = ops_per_s(n_pq, ns_pq);

	printf("%-7s liboyl %5.0f ops/s, libpq %5.0f ops/s, ratio %.2f (of medians %.2f); "
	       "median %6.1f / %6.1f us; client CPU %5.1f / %5.1f us\n",
	       label, a, b, b > 0 ? a / b : 0.0, med_oyl > 0 ? med_pq / med_oyl : 0.0, med_oyl,
	       med_pq, us_per_op(cpu_oyl, n_oyl), us_per_op(cpu_pq, n_pq));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: oyl-bench \"<runtime conninfo>\" [iterations (default %d) "
		"[\"<owner conninfo>\"]]\n"
		"  the owner creates, migrates and drops the schema; both paths run as the "
		"runtime role\n"
		"  (without an owner conninfo, the runtime conninfo does everything)\n",
		DEFAULT_ITERATIONS);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		usage();
		return 2;
	}
	const char *conninfo = argv[1];                             /* both measured paths */
	const char *owner_conninfo = argc == 4 ? argv[3] : conninfo; /* schema and migrations */
	long iterations = DEFAULT_ITERATIONS;
	if (argc >= 3) {
		char *end;
		iterations = strtol(argv[2], &end, 10);
		if (*end || iterations < 1 || iterations > 10000000) {
			usage();
			return 2;
		}
	}
	int n = (int)iterations;
	int warmup = n / 10 < 20 ? 20 : n / 10;

	int status = 1;
	char schema[32], version[64], fsync[16], sync_commit[16], user[128], super[8], bypass[8];
	char owner[128], table_owner[128], visible[24];
	char *uri = NULL, *owner_uri = NULL;
	bool schema_made = false;
	oyl_db *db = NULL, *migrator = NULL;
	oyl_actor *sa = NULL, *admin = NULL;
	oyl_tenant *tenant = NULL;
	oyl_user *admin_user = NULL;
	pq_path pp = {NULL, "", ""};
	PGconn *adm = NULL;
	stats st[NPATHS];
	memset(st, 0, sizeof st);
	for (int p = 0; p < NPATHS; p++) {
		st[p].cap = n;
		for (int k = 0; k < NOPS; k++)
			if (!(st[p].lat[k] = malloc((size_t)n * sizeof st[p].lat[k][0]))) {
				fprintf(stderr, "oyl-bench: out of memory\n");
				goto out;
			}
	}

	snprintf(schema, sizeof schema, "bench_%ld", (long)getpid());
	/* The owner's connection: the schema's creation and, at the end, its drop. */
	adm = PQconnectdb(owner_conninfo);
	if (PQstatus(adm) != CONNECTION_OK) {
		fprintf(stderr, "oyl-bench: cannot connect (owner): %s", PQerrorMessage(adm));
		goto out;
	}
	PQsetNoticeProcessor(adm, drop_notice, NULL);
	admin_value(adm, "SHOW server_version", version, sizeof version);
	admin_value(adm, "SHOW fsync", fsync, sizeof fsync);
	admin_value(adm, "SHOW synchronous_commit", sync_commit, sizeof sync_commit);
	admin_value(adm, "SELECT current_user", owner, sizeof owner);
	{
		char sql[64];
		snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
		if (!admin_exec(adm, sql)) {
			fprintf(stderr, "oyl-bench: the schema's owner needs CREATE on the database; "
					"give its conninfo as the third argument\n");
			goto out;
		}
		schema_made = true;
	}
	if (!(uri = with_schema(conninfo, schema)) ||
	    !(owner_uri = with_schema(owner_conninfo, schema))) {
		fprintf(stderr, "oyl-bench: out of memory\n");
		goto out;
	}

	/* The owner migrates (the migrations grant oyl_runtime, when it exists,
	 * what the runtime role needs); then the runtime role opens, as an
	 * application does, with OYL_DB_MIGRATE, which only reads the version. */
	oyl_db_options dbo = OYL_DB_OPTIONS_INIT;
	dbo.flags = OYL_DB_MIGRATE;
	int rc = oyl_db_open(&migrator, owner_uri, &dbo);
	if (rc) {
		fprintf(stderr, "oyl-bench: oyl_db_open (owner): %s (%s)\n", oyl_last_open_error(),
			oyl_status_name(rc));
		goto out;
	}
	oyl_db_close(migrator);
	migrator = NULL;
	if ((rc = oyl_db_open(&db, uri, &dbo))) {
		fprintf(stderr, "oyl-bench: oyl_db_open: %s (%s)\n", oyl_last_open_error(),
			oyl_status_name(rc));
		goto out;
	}

	/* As the runtime role: the superadmin, a tenant, its tenant_admin. */
	if ((rc = oyl_actor_superadmin(db, &sa)) ||
	    (rc = oyl_tenant_create(sa, "Bench tenant", "bench", NULL, &tenant)) ||
	    (rc = oyl_user_create(sa, oyl_tenant_id(tenant), "admin@bench.example", "Bench Admin",
				  OYL_ROLE_TENANT_ADMIN, &admin_user)) ||
	    (rc = oyl_actor_for_user(db, oyl_user_id(admin_user), &admin))) {
		fprintf(stderr, "oyl-bench: setup: %s (%s)\n", oyl_db_errmsg(db),
			oyl_status_name(rc));
		goto out;
	}
	oyl_path op = {db, admin, oyl_tenant_id(tenant)};
	/* The workspaces the list pages through, besides the mix's own. */
	for (int i = 0; i < LIST_BACKGROUND; i++) {
		char name[32];
		snprintf(name, sizeof name, "background %d", i);
		if ((rc = oyl_workspace_create(admin, op.tenant_id, name, NULL))) {
			oyl_failed(&op, "setup", rc);
			goto out;
		}
	}

	/* The baseline's connection: liboyl's. */
	pp.conn = borrow_connection(db);
	if (!pp.conn || PQstatus(pp.conn) != CONNECTION_OK) {
		fprintf(stderr, "oyl-bench: liboyl did not open a PostgreSQL connection\n");
		goto out;
	}
	snprintf(pp.tenant_id, sizeof pp.tenant_id, "%s", op.tenant_id);
	snprintf(pp.actor_id, sizeof pp.actor_id, "%s", oyl_user_id(admin_user));

	/* The measured role, and whether the policies bind it: outside any
	 * transaction no scope setting is made, so a bound role sees no row. */
	admin_value(pp.conn, "SELECT current_user", user, sizeof user);
	admin_value(pp.conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", super,
		    sizeof super);
	admin_value(pp.conn, "SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user",
		    bypass, sizeof bypass);
	admin_value(pp.conn,
		    "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
		    "AND tablename = 'workspaces'",
		    table_owner, sizeof table_owner);
	admin_value(pp.conn, "SELECT count(*) FROM \"workspaces\"", visible, sizeof visible);

	printf("oyl-bench: liboyl %s, PostgreSQL %s (fsync=%s, synchronous_commit=%s)\n",
	       oyl_version(), version, fsync, sync_commit);
	const char *rls = strcmp(super, "t") == 0    ? "superuser: row-level security is bypassed"
			  : strcmp(bypass, "t") == 0 ? "bypassrls: row-level security is bypassed"
			  : strcmp(user, table_owner) == 0
			      ? "owner: FORCE ROW LEVEL SECURITY applies"
			      : "row-level security applies";
	printf("role %s (%s; with no scope set it sees %s of %d workspaces); "
	       "schema %s migrated by %s, tables owned by %s; acting as a tenant_admin\n",
	       user, rls, visible, LIST_BACKGROUND, schema, owner, table_owner);

#ifdef OYL_BENCH_WRAP
	int per_op[NOPS];
	if (!verify(&op, &pp, per_op))
		goto out;
	printf("statements per operation, identical in both paths (checked): "
	       "create %d, get %d, list %d, update %d, delete %d\n",
	       per_op[OP_CREATE], per_op[OP_GET], per_op[OP_LIST], per_op[OP_UPDATE],
	       per_op[OP_DELETE]);
#else
	printf("statements per operation: not checked (built without the linker's --wrap)\n");
#endif

	/* Warm-up: caches, plans, the allocator, both connections. */
	stats scratch;
	memset(&scratch, 0, sizeof scratch);
	if (!run_block(PATH_OYL, &op, &pp, 0, warmup, &scratch) ||
	    !run_block(PATH_PQ, &op, &pp, 0, warmup, &scratch))
		goto out;

	/* Interleaved blocks, alternating which path goes first, so that drift
	 * (autovacuum, other load on the machine) falls on both alike. */
	printf("iterations: %d per path (warm-up %d), interleaved in blocks of %d; "
	       "mix = create, get, list (limit %d of %d), update, delete\n",
	       n, warmup, BLOCK, LIST_LIMIT, LIST_BACKGROUND + 1);
	fflush(stdout);
	for (int from = 0, round = 0; from < n; from += BLOCK, round++) {
		int count = n - from < BLOCK ? n - from : BLOCK;
		int first = round % 2 ? PATH_PQ : PATH_OYL;
		if (!run_block(first, &op, &pp, from, count, &st[first]) ||
		    !run_block(!first, &op, &pp, from, count, &st[!first]))
			goto out;
	}

	printf("per operation: throughput liboyl / libpq and ratio; median wall time and client "
	       "CPU time per operation, liboyl / libpq (mix: median iteration / %d)\n",
	       NOPS);
	int64_t nmix[NPATHS];
	double mix_med[NPATHS];
	for (int p = 0; p < NPATHS; p++) {
		int64_t *v = mix_times(&st[p], &nmix[p]);
		mix_med[p] = median_us(v, nmix[p]) / NOPS;
		free(v);
	}
	int64_t tot_n[NPATHS] = {0, 0}, tot_ns[NPATHS] = {0, 0}, tot_cpu[NPATHS] = {0, 0};
	for (int k = 0; k < NOPS; k++) {
		char label[16];
		snprintf(label, sizeof label, "%s:", op_names[k]);
		double med_oyl = median_us(st[PATH_OYL].lat[k], kept(&st[PATH_OYL], k));
		double med_pq = median_us(st[PATH_PQ].lat[k], kept(&st[PATH_PQ], k));
		report_line(label, st[PATH_OYL].n[k], st[PATH_OYL].ns[k], st[PATH_OYL].cpu[k],
			    med_oyl, st[PATH_PQ].n[k], st[PATH_PQ].ns[k], st[PATH_PQ].cpu[k], med_pq);
		for (int p = 0; p < NPATHS; p++) {
			tot_n[p] += st[p].n[k];
			tot_ns[p] += st[p].ns[k];
			tot_cpu[p] += st[p].cpu[k];
		}
	}
	report_line("mix:", tot_n[PATH_OYL], tot_ns[PATH_OYL], tot_cpu[PATH_OYL], mix_med[PATH_OYL],
		    tot_n[PATH_PQ], tot_ns[PATH_PQ], tot_cpu[PATH_PQ], mix_med[PATH_PQ]);
	status = 0;

out:
	rec_clear();
	oyl_user_free(admin_user);
	oyl_tenant_free(tenant);
	oyl_actor_free(admin);
	oyl_actor_free(sa);
	oyl_db_close(db);
	oyl_db_close(migrator);
	if (schema_made) {
		char sql[64];
		snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
		if (!admin_exec(adm, sql))
			status = 1;
	}
	PQfinish(adm);
	free(uri);
	free(owner_uri);
	for (int p = 0; p < NPATHS; p++)
		for (int k = 0; k < NOPS; k++)
			free(st[p].lat[k]);
	return status;
}
