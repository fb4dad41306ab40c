/*
 * A small HTTP client over libcurl's easy interface, for the model
 * servers' JSON APIs (embeddings now, streamed chat completions later):
 * POST a body, with timeouts, retries and a bounded answer.
 *
 * libcurl's own allocations (connections, TLS, its buffers) use its
 * defaults, outside the library's allocator hook; everything this layer
 * allocates itself goes through oyl__malloc (doc/embedders.md).
 *
 * One client is used by one thread at a time; it keeps its connection
 * alive between requests.
 */
#ifndef OYL_NET_HTTP_H
#define OYL_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes of a successful answer the default receiver keeps, unless told. */
#define OYL__HTTP_MAX_BODY ((size_t)64 << 20)
/* The longest wait between two attempts, whatever Retry-After says. */
#define OYL__HTTP_MAX_BACKOFF_MS 30000

typedef struct oyl__http oyl__http;

/*
 * Receives the bytes of a successful (2xx) answer as they arrive; returns
 * 0 to go on, or an oyl_status that stops the transfer and is returned by
 * oyl__http_post.  Once a receiver has been given bytes, the request is
 * never retried (they cannot be taken back).
 */
typedef int (*oyl__http_sink)(void *ctx, const char *data, size_t n);

typedef struct oyl__http_request {
	const char *url;
	const char *const *headers; /* "Name: value" lines, without CRLF */
	size_t nheaders;
	const char *body; /* sent as application/json */
	size_t body_len;
	int32_t connect_timeout_ms; /* > 0 */
	int32_t timeout_ms;         /* > 0: the whole of one attempt */
	int32_t max_retries;        /* >= 0 */
	int32_t backoff_ms;         /* > 0: before the first retry, then doubled */
	oyl__http_sink sink;        /* NULL: the answer is collected in oyl__http_answer.body */
	void *sink_ctx;
	size_t max_body; /* the collected answer's bound; 0: OYL__HTTP_MAX_BODY */
} oyl__http_request;

typedef struct oyl__http_answer {
	long status;  /* the last attempt's HTTP status; 0 when none came */
	char *body;   /* the collected answer, NUL-terminated (default receiver); oyl__free */
	size_t len;
	int attempts; /* requests sent, retries included */
} oyl__http_answer;

/* A new client; NULL when out of memory (libcurl's or ours). */
oyl__http *oyl__http_new(void);
void oyl__http_free(oyl__http *h);

/*
 * POSTs req->body to req->url; retries after 429, 5xx and failed or cut
 * connections, waiting req->backoff_ms doubled each time (Retry-After
 * wins), at most OYL__HTTP_MAX_BACKOFF_MS.  Returns OYL_OK for a 2xx
 * answer; OYL_ETIMEOUT when an attempt ran out of time; OYL_ENOMEM; the
 * receiver's status; OYL_EREMOTE for anything else, with a message in
 * errbuf giving the HTTP status and the server's error text.  `answer`
 * is filled whatever the result; clear it with oyl__http_answer_clear.
 */
int oyl__http_post(oyl__http *h, const oyl__http_request *req, oyl__http_answer *answer,
		   char *errbuf, size_t errbuf_size);

void oyl__http_answer_clear(oyl__http_answer *a);

/*
 * The server's error text of an answer body, for messages: the message
 * of an OpenAI error object {"error":{"message":...}} (or {"error":"..."}),
 * else the first 200 bytes; made printable and cut to fit `out`.
 */
void oyl__http_error_text(const char *body, size_t len, char *out, size_t out_size);

#endif
