// SPDX-License-Identifier: GPL-2.0
/*
 * wire_fuzz.c - libFuzzer target for the module's packet validator
 * (kernel/wire.c), built in user space with ASan: validation never reads
 * outside the packet, pgm_wire_need() never asks for more than the packet,
 * and a packet valid as a whole is also valid with just the needed prefix
 * contiguous (the module only linearises that much).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t __be16;
typedef uint32_t __be32;

#include "../../kernel/wire.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgm_wire_info a, b;
	u8 *copy = malloc(size ? size : 1);
	size_t need;

	memcpy(copy, data, size);
	need = pgm_wire_need(copy, size, size);
	if (need > size)
		abort();
	if (pgm_wire_validate(copy, size, size, &a) == PGM_WIRE_OK) {
		if (pgm_wire_validate(copy, need, size, &b) != PGM_WIRE_OK)
			abort();
		if (a.hdr_len + a.opt_len + a.tsdu_len != size)
			abort();
	}
	free(copy);
	return 0;
}
