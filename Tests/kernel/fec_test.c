// SPDX-License-Identifier: GPL-2.0
/*
 * fec_test.c - the module's Reed-Solomon code (kernel/fec.c), built in user
 * space with AddressSanitizer and UBSan and checked against OpenPGM 5.3
 * (Debian's libpgm.a) as the oracle: every parity packet we make is
 * libpgm's byte for byte, we rebuild originals from any k packets of a
 * group, libpgm rebuilds from our parity and we from its.
 *
 *   fec_test                 the tests
 *   fec_test --seed N        the same with another random seed
 *   fec_test --vectors FILE  write libpgm's parity of deterministic groups
 *                            (Tests/PGMFECTests/fec-vectors.txt)
 *   fec_test --bench         encode and decode cost per packet against
 *                            memcpy (build/ktests/fec_bench is this
 *                            program without the sanitizers: use that)
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef unsigned int gfp_t;
#define GFP_KERNEL			0
#define __init
#define __force
#ifndef __always_inline			/* <sys/cdefs.h> has it */
#define __always_inline			inline __attribute__((__always_inline__))
#endif
#define cpu_to_le64(x)			htole64(x)
#define __ro_after_init
/* fail_alloc: the next kmalloc_array() fails, as the kernel's may */
static bool fail_alloc;
#define kmalloc_array(n, size, gfp)					\
	((void)(gfp), fail_alloc ? (fail_alloc = false, NULL) : reallocarray(NULL, n, size))
#define kfree(p)			free(p)
static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

/* libpgm has functions of the same names: ours get a k_ prefix here. */
#define pgm_rs_init	k_rs_init
#define pgm_rs_free	k_rs_free
#define pgm_rs_encode	k_rs_encode
#define pgm_rs_decode	k_rs_decode
#include "../../kernel/fec.c"
#undef pgm_rs_init
#undef pgm_rs_free
#undef pgm_rs_encode
#undef pgm_rs_decode
#include "harness.h"

/*
 * libpgm 5.3 exports these but installs no header for them: the struct
 * mirrors struct pgm_rs_t of OpenPGM's include/impl/reed_solomon.h (RS(n, k),
 * then the generator and the decoder's work matrix), the prototypes its
 * declarations there.
 */
struct opgm_rs {
	uint8_t n, k;
	uint8_t *gm;
	uint8_t *rm;
};

void pgm_rs_create(struct opgm_rs *rs, uint8_t n, uint8_t k);
void pgm_rs_destroy(struct opgm_rs *rs);
void pgm_rs_encode(struct opgm_rs *rs, const uint8_t **src, uint8_t offset,
		   uint8_t *dst, uint16_t len);
void pgm_rs_decode_parity_inline(struct opgm_rs *rs, uint8_t **block,
				 const uint8_t *offsets, uint16_t len);
void pgm_rs_decode_parity_appended(struct opgm_rs *rs, uint8_t **block,
				   const uint8_t *offsets, uint16_t len);

#define MAX_LEN 1500

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64* */
static u32 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL) >> 32;
}

static unsigned int below(unsigned int n)
{
	return rnd() % n;
}

static void *xmalloc(size_t len)
{
	void *p = malloc(len);

	if (!p) {
		fprintf(stderr, "fec_test: out of memory\n");
		exit(1);
	}
	return p;
}

static u8 *random_packet(size_t len)
{
	u8 *p = xmalloc(len);

	for (size_t i = 0; i < len; i++)
		p[i] = rnd();
	return p;
}

static u8 *copy_packet(const u8 *s, size_t len)
{
	return memcpy(xmalloc(len), s, len);
}

/* The shapes under test: each k, with n = k + 1, k + 4, 2k (at most 255), 255. */
struct shape {
	unsigned int n, k;
};

static struct shape shapes[4 * 7];
static unsigned int nshapes;

static void make_shapes(void)
{
	for (unsigned int k = 2; k <= 128; k *= 2) {
		unsigned int ns[] = { k + 1, k + 4, 2 * k > 255 ? 255 : 2 * k, 255 };

		for (unsigned int i = 0; i < 4; i++) {
			bool dup = false;

			for (unsigned int j = 0; j < i; j++)
				dup |= ns[j] == ns[i];
			if (!dup)
				shapes[nshapes++] = (struct shape){ ns[i], k };
		}
	}
}

/* One transmission group: originals and our code for it. */
struct group {
	struct pgm_rs rs;
	unsigned int n, k;
	size_t len;
	u8 *orig[PGM_RS_MAX_K];
};

static void group_init(struct group *g, struct shape s, size_t len)
{
	g->n = s.n;
	g->k = s.k;
	g->len = len;
	if (k_rs_init(&g->rs, s.n, s.k, GFP_KERNEL)) {
		fprintf(stderr, "fec_test: k_rs_init(%u, %u) failed\n", s.n, s.k);
		exit(1);
	}
	for (unsigned int j = 0; j < s.k; j++)
		g->orig[j] = random_packet(len);
}

static void group_free(struct group *g)
{
	for (unsigned int j = 0; j < g->k; j++)
		free(g->orig[j]);
	k_rs_free(&g->rs);
}

/* Our parity packet @i of @g, in a new buffer. */
static u8 *our_parity(const struct group *g, unsigned int i)
{
	u8 *p = xmalloc(g->len);

	CHECK_EQ(k_rs_encode(&g->rs, (const u8 *const *)g->orig, i, p, g->len), 0);
	return p;
}

static u8 *libpgm_parity(struct opgm_rs *o, const struct group *g, unsigned int i)
{
	u8 *p = xmalloc(g->len);

	pgm_rs_encode(o, (const uint8_t **)g->orig, i, p, g->len);
	return p;
}

static size_t random_len(void)
{
	/* short and odd lengths as often as full-sized ones */
	return below(2) ? 1 + below(40) : 1 + below(MAX_LEN);
}

/* (a) Each parity packet of each shape equals libpgm's, for RS(n, k) and RS(255, k). */
static void encode_matches_libpgm(void)
{
	unsigned long compared = 0;

	for (unsigned int s = 0; s < nshapes; s++) {
		struct opgm_rs o, o255;
		struct group g;

		group_init(&g, shapes[s], random_len());
		pgm_rs_create(&o, g.n, g.k);
		pgm_rs_create(&o255, 255, g.k);
		for (unsigned int i = g.k; i < g.n; i++) {
			u8 *ours = our_parity(&g, i), *theirs = libpgm_parity(&o, &g, i);
			u8 *theirs255 = libpgm_parity(&o255, &g, i);

			if (memcmp(ours, theirs, g.len) || memcmp(ours, theirs255, g.len))
				FAILF("RS(%u, %u) len %zu: parity %u differs from libpgm's",
				      g.n, g.k, g.len, i);
			compared++;
			free(ours);
			free(theirs);
			free(theirs255);
		}
		pgm_rs_destroy(&o);
		pgm_rs_destroy(&o255);
		group_free(&g);
	}
	printf("# %lu parity packets equal libpgm's, %u shapes\n", compared, nshapes);
}

/*
 * A receiver's view of @g: @e originals lost at random, each slot of a
 * lost one holding a distinct random parity packet of @parity_of's making
 * (ours or libpgm's).  Fills @block (new buffers) and @idx.
 */
static void lose(const struct group *g, unsigned int e, struct opgm_rs *parity_of,
		 u8 *block[], u8 idx[])
{
	u8 slots[PGM_RS_MAX_K], pars[PGM_RS_MAX_N];
	unsigned int j, i, t;

	for (j = 0; j < g->k; j++)
		slots[j] = j;
	for (i = 0; i < g->n - g->k; i++)
		pars[i] = g->k + i;
	for (j = 0; j < e; j++) {	/* partial Fisher-Yates, both */
		i = j + below(g->k - j);
		t = slots[j], slots[j] = slots[i], slots[i] = t;
		i = j + below(g->n - g->k - j);
		t = pars[j], pars[j] = pars[i], pars[i] = t;
	}
	for (j = 0; j < g->k; j++) {
		block[j] = copy_packet(g->orig[j], g->len);
		idx[j] = j;
	}
	for (j = 0; j < e; j++) {
		free(block[slots[j]]);
		block[slots[j]] = parity_of ? libpgm_parity(parity_of, g, pars[j]) :
					      our_parity(g, pars[j]);
		idx[slots[j]] = pars[j];
	}
}

/* Frees @block; true if it holds @g's originals. */
static bool rebuilt(const struct group *g, u8 *block[])
{
	bool same = true;

	for (unsigned int j = 0; j < g->k; j++) {
		same &= !memcmp(block[j], g->orig[j], g->len);
		free(block[j]);
	}
	return same;
}

static unsigned int max_losses(const struct group *g)
{
	return g->n - g->k < g->k ? g->n - g->k : g->k;
}

/* (b) Our decoder, our parity: random losses, none and as many as can be. */
static void decode_rebuilds(void)
{
	unsigned long groups = 0;

	for (unsigned int s = 0; s < nshapes; s++) {
		for (unsigned int t = 0; t < 12; t++) {
			u8 *block[PGM_RS_MAX_K], idx[PGM_RS_MAX_K];
			struct group g;
			unsigned int e;

			group_init(&g, shapes[s], random_len());
			e = t == 0 ? 0 : t == 1 ? max_losses(&g) : below(max_losses(&g) + 1);
			lose(&g, e, NULL, block, idx);
			CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), 0);
			if (!rebuilt(&g, block))
				FAILF("RS(%u, %u) len %zu: %u lost, not rebuilt", g.n, g.k, g.len, e);
			group_free(&g);
			groups++;
		}
	}
	printf("# %lu groups rebuilt from random k of n\n", groups);
}

/*
 * (b) Every k of n, exhaustively, for RS(8, 4), RS(12, 4) and RS(6, 2):
 * each set of k packets of the group, its parity packets in the lost
 * slots in order.
 */
static void decode_every_subset(void)
{
	static const struct shape small[] = { { 8, 4 }, { 12, 4 }, { 6, 2 } };
	unsigned long sets = 0;

	for (unsigned int s = 0; s < 3; s++) {
		struct group g;

		group_init(&g, small[s], 33);
		for (unsigned int set = 0; set < 1U << g.n; set++) {
			u8 *block[PGM_RS_MAX_K], idx[PGM_RS_MAX_K];
			unsigned int j, p = g.k;

			if (__builtin_popcount(set) != (int)g.k)
				continue;
			for (j = 0; j < g.k; j++) {
				if (set & (1U << j)) {
					block[j] = copy_packet(g.orig[j], g.len);
					idx[j] = j;
					continue;
				}
				while (!(set & (1U << p)))
					p++;
				block[j] = our_parity(&g, p);
				idx[j] = p++;
			}
			CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), 0);
			if (!rebuilt(&g, block))
				FAILF("RS(%u, %u): packets %#x, not rebuilt", g.n, g.k, set);
			sets++;
		}
		group_free(&g);
	}
	printf("# %lu sets of k packets of RS(8, 4), RS(12, 4), RS(6, 2)\n", sets);
}

/*
 * libpgm's appended arrangement: block[] of n, slot j of a lost original
 * zeroed, the parity packets that stand in for them at k, k + 1, ... in
 * the order of those slots, offsets[j] the parity packet's number.
 */
static void libpgm_decode_appended(struct opgm_rs *o, const struct group *g,
				   u8 *block[], const u8 idx[])
{
	u8 *all[PGM_RS_MAX_N];
	unsigned int j, h = g->k;

	for (j = 0; j < g->k; j++) {
		all[j] = block[j];
		if (idx[j] == j)
			continue;
		all[h++] = block[j];
		all[j] = block[j] = calloc(1, g->len);
		if (!block[j])
			exit(1);
	}
	pgm_rs_decode_parity_appended(o, all, idx, g->len);
	for (j = g->k; j < h; j++)
		free(all[j]);
}

/* (c) libpgm rebuilds from our parity (inline and appended), we from libpgm's. */
static void cross_decode(void)
{
	unsigned long groups = 0;

	for (unsigned int s = 0; s < nshapes; s++) {
		for (unsigned int t = 0; t < 6; t++) {
			u8 *block[PGM_RS_MAX_K], idx[PGM_RS_MAX_K];
			struct opgm_rs o;
			struct group g;
			unsigned int e;

			group_init(&g, shapes[s], random_len());
			pgm_rs_create(&o, g.n, g.k);
			e = t % 3 == 0 ? max_losses(&g) : 1 + below(max_losses(&g));

			lose(&g, e, NULL, block, idx);
			pgm_rs_decode_parity_inline(&o, block, idx, g.len);
			if (!rebuilt(&g, block))
				FAILF("RS(%u, %u): libpgm inline, %u lost, not rebuilt", g.n, g.k, e);

			lose(&g, e, NULL, block, idx);
			libpgm_decode_appended(&o, &g, block, idx);
			if (!rebuilt(&g, block))
				FAILF("RS(%u, %u): libpgm appended, %u lost, not rebuilt", g.n, g.k, e);

			lose(&g, e, &o, block, idx);
			CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), 0);
			if (!rebuilt(&g, block))
				FAILF("RS(%u, %u): from libpgm's parity, %u lost, not rebuilt",
				      g.n, g.k, e);
			pgm_rs_destroy(&o);
			group_free(&g);
			groups += 3;
		}
	}
	printf("# %lu groups rebuilt across implementations\n", groups);
}

/* (d) What cannot be an RS(n, k) of PGM's, or a packet of one, is refused. */
static void refuses_impossible(void)
{
	static const unsigned int bad_k[] = { 0, 1, 3, 6, 12, 100, 129, 256 };
	u8 *block[4], idx[4], *copy[4];
	struct pgm_rs rs = { 0 };
	struct group g;

	for (unsigned int i = 0; i < sizeof(bad_k) / sizeof(bad_k[0]); i++)
		CHECK_EQ(k_rs_init(&rs, 255, bad_k[i], GFP_KERNEL), -EINVAL);
	CHECK_EQ(k_rs_init(&rs, 8, 8, GFP_KERNEL), -EINVAL);
	CHECK_EQ(k_rs_init(&rs, 7, 8, GFP_KERNEL), -EINVAL);
	CHECK_EQ(k_rs_init(&rs, 0, 8, GFP_KERNEL), -EINVAL);
	CHECK_EQ(k_rs_init(&rs, 256, 8, GFP_KERNEL), -EINVAL);
	CHECK_EQ(k_rs_init(&rs, 129, 128, GFP_KERNEL), 0);
	k_rs_free(&rs);
	k_rs_free(&rs);	/* twice is harmless */

	group_init(&g, (struct shape){ 8, 4 }, 16);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(k_rs_encode(&g.rs, (const u8 *const *)g.orig, i, g.orig[0], 16), -EINVAL);
	CHECK_EQ(k_rs_encode(&g.rs, (const u8 *const *)g.orig, 8, g.orig[0], 16), -EINVAL);
	CHECK_EQ(k_rs_encode(&g.rs, (const u8 *const *)g.orig, 255, g.orig[0], 16), -EINVAL);

	/* another slot's original, a number past n, the same parity twice */
	static const u8 bad_idx[][4] = {
		{ 0, 0, 2, 3 }, { 1, 0, 2, 3 }, { 0, 1, 2, 8 }, { 0, 1, 2, 255 },
		{ 4, 1, 4, 3 }, { 0, 7, 2, 7 },
	};
	lose(&g, 2, NULL, block, idx);
	for (unsigned int j = 0; j < 4; j++)
		copy[j] = copy_packet(block[j], 16);
	for (unsigned int i = 0; i < sizeof(bad_idx) / sizeof(bad_idx[0]); i++) {
		memcpy(idx, bad_idx[i], 4);
		CHECK_EQ(k_rs_decode(&g.rs, block, idx, 16, GFP_KERNEL), -EINVAL);
	}
	for (unsigned int j = 0; j < 4; j++) {
		CHECK(!memcmp(block[j], copy[j], 16));	/* untouched */
		free(copy[j]);
		free(block[j]);
	}
	group_free(&g);
}

/*
 * Without memory for the work matrix (more than 8 lost) decoding fails
 * with -ENOMEM and leaves the packets as they were; with 8 lost it needs
 * none.
 */
static void decode_without_memory(void)
{
	u8 *block[PGM_RS_MAX_K], idx[PGM_RS_MAX_K], *copy[PGM_RS_MAX_K];
	struct group g;

	group_init(&g, (struct shape){ 64, 32 }, 100);
	lose(&g, 9, NULL, block, idx);
	for (unsigned int j = 0; j < g.k; j++)
		copy[j] = copy_packet(block[j], g.len);
	fail_alloc = true;
	CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), -ENOMEM);
	for (unsigned int j = 0; j < g.k; j++) {
		CHECK(!memcmp(block[j], copy[j], g.len));
		free(copy[j]);
	}
	CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), 0);
	CHECK(rebuilt(&g, block));

	lose(&g, 8, NULL, block, idx);
	fail_alloc = true;
	CHECK_EQ(k_rs_decode(&g.rs, block, idx, g.len, GFP_KERNEL), 0);
	fail_alloc = false;
	CHECK(rebuilt(&g, block));
	group_free(&g);

	fail_alloc = true;
	CHECK_EQ(k_rs_init(&g.rs, 255, 128, GFP_KERNEL), -ENOMEM);
}

/* Group @k's deterministic contents (docs/fec.md; PGMFECTests compute the same). */
static void vector_data(unsigned int k, size_t len, u8 *orig[])
{
	u32 x = k;

	for (unsigned int j = 0; j < k; j++)
		for (size_t b = 0; b < len; b++) {
			x = x * 1103515245U + 12345U;
			orig[j][b] = x >> 24;
		}
}

/* libpgm's parity packets of deterministic groups, for the Swift tests. */
static void write_vectors(FILE *f)
{
	enum { LEN = 24 };

	fprintf(f, "# libpgm 5.3 pgm_rs_encode() over RS(255, k), written by fec_test --vectors.\n"
		"# Group k: k packets of %d bytes, filled in order (packet 0 byte 0 first)\n"
		"# with x >> 24 after each step x = x * 1103515245 + 12345 (mod 2^32), x = k at first.\n"
		"# k index parity-hex\n", LEN);
	for (unsigned int k = 2; k <= 128; k *= 2) {
		unsigned int want[] = { k, k + 1, 2 * k - 1, 254 }, last = 0;
		u8 *orig[PGM_RS_MAX_K], out[LEN];
		struct opgm_rs o;

		for (unsigned int j = 0; j < k; j++)
			orig[j] = xmalloc(LEN);
		vector_data(k, LEN, orig);
		pgm_rs_create(&o, 255, k);
		for (unsigned int i = 0; i < 4; i++) {
			if (want[i] > 254 || want[i] <= last)
				continue;
			last = want[i];
			pgm_rs_encode(&o, (const uint8_t **)orig, want[i], out, LEN);
			fprintf(f, "%u %u ", k, want[i]);
			for (unsigned int b = 0; b < LEN; b++)
				fprintf(f, "%02x", out[b]);
			fputc('\n', f);
		}
		pgm_rs_destroy(&o);
		for (unsigned int j = 0; j < k; j++)
			free(orig[j]);
	}
}

#define VECTORS "Tests/PGMFECTests/fec-vectors.txt"

/* The vectors the Swift tests hold are what libpgm makes today. */
static void vectors_file_is_libpgms(void)
{
	FILE *want = tmpfile(), *have = fopen(VECTORS, "r");
	int a, b;

	if (!have) {
		printf("# no %s here (run from the top directory): skipped\n", VECTORS);
		if (want)
			fclose(want);
		return;
	}
	CHECK(want);
	if (want) {
		write_vectors(want);
		rewind(want);
		do {
			a = fgetc(want);
			b = fgetc(have);
		} while (a == b && a != EOF);
		if (a != b)
			FAILF("%s differs from fec_test --vectors", VECTORS);
		fclose(want);
	}
	fclose(have);
}

static int vectors_to(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return 1;
	}
	write_vectors(f);
	return fclose(f) ? 1 : 0;
}


static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Keeps the compiler from dropping work whose result nobody reads. */
static void used(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

enum { BENCH_LEN = 1400, BENCH_ROUNDS = 5 };

/* ns per memcpy of @k packets, the bytes one encode or one rebuild reads */
static double bench_memcpy(struct group *g, u8 *dst[], unsigned long iters)
{
	double best = 0;

	for (int r = 0; r < BENCH_ROUNDS; r++) {
		double t = now_ns();

		for (unsigned long it = 0; it < iters; it++)
			for (unsigned int j = 0; j < g->k; j++) {
				memcpy(dst[j], g->orig[j], g->len);
				used(dst[j]);
			}
		t = (now_ns() - t) / iters;
		if (!r || t < best)
			best = t;
	}
	return best;
}

/* ns per parity packet, ours or (@o) libpgm's */
static double bench_encode(struct group *g, struct opgm_rs *o, u8 *dst, unsigned long iters)
{
	double best = 0;

	for (int r = 0; r < BENCH_ROUNDS; r++) {
		double t = now_ns();

		for (unsigned long it = 0; it < iters; it++) {
			unsigned int i = g->k + it % (g->n - g->k);

			if (o)
				pgm_rs_encode(o, (const uint8_t **)g->orig, i, dst, g->len);
			else
				k_rs_encode(&g->rs, (const u8 *const *)g->orig, i, dst, g->len);
			used(dst);
		}
		t = (now_ns() - t) / iters;
		if (!r || t < best)
			best = t;
	}
	return best;
}

/*
 * ns per original rebuilt with @e lost.  Each decode overwrites its
 * parity packets, so each round puts them back first: that copy is timed
 * alone and taken off.
 */
static double bench_decode(struct group *g, unsigned int e, unsigned long iters)
{
	u8 *block[PGM_RS_MAX_K], idx[PGM_RS_MAX_K], *saved[PGM_RS_MAX_K];
	double best = 0;

	lose(g, e, NULL, block, idx);
	for (unsigned int j = 0; j < g->k; j++)
		saved[j] = copy_packet(block[j], g->len);
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		double t = now_ns(), c;

		for (unsigned long it = 0; it < iters; it++) {
			for (unsigned int j = 0; j < g->k; j++)
				if (idx[j] != j)
					memcpy(block[j], saved[j], g->len);
			k_rs_decode(&g->rs, block, idx, g->len, GFP_KERNEL);
			used(block);
		}
		t = now_ns() - t;
		c = now_ns();
		for (unsigned long it = 0; it < iters; it++) {
			for (unsigned int j = 0; j < g->k; j++)
				if (idx[j] != j)
					memcpy(block[j], saved[j], g->len);
			used(block);
		}
		t = (t - (now_ns() - c)) / iters / e;
		if (!r || t < best)
			best = t;
	}
	for (unsigned int j = 0; j < g->k; j++)
		free(saved[j]);
	k_rs_decode(&g->rs, block, idx, g->len, GFP_KERNEL);	/* the copy put parity back */
	if (!rebuilt(g, block))
		fprintf(stderr, "fec_bench: k=%u, %u lost: not rebuilt\n", g->k, e);
	return best;
}

/* Encode and decode cost per packet against memcpy; figures, not a test. */
static int bench(void)
{
	static const unsigned int ks[] = { 8, 16, 64 };

	printf("fec bench: RS(2k, k), %d B packets, best of %d rounds; memcpy = copying the k\n"
	       "packets one parity packet or one rebuilt original is computed from\n",
	       BENCH_LEN, BENCH_ROUNDS);
	printf("(ratio: to that memcpy; libpgm: OpenPGM's encoder, same packets)\n");
	printf("%4s %10s %10s %6s %10s %6s %12s %6s %14s %6s\n", "k", "memcpy ns",
	       "encode ns", "ratio", "libpgm ns", "ratio", "rebuild 1 ns", "ratio",
	       "rebuild k/4 ns", "ratio");
	for (unsigned int i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		unsigned int k = ks[i];
		unsigned long iters = 2000000 / k;
		double cp, enc, lib, dec1, decq;
		u8 *dst[PGM_RS_MAX_K];
		struct opgm_rs o;
		struct group g;

		group_init(&g, (struct shape){ 2 * k, k }, BENCH_LEN);
		pgm_rs_create(&o, 2 * k, k);
		for (unsigned int j = 0; j < k; j++)
			dst[j] = xmalloc(BENCH_LEN);
		cp = bench_memcpy(&g, dst, iters);
		enc = bench_encode(&g, NULL, dst[0], iters / 8);
		lib = bench_encode(&g, &o, dst[0], iters / 8);
		dec1 = bench_decode(&g, 1, iters / 8);
		decq = bench_decode(&g, k / 4, iters / 8 / (k / 4));
		printf("%4u %10.0f %10.0f %6.1f %10.0f %6.1f %12.0f %6.1f %14.0f %6.1f\n", k, cp,
		       enc, enc / cp, lib, lib / cp, dec1, dec1 / cp, decq, decq / cp);
		pgm_rs_destroy(&o);
		for (unsigned int j = 0; j < k; j++)
			free(dst[j]);
		group_free(&g);
	}
	return 0;
}

int main(int argc, char **argv)
{
	pgm_fec_init();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			rng = strtoull(argv[++i], NULL, 0) | 1;
		} else if (!strcmp(argv[i], "--vectors") && i + 1 < argc) {
			return vectors_to(argv[i + 1]);
		} else if (!strcmp(argv[i], "--bench")) {
			return bench();
		} else {
			fprintf(stderr, "usage: fec_test [--seed N] [--vectors FILE] [--bench]\n");
			return 2;
		}
	}
	printf("# seed %#llx\n", (unsigned long long)rng);
	make_shapes();
	RUN(encode_matches_libpgm);
	RUN(decode_rebuilds);
	RUN(decode_every_subset);
	RUN(cross_decode);
	RUN(refuses_impossible);
	RUN(decode_without_memory);
	RUN(vectors_file_is_libpgms);
	return summary("fec_test");
}
