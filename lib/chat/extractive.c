/*
 * The offline extractive answerer: no model, no network, deterministic.
 *
 * It answers with sentences of the passages it was given, each with its
 * passage's [n] marker before its closing punctuation.  A sentence's
 * score is the number of the question's distinct terms it holds (the
 * search tokenizer's terms, in English); the best EXTRACT_SENTENCES sentences with at least one
 * such term are given, best first, ties going to the better-ranked passage and then to the earlier
 * sentence; a sentence is given once, and Markdown tables and code blocks are never quoted.  When
 * no sentence holds a term of the question, it says so plainly (NOTHING_FOUND) and cites nothing.
 *
 * The answer is streamed a word at a time, as a model's would be, so that
 * hosts exercise their streaming path offline.  doc/prompting.md states
 * these rules for users.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "chat/provider.h"
#include "core/alloc.h"
#include "search/tokenize.h"

#define EXTRACT_SENTENCES 3
#define EXTRACT_MEMO_SLOTS 4096
#define QUESTION_TERMS_MAX 64  /* distinct terms of the question looked for */
#define SENTENCE_BYTES_MAX 600 /* a longer "sentence" is cut at a space */
#define NOTHING_FOUND                                                                              \
	"The knowledge base has nothing on this question: no passage shares a word with it."

typedef struct extractive {
	oyl_provider base;
	oyl__tokenizer *tok;
	char err[256];
} extractive;

typedef struct sentence {
	const char *text; /* inside its passage */
	size_t len;
	int32_t number; /* its passage's */
	size_t order;   /* position among every sentence, for ties */
	int score;
} sentence;

typedef struct question {
	char terms[QUESTION_TERMS_MAX][OYL__TERM_MAX + 1];
	size_t lens[QUESTION_TERMS_MAX]; /* compared first: most words differ in length */
	size_t n;
} question;

typedef struct matcher {
	const question *q;
	uint64_t seen; /* bit i: terms[i] found */
} matcher;

static int add_question_term(const oyl__token *t, void *payload)
{
	question *q = payload;
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->terms[i], t->term) == 0)
			return 0;
	if (q->n < QUESTION_TERMS_MAX) {
		memcpy(q->terms[q->n], t->term, t->len + 1);
		q->lens[q->n++] = t->len;
	}
	return 0;
}

static int match_term(const oyl__token *t, void *payload)
{
	matcher *m = payload;
	for (size_t i = 0; i < m->q->n; i++)
		if (m->q->lens[i] == t->len && memcmp(m->q->terms[i], t->term, t->len) == 0)
			m->seen |= (uint64_t)1 << i;
	return 0;
}

static int popcount64(uint64_t x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the sentence that starts at s: after [.!?] and a space, at
 * a blank line, or at the end. */
static size_t sentence_end(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '.' || s[i] == '!' || s[i] == '?') &&
		    (i + 1 == n || is_space(s[i + 1])))
			return i + 1;
		if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\n')
			return i;
	}
	return n;
}

/* Splits every passage into scored sentences; *out is new (oyl__free). */
static int split_passages(extractive *x, const oyl_provider_request *req, const question *q,
			  sentence **out, size_t *count)
{
	size_t n = 0, cap = 0;
	sentence *v = NULL;
	for (size_t p = 0; p < req->npassages; p++) {
		const char *s = req->passages[p].text;
		size_t len = strlen(s), at = 0;
		while (at < len) {
			while (at < len && is_space(s[at]))
				at++;
			size_t end = at + sentence_end(s + at, len - at);
			if (end == at)
				break;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				sentence *nv = oyl__realloc(v, ncap * sizeof *nv);
				if (!nv) {
					oyl__free(v);
					return OYL_ENOMEM;
				}
				v = nv;
				cap = ncap;
			}
			/* a Markdown table or code block is no sentence to quote */
			if (s[at] == '|' || (end - at >= 3 && memcmp(s + at, "```", 3) == 0)) {
				at = end;
				continue;
			}
			matcher m = {q, 0};
			int rc = oyl__tokenize(x->tok, s + at, end - at, match_term, &m);
			if (rc) {
				oyl__free(v);
				return rc;
			}
			v[n] = (sentence){s + at, end - at, req->passages[p].number, n,
					  popcount64(m.seen)};
			n++;
			at = end;
		}
	}
	*out = v;
	*count = n;
	return OYL_OK;
}

static int by_score(const void *a, const void *b)
{
	const sentence *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Passes text[0..n) to on_delta a word (with the space after it) at a time. */
static int stream_words(const char *text, size_t n, oyl_provider_delta_fn on_delta, void *ctx)
{
	size_t at = 0;
	while (at < n) {
		size_t end = at;
		while (end < n && text[end] != ' ')
			end++;
		while (end < n && text[end] == ' ')
			end++;
		if (on_delta(text + at, end - at, ctx))
			return OYL_ECANCELED;
		at = end;
	}
	return OYL_OK;
}

/* Appends a sentence with its whitespace collapsed and leading Markdown
 * marks (#, *, -, >) dropped, cut at a space past SENTENCE_BYTES_MAX. */
static size_t append_sentence(char *out, const sentence *s)
{
	size_t o = 0, i = 0;
	while (i < s->len && (s->text[i] == '#' || s->text[i] == '*' || s->text[i] == '-' ||
			      s->text[i] == '>' || is_space(s->text[i])))
		i++;
	int space = 0;
	for (; i < s->len; i++) {
		if (is_space(s->text[i])) {
			space = 1;
			continue;
		}
		if (space && o) {
			if (o >= SENTENCE_BYTES_MAX) {
				memcpy(out + o, " ...", 4);
				return o + 4;
			}
			out[o++] = ' ';
		}
		space = 0;
		out[o++] = s->text[i];
	}
	return o;
}

static int extractive_complete(oyl_provider *p, const oyl_provider_request *req,
			       oyl_provider_delta_fn on_delta, void *ctx, oyl_provider_usage *usage)
{
	extractive *x = (extractive *)p;
	x->err[0] = '\0';
	usage->prompt_tokens = -1;
	usage->completion_tokens = -1;
	question q = {.n = 0};
	int rc = OYL_OK;
	if (req->question)
		rc = oyl__tokenize(x->tok, req->question, strlen(req->question), add_question_term,
				   &q);
	sentence *s = NULL;
	size_t n = 0;
	if (rc == OYL_OK && q.n)
		rc = split_passages(x, req, &q, &s, &n);
	if (rc != OYL_OK) {
		memcpy(x->err, "the question or a passage is not valid UTF-8, or out of memory",
		       sizeof "the question or a passage is not valid UTF-8, or out of memory");
		return rc == OYL_ENOMEM ? rc : OYL_EINVAL;
	}
	if (n) /* no passage: s is NULL, which qsort may not be given */
		qsort(s, n, sizeof *s, by_score);
	/* the best sentences, each once: overlapping chunks repeat sentences */
	size_t take = 0;
	for (size_t i = 0; i < n && take < EXTRACT_SENTENCES && s[i].score > 0; i++) {
		int seen = 0;
		for (size_t k = 0; k < take && !seen; k++)
			seen = s[k].len == s[i].len && memcmp(s[k].text, s[i].text, s[i].len) == 0;
		if (!seen)
			s[take++] = s[i];
	}
	if (take == 0) {
		oyl__free(s);
		return stream_words(NOTHING_FOUND, strlen(NOTHING_FOUND), on_delta, ctx);
	}
	/* each sentence, " [n]", and a space between them */
	size_t room = 1;
	for (size_t i = 0; i < take; i++)
		room += s[i].len + SENTENCE_BYTES_MAX / 100 + 24;
	char *answer = oyl__malloc(room);
	if (!answer) {
		oyl__free(s);
		return OYL_ENOMEM;
	}
	size_t o = 0;
	for (size_t i = 0; i < take; i++) {
		if (i)
			answer[o++] = ' ';
		o += append_sentence(answer + o, &s[i]);
		/* the marker goes before the sentence's closing punctuation */
		char end =
			o && (answer[o - 1] == '.' || answer[o - 1] == '!' || answer[o - 1] == '?')
				? answer[--o]
				: 0;
		o += (size_t)snprintf(answer + o, room - o, " [%d]", (int)s[i].number);
		if (end)
			answer[o++] = end;
	}
	oyl__free(s);
	rc = stream_words(answer, o, on_delta, ctx);
	oyl__free(answer);
	return rc;
}

static const char *extractive_errmsg(oyl_provider *p)
{
	return ((extractive *)p)->err;
}

static void extractive_free(oyl_provider *p)
{
	extractive *x = (extractive *)p;
	if (!x)
		return;
	oyl__tokenizer_free(x->tok);
	oyl__free(x);
}

OYL_API int oyl_extractive_provider_new(oyl_provider **out)
{
	if (!out)
		return OYL_EMISUSE;
	*out = NULL;
	extractive *x = oyl__calloc(1, sizeof *x);
	if (!x)
		return OYL_ENOMEM;
	oyl_provider init = OYL_PROVIDER_INIT;
	x->base = init;
	x->base.name = "extractive";
	x->base.caps = OYL_PROVIDER_CAP_STREAM;
	x->base.complete = extractive_complete;
	x->base.errmsg = extractive_errmsg;
	x->base.free = extractive_free;
	int rc = oyl__tokenizer_new("english", &x->tok);
	if (rc != OYL_OK) {
		oyl__free(x);
		return rc;
	}
	/* it lives as long as the handle, over the passages of the same
	 * knowledge bases: 4,096 stems (192 KiB) halve its time */
	oyl__tokenizer_remember(x->tok, EXTRACT_MEMO_SLOTS);
	*out = &x->base;
	return OYL_OK;
}
