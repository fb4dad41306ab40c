/* The floor of a chat send's storage on SQLite (chat_floor.c). */
#ifndef OYL_BENCH_CHAT_FLOOR_H
#define OYL_BENCH_CHAT_FLOOR_H

#include <stddef.h>

/* The median time, in microseconds, of writing one send's rows into the
 * SQLite file at `path` by prepared statements, once per session of
 * sessions[0..n) (sessions of tenant `tenant`, made by the library). */
double chat_floor_sqlite_us(const char *path, const char *tenant, char (*sessions)[37],
			    size_t n);

#endif
