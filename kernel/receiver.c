// SPDX-License-Identifier: GPL-2.0
/*
 * receiver.c - the PGM receiver (RFC 3208 section 6).
 *
 * A receiver socket keeps one peer per transport session (TSI) it hears.
 * Each peer has a receive window (section 3.4) of PGM_RXW_SQNS slots
 * holding data not yet delivered and the repair state of missing sequence
 * numbers:
 *
 *   missing --back-off (random in NAK_BO_IVL)--> NAK sent, wait NCF
 *   wait NCF --NCF--> wait data;  --NAK_RPT_IVL--> back-off again, or lost
 *                                  after NAK_NCF_RETRIES
 *   wait data --RDATA/ODATA--> have;  --NAK_RDATA_IVL--> back-off again, or
 *                                  lost after NAK_DATA_RETRIES
 *   back-off --NCF--> wait data (suppression: another receiver asked)
 *
 * Loss is detected from gaps in ODATA and RDATA and from an SPM's lead
 * (section 6.3); data that left the source's window (its trail passed it)
 * is lost at once.  NAKs go by unicast to the path NLA learnt from SPMs
 * (section 6.2), with up to 62 more sequence numbers in OPT_NAK_LIST; a
 * peer first heard through data is asked for an SPM with an SPMR (Appendix
 * C, section 13.5): after a random back-off on PGM_SPMR_EXPIRY, multicast
 * with TTL 1 then unicast to the source, unless another receiver's
 * multicast SPMR or an SPM came first; repeated after PGM_SPMR_EXPIRY
 * without an SPM.  Sequence numbers found missing by one packet share one
 * back-off, so they leave in one NAK with OPT_NAK_LIST.  Complete APDUs (reassembled from OPT_FRAGMENT) are
 * delivered in order; lost sequence numbers are skipped and reported (an
 * error-queue record and ECONNRESET once), never hidden.  Delivery stops
 * while the socket's receive queue is full (SO_RCVBUF): data then waits in
 * the window, so memory is bounded by the window and SO_RCVBUF.
 *
 * This file keeps the windows and repairs them; peer.c creates and frees
 * the peers and accounts for their memory; deliver.c hands what is
 * complete, and the loss and end records, to the application.
 *
 * Locking: everything of a receiver and its peers is under rcv->lock
 * (BH-safe: packets and the peers' timers arrive in softirq).  ps->rcv is
 * published with RCU like ps->src; peers are only reached through the
 * receiver, under its lock.  A peer's timer may free its own peer (expiry)
 * after unlinking it; close() unlinks all peers under the lock, marks the
 * receiver dead (timers then do nothing) and shuts each timer down.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/errqueue.h>
#include <net/ip.h>
#include <net/sock.h>

#include "receiver.h"

/*
 * NAK credit (reflection bound, RFC 3208 section 10): every packet accepted
 * into a session earns it PGM_NAK_CREDIT packets it may send (NAKs, SPMRs),
 * up to PGM_NAK_CREDIT_MAX banked.  So nothing a packet says makes us send
 * more than two packets of at most PGM_NAK_MAX_LEN bytes for it.
 */
#define PGM_NAK_CREDIT		2
#define PGM_NAK_CREDIT_MAX	64

/* Parity NAKs one walk of the window may send (more wait for the next). */
#define PGM_PARITY_NAKS_MAX	8

/* A slot's NAK-state deadline; the peer's earliest ones follow it. */
static void slot_deadline(struct pgm_peer *peer, struct pgm_slot *s, u8 state,
			  u64 when)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	s->state = state;
	s->deadline = when;
	if (state == SLOT_BACKOFF) {
		if (!peer->bo_pending || pgm_ns_before(when, peer->bo_at))
			peer->bo_at = when;
		peer->bo_pending = true;
	} else {
		if (!peer->wait_pending || pgm_ns_before(when, peer->wait_at))
			peer->wait_at = when;
		peer->wait_pending = true;
	}
}

/* A slot's NAK state and deadline, for rcvfec.c. */
void pgm_slot_nak_state(struct pgm_peer *peer, struct pgm_slot *s, u8 state, u64 when)
	__must_hold(&peer->rcv->lock)
{
	slot_deadline(peer, s, state, when);
}

/* @s was found missing at @now: a new NAK state, its repair timed from now. */
static void slot_missing(struct pgm_peer *peer, struct pgm_slot *s, u8 state,
			 u64 when, u64 now)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	pgm_slot_clear(peer, s);
	s->missing = pgm_stamp(now);
	slot_deadline(peer, s, state, when);
}

/* The window of @peer is defined from now on: its session has started. */
static void pgm_peer_started(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	struct pgm_nl_event ev = { .first = peer->next };

	lockdep_assert_held(&rcv->lock);
	pgm_peer_event(rcv, peer, PGM_CMD_SESSION_START_NTF, &ev);
}

/*
 * The source's @trail (from ODATA, RDATA or SPM): what it no longer holds
 * and we do not have is unrecoverable (section 6.3), so the window's front
 * moves up to it at once, reporting the loss.  Data still waiting for a
 * slow reader is never dropped: the front stops there.
 *
 * The work is bounded by the window, never by how far the trail is: past
 * the lead nothing is held, so the rest of the way is one step, and the
 * whole jump one loss record.  How far one packet may move the window is
 * not limited otherwise: sessions take packets only from their own source
 * address (pgm_receiver_rcv), so this takes a host that can forge it.
 */
void pgm_slide_to(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 trail)
	__must_hold(&rcv->lock)
{
	u32 lost_first = peer->next, lost = 0;

	lockdep_assert_held(&rcv->lock);
	if (!peer->trail_set || pgm_sqn_before(peer->trail, trail)) {
		peer->trail = trail;
		peer->trail_set = true;
	}
	if (pgm_sqn_before(trail, peer->next))
		return;		/* trail not ahead of us */
	while (pgm_sqn_before(peer->next, trail) && !pgm_sqn_before(peer->lead, peer->next)) {
		struct pgm_slot *s = pgm_slot_find(peer, peer->next);

		if (s && s->state == SLOT_HAVE)
			break;
		if (s)
			pgm_slot_clear(peer, s);
		lost++;
		peer->next++;
	}
	if (pgm_sqn_before(peer->next, trail) && pgm_sqn_before(peer->lead, peer->next)) {
		lost += trail - peer->next;
		peer->next = trail;
	}
	if (pgm_sqn_before(peer->lead, peer->next))
		peer->lead = peer->next - 1;
	if (lost)
		pgm_report_loss(rcv, peer, lost_first, lost);
}

/* New highest sqn @sqn: the ones between the old lead and it are missing. */
bool pgm_extend(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn, u8 state)
	__must_hold(&rcv->lock)
{
	u64 bo, now;
	u32 s;

	lockdep_assert_held(&rcv->lock);
	if (!pgm_sqn_before(peer->lead, sqn))
		return true;
	/* The window never reaches beyond next + size (section 3.4). */
	if ((u32)(sqn - peer->next) > peer_size(peer))
		return false;
	/* The next in order, the common case: nothing missing, no clock or draw. */
	if (sqn == peer->lead + 1)
		return true;
	now = pgm_now();
	/* One back-off for all: they go out together, in one NAK list. */
	bo = now + pgm_backoff_ns(peer->p.nak_bo_ivl);
	for (s = peer->lead + 1; s != sqn; s++) {
		struct pgm_slot *sl = pgm_slot_alloc(peer, s, false);

		if (!sl)
			return false;
		if (state == SLOT_WAIT_DATA)
			slot_missing(peer, sl, SLOT_WAIT_DATA,
				     now + pgm_us_ns(peer->p.nak_rdata_ivl), now);
		else
			slot_missing(peer, sl, SLOT_BACKOFF, bo, now);
		peer->lead = s;
		pgm_cc_advance(peer, false);	/* PGMCC: skipped by the lead, a loss */
	}
	return true;
}

/*
 * Send a NAK for @sqns (the first, then up to 62 in OPT_NAK_LIST); with
 * @parity, a parity NAK (section 11.3.1) for the one group and count @sqns[0].
 */
static void pgm_send_nak(struct pgm_receiver *rcv, struct pgm_peer *peer,
			 const __be32 *sqns, unsigned int n, bool parity, u64 now)
	__must_hold(&rcv->lock)
{
	/* PGMCC (draft section 2.1.2): feedback to a source that runs it. */
	unsigned int flen = pgm_cc_feedback_len(peer);
	struct sk_buff *skb;
	u8 *fb = NULL;

	lockdep_assert_held(&rcv->lock);
	/*
	 * Upstream: source port is the data-destination port, NAK_SRC the
	 * session's source (8.3: the IP source of its SPMs and data, 7.1 and
	 * 8.2), not the path NLA the NAK goes to, which a network element
	 * rewrites to its own address.
	 */
	skb = pgm_build_nak(rcv->sk->sk_family, PGM_NAK, peer->dport, peer->tsi.sport,
			    peer->tsi.gsi, &peer->saddr, &peer->group, sqns, n,
			    flen ? PGM_OPT_PGMCC_FEEDBACK : 0, flen, &fb);
	if (!skb)
		return;
	if (fb)
		pgm_cc_feedback(peer, fb, now);
	if (parity)
		((struct pgm_hdr *)skb_transport_header(skb))->options |= PGM_OPT_PARITY;
	if (parity || fb)
		pgm_set_csum(skb);
	if (!pgm_xmit_peer(rcv->sk, skb, &peer->nla, 0, peer->ifindex)) {
		rcv->st.naks_sent += n;
		peer->naks_sent += n;
		if (parity) {
			rcv->st.parity_naks_sent++;
			peer->parity_naks_sent++;
		}
	}
}

/* One SPMR (section 8.4) for @peer's session to @daddr, with IP TTL @ttl. */
static void pgm_send_spmr_to(struct pgm_receiver *rcv, struct pgm_peer *peer,
			     const union pgm_addr *daddr, u8 ttl)
	__must_hold(&rcv->lock)
{
	struct sk_buff *skb = pgm_alloc_pkt(PGM_HDR_LEN, GFP_ATOMIC);

	lockdep_assert_held(&rcv->lock);
	if (!skb)
		return;
	pgm_fill_hdr(skb, peer->dport, peer->tsi.sport, PGM_SPMR, 0, peer->tsi.gsi, 0);
	pgm_set_csum(skb);
	if (!pgm_xmit_peer(rcv->sk, skb, daddr, ttl, peer->ifindex))
		rcv->st.spmrs_sent++;
}

/*
 * Appendix C (13.5): the multicast SPMR with TTL 1 goes first, so that
 * other receivers on the subnet hold theirs back, then the unicast one to
 * the source.
 */
static void pgm_send_spmr(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	pgm_send_spmr_to(rcv, peer, &peer->group, 1);
	pgm_send_spmr_to(rcv, peer, &peer->saddr, 0);
}

/*
 * Section 6: a source silent for PGM_PEER_EXPIRY is gone.  What is missing
 * can no longer be repaired and is reported lost; what we hold is still
 * delivered, however slow the reader: the session ends (and its peer is
 * freed by its timer) only after the last of it.
 */
static void pgm_peer_expire(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	u32 sqn;

	lockdep_assert_held(&rcv->lock);
	pgm_confirm_stop(rcv, peer, false);	/* the source is gone: no BYE */
	peer->expired = true;
	peer->bo_pending = false;
	peer->wait_pending = false;
	if (!peer->end_reported)
		peer->ended = PGM_END_EXPIRED;
	for (sqn = peer->next; peer->started && !pgm_sqn_before(peer->lead, sqn); sqn++) {
		struct pgm_slot *s = pgm_slot_find(peer, sqn);

		if (s && s->state != SLOT_HAVE)
			s->state = SLOT_LOST;
	}
	if (peer->started)
		pgm_deliver(rcv, peer);
	else
		pgm_report_end(rcv, peer, PGM_END_EXPIRED);
	pgm_ring_wake(rcv);
}

/*
 * May @s, which waited in vain for an NCF (NAK_NCF_RETRIES) or for the
 * data after one (NAK_DATA_RETRIES), be NAKed again?  Counts the retry.
 */
static bool slot_retry(const struct pgm_peer *peer, struct pgm_slot *s)
{
	if (s->state == SLOT_WAIT_NCF)
		return ++s->ncf_retries <= peer->p.nak_ncf_retries;
	return ++s->data_retries <= peer->p.nak_data_retries;
}

/*
 * The deadlines of the window's NAK states that are due at @now: back-offs
 * that end put their sqn in @nak (at most ARRAY_SIZE, *@nnak of them) for
 * one NAK, waits that end back off again or, past their retries, give the
 * sqn up as lost.  Walks the window (at most PGM_RXW_SQNS slots) and leaves
 * @bo_at/@wait_at exact.  Returns whether a NAK was held back for want of
 * credit.
 */
static bool pgm_peer_nak_due(struct pgm_peer *peer, u64 now,
			     __be32 *nak, unsigned int *nnak,
			     __be32 *par, unsigned int *npar)
	__must_hold(&peer->rcv->lock)
{
	bool can_nak = pgm_peer_has_nla(peer) && peer->credit, deferred = false;
	u64 wait = 0, retry = 0;
	u32 sqn, tg;

	lockdep_assert_held(&peer->rcv->lock);
	peer->bo_pending = false;
	peer->wait_pending = false;
	for (sqn = peer->next; !pgm_sqn_before(peer->lead, sqn); sqn++) {
		struct pgm_slot *s = pgm_slot_find(peer, sqn);

		if (!s || s->state == SLOT_NONE || s->state == SLOT_HAVE ||
		    s->state == SLOT_LOST)
			continue;
		if (pgm_ns_before(now, s->deadline)) {
			slot_deadline(peer, s, s->state, s->deadline);
			continue;
		}
		switch (s->state) {
		case SLOT_BACKOFF:
			/*
			 * Section 11.5: with parity to come, loss is detected
			 * at group boundaries; the back-off starts over.
			 */
			if (pgm_fec_waits(peer, s, sqn)) {
				if (!wait)
					wait = now + pgm_backoff_ns(peer->p.nak_bo_ivl) + 1;
				slot_deadline(peer, s, SLOT_BACKOFF, wait);
				break;
			}
			/* No SPM yet (nowhere to send), no credit, or the list is full. */
			if (!can_nak || *nnak == 1 + PGM_NAK_LIST_MAX) {
				deferred |= pgm_peer_has_nla(peer) && !peer->credit;
				slot_deadline(peer, s, SLOT_BACKOFF, s->deadline);
				break;
			}
			/* One parity NAK for a whole group (section 11.3.1). */
			if (pgm_fec_nak_group(peer, s, sqn, &tg)) {
				unsigned int count;

				if (*npar == PGM_PARITY_NAKS_MAX) {
					slot_deadline(peer, s, SLOT_BACKOFF, s->deadline);
					break;
				}
				count = pgm_fec_request(peer, tg, now);
				if (count)
					par[(*npar)++] = htonl(tg | (count - 1));
				break;
			}
			s->fecnak = false;
			nak[(*nnak)++] = htonl(sqn);
			slot_deadline(peer, s, SLOT_WAIT_NCF, now + pgm_us_ns(peer->p.nak_rpt_ivl));
			break;
		case SLOT_WAIT_NCF:
		case SLOT_WAIT_DATA:
			/* No NCF, or no data after it, in time: NAK again, or give up. */
			/*
			 * One back-off for all that timed out together: their
			 * NAKs go out again in one list.
			 */
			if (!retry)
				retry = now + pgm_backoff_ns(peer->p.nak_bo_ivl);
			if (slot_retry(peer, s)) {
				slot_deadline(peer, s, SLOT_BACKOFF, retry);
			} else if (s->fecnak) {
				/* Parity NAKs ran out: selective NAKs for the group. */
				pgm_fec_fallback(peer, sqn, retry);
			} else {
				s->state = SLOT_LOST;
			}
			break;
		}
	}
	return deferred;
}

/* No SPM yet at @now: ask for one with an SPMR, or back off again (Appendix C). */
static void pgm_peer_spmr_due(struct pgm_receiver *rcv, struct pgm_peer *peer,
			      u64 now)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (peer->spmr_wait) {
		/* No SPM came: a new back-off, then ask again. */
		peer->spmr_wait = false;
		peer->spmr_at = now + pgm_backoff_ns(peer->p.spmr_expiry);
	} else if (pgm_peer_spend(peer, 2)) {
		pgm_send_spmr(rcv, peer);
		peer->spmr_wait = true;
		peer->spmr_at = now + pgm_us_ns(peer->p.spmr_expiry);
	}
}

/**
 * pgm_peer_timer - the NAK state machine's clock, one hrtimer per peer
 * @t: the peer's timer, armed for its next deadline (pgm_peer_arm)
 *
 * Walks the window only when a deadline is due (pgm_peer_nak_due); sends
 * the NAK and the SPMR that are due, delivers, and frees an expired peer
 * once its end was reported.  Softirq (HRTIMER_MODE_ABS_SOFT); takes
 * rcv->lock.
 *
 * The timer is armed only under rcv->lock, so when it is found not queued
 * under the lock, nothing can queue it again once the peer is unlinked:
 * then, and only then, the callback frees its own peer (the hrtimer core
 * does not touch a timer whose callback returned HRTIMER_NORESTART).
 *
 * Return: HRTIMER_NORESTART; pgm_peer_arm() queues it again.
 */
enum hrtimer_restart pgm_peer_timer(struct hrtimer *t)
{
	struct pgm_peer *peer = container_of(t, struct pgm_peer, timer);
	struct pgm_receiver *rcv = peer->rcv;
	u64 now = pgm_now();
	__be32 nak[1 + PGM_NAK_LIST_MAX], par[PGM_PARITY_NAKS_MAX];
	unsigned int nnak = 0, npar = 0, i;

	spin_lock_bh(&rcv->lock);
	if (rcv->dead)
		goto out;
	if (!peer->expired &&
	    !pgm_ns_before(now, peer->last_heard + pgm_us_ns(peer->p.peer_expiry)))
		pgm_peer_expire(rcv, peer);
	if (peer->expired) {
		/* Not drained (the reader's next read goes on), or re-armed. */
		if (!peer->end_reported || hrtimer_is_queued(&peer->timer))
			goto out;
		pgm_peer_unlink(rcv, peer);
		spin_unlock_bh(&rcv->lock);
		pgm_peer_free(peer);
		return HRTIMER_NORESTART;
	}
	if (peer->started &&
	    ((peer->wait_pending && !pgm_ns_before(now, peer->wait_at)) ||
	     (peer->bo_pending && pgm_peer_has_nla(peer) && peer->credit &&
	      !pgm_ns_before(now, peer->bo_at)))) {
		if (pgm_peer_nak_due(peer, now, nak, &nnak, par, &npar))
			rcv->st.naks_deferred++;
	}
	if (nnak && pgm_peer_spend(peer, 1))
		pgm_send_nak(rcv, peer, nak, nnak, false, now);
	/* Parity NAKs spend credit as NAKs do; one without is retried later. */
	for (i = 0; i < npar; i++) {
		if (pgm_peer_spend(peer, 1))
			pgm_send_nak(rcv, peer, &par[i], 1, true, now);
		else
			rcv->st.naks_deferred++;
	}
	pgm_cc_timer(rcv, peer, now);
	pgm_deliver(rcv, peer);
	pgm_confirm_timer(rcv, peer, now);
	if (!peer->spm_seen && !pgm_ns_before(now, peer->spmr_at))
		pgm_peer_spmr_due(rcv, peer, now);
	pgm_fec_prune(rcv, peer);
	pgm_peer_arm(peer);
out:
	spin_unlock_bh(&rcv->lock);
	return HRTIMER_NORESTART;
}

/*
 * Queue the peer's timer for @when (ns), with a slack of 1/16 of the wait
 * (10 us to 4 ms) so that the kernel may batch expiries.  Already queued
 * no later, it is left alone: it then fires early, finds nothing due and
 * is queued again, so a packet costs no rbtree work for its deadline.
 */
static void peer_timer_at(struct pgm_peer *peer, u64 when)
	__must_hold(&peer->rcv->lock)
{
	struct hrtimer *t = &peer->timer;
	u64 now, wait;

	lockdep_assert_held(&peer->rcv->lock);
	if (hrtimer_is_queued(t) &&
	    !pgm_ns_before(when, ktime_to_ns(hrtimer_get_softexpires(t))))
		return;
	now = pgm_now();
	wait = pgm_ns_before(now, when) ? when - now : 0;
	hrtimer_start_range_ns(t, ns_to_ktime(when),
			       clamp_t(u64, wait >> 4, 10 * NSEC_PER_USEC, 4 * NSEC_PER_MSEC),
			       HRTIMER_MODE_ABS_SOFT);
}

/**
 * pgm_peer_arm - arm the peer's timer for its earliest deadline (or expiry)
 * @peer: the session, its receiver's lock held
 *
 * O(1), from the earliest deadlines kept as slots change state.  Back-offs
 * count only when a NAK could go (an NLA known, credit left), SPMRs
 * likewise.  An expired peer that reported its end is freed by its timer,
 * at once.
 */
void pgm_peer_arm(struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock)
{
	u64 when = peer->last_heard + pgm_us_ns(peer->p.peer_expiry), tick;

	lockdep_assert_held(&peer->rcv->lock);
	if (peer->expired) {
		/* Drained: the timer frees it; otherwise the reader drives it. */
		if (peer->end_reported)
			peer_timer_at(peer, pgm_now());
		return;
	}
	if (!peer->spm_seen && (peer->spmr_wait || peer->credit >= 2) &&
	    pgm_ns_before(peer->spmr_at, when))
		when = peer->spmr_at;
	if (peer->wait_pending && pgm_ns_before(peer->wait_at, when))
		when = peer->wait_at;
	if (peer->bo_pending && pgm_peer_has_nla(peer) && peer->credit && pgm_ns_before(peer->bo_at, when))
		when = peer->bo_at;
	if (peer->cc.elect_at && pgm_ns_before(peer->cc.elect_at, when))
		when = peer->cc.elect_at;	/* PGMCC: an election's answer */
	tick = pgm_confirm_deadline(peer);
	if (tick && pgm_ns_before(tick, when))
		when = tick;			/* confirmed delivery's tick */
	peer_timer_at(peer, when);
}

/* Read OPT_FRAGMENT, OPT_JOIN, OPT_FIN and OPT_RST of a data packet or SPM. */
static void pgm_read_opts(const u8 *d, const struct pgm_wire_info *info,
			  struct pgm_slot *frag, u32 *frag_off, u8 *end, u32 *join,
			  bool *has_join)
{
	const struct pgm_opt_fragment *of;
	const struct pgm_opt_join *oj;
	const struct pgm_opt *o;

	pgm_for_each_opt(o, d, info) {
		switch (pgm_opt_type(o)) {
		case PGM_OPT_FRAGMENT:
			of = (const void *)o;
			if (frag && o->len >= sizeof(*of)) {
				*frag_off = ntohl(of->offset);
				frag->frag = true;
				frag->first = ntohl(of->first);
				frag->apdu_len = ntohl(of->apdu_len);
			}
			break;
		case PGM_OPT_JOIN:
			oj = (const void *)o;
			if (o->len >= sizeof(*oj)) {
				*join = ntohl(oj->sqn);
				*has_join = true;
			}
			break;
		case PGM_OPT_FIN:
			if (end && !*end)
				*end = PGM_END_FIN;
			break;
		case PGM_OPT_RST:
			if (end)
				*end = PGM_END_RST;
			break;
		}
	}
}

/*
 * Section 9.4: where a new session starts when it is first heard through a
 * packet (data or SPM) whose successor of what it holds is @sqn and which
 * carries OPT_JOIN @join (@has_join): @sqn, or as far back as OPT_JOIN
 * offers, at most PGM_JOIN_MAX sqns (0: never further back) and not more
 * than the window holds.
 */
static u32 pgm_join_start(const struct pgm_peer *peer, u32 sqn, bool has_join, u32 join)
{
	u32 max = min(peer->p.join_max, peer_size(peer) - 1);

	if (!has_join || !pgm_sqn_before(join, sqn) || (u32)(sqn - join) >= peer_size(peer))
		return sqn;
	return (u32)(sqn - join) > max ? sqn - max : join;
}

/*
 * Late join: the session starts with the first data seen, @sqn, or where
 * its OPT_JOIN lets it (pgm_join_start); the rest of an APDU that began
 * before that is skipped silently.
 */
static void pgm_peer_join_data(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn,
			       bool has_join, u32 join)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	peer->started = true;
	peer->next = pgm_join_start(peer, sqn, has_join, join);
	peer->lead = peer->next - 1;
	peer->joined = peer->next;
	pgm_peer_started(rcv, peer);
}

/*
 * The data of @s, found missing, is in (RDATA, or ODATA late): its repair
 * time, from the packet that revealed the gap (pgm_extend) to now, for
 * PGM_RECEIVER_STATS (repairs, repair_us_total, repair_us_max).
 */
static void pgm_repaired(struct pgm_receiver *rcv, const struct pgm_slot *s)
	__must_hold(&rcv->lock)
{
	u32 units = pgm_stamp(pgm_now()) - s->missing;
	u64 us = div_u64((u64)units << 10, NSEC_PER_USEC);

	lockdep_assert_held(&rcv->lock);
	rcv->st.repairs++;
	rcv->st.repair_us_total += us;
	rcv->st.repair_us_max = max(rcv->st.repair_us_max, us);
}

/*
 * Keep the data packet *@skbp of @sqn (inside the window) in its slot, its
 * TSDU after @hlen bytes of headers, with the OPT_FRAGMENT fields of
 * @meta: the packet itself when @take (the last socket it is for) and
 * nobody else holds it, then *@skbp is NULL; else a clone.  False when it
 * is not kept: a duplicate, out of memory, or past the memory budget (then
 * it stays missing and is NAKed again later), except the packet delivery
 * waits for.
 */
bool pgm_hold_data(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn,
		   struct sk_buff **skbp, bool take, unsigned int hlen,
		   const struct pgm_slot *meta)
	__must_hold(&rcv->lock)
{
	struct sk_buff *skb = *skbp;
	struct pgm_slot *s;

	lockdep_assert_held(&rcv->lock);
	s = pgm_slot_alloc(peer, sqn, sqn == peer->next);
	if (!s)
		return false;
	if (s->state == SLOT_HAVE) {
		rcv->st.duplicates++;
		return false;
	}
	take = take && !skb_shared(skb);
	if (!take) {
		skb = skb_clone(skb, GFP_ATOMIC);
		if (!skb)
			return false;
	}
	/*
	 * The route the packet came in on is only valid in this softirq
	 * (a noref dst); held data is delivered later, from timers and from
	 * recvmsg(), and needs no route.
	 */
	skb_dst_drop(skb);
	if (!pgm_rcv_charge(rcv, peer, skb->truesize, sqn == peer->next)) {
		if (!take)
			kfree_skb(skb);
		return false;
	}
	if (take)
		*skbp = NULL;	/* the window's now: the caller must not touch it */
	if (s->state == SLOT_BACKOFF || s->state == SLOT_WAIT_NCF || s->state == SLOT_WAIT_DATA)
		pgm_repaired(rcv, s);
	pgm_slot_clear(peer, s);
	skb_pull(skb, hlen);
	s->skb = skb;
	s->state = SLOT_HAVE;
	s->frag = meta->frag;
	s->first = meta->first;
	s->apdu_len = meta->apdu_len;
	return true;
}

static void pgm_rx_data(struct pgm_receiver *rcv, struct pgm_peer *peer,
			struct sk_buff **skbp, bool take, const struct pgm_wire_info *info)
	__must_hold(&rcv->lock)
{
	struct sk_buff *skb = *skbp;
	const struct pgm_data *dh = pgm_body(skb->data);
	u32 sqn = ntohl(dh->sqn);
	u32 trail = ntohl(dh->trail);
	struct pgm_slot meta = {};
	struct pgm_cc_opt cc;
	bool has_join = false;
	u32 join = 0, frag_off = 0;
	u8 end = 0;

	lockdep_assert_held(&rcv->lock);
	/* Section 11.2: parity is never data, nor takes a data slot. */
	if (((const struct pgm_hdr *)skb->data)->options & PGM_OPT_PARITY) {
		pgm_fec_parity(rcv, peer, skb, info);
		return;
	}
	if (info->type == PGM_ODATA)
		rcv->st.odata_received++;
	else
		rcv->st.rdata_received++;
	pgm_read_opts(skb->data, info, &meta, &frag_off, &end, &join, &has_join);
	if (meta.frag && (meta.apdu_len > PGM_APDU_MAX || !meta.apdu_len ||
			  pgm_sqn_before(sqn, meta.first))) {
		rcv->st.malformed++;
		return;
	}
	if (!peer->started)
		pgm_peer_join_data(rcv, peer, sqn, has_join, join);
	if (pgm_sqn_before(sqn, peer->next)) {
		rcv->st.duplicates++;
		return;
	}
	pgm_slide_to(rcv, peer, trail);
	if ((u32)(sqn - peer->next) >= peer_size(peer) ||
	    !pgm_extend(rcv, peer, sqn, SLOT_BACKOFF)) {
		/* Beyond the window: dropped; it is NAKed when there is room. */
		rcv->st.outside_window++;
		return;
	}
	/* PGMCC's option, read while the packet is still at its header. */
	pgm_cc_read(rcv, peer, skb, info, &cc);
	if (!pgm_hold_data(rcv, peer, sqn, skbp, take, info->hdr_len + info->opt_len, &meta))
		return;
	pgm_cb(pgm_slot_find(peer, sqn)->skb)->frag_off = frag_off;
	if (!pgm_sqn_before(sqn, peer->lead + 1)) {
		peer->lead = sqn;
		pgm_cc_advance(peer, true);
	} else {
		pgm_cc_repaired(peer, sqn);
	}
	pgm_fec_keep(rcv, peer, sqn);
	pgm_cc_data(rcv, peer, &cc);
	if (end)
		peer->ended = end;
	if (end == PGM_END_RST)
		pgm_confirm_stop(rcv, peer, false);	/* R5: the source aborted */
}

/*
 * The path NLA of an SPM: where our NAKs go (section 6.2).  A unicast
 * address only (never a group or broadcast: NAKs are not reflected at
 * many), and, damping its jitter (section 10), a new one is taken only when
 * two SPMs in a row carry it.
 */
static void pgm_peer_nla(struct pgm_receiver *rcv, struct pgm_peer *peer,
			 const union pgm_addr *nla)
	__must_hold(&rcv->lock)
{
	sa_family_t f = rcv->sk->sk_family;

	lockdep_assert_held(&rcv->lock);
	if (!pgm_addr_unicast(f, nla)) {
		rcv->st.malformed++;
		return;
	}
	if (!pgm_peer_has_nla(peer) || pgm_addr_eq(f, nla, &peer->nla) ||
	    pgm_addr_eq(f, nla, &peer->nla_new)) {
		peer->nla = *nla;
		memset(&peer->nla_new, 0, sizeof(peer->nla_new));
	} else {
		peer->nla_new = *nla;
	}
}

static void pgm_rx_spm(struct pgm_receiver *rcv, struct pgm_peer *peer,
		       struct sk_buff *skb, const struct pgm_wire_info *info)
	__must_hold(&rcv->lock)
{
	const struct pgm_spm *spm = pgm_body(skb->data);
	union pgm_addr nla;
	u32 spm_sqn = ntohl(spm->sqn);
	u32 trail = ntohl(spm->trail);
	u32 lead = ntohl(spm->lead);
	bool has_join = false;
	u32 join = 0;
	u8 end = 0;

	lockdep_assert_held(&rcv->lock);
	/* Section 6.2: an SPM older than the last one is discarded. */
	if (peer->spm_seen && !pgm_sqn_before(peer->spm_sqn, spm_sqn))
		return;
	rcv->st.spms_received++;
	peer->spm_seen = true;
	peer->spm_sqn = spm_sqn;
	/* The path NLA, of the socket's family (pgm_receiver_rcv() checked). */
	pgm_nla_get(rcv->sk->sk_family, (const u8 *)spm + PGM_SPM_NLA_OFF, &nla);
	pgm_peer_nla(rcv, peer, &nla);
	/* Section 11.8.1: OPT_PARITY_PRM says what FEC the source offers. */
	pgm_fec_spm(rcv, peer, skb->data, info);
	peer->spm_lead = lead;
	peer->spm_lead_set = true;
	pgm_read_opts(skb->data, info, NULL, NULL, &end, &join, &has_join);
	if (end)
		peer->ended = end;
	if (end == PGM_END_RST)
		pgm_confirm_stop(rcv, peer, false);	/* R5: the source aborted */
	if (end == PGM_END_RST) {
		/* Section 9.8.1: reset now, without waiting for repairs. */
		pgm_report_end(rcv, peer, PGM_END_RST);
		return;
	}
	if (!peer->started) {
		/*
		 * Started by an SPM: no NAKs for what came before, unless its
		 * OPT_JOIN (section 9.4) offers earlier data.
		 */
		peer->started = true;
		peer->next = pgm_join_start(peer, lead + 1, has_join, join);
		peer->lead = peer->next - 1;
		if (peer->next != lead + 1)
			pgm_extend(rcv, peer, lead + 1, SLOT_BACKOFF);
		peer->joined = peer->next;
		pgm_peer_started(rcv, peer);
		return;
	}
	/* Section 6.3: the SPM's lead reveals tail loss (as far as the window reaches). */
	pgm_slide_to(rcv, peer, trail);
	if (pgm_sqn_before(peer->lead, lead) && !pgm_sqn_before(lead, trail)) {
		u32 edge = (u32)(lead + 1 - peer->next) > peer_size(peer) ?
			   peer->next + peer_size(peer) : lead + 1;

		pgm_extend(rcv, peer, edge, SLOT_BACKOFF);
	}
}

/* NCF (sections 6.3, 9.3): stop NAKing, wait for the RDATA. */
static void pgm_ncf_one(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn,
			u64 now)
	__must_hold(&rcv->lock)
{
	struct pgm_slot *s;

	lockdep_assert_held(&rcv->lock);
	rcv->st.ncfs_received++;
	/*
	 * Section 6.3: an NCF reveals "a single missing data packet ...
	 * within the transmit window", the window as far as this receiver
	 * knows it (the lead of its data and SPMs).  One beyond that lead
	 * changes nothing: it does not grow the window, nor make the
	 * receiver NAK what lies between (one spoofed NCF would otherwise
	 * be worth a window of NAKs); the SPM's lead or the next data
	 * reveals that loss.
	 */
	if (!peer->started)
		return;
	if (pgm_sqn_before(sqn, peer->next) || pgm_sqn_before(peer->lead, sqn)) {
		rcv->st.outside_window++;
		return;
	}
	s = pgm_slot_find(peer, sqn);
	if (s && (s->state == SLOT_BACKOFF || s->state == SLOT_WAIT_NCF))
		slot_deadline(peer, s, SLOT_WAIT_DATA, now + pgm_us_ns(peer->p.nak_rdata_ivl));
}

static void pgm_rx_ncf(struct pgm_receiver *rcv, struct pgm_peer *peer,
		       struct sk_buff *skb, const struct pgm_wire_info *info)
	__must_hold(&rcv->lock)
{
	const struct pgm_nak *nk = pgm_body(skb->data);
	const struct pgm_opt *o;
	u64 now = pgm_now();
	unsigned int k;

	bool parity = ((const struct pgm_hdr *)skb->data)->options & PGM_OPT_PARITY;

	lockdep_assert_held(&rcv->lock);
	/* A parity NCF (section 11.3.2) confirms a group's parity NAK, no sqn. */
	if (parity) {
		rcv->st.ncfs_received++;
		pgm_fec_confirm(rcv, peer, ntohl(nk->sqn), now);
	} else {
		pgm_ncf_one(rcv, peer, ntohl(nk->sqn), now);
	}
	if (!pgm_has_opt(info, PGM_OPT_NAK_LIST))
		return;
	pgm_for_each_opt(o, skb->data, info) {
		if (pgm_opt_type(o) != PGM_OPT_NAK_LIST)
			continue;
		for (k = 0; k < pgm_nak_list_len(o); k++) {
			if (parity)
				pgm_fec_confirm(rcv, peer, pgm_nak_list_sqn(o, k), now);
			else
				pgm_ncf_one(rcv, peer, pgm_nak_list_sqn(o, k), now);
		}
	}
}

/**
 * pgm_receiver_rcv - downstream packets (SPM, ODATA, RDATA, NCF) for a receiver
 * @sk: the receiver socket
 * @skbp: the packet at its PGM header
 * @take: the last socket the packet is for: its data may keep the packet
 *	itself instead of a clone, and then *@skbp is set to NULL
 * @info: what validation learnt of it
 *
 * From the input path in softirq, under rcu_read_lock().  Other
 * receivers' multicast SPMRs come here too (Appendix C).
 */
void pgm_receiver_rcv(struct sock *sk, struct sk_buff **skbp, bool take,
		      const struct pgm_wire_info *info)
{
	struct sk_buff *skb = *skbp;
	struct pgm_receiver *rcv = rcu_dereference(pgm_sk(sk)->rcv);
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;
	sa_family_t f = sk->sk_family;
	union pgm_addr saddr, daddr;
	struct pgm_peer *peer;
	struct pgm_tsi tsi;

	if (!rcv)
		return;
	pgm_skb_addrs(f, skb, &saddr, &daddr);
	memcpy(tsi.gsi, ph->gsi, PGM_GSI_LEN);
	/* Upstream (another receiver's SPMR): the ports are reversed. */
	tsi.sport = info->type == PGM_SPMR ? ph->dport : ph->sport;

	spin_lock_bh(&rcv->lock);
	if (rcv->dead)
		goto out;
	peer = pgm_peer_find(rcv, &tsi);
	if (info->type == PGM_SPMR) {
		/*
		 * Another receiver asked for the SPM (13.5): ours, still in
		 * its back-off, is suppressed; wait for the SPM as if we had
		 * sent it.  Whoever sent it: 13.5 matches SPMRs by TSI and
		 * port only, so one multicast from the source's own host
		 * (OpenPGM's simulator does that) suppresses ours too.  If no
		 * SPM comes within SPMR_EXPIRY (SPMR_SPM_IVL), 13.5 lets us
		 * repeat: a new back-off, then our own SPMR.
		 */
		if (peer && !peer->spm_seen && !peer->spmr_wait) {
			peer->spmr_wait = true;
			peer->spmr_at = pgm_now() + pgm_us_ns(peer->p.spmr_expiry);
			pgm_peer_arm(peer);
		}
		goto out;
	}
	if (!peer) {
		if (info->type == PGM_NCF)
			goto out;	/* nothing to confirm for a stranger */
		peer = pgm_peer_new(rcv, &tsi, &saddr, &daddr,
				    f == AF_INET6 ? inet6_iif(skb) : 0, ph->dport);
		if (!peer)
			goto out;
	} else if (!pgm_addr_eq(f, &saddr, &peer->saddr) &&
		   !(info->type == PGM_NCF && pgm_addr_eq(f, &saddr, &peer->nla))) {
		/*
		 * A session is tied to the address it started from: its TSI
		 * from anywhere else is not its source (an NCF may also come
		 * from the path NLA, the hop our NAKs go to).
		 */
		rcv->st.wrong_source++;
		pgm_mib_inc(rcv->pn, PGM_MIB_RX_WRONG_SOURCE);
		goto out;
	}
	if (peer->expired)
		goto out;	/* gone: only its held data is still delivered */
	peer->last_heard = pgm_now();
	peer->credit = min_t(u16, peer->credit + PGM_NAK_CREDIT, PGM_NAK_CREDIT_MAX);
	switch (info->type) {
	case PGM_ODATA:
	case PGM_RDATA:
		pgm_rx_data(rcv, peer, skbp, take, info);
		break;
	/* NLAs of the other family (or a mix) are not this session's. */
	case PGM_SPM:
		if (info->hdr_len == pgm_spm_hlen(f))
			pgm_rx_spm(rcv, peer, skb, info);
		else
			rcv->st.malformed++;
		break;
	case PGM_NCF:
		if (info->hdr_len == pgm_nak_hlen(f))
			pgm_rx_ncf(rcv, peer, skb, info);
		else
			rcv->st.malformed++;
		break;
	}
	pgm_deliver(rcv, peer);
	pgm_confirm_check(rcv, peer, peer->last_heard);
	pgm_fec_prune(rcv, peer);
	pgm_peer_arm(peer);
out:
	spin_unlock_bh(&rcv->lock);
}

/**
 * pgm_receiver_start - bind(): the socket becomes a receiver
 * @sk: the socket, locked; its ring, if any, is the receiver's from now on
 *
 * Return: 0 or -ENOMEM.
 */
int pgm_receiver_start(struct sock *sk)
{
	struct pgm_receiver *rcv = kzalloc(sizeof(*rcv), GFP_KERNEL);
	unsigned int i;

	if (!rcv)
		return -ENOMEM;
	spin_lock_init(&rcv->lock);
	rcv->sk = sk;
	rcv->pn = pgm_pernet(sock_net(sk));
	rcv->ring = pgm_sk(sk)->ring;	/* fixed from now on */
	if (rcv->ring) {
		rcv->ring->lock = &rcv->lock;	/* what its producer side runs under */
		rcv->ring->sk = sk;
	}
	rcv->hash_seed = get_random_u32();
	rcv->confirm_ivl_us = READ_ONCE(pgm_sk(sk)->confirm) * USEC_PER_MSEC;
	__skb_queue_head_init(&rcv->pending_err);
	INIT_LIST_HEAD(&rcv->blocked);
	for (i = 0; i < PGM_PEER_HASH; i++)
		INIT_HLIST_HEAD(&rcv->peers[i]);
	for (i = 0; i < PGM_SRC_HASH; i++)
		INIT_HLIST_HEAD(&rcv->srcs[i]);
	rcu_assign_pointer(pgm_sk(sk)->rcv, rcv);
	return 0;
}

/**
 * pgm_receiver_stop - close(): forget every session and free the receiver
 * @sk: the socket, locked
 *
 * Waits for the peers' timers: process context.
 */
void pgm_receiver_stop(struct sock *sk)
{
	struct pgm_receiver *rcv = pgm_rcv_get(sk);
	struct pgm_peer *peer;
	struct hlist_node *tmp;
	HLIST_HEAD(gone);
	unsigned int i;

	if (!rcv)
		return;
	spin_lock_bh(&rcv->lock);
	rcv->dead = true;
	for (i = 0; i < PGM_PEER_HASH; i++) {
		hlist_for_each_entry_safe(peer, tmp, &rcv->peers[i], node) {
			pgm_confirm_stop(rcv, peer, true);	/* R5: BYE */
			pgm_peer_unlink(rcv, peer);
			hlist_add_head(&peer->node, &gone);
		}
	}
	spin_unlock_bh(&rcv->lock);
	pgm_ring_stop(rcv->ring);	/* dead: pgm_ring_wake() arms it no more */
	hlist_for_each_entry_safe(peer, tmp, &gone, node) {
		hrtimer_cancel(&peer->timer);
		pgm_peer_free(peer);
	}
	RCU_INIT_POINTER(pgm_sk(sk)->rcv, NULL);
	/* The receiver is dead: nobody else touches pending_err now. */
	__skb_queue_purge(&rcv->pending_err);
	kfree_rcu(rcv, rcu);
}

/**
 * pgm_receiver_reset_group - end the sessions of one group, reason rst
 * @sk: the socket, locked
 * @group: the group, of the socket's family
 *
 * The netns's policy made the socket leave @group (policy.c): each of its
 * sessions there ends as an OPT_RST would end it (section 9.8.1), with a
 * session-end record (ECONNRESET) and event.
 */
void pgm_receiver_reset_group(struct sock *sk, const union pgm_addr *group)
{
	struct pgm_receiver *rcv = pgm_rcv_get(sk);
	struct pgm_peer *peer;
	unsigned int i;

	if (!rcv)
		return;
	spin_lock_bh(&rcv->lock);
	for (i = 0; !rcv->dead && i < PGM_PEER_HASH; i++) {
		hlist_for_each_entry(peer, &rcv->peers[i], node) {
			if (!pgm_addr_eq(sk->sk_family, &peer->group, group) || peer->end_reported)
				continue;
			/* As an SPM with OPT_RST ends it (pgm_rx_spm()). */
			peer->ended = PGM_END_RST;
			pgm_report_end(rcv, peer, PGM_END_RST);
		}
	}
	spin_unlock_bh(&rcv->lock);
}

/**
 * pgm_receiver_stats - the receiver's counters, zero without one
 * @sk: the socket, locked
 * @st: filled in
 */
void pgm_receiver_stats(struct sock *sk, struct pgm_receiver_stats *st)
{
	struct pgm_receiver *rcv = pgm_rcv_get(sk);

	memset(st, 0, sizeof(*st));
	if (!rcv)
		return;
	spin_lock_bh(&rcv->lock);
	*st = rcv->st;
	st->peers = rcv->npeers;
	st->mem = rcv->mem;
	spin_unlock_bh(&rcv->lock);
}

/**
 * pgm_receiver_info - what a dump shows of a receiver
 * @rcv: the receiver, read with rcu_dereference() under rcu_read_lock()
 * @ri: filled in
 *
 * Return: false when the receiver is going away (nothing filled in).
 */
bool pgm_receiver_info(struct pgm_receiver *rcv, struct pgm_receiver_info *ri)
{
	bool ok;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "pgm: receiver dump outside RCU");
	spin_lock_bh(&rcv->lock);
	ok = !rcv->dead;
	if (ok) {
		ri->st = rcv->st;
		ri->st.peers = rcv->npeers;
		ri->st.mem = rcv->mem;
		ri->aborted = rcv->aborted;
	}
	spin_unlock_bh(&rcv->lock);
	return ok;
}

/**
 * pgm_receiver_peers - the peer dump: call @fill for each session
 * @rcv: the receiver, read with rcu_dereference() under rcu_read_lock()
 * @skip: sessions done (in hash order) by earlier calls; counts on
 * @fill: called under rcv->lock, so it must not sleep; an error (a full
 *	message) stops the walk, and the dump goes on from there next time
 * @arg: for @fill
 *
 * Return: 0, or the first error of @fill.
 */
int pgm_receiver_peers(struct pgm_receiver *rcv, unsigned long *skip,
		       int (*fill)(const struct pgm_peer_info *pi, void *arg), void *arg)
{
	unsigned long idx = 0;
	u64 now = pgm_now();
	struct pgm_peer *peer;
	unsigned int i;
	int err = 0;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "pgm: peer dump outside RCU");
	spin_lock_bh(&rcv->lock);
	if (rcv->dead)
		goto out;
	for (i = 0; i < PGM_PEER_HASH; i++) {
		hlist_for_each_entry(peer, &rcv->peers[i], node) {
			struct pgm_peer_info pi = {
				.tsi = peer->tsi,
				.saddr = peer->saddr,
				.group = peer->group,
				.nla = peer->nla,
				.dport = peer->dport,
				.next = peer->next,
				.lead = peer->lead,
				.size = peer_size(peer),
				.end = peer->ended,
				.idle_ms = div_u64(now - peer->last_heard, NSEC_PER_MSEC),
				.losses = peer->losses,
				.naks_sent = peer->naks_sent,
				.groups_rebuilt = peer->groups_rebuilt,
				.parity_naks_sent = peer->parity_naks_sent,
				.cc_src = peer->cc.on && peer->cc.src,
				.cc_loss = min_t(u32, peer->cc.loss, 0xffff),
				.acks_sent = peer->acks_sent,
			};

			if (peer->fec) {
				pi.fec_k = peer->fec->k;
				pi.fec_proactive = peer->fec->proactive;
				pi.fec_ondemand = peer->fec->ondemand;
			}

			if (idx++ < *skip)
				continue;
			err = fill(&pi, arg);
			if (err)
				goto out;
			(*skip)++;
		}
	}
out:
	spin_unlock_bh(&rcv->lock);
	return err;
}
