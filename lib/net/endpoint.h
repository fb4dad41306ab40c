/*
 * A model server's endpoint, as the HTTP clients (the embedder and the
 * chat provider) hold it: the URL of one API path under the host's base
 * URL, the bearer header of the API key, the request every call starts
 * from (timeouts, retries), and the last failure's message, the key never
 * in it.  Built with libcurl only.
 */
#ifndef OYL_NET_ENDPOINT_H
#define OYL_NET_ENDPOINT_H

#include "net/http.h"

#define OYL__ENDPOINT_ERRMSG_MAX 512

typedef struct oyl__endpoint_options {
	const char *base_url;                                            /* http:// or https:// */
	const char *api_key;                                             /* NULL or "": none */
	int32_t connect_timeout_ms, timeout_ms, max_retries, backoff_ms; /* 0 / -1: defaults */
	int32_t default_timeout_ms; /* the client's (a stream runs longer than an embedding) */
} oyl__endpoint_options;

typedef struct oyl__endpoint {
	oyl__http *http;
	char *url;
	char *auth;            /* "Authorization: Bearer <key>", or NULL; wiped when closed */
	const char *key;       /* inside auth: masked in messages */
	oyl__http_request req; /* url, headers, timeouts, retries: the same every call */
	char errmsg[OYL__ENDPOINT_ERRMSG_MAX];
} oyl__endpoint;

/* 1 when s has only printable ASCII (no space unless `spaces`). */
int oyl__printable_ascii(const char *s, int spaces);

/* OYL_OK, or OYL_EINVAL with a message naming the field in errbuf:
 * base_url, api_key, the timeouts, max_retries, backoff_ms. */
int oyl__endpoint_check(const oyl__endpoint_options *o, char *errbuf, size_t errbuf_size);

/* Opens the endpoint of `path` ("embeddings", "chat/completions"): posted
 * to base_url + "/v1/" + path, or + "/" + path when base_url already ends
 * in /v1.  OYL_OK or OYL_ENOMEM (e is then closed). */
int oyl__endpoint_open(oyl__endpoint *e, const oyl__endpoint_options *o, const char *path);

/* Frees what it holds, the key wiped. */
void oyl__endpoint_close(oyl__endpoint *e);

/*
 * The arguments of a public constructor (oyl_http_embedder_new, ...):
 * `out` (a pointer's address) set to NULL, `opts` present with its size
 * set, and copied over `copy` (the defaults: an older host's smaller
 * struct keeps the defaults of the fields it lacks).  OYL_OK, or the
 * status with the message in errbuf naming `fn`, `type` and `init`.
 */
int oyl__endpoint_args(const char *fn, const char *type, const char *init, const void *opts,
		       void *copy, size_t copy_size, void *out, char *errbuf, size_t errbuf_size);

/* Writes a failure's message (printf), every copy of the key masked (a
 * server may echo it); returns rc. */
int oyl__endpoint_fail(oyl__endpoint *e, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
