/*
 * oyl-ingest-bench: ingestion throughput on real text against the bound
 * of writing the same rows by hand (doc/performance.md).  Shared pieces:
 * the corpus, the library's run on a backend, the bounds, the extractors.
 */
#ifndef OYL_INGEST_BENCH_H
#define OYL_INGEST_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "oyl/oyl.h"

/* The files of a directory tree, in path order. */
typedef struct corpus_file {
	char *path;
	int64_t size;
} corpus_file;

typedef struct corpus {
	corpus_file *files;
	size_t n, cap;
	int64_t bytes;
} corpus;

bool corpus_load(corpus *c, const char *dir);
void corpus_free(corpus *c);
/* The whole of a file in new memory (free()); NULL on failure. */
unsigned char *read_whole(const char *path, size_t *n);

/* Clocks: wall time, and CPU time of this process or of another one
 * (a server's backend on this machine; < 0 when it cannot be read). */
int64_t now_ns(void);
double self_cpu_s(void);
double proc_cpu_s(int pid);

/* What one timed stretch took: wall seconds, this process's CPU, and the
 * CPU of the server process that did the writing (PostgreSQL; else < 0). */
typedef struct timing {
	double wall_s, client_cpu_s, server_cpu_s;
} timing;

typedef struct clock_mark {
	int64_t wall;
	double self, server;
	int server_pid;
} clock_mark;

void clock_start(clock_mark *m, int server_pid);
timing clock_stop(const clock_mark *m);

/* What the library's ingestion of the corpus did. */
typedef struct ingest_result {
	timing t;
	int64_t stored, existing, failed, chunks;
} ingest_result;

/*
 * On an open database: one tenant, its workspace, teammate, assistant
 * and knowledge base, made by the bootstrap superadmin, which then
 * ingests every file of the corpus: in one oyl_doc_ingest_many, or with
 * one_by_one an oyl_doc_ingest per file.  server_pid: the backend of the
 * handle's connection (0: none).
 */
bool ingest_corpus(oyl_db *db, const corpus *c, int server_pid, bool one_by_one,
		   ingest_result *out);
/* --one-by-one: how the runs call ingest_corpus (set once by main). */
extern bool ingest_one_by_one;

/* Round trips of one oyl_doc_ingest each of the smallest and the largest
 * file, counted on the wire, in a knowledge base of their own. */
bool pg_round_trips(oyl_db *db, PGconn *conn, const corpus *c, int *small, int *large);

/* ---- PostgreSQL (ingest_pg.c) ---------------------------------------------- */

typedef struct pg_bound {
	timing text, binary;      /* COPY in text and in binary format */
	int64_t bytes_text, bytes_binary; /* what was sent */
	int64_t rows[4];          /* documents, document_blobs, document_chunks, search_postings */
} pg_bound;

typedef struct pg_run {
	ingest_result lib;
	pg_bound bound;
	int rt_small, rt_large;
} pg_run;

/* A run: a fresh schema (the owner's), the corpus ingested as the app
 * role, then the same rows written by COPY into another fresh schema.
 * `binary_first` says which format goes first. */
bool pg_run_once(const char *app, const char *owner, const corpus *c, int run, bool binary_first,
		 pg_run *out);

/* ---- SQLite (ingest_sqlite.c) ----------------------------------------------- */

typedef struct sq_run {
	ingest_result lib;
	timing bound;
	int64_t rows[4];
} sq_run;

/* A run: a fresh file, the corpus ingested, then the same rows inserted
 * into another fresh file, a transaction per document. */
bool sq_run_once(const char *path, const corpus *c, sq_run *out);

/* ---- extraction (ingest_extract.c) ------------------------------------------ */

/* The library's work without storage: SHA-256 of each file, its type
 * told, its text extracted (and normalised), the text chunked. */
typedef struct work_result {
	double read_s, sha_s, extract_s, chunk_s;
	int64_t text_bytes, chunks;
} work_result;

bool work_only(const corpus *c, work_result *out);

/* Extraction MB/s of each format directory under `dir` (printed). */
bool extract_formats(const char *dir, const corpus *plain);

#endif
