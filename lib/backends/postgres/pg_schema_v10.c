/*
 * Schema version 10: embeddings (doc/retrieval.md, vectors).
 *
 *   knowledge_bases  + embedder: the name of the embedder its documents'
 *                      chunks are embedded by (registered on the handle
 *                      that processes them), NULL for none;
 *                    + embedding_model, embedding_dimension: what its
 *                      current vectors were made by, changed by the
 *                      transaction that stores the first vectors of
 *                      another model or dimension (the others are stale
 *                      from then on)
 *   documents        + embedding_model, embedding_dimension: what its
 *                      chunks' vectors were made by, NULL for none
 *
 * document_chunks.embedding (since version 1) holds the vectors: float32,
 * little-endian, L2-normalised.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v10[] =
	"ALTER TABLE knowledge_bases"
	"  ADD COLUMN embedder text"
	"    CONSTRAINT knowledge_bases_embedder_check CHECK (octet_length(embedder) BETWEEN 1 AND 64),"
	"  ADD COLUMN embedding_model text"
	"    CONSTRAINT knowledge_bases_embedding_model_check"
	"    CHECK (octet_length(embedding_model) BETWEEN 1 AND 200),"
	"  ADD COLUMN embedding_dimension bigint"
	"    CONSTRAINT knowledge_bases_embedding_dimension_check"
	"    CHECK (embedding_dimension BETWEEN 1 AND 65536);\n"
	"ALTER TABLE documents"
	"  ADD COLUMN embedding_model text"
	"    CONSTRAINT documents_embedding_model_check"
	"    CHECK (octet_length(embedding_model) BETWEEN 1 AND 200),"
	"  ADD COLUMN embedding_dimension bigint"
	"    CONSTRAINT documents_embedding_dimension_check"
	"    CHECK (embedding_dimension BETWEEN 1 AND 65536);\n";
