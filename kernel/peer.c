// SPDX-License-Identifier: GPL-2.0
/*
 * peer.c - a receiver's sessions (peers) and the memory they hold.
 *
 * Sessions are found by TSI in a hash keyed per receiver.  What a packet
 * makes a receiver hold - a session, its window's slots (a chunk at a
 * time, as data needs them), the data in them - is charged to the
 * receiver and bounded per socket and per namespace (rx-sessions,
 * rx-sessions-netns, rx-mem, rx-mem-netns; docs/hostile-input.md).
 *
 * Locking: under rcv->lock, as the rest of the receiver (receiver.c), but
 * for pgm_peer_free(), which runs once nothing can reach the peer.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/jhash.h>
#include <net/ip.h>

#include "receiver.h"

static u32 tsi_hash(const struct pgm_receiver *rcv, const struct pgm_tsi *tsi)
{
	u32 w[2];

	/* Two words hash inline; jhash() of 8 bytes is a call and a byte loop. */
	BUILD_BUG_ON(sizeof(*tsi) != sizeof(w));
	memcpy(w, tsi, sizeof(w));
	return jhash2(w, ARRAY_SIZE(w), rcv->hash_seed) & (PGM_PEER_HASH - 1);
}

static size_t chunk_bytes(const struct pgm_peer *peer)
{
	return min_t(u32, peer->mask + 1, SLOTS_PER_CHUNK) * sizeof(struct pgm_slot);
}

/* The held data of @s, out of the slot and no longer charged. */
static struct sk_buff *slot_take(struct pgm_peer *peer, struct pgm_slot *s)
	__must_hold(&peer->rcv->lock)
{
	struct sk_buff *skb = s->skb;

	lockdep_assert_held(&peer->rcv->lock);
	if (skb) {
		pgm_rcv_uncharge(peer->rcv, peer, skb->truesize);
		s->skb = NULL;
	}
	return skb;
}

/*
 * What the socket's budget can take back from a session (pgm_peer_shed):
 * all it holds but the session itself.
 */
static u32 peer_sheddable(const struct pgm_peer *peer)
{
	return peer->mem > sizeof(*peer) ? peer->mem - sizeof(*peer) : 0;
}

/**
 * pgm_peer_shed - give up a session's window to make room for another's
 * @rcv: the receiver, its lock held
 * @peer: the session; not the one a packet is being handled for
 *
 * Everything the session holds but itself is freed: its window's data and
 * slots (the sqns from the next to deliver to the lead are reported lost,
 * in one record), and its FEC state (learnt again from its next SPM).  The
 * session goes on from its lead: what comes after is received as before.
 * Work: the window's slots, at most PGM_RXW_SQNS.
 */
static void pgm_peer_shed(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	u32 i, k, n = min_t(u32, peer->mask + 1, SLOTS_PER_CHUNK);
	u32 first = peer->next, count = 0;

	lockdep_assert_held(&rcv->lock);
	if (peer->started && !pgm_sqn_before(peer->lead, peer->next))
		count = peer->lead - peer->next + 1;
	if (peer->chunks) {
		for (i = 0; i < peer->nchunks; i++) {
			if (!peer->chunks[i])
				continue;
			for (k = 0; k < n; k++)
				kfree_skb(slot_take(peer, &peer->chunks[i][k]));
			kfree(peer->chunks[i]);
			pgm_rcv_uncharge(rcv, peer, chunk_bytes(peer));
		}
		kfree(peer->chunks);
		peer->chunks = NULL;
		pgm_rcv_uncharge(rcv, peer, peer->nchunks * sizeof(*peer->chunks));
	}
	pgm_fec_forget(rcv, peer);
	peer->bo_pending = false;
	peer->wait_pending = false;
	peer->next += count;
	rcv->st.windows_shed++;
	pgm_mib_inc(rcv->pn, PGM_MIB_RX_WINDOWS_SHED);
	if (count)
		pgm_report_loss(rcv, peer, first, count);
	/* Nothing left to deliver; a session that ended says so now. */
	pgm_deliver(rcv, peer);
	WARN_ON_ONCE(peer->mem != sizeof(*peer));
}

/*
 * Make room in the socket's budget for @bytes of @peer's: shed the windows
 * of sessions heard less recently than @peer, the one holding the most
 * memory for the longest silence first (memory times idle time), among
 * the first PGM_SHED_SAMPLE that could give some met by a cursor that goes
 * round the hash (looking at PGM_SHED_LOOK sessions at most), at most
 * PGM_SHED_MAX of them.  So an active session is not starved by
 * sessions that only hold memory (made-up ones, or a source gone quiet);
 * a receiver of one session sheds nothing.
 */
#define PGM_SHED_SAMPLE	16
#define PGM_SHED_LOOK	128
#define PGM_SHED_MAX	4

static bool pgm_rcv_reclaim(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes,
			    u64 budget)
	__must_hold(&rcv->lock)
{
	u64 now = pgm_now();
	unsigned int shed;

	lockdep_assert_held(&rcv->lock);
	for (shed = 0; shed < PGM_SHED_MAX && rcv->mem + bytes > budget; shed++) {
		struct pgm_peer *v, *best = NULL;
		unsigned int b, seen = 0, looked = 0;
		u64 score, top = 0;

		for (b = 0; b < PGM_PEER_HASH && seen < PGM_SHED_SAMPLE && looked < PGM_SHED_LOOK;
		     b++) {
			rcv->shed_cursor = (rcv->shed_cursor + 1) & (PGM_PEER_HASH - 1);
			hlist_for_each_entry(v, &rcv->peers[rcv->shed_cursor], node) {
				looked++;
				if (v == peer || !pgm_ns_before(v->last_heard, peer->last_heard))
					continue;
				/* Bytes times us idle (capped at 71 min): fits in 64 bits. */
				score = (u64)peer_sheddable(v) *
					min_t(u64, (now - v->last_heard) >> 10, U32_MAX);
				if (!score)
					continue;
				seen++;
				if (score > top) {
					top = score;
					best = v;
				}
			}
		}
		if (!best)
			return false;
		pgm_peer_shed(rcv, best);
	}
	return rcv->mem + bytes <= budget;
}

/**
 * pgm_rcv_charge - charge memory a packet makes the receiver hold
 * @rcv: the receiver, its lock held
 * @peer: the session it is for, or NULL (the session itself)
 * @bytes: how much
 * @must: charge even past the socket's budget (the packet that lets
 *	delivery go on; never more than one per session at a time), never
 *	past the namespace's
 *
 * A session, its window's slots, the data in them.  Past the socket's
 * budget (the larger of SO_RCVBUF and the netns's rx-mem), the windows of
 * sessions heard less recently than @peer make room (pgm_rcv_reclaim);
 * failing that the charge is refused and counted, as past the netns's
 * total (rx-mem-netns).
 *
 * Return: true when charged.
 */
bool pgm_rcv_charge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes,
		    bool must)
	__must_hold(&rcv->lock)
{
	struct pgm_net *pn = rcv->pn;
	u64 budget = max_t(u64, READ_ONCE(rcv->sk->sk_rcvbuf), READ_ONCE(pn->rx_mem));

	lockdep_assert_held(&rcv->lock);
	if (!must && rcv->mem + bytes > budget &&
	    (!peer || !pgm_rcv_reclaim(rcv, peer, bytes, budget)))
		goto refuse;
	if (atomic_long_add_return(bytes, &pn->rx_mem_used) > (long)READ_ONCE(pn->rx_mem_netns)) {
		atomic_long_sub(bytes, &pn->rx_mem_used);
		goto refuse;
	}
	rcv->mem += bytes;
	if (peer)
		peer->mem += bytes;
	return true;
refuse:
	rcv->st.mem_refused++;
	pgm_mib_inc(pn, PGM_MIB_RX_MEM_REFUSED);
	return false;
}

/**
 * pgm_rcv_uncharge - give back memory pgm_rcv_charge() counted
 * @rcv: the receiver, its lock held
 * @peer: the session it was charged to, or NULL
 * @bytes: how much
 */
void pgm_rcv_uncharge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	atomic_long_sub(bytes, &rcv->pn->rx_mem_used);
	rcv->mem -= bytes;
	if (peer)
		peer->mem -= bytes;
}

/**
 * pgm_slot_alloc - the slot of a sqn, its chunk allocated if need be
 * @peer: the session, its receiver's lock held
 * @sqn: the sequence number
 * @must: charge the chunk even past the socket's budget (pgm_rcv_charge)
 *
 * pgm_slot_find() has the index arithmetic.
 *
 * Return: the slot, or NULL out of memory or past the budget.
 */
struct pgm_slot *pgm_slot_alloc(struct pgm_peer *peer, u32 sqn, bool must)
	__must_hold(&peer->rcv->lock)
{
	struct pgm_slot **c;

	lockdep_assert_held(&peer->rcv->lock);
	if (!peer->chunks) {
		size_t len = peer->nchunks * sizeof(*peer->chunks);

		if (!pgm_rcv_charge(peer->rcv, peer, len, must))
			return NULL;
		peer->chunks = kzalloc(len, GFP_ATOMIC | __GFP_NOWARN);
		if (!peer->chunks) {
			pgm_rcv_uncharge(peer->rcv, peer, len);
			return NULL;
		}
	}
	c = &peer->chunks[pgm_txw_slot(peer->mask, sqn) / SLOTS_PER_CHUNK];
	if (!*c) {
		if (!pgm_rcv_charge(peer->rcv, peer, chunk_bytes(peer), must))
			return NULL;
		*c = kzalloc(chunk_bytes(peer), GFP_ATOMIC | __GFP_NOWARN);
		if (!*c) {
			pgm_rcv_uncharge(peer->rcv, peer, chunk_bytes(peer));
			return NULL;
		}
	}
	return pgm_slot_find(peer, sqn);
}

/**
 * pgm_slot_clear - empty a slot of the window: its data freed, its state NONE
 * @peer: the session, its receiver's lock held
 * @s: the slot
 */
void pgm_slot_clear(struct pgm_peer *peer, struct pgm_slot *s)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	kfree_skb(slot_take(peer, s));
	memset(s, 0, sizeof(*s));
}

/**
 * pgm_peer_find - the session of a TSI
 * @rcv: the receiver, its lock held
 * @tsi: the transport session identifier
 *
 * Return: the peer, or NULL.
 */
struct pgm_peer *pgm_peer_find(struct pgm_receiver *rcv, const struct pgm_tsi *tsi)
	__must_hold(&rcv->lock)
{
	struct pgm_peer *peer;

	lockdep_assert_held(&rcv->lock);
	hlist_for_each_entry(peer, &rcv->peers[tsi_hash(rcv, tsi)], node)
		if (!memcmp(&peer->tsi, tsi, sizeof(*tsi)))
			return peer;
	return NULL;
}

/* The bucket of @addr in rcv->srcs. */
static struct hlist_head *src_bucket(struct pgm_receiver *rcv, const union pgm_addr *addr)
{
	u32 h;

	if (rcv->sk->sk_family == AF_INET6)
		h = jhash2((const u32 *)&addr->in6, 4, rcv->hash_seed);
	else
		h = jhash_1word((__force u32)addr->ip, rcv->hash_seed);
	return &rcv->srcs[h & (PGM_SRC_HASH - 1)];
}

/* The count of sessions from @addr, or NULL when it has none. */
static struct pgm_src_count *src_find(struct pgm_receiver *rcv, const union pgm_addr *addr)
	__must_hold(&rcv->lock)
{
	struct pgm_src_count *c;

	lockdep_assert_held(&rcv->lock);
	hlist_for_each_entry(c, src_bucket(rcv, addr), node)
		if (pgm_addr_eq(rcv->sk->sk_family, &c->addr, addr))
			return c;
	return NULL;
}

/**
 * pgm_peer_new - a new session heard from an address
 * @rcv: the receiver, its lock held
 * @tsi: the session's TSI
 * @saddr: the IP source of its first packet: the session's address
 * @daddr: the IP destination of that packet: the session's group
 * @ifindex: the interface it came in on (IPv6), or 0
 * @dport: its data-destination port
 *
 * Refused (and counted) past the socket's or the netns's session limit
 * (rx-sessions, rx-sessions-netns), past the socket's sessions from
 * @saddr (rx-sessions-source: one host does not take all of rx-sessions),
 * past the memory budget, or out of memory.  Its window's slots come
 * later, a chunk at a time, as data needs them.
 *
 * Return: the peer, linked into the receiver, or NULL.
 */
struct pgm_peer *pgm_peer_new(struct pgm_receiver *rcv, const struct pgm_tsi *tsi,
			      const union pgm_addr *saddr, const union pgm_addr *daddr,
			      int ifindex, __be16 dport)
	__must_hold(&rcv->lock)
{
	struct pgm_sock *ps = pgm_sk(rcv->sk);
	struct pgm_net *pn = rcv->pn;
	u32 slots = pgm_txw_slots(READ_ONCE(ps->params.rxw_sqns));
	struct pgm_src_count *src;
	struct pgm_peer *peer;

	lockdep_assert_held(&rcv->lock);
	if (rcv->npeers >= READ_ONCE(pn->rx_sessions))
		goto refuse;
	src = src_find(rcv, saddr);
	if (src && src->sessions >= READ_ONCE(pn->rx_sessions_source)) {
		rcv->st.source_refused++;
		pgm_mib_inc(pn, PGM_MIB_RX_SOURCE_REFUSED);
		goto refuse;
	}
	if (atomic_inc_return(&pn->rx_sessions_used) > (int)READ_ONCE(pn->rx_sessions_netns))
		goto uncount;
	/*
	 * Sessions are bounded by number: only the netns's total may refuse
	 * one.  A new address's count is charged with the session.
	 */
	if (!pgm_rcv_charge(rcv, NULL, sizeof(*peer) + (src ? 0 : sizeof(*src)), true))
		goto uncount;
	peer = kzalloc(sizeof(*peer), GFP_ATOMIC | __GFP_NOWARN);
	if (peer && !src) {
		src = kzalloc(sizeof(*src), GFP_ATOMIC | __GFP_NOWARN);
		if (src) {
			src->addr = *saddr;
			hlist_add_head(&src->node, src_bucket(rcv, saddr));
		}
	}
	if (!peer || !src) {
		pgm_rcv_uncharge(rcv, NULL, sizeof(*peer) + (src ? 0 : sizeof(*src)));
		kfree(peer);
		goto uncount;
	}
	src->sessions++;
	peer->src = src;
	peer->mem = sizeof(*peer);
	peer->rcv = rcv;
	peer->tsi = *tsi;
	peer->dport = dport;
	peer->saddr = *saddr;
	peer->group = *daddr;
	peer->ifindex = ifindex;
	peer->p = ps->params;
	peer->size = peer->p.rxw_sqns;
	peer->mask = slots - 1;
	peer->nchunks = DIV_ROUND_UP(slots, SLOTS_PER_CHUNK);
	peer->last_heard = pgm_now();
	peer->spmr_at = peer->last_heard + pgm_backoff_ns(peer->p.spmr_expiry);
	pgm_cc_peer_init(rcv, peer);
	pgm_confirm_peer_init(rcv, peer);
	INIT_LIST_HEAD(&peer->blocked);
	hrtimer_init(&peer->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	peer->timer.function = pgm_peer_timer;
	hlist_add_head(&peer->node, &rcv->peers[tsi_hash(rcv, tsi)]);
	rcv->npeers++;
	atomic_inc(&pn->peer_gen);
	return peer;

uncount:
	atomic_dec(&pn->rx_sessions_used);
refuse:
	rcv->st.sessions_refused++;
	pgm_mib_inc(pn, PGM_MIB_RX_SESSIONS_REFUSED);
	return NULL;
}

/**
 * pgm_peer_unlink - take a session out of the receiver
 * @rcv: the receiver, its lock held
 * @peer: the session; its memory is freed by pgm_peer_free()
 */
void pgm_peer_unlink(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	hlist_del(&peer->node);
	list_del_init(&peer->blocked);
	rcv->npeers--;
	atomic_dec(&rcv->pn->rx_sessions_used);
	pgm_rcv_uncharge(rcv, NULL, peer->mem);
	peer->mem = 0;
	if (!--peer->src->sessions) {
		hlist_del(&peer->src->node);
		kfree(peer->src);
		pgm_rcv_uncharge(rcv, NULL, sizeof(*peer->src));
	}
	peer->src = NULL;
	atomic_inc(&rcv->pn->peer_gen);
}

/**
 * pgm_peer_free - free an unlinked session, its window and the data held
 * @peer: the session, which nothing can reach any more (no lock needed)
 */
void pgm_peer_free(struct pgm_peer *peer)
{
	u32 i, k, n = min_t(u32, peer->mask + 1, SLOTS_PER_CHUNK);

	if (peer->chunks) {
		for (i = 0; i < peer->nchunks; i++) {
			if (!peer->chunks[i])
				continue;
			for (k = 0; k < n; k++)
				kfree_skb(peer->chunks[i][k].skb);
			kfree(peer->chunks[i]);
		}
		kfree(peer->chunks);
	}
	pgm_fec_peer_free(peer);
	kfree(peer);
}

