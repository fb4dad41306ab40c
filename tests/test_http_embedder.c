/*
 * The OpenAI-compatible HTTP embedder (embed/http_embedder.c over
 * net/http.c) against a scripted local server (stub_http.c): answers
 * placed by index, retries after 5xx, 429 and cut connections, no retry
 * after a 400, the total timeout, every malformed answer, the API key
 * kept out of messages, option checks, and allocation failures.  After
 * each failure the same embedder must work again.  Then the HTTP layer
 * alone, as streamed chat will use it: a receiver, the answer's bound.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fault_alloc.h"
#include "harness.h"
#include "net/http.h"
#include "oyl/sys/embedder.h"
#include "stub_http.h"

#define OK_3X2                                                                                     \
	"{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":2,\"embedding\":[5,6]" \
	"},"                                                                                       \
	"{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,2]},"                              \
	"{\"object\":\"embedding\",\"index\":1,\"embedding\":[3.5,-4.25]}],\"model\":\"m\"}"
#define OK_1X2 "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.25]}]}"

static const char *const texts3[] = {"alpha", "b\"e\\t\na", "gamma \xc3\xa9"};
static const size_t lens3[] = {5, 7, 8};

static stub *srv;
static oyl_embedder *emb;
static char errbuf[512];

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A new embedder on the stub with these options (base_url and model set here). */
static oyl_embedder *make(oyl_http_embedder_options o)
{
	o.base_url = o.base_url ? o.base_url : stub_url(srv);
	o.model = o.model ? o.model : "test-model";
	oyl_embedder *e = NULL;
	int rc = oyl_http_embedder_new(&o, &e, errbuf, sizeof errbuf);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), errbuf);
	return e;
}

static void setup(void)
{
	srv = stub_start();
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.backoff_ms = 20; /* retries quickly */
	emb = make(o);
}

static void teardown(void)
{
	oyl_embedder_free(emb);
	emb = NULL;
	stub_stop(srv);
	srv = NULL;
}

static void script1(stub_reply r)
{
	stub_script(srv, &r, 1);
}

static int embed1(oyl_embedder *e, float out[2])
{
	const char *t = "one";
	size_t n = 3;
	return e->embed(e, &t, &n, 1, out, 2);
}

/* The embedder works (again): one text, its vector. */
static void assert_usable(oyl_embedder *e)
{
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_1X2, 0});
	float v[2] = {0};
	int rc = embed1(e, v);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), e->errmsg(e));
	ck_assert(v[0] == 0.5f && v[1] == 0.25f);
	ck_assert_int_eq(stub_requests(srv), 1);
}

/* rc and the message holds each of the NULL-terminated words. */
static void assert_failed(oyl_embedder *e, int rc, int want, const char *const *words)
{
	const char *msg = e->errmsg(e);
	ck_assert_msg(rc == want, "%s, want %s: %s", oyl_status_name(rc), oyl_status_name(want),
		      msg);
	for (; *words; words++)
		ck_assert_msg(strstr(msg, *words), "\"%s\" lacks \"%s\"", msg, *words);
}

START_TEST(vectors_are_placed_by_index)
{
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_3X2, 0});
	ck_assert_str_eq(emb->name, "openai");
	ck_assert(emb->caps & OYL_EMBEDDER_CAP_BATCH);
	ck_assert_str_eq(emb->model(emb), "test-model");
	ck_assert_uint_eq(emb->batch_size(emb), 64);
	ck_assert_uint_eq(emb->dimension(emb), 0);
	float out[6] = {0};
	int rc = emb->embed(emb, texts3, lens3, 3, out, 6);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), emb->errmsg(emb));
	ck_assert_uint_eq(emb->dimension(emb), 2);
	const float want[6] = {1, 2, 3.5f, -4.25f, 5, 6};
	for (int i = 0; i < 6; i++)
		ck_assert_msg(out[i] == want[i], "out[%d] = %g", i, (double)out[i]);
	ck_assert_int_eq(stub_requests(srv), 1);

	/* the request: path, JSON content type, the model and the texts as sent */
	char head[4096], body[4096];
	stub_last_head(srv, head, sizeof head);
	stub_last_body(srv, body, sizeof body);
	ck_assert_msg(strncmp(head, "POST /v1/embeddings HTTP/1.1\r\n", 30) == 0, "%s", head);
	ck_assert(strstr(head, "Content-Type: application/json"));
	ck_assert(!strstr(head, "Authorization"));
	cJSON *j = cJSON_Parse(body);
	ck_assert_msg(j, "request body is not JSON: %s", body);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "model")->valuestring, "test-model");
	const cJSON *input = cJSON_GetObjectItem(j, "input");
	ck_assert_int_eq(cJSON_GetArraySize(input), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(cJSON_GetArrayItem(input, i)->valuestring, texts3[i]);
	cJSON_Delete(j);
}
END_TEST

START_TEST(a_v1_base_url_is_not_doubled)
{
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	char url[128];
	snprintf(url, sizeof url, "%s/v1/", stub_url(srv));
	o.base_url = url;
	oyl_embedder *e = make(o);
	assert_usable(e);
	char head[4096];
	stub_last_head(srv, head, sizeof head);
	ck_assert_msg(strncmp(head, "POST /v1/embeddings ", 20) == 0, "%s", head);
	oyl_embedder_free(e);
}
END_TEST

START_TEST(a_500_is_retried)
{
	stub_reply r[] = {{STUB_ANSWER, 500, NULL, "{\"error\":{\"message\":\"busy\"}}", 0},
			  {STUB_ANSWER, 200, NULL, OK_3X2, 0}};
	stub_script(srv, r, 2);
	float out[6];
	int rc = emb->embed(emb, texts3, lens3, 3, out, 6);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), emb->errmsg(emb));
	ck_assert_int_eq(stub_requests(srv), 2);
	ck_assert(out[0] == 1 && out[5] == 6);
	assert_usable(emb);
}
END_TEST

START_TEST(a_429_waits_for_retry_after)
{
	stub_reply r[] = {{STUB_ANSWER, 429, "Retry-After: 1\r\n",
			   "{\"error\":{\"message\":\"slow down\"}}", 0},
			  {STUB_ANSWER, 200, NULL, OK_1X2, 0}};
	stub_script(srv, r, 2);
	float v[2];
	int64_t t0 = now_ms();
	int rc = embed1(emb, v);
	int64_t took = now_ms() - t0;
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), emb->errmsg(emb));
	ck_assert_int_eq(stub_requests(srv), 2);
	/* Retry-After (1 s) wins over the 20 ms backoff */
	ck_assert_msg(took >= 950, "retried after %lld ms", (long long)took);
	assert_usable(emb);
}
END_TEST

START_TEST(a_400_is_not_retried)
{
	script1((stub_reply){STUB_ANSWER, 400, NULL,
			     "{\"error\":{\"message\":\"model not found\"}}", 0});
	float v[2];
	const char *words[] = {"400", "model not found", NULL};
	assert_failed(emb, embed1(emb, v), OYL_EREMOTE, words);
	ck_assert_int_eq(stub_requests(srv), 1);
	/* a body that is no error object is quoted, printable */
	script1((stub_reply){STUB_ANSWER, 404, NULL, "no such\x01 route\n", 0});
	const char *words2[] = {"404", "no such? route", NULL};
	assert_failed(emb, embed1(emb, v), OYL_EREMOTE, words2);
	assert_usable(emb);
}
END_TEST

START_TEST(a_stall_past_the_timeout_is_etimeout)
{
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.timeout_ms = 300;
	oyl_embedder *e = make(o);
	script1((stub_reply){STUB_STALL, 200, NULL, OK_1X2, 2000});
	float v[2];
	int64_t t0 = now_ms();
	int rc = embed1(e, v);
	int64_t took = now_ms() - t0;
	const char *words[] = {"timed out", NULL};
	assert_failed(e, rc, OYL_ETIMEOUT, words);
	ck_assert_msg(took >= 250 && took < 1500, "returned after %lld ms", (long long)took);
	ck_assert_int_eq(stub_requests(srv), 1); /* a timeout is not retried */
	assert_usable(e);
	oyl_embedder_free(e);
}
END_TEST

START_TEST(malformed_answers_are_eremote)
{
	static const struct {
		const char *body;
		const char *words[3];
	} cases[] = {
		{"{\"data\":[{\"index\":0,", {"malformed JSON", NULL}},
		{"<html>hello</html>", {"malformed JSON", NULL}},
		{"{\"object\":\"list\"}", {"no \"data\" array", NULL}},
		{"{\"data\":[{\"index\":0}]}", {"no \"embedding\" array", NULL}},
		{"{\"data\":[{\"index\":0,\"embedding\":[1,\"x\"]}]}",
		 {"not a finite float", NULL}},
		{"{\"data\":[{\"index\":0,\"embedding\":[1,1e999]}]}",
		 {"not a finite float", NULL}},
		{"{\"data\":[{\"index\":1,\"embedding\":[1,2]}]}", {"index", NULL}},
		{"{\"data\":[{\"index\":0,\"embedding\":[]}]}", {"dimension 0", NULL}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		script1((stub_reply){STUB_ANSWER, 200, NULL, cases[i].body, 0});
		float v[2];
		assert_failed(emb, embed1(emb, v), OYL_EREMOTE, cases[i].words);
		ck_assert_uint_eq(emb->dimension(emb), 0); /* nothing learned from a bad answer */
	}
	/* the same index twice */
	script1((stub_reply){
		STUB_ANSWER, 200, NULL,
		"{\"data\":[{\"index\":0,\"embedding\":[1,2]},{\"index\":0,\"embedding\":[1,2]},"
		"{\"index\":1,\"embedding\":[1,2]}]}",
		0});
	float out[6];
	const char *words[] = {"repeated", NULL};
	assert_failed(emb, emb->embed(emb, texts3, lens3, 3, out, 6), OYL_EREMOTE, words);
	assert_usable(emb);
}
END_TEST

START_TEST(a_wrong_dimension_is_eremote)
{
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.dimension = 4;
	oyl_embedder *e = make(o);
	ck_assert_uint_eq(e->dimension(e), 4);
	script1((stub_reply){STUB_ANSWER, 200, NULL,
			     "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}", 0});
	const char *t = "x";
	size_t n = 1;
	float v[4];
	const char *words[] = {"dimension 3", "expected 4", NULL};
	assert_failed(e, e->embed(e, &t, &n, 1, v, 4), OYL_EREMOTE, words);
	/* answers of dimension 4 work */
	script1((stub_reply){STUB_ANSWER, 200, NULL,
			     "{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]}]}", 0});
	ck_assert_int_eq(e->embed(e, &t, &n, 1, v, 4), OYL_OK);
	ck_assert(v[3] == 4);
	oyl_embedder_free(e);

	/* a learned dimension holds too */
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_1X2, 0});
	ck_assert_int_eq(embed1(emb, v), OYL_OK);
	script1((stub_reply){STUB_ANSWER, 200, NULL,
			     "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}", 0});
	const char *words2[] = {"dimension 3", "expected 2", NULL};
	assert_failed(emb, embed1(emb, v), OYL_EREMOTE, words2);
	/* too small an out: refused before anything is sent once the dimension is known */
	const char *words3[] = {"out holds 3 floats", "need 6", NULL};
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_3X2, 0});
	assert_failed(emb, emb->embed(emb, texts3, lens3, 3, v, 3), OYL_EINVAL, words3);
	ck_assert_int_eq(stub_requests(srv), 0);
	assert_usable(emb);
}
END_TEST

START_TEST(a_wrong_count_is_eremote)
{
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_3X2, 0});
	static const char *const four[] = {"a", "b", "c", "d"};
	static const size_t lens[] = {1, 1, 1, 1};
	float out[8];
	const char *words[] = {"embedder answered 3 vectors for 4 texts", NULL};
	assert_failed(emb, emb->embed(emb, four, lens, 4, out, 8), OYL_EREMOTE, words);
	ck_assert_int_eq(stub_requests(srv), 1);
	assert_usable(emb);
}
END_TEST

START_TEST(dropped_connections_are_retried_then_eremote)
{
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.max_retries = 2;
	o.backoff_ms = 10;
	oyl_embedder *e = make(o);
	float v[2];
	script1((stub_reply){STUB_CLOSE, 0, NULL, NULL, 0});
	const char *words[] = {"after 3 attempts", NULL};
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words);
	ck_assert_int_eq(stub_requests(srv), 3);
	/* half a body, then the connection cut: the same */
	script1((stub_reply){STUB_HALF, 200, NULL, OK_1X2, 0});
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words);
	ck_assert_int_eq(stub_requests(srv), 3);
	/* one cut, then an answer */
	stub_reply r[] = {{STUB_HALF, 200, NULL, OK_1X2, 0}, {STUB_ANSWER, 200, NULL, OK_1X2, 0}};
	stub_script(srv, r, 2);
	ck_assert_int_eq(embed1(e, v), OYL_OK);
	ck_assert_int_eq(stub_requests(srv), 2);
	assert_usable(e);
	oyl_embedder_free(e);

	/* no server at all: refused connections, retried the same */
	o.max_retries = 1;
	char url[64];
	snprintf(url, sizeof url, "%s", stub_url(srv));
	stub_stop(srv);
	o.base_url = url;
	e = make(o);
	const char *words2[] = {"after 2 attempts", NULL};
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words2);
	oyl_embedder_free(e);
	srv = stub_start();
}
END_TEST

START_TEST(the_api_key_is_sent_and_never_told)
{
	static const char key[] = "sk-test-SECRET-0123456789";
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.api_key = key;
	o.backoff_ms = 10;
	oyl_embedder *e = make(o);
	assert_usable(e);
	char head[4096];
	stub_last_head(srv, head, sizeof head);
	ck_assert_msg(strstr(head, "\r\nAuthorization: Bearer sk-test-SECRET-0123456789\r\n"), "%s",
		      head);
	/* a server that echoes the key: the message masks it */
	script1((stub_reply){STUB_ANSWER, 401, NULL,
			     "{\"error\":{\"message\":\"Incorrect API key provided: "
			     "sk-test-SECRET-0123456789\"}}",
			     0});
	float v[2];
	const char *words[] = {"401", "Incorrect API key", NULL};
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words);
	ck_assert_msg(!strstr(e->errmsg(e), "SECRET"), "%s", e->errmsg(e));
	ck_assert_int_eq(stub_requests(srv), 1);
	script1((stub_reply){STUB_ANSWER, 500, NULL, key, 0});
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words + 2);
	ck_assert_msg(!strstr(e->errmsg(e), "SECRET"), "%s", e->errmsg(e));
	assert_usable(e);
	oyl_embedder_free(e);

	/* a short key is masked too */
	o.api_key = "k*";
	e = make(o);
	script1((stub_reply){STUB_ANSWER, 403, NULL, "{\"error\":\"bad key k* k*\"}", 0});
	const char *words2[] = {"403", "bad key ** **", NULL};
	assert_failed(e, embed1(e, v), OYL_EREMOTE, words2);
	oyl_embedder_free(e);
}
END_TEST

START_TEST(bad_options_are_einval)
{
	oyl_embedder *e = (oyl_embedder *)&e;
	ck_assert_int_eq(oyl_http_embedder_new(NULL, &e, errbuf, sizeof errbuf), OYL_EINVAL);
	ck_assert_ptr_null(e);
	ck_assert(strstr(errbuf, "options"));
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.base_url = "http://127.0.0.1:1";
	o.model = "m";
	ck_assert_int_eq(oyl_http_embedder_new(&o, NULL, errbuf, sizeof errbuf), OYL_EMISUSE);
#define BAD(stmt, field)                                                                           \
	do {                                                                                       \
		oyl_http_embedder_options b = o;                                                   \
		stmt;                                                                              \
		e = (oyl_embedder *)&e;                                                            \
		int rc = oyl_http_embedder_new(&b, &e, errbuf, sizeof errbuf);                     \
		ck_assert_msg(rc == OYL_EINVAL, "%s: %s", #stmt, oyl_status_name(rc));             \
		ck_assert_ptr_null(e);                                                             \
		ck_assert_msg(strncmp(errbuf, field, strlen(field)) == 0, "%s: %s", #stmt,         \
			      errbuf);                                                             \
	} while (0)
	BAD(b.size = 0, "oyl_http_embedder_options.size");
	BAD(b.base_url = NULL, "base_url");
	BAD(b.base_url = "ftp://example.org", "base_url");
	BAD(b.base_url = "127.0.0.1:11434", "base_url");
	BAD(b.base_url = "http://a b", "base_url");
	BAD(b.model = NULL, "model");
	BAD(b.model = "", "model");
	BAD(b.model = "\xff", "model");
	BAD(b.api_key = "sk-1\r\nX-Evil: 1", "api_key");
	BAD(b.dimension = 100000, "dimension");
	BAD(b.batch_size = 5000, "batch_size");
	BAD(b.connect_timeout_ms = -1, "connect_timeout_ms");
	BAD(b.timeout_ms = -5, "timeout_ms");
	BAD(b.max_retries = -2, "max_retries");
	BAD(b.max_retries = 21, "max_retries");
	BAD(b.backoff_ms = -1, "backoff_ms");
	BAD(b.backoff_ms = 30001, "backoff_ms");
#undef BAD
	/* the api key is never quoted, even when refused */
	o.api_key = "sk-SECRET\n";
	ck_assert_int_eq(oyl_http_embedder_new(&o, &e, errbuf, sizeof errbuf), OYL_EINVAL);
	ck_assert(!strstr(errbuf, "SECRET"));
	/* an older host's smaller struct: the fields it lacks keep their defaults */
	o.api_key = NULL;
	o.size = offsetof(oyl_http_embedder_options, dimension);
	o.dimension = 99999; /* beyond the size: not read */
	ck_assert_int_eq(oyl_http_embedder_new(&o, &e, errbuf, sizeof errbuf), OYL_OK);
	ck_assert_uint_eq(e->dimension(e), 0);
	oyl_embedder_free(e);
	oyl_embedder_free(NULL);

	/* bad texts: refused before anything is sent */
	const char *t[] = {"ok", "\xc0\x80"};
	size_t n[] = {2, 2};
	float v[4];
	const char *words[] = {"text 1", "UTF-8", NULL};
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_1X2, 0});
	assert_failed(emb, emb->embed(emb, t, n, 2, v, 4), OYL_EINVAL, words);
	ck_assert_int_eq(stub_requests(srv), 0);
	assert_usable(emb);
}
END_TEST

START_TEST(more_texts_than_a_batch_are_split)
{
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.batch_size = 2;
	oyl_embedder *e = make(o);
	ck_assert_uint_eq(e->batch_size(e), 2);
	stub_reply r[] = {
		{STUB_ANSWER, 200, NULL,
		 "{\"data\":[{\"index\":1,\"embedding\":[3,4]},{\"index\":0,\"embedding\":[1,2]}]}",
		 0},
		{STUB_ANSWER, 200, NULL, "{\"data\":[{\"index\":0,\"embedding\":[5,6]}]}", 0}};
	stub_script(srv, r, 2);
	float out[6] = {0};
	ck_assert_int_eq(e->embed(e, texts3, lens3, 3, out, 6), OYL_OK);
	ck_assert_int_eq(stub_requests(srv), 2);
	for (int i = 0; i < 6; i++)
		ck_assert(out[i] == (float)(i + 1));
	oyl_embedder_free(e);
}
END_TEST

START_TEST(out_of_memory_is_enomem_and_nothing_leaks)
{
	oyl_embedder_free(emb); /* made with the default allocator */
	fault_alloc_install();
	cJSON_InitHooks(NULL); /* only liboyl's own allocations fail */
	oyl_http_embedder_options o = OYL_HTTP_EMBEDDER_OPTIONS_INIT;
	o.base_url = stub_url(srv);
	o.model = "m";
	o.api_key = "sk-x";
	for (long fail = 1;; fail++) {
		fault_alloc_arm(fail, 0);
		int rc = oyl_http_embedder_new(&o, &emb, errbuf, sizeof errbuf);
		int fired = fault_alloc_fired();
		fault_alloc_arm(0, 0);
		ck_assert_int_eq(rc, fired ? OYL_ENOMEM : OYL_OK);
		if (!fired)
			break;
		ck_assert_ptr_null(emb);
		ck_assert_int_eq(fault_alloc_live(), 0);
	}
	long live = fault_alloc_live();
	script1((stub_reply){STUB_ANSWER, 200, NULL, OK_3X2, 0});
	for (long fail = 1;; fail++) {
		float out[6];
		fault_alloc_arm(fail, 0);
		int rc = emb->embed(emb, texts3, lens3, 3, out, 6);
		int fired = fault_alloc_fired();
		fault_alloc_arm(0, 0);
		ck_assert_msg(rc == (fired ? OYL_ENOMEM : OYL_OK), "fail %ld: %s: %s", fail,
			      oyl_status_name(rc), emb->errmsg(emb));
		ck_assert_int_eq(fault_alloc_live(), live);
		if (!fired)
			break;
	}
	oyl_embedder_free(emb);
	emb = NULL;
	ck_assert_int_eq(fault_alloc_live(), 0);
	oyl_set_allocator(NULL);
}
END_TEST

/* A receiver: keeps what it is given; stops once it holds stop_at bytes. */
typedef struct got {
	char buf[256];
	size_t len;
	size_t stop_at;
} got;

static int receive(void *ctx, const char *data, size_t n)
{
	got *g = ctx;
	ck_assert(g->len + n < sizeof g->buf);
	memcpy(g->buf + g->len, data, n);
	g->len += n;
	g->buf[g->len] = '\0';
	return g->stop_at && g->len >= g->stop_at ? OYL_ECANCELED : 0;
}

START_TEST(the_http_layer_streams_and_bounds_answers)
{
	oyl__http *h = oyl__http_new();
	ck_assert_ptr_nonnull(h);
	char url[128];
	snprintf(url, sizeof url, "%s/x", stub_url(srv));
	oyl__http_request req = {.url = url,
				 .body = "{}",
				 .body_len = 2,
				 .connect_timeout_ms = 1000,
				 .timeout_ms = 5000,
				 .max_retries = 2,
				 .backoff_ms = 10};
	oyl__http_answer a;
	char msg[256];

	/* the default receiver collects the answer */
	script1((stub_reply){STUB_ANSWER, 200, NULL, "hello world", 0});
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_OK);
	ck_assert_str_eq(a.body, "hello world");
	ck_assert_uint_eq(a.len, 11);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(a.attempts, 1);
	oyl__http_answer_clear(&a);
	/* ... up to its bound */
	req.max_body = 5;
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_EREMOTE);
	ck_assert_msg(strstr(msg, "larger than 5 bytes"), "%s", msg);
	ck_assert_ptr_null(a.body);
	ck_assert_int_eq(a.attempts, 1);
	oyl__http_answer_clear(&a);
	req.max_body = 0;

	/* a receiver gets the bytes instead */
	got g = {0};
	req.sink = receive;
	req.sink_ctx = &g;
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_OK);
	ck_assert_str_eq(g.buf, "hello world");
	ck_assert_ptr_null(a.body);
	oyl__http_answer_clear(&a);
	/* ... and may stop the transfer with its own status */
	g = (got){.stop_at = 1};
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_ECANCELED);
	ck_assert_msg(strstr(msg, "receiver stopped"), "%s", msg);
	oyl__http_answer_clear(&a);
	/* a cut after bytes were given is not retried: they cannot be taken back */
	g = (got){0};
	script1((stub_reply){STUB_HALF, 200, NULL, "hello world", 0});
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_EREMOTE);
	ck_assert_int_eq(stub_requests(srv), 1);
	ck_assert_str_eq(g.buf, "hello");
	oyl__http_answer_clear(&a);
	/* an error answer never reaches the receiver, and is retried */
	g = (got){0};
	script1((stub_reply){STUB_ANSWER, 503, NULL, "{\"error\":{\"message\":\"overloaded\"}}",
			     0});
	ck_assert_int_eq(oyl__http_post(h, &req, &a, msg, sizeof msg), OYL_EREMOTE);
	ck_assert_str_eq(msg, "HTTP 503: overloaded (after 3 attempts)");
	ck_assert_int_eq(a.status, 503);
	ck_assert_int_eq(a.attempts, 3);
	ck_assert_uint_eq(g.len, 0);
	oyl__http_answer_clear(&a);
	oyl__http_free(h);

	/* error texts: the OpenAI object, a plain "error" string, else the start, printable */
	char text[256];
	oyl__http_error_text("{\"error\":\"plain\"}", 17, text, sizeof text);
	ck_assert_str_eq(text, "plain");
	oyl__http_error_text("a\r\n\tb\x7f\xc3\xa9", 8, text, sizeof text);
	ck_assert_str_eq(text, "a b???");
	char big[300];
	memset(big, 'x', sizeof big);
	oyl__http_error_text(big, sizeof big, text, sizeof text);
	ck_assert_uint_eq(strlen(text), 200);
	oyl__http_error_text(big, sizeof big, text, 10);
	ck_assert_uint_eq(strlen(text), 9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http_embedder");
	TCase *tc = tcase_create("http_embedder");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vectors_are_placed_by_index);
	tcase_add_test(tc, a_v1_base_url_is_not_doubled);
	tcase_add_test(tc, a_500_is_retried);
	tcase_add_test(tc, a_429_waits_for_retry_after);
	tcase_add_test(tc, a_400_is_not_retried);
	tcase_add_test(tc, a_stall_past_the_timeout_is_etimeout);
	tcase_add_test(tc, malformed_answers_are_eremote);
	tcase_add_test(tc, a_wrong_dimension_is_eremote);
	tcase_add_test(tc, a_wrong_count_is_eremote);
	tcase_add_test(tc, dropped_connections_are_retried_then_eremote);
	tcase_add_test(tc, the_api_key_is_sent_and_never_told);
	tcase_add_test(tc, bad_options_are_einval);
	tcase_add_test(tc, more_texts_than_a_batch_are_split);
	tcase_add_test(tc, out_of_memory_is_enomem_and_nothing_leaks);
	tcase_add_test(tc, the_http_layer_streams_and_bounds_answers);
	suite_add_tcase(s, tc);
	return t_run(s);
}
