/* The tests' deterministic embedder (test_embedder.h). */
#include "test_embedder.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct t_embedder {
	oyl_embedder base; /* first */
	char model[64];
	uint32_t dim, told_dim;
	size_t batch;
	t_embedder_state st;
	char err[128];
} t_embedder;

static void bucket(const char *w, size_t n, uint32_t dim, float *v)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)tolower((unsigned char)w[i])) * 16777619u;
	v[h % dim] += (h >> 31) ? 1.0f : -1.0f;
}

void t_embed_text(const char *text, size_t len, uint32_t dim, float *v)
{
	memset(v, 0, dim * sizeof *v);
	size_t i = 0;
	while (i < len) {
		while (i < len && !isalnum((unsigned char)text[i]))
			i++;
		size_t start = i;
		while (i < len && isalnum((unsigned char)text[i]))
			i++;
		if (i > start) {
			bucket(text + start, i - start, dim, v);
			if (i - start > 4)
				bucket(text + start, 4, dim, v);
		}
	}
}

static t_embedder *te(oyl_embedder *e)
{
	return (t_embedder *)e;
}

static const char *m_model(oyl_embedder *e)
{
	return te(e)->model;
}

static uint32_t m_dimension(oyl_embedder *e)
{
	return te(e)->told_dim;
}

static int m_embed(oyl_embedder *e, const char *const *texts, const size_t *lens, size_t n,
		   float *out, size_t out_len)
{
	t_embedder *t = te(e);
	t->st.calls++;
	if (t->st.hook)
		t->st.hook(t->st.hook_ctx);
	if (t->st.fail_on && t->st.calls == t->st.fail_on) {
		snprintf(t->err, sizeof t->err, "test embedder: call %ld fails", t->st.calls);
		return t->st.fail_code;
	}
	if (out_len < n * t->dim) {
		snprintf(t->err, sizeof t->err, "test embedder: out too small");
		return OYL_EINVAL;
	}
	if (n > t->st.max_batch)
		t->st.max_batch = n;
	for (size_t i = 0; i < n; i++)
		t_embed_text(texts[i], lens[i], t->dim, out + i * t->dim);
	t->st.texts += (long)n;
	t->told_dim = t->dim;
	t->err[0] = '\0';
	return OYL_OK;
}

static size_t m_batch_size(oyl_embedder *e)
{
	return te(e)->batch;
}

static const char *m_errmsg(oyl_embedder *e)
{
	return te(e)->err;
}

static void m_free(oyl_embedder *e)
{
	free(e);
}

oyl_embedder *t_embedder_new(const char *model, uint32_t dim, size_t batch)
{
	t_embedder *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	oyl_embedder init = OYL_EMBEDDER_INIT;
	t->base = init;
	t->base.name = "test";
	t->base.caps = OYL_EMBEDDER_CAP_BATCH;
	t->base.model = m_model;
	t->base.dimension = m_dimension;
	t->base.embed = m_embed;
	t->base.batch_size = m_batch_size;
	t->base.errmsg = m_errmsg;
	t->base.free = m_free;
	snprintf(t->model, sizeof t->model, "%s", model);
	t->dim = dim ? dim : 48;
	t->told_dim = dim; /* 0: learned from the first call */
	t->batch = batch ? batch : 1;
	return &t->base;
}

t_embedder_state *t_embedder_state_of(oyl_embedder *e)
{
	return &te(e)->st;
}
