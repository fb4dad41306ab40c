/* The search tokenizer (tokenize.h gives the rules). */
#include "search/tokenize.h"

#include <libstemmer.h>
#include <string.h>
#include <utf8proc.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

#define FOLD_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

/* A surface longer than this is skipped without folding it: folding
 * shrinks no text more than threefold (Kelvin sign to "k", Hangul jamo
 * to a syllable), so it could not fit OYL__TERM_MAX; and the scratch
 * stays small whatever the input. */
#define SURFACE_MAX (8 * OYL__TERM_MAX)

/*
 * What a folded word became (dropped as a stop word, or its stem), kept
 * for the words met most recently: a document repeats its words, and the
 * stemmer and the stop-word search were a quarter of an ingest's own
 * work.  Direct-mapped by the word's hash; an entry is replaced by the
 * next word of the same slot, so the result is the same with or without
 * it.  Made once a tokenizer has seen MEMO_AFTER words: a question's few
 * words do not pay for it.  An entry is 48 bytes, so that a lookup reads
 * one or two cache lines (the slot is at random: a memo larger than the
 * cache costs a miss a word); longer words are stemmed each time.
 */
#define MEMO_SLOTS 512
#define MEMO_AFTER 256
#define MEMO_STOPWORD 0xff
#define MEMO_WORD_MAX 22 /* bytes of a word (and of its stem) remembered */

typedef struct memo {
	unsigned char wlen, slen; /* slen MEMO_STOPWORD: dropped; wlen 0: empty */
	unsigned char numeric;    /* a number: not stemmed */
	char word[MEMO_WORD_MAX];
	char stem[MEMO_WORD_MAX];
} memo;

struct oyl__tokenizer {
	struct sb_stemmer *stemmer; /* NULL for "none" */
	const char *language;       /* canonical: a string of sb_stemmer_list(), or "none" */
	int stopwords;              /* English stop words dropped */
	int32_t *cps;               /* folding scratch, in code points, reused */
	size_t cap;
	size_t words;               /* words stemmed or dropped so far */
	memo *memo;                 /* memo_slots entries, or NULL */
	size_t memo_slots;          /* MEMO_SLOTS unless told (oyl__tokenizer_remember) */
	char term[OYL__TERM_MAX + 1]; /* the term handed to the callback */
};

/* What a code point is to the segmenter. */
enum { SEP, LETTER, NUMBER, MARK, ALONE };

/* Han, Hiragana and Katakana: scripts written without spaces, whose
 * every character is a word (tokenize.h lists the ranges). */
static int unspaced(uint32_t cp)
{
	return (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0x3040 && cp <= 0x30ff) ||
	       (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	       (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xff66 && cp <= 0xff9f) || (cp >= 0x20000 && cp <= 0x3ffff);
}

static int classify(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return LETTER;
		return cp >= '0' && cp <= '9' ? NUMBER : SEP;
	}
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	if (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME)
		return MARK; /* a mark goes with what it follows, even a Han character */
	if (c < UTF8PROC_CATEGORY_LU || c > UTF8PROC_CATEGORY_NO)
		return SEP;
	if (unspaced(cp))
		return ALONE;
	return c >= UTF8PROC_CATEGORY_ND ? NUMBER : LETTER;
}

/* The code point at s[i] (valid UTF-8) and where the next one starts. */
static size_t next_cp(const char *s, size_t n, size_t i, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0x80) {
		*cp = c;
		return i + 1;
	}
	return i + (size_t)oyl__utf8_decode((const unsigned char *)s + i, n - i, cp);
}

static int kind_at(const char *s, size_t n, size_t i)
{
	uint32_t cp;
	if (i >= n)
		return SEP;
	next_cp(s, n, i, &cp);
	return classify(cp);
}

static int is_word(int kind)
{
	return kind == LETTER || kind == NUMBER || kind == MARK;
}

/* The end of the run of word characters from s[i]; *numeric tells
 * whether they were all numbers. */
static size_t run_end(const char *s, size_t n, size_t i, int *numeric)
{
	*numeric = 1;
	while (i < n) {
		uint32_t cp;
		size_t j = next_cp(s, n, i, &cp);
		int k = classify(cp);
		if (!is_word(k))
			break;
		if (k != NUMBER)
			*numeric = 0;
		i = j;
	}
	return i;
}

/* The length of the connector at s[i] when a word character follows it
 * (it follows one: i ends a run), else 0. */
static size_t joint(const char *s, size_t n, size_t i)
{
	size_t len;
	if (i >= n)
		return 0;
	if (s[i] == ':' && i + 1 < n && s[i + 1] == ':')
		len = 2;
	else if (s[i] != '\0' && strchr("_-.':/", s[i]))
		len = 1;
	else if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x99", 3) == 0) /* ’ */
		len = 3;
	else
		return 0;
	return is_word(kind_at(s, n, i + len)) ? len : 0;
}

/* ’ becomes ' in a compound's whole: "don’t" and "don't" are one term. */
static utf8proc_int32_t straight_apostrophe(utf8proc_int32_t cp, void *data)
{
	(void)data;
	return cp == 0x2019 ? '\'' : cp;
}

/* Folds s[0..n) into t->term.  Returns OYL_OK with *len set, 1 when the
 * result is longer than OYL__TERM_MAX, or OYL_ENOMEM. */
static int fold(oyl__tokenizer *t, const char *s, size_t n, int whole, size_t *len)
{
	if (n > SURFACE_MAX)
		return 1;
	size_t i = 0;
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	if (i == n) { /* ASCII: case folding is tolower, NFC changes nothing */
		if (n > OYL__TERM_MAX)
			return 1;
		for (i = 0; i < n; i++)
			t->term[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]);
		t->term[n] = '\0';
		*len = n;
		return OYL_OK;
	}
	/* Into the scratch (utf8proc_map would malloc), as ingest/text.c. */
	utf8proc_custom_func map = whole ? straight_apostrophe : NULL;
	utf8proc_ssize_t got;
	for (;;) {
		got = utf8proc_decompose_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
						t->cps, (utf8proc_ssize_t)t->cap, FOLD_OPTIONS, map,
						NULL);
		if (got < 0)
			return 1; /* not on valid UTF-8; skipped if it ever were */
		if ((size_t)got <= t->cap)
			break;
		/* grows to the largest word met, then is reused */
		size_t cap = t->cap ? t->cap : 64;
		while (cap < (size_t)got)
			cap *= 2;
		int32_t *cps = oyl__realloc(t->cps, cap * sizeof *cps);
		if (!cps)
			return OYL_ENOMEM;
		t->cps = cps;
		t->cap = cap;
	}
	utf8proc_ssize_t cps = utf8proc_normalize_utf32(t->cps, got, FOLD_OPTIONS);
	utf8proc_ssize_t bytes = utf8proc_reencode(t->cps, cps, FOLD_OPTIONS);
	if (bytes < 0 || bytes > OYL__TERM_MAX)
		return 1;
	memcpy(t->term, t->cps, (size_t)bytes);
	t->term[bytes] = '\0';
	*len = (size_t)bytes;
	return OYL_OK;
}

typedef struct emitter {
	oyl__tokenizer *t;
	const char *s;
	oyl__token_fn fn;
	void *payload;
	uint32_t pos;
} emitter;

static int call(emitter *e, size_t len, size_t start, size_t end, int whole)
{
	oyl__token tok = {e->t->term, len, start, end, e->pos, whole};
	return e->fn(&tok, e->payload);
}

/* A compound's whole: folded only. */
static int emit_whole(emitter *e, size_t start, size_t end)
{
	size_t len;
	int rc = fold(e->t, e->s + start, end - start, 1, &len);
	if (rc)
		return rc < 0 ? rc : OYL_OK;
	return call(e, len, start, end, 1);
}

/* t->term[0..len), a folded word: 1 dropped as a stop word, else 0 with
 * t->term its stem (*len its length; 0 when the stem is dropped). */
static int stem_word(oyl__tokenizer *t, size_t *len, int numeric)
{
	if (t->stopwords && oyl__is_stopword(t->term, *len))
		return 1;
	if (t->stemmer && !numeric) {
		const sb_symbol *stem = sb_stemmer_stem(t->stemmer, (const sb_symbol *)t->term,
							(int)*len);
		if (!stem)
			return OYL_ENOMEM;
		int slen = sb_stemmer_length(t->stemmer);
		if (slen < 0 || slen > OYL__TERM_MAX)
			slen = 0;
		/* the stemmer's buffer is its own, valid until its next call */
		memcpy(t->term, stem, (size_t)slen);
		t->term[slen] = '\0';
		*len = (size_t)slen;
	}
	return 0;
}

static memo *memo_slot(oyl__tokenizer *t, size_t len)
{
	if (!t->memo && ++t->words == MEMO_AFTER)
		t->memo = oyl__calloc(t->memo_slots, sizeof *t->memo); /* none: unremembered */
	if (!t->memo || len == 0 || len > MEMO_WORD_MAX)
		return NULL;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)t->term[i]) * 16777619u;
	return &t->memo[h % t->memo_slots];
}

/* stem_word, through the memo when the tokenizer has one. */
static int stem_remembered(oyl__tokenizer *t, size_t *len, int numeric)
{
	memo *m = memo_slot(t, *len);
	if (m && m->wlen == *len && m->numeric == (numeric != 0) &&
	    memcmp(m->word, t->term, *len) == 0) {
		if (m->slen == MEMO_STOPWORD)
			return 1;
		memcpy(t->term, m->stem, m->slen);
		t->term[m->slen] = '\0';
		*len = m->slen;
		return 0;
	}
	if (m) {
		m->wlen = (unsigned char)*len;
		m->numeric = numeric != 0;
		memcpy(m->word, t->term, *len);
	}
	int rc = stem_word(t, len, numeric);
	if (m && (rc < 0 || (!rc && *len > MEMO_WORD_MAX))) {
		m->wlen = 0; /* nothing remembered */
	} else if (m) {
		m->slen = rc ? MEMO_STOPWORD : (unsigned char)*len;
		if (!rc)
			memcpy(m->stem, t->term, *len);
	}
	return rc;
}

/* A simple word or a part: folded, stop words dropped, stemmed. */
static int emit_word(emitter *e, size_t start, size_t end, int numeric)
{
	oyl__tokenizer *t = e->t;
	size_t len;
	int rc = fold(t, e->s + start, end - start, 0, &len);
	if (rc)
		return rc < 0 ? rc : OYL_OK;
	rc = stem_remembered(t, &len, numeric);
	if (rc)
		return rc < 0 ? rc : OYL_OK;
	if (len == 0)
		return OYL_OK;
	return call(e, len, start, end, 0);
}

/* The word (simple or compound) starting at s[i]; returns its end in *end. */
static int word(emitter *e, size_t n, size_t i, size_t *end)
{
	const char *s = e->s;
	int numeric;
	size_t first = run_end(s, n, i, &numeric);
	/* The compound's extent and parts, then its tokens. */
	size_t j = first, c, parts = 1;
	while ((c = joint(s, n, j)) > 0) {
		j = run_end(s, n, j + c, &(int){0});
		parts++;
	}
	*end = j;
	if (parts == 1)
		return emit_word(e, i, first, numeric);
	int rc = OYL_OK;
	if (parts <= OYL__COMPOUND_PARTS_MAX)
		rc = emit_whole(e, i, j);
	for (size_t p = i; !rc;) {
		size_t pe = run_end(s, n, p, &numeric);
		rc = emit_word(e, p, pe, numeric);
		if (pe == j)
			break;
		p = pe + joint(s, n, pe);
	}
	return rc;
}

int oyl__tokenize(oyl__tokenizer *t, const char *text, size_t n, oyl__token_fn fn,
		  void *payload)
{
	if (!t || !fn || (!text && n > 0))
		return OYL_EINVAL;
	if (n == 0)
		return OYL_OK;
	if (!oyl__utf8_valid(text, n))
		return OYL_EINVAL;
	emitter e = {t, text, fn, payload, 0};
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t j = next_cp(text, n, i, &cp);
		int k = classify(cp);
		int rc = OYL_OK;
		if (k == SEP) {
			i = j;
			continue;
		}
		if (k == ALONE) {
			while (j < n && kind_at(text, n, j) == MARK)
				j = next_cp(text, n, j, &cp);
			rc = emit_word(&e, i, j, 1); /* nothing to stem */
		} else {
			rc = word(&e, n, i, &j);
		}
		if (rc)
			return rc;
		e.pos++;
		i = j;
	}
	return OYL_OK;
}

int oyl__tokenizer_new(const char *language, oyl__tokenizer **out)
{
	if (!out)
		return OYL_EINVAL;
	*out = NULL;
	if (!language)
		language = "english";
	const char *name = NULL;
	if (strcmp(language, "none") == 0) {
		name = "none";
	} else {
		/* Canonical names only: sb_stemmer_new() also takes aliases. */
		for (const char **l = sb_stemmer_list(); *l && !name; l++)
			if (strcmp(*l, language) == 0)
				name = *l;
		if (!name)
			return OYL_EINVAL;
	}
	oyl__tokenizer *t = oyl__calloc(1, sizeof *t);
	if (!t)
		return OYL_ENOMEM;
	t->language = name;
	if (strcmp(name, "none") != 0) {
		/* libstemmer allocates with malloc: it has no allocator hook */
		t->stemmer = sb_stemmer_new(name, "UTF_8");
		if (!t->stemmer) { /* a listed name: only memory can fail */
			oyl__free(t);
			return OYL_ENOMEM;
		}
	}
	t->stopwords = strcmp(name, "english") == 0;
	t->memo_slots = MEMO_SLOTS;
	*out = t;
	return OYL_OK;
}

void oyl__tokenizer_remember(oyl__tokenizer *t, size_t slots)
{
	if (!t->memo && slots > 0)
		t->memo_slots = slots;
}

void oyl__tokenizer_free(oyl__tokenizer *t)
{
	if (!t)
		return;
	sb_stemmer_delete(t->stemmer);
	oyl__free(t->memo);
	oyl__free(t->cps);
	oyl__free(t);
}

const char *oyl__tokenizer_language(const oyl__tokenizer *t)
{
	return t->language;
}
