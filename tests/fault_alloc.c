/* Fault-injecting allocator (see fault_alloc.h). */
#include "fault_alloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "oyl/oyl.h"

static long countdown; /* allocations until the failure; 0 = disarmed */
static int persistent, fired, failing;
static long live;

static int should_fail(void)
{
	if (failing)
		return 1;
	if (countdown > 0 && --countdown == 0) {
		fired = 1;
		failing = persistent;
		return 1;
	}
	return 0;
}

static void *fa_malloc(size_t size, void *ctx)
{
	(void)ctx;
	if (should_fail())
		return NULL;
	void *p = malloc(size);
	if (p)
		live++;
	return p;
}

static void *fa_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	if (should_fail())
		return NULL;
	void *p = realloc(ptr, size);
	if (p && !ptr)
		live++;
	return p;
}

static void fa_free(void *ptr, void *ctx)
{
	(void)ctx;
	if (ptr)
		live--;
	free(ptr);
}

static void *cj_malloc(size_t size)
{
	return fa_malloc(size, NULL);
}

static void cj_free(void *ptr)
{
	fa_free(ptr, NULL);
}

void fault_alloc_install(void)
{
	static const oyl_allocator a = {OYL_ALLOCATOR_VERSION, fa_malloc, fa_realloc, fa_free, NULL};
	oyl_set_allocator(&a);
	/* A test program owns its process: it may route cJSON here too. */
	cJSON_Hooks hooks = {cj_malloc, cj_free};
	cJSON_InitHooks(&hooks);
}

void fault_alloc_arm(long n, int persist)
{
	countdown = n;
	persistent = persist;
	fired = 0;
	failing = 0;
}

int fault_alloc_fired(void)
{
	return fired;
}

long fault_alloc_live(void)
{
	return live;
}
