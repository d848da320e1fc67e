/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - what the source's two halves share: the session, its
 * transmit window, SPMs and ODATA (source.c), and what receivers send
 * back, the repairs and the rate limit (repair.c).
 *
 * Locking: everything of a session is under src->lock (BH-safe); the
 * functions below that take a session expect it held unless they say
 * otherwise.  See source.c.
 */
#ifndef _PGM_SOURCE_H
#define _PGM_SOURCE_H

#include "pgm.h"
#include "txw.h"
#include "fec.h"

/*
 * On-demand parity of one transmission group wholly in the window (FEC,
 * srcfec.c): the next unused parity number, what is still to send, and
 * the linger after its last batch.  One per group the window can hold,
 * found by pgm_fec_grp_at(); @used says it describes @group.
 */
struct pgm_fec_grp {
	struct list_head	node;	/* in src->rq while queued, in src->flg while
					 * its last batch lingers; else empty */
	unsigned long		last_sent;	/* jiffies of its last parity packet */
	u32			group;	/* its first sqn */
	bool			used;
	bool			queued;
	bool			lingers;
	u8			next;	/* next parity number, 0..n-k */
	u8			pending;	/* parity packets still to send */
	u8			batch;	/* sent since pending last rose from 0 */
	u8			last_batch;	/* of the batch that ended at last_sent */
	u8			owed;	/* parity owed when the linger ends */
};

/*
 * PGMCC at the source (draft-ietf-rmt-bb-pgmcc-03 sections 2.2-2.7, 3;
 * srccc.c), the model's SourcePGMCC.swift integer for integer.  W and T in
 * 16.16 fixed point, packets.
 */
struct pgm_src_cc {
	bool			on;		/* PGM_PGMCC, fixed at connect() */
	bool			has_acker;	/* else the next data calls an election */
	bool			has_rx;		/* rx_max and bitmap set by the acker's ACKs */
	bool			suspended;	/* after a loss: no window change until
						 * feedback passes suspend_until */
	bool			has_srtt;
	bool			blocked;	/* a send() found no token (window_limited) */
	u8			retries;	/* timeouts in a row */
	union pgm_addr		acker;
	u64			acker_m2;	/* 1/T_acker^2 (section 2.4), from its feedback */
	u32			acker_loss;	/* its newest loss rate, 0..65535 */
	s64			window;		/* W */
	s64			tokens;		/* T; below 0 after a fragmented APDU */
	u32			rx_max;		/* RX_MAX and ACK_BITMAP as the acker's ACKs built them */
	u32			bitmap;
	u32			suspend_until;
	s64			srtt, rttvar;	/* the acker's, us (RFC 6298's way) */
	u64			deadline;	/* ktime ns of the timeout, 0: none */
};

/*
 * Window packets kept for reuse (pgm_txw_spare_put, source.c): enough for
 * an APDU of 16 packets, at most 64 KiB of memory, within SO_SNDBUF.
 */
#define PGM_TXW_SPARE		16
#define PGM_TXW_SPARE_MEM	(64 * 1024)

/* Confirmed delivery at the source (srcconfirm.c): the live receivers. */
struct pgm_src_confirm {
	bool			on;		/* PGM_CONFIRM, fixed at connect() */
	bool			flow;		/* PGM_CONFIRM_FLOW */
	bool			valid;		/* a receiver is live: @min holds */
	bool			moved;		/* @min or @valid changed since PGM_CONFIRMED
						 * was read: POLLPRI */
	bool			waiting;	/* a send() waits for room (flow_limited counted) */
	u32			min;		/* the least CONFIRMED (S7) */
	u32			n;		/* receivers */
	u32			n_told;		/* @n when POLLPRI was last raised */
	u32			max;		/* PGM_CONFIRM_MAX */
	u32			seed;
	unsigned long		expiry;		/* PGM_CONFIRM_EXPIRY, jiffies */
	unsigned long		refused_told;	/* last receiver-refused event, jiffies */
	u64			refused;
	struct hlist_head	*hash;		/* PGM_CONFIRM_HASH chains by (address, id) */
	struct rb_root_cached	tree;		/* by CONFIRMED, least leftmost */
	struct list_head	lru;		/* least recently heard first */
};

struct pgm_source {
	spinlock_t		lock;		/* everything below */
	struct sock		*sk;
	struct rcu_head		rcu;
	bool			dead;
	bool			syn_sent;	/* first ODATA carried OPT_SYN */
	bool			spm_pending;	/* an SPM waits for tokens */
	u8			end;		/* 0, PGM_OPT_FIN or PGM_OPT_RST */
	u32			first;		/* the session's first sequence number */
	unsigned long		started;	/* jiffies of connect() */
	u32			next_sqn;	/* sequence number of the next ODATA */
	u32			trail;		/* oldest sequence number held */
	u32			size;		/* transmit window capacity, in sqns */
	u32			mask;		/* slots - 1 (txw.h) */
	u64			held;		/* TSDU bytes in the window */
	u64			mem;		/* skb truesize in the window (sk_wmem_queued) */
	struct sk_buff		**txw;		/* ODATA by pgm_txw_slot(mask, sqn) */
	/*
	 * Packets the trail passed, kept for the next ODATA's instead of
	 * freed (pgm_txw_spare_put): at most PGM_TXW_SPARE of them and
	 * PGM_TXW_SPARE_MEM bytes of truesize, in sk_wmem_queued and
	 * txw_mem too, and with the window within SO_SNDBUF.
	 */
	struct sk_buff		*spare[PGM_TXW_SPARE];
	u32			spare_mem;
	u8			nspare;
	struct list_head	rq;		/* window entries waiting for RDATA, oldest first */
	u32			rq_len;
	struct list_head	lg;		/* entries repaired less than RDATA_LINGER_IVL ago, oldest first */
	u32			lg_again;	/* of them, NAKed again: RDATA at the linger's end */
	__be32			ncf[PGM_NAK_SQNS_MAX];	/* sqns the next NCF confirms */
	u8			ncf_n;
	bool			rdata_turn;	/* an NCF went: RDATA goes next */
	u32			spm_sqn;
	u32			hb_ivl;		/* next heartbeat interval (us), 0: none */
	unsigned long		next_hb;
	unsigned long		next_ambient;
	unsigned long		spmr_answered;	/* jiffies of the last SPMR answer, 0: none */
	struct timer_list	timer;
	struct pgm_route	route;		/* to the group (output.c) */
	u16			room;		/* route.headroom for the next ODATA: read
						 * without the lock (READ_ONCE) */
	s64			tokens;		/* bytes; negative after a fragmented APDU */
	s64			rtokens;	/* the repair bucket, bytes */
	u64			wire_sent;	/* wire bytes sent, all packets */
	/*
	 * The netns's multicast policy (policy.c): p.txw_max_rte is the
	 * smaller of @own_rte (PGM_TXW_MAX_RTE) and @policy_rate, 0 being
	 * none; @policy_rate the smaller of the rule's cap and the share of
	 * the policy's rate-cap.  @share_sent and @share_ns: @wire_sent and
	 * the time when the shares were last computed.
	 */
	/*
	 * A logical group of the netns's policy that stands for unicast
	 * receivers (policy.c): every downstream packet goes to each of
	 * @fanout instead of @group, and costs @nfanout packets' tokens.
	 * Fixed from connect(); freed with the session.
	 */
	union pgm_addr		*fanout;
	u32			nfanout;
	u32			own_rte;
	u32			policy_rate;
	u32			policy_rule_cap;
	u32			policy_share;
	bool			policy_exempt;
	u64			share_sent;
	u64			share_ns;
	u64			share_avg;	/* bytes/s, moving average, 1/8 a look */
	u64			refill_ns;
	unsigned int		odata_waiters;	/* send()s asleep for tokens */
	unsigned long		odata_short;	/* jiffies a send() last found no tokens */
	union pgm_addr		nla;		/* our address, for SPM path NLA */
	union pgm_addr		group;
	__be16			sport, dport;
	u8			gsi[PGM_GSI_LEN];
	struct pgm_params	p;		/* fixed at connect() */
	struct pgm_source_stats	st;
	unsigned long		nak_second;	/* start of the NAK-counting second */
	u32			nak_count;	/* NAKs received in it */
	bool			storm_told;	/* nak-storm event sent for it */
	unsigned long		rl_told;	/* last rate-limited event (jiffies) */
	/* FEC (srcfec.c): fec.k == 0 without it. */
	struct pgm_fec		fec;		/* PGM_FEC, fixed at connect() */
	struct pgm_rs		rs;		/* RS(n, k), read-only */
	struct pgm_fec_grp	*fgrp;		/* on-demand state, one per group slot */
	u32			fgrp_mask;	/* group slots - 1 */
	struct list_head	flg;		/* groups whose parity lingers, oldest first */
	u32			flg_owed;	/* of them, owed parity at the linger's end */
	u32			pro_group;	/* first group with proactive parity due */
	u32			pro_groups;	/* groups with proactive parity due from it */
	u8			pro_next;	/* next proactive parity number of pro_group */
	__be32			pncf[PGM_NAK_SQNS_MAX];	/* parity requests the next parity NCF echoes */
	u8			pncf_n;
	void			*fscratch;	/* encoder's per-original scratch (srcfec.c) */
	struct pgm_src_cc	cc;		/* PGMCC (srccc.c); cc.on false without it */
	struct pgm_src_confirm	cf;		/* confirmed delivery; cf.on false without it */
};

/*
 * Octets a parity packet may have beyond the TSDU of its longest original
 * (section 11.2): the 2-octet length trailer, OPT_LENGTH, an encoded
 * OPT_FRAGMENT and OPT_PARITY_GRP.
 */
#define PGM_FEC_PARITY_ROOM	(2 + PGM_OPT_LENGTH_LEN + PGM_OPT_FRAGMENT_LEN + 8)

/* Kept in skb->cb of a transmit window entry. */
struct pgm_txw_cb {
	unsigned long		sent;	/* jiffies of the ODATA */
	unsigned long		rdata;	/* jiffies of the last RDATA, 0: none */
	struct list_head	rq;	/* in src->rq while a repair waits, in src->lg while
					 * its RDATA lingers; else empty */
	u32			tsdu;	/* TSDU bytes, for PGM_TXW_BYTES */
	bool			lingers;	/* rq is in src->lg */
	bool			again;		/* NAKed while it lingers */
};

static inline struct pgm_txw_cb *txw_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct pgm_txw_cb) > sizeof(skb->cb));
	return (struct pgm_txw_cb *)skb->cb;
}

static inline struct sk_buff *txw_skb(struct pgm_txw_cb *cb)
{
	return container_of((char *)cb, struct sk_buff, cb[0]);
}

static inline struct sk_buff **txw_at(const struct pgm_source *src, u32 sqn)
{
	return &src->txw[pgm_txw_slot(src->mask, sqn)];
}

/*
 * The option of @type in one of our own data packets (OPT_LENGTH first,
 * each option's length checked when built), or NULL.
 */
static inline u8 *pgm_own_opt(struct sk_buff *skb, u8 type)
{
	struct pgm_hdr *ph = (struct pgm_hdr *)skb->data;
	u8 *o = (u8 *)pgm_body(ph) + sizeof(struct pgm_data), *end;

	if (!(ph->options & PGM_OPT_PRESENT))
		return NULL;
	end = o + pgm_get_be16(o + 2);		/* OPT_LENGTH's total */
	for (o += PGM_OPT_LENGTH_LEN; o < end; o += ((struct pgm_opt *)o)->len) {
		struct pgm_opt *opt = (struct pgm_opt *)o;

		if (pgm_opt_type(opt) == type)
			return o;
		if (opt->type & PGM_OPT_END || !opt->len)
			return NULL;
	}
	return NULL;
}

/* The socket's session, under the socket lock. */
static inline struct pgm_source *pgm_src_get(struct sock *sk)
{
	return rcu_dereference_protected(pgm_sk(sk)->src, lockdep_sock_is_held(sk));
}

/* Bytes a packet of @len PGM bytes takes on the wire, IP header included. */
static inline unsigned int pgm_wire_len(const struct pgm_source *src, unsigned int len, bool ra)
{
	unsigned int copies = src->nfanout ? : 1;	/* a unicast fan-out sends each packet n times */

	if (src->sk->sk_family == AF_INET6)
		return copies * (len + PGM_IP6_HLEN);	/* no Router Alert over IPv6 yet */
	if (pgm_encap_hlen(src->sk))
		return copies * (len + PGM_IP_HLEN + PGM_UDP_HLEN);	/* no Router Alert in UDP */
	if (src->nfanout)
		ra = false;	/* unicast copies carry no Router Alert */
	return copies * (len + (ra ? PGM_IP_RA_HLEN : PGM_IP_HLEN));
}

/* The bucket's depth for a rate of @rate bytes/s. */
static inline s64 pgm_burst(const struct pgm_source *src, u32 rate)
{
	return max_t(s64, rate / 100, 4 * src->p.max_tpdu);
}

/*
 * The rate of the repair bucket, bytes/s (never 0): a share of the rate
 * limit, or without one a window's worth (TXW_SQNS packets of MAX_TPDU)
 * per second.
 */
static inline u32 pgm_repair_rate(const struct pgm_source *src)
{
	if (!src->p.txw_max_rte)
		return min_t(u64, (u64)src->p.txw_sqns * src->p.max_tpdu, U32_MAX);
	return max_t(u32, 1, src->p.txw_max_rte / PGM_RDATA_SHARE_DIV);
}

/*
 * Do repairs draw from the repair bucket now?  Always without a rate
 * limit; with one, while new data waits for tokens.  Under src->lock.
 */
static inline bool pgm_repair_limited(const struct pgm_source *src)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	return !src->p.txw_max_rte || src->odata_waiters ||
	       time_in_range(jiffies, src->odata_short,
			     src->odata_short + msecs_to_jiffies(PGM_ODATA_WAIT_MS));
}

/* May a packet of @cost wire bytes (a repair with @repair) leave now? */
static inline bool pgm_may_send(const struct pgm_source *src, unsigned int cost, bool repair)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (src->p.txw_max_rte && src->tokens < cost)
		return false;
	return !repair || !pgm_repair_limited(src) || src->rtokens >= cost;
}

/* Take the tokens of a packet that is leaving.  Under src->lock. */
static inline void pgm_charge(struct pgm_source *src, unsigned int cost, bool repair)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	src->wire_sent += cost;
	if (src->p.txw_max_rte)
		src->tokens -= cost;
	if (repair)
		src->rtokens = max_t(s64, src->rtokens - cost, 0);
}

/* source.c */
int pgm_source_xmit(struct pgm_source *src, struct sk_buff *skb, bool ra)
	__must_hold(&src->lock);
void pgm_source_event(struct pgm_source *src, u8 cmd, struct pgm_nl_event *ev)
	__must_hold(&src->lock);
void pgm_source_arm(struct pgm_source *src)
	__must_hold(&src->lock);
void pgm_source_data_sent(struct pgm_source *src)
	__must_hold(&src->lock);
void pgm_send_spm(struct pgm_source *src, bool force)
	__must_hold(&src->lock);
int pgm_send_entry(struct pgm_source *src, struct sk_buff *orig, bool rdata)
	__must_hold(&src->lock);

/* srcfec.c */
int pgm_fec_start(struct pgm_source *src, const struct pgm_fec *fec);
void pgm_fec_free(struct pgm_source *src);
unsigned int pgm_fec_spm_optlen(const struct pgm_source *src);
void pgm_fec_spm_opt(const struct pgm_source *src, struct pgm_optw *ow);
unsigned int pgm_fec_reserve(const struct pgm_source *src)
	__must_hold(&src->lock);
void pgm_fec_odata_sent(struct pgm_source *src, u32 sqn)
	__must_hold(&src->lock);
void pgm_fec_trail_passed(struct pgm_source *src, u32 sqn);
bool pgm_fec_pro_next(const struct pgm_source *src, unsigned int *cost)
	__must_hold(&src->lock);
bool pgm_fec_pro_send(struct pgm_source *src)
	__must_hold(&src->lock);
struct pgm_fec_grp *pgm_fec_node_grp(const struct pgm_source *src,
				     const struct list_head *node);
unsigned int pgm_fec_grp_cost(const struct pgm_source *src, const struct pgm_fec_grp *fg)
	__must_hold(&src->lock);
bool pgm_fec_grp_blocked(const struct pgm_source *src, const struct pgm_fec_grp *fg)
	__must_hold(&src->lock);
void pgm_fec_grp_send(struct pgm_source *src, struct pgm_fec_grp *fg)
	__must_hold(&src->lock);
void pgm_fec_linger_expire(struct pgm_source *src)
	__must_hold(&src->lock);
bool pgm_fec_linger_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock);
void pgm_fec_nak(struct pgm_source *src, struct sk_buff *skb,
		 const struct pgm_wire_info *info)
	__must_hold(&src->lock);

/* srccc.c */
void pgm_cc_src_start(struct pgm_source *src, bool on);
unsigned int pgm_cc_src_optlen(const struct pgm_source *src);
void pgm_cc_src_write(const struct pgm_source *src, u8 *o)
	__must_hold(&src->lock);
void pgm_cc_src_rdata(const struct pgm_source *src, struct sk_buff *skb)
	__must_hold(&src->lock);
bool pgm_cc_src_may_send(struct pgm_source *src)
	__must_hold(&src->lock);
void pgm_cc_src_sent(struct pgm_source *src, unsigned int n)
	__must_hold(&src->lock);
void pgm_cc_src_timer(struct pgm_source *src)
	__must_hold(&src->lock);
bool pgm_cc_src_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock);
void pgm_cc_src_feedback(struct pgm_source *src, const struct sk_buff *skb,
			 const struct pgm_wire_info *info)
	__must_hold(&src->lock);
void pgm_cc_src_stats(const struct pgm_source *src, struct pgm_source_stats *st)
	__must_hold(&src->lock);

/* source.c */
void pgm_source_wake(struct pgm_source *src, __poll_t events)
	__must_hold(&src->lock);

/* srcconfirm.c */
int pgm_confirm_src_start(struct pgm_source *src, const struct pgm_sock *ps);
void pgm_confirm_src_ack(struct pgm_source *src, const struct sk_buff *skb,
			 const struct pgm_wire_info *info)
	__must_hold(&src->lock);
void pgm_confirm_src_timer(struct pgm_source *src)
	__must_hold(&src->lock);
bool pgm_confirm_src_next(struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock);
void pgm_confirm_src_trail(struct pgm_source *src)
	__must_hold(&src->lock);
bool pgm_confirm_src_limit(const struct pgm_source *src, u32 *stop)
	__must_hold(&src->lock);
void pgm_confirm_src_free(struct pgm_source *src);
void pgm_confirm_src_fill(const struct pgm_source *src, struct pgm_source_stats *st)
	__must_hold(&src->lock);

/* repair.c */
void pgm_source_nak_rate(struct pgm_source *src, u32 n)
	__must_hold(&src->lock);
bool pgm_repair(struct pgm_source *src, u32 sqn)
	__must_hold(&src->lock);
void pgm_refill(struct pgm_source *src)
	__must_hold(&src->lock);
unsigned long pgm_token_delay(const struct pgm_source *src, unsigned int cost, bool repair)
	__must_hold(&src->lock);
bool pgm_repair_next(const struct pgm_source *src, bool *ncf, unsigned int *cost)
	__must_hold(&src->lock);
void pgm_repair_pump(struct pgm_source *src)
	__must_hold(&src->lock);
unsigned int pgm_repair_reserve(const struct pgm_source *src)
	__must_hold(&src->lock);
bool pgm_linger_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock);
void pgm_linger_unlink(struct pgm_source *src, struct pgm_txw_cb *cb)
	__must_hold(&src->lock);

#endif /* _PGM_SOURCE_H */
