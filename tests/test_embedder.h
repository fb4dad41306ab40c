/*
 * The tests' own embedder: deterministic, no network.  A text's vector is
 * its words hashed into `dim` signed buckets (each word and its first four
 * letters), so that texts sharing words have a high cosine.  It counts its
 * calls, can fail on a given call, and calls a hook before each batch.
 */
#ifndef OYL_TEST_EMBEDDER_H
#define OYL_TEST_EMBEDDER_H

#include "oyl/sys/embedder.h"

typedef struct t_embedder_state {
	long calls;      /* embed() calls */
	long texts;      /* texts embedded */
	size_t max_batch;
	long fail_on;    /* the call number that fails with fail_code (0: none) */
	int fail_code;
	void (*hook)(void *ctx); /* before each call, when set */
	void *hook_ctx;
} t_embedder_state;

/* A new embedder of `model` and dimension `dim` (0: told only after the
 * first call, as an HTTP embedder learns it), `batch` texts a call. */
oyl_embedder *t_embedder_new(const char *model, uint32_t dim, size_t batch);
/* Its counters and knobs (owned by the embedder). */
t_embedder_state *t_embedder_state_of(oyl_embedder *e);
/* The unnormalised vector of a text, as embed() makes it, into v[dim]. */
void t_embed_text(const char *text, size_t len, uint32_t dim, float *v);

#endif
