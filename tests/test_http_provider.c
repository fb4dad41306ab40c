/*
 * The OpenAI-compatible chat provider (chat/provider_http.c over
 * chat/sse.c and net/http.c) against a scripted local server
 * (stub_http.c): a streamed answer whole and dripped in small pieces,
 * retries after 5xx and 429 (only before the first byte), timeouts
 * before and during the stream, malformed and error events, a stream
 * cut short, the callback stopping it, the request as sent, option and
 * request checks, the API key kept out of messages, allocation failures.
 * After each failure the same provider must work again.  First the SSE
 * parser alone, on every split of a stream.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chat/sse.h"
#include "fault_alloc.h"
#include "harness.h"
#include "oyl/sys/provider.h"
#include "stub_http.h"
#include "util/utf8.h"

/* The events of one answer, with every kind of line end and a multi-line event. */
#define EV_ROLE                                                                                    \
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"    \
	"\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
#define EV_HELLO "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
#define EV_WORLD                                                                                   \
	"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\", w\\u00f6rld\"}}]}" \
	"\r\n\r\n"
#define EV_CAFE                                                                                    \
	"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" \xe2\x80\x94 "   \
	"caf\xc3\xa9 \xf0\x9f\x98\x80\"}}]}\r\r"
#define EV_BANG "data: {\"choices\":[{\"index\":0,\"delta\":\ndata: {\"content\":\"!\"}}]}\n\n"
#define EV_STOP                                                                                    \
	"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]," \
	"\"usage\":null}\n\n"
#define EV_USAGE                                                                                   \
	"data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"                    \
	"\"completion_tokens\":5,\"total_tokens\":17}}\n\n"
#define EV_DONE "data: [DONE]\n\n"
#define STREAM                                                                                     \
	": keep-alive\n\n" EV_ROLE EV_HELLO EV_WORLD EV_CAFE EV_BANG EV_STOP EV_USAGE EV_DONE
#define TEXT "Hello, w\xc3\xb6rld \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80!"
#define DELTAS "Hello|, w\xc3\xb6rld| \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80|!|"

static const char KEY[] = "sk-test-SECRET-0123456789";

static const oyl_prompt_turn turns[] = {
	{"system", "Answer from the passages. [1] says \"hi\"."},
	{"user", "first question"},
	{"assistant", "first answer\nwith two lines"},
	{"user", "caf\xc3\xa9 \\ \t done?"},
};

static stub *srv;
static oyl_provider *prov;
static char errbuf[512];

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the SSE parser alone --------------------------------------------- */

typedef struct events {
	char buf[1024]; /* each event's data followed by '|' */
	size_t len;
	int n, stop_at; /* stop_at: the callback returns 42 at that event */
} events;

static int on_sse(void *ctx, const char *data, size_t len)
{
	events *e = ctx;
	ck_assert(data[len] == '\0');
	ck_assert(e->len + len + 1 < sizeof e->buf);
	memcpy(e->buf + e->len, data, len);
	e->len += len;
	e->buf[e->len++] = '|';
	e->buf[e->len] = '\0';
	return ++e->n == e->stop_at ? 42 : 0;
}

#define SSE_IN                                                                                     \
	"\xef\xbb\xbf: a comment\r\n"                                                              \
	"data: one\r\n\r\n"                                                                        \
	"event: x\nid: 7\nretry: 10\ndata:two\ndata: lines\n\n"                                    \
	"data\n\n"                                                                                 \
	"data:  spaced\r\r"                                                                        \
	"event: no data\n\n"                                                                       \
	"data: caf\xc3\xa9\r\n\n"                                                                  \
	": bye\n"                                                                                  \
	"data: unfinished\n"
#define SSE_OUT "one|two\nlines|| spaced|caf\xc3\xa9|"

START_TEST(sse_parses_every_split_alike)
{
	const char *in = SSE_IN;
	size_t n = strlen(in);
	/* whole, then in two pieces cut at every place (inside CRLF, inside "é") */
	for (size_t i = 0; i <= n; i++) {
		events e = {0};
		oyl__sse p;
		oyl__sse_init(&p, on_sse, &e, 0);
		ck_assert_int_eq(oyl__sse_feed(&p, in, i), 0);
		ck_assert_int_eq(oyl__sse_feed(&p, in + i, n - i), 0);
		ck_assert_msg(strcmp(e.buf, SSE_OUT) == 0, "cut at %zu: %s", i, e.buf);
		ck_assert(oyl__sse_pending(&p)); /* the last event never ended */
		oyl__sse_clear(&p);
	}
	/* byte by byte */
	events e = {0};
	oyl__sse p;
	oyl__sse_init(&p, on_sse, &e, 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(oyl__sse_feed(&p, in + i, 1), 0);
	ck_assert_str_eq(e.buf, SSE_OUT);
	oyl__sse_clear(&p);
}
END_TEST

START_TEST(sse_bounds_lines_and_stops_when_told)
{
	/* a line longer than the bound, whole or in pieces */
	events e = {0};
	oyl__sse p;
	oyl__sse_init(&p, on_sse, &e, 16);
	ck_assert_int_eq(oyl__sse_feed(&p, "data: 0123456789\n\n", 18), 0); /* 16: fits */
	ck_assert_int_eq(oyl__sse_feed(&p, "data: 0123456789a\n", 18), OYL_EREMOTE);
	ck_assert_int_eq(oyl__sse_feed(&p, "\n", 1), OYL_EREMOTE); /* stopped for good */
	ck_assert_str_eq(e.buf, "0123456789|");
	oyl__sse_clear(&p);
	oyl__sse_init(&p, on_sse, &e, 16);
	int rc = 0;
	for (const char *s = ": 0123456789abcdefgh"; *s && !rc; s++)
		rc = oyl__sse_feed(&p, s, 1);
	ck_assert_int_eq(rc, OYL_EREMOTE);
	oyl__sse_clear(&p);
	/* an event's data: the same bound */
	oyl__sse_init(&p, on_sse, &e, 16);
	ck_assert_int_eq(oyl__sse_feed(&p, "data: 0123456789\ndata: 0123456789\n", 34),
			 OYL_EREMOTE);
	oyl__sse_clear(&p);
	/* the callback's non-zero value stops the parser */
	e = (events){.stop_at = 2};
	oyl__sse_init(&p, on_sse, &e, 0);
	ck_assert_int_eq(oyl__sse_feed(&p, "data: a\n\ndata: b\n\ndata: c\n\n", 27), 42);
	ck_assert_int_eq(oyl__sse_feed(&p, "data: d\n\n", 9), 42);
	ck_assert_str_eq(e.buf, "a|b|");
	oyl__sse_clear(&p);
}
END_TEST

/* ---- the provider ------------------------------------------------------- */

/* What the callback got. */
typedef struct got {
	char text[4096]; /* the deltas joined */
	char seq[4096];  /* each delta followed by '|' */
	size_t len, seq_len;
	int deltas;
	int stop_after; /* asks to stop after that many deltas; 0: never */
} got;

static int on_delta(const char *s, size_t n, void *ctx)
{
	got *g = ctx;
	ck_assert_uint_gt(n, 0);
	ck_assert_msg(oyl__utf8_valid(s, n), "a delta of broken UTF-8");
	ck_assert(g->len + n < sizeof g->text && g->seq_len + n + 1 < sizeof g->seq);
	memcpy(g->text + g->len, s, n);
	g->len += n;
	g->text[g->len] = '\0';
	memcpy(g->seq + g->seq_len, s, n);
	g->seq_len += n;
	g->seq[g->seq_len++] = '|';
	g->seq[g->seq_len] = '\0';
	g->deltas++;
	return g->stop_after && g->deltas >= g->stop_after;
}

/* A new provider on the stub with these options (base_url and model set here). */
static oyl_provider *make(oyl_http_provider_options o)
{
	o.base_url = o.base_url ? o.base_url : stub_url(srv);
	o.model = o.model ? o.model : "test-model";
	oyl_provider *p = NULL;
	int rc = oyl_http_provider_new(&o, &p, errbuf, sizeof errbuf);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), errbuf);
	return p;
}

static void setup(void)
{
	srv = stub_start();
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.backoff_ms = 20; /* retries quickly */
	prov = make(o);
}

static void teardown(void)
{
	if (prov)
		prov->free(prov);
	prov = NULL;
	stub_stop(srv);
	srv = NULL;
}

static void script1(stub_reply r)
{
	stub_script(srv, &r, 1);
}

/* Asks the prompt of `turns` with these model and options. */
static int ask_with(oyl_provider *p, const char *model, const char *options, got *g,
		    oyl_provider_usage *u)
{
	oyl_provider_request r = {sizeof r, model, options, turns, 4, NULL, 0, turns[3].content};
	return p->complete(p, &r, on_delta, g, u);
}

static int ask(oyl_provider *p, got *g, oyl_provider_usage *u)
{
	return ask_with(p, NULL, NULL, g, u);
}

/* The whole answer came, with its usage, in one request. */
static void assert_answer(oyl_provider *p, int rc, const got *g, const oyl_provider_usage *u,
			  int requests)
{
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), p->errmsg(p));
	ck_assert_str_eq(p->errmsg(p), "");
	ck_assert_str_eq(g->text, TEXT);
	ck_assert_str_eq(g->seq, DELTAS);
	ck_assert_int_eq(u->prompt_tokens, 12);
	ck_assert_int_eq(u->completion_tokens, 5);
	ck_assert_int_eq(stub_requests(srv), requests);
}

/* The provider works (again). */
static void assert_usable(oyl_provider *p)
{
	script1((stub_reply){STUB_ANSWER, 200, NULL, STREAM, 0});
	got g = {0};
	oyl_provider_usage u;
	assert_answer(p, ask(p, &g, &u), &g, &u, 1);
}

/* rc and the message holds each of the NULL-terminated words. */
static void assert_failed(oyl_provider *p, int rc, int want, const char *const *words)
{
	const char *msg = p->errmsg(p);
	ck_assert_msg(rc == want, "%s, want %s: %s", oyl_status_name(rc), oyl_status_name(want),
		      msg);
	for (; *words; words++)
		ck_assert_msg(strstr(msg, *words), "\"%s\" lacks \"%s\"", msg, *words);
}

START_TEST(a_streamed_answer)
{
	ck_assert_uint_eq(prov->version, OYL_PROVIDER_VERSION);
	ck_assert_str_eq(prov->name, "openai");
	ck_assert_uint_eq(prov->caps, OYL_PROVIDER_CAP_STREAM);
	ck_assert_ptr_null(prov->count_tokens);
	assert_usable(prov);
	char head[4096];
	stub_last_head(srv, head, sizeof head);
	ck_assert_msg(strncmp(head, "POST /v1/chat/completions HTTP/1.1\r\n", 36) == 0, "%s",
		      head);
	ck_assert(strstr(head, "Content-Type: application/json"));
	ck_assert(!strstr(head, "Authorization"));

	/* no usage event: -1s; a base_url ending in /v1 is not doubled */
	char url[128];
	snprintf(url, sizeof url, "%s/v1/", stub_url(srv));
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.base_url = url;
	oyl_provider *p = make(o);
	script1((stub_reply){STUB_ANSWER, 200, NULL, EV_HELLO EV_DONE, 0});
	got g = {0};
	oyl_provider_usage u = {7, 7};
	ck_assert_int_eq(ask(p, &g, &u), OYL_OK);
	ck_assert_str_eq(g.text, "Hello");
	ck_assert_int_eq(u.prompt_tokens, -1);
	ck_assert_int_eq(u.completion_tokens, -1);
	stub_last_head(srv, head, sizeof head);
	ck_assert_msg(strncmp(head, "POST /v1/chat/completions ", 26) == 0, "%s", head);
	p->free(p);
}
END_TEST

START_TEST(a_dripped_answer_is_the_same)
{
	static const size_t pieces[] = {1, 3, 7};
	for (size_t i = 0; i < 3; i++) {
		stub_drip(srv, pieces[i], 1, 0);
		script1((stub_reply){STUB_DRIP, 200, NULL, STREAM, 0});
		got g = {0};
		oyl_provider_usage u;
		int rc = ask(prov, &g, &u);
		assert_answer(prov, rc, &g, &u, 1);
	}
}
END_TEST

START_TEST(a_500_is_retried)
{
	stub_reply r[] = {{STUB_ANSWER, 500, NULL, "{\"error\":{\"message\":\"busy\"}}", 0},
			  {STUB_DRIP, 200, NULL, STREAM, 0}};
	stub_drip(srv, 64, 1, 0);
	stub_script(srv, r, 2);
	got g = {0};
	oyl_provider_usage u;
	int rc = ask(prov, &g, &u);
	assert_answer(prov, rc, &g, &u, 2);
}
END_TEST

START_TEST(a_429_waits_for_retry_after)
{
	stub_reply r[] = {{STUB_ANSWER, 429, "Retry-After: 1\r\n",
			   "{\"error\":{\"message\":\"slow down\"}}", 0},
			  {STUB_ANSWER, 200, NULL, STREAM, 0}};
	stub_script(srv, r, 2);
	got g = {0};
	oyl_provider_usage u;
	int64_t t0 = now_ms();
	int rc = ask(prov, &g, &u);
	int64_t took = now_ms() - t0;
	assert_answer(prov, rc, &g, &u, 2);
	/* Retry-After (1 s) wins over the 20 ms backoff */
	ck_assert_msg(took >= 950 && took < 5000, "retried after %lld ms", (long long)took);
}
END_TEST

START_TEST(a_stall_past_the_timeout_is_etimeout)
{
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.timeout_ms = 300;
	oyl_provider *p = make(o);
	/* before the answer */
	script1((stub_reply){STUB_STALL, 200, NULL, STREAM, 3000});
	got g = {0};
	oyl_provider_usage u;
	int64_t t0 = now_ms();
	int rc = ask(p, &g, &u);
	int64_t took = now_ms() - t0;
	const char *words[] = {"timed out", NULL};
	assert_failed(p, rc, OYL_ETIMEOUT, words);
	ck_assert_msg(took >= 250 && took < 1500, "returned after %lld ms", (long long)took);
	ck_assert_int_eq(stub_requests(srv), 1); /* a timeout is not retried */
	ck_assert_int_eq(g.deltas, 0);
	/* inside it, after the first token */
	stub_drip(srv, strlen(": keep-alive\n\n" EV_ROLE EV_HELLO), 3000, 0);
	script1((stub_reply){STUB_DRIP, 200, NULL, STREAM, 0});
	g = (got){0};
	t0 = now_ms();
	rc = ask(p, &g, &u);
	took = now_ms() - t0;
	const char *words2[] = {"stalled", "timed out", NULL};
	assert_failed(p, rc, OYL_ETIMEOUT, words2);
	ck_assert_msg(took < 1500, "returned after %lld ms", (long long)took);
	ck_assert_str_eq(g.text, "Hello");
	ck_assert_int_eq(stub_requests(srv), 1);
	assert_usable(p);
	p->free(p);
}
END_TEST

START_TEST(a_malformed_event_is_eremote)
{
	static const struct {
		const char *body;
		const char *text; /* delivered before */
		const char *words[3];
	} cases[] = {
		{EV_HELLO "data: {\"choices\":[oops\n\n" EV_DONE, "Hello",
		 {"malformed event 2", "oops", NULL}},
		{"data: {\"choices\":[]} trailing\n\n" EV_DONE, "", {"malformed event 1", NULL}},
		{"data: <html>\n\n", "", {"malformed event 1", NULL}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		script1((stub_reply){STUB_ANSWER, 200, NULL, cases[i].body, 0});
		got g = {0};
		oyl_provider_usage u;
		assert_failed(prov, ask(prov, &g, &u), OYL_EREMOTE, cases[i].words);
		ck_assert_str_eq(g.text, cases[i].text);
		ck_assert_int_eq(stub_requests(srv), 1);
	}
	/* an answer that is not a stream at all */
	script1((stub_reply){STUB_ANSWER, 200, NULL, "{\"choices\":[]}", 0});
	got g = {0};
	const char *words[] = {"no event", NULL};
	assert_failed(prov, ask(prov, &g, NULL), OYL_EREMOTE, words);
	assert_usable(prov);
}
END_TEST

START_TEST(a_cut_stream_is_eremote_and_not_retried)
{
	/* the connection dropped inside the third event, after two tokens */
	const char *cafe = strstr(STREAM, "caf");
	stub_drip(srv, 5, 1, (size_t)(cafe - STREAM));
	script1((stub_reply){STUB_DRIP, 200, NULL, STREAM, 0});
	got g = {0};
	oyl_provider_usage u;
	const char *words[] = {"the stream was cut", NULL};
	assert_failed(prov, ask(prov, &g, &u), OYL_EREMOTE, words);
	ck_assert_str_eq(g.seq, "Hello|, w\xc3\xb6rld|");
	ck_assert_int_eq(stub_requests(srv), 1);
	ck_assert_int_eq(u.prompt_tokens, -1);
	/* a whole answer that ends without [DONE] */
	script1((stub_reply){STUB_ANSWER, 200, NULL, EV_HELLO EV_USAGE, 0});
	g = (got){0};
	assert_failed(prov, ask(prov, &g, &u), OYL_EREMOTE, words);
	ck_assert_str_eq(g.text, "Hello");
	ck_assert_int_eq(stub_requests(srv), 1);
	assert_usable(prov);
}
END_TEST

START_TEST(server_errors_are_told_without_the_key)
{
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.api_key = KEY;
	oyl_provider *p = make(o);
	assert_usable(p);
	char head[4096];
	stub_last_head(srv, head, sizeof head);
	ck_assert_msg(strstr(head, "\r\nAuthorization: Bearer sk-test-SECRET-0123456789\r\n"), "%s",
		      head);
	/* an error status with an OpenAI error body, echoing the key: not retried */
	script1((stub_reply){STUB_ANSWER, 401, NULL,
			     "{\"error\":{\"message\":\"Incorrect API key provided: "
			     "sk-test-SECRET-0123456789\",\"type\":\"invalid_request_error\"}}",
			     0});
	got g = {0};
	const char *words[] = {"401", "Incorrect API key provided", NULL};
	assert_failed(p, ask(p, &g, NULL), OYL_EREMOTE, words);
	ck_assert_msg(!strstr(p->errmsg(p), "SECRET"), "%s", p->errmsg(p));
	ck_assert_int_eq(stub_requests(srv), 1);
	ck_assert_int_eq(g.deltas, 0);
	/* an error event in the stream, after a token */
	script1((stub_reply){STUB_ANSWER, 200, NULL,
			     EV_HELLO "data: {\"error\":{\"message\":\"model overloaded, key "
				      "sk-test-SECRET-0123456789\"}}\n\n" EV_DONE,
			     0});
	g = (got){0};
	const char *words2[] = {"model overloaded", "[api key]", NULL};
	assert_failed(p, ask(p, &g, NULL), OYL_EREMOTE, words2);
	ck_assert_msg(!strstr(p->errmsg(p), "SECRET"), "%s", p->errmsg(p));
	ck_assert_str_eq(g.text, "Hello");
	ck_assert_int_eq(stub_requests(srv), 1);
	/* 5xx, retried up to the end */
	script1((stub_reply){STUB_ANSWER, 503, NULL, "{\"error\":{\"message\":\"overloaded\"}}", 0});
	const char *words3[] = {"HTTP 503: overloaded", "after 4 attempts", NULL};
	o.backoff_ms = 1;
	p->free(p);
	p = make(o);
	assert_failed(p, ask(p, &g, NULL), OYL_EREMOTE, words3);
	ck_assert_int_eq(stub_requests(srv), 4);
	assert_usable(p);
	p->free(p);
}
END_TEST

START_TEST(the_callback_stops_the_answer)
{
	/* dripped: the rest of the answer is still to come when it says stop */
	stub_drip(srv, 16, 1, 0);
	script1((stub_reply){STUB_DRIP, 200, NULL, STREAM, 0});
	got g = {.stop_after = 1};
	oyl_provider_usage u;
	const char *words[] = {"callback", NULL};
	assert_failed(prov, ask(prov, &g, &u), OYL_ECANCELED, words);
	ck_assert_str_eq(g.seq, "Hello|");
	ck_assert_int_eq(stub_requests(srv), 1);
	assert_usable(prov);
}
END_TEST

/* The latest request's body, parsed. */
static cJSON *last_body(void)
{
	static char body[8192];
	stub_last_body(srv, body, sizeof body);
	cJSON *j = cJSON_Parse(body);
	ck_assert_msg(j, "request body is not JSON: %s", body);
	return j;
}

static void assert_turns(const cJSON *j)
{
	const cJSON *messages = cJSON_GetObjectItem(j, "messages");
	ck_assert_int_eq(cJSON_GetArraySize(messages), 4);
	for (int i = 0; i < 4; i++) {
		const cJSON *m = cJSON_GetArrayItem(messages, i);
		ck_assert_int_eq(cJSON_GetArraySize(m), 2);
		ck_assert_str_eq(cJSON_GetObjectItem(m, "role")->valuestring, turns[i].role);
		ck_assert_str_eq(cJSON_GetObjectItem(m, "content")->valuestring, turns[i].content);
	}
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "stream")));
	ck_assert(cJSON_IsTrue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(j, "stream_options"), "include_usage")));
}

START_TEST(the_request_as_sent)
{
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.model = "default-model";
	o.temperature = 0.5;
	o.max_tokens = 100;
	oyl_provider *p = make(o);
	script1((stub_reply){STUB_ANSWER, 200, NULL, STREAM, 0});
	got g = {0};
	/* the request's model and options win; unknown keys are ignored */
	ck_assert_int_eq(ask_with(p, "asked-model",
				  "{\"temperature\":0.25,\"max_tokens\":7,\"top_k\":[1]}", &g, NULL),
			 OYL_OK);
	cJSON *j = last_body();
	ck_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "asked-model");
	assert_turns(j);
	ck_assert(cJSON_GetObjectItem(j, "temperature")->valuedouble == 0.25);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "max_tokens")->valueint, 7);
	cJSON_Delete(j);
	/* none given: the defaults */
	ck_assert_int_eq(ask_with(p, NULL, "{}", &g, NULL), OYL_OK);
	j = last_body();
	ck_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "default-model");
	assert_turns(j);
	ck_assert(cJSON_GetObjectItem(j, "temperature")->valuedouble == 0.5);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "max_tokens")->valueint, 100);
	cJSON_Delete(j);
	/* the server's defaults, asked for by the options */
	ck_assert_int_eq(ask_with(p, NULL, "{\"temperature\":-1,\"max_tokens\":0}", &g, NULL),
			 OYL_OK);
	j = last_body();
	ck_assert_ptr_null(cJSON_GetObjectItem(j, "temperature"));
	ck_assert_ptr_null(cJSON_GetObjectItem(j, "max_tokens"));
	cJSON_Delete(j);
	p->free(p);
	/* the creation defaults: none sent */
	ck_assert_int_eq(ask_with(prov, NULL, NULL, &g, NULL), OYL_OK);
	j = last_body();
	ck_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "test-model");
	ck_assert_int_eq(cJSON_GetArraySize(j), 4); /* model, messages, stream, stream_options */
	cJSON_Delete(j);
}
END_TEST

START_TEST(bad_options_are_einval)
{
	oyl_provider *p = (oyl_provider *)&p;
	ck_assert_int_eq(oyl_http_provider_new(NULL, &p, errbuf, sizeof errbuf), OYL_EINVAL);
	ck_assert_ptr_null(p);
	ck_assert(strstr(errbuf, "options"));
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.base_url = "http://127.0.0.1:1";
	ck_assert_int_eq(oyl_http_provider_new(&o, NULL, errbuf, sizeof errbuf), OYL_EMISUSE);
#define BAD(stmt, field)                                                                           \
	do {                                                                                       \
		oyl_http_provider_options b = o;                                                   \
		stmt;                                                                              \
		p = (oyl_provider *)&p;                                                            \
		int rc = oyl_http_provider_new(&b, &p, errbuf, sizeof errbuf);                     \
		ck_assert_msg(rc == OYL_EINVAL, "%s: %s", #stmt, oyl_status_name(rc));             \
		ck_assert_ptr_null(p);                                                             \
		ck_assert_msg(strncmp(errbuf, field, strlen(field)) == 0, "%s: %s", #stmt,         \
			      errbuf);                                                             \
	} while (0)
	BAD(b.size = 0, "oyl_http_provider_options.size");
	BAD(b.base_url = NULL, "base_url");
	BAD(b.base_url = "ftp://example.org", "base_url");
	BAD(b.base_url = "127.0.0.1:11434", "base_url");
	BAD(b.base_url = "http://a b", "base_url");
	BAD(b.model = "", "model");
	BAD(b.model = "\xff", "model");
	BAD(b.api_key = "sk-1\r\nX-Evil: 1", "api_key");
	BAD(b.temperature = NAN, "temperature");
	BAD(b.temperature = INFINITY, "temperature");
	BAD(b.max_tokens = -1, "max_tokens");
	BAD(b.connect_timeout_ms = -1, "connect_timeout_ms");
	BAD(b.timeout_ms = -5, "timeout_ms");
	BAD(b.max_retries = -2, "max_retries");
	BAD(b.max_retries = 21, "max_retries");
	BAD(b.backoff_ms = -1, "backoff_ms");
	BAD(b.backoff_ms = 30001, "backoff_ms");
#undef BAD
	/* the api key is never quoted, even when refused */
	o.api_key = "sk-SECRET\n";
	ck_assert_int_eq(oyl_http_provider_new(&o, &p, errbuf, sizeof errbuf), OYL_EINVAL);
	ck_assert(!strstr(errbuf, "SECRET"));
	/* an older host's smaller struct: the fields it lacks keep their defaults */
	o.api_key = NULL;
	o.size = offsetof(oyl_http_provider_options, temperature);
	o.max_tokens = -5; /* beyond the size: not read */
	ck_assert_int_eq(oyl_http_provider_new(&o, &p, errbuf, sizeof errbuf), OYL_OK);
	p->free(p);
}
END_TEST

START_TEST(bad_requests_are_einval_and_send_nothing)
{
	static const struct {
		const char *model, *options, *field;
	} cases[] = {
		{NULL, "{", "options"},
		{NULL, "[1]", "options"},
		{NULL, "{\"temperature\":\"hot\"}", "options: \"temperature\""},
		{NULL, "{\"max_tokens\":1.5}", "options: \"max_tokens\""},
		{NULL, "{\"max_tokens\":-3}", "options: \"max_tokens\""},
		{"\xc3", NULL, "model"},
	};
	script1((stub_reply){STUB_ANSWER, 200, NULL, STREAM, 0});
	got g = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = ask_with(prov, cases[i].model, cases[i].options, &g, NULL);
		const char *words[] = {cases[i].field, NULL};
		assert_failed(prov, rc, OYL_EINVAL, words);
	}
	/* no model anywhere */
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.base_url = stub_url(srv);
	oyl_provider *p = NULL;
	ck_assert_int_eq(oyl_http_provider_new(&o, &p, errbuf, sizeof errbuf), OYL_OK);
	const char *words[] = {"model", NULL};
	assert_failed(p, ask(p, &g, NULL), OYL_EINVAL, words);
	ck_assert_int_eq(ask_with(p, "named", NULL, &g, NULL), OYL_OK); /* named: fine */
	p->free(p);
	stub_script(srv, NULL, 0);
	/* no turns, a turn of broken UTF-8, no callback */
	oyl_provider_request r = {sizeof r, NULL, NULL, turns, 0, NULL, 0, "q"};
	const char *words2[] = {"no turns", NULL};
	assert_failed(prov, prov->complete(prov, &r, on_delta, &g, NULL), OYL_EINVAL, words2);
	oyl_prompt_turn bad[] = {{"user", "\xed\xa0\x80"}};
	r.turns = bad;
	r.nturns = 1;
	const char *words3[] = {"turn 0", "UTF-8", NULL};
	assert_failed(prov, prov->complete(prov, &r, on_delta, &g, NULL), OYL_EINVAL, words3);
	r.turns = turns;
	const char *words4[] = {"NULL", NULL};
	assert_failed(prov, prov->complete(prov, &r, NULL, &g, NULL), OYL_EINVAL, words4);
	assert_failed(prov, prov->complete(prov, NULL, on_delta, &g, NULL), OYL_EINVAL, words4);
	ck_assert_int_eq(stub_requests(srv), 0);
	ck_assert_int_eq(g.deltas, 4); /* the one named-model answer */
	assert_usable(prov);
}
END_TEST

START_TEST(characters_cut_between_events_arrive_whole)
{
	/* raw bytes of "é" and "😀" across events, a stray byte, and a start never finished */
	script1((stub_reply){
		STUB_ANSWER, 200, NULL,
		"data: {\"choices\":[{\"delta\":{\"content\":\"caf\xc3\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\"\xa9 \xf0\x9f\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\"\x98\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\"\x80 \xff!\"}}]}\n\n"
		"data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\" \xe2\x82\"}}]}\n\n" EV_DONE,
		0});
	got g = {0};
	ck_assert_int_eq(ask(prov, &g, NULL), OYL_OK);
	ck_assert_str_eq(g.seq, "caf|\xc3\xa9 |\xf0\x9f\x98\x80 \xef\xbf\xbd!| |\xef\xbf\xbd|");
}
END_TEST

START_TEST(out_of_memory_is_enomem_and_nothing_leaks)
{
	prov->free(prov); /* made with the default allocator */
	prov = NULL;
	fault_alloc_install();
	cJSON_InitHooks(NULL); /* only liboyl's own allocations fail */
	oyl_http_provider_options o = OYL_HTTP_PROVIDER_OPTIONS_INIT;
	o.base_url = stub_url(srv);
	o.model = "m";
	o.api_key = "sk-x";
	for (long fail = 1;; fail++) {
		fault_alloc_arm(fail, 0);
		int rc = oyl_http_provider_new(&o, &prov, errbuf, sizeof errbuf);
		int fired = fault_alloc_fired();
		fault_alloc_arm(0, 0);
		ck_assert_int_eq(rc, fired ? OYL_ENOMEM : OYL_OK);
		if (!fired)
			break;
		ck_assert_ptr_null(prov);
		ck_assert_int_eq(fault_alloc_live(), 0);
	}
	long live = fault_alloc_live();
	/* raw bytes cut between events: the mending buffer too */
	script1((stub_reply){STUB_ANSWER, 200, NULL,
			     "data: {\"choices\":[{\"delta\":{\"content\":\"caf\xc3\"}}]}\n\n"
			     "data: {\"choices\":[{\"delta\":{\"content\":\"\xa9\"}}]}\n\n" EV_DONE,
			     0});
	for (long fail = 1;; fail++) {
		got g = {0};
		fault_alloc_arm(fail, 0);
		int rc = ask(prov, &g, NULL);
		int fired = fault_alloc_fired();
		fault_alloc_arm(0, 0);
		ck_assert_msg(rc == (fired ? OYL_ENOMEM : OYL_OK), "fail %ld: %s: %s", fail,
			      oyl_status_name(rc), prov->errmsg(prov));
		ck_assert_int_eq(fault_alloc_live(), live);
		if (!fired) {
			ck_assert_str_eq(g.text, "caf\xc3\xa9");
			break;
		}
	}
	prov->free(prov);
	prov = NULL;
	ck_assert_int_eq(fault_alloc_live(), 0);
	oyl_set_allocator(NULL);
}
END_TEST

/* ---- through oyl_chat_send ------------------------------------------- */

typedef struct chat_events {
	char kinds[64];
	size_t n;
	int status;
} chat_events;

static int on_chat_event(const oyl_chat_event *e, void *ctx)
{
	chat_events *ev = ctx;
	if (ev->n + 1 < sizeof ev->kinds)
		ev->kinds[ev->n++] = "?STEX"[e->type];
	if (e->type == OYL_CHAT_ERROR)
		ev->status = e->status;
	return 0;
}

static size_t messages_of(oyl_actor *a, const char *session, const char **last_role)
{
	static char role[16];
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_chat_messages(a, session, NULL, &p), OYL_OK);
	size_t n = oyl_page_count(p);
	snprintf(role, sizeof role, "%s", n ? oyl_message_role(oyl_page_message(p, n - 1)) : "");
	*last_role = role;
	oyl_page_free(p);
	return n;
}

/* The provider under oyl_chat_send: an answer stored with the server's
 * usage; a stream cut mid-answer gives an error event, the question
 * stored and no answer; a 500 before any token is retried. */
START_TEST(chat_through_the_provider)
{
	oyl_db *db = NULL;
	oyl_db_options dbo = OYL_DB_OPTIONS_INIT;
	dbo.flags = OYL_DB_MIGRATE;
	ck_assert_int_eq(oyl_db_open(&db, "sqlite::memory:", &dbo), OYL_OK);
	oyl_actor *root = NULL, *user = NULL;
	oyl_tenant *t = NULL;
	oyl_user *u = NULL;
	oyl_workspace *w = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *a = NULL;
	oyl_knowledge_base *kb = NULL;
	oyl_chat_session *cs = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(root, "T", "t", NULL, &t), OYL_OK);
	ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(t), "u@t.example", "U", OYL_ROLE_USER,
					 &u),
			 OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, oyl_user_id(u), &user), OYL_OK);
	ck_assert_int_eq(oyl_workspace_create(root, oyl_tenant_id(t), "W", &w), OYL_OK);
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(w), "TM", NULL, &tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(tm), "A", &a), OYL_OK);
	ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(a), "K", NULL, &kb), OYL_OK);
	oyl_doc_source src = OYL_DOC_SOURCE_INIT;
	src.data = "Greetings are said in many languages.";
	src.length = strlen(src.data);
	src.name = "greetings.txt";
	ck_assert_int_eq(oyl_doc_ingest(root, oyl_kb_id(kb), &src, NULL, NULL), OYL_OK);
	ck_assert_int_eq(oyl_db_add_provider(db, "openai", prov), OYL_OK);
	prov = NULL; /* the handle owns it now */
	ck_assert_int_eq(oyl_assistant_set_provider(root, oyl_assistant_id(a), "openai", NULL,
						    "{\"max_tokens\":64}", NULL),
			 OYL_OK);
	ck_assert_int_eq(oyl_chat_session_create(user, oyl_assistant_id(a), NULL, &cs), OYL_OK);
	const char *sid = oyl_chat_session_id(cs);
	oyl_chat_options o = OYL_CHAT_OPTIONS_INIT;
	chat_events ev = {0};
	o.on_event = on_chat_event;
	o.ctx = &ev;
	const char *last;

	script1((stub_reply){STUB_ANSWER, 200, NULL, STREAM, 0});
	oyl_chat_reply *r = NULL;
	ck_assert_int_eq(oyl_chat_send(user, sid, "greetings?", &o, &r), OYL_OK);
	ck_assert_str_eq(oyl_chat_reply_content(r), TEXT);
	ck_assert_int_eq(oyl_chat_reply_prompt_tokens(r), 12);
	ck_assert_int_eq(oyl_chat_reply_completion_tokens(r), 5);
	ck_assert_int_eq(oyl_chat_reply_tokens_estimated(r), 0);
	ck_assert_str_eq(ev.kinds, "STTTTE");
	oyl_chat_reply_free(r);
	ck_assert_uint_eq(messages_of(user, sid, &last), 2);

	const char *cafe = strstr(STREAM, "caf");
	stub_drip(srv, 5, 1, (size_t)(cafe - STREAM));
	script1((stub_reply){STUB_DRIP, 200, NULL, STREAM, 0});
	memset(&ev, 0, sizeof ev);
	ck_assert_int_eq(oyl_chat_send(user, sid, "greetings again?", &o, NULL), OYL_EREMOTE);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "the stream was cut"));
	ck_assert_str_eq(ev.kinds, "STTX");
	ck_assert_int_eq(ev.status, OYL_EREMOTE);
	ck_assert_uint_eq(messages_of(user, sid, &last), 3);
	ck_assert_str_eq(last, "user");

	stub_reply two[] = {{STUB_ANSWER, 500, NULL, "{\"error\":\"busy\"}", 0},
			    {STUB_ANSWER, 200, NULL, STREAM, 0}};
	stub_script(srv, two, 2);
	memset(&ev, 0, sizeof ev);
	ck_assert_int_eq(oyl_chat_send(user, sid, "and once more?", &o, NULL), OYL_OK);
	ck_assert_int_eq(stub_requests(srv), 2);
	ck_assert_uint_eq(messages_of(user, sid, &last), 5);
	ck_assert_str_eq(last, "assistant");

	oyl_chat_session_free(cs);
	oyl_kb_free(kb);
	oyl_assistant_free(a);
	oyl_teammate_free(tm);
	oyl_workspace_free(w);
	oyl_user_free(u);
	oyl_tenant_free(t);
	oyl_actor_free(user);
	oyl_actor_free(root);
	oyl_db_close(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http_provider");
	TCase *sse = tcase_create("sse");
	tcase_set_timeout(sse, 60);
	tcase_add_test(sse, sse_parses_every_split_alike);
	tcase_add_test(sse, sse_bounds_lines_and_stops_when_told);
	suite_add_tcase(s, sse);
	TCase *tc = tcase_create("http_provider");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_streamed_answer);
	tcase_add_test(tc, a_dripped_answer_is_the_same);
	tcase_add_test(tc, a_500_is_retried);
	tcase_add_test(tc, a_429_waits_for_retry_after);
	tcase_add_test(tc, a_stall_past_the_timeout_is_etimeout);
	tcase_add_test(tc, a_malformed_event_is_eremote);
	tcase_add_test(tc, a_cut_stream_is_eremote_and_not_retried);
	tcase_add_test(tc, server_errors_are_told_without_the_key);
	tcase_add_test(tc, the_callback_stops_the_answer);
	tcase_add_test(tc, the_request_as_sent);
	tcase_add_test(tc, bad_options_are_einval);
	tcase_add_test(tc, bad_requests_are_einval_and_send_nothing);
	tcase_add_test(tc, characters_cut_between_events_arrive_whole);
	tcase_add_test(tc, out_of_memory_is_enomem_and_nothing_leaks);
	tcase_add_test(tc, chat_through_the_provider);
	suite_add_tcase(s, tc);
	return t_run(s);
}
