/*
 * The text sink and the chunker (ingest/text.c, ingest/chunk.c) on texts
 * built the way extractors build them, every property of both checked
 * (fuzz_common.h).
 *
 * Input: byte 0 sets the target (1..64 words; times 1..64 when byte 1
 * has its top bit set), byte 2 the overlap (modulo the target), byte 3
 * the text's limit (1 MiB, or 16..1032 bytes when its top bit is set).
 * The rest is text in which \x01 starts an operation, named by the next
 * byte (modulo 8); the text up to the next \x01 is its argument, appended
 * after it in one append (but what the operation reads):
 *   0 page mark, the next page     4 space
 *   1 section mark: a level byte   5 page mark: the page from 2 bytes
 *     ('1' is 1), the title up to  6 the argument appended a byte at
 *     the argument's line end        a time
 *   2 paragraph end                7 nothing
 *   3 line end
 * A plain text file is one append.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An operation's effect before its argument is appended. */
static void operate(oyl__text *t, uint8_t op, const char **arg, size_t *n, int64_t *page)
{
	const char *s = *arg;
	switch (op % 8) {
	case 0:
		oyl__text_page(t, ++*page);
		break;
	case 1: {
		/* The level is a byte ('1' is 1), the title the first line of
		 * the argument's rest, as in a Markdown heading. */
		int level = 1;
		if (*n) {
			level = (uint8_t)s[0] % 8;
			s = ++*arg;
			--*n;
		}
		const char *eol = memchr(s, '\n', *n);
		oyl__text_section(t, level, s, eol ? (size_t)(eol - s) : *n);
		break;
	}
	case 2:
		oyl__text_paragraph(t);
		break;
	case 3:
		oyl__text_line(t);
		break;
	case 4:
		oyl__text_space(t);
		break;
	case 5: {
		int16_t p = 0;
		if (*n >= 2) {
			memcpy(&p, s, 2);
			*arg += 2;
			*n -= 2;
		}
		*page = p;
		oyl__text_page(t, p);
		break;
	}
	case 6:
		for (size_t i = 0; i < *n; i++)
			oyl__text_append(t, s + i, 1);
		*n = 0;
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	int64_t target = 1 + data[0] % 64;
	if (data[1] & 0x80)
		target *= 1 + data[1] % 64;
	if (target > OYL__CHUNK_TARGET_MAX)
		target = OYL__CHUNK_TARGET_MAX;
	int64_t overlap = data[2] % target;
	size_t limit = data[3] & 0x80 ? 16 + (size_t)(data[3] & 0x7f) * 8 : (size_t)1 << 20;
	const char *s = (const char *)data + 4, *end = (const char *)data + size;

	oyl__text t;
	oyl__text_init(&t, limit);
	int64_t page = 0;
	const char *cmd = memchr(s, '\x01', (size_t)(end - s));
	int rc = oyl__text_append(&t, s, (size_t)((cmd ? cmd : end) - s));
	FUZZ_CHECK(rc == t.status, "append returned %d, status %d", rc, t.status);
	while (cmd) {
		uint8_t op = cmd + 1 < end ? (uint8_t)cmd[1] : 7;
		const char *arg = cmd + 1 < end ? cmd + 2 : end;
		cmd = memchr(arg, '\x01', (size_t)(end - arg));
		size_t n = (size_t)((cmd ? cmd : end) - arg);
		operate(&t, op, &arg, &n, &page);
		rc = oyl__text_append(&t, arg, n);
		FUZZ_CHECK(rc == t.status, "append returned %d, status %d", rc, t.status);
	}
	fuzz_check_text(&t);
	fuzz_check_chunks(&t, target, overlap);
	oyl__text_free(&t);
	return 0;
}
