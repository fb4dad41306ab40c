/*
 * An incremental parser of server-sent events (the text/event-stream
 * format of the HTML standard), for streamed chat completions: fed the
 * answer in pieces cut anywhere, it hands each complete event's data to
 * a callback.
 *
 * Lines end in CRLF, LF or CR; "data:" lines accumulate (joined by \n);
 * lines starting with ':' are comments; a blank line ends the event.
 * Other fields (event, id, retry) are read and ignored.  An event the
 * stream ends inside is never dispatched.  Splitting happens only on the
 * ASCII bytes \r, \n and ':', which never occur inside a multi-byte
 * UTF-8 character, so a character cut between pieces arrives whole.
 */
#ifndef OYL_CHAT_SSE_H
#define OYL_CHAT_SSE_H

#include <stddef.h>

/* The longest line, and the most data of one event, unless told. */
#define OYL__SSE_MAX_LINE ((size_t)1 << 20)

/*
 * Receives one event's data: `len` bytes, NUL-terminated at data[len]
 * (NUL bytes may occur inside).  Returns 0 to go on; anything else stops
 * the parser, and oyl__sse_feed returns it.
 */
typedef int (*oyl__sse_event_fn)(void *ctx, const char *data, size_t len);

typedef struct oyl__sse {
	oyl__sse_event_fn on_event;
	void *ctx;
	size_t max_line;
	char *line; /* the unfinished line */
	size_t line_len, line_cap;
	char *data; /* the unfinished event's data, each line followed by \n */
	size_t data_len, data_cap;
	int after_cr; /* the last byte ended a line with CR: a LF next ends nothing */
	int first;    /* the next line is the stream's first (it may start with a BOM) */
	int rc;       /* once not 0, every feed returns it */
} oyl__sse;

/* A parser calling on_event(ctx, ...); max_line 0: OYL__SSE_MAX_LINE. */
void oyl__sse_init(oyl__sse *p, oyl__sse_event_fn on_event, void *ctx, size_t max_line);

/*
 * Parses n more bytes, calling on_event for every event they complete.
 * Returns 0; the callback's non-zero value; OYL_ENOMEM; or OYL_EREMOTE
 * for a line, or an event's data, longer than max_line.  After a
 * non-zero return the parser is stopped and returns the same again.
 */
int oyl__sse_feed(oyl__sse *p, const char *bytes, size_t n);

/* 1 when bytes of an unfinished line or event are held (the stream was cut inside one). */
int oyl__sse_pending(const oyl__sse *p);

/* Frees what the parser holds; it may be initialised again. */
void oyl__sse_clear(oyl__sse *p);

#endif
