/* Record ids: random UUIDs from libuuid, generated client-side. */
#include <ctype.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core/internal.h"

void oyl__uuid_new(char out[OYL_UUID_LEN + 1])
{
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int oyl__uuid_norm(const char *s, char out[OYL_UUID_LEN + 1])
{
	if (!s || strnlen(s, OYL_UUID_LEN + 1) != OYL_UUID_LEN)
		return 0;
	for (int i = 0; i < OYL_UUID_LEN; i++) {
		int dash = (i == 8 || i == 13 || i == 18 || i == 23);
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	if (out) {
		for (int i = 0; i < OYL_UUID_LEN; i++)
			out[i] = (char)tolower((unsigned char)s[i]);
		out[OYL_UUID_LEN] = '\0';
	}
	return 1;
}
