/*
 * The OpenAI-compatible chat-completions provider: POST the prompt with
 * stream=true to <base_url>/v1/chat/completions and read the answer as
 * server-sent events (chat/sse.h), each {"choices":[{"delta":{"content":
 * "..."}}]}, until "data: [DONE]"; the last event carries the usage.
 * Only a build with libcurl has it (chat/provider_nocurl.c otherwise).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chat/sse.h"
#include "core/alloc.h"
#include "net/endpoint.h"
#include "oyl/sys/provider.h"
#include "util/utf8.h"

#define ERRMSG_MAX OYL__ENDPOINT_ERRMSG_MAX
#define DEFAULT_TIMEOUT_MS 120000
#define MAX_MODEL 256

typedef struct http_provider {
	oyl_provider base;  /* first: the core sees only this */
	oyl__endpoint ep;   /* url, key, request template, last message */
	char *model;        /* NULL: every request names one */
	double temperature; /* < 0: the server's default */
	int32_t max_tokens; /* 0: the server's default */
} http_provider;

/* ---- the request body ----------------------------------------------- */

/* Adds item under a static key; 0 when out of memory (the item is freed). */
static int add(cJSON *object, const char *key, cJSON *item)
{
	if (item && cJSON_AddItemToObjectCS(object, key, item))
		return 1;
	cJSON_Delete(item);
	return 0;
}

/*
 * The request's options over the creation defaults: "temperature" (a
 * number, < 0: the server's default) and "max_tokens" (an integer, 0:
 * the server's default); null is as if absent, other keys are ignored.
 */
static int read_options(http_provider *h, const char *json, double *temperature,
			int32_t *max_tokens)
{
	if (!json)
		return OYL_OK;
	cJSON *o = cJSON_ParseWithOpts(json, NULL, 1); /* cJSON out of memory reads as malformed */
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "options: not a JSON object");
	}
	int rc = OYL_OK;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "temperature");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "max_tokens");
	if (t && !cJSON_IsNull(t)) {
		if (cJSON_IsNumber(t) && isfinite(t->valuedouble))
			*temperature = t->valuedouble;
		else
			rc = oyl__endpoint_fail(&h->ep, OYL_EINVAL,
						"options: \"temperature\" must be a number");
	}
	if (!rc && m && !cJSON_IsNull(m)) {
		double v = cJSON_IsNumber(m) ? m->valuedouble : -1;
		if (v >= 0 && v <= INT32_MAX && v == floor(v))
			*max_tokens = (int32_t)v;
		else
			rc = oyl__endpoint_fail(
				&h->ep, OYL_EINVAL,
				"options: \"max_tokens\" must be an integer from 0 to 2147483647");
	}
	cJSON_Delete(o);
	return rc;
}

/*
 * {"model", "messages", "stream":true, "stream_options":{"include_usage":
 * true}, "temperature"?, "max_tokens"?} in *body (cJSON's allocator).
 * The strings are referenced, not copied: a prompt is printed once.
 */
static int make_body(http_provider *h, const oyl_provider_request *r, const char *model,
		     double temperature, int32_t max_tokens, char **body)
{
	*body = NULL;
	/* each item joins the tree as soon as it is made: freeing root frees all */
	cJSON *root = cJSON_CreateObject();
	int ok = root && add(root, "model", cJSON_CreateStringReference(model));
	cJSON *messages = ok ? cJSON_CreateArray() : NULL;
	ok = ok && add(root, "messages", messages);
	for (size_t i = 0; ok && i < r->nturns; i++) {
		cJSON *m = cJSON_CreateObject();
		ok = m && cJSON_AddItemToArray(messages, m) &&
		     add(m, "role", cJSON_CreateStringReference(r->turns[i].role)) &&
		     add(m, "content", cJSON_CreateStringReference(r->turns[i].content));
	}
	ok = ok && add(root, "stream", cJSON_CreateTrue());
	cJSON *stream_options = ok ? cJSON_CreateObject() : NULL;
	ok = ok && add(root, "stream_options", stream_options) &&
	     add(stream_options, "include_usage", cJSON_CreateTrue());
	if (ok && temperature >= 0)
		ok = add(root, "temperature", cJSON_CreateNumber(temperature));
	if (ok && max_tokens > 0)
		ok = add(root, "max_tokens", cJSON_CreateNumber(max_tokens));
	if (ok)
		*body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *body ? OYL_OK
		     : oyl__endpoint_fail(&h->ep, OYL_ENOMEM, "out of memory making the request");
}

/* ---- the answer ----------------------------------------------------- */

/* One complete() call's reading of the stream. */
typedef struct stream {
	http_provider *h;
	oyl_provider_delta_fn on_delta;
	void *ctx;
	oyl_provider_usage usage;
	oyl__sse sse;
	size_t bytes;  /* of the answer, given to the sink */
	size_t events; /* dispatched by the parser */
	int done;      /* "data: [DONE]" came */
	int rc;        /* our own failure, its message written; 0: none */
	char carry[4]; /* the start of a character a delta cut */
	size_t ncarry;
	char *buf; /* for a delta that needed mending */
	size_t cap;
} stream;

static int emit(stream *st, const char *s, size_t n)
{
	if (!n || !st->on_delta(s, n, st->ctx))
		return OYL_OK;
	return st->rc = oyl__endpoint_fail(&st->h->ep, OYL_ECANCELED,
					   "the answer was stopped by its callback");
}

/*
 * Passes s[0..n) on in whole UTF-8 characters: a character cut at the
 * end of a delta waits for the next one, invalid bytes become U+FFFD.
 * cJSON gives strings whole when the server escapes (\u...); some servers
 * send raw bytes of a character across two events.
 */
static int pass_on(stream *st, const char *s, size_t n)
{
	if (!st->ncarry && oyl__utf8_valid(s, n))
		return emit(st, s, n);
	size_t total = st->ncarry + n;
	if (total > SIZE_MAX / 4)
		return st->rc = oyl__endpoint_fail(&st->h->ep, OYL_ENOMEM,
						   "out of memory reading the answer");
	if (4 * total > st->cap) { /* the joined input, then at most 3 bytes out per byte in */
		char *b = oyl__realloc(st->buf, 4 * total);
		if (!b)
			return st->rc = oyl__endpoint_fail(&st->h->ep, OYL_ENOMEM,
							   "out of memory reading the answer");
		st->buf = b;
		st->cap = 4 * total;
	}
	unsigned char *in = (unsigned char *)st->buf;
	memcpy(in, st->carry, st->ncarry);
	memcpy(in + st->ncarry, s, n);
	char *out = st->buf + total;
	size_t o = 0;
	st->ncarry = 0;
	for (size_t i = 0; i < total;) {
		uint32_t cp;
		int k = oyl__utf8_decode(in + i, total - i, &cp);
		if (k > 0) {
			memcpy(out + o, in + i, (size_t)k);
			o += (size_t)k;
			i += (size_t)k;
			continue;
		}
		size_t bad = (size_t)-k;
		if (i + bad == total && in[i] >= 0xc2 && in[i] <= 0xf4) {
			/* a valid start that ran out: the rest may come next */
			memcpy(st->carry, in + i, bad);
			st->ncarry = bad;
			break;
		}
		memcpy(out + o, "\xef\xbf\xbd", 3);
		o += 3;
		i += bad;
	}
	return emit(st, out, o);
}

/* Non-negative integer counts; -1 for anything else. */
static int64_t count(const cJSON *usage, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0))
		return -1;
	return (int64_t)v->valuedouble;
}

/* Whitespace only in [p, end). */
static int only_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p == end;
}

/* One event: a chunk of the answer, its usage, an error, or [DONE]. */
static int on_event(void *ctx, const char *data, size_t len)
{
	stream *st = ctx;
	http_provider *h = st->h;
	if (st->done || !len)
		return 0; /* nothing after [DONE] counts; an empty event says nothing */
	st->events++;
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		st->done = 1;
		int cut = st->ncarry != 0; /* a character the last delta began, never finished */
		st->ncarry = 0;
		return cut ? emit(st, "\xef\xbf\xbd", 3) : 0;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root || !end || !only_space(end, data + len)) {
		char near[48];
		size_t at = end && end >= data && end <= data + len ? (size_t)(end - data) : 0;
		oyl__http_error_text(data + at, len - at < 40 ? len - at : 40, near, sizeof near);
		cJSON_Delete(root);
		return st->rc = oyl__endpoint_fail(
			       &h->ep, OYL_EREMOTE,
			       "malformed event %zu from the server at byte %zu: \"%s\"",
			       st->events, at, near);
	}
	int rc = OYL_OK;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (err && !cJSON_IsNull(err)) {
		char text[256];
		oyl__http_error_text(data, len, text, sizeof text);
		rc = st->rc = oyl__endpoint_fail(&h->ep, OYL_EREMOTE,
						 "the server failed mid-stream: %s", text);
		goto done;
	}
	/* OpenAI sends it in a last event with no choices; others in every event */
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (cJSON_IsObject(usage)) {
		st->usage.prompt_tokens = count(usage, "prompt_tokens");
		st->usage.completion_tokens = count(usage, "completion_tokens");
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	if (!cJSON_IsArray(choices))
		choices = NULL;
	const cJSON *choice;
	cJSON_ArrayForEach(choice, choices)
	{
		/* one answer was asked for: the others of a server that gives more are not it */
		const cJSON *index = cJSON_GetObjectItemCaseSensitive(choice, "index");
		if (cJSON_IsNumber(index) && index->valuedouble != 0)
			continue;
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
		if (cJSON_IsString(content) && content->valuestring[0] &&
		    (rc = pass_on(st, content->valuestring, strlen(content->valuestring))))
			break;
	}
done:
	cJSON_Delete(root);
	return rc;
}

/* Receives the answer's bytes from the HTTP layer. */
static int sink(void *ctx, const char *data, size_t n)
{
	stream *st = ctx;
	st->bytes += n;
	int rc = oyl__sse_feed(&st->sse, data, n);
	if (rc && !st->rc) /* the parser's own failure: on_event writes its own */
		st->rc = rc == OYL_ENOMEM
				 ? oyl__endpoint_fail(&st->h->ep, rc,
						      "out of memory reading the stream")
				 : oyl__endpoint_fail(
					   &st->h->ep, rc,
					   "a line or an event of the stream is over %zu KiB",
					   st->sse.max_line >> 10);
	return rc;
}

/*
 * Sends the request and reads the stream; the status, with its message
 * written when not OK.
 */
static int stream_answer(http_provider *h, const char *body, stream *st)
{
	oyl__http_request req = h->ep.req;
	req.body = body;
	req.body_len = strlen(body);
	req.sink = sink;
	req.sink_ctx = st;
	oyl__http_answer answer;
	char msg[ERRMSG_MAX - 64];
	int rc = oyl__http_post(h->ep.http, &req, &answer, msg, sizeof msg);
	oyl__http_answer_clear(&answer);
	if (st->rc)
		return st->rc;
	if (st->done)
		return OYL_OK; /* the answer is whole, whatever the connection did after */
	if (rc == OYL_OK && !st->events)
		return oyl__endpoint_fail(
			&h->ep, OYL_EREMOTE,
			"the server's answer (%zu bytes) held no event: not a chat-completions "
			"stream",
			st->bytes);
	if (rc == OYL_OK)
		return oyl__endpoint_fail(
			&h->ep, OYL_EREMOTE,
			"the stream was cut: it ended after %zu bytes without [DONE]", st->bytes);
	if (st->bytes)
		return oyl__endpoint_fail(&h->ep, rc, "the stream %s after %zu bytes: %s",
					  rc == OYL_ETIMEOUT ? "stalled" : "was cut", st->bytes,
					  msg);
	return oyl__endpoint_fail(&h->ep, rc, "chat: %s", msg);
}

/* ---- methods -------------------------------------------------------- */

/* The request's fields are refused here, before anything is sent. */
static int check_request(http_provider *h, const oyl_provider_request *r,
			 oyl_provider_delta_fn on_delta, const char **model)
{
	if (!r || !on_delta)
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "complete: NULL request or callback");
	if (r->size < offsetof(oyl_provider_request, nturns) + sizeof r->nturns)
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL,
					  "complete: request.size %u is too small", r->size);
	*model = r->model && r->model[0] ? r->model : h->model;
	if (!*model)
		return oyl__endpoint_fail(
			&h->ep, OYL_EINVAL,
			"model: the request names none and the provider has no default");
	if (strlen(*model) > MAX_MODEL || !oyl__utf8_valid(*model, strlen(*model)))
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL,
					  "model: must be 1 to 256 bytes of UTF-8");
	if (!r->nturns || !r->turns)
		return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "complete: the request has no turns");
	for (size_t i = 0; i < r->nturns; i++) {
		const oyl_prompt_turn *t = &r->turns[i];
		if (!t->role || !t->role[0] || !t->content)
			return oyl__endpoint_fail(&h->ep, OYL_EINVAL,
						  "turn %zu: NULL or empty role, or NULL content",
						  i);
		if (!oyl__utf8_valid(t->role, strlen(t->role)) ||
		    !oyl__utf8_valid(t->content, strlen(t->content)))
			return oyl__endpoint_fail(&h->ep, OYL_EINVAL, "turn %zu is not valid UTF-8",
						  i);
	}
	return OYL_OK;
}

static int complete(oyl_provider *p, const oyl_provider_request *r, oyl_provider_delta_fn on_delta,
		    void *ctx, oyl_provider_usage *usage)
{
	http_provider *h = (http_provider *)p;
	h->ep.errmsg[0] = '\0';
	if (usage)
		*usage = (oyl_provider_usage){-1, -1};
	const char *model = NULL;
	double temperature = h->temperature;
	int32_t max_tokens = h->max_tokens;
	char *body = NULL;
	int rc = check_request(h, r, on_delta, &model);
	if (!rc)
		rc = read_options(h, r->options, &temperature, &max_tokens);
	if (!rc)
		rc = make_body(h, r, model, temperature, max_tokens, &body);
	if (rc)
		return rc;
	stream st = {.h = h, .on_delta = on_delta, .ctx = ctx, .usage = {-1, -1}};
	oyl__sse_init(&st.sse, on_event, &st, 0);
	rc = stream_answer(h, body, &st);
	cJSON_free(body);
	oyl__sse_clear(&st.sse);
	oyl__free(st.buf);
	if (usage)
		*usage = st.usage;
	return rc;
}

static const char *errmsg(oyl_provider *p)
{
	return ((http_provider *)p)->ep.errmsg;
}

static void free_provider(oyl_provider *p)
{
	http_provider *h = (http_provider *)p;
	oyl__endpoint_close(&h->ep);
	oyl__free(h->model);
	oyl__free(h);
}

/* ---- construction --------------------------------------------------- */

/* What the endpoint takes of the options. */
static oyl__endpoint_options endpoint_of(const oyl_http_provider_options *o)
{
	oyl__endpoint_options e = {o->base_url, o->api_key, o->connect_timeout_ms, o->timeout_ms,
				   o->max_retries, o->backoff_ms, DEFAULT_TIMEOUT_MS};
	return e;
}

static int check_options(const oyl_http_provider_options *o, char *errbuf, size_t errbuf_size)
{
	oyl__endpoint_options eo = endpoint_of(o);
	int rc = oyl__endpoint_check(&eo, errbuf, errbuf_size);
	if (rc)
		return rc;
	const char *bad = NULL;
	if (o->model && (!o->model[0] || strlen(o->model) > MAX_MODEL ||
			 !oyl__utf8_valid(o->model, strlen(o->model))))
		bad = "model: must be NULL or 1 to 256 bytes of UTF-8";
	else if (isnan(o->temperature) || isinf(o->temperature))
		bad = "temperature: must be a finite number (< 0: the server's default)";
	else if (o->max_tokens < 0)
		bad = "max_tokens: must be 0 (the server's default) or more";
	if (!bad)
		return OYL_OK;
	snprintf(errbuf, errbuf_size, "%s", bad);
	return OYL_EINVAL;
}

static http_provider *make(const oyl_http_provider_options *o)
{
	http_provider *h = oyl__calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->base = (oyl_provider)OYL_PROVIDER_INIT;
	h->base.name = "openai";
	h->base.caps = OYL_PROVIDER_CAP_STREAM;
	h->base.complete = complete;
	h->base.errmsg = errmsg;
	h->base.free = free_provider;
	oyl__endpoint_options eo = endpoint_of(o);
	h->model = o->model ? oyl__strdup(o->model) : NULL;
	if (oyl__endpoint_open(&h->ep, &eo, "chat/completions") != OYL_OK ||
	    (o->model && !h->model)) {
		free_provider(&h->base);
		return NULL;
	}
	h->temperature = o->temperature < 0 ? -1 : o->temperature;
	h->max_tokens = o->max_tokens;
	return h;
}

OYL_API int oyl_http_provider_new(const oyl_http_provider_options *opts, oyl_provider **out,
				  char *errbuf, size_t errbuf_size)
{
	char scratch[ERRMSG_MAX];
	if (!errbuf || !errbuf_size) {
		errbuf = scratch;
		errbuf_size = sizeof scratch;
	}
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	int rc = oyl__endpoint_args("oyl_http_provider_new", "oyl_http_provider_options",
				    "OYL_HTTP_PROVIDER_OPTIONS_INIT", opts, &o, sizeof o, out,
				    errbuf, errbuf_size);
	if (rc == OYL_OK)
		rc = check_options(&o, errbuf, errbuf_size);
	if (rc)
		return rc;
	http_provider *h = make(&o);
	if (!h) {
		snprintf(errbuf, errbuf_size,
			 "out of memory (or libcurl could not start) making the HTTP provider");
		return OYL_ENOMEM;
	}
	*out = &h->base;
	return OYL_OK;
}
