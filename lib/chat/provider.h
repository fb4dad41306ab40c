/*
 * The LLM providers a handle may use, by the names assistants give them
 * (oyl_db_add_provider, doc/prompting.md).  "extractive", the offline
 * answerer, is there without registration.
 */
#ifndef OYL_CHAT_PROVIDER_H
#define OYL_CHAT_PROVIDER_H

#include "core/internal.h"
#include "oyl/sys/provider.h"

/* The provider an assistant falls back to when it names none. */
#define OYL__DEFAULT_PROVIDER "extractive"

/* The provider registered as `name` (NULL: the default), making the
 * built-in one on first use; NULL when unknown or out of memory (with
 * the handle's message set). */
oyl_provider *oyl__provider_find(oyl_db *db, const char *name);

/* 1 when `name` is registered on the handle or is built in. */
int oyl__provider_known(const oyl_db *db, const char *name);

/* OYL_OK when `name` may name a provider: 1 to 64 bytes of ASCII
 * letters, digits, '.', '_' and '-'; else OYL_EINVAL naming `field`. */
int oyl__provider_name_check(oyl_db *db, const char *field, const char *name);

/* Frees every provider the handle holds (oyl_db_close). */
void oyl__providers_free(oyl_db *db);

#endif
