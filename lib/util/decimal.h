/* Unsigned integers written in decimal without the stdio machinery: the
 * SQL text of every statement carries its placeholders' numbers and the
 * PostgreSQL backend names every prepared statement, so this runs per
 * statement.  A leaf, like utf8.h. */
#ifndef OYL_UTIL_DECIMAL_H
#define OYL_UTIL_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define OYL__DECIMAL_MAX 20 /* digits of UINT64_MAX */

/* Writes v's digits to out (no NUL; room for as many as v has, at most
 * OYL__DECIMAL_MAX) and returns how many. */
size_t oyl__decimal(uint64_t v, char *out);

#endif
