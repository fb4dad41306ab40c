/* The server-sent events parser of chat/sse.h. */
#include "chat/sse.h"

#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

void oyl__sse_init(oyl__sse *p, oyl__sse_event_fn on_event, void *ctx, size_t max_line)
{
	*p = (oyl__sse){0};
	p->on_event = on_event;
	p->ctx = ctx;
	p->max_line = max_line ? max_line : OYL__SSE_MAX_LINE;
	p->first = 1;
}

void oyl__sse_clear(oyl__sse *p)
{
	oyl__free(p->line);
	oyl__free(p->data);
	p->line = p->data = NULL;
	p->line_len = p->line_cap = p->data_len = p->data_cap = 0;
}

int oyl__sse_pending(const oyl__sse *p)
{
	return p->line_len > 0 || p->data_len > 0;
}

/* Appends s[0..n) to a buffer of at most max bytes (+1 for a NUL); 0 or an oyl_status. */
static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n, size_t max)
{
	if (n > max - *len)
		return OYL_EREMOTE;
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + n + 1)
			c *= 2;
		char *b = oyl__realloc(*buf, c);
		if (!b)
			return OYL_ENOMEM;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* The blank line: the event's data, without its last \n, goes out (if any came). */
static int dispatch(oyl__sse *p)
{
	if (!p->data_len)
		return 0; /* no data field: nothing to dispatch */
	size_t len = p->data_len - 1;
	p->data[len] = '\0';
	p->data_len = 0; /* before the call: the callback may not come back */
	return p->on_event(p->ctx, p->data, len);
}

static int line(oyl__sse *p, const char *s, size_t n)
{
	if (n > p->max_line)
		return OYL_EREMOTE;
	if (p->first) {
		p->first = 0;
		if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
	}
	if (n == 0)
		return dispatch(p);
	if (s[0] == ':')
		return 0; /* a comment: servers send them to keep the connection alive */
	const char *colon = memchr(s, ':', n);
	size_t name_len = colon ? (size_t)(colon - s) : n;
	if (name_len != 4 || memcmp(s, "data", 4) != 0)
		return 0; /* event, id, retry and unknown fields: nothing we use */
	const char *v = colon ? colon + 1 : s + n;
	if (v < s + n && *v == ' ')
		v++;
	size_t vlen = (size_t)(s + n - v);
	/* then the \n that joins it to a next line (dropped when none comes) */
	int rc = append(&p->data, &p->data_len, &p->data_cap, v, vlen, p->max_line);
	return rc ? rc : append(&p->data, &p->data_len, &p->data_cap, "\n", 1, p->max_line);
}

int oyl__sse_feed(oyl__sse *p, const char *bytes, size_t n)
{
	size_t i = 0;
	while (!p->rc && i < n) {
		if (p->after_cr) {
			p->after_cr = 0;
			if (bytes[i] == '\n') { /* the LF of a CRLF, cut from its CR or not */
				i++;
				continue;
			}
		}
		size_t end = i;
		while (end < n && bytes[end] != '\n' && bytes[end] != '\r')
			end++;
		if (end == n) { /* the line goes on in the next piece */
			p->rc = append(&p->line, &p->line_len, &p->line_cap, bytes + i, n - i,
				       p->max_line);
			break;
		}
		const char *s = bytes + i;
		size_t len = end - i;
		if (p->line_len) { /* its start came in an earlier piece */
			p->rc = append(&p->line, &p->line_len, &p->line_cap, s, len, p->max_line);
			if (p->rc)
				break;
			s = p->line;
			len = p->line_len;
			p->line_len = 0;
		}
		p->after_cr = bytes[end] == '\r';
		i = end + 1;
		p->rc = line(p, s, len);
	}
	return p->rc;
}
