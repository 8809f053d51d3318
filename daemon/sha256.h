/*
 * sha256.h - SHA-256 (FIPS 180-4) for content hashes: function hashes in
 * the index and every cache key. Own implementation, so rustifyd needs no
 * crypto library.
 */
#ifndef RUSTIFY_SHA256_H
#define RUSTIFY_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[32]);
/* Lowercase hex of the digest of data, NUL-terminated, into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* Finishes c into lowercase hex. */
void sha256_final_hex(struct sha256 *c, char out[65]);

#endif
