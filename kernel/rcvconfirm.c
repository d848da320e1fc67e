// SPDX-License-Identifier: GPL-2.0
/*
 * rcvconfirm.c - confirmed delivery at a receiver (docs/confirmed-delivery.md).
 *
 * A receiver socket with PGM_CONFIRM tells each session's source how far
 * it has everything: ACKs (type 0x0D, as PGMCC's) carrying OPT_CONFIRM,
 * unicast to the path NLA as NAKs go.  Rules R1-R7 of the design, which
 * the model (PGMModel, ReceiverConfirm.swift) follows too:
 *
 *   - a JOIN once the session has a window and a path NLA (R1);
 *   - CONFIRMED is next - 1, the edge of what was delivered (R2);
 *   - a tick every interval, jittered on [3/4, 5/4] of it, sends an ACK
 *     when CONFIRMED moved, or on every PGM_CONFIRM_IDLE_IVLS-th tick
 *     while it did not (R3);
 *   - a loss reported sends BYE with LOST, and the session confirms no
 *     more (R4); close() sends BYE (R5); a session that ends stops (R5).
 *
 * What the network can make us send: the JOIN and the ticks' ACKs spend
 * the session's NAK credit (PGM_NAK_CREDIT per packet the source sent, as
 * NAKs and PGMCC's ACKs do), so together with NAKs they stay within two
 * packets per packet received; a JOIN without credit waits for the
 * session's next packet.  Only the BYE, once per session (sessions are
 * bounded per socket and netns), goes regardless.  An ACK is 16 + 8 + 16
 * bytes of PGM.
 *
 * Locking: all under rcv->lock, as the rest of the receiver.
 */
#include <linux/random.h>

#include "receiver.h"
#include "wire.h"

#define PGM_ACK_LEN		8	/* RX_MAX, ACK_BITMAP */
#define PGM_CONFIRM_OPT_LEN	12	/* OPT_CONFIRM */

/**
 * pgm_confirm_peer_init - a new session's confirmation state
 * @rcv: the receiver, its lock held
 * @peer: the session, zeroed
 *
 * The socket's PGM_CONFIRM is fixed from bind(): every session confirms,
 * or none does.  The receiver id is random per session (the design's
 * RECEIVER ID), so that sockets behind one address count apart.
 */
void pgm_confirm_peer_init(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (!rcv->confirm_ivl_us)
		return;
	peer->confirm.state = PGM_PEER_CONFIRM_WAIT;
	peer->confirm.id = get_random_u32();
}

/* The next tick: a jittered interval from @now, uniform on [3/4, 5/4] of it. */
static u64 confirm_tick(const struct pgm_receiver *rcv, u64 now)
{
	u32 ivl = rcv->confirm_ivl_us;

	return now + pgm_us_ns(ivl - ivl / 4) + pgm_backoff_ns(ivl / 2 + 1);
}

/* An ACK with OPT_CONFIRM (R6) of @confirmed and @flags, to the path NLA. */
static void confirm_send(struct pgm_receiver *rcv, struct pgm_peer *peer,
			 u32 confirmed, u8 flags)
	__must_hold(&rcv->lock)
{
	struct pgm_optw ow;
	struct sk_buff *skb;
	u8 *p, *o;

	lockdep_assert_held(&rcv->lock);
	skb = pgm_alloc_pkt(PGM_HDR_LEN + PGM_ACK_LEN + PGM_OPT_LENGTH_LEN + PGM_CONFIRM_OPT_LEN,
			    GFP_ATOMIC);
	if (!skb)
		return;
	/* Upstream: the source port is the data-destination port (8.3). */
	pgm_fill_hdr(skb, peer->dport, peer->tsi.sport, PGM_ACK, PGM_OPT_PRESENT,
		     peer->tsi.gsi, 0);
	p = skb_put(skb, PGM_ACK_LEN);
	put_unaligned_be32(peer->started ? peer->lead : confirmed, p);
	put_unaligned_be32(peer->cc.on ? peer->cc.bitmap : 0, p + 4);
	pgm_optw_init(&ow, skb_put(skb, PGM_OPT_LENGTH_LEN + PGM_CONFIRM_OPT_LEN));
	o = pgm_optw_add(&ow, PGM_OPT_CONFIRM, PGM_CONFIRM_OPT_LEN);
	o[3] = flags;
	put_unaligned_be32(confirmed, o + 4);
	put_unaligned_be32(peer->confirm.id, o + 8);
	pgm_optw_finish(&ow);
	pgm_set_csum(skb);
	if (!pgm_xmit_peer(rcv->sk, skb, &peer->nla, 0, peer->ifindex))
		rcv->st.confirm_acks_sent++;
	peer->confirm.sent = confirmed;
	peer->confirm.idle = 0;
}

/**
 * pgm_confirm_check - a packet of the session was taken: the JOIN, if due
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @now: pgm_now()
 *
 * R1: the session confirms from the moment it has a window and a path.
 */
void pgm_confirm_check(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (peer->confirm.state != PGM_PEER_CONFIRM_WAIT || !peer->started ||
	    !pgm_peer_has_nla(peer) || peer->expired)
		return;
	if (!pgm_peer_spend(peer, 1)) {
		rcv->st.confirm_no_credit++;
		return;
	}
	peer->confirm.state = PGM_PEER_CONFIRM_ON;
	confirm_send(rcv, peer, peer->next - 1, PGM_CONFIRM_F_JOIN);
	peer->confirm.tick_at = confirm_tick(rcv, now);
}

/**
 * pgm_confirm_timer - the session's timer ran: a tick, if due (R3)
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @now: pgm_now()
 *
 * An ACK when CONFIRMED moved since the last one, or on the
 * PGM_CONFIRM_IDLE_IVLS-th tick without one; for NAK credit.
 */
void pgm_confirm_timer(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_confirm *c = &peer->confirm;
	u32 confirmed = peer->next - 1;

	lockdep_assert_held(&rcv->lock);
	if (c->state != PGM_PEER_CONFIRM_ON || pgm_ns_before(now, c->tick_at))
		return;
	c->tick_at = confirm_tick(rcv, now);
	if (confirmed == c->sent && ++c->idle < PGM_CONFIRM_IDLE_IVLS)
		return;
	if (!pgm_peer_spend(peer, 1)) {
		rcv->st.confirm_no_credit++;
		return;
	}
	confirm_send(rcv, peer, confirmed, 0);
}

/**
 * pgm_confirm_deadline - when the session's next tick is due
 * @peer: the session, its receiver's lock held
 *
 * Return: the deadline in ns, or 0 when there is none.
 */
u64 pgm_confirm_deadline(const struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	return peer->confirm.state == PGM_PEER_CONFIRM_ON ? peer->confirm.tick_at : 0;
}

/**
 * pgm_confirm_lost - the session reported @first as lost (R4)
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @first: the first sequence number lost
 *
 * BYE with LOST, CONFIRMED @first - 1: the source stops counting on us.
 */
void pgm_confirm_lost(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 first)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (peer->confirm.state != PGM_PEER_CONFIRM_ON)
		return;
	peer->confirm.state = PGM_PEER_CONFIRM_DONE;
	confirm_send(rcv, peer, first - 1, PGM_CONFIRM_F_BYE | PGM_CONFIRM_F_LOST);
}

/**
 * pgm_confirm_stop - the session ended, or the socket closes
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @bye: send BYE (close(), R5); else stop silently (the session ended)
 */
void pgm_confirm_stop(struct pgm_receiver *rcv, struct pgm_peer *peer, bool bye)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (peer->confirm.state == PGM_PEER_CONFIRM_ON && bye)
		confirm_send(rcv, peer, peer->next - 1, PGM_CONFIRM_F_BYE);
	if (peer->confirm.state != PGM_PEER_CONFIRM_OFF)
		peer->confirm.state = PGM_PEER_CONFIRM_DONE;
}
