// SPDX-License-Identifier: GPL-2.0
/*
 * repair.c - what a PGM source does for its receivers (RFC 3208 sections
 * 5.2, 5.3 and 13.4) and the rate limit that paces all it sends.
 *
 * NAKs from receivers are confirmed with a multicast NCF and repaired with
 * RDATA from the transmit window (source.c).  Section 5.3: the source
 * "MUST then multicast RDATA ... in response to any NAK it receives for
 * data packets within the transmit window", and MAY delay it to gather the
 * NAKs of the loss neighbourhood.  So NAKs for a sequence number repaired
 * less than PGM_RDATA_LINGER_IVL ago get their NCF at once and, all of them
 * together, one RDATA when that linger ends: a receiver whose NAK crossed
 * the RDATA is repaired, and a NAK storm still costs one RDATA per linger.
 * Every RDATA'd entry waits out its linger on src->lg (sorted by the time
 * of its RDATA, each window entry at most once, so bounded by the window);
 * the timer takes the NAKed ones to the repair queue when it ends.  An
 * SPMR is answered with an SPM at once, at most once per IHB_MIN (13.4).
 *
 * Rate control is a token bucket of PGM_TXW_MAX_RTE bytes/s counting IP
 * headers, with a burst of max(rate / 100, 4 * PGM_MAX_TPDU): every packet
 * the session sends takes its tokens first.  ODATA waits for them in
 * send() (or send() fails with EAGAIN); the fragments of one APDU leave
 * together once the bucket holds one burst, and the debt they leave delays
 * whatever comes next.  Repairs go before new data: the NCF that confirms
 * what NAKs asked for (one pending NCF gathers their sqns, 63 at most) and
 * the RDATA in the repair queue (each window entry at most once) leave as
 * soon as the tokens are there, from the NAK or from the timer, and a
 * send() leaves them the tokens of the next one; nothing goes out on debt
 * from softirq.  NCF and RDATA take turns while both wait, so that NAKs
 * cannot keep the repairs themselves waiting.  Repairs also draw from a
 * second bucket of half the rate whenever a send() is waiting for tokens
 * (or failed with EAGAIN in the last PGM_ODATA_WAIT_MS), so that NAKs,
 * genuine or spoofed, cannot take more than half the rate from new data;
 * with PGM_TXW_MAX_RTE 0 that second bucket alone bounds them, at one
 * window (TXW_SQNS * MAX_TPDU) per second.  SPMs wait for tokens in the
 * timer, but for the three final ones of close().  One NAK asks for
 * PGM_NAK_SQNS_MAX sequence numbers at most: further OPT_NAK_LIST options
 * are ignored and counted.
 *
 *
 * Locking: as source.c, everything under src->lock.
 */
#include <linux/skbuff.h>
#include <linux/math64.h>
#include <net/sock.h>

#include "source.h"

/**
 * pgm_refill - credit the token buckets with the time since the last refill
 * @src: the session, its lock held
 */
void pgm_refill(struct pgm_source *src)
	__must_hold(&src->lock)
{
	u64 now = ktime_get_ns();
	u64 dt = now - src->refill_ns;
	u32 rate = src->p.txw_max_rte, rrate = pgm_repair_rate(src);

	lockdep_assert_held(&src->lock);
	src->refill_ns = now;
	if (rate) {
		src->tokens += mul_u64_u32_div(dt, rate, NSEC_PER_SEC);
		src->tokens = min(src->tokens, pgm_burst(src, rate));
	}
	src->rtokens += mul_u64_u32_div(dt, rrate, NSEC_PER_SEC);
	src->rtokens = min(src->rtokens, pgm_burst(src, rrate));
}

/**
 * pgm_token_delay - how long until a packet may leave
 * @src: the session, its lock held
 * @cost: the packet's wire bytes (pgm_wire_len)
 * @repair: it is a repair (NCF, RDATA), which the repair bucket limits too
 *
 * Return: jiffies, at least one.
 */
unsigned long pgm_token_delay(const struct pgm_source *src, unsigned int cost, bool repair)
	__must_hold(&src->lock)
{
	u64 ns = 0;

	lockdep_assert_held(&src->lock);
	if (src->p.txw_max_rte && src->tokens < cost)
		ns = div_u64((u64)(cost - src->tokens) * NSEC_PER_SEC, src->p.txw_max_rte);
	if (repair && pgm_repair_limited(src) && src->rtokens < cost)
		ns = max(ns, div_u64((u64)(cost - src->rtokens) * NSEC_PER_SEC,
				     pgm_repair_rate(src)));
	return max_t(unsigned long, 1, nsecs_to_jiffies(ns));
}

/* Wire bytes of the RDATA of window entry @skb. */
static unsigned int pgm_rdata_cost(const struct pgm_source *src, const struct sk_buff *skb)
{
	return pgm_wire_len(src, skb->len, true);
}

/* When the linger of @cb's last RDATA ends, in jiffies. */
static unsigned long pgm_linger_end(const struct pgm_source *src,
				    const struct pgm_txw_cb *cb)
{
	return cb->rdata + pgm_usecs_to_jiffies(src->p.rdata_linger_ivl);
}

/**
 * pgm_linger_unlink - take a window entry off the linger list
 * @src: the session, its lock held (or dead: pgm_source_stop)
 * @cb: the entry, in src->lg
 */
void pgm_linger_unlink(struct pgm_source *src, struct pgm_txw_cb *cb)
	__must_hold(&src->lock)
{
	lockdep_assert(src->dead || lockdep_is_held(&src->lock));
	list_del_init(&cb->rq);
	cb->lingers = false;
	if (cb->again) {
		cb->again = false;
		src->lg_again--;
	}
}

/*
 * The lingers that ended: entries NAKed meanwhile join the repair queue
 * (their one RDATA for all those NAKs, section 5.3), the others just leave
 * the list.  Oldest first; stops at the first that still lingers.
 */
static void pgm_linger_expire(struct pgm_source *src)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (!list_empty(&src->flg))
		pgm_fec_linger_expire(src);
	while (!list_empty(&src->lg)) {
		struct pgm_txw_cb *cb = list_first_entry(&src->lg, struct pgm_txw_cb, rq);
		bool again = cb->again;

		if (time_before(jiffies, pgm_linger_end(src, cb)))
			break;
		pgm_linger_unlink(src, cb);
		if (again) {
			list_add_tail(&cb->rq, &src->rq);
			src->rq_len++;
		}
	}
}

/**
 * pgm_linger_next - when the timer must next look at the linger list
 * @src: the session, its lock held
 * @when: set to the end of the oldest linger
 *
 * Only while an entry NAKed during its linger waits for that end: the
 * others leave the list whenever it is next looked at.
 *
 * Return: false when nothing waits for a linger's end.
 */
bool pgm_linger_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (!src->lg_again)
		return false;
	*when = pgm_linger_end(src, list_first_entry(&src->lg, struct pgm_txw_cb, rq));
	return true;
}

/*
 * NCF (section 8.3), multicast: our NLAs, as the NAKs named them, and the
 * sqns NAKs asked for since the last NCF (src->ncf), the first in the
 * header and the rest in OPT_NAK_LIST.  Under src->lock; the caller made
 * sure of the tokens.
 */
static void pgm_send_ncf(struct pgm_source *src)
	__must_hold(&src->lock)
{
	bool parity = !src->ncf_n;
	unsigned int n = parity ? src->pncf_n : src->ncf_n;
	struct sk_buff *skb;

	lockdep_assert_held(&src->lock);
	if (parity)
		src->pncf_n = 0;
	else
		src->ncf_n = 0;
	skb = pgm_build_nak(src->sk->sk_family, PGM_NCF, src->sport, src->dport, src->gsi,
			    &src->nla, &src->group, parity ? src->pncf : src->ncf, n, 0, 0, NULL);
	if (!skb)
		return;
	if (parity) {
		/* Section 11.3.2: a parity NCF echoes parity requests, OPT_PARITY set. */
		((struct pgm_hdr *)skb->data)->options |= PGM_OPT_PARITY;
		pgm_set_csum(skb);
	}
	pgm_charge(src, pgm_wire_len(src, skb->len, true), true);
	if (!pgm_source_xmit(src, skb, true))
		src->st.ncf_sent++;
}

/**
 * pgm_repair_next - the repair that goes next
 * @src: the session, its lock held
 * @ncf: set: it is the pending NCF, else the RDATA at the repair queue's head
 * @cost: set to its wire bytes
 *
 * The pending NCF first (it confirms what the RDATA after it repairs), but
 * never twice in a row while RDATA waits, so that NAKs, each of which asks
 * for an NCF, cannot keep the repairs themselves waiting.
 *
 * Return: false when no repair waits.
 */
bool pgm_repair_next(const struct pgm_source *src, bool *ncf, unsigned int *cost)
	__must_hold(&src->lock)
{
	struct pgm_fec_grp *fg;

	lockdep_assert_held(&src->lock);
	if ((src->ncf_n || src->pncf_n) && !(src->rdata_turn && !list_empty(&src->rq))) {
		*ncf = true;
		*cost = pgm_wire_len(src, pgm_nak_len(src->sk->sk_family,
							  src->ncf_n ? : src->pncf_n), true);
		return true;
	}
	if (list_empty(&src->rq))
		return false;
	*ncf = false;
	fg = pgm_fec_node_grp(src, src->rq.next);
	if (fg)
		*cost = pgm_fec_grp_cost(src, fg);
	else
		*cost = pgm_rdata_cost(src, txw_skb(list_first_entry(&src->rq, struct pgm_txw_cb, rq)));
	return true;
}

/**
 * pgm_repair_pump - send the waiting repairs while the tokens allow
 * @src: the session, its lock held
 *
 * The pending NCF and the queued RDATA, oldest first: from the NAK that
 * asked (softirq), from the timer, and from a send() that waits for
 * tokens (it wakes on a high-resolution timer, the source's timer ticks).
 * With FEC, queued on-demand parity in its turn (after its group's
 * proactive parity), then due proactive parity (srcfec.c), which takes
 * tokens as ODATA does.
 */
void pgm_repair_pump(struct pgm_source *src)
	__must_hold(&src->lock)
{
	unsigned int cost;
	bool ncf;

	lockdep_assert_held(&src->lock);
	pgm_linger_expire(src);
	for (;;) {
		struct pgm_fec_grp *fg = NULL;
		struct pgm_txw_cb *cb;
		struct sk_buff *skb;

		if (!pgm_repair_next(src, &ncf, &cost))
			goto proactive;
		if (!ncf)
			fg = pgm_fec_node_grp(src, src->rq.next);
		if ((fg && pgm_fec_grp_blocked(src, fg)) || !pgm_may_send(src, cost, true))
			goto proactive;
		if (ncf) {
			pgm_send_ncf(src);
			src->rdata_turn = true;
			continue;
		}
		src->rdata_turn = false;
		if (fg) {
			pgm_fec_grp_send(src, fg);
			continue;
		}
		cb = list_first_entry(&src->rq, struct pgm_txw_cb, rq);
		skb = txw_skb(cb);
		list_del_init(&cb->rq);
		src->rq_len--;
		if (!pgm_send_entry(src, skb, true)) {
			cb->rdata = jiffies ? : 1;
			if (src->p.rdata_linger_ivl) {
				cb->lingers = true;
				list_add_tail(&cb->rq, &src->lg);
			}
			pgm_source_data_sent(src);	/* RDATA is data too (5.1.5) */
		}
		continue;
proactive:
		if (!src->pro_groups || !pgm_fec_pro_send(src))
			break;
	}
}

/**
 * pgm_repair_reserve - tokens a send() leaves to the repair that goes next
 * @src: the session, its lock held
 *
 * Repairs come before new data, within their share: the next one's cost
 * when the repair bucket would let it go.
 *
 * Return: wire bytes, 0 when no repair may go.
 */
unsigned int pgm_repair_reserve(const struct pgm_source *src)
	__must_hold(&src->lock)
{
	unsigned int cost;
	bool ncf;

	lockdep_assert_held(&src->lock);
	if (!pgm_repair_next(src, &ncf, &cost))
		return 0;
	if (pgm_repair_limited(src) && src->rtokens < cost)
		return 0;
	return cost;
}

/*
 * A NAK asks for @sqn: queue its RDATA unless it is queued already; if its
 * last RDATA left less than PGM_RDATA_LINGER_IVL ago, the RDATA goes when
 * that linger ends (pgm_linger_expire), one for all the NAKs meanwhile.
 * False if it is outside the window (nothing to confirm).  Under
 * src->lock, the ended lingers expired.
 */
bool pgm_repair(struct pgm_source *src, u32 sqn)
	__must_hold(&src->lock)
{
	struct sk_buff *skb;
	struct pgm_txw_cb *cb;

	lockdep_assert_held(&src->lock);
	if (pgm_sqn_before(sqn, src->trail) || !pgm_sqn_before(sqn, src->next_sqn))
		return false;
	skb = *txw_at(src, sqn);
	if (!skb)
		return false;
	cb = txw_cb(skb);
	if (cb->lingers) {
		/* Repaired moments ago: NCF now, RDATA at the linger's end. */
		if (cb->again) {
			src->st.naks_pending++;	/* one copy is enough */
		} else {
			cb->again = true;
			src->lg_again++;
		}
		return true;
	}
	if (!list_empty(&cb->rq)) {
		src->st.naks_pending++;	/* one copy is enough */
		return true;
	}
	list_add_tail(&cb->rq, &src->rq);
	src->rq_len++;
	return true;
}

/*
 * Count @n NAKs against the netns's nak-storm-rate: past it within one
 * second, one nak-storm event for that second.
 */
void pgm_source_nak_rate(struct pgm_source *src, u32 n)
	__must_hold(&src->lock)
{
	u32 limit = READ_ONCE(pgm_pernet(sock_net(src->sk))->nak_storm_rate);

	lockdep_assert_held(&src->lock);
	if (time_after_eq(jiffies, src->nak_second + HZ)) {
		src->nak_second = jiffies;
		src->nak_count = 0;
		src->storm_told = false;
	}
	src->nak_count += n;
	if (limit && src->nak_count > limit && !src->storm_told) {
		struct pgm_nl_event ev = { .rate = src->nak_count, .threshold = limit };

		src->storm_told = true;
		pgm_source_event(src, PGM_CMD_NAK_STORM_NTF, &ev);
	}
}

/*
 * Is @gnla, a NAK's group NLA, the session's group?  Under a unicast
 * fan-out, a receiver names the address the data came to, its own: one
 * of the fan-out's (at most PGM_POLICY_FANOUT_MAX).
 */
static bool pgm_source_group_nla(const struct pgm_source *src, const union pgm_addr *gnla)
{
	sa_family_t f = src->sk->sk_family;
	u32 i;

	if (pgm_addr_eq(f, gnla, &src->group))
		return true;
	for (i = 0; i < src->nfanout; i++)
		if (pgm_addr_eq(f, gnla, &src->fanout[i]))
			return true;
	return false;
}

/*
 * A NAK for our session (sections 5.2, 5.3, 9.3): confirm the sequence
 * numbers inside the window with one NCF and queue their RDATA, then send
 * what the tokens allow; the timer sends the rest.  Sequence numbers
 * outside the window are counted and ignored: there is nothing to send,
 * and the receiver learns from the trail of our SPMs and ODATA that they
 * are gone.
 *
 * Nor are they confirmed, even listed beside others in the window, though
 * 9.3.4 asks for an NCF with "the same NAK list as the NAK itself" (and
 * OpenPGM confirms them all): 9.3.4 goes on to demand RDATA for every
 * listed sqn, which no source can send for one it never sent (beyond the
 * lead) or no longer holds, and 5.3 bounds repairs to "data packets within
 * the transmit window".  An NCF promises that RDATA: receivers stop NAKing
 * on it (6.3) and network elements anticipate it (9.3.3), so an NCF for a
 * sqn not yet sent would hold back the NAKs of whoever then loses its
 * ODATA.  We confirm what we will repair; the NCF's header carries the
 * first of those.
 *
 * A NAK asks for PGM_NAK_SQNS_MAX sequence numbers at most: its own and
 * those of its first OPT_NAK_LIST (section 9.3 allows one list of 62);
 * further lists are counted and ignored, so that one packet never does
 * more than that much work.  Under src->lock.
 */
static void pgm_source_nak(struct pgm_source *src, struct sk_buff *skb,
			   const struct pgm_wire_info *info)
	__must_hold(&src->lock)
{
	const struct pgm_nak *nk = pgm_body(skb->data);
	sa_family_t f = src->sk->sk_family;
	const u8 *p = (const u8 *)nk + PGM_NAK_NLA_OFF;
	__be32 ok[PGM_NAK_SQNS_MAX];
	unsigned int nok = 0;
	u32 sqn = ntohl(nk->sqn);
	u64 naks = src->st.naks_received;
	u32 queued = src->rq_len;
	union pgm_addr snla, gnla;

	lockdep_assert_held(&src->lock);
	/*
	 * The NLAs are of our family (pgm_source_rcv() checked the length);
	 * the source NLA must be ours, the group NLA our group.  Ours is the
	 * NLA our SPMs carry, or the address our packets now leave from
	 * when a route change moved it (8.3: receivers name the IP source of
	 * the session's packets): any address of this netns.
	 */
	p += pgm_nla_get(f, p, &snla);
	pgm_nla_get(f, p, &gnla);
	if ((!pgm_addr_eq(f, &snla, &src->nla) &&
	     !pgm_addr_local(sock_net(src->sk), f, &snla)) ||
	    !pgm_source_group_nla(src, &gnla)) {
		src->st.malformed++;
		return;
	}
	if (((const struct pgm_hdr *)skb->data)->options & PGM_OPT_PARITY) {
		pgm_fec_nak(src, skb, info);
		return;
	}
	src->st.naks_received++;
	if (pgm_repair(src, sqn))
		ok[nok++] = htonl(sqn);
	else
		src->st.naks_ignored++;

	if (pgm_has_opt(info, PGM_OPT_NAK_LIST)) {
		const struct pgm_opt *o;
		bool listed = false;

		pgm_for_each_opt(o, skb->data, info) {
			unsigned int k;

			if (pgm_opt_type(o) != PGM_OPT_NAK_LIST)
				continue;
			if (listed) {
				src->st.nak_lists_ignored++;
				continue;
			}
			listed = true;
			for (k = 0; k < pgm_nak_list_len(o); k++) {
				u32 s = pgm_nak_list_sqn(o, k);

				src->st.naks_received++;
				if (pgm_repair(src, s))
					ok[nok++] = htonl(s);
				else
					src->st.naks_ignored++;
			}
		}
	}
	pgm_source_nak_rate(src, src->st.naks_received - naks);
	if (!nok)
		return;
	/* Confirm them in the next NCF (one NCF may hold 63 sqns); RDATA follows. */
	{
		bool full = false;
		unsigned int i, j;

		for (i = 0; i < nok; i++) {
			for (j = 0; j < src->ncf_n && src->ncf[j] != ok[i]; j++)
				;
			if (j < src->ncf_n)
				continue;	/* already to be confirmed */
			if (src->ncf_n == ARRAY_SIZE(src->ncf))
				full = true;
			else
				src->ncf[src->ncf_n++] = ok[i];
		}
		if (full)
			src->st.ncf_dropped++;
	}
	queued = src->rq_len - queued;	/* this NAK's, at the queue's tail */
	pgm_repair_pump(src);
	/* What the pump left of them waits for the timer. */
	src->st.rdata_deferred += min(queued, src->rq_len);
	pgm_source_arm(src);
}

/**
 * pgm_source_rcv - upstream packets (NAK, SPMR, ACK) for this session
 * @sk: the source socket
 * @skb: the packet at its PGM header
 * @info: what validation learnt of it
 *
 * From the input path in softirq, under rcu_read_lock().  Their ports are
 * reversed: the destination port is our data-source port (section 8.3).
 */
void pgm_source_rcv(struct sock *sk, struct sk_buff *skb,
		    const struct pgm_wire_info *info)
{
	struct pgm_source *src = rcu_dereference(pgm_sk(sk)->src);
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;

	if (!src)
		return;
	spin_lock_bh(&src->lock);
	if (src->dead || ph->dport != src->sport || ph->sport != src->dport ||
	    memcmp(ph->gsi, src->gsi, PGM_GSI_LEN))
		goto out;
	pgm_refill(src);
	pgm_linger_expire(src);
	switch (info->type) {
	case PGM_NAK:
		if (info->hdr_len == pgm_nak_hlen(src->sk->sk_family)) {
			/* PGMCC: its feedback first, so that RDATA names the acker it makes. */
			pgm_cc_src_feedback(src, skb, info);
			pgm_source_nak(src, skb, info);
		} else {
			src->st.malformed++;	/* the other family's NLAs: not ours */
		}
		break;
	case PGM_ACK:
		/*
		 * PGMCC (draft section 2.1.3) and confirmed delivery
		 * (OPT_CONFIRM); a source with neither ignores them.
		 */
		if (src->cc.on || src->cf.on) {
			pgm_cc_src_feedback(src, skb, info);
			pgm_confirm_src_ack(src, skb, info);
			pgm_source_arm(src);
		}
		break;
	case PGM_SPMR:
		/*
		 * Section 13.4: answer an SPMR with an SPM at once, at most
		 * once per IHB_MIN: many receivers asking at the same moment
		 * get one SPM.  Without tokens the SPM waits for the timer.
		 */
		src->st.spmr_received++;
		if (!src->spmr_answered ||
		    time_after_eq(jiffies, src->spmr_answered +
				  pgm_usecs_to_jiffies(src->p.ihb_min))) {
			src->spmr_answered = jiffies ? : 1;
			pgm_send_spm(src, false);
			if (src->spm_pending)
				pgm_source_arm(src);
		}
		break;
	default:
		break;
	}
out:
	spin_unlock_bh(&src->lock);
}

