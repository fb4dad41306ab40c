/*
 * Schema version 6: documents are ingested (doc/ingestion.md).
 *
 *   documents        + chunk_count, invalid_utf8 (sequences replaced by
 *                      U+FFFD), options (how it is chunked), and the lease
 *                      of the worker processing it (worker_id,
 *                      lease_started_at; attempt fences its final write)
 *   document_chunks  + page, section (a JSON array of section titles)
 *   document_blobs   the original bytes in pieces of at most 1 MiB, in the
 *                    document's tenant, gone with it (the default store)
 *   ingest_jobs      the workers' queue: global, so a worker claims across
 *                    tenants; a job names its document and holds no content
 *
 * An insert into ingest_jobs notifies channel oyl_ingest, on which idle
 * workers wait (LISTEN) instead of polling.
 *
 * The wall of version 5 covers the new tables: document_blobs as every
 * tenant-owned table; ingest_jobs under row-level security too, the
 * runtime seeing its own tenant's jobs (an upload queues one) and the
 * platform every job (a worker claims them).
 */
#include "pg_internal.h"

#define SCOPED "tenant_id = oyl_scope_tenant()"
#define PLATFORM_SCOPED "oyl_scope_tenant() IS NULL OR tenant_id = oyl_scope_tenant()"

const char oyl__pg_schema_v6[] =
	"ALTER TABLE documents"
	"  ADD COLUMN chunk_count bigint NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),"
	"  ADD COLUMN invalid_utf8 bigint NOT NULL DEFAULT 0 CHECK (invalid_utf8 >= 0),"
	"  ADD COLUMN options json,"
	"  ADD COLUMN worker_id text,"
	"  ADD COLUMN lease_started_at timestamptz;\n"
	"ALTER TABLE document_chunks"
	"  ADD COLUMN page bigint CHECK (page >= 1),"
	"  ADD COLUMN section json;\n"

	"CREATE TABLE document_blobs ("
	"  id uuid NOT NULL,"
	"  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  document_id uuid NOT NULL,"
	"  seq bigint NOT NULL CHECK (seq >= 0),"
	"  data bytea NOT NULL CHECK (octet_length(data) <= 1048576),"
	"  created_at timestamptz NOT NULL,"
	"  PRIMARY KEY (tenant_id, id),"
	"  UNIQUE (tenant_id, document_id, seq),"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)"
	"    ON DELETE CASCADE"
	");\n"
	"ALTER TABLE document_blobs ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE document_blobs FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY tenant_rows ON document_blobs FOR ALL TO oyl_runtime"
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"
	"CREATE POLICY platform_rows ON document_blobs FOR ALL TO oyl_platform"
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"

	"CREATE TABLE ingest_jobs ("
	"  id uuid PRIMARY KEY,"
	"  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  document_id uuid NOT NULL,"
	"  attempt bigint NOT NULL CHECK (attempt >= 0),"
	"  worker_id text,"
	"  available_at timestamptz NOT NULL,"
	"  last_error text,"
	"  created_at timestamptz NOT NULL,"
	"  UNIQUE (tenant_id, document_id),"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)"
	"    ON DELETE CASCADE"
	");\n"
	/* a claim takes the jobs available longest first */
	"CREATE INDEX ingest_jobs_available_idx ON ingest_jobs (available_at, id);\n"
	"ALTER TABLE ingest_jobs ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE ingest_jobs FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY tenant_rows ON ingest_jobs FOR ALL TO oyl_runtime"
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"
	"CREATE POLICY platform_rows ON ingest_jobs FOR ALL TO oyl_platform"
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"

	"GRANT SELECT, INSERT, UPDATE, DELETE ON document_blobs, ingest_jobs"
	" TO oyl_runtime, oyl_platform;\n"

	/* a job queued wakes the workers that LISTEN (sent at commit, once
	 * per transaction whatever the jobs it queued) */
	"CREATE FUNCTION oyl_ingest_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
	" BEGIN PERFORM pg_notify('oyl_ingest', ''); RETURN NULL; END $$;\n"
	"REVOKE ALL ON FUNCTION oyl_ingest_notify() FROM PUBLIC;\n"
	"CREATE TRIGGER ingest_jobs_notify AFTER INSERT ON ingest_jobs"
	" FOR EACH STATEMENT EXECUTE FUNCTION oyl_ingest_notify();\n";
