/* The library's clock, replaceable by tests (expiry, ordering). */
#include <time.h>

#include "core/internal.h"

static int64_t real_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static oyl__clock_fn clock_fn = real_clock;

int64_t oyl__now(void)
{
	return clock_fn();
}

void oyl__set_clock(oyl__clock_fn fn)
{
	clock_fn = fn ? fn : real_clock;
}
