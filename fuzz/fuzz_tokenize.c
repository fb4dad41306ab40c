/*
 * The search tokenizer (search/tokenize.c), the first step of indexing a
 * chunk and of reading a question, on any bytes.
 *
 * Input: byte 0 picks the language (modulo 3: english, none, french);
 * the rest is the text.  Checked after every input: invalid UTF-8 is
 * OYL_EINVAL with no token; otherwise every token's term is non-empty,
 * at most OYL__TERM_MAX bytes, valid UTF-8 without NUL, its surface a
 * non-empty range of the input on character boundaries, positions never
 * go back, and a second run gives the same tokens (determinism).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "oyl/oyl.h"
#include "search/tokenize.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_common.h's check, for properties that need no more words */
#define CHECK(cond) FUZZ_CHECK(cond, "%s", "see the property")

typedef struct seen {
	const char *text;
	size_t n;
	size_t count;
	uint32_t last_pos;
	uint64_t digest; /* of every token, to compare two runs */
} seen;

static int boundary(const char *s, size_t n, size_t i)
{
	return i == n || ((unsigned char)s[i] & 0xc0) != 0x80;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

static int on_token(const oyl__token *t, void *payload)
{
	seen *s = payload;
	CHECK(t->len > 0 && t->len <= OYL__TERM_MAX);
	CHECK(strlen(t->term) == t->len);
	CHECK(oyl__utf8_valid(t->term, t->len));
	CHECK(t->start < t->end && t->end <= s->n);
	CHECK(boundary(s->text, s->n, t->start) && boundary(s->text, s->n, t->end));
	CHECK(s->count == 0 || t->pos >= s->last_pos);
	CHECK(t->whole == 0 || t->whole == 1);
	s->last_pos = t->pos;
	s->count++;
	s->digest = mix(s->digest, t->term, t->len);
	s->digest = mix(s->digest, &t->start, sizeof t->start);
	s->digest = mix(s->digest, &t->end, sizeof t->end);
	s->digest = mix(s->digest, &t->pos, sizeof t->pos);
	s->digest = mix(s->digest, &t->whole, sizeof t->whole);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const languages[] = {"english", "none", "french"};
	if (size == 0)
		return 0;
	oyl__tokenizer *tk = NULL;
	CHECK(oyl__tokenizer_new(languages[data[0] % 3], &tk) == OYL_OK);
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	int valid = oyl__utf8_valid(text, n);
	seen a = {text, n, 0, 0, 14695981039346656037u};
	int rc = oyl__tokenize(tk, text, n, on_token, &a);
	if (!valid) {
		CHECK(rc == OYL_EINVAL && a.count == 0);
	} else {
		CHECK(rc == OYL_OK);
		seen b = {text, n, 0, 0, 14695981039346656037u};
		CHECK(oyl__tokenize(tk, text, n, on_token, &b) == OYL_OK);
		CHECK(a.count == b.count && a.digest == b.digest);
	}
	oyl__tokenizer_free(tk);
	return 0;
}
