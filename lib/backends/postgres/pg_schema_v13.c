/*
 * Schema version 13: the postings' index by document leads with the
 * document, so that a search never reads a tenant's postings through it.
 *
 * A search asked "tenant_id = $1 AND knowledge_base_id = $2 AND term IN
 * (...)" (today one such lookup per term, joined by UNION ALL:
 * sql_statements.c), which the primary key (tenant_id,
 * knowledge_base_id, term, document_id) answers term by term.  For a
 * tenant the statistics do not
 * know yet (one created since the table was last analysed: on a live
 * deployment, every new tenant for a while), the planner counts one row
 * of it at most, and then the index by document, (tenant_id,
 * document_id), costs less than the key's several descents: the plan
 * read every posting of the tenant, of every term and knowledge base,
 * and filtered them.  A small tenant's search took 5 ms instead of a
 * fraction of one (doc/performance.md).
 *
 * The deletes and the reprocessing of a document ask "tenant_id = $1 AND
 * document_id = $2", which (document_id, tenant_id) serves as well, and a
 * question without a document cannot use it.  tests/test_list_plans.c
 * checks the search of a tenant newer than the statistics.  SQLite's
 * version 13 changes nothing: without statistics it prefers the index that
 * the most equalities fit, the key.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v13[] =
	"DROP INDEX search_postings_document_idx;\n"
	"CREATE INDEX search_postings_document_idx ON search_postings (document_id, tenant_id);\n";
