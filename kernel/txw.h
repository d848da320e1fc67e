/* SPDX-License-Identifier: GPL-2.0 */
/*
 * txw.h - where a sequence number lives in the transmit window's slot
 * array.  Plain C with no kernel dependency: the module includes it, and
 * Tests/kernel/txw_test.c builds it in user space to slide windows across
 * the 2^32 wrap, which a test in the VM cannot force (the source's first
 * sequence number is random).
 *
 * The window holds at most PGM_TXW_SQNS consecutive sequence numbers, but
 * its slot array has the next power of two of slots and a sequence number
 * goes to slot (sqn & mask).  A power of two divides 2^32, so consecutive
 * sequence numbers take distinct slots across the wrap as well; with
 * (sqn % size) and a size that does not divide 2^32, the numbers just
 * below 2^32 and those just after it share slots (RFC 3208 section 3.2:
 * sequence numbers wrap).  Every bound on the window (what it may hold,
 * what a NAK may ask for) still uses PGM_TXW_SQNS, never the slot count.
 *
 * A receiver's window (receiver.h) finds its slots the same way, for the
 * same reason, with PGM_RXW_SQNS.
 */
#ifndef _PGM_TXW_H
#define _PGM_TXW_H

/* Slots for a window of @sqns sequence numbers (1 to 2^20): a power of two. */
static inline u32 pgm_txw_slots(u32 sqns)
{
	u32 n = 1;

	while (n < sqns)
		n <<= 1;
	return n;
}

/* The slot of @sqn in an array of @mask + 1 slots. */
static inline u32 pgm_txw_slot(u32 mask, u32 sqn)
{
	return sqn & mask;
}

#endif /* _PGM_TXW_H */
