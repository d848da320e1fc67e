// SPDX-License-Identifier: GPL-2.0
/*
 * srcconfirm.c - confirmed delivery at a source (docs/confirmed-delivery.md).
 *
 * A source with PGM_CONFIRM keeps the set of live confirming receivers,
 * each known by the IP source address of its ACKs and the RECEIVER ID of
 * their OPT_CONFIRM, with how far it has everything (CONFIRMED), and
 * tells the application the least of them.  Rules S1-S8 of the design,
 * which the model (PGMModel, SourceConfirm.swift) follows too.
 *
 * What a packet can make us do: constant work per ACK (a hash lookup, an
 * rbtree update: O(log n)); an entry per (address, id) up to
 * PGM_CONFIRM_MAX per socket and confirm-receivers-netns in the netns,
 * beyond which it is refused and counted; nothing sent in answer.
 * CONFIRMED is clamped to the lead, so no ACK claims data not sent; an
 * entry is never behind the trail - 1 (S4, S6), so all CONFIRMED values
 * lie within one window and compare in sequence arithmetic.
 *
 * Memory: entries are kmalloc'd in softirq (GFP_ATOMIC) and counted in
 * src->cf.n and the netns's confirm_used; they are freed on leave and at
 * close().
 *
 * Locking: everything under src->lock, as the rest of the source; the
 * poll helpers read snapshots with READ_ONCE.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "source.h"
#include "wire.h"

#define PGM_CONFIRM_HASH	256	/* buckets; chains grow past PGM_CONFIRM_MAX / 256 */
#define PGM_CONFIRM_OPT_LEN	12	/* OPT_CONFIRM */

struct pgm_confirm_rcvr {
	struct rb_node		by_sqn;	/* in cf.tree, by @confirmed */
	struct hlist_node	hnode;	/* in cf.hash, by (@addr, @id) */
	struct list_head	lru;	/* in cf.lru, least recently heard first */
	union pgm_addr		addr;
	u32			id;
	u32			confirmed;
	unsigned long		heard;	/* jiffies */
};

static u32 cf_hash(const struct pgm_source *src, const union pgm_addr *a, u32 id)
{
	if (src->sk->sk_family == AF_INET6)
		return jhash2((const u32 *)&a->in6, 4, src->cf.seed ^ id) & (PGM_CONFIRM_HASH - 1);
	return jhash_2words((__force u32)a->ip, id, src->cf.seed) & (PGM_CONFIRM_HASH - 1);
}

/**
 * pgm_confirm_src_start - connect(): the set, if the socket confirms
 * @src: the new session, not yet published
 * @ps: its socket
 *
 * Return: 0 or -ENOMEM.
 */
int pgm_confirm_src_start(struct pgm_source *src, const struct pgm_sock *ps)
{
	struct pgm_src_confirm *cf = &src->cf;
	unsigned int i;

	cf->tree = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&cf->lru);
	if (!READ_ONCE(ps->confirm))
		return 0;
	cf->hash = kvmalloc_array(PGM_CONFIRM_HASH, sizeof(*cf->hash), GFP_KERNEL_ACCOUNT);
	if (!cf->hash)
		return -ENOMEM;
	for (i = 0; i < PGM_CONFIRM_HASH; i++)
		INIT_HLIST_HEAD(&cf->hash[i]);
	cf->on = true;
	cf->flow = READ_ONCE(ps->confirm_flow);
	cf->max = READ_ONCE(ps->confirm_max);
	cf->expiry = msecs_to_jiffies(READ_ONCE(ps->confirm_expiry_ms));
	cf->seed = get_random_u32();
	cf->refused_told = jiffies - HZ;
	return 0;
}

static struct pgm_confirm_rcvr *cf_first(const struct pgm_source *src)
{
	struct rb_node *n = rb_first_cached(&src->cf.tree);

	return n ? rb_entry(n, struct pgm_confirm_rcvr, by_sqn) : NULL;
}

/* The least CONFIRMED or the receivers changed, perhaps: note it for POLLPRI and wake. */
static void cf_changed(struct pgm_source *src)
	__must_hold(&src->lock)
{
	struct pgm_src_confirm *cf = &src->cf;
	struct pgm_confirm_rcvr *r = cf_first(src);
	bool valid = r;
	u32 min = r ? r->confirmed : 0;

	lockdep_assert_held(&src->lock);
	if (valid == cf->valid && min == cf->min && cf->n == cf->n_told)
		return;
	cf->n_told = cf->n;
	WRITE_ONCE(cf->min, min);
	WRITE_ONCE(cf->valid, valid);
	WRITE_ONCE(cf->moved, true);
	/* POLLPRI, and room for a send() that flow control held. */
	pgm_source_wake(src, EPOLLPRI | EPOLLOUT | EPOLLWRNORM);
}

static void cf_insert(struct pgm_src_confirm *cf, struct pgm_confirm_rcvr *r)
{
	struct rb_node **p = &cf->tree.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*p) {
		struct pgm_confirm_rcvr *o = rb_entry(*p, struct pgm_confirm_rcvr, by_sqn);

		parent = *p;
		if (pgm_sqn_before(r->confirmed, o->confirmed)) {
			p = &(*p)->rb_left;
		} else {
			p = &(*p)->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&r->by_sqn, parent, p);
	rb_insert_color_cached(&r->by_sqn, &cf->tree, leftmost);
}

static void cf_event(struct pgm_source *src, u8 cmd, const struct pgm_confirm_rcvr *r,
		     const union pgm_addr *addr, u32 id, u32 confirmed, u32 reason)
	__must_hold(&src->lock)
{
	struct pgm_nl_event ev = {
		.receiver = r ? r->addr : *addr,
		.receiver_id = r ? r->id : id,
		.confirmed = r ? r->confirmed : confirmed,
		.reason = reason,
	};

	lockdep_assert_held(&src->lock);
	pgm_source_event(src, cmd, &ev);
}

/* Remove @r (S3, S5, S6) for @reason (PGM_CONFIRM_LEFT_*), with its event. */
static void cf_remove(struct pgm_source *src, struct pgm_confirm_rcvr *r, u32 reason)
	__must_hold(&src->lock)
{
	struct pgm_src_confirm *cf = &src->cf;

	lockdep_assert_held(&src->lock);
	switch (reason) {
	case PGM_CONFIRM_LEFT_BYE:
		src->st.confirm_leaves++;
		break;
	case PGM_CONFIRM_LEFT_EXPIRED:
		src->st.confirm_expired++;
		break;
	default:
		src->st.confirm_lost++;
		break;
	}
	cf_event(src, PGM_CMD_RECEIVER_LEAVE_NTF, r, NULL, 0, 0, reason);
	rb_erase_cached(&r->by_sqn, &cf->tree);
	hlist_del(&r->hnode);
	list_del(&r->lru);
	cf->n--;
	atomic_dec(&pgm_pernet(sock_net(src->sk))->confirm_used);
	kfree(r);
}

/* S4: a new receiver, if the bounds allow; NULL when refused. */
static struct pgm_confirm_rcvr *cf_add(struct pgm_source *src, const union pgm_addr *addr,
				       u32 id, u32 confirmed)
	__must_hold(&src->lock)
{
	struct pgm_net *pn = pgm_pernet(sock_net(src->sk));
	struct pgm_src_confirm *cf = &src->cf;
	struct pgm_confirm_rcvr *r = NULL;

	lockdep_assert_held(&src->lock);
	if (cf->n < cf->max) {
		if (atomic_inc_return(&pn->confirm_used) <= (int)READ_ONCE(pn->confirm_receivers_netns))
			r = kzalloc(sizeof(*r), GFP_ATOMIC);
		if (!r)
			atomic_dec(&pn->confirm_used);
	}
	if (!r) {
		src->st.confirm_refused++;
		WRITE_ONCE(cf->refused, cf->refused + 1);
		/* Who was refused: at most one event a second. */
		if (time_after_eq(jiffies, cf->refused_told + HZ)) {
			cf->refused_told = jiffies;
			cf_event(src, PGM_CMD_RECEIVER_REFUSED_NTF, NULL, addr, id, confirmed, 0);
		}
		return NULL;
	}
	r->addr = *addr;
	r->id = id;
	r->confirmed = confirmed;
	INIT_LIST_HEAD(&r->lru);
	hlist_add_head(&r->hnode, &cf->hash[cf_hash(src, addr, id)]);
	cf_insert(cf, r);
	cf->n++;
	src->st.confirm_joins++;
	cf_event(src, PGM_CMD_RECEIVER_JOIN_NTF, r, NULL, 0, 0, 0);
	return r;
}

/**
 * pgm_confirm_src_ack - an ACK with OPT_CONFIRM (S1-S4)
 * @src: the session, its lock held
 * @skb: the packet, at its PGM header
 * @info: what validation learnt of it
 *
 * The caller re-arms the source's timer: the expiry may have moved.
 */
void pgm_confirm_src_ack(struct pgm_source *src, const struct sk_buff *skb,
			 const struct pgm_wire_info *info)
	__must_hold(&src->lock)
{
	struct pgm_src_confirm *cf = &src->cf;
	sa_family_t f = src->sk->sk_family;
	u32 id, confirmed, lead = src->next_sqn - 1;
	union pgm_addr saddr, daddr;
	struct pgm_confirm_rcvr *r;
	const struct pgm_opt *o;
	const u8 *v = NULL;
	u8 flags;

	lockdep_assert_held(&src->lock);
	if (!cf->on || !pgm_has_opt(info, PGM_OPT_CONFIRM))
		return;
	pgm_for_each_opt(o, skb->data, info) {
		if (pgm_opt_type(o) == PGM_OPT_CONFIRM) {
			v = (const u8 *)o;
			break;
		}
	}
	if (!v)
		return;
	if (v[1] < PGM_CONFIRM_OPT_LEN) {
		src->st.malformed++;
		return;
	}
	src->st.confirm_acks++;
	flags = v[3];
	confirmed = get_unaligned_be32(v + 4);
	id = get_unaligned_be32(v + 8);
	pgm_skb_addrs(f, skb, &saddr, &daddr);
	/* S2: nothing beyond what was sent. */
	if (pgm_sqn_before(lead, confirmed)) {
		src->st.confirm_future++;
		confirmed = lead;
	}
	hlist_for_each_entry(r, &cf->hash[cf_hash(src, &saddr, id)], hnode)
		if (r->id == id && pgm_addr_eq(f, &r->addr, &saddr))
			break;
	if (!r) {
		/* S4 */
		if (flags & PGM_CONFIRM_F_BYE) {
			src->st.confirm_stale++;
			return;
		}
		if (pgm_sqn_before(confirmed, src->trail - 1)) {
			src->st.confirm_behind++;
			return;
		}
		r = cf_add(src, &saddr, id, confirmed);
		if (!r)
			return;
	} else if (flags & PGM_CONFIRM_F_BYE) {
		/* S3 */
		cf_remove(src, r, flags & PGM_CONFIRM_F_LOST ? PGM_CONFIRM_LEFT_LOST :
			  PGM_CONFIRM_LEFT_BYE);
		cf_changed(src);
		return;
	} else if (pgm_sqn_before(confirmed, r->confirmed)) {
		src->st.confirm_stale++;
	} else if (confirmed != r->confirmed) {
		rb_erase_cached(&r->by_sqn, &cf->tree);
		r->confirmed = confirmed;
		cf_insert(cf, r);
	}
	r->heard = jiffies;
	list_move_tail(&r->lru, &cf->lru);
	cf_changed(src);
}

/**
 * pgm_confirm_src_timer - the source's timer ran: receivers silent past
 * PGM_CONFIRM_EXPIRY leave (S5)
 * @src: the session, its lock held
 */
void pgm_confirm_src_timer(struct pgm_source *src)
	__must_hold(&src->lock)
{
	struct pgm_src_confirm *cf = &src->cf;
	struct pgm_confirm_rcvr *r;
	bool gone = false;

	lockdep_assert_held(&src->lock);
	while ((r = list_first_entry_or_null(&cf->lru, struct pgm_confirm_rcvr, lru)) &&
	       time_after_eq(jiffies, r->heard + cf->expiry)) {
		cf_remove(src, r, PGM_CONFIRM_LEFT_EXPIRED);
		gone = true;
	}
	if (gone)
		cf_changed(src);
}

/* When the least recently heard receiver expires (jiffies), if any. */
bool pgm_confirm_src_next(struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock)
{
	struct pgm_confirm_rcvr *r;

	lockdep_assert_held(&src->lock);
	r = list_first_entry_or_null(&src->cf.lru, struct pgm_confirm_rcvr, lru);
	if (!r)
		return false;
	*when = r->heard + src->cf.expiry;
	return true;
}

/**
 * pgm_confirm_src_trail - the trail moved: receivers it passed can no
 * longer be repaired and leave as lost (S6)
 * @src: the session, its lock held
 *
 * O(1) per receiver removed: the leftmost is the least CONFIRMED.
 */
void pgm_confirm_src_trail(struct pgm_source *src)
	__must_hold(&src->lock)
{
	struct pgm_confirm_rcvr *r;
	bool gone = false;

	lockdep_assert_held(&src->lock);
	while ((r = cf_first(src)) && pgm_sqn_before(r->confirmed, src->trail - 1)) {
		cf_remove(src, r, PGM_CONFIRM_LEFT_LOST);
		gone = true;
	}
	if (gone)
		cf_changed(src);
}

/**
 * pgm_confirm_src_limit - how far flow control lets the trail go (S8)
 * @src: the session, its lock held
 * @stop: set to the first sqn the trail may not pass, when limited
 *
 * Return: true when PGM_CONFIRM_FLOW holds the window (a receiver is live).
 */
bool pgm_confirm_src_limit(const struct pgm_source *src, u32 *stop)
	__must_hold(&src->lock)
{
	struct pgm_confirm_rcvr *r;

	lockdep_assert_held(&src->lock);
	if (!src->cf.flow)
		return false;
	r = cf_first(src);
	if (!r)
		return false;
	*stop = r->confirmed + 1;
	return true;
}

/**
 * pgm_confirm_src_free - close(): forget every receiver
 * @src: the session, dead: nothing else looks at the set now
 */
void pgm_confirm_src_free(struct pgm_source *src)
{
	struct pgm_confirm_rcvr *r, *tmp;

	if (!src->cf.hash)
		return;
	list_for_each_entry_safe(r, tmp, &src->cf.lru, lru) {
		atomic_dec(&pgm_pernet(sock_net(src->sk))->confirm_used);
		kfree(r);
	}
	INIT_LIST_HEAD(&src->cf.lru);
	src->cf.tree = RB_ROOT_CACHED;
	src->cf.n = 0;
	kvfree(src->cf.hash);
	src->cf.hash = NULL;
}

/**
 * pgm_confirm_get - getsockopt(PGM_CONFIRMED)
 * @sk: the socket, locked
 * @c: filled in
 *
 * Reading clears POLLPRI until CONFIRMED moves again.
 *
 * Return: 0, -ENOTCONN (not a source) or -EINVAL (a source without
 * PGM_CONFIRM).
 */
int pgm_confirm_get(struct sock *sk, struct pgm_confirmed *c)
{
	struct pgm_source *src = pgm_src_get(sk);

	if (!src)
		return -ENOTCONN;
	if (!src->cf.on)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	spin_lock_bh(&src->lock);
	c->receivers = src->cf.n;
	c->refused = src->cf.refused;
	if (src->cf.valid) {
		c->sqn = src->cf.min;
		c->flags = PGM_CONFIRMED_VALID;
	}
	WRITE_ONCE(src->cf.moved, false);
	spin_unlock_bh(&src->lock);
	return 0;
}

/**
 * pgm_confirm_src_receivers - a dump's walk over the live receivers
 * @src: the session, read with rcu_dereference() under rcu_read_lock()
 * @skip: receivers already dumped; advanced by those filled now
 * @fill: called for each, under src->lock; non-zero stops the walk
 * @arg: for @fill
 *
 * Return: 0, or what @fill returned.
 */
int pgm_confirm_src_receivers(struct pgm_source *src, unsigned long *skip,
			      int (*fill)(const struct pgm_confirm_info *ci, void *arg), void *arg)
{
	struct pgm_confirm_rcvr *r;
	unsigned long idx = 0;
	int err = 0;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "pgm: receiver dump outside RCU");
	spin_lock_bh(&src->lock);
	if (src->dead || !src->cf.on)
		goto out;
	list_for_each_entry(r, &src->cf.lru, lru) {
		struct pgm_confirm_info ci = {
			.addr = r->addr,
			.id = r->id,
			.confirmed = r->confirmed,
			.idle_ms = jiffies_to_msecs(jiffies - r->heard),
		};

		if (idx++ < *skip)
			continue;
		err = fill(&ci, arg);
		if (err)
			break;
		(*skip)++;
	}
out:
	spin_unlock_bh(&src->lock);
	return err;
}

/**
 * pgm_source_lead - getsockopt(PGM_TXW_LEAD): the last sqn given to data
 * @sk: the socket, locked
 * @lead: filled in (the first sqn - 1 before any)
 *
 * Return: 0 or -ENOTCONN.
 */
int pgm_source_lead(struct sock *sk, u32 *lead)
{
	struct pgm_source *src = pgm_src_get(sk);

	if (!src)
		return -ENOTCONN;
	spin_lock_bh(&src->lock);
	*lead = src->next_sqn - 1;
	spin_unlock_bh(&src->lock);
	return 0;
}

/**
 * pgm_confirm_poll - POLLPRI and POLLOUT as confirmed delivery has them
 * @sk: a socket
 * @pri: set when CONFIRMED moved since PGM_CONFIRMED was last read
 *
 * Lockless: a snapshot, as poll is.
 *
 * Return: false when flow control holds a one-packet send() back.
 */
bool pgm_confirm_poll(struct sock *sk, bool *pri)
{
	struct pgm_source *src;
	bool ok = true;

	*pri = false;
	rcu_read_lock();
	src = rcu_dereference(pgm_sk(sk)->src);
	if (src && READ_ONCE(src->cf.on)) {
		*pri = READ_ONCE(src->cf.moved);
		if (src->cf.flow && READ_ONCE(src->cf.valid))
			ok = READ_ONCE(src->next_sqn) - (READ_ONCE(src->cf.min) + 1) < src->size;
	}
	rcu_read_unlock();
	return ok;
}

/**
 * pgm_confirm_room - would flow control let @room more sqns in? (a send()
 * about to sleep looks once more after queueing itself)
 * @sk: a source socket
 * @room: sqns
 *
 * Lockless, by the window's size in sqns only: a snapshot.
 *
 * Return: true unless flow control holds the window against @room more.
 */
bool pgm_confirm_room(struct sock *sk, u32 room)
{
	struct pgm_source *src;
	bool ok = true;

	rcu_read_lock();
	src = rcu_dereference(pgm_sk(sk)->src);
	if (src && READ_ONCE(src->cf.flow) && READ_ONCE(src->cf.valid))
		ok = READ_ONCE(src->next_sqn) - (READ_ONCE(src->cf.min) + 1) + room <= src->size;
	rcu_read_unlock();
	return ok;
}

/* The counters and the view, for the stats (under src->lock). */
void pgm_confirm_src_fill(const struct pgm_source *src, struct pgm_source_stats *st)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	st->confirm_receivers = src->cf.n;
	st->confirmed = src->cf.min;
	st->confirm_flags = src->cf.valid ? PGM_CONFIRMED_VALID : 0;
}
