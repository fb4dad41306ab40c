/*
 * The mix as a competent user would write it by hand with libpq: the same
 * effect as the liboyl calls (the same checks: the acting user's role, the
 * row to change locked; the same rows and audit events), every statement
 * prepared once and sent on its own, one round trip each; BEGIN and the
 * scope's settings go together in one simple query.  Like liboyl, it does
 * not read the tenant of a workspace: the acting user's row, which names
 * it, shows that it exists.  It runs as the runtime role on a connection
 * of its own, under row-level security.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "bench.h"

struct pq_path {
	PGconn *c;
	const bench_env *env;
	char begin[192];
};

static const struct {
	const char *name, *sql;
	int nparams;
} statements[] = {
	{"actor", "SELECT role FROM users WHERE tenant_id = $1 AND id = $2", 2},
	{"ws_insert", "INSERT INTO workspaces (id, tenant_id, name, created_at, updated_at) "
		      "VALUES ($1, $2, $3, now(), now())", 3},
	{"audit", "INSERT INTO audit_events (id, tenant_id, actor_id, actor_role, action, "
		  "object_type, object_id, detail, created_at) "
		  "VALUES ($1, $2, $3, 'tenant_admin', $4, 'workspace', $5, $6, now())", 6},
	{"ws_get", "SELECT id, tenant_id, name, created_at, updated_at FROM workspaces "
		   "WHERE tenant_id = $1 AND id = $2", 2},
	{"ws_lock", "SELECT id, tenant_id, name, created_at, updated_at FROM workspaces "
		    "WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE", 2},
	{"ws_list", "SELECT id, tenant_id, name, created_at, updated_at FROM workspaces "
		    "WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2", 2},
	{"ws_update", "UPDATE workspaces SET name = $3, updated_at = now() "
		      "WHERE tenant_id = $1 AND id = $2", 3},
	{"ws_delete", "DELETE FROM workspaces WHERE tenant_id = $1 AND id = $2", 2},
};

static bool check(pq_path *p, const char *what, PGresult *r, ExecStatusType want)
{
	bool good = r && PQresultStatus(r) == want;
	if (!good)
		fprintf(stderr, "oyl-bench: libpq %s: %s", what, PQerrorMessage(p->c));
	PQclear(r);
	return good;
}

pq_path *pq_open(const bench_env *env)
{
	pq_path *p = calloc(1, sizeof *p);
	p->env = env;
	p->c = PQconnectdb(env->uri);
	if (PQstatus(p->c) != CONNECTION_OK) {
		fprintf(stderr, "oyl-bench: libpq connect: %s", PQerrorMessage(p->c));
		pq_close(p);
		return NULL;
	}
	for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
		if (!check(p, statements[i].name,
			   PQprepare(p->c, statements[i].name, statements[i].sql,
				     statements[i].nparams, NULL),
			   PGRES_COMMAND_OK)) {
			pq_close(p);
			return NULL;
		}
	snprintf(p->begin, sizeof p->begin,
		 "BEGIN; SET LOCAL ROLE oyl_runtime; SET LOCAL oyl.tenant_id = '%s'", env->tenant);
	return p;
}

void pq_close(pq_path *p)
{
	if (p) {
		PQfinish(p->c);
		free(p);
	}
}

PGconn *pq_conn(pq_path *p)
{
	return p->c;
}

static PGresult *run(pq_path *p, const char *name, int n, const char *const *v)
{
	return PQexecPrepared(p->c, name, n, v, NULL, NULL, 0);
}

/* BEGIN with the scope, then the acting user's role, as liboyl reads it. */
static bool open_call(pq_path *p)
{
	if (!check(p, "begin", PQexec(p->c, p->begin), PGRES_COMMAND_OK))
		return false;
	const char *v[2] = {p->env->tenant, p->env->admin_id};
	PGresult *r = run(p, "actor", 2, v);
	bool good = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		    strcmp(PQgetvalue(r, 0, 0), "tenant_admin") == 0;
	PQclear(r);
	return good;
}

static bool commit(pq_path *p)
{
	return check(p, "commit", PQexec(p->c, "COMMIT"), PGRES_COMMAND_OK);
}

static bool audit(pq_path *p, const char *action, const char *object, const char *detail)
{
	char id[37];
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, id);
	const char *v[6] = {id, p->env->tenant, p->env->admin_id, action, object, detail};
	return check(p, "audit", run(p, "audit", 6, v), PGRES_COMMAND_OK);
}

/* The row to change, locked; false when it is not there. */
static bool lock_row(pq_path *p, const char *id)
{
	const char *v[2] = {p->env->tenant, id};
	PGresult *r = run(p, "ws_lock", 2, v);
	bool good = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	PQclear(r);
	return good;
}

bool pq_mix(pq_path *p, int i, stats *st)
{
	char id[37], name[32], limit[8];
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, id);
	snprintf(name, sizeof name, "bench %d", i);
	snprintf(limit, sizeof limit, "%d", LIST_LIMIT + 1);
	const char *tenant = p->env->tenant;

	int64_t t = now_ns();
	PGresult *r;
	const char *iv[3] = {id, tenant, name};
	bool good = open_call(p) && check(p, "insert", run(p, "ws_insert", 3, iv), PGRES_COMMAND_OK) &&
	       audit(p, "workspace.create", id, "{}") && commit(p);
	stats_add(st, OP_CREATE, now_ns() - t);

	t = now_ns();
	const char *gv[2] = {tenant, id};
	good = good && open_call(p);
	r = good ? run(p, "ws_get", 2, gv) : NULL;
	good = good && r && PQntuples(r) == 1;
	PQclear(r);
	good = good && commit(p);
	stats_add(st, OP_GET, now_ns() - t);

	t = now_ns();
	const char *lv[2] = {tenant, limit};
	good = good && open_call(p) && check(p, "list", run(p, "ws_list", 2, lv), PGRES_TUPLES_OK) && commit(p);
	stats_add(st, OP_LIST, now_ns() - t);

	t = now_ns();
	snprintf(name, sizeof name, "renamed %d", i);
	const char *uv[3] = {tenant, id, name};
	good = good && open_call(p) && lock_row(p, id) &&
	       check(p, "update", run(p, "ws_update", 3, uv), PGRES_COMMAND_OK) &&
	       audit(p, "workspace.update", id, "{\"fields\":[\"name\",\"updated_at\"]}") && commit(p);
	stats_add(st, OP_UPDATE, now_ns() - t);

	t = now_ns();
	good = good && open_call(p) && lock_row(p, id) &&
	       check(p, "delete", run(p, "ws_delete", 2, gv), PGRES_COMMAND_OK) &&
	       audit(p, "workspace.delete", id, "{}") && commit(p);
	stats_add(st, OP_DELETE, now_ns() - t);
	if (!good)
		PQclear(PQexec(p->c, "ROLLBACK"));
	return good;
}
