// SPDX-License-Identifier: GPL-2.0
/*
 * rcvfec.c - FEC at a receiver (RFC 3208 section 11.5; docs/fec.md, "The
 * protocol in the model", which Sources/PGMModel/ReceiverFEC.swift is).
 *
 * A session's in-sequence SPMs say in OPT_PARITY_PRM (section 11.8.1) the
 * transmission group size k and what parity the source offers.  Parity
 * packets (ODATA or RDATA with OPT_PARITY, section 11.2) never take a data
 * slot: each is kept with its group, beside the window, with the group's
 * originals (clones of the window's data, delivered ones too, until the
 * group leaves the window).  The k-th distinct packet of a group rebuilds
 * it, once, with pgm_rs_decode() over RS(255, k); the rebuilt originals
 * enter their slots as received data does, so delivery, the ring and the
 * loss records are those of data.  A rebuild that does not come out exact
 * fails the group: its parity is dropped and its losses are NAKed
 * selectively.
 *
 * Bounds (docs/hostile-input.md): everything held is charged to the
 * socket and the netns like data (pgm_rcv_charge); a group holds at most
 * k distinct packets, originals and parity (the k-th rebuilds it);
 * groups are held only for the window (at most RXW_SQNS / k + 1 of them,
 * parity beyond what data could move the window to is refused); a group is
 * decoded at most once, O(k x packet), in softirq under rcv->lock.
 *
 * Locking: as receiver.c, everything under rcv->lock.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <net/ip.h>

#include "receiver.h"

/* Section 9 option types of FEC, and the option header's bits. */
#define PGM_OPT_PARITY_PRM	0x08
#define PGM_OPT_PARITY_GRP	0x09
#define PGM_OPT_CURR_TGSIZE	0x0a
#define PGM_OP_ENCODED		0x04	/* F, in an option's third octet */
#define PGM_PRM_PRO		0x01	/* OPT_PARITY_PRM's P and O, as OpenPGM */
#define PGM_PRM_OND		0x02	/* writes them (docs/fec.md) */
#define PGM_OP_ENCODED_NULL	0x80	/* U of an encoded absent option */

#define PGM_FEC_FRAG_LEN	13	/* the encoded octets of OPT_FRAGMENT */
#define PGM_FEC_TRAILER		2	/* the TSDU length of a padded packet */

/* One original of a group: a clone of the window's data, at its TSDU. */
struct pgm_fec_orig {
	struct sk_buff	*skb;
	u32		first;
	u32		off;
	u32		len;
	bool		frag;
};

struct pgm_rx_grp {
	u32			tg;		/* TG_SQN */
	u32			mem;		/* charged: this, clones and parity */
	u8			norig;
	u8			npar;		/* at most k - norig */
	bool			complete;	/* every original held or rebuilt */
	bool			failed;		/* parity did not rebuild it exactly */
	bool			varlen;		/* the parity's OPT_VAR_PKTLEN */
	bool			encfrag;	/* the parity's encoded OPT_FRAGMENT */
	u16			plen;		/* the parity's TSDU length */
	struct pgm_fec_orig	*orig;		/* k */
	struct sk_buff		**par;		/* k, at their TSDU */
	u8			(*pfrag)[PGM_FEC_FRAG_LEN];	/* k */
	u8			*pnum;		/* k: their numbers */
};

static size_t grp_bytes(unsigned int k)
{
	return sizeof(struct pgm_rx_grp) + k * sizeof(struct pgm_fec_orig) +
	       k * (sizeof(struct sk_buff *) + PGM_FEC_FRAG_LEN + 1);
}

static bool fec_nak_on(const struct pgm_peer *peer)
{
	return READ_ONCE(pgm_sk(peer->rcv->sk)->fec_nak);
}

static bool fec_charge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 *mem, u32 bytes)
	__must_hold(&rcv->lock)
{
	if (!pgm_rcv_charge(rcv, peer, bytes, false))
		return false;
	*mem += bytes;
	return true;
}

static void fec_uncharge(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 *mem, u32 bytes)
	__must_hold(&rcv->lock)
{
	pgm_rcv_uncharge(rcv, peer, bytes);
	*mem -= bytes;
}

/* Frees the packets @g holds (not @g). */
static void grp_drop_orig(struct pgm_receiver *rcv, struct pgm_peer *peer,
			  struct pgm_rx_grp *g, unsigned int k)
	__must_hold(&rcv->lock)
{
	unsigned int j;

	for (j = 0; j < k; j++) {
		struct sk_buff *skb = g->orig[j].skb;

		if (!skb)
			continue;
		fec_uncharge(rcv, peer, &g->mem, skb->truesize);
		kfree_skb(skb);
		g->orig[j].skb = NULL;
	}
	g->norig = 0;
}

static void grp_drop_parity(struct pgm_receiver *rcv, struct pgm_peer *peer,
			    struct pgm_rx_grp *g)
	__must_hold(&rcv->lock)
{
	unsigned int m;

	for (m = 0; m < g->npar; m++) {
		fec_uncharge(rcv, peer, &g->mem, g->par[m]->truesize);
		kfree_skb(g->par[m]);
		g->par[m] = NULL;
	}
	g->npar = 0;
}

static void grp_free(struct pgm_receiver *rcv, struct pgm_peer *peer,
		     struct pgm_rx_grp *g, unsigned int k)
	__must_hold(&rcv->lock)
{
	grp_drop_orig(rcv, peer, g, k);
	grp_drop_parity(rcv, peer, g);
	pgm_rcv_uncharge(rcv, peer, g->mem);
	kfree(g);
}

/* Nothing more to do for @g: every original is there. */
static void grp_complete(struct pgm_receiver *rcv, struct pgm_peer *peer,
			 struct pgm_rx_grp *g, unsigned int k)
	__must_hold(&rcv->lock)
{
	grp_drop_orig(rcv, peer, g, k);
	grp_drop_parity(rcv, peer, g);
	g->complete = true;
}

/* The table entry of group @tg; its chunk allocated (charged) if @alloc. */
static struct pgm_rx_grp **grp_ref(struct pgm_receiver *rcv, struct pgm_peer *peer,
				    u32 tg, bool alloc)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	u32 i = (tg >> f->shift) & (f->ngroups - 1);
	struct pgm_rx_grp ***c = &f->chunks[i / PGM_RX_GRP_CHUNK];

	if (!*c) {
		u32 len = min_t(u32, f->ngroups, PGM_RX_GRP_CHUNK) * sizeof(**c);

		if (!alloc || !fec_charge(rcv, peer, &f->mem, len))
			return NULL;
		*c = kzalloc(len, GFP_ATOMIC | __GFP_NOWARN);
		if (!*c) {
			fec_uncharge(rcv, peer, &f->mem, len);
			return NULL;
		}
	}
	return &(*c)[i % PGM_RX_GRP_CHUNK];
}

/* Group @tg if held (read only). */
static struct pgm_rx_grp *grp_find(const struct pgm_peer *peer, u32 tg)
{
	const struct pgm_peer_fec *f = peer->fec;
	u32 i = (tg >> f->shift) & (f->ngroups - 1);
	struct pgm_rx_grp **c = f->chunks[i / PGM_RX_GRP_CHUNK];
	struct pgm_rx_grp *g = c ? c[i % PGM_RX_GRP_CHUNK] : NULL;

	return g && g->tg == tg ? g : NULL;
}

/*
 * Group @tg of the window, made (and charged) if need be.  Another group
 * in its entry is behind the window (the table has room for all of the
 * window's groups): it is freed.
 */
static struct pgm_rx_grp *grp_get(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 tg)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	unsigned int k = f->k;
	struct pgm_rx_grp **ref, *g;
	u32 bytes = grp_bytes(k);
	u8 *p;

	if (!f->low_set) {
		f->low = peer->next & ~(u32)(k - 1);
		f->low_set = true;
	}
	ref = grp_ref(rcv, peer, tg, true);
	if (!ref)
		return NULL;
	g = *ref;
	if (g && g->tg == tg)
		return g;
	if (g) {
		grp_free(rcv, peer, g, k);
		*ref = NULL;
	}
	if (!pgm_rcv_charge(rcv, peer, bytes, false))
		return NULL;
	g = kzalloc(bytes, GFP_ATOMIC | __GFP_NOWARN);
	if (!g) {
		pgm_rcv_uncharge(rcv, peer, bytes);
		return NULL;
	}
	g->mem = bytes;
	g->tg = tg;
	p = (u8 *)(g + 1);
	g->orig = (struct pgm_fec_orig *)p;
	p += k * sizeof(struct pgm_fec_orig);
	g->par = (struct sk_buff **)p;
	p += k * sizeof(struct sk_buff *);
	g->pfrag = (u8 (*)[PGM_FEC_FRAG_LEN])p;
	p += k * PGM_FEC_FRAG_LEN;
	g->pnum = p;
	*ref = g;
	return g;
}

/**
 * pgm_fec_forget - free a session's FEC state and what it holds
 * @rcv: the receiver, its lock held
 * @peer: the session; learns FEC again from its next SPM
 */
void pgm_fec_forget(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	u32 i, j, n;

	lockdep_assert_held(&rcv->lock);
	if (!f)
		return;
	n = min_t(u32, f->ngroups, PGM_RX_GRP_CHUNK);
	for (i = 0; i < f->nchunks; i++) {
		if (!f->chunks[i])
			continue;
		for (j = 0; j < n; j++)
			if (f->chunks[i][j])
				grp_free(rcv, peer, f->chunks[i][j], f->k);
		kfree(f->chunks[i]);
	}
	kfree(f->chunks);
	pgm_rs_free(&f->rs);
	pgm_rcv_uncharge(rcv, peer, f->mem);
	kfree(f);
	peer->fec = NULL;
}

/**
 * pgm_fec_peer_free - free an unlinked peer's FEC state (its memory was
 *	uncharged with the peer's)
 * @peer: the session, which nothing can reach any more
 */
void pgm_fec_peer_free(struct pgm_peer *peer)
{
	struct pgm_peer_fec *f = peer->fec;
	u32 i, j, n, k;

	if (!f)
		return;
	n = min_t(u32, f->ngroups, PGM_RX_GRP_CHUNK);
	for (i = 0; i < f->nchunks; i++) {
		if (!f->chunks[i])
			continue;
		for (j = 0; j < n; j++) {
			struct pgm_rx_grp *g = f->chunks[i][j];

			if (!g)
				continue;
			for (k = 0; k < f->k; k++)
				kfree_skb(g->orig[k].skb);
			for (k = 0; k < g->npar; k++)
				kfree_skb(g->par[k]);
			kfree(g);
		}
		kfree(f->chunks[i]);
	}
	kfree(f->chunks);
	pgm_rs_free(&f->rs);
	kfree(f);
	peer->fec = NULL;
}

/* Keeps original @sqn, held in its slot, for group @g; false without memory. */
static bool grp_keep(struct pgm_receiver *rcv, struct pgm_peer *peer,
		     struct pgm_rx_grp *g, u32 sqn)
	__must_hold(&rcv->lock)
{
	struct pgm_slot *s = pgm_slot_find(peer, sqn);
	struct pgm_fec_orig *o = &g->orig[sqn & (peer->fec->k - 1)];
	struct sk_buff *c;

	if (o->skb)
		return true;
	if (!s || s->state != SLOT_HAVE || !s->skb)
		return false;
	c = skb_clone(s->skb, GFP_ATOMIC);
	if (!c)
		return false;
	if (!fec_charge(rcv, peer, &g->mem, c->truesize)) {
		kfree_skb(c);
		return false;
	}
	o->skb = c;
	o->frag = s->frag;
	o->first = s->first;
	o->len = s->apdu_len;
	o->off = pgm_cb(s->skb)->frag_off;
	g->norig++;
	return true;
}

/* Does original @o fit the parity of @g (section 11.2)? */
static bool orig_fits(const struct pgm_rx_grp *g, const struct pgm_fec_orig *o)
{
	unsigned int padded = g->varlen ? g->plen - PGM_FEC_TRAILER : g->plen;

	if (o->frag && !g->encfrag)
		return false;
	return g->varlen ? o->skb->len <= padded : o->skb->len == padded;
}

/* Switches the NAK state of group @tg's missing slots to selective NAKs. */
static void grp_selective(struct pgm_peer *peer, u32 tg, u64 when)
	__must_hold(&peer->rcv->lock)
{
	u32 last = tg | (peer->fec->k - 1), sqn;

	sqn = pgm_sqn_before(tg, peer->next) ? peer->next : tg;
	for (; !pgm_sqn_before(last, sqn) && !pgm_sqn_before(peer->lead, sqn); sqn++) {
		struct pgm_slot *s = pgm_slot_find(peer, sqn);

		if (!s || (s->state != SLOT_BACKOFF && s->state != SLOT_WAIT_NCF &&
			   s->state != SLOT_WAIT_DATA))
			continue;
		s->fecnak = false;
		s->fecsel = true;
		s->ncf_retries = 0;
		s->data_retries = 0;
		pgm_slot_nak_state(peer, s, SLOT_BACKOFF, when);
	}
}

/* The length of a rebuilt padded packet of @plen octets, or -1 (section 11.2). */
static int fec_unpad(const u8 *b, unsigned int plen)
{
	unsigned int room = plen - PGM_FEC_TRAILER, i, len;
	unsigned int cand[2] = {
		(unsigned int)b[room] << 8 | b[room + 1],	/* network order, ours */
		(unsigned int)b[room + 1] << 8 | b[room],	/* OpenPGM's, x86 order */
	};
	int t;

	for (t = 0; t < 2; t++) {
		len = cand[t];
		if (len > room)
			continue;
		for (i = len; i < room && !b[i]; i++)
			;
		if (i == room)
			return len;
	}
	return -1;
}

/* The FEC input of an original's OPT_FRAGMENT (OP_ENCODED_NULL without one). */
static void frag_input(u8 *out, const struct pgm_fec_orig *o)
{
	memset(out, 0, PGM_FEC_FRAG_LEN);
	if (!o->frag) {
		out[0] = PGM_OP_ENCODED_NULL;
		return;
	}
	put_unaligned_be32(o->first, out + 1);
	put_unaligned_be32(o->off, out + 5);
	put_unaligned_be32(o->len, out + 9);
}

/*
 * Rebuilds @g if it holds k distinct packets, parity among them, and the
 * rebuilt originals fill their slots.  One decode at most: the group is
 * then complete, or failed (its parity dropped, its losses NAKed
 * selectively).  The scratch (k + 2 packets) is charged while it lives.
 */
static void grp_rebuild(struct pgm_receiver *rcv, struct pgm_peer *peer,
			struct pgm_rx_grp *g)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	unsigned int k = f->k, plen = g->plen, j, m, used = 0;
	unsigned int padded = g->varlen ? plen - PGM_FEC_TRAILER : plen;
	u8 **block = NULL, **fblock, *idx, ftmp[PGM_FEC_FRAG_LEN];
	u8 *buf, *fbuf, *tmp, *ref;
	u32 scratch, ptrs = 2 * k * sizeof(u8 *);

	lockdep_assert_held(&rcv->lock);
	if (g->complete || g->failed || !g->npar || g->norig + g->npar < k)
		return;
	scratch = ptrs + k + (k + 2) * plen + k * PGM_FEC_FRAG_LEN;
	if (!pgm_rcv_charge(rcv, peer, scratch, false)) {
		scratch = 0;
		goto fail;
	}
	block = kmalloc(scratch, GFP_ATOMIC | __GFP_NOWARN);
	if (!block)
		goto fail;
	fblock = block + k;
	idx = (u8 *)(fblock + k);
	buf = idx + k;
	tmp = buf + k * plen;
	ref = tmp + plen;
	fbuf = ref + plen;
	for (j = 0; j < k; j++) {
		const struct pgm_fec_orig *o = &g->orig[j];

		block[j] = buf + j * plen;
		fblock[j] = fbuf + j * PGM_FEC_FRAG_LEN;
		if (o->skb) {
			memset(block[j], 0, plen);
			if (skb_copy_bits(o->skb, 0, block[j], o->skb->len))
				goto fail;
			if (g->varlen)
				put_unaligned_be16(o->skb->len, block[j] + padded);
			frag_input(fblock[j], o);
			idx[j] = j;
			continue;
		}
		/* Lost: a parity packet stands for it, in the order held. */
		m = used++;
		if (skb_copy_bits(g->par[m], 0, block[j], plen))
			goto fail;
		memcpy(fblock[j], g->pfrag[m], PGM_FEC_FRAG_LEN);
		idx[j] = k + g->pnum[m];
	}
	if (pgm_rs_decode(&f->rs, block, idx, plen, GFP_ATOMIC))
		goto fail;
	if (g->encfrag && pgm_rs_decode(&f->rs, fblock, idx, PGM_FEC_FRAG_LEN, GFP_ATOMIC))
		goto fail;
	/* What came out must be what a source writes ... */
	for (j = 0; j < k; j++) {
		const u8 *fb = fblock[j];

		if (g->orig[j].skb)
			continue;
		if (g->varlen && fec_unpad(block[j], plen) < 0)
			goto fail;
		if (!g->encfrag)
			continue;
		if (fb[0] == PGM_OP_ENCODED_NULL) {
			if (memchr_inv(fb + 1, 0, PGM_FEC_FRAG_LEN - 1))
				goto fail;
		} else if (fb[0] || !get_unaligned_be32(fb + 9) ||
			   get_unaligned_be32(fb + 9) > PGM_APDU_MAX ||
			   pgm_sqn_before(g->tg + j, get_unaligned_be32(fb + 1))) {
			goto fail;
		}
	}
	/* ... and make every spare parity packet held. */
	for (m = used; m < g->npar; m++) {
		if (pgm_rs_encode(&f->rs, (const u8 *const *)block, k + g->pnum[m], tmp, plen) ||
		    skb_copy_bits(g->par[m], 0, ref, plen) || memcmp(tmp, ref, plen))
			goto fail;
		if (g->encfrag &&
		    (pgm_rs_encode(&f->rs, (const u8 *const *)fblock, k + g->pnum[m], ftmp,
				   PGM_FEC_FRAG_LEN) ||
		     memcmp(ftmp, g->pfrag[m], PGM_FEC_FRAG_LEN)))
			goto fail;
	}
	rcv->st.groups_rebuilt++;
	peer->groups_rebuilt++;
	for (j = 0; j < k; j++) {
		u32 sqn = g->tg + j;
		struct pgm_slot meta = {};
		struct pgm_slot *s;
		struct sk_buff *skb;
		int len = plen;

		if (g->orig[j].skb || pgm_sqn_before(sqn, peer->next) ||
		    pgm_sqn_before(peer->lead, sqn))
			continue;
		s = pgm_slot_find(peer, sqn);
		if (!s || (s->state != SLOT_BACKOFF && s->state != SLOT_WAIT_NCF &&
			   s->state != SLOT_WAIT_DATA))
			continue;
		if (g->varlen)
			len = fec_unpad(block[j], plen);
		if (g->encfrag && !fblock[j][0]) {
			meta.frag = true;
			meta.first = get_unaligned_be32(fblock[j] + 1);
			meta.apdu_len = get_unaligned_be32(fblock[j] + 9);
		}
		skb = alloc_skb(len, GFP_ATOMIC | __GFP_NOWARN);
		if (!skb)
			continue;	/* stays missing: NAKed */
		skb_put_data(skb, block[j], len);
		pgm_cb(skb)->frag_off = meta.frag ? get_unaligned_be32(fblock[j] + 5) : 0;
		if (!pgm_hold_data(rcv, peer, sqn, &skb, true, 0, &meta))
			kfree_skb(skb);
	}
	grp_complete(rcv, peer, g, k);
	goto out;

fail:
	rcv->st.parity_dropped += g->npar;
	grp_drop_parity(rcv, peer, g);
	g->failed = true;
	grp_selective(peer, g->tg, pgm_now() + pgm_backoff_ns(peer->p.nak_bo_ivl));
out:
	kfree(block);
	if (scratch)
		pgm_rcv_uncharge(rcv, peer, scratch);
}

/**
 * pgm_fec_keep - an original was held in its slot: keep it for its group
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @sqn: the original's sqn, its slot SLOT_HAVE
 *
 * Parity held that it contradicts is dropped (the data is the source's);
 * the group may then be complete, or rebuild.  An original that cannot be
 * kept (memory) only means the group needs one more parity packet.
 */
void pgm_fec_keep(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	struct pgm_rx_grp *g;

	lockdep_assert_held(&rcv->lock);
	if (!f)
		return;
	g = grp_get(rcv, peer, sqn & ~(u32)(f->k - 1));
	if (!g || g->complete || g->failed)
		return;
	if (!grp_keep(rcv, peer, g, sqn))
		return;
	if (g->npar && !orig_fits(g, &g->orig[sqn & (f->k - 1)])) {
		rcv->st.parity_dropped += g->npar;
		grp_drop_parity(rcv, peer, g);
	}
	if (g->norig == f->k) {
		grp_complete(rcv, peer, g, f->k);
		return;
	}
	grp_rebuild(rcv, peer, g);
}

/**
 * pgm_fec_prune - free the groups wholly behind the window
 * @rcv: the receiver, its lock held
 * @peer: the session
 *
 * Amortised O(1) per group; a jump of the window beyond the table walks
 * the table once (at most twice the window's groups).
 */
void pgm_fec_prune(struct pgm_receiver *rcv, struct pgm_peer *peer)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	u32 cur, i, j, n;

	lockdep_assert_held(&rcv->lock);
	if (!f || !f->low_set || !peer->started)
		return;
	cur = peer->next & ~(u32)(f->k - 1);
	if (pgm_sqn_before(cur, f->low))
		return;
	if ((cur - f->low) >> f->shift > f->ngroups) {
		n = min_t(u32, f->ngroups, PGM_RX_GRP_CHUNK);
		for (i = 0; i < f->nchunks; i++) {
			for (j = 0; f->chunks[i] && j < n; j++) {
				struct pgm_rx_grp *g = f->chunks[i][j];

				if (g && pgm_sqn_before(g->tg, cur)) {
					grp_free(rcv, peer, g, f->k);
					f->chunks[i][j] = NULL;
				}
			}
		}
		f->low = cur;
		return;
	}
	while (f->low != cur) {
		struct pgm_rx_grp **ref = grp_ref(rcv, peer, f->low, false);

		if (ref && *ref && (*ref)->tg == f->low) {
			grp_free(rcv, peer, *ref, f->k);
			*ref = NULL;
		}
		f->low += f->k;
	}
}

/* The option of type @type (not FEC-encoded) of a packet, at least @len long. */
static const u8 *fec_opt(const u8 *pkt, const struct pgm_wire_info *info, u8 type,
			 unsigned int len, bool encoded)
{
	const struct pgm_opt *o;

	if (!pgm_has_opt(info, type))
		return NULL;
	pgm_for_each_opt(o, pkt, info) {
		const u8 *b = (const u8 *)o;

		if (pgm_opt_type(o) != type || !!(b[2] & PGM_OP_ENCODED) != encoded)
			continue;
		return o->len >= len ? b : NULL;
	}
	return NULL;
}

/**
 * pgm_fec_spm - OPT_PARITY_PRM of an in-sequence SPM (section 11.8.1)
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @pkt: the SPM, at its PGM header
 * @info: what validation learnt of it
 *
 * A group size that is not a power of two from 2 to 128 is ignored; a new
 * one forgets the groups held.  The window's held data joins its groups;
 * the group of next delivered what it did not keep, so it is repaired
 * selectively.  Out of memory, the session goes on without FEC.
 *
 * Taking a group size walks the window, so a session takes one at most
 * once per PGM_FEC_K_HOLD_MS: a change sooner is refused and counted, and
 * turns FEC off for the session (parity unused, never decoded with the
 * wrong k) until an SPM after the hold names the size to take.  A source
 * repeats OPT_PARITY_PRM in every SPM, so a real change lands one SPM
 * interval after the hold at most.
 */
void pgm_fec_spm(struct pgm_receiver *rcv, struct pgm_peer *peer, const u8 *pkt,
		 const struct pgm_wire_info *info)
	__must_hold(&rcv->lock)
{
	const u8 *prm = fec_opt(pkt, info, PGM_OPT_PARITY_PRM, 8, false);
	struct pgm_peer_fec *f;
	u32 k, slots, sqn, bytes;
	u64 now;

	lockdep_assert_held(&rcv->lock);
	if (!prm)
		return;
	k = get_unaligned_be32(prm + 4);
	if (k < PGM_RS_MIN_K || k > PGM_RS_MAX_K || !is_power_of_2(k))
		return;
	f = peer->fec;
	if (f && f->k == k) {
		f->proactive = prm[3] & PGM_PRM_PRO;
		f->ondemand = prm[3] & PGM_PRM_OND;
		return;
	}
	now = pgm_now();
	if (peer->fec_k_set && now - peer->fec_k_at < PGM_FEC_K_HOLD_MS * NSEC_PER_MSEC) {
		rcv->st.fec_k_refused++;
		pgm_fec_forget(rcv, peer);
		return;
	}
	peer->fec_k_set = true;
	peer->fec_k_at = now;
	pgm_fec_forget(rcv, peer);
	slots = peer->mask + 1;
	bytes = sizeof(*f);
	if (!pgm_rcv_charge(rcv, peer, bytes, false))
		return;
	f = kzalloc(sizeof(*f), GFP_ATOMIC | __GFP_NOWARN);
	if (!f) {
		pgm_rcv_uncharge(rcv, peer, bytes);
		return;
	}
	f->mem = bytes;
	f->k = k;
	f->shift = ilog2(k);
	f->proactive = prm[3] & PGM_PRM_PRO;
	f->ondemand = prm[3] & PGM_PRM_OND;
	/* A power of two above the window's groups (at most slots / k + 1). */
	f->ngroups = roundup_pow_of_two(slots / k + 2);
	f->nchunks = DIV_ROUND_UP(f->ngroups, PGM_RX_GRP_CHUNK);
	bytes = (PGM_RS_MAX_N - k) * k + f->nchunks * sizeof(*f->chunks);
	if (!fec_charge(rcv, peer, &f->mem, bytes))
		goto free;
	f->chunks = kcalloc(f->nchunks, sizeof(*f->chunks), GFP_ATOMIC | __GFP_NOWARN);
	if (!f->chunks || pgm_rs_init(&f->rs, PGM_RS_MAX_N, k, GFP_ATOMIC | __GFP_NOWARN))
		goto free;
	peer->fec = f;
	if (!peer->started)
		return;
	f->low = peer->next & ~(k - 1);
	f->low_set = true;
	if (f->low != peer->next) {
		f->sel_set = true;
		f->sel_tg = f->low;
	}
	for (sqn = peer->next; !pgm_sqn_before(peer->lead, sqn); sqn++) {
		struct pgm_slot *s = pgm_slot_find(peer, sqn);
		struct pgm_rx_grp *g;

		if (!s)
			continue;
		s->fecnak = false;
		if (s->state != SLOT_HAVE)
			continue;
		g = grp_get(rcv, peer, sqn & ~(k - 1));
		if (g && !g->complete && grp_keep(rcv, peer, g, sqn) && g->norig == k)
			grp_complete(rcv, peer, g, k);
	}
	return;
free:
	pgm_rcv_uncharge(rcv, peer, f->mem);
	kfree(f->chunks);
	kfree(f);
}

/**
 * pgm_fec_parity - a parity packet, ODATA (proactive) or RDATA (on demand)
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @skb: the packet, at its PGM header (a clone of it is kept)
 * @info: what validation learnt of it
 *
 * Never a data slot (section 11.2).  Kept with its group if it fits it,
 * and the group rebuilt when it holds k packets; it also shows the source
 * sent the whole group (section 11.5), so a group beyond the lead extends
 * the window to its end, never beyond where data could move it.
 */
void pgm_fec_parity(struct pgm_receiver *rcv, struct pgm_peer *peer, struct sk_buff *skb,
		    const struct pgm_wire_info *info)
	__must_hold(&rcv->lock)
{
	const struct pgm_data *dh = pgm_body(skb->data);
	const u8 *pkt = skb->data, *grp, *cur, *enc = NULL;
	u32 sqn = ntohl(dh->sqn), tg, last;
	struct pgm_peer_fec *f = peer->fec;
	bool varlen = ((const struct pgm_hdr *)pkt)->options & PGM_OPT_VAR_PKTLEN;
	unsigned int plen = info->tsdu_len, j;
	struct pgm_rx_grp *g;
	struct sk_buff *c;
	u64 number;

	lockdep_assert_held(&rcv->lock);
	rcv->st.parity_received++;
	if (!peer->started || !f || peer->ended == PGM_END_RST) {
		rcv->st.parity_unused++;
		return;
	}
	grp = fec_opt(pkt, info, PGM_OPT_PARITY_GRP, 8, false);
	cur = fec_opt(pkt, info, PGM_OPT_CURR_TGSIZE, 8, false);
	if (pgm_has_opt(info, PGM_OPT_FRAGMENT)) {
		enc = fec_opt(pkt, info, PGM_OPT_FRAGMENT, 0, true);
		/* An encoded OPT_FRAGMENT is 16 octets (section 11.2); a plain one is no parity's. */
		if (!enc || enc[1] != 3 + PGM_FEC_FRAG_LEN) {
			rcv->st.parity_dropped++;
			return;
		}
	}
	number = (u64)(grp ? get_unaligned_be32(grp + 4) : 0) * f->k + (sqn & (f->k - 1));
	/* Groups are never shortened here; codeword 254 is the last. */
	if ((cur && get_unaligned_be32(cur + 4) != f->k) || number > PGM_RS_MAX_N - 1 - f->k ||
	    (varlen && plen <= PGM_FEC_TRAILER) || !plen) {
		rcv->st.parity_dropped++;
		return;
	}
	pgm_slide_to(rcv, peer, ntohl(dh->trail));
	tg = sqn & ~(u32)(f->k - 1);
	last = tg | (f->k - 1);
	if (pgm_sqn_before(last, peer->next)) {
		rcv->st.parity_unused++;
		return;
	}
	/* As for data: nothing beyond RXW_SQNS moves the window. */
	if (pgm_sqn_before(peer->lead, last) && last - peer->next >= peer_size(peer)) {
		rcv->st.outside_window++;
		return;
	}
	g = grp_get(rcv, peer, tg);
	if (!g || g->complete || g->failed || g->norig + g->npar >= f->k) {
		rcv->st.parity_unused++;
		return;
	}
	for (j = 0; j < g->npar; j++) {
		if (g->pnum[j] == number) {
			rcv->st.parity_unused++;
			return;
		}
	}
	/* The same length and options as the group's other parity; its originals fit. */
	if (g->npar && (g->varlen != varlen || g->plen != plen || g->encfrag != !!enc)) {
		rcv->st.parity_dropped++;
		return;
	}
	g->varlen = varlen;
	g->plen = plen;
	g->encfrag = !!enc;
	for (j = 0; j < f->k; j++) {
		if (g->orig[j].skb && !orig_fits(g, &g->orig[j])) {
			if (!g->npar) {
				g->varlen = false;
				g->plen = 0;
				g->encfrag = false;
			}
			rcv->st.parity_dropped++;
			return;
		}
	}
	c = skb_clone(skb, GFP_ATOMIC);
	if (!c) {
		rcv->st.parity_unused++;
		return;
	}
	skb_dst_drop(c);
	skb_pull(c, info->hdr_len + info->opt_len);
	if (!fec_charge(rcv, peer, &g->mem, c->truesize)) {
		kfree_skb(c);
		rcv->st.parity_unused++;
		return;
	}
	/* Parity shows its group was sent (section 11.5): the lead moves to its end. */
	if (pgm_sqn_before(peer->lead, last))
		pgm_extend(rcv, peer, last + 1, SLOT_BACKOFF);
	g->par[g->npar] = c;
	g->pnum[g->npar] = number;
	if (enc)
		memcpy(g->pfrag[g->npar], enc + 3, PGM_FEC_FRAG_LEN);
	g->npar++;
	grp_rebuild(rcv, peer, g);
}

/* The missing slots of group @tg in the window: calls @fn on each. */
#define for_each_missing(peer, tg, sqn, s)						\
	for ((sqn) = pgm_sqn_before((tg), (peer)->next) ? (peer)->next : (tg);		\
	     !pgm_sqn_before((tg) | ((peer)->fec->k - 1), (sqn)) &&			\
	     !pgm_sqn_before((peer)->lead, (sqn)); (sqn)++)				\
		if (((s) = pgm_slot_find((peer), (sqn))) &&				\
		    ((s)->state == SLOT_BACKOFF || (s)->state == SLOT_WAIT_NCF ||	\
		     (s)->state == SLOT_WAIT_DATA))

/* May group @tg still be rebuilt from parity to come? */
static bool grp_open(const struct pgm_peer *peer, u32 tg, bool complete_too)
{
	const struct pgm_peer_fec *f = peer->fec;
	const struct pgm_rx_grp *g = grp_find(peer, tg);

	if (f->sel_set && f->sel_tg == tg)
		return false;
	return !g || !(g->failed || (complete_too && g->complete));
}

/**
 * pgm_fec_waits - does the NAK of missing @sqn wait for its group's end?
 * @peer: the session
 * @s: its slot
 * @sqn: the sqn
 *
 * Section 11.5, "loss detection occurs at transmission group boundaries":
 * with parity to come (proactive, or on demand with PGM_FEC_NAK), while
 * the group is not whole as far as we know, unless an SPM shows the
 * source idle inside it (SPM_LEAD equal to RXW_LEAD: then "receivers MAY
 * resort to selective NAKs").  The session's leading partial group does
 * not wait.
 *
 * Return: whether its back-off starts over.
 */
bool pgm_fec_waits(const struct pgm_peer *peer, const struct pgm_slot *s, u32 sqn)
	__must_hold(&peer->rcv->lock)
{
	const struct pgm_peer_fec *f = peer->fec;
	u32 tg;

	lockdep_assert_held(&peer->rcv->lock);
	if (!f || s->fecsel || !(f->proactive || (f->ondemand && fec_nak_on(peer))))
		return false;
	tg = sqn & ~(u32)(f->k - 1);
	if (pgm_sqn_before(tg, peer->joined) || !pgm_sqn_before(peer->lead, tg | (f->k - 1)))
		return false;
	if (!grp_open(peer, tg, false))
		return false;
	return !(peer->spm_lead_set && peer->spm_lead == peer->lead);
}

/**
 * pgm_fec_nak_group - the group to ask parity for instead of @sqn, if any
 * @peer: the session
 * @s: the slot of @sqn
 * @sqn: a missing sqn whose back-off ended
 * @tg: set to its group
 *
 * With on-demand parity offered and PGM_FEC_NAK on: a group wholly in the
 * window (not the session's leading partial group, not one the trail
 * passed, all of it sent as far as we know) that is not failed, complete,
 * or back to selective NAKs.
 *
 * Return: whether to send a parity NAK for *@tg.
 */
bool pgm_fec_nak_group(const struct pgm_peer *peer, const struct pgm_slot *s, u32 sqn, u32 *tg)
	__must_hold(&peer->rcv->lock)
{
	const struct pgm_peer_fec *f = peer->fec;

	lockdep_assert_held(&peer->rcv->lock);
	if (!f || s->fecsel || !f->ondemand || !fec_nak_on(peer))
		return false;
	*tg = sqn & ~(u32)(f->k - 1);
	if (pgm_sqn_before(*tg, peer->joined) ||
	    (peer->trail_set && pgm_sqn_before(*tg, peer->trail)) ||
	    pgm_sqn_before(peer->lead, *tg | (f->k - 1)))
		return false;
	return grp_open(peer, *tg, true);
}

/* The parity packets group @tg needs: k less the distinct packets held. */
static int grp_needed(const struct pgm_peer *peer, u32 tg)
{
	const struct pgm_rx_grp *g = grp_find(peer, tg);

	return peer->fec->k - (g ? g->norig + g->npar : 0);
}

/**
 * pgm_fec_request - a parity NAK for group @tg is to go (section 11.3.1)
 * @peer: the session
 * @tg: the group
 * @now: the time
 *
 * Its missing slots carry the parity NAK's state from now on.
 *
 * Return: the count to ask for (1 to k), or 0 when the group went back to
 * selective NAKs instead.
 */
unsigned int pgm_fec_request(struct pgm_peer *peer, u32 tg, u64 now)
	__must_hold(&peer->rcv->lock)
{
	int count = grp_needed(peer, tg);
	struct pgm_slot *s;
	u32 sqn;

	lockdep_assert_held(&peer->rcv->lock);
	if (count < 1 || count > peer->fec->k) {
		grp_selective(peer, tg, now + pgm_backoff_ns(peer->p.nak_bo_ivl));
		return 0;
	}
	for_each_missing(peer, tg, sqn, s) {
		s->fecnak = true;
		pgm_slot_nak_state(peer, s, SLOT_WAIT_NCF, now + pgm_us_ns(peer->p.nak_rpt_ivl));
	}
	return count;
}

/**
 * pgm_fec_fallback - the parity NAKs of @sqn's group ran out of retries
 * @peer: the session
 * @sqn: a sqn of the group
 * @when: the end of the fresh back-off
 *
 * Each missing packet is NAKed selectively from a fresh back-off, with
 * fresh retries, so it is still repaired, or reported lost sqn by sqn.
 */
void pgm_fec_fallback(struct pgm_peer *peer, u32 sqn, u64 when)
	__must_hold(&peer->rcv->lock)
{
	lockdep_assert_held(&peer->rcv->lock);
	if (peer->fec)
		grp_selective(peer, sqn & ~(u32)(peer->fec->k - 1), when);
}

/**
 * pgm_fec_confirm - a parity NCF's sqn (sections 11.3.2, 11.5)
 * @rcv: the receiver, its lock held
 * @peer: the session
 * @sqn: NAK_TG_SQN | NAK_PKT_CNT - 1
 * @now: the time
 *
 * Confirms the group's parity request when it asks for at least the
 * parity the group needs: its missing slots wait NAK_RDATA_IVL for it.
 */
void pgm_fec_confirm(struct pgm_receiver *rcv, struct pgm_peer *peer, u32 sqn, u64 now)
	__must_hold(&rcv->lock)
{
	struct pgm_peer_fec *f = peer->fec;
	struct pgm_slot *s;
	int needed;
	u32 tg, i;
	bool any = false;

	lockdep_assert_held(&rcv->lock);
	if (!peer->started || !f)
		return;
	tg = sqn & ~(u32)(f->k - 1);
	if (!grp_open(peer, tg, true))
		return;
	needed = grp_needed(peer, tg);
	if (needed < 1 || (int)(sqn & (f->k - 1)) + 1 < needed)
		return;
	for_each_missing(peer, tg, i, s) {
		if (s->fecsel)
			return;
		any = true;
	}
	if (!any)
		return;
	for_each_missing(peer, tg, i, s) {
		s->fecnak = true;
		pgm_slot_nak_state(peer, s, SLOT_WAIT_DATA, now + pgm_us_ns(peer->p.nak_rdata_ivl));
	}
}
