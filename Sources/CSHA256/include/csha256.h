/*
 * csha256.h - SHA-256 (FIPS 180-4), incremental.  Written in C so that the
 * tools hash at full speed in debug builds too (unoptimised Swift was ~40x
 * slower under the test VM's emulation).
 */
#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

struct csha256 {
	uint32_t	h[8];
	uint8_t		block[64];
	size_t		used;
	uint64_t	length;
};

void csha256_init(struct csha256 *c);
void csha256_update(struct csha256 *c, const void *data, size_t len);
/* Writes the digest of everything added; @c itself is unchanged. */
void csha256_final(const struct csha256 *c, uint8_t out[32]);

#endif
