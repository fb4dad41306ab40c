/*
 * Schema version 9: the library's own search index (doc/retrieval.md)
 * replaces the full text of version 1.
 *
 *   search_postings  one row per (knowledge base, term, document): a block
 *                    of (chunk ordinal, term frequency, chunk length) for
 *                    the chunks of the document that hold the term.  Keyed
 *                    by (tenant_id, knowledge_base_id, term, document_id),
 *                    which a search reads; the index by document serves the
 *                    cascade from documents.  No key on id: nothing looks a
 *                    posting up by it.  One foreign key only, the
 *                    document's, which cascades the rows from every delete
 *                    above it (tenant, knowledge base, document): each is
 *                    a check per row, and a row per (term, document) makes
 *                    them most of an ingestion's server time (a second one,
 *                    to tenants, cost a third of it).
 *   knowledge_bases  + indexed_chunks, indexed_length: BM25's N and the sum
 *                      of the chunks' lengths, kept in the chunks'
 *                      transactions
 *   documents        + indexed_length: what the document adds to the sum
 *   document_chunks  - search_vector (and its GIN index with it)
 *
 * The wall of version 5 covers search_postings as every tenant-owned
 * table.  Chunks indexed before this version are found again once their
 * document is reprocessed.
 */
#include "pg_internal.h"

#define SCOPED "tenant_id = oyl_scope_tenant()"
#define PLATFORM_SCOPED "oyl_scope_tenant() IS NULL OR tenant_id = oyl_scope_tenant()"

const char oyl__pg_schema_v9[] =
	"ALTER TABLE document_chunks DROP COLUMN search_vector;\n"
	"ALTER TABLE knowledge_bases"
	"  ADD COLUMN indexed_chunks bigint NOT NULL DEFAULT 0"
	"    CONSTRAINT knowledge_bases_indexed_chunks_check CHECK (indexed_chunks >= 0),"
	"  ADD COLUMN indexed_length bigint NOT NULL DEFAULT 0"
	"    CONSTRAINT knowledge_bases_indexed_length_check CHECK (indexed_length >= 0);\n"
	"ALTER TABLE documents"
	"  ADD COLUMN indexed_length bigint NOT NULL DEFAULT 0"
	"    CONSTRAINT documents_indexed_length_check CHECK (indexed_length >= 0);\n"

	"CREATE TABLE search_postings ("
	"  id uuid NOT NULL,"
	"  tenant_id uuid NOT NULL,"
	"  knowledge_base_id uuid NOT NULL,"
	"  document_id uuid NOT NULL,"
	"  term text NOT NULL CHECK (octet_length(term) BETWEEN 1 AND 64),"
	"  block bytea NOT NULL CHECK (octet_length(block) >= 3),"
	"  CONSTRAINT search_postings_pkey"
	"    PRIMARY KEY (tenant_id, knowledge_base_id, term, document_id),"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)"
	"    ON DELETE CASCADE"
	");\n"
	"CREATE INDEX search_postings_document_idx ON search_postings (tenant_id, document_id);\n"
	"ALTER TABLE search_postings ENABLE ROW LEVEL SECURITY;\n"
	"ALTER TABLE search_postings FORCE ROW LEVEL SECURITY;\n"
	"CREATE POLICY tenant_rows ON search_postings FOR ALL TO oyl_runtime"
	" USING (" SCOPED ") WITH CHECK (" SCOPED ");\n"
	"CREATE POLICY platform_rows ON search_postings FOR ALL TO oyl_platform"
	" USING (" PLATFORM_SCOPED ") WITH CHECK (" PLATFORM_SCOPED ");\n"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON search_postings TO oyl_runtime, oyl_platform;\n";
