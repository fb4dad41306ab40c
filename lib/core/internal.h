/*
 * Core internals shared by the files of lib/core: the database and actor
 * handles, error reporting, transactions, ids and the clock.
 */
#ifndef OYL_CORE_INTERNAL_H
#define OYL_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "core/alloc.h"
#include "oyl/sys/backend.h"
#include "oyl/oyl.h"

#define OYL_ERRMSG_MAX 512
#define OYL_UUID_LEN 36

/* A live handle's magic; a closed one's is cleared, so use-after-close is
 * caught as MISUSE while the memory has not been reused. */
#define OYL_DB_MAGIC 0x6f796c64u    /* "oyld" */
#define OYL_ACTOR_MAGIC 0x6f796c61u /* "oyla" */

struct oyl_db {
	uint32_t magic;
	oyl_backend *backend;
	int in_txn;
	int errcode;
	char errmsg[OYL_ERRMSG_MAX];
};

struct oyl_actor {
	uint32_t magic;
	oyl_db *db;
	int role;
	char id[OYL_UUID_LEN + 1];        /* empty for the bootstrap superadmin */
	char tenant_id[OYL_UUID_LEN + 1]; /* empty for superadmins */
	char session_id[OYL_UUID_LEN + 1]; /* the login session it came from, or empty */
};

/* Valid live handles, or NULL. */
oyl_db *oyl__db_check(const oyl_db *db);
oyl_db *oyl__actor_db(const oyl_actor *actor);

/* Records an error on the handle and returns `code`. */
int oyl__fail(oyl_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records a backend failure, prefixed with what the core was doing. */
int oyl__fail_backend(oyl_db *db, int code, const char *doing);
/* Clears the handle's error state; returns OYL_OK. */
int oyl__ok(oyl_db *db);

/* Transactions: begin; end commits on OYL_OK and rolls back otherwise,
 * returning the final status (a failed commit turns OK into its error). */
int oyl__txn_begin(oyl_db *db, const char *tenant_id, unsigned flags);
int oyl__txn_end(oyl_db *db, int status);

/* A new random (v4) UUID, lowercase, NUL-terminated. */
void oyl__uuid_new(char out[OYL_UUID_LEN + 1]);
/* 1 when s is a UUID in the 8-4-4-4-12 hex form (any case); then out
 * (if not NULL) gets it in lowercase, the form ids are stored in. */
int oyl__uuid_norm(const char *s, char out[OYL_UUID_LEN + 1]);

/* The current time in microseconds since the epoch (overridable in tests). */
int64_t oyl__now(void);
typedef int64_t (*oyl__clock_fn)(void);
void oyl__set_clock(oyl__clock_fn fn);

#endif
