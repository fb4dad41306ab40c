/*
 * A backend that wraps any backend and fails its Nth call, in the manner
 * of SQLite's test_vfs.c.  rollback(), errmsg() and free() are never
 * failed: they are how the core recovers.
 */
#ifndef OYL_TEST_FAULT_BACKEND_H
#define OYL_TEST_FAULT_BACKEND_H

#include "oyl/sys/backend.h"

/* Wraps `inner` (taking ownership). */
oyl_backend *fault_backend_new(oyl_backend *inner);
oyl_backend *fault_backend_inner(oyl_backend *b);
/* Fails call number n from now (1 = the next) with `code`; 0 disarms. */
void fault_backend_arm(oyl_backend *b, long n, int code);
int fault_backend_fired(oyl_backend *b);
/* Calls seen since creation. */
long fault_backend_calls(oyl_backend *b);
/* 1 between a begin() that succeeded and its commit() or rollback(). */
int fault_backend_in_txn(oyl_backend *b);

#endif
