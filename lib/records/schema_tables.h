/*
 * The schema as the core sees it: one X-macro list of columns per table.
 * Column 0 is always `id`.  This list, the backends' DDL and
 * doc/schema.md must agree; the conformance suite checks the first two
 * against each other (every column is written and read back).
 *
 * X(TABLE, column, type, flags)
 */
#ifndef OYL_SCHEMA_TABLES_H
#define OYL_SCHEMA_TABLES_H

#define NN OYL_COL_NOT_NULL
#define IM (OYL_COL_NOT_NULL | OYL_COL_IMMUTABLE)
#define SECRET OYL_COL_SECRET

/* global tables */
#define OYL_COLS_TENANTS(X)                                                                      \
	X(TENANTS, id, UUID, IM)                                                                 \
	X(TENANTS, name, TEXT, NN)                                                               \
	X(TENANTS, slug, TEXT, NN)                                                               \
	X(TENANTS, quota_users, INT, 0)                                                          \
	X(TENANTS, quota_documents, INT, 0)                                                      \
	X(TENANTS, quota_bytes, INT, 0)                                                          \
	X(TENANTS, created_at, TIME, IM)                                                         \
	X(TENANTS, updated_at, TIME, NN)

#define OYL_COLS_SUPERADMINS(X)                                                                  \
	X(SUPERADMINS, id, UUID, IM)                                                             \
	X(SUPERADMINS, email, TEXT, NN)                                                          \
	X(SUPERADMINS, name, TEXT, NN)                                                           \
	X(SUPERADMINS, password_hash, TEXT, SECRET)                                                   \
	X(SUPERADMINS, last_login, TIME, 0)                                                      \
	X(SUPERADMINS, created_at, TIME, IM)                                                     \
	X(SUPERADMINS, updated_at, TIME, NN)

/* The platform-wide registry that makes e-mail addresses unique across
 * tenants, case-insensitively: id is the user's (or superadmin's) id,
 * email_key the address folded to lowercase by the core. */
#define OYL_COLS_USER_EMAILS(X)                                                                  \
	X(USER_EMAILS, id, UUID, IM)                                                             \
	X(USER_EMAILS, email_key, TEXT, NN)                                                      \
	X(USER_EMAILS, tenant_id, UUID, OYL_COL_IMMUTABLE)                                       \
	X(USER_EMAILS, created_at, TIME, IM)

/* Audit events of the platform itself (tenants created and deleted,
 * superadmin accounts): global, so that they outlive the tenant they name.
 * tenant_id carries no foreign key.  (schema version 2) */
#define OYL_COLS_PLATFORM_AUDIT_EVENTS(X)                                                        \
	X(PLATFORM_AUDIT_EVENTS, id, UUID, IM)                                                   \
	X(PLATFORM_AUDIT_EVENTS, tenant_id, UUID, OYL_COL_IMMUTABLE)                             \
	X(PLATFORM_AUDIT_EVENTS, actor_id, UUID, 0)                                              \
	X(PLATFORM_AUDIT_EVENTS, actor_role, TEXT, NN)                                           \
	X(PLATFORM_AUDIT_EVENTS, action, TEXT, NN)                                               \
	X(PLATFORM_AUDIT_EVENTS, object_type, TEXT, NN)                                          \
	X(PLATFORM_AUDIT_EVENTS, object_id, UUID, 0)                                             \
	X(PLATFORM_AUDIT_EVENTS, detail, JSON, NN)                                               \
	X(PLATFORM_AUDIT_EVENTS, created_at, TIME, IM)

/* Login sessions of superadmin accounts, which have no tenant (schema
 * version 3); tenant users' sessions are in auth_sessions. */
#define OYL_COLS_SUPERADMIN_SESSIONS(X)                                                          \
	X(SUPERADMIN_SESSIONS, id, UUID, IM)                                                     \
	X(SUPERADMIN_SESSIONS, user_id, UUID, IM)                                                \
	X(SUPERADMIN_SESSIONS, token_hash, TEXT, IM | SECRET)                                    \
	X(SUPERADMIN_SESSIONS, expires_at, TIME, NN)                                             \
	X(SUPERADMIN_SESSIONS, revoked_at, TIME, 0)                                              \
	X(SUPERADMIN_SESSIONS, last_used_at, TIME, 0)                                            \
	X(SUPERADMIN_SESSIONS, created_at, TIME, IM)

/* tenant-owned tables */
#define OYL_COLS_USERS(X)                                                                        \
	X(USERS, id, UUID, IM)                                                                   \
	X(USERS, tenant_id, UUID, IM)                                                            \
	X(USERS, email, TEXT, NN)                                                                \
	X(USERS, name, TEXT, NN)                                                                 \
	X(USERS, role, TEXT, NN)                                                                 \
	X(USERS, password_hash, TEXT, SECRET)                                                         \
	X(USERS, last_login, TIME, 0)                                                            \
	X(USERS, created_at, TIME, IM)                                                           \
	X(USERS, updated_at, TIME, NN)

#define OYL_COLS_AUTH_SESSIONS(X)                                                                \
	X(AUTH_SESSIONS, id, UUID, IM)                                                           \
	X(AUTH_SESSIONS, tenant_id, UUID, IM)                                                    \
	X(AUTH_SESSIONS, user_id, UUID, IM)                                                      \
	X(AUTH_SESSIONS, token_hash, TEXT, IM | SECRET)                                                   \
	X(AUTH_SESSIONS, expires_at, TIME, NN)                                                   \
	X(AUTH_SESSIONS, revoked_at, TIME, 0)                                                    \
	X(AUTH_SESSIONS, last_used_at, TIME, 0)                                                  \
	X(AUTH_SESSIONS, created_at, TIME, IM)

#define OYL_COLS_API_KEYS(X)                                                                     \
	X(API_KEYS, id, UUID, IM)                                                                \
	X(API_KEYS, tenant_id, UUID, IM)                                                         \
	X(API_KEYS, user_id, UUID, IM)                                                           \
	X(API_KEYS, name, TEXT, NN)                                                              \
	X(API_KEYS, prefix, TEXT, IM)                                                            \
	X(API_KEYS, key_hash, TEXT, IM | SECRET)                                                          \
	X(API_KEYS, last_used_at, TIME, 0)                                                       \
	X(API_KEYS, revoked_at, TIME, 0)                                                         \
	X(API_KEYS, created_at, TIME, IM)

#define OYL_COLS_WORKSPACES(X)                                                                   \
	X(WORKSPACES, id, UUID, IM)                                                              \
	X(WORKSPACES, tenant_id, UUID, IM)                                                       \
	X(WORKSPACES, name, TEXT, NN)                                                            \
	X(WORKSPACES, created_at, TIME, IM)                                                      \
	X(WORKSPACES, updated_at, TIME, NN)

#define OYL_COLS_TEAMMATES(X)                                                                    \
	X(TEAMMATES, id, UUID, IM)                                                               \
	X(TEAMMATES, tenant_id, UUID, IM)                                                        \
	X(TEAMMATES, workspace_id, UUID, IM)                                                     \
	X(TEAMMATES, name, TEXT, NN)                                                             \
	X(TEAMMATES, orchestration_config, JSON, NN)                                             \
	X(TEAMMATES, rr_position, INT, NN)                                                       \
	X(TEAMMATES, created_at, TIME, IM)                                                       \
	X(TEAMMATES, updated_at, TIME, NN)

#define OYL_COLS_ASSISTANTS(X)                                                                   \
	X(ASSISTANTS, id, UUID, IM)                                                              \
	X(ASSISTANTS, tenant_id, UUID, IM)                                                       \
	X(ASSISTANTS, teammate_id, UUID, IM)                                                     \
	X(ASSISTANTS, name, TEXT, NN)                                                            \
	X(ASSISTANTS, created_at, TIME, IM)                                                      \
	X(ASSISTANTS, updated_at, TIME, NN)                                                      \
	X(ASSISTANTS, provider, TEXT, 0)                                                         \
	X(ASSISTANTS, provider_model, TEXT, 0)                                                   \
	X(ASSISTANTS, provider_options, JSON, 0)

#define OYL_COLS_INSTRUCTIONS(X)                                                                 \
	X(INSTRUCTIONS, id, UUID, IM)                                                            \
	X(INSTRUCTIONS, tenant_id, UUID, IM)                                                     \
	X(INSTRUCTIONS, assistant_id, UUID, IM)                                                  \
	X(INSTRUCTIONS, system_prompt, TEXT, NN)                                                 \
	X(INSTRUCTIONS, created_at, TIME, IM)                                                    \
	X(INSTRUCTIONS, updated_at, TIME, NN)

#define OYL_COLS_KNOWLEDGE_BASES(X)                                                              \
	X(KNOWLEDGE_BASES, id, UUID, IM)                                                         \
	X(KNOWLEDGE_BASES, tenant_id, UUID, IM)                                                  \
	X(KNOWLEDGE_BASES, assistant_id, UUID, IM)                                               \
	X(KNOWLEDGE_BASES, name, TEXT, NN)                                                       \
	X(KNOWLEDGE_BASES, vector_db_id, TEXT, 0)                                                \
	X(KNOWLEDGE_BASES, created_at, TIME, IM)                                                 \
	X(KNOWLEDGE_BASES, updated_at, TIME, NN)                                                 \
	X(KNOWLEDGE_BASES, search_language, TEXT, NN)                                            \
	X(KNOWLEDGE_BASES, bm25_k1, REAL, NN)                                                    \
	X(KNOWLEDGE_BASES, bm25_b, REAL, NN)                                                     \
	X(KNOWLEDGE_BASES, indexed_chunks, INT, NN)                                              \
	X(KNOWLEDGE_BASES, indexed_length, INT, NN)                                              \
	X(KNOWLEDGE_BASES, embedder, TEXT, 0)                                                    \
	X(KNOWLEDGE_BASES, embedding_model, TEXT, 0)                                             \
	X(KNOWLEDGE_BASES, embedding_dimension, INT, 0)

#define OYL_COLS_DOCUMENTS(X)                                                                    \
	X(DOCUMENTS, id, UUID, IM)                                                               \
	X(DOCUMENTS, tenant_id, UUID, IM)                                                        \
	X(DOCUMENTS, knowledge_base_id, UUID, IM)                                                \
	X(DOCUMENTS, user_id, UUID, 0)                                                           \
	X(DOCUMENTS, filename, TEXT, NN)                                                         \
	X(DOCUMENTS, original_name, TEXT, NN)                                                    \
	X(DOCUMENTS, size, INT, NN)                                                              \
	X(DOCUMENTS, mime_type, TEXT, NN)                                                        \
	X(DOCUMENTS, sha256, TEXT, NN)                                                           \
	X(DOCUMENTS, file_path, TEXT, 0)                                                         \
	X(DOCUMENTS, status, TEXT, NN)                                                           \
	X(DOCUMENTS, error, TEXT, 0)                                                             \
	X(DOCUMENTS, processed_at, TIME, 0)                                                      \
	X(DOCUMENTS, progress, INT, NN)                                                          \
	X(DOCUMENTS, attempt, INT, NN)                                                           \
	X(DOCUMENTS, lease_until, TIME, 0)                                                       \
	X(DOCUMENTS, created_at, TIME, IM)                                                       \
	X(DOCUMENTS, updated_at, TIME, NN)                                                       \
	X(DOCUMENTS, chunk_count, INT, NN)                                                       \
	X(DOCUMENTS, invalid_utf8, INT, NN)                                                      \
	X(DOCUMENTS, options, JSON, 0)                                                           \
	X(DOCUMENTS, worker_id, TEXT, 0)                                                         \
	X(DOCUMENTS, lease_started_at, TIME, 0)                                                  \
	X(DOCUMENTS, indexed_length, INT, NN)                                                    \
	X(DOCUMENTS, embedding_model, TEXT, 0)                                                   \
	X(DOCUMENTS, embedding_dimension, INT, 0)                                                \
	X(DOCUMENTS, raw_content, TEXT, 0) /* last: reads of the metadata leave it out */

/* id, tenant_id, document_id, ordinal, embedding first: reads of the
 * vectors ask for these columns only (oyl__t_chunk_vectors). */
#define OYL_COLS_DOCUMENT_CHUNKS(X)                                                              \
	X(DOCUMENT_CHUNKS, id, UUID, IM)                                                         \
	X(DOCUMENT_CHUNKS, tenant_id, UUID, IM)                                                  \
	X(DOCUMENT_CHUNKS, document_id, UUID, IM)                                                \
	X(DOCUMENT_CHUNKS, ordinal, INT, NN)                                                     \
	X(DOCUMENT_CHUNKS, embedding, BLOB, 0)                                                   \
	X(DOCUMENT_CHUNKS, content, TEXT, NN)                                                    \
	X(DOCUMENT_CHUNKS, token_count, INT, NN)                                                 \
	X(DOCUMENT_CHUNKS, start_offset, INT, NN)                                                \
	X(DOCUMENT_CHUNKS, end_offset, INT, NN)                                                  \
	X(DOCUMENT_CHUNKS, created_at, TIME, IM)                                                 \
	X(DOCUMENT_CHUNKS, page, INT, 0)                                                         \
	X(DOCUMENT_CHUNKS, section, JSON, 0)

/* A document's original bytes, in pieces of at most 1 MiB (the default
 * blob store; doc/ingestion.md). */
#define OYL_COLS_DOCUMENT_BLOBS(X)                                                               \
	X(DOCUMENT_BLOBS, id, UUID, IM)                                                          \
	X(DOCUMENT_BLOBS, tenant_id, UUID, IM)                                                   \
	X(DOCUMENT_BLOBS, document_id, UUID, IM)                                                 \
	X(DOCUMENT_BLOBS, seq, INT, IM)                                                          \
	X(DOCUMENT_BLOBS, data, BLOB, NN)                                                        \
	X(DOCUMENT_BLOBS, created_at, TIME, IM)

/* The search index (doc/retrieval.md, schema version 9): one row per
 * (knowledge base, term, document), whose block packs, for each chunk of
 * the document holding the term, its ordinal, the term's frequency and the
 * chunk's length in terms.  Keyed by (tenant_id, knowledge_base_id, term,
 * document_id); `id` is there for the record machinery only, unindexed. */
#define OYL_COLS_SEARCH_POSTINGS(X)                                                              \
	X(SEARCH_POSTINGS, id, UUID, IM)                                                         \
	X(SEARCH_POSTINGS, tenant_id, UUID, IM)                                                  \
	X(SEARCH_POSTINGS, knowledge_base_id, UUID, IM)                                          \
	X(SEARCH_POSTINGS, document_id, UUID, IM)                                                \
	X(SEARCH_POSTINGS, term, TEXT, IM)                                                       \
	X(SEARCH_POSTINGS, block, BLOB, NN)

/* The workers' queue: one row per document waiting or being processed,
 * global so that a worker claims across tenants; no content in it. */
#define OYL_COLS_INGEST_JOBS(X)                                                                  \
	X(INGEST_JOBS, id, UUID, IM)                                                             \
	X(INGEST_JOBS, tenant_id, UUID, IM)                                                      \
	X(INGEST_JOBS, document_id, UUID, IM)                                                    \
	X(INGEST_JOBS, attempt, INT, NN)                                                         \
	X(INGEST_JOBS, worker_id, TEXT, 0)                                                       \
	X(INGEST_JOBS, available_at, TIME, NN)                                                   \
	X(INGEST_JOBS, last_error, TEXT, 0)                                                      \
	X(INGEST_JOBS, created_at, TIME, IM)

#define OYL_COLS_SOCIAL_LINKS(X)                                                                 \
	X(SOCIAL_LINKS, id, UUID, IM)                                                            \
	X(SOCIAL_LINKS, tenant_id, UUID, IM)                                                     \
	X(SOCIAL_LINKS, url, TEXT, NN)                                                           \
	X(SOCIAL_LINKS, platform, TEXT, NN)                                                      \
	X(SOCIAL_LINKS, created_at, TIME, IM)                                                    \
	X(SOCIAL_LINKS, updated_at, TIME, NN)

/* assistant_id / teammate_id carry no foreign key: chat history outlives
 * the assistant (doc/schema.md, cascade contract). */
#define OYL_COLS_CHAT_SESSIONS(X)                                                                \
	X(CHAT_SESSIONS, id, UUID, IM)                                                           \
	X(CHAT_SESSIONS, tenant_id, UUID, IM)                                                    \
	X(CHAT_SESSIONS, user_id, UUID, IM)                                                      \
	X(CHAT_SESSIONS, assistant_id, UUID, 0)                                                  \
	X(CHAT_SESSIONS, teammate_id, UUID, 0)                                                   \
	X(CHAT_SESSIONS, title, TEXT, NN)                                                        \
	X(CHAT_SESSIONS, created_at, TIME, IM)                                                   \
	X(CHAT_SESSIONS, updated_at, TIME, NN)

#define OYL_COLS_MESSAGES(X)                                                                     \
	X(MESSAGES, id, UUID, IM)                                                                \
	X(MESSAGES, tenant_id, UUID, IM)                                                         \
	X(MESSAGES, session_id, UUID, IM)                                                        \
	X(MESSAGES, role, TEXT, NN)                                                              \
	X(MESSAGES, content, TEXT, NN)                                                           \
	X(MESSAGES, assistant_id, UUID, 0)                                                       \
	X(MESSAGES, usage, JSON, 0)                                                              \
	X(MESSAGES, created_at, TIME, IM)

/* chunk_id / document_id carry no foreign key: a citation keeps its
 * snapshot (document_name, passage) after the document is deleted. */
#define OYL_COLS_MESSAGE_CITATIONS(X)                                                            \
	X(MESSAGE_CITATIONS, id, UUID, IM)                                                       \
	X(MESSAGE_CITATIONS, tenant_id, UUID, IM)                                                \
	X(MESSAGE_CITATIONS, message_id, UUID, IM)                                               \
	X(MESSAGE_CITATIONS, rank, INT, NN)                                                      \
	X(MESSAGE_CITATIONS, chunk_id, UUID, 0)                                                  \
	X(MESSAGE_CITATIONS, document_id, UUID, 0)                                               \
	X(MESSAGE_CITATIONS, document_name, TEXT, NN)                                            \
	X(MESSAGE_CITATIONS, passage, TEXT, NN)                                                  \
	X(MESSAGE_CITATIONS, score, REAL, NN)                                                    \
	X(MESSAGE_CITATIONS, created_at, TIME, IM)                                               \
	X(MESSAGE_CITATIONS, page, INT, 0)

/* A rating of an assistant message by the owner of its session (schema
 * version 12); assistant_id is the message's, with no foreign key. */
#define OYL_COLS_MESSAGE_FEEDBACK(X)                                                             \
	X(MESSAGE_FEEDBACK, id, UUID, IM)                                                        \
	X(MESSAGE_FEEDBACK, tenant_id, UUID, IM)                                                 \
	X(MESSAGE_FEEDBACK, message_id, UUID, IM)                                                \
	X(MESSAGE_FEEDBACK, assistant_id, UUID, OYL_COL_IMMUTABLE)                               \
	X(MESSAGE_FEEDBACK, rating, INT, NN)                                                     \
	X(MESSAGE_FEEDBACK, comment, TEXT, 0)                                                    \
	X(MESSAGE_FEEDBACK, created_at, TIME, IM)                                                \
	X(MESSAGE_FEEDBACK, updated_at, TIME, NN)

#define OYL_COLS_AUDIT_EVENTS(X)                                                                 \
	X(AUDIT_EVENTS, id, UUID, IM)                                                            \
	X(AUDIT_EVENTS, tenant_id, UUID, IM)                                                     \
	X(AUDIT_EVENTS, actor_id, UUID, 0)                                                       \
	X(AUDIT_EVENTS, actor_role, TEXT, NN)                                                    \
	X(AUDIT_EVENTS, action, TEXT, NN)                                                        \
	X(AUDIT_EVENTS, object_type, TEXT, NN)                                                   \
	X(AUDIT_EVENTS, object_id, UUID, 0)                                                      \
	X(AUDIT_EVENTS, detail, JSON, NN)                                                        \
	X(AUDIT_EVENTS, created_at, TIME, IM)

/* X(TABLE, sql_name, tenant column or -1, search column: always -1 since
 * schema version 9), in creation order */
#define OYL_TABLE_LIST(X)                                                                        \
	X(TENANTS, tenants, -1, -1)                                                               \
	X(SUPERADMINS, superadmins, -1, -1)                                                       \
	X(USER_EMAILS, user_emails, -1, -1)                                                       \
	X(PLATFORM_AUDIT_EVENTS, platform_audit_events, -1, -1)                                   \
	X(SUPERADMIN_SESSIONS, superadmin_sessions, -1, -1)                                       \
	X(USERS, users, USERS_tenant_id, -1)                                                                   \
	X(AUTH_SESSIONS, auth_sessions, AUTH_SESSIONS_tenant_id, -1)                                                   \
	X(API_KEYS, api_keys, API_KEYS_tenant_id, -1)                                                             \
	X(WORKSPACES, workspaces, WORKSPACES_tenant_id, -1)                                                         \
	X(TEAMMATES, teammates, TEAMMATES_tenant_id, -1)                                                           \
	X(ASSISTANTS, assistants, ASSISTANTS_tenant_id, -1)                                                         \
	X(INSTRUCTIONS, instructions, INSTRUCTIONS_tenant_id, -1)                                                     \
	X(KNOWLEDGE_BASES, knowledge_bases, KNOWLEDGE_BASES_tenant_id, -1)                                               \
	X(DOCUMENTS, documents, DOCUMENTS_tenant_id, -1)                                                           \
	X(DOCUMENT_CHUNKS, document_chunks, DOCUMENT_CHUNKS_tenant_id, -1)                       \
	X(DOCUMENT_BLOBS, document_blobs, DOCUMENT_BLOBS_tenant_id, -1)                         \
	X(SEARCH_POSTINGS, search_postings, SEARCH_POSTINGS_tenant_id, -1)                      \
	X(INGEST_JOBS, ingest_jobs, -1, -1)                                                      \
	X(SOCIAL_LINKS, social_links, SOCIAL_LINKS_tenant_id, -1)                                                     \
	X(CHAT_SESSIONS, chat_sessions, CHAT_SESSIONS_tenant_id, -1)                                                   \
	X(MESSAGES, messages, MESSAGES_tenant_id, -1)                                                             \
	X(MESSAGE_CITATIONS, message_citations, MESSAGE_CITATIONS_tenant_id, -1)                                           \
	X(MESSAGE_FEEDBACK, message_feedback, MESSAGE_FEEDBACK_tenant_id, -1)                   \
	X(AUDIT_EVENTS, audit_events, AUDIT_EVENTS_tenant_id, -1)

#endif
