/*
 * Record ids: random (version 4) UUIDs, made client-side.  The 122 random
 * bits come from OpenSSL's generator, which draws on the kernel once and
 * then needs no system call; libuuid's uuid_generate_random() makes six
 * of them per id (getrandom, getpid twice, getppid, getuid, gettid),
 * twice the cost of a whole create's I/O.  libuuid writes the text.
 */
#include <ctype.h>
#include <string.h>
#include <uuid/uuid.h>

#include <openssl/rand.h>

#include "core/internal.h"

void oyl__uuid_new(char out[OYL_UUID_LEN + 1])
{
	uuid_t u;
	if (RAND_bytes(u, sizeof u) != 1)
		uuid_generate_random(u); /* OpenSSL's generator failed: the kernel's */
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
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
