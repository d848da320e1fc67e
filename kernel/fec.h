/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fec.h - the Reed-Solomon erasure code of PGM's FEC (RFC 3208 appendix A),
 * bit-compatible with OpenPGM 5.3: a parity packet we make is the one
 * OpenPGM makes from the same originals, and either side rebuilds the
 * other's losses.
 *
 * A transmission group is k original packets of equal length (callers pad),
 * numbered 0..k-1, and up to n - k parity packets numbered k..n-1.  Any k
 * distinct packets of a group give back all k originals.  The code works
 * over GF(2^8) with the field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d);
 * see docs/fec.md for how the generator matrix is made.
 *
 * Pure logic on byte buffers, no socket plumbing: the module builds it and
 * Tests/kernel/fec_test.c builds it in user space against OpenPGM.  Without
 * __KERNEL__ the includer provides u8, u32, u64, size_t, gfp_t,
 * kmalloc_array(), kfree(), memcpy(), is_power_of_2(), cpu_to_le64(),
 * __force, __always_inline, __init, __ro_after_init and the errno values.
 */
#ifndef _PGM_FEC_H
#define _PGM_FEC_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

#define PGM_RS_MIN_K	2	/* k: a power of two from 2 ... */
#define PGM_RS_MAX_K	128	/* ... to 128 */
#define PGM_RS_MAX_N	255	/* n: from k + 1 to 255 */

/**
 * struct pgm_rs - one Reed-Solomon code RS(n, k)
 * @n: packets in a transmission group, originals and parity
 * @k: original packets in a transmission group
 * @parity: n - k rows of k coefficients; row i - k makes parity packet i
 *	as the sum over j of coefficient j times original j
 */
struct pgm_rs {
	u8 n;
	u8 k;
	u8 *parity;
};

void pgm_fec_init(void);
int pgm_rs_init(struct pgm_rs *rs, unsigned int n, unsigned int k, gfp_t gfp);
void pgm_rs_free(struct pgm_rs *rs);
int pgm_rs_encode(const struct pgm_rs *rs, const u8 *const src[],
		  unsigned int index, u8 *dst, size_t len);
int pgm_rs_decode(const struct pgm_rs *rs, u8 *const block[], const u8 index[],
		  size_t len, gfp_t gfp);

#endif /* _PGM_FEC_H */
