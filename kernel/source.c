// SPDX-License-Identifier: GPL-2.0
/*
 * source.c - the PGM source (RFC 3208 section 5).
 *
 * connect() starts a session (pgm_source_start); send() turns each APDU
 * into one ODATA, or several with OPT_FRAGMENT when it does not fit
 * PGM_MAX_TPDU, keeps them in the transmit window and multicasts them.  A
 * timer sends ambient SPMs (section 5.1.4) and, after ODATA or RDATA,
 * heartbeat SPMs from IHB_MIN doubling to IHB_MAX and repeating at IHB_MAX
 * until the next data (5.1.5).  What receivers send back (NAKs, SPMRs),
 * the repairs and the rate limit that paces everything the session sends
 * are in repair.c.
 *
 * Memory: the window's packets are charged to the sender's memory cgroup
 * (GFP_KERNEL_ACCOUNT) and to sk_wmem_queued, and bounded by SO_SNDBUF:
 * the trail advances when a new APDU would take the window past it, as it
 * does for PGM_TXW_BYTES.  A socket that did not set SO_SNDBUF gets one
 * that fits its window, up to PGM_SNDBUF_AUTO_MAX (pgm_source_start).
 *
 * Locking: all session state is under src->lock (BH-safe: NAKs arrive in
 * softirq, the timer runs in softirq).  Packets are sent with the lock held,
 * which keeps sequence numbers in order on the wire; nothing below
 * ip_local_out() comes back into this file synchronously.  ps->src is
 * published with RCU: the input path dereferences it under rcu_read_lock()
 * and checks src->dead under the lock; close() marks it dead, stops the
 * timer and frees it after a grace period.  Entries enter and leave the
 * window only in send() and close(), under the socket lock as well, which
 * is what serialises sk_wmem_queued (a plain add).
 */
#include <linux/errqueue.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/math64.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/checksum.h>

#include "source.h"

/*
 * The most options an ODATA carries: OPT_LENGTH, FRAGMENT, SYN, JOIN; and
 * OPT_PGMCC_DATA with PGMCC (pgm_cc_src_optlen).
 */
#define PGM_ODATA_OPTS_MAX	(PGM_OPT_LENGTH_LEN + PGM_OPT_FRAGMENT_LEN + \
				 PGM_OPT_FLAG_LEN + PGM_OPT_JOIN_LEN)

/*
 * Window packets come from the sending process: charged to its memory
 * cgroup, and a send() that would pass the cgroup's limit fails with
 * ENOBUFS instead of invoking its OOM killer.
 */
#define PGM_TXW_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * OPT_JOIN (section 9.4): how far back a receiver that hears the session
 * first now may repair; false when it may not (it starts at the first
 * packet it hears, section 9.4's default).  While the session is opening
 * (its first PGM_JOIN_OPENING sqns or its first PGM_JOIN_OPENING_MS), the
 * session's first sqn: a receiver present at the start that lost, or heard
 * reordered, the opening SPM and ODATA still starts at the beginning (and
 * reports as lost what the window no longer holds), and one that joins then
 * repairs no more than the opening sent.  Afterwards the newest
 * PGM_LATE_JOIN percent of what the window holds (MS-PGM's late-joiner
 * percentage; 0 by default: none, so a receiver restarted on a busy
 * session does not make the source replay its window to everyone).
 */
static bool pgm_join_offer(const struct pgm_source *src, u32 *min)
	__must_hold(&src->lock)
{
	u32 held = src->next_sqn - src->trail;
	u32 back = div_u64((u64)held * src->p.late_join, 100);

	lockdep_assert_held(&src->lock);
	if (src->next_sqn - src->first <= PGM_JOIN_OPENING ||
	    time_before(jiffies, src->started + msecs_to_jiffies(PGM_JOIN_OPENING_MS))) {
		*min = src->first;
		return true;
	}
	if (!back)
		return false;
	*min = src->next_sqn - back;
	return true;
}

/**
 * pgm_source_event - an event about this session for the netlink group
 * @src: the session, its lock held
 * @cmd: PGM_CMD_*_NTF
 * @ev: the event's own fields; the session's are filled in here
 */
void pgm_source_event(struct pgm_source *src, u8 cmd, struct pgm_nl_event *ev)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	ev->cmd = cmd;
	ev->role = PGM_ROLE_SOURCE;
	memcpy(ev->tsi.gsi, src->gsi, PGM_GSI_LEN);
	ev->tsi.sport = src->sport;
	ev->source = src->nla;
	ev->group = src->group;
	ev->port = src->dport;
	pgm_nl_event(src->sk, ev);
}

/* The size of the SPM pgm_send_spm() would build now, and its options. */
static unsigned int pgm_spm_optlen(const struct pgm_source *src)
	__must_hold(&src->lock)
{
	u32 min;
	bool join = pgm_join_offer(src, &min);

	lockdep_assert_held(&src->lock);
	if (!src->end && !join && !src->fec.k)
		return 0;
	return PGM_OPT_LENGTH_LEN + pgm_fec_spm_optlen(src) +
	       (src->end ? PGM_OPT_FLAG_LEN : 0) + (join ? PGM_OPT_JOIN_LEN : 0);
}

/**
 * pgm_send_spm - build and multicast an SPM (section 8.1)
 * @src: the session, its lock held
 * @force: send even without tokens (the final SPMs of close())
 *
 * With OPT_JOIN when pgm_join_offer() offers repairs to late joiners, and
 * OPT_FIN or OPT_RST at the end.  Without tokens it waits for the timer
 * (one pending SPM, built when it leaves).
 */
void pgm_send_spm(struct pgm_source *src, bool force)
	__must_hold(&src->lock)
{
	u32 join_min = 0;
	bool join = pgm_join_offer(src, &join_min);
	unsigned int optlen = pgm_spm_optlen(src);
	unsigned int hlen = pgm_spm_hlen(src->sk->sk_family);
	unsigned int cost = pgm_wire_len(src, hlen + optlen, true);
	struct pgm_opt_join *oj;
	struct sk_buff *skb;
	struct pgm_spm *spm;
	struct pgm_optw ow;

	lockdep_assert_held(&src->lock);
	if (!force && !pgm_may_send(src, cost, false)) {
		if (!src->spm_pending)
			src->st.spm_deferred++;
		src->spm_pending = true;
		return;
	}
	src->spm_pending = false;
	skb = pgm_alloc_pkt(hlen + optlen, GFP_ATOMIC);
	if (!skb)
		return;
	/* OPT_PARITY_PRM is network-significant (section 11.8.1). */
	pgm_fill_hdr(skb, src->sport, src->dport, PGM_SPM,
		     (optlen ? PGM_OPT_PRESENT : 0) | (src->fec.k ? PGM_OPT_NETWORK : 0),
		     src->gsi, 0);
	spm = skb_put(skb, hlen - PGM_HDR_LEN);
	spm->sqn = htonl(src->spm_sqn++);
	spm->trail = htonl(src->trail);
	spm->lead = htonl(src->next_sqn - 1);	/* trail - 1 when empty */
	pgm_nla_put(src->sk->sk_family, (u8 *)spm + PGM_SPM_NLA_OFF, &src->nla);
	if (optlen) {
		pgm_optw_init(&ow, skb_put(skb, optlen));
		/* FEC's first, in every SPM (section 11.4). */
		pgm_fec_spm_opt(src, &ow);
		if (join) {
			oj = (void *)pgm_optw_add(&ow, PGM_OPT_JOIN, PGM_OPT_JOIN_LEN);
			oj->sqn = htonl(join_min);
		}
		if (src->end)
			pgm_optw_add(&ow, src->end, PGM_OPT_FLAG_LEN);
		pgm_optw_finish(&ow);
	}
	pgm_set_csum(skb);
	pgm_charge(src, cost, false);
	if (!pgm_source_xmit(src, skb, true))
		src->st.spm_sent++;
}

/**
 * pgm_source_arm - arm the session's timer for its next deadline
 * @src: the session, its lock held
 *
 * The earliest of the heartbeat and ambient deadlines, the end of a linger
 * that a NAK waits for, and, when a repair or an SPM waits, the moment its
 * tokens are there.
 */
void pgm_source_arm(struct pgm_source *src)
	__must_hold(&src->lock)
{
	unsigned long when = src->next_ambient, t_linger;
	unsigned int cost;
	bool ncf;

	lockdep_assert_held(&src->lock);
	if (src->hb_ivl && time_before(src->next_hb, when))
		when = src->next_hb;
	if (pgm_repair_next(src, &ncf, &cost)) {
		unsigned long t = jiffies + pgm_token_delay(src, cost, true);

		if (time_before(t, when))
			when = t;
	}
	if (pgm_linger_next(src, &t_linger) && time_before(t_linger, when))
		when = t_linger;
	if (pgm_fec_linger_next(src, &t_linger) && time_before(t_linger, when))
		when = t_linger;
	if (pgm_cc_src_next(src, &t_linger) && time_before(t_linger, when))
		when = t_linger;
	if (pgm_confirm_src_next(src, &t_linger) && time_before(t_linger, when))
		when = t_linger;
	if (pgm_fec_pro_next(src, &cost)) {
		unsigned long t = jiffies + pgm_token_delay(src, cost, false);

		if (time_before(t, when))
			when = t;
	}
	if (src->spm_pending) {
		unsigned int cost = pgm_wire_len(src, pgm_spm_hlen(src->sk->sk_family) +
						 pgm_spm_optlen(src), true);
		unsigned long t = jiffies + pgm_token_delay(src, cost, false);

		if (time_before(t, when))
			when = t;
	}
	mod_timer(&src->timer, when);
}

/**
 * pgm_source_wake - wake the socket's waiters (send()s, pollers) for @events
 * @src: the session, its lock held
 * @events: what they may now find (EPOLLOUT: a PGMCC token or room in the
 *	window; EPOLLPRI: confirmed delivery's CONFIRMED moved)
 */
void pgm_source_wake(struct pgm_source *src, __poll_t events)
	__must_hold(&src->lock)
{
	struct sock *sk = src->sk;
	struct socket_wq *wq;

	lockdep_assert_held(&src->lock);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, events);
	sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * pgm_source_data_sent - ODATA or RDATA left: heartbeats restart at IHB_MIN
 * @src: the session, its lock held
 *
 * Section 5.1.5.
 */
void pgm_source_data_sent(struct pgm_source *src)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	src->hb_ivl = src->p.ihb_min;
	src->next_hb = jiffies + pgm_usecs_to_jiffies(src->p.ihb_min);
	pgm_source_arm(src);
}

/*
 * An RDATA copy of a window entry built with OPT_JOIN: the offer it made
 * when it was ODATA is stale, and a late joiner that hears the RDATA first
 * takes what it says, so it names today's (or the RDATA's own sqn, which
 * offers nothing before it).  Our own packet: OPT_LENGTH first, each
 * option's length checked when built.  Its checksum is updated for the
 * change.
 */
static void pgm_rdata_join(struct pgm_source *src, struct sk_buff *skb)
	__must_hold(&src->lock)
{
	struct pgm_hdr *ph = (struct pgm_hdr *)skb->data;
	struct pgm_data *dh = pgm_body(ph);
	struct pgm_opt_join *oj = (void *)pgm_own_opt(skb, PGM_OPT_JOIN);
	__be32 old;
	u32 min;

	lockdep_assert_held(&src->lock);
	if (!oj)
		return;
	old = oj->sqn;
	if (!pgm_join_offer(src, &min))
		min = ntohl(dh->sqn);
	oj->sqn = htonl(min);
	pgm_csum_replace(ph, (__force __wsum)old, (__force __wsum)oj->sqn);
}

/**
 * pgm_send_entry - send a transmit window entry as ODATA or RDATA
 * @src: the session, its lock held
 * @orig: the window's packet
 * @rdata: as RDATA (a repair), else as ODATA
 *
 * ODATA goes out as a clone: the window's copy is final, its checksum set
 * by pgm_txw_send() (pgm_source_sendmsg released its headroom, so the IP
 * layer may write there), which spares a copy of every packet.  Nothing
 * below writes the shared data: the packet leaves with CHECKSUM_NONE, its
 * checksum complete.  RDATA changes the type, the trail and OPT_JOIN, so
 * it gets a copy of its own, its checksum updated for those fields
 * (RFC 1624), not summed again.  The caller made sure of the tokens,
 * which this takes.
 *
 * Return: 0, or a negative errno when it could not leave.
 */
int pgm_send_entry(struct pgm_source *src, struct sk_buff *orig, bool rdata)
	__must_hold(&src->lock)
{
	struct sk_buff *skb;
	struct pgm_hdr *ph;
	unsigned int len;

	lockdep_assert_held(&src->lock);
	if (!rdata) {
		skb = skb_clone(orig, GFP_ATOMIC);
		if (!skb)
			return -ENOMEM;
	} else {
		struct pgm_data *dh;
		__be16 old;

		skb = skb_copy_expand(orig, PGM_HEADROOM, 0, GFP_ATOMIC);
		if (!skb)
			return -ENOMEM;
		skb_reset_transport_header(skb);
		ph = (struct pgm_hdr *)skb->data;
		dh = pgm_body(ph);
		/* The type shares its 16 bits with the options byte. */
		old = *(__be16 *)&ph->type;
		ph->type = PGM_RDATA;
		pgm_csum_replace(ph, (__force __wsum)(u32)(__force u16)old,
				 (__force __wsum)(u32)(__force u16)*(__be16 *)&ph->type);
		pgm_csum_replace(ph, (__force __wsum)dh->trail,
				 (__force __wsum)htonl(src->trail));
		dh->trail = htonl(src->trail);
		pgm_rdata_join(src, skb);
		if (src->cc.on)
			pgm_cc_src_rdata(src, skb);
	}
	len = skb->len;
	pgm_charge(src, pgm_wire_len(src, len, rdata), rdata);
	if (pgm_source_xmit(src, skb, rdata))
		return -ENOBUFS;
	if (rdata) {
		src->st.rdata_sent++;
		src->st.rdata_bytes_sent += len;
	} else {
		src->st.odata_sent++;
	}
	return 0;
}

static void pgm_source_timer(struct timer_list *t)
{
	struct pgm_source *src = from_timer(src, t, timer);
	unsigned long now = jiffies;
	bool sent = false;

	spin_lock_bh(&src->lock);
	if (src->dead)
		goto out;
	pgm_refill(src);
	pgm_repair_pump(src);
	pgm_cc_src_timer(src);
	pgm_confirm_src_timer(src);
	if (src->hb_ivl && time_after_eq(now, src->next_hb)) {
		pgm_send_spm(src, false);
		sent = true;
		/* Doubling up to IHB_MAX, and on at IHB_MAX until data. */
		src->hb_ivl = min(src->hb_ivl * 2, src->p.ihb_max);
		src->next_hb = now + pgm_usecs_to_jiffies(src->hb_ivl);
	}
	if (time_after_eq(now, src->next_ambient)) {
		if (!sent)
			pgm_send_spm(src, false);
		sent = true;
		src->next_ambient = now + pgm_usecs_to_jiffies(src->p.spm_ambient_ivl);
	}
	if (!sent && src->spm_pending)
		pgm_send_spm(src, false);
	pgm_source_arm(src);
out:
	spin_unlock_bh(&src->lock);
}

/*
 * Keep @skb, a window packet the trail passed or one built for a send()
 * that did not go, for a later ODATA instead of freeing it: when nobody
 * else holds it or its data, PGM_TXW_SPARE and PGM_TXW_SPARE_MEM allow,
 * and SO_SNDBUF has room for it beside the window and @reserve bytes of
 * packets about to join it.  @skb is not in sk_wmem_queued; a spare is,
 * and in txw_mem.
 *
 * The window frees its packets first in, first out, thousands of packets
 * after it allocated them, so every ODATA took cold slab objects (zeroed
 * again under init_on_alloc) and every few packets a fresh slab page; a
 * reused buffer takes neither.  Safe because a window packet never goes
 * down the stack itself: what leaves is a clone or a copy
 * (pgm_send_entry), whose own sk_buff carries the route, the socket and
 * netfilter's state.  The clone shares only the data and skb_shared_info,
 * and once the last clone is freed (!skb_cloned) they are the window's
 * alone.  A clone still held (a receiver on this host over multicast
 * loopback, a device queue) means the packet is freed as before.
 */
static void pgm_txw_spare_put(struct pgm_source *src, struct sk_buff *skb, u64 reserve)
	__must_hold(&src->lock)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	lockdep_assert_held(&src->lock);
	if (src->nspare == PGM_TXW_SPARE || src->dead || src->room >= skb_end_offset(skb) ||
	    src->spare_mem + skb->truesize > PGM_TXW_SPARE_MEM ||
	    src->mem + src->spare_mem + skb->truesize + reserve > READ_ONCE(src->sk->sk_sndbuf) ||
	    skb_shared(skb) || skb_cloned(skb) || skb_is_nonlinear(skb) || skb->destructor) {
		consume_skb(skb);
		return;
	}
	/*
	 * No clone is left, and none can come but through @skb, which is
	 * ours: the writes below come after the clones' last use of the
	 * data (their release's atomic, read above).
	 */
	smp_acquire__after_ctrl_dep();
	/* As alloc_skb() and pgm_alloc_pkt() left it. */
	memset(shinfo, 0, offsetof(struct skb_shared_info, dataref));
	atomic_set(&shinfo->dataref, 1);
	skb->cloned = 0;
	skb->nohdr = 0;
	skb->data = skb->head + src->room;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb_reset_transport_header(skb);
	src->spare[src->nspare++] = skb;
	src->spare_mem += skb->truesize;
	sk_wmem_queued_add(src->sk, skb->truesize);
}

/*
 * A spare packet (pgm_txw_spare_put), out of sk_wmem_queued; NULL: none.
 * Under src->lock, or once the session is dead (pgm_source_end).
 */
static struct sk_buff *pgm_txw_spare_get(struct pgm_source *src)
{
	struct sk_buff *skb;

	lockdep_assert(src->dead || lockdep_is_held(&src->lock));
	if (!src->nspare)
		return NULL;
	skb = src->spare[--src->nspare];
	src->spare_mem -= skb->truesize;
	sk_wmem_queued_add(src->sk, -(int)skb->truesize);
	return skb;
}

/*
 * Take the entry at the trail out of the window: its packet, out of the
 * window's accounting, or NULL.  Under src->lock, or once the session is
 * dead (pgm_source_stop).
 */
static struct sk_buff *pgm_txw_take_trail(struct pgm_source *src)
{
	struct sk_buff **slot = txw_at(src, src->trail);
	struct sk_buff *skb = *slot;

	lockdep_assert(src->dead || lockdep_is_held(&src->lock));
	*slot = NULL;
	pgm_fec_trail_passed(src, src->trail);
	src->trail++;
	if (!skb)
		return NULL;
	if (txw_cb(skb)->lingers) {
		pgm_linger_unlink(src, txw_cb(skb));
	} else if (!list_empty(&txw_cb(skb)->rq)) {
		list_del(&txw_cb(skb)->rq);
		src->rq_len--;
		src->st.rdata_unsent++;
	}
	src->held -= txw_cb(skb)->tsdu;
	src->mem -= skb->truesize;
	sk_wmem_queued_add(src->sk, -(int)skb->truesize);
	return skb;
}

/*
 * Make room for @room sqns holding @bytes of TSDU in @mem bytes of memory:
 * drop entries beyond the window's size in sqns, in memory (SO_SNDBUF), in
 * bytes (PGM_TXW_BYTES), or older than PGM_TXW_SECS_MS when those are set:
 * the trail advances (section 3.3).  With PGM_CONFIRM_FLOW it stops at
 * what the slowest live receiver still needs (S8 of
 * docs/confirmed-delivery.md); pgm_txw_fits() said the room is there.
 */
static void pgm_txw_advance(struct pgm_source *src, u32 room, u64 bytes, u64 mem)
	__must_hold(&src->lock)
{
	unsigned long max_age = src->p.txw_secs_ms ?
		msecs_to_jiffies(src->p.txw_secs_ms) : 0;
	u64 sndbuf = READ_ONCE(src->sk->sk_sndbuf);
	u32 stop = src->next_sqn;

	lockdep_assert_held(&src->lock);
	/* Spares go before packets a repair may still need. */
	while (src->nspare && src->mem + src->spare_mem + mem > sndbuf)
		consume_skb(pgm_txw_spare_get(src));
	if (pgm_confirm_src_limit(src, &stop) && pgm_sqn_before(src->next_sqn, stop))
		stop = src->next_sqn;
	while (src->trail != stop) {
		struct sk_buff *skb = *txw_at(src, src->trail);
		u32 held = src->next_sqn - src->trail;

		if (held + room <= src->size && src->mem + mem <= sndbuf &&
		    (!src->p.txw_bytes || src->held + bytes <= src->p.txw_bytes) &&
		    (!max_age || !skb || time_before(jiffies, txw_cb(skb)->sent + max_age)))
			break;
		skb = pgm_txw_take_trail(src);
		if (skb)
			pgm_txw_spare_put(src, skb, mem);
	}
	pgm_confirm_src_trail(src);
}

/*
 * Flow control (PGM_CONFIRM_FLOW, S8): is there room for @room sqns holding
 * @bytes of TSDU in @mem bytes without the trail passing what the slowest
 * live receiver confirmed?  Walks at most the entries the send would drop.
 */
static bool pgm_txw_fits(struct pgm_source *src, u32 room, u64 bytes, u64 mem)
	__must_hold(&src->lock)
{
	u64 sndbuf = READ_ONCE(src->sk->sk_sndbuf), held_b = src->held, held_m = src->mem;
	u32 stop, t = src->trail;

	lockdep_assert_held(&src->lock);
	if (!pgm_confirm_src_limit(src, &stop))
		return true;
	for (;;) {
		struct sk_buff *skb;

		if (src->next_sqn - t + room <= src->size && held_m + mem <= sndbuf &&
		    (!src->p.txw_bytes || held_b + bytes <= src->p.txw_bytes))
			return true;
		if (t == stop || t == src->next_sqn)
			return false;
		skb = *txw_at(src, t);
		if (skb) {
			held_b -= txw_cb(skb)->tsdu;
			held_m -= skb->truesize;
		}
		t++;
	}
}

/*
 * What one window entry of a packet of @tpdu bytes costs in memory at most
 * (skb truesize: the kmalloc bucket of its data and the sk_buff).
 */
static u64 pgm_txw_entry_mem(u32 tpdu)
{
	size_t data = SKB_DATA_ALIGN(PGM_HEADROOM + tpdu) +
		      SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	return kmalloc_size_roundup(data) + SKB_DATA_ALIGN(sizeof(struct sk_buff));
}

/*
 * SO_SNDBUF bounds the window's memory.  A socket that did not set it gets
 * one that holds the whole window (TXW_SQNS packets of MAX_TPDU) and the
 * packets kept for reuse (PGM_TXW_SPARE_MEM), up to PGM_SNDBUF_AUTO_MAX
 * and never below what it has (net.core.wmem_default), as TCP grows an
 * unset send buffer up to tcp_wmem[2].  Under the socket lock.
 */
static void pgm_source_sndbuf(struct sock *sk, const struct pgm_params *p)
{
	u64 want;

	sock_owned_by_me(sk);
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return;
	want = min_t(u64, (u64)p->txw_sqns * pgm_txw_entry_mem(p->max_tpdu) +
		     PGM_TXW_SPARE_MEM, PGM_SNDBUF_AUTO_MAX);
	if (want > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/*
 * The path NLA of our SPMs is the address we send from to our group:
 * sets @nla and @group.
 */
static int pgm_source_addrs(struct sock *sk, union pgm_addr *nla, union pgm_addr *group)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 fl4;
	struct rtable *rt;
	int oif, err;

	if (sk->sk_family == AF_INET6) {
		memset(nla, 0, sizeof(*nla));
		group->in6 = sk->sk_v6_daddr;
		err = pgm6_route_saddr(sk, &group->in6, &nla->in6);
		if (err)
			return err;
		/* Without an address receivers could reach, nobody could NAK. */
		return pgm_addr_unicast(AF_INET6, nla) ? 0 : -EADDRNOTAVAIL;
	}
	oif = sk->sk_bound_dev_if ? : inet->mc_index;
	flowi4_init_output(&fl4, oif, sk->sk_mark, RT_TOS(inet->tos),
			   RT_SCOPE_UNIVERSE, IPPROTO_PGM, inet_sk_flowi_flags(sk),
			   inet->inet_daddr, inet->inet_saddr ? : inet->mc_addr,
			   0, 0, sock_net_uid(sock_net(sk), sk));
	rt = ip_route_output_flow(sock_net(sk), &fl4, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	ip_rt_put(rt);
	/* Without an address receivers could reach, nobody could NAK. */
	if (!fl4.saddr)
		return -EADDRNOTAVAIL;
	pgm_addr_set_v4(nla, fl4.saddr);
	pgm_addr_set_v4(group, inet->inet_daddr);
	return 0;
}

/**
 * pgm_source_start - connect(): start a session and announce it with an SPM
 * @sk: the socket, locked, its group and ports set
 *
 * Return: 0, -EADDRNOTAVAIL without an address receivers could NAK to, or
 * a routing error or -ENOMEM.
 */
int pgm_source_start(struct sock *sk)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	union pgm_addr nla, group;
	struct pgm_source *src;
	int err;

	err = pgm_source_addrs(sk, &nla, &group);
	if (err)
		return err;

	src = kzalloc(sizeof(*src), GFP_KERNEL_ACCOUNT);
	if (!src)
		return -ENOMEM;
	src->p = ps->params;
	src->own_rte = src->p.txw_max_rte;
	src->size = src->p.txw_sqns;
	src->mask = pgm_txw_slots(src->size) - 1;
	src->txw = kvcalloc(src->mask + 1, sizeof(*src->txw), GFP_KERNEL_ACCOUNT);
	if (!src->txw) {
		kfree(src);
		return -ENOMEM;
	}
	if (pgm_fec_start(src, &ps->fec)) {
		kvfree(src->txw);
		kfree(src);
		return -ENOMEM;
	}
	if (pgm_confirm_src_start(src, ps)) {
		pgm_fec_free(src);
		kvfree(src->txw);
		kfree(src);
		return -ENOMEM;
	}
	spin_lock_init(&src->lock);
	src->sk = sk;
	pgm_cc_src_start(src, ps->pgmcc);
	INIT_LIST_HEAD(&src->rq);
	INIT_LIST_HEAD(&src->lg);
	src->nla = nla;
	src->group = group;
	/* A logical group standing for unicast receivers (the netns's policy). */
	src->fanout = pgm_policy_fanout(sk, &group, &src->nfanout);
	src->sport = inet->inet_sport;
	src->dport = inet->inet_dport;
	memcpy(src->gsi, ps->gsi, PGM_GSI_LEN);
	/* Section 3.2: the first sequence number is arbitrary. */
	src->next_sqn = get_random_u32();
	src->trail = src->next_sqn;
	src->first = src->next_sqn;
	src->started = jiffies;
	/*
	 * Any first SPM sequence number is RFC-correct (8.1 asks only that
	 * they increase).  OpenPGM receivers compare the first one they see
	 * with 0 in serial arithmetic and discard it as a duplicate when it is
	 * 2^31 or more "behind" 0, so they would never learn our NLA and never
	 * NAK: we start in [0, 2^30), which leaves 2^30 SPMs for late joiners.
	 * See COMPATIBILITY in pgm(7).
	 */
	src->spm_sqn = get_random_u32() >> 2;
	src->refill_ns = ktime_get_ns();
	src->room = PGM_HEADROOM;	/* until the first packet finds the route */
	src->tokens = 4 * src->p.max_tpdu;
	src->rtokens = src->tokens;
	src->odata_short = jiffies - 2 * msecs_to_jiffies(PGM_ODATA_WAIT_MS);
	timer_setup(&src->timer, pgm_source_timer, 0);
	pgm_source_sndbuf(sk, &src->p);

	src->nak_second = jiffies;
	src->rl_told = jiffies - HZ;

	spin_lock_bh(&src->lock);
	/* Announce the session: an SPM now, then ambient SPMs. */
	pgm_send_spm(src, false);
	src->next_ambient = jiffies + pgm_usecs_to_jiffies(src->p.spm_ambient_ivl);
	pgm_source_arm(src);
	{
		struct pgm_nl_event ev = { .first = src->first };

		pgm_source_event(src, PGM_CMD_SESSION_START_NTF, &ev);
	}
	spin_unlock_bh(&src->lock);

	rcu_assign_pointer(ps->src, src);
	return 0;
}

/**
 * pgm_source_xmit - send a downstream packet of the session to its group
 * @src: the session, its lock held
 * @skb: the packet (ODATA, RDATA, SPM, NCF, parity), consumed
 * @ra: with the Router Alert option (to a group)
 *
 * With a unicast fan-out (the netns's policy maps the group to unicast
 * receivers), a copy goes to each receiver instead: copies of the
 * headers, the payload shared, as each gets IP headers of its own.
 *
 * Return: 0 if any copy left, else the last error.
 */
int pgm_source_xmit(struct pgm_source *src, struct sk_buff *skb, bool ra)
	__must_hold(&src->lock)
{
	int err = 0, ok = 0;
	u32 i;

	lockdep_assert_held(&src->lock);
	if (!src->nfanout) {
		err = pgm_xmit(src->sk, skb, &src->group, ra, &src->route);
		/* The next ODATA's headroom: what this route's headers take. */
		if (src->route.dst && src->route.headroom != src->room)
			WRITE_ONCE(src->room, src->route.headroom);
		return err;
	}
	for (i = 0; i < src->nfanout; i++) {
		struct sk_buff *c = i + 1 < src->nfanout ? pskb_copy(skb, GFP_ATOMIC) : skb;

		if (!c) {
			err = -ENOBUFS;
			continue;
		}
		err = pgm_xmit(src->sk, c, &src->fanout[i], false, NULL);
		ok |= !err;
	}
	return ok ? 0 : err;
}

/* The smaller of two rates, 0 being no limit. */
static u32 pgm_rate_min(u32 a, u32 b)
{
	return !a ? b : !b ? a : min(a, b);
}

/*
 * Tell the application its allowed rate moved (PGM_RATE_CHANGE on the
 * error queue): one record at most, a newer one replacing it and keeping
 * its old rate.
 */
static void pgm_source_rate_note(struct pgm_source *src, u32 old, u32 new)
	__must_hold(&src->lock)
{
	struct sk_buff_head *q = &src->sk->sk_error_queue;
	struct sk_buff *skb, *p, *tmp, *gone = NULL;
	struct pgm_rate_change *rec;
	struct sock_exterr_skb *serr;
	unsigned long flags;

	lockdep_assert_held(&src->lock);
	skb = alloc_skb(sizeof(*rec), GFP_ATOMIC);
	if (!skb)
		return;
	rec = skb_put(skb, sizeof(*rec));
	rec->old_rate = old;
	rec->new_rate = new;
	rec->policy_rate = src->policy_rate;
	spin_lock_irqsave(&q->lock, flags);
	skb_queue_walk_safe(q, p, tmp) {
		if (SKB_EXT_ERR(p)->ee.ee_type == PGM_RATE_CHANGE) {
			rec->old_rate = ((struct pgm_rate_change *)p->data)->old_rate;
			__skb_unlink(p, q);
			gone = p;
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	kfree_skb(gone);
	serr = SKB_EXT_ERR(skb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_origin = SO_EE_ORIGIN_LOCAL;
	serr->ee.ee_type = PGM_RATE_CHANGE;
	serr->ee.ee_info = new;
	serr->ee.ee_data = rec->old_rate;
	if (sock_queue_err_skb(src->sk, skb))
		kfree_skb(skb);
}

/*
 * Set the rate the session sends at, the smaller of its own and the
 * policy's; @note: tell the application when it moved by more than 1/16.
 */
static void pgm_source_apply_rate(struct pgm_source *src, bool note)
	__must_hold(&src->lock)
{
	u32 old = src->p.txw_max_rte, new = pgm_rate_min(src->own_rte, src->policy_rate);

	lockdep_assert_held(&src->lock);
	if (new == old)
		return;
	pgm_refill(src);	/* the time so far at the old rate */
	src->p.txw_max_rte = new;
	/* A lower rate has a shallower bucket. */
	if (new)
		src->tokens = min(src->tokens, pgm_burst(src, new));
	src->rtokens = min(src->rtokens, pgm_burst(src, pgm_repair_rate(src)));
	if (note && (!old || !new || abs((s64)new - old) > old / 16))
		pgm_source_rate_note(src, old, new);
	/* More tokens may come sooner: let a waiting send() look again. */
	if (!old || (new && new > old))
		src->sk->sk_write_space(src->sk);
}

/**
 * pgm_source_usage - what the policy's shares need to know of a session
 * @src: the session
 * @u: filled in; @u->sent is the wire bytes since the last call, over @ns
 * @ns: set to the time since the last call, ns
 *
 * Context: any, under RCU (the share work walks sockets).
 * Return: false when the session is ending.
 */
bool pgm_source_usage(struct pgm_source *src, struct pgm_source_usage *u, u64 *ns)
{
	u64 now = ktime_get_ns();
	bool ok;

	spin_lock_bh(&src->lock);
	ok = !src->dead && !src->end;
	if (ok) {
		u->own = src->own_rte;
		u->rule_cap = src->policy_rule_cap;
		u->allowed = src->p.txw_max_rte;
		u->exempt = src->policy_exempt;
		u->sent = src->wire_sent - src->share_sent;
		*ns = src->share_ns ? now - src->share_ns : 0;
		if (*ns) {
			u64 rate = div64_u64(u->sent * NSEC_PER_SEC, *ns);

			/* The first look starts the average at its rate. */
			src->share_avg = src->share_avg ? src->share_avg - src->share_avg / 8 + rate / 8 :
							  rate;
		}
		u->avg = src->share_avg;
		src->share_sent = src->wire_sent;
		src->share_ns = now;
	}
	spin_unlock_bh(&src->lock);
	return ok;
}

/**
 * pgm_source_policy_rate - the policy's limits of a session
 * @src: the session
 * @rule_cap: its rule's rate-cap, bytes/s (0: none)
 * @exempt: its rule keeps it out of the policy's rate-cap
 * @share: its share of the policy's rate-cap (0: none; PGM_SHARE_KEEP: as it is)
 *
 * Context: any.
 */
void pgm_source_policy_rate(struct pgm_source *src, u32 rule_cap, bool exempt, u32 share)
{
	spin_lock_bh(&src->lock);
	if (!src->dead) {
		if (share != PGM_SHARE_KEEP)
			src->policy_share = share;
		src->policy_rule_cap = rule_cap;
		src->policy_exempt = exempt;
		src->policy_rate = pgm_rate_min(rule_cap, exempt ? 0 : src->policy_share);
		pgm_source_apply_rate(src, true);
	}
	spin_unlock_bh(&src->lock);
}

/**
 * pgm_source_params_changed - a session takes new tunables at once
 * @sk: the socket, locked
 *
 * Those that may change during a session: the rate, the SPM intervals,
 * the RDATA linger.
 */
void pgm_source_params_changed(struct sock *sk)
{
	struct pgm_source *src = pgm_src_get(sk);
	const struct pgm_params *p = &pgm_sk(sk)->params;

	if (!src)
		return;
	spin_lock_bh(&src->lock);
	src->own_rte = p->txw_max_rte;
	src->p.spm_ambient_ivl = p->spm_ambient_ivl;
	src->p.ihb_min = p->ihb_min;
	src->p.ihb_max = p->ihb_max;
	src->p.rdata_linger_ivl = p->rdata_linger_ivl;
	pgm_source_apply_rate(src, false);
	if (src->hb_ivl > src->p.ihb_max)
		src->hb_ivl = src->p.ihb_max;
	{
		unsigned long amb = jiffies + pgm_usecs_to_jiffies(src->p.spm_ambient_ivl);

		if (time_before(amb, src->next_ambient))
			src->next_ambient = amb;
	}
	if (!src->dead)
		pgm_source_arm(src);
	spin_unlock_bh(&src->lock);
}

static void pgm_source_free(struct rcu_head *head)
{
	struct pgm_source *src = container_of(head, struct pgm_source, rcu);

	pgm_fec_free(src);
	pgm_route_put(&src->route);
	kfree(src->fanout);
	kvfree(src->txw);
	kfree(src);
}

/*
 * End the session and free it: OPT_RST (section 9.8) when @reset, else
 * OPT_FIN (9.7), lingering for SO_LINGER's time if it is on.
 */
static void pgm_source_end(struct sock *sk, bool reset)
{
	struct pgm_source *src = pgm_src_get(sk);
	long linger = 0;
	u32 i;

	if (!src)
		return;
	spin_lock_bh(&src->lock);
	src->end = reset ? PGM_OPT_RST : PGM_OPT_FIN;
	/*
	 * The final SPM is the session's last word when close() does not
	 * linger: send it three times, so that one lost packet does not turn
	 * a clean end into an expiry at the receivers.  These three go
	 * whatever the tokens say: a close() that waited for them could wait
	 * for seconds of debt.
	 */
	pgm_refill(src);
	for (i = 0; i < 3; i++)
		pgm_send_spm(src, true);
	{
		struct pgm_nl_event ev = {
			.reason = src->end == PGM_OPT_RST ? PGM_END_RST : PGM_END_FIN,
			.last = src->next_sqn - 1,
		};

		pgm_source_event(src, PGM_CMD_SESSION_END_NTF, &ev);
	}
	if (sock_flag(sk, SOCK_LINGER))
		linger = sk->sk_lingertime;
	/* Heartbeats carry the final option from now on. */
	src->hb_ivl = src->p.ihb_min;
	src->next_hb = jiffies + pgm_usecs_to_jiffies(src->hb_ivl);
	pgm_source_arm(src);
	spin_unlock_bh(&src->lock);

	if (linger && src->end == PGM_OPT_FIN) {
		release_sock(sk);
		schedule_timeout_interruptible(linger);
		lock_sock(sk);
	}

	spin_lock_bh(&src->lock);
	src->dead = true;
	spin_unlock_bh(&src->lock);
	timer_shutdown_sync(&src->timer);
	RCU_INIT_POINTER(pgm_sk(sk)->src, NULL);
	/*
	 * Dead, the timer stopped: the input path and dumps look at nothing
	 * but src->dead now, so the window is ours without the lock.
	 */
	while (src->trail != src->next_sqn)
		consume_skb(pgm_txw_take_trail(src));
	while (src->nspare)
		consume_skb(pgm_txw_spare_get(src));
	pgm_confirm_src_free(src);
	WARN_ON_ONCE(src->mem || src->rq_len || !list_empty(&src->rq) ||
		     src->lg_again || !list_empty(&src->lg) ||
		     src->flg_owed || !list_empty(&src->flg));
	src->ncf_n = 0;
	call_rcu(&src->rcu, pgm_source_free);
}

/**
 * pgm_source_stop - close(): end the session and free it
 * @sk: the socket, locked (released while it lingers)
 *
 * OPT_FIN (section 9.7) on SPMs, or OPT_RST (9.8) when SO_LINGER is on
 * with a zero time.  With SO_LINGER on and a time, the session stays up
 * that long, repairing NAKs and repeating the final SPM, before it goes.
 * Sleeps.
 */
void pgm_source_stop(struct sock *sk)
{
	pgm_source_end(sk, sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime);
}

/**
 * pgm_source_reset - end the session at once with OPT_RST (section 9.8)
 * @sk: the socket, locked
 *
 * As close() with a zero SO_LINGER, but the socket stays: the netns's
 * policy revoked its group (policy.c).  Sleeps.
 */
void pgm_source_reset(struct sock *sk)
{
	pgm_source_end(sk, true);
}

/*
 * A packet for @len PGM bytes after @room bytes of headroom: @spare
 * (pgm_txw_spare_get) when it has that room and is not more than twice the
 * size a new one would be, else a new one (@spare freed).
 */
static struct sk_buff *pgm_txw_alloc(struct sk_buff *spare, unsigned int room, unsigned int len)
{
	if (spare) {
		if (skb_headroom(spare) >= room && skb_tailroom(spare) >= len &&
		    spare->truesize <= 2 * SKB_TRUESIZE(room + len))
			return spare;
		consume_skb(spare);
	}
	return pgm_alloc_pkt_room(room, len, PGM_TXW_GFP);
}

/*
 * Build the ODATA for one fragment, copying the payload from @msg, in
 * @spare if it will do (pgm_txw_alloc).
 */
static struct sk_buff *pgm_build_odata(struct pgm_source *src, struct msghdr *msg,
				       struct sk_buff *spare, size_t apdu_len, size_t off,
				       size_t len, bool frag, bool syn, bool join, u32 join_min,
				       int *err)
{
	unsigned int cclen = pgm_cc_src_optlen(src), optlen = 0;
	struct pgm_opt_fragment *of;
	struct pgm_opt_join *oj;
	struct pgm_optw ow;
	struct sk_buff *skb;

	if (frag || syn || join || cclen)
		optlen = PGM_OPT_LENGTH_LEN + (frag ? PGM_OPT_FRAGMENT_LEN : 0) +
			 (syn ? PGM_OPT_FLAG_LEN : 0) + (join ? PGM_OPT_JOIN_LEN : 0) + cclen;
	skb = pgm_txw_alloc(spare, READ_ONCE(src->room), PGM_DATA_HLEN + optlen + len);
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	pgm_fill_hdr(skb, src->sport, src->dport, PGM_ODATA,
		     optlen ? PGM_OPT_PRESENT : 0, src->gsi, len);
	skb_put(skb, sizeof(struct pgm_data));	/* sqn and trail: set when sent */
	if (optlen) {
		pgm_optw_init(&ow, skb_put(skb, optlen));
		/* OPT_FRAGMENT first, at a fixed place: its first sqn is set when sent. */
		if (frag) {
			of = (void *)pgm_optw_add(&ow, PGM_OPT_FRAGMENT, PGM_OPT_FRAGMENT_LEN);
			of->offset = htonl(off);
			of->apdu_len = htonl(apdu_len);
		}
		if (syn)
			pgm_optw_add(&ow, PGM_OPT_SYN, PGM_OPT_FLAG_LEN);
		if (join) {
			oj = (void *)pgm_optw_add(&ow, PGM_OPT_JOIN, PGM_OPT_JOIN_LEN);
			oj->sqn = htonl(join_min);
		}
		/* PGMCC: its timestamp and acker are written when it leaves. */
		if (cclen)
			pgm_optw_add(&ow, PGM_OPT_PGMCC_DATA, cclen);
		pgm_optw_finish(&ow);
	}
	/*
	 * The payload is summed as it is copied in, one pass for both;
	 * pgm_txw_send() adds the headers' sum once sqn and trail are set.
	 * Kept in skb->csum meanwhile (CHECKSUM_NONE: nothing else reads it).
	 */
	skb->csum = 0;
	if (len && !csum_and_copy_from_iter_full(skb_put(skb, len), len, &skb->csum,
						 &msg->msg_iter)) {
		kfree_skb(skb);
		*err = -EFAULT;
		return NULL;
	}
	return skb;
}

/*
 * Wait until the bucket holds @need bytes, and those of the repair that
 * goes next (pgm_repair_reserve; at most one burst in all), and with PGMCC
 * until the window has a token; the lock is dropped while asleep.
 * Meanwhile repairs are held to their share of the rate
 * (pgm_repair_limited).  The sleep is on the socket's wait queue, where
 * an ACK or the PGMCC timeout that brings a token wakes it.
 */
static int pgm_wait_tokens(struct sock *sk, struct pgm_source *src, s64 need,
			   bool nonblock, u32 room, u64 bytes, u64 mem)
	__must_hold(&src->lock)
{
	long timeo = sock_sndtimeo(sk, nonblock);
	u64 end = timeo == MAX_SCHEDULE_TIMEOUT ? U64_MAX :
		  ktime_get_ns() + jiffies_to_nsecs(timeo);

	lockdep_assert_held(&src->lock);
	for (;;) {
		bool rate_ok = true, cc_ok, flow_ok;
		DEFINE_WAIT(wq);
		s64 want;
		ktime_t to;
		u64 wait = NSEC_PER_SEC;

		pgm_refill(src);
		if (src->p.txw_max_rte) {
			/*
			 * Repairs go before new data: those waiting for tokens
			 * leave now if they can, not at the timer's next tick.
			 */
			pgm_repair_pump(src);
			/*
			 * Taken once: the reserve depends on odata_short, which
			 * is set just below, and a second look could find it
			 * smaller than the tokens already there.
			 */
			want = min_t(s64, need + pgm_repair_reserve(src) + pgm_fec_reserve(src),
				     pgm_burst(src, src->p.txw_max_rte));
			/* Proactive parity due goes before new data (section 11.4). */
			rate_ok = src->tokens >= want && !src->pro_groups;
			if (!rate_ok) {
				/*
				 * Asleep until the tokens are there, on a
				 * high-resolution timer: a jiffy (4 ms at
				 * HZ=250) is several packets' time at a modest
				 * rate.  At most a second before looking again.
				 */
				wait = clamp_t(u64, div_u64((u64)(want - src->tokens) * NSEC_PER_SEC,
							    src->p.txw_max_rte),
					       10 * NSEC_PER_USEC, NSEC_PER_SEC);
				src->odata_short = jiffies;
			}
		}
		/* PGMCC: a token of the window; the timeout arms when there is none. */
		cc_ok = pgm_cc_src_may_send(src);
		/* Confirmed delivery: the slowest live receiver holds the window. */
		flow_ok = pgm_txw_fits(src, room, bytes, mem);
		if (!flow_ok && !src->cf.waiting) {
			src->cf.waiting = true;
			src->st.flow_limited++;
		}
		if (rate_ok && cc_ok && flow_ok) {
			src->cf.waiting = false;
			return 0;
		}
		if (!timeo)
			return -EAGAIN;
		if (!rate_ok) {
			src->st.rate_limited++;
			/* The limit is saturated: say so, at most once a second. */
			if (time_after_eq(jiffies, src->rl_told + HZ)) {
				struct pgm_nl_event ev = {
					.rate_limit = src->p.txw_max_rte,
					.rate_limited = src->st.rate_limited,
				};

				src->rl_told = jiffies;
				pgm_source_event(src, PGM_CMD_RATE_LIMITED_NTF, &ev);
			}
		}
		/* Never past SO_SNDTIMEO's @end. */
		if (end != U64_MAX)
			wait = min_t(u64, wait, end - min(end, ktime_get_ns()));
		if (!rate_ok) {
			src->st.rate_wait_ns += wait;
			src->odata_waiters++;
		}
		spin_unlock_bh(&src->lock);
		release_sock(sk);
		to = ns_to_ktime(wait);
		prepare_to_wait(sk_sleep(sk), &wq, TASK_INTERRUPTIBLE);
		/* A token (or room) that came meanwhile was announced before we queued. */
		if (rate_ok && pgm_cc_src_writable(sk) && (flow_ok || pgm_confirm_room(sk, room)))
			__set_current_state(TASK_RUNNING);
		else
			schedule_hrtimeout_range(&to, wait >> 4, HRTIMER_MODE_REL);
		finish_wait(sk_sleep(sk), &wq);
		if (end != U64_MAX && ktime_get_ns() >= end)
			timeo = 0;
		lock_sock(sk);
		spin_lock_bh(&src->lock);
		if (!rate_ok) {
			src->odata_waiters--;
			src->odata_short = jiffies;
		}
		if (signal_pending(current))
			return sock_intr_errno(timeo);
		if (src->dead)
			return -EPIPE;
	}
}

/*
 * Number the ODATA @skb, fragment @i of the @n of one APDU, with the next
 * sqn, keep it in the transmit window (room made) and send it.
 */
static void pgm_txw_send(struct pgm_source *src, struct sk_buff *skb, unsigned int i,
			 unsigned int n)
	__must_hold(&src->lock)
{
	struct pgm_data *dh = pgm_body(skb->data);
	struct pgm_opt_fragment *of;
	u32 sqn = src->next_sqn++;

	lockdep_assert_held(&src->lock);
	dh->sqn = htonl(sqn);
	dh->trail = htonl(src->trail);
	if (n > 1) {	/* OPT_FRAGMENT's first sqn; it follows OPT_LENGTH */
		of = (void *)(skb->data + PGM_DATA_HLEN + PGM_OPT_LENGTH_LEN);
		of->first = htonl(sqn - i);
	}
	if (src->cc.on)
		pgm_cc_src_write(src, pgm_own_opt(skb, PGM_OPT_PGMCC_DATA));
	/* The headers are final: their sum and the payload's (pgm_build_odata). */
	pgm_set_csum_payload(skb, skb->csum, ntohs(((struct pgm_hdr *)skb->data)->tsdu_len));
	skb->csum = 0;
	/* Its headroom is the IP layer's: ODATA goes out as a clone. */
	__skb_header_release(skb);
	txw_cb(skb)->sent = jiffies;
	txw_cb(skb)->rdata = 0;
	INIT_LIST_HEAD(&txw_cb(skb)->rq);
	txw_cb(skb)->lingers = false;
	txw_cb(skb)->again = false;
	txw_cb(skb)->tsdu = ntohs(((struct pgm_hdr *)skb->data)->tsdu_len);
	src->held += txw_cb(skb)->tsdu;
	src->mem += skb->truesize;
	sk_wmem_queued_add(src->sk, skb->truesize);
	*txw_at(src, sqn) = skb;
	pgm_send_entry(src, skb, false);
	if (src->fec.k) {
		/* A group's proactive parity follows its last ODATA (11.4). */
		pgm_fec_odata_sent(src, sqn);
		while (src->pro_groups && pgm_fec_pro_send(src))
			;
	}
}

/*
 * The @n ODATA of an APDU of @len bytes from @msg, in @fv, fragments of
 * @max_frag bytes when there are several; *@mem is their memory.  0, or
 * -ENOBUFS or -EFAULT with nothing left allocated.
 */
static int pgm_build_apdu(struct pgm_source *src, struct msghdr *msg, size_t len,
			  unsigned int n, size_t max_frag, struct sk_buff **fv, u64 *mem)
{
	unsigned int i;
	u32 join_min = 0;
	bool syn, join;
	size_t off;
	int err = 0;

	spin_lock_bh(&src->lock);
	syn = !src->syn_sent;
	join = pgm_join_offer(src, &join_min);
	for (i = 0; i < n && src->nspare; i++)
		fv[i] = pgm_txw_spare_get(src);
	spin_unlock_bh(&src->lock);
	for (; i < n; i++)
		fv[i] = NULL;
	*mem = 0;
	for (i = 0, off = 0; i < n; i++) {
		size_t chunk = n == 1 ? len : min(max_frag, len - off);

		fv[i] = pgm_build_odata(src, msg, fv[i], len, off, chunk, n > 1,
					syn && i == 0, join, join_min, &err);
		if (!fv[i]) {
			unsigned int j;

			for (j = 0; j < n; j++)	/* built, and spares not reached */
				if (j != i)
					kfree_skb(fv[j]);
			return err;
		}
		*mem += fv[i]->truesize;
		off += chunk;
	}
	return 0;
}

/**
 * pgm_source_sendmsg - send(): one APDU as ODATA, fragmented if it must be
 * @sk: the socket, locked (released while it waits for tokens)
 * @msg: the APDU
 * @len: its length
 *
 * Return: @len, or -ENOTCONN, -EISCONN, -EOPNOTSUPP, -EINVAL, -EMSGSIZE,
 * -ENOBUFS, -EFAULT, -EAGAIN, -EPIPE or -EINTR/-ERESTARTSYS.
 */
int pgm_source_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct pgm_source *src = pgm_src_get(sk);
	/*
	 * Not zeroed on entry (CONFIG_INIT_STACK_ALL_ZERO would clear its
	 * 512 bytes on every send): only the entries pgm_build_apdu() filled
	 * are ever read, and none of it reaches user space.
	 */
	struct sk_buff *frags[64] __uninitialized, **fv = frags;
	size_t max_plain, max_frag;
	unsigned int n, i;
	s64 cost;
	u64 mem;
	int err = 0;

	if (!src)	/* never connected, or ended by the netns's policy */
		return READ_ONCE(pgm_sk(sk)->revoked) ? -EACCES : -ENOTCONN;
	if (msg->msg_name)
		return -EISCONN;
	/* sendmmsg() adds MSG_BATCH to all but its last message. */
	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_BATCH | MSG_EOR))
		return -EOPNOTSUPP;
	if (msg->msg_controllen)
		return -EINVAL;	/* no control message is understood */
	if (len > PGM_APDU_MAX)
		return -EMSGSIZE;

	max_frag = src->p.max_tpdu - pgm_net_hlen(sk) - pgm_encap_hlen(sk) -
		   PGM_DATA_HLEN - PGM_ODATA_OPTS_MAX - pgm_cc_src_optlen(src);
	max_plain = max_frag + PGM_OPT_FRAGMENT_LEN;
	/*
	 * With FEC every TPDU leaves room for the largest parity packet of
	 * its group (section 11.2): the length trailer, OPT_LENGTH, an
	 * encoded OPT_FRAGMENT and OPT_PARITY_GRP, whether or not it is a
	 * fragment itself, and as RDATA (with Router Alert), so parity
	 * never exceeds PGM_MAX_TPDU.
	 */
	if (src->fec.k)
		max_plain = max_frag = min_t(size_t, max_frag, src->p.max_tpdu -
					     pgm_wire_len(src, PGM_DATA_HLEN + PGM_FEC_PARITY_ROOM, true));
	n = len <= max_plain ? 1 : DIV_ROUND_UP(len, max_frag);
	if (n > src->size)
		return -EMSGSIZE;	/* would not fit the transmit window */
	if (n > ARRAY_SIZE(frags)) {
		fv = kvmalloc_array(n, sizeof(*fv), GFP_KERNEL_ACCOUNT);
		if (!fv)
			return -ENOBUFS;
	}

	err = pgm_build_apdu(src, msg, len, n, max_frag, fv, &mem);
	if (err) {
		i = 0;
		goto free;
	}
	i = n;
	/* The window alone must hold the APDU within SO_SNDBUF. */
	if (mem > READ_ONCE(sk->sk_sndbuf)) {
		err = -EMSGSIZE;
		goto free;
	}

	spin_lock_bh(&src->lock);
	cost = 0;
	for (i = 0; i < n; i++)
		cost += pgm_wire_len(src, fv[i]->len, false);
	err = pgm_wait_tokens(sk, src, min_t(s64, cost, pgm_burst(src, src->p.txw_max_rte)),
			      msg->msg_flags & MSG_DONTWAIT, n, len, mem);
	if (err) {
		/* EAGAIN at the rate limit: the next try takes them again. */
		for (i = 0; i < n; i++)
			pgm_txw_spare_put(src, fv[i], 0);
		spin_unlock_bh(&src->lock);
		i = 0;	/* nothing left to free */
		goto free;
	}
	pgm_txw_advance(src, n, len, mem);
	pgm_cc_src_sent(src, n);
	for (i = 0; i < n; i++)
		pgm_txw_send(src, fv[i], i, n);
	src->syn_sent = true;
	src->st.data_bytes_sent += len;
	pgm_source_data_sent(src);
	spin_unlock_bh(&src->lock);
	if (fv != frags)
		kvfree(fv);
	return len;

free:
	while (i--)
		kfree_skb(fv[i]);
	if (fv != frags)
		kvfree(fv);
	return err;
}

/* The counters with the window's state (under src->lock). */
static void pgm_source_fill_stats(struct pgm_source *src, struct pgm_source_stats *st)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	*st = src->st;
	pgm_cc_src_stats(src, st);
	pgm_confirm_src_fill(src, st);
	st->txw_trail = src->trail;
	st->txw_lead = src->next_sqn - 1;
	st->rdata_queued = src->rq_len;
	st->txw_mem = src->mem + src->spare_mem;
}

/**
 * pgm_source_stats - the session's counters, zero without one
 * @sk: the socket, locked
 * @st: filled in
 */
void pgm_source_stats(struct sock *sk, struct pgm_source_stats *st)
{
	struct pgm_source *src = pgm_src_get(sk);

	memset(st, 0, sizeof(*st));
	if (!src)
		return;
	spin_lock_bh(&src->lock);
	pgm_source_fill_stats(src, st);
	spin_unlock_bh(&src->lock);
}

/**
 * pgm_source_info - what a dump shows of a session
 * @src: the session, read with rcu_dereference() under rcu_read_lock()
 * @si: filled in
 *
 * Return: false when the session is going away (nothing filled in).
 */
bool pgm_source_info(struct pgm_source *src, struct pgm_source_info *si)
{
	bool ok;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "pgm: source dump outside RCU");
	spin_lock_bh(&src->lock);
	ok = !src->dead;
	if (ok) {
		pgm_source_fill_stats(src, &si->st);
		si->held = src->held;
		si->size = src->size;
		si->rate = src->p.txw_max_rte;
		si->policy_rate = src->policy_rate;
		si->nla = src->nla;
		si->group = src->group;
		si->sport = src->sport;
		si->dport = src->dport;
		si->closing = src->end != 0;
		si->confirm = src->cf.on;
	}
	spin_unlock_bh(&src->lock);
	return ok;
}
