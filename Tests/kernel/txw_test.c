// SPDX-License-Identifier: GPL-2.0
/*
 * txw_test.c - the transmit window's slot arithmetic (kernel/txw.h), built
 * in user space with AddressSanitizer and UBSan and run on the host.  A
 * test in the VM cannot make a source's window cross 2^32 (its first
 * sequence number is random), so this slides windows of several sizes,
 * powers of two and not (3000 is the size the wrap once broke), across
 * the wrap the way source.c fills and drains them: every held sequence
 * number must find its own entry, and no two held ones may share a slot.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

typedef uint32_t u32;
typedef uint64_t u64;

#include "../../kernel/txw.h"
#include "harness.h"

/*
 * A window of @size sqns starting @before below 2^32, moved @steps sqns
 * (one send each, the trail advancing once it is full); slots hold the
 * sqn they were stored for.  Returns the number of wrong lookups.
 */
static unsigned long slide(u32 size, u32 before, u32 steps)
{
	u32 mask = pgm_txw_slots(size) - 1;
	uint64_t *slot = calloc((size_t)mask + 1, sizeof(*slot));
	u32 trail = 0U - before, next = trail;
	unsigned long wrong = 0;
	bool straddles;

	if (!slot)
		return 1;
	for (u32 i = 0; i < steps; i++) {
		if (next - trail == size) {	/* full: the trail advances */
			slot[pgm_txw_slot(mask, trail)] = 0;
			trail++;
		}
		if (slot[pgm_txw_slot(mask, next)])
			wrong++;	/* a held entry would be overwritten */
		slot[pgm_txw_slot(mask, next)] = (uint64_t)next | 1ULL << 32;
		next++;
		/*
		 * Every held sqn finds itself: checked (O(size)) at each step
		 * while the window holds both 2^32 - 1 and 0 (windows up to
		 * 16384 sqns), and 64 times besides.
		 */
		straddles = trail != 0 && (u32)(0U - trail) < next - trail;
		if ((straddles && size <= 16384) || i % (steps / 64 + 1) == 0 || i + 1 == steps) {
			for (u32 s = trail; s != next; s++)
				if (slot[pgm_txw_slot(mask, s)] != ((uint64_t)s | 1ULL << 32))
					wrong++;
		}
	}
	free(slot);
	return wrong;
}

static void slots_are_powers_of_two(void)
{
	static const u32 sizes[] = { 1, 2, 3, 1000, 3000, 4096, 8192, 8193, 1000000, 1U << 20 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		u32 n = pgm_txw_slots(sizes[i]);

		CHECK(n >= sizes[i]);
		CHECK_EQ(n & (n - 1), 0);
		CHECK(n / 2 < sizes[i] || sizes[i] == 1);
	}
}

/* Section 3.2: sequence numbers wrap; the window must not notice. */
static void window_across_the_wrap(void)
{
	static const u32 sizes[] = { 1, 3, 1000, 3000, 4096, 8192, 12345 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		u32 size = sizes[i];
		unsigned long wrong = slide(size, 2 * size + 7, 5 * size + 11);

		if (wrong)
			FAILF("window of %u sqns across 2^32: %lu wrong slots", size, wrong);
	}
}

/* The largest window (PGM_WINDOW_SQNS_MAX) once around the wrap. */
static void largest_window(void)
{
	CHECK_EQ(slide(1U << 20, 1U << 19, (1U << 20) + (1U << 19)), 0);
}

int main(void)
{
	RUN(slots_are_powers_of_two);
	RUN(window_across_the_wrap);
	RUN(largest_window);
	return summary("txw_test");
}
