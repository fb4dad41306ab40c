/* The scripted HTTP server of tests/stub_http.h. */
#include "stub_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAX (4 << 20)

struct stub {
	int listen_fd;
	int stop_pipe[2]; /* written to stop the thread */
	pthread_t thread;
	char url[64];
	pthread_mutex_t lock;
	stub_reply *script; /* guarded by lock, as are the fields below */
	size_t nscript;
	int requests;
	char *head, *body; /* the latest request's */
	size_t drip_piece, drip_cut; /* how STUB_DRIP sends (stub_drip) */
	int drip_pause_ms;
};

static void fail_hard(const char *what)
{
	perror(what);
	abort();
}

/* Waits up to ms for fd to be readable; 1 readable, 0 timed out, -1 stop asked. */
static int wait_readable(stub *s, int fd, int ms)
{
	struct pollfd p[2] = {{fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
	int r;
	while ((r = poll(p, 2, ms)) < 0 && errno == EINTR)
		;
	if (r < 0)
		fail_hard("stub: poll");
	if (p[1].revents)
		return -1;
	return r > 0 ? 1 : 0;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the client left: nothing to tell it */
		p += w;
		n -= (size_t)w;
	}
}

/* Reads one request (head and Content-Length body); 0 on success. */
static int read_request(stub *s, int fd, char *buf, size_t *head_len, size_t *total)
{
	size_t len = 0, need = 0;
	char *end = NULL;
	for (;;) {
		if (end && len >= need)
			break;
		if (len >= REQUEST_MAX || wait_readable(s, fd, 5000) != 1)
			return -1;
		ssize_t r = recv(fd, buf + len, REQUEST_MAX - len, 0);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			*head_len = (size_t)(end - buf);
			size_t body_len = 0;
			for (char *h = buf; h && h < end; h = strstr(h, "\r\n"), h = h ? h + 2 : h)
				if (strncasecmp(h, "Content-Length:", 15) == 0)
					body_len = strtoul(h + 15, NULL, 10);
			need = *head_len + 4 + body_len;
		}
	}
	*total = need;
	return 0;
}

static void send_head(int fd, const stub_reply *r, const char *type, size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d Scripted\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
			 r->status ? r->status : 200, type, len, r->headers ? r->headers : "");
	send_all(fd, head, (size_t)n);
}

static void answer(int fd, const stub_reply *r, int half)
{
	const char *body = r->body ? r->body : "";
	size_t len = strlen(body);
	send_head(fd, r, "application/json", len);
	send_all(fd, body, half ? len / 2 : len);
}

/* STUB_DRIP: the body in pieces, each sent on its own (no Nagle coalescing). */
static void drip(stub *s, int fd, const stub_reply *r, size_t piece, int pause_ms, size_t cut)
{
	const char *body = r->body ? r->body : "";
	size_t len = strlen(body);
	size_t end = cut && cut < len ? cut : len;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	send_head(fd, r, "text/event-stream", len);
	for (size_t at = 0; at < end; at += piece) {
		/* readable here means the client closed (it sends nothing more) */
		if (at && wait_readable(s, fd, pause_ms) != 0)
			return;
		send_all(fd, body + at, end - at < piece ? end - at : piece);
	}
}

static void serve(stub *s, int fd, char *buf)
{
	size_t head_len, total;
	if (read_request(s, fd, buf, &head_len, &total) != 0)
		return;
	pthread_mutex_lock(&s->lock);
	stub_reply r = {STUB_ANSWER, 500, NULL, "{\"error\":{\"message\":\"no script\"}}", 0};
	size_t piece = s->drip_piece, cut = s->drip_cut;
	int pause_ms = s->drip_pause_ms;
	if (s->nscript)
		r = s->script[(size_t)s->requests < s->nscript ? (size_t)s->requests
							       : s->nscript - 1];
	s->requests++;
	free(s->head);
	free(s->body);
	s->head = strndup(buf, head_len);
	s->body = strndup(buf + head_len + 4, total - head_len - 4);
	pthread_mutex_unlock(&s->lock);
	switch (r.action) {
	case STUB_STALL:
		/* readable here means the client closed (it sends nothing more) */
		if (wait_readable(s, fd, r.stall_ms) != 0)
			return;
		answer(fd, &r, 0);
		break;
	case STUB_CLOSE:
		break;
	case STUB_HALF:
		answer(fd, &r, 1);
		break;
	case STUB_DRIP:
		drip(s, fd, &r, piece, pause_ms, cut);
		break;
	default:
		answer(fd, &r, 0);
	}
}

static void *run(void *arg)
{
	stub *s = arg;
	char *buf = malloc(REQUEST_MAX + 1);
	if (!buf)
		fail_hard("stub: malloc");
	while (wait_readable(s, s->listen_fd, -1) == 1) {
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(s, fd, buf);
		close(fd);
	}
	free(buf);
	return NULL;
}

stub *stub_start(void)
{
	stub *s = calloc(1, sizeof *s);
	if (!s)
		fail_hard("stub: calloc");
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(s->listen_fd, 16) != 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0)
		fail_hard("stub: listen");
	if (pipe(s->stop_pipe) != 0)
		fail_hard("stub: pipe");
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
	pthread_mutex_init(&s->lock, NULL);
	s->drip_piece = 1;
	s->drip_pause_ms = 1;
	if (pthread_create(&s->thread, NULL, run, s) != 0)
		fail_hard("stub: pthread_create");
	return s;
}

void stub_stop(stub *s)
{
	if (!s)
		return;
	if (write(s->stop_pipe[1], "x", 1) != 1)
		fail_hard("stub: write");
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->lock);
	free(s->script);
	free(s->head);
	free(s->body);
	free(s);
}

const char *stub_url(stub *s)
{
	return s->url;
}

void stub_script(stub *s, const stub_reply *replies, size_t n)
{
	stub_reply *copy = n ? malloc(n * sizeof *copy) : NULL;
	if (n && !copy)
		fail_hard("stub: malloc");
	if (n)
		memcpy(copy, replies, n * sizeof *copy);
	pthread_mutex_lock(&s->lock);
	free(s->script);
	s->script = copy;
	s->nscript = n;
	s->requests = 0;
	free(s->head);
	free(s->body);
	s->head = s->body = NULL;
	pthread_mutex_unlock(&s->lock);
}

void stub_drip(stub *s, size_t piece, int pause_ms, size_t cut)
{
	pthread_mutex_lock(&s->lock);
	s->drip_piece = piece ? piece : 1;
	s->drip_pause_ms = pause_ms;
	s->drip_cut = cut;
	pthread_mutex_unlock(&s->lock);
}

int stub_requests(stub *s)
{
	pthread_mutex_lock(&s->lock);
	int n = s->requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void copy_out(stub *s, const char *const *field, char *out, size_t out_size)
{
	pthread_mutex_lock(&s->lock);
	snprintf(out, out_size, "%s", *field ? *field : "");
	pthread_mutex_unlock(&s->lock);
}

void stub_last_head(stub *s, char *out, size_t out_size)
{
	copy_out(s, (const char *const *)&s->head, out, out_size);
}

void stub_last_body(stub *s, char *out, size_t out_size)
{
	copy_out(s, (const char *const *)&s->body, out, out_size);
}
