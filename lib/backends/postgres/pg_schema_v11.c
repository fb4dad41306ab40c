/*
 * Schema version 11: documents and knowledge bases found by their id
 * alone, by an index of their own; the policies' tenant read once
 * per statement.
 *
 * A foreign key's check asks "tenant_id = $1 AND id = $2" of the parent,
 * and so do the library's reads of a row by its id.  On a table that
 * PostgreSQL has not analysed yet (a new deployment's first minutes, or
 * any table between autovacuum's runs while it grows from nothing),
 * every index whose first column is tenant_id is estimated at one row for
 * the same cost as the primary key, and the planner keeps the index it
 * met first.  For documents that was the same-content key of version 7,
 * for knowledge bases their list index by assistant: each check then read
 * every document (or knowledge base) of the tenant.  A foreign key's
 * check is planned once per session and kept until the table's
 * statistics change, so an ingest that wrote 300 postings a document
 * paid for that scan 300 times, more with every document: a process that
 * ingested from a new schema ran at a quarter of the COPY bound
 * (doc/performance.md).
 *
 * An index on id alone is used by those statements and by nothing that
 * does not name the id, so it cannot take another lookup's place as the
 * same-content key did.  It is not unique: every unique key of a tenant's
 * table includes tenant_id (doc/schema.md), and the primary key already
 * says that (tenant_id, id) is one row.  tests/test_list_plans.c checks every foreign
 * key's check and every lookup by id on a fresh schema; a later index
 * that takes the place of these fails it.
 *
 * And every policy reads the transaction's tenant as a scalar subquery,
 * "(SELECT oyl_scope_tenant())": an init plan, worked out once per
 * statement, where the bare call was worked out for every row read or
 * written (its regular expression took a quarter of the server's time
 * in an ingest, in the WITH CHECK of each posting).  What a policy
 * admits is unchanged; the comparison stays an equality on tenant_id,
 * which an index still serves under row-level security.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v11[] =
	"CREATE INDEX documents_id_idx ON documents (id);\n"
	"CREATE INDEX knowledge_bases_id_idx ON knowledge_bases (id);\n"

	/* every policy that reads the scope: once per statement */
	"DO $policies$\n"
	"DECLARE p record;\n"
	"BEGIN\n"
	"  FOR p IN SELECT pol.polname, pol.polrelid::regclass AS tab,\n"
	"             pg_get_expr(pol.polqual, pol.polrelid) AS qual,\n"
	"             pg_get_expr(pol.polwithcheck, pol.polrelid) AS checks\n"
	"      FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid\n"
	"      WHERE c.relnamespace = current_schema()::regnamespace LOOP\n"
	"    IF p.qual LIKE '%oyl_scope_tenant()%' THEN\n"
	"      EXECUTE format('ALTER POLICY %I ON %s USING (%s)', p.polname, p.tab,\n"
	"        replace(p.qual, 'oyl_scope_tenant()', '(SELECT oyl_scope_tenant())'));\n"
	"    END IF;\n"
	"    IF p.checks LIKE '%oyl_scope_tenant()%' THEN\n"
	"      EXECUTE format('ALTER POLICY %I ON %s WITH CHECK (%s)', p.polname, p.tab,\n"
	"        replace(p.checks, 'oyl_scope_tenant()', '(SELECT oyl_scope_tenant())'));\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"END\n"
	"$policies$;\n";
