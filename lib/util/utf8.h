/* UTF-8, checked the same way by the core (input validation), by the
 * SQL backends (values bound through the record-level interface) and by
 * ingestion (which repairs what it cannot accept).  A leaf: it includes
 * nothing of the library, so every layer may use it. */
#ifndef OYL_UTIL_UTF8_H
#define OYL_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at s[0..n) (n >= 1).  Returns its length (1..4)
 * with *cp set, or, for an invalid sequence, minus the length of its
 * maximal subpart (the bytes one U+FFFD replaces, as Unicode recommends:
 * a lead byte and the continuation bytes that were still possible).
 * Overlong forms, surrogates and values past U+10FFFF are invalid.
 */
int oyl__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* s[0..n) is valid UTF-8.  NUL bytes are valid here; callers that
 * refuse them check. */
bool oyl__utf8_valid(const char *s, size_t n);

/* Encodes cp (a scalar value) into out[0..4); returns its length. */
size_t oyl__utf8_encode(uint32_t cp, char out[4]);

#endif
