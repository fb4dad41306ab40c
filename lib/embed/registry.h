/*
 * The embedders a handle may use, by the names knowledge bases give them
 * (oyl_db_add_embedder, doc/embedders.md).
 */
#ifndef OYL_EMBED_REGISTRY_H
#define OYL_EMBED_REGISTRY_H

#include "core/internal.h"
#include "oyl/sys/embedder.h"

/* The embedder registered as `name`, or NULL. */
oyl_embedder *oyl__embedder_find(oyl_db *db, const char *name);

/* OYL_OK when `name` may name an embedder: 1 to 64 bytes of ASCII
 * letters, digits, '.', '_' and '-'; else OYL_EINVAL with a message
 * naming `field`. */
int oyl__embedder_name_check(oyl_db *db, const char *field, const char *name);

/* Frees every embedder the handle holds (oyl_db_close). */
void oyl__embedders_free(oyl_db *db);

#endif
