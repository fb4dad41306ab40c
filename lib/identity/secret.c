/* Credentials' primitives, all from OpenSSL's libcrypto. */
#include "identity/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "oyl/oyl.h"

int oyl__random_bytes(unsigned char *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? OYL_OK : OYL_ERROR;
}

int oyl__random_base62(char *out, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t filled = 0;
	unsigned char pool[64];
	while (filled < n) {
		if (oyl__random_bytes(pool, sizeof pool))
			return OYL_ERROR;
		/* 248 = 4 * 62: rejecting bytes above it keeps every letter equally likely */
		for (size_t i = 0; i < sizeof pool && filled < n; i++)
			if (pool[i] < 248)
				out[filled++] = alphabet[pool[i] % 62];
	}
	out[n] = '\0';
	oyl__wipe(pool, sizeof pool);
	return OYL_OK;
}

int oyl__sha256_hex(const void *data, size_t n, char out[OYL_SHA256_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int len = 0;
	if (EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) != 1 || len != sizeof md)
		return OYL_ERROR;
	for (size_t i = 0; i < sizeof md; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[OYL_SHA256_HEX] = '\0';
	return OYL_OK;
}

int oyl__ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void oyl__wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
