/*
 * Schema version 4: every list is served by an index in its order.
 *
 * Lists order by (created_at, id) and page with the row comparison
 * (created_at, id) > (cursor), after equality on the tenant and the
 * parent.  Version 1's indexes stopped at created_at (or at the parent),
 * so PostgreSQL sorted a tenant's whole table for every page; these end
 * in (created_at, id), the whole sort key, and a page is read off the
 * index in order, at the same cost however deep in the list.
 *
 * tenants and superadmins, listed by the platform, get theirs too; and
 * documents its index on the knowledge-base foreign key, which version 1
 * lacked (a knowledge base's delete scanned its tenant's documents).
 */
#include "pg_internal.h"

#define REPLACE(name, table, cols)                                                                 \
	"DROP INDEX IF EXISTS " name ";\n"                                                         \
	"CREATE INDEX " name " ON " table " " cols ";\n"

const char oyl__pg_schema_v4[] =
	REPLACE("users_created_idx", "users", "(tenant_id, created_at, id)")
	REPLACE("auth_sessions_user_idx", "auth_sessions", "(tenant_id, user_id, created_at, id)")
	REPLACE("api_keys_user_idx", "api_keys", "(tenant_id, user_id, created_at, id)")
	REPLACE("workspaces_created_idx", "workspaces", "(tenant_id, created_at, id)")
	REPLACE("teammates_workspace_idx", "teammates", "(tenant_id, workspace_id, created_at, id)")
	REPLACE("assistants_teammate_idx", "assistants", "(tenant_id, teammate_id, created_at, id)")
	REPLACE("knowledge_bases_assistant_idx", "knowledge_bases",
		"(tenant_id, assistant_id, created_at, id)")
	REPLACE("documents_created_idx", "documents", "(tenant_id, created_at, id)")
	REPLACE("social_links_created_idx", "social_links", "(tenant_id, created_at, id)")
	REPLACE("chat_sessions_user_idx", "chat_sessions", "(tenant_id, user_id, created_at, id)")
	REPLACE("messages_session_idx", "messages", "(tenant_id, session_id, created_at, id)")
	REPLACE("audit_events_created_idx", "audit_events", "(tenant_id, created_at, id)")
	"CREATE INDEX documents_knowledge_base_idx"
	"  ON documents (tenant_id, knowledge_base_id, created_at, id);\n"
	"CREATE INDEX tenants_created_idx ON tenants (created_at, id);\n"
	"CREATE INDEX superadmins_created_idx ON superadmins (created_at, id);\n";
