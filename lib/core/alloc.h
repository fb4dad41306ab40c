/* The library's allocator: every allocation of liboyl goes through here. */
#ifndef OYL_CORE_ALLOC_H
#define OYL_CORE_ALLOC_H

#include <stddef.h>

void *oyl__malloc(size_t size);
void *oyl__calloc(size_t n, size_t size);
void *oyl__realloc(void *ptr, size_t size);
void oyl__free(void *ptr);
/* Copies of strings; NULL in gives NULL out (and so does no memory). */
char *oyl__strdup(const char *s);
char *oyl__strndup(const char *s, size_t n);

#endif
