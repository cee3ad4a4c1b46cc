#include "unifw/hash.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "util/bytes.h"

int unifw_sha256_init(struct unifw_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->md_ctx = NULL;
		return UNIFW_E_LIBRARY;
	}
	h->md_ctx = c;
	return 0;
}

void unifw_sha256_update(struct unifw_sha256 *h, const void *data, size_t len)
{
	if (h->md_ctx && len)
		EVP_DigestUpdate(h->md_ctx, data, len);
}

void unifw_sha256_final(struct unifw_sha256 *h, uint8_t out[32])
{
	unsigned int n = 32;
	if (h->md_ctx)
		EVP_DigestFinal_ex(h->md_ctx, out, &n);
	EVP_MD_CTX_free(h->md_ctx);
	h->md_ctx = NULL;
}

void unifw_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct unifw_sha256 h;
	unifw_sha256_init(&h);
	unifw_sha256_update(&h, data, len);
	unifw_sha256_final(&h, out);
}

void unifw_hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = 0;
}

bool unifw_unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = unifw_hexval(s[2 * i]), lo = unifw_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	return true;
}

int unifw_sha256_stream(struct unifw_stream *s, uint8_t out[32], struct unifw_error *err)
{
	struct unifw_sha256 h;
	size_t bufsz = 1 << 20;
	uint8_t *buf = malloc(bufsz);
	if (!buf || unifw_sha256_init(&h)) {
		free(buf);
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "cannot start SHA-256");
	}
	for (;;) {
		ssize_t n = unifw_stream_read(s, buf, bufsz, err);
		if (n < 0) {
			unifw_sha256_final(&h, out);
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		unifw_sha256_update(&h, buf, (size_t)n);
	}
	unifw_sha256_final(&h, out);
	free(buf);
	return 0;
}
