/* A model server's endpoint (endpoint.h). */
#include "net/endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/internal.h"
#include "identity/secret.h"

#define MAX_URL 2048
#define MAX_KEY 4096
#define MAX_TIMEOUT_MS (24 * 3600 * 1000)
#define MAX_RETRIES 20
#define BEARER "Authorization: Bearer "

int oyl__printable_ascii(const char *s, int spaces)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 - (spaces ? 1 : 0) || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int oyl__endpoint_check(const oyl__endpoint_options *o, char *errbuf, size_t errbuf_size)
{
	const char *bad = NULL;
	if (!o->base_url ||
	    (strncmp(o->base_url, "http://", 7) != 0 && strncmp(o->base_url, "https://", 8) != 0))
		bad = "base_url: must start with http:// or https://";
	else if (strlen(o->base_url) > MAX_URL || !oyl__printable_ascii(o->base_url, 0))
		bad = "base_url: must be at most 2048 printable ASCII characters, no spaces";
	else if (o->api_key &&
		 (strlen(o->api_key) > MAX_KEY || !oyl__printable_ascii(o->api_key, 0)))
		bad = "api_key: must be at most 4096 printable ASCII characters, no spaces";
	else if (o->connect_timeout_ms < 0 || o->connect_timeout_ms > MAX_TIMEOUT_MS)
		bad = "connect_timeout_ms: must be 0 (default 5000) to one day";
	else if (o->timeout_ms < 0 || o->timeout_ms > MAX_TIMEOUT_MS) {
		snprintf(errbuf, errbuf_size, "timeout_ms: must be 0 (default %d) to one day",
			 (int)o->default_timeout_ms);
		return OYL_EINVAL;
	} else if (o->max_retries < -1 || o->max_retries > MAX_RETRIES)
		bad = "max_retries: must be -1 (default 3) to 20";
	else if (o->backoff_ms < 0 || o->backoff_ms > OYL__HTTP_MAX_BACKOFF_MS)
		bad = "backoff_ms: must be 0 (default 500) to 30000";
	if (!bad)
		return OYL_OK;
	snprintf(errbuf, errbuf_size, "%s", bad);
	return OYL_EINVAL;
}

int oyl__endpoint_args(const char *fn, const char *type, const char *init, const void *opts,
		       void *copy, size_t copy_size, void *out, char *errbuf, size_t errbuf_size)
{
	errbuf[0] = '\0';
	if (!out) {
		snprintf(errbuf, errbuf_size, "%s: NULL out-pointer", fn);
		return OYL_EMISUSE;
	}
	*(void **)out = NULL;
	if (!opts) {
		snprintf(errbuf, errbuf_size, "%s: options are required (base_url, model)", fn);
		return OYL_EINVAL;
	}
	uint32_t size;
	memcpy(&size, opts, sizeof size); /* every options struct starts with its size */
	if (size < sizeof size) {
		snprintf(errbuf, errbuf_size, "%s.size is not set (use %s)", type, init);
		return OYL_EINVAL;
	}
	memcpy(copy, opts, size < copy_size ? size : copy_size);
	return OYL_OK;
}

/* base_url + "/v1/" + path, without doubling a trailing /v1 or slash. */
static char *url_of(const char *base, const char *path)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	const char *v1 = n >= 3 && memcmp(base + n - 3, "/v1", 3) == 0 ? "/" : "/v1/";
	size_t size = n + strlen(v1) + strlen(path) + 1;
	char *url = oyl__malloc(size);
	if (url)
		snprintf(url, size, "%.*s%s%s", (int)n, base, v1, path);
	return url;
}

int oyl__endpoint_open(oyl__endpoint *e, const oyl__endpoint_options *o, const char *path)
{
	memset(e, 0, sizeof *e);
	e->http = oyl__http_new();
	e->url = url_of(o->base_url, path);
	if (o->api_key && o->api_key[0]) {
		size_t size = sizeof BEARER + strlen(o->api_key);
		if ((e->auth = oyl__malloc(size))) {
			snprintf(e->auth, size, "%s%s", BEARER, o->api_key);
			e->key = e->auth + strlen(BEARER);
		}
	}
	if (!e->http || !e->url || (o->api_key && o->api_key[0] && !e->auth)) {
		oyl__endpoint_close(e);
		return OYL_ENOMEM;
	}
	e->req.url = e->url;
	e->req.headers = (const char *const *)&e->auth;
	e->req.nheaders = e->auth ? 1 : 0;
	e->req.connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
	e->req.timeout_ms = o->timeout_ms ? o->timeout_ms : o->default_timeout_ms;
	e->req.max_retries = o->max_retries >= 0 ? o->max_retries : 3;
	e->req.backoff_ms = o->backoff_ms ? o->backoff_ms : 500;
	return OYL_OK;
}

void oyl__endpoint_close(oyl__endpoint *e)
{
	oyl__http_free(e->http);
	if (e->auth) {
		oyl__wipe(e->auth, strlen(e->auth));
		oyl__free(e->auth);
	}
	oyl__free(e->url);
	oyl__wipe(e->errmsg, sizeof e->errmsg);
	memset(e, 0, sizeof *e);
}

/* Replaces every copy of the key in the message. */
static void mask_key(oyl__endpoint *e)
{
	size_t klen = e->key ? strlen(e->key) : 0;
	if (!klen)
		return;
	static const char mask[] = "[api key]";
	for (char *p = strstr(e->errmsg, e->key); p; p = strstr(p, e->key)) {
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

int oyl__endpoint_fail(oyl__endpoint *e, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
	va_end(ap);
	mask_key(e);
	return rc;
}
