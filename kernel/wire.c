// SPDX-License-Identifier: GPL-2.0
/*
 * wire.c - PGM header and option validation (RFC 3208 sections 8 and 9).
 * See wire.h: this file is also built in user space for tests and fuzzing.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/stddef.h>
#endif

#include "wire.h"

/* Fields of the common header at @buf. */
#define HDR_TYPE(buf)		((buf)[offsetof(struct pgm_hdr, type)])
#define HDR_OPTIONS(buf)	((buf)[offsetof(struct pgm_hdr, options)])

/* Length of an NLA (AFI, reserved, address) whose AFI is at @p; 0 if bad. */
static size_t nla_len(const u8 *p)
{
	switch (pgm_get_be16(p)) {
	case PGM_AFI_IP:
		return 4 + 4;
	case PGM_AFI_IP6:
		return 4 + 16;
	default:
		return 0;
	}
}

/*
 * Length of the type-specific header that starts at @p with @avail bytes
 * contiguous.  Returns 0 for an unknown type or bad AFI, and sets *more
 * when more contiguous bytes are needed to decide (an NLA's AFI lies beyond
 * @avail).
 */
static size_t type_hdr_len(u8 type, const u8 *p, size_t avail, size_t *more)
{
	size_t off, n;

	*more = 0;
	switch (type) {
	case PGM_SPM:		/* sqn, trail, lead, path NLA (8.1) */
		off = 12;
		break;
	case PGM_POLL:		/* sqn, round, subtype, NLA, ivl, rand, mask (8.1) */
		off = 8;
		break;
	case PGM_POLR:		/* sqn, round, reserved (8.1) */
		return 8;
	case PGM_ODATA:		/* sqn, trail (8.2) */
	case PGM_RDATA:
		return 8;
	case PGM_NAK:		/* sqn, source NLA, group NLA (8.3) */
	case PGM_NNAK:
	case PGM_NCF:
		off = 4;
		break;
	case PGM_SPMR:		/* no type-specific fields (8.4) */
		return 0;
	case PGM_ACK:		/* RX_MAX, received bitmap (PGMCC) */
		return 8;
	default:
		return 0;
	}

	if (avail < off + 2) {
		*more = off + 2;
		return 0;
	}
	n = nla_len(p + off);
	if (!n)
		return 0;
	off += n;

	switch (type) {
	case PGM_SPM:
		return off;
	case PGM_POLL:
		return off + 12;
	default:		/* NAK, NNAK, NCF: the group NLA follows */
		if (avail < off + 2) {
			*more = off + 2;
			return 0;
		}
		n = nla_len(p + off);
		return n ? off + n : 0;
	}
}

static bool type_ok(u8 t)
{
	/* High two bits: version 0; next two: reserved, zero (section 8). */
	if (t & 0xf0)
		return false;
	switch (t) {
	case PGM_SPM: case PGM_POLL: case PGM_POLR: case PGM_ODATA:
	case PGM_RDATA: case PGM_NAK: case PGM_NNAK: case PGM_NCF:
	case PGM_SPMR: case PGM_ACK:
		return true;
	default:
		return false;
	}
}

size_t pgm_wire_need(const u8 *buf, size_t avail, size_t total)
{
	size_t more, tlen, need;

	if (total < PGM_HDR_LEN || avail < PGM_HDR_LEN)
		return total < PGM_HDR_LEN ? total : PGM_HDR_LEN;
	if (!type_ok(HDR_TYPE(buf)))
		return PGM_HDR_LEN;

	tlen = type_hdr_len(HDR_TYPE(buf), buf + PGM_HDR_LEN, avail - PGM_HDR_LEN, &more);
	if (more)
		need = PGM_HDR_LEN + more;
	else if (!tlen && HDR_TYPE(buf) != PGM_SPMR)
		return PGM_HDR_LEN + (avail > PGM_HDR_LEN ? avail - PGM_HDR_LEN : 0);
	else if (!(HDR_OPTIONS(buf) & PGM_OPT_PRESENT))
		need = PGM_HDR_LEN + tlen;
	else if (avail < PGM_HDR_LEN + tlen + 4)
		need = PGM_HDR_LEN + tlen + 4;
	else	/* OPT_LENGTH: type, length 4, total length of all options */
		need = PGM_HDR_LEN + tlen +
		       pgm_get_be16(buf + PGM_HDR_LEN + tlen + 2);

	return need < total ? need : total;
}

/*
 * The option extensions at @hdr (section 9): OPT_LENGTH first with the
 * total length, each option at least 4 bytes and inside the total, no
 * second OPT_LENGTH, at most 16 options, OPT_END on the last, which ends
 * at the total.  Fills in @info's nopts, opt_len and opt_seen.
 */
static enum pgm_wire_err opts_validate(const u8 *buf, size_t hdr, size_t avail,
				       size_t total, struct pgm_wire_info *info)
{
	size_t optlen, off;
	unsigned int n;

	if (hdr + 4 > avail)
		return PGM_WIRE_TRUNCATED;
	/* OPT_LENGTH (9.1.1) comes first, is 4 bytes, never OPT_END. */
	if (buf[hdr] != PGM_OPT_LENGTH || buf[hdr + 1] != 4)
		return PGM_WIRE_MALFORMED;
	optlen = pgm_get_be16(buf + hdr + 2);
	if (optlen < 4 + 4)	/* OPT_LENGTH and at least one option */
		return PGM_WIRE_MALFORMED;
	if (hdr + optlen > total)
		return PGM_WIRE_MALFORMED;
	if (hdr + optlen > avail)
		return PGM_WIRE_TRUNCATED;

	off = hdr + 4;
	n = 1;
	for (;;) {
		u8 ot, ol;

		/* Also catches a chain that ends without OPT_END. */
		if (off + 4 > hdr + optlen)
			return PGM_WIRE_MALFORMED;
		ot = buf[off];
		ol = buf[off + 1];
		if (ol < 4 || off + ol > hdr + optlen)
			return PGM_WIRE_MALFORMED;
		if ((ot & PGM_OPT_MASK) == PGM_OPT_LENGTH)
			return PGM_WIRE_MALFORMED;	/* only first */
		/* Section 9: 16 options, not counting OPT_LENGTH. */
		if (n++ > PGM_MAX_OPTIONS)
			return PGM_WIRE_MALFORMED;
		if ((ot & PGM_OPT_MASK) < 64)
			info->opt_seen |= 1ULL << (ot & PGM_OPT_MASK);
		off += ol;
		if (ot & PGM_OPT_END)
			break;
	}
	if (off != hdr + optlen)	/* OPT_END before the total */
		return PGM_WIRE_MALFORMED;
	info->nopts = (u8)n;
	info->opt_len = (u16)optlen;
	return PGM_WIRE_OK;
}

enum pgm_wire_err pgm_wire_validate(const u8 *buf, size_t avail, size_t total,
				    struct pgm_wire_info *info)
{
	size_t more, tlen, hdr, end;
	u8 type, optflags;

	info->opt_seen = 0;
	info->nopts = 0;
	info->opt_len = 0;
	if (avail > total)
		avail = total;
	if (avail < PGM_HDR_LEN)
		return PGM_WIRE_TRUNCATED;

	type = HDR_TYPE(buf);
	if (!type_ok(type))
		return PGM_WIRE_BAD_TYPE;
	info->type = type;
	info->tsdu_len = pgm_get_be16(buf + offsetof(struct pgm_hdr, tsdu_len));

	tlen = type_hdr_len(type, buf + PGM_HDR_LEN, avail - PGM_HDR_LEN, &more);
	if (more)
		return PGM_WIRE_TRUNCATED;
	if (!tlen && type != PGM_SPMR) {
		/* Known type, so a bad AFI - or a header cut short before it. */
		return PGM_HDR_LEN + 12 > avail ? PGM_WIRE_TRUNCATED : PGM_WIRE_MALFORMED;
	}
	hdr = PGM_HDR_LEN + tlen;
	if (hdr > avail)
		return PGM_WIRE_TRUNCATED;
	info->hdr_len = (u16)hdr;

	optflags = HDR_OPTIONS(buf);
	/* Parity packets only with the parity bit; VAR_PKTLEN only with parity. */
	if ((optflags & PGM_OPT_VAR_PKTLEN) && !(optflags & PGM_OPT_PARITY))
		return PGM_WIRE_MALFORMED;
	/* The remaining bits (2 to 5) are reserved. */
	if (optflags & 0x3c)
		return PGM_WIRE_MALFORMED;

	end = hdr;
	if (optflags & PGM_OPT_PRESENT) {
		enum pgm_wire_err err = opts_validate(buf, hdr, avail, total, info);

		if (err)
			return err;
		end = hdr + info->opt_len;
	}

	/* TSDU length is exactly what follows the transport header. */
	if (info->tsdu_len != total - end)
		return PGM_WIRE_MALFORMED;
	/* Only data packets carry a TSDU (section 8). */
	if (info->tsdu_len && type != PGM_ODATA && type != PGM_RDATA)
		return PGM_WIRE_MALFORMED;
	return PGM_WIRE_OK;
}
