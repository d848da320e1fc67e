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

#include "pgm.h"

#define SLOTS_PER_CHUNK	128
#define PGM_PEER_HASH	256	/* buckets; keyed per receiver (hash_seed) */
#define PGM_ERR_PENDING_MAX	1024
/*
 * NAK credit (reflection bound, RFC 3208 section 10): every packet accepted
 * into a session earns it PGM_NAK_CREDIT packets it may send (NAKs, SPMRs),
 * up to PGM_NAK_CREDIT_MAX banked.  So nothing a packet says makes us send
 * more than two packets of at most PGM_NAK_MAX_LEN bytes for it.
 */
#define PGM_NAK_CREDIT		2
#define PGM_NAK_CREDIT_MAX	64

enum {
	SLOT_NONE,		/* beyond the lead, or delivered */
	SLOT_BACKOFF,		/* missing; NAK when the back-off ends */
	SLOT_WAIT_NCF,		/* NAK sent */
	SLOT_WAIT_DATA,		/* NCF seen */
	SLOT_HAVE,		/* data held */
	SLOT_LOST,		/* unrecoverable */
};

struct pgm_slot {
	struct sk_buff	*skb;		/* payload only (data at the TSDU) */
	unsigned long	deadline;	/* jiffies, for the NAK states */
	u8		state;
	u8		ncf_retries;
	u8		data_retries;
	bool		frag;		/* OPT_FRAGMENT present */
	u32		first;		/* OPT_FRAGMENT: first sqn of the APDU */
	u32		apdu_len;	/* OPT_FRAGMENT: APDU length */
};

struct pgm_peer {
	struct hlist_node	node;		/* in rcv->peers, or rcv->dying */
	struct list_head	blocked;	/* in rcv->blocked: delivery waits for room */
	struct pgm_receiver	*rcv;
	struct timer_list	timer;
	struct pgm_tsi		tsi;
	__be16			dport;
	__be32			saddr;		/* IP source of its packets: the session's address */
	__be32			group;		/* where its data goes */
	__be32			nla;		/* path NLA from SPMs; 0: none yet */
	__be32			nla_new;	/* a different NLA seen once (damping) */
	bool			spm_seen;
	bool			started;	/* window defined */
	bool			expired;	/* silent too long: draining, then freed */
	bool			bo_pending;	/* some slot in back-off: @bo_at is a lower bound */
	bool			wait_pending;	/* some slot waits for NCF/data: @wait_at likewise */
	u8			ended;		/* PGM_END_FIN or _RST once seen */
	bool			end_reported;
	u16			credit;		/* packets we may still send for this session */
	u32			spm_sqn;
	u32			joined;		/* first sqn of the session we saw */
	u32			next;		/* next sqn to deliver */
	u32			lead;		/* highest sqn known to exist */
	u32			size;		/* the window, PGM_RXW_SQNS */
	u32			mask;		/* slots - 1: slots is a power of two >= @size */
	u32			mem;		/* bytes charged to the receiver */
	unsigned long		last_heard;
	unsigned long		spmr_at;	/* send an SPMR then, if no SPM */
	unsigned long		bo_at;		/* earliest back-off deadline */
	unsigned long		wait_at;	/* earliest NCF/RDATA deadline */
	bool			spmr_wait;	/* SPMR sent or suppressed: wait for the SPM */
	struct pgm_params	p;		/* as when the peer appeared */
	u64			losses;		/* this session's share of the counters */
	u64			naks_sent;
	u32			nchunks;
	struct pgm_slot		**chunks;	/* @nchunks chunks, allocated on first use */
};

struct pgm_receiver {
	spinlock_t		lock;
	struct sock		*sk;
	struct pgm_net		*pn;
	struct rcu_head		rcu;
	bool			dead;
	bool			aborted;	/* PGM_ABORT_ON_LOSS fired */
	unsigned int		npeers;
	u32			hash_seed;
	u64			mem;		/* bytes charged: sessions, windows, held data */
	struct hlist_head	peers[PGM_PEER_HASH];
	struct hlist_head	dying;		/* unlinked peers their timers free */
	struct list_head	blocked;	/* peers whose delivery waits for room */
	/*
	 * Loss and session-end records the error queue could not take yet
	 * (it shares SO_RCVBUF with data): kept here, in order, and queued as
	 * the reader frees room.  Bounded by PGM_ERR_PENDING_MAX.
	 */
	struct sk_buff_head	pending_err;
	struct pgm_receiver_stats st;
	struct pgm_ring		*ring;		/* the socket's, if PGM_RX_RING was set */
};

static struct pgm_receiver *rcv_get(struct sock *sk)
{
	return rcu_dereference_protected(pgm_sk(sk)->rcv, lockdep_sock_is_held(sk));
}

static u32 tsi_hash(const struct pgm_receiver *rcv, const struct pgm_tsi *tsi)
{
	return jhash(tsi, sizeof(*tsi), rcv->hash_seed) & (PGM_PEER_HASH - 1);
}

/*
 * Memory a packet makes us hold (a session, its window's slots, the data in
 * them) is charged to the receiver, and refused (counted) past the
 * socket's budget (the larger of SO_RCVBUF and the netns's rx-mem) or the
 * netns's total (rx-mem-netns).  @must: charged even past the socket's
 * budget (the packet that lets delivery go on; never more than one per
 * session at a time), never past the netns's.
 */
static bool rcv_charge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes,
		       bool must)
{
	struct pgm_net *pn = rcv->pn;
	u64 budget = max_t(u64, READ_ONCE(rcv->sk->sk_rcvbuf), READ_ONCE(pn->rx_mem));

	lockdep_assert_held(&rcv->lock);
	if (!must && rcv->mem + bytes > budget)
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

static void rcv_uncharge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes)
{
	lockdep_assert_held(&rcv->lock);
	atomic_long_sub(bytes, &rcv->pn->rx_mem_used);
	rcv->mem -= bytes;
	if (peer)
		peer->mem -= bytes;
}

static size_t chunk_bytes(const struct pgm_peer *peer)
{
	return min_t(u32, peer->mask + 1, SLOTS_PER_CHUNK) * sizeof(struct pgm_slot);
}

/*
 * The slot of @sqn, allocating (and charging) its chunk when @alloc (past
 * the socket's budget too when @must: see rcv_charge); NULL when it is not
 * there or out of memory.  The index is @sqn masked with a power of two, so
 * sqns that share a slot are a multiple of 2^k apart and never both in the
 * window, across the 2^32 wrap too.
 */
static struct pgm_slot *__slot_get(struct pgm_peer *peer, u32 sqn, bool alloc, bool must)
{
	u32 i = sqn & peer->mask;
	struct pgm_slot **c;

	if (!peer->chunks) {
		size_t len = peer->nchunks * sizeof(*peer->chunks);

		if (!alloc || !rcv_charge(peer->rcv, peer, len, must))
			return NULL;
		peer->chunks = kzalloc(len, GFP_ATOMIC | __GFP_NOWARN);
		if (!peer->chunks) {
			rcv_uncharge(peer->rcv, peer, len);
			return NULL;
		}
	}
	c = &peer->chunks[i / SLOTS_PER_CHUNK];
	if (!*c) {
		if (!alloc || !rcv_charge(peer->rcv, peer, chunk_bytes(peer), must))
			return NULL;
		*c = kzalloc(chunk_bytes(peer), GFP_ATOMIC | __GFP_NOWARN);
		if (!*c) {
			rcv_uncharge(peer->rcv, peer, chunk_bytes(peer));
			return NULL;
		}
	}
	return &(*c)[i % SLOTS_PER_CHUNK];
}

static struct pgm_slot *slot_get(struct pgm_peer *peer, u32 sqn, bool alloc)
{
	return __slot_get(peer, sqn, alloc, false);
}

static u32 peer_size(const struct pgm_peer *peer)
{
	return peer->size;
}

/* The held data of @s, out of the slot and no longer charged. */
static struct sk_buff *slot_take(struct pgm_peer *peer, struct pgm_slot *s)
{
	struct sk_buff *skb = s->skb;

	if (skb) {
		rcv_uncharge(peer->rcv, peer, skb->truesize);
		s->skb = NULL;
	}
	return skb;
}

static void slot_clear(struct pgm_peer *peer, struct pgm_slot *s)
{
	kfree_skb(slot_take(peer, s));
	memset(s, 0, sizeof(*s));
}

/* A slot's NAK-state deadline; the peer's earliest ones follow it. */
static void slot_deadline(struct pgm_peer *peer, struct pgm_slot *s, u8 state,
			  unsigned long when)
{
	s->state = state;
	s->deadline = when;
	if (state == SLOT_BACKOFF) {
		if (!peer->bo_pending || time_before(when, peer->bo_at))
			peer->bo_at = when;
		peer->bo_pending = true;
	} else {
		if (!peer->wait_pending || time_before(when, peer->wait_at))
			peer->wait_at = when;
		peer->wait_pending = true;
	}
}

static void slot_backoff(struct pgm_peer *peer, struct pgm_slot *s)
{
	slot_deadline(peer, s, SLOT_BACKOFF, jiffies + pgm_backoff(peer->p.nak_bo_ivl));
}

static void peer_arm(struct pgm_peer *peer);

/* An event about @peer's session for the netlink group (under rcv->lock). */
static void pgm_peer_event(struct pgm_receiver *rcv, struct pgm_peer *peer, u8 cmd,
			   struct pgm_nl_event *ev)
{
	ev->cmd = cmd;
	ev->role = PGM_ROLE_RECEIVER;
	ev->tsi = peer->tsi;
	ev->source = peer->saddr;
	ev->group = peer->group;
	ev->port = peer->dport;
	pgm_nl_event(rcv->sk, ev);
}

/* The window of @peer is defined from now on: its session has started. */
static void pgm_peer_started(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	struct pgm_nl_event ev = { .first = peer->next };

	pgm_peer_event(rcv, peer, PGM_CMD_SESSION_START_NTF, &ev);
}

/*
 * A loss or session-end record (@skb: struct pgm_loss or pgm_session_end,
 * the type in its extended error) into the ring; false when it is full.
 */
static bool pgm_ring_put_event(struct pgm_ring *r, struct sk_buff *skb)
{
	struct sock_exterr_skb *serr = SKB_EXT_ERR(skb);
	struct pgm_ring_rec *rec;

	rec = pgm_ring_reserve(r, pgm_ring_reclen(skb->len));
	if (!rec)
		return false;
	rec->data_len = skb->len;
	if (serr->ee.ee_type == PGM_LOSS) {
		const struct pgm_loss *l = (const struct pgm_loss *)skb->data;

		rec->type = PGM_REC_LOSS;
		rec->tsi = l->tsi;
		rec->sqn = l->first_sqn;
	} else {
		const struct pgm_session_end *e = (const struct pgm_session_end *)skb->data;

		rec->type = PGM_REC_END;
		rec->tsi = e->tsi;
		rec->sqn = e->last_sqn;
	}
	skb_copy_bits(skb, 0, rec + 1, skb->len);
	pgm_ring_commit(r, rec);
	return true;
}

/* Move held records to the error queue (or the ring) while it takes them. */
static void pgm_flush_err(struct pgm_receiver *rcv)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&rcv->pending_err))) {
		if (rcv->ring) {
			if (!pgm_ring_put_event(rcv->ring, skb)) {
				__skb_queue_head(&rcv->pending_err, skb);
				break;
			}
			consume_skb(skb);
			continue;
		}
		if (sock_queue_err_skb(rcv->sk, skb)) {
			__skb_queue_head(&rcv->pending_err, skb);
			break;
		}
	}
}

/* One wake-up for all the records published since the last one. */
static void pgm_ring_wake(struct pgm_receiver *rcv)
{
	struct pgm_ring *r = rcv->ring;

	if (r && r->wake) {
		r->wake = false;
		r->st.wakeups++;
		rcv->sk->sk_data_ready(rcv->sk);
	}
}

/*
 * Queue a loss or session-end record behind any held ones.  A record is
 * dropped only past PGM_ERR_PENDING_MAX held (a reader that never reads);
 * the counters and sk_err still tell.
 */
static void pgm_queue_err(struct pgm_receiver *rcv, struct sk_buff *skb)
{
	if (skb_queue_len(&rcv->pending_err) >= PGM_ERR_PENDING_MAX) {
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&rcv->pending_err, skb);
	pgm_flush_err(rcv);
}

/* Report @count sqns from @first of @peer as lost (section 6.3). */
static void pgm_report_loss(struct pgm_receiver *rcv, struct pgm_peer *peer,
			    u32 first, u32 count)
{
	struct sock *sk = rcv->sk;
	struct sock_exterr_skb *serr;
	struct pgm_loss *rec;
	struct sk_buff *skb;

	rcv->st.losses += count;
	peer->losses += count;
	{
		struct pgm_nl_event ev = { .first = first, .count = count };

		pgm_peer_event(rcv, peer, PGM_CMD_LOSS_NTF, &ev);
	}
	skb = alloc_skb(sizeof(*rec), GFP_ATOMIC);
	if (skb) {
		rec = skb_put(skb, sizeof(*rec));
		rec->tsi = peer->tsi;
		rec->first_sqn = first;
		rec->count = count;
		serr = SKB_EXT_ERR(skb);
		memset(serr, 0, sizeof(*serr));
		serr->ee.ee_errno = ECONNRESET;
		serr->ee.ee_origin = SO_EE_ORIGIN_LOCAL;
		serr->ee.ee_type = PGM_LOSS;
		serr->ee.ee_info = first;
		serr->ee.ee_data = count;
		pgm_queue_err(rcv, skb);
	}
	if (pgm_sk(sk)->abort_on_loss)
		rcv->aborted = true;
	if (rcv->ring)
		return;		/* the record in the ring says it */
	WRITE_ONCE(sk->sk_err, ECONNRESET);
	sk_error_report(sk);
}

/*
 * Report the end of @peer's session, once.  The record goes on the error
 * queue next to loss records; sock_recv_errqueue() gives it as a control
 * message of type PGM_SESSION_END.
 */
static void pgm_report_end(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 reason)
{
	static const int err[] = {
		[PGM_END_FIN] = ESHUTDOWN,
		[PGM_END_RST] = ECONNRESET,
		[PGM_END_EXPIRED] = ETIMEDOUT,
	};
	struct sock_exterr_skb *serr;
	struct pgm_session_end *rec;
	struct sk_buff *skb;

	if (peer->end_reported)
		return;
	peer->end_reported = true;
	{
		struct pgm_nl_event ev = { .reason = reason, .last = peer->next - 1 };

		pgm_peer_event(rcv, peer, PGM_CMD_SESSION_END_NTF, &ev);
	}
	skb = alloc_skb(sizeof(*rec), GFP_ATOMIC);
	if (!skb)
		return;
	rec = skb_put(skb, sizeof(*rec));
	rec->tsi = peer->tsi;
	rec->reason = reason;
	rec->last_sqn = peer->next - 1;
	serr = SKB_EXT_ERR(skb);
	memset(serr, 0, sizeof(*serr));
	serr->ee.ee_errno = err[reason];
	serr->ee.ee_origin = SO_EE_ORIGIN_LOCAL;
	serr->ee.ee_type = PGM_SESSION_END;
	serr->ee.ee_info = reason;
	serr->ee.ee_data = rec->last_sqn;
	pgm_queue_err(rcv, skb);
}

/*
 * Are the fragments of the APDU at @first all here?  Sets *@nfrags (how
 * many), or *@lost when they can never make the APDU.
 */
static bool pgm_apdu_complete(struct pgm_peer *peer, u32 first, u32 *nfrags, bool *lost)
{
	struct pgm_slot *s = slot_get(peer, first, false);
	u32 apdu_len, have = 0, n = 0;

	*lost = false;
	apdu_len = s->apdu_len;
	/* Walk the fragments: each in order, contiguous, same APDU. */
	while (have < apdu_len) {
		u32 sqn = first + n;

		if (pgm_sqn_before(peer->lead, sqn))
			return false;	/* the rest has not arrived yet */
		s = slot_get(peer, sqn, false);
		if (!s || s->state == SLOT_BACKOFF || s->state == SLOT_WAIT_NCF ||
		    s->state == SLOT_WAIT_DATA || s->state == SLOT_NONE)
			return false;
		if (s->state == SLOT_LOST || !s->frag || s->first != first ||
		    s->apdu_len != apdu_len || s->skb->len > apdu_len - have) {
			*lost = true;
			*nfrags = n + 1;
			return false;
		}
		have += s->skb->len;
		n++;
		if (n > peer_size(peer)) {
			*lost = true;
			*nfrags = n;
			return false;
		}
	}
	*nfrags = n;
	return true;
}

/* One skb of the @n fragments at @first (complete); NULL when out of memory. */
static struct sk_buff *pgm_reassemble(struct pgm_peer *peer, u32 first, u32 n)
{
	u32 apdu_len = slot_get(peer, first, false)->apdu_len, have;
	struct pgm_slot *s;
	struct sk_buff *apdu;

	apdu = alloc_skb(apdu_len, GFP_ATOMIC);
	if (!apdu)
		return NULL;
	for (have = 0; have < n; have++) {
		s = slot_get(peer, first + have, false);
		skb_copy_bits(s->skb, 0, skb_put(apdu, s->skb->len), s->skb->len);
	}
	return apdu;
}

/*
 * Queue the APDU of the @n slots from peer->next (@s is the first) on the
 * socket's receive queue: its length, or -ENOBUFS when the queue is full
 * or memory is short; then the APDU stays in the window.
 */
static int pgm_queue_apdu(struct pgm_receiver *rcv, struct pgm_peer *peer,
			  struct pgm_slot *s, u32 n)
{
	unsigned int truesize = 0;
	struct sk_buff *skb;
	int len;

	if (s->frag) {
		skb = pgm_reassemble(peer, peer->next, n);
		if (!skb)
			return -ENOBUFS;
	} else {
		skb = s->skb;
		truesize = skb->truesize;
	}
	pgm_cb(skb)->tsi = peer->tsi;
	pgm_cb(skb)->saddr = peer->saddr;
	pgm_cb(skb)->sqn = peer->next;
	/* Once queued, a reader on another CPU may free it at once. */
	len = skb->len;
	if (sock_queue_rcv_skb(rcv->sk, skb) < 0) {
		if (s->frag)
			kfree_skb(skb);
		return -ENOBUFS;
	}
	if (!s->frag) {
		s->skb = NULL;
		rcv_uncharge(rcv, peer, truesize);
	}
	return len;
}

/* Delivery of @peer stopped for want of room: the reader's next read resumes it. */
static void pgm_block(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	if (list_empty(&peer->blocked))
		list_add_tail(&peer->blocked, &rcv->blocked);
}

/*
 * The APDU of @n slots at peer->next (@len bytes) into the ring, copied
 * straight from the slots: 0, or -ENOBUFS when there is no room (the ring,
 * or for a spilled APDU the receive queue), and the APDU stays in the
 * window.  Records held back (loss, end) go first, so the ring keeps the
 * order in which things happened.
 */
static int pgm_ring_deliver(struct pgm_receiver *rcv, struct pgm_peer *peer,
			    u32 n, u32 len)
{
	struct pgm_ring *r = rcv->ring;
	struct pgm_slot *s = slot_get(peer, peer->next, false);
	u32 rlen = pgm_ring_reclen(len), k, off;
	struct pgm_ring_rec *rec;

	if (!skb_queue_empty(&rcv->pending_err)) {
		pgm_flush_err(rcv);
		if (!skb_queue_empty(&rcv->pending_err))
			return -ENOBUFS;
	}
	if (rlen > r->size / 2) {
		/* Too large for the ring: a SPILL record, the APDU to recvmsg(). */
		rec = pgm_ring_reserve(r, pgm_ring_reclen(0));
		if (!rec)
			return -ENOBUFS;
		if (pgm_queue_apdu(rcv, peer, s, n) < 0)
			return -ENOBUFS;
		rec->type = PGM_REC_SPILL;
		r->st.spilled++;
	} else {
		rec = pgm_ring_reserve(r, rlen);
		if (!rec)
			return -ENOBUFS;
		for (k = 0, off = 0; k < n; k++) {
			struct sk_buff *f = slot_get(peer, peer->next + k, false)->skb;

			skb_copy_bits(f, 0, (u8 *)(rec + 1) + off, f->len);
			off += f->len;
		}
		rec->type = PGM_REC_DATA;
		r->st.bytes += len;
	}
	rec->data_len = len;
	rec->sqn = peer->next;
	rec->tsi = peer->tsi;
	rec->saddr = peer->saddr;
	pgm_ring_commit(r, rec);
	return 0;
}

/* Deliver what is complete and in order; report what is lost. */
static void pgm_deliver(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	u32 lost_first = 0, lost_count = 0;

	lockdep_assert_held(&rcv->lock);
	while (peer->started && !pgm_sqn_before(peer->lead, peer->next)) {
		struct pgm_slot *s = slot_get(peer, peer->next, false);
		u32 n = 1;
		int len;

		if (!s || s->state == SLOT_NONE || s->state == SLOT_BACKOFF ||
		    s->state == SLOT_WAIT_NCF || s->state == SLOT_WAIT_DATA)
			break;
		if (s->state == SLOT_LOST) {
			if (!lost_count)
				lost_first = peer->next;
			lost_count++;
			slot_clear(peer, s);
			peer->next++;
			continue;
		}
		if (s->frag && s->first != peer->next &&
		    !pgm_sqn_before(s->first, peer->joined)) {
			/*
			 * The head of this APDU is gone: so is the APDU, and
			 * the loss reported takes this fragment in.
			 */
			s->state = SLOT_LOST;
			continue;
		}
		if (lost_count) {
			pgm_report_loss(rcv, peer, lost_first, lost_count);
			lost_count = 0;
		}
		if (s->frag) {
			bool lost;

			if (s->first != peer->next) {
				slot_clear(peer, s);	/* began before we joined */
				peer->next++;
				continue;
			}
			if (!pgm_apdu_complete(peer, peer->next, &n, &lost)) {
				u32 k;

				if (!lost)
					break;	/* wait for the rest */
				for (k = 0; k < n; k++)
					slot_get(peer, peer->next + k, false)->state = SLOT_LOST;
				continue;
			}
		}
		if (rcv->ring) {
			len = s->frag ? s->apdu_len : s->skb->len;
			if (pgm_ring_deliver(rcv, peer, n, len)) {
				pgm_block(rcv, peer);
				break;	/* full: it waits in the window */
			}
			goto delivered;
		}
		/* Receive queue full (or no memory): it waits in the window. */
		len = pgm_queue_apdu(rcv, peer, s, n);
		if (len < 0) {
			pgm_block(rcv, peer);
			break;
		}
delivered:
		rcv->st.apdus_delivered++;
		rcv->st.data_bytes_received += len;
		while (n--)
			slot_clear(peer, slot_get(peer, peer->next++, false));
	}
	if (lost_count)
		pgm_report_loss(rcv, peer, lost_first, lost_count);
	/* After the last of its data, a finished session says so. */
	if (peer->ended && pgm_sqn_before(peer->lead, peer->next)) {
		pgm_report_end(rcv, peer, peer->ended);
		/* An expired one is then freed, by its timer. */
		if (peer->expired)
			mod_timer(&peer->timer, jiffies);
	}
	pgm_ring_wake(rcv);
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
static void pgm_slide_to(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 trail)
{
	u32 lost_first = peer->next, lost = 0;

	if (pgm_sqn_before(trail, peer->next))
		return;		/* trail not ahead of us */
	while (pgm_sqn_before(peer->next, trail) && !pgm_sqn_before(peer->lead, peer->next)) {
		struct pgm_slot *s = slot_get(peer, peer->next, false);

		if (s && s->state == SLOT_HAVE)
			break;
		if (s)
			slot_clear(peer, s);
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
static bool pgm_extend(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn,
		       u8 state)
{
	unsigned long bo, now = jiffies;
	u32 s;

	if (!pgm_sqn_before(peer->lead, sqn))
		return true;
	/* The window never reaches beyond next + size (section 3.4). */
	if ((u32)(sqn - peer->next) > peer_size(peer))
		return false;
	/* One back-off for all: they go out together, in one NAK list. */
	bo = now + pgm_backoff(peer->p.nak_bo_ivl);
	for (s = peer->lead + 1; s != sqn; s++) {
		struct pgm_slot *sl = slot_get(peer, s, true);

		if (!sl)
			return false;
		slot_clear(peer, sl);
		if (state == SLOT_WAIT_DATA)
			slot_deadline(peer, sl, SLOT_WAIT_DATA,
				      now + pgm_usecs_to_jiffies(peer->p.nak_rdata_ivl));
		else
			slot_deadline(peer, sl, SLOT_BACKOFF, bo);
		peer->lead = s;
	}
	return true;
}

static struct pgm_peer *pgm_peer_find(struct pgm_receiver *rcv, const struct pgm_tsi *tsi)
{
	struct pgm_peer *peer;

	hlist_for_each_entry(peer, &rcv->peers[tsi_hash(rcv, tsi)], node)
		if (!memcmp(&peer->tsi, tsi, sizeof(*tsi)))
			return peer;
	return NULL;
}

static void pgm_peer_timer(struct timer_list *t);

/*
 * A new session heard from @iph->saddr, or NULL: past the socket's or the
 * netns's session limit (rx-sessions, rx-sessions-netns), past the memory
 * budget, or out of memory; refusals are counted.  Its window's slots come
 * later, a chunk at a time, as data needs them.
 */
static struct pgm_peer *pgm_peer_new(struct pgm_receiver *rcv, const struct pgm_tsi *tsi,
				     const struct iphdr *iph, __be16 dport)
{
	struct pgm_sock *ps = pgm_sk(rcv->sk);
	struct pgm_net *pn = rcv->pn;
	u32 slots = roundup_pow_of_two(READ_ONCE(ps->params.rxw_sqns));
	struct pgm_peer *peer;

	lockdep_assert_held(&rcv->lock);
	if (rcv->npeers >= READ_ONCE(pn->rx_sessions))
		goto refuse;
	if (atomic_inc_return(&pn->rx_sessions_used) > (int)READ_ONCE(pn->rx_sessions_netns))
		goto uncount;
	/* Sessions are bounded by number: only the netns's total may refuse one. */
	if (!rcv_charge(rcv, NULL, sizeof(*peer), true))
		goto uncount;
	peer = kzalloc(sizeof(*peer), GFP_ATOMIC | __GFP_NOWARN);
	if (!peer) {
		rcv_uncharge(rcv, NULL, sizeof(*peer));
		goto uncount;
	}
	peer->mem = sizeof(*peer);
	peer->rcv = rcv;
	peer->tsi = *tsi;
	peer->dport = dport;
	peer->saddr = iph->saddr;
	peer->group = iph->daddr;
	peer->p = ps->params;
	peer->size = peer->p.rxw_sqns;
	peer->mask = slots - 1;
	peer->nchunks = DIV_ROUND_UP(slots, SLOTS_PER_CHUNK);
	peer->last_heard = jiffies;
	peer->spmr_at = jiffies + pgm_backoff(peer->p.spmr_expiry);
	INIT_LIST_HEAD(&peer->blocked);
	timer_setup(&peer->timer, pgm_peer_timer, 0);
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

/* Take @peer out of the receiver (its memory is freed by pgm_peer_free). */
static void pgm_peer_unlink(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	lockdep_assert_held(&rcv->lock);
	hlist_del(&peer->node);
	list_del_init(&peer->blocked);
	rcv->npeers--;
	atomic_dec(&rcv->pn->rx_sessions_used);
	rcv_uncharge(rcv, NULL, peer->mem);
	peer->mem = 0;
	atomic_inc(&rcv->pn->peer_gen);
}

static void pgm_peer_free(struct pgm_peer *peer)
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
	kfree(peer);
}

/*
 * May @peer's session make us send @n more packets (NAKs, SPMRs)?  Takes
 * them from its credit (PGM_NAK_CREDIT per packet it sent us).
 */
static bool peer_spend(struct pgm_peer *peer, u16 n)
{
	if (peer->credit < n)
		return false;
	peer->credit -= n;
	return true;
}

/* Send a NAK for @sqns (the first, then up to 62 in OPT_NAK_LIST). */
static void pgm_send_nak(struct pgm_receiver *rcv, struct pgm_peer *peer,
			 const __be32 *sqns, unsigned int n)
{
	/* Upstream: source port is the data-destination port (8.3). */
	struct sk_buff *skb = pgm_build_nak(PGM_NAK, peer->dport, peer->tsi.sport,
					    peer->tsi.gsi, peer->nla, peer->group,
					    sqns, n);

	if (!skb)
		return;
	if (!pgm_xmit(rcv->sk, skb, peer->nla, false)) {
		rcv->st.naks_sent += n;
		peer->naks_sent += n;
	}
}

/* One SPMR (section 8.4) for @peer's session to @daddr, with IP TTL @ttl. */
static void pgm_send_spmr_to(struct pgm_receiver *rcv, struct pgm_peer *peer,
			     __be32 daddr, u8 ttl)
{
	struct sk_buff *skb = pgm_alloc_pkt(PGM_HDR_LEN, GFP_ATOMIC);

	if (!skb)
		return;
	pgm_fill_hdr(skb, peer->dport, peer->tsi.sport, PGM_SPMR, 0, peer->tsi.gsi, 0);
	pgm_set_csum(skb);
	if (!pgm_xmit_ttl(rcv->sk, skb, daddr, false, ttl))
		rcv->st.spmrs_sent++;
}

/*
 * Appendix C (13.5): the multicast SPMR with TTL 1 goes first, so that
 * other receivers on the subnet hold theirs back, then the unicast one to
 * the source.
 */
static void pgm_send_spmr(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	pgm_send_spmr_to(rcv, peer, peer->group, 1);
	pgm_send_spmr_to(rcv, peer, peer->saddr, 0);
}

/*
 * Section 6: a source silent for PGM_PEER_EXPIRY is gone.  What is missing
 * can no longer be repaired and is reported lost; what we hold is still
 * delivered, however slow the reader: the session ends (and its peer is
 * freed by its timer) only after the last of it.
 */
static void pgm_peer_expire(struct pgm_receiver *rcv, struct pgm_peer *peer)
{
	u32 sqn;

	peer->expired = true;
	peer->bo_pending = false;
	peer->wait_pending = false;
	if (!peer->end_reported)
		peer->ended = PGM_END_EXPIRED;
	for (sqn = peer->next; peer->started && !pgm_sqn_before(peer->lead, sqn); sqn++) {
		struct pgm_slot *s = slot_get(peer, sqn, false);

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
 * The NAK state machine's clock: one timer per peer, at its next deadline.
 * It walks the window (at most PGM_RXW_SQNS slots) only when a deadline is
 * due, and leaves @bo_at/@wait_at exact.
 */
static void pgm_peer_timer(struct timer_list *t)
{
	struct pgm_peer *peer = from_timer(peer, t, timer);
	struct pgm_receiver *rcv = peer->rcv;
	unsigned long now = jiffies;
	__be32 nak[1 + PGM_NAK_LIST_MAX];
	unsigned int nnak = 0;
	bool can_nak, deferred = false;
	u32 sqn;

	spin_lock_bh(&rcv->lock);
	if (rcv->dead)
		goto out;
	if (!peer->expired && time_after_eq(now, peer->last_heard +
					    pgm_usecs_to_jiffies(peer->p.peer_expiry)))
		pgm_peer_expire(rcv, peer);
	if (peer->expired) {
		if (!peer->end_reported)
			goto out;	/* the reader's next read goes on */
		pgm_peer_unlink(rcv, peer);
		spin_unlock_bh(&rcv->lock);
		del_timer(&peer->timer);	/* re-armed by the last delivery */
		pgm_peer_free(peer);
		return;
	}
	can_nak = peer->nla && peer->credit;
	if (peer->started &&
	    ((peer->wait_pending && !time_before(now, peer->wait_at)) ||
	     (peer->bo_pending && can_nak && !time_before(now, peer->bo_at)))) {
		peer->bo_pending = false;
		peer->wait_pending = false;
		for (sqn = peer->next; !pgm_sqn_before(peer->lead, sqn); sqn++) {
			struct pgm_slot *s = slot_get(peer, sqn, false);

			if (!s || s->state == SLOT_NONE || s->state == SLOT_HAVE ||
			    s->state == SLOT_LOST)
				continue;
			if (time_before(now, s->deadline)) {
				slot_deadline(peer, s, s->state, s->deadline);
				continue;
			}
			switch (s->state) {
			case SLOT_BACKOFF:
				/* No SPM yet (nowhere to send), no credit, or the list is full. */
				if (!can_nak || nnak == ARRAY_SIZE(nak)) {
					deferred |= !!peer->nla && !peer->credit;
					slot_deadline(peer, s, SLOT_BACKOFF, s->deadline);
					break;
				}
				nak[nnak++] = htonl(sqn);
				slot_deadline(peer, s, SLOT_WAIT_NCF,
					      now + pgm_usecs_to_jiffies(peer->p.nak_rpt_ivl));
				break;
			case SLOT_WAIT_NCF:
				if (++s->ncf_retries > peer->p.nak_ncf_retries) {
					s->state = SLOT_LOST;
					break;
				}
				slot_backoff(peer, s);
				break;
			case SLOT_WAIT_DATA:
				if (++s->data_retries > peer->p.nak_data_retries) {
					s->state = SLOT_LOST;
					break;
				}
				slot_backoff(peer, s);
				break;
			}
		}
	}
	if (nnak && peer_spend(peer, 1))
		pgm_send_nak(rcv, peer, nak, nnak);
	if (deferred)
		rcv->st.naks_deferred++;
	if (!peer->spm_seen && time_after_eq(now, peer->spmr_at)) {
		if (peer->spmr_wait) {
			/* No SPM came: a new back-off, then ask again. */
			peer->spmr_wait = false;
			peer->spmr_at = now + pgm_backoff(peer->p.spmr_expiry);
		} else if (peer_spend(peer, 2)) {
			pgm_send_spmr(rcv, peer);
			peer->spmr_wait = true;
			peer->spmr_at = now + pgm_usecs_to_jiffies(peer->p.spmr_expiry);
		}
	}
	pgm_deliver(rcv, peer);
	peer_arm(peer);
out:
	spin_unlock_bh(&rcv->lock);
}

/*
 * Arm the peer's timer for its earliest deadline (or expiry): O(1), from
 * the earliest deadlines kept as slots change state.  Back-offs count only
 * when a NAK could go (an NLA known, credit left), SPMRs likewise.
 */
static void peer_arm(struct pgm_peer *peer)
{
	unsigned long when = peer->last_heard + pgm_usecs_to_jiffies(peer->p.peer_expiry);

	if (peer->expired) {
		/* Drained: the timer frees it; otherwise the reader drives it. */
		if (peer->end_reported)
			mod_timer(&peer->timer, jiffies);
		return;
	}
	if (!peer->spm_seen && (peer->spmr_wait || peer->credit >= 2) &&
	    time_before(peer->spmr_at, when))
		when = peer->spmr_at;
	if (peer->wait_pending && time_before(peer->wait_at, when))
		when = peer->wait_at;
	if (peer->bo_pending && peer->nla && peer->credit && time_before(peer->bo_at, when))
		when = peer->bo_at;
	mod_timer(&peer->timer, when);
}

/* Read OPT_FRAGMENT, OPT_JOIN, OPT_FIN and OPT_RST of a data packet or SPM. */
static void pgm_read_opts(const u8 *d, const struct pgm_wire_info *info,
			  struct pgm_slot *frag, u8 *end, u32 *join, bool *has_join)
{
	const struct pgm_opt_fragment *of;
	const struct pgm_opt_join *oj;
	const struct pgm_opt *o;

	pgm_for_each_opt(o, d, info) {
		switch (pgm_opt_type(o)) {
		case PGM_OPT_FRAGMENT:
			of = (const void *)o;
			if (frag && o->len >= sizeof(*of)) {
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

static void pgm_rx_data(struct pgm_receiver *rcv, struct pgm_peer *peer,
			struct sk_buff *skb, const struct pgm_wire_info *info)
{
	const struct pgm_data *dh = pgm_body(skb->data);
	u32 sqn = ntohl(dh->sqn);
	u32 trail = ntohl(dh->trail);
	struct pgm_slot meta = {}, *s;
	bool has_join = false;
	u32 join = 0;
	u8 end = 0;

	if (info->type == PGM_ODATA)
		rcv->st.odata_received++;
	else
		rcv->st.rdata_received++;
	pgm_read_opts(skb->data, info, &meta, &end, &join, &has_join);
	if (meta.frag && (meta.apdu_len > PGM_APDU_MAX || !meta.apdu_len ||
			  pgm_sqn_before(sqn, meta.first))) {
		rcv->st.malformed++;
		return;
	}
	if (!peer->started) {
		/*
		 * Late join: the session starts with the first data seen; the
		 * rest of an APDU that began before us is skipped silently.
		 */
		peer->started = true;
		peer->next = sqn;
		/*
		 * Section 9.4: OPT_JOIN lets us ask for earlier data; the source
		 * sends it while its first sqn is in the window, so receivers
		 * that lost the session's first packets still get them.
		 */
		if (has_join && pgm_sqn_before(join, sqn) &&
		    (u32)(sqn - join) < peer_size(peer))
			peer->next = join;
		peer->lead = peer->next - 1;
		peer->joined = peer->next;
		pgm_peer_started(rcv, peer);
	}
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
	s = __slot_get(peer, sqn, true, sqn == peer->next);
	if (!s)
		return;
	if (s->state == SLOT_HAVE) {
		rcv->st.duplicates++;
		return;
	}
	skb = skb_clone(skb, GFP_ATOMIC);
	if (!skb)
		return;
	/*
	 * The route the packet came in on is only valid in this softirq
	 * (a noref dst); held data is delivered later, from timers and from
	 * recvmsg(), and needs no route.
	 */
	skb_dst_drop(skb);
	/*
	 * Held data is charged; past the budget it is refused and stays
	 * missing (NAKed again later), except the packet delivery waits for.
	 */
	if (!rcv_charge(rcv, peer, skb->truesize, sqn == peer->next)) {
		kfree_skb(skb);
		return;
	}
	slot_clear(peer, s);
	skb_pull(skb, info->hdr_len + info->opt_len);
	s->skb = skb;
	s->state = SLOT_HAVE;
	s->frag = meta.frag;
	s->first = meta.first;
	s->apdu_len = meta.apdu_len;
	if (!pgm_sqn_before(sqn, peer->lead + 1))
		peer->lead = sqn;
	if (end)
		peer->ended = end;
}

/*
 * The path NLA of an SPM: where our NAKs go (section 6.2).  A unicast
 * address only (never a group or broadcast: NAKs are not reflected at
 * many), and, damping its jitter (section 10), a new one is taken only when
 * two SPMs in a row carry it.
 */
static void pgm_peer_nla(struct pgm_receiver *rcv, struct pgm_peer *peer, __be32 nla)
{
	if (ipv4_is_multicast(nla) || ipv4_is_lbcast(nla) || ipv4_is_zeronet(nla)) {
		rcv->st.malformed++;
		return;
	}
	if (!peer->nla || nla == peer->nla || nla == peer->nla_new) {
		peer->nla = nla;
		peer->nla_new = 0;
	} else {
		peer->nla_new = nla;
	}
}

static void pgm_rx_spm(struct pgm_receiver *rcv, struct pgm_peer *peer,
		       struct sk_buff *skb, const struct pgm_wire_info *info)
{
	const struct pgm_spm *spm = pgm_body(skb->data);
	u32 spm_sqn = ntohl(spm->sqn);
	u32 trail = ntohl(spm->trail);
	u32 lead = ntohl(spm->lead);
	bool has_join = false;
	u32 join = 0;
	u8 end = 0;

	/* Section 6.2: an SPM older than the last one is discarded. */
	if (peer->spm_seen && !pgm_sqn_before(peer->spm_sqn, spm_sqn))
		return;
	rcv->st.spms_received++;
	peer->spm_seen = true;
	peer->spm_sqn = spm_sqn;
	if (ntohs(spm->nla.afi) == PGM_AFI_IP)
		pgm_peer_nla(rcv, peer, spm->nla.addr);
	pgm_read_opts(skb->data, info, NULL, &end, &join, &has_join);
	if (end)
		peer->ended = end;
	if (end == PGM_END_RST) {
		/* Section 9.8.1: reset now, without waiting for repairs. */
		pgm_report_end(rcv, peer, PGM_END_RST);
		return;
	}
	if (!peer->started) {
		/*
		 * Started by an SPM: no NAKs for what came before, unless its
		 * OPT_JOIN (section 9.4) says where the session began.
		 */
		peer->started = true;
		peer->next = lead + 1;
		peer->lead = lead;
		if (has_join && !pgm_sqn_before(lead, join) &&
		    (u32)(lead + 1 - join) < peer_size(peer)) {
			peer->next = join;
			peer->lead = join - 1;
			pgm_extend(rcv, peer, lead + 1, SLOT_BACKOFF);
		}
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
static void pgm_ncf_one(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn)
{
	struct pgm_slot *s;

	rcv->st.ncfs_received++;
	if (!peer->started || pgm_sqn_before(sqn, peer->next) ||
	    (u32)(sqn - peer->next) >= peer_size(peer))
		return;	/* outside the window: changes nothing */
	if (pgm_sqn_before(peer->lead, sqn)) {
		/* An NCF for data not seen yet: it is missing too. */
		if (!pgm_extend(rcv, peer, sqn + 1, SLOT_WAIT_DATA))
			return;
		s = slot_get(peer, sqn, true);
		if (s) {
			slot_clear(peer, s);
			slot_deadline(peer, s, SLOT_WAIT_DATA,
				      jiffies + pgm_usecs_to_jiffies(peer->p.nak_rdata_ivl));
		}
		return;
	}
	s = slot_get(peer, sqn, false);
	if (s && (s->state == SLOT_BACKOFF || s->state == SLOT_WAIT_NCF))
		slot_deadline(peer, s, SLOT_WAIT_DATA,
			      jiffies + pgm_usecs_to_jiffies(peer->p.nak_rdata_ivl));
}

static void pgm_rx_ncf(struct pgm_receiver *rcv, struct pgm_peer *peer,
		       struct sk_buff *skb, const struct pgm_wire_info *info)
{
	const struct pgm_nak *nk = pgm_body(skb->data);
	const struct pgm_opt *o;
	unsigned int k;

	pgm_ncf_one(rcv, peer, ntohl(nk->sqn));
	if (!(info->opt_seen & (1U << PGM_OPT_NAK_LIST)))
		return;
	pgm_for_each_opt(o, skb->data, info) {
		if (pgm_opt_type(o) != PGM_OPT_NAK_LIST)
			continue;
		for (k = 0; k < pgm_nak_list_len(o); k++)
			pgm_ncf_one(rcv, peer, pgm_nak_list_sqn(o, k));
	}
}

/*
 * Downstream packets (SPM, ODATA, RDATA, NCF) for this receiver, from the
 * input path in softirq; @skb->data is the PGM header.
 */
void pgm_receiver_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct pgm_wire_info *info)
{
	struct pgm_receiver *rcv = rcu_dereference(pgm_sk(sk)->rcv);
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;
	__be32 saddr = ip_hdr(skb)->saddr;
	struct pgm_peer *peer;
	struct pgm_tsi tsi;

	if (!rcv)
		return;
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
		 * sent it.
		 */
		if (peer && !peer->spm_seen && !peer->spmr_wait) {
			peer->spmr_wait = true;
			peer->spmr_at = jiffies + pgm_usecs_to_jiffies(peer->p.spmr_expiry);
			peer_arm(peer);
		}
		goto out;
	}
	if (!peer) {
		if (info->type == PGM_NCF)
			goto out;	/* nothing to confirm for a stranger */
		peer = pgm_peer_new(rcv, &tsi, ip_hdr(skb), ph->dport);
		if (!peer)
			goto out;
	} else if (saddr != peer->saddr && !(info->type == PGM_NCF && saddr == peer->nla)) {
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
	peer->last_heard = jiffies;
	peer->credit = min_t(u16, peer->credit + PGM_NAK_CREDIT, PGM_NAK_CREDIT_MAX);
	switch (info->type) {
	case PGM_ODATA:
	case PGM_RDATA:
		pgm_rx_data(rcv, peer, skb, info);
		break;
	case PGM_SPM:
		if (info->hdr_len == PGM_SPM4_HLEN)
			pgm_rx_spm(rcv, peer, skb, info);
		else
			rcv->st.malformed++;	/* IPv6 path NLA: not reachable here */
		break;
	case PGM_NCF:
		pgm_rx_ncf(rcv, peer, skb, info);
		break;
	}
	pgm_deliver(rcv, peer);
	peer_arm(peer);
out:
	spin_unlock_bh(&rcv->lock);
}

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
	rcv->hash_seed = get_random_u32();
	__skb_queue_head_init(&rcv->pending_err);
	INIT_LIST_HEAD(&rcv->blocked);
	for (i = 0; i < PGM_PEER_HASH; i++)
		INIT_HLIST_HEAD(&rcv->peers[i]);
	rcu_assign_pointer(pgm_sk(sk)->rcv, rcv);
	return 0;
}

void pgm_receiver_stop(struct sock *sk)
{
	struct pgm_receiver *rcv = rcv_get(sk);
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
			pgm_peer_unlink(rcv, peer);
			hlist_add_head(&peer->node, &gone);
		}
	}
	spin_unlock_bh(&rcv->lock);
	hlist_for_each_entry_safe(peer, tmp, &gone, node) {
		timer_shutdown_sync(&peer->timer);
		pgm_peer_free(peer);
	}
	RCU_INIT_POINTER(pgm_sk(sk)->rcv, NULL);
	/* The receiver is dead: nobody else touches pending_err now. */
	__skb_queue_purge(&rcv->pending_err);
	kfree_rcu(rcv, rcu);
}

/*
 * Delivery resumes for the sessions that stopped for want of room (and
 * only those: the reader's room does not concern the others).
 */
static void pgm_deliver_blocked(struct pgm_receiver *rcv)
{
	struct pgm_peer *peer, *tmp;
	LIST_HEAD(list);

	lockdep_assert_held(&rcv->lock);
	list_splice_init(&rcv->blocked, &list);
	list_for_each_entry_safe(peer, tmp, &list, blocked) {
		list_del_init(&peer->blocked);
		pgm_deliver(rcv, peer);
	}
}

/*
 * recvmsg(MSG_ERRQUEUE): one loss or session-end record as data, and its
 * sock_extended_err as a control message at SOL_PGM whose type says which
 * (PGM_LOSS or PGM_SESSION_END, kept in ee_type).
 */
static int pgm_recv_errqueue(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct sock_exterr_skb *serr;
	struct sk_buff *skb;
	size_t copied;
	int err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	copied = min_t(size_t, len, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err) {
		serr = SKB_EXT_ERR(skb);
		put_cmsg(msg, SOL_PGM, serr->ee.ee_type, sizeof(serr->ee), &serr->ee);
		msg->msg_flags |= MSG_ERRQUEUE;
		err = copied;
	}
	consume_skb(skb);

	/* Room again: records held back follow. */
	lock_sock(sk);
	{
		struct pgm_receiver *rcv = rcv_get(sk);

		if (rcv) {
			spin_lock_bh(&rcv->lock);
			pgm_flush_err(rcv);
			spin_unlock_bh(&rcv->lock);
		}
	}
	release_sock(sk);
	return err;
}

/* recvmsg(): one APDU, with the source's address and TSI in msg_name. */
int pgm_receiver_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			 int flags, int *addr_len)
{
	DECLARE_SOCKADDR(struct sockaddr_pgm *, sa, msg->msg_name);
	struct pgm_receiver *rcv;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_ERRQUEUE)
		return pgm_recv_errqueue(sk, msg, len);
	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_CMSG_CLOEXEC))
		return -EOPNOTSUPP;

	lock_sock(sk);
	rcv = rcv_get(sk);
	if (!rcv) {
		release_sock(sk);
		return -ENOTCONN;
	}
	if (rcv->aborted) {
		release_sock(sk);
		return -ECONNRESET;
	}
	release_sock(sk);

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = min_t(size_t, len, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err && sa) {
		memset(sa, 0, sizeof(*sa));
		sa->sin.sin_family = AF_INET;
		sa->sin.sin_port = pgm_cb(skb)->tsi.sport;
		sa->sin.sin_addr.s_addr = pgm_cb(skb)->saddr;
		sa->tsi = pgm_cb(skb)->tsi;
		*addr_len = sizeof(*sa);
	}
	if (!err && READ_ONCE(pgm_sk(sk)->recv_sqn)) {
		u32 sqn = pgm_cb(skb)->sqn;

		/* Sets MSG_CTRUNC itself when the buffer is too small. */
		put_cmsg(msg, SOL_PGM, PGM_RECVSQN, sizeof(sqn), &sqn);
	}
	if (!err)
		err = (flags & MSG_TRUNC) ? skb->len : copied;
	skb_free_datagram(sk, skb);

	/* Room in the queue again: deliver what waited in the windows. */
	if (!(flags & MSG_PEEK)) {
		lock_sock(sk);
		rcv = rcv_get(sk);
		if (rcv) {
			spin_lock_bh(&rcv->lock);
			pgm_flush_err(rcv);
			pgm_deliver_blocked(rcv);
			spin_unlock_bh(&rcv->lock);
		}
		release_sock(sk);
	}
	return err;
}

/*
 * poll() on a socket with a ring: when delivery stopped on a full ring,
 * move what waits (held records, then each session's data) in now that the
 * application may have released space.  Process context, no socket lock.
 */
void pgm_receiver_ring_kick(struct sock *sk)
{
	struct pgm_receiver *rcv;

	rcu_read_lock();
	rcv = rcu_dereference(pgm_sk(sk)->rcv);
	if (rcv && rcv->ring && READ_ONCE(rcv->ring->blocked)) {
		spin_lock_bh(&rcv->lock);
		if (!rcv->dead) {
			pgm_flush_err(rcv);
			pgm_deliver_blocked(rcv);
			pgm_ring_wake(rcv);
		}
		spin_unlock_bh(&rcv->lock);
	}
	rcu_read_unlock();
}

/* The ring's counters (zero without a ring); under the socket lock. */
void pgm_receiver_ring_stats(struct sock *sk, struct pgm_rx_ring_stats *st)
{
	struct pgm_receiver *rcv = rcv_get(sk);
	struct pgm_ring *r = pgm_sk(sk)->ring;

	memset(st, 0, sizeof(*st));
	if (!r)
		return;
	if (!rcv) {
		*st = r->st;
		return;
	}
	spin_lock_bh(&rcv->lock);
	*st = r->st;
	spin_unlock_bh(&rcv->lock);
}

void pgm_receiver_stats(struct sock *sk, struct pgm_receiver_stats *st)
{
	struct pgm_receiver *rcv = rcv_get(sk);

	memset(st, 0, sizeof(*st));
	if (!rcv)
		return;
	spin_lock_bh(&rcv->lock);
	*st = rcv->st;
	st->peers = rcv->npeers;
	st->mem = rcv->mem;
	spin_unlock_bh(&rcv->lock);
}

/*
 * For a dump, under rcu_read_lock() (@rcv was read with rcu_dereference):
 * false when the receiver is going away.
 */
bool pgm_receiver_info(struct pgm_receiver *rcv, struct pgm_receiver_info *ri)
{
	bool ok;

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

/*
 * For the peer dump, under rcu_read_lock(): call @fill for each peer after
 * the first *@skip (in hash order), under rcv->lock, so @fill must not
 * sleep.  Stops at the first error of @fill (a full message: the dump
 * goes on from there next time); *@skip counts the peers done.
 */
int pgm_receiver_peers(struct pgm_receiver *rcv, unsigned long *skip,
		       int (*fill)(const struct pgm_peer_info *pi, void *arg), void *arg)
{
	unsigned long idx = 0, now = jiffies;
	struct pgm_peer *peer;
	unsigned int i;
	int err = 0;

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
				.idle_ms = jiffies_to_msecs(now - peer->last_heard),
				.losses = peer->losses,
				.naks_sent = peer->naks_sent,
			};

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
