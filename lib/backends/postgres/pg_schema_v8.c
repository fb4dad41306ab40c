/*
 * Schema version 8: a knowledge base's search settings (doc/retrieval.md):
 * the language its text is tokenized in (a Snowball stemmer's name, or
 * "none"; the library checks the name) and its BM25 parameters.
 */
#include "pg_internal.h"

const char oyl__pg_schema_v8[] =
	"ALTER TABLE knowledge_bases"
	"  ADD COLUMN search_language text NOT NULL DEFAULT 'english'"
	"    CONSTRAINT knowledge_bases_search_language_check"
	"    CHECK (length(search_language) BETWEEN 1 AND 64),"
	"  ADD COLUMN bm25_k1 float8 NOT NULL DEFAULT 1.2"
	"    CONSTRAINT knowledge_bases_bm25_k1_check CHECK (bm25_k1 >= 0 AND bm25_k1 <= 3),"
	"  ADD COLUMN bm25_b float8 NOT NULL DEFAULT 0.75"
	"    CONSTRAINT knowledge_bases_bm25_b_check CHECK (bm25_b >= 0 AND bm25_b <= 1);\n";
