/* The allocator hook (oyl_set_allocator) and the helpers built on it. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oyl/oyl.h"

static void *default_malloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void *default_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	return realloc(ptr, size);
}

static void default_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static oyl_allocator current = {OYL_ALLOCATOR_VERSION, default_malloc, default_realloc, default_free,
				NULL};

OYL_API int oyl_set_allocator(const oyl_allocator *allocator)
{
	if (!allocator) {
		current = (oyl_allocator){OYL_ALLOCATOR_VERSION, default_malloc, default_realloc,
					  default_free, NULL};
		return OYL_OK;
	}
	if (allocator->version != OYL_ALLOCATOR_VERSION || !allocator->malloc_fn ||
	    !allocator->realloc_fn || !allocator->free_fn)
		return OYL_EINVAL;
	current = *allocator;
	return OYL_OK;
}

void *oyl__malloc(size_t size)
{
	/* malloc(0) may return NULL; ask for one byte so NULL always means failure. */
	return current.malloc_fn(size ? size : 1, current.ctx);
}

void *oyl__calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = oyl__malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *oyl__realloc(void *ptr, size_t size)
{
	return current.realloc_fn(ptr, size ? size : 1, current.ctx);
}

void oyl__free(void *ptr)
{
	if (ptr)
		current.free_fn(ptr, current.ctx);
}

char *oyl__strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *copy = oyl__malloc(n + 1);
	if (copy) {
		memcpy(copy, s, n);
		copy[n] = '\0';
	}
	return copy;
}

char *oyl__strdup(const char *s)
{
	return s ? oyl__strndup(s, strlen(s)) : NULL;
}

OYL_API void *oyl_malloc(size_t size)
{
	return oyl__malloc(size);
}

OYL_API void *oyl_realloc(void *ptr, size_t size)
{
	return oyl__realloc(ptr, size);
}

OYL_API void oyl_free(void *ptr)
{
	oyl__free(ptr);
}
