/*
 * The search tokenizer: the library's own, so that indexing a chunk and
 * parsing a question give the same terms on every backend (doc/retrieval.md).
 * The rules, in order:
 *
 * 1. Segmentation.  A word is a maximal run of word characters: Unicode
 *    letters (L*), marks (M*) and numbers (N*), by utf8proc_category().
 *    Characters of scripts written without spaces are each a word of
 *    their own (with the marks that follow them): Han (U+3400-4DBF,
 *    U+4E00-9FFF, U+F900-FAFF, U+20000-3FFFF), Hiragana (U+3040-309F),
 *    Katakana (U+30A0-30FF, U+31F0-31FF, halfwidth U+FF66-FF9F) and the
 *    iteration marks and ideographic numerals of U+3000-303F (々 〆 〇).
 *    Everything else (spaces, punctuation, symbols, controls, NUL,
 *    unassigned code points) separates words.
 *
 * 2. Identifiers.  Word runs joined by a single connector, one of
 *    _ - . ' ’ : / or "::", with a word character on both sides, form a
 *    compound: pthread_mutex_lock, ssh-keygen, os.path.join, std::vector,
 *    3.11, don't.  A doubled connector ("a--b", "a__b") joins nothing,
 *    and a character of rule 1's scripts never joins a compound.  A
 *    compound gives its whole (whole = 1: folded, not stemmed, no stop
 *    word dropped, ’ written as ') and then each of its parts (whole =
 *    0: like simple words).  A simple word gives one token (whole = 0).
 *
 * 3. Folding.  Every term is Unicode case folded and in NFC (utf8proc,
 *    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD): "Straße"
 *    gives "strasse", "ÉCOLE" and "E" + U+0301 "COLE" give "école".
 *    Diacritics are kept.
 *
 * 4. Stop words.  For "english" only, the words of oyl__is_stopword()
 *    (161 function words, among them the contraction tails s t d ll re
 *    ve m and don isn ...) are dropped: simple words and parts, never a
 *    whole compound.
 *
 * 5. Stemming.  Snowball (libstemmer) in the tokenizer's language, on
 *    the folded word; "none" does not stem.  A word of numbers only (all
 *    N*) is not stemmed, nor is a character of rule 1's scripts.
 *
 * 6. Positions and limits.  Each simple word, compound or character of
 *    rule 1's scripts takes the next position (from 0); a compound's
 *    whole and parts share it.  Dropped stop words and skipped terms
 *    still take theirs, so phrases keep their distances.  A term longer
 *    than OYL__TERM_MAX bytes (folded, or stemmed) is skipped: 10 kB of
 *    garbage without a space must not make giant terms that bloat the
 *    index and match nothing.  A compound of more than
 *    OYL__COMPOUND_PARTS_MAX parts gives its parts only (a dotted path
 *    of a hundred names is no identifier anyone types).
 *
 * 7. The callback's non-zero return stops tokenizing and is returned.
 *
 * Tokens come in input order (a compound's whole before its parts).  The
 * tokenizer allocates nothing per token (its buffers are reused) and is
 * deterministic: the same input gives the same tokens on every machine
 * with the same utf8proc and libstemmer (a new Unicode version or
 * Snowball algorithm may change terms: indexes would be rebuilt).
 * One tokenizer is not for two threads at once.
 */
#ifndef OYL_SEARCH_TOKENIZE_H
#define OYL_SEARCH_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#define OYL__TERM_MAX 64          /* bytes of a term, after folding and stemming */
#define OYL__COMPOUND_PARTS_MAX 8 /* parts of a compound that is also given whole */

typedef struct oyl__token {
	const char *term;  /* folded (and stemmed), NUL-terminated; valid during the callback only */
	size_t len;        /* its bytes */
	size_t start, end; /* the surface form in the input: bytes [start, end) */
	uint32_t pos;      /* word position; a compound's parts share its position */
	int whole;         /* 1 for the whole of a compound, 0 for a part or a simple word */
} oyl__token;

/* Receives each token; non-zero stops tokenizing and is returned. */
typedef int (*oyl__token_fn)(const oyl__token *t, void *payload);

typedef struct oyl__tokenizer oyl__tokenizer;

/*
 * A tokenizer for `language`: "english" (also when NULL), "none" (no
 * stemming, no stop words) or a name of libstemmer's sb_stemmer_list()
 * ("french", "german", ...; its aliases such as "en" are refused, so a
 * stored language has one spelling).  OYL_EINVAL for any other name,
 * OYL_ENOMEM.
 */
int oyl__tokenizer_new(const char *language, oyl__tokenizer **out);
void oyl__tokenizer_free(oyl__tokenizer *t);

/* Sets how many stems the tokenizer remembers (512 unless told; 48 bytes
 * each), before it has made its memo: a tokenizer that lives long over
 * one vocabulary (the extractive answerer's) gains from more. */
void oyl__tokenizer_remember(oyl__tokenizer *t, size_t slots);

/* The canonical name of its language ("english", "none", ...). */
const char *oyl__tokenizer_language(const oyl__tokenizer *t);

/*
 * Tokenizes text[0..n), which must be valid UTF-8 (NUL and any other
 * code point allowed): else OYL_EINVAL and no callback.  Returns
 * OYL_OK, OYL_ENOMEM, or the callback's non-zero return.
 */
int oyl__tokenize(oyl__tokenizer *t, const char *text, size_t n, oyl__token_fn fn,
		  void *payload);

/* 1 when the folded term[0..len) is an English stop word (stopwords.c). */
int oyl__is_stopword(const char *term, size_t len);

/* The English stop words, sorted by bytes; *n of them. */
const char *const *oyl__stopword_list(size_t *n);

#endif
