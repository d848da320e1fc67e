// SPDX-License-Identifier: GPL-2.0
/*
 * deliver.c - what a receiver hands to the application (RFC 3208 section
 * 6): complete APDUs in order, reassembled from OPT_FRAGMENT, on the
 * socket's receive queue or in the mmap ring; loss and session-end records
 * on the error queue or in the ring, in the order things happened; and
 * recvmsg() on a receiver.
 *
 * The receive window and the NAK machine that fill the slots are in
 * receiver.c.  Delivery stops while the receive queue (SO_RCVBUF) or the
 * ring is full: the data then waits in the window and the session goes on
 * rcv->blocked until the reader makes room (recvmsg(), poll() on a ring).
 * Records that the error queue cannot take yet wait on rcv->pending_err.
 *
 * Locking: as receiver.c, everything under rcv->lock; recvmsg() finds the
 * receiver under RCU and takes rcv->lock only when delivery waits for the
 * room it made (rcv->waiting, pgm_wait_for_reader()).
 */
#include <linux/skbuff.h>
#include <linux/errqueue.h>
#include <net/sock.h>

#include "receiver.h"

#define PGM_ERR_PENDING_MAX	1024

/**
 * pgm_peer_event - an event about a session for the netlink group
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @cmd: PGM_CMD_*_NTF
 * @ev: the event's own fields; the session's are filled in here
 */
void pgm_peer_event(struct pgm_receiver *rcv, struct pgm_peer *peer, u8 cmd,
		    struct pgm_nl_event *ev)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	ev->cmd = cmd;
	ev->role = PGM_ROLE_RECEIVER;
	ev->tsi = peer->tsi;
	ev->source = peer->saddr;
	ev->group = peer->group;
	ev->port = peer->dport;
	pgm_nl_event(rcv->sk, ev);
}

/*
 * A DATA or SPILL record's source: what recvmsg()'s msg_name would say, in
 * the header of the socket's family.
 */
static void pgm_ring_set_source(struct pgm_ring *r, struct pgm_ring_rec *rec,
				const struct pgm_peer *peer)
{
	struct pgm_ring_rec6 *rec6;

	if (r->hdr == sizeof(*rec)) {
		rec->saddr = peer->saddr.ip;
		return;
	}
	rec6 = container_of(rec, struct pgm_ring_rec6, rec);
	rec6->saddr6 = peer->saddr.in6;
	rec6->scope_id = ipv6_iface_scope_id(&peer->saddr.in6, peer->ifindex);
}

/*
 * A loss or session-end record (@skb: struct pgm_loss or pgm_session_end,
 * the type in its extended error) into the ring; false when it is full.
 */
static bool pgm_ring_put_event(struct pgm_ring *r, struct sk_buff *skb)
{
	struct sock_exterr_skb *serr = SKB_EXT_ERR(skb);
	struct pgm_ring_rec *rec;

	rec = pgm_ring_reserve(r, pgm_ring_reclen(r, skb->len));
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
	skb_copy_bits(skb, 0, pgm_ring_payload(r, rec), skb->len);
	pgm_ring_commit(r, rec);
	return true;
}

/*
 * Delivery stops for want of the reader's room (a full receive or error
 * queue): say so to recvmsg(), which looks without the lock
 * (pgm_receiver_room()).  The reader may have made its room and looked
 * just before: then it has nothing left to read, and will not look again.
 *
 * Return: true when both queues are empty, so that the caller must try
 * once more itself; false when the reader has something left to read and
 * will see @waiting after it.
 */
static bool pgm_wait_for_reader(struct pgm_receiver *rcv)
	__must_hold(&rcv->lock)
{
	struct sock *sk = rcv->sk;

	lockdep_assert_held(&rcv->lock);
	WRITE_ONCE(rcv->waiting, true);
	smp_mb();	/* (R1): pairs with (R2) in pgm_receiver_room() */
	return skb_queue_empty_lockless(&sk->sk_receive_queue) &&
	       skb_queue_empty_lockless(&sk->sk_error_queue);
}

/* Move held records to the error queue (or the ring) while it takes them. */
static void pgm_flush_err(struct pgm_receiver *rcv)
	__must_hold(&rcv->lock)
{
	bool again = true;
	struct sk_buff *skb;

	lockdep_assert_held(&rcv->lock);
	while ((skb = __skb_dequeue(&rcv->pending_err))) {
		if (rcv->ring) {
			if (!pgm_ring_put_event(rcv->ring, skb)) {
				__skb_queue_head(&rcv->pending_err, skb);
				break;
			}
			consume_skb(skb);
			continue;
		}
		if (!sock_queue_err_skb(rcv->sk, skb))
			continue;
		if (again && pgm_wait_for_reader(rcv)) {
			again = false;
			if (!sock_queue_err_skb(rcv->sk, skb))
				continue;
		}
		__skb_queue_head(&rcv->pending_err, skb);
		break;
	}
}

/**
 * pgm_ring_wake - one wake-up for all the ring records published since the last
 * @rcv: the receiver, its lock held; nothing happens without a ring
 *
 * Only a reader that waits is woken: one that is still reading (or
 * spinning on the producer index) finds the records itself, and costs
 * neither a wake-up nor a timer (the need-wakeup contract of AF_XDP's
 * rings, told here by the socket's wait queue instead of a flag in the
 * mapping; pgm_ring_waited()).  With PGM_RX_RING_WAKE set, the wake-up
 * waits on the ring's timer for up to its time, unless its byte threshold
 * is reached first: one wake-up for the records of many packets.  The
 * timer is armed once per wait, not per packet.
 */
void pgm_ring_wake(struct pgm_receiver *rcv)
	__must_hold(&rcv->lock)
{
	struct pgm_ring *r = rcv->ring;
	u32 ns, bytes;

	lockdep_assert_held(&rcv->lock);
	if (!r || !r->wake || rcv->dead)
		return;
	if (!pgm_ring_waited(r)) {
		r->wake = false;
		r->announced = r->prod;
		r->st.unwoken++;
		return;
	}
	ns = READ_ONCE(r->wake_ns);
	bytes = READ_ONCE(r->wake_bytes);
	if (ns && !(bytes && r->prod - r->announced >= bytes)) {
		if (!hrtimer_is_queued(&r->timer))
			hrtimer_start_range_ns(&r->timer, ns_to_ktime(ns), ns >> 3,
					       HRTIMER_MODE_REL_SOFT);
		return;
	}
	r->wake = false;
	r->announced = r->prod;
	r->st.wakeups++;
	rcv->sk->sk_data_ready(rcv->sk);
}

/*
 * Queue a loss or session-end record behind any held ones.  A record is
 * dropped only past PGM_ERR_PENDING_MAX held (a reader that never reads);
 * the counters and sk_err still tell.
 */
static void pgm_queue_err(struct pgm_receiver *rcv, struct sk_buff *skb)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (skb_queue_len(&rcv->pending_err) >= PGM_ERR_PENDING_MAX) {
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&rcv->pending_err, skb);
	pgm_flush_err(rcv);
}

/**
 * pgm_report_loss - report sequence numbers as lost (section 6.3)
 * @rcv: the receiver, its lock held
 * @peer: their session
 * @first: the first of them
 * @count: how many
 *
 * A record on the error queue (or in the ring), an event, the counters,
 * and without a ring ECONNRESET in sk_err.
 */
void pgm_report_loss(struct pgm_receiver *rcv, struct pgm_peer *peer,
		     u32 first, u32 count)
	__must_hold(&rcv->lock)
{
	struct sock *sk = rcv->sk;
	struct sock_exterr_skb *serr;
	struct pgm_loss *rec;
	struct sk_buff *skb;

	lockdep_assert_held(&rcv->lock);
	pgm_confirm_lost(rcv, peer, first);
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
		WRITE_ONCE(rcv->aborted, true);	/* recvmsg() reads it unlocked */
	if (rcv->ring)
		return;		/* the record in the ring says it */
	WRITE_ONCE(sk->sk_err, ECONNRESET);
	sk_error_report(sk);
}

/**
 * pgm_report_end - report the end of a session, once
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @reason: PGM_END_FIN, PGM_END_RST or PGM_END_EXPIRED
 *
 * The record goes on the error queue next to loss records (or in the
 * ring); sock_recv_errqueue() gives it as a control message of type
 * PGM_SESSION_END.
 */
void pgm_report_end(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 reason)
	__must_hold(&rcv->lock)
{
	static const int err[] = {
		[PGM_END_FIN] = ESHUTDOWN,
		[PGM_END_RST] = ECONNRESET,
		[PGM_END_EXPIRED] = ETIMEDOUT,
	};
	struct sock_exterr_skb *serr;
	struct pgm_session_end *rec;
	struct sk_buff *skb;

	lockdep_assert_held(&rcv->lock);
	if (peer->end_reported)
		return;
	peer->end_reported = true;
	pgm_confirm_stop(rcv, peer, false);
	/*
	 * Only a session that was announced ends on the events group: a peer
	 * that never started (its first packets malformed, an SPM with
	 * OPT_RST or nothing before it expired) had no session-start, and a
	 * session-end alone would name a session no listener knows.
	 */
	if (peer->started) {
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
	__must_hold(&peer->rcv->lock)
{
	struct pgm_slot *s = pgm_slot_find(peer, first);
	u32 apdu_len, have = 0, n = 0;

	lockdep_assert_held(&peer->rcv->lock);
	*lost = false;
	apdu_len = s->apdu_len;
	/* Walk the fragments: each in order, contiguous, same APDU. */
	while (have < apdu_len) {
		u32 sqn = first + n;

		if (pgm_sqn_before(peer->lead, sqn))
			return false;	/* the rest has not arrived yet */
		s = pgm_slot_find(peer, sqn);
		if (!s || pgm_slot_awaited(s))
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

/*
 * One skb of the @n fragments at @first (complete), without copying their
 * data: an empty head whose frag_list chains clones of the slots' buffers
 * (as IP reassembly chains fragments).  Clones, so that the window keeps
 * its own until the APDU is queued, whatever a socket filter trims; the
 * head's truesize is theirs.  NULL when out of memory.
 */
static struct sk_buff *pgm_reassemble(struct pgm_peer *peer, u32 first, u32 n)
	__must_hold(&peer->rcv->lock)
{
	struct sk_buff *apdu, *f, **tail;
	u32 k;

	lockdep_assert_held(&peer->rcv->lock);
	apdu = alloc_skb(0, GFP_ATOMIC);
	if (!apdu)
		return NULL;
	tail = &skb_shinfo(apdu)->frag_list;
	for (k = 0; k < n; k++) {
		f = skb_clone(pgm_slot_find(peer, first + k)->skb, GFP_ATOMIC);
		if (!f) {
			kfree_skb(apdu);	/* and the clones chained so far */
			return NULL;
		}
		*tail = f;
		tail = &f->next;
		apdu->len += f->len;
		apdu->data_len += f->len;
		apdu->truesize += f->truesize;
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
	__must_hold(&rcv->lock)
{
	unsigned int truesize = 0;
	struct sk_buff *skb;
	int len;

	lockdep_assert_held(&rcv->lock);
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
	pgm_cb(skb)->ifindex = peer->ifindex;
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
		pgm_rcv_uncharge(rcv, peer, truesize);
	}
	return len;
}

/* Delivery of @peer stopped for want of room: the reader's next read resumes it. */
static void pgm_block(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	lockdep_assert_held(&rcv->lock);
	if (list_empty(&peer->blocked))
		list_add_tail(&peer->blocked, &rcv->blocked);
	WRITE_ONCE(rcv->waiting, true);
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
	__must_hold(&rcv->lock)
{
	struct pgm_ring *r = rcv->ring;
	struct pgm_slot *s = pgm_slot_find(peer, peer->next);
	u32 rlen = pgm_ring_reclen(r, len), k, off;
	struct pgm_ring_rec *rec;

	lockdep_assert_held(&rcv->lock);
	if (!skb_queue_empty(&rcv->pending_err)) {
		pgm_flush_err(rcv);
		if (!skb_queue_empty(&rcv->pending_err))
			return -ENOBUFS;
	}
	if (rlen > r->size / 2) {
		/* Too large for the ring: a SPILL record, the APDU to recvmsg(). */
		rec = pgm_ring_reserve(r, pgm_ring_reclen(r, 0));
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
			struct sk_buff *f = pgm_slot_find(peer, peer->next + k)->skb;

			skb_copy_bits(f, 0, (u8 *)pgm_ring_payload(r, rec) + off, f->len);
			off += f->len;
		}
		rec->type = PGM_REC_DATA;
		r->st.bytes += len;
	}
	rec->data_len = len;
	rec->sqn = peer->next;
	rec->tsi = peer->tsi;
	pgm_ring_set_source(r, rec, peer);
	pgm_ring_commit(r, rec);
	return 0;
}

/*
 * Hand the complete APDU of the @n slots at peer->next (@s is the first)
 * to the ring or the receive queue: its length, or -ENOBUFS when there is
 * no room (or no memory); then the session waits on rcv->blocked and the
 * APDU in the window.
 */
static int pgm_deliver_apdu(struct pgm_receiver *rcv, struct pgm_peer *peer,
			    struct pgm_slot *s, u32 n)
	__must_hold(&rcv->lock)
{
	int len;

	lockdep_assert_held(&rcv->lock);
	if (rcv->ring) {
		len = s->frag ? s->apdu_len : s->skb->len;
		if (pgm_ring_deliver(rcv, peer, n, len))
			len = -ENOBUFS;
	} else {
		len = pgm_queue_apdu(rcv, peer, s, n);
		if (len < 0 && pgm_wait_for_reader(rcv))
			len = pgm_queue_apdu(rcv, peer, s, n);
	}
	if (len < 0)
		pgm_block(rcv, peer);
	return len;
}

/**
 * pgm_deliver - deliver what is complete and in order, report what is lost
 * @rcv: the receiver, its lock held
 * @peer: the session whose window's front is delivered
 *
 * Stops at the first sqn still missing, or when the receive queue or the
 * ring is full (the session then waits on rcv->blocked); reports the end
 * of a finished session after the last of its data.
 */
void pgm_deliver(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	u32 lost_first = 0, lost_count = 0;

	lockdep_assert_held(&rcv->lock);
	while (peer->started && !pgm_sqn_before(peer->lead, peer->next)) {
		struct pgm_slot *s = pgm_slot_find(peer, peer->next);
		u32 n = 1;
		int len;

		if (!s || pgm_slot_awaited(s))
			break;
		if (s->state == SLOT_LOST) {
			if (!lost_count)
				lost_first = peer->next;
			lost_count++;
			pgm_slot_clear(peer, s);
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
				pgm_slot_clear(peer, s);	/* began before we joined */
				peer->next++;
				continue;
			}
			if (!pgm_apdu_complete(peer, peer->next, &n, &lost)) {
				u32 k;

				if (!lost)
					break;	/* wait for the rest */
				for (k = 0; k < n; k++)
					pgm_slot_find(peer, peer->next + k)->state = SLOT_LOST;
				continue;
			}
		}
		len = pgm_deliver_apdu(rcv, peer, s, n);
		if (len < 0)
			break;	/* no room: it waits in the window */
		rcv->st.apdus_delivered++;
		rcv->st.data_bytes_received += len;
		while (n--)
			pgm_slot_clear(peer, pgm_slot_find(peer, peer->next++));
	}
	if (lost_count)
		pgm_report_loss(rcv, peer, lost_first, lost_count);
	/* After the last of its data, a finished session says so. */
	if (peer->ended && pgm_sqn_before(peer->lead, peer->next)) {
		pgm_report_end(rcv, peer, peer->ended);
		/* An expired one is then freed, by its timer, at once. */
		if (peer->expired)
			pgm_peer_arm(peer);
	}
	pgm_ring_wake(rcv);
}

/*
 * Delivery resumes for the sessions that stopped for want of room (and
 * only those: the reader's room does not concern the others).
 */
static void pgm_deliver_blocked(struct pgm_receiver *rcv)
	__must_hold(&rcv->lock)
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
 * Does delivery wait for the room the reader just made?  Without the lock:
 * a read that finds nothing waiting costs no lock the input path (on
 * another CPU) contends for.  A ring that delivery found full says so in
 * ring->blocked (the ring's own protocol, ring.c); the queues in
 * rcv->waiting.
 */
static bool pgm_room_wanted(struct pgm_receiver *rcv, bool ring)
{
	if (ring)
		return rcv->ring && READ_ONCE(rcv->ring->blocked);
	/*
	 * (R2): the reader's dequeue before this look, pairs with (R1) in
	 * pgm_wait_for_reader(): either delivery sees the queue emptied and
	 * tries again itself, or we see @waiting.
	 */
	smp_mb();
	return READ_ONCE(rcv->waiting);
}

/*
 * The reader made room (an APDU or a record read, or for @ring, poll() on
 * a ring that delivery found full): what waits follows, the held records
 * first.  From process context, without the socket lock, as the input path
 * runs: the receiver is freed after a grace period and marked dead under
 * its lock before it stops.
 */
static void pgm_receiver_room(struct sock *sk, bool ring)
{
	struct pgm_receiver *rcv;

	rcu_read_lock();
	rcv = rcu_dereference(pgm_sk(sk)->rcv);
	if (rcv && pgm_room_wanted(rcv, ring)) {
		spin_lock_bh(&rcv->lock);
		if (!rcv->dead) {
			WRITE_ONCE(rcv->waiting, false);
			pgm_flush_err(rcv);
			pgm_deliver_blocked(rcv);
			if (!list_empty(&rcv->blocked) || !skb_queue_empty(&rcv->pending_err))
				WRITE_ONCE(rcv->waiting, true);
			if (ring)
				pgm_ring_wake(rcv);
		}
		spin_unlock_bh(&rcv->lock);
	}
	rcu_read_unlock();
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
	pgm_receiver_room(sk, false);
	return err;
}

/**
 * pgm_receiver_recvmsg - recvmsg() on a receiver
 * @sk: the socket, unlocked
 * @msg: one APDU, with the source's address and TSI in msg_name; or with
 *	MSG_ERRQUEUE one loss or session-end record
 * @len: room in @msg
 * @flags: MSG_*
 * @addr_len: set to the length of msg_name
 *
 * Return: bytes copied (the APDU's length with MSG_TRUNC), or -ENOTCONN,
 * -ECONNRESET (PGM_ABORT_ON_LOSS), -EOPNOTSUPP, -EAGAIN and what
 * skb_recv_datagram() says.
 */
int pgm_receiver_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			 int flags, int *addr_len)
{
	DECLARE_SOCKADDR(struct sockaddr_pgm *, sa, msg->msg_name);
	DECLARE_SOCKADDR(struct sockaddr_pgm6 *, sa6, msg->msg_name);
	struct pgm_receiver *rcv;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_ERRQUEUE)
		return pgm_recv_errqueue(sk, msg, len);
	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_CMSG_CLOEXEC))
		return -EOPNOTSUPP;

	/* A check only: no socket lock (the receiver goes after a grace period). */
	rcu_read_lock();
	rcv = rcu_dereference(pgm_sk(sk)->rcv);
	err = !rcv ? -ENOTCONN : READ_ONCE(rcv->aborted) ? -ECONNRESET : 0;
	rcu_read_unlock();
	if (err)
		return err;

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = min_t(size_t, len, skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err && sa6 && sk->sk_family == AF_INET6) {
		memset(sa6, 0, sizeof(*sa6));
		sa6->sin6.sin6_family = AF_INET6;
		sa6->sin6.sin6_port = pgm_cb(skb)->tsi.sport;
		sa6->sin6.sin6_addr = pgm_cb(skb)->saddr.in6;
		/* A link-local source: the interface its session came in on. */
		sa6->sin6.sin6_scope_id = ipv6_iface_scope_id(&sa6->sin6.sin6_addr,
							      pgm_cb(skb)->ifindex);
		sa6->tsi = pgm_cb(skb)->tsi;
		*addr_len = sizeof(*sa6);
	} else if (!err && sa) {
		memset(sa, 0, sizeof(*sa));
		sa->sin.sin_family = AF_INET;
		sa->sin.sin_port = pgm_cb(skb)->tsi.sport;
		sa->sin.sin_addr.s_addr = pgm_cb(skb)->saddr.ip;
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
	if (!(flags & MSG_PEEK))
		pgm_receiver_room(sk, false);
	return err;
}

/**
 * pgm_receiver_ring_kick - poll() on a socket with a ring: the doorbell
 * @sk: the socket, unlocked; process context
 *
 * When delivery stopped on a full ring, move what waits (held records,
 * then each session's data) in now that the application may have
 * released space.
 */
void pgm_receiver_ring_kick(struct sock *sk)
{
	pgm_receiver_room(sk, true);
}

/**
 * pgm_receiver_ring_stats - the ring's counters, zero without a ring
 * @sk: the socket, locked
 * @st: filled in
 */
void pgm_receiver_ring_stats(struct sock *sk, struct pgm_rx_ring_stats *st)
{
	struct pgm_receiver *rcv = pgm_rcv_get(sk);
	struct pgm_ring *r = pgm_sk(sk)->ring;

	sock_owned_by_me(sk);
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

