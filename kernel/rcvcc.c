// SPDX-License-Identifier: GPL-2.0
/*
 * rcvcc.c - PGMCC at a receiver (draft-ietf-rmt-bb-pgmcc-03 section 4).
 *
 * A receiver socket with PGM_PGMCC takes part in its sources' congestion
 * control: per session it keeps the loss rate (section 2.6), the ACK
 * bitmap (section 2.1.3) and the source's newest timestamp (section
 * 2.5.1); it ACKs each data packet that takes a slot and names it the
 * acker (OPT_PGMCC_DATA), answers an election (data naming no acker) with
 * one ACK after a random wait (section 2.3), and adds OPT_PGMCC_FEEDBACK to
 * its NAKs once the source's data showed it runs PGMCC (section 2.1.2).
 * The model (PGMModel, ReceiverPGMCC.swift) does the same, number for
 * number; docs/pgmcc.md.
 *
 * What a packet can make us send: a data packet that takes a slot (never a
 * duplicate) one ACK at most; elections one ACK per back-off, however many
 * data packets call them.  ACKs go to the session's path NLA as NAKs do and
 * spend the same credit (PGM_NAK_CREDIT per packet the session sent), so
 * ACKs and NAKs together never exceed the bound of docs/hostile-input.md.
 * An ACK is 16 + 4 + 16 bytes of PGM over IPv4 (+ 12 over IPv6): never
 * larger than the NAK bound's packet.
 *
 * Locking: all under rcv->lock, as the rest of the receiver.
 */
#include <linux/inetdevice.h>
#include <net/addrconf.h>
#include <net/route.h>

#include "receiver.h"
#include "wire.h"

#define PGM_CC_ONE		(1U << 16)	/* p = 1 in 16.16 */
#define PGM_ACK_LEN		8		/* RX_MAX, ACK_BITMAP */

/**
 * pgm_cc_peer_init - a new session's PGMCC state
 * @rcv: the receiver, its lock held
 * @peer: the session, zeroed
 *
 * The socket's PGM_PGMCC is fixed from bind(), so every session of it
 * takes part or none does.  The bitmap starts all ones, as OpenPGM's.
 */
void pgm_cc_peer_init(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	peer->cc.on = READ_ONCE(pgm_sk(rcv->sk)->pgmcc);
	peer->cc.bitmap = ~0U;
}

/**
 * pgm_cc_advance - the window's lead met one more sequence number
 * @peer: the session, its receiver's lock held
 * @received: it arrived as the new lead (else it was skipped: a loss)
 *
 * Section 2.6: p_i = c_p x_i + (1 - c_p) p_{i-1}, x_i 1 for a loss, in
 * 16.16 fixed point rounded to the nearest; the bitmap shifts it in.
 * Called once per sqn the lead passes, so bounded by the window.
 */
void pgm_cc_advance(struct pgm_peer *peer, bool received)
	__must_hold(&peer->rcv->lock)
{
	struct pgm_peer_cc *cc = &peer->cc;
	u32 keep;

	lockdep_assert_held(&peer->rcv->lock);
	if (!cc->on)
		return;
	cc->bitmap = cc->bitmap << 1 | (received ? 1 : 0);
	keep = (u32)(((u64)(PGM_CC_ONE - PGM_PGMCC_LOSS_WEIGHT) * cc->loss + 0x8000) >> 16);
	cc->loss = min_t(u32, keep + (received ? 0 : PGM_PGMCC_LOSS_WEIGHT), PGM_CC_ONE);
}

/**
 * pgm_cc_repaired - @sqn, behind the lead and missing, arrived
 * @peer: the session, its receiver's lock held
 * @sqn: the sequence number
 *
 * Its bit is set if the bitmap still reaches it; the loss rate keeps the
 * loss: the network lost the original (section 2.6).
 */
void pgm_cc_repaired(struct pgm_peer *peer, u32 sqn)
	__must_hold(&peer->rcv->lock)
{
	u32 behind = peer->lead - sqn;

	lockdep_assert_held(&peer->rcv->lock);
	if (peer->cc.on && !pgm_sqn_before(peer->lead, sqn) && behind < 32)
		peer->cc.bitmap |= 1U << behind;
}

/*
 * Our address as the source should know us, when no data named us yet:
 * the one @dev, where the session's data comes in, would send to it from.
 */
static void cc_learn_me(struct pgm_peer *peer, sa_family_t f, struct net_device *dev)
	__must_hold(&peer->rcv->lock)
{
	struct pgm_peer_cc *cc = &peer->cc;

	lockdep_assert_held(&peer->rcv->lock);
	if (cc->me_set || !dev)
		return;
	if (f == AF_INET6) {
		if (ipv6_dev_get_saddr(dev_net(dev), dev, &peer->saddr.in6, 0, &cc->me.in6))
			return;
	} else {
		__be32 a = inet_select_addr(dev, peer->saddr.ip, RT_SCOPE_UNIVERSE);

		if (!a)
			return;
		pgm_addr_set_v4(&cc->me, a);
	}
	cc->me_set = true;
}

/* Write OPT_PGMCC_FEEDBACK's value at @o (its 4-byte header written). */
void pgm_cc_feedback(const struct pgm_peer *peer, u8 *o, u64 now)
	__must_hold(&peer->rcv->lock)
{
	const struct pgm_peer_cc *cc = &peer->cc;
	u64 waited = pgm_ns_before(cc->tsp_at, now) ? now - cc->tsp_at : 0;

	lockdep_assert_held(&peer->rcv->lock);
	/* Section 2.5.1: the echo, plus the ms it waited here. */
	put_unaligned_be32(cc->tsp + (u32)div_u64(waited, NSEC_PER_MSEC), o + 4);
	pgm_nla_put(peer->rcv->sk->sk_family, o + 8, &cc->me);
	/* The NLA's reserved field is the loss rate: 0 none, 0xffff all. */
	put_unaligned_be16(min_t(u32, cc->loss, 0xffff), o + 10);
}

/**
 * pgm_cc_feedback_len - the OPT_PGMCC_FEEDBACK a NAK of @peer carries
 * @peer: the session, its receiver's lock held
 *
 * Return: its length, or 0 when the socket takes no part or the source's
 * data never carried OPT_PGMCC_DATA (section 2.1.2: feedback only to a
 * source that runs PGMCC).
 */
unsigned int pgm_cc_feedback_len(const struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	if (!peer->cc.on || !peer->cc.src)
		return 0;
	return pgm_cc_opt_len(peer->rcv->sk->sk_family);
}

/*
 * An ACK (type 0x0D, section 2.1.3): RX_MAX, ACK_BITMAP and
 * OPT_PGMCC_FEEDBACK, unicast to the path NLA as NAKs go, for NAK credit.
 */
static void cc_send_ack(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock)
{
	unsigned int flen = pgm_cc_opt_len(rcv->sk->sk_family);
	struct pgm_optw ow;
	struct sk_buff *skb;
	u8 *p;

	lockdep_assert_held(&rcv->lock);
	if (!pgm_peer_has_nla(peer)) {
		rcv->st.acks_no_path++;
		return;
	}
	if (!pgm_peer_spend(peer, 1)) {
		rcv->st.acks_no_credit++;
		return;
	}
	skb = pgm_alloc_pkt(PGM_HDR_LEN + PGM_ACK_LEN + PGM_OPT_LENGTH_LEN + flen, GFP_ATOMIC);
	if (!skb)
		return;
	/* Upstream: the source port is the data-destination port (8.3). */
	pgm_fill_hdr(skb, peer->dport, peer->tsi.sport, PGM_ACK, PGM_OPT_PRESENT,
		     peer->tsi.gsi, 0);
	p = skb_put(skb, PGM_ACK_LEN);
	put_unaligned_be32(peer->lead, p);
	put_unaligned_be32(peer->cc.bitmap, p + 4);
	pgm_optw_init(&ow, skb_put(skb, PGM_OPT_LENGTH_LEN + flen));
	pgm_cc_feedback(peer, pgm_optw_add(&ow, PGM_OPT_PGMCC_FEEDBACK, flen), now);
	pgm_optw_finish(&ow);
	pgm_set_csum(skb);
	if (!pgm_xmit_peer(rcv->sk, skb, &peer->nla, 0, peer->ifindex)) {
		rcv->st.acks_sent++;
		peer->acks_sent++;
	}
}

/**
 * pgm_cc_read - OPT_PGMCC_DATA of an ODATA or RDATA, before it is held
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @skb: the packet, at its PGM header
 * @info: what validation learnt of it
 * @opt: filled in: @opt->has is whether there is one to act on
 *
 * An option that does not hold an NLA of the socket's family is counted
 * malformed and ignored (the data is not).
 */
void pgm_cc_read(struct pgm_receiver *rcv, const struct pgm_peer *peer, const struct sk_buff *skb,
		 const struct pgm_wire_info *info, struct pgm_cc_opt *opt)
	__must_hold(&rcv->lock)
{
	sa_family_t f = rcv->sk->sk_family;
	const struct pgm_opt *o;
	const u8 *v = NULL;

	lockdep_assert_held(&rcv->lock);
	opt->has = false;
	if (!peer->cc.on || !pgm_has_opt(info, PGM_OPT_PGMCC_DATA))
		return;
	pgm_for_each_opt(o, skb->data, info) {
		if (pgm_opt_type(o) == PGM_OPT_PGMCC_DATA) {
			v = (const u8 *)o;
			break;
		}
	}
	if (!v)
		return;
	if (v[1] < pgm_cc_opt_len(f) ||
	    get_unaligned_be16(v + 8) != (f == AF_INET6 ? PGM_AFI_IP6 : PGM_AFI_IP)) {
		rcv->st.malformed++;
		return;
	}
	opt->has = true;
	opt->tsp = get_unaligned_be32(v + 4);
	memset(&opt->acker, 0, sizeof(opt->acker));
	pgm_nla_get(f, v + 8, &opt->acker);
	opt->dev = skb->dev;
}

/**
 * pgm_cc_data - act on OPT_PGMCC_DATA of data that took a slot
 * @rcv: the receiver, its lock held
 * @peer: the session, its lead and bitmap updated for the packet
 * @opt: what pgm_cc_read() found
 *
 * Section 4, "on DATA packet reception": the timestamp recorded; an ACK
 * now when the acker is one of our addresses; an election (no acker)
 * answered after a random wait, unless data naming an acker comes first.
 */
void pgm_cc_data(struct pgm_receiver *rcv, struct pgm_peer *peer, const struct pgm_cc_opt *opt)
	__must_hold(&rcv->lock)
{
	sa_family_t f = rcv->sk->sk_family;
	struct pgm_peer_cc *cc = &peer->cc;
	u64 now;

	lockdep_assert_held(&rcv->lock);
	if (!cc->on || !opt->has)
		return;
	now = pgm_now();
	cc->src = true;
	cc->tsp = opt->tsp;
	cc->tsp_at = now;
	if (pgm_addr_any(f, &opt->acker)) {
		cc_learn_me(peer, f, opt->dev);
		if (!cc->elect_at)
			cc->elect_at = now + pgm_backoff_ns(PGM_PGMCC_ELECTION_US) + 1;
		return;
	}
	cc->elect_at = 0;
	if (!pgm_addr_local(sock_net(rcv->sk), f, &opt->acker)) {
		cc_learn_me(peer, f, opt->dev);
		return;
	}
	/* We are the acker: the source knows us by this address. */
	cc->me = opt->acker;
	cc->me_set = true;
	cc_send_ack(rcv, peer, now);
}

/**
 * pgm_cc_timer - the session's timer ran: an election's answer if due
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @now: pgm_now()
 */
void pgm_cc_timer(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (!peer->cc.elect_at || pgm_ns_before(now, peer->cc.elect_at))
		return;
	peer->cc.elect_at = 0;
	cc_send_ack(rcv, peer, now);
}
