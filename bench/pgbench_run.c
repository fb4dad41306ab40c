/*
 * pgbench, the server's own load tool, on one connection as the runtime
 * role, running a workspace create's statements prepared (-M prepared),
 * as scripts written once per run:
 *
 *   PGB_WRITES   BEGIN, the scope's SET LOCALs, the two inserts, COMMIT in
 *                one pipeline: the writes alone, nothing decided on.
 *   PGB_LIBOYL   every statement liboyl sends for the create (the writes
 *                and the acting user's row), in one pipeline.
 *   PGB_TWO      the same statements in liboyl's two pipelines (reads, then
 *                writes): what the second round trip costs by itself.
 *
 * The statements are liboyl's own texts with the values inlined (pgbench
 * has no uuid variables), new ids drawn by the server; the Citus setting
 * goes first only on a server that has Citus, as liboyl sends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static char scripts[PGB_NSCRIPTS][32];

static void write_script(FILE *f, const bench_env *env, int kind, bool citus)
{
	const char *t = env->tenant, *u = env->admin_id;
	fprintf(f, "\\startpipeline\nBEGIN;\n");
	if (citus)
		fprintf(f, "SET LOCAL citus.propagate_set_commands = 'local';\n");
	fprintf(f, "SET LOCAL ROLE oyl_runtime;\nSET LOCAL oyl.tenant_id = '%s';\n", t);
	if (kind != PGB_WRITES)
		fprintf(f,
			"SELECT \"id\", \"tenant_id\", \"email\", \"name\", \"role\", "
			"\"password_hash\", \"last_login\", \"created_at\", \"updated_at\" FROM "
			"\"users\" WHERE \"tenant_id\" = '%s'::uuid AND \"id\" = '%s'::uuid LIMIT 1;\n",
			t, u);
	if (kind == PGB_TWO)
		fprintf(f, "\\endpipeline\n\\startpipeline\n");
	fprintf(f,
		"INSERT INTO \"workspaces\" (\"id\", \"tenant_id\", \"name\", \"created_at\", "
		"\"updated_at\") VALUES (gen_random_uuid(), '%s'::uuid, 'pgbench'::text, "
		"now(), now());\n"
		"INSERT INTO \"audit_events\" (\"id\", \"tenant_id\", \"actor_id\", "
		"\"actor_role\", \"action\", \"object_type\", \"object_id\", \"detail\", "
		"\"created_at\") VALUES (gen_random_uuid(), '%s'::uuid, '%s'::uuid, "
		"'tenant_admin'::text, 'workspace.create'::text, 'workspace'::text, "
		"gen_random_uuid(), '{}'::json, now());\n"
		"COMMIT;\n\\endpipeline\n",
		t, t, u);
}

static bool server_has_citus(const bench_env *env)
{
	PGresult *r = PQexec(env->owner, "SELECT current_setting('citus.version', true) IS NOT NULL");
	bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return yes;
}

bool pgbench_scripts(const bench_env *env)
{
	bool citus = server_has_citus(env);
	for (int k = 0; k < PGB_NSCRIPTS; k++) {
		snprintf(scripts[k], sizeof scripts[k], "/tmp/oyl-bench-XXXXXX");
		int fd = mkstemp(scripts[k]);
		FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!f) {
			perror("oyl-bench: pgbench script");
			return false;
		}
		write_script(f, env, k, citus);
		fclose(f);
	}
	return true;
}

void pgbench_scripts_remove(void)
{
	for (int k = 0; k < PGB_NSCRIPTS; k++)
		if (scripts[k][0])
			unlink(scripts[k]);
}

double pgbench_tps(const bench_env *env, int script, int seconds)
{
	char cmd[2048];
	const char *bin = access("/usr/lib/postgresql/15/bin/pgbench", X_OK) == 0
				  ? "/usr/lib/postgresql/15/bin/pgbench"
				  : "pgbench";
	snprintf(cmd, sizeof cmd, "%s -n -c 1 -j 1 -M prepared -T %d -f %s \"%s\" 2>&1", bin,
		 seconds, scripts[script], env->uri);
	FILE *out = popen(cmd, "r");
	double tps = -1;
	char line[512];
	while (out && fgets(line, sizeof line, out)) {
		double v;
		if (sscanf(line, "tps = %lf (without initial connection time)", &v) == 1)
			tps = v;
		else if (strstr(line, "error") || strstr(line, "ERROR"))
			fprintf(stderr, "pgbench: %s", line);
	}
	if (out)
		pclose(out);
	return tps;
}
