/* SPDX-License-Identifier: GPL-2.0 */
/*
 * receiver.h - what the receiver's parts share: the sessions and the
 * memory they hold (peer.c), the receive window and NAK machine
 * (receiver.c), and delivery, the loss and end records and the ring
 * (deliver.c).
 *
 * Locking: everything here, the peers and their slots, is under
 * rcv->lock (BH-safe); the functions below that take a receiver or a peer
 * expect it held unless they say otherwise.  See receiver.c.
 */
#ifndef _PGM_RECEIVER_H
#define _PGM_RECEIVER_H

#include <linux/hrtimer.h>
#include <linux/timekeeping.h>

#include "pgm.h"
#include "txw.h"
#include "fec.h"

#define SLOTS_PER_CHUNK	128
#define PGM_PEER_HASH	256	/* buckets; keyed per receiver (hash_seed) */
#define PGM_SRC_HASH	64	/* buckets of the sessions' addresses, likewise */

/* How many of a receiver's sessions come from one address (rx-sessions-source). */
struct pgm_src_count {
	struct hlist_node	node;		/* in rcv->srcs */
	union pgm_addr		addr;
	u32			sessions;
};

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
	u64		deadline;	/* ns (pgm_now), for the NAK states */
	u8		state;
	u8		ncf_retries;
	u8		data_retries;
	bool		frag:1;		/* OPT_FRAGMENT present */
	bool		fecnak:1;	/* its NAK state is its group's parity NAK's */
	bool		fecsel:1;	/* its group's parity NAKs failed: selective */
	u32		first;		/* OPT_FRAGMENT: first sqn of the APDU */
	u32		apdu_len;	/* OPT_FRAGMENT: APDU length */
	u32		missing;	/* found missing then, in 1.024 us (pgm_stamp) */
};

/*
 * FEC at a receiver (RFC 3208 section 11.5; rcvfec.c).  What a session's
 * in-sequence SPMs said in OPT_PARITY_PRM, the code RS(255, k) (a parity
 * packet depends on its number and k only, so the source's n need not be
 * known), and the transmission groups of the window that hold originals
 * or parity, in a table of @ngroups entries (a power of two above the
 * window's groups, so no two groups of the window share an entry),
 * allocated a chunk of PGM_RX_GRP_CHUNK entries at a time.
 */
#define PGM_RX_GRP_CHUNK	256

struct pgm_rx_grp;

struct pgm_peer_fec {
	struct pgm_rs		rs;
	u8			k;
	u8			shift;		/* log2(k) */
	bool			proactive;	/* OPT_PARITY_PRM's P */
	bool			ondemand;	/* OPT_PARITY_PRM's O */
	u32			ngroups;
	u32			nchunks;
	u32			low;		/* TG_SQN: groups before it are freed */
	bool			low_set;
	bool			sel_set;
	u32			sel_tg;		/* the group of next when FEC was learnt */
	u32			mem;		/* bytes charged for this and the table */
	struct pgm_rx_grp	***chunks;
};

/*
 * PGMCC at a receiver (draft-ietf-rmt-bb-pgmcc-03 section 4; rcvcc.c),
 * for a socket with PGM_PGMCC: the session's loss rate, the ACK bitmap and
 * the source's newest timestamp.
 */
struct pgm_peer_cc {
	bool			on;		/* the socket takes part (PGM_PGMCC at bind()) */
	bool			src;		/* the source's data carried OPT_PGMCC_DATA */
	bool			me_set;
	u32			loss;		/* p, 16.16 fixed point, 0 to 1 << 16 */
	u32			bitmap;		/* ACK_BITMAP: bit 0 the lead, bit n lead - n */
	u32			tsp;		/* the newest OPT_PGMCC_DATA timestamp */
	u64			tsp_at;		/* when it came, ns */
	u64			elect_at;	/* an election's ACK is due then; 0: none */
	union pgm_addr		me;		/* our address, as feedback names us */
};

/* OPT_PGMCC_DATA of a data packet, read before the packet is held. */
/* Confirmed delivery (rcvconfirm.c): a session's part. */
enum {
	PGM_PEER_CONFIRM_OFF,		/* the socket does not confirm */
	PGM_PEER_CONFIRM_WAIT,		/* until a window and a path NLA */
	PGM_PEER_CONFIRM_ON,		/* JOIN sent: ticking */
	PGM_PEER_CONFIRM_DONE,		/* BYE sent, or the session ended */
};

struct pgm_peer_confirm {
	u8			state;
	u8			idle;		/* ticks since the last ACK */
	u32			id;		/* RECEIVER ID: random per session */
	u32			sent;		/* CONFIRMED of the last ACK */
	u64			tick_at;	/* the next tick, ns */
};

struct pgm_cc_opt {
	bool			has;
	u32			tsp;
	union pgm_addr		acker;
	struct net_device	*dev;	/* where it came in (softirq: valid meanwhile) */
};

struct pgm_peer {
	struct hlist_node	node;		/* in rcv->peers, or rcv->dying */
	struct list_head	blocked;	/* in rcv->blocked: delivery waits for room */
	struct pgm_receiver	*rcv;
	struct hrtimer		timer;		/* soft: runs in softirq */
	struct pgm_tsi		tsi;
	/* Checked with @tsi by every packet: in the same cacheline. */
	union pgm_addr		saddr;		/* IP source of its packets: the session's address */
	struct pgm_src_count	*src;		/* @saddr's count of sessions */
	union pgm_addr		group;		/* where its data goes */
	union pgm_addr		nla;		/* path NLA from SPMs; unspecified: none yet */
	union pgm_addr		nla_new;	/* a different NLA seen once (damping) */
	__be16			dport;
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
	u64			last_heard;	/* times in ns, pgm_now() */
	u64			spmr_at;	/* send an SPMR then, if no SPM */
	u64			bo_at;		/* earliest back-off deadline */
	u64			wait_at;	/* earliest NCF/RDATA deadline */
	bool			spmr_wait;	/* SPMR sent or suppressed: wait for the SPM */
	struct pgm_params	p;		/* as when the peer appeared */
	struct pgm_peer_fec	*fec;		/* NULL until an SPM offers FEC */
	u64			fec_k_at;	/* when a group size was last taken, if @fec_k_set */
	bool			fec_k_set;
	u32			spm_lead;	/* the last in-sequence SPM's SPM_LEAD */
	bool			spm_lead_set;
	bool			trail_set;
	u32			trail;		/* the highest trail the source sent */
	u64			losses;		/* this session's share of the counters */
	u64			naks_sent;
	u64			groups_rebuilt;
	u64			parity_naks_sent;
	u64			acks_sent;	/* PGMCC ACKs to its source */
	struct pgm_peer_cc	cc;
	struct pgm_peer_confirm	confirm;
	u32			nchunks;
	int			ifindex;	/* IPv6: where its first packet came in, the
						 * scope of its link-local addresses; else 0 */
	struct pgm_slot		**chunks;	/* @nchunks chunks, allocated on first use */
};

struct pgm_receiver {
	spinlock_t		lock;		/* everything below, and the peers' */
	struct sock		*sk;
	struct pgm_net		*pn;
	struct rcu_head		rcu;
	bool			dead;
	bool			aborted;	/* PGM_ABORT_ON_LOSS fired */
	unsigned int		npeers;
	u32			hash_seed;
	u32			shed_cursor;	/* the bucket pgm_rcv_reclaim() looked at last */
	u32			confirm_ivl_us;	/* PGM_CONFIRM, fixed at bind(); 0: off */
	u64			mem;		/* bytes charged: sessions, windows, held data */
	struct hlist_head	peers[PGM_PEER_HASH];
	struct hlist_head	srcs[PGM_SRC_HASH];	/* the sessions' addresses */
	struct list_head	blocked;	/* peers whose delivery waits for room */
	/*
	 * Loss and session-end records the error queue could not take yet
	 * (it shares SO_RCVBUF with data): kept here, in order, and queued as
	 * the reader frees room.  Bounded by PGM_ERR_PENDING_MAX.
	 */
	struct sk_buff_head	pending_err;
	/*
	 * Something above waits for the reader's room: written under the
	 * lock, read without it by recvmsg(), which takes the lock only then
	 * (deliver.c, pgm_wait_for_reader()).  May be true with nothing
	 * waiting (a lock taken for nothing), never false with something.
	 */
	bool			waiting;
	struct pgm_receiver_stats st;
	struct pgm_ring		*ring;		/* the socket's, if PGM_RX_RING was set */
};


/* The socket's receiver, under the socket lock. */
static inline struct pgm_receiver *pgm_rcv_get(struct sock *sk)
{
	return rcu_dereference_protected(pgm_sk(sk)->rcv, lockdep_sock_is_held(sk));
}

/* Has @peer learnt a path NLA from an SPM, somewhere its NAKs can go? */
static inline bool pgm_peer_has_nla(const struct pgm_peer *peer)
{
	return !pgm_addr_any(peer->rcv->sk->sk_family, &peer->nla);
}

/* The window's size in sqns (PGM_RXW_SQNS when the peer appeared). */
static inline u32 peer_size(const struct pgm_peer *peer)
{
	return peer->size;
}

/*
 * The slot of @sqn, or NULL when its chunk was never needed.  The index is
 * the transmit window's (txw.h): @sqn masked with a power of two, so sqns
 * that share a slot are a multiple of 2^k apart and never both in the
 * window, across the 2^32 wrap too.
 */
static inline struct pgm_slot *pgm_slot_find(const struct pgm_peer *peer, u32 sqn)
{
	u32 i = pgm_txw_slot(peer->mask, sqn);
	struct pgm_slot *c;

	if (!peer->chunks)
		return NULL;
	c = peer->chunks[i / SLOTS_PER_CHUNK];
	return c ? &c[i % SLOTS_PER_CHUNK] : NULL;
}

/* Is the sqn of @s still to come (in a NAK state, or not even that)? */
static inline bool pgm_slot_awaited(const struct pgm_slot *s)
{
	return s->state == SLOT_NONE || s->state == SLOT_BACKOFF ||
	       s->state == SLOT_WAIT_NCF || s->state == SLOT_WAIT_DATA;
}

/*
 * May @peer's session make us send @n more packets (NAKs, SPMRs, ACKs)?
 * Takes them from its credit (PGM_NAK_CREDIT per packet it sent us).
 */
static inline bool pgm_peer_spend(struct pgm_peer *peer, u16 n)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	if (peer->credit < n)
		return false;
	peer->credit -= n;
	return true;
}

/* peer.c */
bool pgm_rcv_charge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes, bool must)
	__must_hold(&rcv->lock);
void pgm_rcv_uncharge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 bytes)
	__must_hold(&rcv->lock);
struct pgm_slot *pgm_slot_alloc(struct pgm_peer *peer, u32 sqn, bool must)
	__must_hold(&peer->rcv->lock);
void pgm_slot_clear(struct pgm_peer *peer, struct pgm_slot *s)
	__must_hold(&peer->rcv->lock);
struct pgm_peer *pgm_peer_find(struct pgm_receiver *rcv, const struct pgm_tsi *tsi)
	__must_hold(&rcv->lock);
struct pgm_peer *pgm_peer_new(struct pgm_receiver *rcv, const struct pgm_tsi *tsi,
			      const union pgm_addr *saddr, const union pgm_addr *daddr,
			      int ifindex, __be16 dport)
	__must_hold(&rcv->lock);
void pgm_peer_unlink(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
void pgm_peer_free(struct pgm_peer *peer);

/* receiver.c */
enum hrtimer_restart pgm_peer_timer(struct hrtimer *t);
void pgm_peer_arm(struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock);

/* The receivers' clock: ns, CLOCK_MONOTONIC (pgm.h). */
static inline u64 pgm_now(void)
{
	return ktime_get_ns();
}

/* @ns in the 32-bit units of pgm_slot.missing (1.024 us, wraps in 73 min). */
static inline u32 pgm_stamp(u64 ns)
{
	return (u32)(ns >> 10);
}

/* receiver.c, for rcvfec.c */
bool pgm_extend(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn, u8 state)
	__must_hold(&rcv->lock);
bool pgm_hold_data(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn,
		   struct sk_buff **skbp, bool take, unsigned int hlen,
		   const struct pgm_slot *meta)
	__must_hold(&rcv->lock);
void pgm_slot_nak_state(struct pgm_peer *peer, struct pgm_slot *s, u8 state, u64 when)
	__must_hold(&peer->rcv->lock);
void pgm_slide_to(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 trail)
	__must_hold(&rcv->lock);

/* rcvfec.c */
struct pgm_wire_info;
void pgm_fec_spm(struct pgm_receiver *rcv, struct pgm_peer *peer, const u8 *pkt,
		 const struct pgm_wire_info *info)
	__must_hold(&rcv->lock);
void pgm_fec_parity(struct pgm_receiver *rcv, struct pgm_peer *peer, struct sk_buff *skb,
		    const struct pgm_wire_info *info)
	__must_hold(&rcv->lock);
void pgm_fec_keep(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn)
	__must_hold(&rcv->lock);
void pgm_fec_prune(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
bool pgm_fec_waits(const struct pgm_peer *peer, const struct pgm_slot *s, u32 sqn)
	__must_hold(&peer->rcv->lock);
bool pgm_fec_nak_group(const struct pgm_peer *peer, const struct pgm_slot *s, u32 sqn, u32 *tg)
	__must_hold(&peer->rcv->lock);
unsigned int pgm_fec_request(struct pgm_peer *peer, u32 tg, u64 now)
	__must_hold(&peer->rcv->lock);
void pgm_fec_fallback(struct pgm_peer *peer, u32 sqn, u64 when)
	__must_hold(&peer->rcv->lock);
void pgm_fec_confirm(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn, u64 now)
	__must_hold(&rcv->lock);
void pgm_fec_forget(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
void pgm_fec_peer_free(struct pgm_peer *peer);

/* rcvcc.c */
void pgm_cc_peer_init(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
void pgm_cc_advance(struct pgm_peer *peer, bool received)
	__must_hold(&peer->rcv->lock);
void pgm_cc_repaired(struct pgm_peer *peer, u32 sqn)
	__must_hold(&peer->rcv->lock);
void pgm_cc_read(struct pgm_receiver *rcv, const struct pgm_peer *peer, const struct sk_buff *skb,
		 const struct pgm_wire_info *info, struct pgm_cc_opt *opt)
	__must_hold(&rcv->lock);
void pgm_cc_data(struct pgm_receiver *rcv, struct pgm_peer *peer, const struct pgm_cc_opt *opt)
	__must_hold(&rcv->lock);
void pgm_cc_timer(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock);
unsigned int pgm_cc_feedback_len(const struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock);
void pgm_cc_feedback(const struct pgm_peer *peer, u8 *o, u64 now)
	__must_hold(&peer->rcv->lock);
/* rcvconfirm.c */
void pgm_confirm_peer_init(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
void pgm_confirm_check(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock);
void pgm_confirm_timer(struct pgm_receiver *rcv, struct pgm_peer *peer, u64 now)
	__must_hold(&rcv->lock);
u64 pgm_confirm_deadline(const struct pgm_peer *peer)
	__must_hold(&peer->rcv->lock);
void pgm_confirm_lost(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 first)
	__must_hold(&rcv->lock);
void pgm_confirm_stop(struct pgm_receiver *rcv, struct pgm_peer *peer, bool bye)
	__must_hold(&rcv->lock);

/* deliver.c */
void pgm_peer_event(struct pgm_receiver *rcv, struct pgm_peer *peer, u8 cmd,
		    struct pgm_nl_event *ev)
	__must_hold(&rcv->lock);
void pgm_report_loss(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 first, u32 count)
	__must_hold(&rcv->lock);
void pgm_report_end(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 reason)
	__must_hold(&rcv->lock);
void pgm_deliver(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock);
void pgm_ring_wake(struct pgm_receiver *rcv)
	__must_hold(&rcv->lock);

#endif /* _PGM_RECEIVER_H */
