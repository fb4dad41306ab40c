/*
 * The SQLite schema, as embedded migrations.  v1 is the whole schema of
 * doc/schema-constraints.md; columns are those of lib/records/schema_tables.h,
 * in that order.
 *
 * Types: UUID → TEXT, TIME → INTEGER (microseconds since the epoch),
 * JSON → TEXT CHECK (json_valid(...)), INT/BOOL → INTEGER, REAL → REAL,
 * BLOB → BLOB, TEXT → TEXT.  Plain (not STRICT) tables: the backend binds
 * every value with its column's storage class, and STRICT would need
 * SQLite >= 3.37 where the build asks for 3.35.
 *
 * Indexes that serve time-ordered lists end in (created_at, id), the
 * list's whole sort key, so pages come off the index without a sort.
 *
 * Every PRIMARY KEY column is declared NOT NULL: SQLite otherwise lets a
 * non-integer primary key hold NULL.  CHECK constraints are named like
 * PostgreSQL's defaults (<table>_<column>_check), so messages name them.
 *
 * Until version 9, document_chunks.content was indexed by an FTS5 external-content table
 * keyed by the chunk's rowid and kept in sync by triggers (the no-trigger
 * rule is PostgreSQL/Citus's).  Foreign-key cascades fire these triggers
 * too, so deleting a tenant or a document also empties its index entries.
 * The tokenizer keeps diacritics, like PostgreSQL's 'simple' configuration.
 */
#include "sq_internal.h"

static const char *const schema_v1[] = {
	/* ---- global tables ---- */
	"CREATE TABLE tenants (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  slug TEXT NOT NULL UNIQUE,\n"
	"  quota_users INTEGER CONSTRAINT tenants_quota_users_check\n"
	"    CHECK (quota_users IS NULL OR quota_users >= 0),\n"
	"  quota_documents INTEGER CONSTRAINT tenants_quota_documents_check\n"
	"    CHECK (quota_documents IS NULL OR quota_documents >= 0),\n"
	"  quota_bytes INTEGER CONSTRAINT tenants_quota_bytes_check\n"
	"    CHECK (quota_bytes IS NULL OR quota_bytes >= 0),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL\n"
	");\n",

	"CREATE TABLE superadmins (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  email TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  password_hash TEXT,\n"
	"  last_login INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL\n"
	");\n",

	/* tenant_id is NULL for a superadmin's address */
	"CREATE TABLE user_emails (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  email_key TEXT NOT NULL UNIQUE,\n"
	"  tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX user_emails_tenant_id_idx ON user_emails (tenant_id);\n",

	/* ---- people and credentials ---- */
	"CREATE TABLE users (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  email TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  role TEXT NOT NULL CONSTRAINT users_role_check\n"
	"    CHECK (role IN ('tenant_admin', 'user')),\n"
	"  password_hash TEXT,\n"
	"  last_login INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX users_tenant_id_created_at_idx ON users (tenant_id, created_at, id);\n",

	"CREATE TABLE auth_sessions (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  user_id TEXT NOT NULL,\n"
	"  token_hash TEXT NOT NULL,\n"
	"  expires_at INTEGER NOT NULL,\n"
	"  revoked_at INTEGER,\n"
	"  last_used_at INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, token_hash),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX auth_sessions_token_hash_idx ON auth_sessions (token_hash);\n"
	"CREATE INDEX auth_sessions_user_idx ON auth_sessions (tenant_id, user_id, created_at, id);\n",

	"CREATE TABLE api_keys (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  user_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  prefix TEXT NOT NULL,\n"
	"  key_hash TEXT NOT NULL,\n"
	"  last_used_at INTEGER,\n"
	"  revoked_at INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, prefix),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);\n"
	"CREATE INDEX api_keys_user_idx ON api_keys (tenant_id, user_id, created_at, id);\n"
	"CREATE INDEX api_keys_tenant_id_created_at_idx ON api_keys (tenant_id, created_at, id);\n",

	/* ---- the assistant hierarchy ---- */
	"CREATE TABLE workspaces (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX workspaces_tenant_id_created_at_idx ON workspaces (tenant_id, created_at, id);\n",

	"CREATE TABLE teammates (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  workspace_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	/* CASE, not AND: json_type() raises an error on malformed JSON */
	"  orchestration_config TEXT NOT NULL CONSTRAINT teammates_orchestration_config_check\n"
	"    CHECK (CASE WHEN json_valid(orchestration_config)\n"
	"           THEN json_type(orchestration_config) = 'object' ELSE 0 END),\n"
	"  rr_position INTEGER NOT NULL CONSTRAINT teammates_rr_position_check\n"
	"    CHECK (rr_position >= 0),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX teammates_workspace_idx ON teammates (tenant_id, workspace_id, created_at, id);\n"
	"CREATE INDEX teammates_tenant_id_created_at_idx ON teammates (tenant_id, created_at, id);\n",

	"CREATE TABLE assistants (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  teammate_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, teammate_id) REFERENCES teammates (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX assistants_teammate_idx ON assistants (tenant_id, teammate_id, created_at, id);\n"
	"CREATE INDEX assistants_tenant_id_created_at_idx ON assistants (tenant_id, created_at, id);\n",

	"CREATE TABLE instructions (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  assistant_id TEXT NOT NULL,\n"
	"  system_prompt TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, assistant_id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, assistant_id) REFERENCES assistants (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n",

	"CREATE TABLE knowledge_bases (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  assistant_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  vector_db_id TEXT,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, assistant_id) REFERENCES assistants (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX knowledge_bases_assistant_idx\n"
	"  ON knowledge_bases (tenant_id, assistant_id, created_at, id);\n"
	"CREATE INDEX knowledge_bases_tenant_id_created_at_idx\n"
	"  ON knowledge_bases (tenant_id, created_at, id);\n",

	/* ---- documents and their chunks ---- */
	/* user_id: NO ACTION; the core clears it before deleting the user */
	"CREATE TABLE documents (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  knowledge_base_id TEXT NOT NULL,\n"
	"  user_id TEXT,\n"
	"  filename TEXT NOT NULL,\n"
	"  original_name TEXT NOT NULL,\n"
	"  size INTEGER NOT NULL CONSTRAINT documents_size_check CHECK (size >= 0),\n"
	"  mime_type TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  file_path TEXT,\n"
	"  raw_content TEXT,\n"
	"  status TEXT NOT NULL CONSTRAINT documents_status_check\n"
	"    CHECK (status IN ('uploaded', 'processing', 'processed', 'error')),\n"
	"  error TEXT,\n"
	"  processed_at INTEGER,\n"
	"  progress INTEGER NOT NULL CONSTRAINT documents_progress_check\n"
	"    CHECK (progress BETWEEN 0 AND 100),\n"
	"  attempt INTEGER NOT NULL CONSTRAINT documents_attempt_check CHECK (attempt >= 0),\n"
	"  lease_until INTEGER,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, knowledge_base_id, sha256),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, knowledge_base_id) REFERENCES knowledge_bases (tenant_id, id)\n"
	"    ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)\n"
	");\n"
	"CREATE INDEX documents_knowledge_base_idx\n"
	"  ON documents (tenant_id, knowledge_base_id, created_at, id);\n"
	"CREATE INDEX documents_user_idx ON documents (tenant_id, user_id);\n"
	"CREATE INDEX documents_status_idx ON documents (tenant_id, status);\n"
	"CREATE INDEX documents_tenant_id_created_at_idx ON documents (tenant_id, created_at, id);\n",

	"CREATE TABLE document_chunks (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  document_id TEXT NOT NULL,\n"
	"  ordinal INTEGER NOT NULL,\n"
	"  content TEXT NOT NULL,\n"
	"  token_count INTEGER NOT NULL,\n"
	"  start_offset INTEGER NOT NULL,\n"
	"  end_offset INTEGER NOT NULL,\n"
	"  embedding BLOB,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, document_id, ordinal),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n",

	"CREATE VIRTUAL TABLE document_chunks_fts USING fts5 (\n"
	"  content,\n"
	"  content = 'document_chunks',\n"
	"  content_rowid = 'rowid',\n"
	"  tokenize = 'unicode61 remove_diacritics 0'\n"
	");\n"
	"CREATE TRIGGER document_chunks_fts_insert AFTER INSERT ON document_chunks BEGIN\n"
	"  INSERT INTO document_chunks_fts (rowid, content) VALUES (new.rowid, new.content);\n"
	"END;\n"
	"CREATE TRIGGER document_chunks_fts_delete AFTER DELETE ON document_chunks BEGIN\n"
	"  INSERT INTO document_chunks_fts (document_chunks_fts, rowid, content)\n"
	"    VALUES ('delete', old.rowid, old.content);\n"
	"END;\n"
	"CREATE TRIGGER document_chunks_fts_update AFTER UPDATE OF content ON document_chunks BEGIN\n"
	"  INSERT INTO document_chunks_fts (document_chunks_fts, rowid, content)\n"
	"    VALUES ('delete', old.rowid, old.content);\n"
	"  INSERT INTO document_chunks_fts (rowid, content) VALUES (new.rowid, new.content);\n"
	"END;\n",

	/* ---- social links ---- */
	"CREATE TABLE social_links (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  url TEXT NOT NULL,\n"
	"  platform TEXT NOT NULL CONSTRAINT social_links_platform_check\n"
	"    CHECK (platform IN ('twitter', 'facebook', 'linkedin', 'instagram', 'youtube',\n"
	"                        'other')),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX social_links_tenant_id_created_at_idx\n"
	"  ON social_links (tenant_id, created_at, id);\n",

	/* ---- chat ---- */
	/* assistant_id, teammate_id: no foreign key, history outlives the assistant */
	"CREATE TABLE chat_sessions (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  user_id TEXT NOT NULL,\n"
	"  assistant_id TEXT,\n"
	"  teammate_id TEXT,\n"
	"  title TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX chat_sessions_user_idx ON chat_sessions (tenant_id, user_id, created_at, id);\n",

	"CREATE TABLE messages (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  session_id TEXT NOT NULL,\n"
	"  role TEXT NOT NULL CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant')),\n"
	"  content TEXT NOT NULL,\n"
	"  assistant_id TEXT,\n"
	"  usage TEXT CONSTRAINT messages_usage_check CHECK (usage IS NULL OR json_valid(usage)),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, session_id) REFERENCES chat_sessions (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX messages_session_idx ON messages (tenant_id, session_id, created_at, id);\n",

	/* chunk_id, document_id: no foreign key, the snapshot outlives the document */
	"CREATE TABLE message_citations (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  message_id TEXT NOT NULL,\n"
	"  rank INTEGER NOT NULL,\n"
	"  chunk_id TEXT,\n"
	"  document_id TEXT,\n"
	"  document_name TEXT NOT NULL,\n"
	"  passage TEXT NOT NULL,\n"
	"  score REAL NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, message_id, rank),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n",

	/* ---- audit ---- */
	"CREATE TABLE audit_events (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  actor_id TEXT,\n"
	"  actor_role TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  object_type TEXT NOT NULL,\n"
	"  object_id TEXT,\n"
	"  detail TEXT NOT NULL CONSTRAINT audit_events_detail_check CHECK (json_valid(detail)),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX audit_events_tenant_id_created_at_idx\n"
	"  ON audit_events (tenant_id, created_at, id);\n",

	/* ---- bookkeeping ---- */
	"CREATE TABLE schema_migrations (\n"
	"  version INTEGER NOT NULL PRIMARY KEY,\n"
	"  applied_at INTEGER NOT NULL\n"
	");\n",
	NULL,
};

/* v2: audit events of the platform itself (tenants, superadmin accounts),
 * global so that they outlive the tenant they name. */
static const char *const schema_v2[] = {
	"CREATE TABLE platform_audit_events (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  tenant_id TEXT,\n"
	"  actor_id TEXT,\n"
	"  actor_role TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  object_type TEXT NOT NULL,\n"
	"  object_id TEXT,\n"
	"  detail TEXT NOT NULL CONSTRAINT platform_audit_events_detail_check CHECK (json_valid(detail)),\n"
	"  created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX platform_audit_events_created_at_idx\n"
	"  ON platform_audit_events (created_at, id);\n",
	NULL,
};

/* v3: login sessions of superadmins, who have no tenant (tenant users'
 * sessions are in auth_sessions).  A token is looked up by its hash
 * alone, hence the global UNIQUE; deleting a superadmin ends their
 * sessions.  auth_sessions(token_hash) and api_keys(prefix) are indexed
 * since v1. */
static const char *const schema_v3[] = {
	"CREATE TABLE superadmin_sessions (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  user_id TEXT NOT NULL REFERENCES superadmins (id) ON DELETE CASCADE,\n"
	"  token_hash TEXT NOT NULL UNIQUE,\n"
	"  expires_at INTEGER NOT NULL,\n"
	"  revoked_at INTEGER,\n"
	"  last_used_at INTEGER,\n"
	"  created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX superadmin_sessions_user_idx ON superadmin_sessions (user_id);\n",
	NULL,
};

/* Version 4: the platform's lists (tenants, superadmin accounts) served by
 * an index in their order, as every tenant's list already was. */
static const char *const schema_v4[] = {
	"CREATE INDEX tenants_created_at_idx ON tenants (created_at, id);\n"
	"CREATE INDEX superadmins_created_at_idx ON superadmins (created_at, id);\n",
	NULL,
};

/* Version 5 closes PostgreSQL's wall with roles, policies and lookup
 * functions; SQLite has no roles and no wall below the core, so its
 * version 5 changes nothing (the versions stay one number on every
 * backend). */
static const char *const schema_v5[] = {
	NULL,
};

/* Version 6: documents are ingested (doc/ingestion.md): the document's
 * chunk count, repaired bytes, chunking options and worker lease; a
 * chunk's page and section path; the original bytes in pieces (the
 * default blob store); the workers' queue, global so that a worker claims
 * across tenants, holding no content. */
static const char *const schema_v6[] = {
	"ALTER TABLE documents ADD COLUMN chunk_count INTEGER NOT NULL DEFAULT 0\n"
	"  CONSTRAINT documents_chunk_count_check CHECK (chunk_count >= 0);\n"
	"ALTER TABLE documents ADD COLUMN invalid_utf8 INTEGER NOT NULL DEFAULT 0\n"
	"  CONSTRAINT documents_invalid_utf8_check CHECK (invalid_utf8 >= 0);\n"
	"ALTER TABLE documents ADD COLUMN options TEXT;\n"
	"ALTER TABLE documents ADD COLUMN worker_id TEXT;\n"
	"ALTER TABLE documents ADD COLUMN lease_started_at INTEGER;\n"
	"ALTER TABLE document_chunks ADD COLUMN page INTEGER\n"
	"  CONSTRAINT document_chunks_page_check CHECK (page >= 1);\n"
	"ALTER TABLE document_chunks ADD COLUMN section TEXT;\n",

	"CREATE TABLE document_blobs (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  document_id TEXT NOT NULL,\n"
	"  seq INTEGER NOT NULL CONSTRAINT document_blobs_seq_check CHECK (seq >= 0),\n"
	"  data BLOB NOT NULL CONSTRAINT document_blobs_data_check\n"
	"    CHECK (length(data) <= 1048576),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  UNIQUE (tenant_id, document_id, seq),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n",

	"CREATE TABLE ingest_jobs (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  document_id TEXT NOT NULL,\n"
	"  attempt INTEGER NOT NULL CONSTRAINT ingest_jobs_attempt_check CHECK (attempt >= 0),\n"
	"  worker_id TEXT,\n"
	"  available_at INTEGER NOT NULL,\n"
	"  last_error TEXT,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  UNIQUE (tenant_id, document_id),\n"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX ingest_jobs_available_idx ON ingest_jobs (available_at, id);\n",
	NULL,
};

/* Version 7 remakes PostgreSQL's same-content key of documents so that
 * its planner prefers it on tables it has not analysed; SQLite's planner
 * takes a unique key whose every column is given first: nothing changes
 * (the versions stay one number on every backend). */
static const char *const schema_v7[] = {
	NULL,
};

/* Version 8: a knowledge base's search settings (doc/retrieval.md). */
static const char *const schema_v8[] = {
	"ALTER TABLE knowledge_bases ADD COLUMN search_language TEXT NOT NULL DEFAULT 'english'\n"
	"  CONSTRAINT knowledge_bases_search_language_check\n"
	"  CHECK (length(search_language) BETWEEN 1 AND 64);\n"
	"ALTER TABLE knowledge_bases ADD COLUMN bm25_k1 REAL NOT NULL DEFAULT 1.2\n"
	"  CONSTRAINT knowledge_bases_bm25_k1_check CHECK (bm25_k1 >= 0 AND bm25_k1 <= 3);\n"
	"ALTER TABLE knowledge_bases ADD COLUMN bm25_b REAL NOT NULL DEFAULT 0.75\n"
	"  CONSTRAINT knowledge_bases_bm25_b_check CHECK (bm25_b >= 0 AND bm25_b <= 1);\n",
	NULL,
};

/* Version 9: the library's own search index replaces FTS5
 * (doc/retrieval.md; PostgreSQL's pg_schema_v9.c says why each piece).  A
 * WITHOUT ROWID table: the rows live in the key's order, a term's blocks
 * together. */
static const char *const schema_v9[] = {
	"DROP TRIGGER document_chunks_fts_insert;\n"
	"DROP TRIGGER document_chunks_fts_delete;\n"
	"DROP TRIGGER document_chunks_fts_update;\n"
	"DROP TABLE document_chunks_fts;\n",
	"ALTER TABLE knowledge_bases ADD COLUMN indexed_chunks INTEGER NOT NULL DEFAULT 0\n"
	"  CONSTRAINT knowledge_bases_indexed_chunks_check CHECK (indexed_chunks >= 0);\n"
	"ALTER TABLE knowledge_bases ADD COLUMN indexed_length INTEGER NOT NULL DEFAULT 0\n"
	"  CONSTRAINT knowledge_bases_indexed_length_check CHECK (indexed_length >= 0);\n"
	"ALTER TABLE documents ADD COLUMN indexed_length INTEGER NOT NULL DEFAULT 0\n"
	"  CONSTRAINT documents_indexed_length_check CHECK (indexed_length >= 0);\n",
	"CREATE TABLE search_postings (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  knowledge_base_id TEXT NOT NULL,\n"
	"  document_id TEXT NOT NULL,\n"
	"  term TEXT NOT NULL CONSTRAINT search_postings_term_check\n"
	"    CHECK (length(CAST(term AS BLOB)) BETWEEN 1 AND 64),\n"
	"  block BLOB NOT NULL CONSTRAINT search_postings_block_check\n"
	"    CHECK (length(block) >= 3),\n"
	"  PRIMARY KEY (tenant_id, knowledge_base_id, term, document_id),\n"
	"  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX search_postings_document_idx ON search_postings (tenant_id, document_id);\n",
	NULL,
};

/* Version 10: embeddings (doc/retrieval.md; pg_schema_v10.c says what
 * each column holds). */
static const char *const schema_v10[] = {
	"ALTER TABLE knowledge_bases ADD COLUMN embedder TEXT\n"
	"  CONSTRAINT knowledge_bases_embedder_check\n"
	"  CHECK (length(CAST(embedder AS BLOB)) BETWEEN 1 AND 64);\n"
	"ALTER TABLE knowledge_bases ADD COLUMN embedding_model TEXT\n"
	"  CONSTRAINT knowledge_bases_embedding_model_check\n"
	"  CHECK (length(CAST(embedding_model AS BLOB)) BETWEEN 1 AND 200);\n"
	"ALTER TABLE knowledge_bases ADD COLUMN embedding_dimension INTEGER\n"
	"  CONSTRAINT knowledge_bases_embedding_dimension_check\n"
	"  CHECK (embedding_dimension BETWEEN 1 AND 65536);\n"
	"ALTER TABLE documents ADD COLUMN embedding_model TEXT\n"
	"  CONSTRAINT documents_embedding_model_check\n"
	"  CHECK (length(CAST(embedding_model AS BLOB)) BETWEEN 1 AND 200);\n"
	"ALTER TABLE documents ADD COLUMN embedding_dimension INTEGER\n"
	"  CONSTRAINT documents_embedding_dimension_check\n"
	"  CHECK (embedding_dimension BETWEEN 1 AND 65536);\n",
	NULL,
};

/* Version 11: nothing to change here.  PostgreSQL's version 11 gives
 * documents and knowledge bases an index on id for its planner's sake
 * (pg_schema_v11.c); SQLite checks a foreign key on the parent's key
 * itself and, without statistics, prefers the index that every equality
 * of a lookup fits, so its lookups by id already read one row. */
static const char *const schema_v11[] = {NULL};

/* Version 12: chat's provider per assistant, a citation's page, feedback
 * on answers (pg_schema_v12.c says why each). */
static const char *const schema_v12[] = {
	"ALTER TABLE assistants ADD COLUMN provider TEXT\n"
	"  CONSTRAINT assistants_provider_check\n"
	"  CHECK (length(CAST(provider AS BLOB)) BETWEEN 1 AND 64);\n"
	"ALTER TABLE assistants ADD COLUMN provider_model TEXT\n"
	"  CONSTRAINT assistants_provider_model_check\n"
	"  CHECK (length(CAST(provider_model AS BLOB)) BETWEEN 1 AND 200);\n"
	"ALTER TABLE assistants ADD COLUMN provider_options TEXT\n"
	"  CONSTRAINT assistants_provider_options_check\n"
	"  CHECK (provider_options IS NULL OR CASE WHEN json_valid(provider_options)\n"
	"         THEN json_type(provider_options) = 'object' ELSE 0 END);\n"
	"ALTER TABLE message_citations ADD COLUMN page INTEGER\n"
	"  CONSTRAINT message_citations_page_check CHECK (page >= 1);\n",

	"CREATE TABLE message_feedback (\n"
	"  id TEXT NOT NULL,\n"
	"  tenant_id TEXT NOT NULL,\n"
	"  message_id TEXT NOT NULL,\n"
	"  assistant_id TEXT,\n"
	"  rating INTEGER NOT NULL CONSTRAINT message_feedback_rating_check\n"
	"    CHECK (rating IN (-1, 1)),\n"
	"  comment TEXT CONSTRAINT message_feedback_comment_check\n"
	"    CHECK (length(CAST(comment AS BLOB)) BETWEEN 1 AND 2000),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  updated_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tenant_id, id),\n"
	"  CONSTRAINT message_feedback_message_key UNIQUE (tenant_id, message_id),\n"
	"  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,\n"
	"  FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX message_feedback_assistant_idx\n"
	"  ON message_feedback (tenant_id, assistant_id, created_at, id);\n",
	NULL};

/* Version 13 reorders PostgreSQL's postings index by document
 * (pg_schema_v13.c); SQLite, without statistics, already reads a search's
 * postings off the key. */
static const char *const schema_v13[] = {NULL};

const sq_migration oyl__sq_migrations[] = {
	{1, schema_v1},
	{2, schema_v2},
	{3, schema_v3},
	{4, schema_v4},
	{5, schema_v5},
	{6, schema_v6},
	{7, schema_v7},
	{8, schema_v8},
	{9, schema_v9},
	{10, schema_v10},
	{11, schema_v11},
	{12, schema_v12},
	{13, schema_v13},
};

const size_t oyl__sq_nmigrations = sizeof oyl__sq_migrations / sizeof oyl__sq_migrations[0];
