// SPDX-License-Identifier: GPL-2.0
/*
 * fec.c - Reed-Solomon erasure code over GF(2^8) for PGM FEC, the code
 * OpenPGM 5.3 uses (see fec.h and docs/fec.md).
 *
 * The field: polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), alpha = x (2).
 * Its tables (logarithms, powers and the full 256 x 256 product table) are
 * computed once by pgm_fec_init() at module load rather than committed as
 * generated source: they are 66 KiB that one short loop makes in
 * microseconds, and the polynomial then lives in one place.
 *
 * The code: packet i of a group is a value of one polynomial of degree
 * below k at the point x_i, where x_0 = 0 and x_i = alpha^(i - 1) for
 * i >= 1.  The originals are the values at x_0 .. x_{k-1}, which makes
 * the code systematic; parity packet i (k <= i < n) is the value at x_i,
 * that is the sum over j < k of L_j(x_i) times original j, L_j being the
 * Lagrange basis polynomial of the points x_0 .. x_{k-1} that is 1 at x_j.
 * This is OpenPGM's generator matrix, which it gets by inverting the
 * Vandermonde matrix of those points and multiplying; a row depends on k
 * and the parity index only, not on n.
 */
#ifdef __KERNEL__
#include <linux/cache.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#endif

#include "fec.h"

#define GF_POLY		0x11d	/* x^8 + x^4 + x^3 + x^2 + 1 */
#define GF_ORDER	255	/* nonzero elements, the order of alpha */

/* gf_exp[i] = alpha^i, twice round: a sum of two logs needs no modulo */
static u8 gf_exp[2 * GF_ORDER] __ro_after_init;
/* gf_log[a] = i where alpha^i = a, for a != 0 */
static u8 gf_log[256] __ro_after_init;
/* gf_mul[a][b] = a * b */
static u8 gf_mul[256][256] __ro_after_init;

/**
 * pgm_fec_init() - compute the GF(2^8) tables
 *
 * Must run before any other function here: the module calls it first
 * thing at load.  Calling it again recomputes the same tables.
 */
void __init pgm_fec_init(void)
{
	unsigned int i, a, b, x = 1;

	for (i = 0; i < GF_ORDER; i++) {
		gf_exp[i] = x;
		gf_exp[i + GF_ORDER] = x;
		gf_log[x] = i;
		x <<= 1;
		if (x & 0x100)
			x ^= GF_POLY;
	}
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			gf_mul[a][b] = a && b ? gf_exp[gf_log[a] + gf_log[b]] : 0;
}

/* 1 / @a, for @a != 0. */
static u8 gf_inv(u8 a)
{
	return gf_exp[GF_ORDER - gf_log[a]];
}

/*
 * The vector operations work eight bytes at a time where they can: eight
 * products gathered into a word, then one load and one store of @d
 * instead of eight of each (a fifth to a half faster on x86-64, and less
 * at the mercy of where the buffers lie).
 */

/* c * s[0 .. 7] as a word that holds the products in memory order */
static __always_inline u64 gf_mul8(const u8 *t, const u8 *s)
{
	u64 v = (u64)t[s[0]] | (u64)t[s[1]] << 8 | (u64)t[s[2]] << 16 |
		(u64)t[s[3]] << 24 | (u64)t[s[4]] << 32 | (u64)t[s[5]] << 40 |
		(u64)t[s[6]] << 48 | (u64)t[s[7]] << 56;

	return (__force u64)cpu_to_le64(v);
}

/* d[] = c * s[]; @d may be @s. */
static void gf_vec_mul(u8 *d, u8 c, const u8 *s, size_t len)
{
	const u8 *t = gf_mul[c];
	size_t i;
	u64 w;

	for (i = 0; i + 8 <= len; i += 8) {
		w = gf_mul8(t, s + i);
		memcpy(d + i, &w, 8);
	}
	for (; i < len; i++)
		d[i] = t[s[i]];
}

/* d[] += c * s[] */
static void gf_vec_addmul(u8 *d, u8 c, const u8 *s, size_t len)
{
	const u8 *t = gf_mul[c];
	size_t i;
	u64 w;

	if (!c)
		return;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, d + i, 8);
		w ^= gf_mul8(t, s + i);
		memcpy(d + i, &w, 8);
	}
	for (; i < len; i++)
		d[i] ^= t[s[i]];
}

/* The evaluation point of packet @i of a group. */
static u8 rs_point(unsigned int i)
{
	return i ? gf_exp[i - 1] : 0;
}

/*
 * Row i - k of the parity matrix, for each parity packet i: L_j(x_i) for
 * each j < k, which is num_i / (x_i - x_j) / den_j with num_i the product
 * of (x_i - x_m) over all m < k and den_j that of (x_j - x_m) over m != j.
 * No factor is zero: the points are distinct.
 */
static void rs_fill(struct pgm_rs *rs)
{
	u8 rden[PGM_RS_MAX_K];	/* 1 / den_j */
	unsigned int i, j, m, k = rs->k;
	u8 *row = rs->parity;

	for (j = 0; j < k; j++) {
		u8 den = 1;

		for (m = 0; m < k; m++)
			if (m != j)
				den = gf_mul[den][rs_point(j) ^ rs_point(m)];
		rden[j] = gf_inv(den);
	}
	for (i = k; i < rs->n; i++, row += k) {
		u8 xi = rs_point(i), num = 1;

		for (m = 0; m < k; m++)
			num = gf_mul[num][xi ^ rs_point(m)];
		for (j = 0; j < k; j++)
			row[j] = gf_mul[gf_mul[num][gf_inv(xi ^ rs_point(j))]][rden[j]];
	}
}

/**
 * pgm_rs_init() - make the code RS(@n, @k)
 * @rs: the code to fill in
 * @n: packets in a transmission group, k + 1 to 255
 * @k: original packets in a transmission group, a power of two, 2 to 128
 * @gfp: allocation flags for the parity matrix (at most 16 KiB)
 *
 * Return: 0, -EINVAL for an @n or @k outside those ranges, or -ENOMEM.
 * After 0 the caller releases @rs with pgm_rs_free(); while it lives, @rs
 * is only read, so any number of encoders and decoders may share it.
 */
int pgm_rs_init(struct pgm_rs *rs, unsigned int n, unsigned int k, gfp_t gfp)
{
	if (k < PGM_RS_MIN_K || k > PGM_RS_MAX_K || !is_power_of_2(k) ||
	    n <= k || n > PGM_RS_MAX_N)
		return -EINVAL;
	rs->parity = kmalloc_array(n - k, k, gfp);
	if (!rs->parity)
		return -ENOMEM;
	rs->n = n;
	rs->k = k;
	rs_fill(rs);
	return 0;
}

/**
 * pgm_rs_free() - release what pgm_rs_init() allocated
 * @rs: the code
 */
void pgm_rs_free(struct pgm_rs *rs)
{
	kfree(rs->parity);
	rs->parity = NULL;
}

/**
 * pgm_rs_encode() - make one parity packet of a transmission group
 * @rs: the code
 * @src: the group's k original packets, each @len bytes
 * @index: which parity packet, k to n - 1
 * @dst: where it goes, @len bytes apart from every @src
 * @len: packet length
 *
 * Return: 0, or -EINVAL for an @index that is not a parity packet's.
 */
int pgm_rs_encode(const struct pgm_rs *rs, const u8 *const src[],
		  unsigned int index, u8 *dst, size_t len)
{
	const u8 *row;
	unsigned int j;

	if (index < rs->k || index >= rs->n)
		return -EINVAL;
	row = rs->parity + (index - rs->k) * rs->k;
	gf_vec_mul(dst, row[0], src[0], len);
	for (j = 1; j < rs->k; j++)
		gf_vec_addmul(dst, row[j], src[j], len);
	return 0;
}

/*
 * The slots of a group that hold a parity packet, into @miss in slot
 * order.  Returns how many, or -EINVAL unless each slot holds its own
 * original or a parity packet no other slot holds.
 */
static int rs_erasures(const struct pgm_rs *rs, const u8 index[], u8 miss[])
{
	u32 seen[(PGM_RS_MAX_N + 32) / 32] = {};
	unsigned int j, p, e = 0;

	for (j = 0; j < rs->k; j++) {
		p = index[j];
		if (p == j)
			continue;
		if (p < rs->k || p >= rs->n || seen[p / 32] & (1U << (p % 32)))
			return -EINVAL;
		seen[p / 32] |= 1U << (p % 32);
		miss[e++] = j;
	}
	return e;
}

/*
 * Parity packet p = sum over j of C[p][j] * original j.  Take the present
 * originals' terms out of each parity packet held, which leaves the
 * missing originals' terms only, and load their coefficients into the
 * @e x @e matrix @m: row a for the parity packet in slot miss[a], column b
 * for the original missing from slot miss[b].
 */
static void rs_syndromes(const struct pgm_rs *rs, u8 *const block[],
			 const u8 index[], const u8 miss[], unsigned int e,
			 u8 *m, size_t len)
{
	unsigned int a, b, j, k = rs->k;

	for (a = 0; a < e; a++) {
		const u8 *row = rs->parity + (index[miss[a]] - k) * k;
		u8 *y = block[miss[a]];

		for (j = 0; j < k; j++)
			if (index[j] == j)
				gf_vec_addmul(y, row[j], block[j], len);
		for (b = 0; b < e; b++)
			m[a * e + b] = row[miss[b]];
	}
}

/*
 * Solve m x = y in place, y being the packets in the slots miss[] and x
 * the originals that belong there: Gaussian elimination on @m, the same
 * row operations on the packets.  Any square submatrix of the parity
 * matrix is invertible (the code is MDS), so each leading one of @m is and
 * no pivot is zero: no row is swapped, and each packet ends in its slot.
 */
static int rs_solve(u8 *const block[], const u8 miss[], unsigned int e,
		    u8 *m, size_t len)
{
	unsigned int c, r, x;

	for (c = 0; c < e; c++) {
		u8 *pc = m + c * e, inv;

		if (!pc[c])	/* cannot happen, see above */
			return -EINVAL;
		if (pc[c] != 1) {
			inv = gf_inv(pc[c]);
			for (x = c; x < e; x++)
				pc[x] = gf_mul[inv][pc[x]];
			gf_vec_mul(block[miss[c]], inv, block[miss[c]], len);
		}
		for (r = c + 1; r < e; r++) {
			u8 *pr = m + r * e, f = pr[c];

			if (!f)
				continue;
			for (x = c; x < e; x++)
				pr[x] ^= gf_mul[f][pc[x]];
			gf_vec_addmul(block[miss[r]], f, block[miss[c]], len);
		}
	}
	/* @m is now upper triangular with ones on the diagonal */
	for (c = e; c-- > 1;)
		for (r = 0; r < c; r++)
			gf_vec_addmul(block[miss[r]], m[r * e + c], block[miss[c]], len);
	return 0;
}

/**
 * pgm_rs_decode() - rebuild a transmission group's missing originals
 * @rs: the code
 * @block: k packets of the group, each @len bytes: slot j holds original
 *	j, or, where that was lost, any parity packet of the group
 * @index: k packet numbers: index[j] is j where slot j holds its original,
 *	else the number (k to n - 1) of the parity packet it holds
 * @len: packet length
 * @gfp: allocation flags for the work matrix, needed (at most 16 KiB) only
 *	when more than 8 originals are missing
 *
 * Each slot that held a parity packet holds its original on return 0.
 * This is the arrangement of OpenPGM's pgm_rs_decode_parity_inline().
 *
 * Return: 0; -EINVAL if a slot holds another slot's original, or a packet
 * number no parity packet has, or two slots the same parity packet;
 * -ENOMEM.  Both errors leave the packets as they were.
 */
int pgm_rs_decode(const struct pgm_rs *rs, u8 *const block[], const u8 index[],
		  size_t len, gfp_t gfp)
{
	u8 miss[PGM_RS_MAX_K], small[64], *m = small;
	unsigned int e;
	int err;

	err = rs_erasures(rs, index, miss);
	if (err <= 0)
		return err;
	e = err;
	if (e * e > sizeof(small)) {
		m = kmalloc_array(e, e, gfp);
		if (!m)
			return -ENOMEM;
	}
	rs_syndromes(rs, block, index, miss, e, m, len);
	err = rs_solve(block, miss, e, m, len);
	if (m != small)
		kfree(m);
	return err;
}
