// SPDX-License-Identifier: GPL-2.0
/*
 * input.c - the IP protocol 113 handler.
 *
 * Runs in softirq for every PGM packet addressed to this host (including
 * multicast the host has joined).  It validates the common header, the
 * type-specific header, the options and the checksum (RFC 3208 sections 8
 * and 9), counts, and hands valid packets on.  Sessions are not built yet:
 * a valid packet is counted as "no socket" and dropped.  Nothing here
 * sleeps or allocates.
 */
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/checksum.h>

#include "pgm.h"

/* Make the headers and options contiguous; false if the packet is short. */
static bool pgm_pull_headers(struct sk_buff *skb)
{
	size_t need;
	int round;

	for (round = 0; round < 4; round++) {
		if (!pskb_may_pull(skb, min_t(size_t, skb->len, 16)))
			return false;
		need = pgm_wire_need(skb->data, skb_headlen(skb), skb->len);
		if (need <= skb_headlen(skb))
			return true;
		if (!pskb_may_pull(skb, need))
			return false;
	}
	return true;
}

/* RFC 3208 section 8: a zero checksum field means none was computed. */
static bool pgm_csum_ok(struct sk_buff *skb)
{
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;

	if (!ph->csum)
		return true;
	return csum_fold(skb_checksum(skb, 0, skb->len, 0)) == 0;
}

int pgm_rcv(struct sk_buff *skb)
{
	struct pgm_net *pn = pgm_pernet(dev_net(skb->dev));
	struct pgm_wire_info info;
	enum pgm_wire_err err;

	pgm_mib_inc(pn, PGM_MIB_IN_PACKETS);
	pgm_mib_add(pn, PGM_MIB_IN_BYTES, skb->len);

	if (!pgm_pull_headers(skb)) {
		pgm_mib_inc(pn, PGM_MIB_IN_TRUNCATED);
		goto drop;
	}
	err = pgm_wire_validate(skb->data, skb_headlen(skb), skb->len, &info);
	switch (err) {
	case PGM_WIRE_OK:
		break;
	case PGM_WIRE_TRUNCATED:
		pgm_mib_inc(pn, PGM_MIB_IN_TRUNCATED);
		goto drop;
	case PGM_WIRE_BAD_TYPE:
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_TYPE);
		goto drop;
	default:
		pgm_mib_inc(pn, PGM_MIB_IN_MALFORMED);
		goto drop;
	}
	/* Section 8: the checksum is mandatory on ODATA and RDATA. */
	if (!((const struct pgm_hdr *)skb->data)->csum &&
	    (info.type == PGM_ODATA || info.type == PGM_RDATA)) {
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_CHECKSUM);
		goto drop;
	}
	if (!pgm_csum_ok(skb)) {
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_CHECKSUM);
		goto drop;
	}

	pgm_mib_inc(pn, PGM_MIB_IN_NO_SOCKET);
drop:
	kfree_skb(skb);
	return 0;
}

/* ICMP errors about PGM packets we sent: nothing to do without sessions. */
int pgm_err(struct sk_buff *skb, u32 info)
{
	return 0;
}
