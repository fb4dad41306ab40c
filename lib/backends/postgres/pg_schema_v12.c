/*
 * Schema version 12: what chat needs beyond version 1's tables.
 *
 *   assistants         + provider, provider_model, provider_options: the
 *                        LLM provider the assistant answers with (by the
 *                        name a host registers it under), its model and
 *                        options (a JSON object: temperature, max_tokens);
 *                        never an API key, which the host supplies
 *   message_citations  + page: the cited passage's page, in the snapshot
 *   message_feedback   a user's rating of an assistant message of their
 *                      own session: +1 or -1 and an optional comment, one
 *                      per message; assistant_id copied from the message
 *                      (no foreign key: counts outlive the assistant)
 *
 * The new table has the wall of every tenant-owned table (version 5's
 * policies for oyl_runtime and oyl_platform, read once per statement as
 * version 11 made them) and its privileges.
 */
#include "pg_internal.h"

#define SCOPED "tenant_id = (SELECT oyl_scope_tenant())"
#define PLATFORM_SCOPED                                                                           \
	"(SELECT oyl_scope_tenant()) IS NULL OR tenant_id = (SELECT oyl_scope_tenant())"

const char oyl__pg_schema_v12[] =
	"ALTER TABLE assistants"
	"  ADD COLUMN provider text"
	"    CONSTRAINT assistants_provider_check CHECK (octet_length(provider) BETWEEN 1 AND 64),"
	"  ADD COLUMN provider_model text"
	"    CONSTRAINT assistants_provider_model_check"
	"    CHECK (octet_length(provider_model) BETWEEN 1 AND 200),"
	"  ADD COLUMN provider_options json"
	"    CONSTRAINT assistants_provider_options_check"
	"    CHECK (json_typeof(provider_options) = 'object');\n"
	"ALTER TABLE message_citations ADD COLUMN page bigint"
	"  CONSTRAINT message_citations_page_check CHECK (page >= 1);\n"

	"CREATE TABLE message_feedback ("
	"  id uuid NOT NULL,"
	"  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  message_id uuid NOT NULL,"
	"  assistant_id uuid,"
	"  rating bigint NOT NULL CONSTRAINT message_feedback_rating_check"
	"    CHECK (rating IN (-1, 1)),"
	"  comment text CONSTRAINT message_feedback_comment_check"
	"    CHECK (octet_length(comment) BETWEEN 1 AND 2000),"
	"  created_at timestamptz NOT NULL,"
	"  updated_at timestamptz NOT NULL,"
	"  PRIMARY KEY (tenant_id, id),"
	"  CONSTRAINT message_feedback_message_key UNIQUE (tenant_id, message_id),"
	"  FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id)"
	"    ON DELETE CASCADE"
	");\n"
	"CREATE INDEX message_feedback_assistant_idx"
	"  ON message_feedback (tenant_id, assistant_id, created_at, id);\n"
	"ALTER TABLE message_feedback ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE message_feedback FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY tenant_rows ON message_feedback FOR ALL TO oyl_runtime"
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"
	"CREATE POLICY platform_rows ON message_feedback FOR ALL TO oyl_platform"
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON message_feedback TO oyl_runtime, oyl_platform;\n";
