/*
 * The search tokenizer, white-box and backend-free: the exact terms of
 * English text, identifiers, folding, NFC and CJK, offsets and positions,
 * the limits (long terms, 10 kB of garbage), refusals (invalid UTF-8, an
 * unknown language), the callback's stop, determinism, no allocation per
 * token, and every Snowball language.
 */
#include <check.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "fault_alloc.h"
#include "harness.h"
#include "oyl/oyl.h"
#include "search/tokenize.h"

/* ---- collecting tokens ------------------------------------------------- */

#define MAX_TOKENS 8192

typedef struct got_token {
	char term[OYL__TERM_MAX + 1];
	size_t len, start, end;
	uint32_t pos;
	int whole;
} got_token;

typedef struct got {
	got_token tok[MAX_TOKENS];
	size_t n;
	size_t stop_after; /* 0: never */
	int stop_with;
	char text[16384]; /* rendered: "term@pos", "term*@pos" for a whole */
} got;

static int collect(const oyl__token *t, void *payload)
{
	got *g = payload;
	ck_assert_uint_lt(g->n, MAX_TOKENS);
	ck_assert_uint_le(t->len, OYL__TERM_MAX);
	ck_assert_uint_eq(strlen(t->term), t->len); /* NUL-terminated, no NUL inside */
	ck_assert_uint_lt(t->start, t->end);
	got_token *k = &g->tok[g->n++];
	memcpy(k->term, t->term, t->len + 1);
	k->len = t->len;
	k->start = t->start;
	k->end = t->end;
	k->pos = t->pos;
	k->whole = t->whole;
	if (g->stop_after && g->n == g->stop_after)
		return g->stop_with;
	return 0;
}

static const char *render(got *g)
{
	size_t w = 0;
	g->text[0] = '\0';
	for (size_t i = 0; i < g->n; i++)
		w += (size_t)snprintf(g->text + w, sizeof g->text - w, "%s%s%s@%u", i ? " " : "",
				      g->tok[i].term, g->tok[i].whole ? "*" : "", g->tok[i].pos);
	ck_assert_uint_lt(w, sizeof g->text);
	return g->text;
}

static got *tokens_n(const char *language, const char *text, size_t n)
{
	static got g;
	memset(&g, 0, sizeof g);
	oyl__tokenizer *t;
	ck_assert_int_eq(oyl__tokenizer_new(language, &t), OYL_OK);
	ck_assert_int_eq(oyl__tokenize(t, text, n, collect, &g), OYL_OK);
	oyl__tokenizer_free(t);
	return &g;
}

/* The rendered tokens of text in language. */
static const char *terms(const char *language, const char *text)
{
	return render(tokens_n(language, text, strlen(text)));
}

#define ck_terms(language, text, expected) ck_assert_str_eq(terms(language, text), expected)

/* ---- English ------------------------------------------------------------- */

START_TEST(english_is_stemmed_and_stop_words_keep_their_positions)
{
	ck_terms("english", "running runs ran", "run@0 run@1 ran@2");
	ck_terms("english", "The quick brown foxes jumped over the lazy dogs.",
		 "quick@1 brown@2 fox@3 jump@4 lazi@7 dog@8");
	ck_terms(NULL, "It is what it is: a library, and its tests!", "librari@6 test@9");
	ck_terms("english", "Connections connected; CONNECTING", "connect@0 connect@1 connect@2");
	/* numbers are not stemmed: "1990s" has a letter, "2024" none */
	ck_terms("english", "in 2024 the 1990s", "2024@1 1990s@3");
}
END_TEST

START_TEST(identifiers_give_the_whole_and_their_parts)
{
	ck_terms("english", "pthread_mutex_lock()",
		 "pthread_mutex_lock*@0 pthread@0 mutex@0 lock@0");
	ck_terms("english", "run ssh-keygen -t ed25519",
		 "run@0 ssh-keygen*@1 ssh@1 keygen@1 ed25519@3");
	ck_terms("english", "os.path.join(a, b)", "os.path.join*@0 os@0 path@0 join@0 b@2");
	ck_terms("english", "std::vector<int>", "std::vector*@0 std@0 vector@0 int@1");
	ck_terms("english", "Python 3.11 released", "python@0 3.11*@1 3@1 11@1 releas@2");
	ck_terms("english", "send an e-mail", "send@0 e-mail*@2 e@2 mail@2");
	/* the whole is not stemmed; its parts are */
	ck_terms("english", "Running_Tests", "running_tests*@0 run@0 test@0");
	/* a compound of stop words is kept whole; ’ is written ' in it */
	ck_terms("english", "don't stop", "don't*@0 stop@1");
	ck_terms("english", "Don\xe2\x80\x99t stop", "don't*@0 stop@1");
	ck_terms("english", "http://example.com/path",
		 "http@0 example.com/path*@1 exampl@1 com@1 path@1");
	ck_terms("english", "key:value a::b", "key:value*@0 key@0 valu@0 a::b*@1 b@1");
}
END_TEST

START_TEST(connectors_join_only_between_word_characters)
{
	/* doubled connectors, a connector at an edge, three colons */
	ck_terms("english", "foo--bar foo__bar foo:::bar", "foo@0 bar@1 foo@2 bar@3 foo@4 bar@5");
	ck_terms("english", "__init__ -flag trailing. end.", "init@0 flag@1 trail@2 end@3");
	ck_terms("english", "end. Next", "end@0 next@1");
	ck_terms("english", "x - y", "x@0 y@1");
	/* a connector next to Han joins nothing */
	ck_terms("none", "foo-\xe6\x97\xa5", "foo@0 \xe6\x97\xa5@1");
}
END_TEST

START_TEST(a_compound_of_more_than_eight_parts_gives_its_parts_only)
{
	ck_terms("none", "p1.p2.p3.p4.p5.p6.p7.p8 next",
		 "p1.p2.p3.p4.p5.p6.p7.p8*@0 p1@0 p2@0 p3@0 p4@0 p5@0 p6@0 p7@0 p8@0 next@1");
	ck_terms("none", "p1.p2.p3.p4.p5.p6.p7.p8.p9 next",
		 "p1@0 p2@0 p3@0 p4@0 p5@0 p6@0 p7@0 p8@0 p9@0 next@1");
}
END_TEST

/* ---- folding, NFC, scripts ------------------------------------------------ */

START_TEST(case_folding_covers_unicode_and_keeps_diacritics)
{
	ck_terms("none", "Stra\xc3\x9f" "e \xc3\x89" "COLE Caf\xc3\xa9",
		 "strasse@0 \xc3\xa9" "cole@1 caf\xc3\xa9@2");
	ck_terms("english", "Stra\xc3\x9f" "e", "strass@0");
	/* Greek capital and final sigma fold to σ; the Kelvin sign to k */
	ck_terms("none", "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91 \xe2\x84\xaa",
		 "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1@0 k@1");
	/* the whole of a compound is folded too */
	ck_terms("none", "\xc3\x89" "COLE-Normale",
		 "\xc3\xa9" "cole-normale*@0 \xc3\xa9" "cole@0 normale@0");
}
END_TEST

START_TEST(a_combining_accent_is_composed)
{
	const char *composed = terms("none", "\xc3\xa9" "cole");
	ck_assert_str_eq(composed, "\xc3\xa9" "cole@0");
	ck_terms("none", "e\xcc\x81" "cole", "\xc3\xa9" "cole@0");
	ck_terms("none", "E\xcc\x81" "COLE", "\xc3\xa9" "cole@0");
	/* a mark goes with its word: no split inside "école" */
	got *g = tokens_n("none", "x e\xcc\x81" "cole", 9);
	ck_assert_uint_eq(g->n, 2);
	ck_assert_uint_eq(g->tok[1].start, 2);
	ck_assert_uint_eq(g->tok[1].end, 9);
}
END_TEST

START_TEST(han_and_kana_characters_are_words_of_their_own)
{
	ck_terms("english", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		 "\xe6\x97\xa5@0 \xe6\x9c\xac@1 \xe8\xaa\x9e@2");
	/* Katakana, then Latin right after Han */
	ck_terms("english", "\xe3\x82\xab\xe3\x83\x8a \xe6\x9d\xb1\xe4\xba\xac" "Tower",
		 "\xe3\x82\xab@0 \xe3\x83\x8a@1 \xe6\x9d\xb1@2 \xe4\xba\xac@3 tower@4");
	/* か + combining voiced mark: one word, composed to が */
	ck_terms("none", "\xe3\x81\x8b\xe3\x82\x99", "\xe3\x81\x8c@0");
	/* Hangul is written with spaces: a word is a run */
	ck_terms("none", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xeb\xac\xb8",
		 "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4@0 \xeb\xac\xb8@1");
}
END_TEST

/* ---- offsets ----------------------------------------------------------------- */

START_TEST(offsets_point_at_the_surface_form)
{
	const char *text = "  Hello, pthread_mutex_lock! \xc3\x89" "COLE";
	got *g = tokens_n("english", text, strlen(text));
	ck_assert_str_eq(render(g), "hello@0 pthread_mutex_lock*@1 pthread@1 mutex@1 lock@1 "
				    "\xc3\xa9" "cole@2");
	const size_t want[][2] = {{2, 7}, {9, 27}, {9, 16}, {17, 22}, {23, 27}, {29, 35}};
	const char *surface[] = {"Hello", "pthread_mutex_lock", "pthread", "mutex", "lock",
				 "\xc3\x89" "COLE"};
	for (size_t i = 0; i < g->n; i++) {
		ck_assert_uint_eq(g->tok[i].start, want[i][0]);
		ck_assert_uint_eq(g->tok[i].end, want[i][1]);
		ck_assert_uint_eq(strlen(surface[i]), g->tok[i].end - g->tok[i].start);
		ck_assert(memcmp(text + g->tok[i].start, surface[i], strlen(surface[i])) == 0);
	}
}
END_TEST

/* ---- languages ------------------------------------------------------------- */

START_TEST(none_neither_stems_nor_drops_stop_words)
{
	ck_terms("none", "Running the tests", "running@0 the@1 tests@2");
	ck_terms("none", "it's", "it's*@0 it@0 s@0");
	oyl__tokenizer *t;
	ck_assert_int_eq(oyl__tokenizer_new("none", &t), OYL_OK);
	ck_assert_str_eq(oyl__tokenizer_language(t), "none");
	oyl__tokenizer_free(t);
}
END_TEST

START_TEST(other_languages_stem_without_english_stop_words)
{
	ck_terms("french", "Les chats mangeaient", "le@0 chat@1 mang@2");
	ck_terms("german", "Die H\xc3\xa4user", "die@0 haus@1");
}
END_TEST

START_TEST(an_unknown_language_is_refused)
{
	oyl__tokenizer *t = (oyl__tokenizer *)1;
	ck_assert_int_eq(oyl__tokenizer_new("klingon", &t), OYL_EINVAL);
	ck_assert_ptr_null(t);
	/* aliases libstemmer would take are refused: one spelling per language */
	ck_assert_int_eq(oyl__tokenizer_new("en", &t), OYL_EINVAL);
	ck_assert_int_eq(oyl__tokenizer_new("English", &t), OYL_EINVAL);
	ck_assert_int_eq(oyl__tokenizer_new("", &t), OYL_EINVAL);
	ck_assert_int_eq(oyl__tokenizer_new("english", NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl__tokenizer_new(NULL, &t), OYL_OK);
	ck_assert_str_eq(oyl__tokenizer_language(t), "english");
	oyl__tokenizer_free(t);
}
END_TEST

START_TEST(every_snowball_language_opens)
{
	size_t n = 0;
	for (const char **l = sb_stemmer_list(); *l; l++, n++) {
		oyl__tokenizer *t;
		ck_assert_msg(oyl__tokenizer_new(*l, &t) == OYL_OK, "%s", *l);
		ck_assert_str_eq(oyl__tokenizer_language(t), *l);
		got *g = tokens_n(*l, "Words, words: 42 W\xc3\x96RTER", 24);
		ck_assert_msg(g->n == 4, "%s: %zu tokens", *l, g->n);
		oyl__tokenizer_free(t);
	}
	ck_assert_uint_ge(n, 20);
}
END_TEST

/* ---- refusals and edges -------------------------------------------------- */

START_TEST(invalid_utf8_is_refused_before_any_token)
{
	oyl__tokenizer *t;
	ck_assert_int_eq(oyl__tokenizer_new("english", &t), OYL_OK);
	const char *bad[] = {"good words \xff", "\xc0\xaf", "ok \xed\xa0\x80 surrogate",
			     "cut \xe2\x82"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		got g = {0};
		ck_assert_int_eq(oyl__tokenize(t, bad[i], strlen(bad[i]), collect, &g), OYL_EINVAL);
		ck_assert_uint_eq(g.n, 0);
	}
	ck_assert_int_eq(oyl__tokenize(t, NULL, 3, collect, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl__tokenize(t, "x", 1, NULL, NULL), OYL_EINVAL);
	oyl__tokenizer_free(t);
}
END_TEST

START_TEST(empty_and_punctuation_give_no_token)
{
	ck_terms("english", "", "");
	ck_terms("english", "!!! ... --- :: // '' \xe2\x80\x99 \xe2\x80\x94 \t\n", "");
	ck_assert_uint_eq(tokens_n("english", NULL, 0)->n, 0);
	/* NUL bytes separate words */
	ck_assert_str_eq(render(tokens_n("none", "ab\0cd", 5)), "ab@0 cd@1");
}
END_TEST

START_TEST(a_term_over_64_bytes_is_skipped_but_keeps_its_position)
{
	char text[512];
	char word[200];
	memset(word, 'x', 64);
	word[64] = '\0';
	snprintf(text, sizeof text, "short %s after", word);
	ck_assert_uint_eq(tokens_n("none", text, strlen(text))->n, 3);
	memset(word, 'x', 65);
	word[65] = '\0';
	snprintf(text, sizeof text, "short %s after", word);
	ck_terms("none", text, "short@0 after@2");
	/* counted in bytes after folding: 32 é fit, 33 do not */
	word[0] = '\0';
	for (int i = 0; i < 32; i++)
		strcat(word, "\xc3\xa9");
	ck_assert_uint_eq(tokens_n("none", word, strlen(word))->n, 1);
	strcat(word, "\xc3\xa9");
	ck_assert_uint_eq(tokens_n("none", word, strlen(word))->n, 0);
	/* a whole over the limit is skipped, its parts are not */
	memset(word, 'y', 40);
	memcpy(word + 40, "_", 1);
	memset(word + 41, 'z', 40);
	word[81] = '\0';
	got *g = tokens_n("none", word, strlen(word));
	ck_assert_uint_eq(g->n, 2);
	ck_assert_int_eq(g->tok[0].whole, 0);
	ck_assert_uint_eq(g->tok[0].len, 40);
}
END_TEST

/* A deterministic generator (xorshift). */
static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

/* About n bytes of random code points, valid UTF-8 (surrogates avoided):
 * ASCII, Latin, connectors, marks, CJK and anything. */
static size_t garbage(char *out, size_t n, uint64_t seed)
{
	size_t w = 0;
	while (w + 4 < n) {
		uint32_t r = rnd(&seed), cp;
		switch (r % 6) {
		case 0: cp = 'a' + rnd(&seed) % 26; break;
		case 1: cp = "_-.':/ "[rnd(&seed) % 7]; break;
		case 2: cp = 0x300 + rnd(&seed) % 0x70; break;
		case 3: cp = 0x80 + rnd(&seed) % 0x780; break;
		case 4: cp = 0x3000 + rnd(&seed) % 0x7000; break;
		default: cp = 1 + rnd(&seed) % 0x10fffe; break;
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 'q';
		if (cp < 0x80) {
			out[w++] = (char)cp;
		} else if (cp < 0x800) {
			out[w++] = (char)(0xc0 | cp >> 6);
			out[w++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[w++] = (char)(0xe0 | cp >> 12);
			out[w++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[w++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[w++] = (char)(0xf0 | cp >> 18);
			out[w++] = (char)(0x80 | (cp >> 12 & 0x3f));
			out[w++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[w++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return w;
}

START_TEST(ten_kilobytes_of_garbage_make_no_giant_term)
{
	static char text[10240];
	for (uint64_t seed = 1; seed <= 20; seed++) {
		size_t n = garbage(text, sizeof text, seed * 0x9e3779b97f4a7c15u);
		got *g = tokens_n("english", text, n);
		ck_assert_uint_gt(g->n, 0);
		for (size_t i = 0; i < g->n; i++) {
			ck_assert_uint_le(g->tok[i].len, OYL__TERM_MAX);
			ck_assert_uint_le(g->tok[i].end, n);
			if (i > 0) /* in order */
				ck_assert_uint_ge(g->tok[i].start, g->tok[i - 1].start);
		}
	}
	/* 10 kB of letters without a break: nothing at all */
	memset(text, 'a', sizeof text);
	ck_assert_uint_eq(tokens_n("english", text, sizeof text)->n, 0);
	/* ... or of dotted names: parts only */
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = i % 3 == 2 ? '.' : 'k';
	got *g = tokens_n("none", text, sizeof text - 1);
	ck_assert_uint_eq(g->n, sizeof text / 3);
	ck_assert_uint_eq(g->tok[g->n - 1].pos, 0);
}
END_TEST

START_TEST(the_callback_stops_tokenizing)
{
	oyl__tokenizer *t;
	ck_assert_int_eq(oyl__tokenizer_new("english", &t), OYL_OK);
	static got g;
	memset(&g, 0, sizeof g);
	g.stop_after = 2;
	g.stop_with = 42;
	const char *text = "one two three four";
	ck_assert_int_eq(oyl__tokenize(t, text, strlen(text), collect, &g), 42);
	ck_assert_uint_eq(g.n, 2);
	/* within a compound too */
	memset(&g, 0, sizeof g);
	g.stop_after = 2;
	g.stop_with = -7;
	text = "alpha_beta_gamma delta";
	ck_assert_int_eq(oyl__tokenize(t, text, strlen(text), collect, &g), -7);
	ck_assert_uint_eq(g.n, 2);
	oyl__tokenizer_free(t);
}
END_TEST

START_TEST(the_same_input_gives_the_same_tokens)
{
	static char text[10240];
	size_t n = garbage(text, sizeof text, 7);
	static got a;
	a = *tokens_n("english", text, n);
	oyl__tokenizer *t;
	ck_assert_int_eq(oyl__tokenizer_new("english", &t), OYL_OK);
	for (int round = 0; round < 2; round++) {
		static got b;
		memset(&b, 0, sizeof b);
		ck_assert_int_eq(oyl__tokenize(t, text, n, collect, &b), OYL_OK);
		ck_assert_uint_eq(a.n, b.n);
		ck_assert(memcmp(a.tok, b.tok, a.n * sizeof a.tok[0]) == 0);
	}
	oyl__tokenizer_free(t);
}
END_TEST

/*
 * A tokenizer remembers what its recent words became (after 256 words,
 * in 512 slots): thousands of words, repeated and colliding in the slots,
 * stop words and numbers among them, give the terms that each word gives
 * alone, to a tokenizer that has remembered nothing.
 */
START_TEST(remembered_words_give_the_terms_they_give_alone)
{
	static const char *const words[] = {"running", "the", "Connections", "généralement",
					    "42", "ssh-keygen", "was", "flies", "x86_64",
					    "Ünïcode", "an", "ARGUMENTS", "studies", "2026"};
	static char text[65536];
	size_t n = 0, nwords = 0;
	char word[64];
	for (int i = 0; i < 4000; i++) {
		if (i % 3)
			snprintf(word, sizeof word, "%s", words[(i * 7) % 14]);
		else
			snprintf(word, sizeof word, "w%dings", (i * 13) % 1500);
		n += (size_t)snprintf(text + n, sizeof text - n, "%s ", word);
		nwords++;
	}
	ck_assert_uint_lt(n, sizeof text);
	static got all;
	all = *tokens_n("english", text, n);
	ck_assert_uint_gt(all.n, 2000);
	/* the same words one at a time, each to a fresh tokenizer */
	size_t k = 0;
	for (const char *at = text; *at;) {
		const char *sp = strchr(at, ' ');
		got *one = tokens_n("english", at, (size_t)(sp - at));
		for (size_t j = 0; j < one->n; j++, k++) {
			ck_assert_uint_lt(k, all.n);
			ck_assert_str_eq(all.tok[k].term, one->tok[j].term);
			ck_assert_int_eq(all.tok[k].whole, one->tok[j].whole);
		}
		at = sp + 1;
	}
	ck_assert_uint_eq(k, all.n);
	ck_assert_uint_eq(nwords, 4000);
}
END_TEST

START_TEST(no_allocation_per_token_and_enomem_is_reported)
{
	fault_alloc_install();
	const char *text = "\xc3\x89" "COLE normale sup\xc3\xa9rieure, os.path.join \xe6\x97\xa5";
	oyl__tokenizer *t;
	/* the tokenizer itself */
	fault_alloc_arm(1, 0);
	ck_assert_int_eq(oyl__tokenizer_new("english", &t), OYL_ENOMEM);
	ck_assert_int_eq(fault_alloc_live(), 0);
	/* its scratch, grown by the first non-ASCII word */
	fault_alloc_arm(0, 0);
	ck_assert_int_eq(oyl__tokenizer_new("english", &t), OYL_OK);
	fault_alloc_arm(1, 1);
	got *g = malloc(sizeof *g);
	memset(g, 0, sizeof *g);
	ck_assert_int_eq(oyl__tokenize(t, text, strlen(text), collect, g), OYL_ENOMEM);
	/* once grown, tokenizing allocates nothing */
	fault_alloc_arm(0, 0);
	memset(g, 0, sizeof *g);
	ck_assert_int_eq(oyl__tokenize(t, text, strlen(text), collect, g), OYL_OK);
	size_t first = g->n;
	fault_alloc_arm(1, 1);
	memset(g, 0, sizeof *g);
	ck_assert_int_eq(oyl__tokenize(t, text, strlen(text), collect, g), OYL_OK);
	ck_assert_int_eq(fault_alloc_fired(), 0);
	ck_assert_uint_eq(g->n, first);
	fault_alloc_arm(0, 0);
	oyl__tokenizer_free(t);
	ck_assert_int_eq(fault_alloc_live(), 0);
	free(g);
	oyl_set_allocator(NULL);
}
END_TEST

/* ---- stop words --------------------------------------------------------- */

/* FNV-1a of the list, each word followed by a NUL: changing the list
 * changes every English index, so it must be on purpose (then update
 * this, and say so in doc/retrieval.md). */
#define STOP_WORDS_FINGERPRINT UINT64_C(0x58d3b4fb6b381511)

static uint64_t fingerprint(const char *const *words, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++)
		for (const char *c = words[i];; c++) {
			h = (h ^ (unsigned char)*c) * UINT64_C(1099511628211);
			if (!*c)
				break;
		}
	return h;
}

START_TEST(the_stop_word_list_is_found_and_nothing_else)
{
	size_t n;
	const char *const *stop_words = oyl__stopword_list(&n);
	ck_assert_uint_eq(n, 161);
	ck_assert_msg(fingerprint(stop_words, n) == STOP_WORDS_FINGERPRINT,
		      "the stop words changed: fingerprint %#llx",
		      (unsigned long long)fingerprint(stop_words, n));
	for (size_t i = 0; i < n; i++) {
		const char *w = stop_words[i];
		size_t len = strlen(w);
		if (i > 0)
			ck_assert_int_lt(strcmp(stop_words[i - 1], w), 0);
		ck_assert_msg(oyl__is_stopword(w, len), "%s", w);
		/* not a longer word */
		char longer[32];
		snprintf(longer, sizeof longer, "%sq", w);
		ck_assert_msg(!oyl__is_stopword(longer, len + 1), "%s", longer);
	}
	const char *others[] = {"", "library", "search", "zebra", "aa", "thee", "yourselvesq",
				"\xc3\xa9t\xc3\xa9"};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		ck_assert_msg(!oyl__is_stopword(others[i], strlen(others[i])), "%s", others[i]);
	/* the length counts, not a NUL: "the" within "there" */
	ck_assert(oyl__is_stopword("there", 3));
	ck_assert(!oyl__is_stopword("thx", 2));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tokenizer");
	TCase *tc = tcase_create("tokenizer");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, english_is_stemmed_and_stop_words_keep_their_positions);
	tcase_add_test(tc, remembered_words_give_the_terms_they_give_alone);
	tcase_add_test(tc, identifiers_give_the_whole_and_their_parts);
	tcase_add_test(tc, connectors_join_only_between_word_characters);
	tcase_add_test(tc, a_compound_of_more_than_eight_parts_gives_its_parts_only);
	tcase_add_test(tc, case_folding_covers_unicode_and_keeps_diacritics);
	tcase_add_test(tc, a_combining_accent_is_composed);
	tcase_add_test(tc, han_and_kana_characters_are_words_of_their_own);
	tcase_add_test(tc, offsets_point_at_the_surface_form);
	tcase_add_test(tc, none_neither_stems_nor_drops_stop_words);
	tcase_add_test(tc, other_languages_stem_without_english_stop_words);
	tcase_add_test(tc, an_unknown_language_is_refused);
	tcase_add_test(tc, every_snowball_language_opens);
	tcase_add_test(tc, invalid_utf8_is_refused_before_any_token);
	tcase_add_test(tc, empty_and_punctuation_give_no_token);
	tcase_add_test(tc, a_term_over_64_bytes_is_skipped_but_keeps_its_position);
	tcase_add_test(tc, ten_kilobytes_of_garbage_make_no_giant_term);
	tcase_add_test(tc, the_callback_stops_tokenizing);
	tcase_add_test(tc, the_same_input_gives_the_same_tokens);
	tcase_add_test(tc, no_allocation_per_token_and_enomem_is_reported);
	tcase_add_test(tc, the_stop_word_list_is_found_and_nothing_else);
	suite_add_tcase(s, tc);
	return t_run(s);
}
