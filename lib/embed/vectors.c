/* Embedding texts in batches, and the stored form of vectors (vectors.h). */
#include "embed/vectors.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void oyl__vectors_free(oyl__vectors *v)
{
	oyl__free(v->v);
	memset(v, 0, sizeof *v);
}

void oyl__vector_encode(const float *v, uint32_t dim, unsigned char *out)
{
	for (uint32_t i = 0; i < dim; i++) {
		uint32_t bits;
		memcpy(&bits, &v[i], 4);
		out[4 * i] = (unsigned char)bits;
		out[4 * i + 1] = (unsigned char)(bits >> 8);
		out[4 * i + 2] = (unsigned char)(bits >> 16);
		out[4 * i + 3] = (unsigned char)(bits >> 24);
	}
}

void oyl__vector_decode(const unsigned char *in, uint32_t dim, float *out)
{
	for (uint32_t i = 0; i < dim; i++) {
		uint32_t bits = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
				(uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
		memcpy(&out[i], &bits, 4);
	}
}

/* To unit length, so that a cosine is a dot product; a zero vector
 * stays zero (it matches nothing).  Not finite: OYL_EREMOTE. */
static int normalise(float *v, uint32_t dim)
{
	double sum = 0;
	for (uint32_t i = 0; i < dim; i++) {
		if (!isfinite(v[i]))
			return OYL_EREMOTE;
		sum += (double)v[i] * v[i];
	}
	if (sum > 0) {
		double scale = 1.0 / sqrt(sum);
		for (uint32_t i = 0; i < dim; i++)
			v[i] = (float)(v[i] * scale);
	}
	return OYL_OK;
}

static int embed_failed(oyl_db *db, oyl_embedder *e, const char *name, int rc)
{
	if (rc == OYL_ENOMEM)
		return oyl__fail(db, rc, "embedder \"%s\": out of memory", name);
	const char *msg = e->errmsg(e);
	return oyl__fail(db, rc == OYL_ETIMEOUT ? rc : OYL_EREMOTE, "embedder \"%s\": %s", name,
			 msg && *msg ? msg : oyl_strerror(rc));
}

/* The first text alone, into a buffer of the largest dimension: the
 * embedder's dimension is known after it. */
static int learn_dimension(oyl_db *db, oyl_embedder *e, const char *name,
			   const char *const *texts, const size_t *lens, uint32_t *dim)
{
	float *probe = oyl__malloc(OYL__DIMENSION_MAX * sizeof *probe);
	if (!probe)
		return oyl__fail(db, OYL_ENOMEM, "out of memory embedding");
	int rc = e->embed(e, texts, lens, 1, probe, OYL__DIMENSION_MAX);
	oyl__free(probe);
	if (rc)
		return embed_failed(db, e, name, rc);
	*dim = e->dimension(e);
	return OYL_OK;
}

int oyl__embed(oyl_db *db, oyl_embedder *e, const char *name, const char *const *texts,
	       const size_t *lens, size_t n, oyl__embed_tick tick, void *ctx, oyl__vectors *out)
{
	memset(out, 0, sizeof *out);
	const char *model = e->model(e);
	size_t mlen = model ? strlen(model) : 0;
	if (mlen == 0 || mlen > OYL__MODEL_MAX)
		return oyl__fail(db, OYL_EREMOTE, "embedder \"%s\": its model's name is empty or "
				 "longer than %d bytes", name, OYL__MODEL_MAX);
	memcpy(out->model, model, mlen + 1);
	if (n == 0)
		return OYL_OK;
	uint32_t dim = e->dimension(e);
	int rc = dim ? OYL_OK : learn_dimension(db, e, name, texts, lens, &dim);
	if (rc)
		return rc;
	if (dim == 0 || dim > OYL__DIMENSION_MAX)
		return oyl__fail(db, OYL_EREMOTE, "embedder \"%s\": dimension %u is not 1 to %u",
				 name, dim, OYL__DIMENSION_MAX);
	if (n > SIZE_MAX / sizeof(float) / dim || !(out->v = oyl__malloc(n * dim * sizeof(float))))
		return oyl__fail(db, OYL_ENOMEM, "out of memory for %zu vectors of %u floats", n,
				 dim);
	out->dim = dim;
	size_t batch = e->batch_size(e);
	if (batch == 0)
		batch = 1;
	for (size_t from = 0; from < n; from += batch) {
		size_t m = n - from < batch ? n - from : batch;
		rc = e->embed(e, texts + from, lens + from, m, out->v + from * dim, m * dim);
		if (rc)
			return embed_failed(db, e, name, rc);
		if (e->dimension(e) != dim)
			return oyl__fail(db, OYL_EREMOTE,
					 "embedder \"%s\": its dimension changed from %u to %u", name,
					 dim, e->dimension(e));
		for (size_t i = 0; i < m; i++)
			if (normalise(out->v + (from + i) * dim, dim))
				return oyl__fail(db, OYL_EREMOTE,
						 "embedder \"%s\": a vector holds a value that is "
						 "not a finite number", name);
		out->n = from + m;
		if (tick && tick(out->n, ctx))
			return oyl__fail(db, OYL_ECANCELED, "cancelled");
	}
	return OYL_OK;
}
