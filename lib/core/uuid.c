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

/* 16 random bytes made a version 4 UUID's text. */
static void unparse_v4(unsigned char *u, char out[OYL_UUID_LEN + 1])
{
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	uuid_unparse_lower(u, out);
}

void oyl__uuid_new(char out[OYL_UUID_LEN + 1])
{
	uuid_t u;
	if (RAND_bytes(u, sizeof u) != 1)
		uuid_generate_random(u); /* OpenSSL's generator failed: the kernel's */
	unparse_v4(u, out);
}

/* Ids a batch at a time: one call of the generator per 256 of them (a call
 * costs more than its 16 bytes; an ingest makes one id per posting). */
void oyl__uuid_new_many(char (*out)[OYL_UUID_LEN + 1], size_t n)
{
	unsigned char bytes[256 * 16];
	while (n > 0) {
		size_t k = n < 256 ? n : 256;
		if (RAND_bytes(bytes, (int)(k * 16)) != 1)
			for (size_t i = 0; i < k; i++)
				uuid_generate_random(bytes + i * 16);
		for (size_t i = 0; i < k; i++)
			unparse_v4(bytes + i * 16, out[i]);
		out += k;
		n -= k;
	}
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
