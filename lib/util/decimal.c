/* Decimal digits (decimal.h). */
#include "util/decimal.h"

size_t oyl__decimal(uint64_t v, char *out)
{
	char rev[OYL__DECIMAL_MAX];
	size_t n = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}
