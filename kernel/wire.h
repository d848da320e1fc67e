/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wire.h - PGM packet layout and header validation (RFC 3208 sections 8, 9).
 *
 * Pure logic on a byte buffer: no sk_buff, no allocation, no locking.  It is
 * compiled into the module and, unchanged, into user-space unit tests and
 * fuzzers (Tests/kernel/wire_test.c), so it includes only what both sides
 * have: when __KERNEL__ is not defined the includer provides u8/u16/u32,
 * __be16/__be32, be16_to_cpu/be32_to_cpu and size_t.
 */
#ifndef _PGM_WIRE_H
#define _PGM_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <asm/byteorder.h>
#endif

/* Packet types: low nibble of the type byte (section 8). */
enum pgm_type {
	PGM_SPM		= 0x00,
	PGM_POLL	= 0x01,
	PGM_POLR	= 0x02,
	PGM_ODATA	= 0x04,
	PGM_RDATA	= 0x05,
	PGM_NAK		= 0x08,
	PGM_NNAK	= 0x09,
	PGM_NCF		= 0x0a,
	PGM_SPMR	= 0x0c,
	PGM_ACK		= 0x0d,	/* PGMCC draft */
};

/*
 * Bits of the header's Options field (section 8).  The RFC numbers bits from
 * the MSB, which would put "options present" at 0x80; every implementation
 * (OpenPGM, MS-PGM, Wireshark's dissector) puts it at 0x01 and parity at 0x80,
 * which is what the wire carries and what we do.
 */
#define PGM_OPT_PRESENT		0x01
#define PGM_OPT_NETWORK		0x02
#define PGM_OPT_VAR_PKTLEN	0x40
#define PGM_OPT_PARITY		0x80

/* Option types (section 9) and the OPT_END bit. */
#define PGM_OPT_END		0x80
#define PGM_OPT_MASK		0x7f
#define PGM_OPT_LENGTH		0x00
#define PGM_OPT_FRAGMENT	0x01
#define PGM_OPT_NAK_LIST	0x02
#define PGM_OPT_JOIN		0x03
#define PGM_OPT_SYN		0x0d
#define PGM_OPT_FIN		0x0e
#define PGM_OPT_RST		0x0f

#define PGM_AFI_IP		1
#define PGM_AFI_IP6		2

#define PGM_MAX_OPTIONS		16	/* section 9: at most 16 options */

/* The common header, 16 bytes, network order. */
struct pgm_hdr {
	__be16	sport;
	__be16	dport;
	u8	type;
	u8	options;
	__be16	csum;
	u8	gsi[6];
	__be16	tsdu_len;
};

/* Why a packet was refused. */
enum pgm_wire_err {
	PGM_WIRE_OK = 0,
	PGM_WIRE_TRUNCATED,	/* shorter than a header it announces */
	PGM_WIRE_BAD_TYPE,	/* version/reserved bits set or unknown type */
	PGM_WIRE_MALFORMED,	/* options or lengths inconsistent */
};

/* What validation learnt about a packet. */
struct pgm_wire_info {
	u8	type;		/* enum pgm_type */
	u8	nopts;		/* options present, OPT_LENGTH included */
	u16	hdr_len;	/* common + type-specific header */
	u16	opt_len;	/* total option extension length, 0 if none */
	u16	tsdu_len;
	u32	opt_seen;	/* bit n set: option type n present (n < 32) */
};

/*
 * pgm_wire_need - how many leading bytes validation must see.
 * @buf: packet start, @avail bytes of it contiguous
 * @total: whole packet length
 *
 * Returns a length <= @total; when it exceeds @avail the caller makes more
 * of the packet contiguous and asks again (at most three rounds: common
 * header, type-specific header, option extensions).  Returns @total when the
 * packet is too short to say: validation will then report truncation.
 */
size_t pgm_wire_need(const u8 *buf, size_t avail, size_t total);

/*
 * pgm_wire_validate - check a whole PGM packet's headers and options.
 * @buf: packet start, at least pgm_wire_need() bytes contiguous
 * @avail: contiguous bytes at @buf
 * @total: whole packet length (header, options, TSDU)
 *
 * Checks the version and reserved bits, the type, the type-specific header
 * (including NLA address families), the option chain (OPT_LENGTH first with
 * the total length, each option at least 4 bytes and inside the total, an
 * OPT_END last, at most 16 options) and that the TSDU length equals what
 * follows the options.  The checksum is the caller's job: it needs the whole
 * packet, which may not be contiguous.
 */
enum pgm_wire_err pgm_wire_validate(const u8 *buf, size_t avail, size_t total,
				    struct pgm_wire_info *info);

#endif /* _PGM_WIRE_H */
