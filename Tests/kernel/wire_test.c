// SPDX-License-Identifier: GPL-2.0
/*
 * wire_test.c - the module's header validation (kernel/wire.c), built in user
 * space with AddressSanitizer and UBSan and run on the host: vectors for
 * each outcome, every truncation of every valid packet, and random
 * mutations.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <arpa/inet.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t __be16;
typedef uint32_t __be32;

#include "../../kernel/wire.c"
#include "harness.h"
#include "packets.h"

static struct pkt p;

static enum pgm_wire_err check(const struct pkt *q, struct pgm_wire_info *info)
{
	return pgm_wire_validate(q->b, q->len, q->len, info);
}

static void valid_packets(void)
{
	struct pgm_wire_info info;

	spm(&p, 7);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.type, PGM_SPM);
	CHECK_EQ(info.hdr_len, 16 + 12 + 8);
	CHECK_EQ(pgm_wire_need(p.b, p.len, p.len), p.len);

	odata(&p, 1, 100);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.tsdu_len, 100);
	CHECK_EQ(info.hdr_len, 24);
	CHECK_EQ(pgm_wire_need(p.b, p.len, p.len), 24);

	odata_frag(&p, 1, 50);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.nopts, 2);
	CHECK_EQ(info.opt_len, 20);
	CHECK(pgm_has_opt(&info, PGM_OPT_FRAGMENT));
	CHECK_EQ(pgm_wire_need(p.b, p.len, p.len), 24 + 20);

	nak(&p, 5, 0);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.hdr_len, 16 + 4 + 8 + 8);
	nak(&p, 5, 1);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.hdr_len, 16 + 4 + 20 + 8);

	spmr(&p);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.hdr_len, 16);
}

static void bad_types(void)
{
	static const u8 types[] = { 0x03, 0x06, 0x07, 0x0b, 0x0e, 0x0f,
				    0x44, 0x84, 0x14, 0x24 };
	struct pgm_wire_info info;

	for (unsigned int i = 0; i < sizeof(types); i++) {
		spmr(&p);
		p.b[4] = types[i];
		CHECK_EQ(check(&p, &info), PGM_WIRE_BAD_TYPE);
	}
}

static void truncations(void)
{
	struct pgm_wire_info info;

	spmr(&p);
	p.len = 10;
	CHECK_EQ(check(&p, &info), PGM_WIRE_TRUNCATED);
	spm(&p, 1);
	p.len = 20;
	CHECK_EQ(check(&p, &info), PGM_WIRE_TRUNCATED);
	nak(&p, 1, 1);
	p.len = 40;
	CHECK_EQ(check(&p, &info), PGM_WIRE_TRUNCATED);
}

/* Section 9: option chain rules. */
static void malformed_options(void)
{
	struct pgm_wire_info info;

	odata_frag(&p, 1, 8);
	p.b[25] = 5;			/* OPT_LENGTH's own length must be 4 */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata_frag(&p, 1, 8);
	p.b[24] = 0x01;			/* first option is not OPT_LENGTH */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata_frag(&p, 1, 8);
	p.b[27] = 200;			/* total runs past the packet */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata_frag(&p, 1, 8);
	p.b[28] = 0x01;			/* OPT_FRAGMENT without OPT_END */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata_frag(&p, 1, 8);
	p.b[29] = 2;			/* option shorter than its header */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata_frag(&p, 1, 8);
	p.b[29] = 20;			/* option past the total */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	/*
	 * Section 9 allows 16 options per packet; OPT_LENGTH, which only
	 * frames them, is not counted (as in the Swift codec).
	 */
	for (int extra = 16; extra <= 17; extra++) {
		hdr(&p, 0x04, 0x01, 0);
		put32(&p, 1);
		put32(&p, 0);
		put8(&p, 0); put8(&p, 4); put16(&p, (uint16_t)(4 + extra * 4));
		for (int i = 0; i < extra; i++) {
			put8(&p, (i == extra - 1 ? 0x80 : 0) | 0x0d);	/* OPT_SYN */
			put8(&p, 4);
			put16(&p, 0);
		}
		finish(&p);
		CHECK_EQ(check(&p, &info), extra == 16 ? PGM_WIRE_OK : PGM_WIRE_MALFORMED);
		if (extra == 16)
			CHECK_EQ(info.nopts, 17);	/* OPT_LENGTH included */
	}
}

static void malformed_lengths(void)
{
	struct pgm_wire_info info;

	odata(&p, 1, 10);
	p.len--;			/* TSDU length says 10, 9 follow */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	spm(&p, 1);
	p.b[p.len++] = 0;		/* bytes after a non-data packet */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	spm(&p, 1);
	p.b[16 + 12 + 1] = 3;		/* AFI 3 */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	nak(&p, 1, 0);
	p.b[16 + 4 + 8 + 1] = 9;	/* group NLA AFI 9 */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);

	odata(&p, 1, 0);
	p.b[5] = 0x40;			/* VAR_PKTLEN without PARITY */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);
	p.b[5] = 0x08;			/* reserved bit */
	CHECK_EQ(check(&p, &info), PGM_WIRE_MALFORMED);
	p.b[5] = 0xc0;			/* parity, variable length: fine */
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
}

/* No prefix of a valid packet validates, and none reads out of bounds. */
static void every_truncation(void)
{
	struct pkt *all[6];
	struct pgm_wire_info info;

	for (int i = 0; i < 6; i++)
		all[i] = malloc(sizeof(struct pkt));
	spm(all[0], 1);
	odata(all[1], 2, 33);
	odata_frag(all[2], 3, 17);
	nak(all[3], 4, 0);
	nak(all[4], 4, 1);
	spmr(all[5]);
	for (int i = 0; i < 6; i++) {
		for (size_t n = 0; n < all[i]->len; n++) {
			u8 *copy = malloc(n ? n : 1);

			memcpy(copy, all[i]->b, n);
			if (pgm_wire_validate(copy, n, n, &info) == PGM_WIRE_OK)
				FAILF("packet %d cut to %zu bytes validates", i, n);
			if (pgm_wire_need(copy, n, n) > n)
				FAILF("need > total for packet %d at %zu", i, n);
			free(copy);
		}
		free(all[i]);
	}
}

/*
 * Random mutations: validation never reads past the buffer (ASan), and when
 * it accepts, a second call with exactly pgm_wire_need() bytes contiguous
 * agrees (the module relies on this to avoid linearising payloads).
 */
static void random_mutations(void)
{
	struct pgm_wire_info a, b;
	unsigned int seed = 12345;

	for (int iter = 0; iter < 200000; iter++) {
		size_t n, need;
		u8 *copy;

		switch (iter % 5) {
		case 0: spm(&p, iter); break;
		case 1: odata(&p, iter, iter % 64); break;
		case 2: odata_frag(&p, iter, iter % 64); break;
		case 3: nak(&p, iter, iter & 1); break;
		default: spmr(&p); break;
		}
		for (int k = rand_r(&seed) % 4; k >= 0; k--)
			p.b[rand_r(&seed) % p.len] = (u8)rand_r(&seed);
		n = p.len - (size_t)(rand_r(&seed) % 3 == 0 ? rand_r(&seed) % p.len : 0);
		copy = malloc(n ? n : 1);
		memcpy(copy, p.b, n);
		need = pgm_wire_need(copy, n, n);
		if (need > n)
			FAILF("need %zu > %zu", need, n);
		if (pgm_wire_validate(copy, n, n, &a) == PGM_WIRE_OK &&
		    pgm_wire_validate(copy, need, n, &b) != PGM_WIRE_OK)
			FAILF("iteration %d: valid whole but not with %zu contiguous", iter, need);
		free(copy);
	}
}

/*
 * What the module reads and writes with wire.h besides validation: the
 * headers' layouts, serial arithmetic across the wrap, and an option chain
 * built with pgm_optw_* (as NAKs and NCFs are) read back with the walker.
 */
static void layouts_and_options(void)
{
	struct pgm_wire_info info;
	const struct pgm_opt *o;
	struct pgm_optw w;
	unsigned int i, n = 0, opts = 0;
	u8 *l;

	spm(&p, 7);
	CHECK_EQ(ntohl(((struct pgm_spm *)pgm_body(p.b))->sqn), 7u);
	CHECK_EQ(ntohl(((struct pgm_spm *)pgm_body(p.b))->trail), 1u);
	CHECK_EQ(ntohs(((struct pgm_spm *)pgm_body(p.b))->nla.afi), PGM_AFI_IP);
	CHECK_EQ(ntohl(((struct pgm_spm *)pgm_body(p.b))->nla.addr), 0x0a000001u);
	odata(&p, 0xfffffffeu, 3);
	CHECK_EQ(ntohl(((struct pgm_data *)pgm_body(p.b))->sqn), 0xfffffffeu);

	CHECK(pgm_sqn_before(0xffffffffu, 0));
	CHECK(pgm_sqn_before(0x7ffffffdu, 0xfffffffeu) == false);	/* 2^31 - 1 ahead */
	CHECK(pgm_sqn_before(5, 5) == false);
	CHECK(pgm_sqn_before(0, 0x7fffffffu));
	CHECK(pgm_sqn_before(0, 0x80000000u));	/* exactly 2^31 apart: before */

	/* A NAK naming 1 + 62 sqns, then one more list that readers count. */
	nak(&p, 100, 0);
	p.b[5] = PGM_OPT_PRESENT | PGM_OPT_NETWORK;
	pgm_optw_init(&w, p.b + p.len);
	l = pgm_optw_add(&w, PGM_OPT_NAK_LIST, 4 + 4 * PGM_NAK_LIST_MAX);
	for (i = 0; i < PGM_NAK_LIST_MAX; i++) {
		l[4 + 4 * i] = 0xff;
		l[5 + 4 * i] = 0xff;
		l[6 + 4 * i] = 0xff;
		l[7 + 4 * i] = (u8)(0xc0 + i);
	}
	pgm_optw_add(&w, PGM_OPT_NAK_LIST, 8);
	pgm_optw_finish(&w);
	CHECK_EQ(w.len, 4u + 4 + 4 * PGM_NAK_LIST_MAX + 8);
	CHECK_EQ(pgm_nak_optlen(1 + PGM_NAK_LIST_MAX), 4u + 4 + 4 * PGM_NAK_LIST_MAX);
	CHECK_EQ(pgm_nak_optlen(1), 0u);
	p.len += w.len;
	finish(&p);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK_EQ(info.opt_len, w.len);
	pgm_for_each_opt(o, p.b, &info) {
		opts++;
		CHECK_EQ(pgm_opt_type(o), PGM_OPT_NAK_LIST);
		if (opts == 1) {
			n = pgm_nak_list_len(o);
			CHECK_EQ(pgm_nak_list_sqn(o, 0), 0xffffffc0u);
			CHECK_EQ(pgm_nak_list_sqn(o, n - 1), 0xffffffc0u + PGM_NAK_LIST_MAX - 1);
		}
	}
	CHECK_EQ(opts, 2u);
	CHECK_EQ(n, (unsigned int)PGM_NAK_LIST_MAX);
	nak(&p, 100, 0);
	CHECK_EQ(check(&p, &info), PGM_WIRE_OK);
	CHECK(pgm_opt_first(p.b, &info) == NULL);
}

int main(void)
{
	RUN(valid_packets);
	RUN(bad_types);
	RUN(truncations);
	RUN(malformed_options);
	RUN(malformed_lengths);
	RUN(every_truncation);
	RUN(random_mutations);
	RUN(layouts_and_options);
	return summary("wire_test");
}
