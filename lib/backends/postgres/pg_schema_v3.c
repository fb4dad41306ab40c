/*
 * Schema version 3: login sessions of superadmins, who have no tenant
 * (tenant users' sessions are in auth_sessions).
 *
 * Global like superadmins, so no row-level security: the core reaches it
 * only in platform scope.  A token is looked up by its hash alone, hence
 * the global UNIQUE (token_hash); deleting a superadmin ends their
 * sessions.  The lookups by token across tenants (auth_sessions.token_hash,
 * api_keys.prefix) have had their indexes since version 1.
 *
 * Same order as version 1 (tables, foreign keys, indexes), and the same
 * grant as version 2 when the deployment has the role oyl_runtime.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v3[] =
	"CREATE TABLE superadmin_sessions ("
	"  id uuid NOT NULL,"
	"  user_id uuid NOT NULL,"
	"  token_hash text NOT NULL,"
	"  expires_at timestamptz NOT NULL,"
	"  revoked_at timestamptz,"
	"  last_used_at timestamptz,"
	"  created_at timestamptz NOT NULL,"
	"  PRIMARY KEY (id),"
	"  UNIQUE (token_hash)"
	");\n"

	"ALTER TABLE superadmin_sessions ADD CONSTRAINT superadmin_sessions_user_fk"
	"  FOREIGN KEY (user_id) REFERENCES superadmins (id) ON DELETE CASCADE;\n"

	"CREATE INDEX superadmin_sessions_user_idx ON superadmin_sessions (user_id);\n"

	"DO $grants$\n"
	"BEGIN\n"
	"  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oyl_runtime') THEN\n"
	"    GRANT SELECT, INSERT, UPDATE, DELETE ON superadmin_sessions TO oyl_runtime;\n"
	"  END IF;\n"
	"END\n"
	"$grants$;\n";
