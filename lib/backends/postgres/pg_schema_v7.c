/*
 * Schema version 7: the same-content key of documents made again, after
 * the knowledge base's list index.
 *
 * An ingest looks for a document of the same bytes by (tenant_id,
 * knowledge_base_id, sha256).  On a table PostgreSQL has not analysed yet
 * (a new deployment's first minutes, or any table between autovacuum's
 * runs while it grows from nothing) both that unique key and
 * documents_knowledge_base_idx (tenant_id, knowledge_base_id, created_at,
 * id) are estimated at one row for the same cost, and the planner keeps
 * the index it met first: the one made last.  That was the list index,
 * which reads every document of the knowledge base per ingest, and a
 * generic plan made so stays until the next ANALYZE.  Making the key
 * again makes it the last; tests/test_list_plans.c checks the plan on a
 * fresh schema.  A later migration that adds an index on documents
 * leading with (tenant_id, knowledge_base_id) must do the same.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v7[] =
	"ALTER TABLE documents"
	"  DROP CONSTRAINT documents_tenant_id_knowledge_base_id_sha256_key;\n"
	"ALTER TABLE documents ADD CONSTRAINT documents_same_content_key"
	"  UNIQUE (tenant_id, knowledge_base_id, sha256);\n";
