/*
 * liboyl — the library's allocator, for extenders (storage backends,
 * embedders, LLM providers).
 *
 * UNSTABLE until liboyl 1.0: the headers under oyl/sys/ may change
 * between minor versions.  Hosts need only oyl/oyl.h, which never
 * includes a sys header.
 *
 * Memory that an extender hands to the library, or that the library
 * frees for it, must come from here, so that a host's oyl_set_allocator()
 * sees every allocation.  Free it with oyl_free() (oyl/oyl.h).
 */
#ifndef OYL_SYS_ALLOC_H
#define OYL_SYS_ALLOC_H

#include "../oyl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Allocates through the library's allocator; NULL when it fails. */
OYL_API void *oyl_malloc(size_t size);
/** Resizes through the library's allocator (realloc semantics). */
OYL_API void *oyl_realloc(void *ptr, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* OYL_SYS_ALLOC_H */
