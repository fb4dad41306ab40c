/*
 * A scripted HTTP/1.1 server for client tests: a thread on 127.0.0.1
 * (port chosen by the kernel) that answers each request with the next
 * reply of its script — the last one repeats — and records what it got.
 * One connection at a time; every answer closes its connection.
 */
#ifndef OYL_TEST_STUB_HTTP_H
#define OYL_TEST_STUB_HTTP_H

#include <stddef.h>

typedef enum stub_action {
	STUB_ANSWER = 0, /* status, headers, body */
	STUB_STALL,      /* wait stall_ms (or until the client leaves), then answer */
	STUB_CLOSE,      /* read the request, close without a byte */
	STUB_HALF,       /* send the headers and half the body, then close */
	STUB_DRIP        /* send the headers, then the body in pieces (stub_drip) */
} stub_action;

typedef struct stub_reply {
	stub_action action;
	int status;          /* 0: 200 */
	const char *headers; /* extra header lines, each ending in \r\n; NULL: none */
	const char *body;    /* NULL: "" */
	int stall_ms;
} stub_reply;

typedef struct stub stub;

/* Starts the server with no script (it answers 500 until given one). */
stub *stub_start(void);
/* Stops the thread and frees everything; NULL is fine. */
void stub_stop(stub *s);
/* "http://127.0.0.1:<port>" */
const char *stub_url(stub *s);
/* Replaces the script (copied) and clears the request count and records. */
void stub_script(stub *s, const stub_reply *replies, size_t n);
/*
 * How STUB_DRIP replies send their body (as text/event-stream, with its
 * whole Content-Length): `piece` bytes at a time with `pause_ms` between
 * pieces (a client that leaves ends it); when cut > 0, only the first
 * `cut` bytes, then the connection closes.  Kept until changed;
 * stub_start sets 1 byte, 1 ms, no cut.
 */
void stub_drip(stub *s, size_t piece, int pause_ms, size_t cut);
/* Requests received since the last stub_script. */
int stub_requests(stub *s);
/* The latest request's request line and headers, and its body, copied into out. */
void stub_last_head(stub *s, char *out, size_t out_size);
void stub_last_body(stub *s, char *out, size_t out_size);

#endif
