/* SHA-256 (OpenSSL libcrypto) for manifests and verification. */
#ifndef UNIFW_HASH_H
#define UNIFW_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"

struct unifw_sha256 { void *md_ctx; };

int unifw_sha256_init(struct unifw_sha256 *h);
void unifw_sha256_update(struct unifw_sha256 *h, const void *data, size_t len);
/* Writes 32 bytes to out and frees the context. */
void unifw_sha256_final(struct unifw_sha256 *h, uint8_t out[32]);
/* One-shot, and hex rendering (65 bytes incl. NUL). */
void unifw_sha256(const void *data, size_t len, uint8_t out[32]);
void unifw_hex(const uint8_t *bytes, size_t n, char *out /* 2n+1 */);
/* The reverse: true when s is exactly 2n hex digits (either case, nothing else) and then out holds
 * the n bytes; false otherwise (out may be partly written). */
bool unifw_unhex(const char *s, uint8_t *out, size_t n);
/* Hash a whole stream; returns 0 or negative with err. */
int unifw_sha256_stream(struct unifw_stream *s, uint8_t out[32], struct unifw_error *err);

#endif
