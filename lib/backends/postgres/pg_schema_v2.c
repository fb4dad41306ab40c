/*
 * Schema version 2: the platform's own audit table, and row-level
 * security on every tenant-owned table (doc/backends.md, "Row-level
 * security").
 *
 * The policy reads only the row's tenant_id and two settings that the
 * backend sets with SET LOCAL in every transaction (pg_txn.c):
 *   oyl.tenant_id  the transaction's tenant, '' for the platform
 *   oyl.platform   'on' for the platform (superadmin) scope, else 'off'
 * Both are read with missing_ok, and '' becomes NULL, so a transaction
 * that set nothing (NULL) or whose setting was emptied ('' after any
 * earlier SET LOCAL in the session) sees no row and may write none.
 * No subquery, no function that reads a table: Citus-safe, race-free.
 *
 * FORCE makes the policies bind the tables' owner too; superusers and
 * BYPASSRLS roles still pass, so the runtime role must be neither (and
 * must not own the tables: an owner can switch FORCE off).  The runtime
 * privileges go to the role oyl_runtime when the deployment made one
 * (doc/backends.md); a later version that adds a table grants it too.
 */
#include "pg_internal.h"

#define TENANT_POLICY                                                                             \
	"tenant_id = NULLIF(current_setting('oyl.tenant_id', true), '')::uuid"                   \
	" OR current_setting('oyl.platform', true) = 'on'"

#define TENANT_RLS(table)                                                                         \
	"ALTER TABLE " table " ENABLE ROW LEVEL SECURITY;\n"                                      \
	"ALTER TABLE " table " FORCE ROW LEVEL SECURITY;\n"                                       \
	"CREATE POLICY tenant_isolation ON " table " FOR ALL"                                     \
	" USING (" TENANT_POLICY ") WITH CHECK (" TENANT_POLICY ");\n"

/* Every table of the library but schema_migrations (read-only for the runtime). */
#define ALL_TABLES                                                                                \
	"tenants, superadmins, user_emails, platform_audit_events, users, auth_sessions,"         \
	" api_keys, workspaces, teammates, assistants, instructions, knowledge_bases,"            \
	" documents, document_chunks, social_links, chat_sessions, messages,"                    \
	" message_citations, audit_events"

const char oyl__pg_schema_v2[] =
	/* global, so that it outlives the tenant it names: no foreign key */
	"CREATE TABLE platform_audit_events ("
	"  id uuid NOT NULL,"
	"  tenant_id uuid,"
	"  actor_id uuid,"
	"  actor_role text NOT NULL,"
	"  action text NOT NULL,"
	"  object_type text NOT NULL,"
	"  object_id uuid,"
	"  detail json NOT NULL,"
	"  created_at timestamptz NOT NULL,"
	"  PRIMARY KEY (id)"
	");\n"
	"CREATE INDEX platform_audit_events_created_idx"
	"  ON platform_audit_events (created_at, id);\n"

	TENANT_RLS("users")
	TENANT_RLS("auth_sessions")
	TENANT_RLS("api_keys")
	TENANT_RLS("workspaces")
	TENANT_RLS("teammates")
	TENANT_RLS("assistants")
	TENANT_RLS("instructions")
	TENANT_RLS("knowledge_bases")
	TENANT_RLS("documents")
	TENANT_RLS("document_chunks")
	TENANT_RLS("social_links")
	TENANT_RLS("chat_sessions")
	TENANT_RLS("messages")
	TENANT_RLS("message_citations")
	TENANT_RLS("audit_events")

	/* The schema's name is only known here, hence format(%I). */
	"DO $grants$\n"
	"BEGIN\n"
	"  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oyl_runtime') THEN\n"
	"    EXECUTE format('GRANT USAGE ON SCHEMA %I TO oyl_runtime', current_schema());\n"
	"    GRANT SELECT, INSERT, UPDATE, DELETE ON " ALL_TABLES " TO oyl_runtime;\n"
	"    GRANT SELECT ON schema_migrations TO oyl_runtime;\n"
	"  END IF;\n"
	"END\n"
	"$grants$;\n";
