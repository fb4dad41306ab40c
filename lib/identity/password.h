/* Password hashing with Argon2id (libargon2), in PHC string format. */
#ifndef OYL_CORE_PASSWORD_H
#define OYL_CORE_PASSWORD_H

#include <stdint.h>

#define OYL_PASSWORD_MIN 8     /* characters (bytes of UTF-8 are counted as written) */
#define OYL_PASSWORD_MAX 1024  /* bytes: longer input is refused before hashing */

/* The parameters new hashes are made with (OWASP's minimum for Argon2id). */
typedef struct oyl__argon2_params {
	uint32_t t_cost;   /* passes */
	uint32_t m_cost;   /* KiB */
	uint32_t lanes;
} oyl__argon2_params;

extern oyl__argon2_params oyl__argon2_current;

/* Hashes pw; *encoded is new ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"). */
int oyl__password_hash(const char *pw, char **encoded);
/* Verifies pw against an encoded hash (constant time in the hash); *ok
 * and *stale (the hash's parameters are below the current ones). */
int oyl__password_verify(const char *encoded, const char *pw, int *ok, int *stale);
/* A hash of a random password, made once, to verify against when an
 * e-mail is unknown, so both answers cost one Argon2 computation. */
const char *oyl__password_dummy(void);
/* Argon2 verifications done by this process (a test hook). */
extern _Atomic long oyl__argon2_verifications;

#endif
