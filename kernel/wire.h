/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wire.h - PGM packet layout and header validation (RFC 3208 sections 8, 9).
 *
 * Pure logic on a byte buffer: no sk_buff, no allocation, no locking.  It is
 * compiled into the module and, unchanged, into user-space unit tests and
 * fuzzers (Tests/kernel/wire_test.c), so it includes only what both sides
 * have: when __KERNEL__ is not defined the includer provides u8/u16/u32,
 * u64, __be16/__be32, be16_to_cpu/be32_to_cpu, size_t and bool.
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
#define PGM_OPT_PGMCC_DATA	0x12	/* PGMCC draft 2.1.1: timestamp, acker */
#define PGM_OPT_PGMCC_FEEDBACK	0x13	/* PGMCC draft 2.1.2: echo, loss rate, receiver */
#define PGM_OPT_SYN		0x0d
#define PGM_OPT_FIN		0x0e
#define PGM_OPT_RST		0x0f
#define PGM_OPT_CONFIRM		0x21	/* this project's confirmed delivery */
/* OPT_CONFIRM's option-specific bits (docs/confirmed-delivery.md). */
#define PGM_CONFIRM_F_JOIN	0x01	/* the receiver's first */
#define PGM_CONFIRM_F_BYE	0x02	/* its last: it closes, or (with LOST) lost data */
#define PGM_CONFIRM_F_LOST	0x04	/* with BYE: CONFIRMED + 1 was lost */

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
	u64	opt_seen;	/* bit n set: option type n present (n < 64) */
};

/* Whether option @type (below 64) was in the packet @info describes. */
static inline bool pgm_has_opt(const struct pgm_wire_info *info, unsigned int type)
{
	return type < 64 && (info->opt_seen >> type) & 1;
}

#ifndef __packed
#define __packed	__attribute__((__packed__))
#endif

/*
 * The type-specific headers that follow the common header (section 8), as
 * this module sends and reads them.  Packed, because a received packet's
 * headers need not be aligned (UDP encapsulation, IP options); pgm_body()
 * finds them behind the common header.  The structs lay out packets with
 * IPv4 NLAs; with IPv6 NLAs (AFI 2, 20 bytes where IPv4's take 8) the
 * fields in front of the first NLA are the same and it and what follows
 * are found by offset (PGM_SPM_NLA_OFF, PGM_NAK_NLA_OFF).
 */

/* A network-layer address (NLA) of the IPv4 family: AFI 1. */
struct pgm_nla4 {
	__be16	afi;		/* PGM_AFI_IP */
	__be16	reserved;
	__be32	addr;
} __packed;

/* A network-layer address of the IPv6 family: AFI 2. */
struct pgm_nla6 {
	__be16	afi;		/* PGM_AFI_IP6 */
	__be16	reserved;
	u8	addr[16];
} __packed;

/* SPM (8.1). */
struct pgm_spm {
	__be32		sqn;	/* the SPM's own sequence number */
	__be32		trail;
	__be32		lead;
	struct pgm_nla4	nla;	/* path NLA */
} __packed;

/* ODATA and RDATA (8.2); the options, then the TSDU, follow. */
struct pgm_data {
	__be32	sqn;
	__be32	trail;
} __packed;

/* NAK, NNAK and NCF (8.3). */
struct pgm_nak {
	__be32		sqn;
	struct pgm_nla4	src;	/* the source's NLA */
	struct pgm_nla4	grp;	/* the group's NLA */
} __packed;

/* Whole fixed headers: the common header and the type's, IPv4 or IPv6 NLAs. */
#define PGM_HDR_LEN		16
#define PGM_SPM4_HLEN		(PGM_HDR_LEN + 12 + 8)
#define PGM_SPM6_HLEN		(PGM_HDR_LEN + 12 + 20)
#define PGM_DATA_HLEN		(PGM_HDR_LEN + 8)
#define PGM_NAK4_HLEN		(PGM_HDR_LEN + 4 + 8 + 8)
#define PGM_NAK6_HLEN		(PGM_HDR_LEN + 4 + 20 + 20)

/* Where the first NLA starts in an SPM's and a NAK's (NNAK's, NCF's) body. */
#define PGM_SPM_NLA_OFF		12
#define PGM_NAK_NLA_OFF		4

_Static_assert(sizeof(struct pgm_hdr) == PGM_HDR_LEN, "common header");
_Static_assert(PGM_HDR_LEN + sizeof(struct pgm_spm) == PGM_SPM4_HLEN, "SPM");
_Static_assert(PGM_HDR_LEN + sizeof(struct pgm_data) == PGM_DATA_HLEN, "data");
_Static_assert(PGM_HDR_LEN + sizeof(struct pgm_nak) == PGM_NAK4_HLEN, "NAK");
_Static_assert(PGM_HDR_LEN + PGM_SPM_NLA_OFF + sizeof(struct pgm_nla6) == PGM_SPM6_HLEN,
	       "SPM, AFI 2");
_Static_assert(PGM_HDR_LEN + PGM_NAK_NLA_OFF + 2 * sizeof(struct pgm_nla6) ==
	       PGM_NAK6_HLEN, "NAK, AFI 2");

/* The type-specific header of the packet at @pkt. */
static inline void *pgm_body(void *pkt)
{
	return (u8 *)pkt + PGM_HDR_LEN;
}

/*
 * Options (section 9).  Every option starts with its type and length (the
 * type's top bit is OPT_END on the last one) and two bytes of flags (OPX,
 * U) and reserved bits, zero in what we send and ignored in what we read.
 * OPT_LENGTH, always first, is the exception: its last two bytes are the
 * total length of the options.
 */
struct pgm_opt {
	u8	type;
	u8	len;
	u8	reserved[2];
} __packed;

struct pgm_opt_length {
	u8	type;		/* PGM_OPT_LENGTH */
	u8	len;		/* 4 */
	__be16	total;		/* of all options, OPT_LENGTH included */
} __packed;

/* OPT_FRAGMENT (9.3): a fragment of an APDU. */
struct pgm_opt_fragment {
	struct pgm_opt	h;
	__be32		first;		/* first sqn of the APDU */
	__be32		offset;		/* of this fragment in the APDU */
	__be32		apdu_len;
} __packed;

/* OPT_JOIN (9.4): the earliest sqn a late joiner may ask for. */
struct pgm_opt_join {
	struct pgm_opt	h;
	__be32		sqn;
} __packed;

/* OPT_NAK_LIST (9.2): more sqns a NAK or NCF names, 62 at most. */
struct pgm_opt_nak_list {
	struct pgm_opt	h;
	__be32		sqn[];
} __packed;

#define PGM_OPT_LENGTH_LEN	4
#define PGM_OPT_FRAGMENT_LEN	16
#define PGM_OPT_FLAG_LEN	4	/* OPT_SYN, OPT_FIN, OPT_RST */
#define PGM_OPT_JOIN_LEN	8
#define PGM_NAK_LIST_MAX	62	/* sqns in one OPT_NAK_LIST (9.2) */

/* Big-endian loads and stores on bytes, alignment-free, for kernel and host. */
static inline u16 pgm_get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 pgm_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void pgm_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/*
 * Serial arithmetic on sequence numbers (section 3.2: they wrap at 2^32):
 * is @a before @b, i.e. less than 2^31 behind it?
 */
static inline bool pgm_sqn_before(u32 a, u32 b)
{
	return (u32)(a - b) >= 0x80000000u;
}

/*
 * Walking the options of a packet pgm_wire_validate() accepted: the first
 * option after OPT_LENGTH, then each next one up to the one with OPT_END
 * (validation made sure the chain ends there, inside the packet).
 */
static inline const struct pgm_opt *pgm_opt_first(const u8 *pkt,
						  const struct pgm_wire_info *info)
{
	if (!info->opt_len)
		return NULL;
	return (const struct pgm_opt *)(pkt + info->hdr_len + PGM_OPT_LENGTH_LEN);
}

static inline const struct pgm_opt *pgm_opt_next(const struct pgm_opt *o)
{
	if (o->type & PGM_OPT_END)
		return NULL;
	return (const struct pgm_opt *)((const u8 *)o + o->len);
}

#define pgm_for_each_opt(o, pkt, info) \
	for ((o) = pgm_opt_first(pkt, info); (o); (o) = pgm_opt_next(o))

static inline u8 pgm_opt_type(const struct pgm_opt *o)
{
	return o->type & PGM_OPT_MASK;
}

/* The sqns of OPT_NAK_LIST @o that we read: at most PGM_NAK_LIST_MAX. */
static inline unsigned int pgm_nak_list_len(const struct pgm_opt *o)
{
	unsigned int n = (o->len - 4u) / 4;

	return n < PGM_NAK_LIST_MAX ? n : PGM_NAK_LIST_MAX;
}

/* The @k-th sqn of OPT_NAK_LIST @o, host order. */
static inline u32 pgm_nak_list_sqn(const struct pgm_opt *o, unsigned int k)
{
	return pgm_get_be32((const u8 *)o + sizeof(*o) + 4 * k);
}

/*
 * Writing an option chain at @base: OPT_LENGTH first (section 9.1), then
 * each option added, the last one marked OPT_END by pgm_optw_finish().
 */
struct pgm_optw {
	u8		*base;
	u8		*last;
	unsigned int	len;
};

static inline void pgm_optw_init(struct pgm_optw *w, u8 *base)
{
	w->base = base;
	w->last = NULL;
	w->len = PGM_OPT_LENGTH_LEN;
	base[0] = PGM_OPT_LENGTH;
	base[1] = PGM_OPT_LENGTH_LEN;
}

/* Room for an option of @len bytes, its header written: where it starts. */
static inline u8 *pgm_optw_add(struct pgm_optw *w, u8 type, u8 len)
{
	u8 *o = w->base + w->len;

	o[0] = type;
	o[1] = len;
	o[2] = 0;
	o[3] = 0;
	w->last = o;
	w->len += len;
	return o;
}

static inline void pgm_optw_finish(struct pgm_optw *w)
{
	w->last[0] |= PGM_OPT_END;
	pgm_put_be16(w->base + 2, (u16)w->len);
}

/* Bytes of the options of a NAK or NCF naming @n sqns (0 for one). */
static inline unsigned int pgm_nak_optlen(unsigned int n)
{
	return n > 1 ? PGM_OPT_LENGTH_LEN + 4 + 4 * (n - 1) : 0;
}

/**
 * pgm_wire_need - how many leading bytes validation must see
 * @buf: packet start
 * @avail: bytes of it contiguous at @buf
 * @total: whole packet length
 *
 * Return: a length <= @total; when it exceeds @avail the caller makes more
 * of the packet contiguous and asks again (at most three rounds: common
 * header, type-specific header, option extensions).  Returns @total when the
 * packet is too short to say: validation will then report truncation.
 */
size_t pgm_wire_need(const u8 *buf, size_t avail, size_t total);

/**
 * pgm_wire_validate - check a whole PGM packet's headers and options
 * @buf: packet start, at least pgm_wire_need() bytes contiguous
 * @avail: contiguous bytes at @buf
 * @total: whole packet length (header, options, TSDU)
 * @info: filled in with what the walk found, when the packet is valid
 *
 * Checks the version and reserved bits, the type, the type-specific header
 * (including NLA address families), the option chain (OPT_LENGTH first with
 * the total length, each option at least 4 bytes and inside the total, an
 * OPT_END last, at most 16 options) and that the TSDU length equals what
 * follows the options.  The checksum is the caller's job: it needs the whole
 * packet, which may not be contiguous.
 *
 * Return: PGM_WIRE_OK, or why the packet is refused.
 */
enum pgm_wire_err pgm_wire_validate(const u8 *buf, size_t avail, size_t total,
				    struct pgm_wire_info *info);

#endif /* _PGM_WIRE_H */
