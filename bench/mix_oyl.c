/* The mix through liboyl's public calls, as the tenant_admin. */
#include <stdio.h>

#include "bench.h"

static bool ok(const bench_env *env, const char *what, int rc)
{
	if (rc == OYL_OK)
		return true;
	fprintf(stderr, "oyl-bench: liboyl %s: %s (%s)\n", what, oyl_db_errmsg(env->db),
		oyl_status_name(rc));
	return false;
}

bool oyl_mix(const bench_env *env, int i, stats *st)
{
	char name[32];
	oyl_workspace *ws = NULL, *got = NULL;
	oyl_page *page = NULL;
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.limit = LIST_LIMIT;
	snprintf(name, sizeof name, "bench %d", i);

	int64_t t = now_ns();
	int rc = oyl_workspace_create(env->admin, env->tenant, name, &ws);
	stats_add(st, OP_CREATE, now_ns() - t);
	if (!ok(env, "create", rc))
		return false;
	t = now_ns();
	rc = oyl_workspace_get(env->admin, oyl_workspace_id(ws), &got);
	oyl_workspace_free(got);
	stats_add(st, OP_GET, now_ns() - t);
	if (!ok(env, "get", rc))
		return false;
	t = now_ns();
	rc = oyl_workspace_list(env->admin, env->tenant, &o, &page);
	oyl_page_free(page);
	stats_add(st, OP_LIST, now_ns() - t);
	if (!ok(env, "list", rc))
		return false;
	snprintf(name, sizeof name, "renamed %d", i);
	t = now_ns();
	rc = oyl_workspace_update(env->admin, oyl_workspace_id(ws), name, NULL);
	stats_add(st, OP_UPDATE, now_ns() - t);
	if (!ok(env, "update", rc))
		return false;
	t = now_ns();
	rc = oyl_workspace_delete(env->admin, oyl_workspace_id(ws));
	stats_add(st, OP_DELETE, now_ns() - t);
	oyl_workspace_free(ws);
	return ok(env, "delete", rc);
}
