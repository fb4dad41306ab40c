/*
 * A fault-injecting allocator for tests, in the manner of SQLite's
 * test_malloc.c: counts the library's allocations, fails the Nth (once,
 * or every one from the Nth on), and tracks live blocks so a test can
 * assert that nothing leaked.
 */
#ifndef OYL_TEST_FAULT_ALLOC_H
#define OYL_TEST_FAULT_ALLOC_H

#include <stddef.h>

/* Installs the allocator into liboyl (and cJSON, which tests may hook). */
void fault_alloc_install(void);
/* Fails allocation number `n` from now (1 = the next); persistent: also
 * every one after it.  n = 0 disarms. */
void fault_alloc_arm(long n, int persistent);
/* 1 when an armed failure has happened since the last arm. */
int fault_alloc_fired(void);
/* Blocks allocated and not yet freed. */
long fault_alloc_live(void);

#endif
