/* A document's text, normalised as it is appended (text.h says how). */
#include "ingest/text.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

/* NFC runs over stretches of about this many bytes (the scratch it needs
 * is four times as large), extended to the next ASCII byte. */
#define NFC_STRETCH 16384

void oyl__text_init(oyl__text *t, size_t limit)
{
	memset(t, 0, sizeof *t);
	t->limit = limit;
}

void oyl__text_free(oyl__text *t)
{
	for (size_t i = 0; i < t->nmarks; i++)
		oyl__free(t->marks[i].title);
	oyl__free(t->marks);
	oyl__free(t->s);
	memset(t, 0, sizeof *t);
}

static int fail(oyl__text *t, int status, const char *msg)
{
	if (t->status == OYL_OK) {
		t->status = status;
		snprintf(t->errmsg, sizeof t->errmsg, "%s", msg);
	}
	return t->status;
}

static int reserve(oyl__text *t, size_t more)
{
	if (t->status)
		return t->status;
	if (more > t->limit || t->n > t->limit - more) {
		char msg[128];
		snprintf(msg, sizeof msg, "the extracted text is larger than the limit of %zu bytes",
			 t->limit);
		return fail(t, OYL_EINVAL, msg);
	}
	if (t->n + more + 1 <= t->cap)
		return OYL_OK;
	size_t cap = t->cap ? t->cap : 4096;
	while (cap < t->n + more + 1)
		cap = cap / 2 * 3;
	char *s = oyl__realloc(t->s, cap);
	if (!s)
		return fail(t, OYL_ENOMEM, "out of memory");
	t->s = s;
	t->cap = cap;
	return OYL_OK;
}

static int put(oyl__text *t, const char *s, size_t n)
{
	if (reserve(t, n))
		return t->status;
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
	return OYL_OK;
}

/* Appends valid UTF-8 in NFC.  ASCII needs nothing; other stretches go
 * through utf8proc into a scratch of code points of our own allocator
 * (utf8proc_map would use malloc). */
static int put_nfc(oyl__text *t, const char *s, size_t n)
{
	size_t i = 0;
	int32_t *buf = NULL;
	size_t bufcap = 0;

	while (i < n && !t->status) {
		size_t j = i;
		while (j < n && (unsigned char)s[j] < 0x80)
			j++;
		/* The ASCII byte before a non-ASCII stretch goes with it: a
		 * combining mark may compose with it ("e" + U+0301). */
		if (j < n && j > i)
			j--;
		if (j > i) {
			put(t, s + i, j - i);
			i = j;
			continue;
		}
		/* A stretch with non-ASCII, cut before an ASCII byte that no
		 * non-ASCII follows. */
		j = i + NFC_STRETCH < n ? i + NFC_STRETCH : n;
		if (j == i + 1 && j < n)
			j++;
		while (j < n && ((unsigned char)s[j] >= 0x80 ||
				 (j + 1 < n && (unsigned char)s[j + 1] >= 0x80)))
			j++;
		for (;;) {
			utf8proc_ssize_t got = utf8proc_decompose_custom(
				(const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(j - i), buf,
				(utf8proc_ssize_t)bufcap, UTF8PROC_STABLE | UTF8PROC_COMPOSE, NULL, NULL);
			if (got < 0) {
				oyl__free(buf);
				return fail(t, OYL_EINVAL, utf8proc_errmsg(got));
			}
			if ((size_t)got <= bufcap) {
				utf8proc_ssize_t cps = utf8proc_normalize_utf32(
					buf, got, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
				utf8proc_ssize_t bytes = utf8proc_reencode(
					buf, cps, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
				if (bytes < 0) {
					oyl__free(buf);
					return fail(t, OYL_EINVAL, utf8proc_errmsg(bytes));
				}
				put(t, (const char *)buf, (size_t)bytes);
				break;
			}
			oyl__free(buf);
			bufcap = (size_t)got;
			buf = oyl__malloc(bufcap * sizeof *buf);
			if (!buf)
				return fail(t, OYL_ENOMEM, "out of memory");
		}
		i = j;
	}
	oyl__free(buf);
	return t->status;
}

int oyl__text_append(oyl__text *t, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	/* Repairs go to a small buffer that is normalised when it fills;
	 * clean runs of the input are normalised where they are. */
	char clean[4096];
	size_t nclean = 0;
	size_t i = 0;

	if (t->status)
		return t->status;
	if (t->pending_cr && n > 0 && s[0] == '\n')
		i = 1; /* the LF of a CRLF split across appends */
	t->pending_cr = 0;
	while (i < n && !t->status) {
		/* The longest run that needs no repair. */
		size_t j = i;
		uint32_t cp;
		while (j < n) {
			unsigned char c = s[j];
			if (c >= 0x80) {
				int len = oyl__utf8_decode(s + j, n - j, &cp);
				if (len < 0)
					break;
				j += (size_t)len;
			} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\f') {
				break;
			} else {
				j++;
			}
		}
		if (j > i) {
			if (nclean) {
				put_nfc(t, clean, nclean);
				nclean = 0;
			}
			put_nfc(t, (const char *)s + i, j - i);
			i = j;
			continue;
		}
		/* s[i] needs a repair. */
		const char *rep;
		size_t nrep;
		unsigned char c = s[i];
		if (c == '\r') {
			rep = "\n";
			nrep = 1;
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			else if (i + 1 == n)
				t->pending_cr = 1;
			i++;
		} else if (c == 0) {
			t->nuls++;
			rep = "";
			nrep = 0;
			i++;
		} else if (c < 0x20) {
			/* Other controls are kept (counted: a text full of them is
			 * not text); they are harmless in storage. */
			t->controls++;
			rep = (const char *)s + i;
			nrep = 1;
			i++;
		} else {
			int len = oyl__utf8_decode(s + i, n - i, &cp);
			t->invalid++;
			rep = "\xef\xbf\xbd"; /* U+FFFD */
			nrep = 3;
			i += (size_t)-len;
		}
		if (nclean + nrep > sizeof clean) {
			put_nfc(t, clean, nclean);
			nclean = 0;
		}
		memcpy(clean + nclean, rep, nrep);
		nclean += nrep;
	}
	if (nclean)
		put_nfc(t, clean, nclean);
	return t->status;
}

int oyl__text_puts(oyl__text *t, const char *s)
{
	return oyl__text_append(t, s, strlen(s));
}

/* Trailing spaces and tabs of the text go (before a line end).  A mark
 * made after them moves back to the new end: marks stay within the text
 * and in order (the chunker searches them by offset). */
static void trim_blanks(oyl__text *t)
{
	while (t->n > 0 && (t->s[t->n - 1] == ' ' || t->s[t->n - 1] == '\t'))
		t->s[--t->n] = '\0';
	for (size_t i = t->nmarks; i > 0 && t->marks[i - 1].at > t->n; i--)
		t->marks[i - 1].at = t->n;
}

int oyl__text_paragraph(oyl__text *t)
{
	t->pending_cr = 0; /* a structure break: the next LF is no CRLF's */
	if (t->status || t->n == 0)
		return t->status;
	trim_blanks(t);
	if (t->n == 0)
		return OYL_OK;
	if (t->s[t->n - 1] != '\n')
		put(t, "\n\n", 2);
	else if (t->n < 2 || t->s[t->n - 2] != '\n')
		put(t, "\n", 1);
	return t->status;
}

int oyl__text_line(oyl__text *t)
{
	t->pending_cr = 0;
	if (t->status || t->n == 0)
		return t->status;
	trim_blanks(t);
	if (t->n > 0 && t->s[t->n - 1] != '\n')
		put(t, "\n", 1);
	return t->status;
}

int oyl__text_space(oyl__text *t)
{
	t->pending_cr = 0;
	if (t->status || t->n == 0)
		return t->status;
	char c = t->s[t->n - 1];
	if (c != ' ' && c != '\n' && c != '\t')
		put(t, " ", 1);
	return t->status;
}

static oyl__mark *add_mark(oyl__text *t, int kind)
{
	if (t->status)
		return NULL;
	if (t->nmarks == t->capmarks) {
		size_t cap = t->capmarks ? t->capmarks * 2 : 16;
		oyl__mark *m = oyl__realloc(t->marks, cap * sizeof *m);
		if (!m) {
			fail(t, OYL_ENOMEM, "out of memory");
			return NULL;
		}
		t->marks = m;
		t->capmarks = cap;
	}
	oyl__mark *m = &t->marks[t->nmarks++];
	memset(m, 0, sizeof *m);
	m->at = t->n;
	m->kind = kind;
	return m;
}

int oyl__text_page(oyl__text *t, int64_t page)
{
	oyl__mark *m = add_mark(t, OYL__MARK_PAGE);
	if (m)
		m->page = page;
	return t->status;
}

int oyl__text_section(oyl__text *t, int level, const char *title, size_t n)
{
	/* The title is normalised like the text, through a text of its own. */
	oyl__text tt;
	oyl__text_init(&tt, 4096);
	oyl__text_append(&tt, title, n > 1024 ? 1024 : n);
	if (tt.status == OYL_ENOMEM) {
		oyl__text_free(&tt);
		return fail(t, OYL_ENOMEM, "out of memory");
	}
	/* Fold white space to single spaces, trim. */
	size_t w = 0;
	int space = 1;
	for (size_t r = 0; r < tt.n; r++) {
		char c = tt.s[r];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || (unsigned char)c < 0x20) {
			if (!space)
				tt.s[w++] = ' ';
			space = 1;
		} else {
			tt.s[w++] = c;
			space = 0;
		}
	}
	while (w > 0 && tt.s[w - 1] == ' ')
		w--;
	if (w == 0) {
		oyl__text_free(&tt);
		return t->status;
	}
	tt.s[w] = '\0';
	oyl__mark *m = add_mark(t, OYL__MARK_SECTION);
	if (!m) {
		oyl__text_free(&tt);
		return t->status;
	}
	m->level = level < 1 ? 1 : level;
	m->title = tt.s; /* handed over */
	tt.s = NULL;
	oyl__text_free(&tt);
	return OYL_OK;
}

size_t oyl__utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}
