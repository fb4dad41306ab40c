/* The table descriptors handed to backends, generated from schema_tables.h. */
#include "records/schema.h"

#include <string.h>

#define OYL__COL_DESC(T, c, type, flags) {#c, OYL_TYPE_##type, (flags)},
#define OYL__TABLE_DEF(T, sql, owned, search)                                                     \
	static const oyl_column sql##_cols[] = {OYL_COLS_##T(OYL__COL_DESC)};                    \
	const oyl_table oyl__t_##sql = {#sql, sql##_cols, sizeof sql##_cols / sizeof sql##_cols[0], \
					(owned), (search)};
OYL_TABLE_LIST(OYL__TABLE_DEF)

#define OYL__TABLE_PTR(T, sql, owned, search) &oyl__t_##sql,
static const oyl_table *const all_tables[] = {OYL_TABLE_LIST(OYL__TABLE_PTR)};

OYL_API const oyl_table *const *oyl_schema_tables(size_t *count)
{
	if (count)
		*count = sizeof all_tables / sizeof all_tables[0];
	return all_tables;
}

OYL_API const oyl_table *oyl_schema_table(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof all_tables / sizeof all_tables[0]; i++)
		if (strcmp(all_tables[i]->name, name) == 0)
			return all_tables[i];
	return NULL;
}

/* documents without their extracted text (its last column): what reads of
 * a document's metadata ask for. */
const oyl_table oyl__t_documents_meta = {"documents", documents_cols,
					 sizeof documents_cols / sizeof documents_cols[0] - 1,
					 DOCUMENTS_tenant_id, -1};

/* document_chunks' first columns, up to the vector: what a vector search
 * reads of every chunk (schema_tables.h keeps them first). */
const oyl_table oyl__t_chunk_vectors = {"document_chunks", document_chunks_cols,
					DOCUMENT_CHUNKS_embedding + 1, DOCUMENT_CHUNKS_tenant_id, -1};
