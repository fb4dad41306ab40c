/* Randomness, hashing and comparisons for credentials (OpenSSL libcrypto). */
#ifndef OYL_CORE_SECRET_H
#define OYL_CORE_SECRET_H

#include <stddef.h>

#define OYL_SHA256_HEX 64

/* n bytes from the CSPRNG; OYL_OK or OYL_ERROR. */
int oyl__random_bytes(unsigned char *buf, size_t n);
/* n random characters of [A-Za-z0-9] (unbiased), NUL-terminated. */
int oyl__random_base62(char *out, size_t n);
/* SHA-256 of data as 64 lowercase hex characters, NUL-terminated. */
int oyl__sha256_hex(const void *data, size_t n, char out[OYL_SHA256_HEX + 1]);
/* 1 when a and b (n bytes each) are equal, in time independent of where they differ. */
int oyl__ct_equal(const void *a, const void *b, size_t n);
/* Overwrites memory in a way the compiler does not remove. */
void oyl__wipe(void *p, size_t n);

#endif
