/* UTF-8, checked the same way by the core (input validation) and by the
 * SQL backends (values bound through the record-level interface).  A leaf:
 * it includes nothing of the library, so every layer may use it. */
#ifndef OYL_UTIL_UTF8_H
#define OYL_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* s[0..n) is valid UTF-8: no overlong forms, no surrogates, nothing past
 * U+10FFFF.  NUL bytes are valid here; callers that refuse them check. */
bool oyl__utf8_valid(const char *s, size_t n);

#endif
