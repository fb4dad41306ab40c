/*
 * Passwords: Argon2id through libargon2.  Parameters are at OWASP's
 * minimum for Argon2id (19 MiB, 2 passes, 1 lane) with a 16-byte random
 * salt and a 32-byte tag; the PHC string stores them with the hash, so a
 * later version can raise them and rehash at the next login.
 */
#include "identity/password.h"

#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "identity/secret.h"

#define SALT_LEN 16
#define TAG_LEN 32

oyl__argon2_params oyl__argon2_current = {2, 19456, 1};
_Atomic long oyl__argon2_verifications; /* atomic: hosts log in from several threads */

int oyl__password_hash(const char *pw, char **encoded)
{
	unsigned char salt[SALT_LEN];
	*encoded = NULL;
	if (oyl__random_bytes(salt, sizeof salt))
		return OYL_ERROR;
	const oyl__argon2_params *p = &oyl__argon2_current;
	size_t len = argon2_encodedlen(p->t_cost, p->m_cost, p->lanes, SALT_LEN, TAG_LEN, Argon2_id);
	char *out = oyl__malloc(len);
	if (!out)
		return OYL_ENOMEM;
	int rc = argon2id_hash_encoded(p->t_cost, p->m_cost, p->lanes, pw, strlen(pw), salt, SALT_LEN,
				       TAG_LEN, out, len);
	oyl__wipe(salt, sizeof salt);
	if (rc != ARGON2_OK) {
		oyl__free(out);
		return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? OYL_ENOMEM : OYL_ERROR;
	}
	*encoded = out;
	return OYL_OK;
}

int oyl__password_verify(const char *encoded, const char *pw, int *ok, int *stale)
{
	*ok = *stale = 0;
	oyl__argon2_verifications++;
	int rc = argon2id_verify(encoded, pw, strlen(pw));
	if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
		return OYL_ENOMEM;
	*ok = rc == ARGON2_OK;
	unsigned m = 0, t = 0, p = 0;
	if (sscanf(encoded, "$argon2id$v=19$m=%u,t=%u,p=%u$", &m, &t, &p) != 3 ||
	    m < oyl__argon2_current.m_cost || t < oyl__argon2_current.t_cost ||
	    p < oyl__argon2_current.lanes)
		*stale = 1;
	return OYL_OK;
}

static char dummy[256];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[33], *hash = NULL;
	if (oyl__random_base62(pw, 32) == OYL_OK && oyl__password_hash(pw, &hash) == OYL_OK &&
	    strlen(hash) < sizeof dummy)
		memcpy(dummy, hash, strlen(hash) + 1);
	oyl__free(hash);
	oyl__wipe(pw, sizeof pw);
}

const char *oyl__password_dummy(void)
{
	pthread_once(&dummy_once, make_dummy);
	return dummy[0] ? dummy : "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
				  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
}
