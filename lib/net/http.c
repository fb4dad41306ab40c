/*
 * HTTP POST over libcurl's easy interface (net/http.h).
 *
 * libcurl allocates with its own defaults (curl_global_init, not
 * curl_global_init_mem: its memory hooks are process-wide and belong to
 * the host, like SQLite's and cJSON's).  Our own buffers, and the header
 * list we hand to libcurl, come from the library's allocator.
 */
#include "net/http.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

/* Of a failed answer only the start is kept: enough for its error text. */
#define ERROR_BODY_MAX ((size_t)64 << 10)
/* The raw text quoted when an error body is not an OpenAI error object. */
#define ERROR_QUOTE_MAX 200

struct oyl__http {
	CURL *curl; /* kept between requests: its connection stays alive */
};

/* curl_global_init is not thread-safe before 7.84: once per process, and
 * never cleaned up (a library cannot know the host is done with curl). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

oyl__http *oyl__http_new(void)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	oyl__http *h = oyl__calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->curl = curl_easy_init();
	if (!h->curl) {
		oyl__free(h);
		return NULL;
	}
	return h;
}

void oyl__http_free(oyl__http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	oyl__free(h);
}

void oyl__http_answer_clear(oyl__http_answer *a)
{
	if (!a)
		return;
	oyl__free(a->body);
	*a = (oyl__http_answer){0};
}

/* ---- one attempt ---------------------------------------------------- */

typedef struct attempt {
	const oyl__http_request *req;
	long status;         /* from the latest status line */
	long retry_after_ms; /* -1: no Retry-After */
	char *buf;           /* collected answer (or error body), NUL-terminated */
	size_t len, cap;
	int delivered; /* the receiver has been given bytes */
	int stop_rc;   /* why we stopped the transfer (0: we did not) */
	int too_large; /* ... because the answer passed OYL__HTTP_MAX_BODY */
} attempt;

static int is_success(long status)
{
	return status >= 200 && status < 300;
}

/* Appends to the attempt's buffer; 0, or an oyl_status. */
static int collect(attempt *a, const char *data, size_t n, size_t limit)
{
	if (n > limit - a->len)
		return OYL_EREMOTE;
	if (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 4096;
		while (cap < a->len + n + 1)
			cap *= 2;
		char *p = oyl__realloc(a->buf, cap);
		if (!p)
			return OYL_ENOMEM;
		a->buf = p;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, data, n);
	a->len += n;
	a->buf[a->len] = '\0';
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	attempt *a = ctx;
	size_t n = size * nmemb;
	int rc;
	if (!is_success(a->status)) {
		/* keep the start of an error body, read the rest away */
		size_t keep = a->len < ERROR_BODY_MAX ? ERROR_BODY_MAX - a->len : 0;
		rc = collect(a, data, n < keep ? n : keep, ERROR_BODY_MAX);
	} else if (a->req->sink) {
		a->delivered = 1;
		rc = a->req->sink(a->req->sink_ctx, data, n);
	} else {
		rc = collect(a, data, n, a->req->max_body ? a->req->max_body : OYL__HTTP_MAX_BODY);
		a->too_large = rc == OYL_EREMOTE;
	}
	if (rc) {
		a->stop_rc = rc;
		return n ? 0 : 1; /* anything but n stops libcurl */
	}
	return n;
}

/* Digits of [p, end) as a number (at most 9 of them); -1 when none or others. */
static long parse_digits(const char *p, const char *end)
{
	long v = 0;
	int digits = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return digits ? v : -1;
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *ctx)
{
	attempt *a = ctx;
	size_t n = size * nitems;
	const char *end = line + n;
	while (end > line && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (n > 5 && memcmp(line, "HTTP/", 5) == 0) {
		/* a new status line (after 100 Continue, or a new answer) */
		const char *sp = memchr(line, ' ', (size_t)(end - line));
		const char *code = sp ? skip_spaces(sp, end) : end;
		const char *code_end = code;
		while (code_end < end && *code_end >= '0' && *code_end <= '9')
			code_end++;
		a->status = parse_digits(code, code_end);
		a->retry_after_ms = -1;
		a->len = 0;
	} else if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		/* seconds only: the HTTP-date form falls back to our backoff */
		const char *v = skip_spaces(line + 12, end);
		long s = parse_digits(v, end);
		if (s >= 0) {
			const char *after = v;
			while (after < end && *after >= '0' && *after <= '9')
				after++;
			if (after == end)
				a->retry_after_ms = s > OYL__HTTP_MAX_BACKOFF_MS / 1000
							    ? OYL__HTTP_MAX_BACKOFF_MS
							    : s * 1000;
		}
	}
	return n;
}

/* ---- messages ------------------------------------------------------- */

/* Copies text into out, printable ASCII only, on one line. */
static void printable(const char *s, size_t n, char *out, size_t out_size)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < out_size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		if (c == ' ' && (j == 0 || out[j - 1] == ' '))
			continue;
		out[j++] = (char)c;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

void oyl__http_error_text(const char *body, size_t len, char *out, size_t out_size)
{
	if (!out_size)
		return;
	out[0] = '\0';
	if (!body || !len)
		return;
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *msg =
		cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : err;
	if (cJSON_IsString(msg) && msg->valuestring[0])
		printable(msg->valuestring, strlen(msg->valuestring), out, out_size);
	else
		printable(body, len < ERROR_QUOTE_MAX ? len : ERROR_QUOTE_MAX, out, out_size);
	cJSON_Delete(j);
}

/* ---- the request ---------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static int retryable_curl(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
	       cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE;
}

/*
 * The header list, in nodes of our own allocation (libcurl only reads
 * it): Content-Type, no "Expect: 100-continue" round trip, then the
 * caller's.
 */
static struct curl_slist *header_list(const oyl__http_request *req)
{
	static char content_type[] = "Content-Type: application/json";
	static char no_expect[] = "Expect:";
	size_t n = 2 + req->nheaders;
	struct curl_slist *l = oyl__calloc(n, sizeof *l);
	if (!l)
		return NULL;
	l[0].data = content_type;
	l[1].data = no_expect;
	for (size_t i = 0; i < req->nheaders; i++)
		l[2 + i].data = (char *)req->headers[i];
	for (size_t i = 0; i + 1 < n; i++)
		l[i].next = &l[i + 1];
	return l;
}

static void set_options(CURL *c, const oyl__http_request *req, struct curl_slist *headers,
			attempt *a, char *curl_err)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a host's threads */
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
}

/*
 * Writes the message of a failed attempt; returns its status and, in
 * *retry, whether another attempt may help.
 */
static int judge(const attempt *a, CURLcode cc, const char *curl_err, char *errbuf,
		 size_t errbuf_size, int *retry)
{
	*retry = 0;
	if (a->stop_rc == OYL_ENOMEM) {
		snprintf(errbuf, errbuf_size, "out of memory reading the answer");
		return OYL_ENOMEM;
	}
	if (a->too_large) {
		size_t max = a->req->max_body ? a->req->max_body : OYL__HTTP_MAX_BODY;
		if (max >= (1u << 20))
			snprintf(errbuf, errbuf_size, "the answer is larger than %zu MiB",
				 max >> 20);
		else
			snprintf(errbuf, errbuf_size, "the answer is larger than %zu bytes", max);
		return OYL_EREMOTE;
	}
	if (a->stop_rc) {
		snprintf(errbuf, errbuf_size, "the answer's receiver stopped it (%s)",
			 oyl_status_name(a->stop_rc));
		return a->stop_rc;
	}
	const char *why = curl_err[0] ? curl_err : curl_easy_strerror(cc);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(errbuf, errbuf_size, "timed out: %s", why);
		return OYL_ETIMEOUT;
	}
	if (cc == CURLE_OUT_OF_MEMORY) {
		snprintf(errbuf, errbuf_size, "out of memory in libcurl");
		return OYL_ENOMEM;
	}
	if (cc != CURLE_OK) {
		*retry = retryable_curl(cc) && !a->delivered;
		snprintf(errbuf, errbuf_size, "%s", why);
		return OYL_EREMOTE;
	}
	/* a complete answer that is not a success */
	char text[256];
	oyl__http_error_text(a->buf, a->len, text, sizeof text);
	*retry = a->status == 429 || a->status >= 500;
	if (text[0])
		snprintf(errbuf, errbuf_size, "HTTP %ld: %s", a->status, text);
	else
		snprintf(errbuf, errbuf_size, "HTTP %ld with no error text", a->status);
	return OYL_EREMOTE;
}

static long backoff_ms(const oyl__http_request *req, const attempt *a, int retry_no)
{
	if (a->retry_after_ms >= 0)
		return a->retry_after_ms;
	long ms = req->backoff_ms;
	for (int i = 0; i < retry_no && ms < OYL__HTTP_MAX_BACKOFF_MS; i++)
		ms *= 2;
	return ms < OYL__HTTP_MAX_BACKOFF_MS ? ms : OYL__HTTP_MAX_BACKOFF_MS;
}

int oyl__http_post(oyl__http *h, const oyl__http_request *req, oyl__http_answer *answer,
		   char *errbuf, size_t errbuf_size)
{
	*answer = (oyl__http_answer){0};
	errbuf[0] = '\0';
	struct curl_slist *headers = header_list(req);
	if (!headers) {
		snprintf(errbuf, errbuf_size, "out of memory");
		return OYL_ENOMEM;
	}
	char curl_err[CURL_ERROR_SIZE];
	attempt a = {.req = req};
	int rc;
	for (int retry_no = 0;; retry_no++) {
		a.status = 0;
		a.retry_after_ms = -1;
		a.len = 0;
		a.stop_rc = 0;
		a.too_large = 0;
		curl_err[0] = '\0';
		set_options(h->curl, req, headers, &a, curl_err);
		CURLcode cc = curl_easy_perform(h->curl);
		answer->attempts++;
		long status = 0;
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		answer->status = status;
		a.status = status;
		if (cc == CURLE_OK && !a.stop_rc && is_success(status)) {
			rc = OYL_OK;
			break;
		}
		int retry;
		rc = judge(&a, cc, curl_err, errbuf, errbuf_size, &retry);
		if (!retry || retry_no >= req->max_retries)
			break;
		sleep_ms(backoff_ms(req, &a, retry_no));
	}
	/* libcurl must not keep pointers into memory we free */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	oyl__free(headers);
	if (rc == OYL_OK && !req->sink) {
		answer->body = a.buf;
		answer->len = a.len;
		if (!answer->body) /* an empty answer is still a string */
			answer->body = oyl__strdup("");
		if (!answer->body) {
			snprintf(errbuf, errbuf_size, "out of memory");
			return OYL_ENOMEM;
		}
		return OYL_OK;
	}
	oyl__free(a.buf);
	if (rc != OYL_OK && answer->attempts > 1) {
		size_t used = strlen(errbuf);
		snprintf(errbuf + used, errbuf_size - used, " (after %d attempts)",
			 answer->attempts);
	}
	return rc;
}
