/* Clocks and figures of the bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

const char *const op_names[NOPS] = {"create", "get", "list", "update", "delete"};

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool stats_init(stats *st, int64_t cap)
{
	memset(st, 0, sizeof *st);
	st->cap = cap;
	for (int k = 0; k < NOPS; k++)
		if (!(st->lat[k] = malloc((size_t)cap * sizeof *st->lat[k])))
			return false;
	return true;
}

void stats_free(stats *st)
{
	for (int k = 0; k < NOPS; k++)
		free(st->lat[k]);
}

int sent_round_trips(FILE *f)
{
	char line[8192], dir[4], msg[32];
	int len, n = 0;
	fflush(f);
	rewind(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%3s %d %31s", dir, &len, msg) == 3 && strcmp(dir, "F") == 0 &&
		    (strcmp(msg, "Sync") == 0 || strcmp(msg, "Query") == 0))
			n++;
	return n;
}

void stats_trace(stats *st, PGconn *conn)
{
	st->traced = conn;
	st->trace = tmpfile();
	PQtrace(conn, st->trace);
	PQsetTraceFlags(conn, PQTRACE_SUPPRESS_TIMESTAMPS);
}

void stats_untrace(stats *st)
{
	if (!st->traced)
		return;
	PQuntrace(st->traced);
	fclose(st->trace);
	st->traced = NULL;
}

void stats_add(stats *st, int op, int64_t ns)
{
	if (st->traced) {
		/* the trace since the previous operation is this one's */
		PGconn *conn = st->traced;
		st->round_trips[op] = sent_round_trips(st->trace);
		stats_untrace(st);
		stats_trace(st, conn);
		return;
	}
	if (st->n[op] < st->cap)
		st->lat[op][st->n[op]++] = ns;
	st->total_ns[op] += ns;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

double median_us(const int64_t *v, int64_t n)
{
	if (n == 0)
		return 0;
	int64_t *copy = malloc((size_t)n * sizeof *copy);
	memcpy(copy, v, (size_t)n * sizeof *copy);
	qsort(copy, (size_t)n, sizeof *copy, cmp_i64);
	double m = copy[n / 2] / 1000.0;
	free(copy);
	return m;
}

double ops_per_s(const stats *st, int op)
{
	return st->total_ns[op] ? st->n[op] * 1e9 / (double)st->total_ns[op] : 0;
}
