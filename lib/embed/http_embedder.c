/*
 * The OpenAI-compatible HTTP embedder: POST {"model":M,"input":[texts]}
 * to <base_url>/v1/embeddings, read {"data":[{"index":i,"embedding":[...]}]}.
 * Every answer is checked whole before a float of it is written out.
 */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "net/endpoint.h"
#include "oyl/sys/embedder.h"
#include "util/utf8.h"

#define ERRMSG_MAX OYL__ENDPOINT_ERRMSG_MAX
#define DEFAULT_BATCH 64
#define DEFAULT_TIMEOUT_MS 60000
#define MAX_BATCH 4096
#define MAX_DIMENSION 65536
#define MAX_MODEL 256

typedef struct http_embedder {
	oyl_embedder base; /* first: the core sees only this */
	oyl__endpoint ep; /* url, key, request template, last message */
	char *model;
	uint32_t dimension;
	size_t batch;
} http_embedder;

/* ---- the request body ----------------------------------------------- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = oyl__realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* s[0..n) as a JSON string; the text is valid UTF-8, so only ", \ and
 * control characters need escapes. */
static void put_json_string(sbuf *b, const char *s, size_t n)
{
	put(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, s + run, i - run);
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else
			snprintf(esc, sizeof esc, "\\u%04x", c);
		put(b, esc, strlen(esc));
		run = i + 1;
	}
	put(b, s + run, n - run);
	put(b, "\"", 1);
}

static int make_body(http_embedder *h, const char *const *texts, const size_t *lens, size_t n,
		     sbuf *b)
{
	put(b, "{\"model\":", 9);
	put_json_string(b, h->model, strlen(h->model));
	put(b, ",\"input\":[", 10);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(b, ",", 1);
		put_json_string(b, texts[i], lens[i]);
	}
	put(b, "]}", 2);
	return b->oom ? oyl__endpoint_fail(&h->ep, OYL_ENOMEM, "out of memory making the request")
		      : OYL_OK;
}

/* ---- the answer ----------------------------------------------------- */

/* The "embedding" array of one item, in *vec, checked: finite floats only. */
static int item_vector(http_embedder *h, const cJSON *item, size_t pos, const cJSON **vec)
{
	*vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
	if (!cJSON_IsArray(*vec))
		return oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
			    "item %zu of the embedder's answer has no \"embedding\" array", pos);
	size_t k = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, *vec)
	{
		if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) ||
		    fabs(x->valuedouble) > FLT_MAX)
			return oyl__endpoint_fail(
				&h->ep, OYL_EREMOTE,
				"embedding %zu of the embedder's answer has a value that is not a "
				"finite float at %zu",
				pos, k);
		k++;
	}
	return OYL_OK;
}

/*
 * Checks the answer for n texts and writes its vectors, by index, to
 * out[0 .. n * dim).  The dimension is learned only from a whole, valid
 * answer.
 */
static int read_answer(http_embedder *h, const char *body, size_t len, size_t n, float *out,
		       size_t out_len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root) {
		char near[48];
		size_t at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
		oyl__http_error_text(body + at, len - at < 40 ? len - at : 40, near, sizeof near);
		return oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
					  "malformed JSON from the embedder at byte %zu: \"%s\"",
					  at, near);
	}
	int rc = OYL_OK;
	int *seen = NULL;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsArray(data)) {
		rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
					"the embedder's answer has no \"data\" array");
		goto done;
	}
	size_t count = (size_t)cJSON_GetArraySize(data);
	if (count != n) {
		rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
					"embedder answered %zu vectors for %zu texts", count, n);
		goto done;
	}
	seen = oyl__calloc(n ? n : 1, sizeof *seen);
	if (!seen) {
		rc = oyl__endpoint_fail(&h->ep, OYL_ENOMEM,
					"out of memory reading the embedder's answer");
		goto done;
	}
	/* first pass: check everything, learn the dimension */
	uint32_t dim = h->dimension;
	size_t pos = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, data)
	{
		const cJSON *vec;
		if ((rc = item_vector(h, item, pos, &vec)))
			goto done;
		const cJSON *index = cJSON_GetObjectItemCaseSensitive(item, "index");
		double ix = index ? (cJSON_IsNumber(index) ? index->valuedouble : -1) : (double)pos;
		if (!(ix >= 0 && ix < (double)n && ix == floor(ix)) || seen[(size_t)ix]) {
			rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
				  "item %zu of the embedder's answer has a missing, repeated or "
				  "out-of-range index (%zu texts)",
				  pos, n);
			goto done;
		}
		seen[(size_t)ix] = 1;
		size_t d = (size_t)cJSON_GetArraySize(vec);
		if (d == 0 || d > MAX_DIMENSION) {
			rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
						"embedding of dimension %zu from the embedder", d);
			goto done;
		}
		if (dim && d != dim) {
			rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
						"embedding of dimension %zu, expected %u", d, dim);
			goto done;
		}
		dim = (uint32_t)d;
		pos++;
	}
	h->dimension = dim;
	if (n && out_len / dim < n) {
		rc = oyl__endpoint_fail(&h->ep, OYL_EINVAL,
			  "out holds %zu floats; %zu vectors of dimension %u need %zu", out_len, n,
			  dim, n * dim);
		goto done;
	}
	/* second pass: write */
	pos = 0;
	cJSON_ArrayForEach(item, data)
	{
		const cJSON *index = cJSON_GetObjectItemCaseSensitive(item, "index");
		size_t ix = index ? (size_t)index->valuedouble : pos;
		float *v = out + ix * dim;
		const cJSON *x;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(item, "embedding"))
			*v++ = (float)x->valuedouble;
		pos++;
	}
done:
	oyl__free(seen);
	cJSON_Delete(root);
	return rc;
}

/* ---- methods -------------------------------------------------------- */

static int embed_some(http_embedder *h, const char *const *texts, const size_t *lens, size_t n,
		      float *out, size_t out_len)
{
	sbuf body = {0};
	int rc = make_body(h, texts, lens, n, &body);
	if (rc) {
		oyl__free(body.s);
		return rc;
	}
	oyl__http_request req = h->ep.req;
	req.body = body.s;
	req.body_len = body.len;
	oyl__http_answer answer;
	char msg[ERRMSG_MAX - 16];
	rc = oyl__http_post(h->ep.http, &req, &answer, msg, sizeof msg);
	oyl__free(body.s);
	if (rc == OYL_OK)
		rc = read_answer(h, answer.body, answer.len, n, out, out_len);
	else
		oyl__endpoint_fail(&h->ep, rc, "embedder: %s", msg);
	oyl__http_answer_clear(&answer);
	return rc;
}

static int embed(oyl_embedder *e, const char *const *texts, const size_t *lens, size_t n,
		 float *out, size_t out_len)
{
	http_embedder *h = (http_embedder *)e;
	h->ep.errmsg[0] = '\0';
	if (n && (!texts || !lens || !out))
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "embed: NULL texts, lens or out");
	/* refused before anything is sent */
	for (size_t i = 0; i < n; i++)
		if (!texts[i] || !oyl__utf8_valid(texts[i], lens[i]))
			return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "text %zu is %s", i,
				    texts[i] ? "not valid UTF-8" : "NULL");
	/* the core sends at most batch_size texts; split anyway if not */
	for (size_t done = 0; done < n;) {
		/* the dimension is known after the first answer, if not before */
		uint32_t dim = h->dimension;
		if (dim && out_len / dim < n)
			return oyl__endpoint_fail(&h->ep, OYL_EINVAL,
				    "out holds %zu floats; %zu vectors of dimension %u need %zu",
				    out_len, n, dim, n * dim);
		size_t k = n - done < h->batch ? n - done : h->batch;
		size_t at = done * dim;
		int rc = embed_some(h, texts + done, lens + done, k, out + at, out_len - at);
		if (rc)
			return rc;
		done += k;
	}
	return OYL_OK;
}

static const char *model(oyl_embedder *e)
{
	return ((http_embedder *)e)->model;
}

static uint32_t dimension(oyl_embedder *e)
{
	return ((http_embedder *)e)->dimension;
}

static size_t batch_size(oyl_embedder *e)
{
	return ((http_embedder *)e)->batch;
}

static const char *errmsg(oyl_embedder *e)
{
	return ((http_embedder *)e)->ep.errmsg;
}

static void free_embedder(oyl_embedder *e)
{
	http_embedder *h = (http_embedder *)e;
	oyl__endpoint_close(&h->ep);
	oyl__free(h->model);
	oyl__free(h);
}

/* ---- construction --------------------------------------------------- */

/* What the endpoint takes of the options. */
static oyl__endpoint_options endpoint_of(const oyl_http_embedder_options *o)
{
	oyl__endpoint_options e = {o->base_url, o->api_key, o->connect_timeout_ms, o->timeout_ms,
				   o->max_retries, o->backoff_ms, DEFAULT_TIMEOUT_MS};
	return e;
}

static int check_options(const oyl_http_embedder_options *o, char *errbuf, size_t errbuf_size)
{
	oyl__endpoint_options eo = endpoint_of(o);
	int rc = oyl__endpoint_check(&eo, errbuf, errbuf_size);
	if (rc)
		return rc;
	const char *bad = NULL;
	if (!o->model || !o->model[0] || strlen(o->model) > MAX_MODEL ||
	    !oyl__utf8_valid(o->model, strlen(o->model)))
		bad = "model: must be 1 to 256 bytes of UTF-8";
	else if (o->dimension > MAX_DIMENSION)
		bad = "dimension: must be 0 (learn it) to 65536";
	else if (o->batch_size > MAX_BATCH)
		bad = "batch_size: must be 0 (default 64) to 4096";
	if (!bad)
		return OYL_OK;
	snprintf(errbuf, errbuf_size, "%s", bad);
	return OYL_EINVAL;
}

static http_embedder *make(const oyl_http_embedder_options *o)
{
	http_embedder *h = oyl__calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->base = (oyl_embedder)OYL_EMBEDDER_INIT;
	h->base.name = "openai";
	h->base.caps = OYL_EMBEDDER_CAP_BATCH;
	h->base.model = model;
	h->base.dimension = dimension;
	h->base.embed = embed;
	h->base.batch_size = batch_size;
	h->base.errmsg = errmsg;
	h->base.free = free_embedder;
	oyl__endpoint_options eo = endpoint_of(o);
	h->model = oyl__strdup(o->model);
	if (oyl__endpoint_open(&h->ep, &eo, "embeddings") != OYL_OK || !h->model) {
		free_embedder(&h->base);
		return NULL;
	}
	h->dimension = o->dimension;
	h->batch = o->batch_size ? o->batch_size : DEFAULT_BATCH;
	return h;
}

OYL_API int oyl_http_embedder_new(const oyl_http_embedder_options *opts, oyl_embedder **out,
				  char *errbuf, size_t errbuf_size)
{
	char scratch[ERRMSG_MAX];
	if (!errbuf || !errbuf_size) {
		errbuf = scratch;
		errbuf_size = sizeof scratch;
	}
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	int rc = oyl__endpoint_args("oyl_http_embedder_new", "oyl_http_embedder_options",
				    "OYL_HTTP_EMBEDDER_OPTIONS_INIT", opts, &o, sizeof o, out,
				    errbuf, errbuf_size);
	if (rc == OYL_OK)
		rc = check_options(&o, errbuf, errbuf_size);
	if (rc)
		return rc;
	http_embedder *h = make(&o);
	if (!h) {
		snprintf(errbuf, errbuf_size,
			 "out of memory (or libcurl could not start) making the HTTP embedder");
		return OYL_ENOMEM;
	}
	*out = &h->base;
	return OYL_OK;
}
