/*
 * Schema version 5: the wall closed (doc/security.md).
 *
 * Two group roles, one per kind of work:
 *   oyl_runtime   a tenant's work: sees and writes the rows of the tenant
 *                 its transaction names (oyl.tenant_id), nothing else
 *   oyl_platform  the superadmins' work: tenants, superadmin accounts and
 *                 their sessions, the platform's audit log, every tenant
 * A login role is made a member of one or both; the library sets the role
 * of each transaction (SET LOCAL ROLE) from the scope it works in.  The
 * platform's policy clause belongs to oyl_platform, so no setting a
 * runtime session sends can widen what it sees; a platform transaction
 * that sets a tenant (the platform acting inside one) is held to it.  The migration makes the
 * roles when the migrating role may (CREATEROLE), and otherwise stops,
 * naming the statements a database administrator runs first.
 *
 * The tenant setting is read through oyl_scope_tenant(): a value that is
 * not a canonical UUID is NULL, so it sees no row instead of failing.
 *
 * Global tables get row-level security too: tenants (a runtime session
 * reads its own tenant's row; it locks and renames it through two
 * functions, having no UPDATE there), the e-mail registry
 * (its own tenant's addresses), and superadmins, their sessions and the
 * platform audit log (the platform only, but for the events of a
 * tenant_admin's rename of its own tenant, which a runtime session writes
 * and never reads).  Lookups that must happen
 * before a tenant is known (a login's e-mail, a session token, an API
 * key, an actor's first call) go through SECURITY DEFINER functions that
 * take the key and return at most one row's tenant and id.  The audit
 * tables are append-only for both roles.
 */
#include "pg_internal.h"

#define TENANT_TABLES(X)                                                                          \
	X("users") X("auth_sessions") X("api_keys") X("workspaces") X("teammates")               \
	X("assistants") X("instructions") X("knowledge_bases") X("documents")                     \
	X("document_chunks") X("social_links") X("chat_sessions") X("messages")                   \
	X("message_citations") X("audit_events")

#define SCOPED "tenant_id = oyl_scope_tenant()"
/* The platform sees every tenant, or the one it set: acting inside a
 * tenant, it is held to that tenant as the runtime is. */
#define PLATFORM_SCOPED "oyl_scope_tenant() IS NULL OR tenant_id = oyl_scope_tenant()"

/* Every tenant-owned table: its tenant's rows for the runtime, all for the platform. */
#define REPLACE_POLICY(table)                                                                     \
	"DROP POLICY tenant_isolation ON " table ";\n"                                            \
	"CREATE POLICY tenant_rows ON " table " FOR ALL TO oyl_runtime"                           \
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"                                         \
	"CREATE POLICY platform_rows ON " table " FOR ALL TO oyl_platform"                        \
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"

#define PLATFORM_ONLY(table)                                                                      \
	"ALTER TABLE " table " ENABLE ROW LEVEL SECURITY;\n"                                      \
	"ALTER TABLE " table " FORCE ROW LEVEL SECURITY;\n"                                       \
	"CREATE POLICY platform_rows ON " table " FOR ALL TO oyl_platform"                        \
	" USING (true) WITH CHECK (true);\n"

/* A lookup by one key: at most one row's tenant and id, never a list. */
#define LOCATOR(name, arg, table, col)                                                            \
	"CREATE FUNCTION " name "(key " arg ") RETURNS TABLE (tenant_id uuid, id uuid)"           \
	" LANGUAGE sql STABLE SECURITY DEFINER"                                                   \
	" AS $$ SELECT r.tenant_id, r.id FROM " table " AS r WHERE r." col " = key"             \
	" LIMIT 1 $$;\n"                                                                          \
	"REVOKE ALL ON FUNCTION " name "(" arg ") FROM PUBLIC;\n"                                 \
	"GRANT EXECUTE ON FUNCTION " name "(" arg ") TO oyl_runtime, oyl_platform;\n"

const char oyl__pg_schema_v5[] =
	/* the roles: made here when this role may, or by an administrator */
	"DO $roles$\n"
	"DECLARE\n"
	"  r text;\n"
	"BEGIN\n"
	"  FOREACH r IN ARRAY ARRAY['oyl_runtime', 'oyl_platform'] LOOP\n"
	"    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN\n"
	"      BEGIN\n"
	"        EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS', r);\n"
	"      EXCEPTION WHEN insufficient_privilege THEN\n"
	"        RAISE EXCEPTION 'the role % does not exist and % may not create it: as a "
	"database administrator, run CREATE ROLE oyl_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS; "
	"CREATE ROLE oyl_platform NOLOGIN NOSUPERUSER NOBYPASSRLS; then migrate again', "
	"r, current_user;\n"
	"      END;\n"
	"    END IF;\n"
	"    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r AND (rolsuper OR rolbypassrls)) "
	"THEN\n"
	"      RAISE EXCEPTION 'the role % passes row-level security (superuser or BYPASSRLS): "
	"it cannot be a wall', r;\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"  -- the migrating role may act as either (it owns the tables anyway),\n"
	"  -- so that one role can migrate and run a small deployment\n"
	"  BEGIN\n"
	"    EXECUTE format('GRANT oyl_runtime, oyl_platform TO %I', current_user);\n"
	"  EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN\n"
	"    NULL;\n"
	"  END;\n"
	"END\n"
	"$roles$;\n"

	/* the transaction's tenant, or NULL when the setting is not a UUID */
	"CREATE FUNCTION oyl_scope_tenant() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$"
	" SELECT CASE WHEN current_setting('oyl.tenant_id', true)"
	" ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"
	" THEN current_setting('oyl.tenant_id', true)::uuid END $$;\n"

	TENANT_TABLES(REPLACE_POLICY)

	/* tenants: a runtime session reads its own; it locks it (a quota's
	 * decision) and renames it (a tenant_admin's) through functions */
	"ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE tenants FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY own_tenant ON tenants FOR SELECT TO oyl_runtime"
	" USING (id = oyl_scope_tenant());\n"
	"CREATE POLICY platform_rows ON tenants FOR ALL TO oyl_platform"
	" USING (true) WITH CHECK (true);\n"

	/* the e-mail registry: its own tenant's addresses */
	"ALTER TABLE user_emails ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE user_emails FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY tenant_rows ON user_emails FOR ALL TO oyl_runtime"
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"
	"CREATE POLICY platform_rows ON user_emails FOR ALL TO oyl_platform"
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"

	PLATFORM_ONLY("superadmins")
	PLATFORM_ONLY("superadmin_sessions")
	PLATFORM_ONLY("platform_audit_events")
	/* a tenant_admin's rename of its tenant is a platform event: written,
	 * for its own tenant only, never read back */
	"CREATE POLICY own_tenant_events ON platform_audit_events FOR INSERT TO oyl_runtime"
	" WITH CHECK (" SCOPED ");\n"

	/* the lookups run as the tables' owner, which FORCE binds too: it reads
	 * the rows they search, and nothing else is run as it */
	"DO $lookups$\n"
	"BEGIN\n"
	"  EXECUTE format('CREATE POLICY lookup ON user_emails FOR SELECT TO %I USING (true)',"
	" current_user);\n"
	"  EXECUTE format('CREATE POLICY lookup ON auth_sessions FOR SELECT TO %I USING (true)',"
	" current_user);\n"
	"  EXECUTE format('CREATE POLICY lookup ON api_keys FOR SELECT TO %I USING (true)',"
	" current_user);\n"
	"  EXECUTE format('CREATE POLICY own_tenant_functions ON tenants FOR ALL TO %I"
	" USING (true) WITH CHECK (true)', current_user);\n"
	"END\n"
	"$lookups$;\n"
	LOCATOR("oyl_locate_email", "text", "user_emails", "email_key")
	LOCATOR("oyl_locate_user", "uuid", "user_emails", "id")
	LOCATOR("oyl_locate_session", "text", "auth_sessions", "token_hash")
	LOCATOR("oyl_locate_api_key", "text", "api_keys", "prefix")
	/* the transaction's own tenant only: locked, or renamed */
	"CREATE FUNCTION oyl_lock_own_tenant(key uuid) RETURNS SETOF tenants"
	" LANGUAGE sql SECURITY DEFINER AS $$ SELECT * FROM tenants"
	" WHERE id = key AND id = oyl_scope_tenant() FOR NO KEY UPDATE $$;\n"
	"CREATE FUNCTION oyl_rename_own_tenant(key uuid, new_name text, at timestamptz)"
	" RETURNS SETOF uuid LANGUAGE sql SECURITY DEFINER AS $$ UPDATE tenants"
	" SET name = new_name, updated_at = at WHERE id = key AND id = oyl_scope_tenant()"
	" RETURNING id $$;\n"
	"REVOKE ALL ON FUNCTION oyl_lock_own_tenant(uuid) FROM PUBLIC;\n"
	"REVOKE ALL ON FUNCTION oyl_rename_own_tenant(uuid, text, timestamptz) FROM PUBLIC;\n"
	"GRANT EXECUTE ON FUNCTION oyl_lock_own_tenant(uuid) TO oyl_runtime;\n"
	"GRANT EXECUTE ON FUNCTION oyl_rename_own_tenant(uuid, text, timestamptz)"
	" TO oyl_runtime;\n"
	/* a definer's search_path is its own: this schema, then nothing */
	"DO $paths$\n"
	"BEGIN\n"
	"  EXECUTE format('ALTER FUNCTION oyl_locate_email(text) SET search_path = %I, pg_temp',"
	" current_schema());\n"
	"  EXECUTE format('ALTER FUNCTION oyl_locate_user(uuid) SET search_path = %I, pg_temp',"
	" current_schema());\n"
	"  EXECUTE format('ALTER FUNCTION oyl_locate_session(text) SET search_path = %I, pg_temp',"
	" current_schema());\n"
	"  EXECUTE format('ALTER FUNCTION oyl_locate_api_key(text) SET search_path = %I, pg_temp',"
	" current_schema());\n"
	"  EXECUTE format('ALTER FUNCTION oyl_lock_own_tenant(uuid) SET search_path = %I, pg_temp',"
	" current_schema());\n"
	"  EXECUTE format('ALTER FUNCTION oyl_rename_own_tenant(uuid, text, timestamptz)"
	" SET search_path = %I, pg_temp', current_schema());\n"
	"  EXECUTE format('GRANT USAGE ON SCHEMA %I TO oyl_runtime, oyl_platform',"
	" current_schema());\n"
	"END\n"
	"$paths$;\n"

	/* privileges: exactly these (doc/security.md has the table) */
	"REVOKE ALL ON tenants, superadmins, user_emails, platform_audit_events,"
	" superadmin_sessions, schema_migrations, users, auth_sessions, api_keys, workspaces,"
	" teammates, assistants, instructions, knowledge_bases, documents, document_chunks,"
	" social_links, chat_sessions, messages, message_citations, audit_events"
	" FROM oyl_runtime, oyl_platform;\n"
	"GRANT SELECT ON schema_migrations TO oyl_runtime, oyl_platform;\n"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON users, auth_sessions, api_keys, workspaces,"
	" teammates, assistants, instructions, knowledge_bases, documents, document_chunks,"
	" social_links, chat_sessions, messages, message_citations"
	" TO oyl_runtime, oyl_platform;\n"
	"GRANT SELECT, INSERT ON audit_events TO oyl_runtime, oyl_platform;\n"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON user_emails TO oyl_runtime, oyl_platform;\n"
	"GRANT SELECT ON tenants TO oyl_runtime;\n"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, superadmins, superadmin_sessions"
	" TO oyl_platform;\n"
	"GRANT SELECT, INSERT ON platform_audit_events TO oyl_platform;\n"
	"GRANT INSERT ON platform_audit_events TO oyl_runtime;\n";
