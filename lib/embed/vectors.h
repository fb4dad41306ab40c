/*
 * Vectors as liboyl keeps them (doc/retrieval.md, vectors): float32,
 * L2-normalised, stored little-endian in document_chunks.embedding; and
 * the embedding of many texts, batch by batch, through an embedder.
 */
#ifndef OYL_EMBED_VECTORS_H
#define OYL_EMBED_VECTORS_H

#include "core/internal.h"
#include "oyl/sys/embedder.h"

#define OYL__DIMENSION_MAX 65536u /* floats in a vector */
#define OYL__MODEL_MAX 200        /* bytes of a model's name */

/* Vectors made by one model: n of them, `dim` floats each, normalised. */
typedef struct oyl__vectors {
	float *v;
	size_t n;
	uint32_t dim;
	char model[OYL__MODEL_MAX + 1];
} oyl__vectors;

/* Called after each batch with the texts embedded so far; non-zero
 * cancels (OYL_ECANCELED). */
typedef int (*oyl__embed_tick)(size_t done, void *ctx);

/*
 * Embeds texts[0..n) through `e` (registered as `name`, for messages),
 * in batches of its batch size, into *out (zeroed here; free with
 * oyl__vectors_free whatever the result).  Call with no transaction open:
 * this is the long call.  Failures have their message on the handle:
 * the embedder's status (OYL_EREMOTE, OYL_ETIMEOUT, ...) with its
 * message, OYL_EREMOTE for vectors that are not finite or change
 * dimension, OYL_ECANCELED, OYL_ENOMEM.
 */
int oyl__embed(oyl_db *db, oyl_embedder *e, const char *name, const char *const *texts,
	       const size_t *lens, size_t n, oyl__embed_tick tick, void *ctx, oyl__vectors *out);
void oyl__vectors_free(oyl__vectors *v);

/* Vector i as stored: dim * 4 bytes, little-endian, into out. */
void oyl__vector_encode(const float *v, uint32_t dim, unsigned char *out);
/* The stored bytes back into dim floats. */
void oyl__vector_decode(const unsigned char *in, uint32_t dim, float *out);

#endif
