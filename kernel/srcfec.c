// SPDX-License-Identifier: GPL-2.0
/*
 * srcfec.c - FEC at the source (RFC 3208 appendix A, section 11), as the
 * model has it (Sources/PGMModel/Source.swift, docs/fec.md).
 *
 * With PGM_FEC set, sequence numbers fall into transmission groups of k
 * starting at multiples of k (section 11.2; the session's first group is
 * partial unless the random ISN is a multiple of k, and gets no parity).
 * Every SPM carries OPT_PARITY_PRM (11.4).  When a group's last ODATA has
 * gone, its proactive parity packets, numbers 0 to proactive - 1 (codeword
 * rows k, k + 1, ...), follow as ODATA with OPT_PARITY, taking tokens like
 * ODATA and going before the next ODATA.  A parity NAK (OPT_PARITY in the
 * header, NAK_TG_SQN | NAK_PKT_CNT, 11.3) for a group wholly in the window
 * gets a parity NCF echoing it and as many new parity numbers as the
 * largest request pending for the group (11.4's consolidation), as RDATA
 * through the repair queue and its rate limit, after the group's own
 * proactive parity.  When more is asked than the n - k numbers have left
 * (a late joiner that missed the proactive parity asks for k), the group's
 * originals are repaired instead.  A parity NAK within RDATA_LINGER_IVL of
 * the group's last parity batch is confirmed at once and owed only what it
 * asks beyond that batch, when the linger ends.
 *
 * Parity is computed from the window's packets when it leaves, never
 * kept: k passes over a packet (fec.c), under src->lock, in softirq (the
 * timer, a NAK) or in process context with BHs off (send()); never in hard
 * irq.  A group of TSDUs of different lengths is padded with zeros to the
 * longest and each gets its length appended (OPT_VAR_PKTLEN, the 2-octet
 * trailer in network order); a group with OPT_FRAGMENT gets the option
 * encoded (OP_ENCODED, 13 octets, OP_ENCODED_NULL for packets without one).
 *
 * Reflection bound: the packets one parity NAK adds to what the source
 * owes (parity, or the originals when the numbers left do not do) are at most
 * PGM_NAK_SQNS_MAX, as for a selective NAK; a request beyond that is cut
 * to what fits, and refused (counted, not confirmed) when nothing does.
 *
 * Locking: as source.c; everything under src->lock.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/sock.h>

#include "compat.h"
#include "source.h"

/* Options and bits of FEC (sections 11.8.1, 11.8.2; OpenPGM's P and O bits). */
#define PGM_OPT_PARITY_PRM	0x08
#define PGM_OPT_PARITY_GRP	0x09
#define PGM_OPT_PARITY_LEN	8	/* both of them */
#define PGM_PARITY_PRM_PRO	0x01
#define PGM_PARITY_PRM_OND	0x02
#define PGM_OP_ENCODED		0x04	/* in an option's third octet */
#define PGM_OP_ENCODED_NULL	0x80	/* U: the packet had no such option */
#define PGM_FEC_TRAILER		2	/* TSDU length after a padded packet */
#define PGM_FEC_FRAG_IN		13	/* octets of OPT_FRAGMENT that FEC encodes */

/* Zeros standing for the padding of shorter packets. */
static const u8 pgm_fec_zero[512];

/* The encoder's scratch, one per source: per original of a group. */
struct pgm_fec_scratch {
	const u8	**in;		/* what one pgm_rs_encode() call reads */
	const u8	**tsdu;		/* each original's TSDU */
	u16		*len;		/* and its length */
	u8		*frag;		/* each original's OPT_FRAGMENT as FEC input */
	u8		*trl;		/* each original's length trailer */
};

static u32 pgm_fec_mask(const struct pgm_source *src)
{
	return src->fec.k - 1;
}

/**
 * pgm_fec_start - connect(): FEC state for a session with @fec
 * @src: the session, not yet published
 * @fec: the socket's PGM_FEC (k == 0: none)
 *
 * The code, the encoder's scratch and one on-demand record per group the
 * window can hold, all charged to the caller's memory cgroup.
 *
 * Return: 0 or -ENOMEM (nothing left allocated).
 */
int pgm_fec_start(struct pgm_source *src, const struct pgm_fec *fec)
{
	struct pgm_fec_scratch *sc;
	unsigned int k = fec->k;
	u32 groups;
	size_t sz;
	u8 *p;
	int err;

	INIT_LIST_HEAD(&src->flg);
	if (!k)
		return 0;
	err = pgm_rs_init(&src->rs, fec->n, k, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	/* A window of size sqns holds at most (mask + 1) / k whole groups. */
	groups = max_t(u32, 1, (src->mask + 1) / k);
	src->fgrp = kvcalloc(groups, sizeof(*src->fgrp), GFP_KERNEL_ACCOUNT);
	sz = sizeof(*sc) + k * (2 * sizeof(u8 *) + sizeof(u16) + PGM_FEC_FRAG_IN +
				PGM_FEC_TRAILER);
	sc = kzalloc(sz, GFP_KERNEL_ACCOUNT);
	if (!src->fgrp || !sc) {
		kvfree(src->fgrp);
		src->fgrp = NULL;
		kfree(sc);
		pgm_rs_free(&src->rs);
		return -ENOMEM;
	}
	p = (u8 *)(sc + 1);
	sc->in = (const u8 **)p;
	p += k * sizeof(u8 *);
	sc->tsdu = (const u8 **)p;
	p += k * sizeof(u8 *);
	sc->len = (u16 *)p;
	p += k * sizeof(u16);
	sc->frag = p;
	p += k * PGM_FEC_FRAG_IN;
	sc->trl = p;
	src->fscratch = sc;
	src->fgrp_mask = groups - 1;
	src->fec = *fec;
	return 0;
}

/**
 * pgm_fec_free - free what pgm_fec_start() allocated
 * @src: the session, dead (or never published)
 */
void pgm_fec_free(struct pgm_source *src)
{
	if (!src->fec.k)
		return;
	kvfree(src->fgrp);
	src->fgrp = NULL;
	kfree(src->fscratch);
	src->fscratch = NULL;
	pgm_rs_free(&src->rs);
	src->fec.k = 0;
}

/* Bytes OPT_PARITY_PRM adds to an SPM's options (OPT_LENGTH not included). */
unsigned int pgm_fec_spm_optlen(const struct pgm_source *src)
{
	return src->fec.k ? PGM_OPT_PARITY_LEN : 0;
}

/* OPT_PARITY_PRM (sections 11.8.1, 11.4): the group size and what is offered. */
void pgm_fec_spm_opt(const struct pgm_source *src, struct pgm_optw *ow)
{
	u8 *o;

	if (!src->fec.k)
		return;
	o = pgm_optw_add(ow, PGM_OPT_PARITY_PRM, PGM_OPT_PARITY_LEN);
	o[3] = (src->fec.proactive ? PGM_PARITY_PRM_PRO : 0) |
	       (src->fec.flags & PGM_FEC_ONDEMAND ? PGM_PARITY_PRM_OND : 0);
	put_unaligned_be32(src->fec.k, o + 4);
}

/*
 * Is all of the group starting at @g in the window: sent, and its first
 * sqn not yet behind the trail?
 */
static bool pgm_fec_whole(const struct pgm_source *src, u32 g)
{
	u32 last = g + pgm_fec_mask(src);

	return !pgm_sqn_before(g, src->trail) && pgm_sqn_before(last, src->next_sqn);
}

static struct pgm_fec_grp *pgm_fec_grp_at(const struct pgm_source *src, u32 g)
{
	return &src->fgrp[(g / src->fec.k) & src->fgrp_mask];
}

/**
 * pgm_fec_node_grp - the group record of a repair queue entry, if it is one
 * @src: the session
 * @node: an entry of src->rq
 *
 * Return: the record, or NULL when @node is a window entry's (RDATA).
 */
struct pgm_fec_grp *pgm_fec_node_grp(const struct pgm_source *src,
				     const struct list_head *node)
{
	const struct pgm_fec_grp *fg = container_of(node, struct pgm_fec_grp, node);

	if (!src->fgrp || fg < src->fgrp || fg > &src->fgrp[src->fgrp_mask])
		return NULL;
	return (struct pgm_fec_grp *)fg;
}

/* The TSDU of window entry @skb (linear: pgm_build_odata). */
static const u8 *pgm_fec_tsdu(const struct sk_buff *skb)
{
	return skb->data + skb->len - txw_cb((struct sk_buff *)skb)->tsdu;
}

/* Does window entry @skb carry OPT_FRAGMENT?  It is then first, after OPT_LENGTH. */
static const u8 *pgm_fec_fragment(const struct sk_buff *skb)
{
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;
	const u8 *o = skb->data + PGM_DATA_HLEN + PGM_OPT_LENGTH_LEN;

	if (!(ph->options & PGM_OPT_PRESENT) || (o[0] & PGM_OPT_MASK) != PGM_OPT_FRAGMENT)
		return NULL;
	return o;
}

/*
 * The shape of the parity packets of group @g, wholly in the window: the
 * longest TSDU, whether the lengths differ, whether any has OPT_FRAGMENT.
 */
struct pgm_fec_shape {
	unsigned int	longest;
	bool		varlen;
	bool		frag;
};

static void pgm_fec_shape(const struct pgm_source *src, u32 g, struct pgm_fec_shape *sh)
{
	unsigned int i, first = 0;

	sh->longest = 0;
	sh->varlen = false;
	sh->frag = false;
	for (i = 0; i < src->fec.k; i++) {
		const struct sk_buff *skb = *txw_at(src, g + i);
		unsigned int len = txw_cb((struct sk_buff *)skb)->tsdu;

		if (!i)
			first = len;
		else if (len != first)
			sh->varlen = true;
		sh->longest = max(sh->longest, len);
		if (pgm_fec_fragment(skb))
			sh->frag = true;
	}
}

/* Option bytes of parity packet @number of a group shaped @sh. */
static unsigned int pgm_fec_optlen(const struct pgm_source *src,
				   const struct pgm_fec_shape *sh, unsigned int number)
{
	bool grp = number >= src->fec.k;

	if (!sh->frag && !grp)
		return 0;
	return PGM_OPT_LENGTH_LEN + (sh->frag ? PGM_OPT_FRAGMENT_LEN : 0) +
	       (grp ? PGM_OPT_PARITY_LEN : 0);
}

/* PGM bytes of parity packet @number of group @g, wholly in the window. */
static unsigned int pgm_fec_len(const struct pgm_source *src, u32 g, unsigned int number)
{
	struct pgm_fec_shape sh;

	pgm_fec_shape(src, g, &sh);
	return PGM_DATA_HLEN + pgm_fec_optlen(src, &sh, number) + sh.longest +
	       (sh.varlen ? PGM_FEC_TRAILER : 0);
}

/*
 * Parity packet @number (codeword k + @number) of group @g, wholly in the
 * window, as ODATA or RDATA (section 11.2): checksummed, ready to go.
 */
static struct sk_buff *pgm_fec_build(struct pgm_source *src, u32 g, unsigned int number,
				     bool rdata)
	__must_hold(&src->lock)
{
	struct pgm_fec_scratch *sc = src->fscratch;
	unsigned int k = src->fec.k, row = k + number, i, optlen, tsdu, off;
	struct pgm_fec_shape sh;
	struct pgm_data *dh;
	struct sk_buff *skb;
	struct pgm_optw ow;
	u8 *dst;

	lockdep_assert_held(&src->lock);
	pgm_fec_shape(src, g, &sh);
	optlen = pgm_fec_optlen(src, &sh, number);
	tsdu = sh.longest + (sh.varlen ? PGM_FEC_TRAILER : 0);
	skb = pgm_alloc_pkt(PGM_DATA_HLEN + optlen + tsdu, GFP_ATOMIC);
	if (!skb)
		return NULL;
	pgm_fill_hdr(skb, src->sport, src->dport, rdata ? PGM_RDATA : PGM_ODATA,
		     PGM_OPT_PARITY | (sh.varlen ? PGM_OPT_VAR_PKTLEN : 0) |
		     (optlen ? PGM_OPT_PRESENT : 0), src->gsi, tsdu);
	dh = skb_put(skb, sizeof(*dh));
	dh->sqn = htonl(g | (number & pgm_fec_mask(src)));
	dh->trail = htonl(src->trail);

	for (i = 0; i < k; i++) {
		const struct sk_buff *o = *txw_at(src, g + i);
		const u8 *of = pgm_fec_fragment(o);

		sc->tsdu[i] = pgm_fec_tsdu(o);
		sc->len[i] = txw_cb((struct sk_buff *)o)->tsdu;
		put_unaligned_be16(sc->len[i], sc->trl + PGM_FEC_TRAILER * i);
		if (of) {
			memcpy(sc->frag + PGM_FEC_FRAG_IN * i, of + 3, PGM_FEC_FRAG_IN);
		} else {
			memset(sc->frag + PGM_FEC_FRAG_IN * i, 0, PGM_FEC_FRAG_IN);
			sc->frag[PGM_FEC_FRAG_IN * i] = PGM_OP_ENCODED_NULL;
		}
	}
	if (optlen) {
		u8 *o;

		pgm_optw_init(&ow, skb_put(skb, optlen));
		if (sh.frag) {
			o = pgm_optw_add(&ow, PGM_OPT_FRAGMENT, PGM_OPT_FRAGMENT_LEN);
			o[2] = PGM_OP_ENCODED;
			for (i = 0; i < k; i++)
				sc->in[i] = sc->frag + PGM_FEC_FRAG_IN * i;
			pgm_rs_encode(&src->rs, sc->in, row, o + 3, PGM_FEC_FRAG_IN);
		}
		if (number >= k) {
			o = pgm_optw_add(&ow, PGM_OPT_PARITY_GRP, PGM_OPT_PARITY_LEN);
			put_unaligned_be32(number / k, o + 4);
		}
		pgm_optw_finish(&ow);
	}

	/*
	 * The payload, padded: in runs where every original either has data
	 * throughout or has none (it is then zeros), at most sizeof(zeros)
	 * long.
	 */
	dst = skb_put(skb, tsdu);
	for (off = 0; off < sh.longest; ) {
		unsigned int end = min_t(unsigned int, sh.longest, off + sizeof(pgm_fec_zero));

		for (i = 0; i < k; i++)
			if (sc->len[i] > off && sc->len[i] < end)
				end = sc->len[i];
		for (i = 0; i < k; i++)
			sc->in[i] = sc->len[i] > off ? sc->tsdu[i] + off : pgm_fec_zero;
		pgm_rs_encode(&src->rs, sc->in, row, dst + off, end - off);
		off = end;
	}
	if (sh.varlen) {
		for (i = 0; i < k; i++)
			sc->in[i] = sc->trl + PGM_FEC_TRAILER * i;
		pgm_rs_encode(&src->rs, sc->in, row, dst + sh.longest, PGM_FEC_TRAILER);
	}
	pgm_set_csum(skb);
	return skb;
}

/* Send parity packet @number of group @g; the caller saw to the tokens. */
static int pgm_fec_send(struct pgm_source *src, u32 g, unsigned int number, bool rdata)
	__must_hold(&src->lock)
{
	struct sk_buff *skb = pgm_fec_build(src, g, number, rdata);
	unsigned int len;

	lockdep_assert_held(&src->lock);
	if (!skb)
		return -ENOMEM;
	len = skb->len;
	pgm_charge(src, pgm_wire_len(src, len, rdata), rdata);
	if (pgm_source_xmit(src, skb, rdata))
		return -ENOBUFS;
	if (rdata)
		src->st.parity_sent_ondemand++;
	else
		src->st.parity_sent_proactive++;
	return 0;
}

/**
 * pgm_fec_odata_sent - ODATA @sqn left: proactive parity is due after a group
 * @src: the session, its lock held
 * @sqn: the ODATA's sequence number
 *
 * After the last ODATA of a group wholly in the window (section 11.4); it
 * goes as soon as the tokens allow (pgm_fec_pro_send), before new ODATA.
 */
void pgm_fec_odata_sent(struct pgm_source *src, u32 sqn)
	__must_hold(&src->lock)
{
	u32 g = sqn & ~pgm_fec_mask(src);

	lockdep_assert_held(&src->lock);
	if (!src->fec.proactive || (sqn & pgm_fec_mask(src)) != pgm_fec_mask(src) ||
	    !pgm_fec_whole(src, g))
		return;
	/* Groups due are consecutive but when the trail skipped one. */
	if (src->pro_groups && g != src->pro_group + src->pro_groups * src->fec.k)
		src->pro_groups = 0;
	if (!src->pro_groups) {
		src->pro_group = g;
		src->pro_next = 0;
	}
	src->pro_groups++;
}

/*
 * Drop due proactive parity of groups no longer wholly in the window.
 * Under src->lock.
 */
static void pgm_fec_pro_prune(struct pgm_source *src)
{
	while (src->pro_groups && !pgm_fec_whole(src, src->pro_group)) {
		src->pro_group += src->fec.k;
		src->pro_groups--;
		src->pro_next = 0;
	}
}

/**
 * pgm_fec_pro_next - the proactive parity packet that goes next, if any
 * @src: the session, its lock held
 * @cost: set to its wire bytes (0 when its group has left the window)
 *
 * Return: false when none is due.
 */
bool pgm_fec_pro_next(const struct pgm_source *src, unsigned int *cost)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (!src->pro_groups)
		return false;
	*cost = pgm_fec_whole(src, src->pro_group) ?
		pgm_wire_len(src, pgm_fec_len(src, src->pro_group, src->pro_next), false) : 0;
	return true;
}

/**
 * pgm_fec_reserve - tokens a send() leaves to the proactive parity due
 * @src: the session, its lock held
 *
 * Return: wire bytes of the next proactive parity packet, 0 when none.
 */
unsigned int pgm_fec_reserve(const struct pgm_source *src)
	__must_hold(&src->lock)
{
	unsigned int cost;

	lockdep_assert_held(&src->lock);
	return pgm_fec_pro_next(src, &cost) ? cost : 0;
}

/**
 * pgm_fec_pro_send - send the next proactive parity packet if the tokens allow
 * @src: the session, its lock held
 *
 * Return: true when one went (or was dropped, its group gone), false when
 * none is due or the tokens hold it back.
 */
bool pgm_fec_pro_send(struct pgm_source *src)
	__must_hold(&src->lock)
{
	unsigned int cost;

	lockdep_assert_held(&src->lock);
	pgm_fec_pro_prune(src);
	if (!pgm_fec_pro_next(src, &cost) || !pgm_may_send(src, cost, false))
		return false;
	if (!pgm_fec_send(src, src->pro_group, src->pro_next, false))
		pgm_source_data_sent(src);
	if (++src->pro_next == src->fec.proactive) {
		src->pro_next = 0;
		src->pro_group += src->fec.k;
		src->pro_groups--;
	}
	return true;
}

/* Take @fg off the repair queue or the linger list.  Under src->lock or dead. */
static void pgm_fec_grp_unlink(struct pgm_source *src, struct pgm_fec_grp *fg)
{
	if (fg->queued) {
		list_del_init(&fg->node);
		src->rq_len--;
		fg->queued = false;
	} else if (fg->lingers) {
		list_del_init(&fg->node);
		fg->lingers = false;
		if (fg->owed)
			src->flg_owed--;
	}
	fg->owed = 0;
}

/**
 * pgm_fec_trail_passed - the trail passed @sqn: its group's record goes
 * @src: the session, its lock held (or dead: pgm_source_stop)
 * @sqn: the sequence number that left the window
 */
void pgm_fec_trail_passed(struct pgm_source *src, u32 sqn)
{
	struct pgm_fec_grp *fg;
	u32 g;

	if (!src->fec.k || (sqn & pgm_fec_mask(src)) != pgm_fec_mask(src))
		return;
	g = sqn & ~pgm_fec_mask(src);
	fg = pgm_fec_grp_at(src, g);
	if (!fg->used || fg->group != g)
		return;
	if (fg->queued)
		src->st.rdata_unsent++;
	pgm_fec_grp_unlink(src, fg);
	fg->used = false;
}

/* Queue @fg for its pending parity.  Under src->lock. */
static void pgm_fec_grp_queue(struct pgm_source *src, struct pgm_fec_grp *fg)
{
	if (fg->queued || !fg->pending)
		return;
	if (fg->lingers)
		pgm_fec_grp_unlink(src, fg);
	list_add_tail(&fg->node, &src->rq);
	src->rq_len++;
	fg->queued = true;
}

/**
 * pgm_fec_grp_cost - wire bytes of what group @fg sends next from the queue
 * @src: the session, its lock held
 * @fg: a queued group
 *
 * Return: its next parity packet's, 0 when it sends no parity (its
 * numbers are used up, or it left the window).
 */
unsigned int pgm_fec_grp_cost(const struct pgm_source *src, const struct pgm_fec_grp *fg)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (!pgm_fec_whole(src, fg->group) || fg->next >= src->fec.n - src->fec.k)
		return 0;
	return pgm_wire_len(src, pgm_fec_len(src, fg->group, fg->next), true);
}

/*
 * Does @fg wait for its group's proactive parity?  Section 11.4: "MUST
 * complete the transmission of ... the proactive parity packets" first.
 */
bool pgm_fec_grp_blocked(const struct pgm_source *src, const struct pgm_fec_grp *fg)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	return src->pro_groups &&
	       fg->group - src->pro_group < src->pro_groups * src->fec.k;
}

/**
 * pgm_fec_grp_send - the queued group @fg at the head of the repair queue
 * @src: the session, its lock held
 * @fg: the group; the caller saw to the tokens of pgm_fec_grp_cost()
 *
 * Its next parity number as RDATA; when more is pending than the group's
 * n - k numbers have left, its originals go to the repair queue instead
 * (lingering as RDATA does).  The group leaves the queue when nothing is pending, and its
 * batch lingers.
 */
void pgm_fec_grp_send(struct pgm_source *src, struct pgm_fec_grp *fg)
	__must_hold(&src->lock)
{
	unsigned int i;

	lockdep_assert_held(&src->lock);
	if (!pgm_fec_whole(src, fg->group) || !fg->pending) {
		pgm_fec_grp_unlink(src, fg);
		fg->pending = 0;
		return;
	}
	/*
	 * More asked than parity numbers left: the k originals, as selective
	 * repairs, serve any receiver of the group, and the numbers left
	 * would not.
	 */
	if (fg->next + fg->pending > src->fec.n - src->fec.k) {
		pgm_fec_grp_unlink(src, fg);
		fg->pending = 0;
		src->st.parity_by_originals++;
		for (i = 0; i < src->fec.k; i++)
			pgm_repair(src, fg->group + i);
		return;
	}
	/* A packet that could not leave is lost, as RDATA would be. */
	pgm_fec_send(src, fg->group, fg->next, true);
	fg->next++;
	fg->pending--;
	fg->batch++;
	fg->last_sent = jiffies ? : 1;
	if (!fg->pending) {
		pgm_fec_grp_unlink(src, fg);
		fg->last_batch = fg->batch;
		if (src->p.rdata_linger_ivl) {
			list_add_tail(&fg->node, &src->flg);
			fg->lingers = true;
		}
	}
	pgm_source_data_sent(src);	/* RDATA is data too (5.1.5) */
}

static unsigned long pgm_fec_linger_end(const struct pgm_source *src,
					const struct pgm_fec_grp *fg)
{
	return fg->last_sent + pgm_usecs_to_jiffies(src->p.rdata_linger_ivl);
}

/**
 * pgm_fec_linger_expire - groups whose parity linger ended
 * @src: the session, its lock held
 *
 * Those owed parity get it queued: max(pending, owed).  Oldest first.
 */
void pgm_fec_linger_expire(struct pgm_source *src)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	while (!list_empty(&src->flg)) {
		struct pgm_fec_grp *fg = list_first_entry(&src->flg, struct pgm_fec_grp, node);
		u8 owed = fg->owed;

		if (time_before(jiffies, pgm_fec_linger_end(src, fg)))
			break;
		pgm_fec_grp_unlink(src, fg);
		if (owed) {
			if (!fg->pending)
				fg->batch = 0;
			fg->pending = max(fg->pending, owed);
			pgm_fec_grp_queue(src, fg);
		}
	}
}

/**
 * pgm_fec_linger_next - when a group owed parity ends its linger
 * @src: the session, its lock held
 * @when: set to the oldest linger's end
 *
 * Return: false when no group is owed parity.
 */
bool pgm_fec_linger_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (!src->flg_owed)
		return false;
	*when = pgm_fec_linger_end(src, list_first_entry(&src->flg, struct pgm_fec_grp, node));
	return true;
}

/*
 * What a request for @count parity packets adds to what @fg owes, at most
 * @budget packets (the originals counting k when it brings them on).
 * Sets *@cost; returns the new target of pending (or owed), 0 when
 * nothing fits.
 */
static unsigned int pgm_fec_grant(const struct pgm_source *src, const struct pgm_fec_grp *fg,
				  unsigned int have, unsigned int count, unsigned int budget,
				  unsigned int *cost)
{
	unsigned int numbers = src->fec.n - src->fec.k;
	unsigned int used = fg->next + have, left = numbers > used ? numbers - used : 0;
	unsigned int inc = count > have ? count - have : 0;
	bool originals = inc > left;

	/* More than the parity numbers left: the k originals instead. */
	*cost = originals ? src->fec.k : inc;
	if (*cost <= budget)
		return have + inc;
	/* Cut to parity that fits. */
	inc = min3(inc, left, budget);
	*cost = inc;
	return inc ? have + inc : 0;
}

/**
 * pgm_fec_nak - a parity NAK for our session (section 11.3, 11.4)
 * @src: the session, its lock held
 * @skb: the NAK, its NLAs checked
 * @info: what validation learnt of it
 *
 * Each group it names (its sqn and its first OPT_NAK_LIST) wholly in the
 * window, with on-demand parity offered, is confirmed in the next parity
 * NCF and gets its parity queued; the others are refused and counted.
 */
void pgm_fec_nak(struct pgm_source *src, struct sk_buff *skb,
		 const struct pgm_wire_info *info)
	__must_hold(&src->lock)
{
	const struct pgm_nak *nk = pgm_body(skb->data);
	u32 req[PGM_NAK_SQNS_MAX];
	unsigned int n = 0, i, j, budget = PGM_NAK_SQNS_MAX;
	u32 queued = src->rq_len;
	bool full = false;

	lockdep_assert_held(&src->lock);
	req[n++] = ntohl(nk->sqn);
	if (pgm_has_opt(info, PGM_OPT_NAK_LIST)) {
		const struct pgm_opt *o;
		bool listed = false;

		pgm_for_each_opt(o, skb->data, info) {
			unsigned int l;

			if (pgm_opt_type(o) != PGM_OPT_NAK_LIST)
				continue;
			if (listed) {
				src->st.nak_lists_ignored++;
				continue;
			}
			listed = true;
			for (l = 0; l < pgm_nak_list_len(o); l++)
				req[n++] = pgm_nak_list_sqn(o, l);
		}
	}
	src->st.parity_naks_received += n;
	pgm_source_nak_rate(src, n);
	for (i = 0; i < n; i++) {
		u32 g = req[i] & ~pgm_fec_mask(src);
		unsigned int count = (req[i] & pgm_fec_mask(src)) + 1, cost, target;
		struct pgm_fec_grp *fg;
		__be32 echo;

		if (!src->fec.k || !(src->fec.flags & PGM_FEC_ONDEMAND) ||
		    !pgm_fec_whole(src, g)) {
			src->st.parity_naks_refused++;
			continue;
		}
		fg = pgm_fec_grp_at(src, g);
		if (!fg->used || fg->group != g) {
			/* A record of a group gone (its trail passed) is free. */
			if (fg->used)
				pgm_fec_trail_passed(src, fg->group + pgm_fec_mask(src));
			memset(fg, 0, sizeof(*fg));
			INIT_LIST_HEAD(&fg->node);
			fg->used = true;
			fg->group = g;
			fg->next = src->fec.proactive;
		}
		if (fg->lingers) {
			/*
			 * Within RDATA_LINGER_IVL of the group's last batch:
			 * taken as sent before it, owed what it asks beyond
			 * (when the linger ends).
			 */
			unsigned int want = count > fg->last_batch ? count - fg->last_batch : 0;

			cost = 0;
			echo = htonl(req[i]);
			if (want > fg->owed) {
				target = pgm_fec_grant(src, fg, fg->owed, want, budget, &cost);
				if (!target) {
					src->st.parity_naks_refused++;
					continue;
				}
				if (!fg->owed)
					src->flg_owed++;
				fg->owed = target;
				echo = htonl(g | (min(count, fg->last_batch + target) - 1));
			}
			src->st.naks_pending++;
		} else {
			target = pgm_fec_grant(src, fg, fg->pending, count, budget, &cost);
			if (!target) {
				src->st.parity_naks_refused++;
				continue;
			}
			if (!fg->pending)
				fg->batch = 0;
			if (target > fg->pending)
				fg->pending = target;
			else
				src->st.naks_pending++;
			pgm_fec_grp_queue(src, fg);
			echo = htonl(g | (min(count, target) - 1));
		}
		budget -= cost;
		for (j = 0; j < src->pncf_n && src->pncf[j] != echo; j++)
			;
		if (j < src->pncf_n)
			continue;
		if (src->pncf_n == ARRAY_SIZE(src->pncf))
			full = true;
		else
			src->pncf[src->pncf_n++] = echo;
	}
	if (full)
		src->st.ncf_dropped++;
	queued = src->rq_len - queued;
	pgm_repair_pump(src);
	src->st.rdata_deferred += min(queued, src->rq_len);
	pgm_source_arm(src);
}
