/*
 * The OpenAI-compatible HTTP embedder: POST {"model":M,"input":[texts]}
 * to <base_url>/v1/embeddings, read {"data":[{"index":i,"embedding":[...]}]}.
 * Every answer is checked whole before a float of it is written out.
 */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "identity/secret.h"
#include "net/http.h"
#include "oyl/sys/embedder.h"
#include "util/utf8.h"

#define ERRMSG_MAX 512
#define DEFAULT_BATCH 64
#define MAX_BATCH 4096
#define MAX_DIMENSION 65536
#define MAX_URL 2048
#define MAX_MODEL 256
#define MAX_KEY 4096
#define MAX_TIMEOUT_MS (24 * 3600 * 1000)
#define MAX_RETRIES 20

typedef struct http_embedder {
	oyl_embedder base; /* first: the core sees only this */
	oyl__http *http;
	char *url;
	char *model;
	char *auth; /* "Authorization: Bearer <key>", or NULL; wiped when freed */
	const char *key; /* points into auth: scrubbed from messages */
	uint32_t dimension;
	size_t batch;
	oyl__http_request req; /* url, headers, timeouts, retries: the same every call */
	char errmsg[ERRMSG_MAX];
} http_embedder;

/* ---- messages ------------------------------------------------------- */

/* Replaces every occurrence of the key in the message (a server may echo it). */
static void scrub_key(http_embedder *h)
{
	size_t klen = h->key ? strlen(h->key) : 0;
	if (!klen)
		return;
	static const char mask[] = "[api key]";
	for (char *p = strstr(h->errmsg, h->key); p; p = strstr(p, h->key)) {
		if (klen >= sizeof mask - 1) {
			memmove(p + sizeof mask - 1, p + klen, strlen(p + klen) + 1);
			memcpy(p, mask, sizeof mask - 1);
			p += sizeof mask - 1;
		} else {
			memset(p, '*', klen);
			p += klen;
		}
	}
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(http_embedder *h, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->errmsg, sizeof h->errmsg, fmt, ap);
	va_end(ap);
	scrub_key(h);
	return rc;
}

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
	return b->oom ? fail(h, OYL_ENOMEM, "out of memory making the request") : OYL_OK;
}

/* ---- the answer ----------------------------------------------------- */

/* The "embedding" array of one item, in *vec, checked: finite floats only. */
static int item_vector(http_embedder *h, const cJSON *item, size_t pos, const cJSON **vec)
{
	*vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
	if (!cJSON_IsArray(*vec))
		return fail(h, OYL_EREMOTE,
			    "item %zu of the embedder's answer has no \"embedding\" array", pos);
	size_t k = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, *vec)
	{
		if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) ||
		    fabs(x->valuedouble) > FLT_MAX)
			return fail(
				h, OYL_EREMOTE,
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
		return fail(h, OYL_EREMOTE, "malformed JSON from the embedder at byte %zu: \"%s\"",
			    at, near);
	}
	int rc = OYL_OK;
	int *seen = NULL;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsArray(data)) {
		rc = fail(h, OYL_EREMOTE, "the embedder's answer has no \"data\" array");
		goto done;
	}
	size_t count = (size_t)cJSON_GetArraySize(data);
	if (count != n) {
		rc = fail(h, OYL_EREMOTE, "embedder answered %zu vectors for %zu texts", count, n);
		goto done;
	}
	seen = oyl__calloc(n ? n : 1, sizeof *seen);
	if (!seen) {
		rc = fail(h, OYL_ENOMEM, "out of memory reading the embedder's answer");
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
			rc = fail(h, OYL_EREMOTE,
				  "item %zu of the embedder's answer has a missing, repeated or "
				  "out-of-range index (%zu texts)",
				  pos, n);
			goto done;
		}
		seen[(size_t)ix] = 1;
		size_t d = (size_t)cJSON_GetArraySize(vec);
		if (d == 0 || d > MAX_DIMENSION) {
			rc = fail(h, OYL_EREMOTE, "embedding of dimension %zu from the embedder",
				  d);
			goto done;
		}
		if (dim && d != dim) {
			rc = fail(h, OYL_EREMOTE, "embedding of dimension %zu, expected %u", d,
				  dim);
			goto done;
		}
		dim = (uint32_t)d;
		pos++;
	}
	h->dimension = dim;
	if (n && out_len / dim < n) {
		rc = fail(h, OYL_EINVAL,
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
	oyl__http_request req = h->req;
	req.body = body.s;
	req.body_len = body.len;
	oyl__http_answer answer;
	char msg[ERRMSG_MAX - 16];
	rc = oyl__http_post(h->http, &req, &answer, msg, sizeof msg);
	oyl__free(body.s);
	if (rc == OYL_OK)
		rc = read_answer(h, answer.body, answer.len, n, out, out_len);
	else
		fail(h, rc, "embedder: %s", msg);
	oyl__http_answer_clear(&answer);
	return rc;
}

static int embed(oyl_embedder *e, const char *const *texts, const size_t *lens, size_t n,
		 float *out, size_t out_len)
{
	http_embedder *h = (http_embedder *)e;
	h->errmsg[0] = '\0';
	if (n && (!texts || !lens || !out))
		return fail(h, OYL_EINVAL, "embed: NULL texts, lens or out");
	/* refused before anything is sent */
	for (size_t i = 0; i < n; i++)
		if (!texts[i] || !oyl__utf8_valid(texts[i], lens[i]))
			return fail(h, OYL_EINVAL, "text %zu is %s", i,
				    texts[i] ? "not valid UTF-8" : "NULL");
	/* the core sends at most batch_size texts; split anyway if not */
	for (size_t done = 0; done < n;) {
		/* the dimension is known after the first answer, if not before */
		uint32_t dim = h->dimension;
		if (dim && out_len / dim < n)
			return fail(h, OYL_EINVAL,
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
	return ((http_embedder *)e)->errmsg;
}

static void free_embedder(oyl_embedder *e)
{
	http_embedder *h = (http_embedder *)e;
	oyl__http_free(h->http);
	if (h->auth) {
		oyl__wipe(h->auth, strlen(h->auth));
		oyl__free(h->auth);
	}
	oyl__free(h->url);
	oyl__free(h->model);
	oyl__wipe(h->errmsg, sizeof h->errmsg);
	oyl__free(h);
}

/* ---- construction --------------------------------------------------- */

/* 1 when s has only printable ASCII (no space when !spaces). */
static int printable_ascii(const char *s, int spaces)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 - (spaces ? 1 : 0) || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static int check_options(const oyl_http_embedder_options *o, char *errbuf, size_t errbuf_size)
{
	const char *bad = NULL;
	if (!o->base_url || (strncmp(o->base_url, "http://", 7) != 0 &&
			     strncmp(o->base_url, "https://", 8) != 0))
		bad = "base_url: must start with http:// or https://";
	else if (strlen(o->base_url) > MAX_URL || !printable_ascii(o->base_url, 0))
		bad = "base_url: must be at most 2048 printable ASCII characters, no spaces";
	else if (!o->model || !o->model[0] || strlen(o->model) > MAX_MODEL ||
		 !oyl__utf8_valid(o->model, strlen(o->model)))
		bad = "model: must be 1 to 256 bytes of UTF-8";
	else if (o->api_key && (strlen(o->api_key) > MAX_KEY || !printable_ascii(o->api_key, 0)))
		bad = "api_key: must be at most 4096 printable ASCII characters, no spaces";
	else if (o->dimension > MAX_DIMENSION)
		bad = "dimension: must be 0 (learn it) to 65536";
	else if (o->batch_size > MAX_BATCH)
		bad = "batch_size: must be 0 (default 64) to 4096";
	else if (o->connect_timeout_ms < 0 || o->connect_timeout_ms > MAX_TIMEOUT_MS)
		bad = "connect_timeout_ms: must be 0 (default 5000) to one day";
	else if (o->timeout_ms < 0 || o->timeout_ms > MAX_TIMEOUT_MS)
		bad = "timeout_ms: must be 0 (default 60000) to one day";
	else if (o->max_retries < -1 || o->max_retries > MAX_RETRIES)
		bad = "max_retries: must be -1 (default 3) to 20";
	else if (o->backoff_ms < 0 || o->backoff_ms > OYL__HTTP_MAX_BACKOFF_MS)
		bad = "backoff_ms: must be 0 (default 500) to 30000";
	if (!bad)
		return OYL_OK;
	snprintf(errbuf, errbuf_size, "%s", bad);
	return OYL_EINVAL;
}

/* base_url + "/v1/embeddings", without doubling a trailing /v1 or slash. */
static char *embeddings_url(const char *base)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	const char *tail = n >= 3 && memcmp(base + n - 3, "/v1", 3) == 0 ? "/embeddings"
									 : "/v1/embeddings";
	size_t size = n + strlen(tail) + 1;
	char *url = oyl__malloc(size);
	if (url)
		snprintf(url, size, "%.*s%s", (int)n, base, tail);
	return url;
}

static char *bearer(const char *key)
{
	static const char prefix[] = "Authorization: Bearer ";
	size_t size = sizeof prefix + strlen(key);
	char *s = oyl__malloc(size);
	if (s)
		snprintf(s, size, "%s%s", prefix, key);
	return s;
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
	h->http = oyl__http_new();
	h->url = embeddings_url(o->base_url);
	h->model = oyl__strdup(o->model);
	if (o->api_key && o->api_key[0]) {
		h->auth = bearer(o->api_key);
		h->key = h->auth ? h->auth + strlen("Authorization: Bearer ") : NULL;
	}
	if (!h->http || !h->url || !h->model || (o->api_key && o->api_key[0] && !h->auth)) {
		free_embedder(&h->base);
		return NULL;
	}
	h->dimension = o->dimension;
	h->batch = o->batch_size ? o->batch_size : DEFAULT_BATCH;
	h->req.url = h->url;
	h->req.headers = (const char *const *)&h->auth;
	h->req.nheaders = h->auth ? 1 : 0;
	h->req.connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
	h->req.timeout_ms = o->timeout_ms ? o->timeout_ms : 60000;
	h->req.max_retries = o->max_retries >= 0 ? o->max_retries : 3;
	h->req.backoff_ms = o->backoff_ms ? o->backoff_ms : 500;
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
	errbuf[0] = '\0';
	if (!out) {
		snprintf(errbuf, errbuf_size, "oyl_http_embedder_new: NULL out-pointer");
		return OYL_EMISUSE;
	}
	*out = NULL;
	if (!opts) {
		snprintf(errbuf, errbuf_size,
			 "oyl_http_embedder_new: options are required (base_url, model)");
		return OYL_EINVAL;
	}
	if (opts->size < sizeof(uint32_t)) {
		snprintf(errbuf, errbuf_size,
			 "oyl_http_embedder_options.size is not set (use "
			 "OYL_HTTP_EMBEDDER_OPTIONS_INIT)");
		return OYL_EINVAL;
	}
	/* an older host's smaller struct: the fields it lacks keep their defaults */
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	memcpy(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
	int rc = check_options(&o, errbuf, errbuf_size);
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
