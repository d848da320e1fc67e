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
	s64			tokens;		/* bytes; negative after a fragmented APDU */
	s64			rtokens;	/* the repair bucket, bytes */
	u64			refill_ns;
	unsigned int		odata_waiters;	/* send()s asleep for tokens */
	unsigned long		odata_short;	/* jiffies a send() last found no tokens */
	__be32			nla;		/* our address, for SPM path NLA */
	__be32			group;
	__be16			sport, dport;
	u8			gsi[PGM_GSI_LEN];
	struct pgm_params	p;		/* fixed at connect() */
	struct pgm_source_stats	st;
	unsigned long		nak_second;	/* start of the NAK-counting second */
	u32			nak_count;	/* NAKs received in it */
	bool			storm_told;	/* nak-storm event sent for it */
	unsigned long		rl_told;	/* last rate-limited event (jiffies) */
};

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

/* The socket's session, under the socket lock. */
static inline struct pgm_source *pgm_src_get(struct sock *sk)
{
	return rcu_dereference_protected(pgm_sk(sk)->src, lockdep_sock_is_held(sk));
}

/* Bytes a packet of @len PGM bytes takes on the wire, IP header included. */
static inline unsigned int pgm_wire_len(const struct pgm_source *src, unsigned int len, bool ra)
{
	if (pgm_encap_hlen(src->sk))
		return len + PGM_IP_HLEN + PGM_UDP_HLEN;	/* no Router Alert in UDP */
	return len + (ra ? PGM_IP_RA_HLEN : PGM_IP_HLEN);
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
	if (src->p.txw_max_rte)
		src->tokens -= cost;
	if (repair)
		src->rtokens = max_t(s64, src->rtokens - cost, 0);
}

/* source.c */
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

/* repair.c */
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
