// SPDX-License-Identifier: GPL-2.0
/*
 * ne.c - a PGM network element (RFC 3208 section 7) in a forwarding netns.
 *
 * Off by default; turned on per network namespace over netlink (ne-set,
 * `pgmctl ne on`).  On, the netns's IPv4 PGM packets that multicast routing
 * (ipmr) forwards are looked at by two netfilter hooks, and unicast NAKs
 * addressed to the host by the protocol handler (input.c):
 *
 * - PRE_ROUTING, once a packet: SPMs build source path state per TSI and
 *   group (section 7.1: the upstream NE's address, the SPM's path NLA, and
 *   the interface toward the source); NCFs from upstream confirm the NAKs
 *   we forwarded or anticipate NAKs (7.3, 7.5); RDATA ends repair state
 *   that has no interface to go to.
 * - FORWARD, once per copy multicast routing makes: an SPM's path NLA
 *   becomes the address of the interface the copy leaves by (7.1); an
 *   RDATA copy leaves only by an interface a NAK for its sqn came in on
 *   (7.8, constrained forwarding), and each one taken off the state.
 * - NAKs (input.c, addressed to one of our addresses, as receivers address
 *   them to the path NLA we put in SPMs): answered at once by an NCF
 *   multicast on the interface the NAK came in on, from the source's
 *   address (7.2); repair state records that interface; the first NAK of
 *   an sqn is forwarded to the upstream NE, repeated until an NCF confirms
 *   it (7.3, 7.7), and its duplicates are eliminated (7.4).  NNAKs and
 *   parity NAKs follow 9.5.3.2 and 11.6.
 *
 * Native PGM over IPv4 only: UDP-encapsulated PGM is plain UDP to a router,
 * and IPv6 has no ip6mr hook here (docs/router-assist.md).
 *
 * Bounds (section 10, docs/router-assist.md): TSIs and repair states are
 * limited per netns (ne-tsis, ne-states) and per TSI (ne-tsi-states);
 * a NAK makes state only for a TSI whose SPMs came in on the interface
 * toward its source, for an sqn inside the window they advertise (plus
 * PGM_NE_LEAD_SLACK); OPT_NAK_LIST is read to PGM_NAK_LIST_MAX sqns; the
 * timer does at most PGM_NE_BUDGET states a run.  Each NAK makes at most
 * one NCF (its own size plus the Router Alert option, at most one an sqn
 * per PGM_NE_NCF_GAP_NS) and one NAK upstream.  Memory is charged to the
 * memory cgroup of whoever turned the NE on.  Every refusal is counted.
 *
 * Locking: one spinlock a netns (ne->lock) covers the tables, the lists
 * and the timer; taken with BHs off from netlink, plain from the hooks,
 * the protocol handler and the timer (all softirq).  Packets and events
 * are built under it and sent after it is dropped.  The struct lives from
 * the first ne-set on to the netns's exit; the hooks are registered while
 * it is on (nf_register_net_hooks waits for running hooks on removal).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/checksum.h>
#include <net/inet_common.h>
#include <net/genetlink.h>

#include "pgm.h"

#define PGM_NE_TSI_BITS		8
#define PGM_NE_REP_BITS		12
#define PGM_NE_IFS		8	/* interfaces a repair state lists; more: all */
#define PGM_NE_BUDGET		256	/* states the timer handles in one run */
#define PGM_NE_EVENTS		16	/* sessions it ends in one run (one event each) */
#define PGM_NE_LEAD_SLACK	4096	/* sqns past an SPM's lead a NAK may name */
#define PGM_NE_SPM_JUMP		32768	/* most an SPM's sqn may move ahead */
#define PGM_NE_NCF_GAP_NS	(10 * NSEC_PER_MSEC)
#define PGM_OPT_PARITY_PRM_T	0x08	/* section 11.8.1 */
#define PGM_PRM_OND_BIT		0x02	/* its O bit */
#define PGM_NE_ALL_IFS		(-1)	/* ifs[0] when the list overflowed */

/* A TSI (with its group) the NE has seen SPMs of. */
struct pgm_ne_tsi {
	struct hlist_node	hnode;
	struct list_head	lru;		/* by the last SPM taken */
	u8			gsi[6];
	__be16			sport;		/* data-source port */
	__be16			dport;		/* data-destination port */
	__be32			group;
	__be32			saddr;		/* the source's address (SPMs' IP source) */
	__be32			upstream;	/* SPM path NLA: where NAKs go */
	int			up_ifindex;	/* SPMs' interface, toward the source */
	u32			spm_sqn;
	u32			trail;
	u32			lead;
	u32			k;		/* transmission group size, 0: no on-demand parity */
	u8			ttl;		/* SPMs' TTL leaving us, for our NCFs */
	bool			ending;		/* OPT_FIN seen */
	u64			spm_at;		/* ns, the last SPM taken */
	u64			refused_at;	/* ns, the first SPM refused since */
	struct list_head	reps;		/* its repair states */
	unsigned int		nstates;
};

enum pgm_ne_phase {
	PGM_NE_PENDING,		/* forwarded, repeated until an NCF (7.3) */
	PGM_NE_OUTSTANDING,	/* confirmed or anticipated: waiting for RDATA */
	PGM_NE_NULL,		/* made by an NNAK: NAK_ELIM_IVL only (9.5.3.2) */
};

struct pgm_ne_if {
	int	ifindex;
	u8	cnt;		/* parity: the known packet count (11.6) */
	u64	ncf_at;		/* ns, the last NCF we sent there for it */
};

/* Repair state of one sqn (or, parity, one transmission group) of a TSI. */
struct pgm_ne_rep {
	struct hlist_node	hnode;
	struct list_head	lnode;		/* on pending, outstanding or nulls */
	struct list_head	tnode;		/* on its TSI's @reps */
	struct pgm_ne_tsi	*tsi;
	u32			sqn;		/* parity: the group's first sqn */
	bool			parity;
	u8			phase;		/* enum pgm_ne_phase */
	u8			nif;
	u8			cnt;		/* parity: the largest known count */
	u64			deadline;	/* ns: next repeat, or end */
	u64			rpt_end;	/* pending: NAK_RPT_IVL's end */
	u64			elim_end;	/* duplicates eliminated until */
	u64			ncf_at;		/* the last NCF we sent for it */
	struct pgm_ne_if	ifs[PGM_NE_IFS];
};

struct pgm_ne {
	struct net		*net;
	spinlock_t		lock;		/* everything below */
	bool			on;
	struct mem_cgroup	*memcg;		/* who turned it on: state is charged there */
	struct hlist_head	tsis[1 << PGM_NE_TSI_BITS];
	struct hlist_head	reps[1 << PGM_NE_REP_BITS];
	struct list_head	tsi_lru;
	struct list_head	pending;	/* by deadline (the repeat gap is one for all) */
	struct list_head	outstanding;	/* by deadline (NAK_RDATA_IVL) */
	struct list_head	nulls;		/* by deadline (NAK_ELIM_IVL) */
	unsigned int		ntsis;
	unsigned int		nstates;
	struct timer_list	timer;
	atomic64_t		ctr[PGM_NE_C_MAX];	/* enum pgm_ne_counter */
	struct sock		*sk;		/* sends NCFs and NAKs; no loopback */
	struct nf_hook_ops	ops[2];		/* ne_hook_ops with @priv this */
};

static void ne_inc(struct pgm_ne *ne, unsigned int c)
{
	atomic64_inc(&ne->ctr[c]);
}

static struct pgm_ne *ne_of(const struct net *net)
{
	return READ_ONCE(pgm_pernet(net)->ne);
}

static bool ne_active(const struct net *net)
{
	struct pgm_ne *ne = ne_of(net);

	return ne && READ_ONCE(ne->on);
}

static u32 ne_tsi_hash(const u8 *gsi, __be16 sport, __be32 group)
{
	return jhash_3words(get_unaligned((const u32 *)gsi),
			    get_unaligned((const u16 *)(gsi + 4)) | ((__force u32)sport << 16),
			    (__force u32)group, 0x9e3779b9) & ((1 << PGM_NE_TSI_BITS) - 1);
}

static struct pgm_ne_tsi *ne_tsi_find(struct pgm_ne *ne, const u8 *gsi, __be16 sport,
				      __be32 group)
	__must_hold(&ne->lock)
{
	struct pgm_ne_tsi *t;

	lockdep_assert_held(&ne->lock);
	hlist_for_each_entry(t, &ne->tsis[ne_tsi_hash(gsi, sport, group)], hnode)
		if (t->sport == sport && t->group == group && !memcmp(t->gsi, gsi, 6))
			return t;
	return NULL;
}

static u32 ne_rep_hash(const struct pgm_ne_tsi *t, u32 sqn, bool parity)
{
	return jhash_2words((u32)(unsigned long)t, sqn ^ parity, 0) &
	       ((1 << PGM_NE_REP_BITS) - 1);
}

static struct pgm_ne_rep *ne_rep_find(struct pgm_ne *ne, struct pgm_ne_tsi *t, u32 sqn,
				      bool parity)
	__must_hold(&ne->lock)
{
	struct pgm_ne_rep *r;

	lockdep_assert_held(&ne->lock);
	hlist_for_each_entry(r, &ne->reps[ne_rep_hash(t, sqn, parity)], hnode)
		if (r->tsi == t && r->sqn == sqn && r->parity == parity)
			return r;
	return NULL;
}

/* An allocation charged to the memory cgroup that turned the NE on. */
static void *ne_alloc(struct pgm_ne *ne, size_t size)
{
	struct mem_cgroup *old = set_active_memcg(ne->memcg);
	void *p = kzalloc(size, GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);

	set_active_memcg(old);
	return p;
}

static void ne_arm(struct pgm_ne *ne, u64 deadline)
	__must_hold(&ne->lock)
{
	u64 now = ktime_get_ns();
	unsigned long when = jiffies + (deadline > now ?
		nsecs_to_jiffies(deadline - now) : 0) + 1;

	lockdep_assert_held(&ne->lock);
	if (!timer_pending(&ne->timer) || time_before(when, ne->timer.expires))
		mod_timer(&ne->timer, when);
}

static void ne_rep_free(struct pgm_ne *ne, struct pgm_ne_rep *r)
	__must_hold(&ne->lock)
{
	lockdep_assert_held(&ne->lock);
	hlist_del(&r->hnode);
	list_del(&r->lnode);
	list_del(&r->tnode);
	r->tsi->nstates--;
	ne->nstates--;
	kfree(r);
}

/* Put @r in @phase until @deadline, at the tail of its list (kept in order). */
static void ne_rep_phase(struct pgm_ne *ne, struct pgm_ne_rep *r, u8 phase, u64 deadline)
	__must_hold(&ne->lock)
{
	struct list_head *l = phase == PGM_NE_PENDING ? &ne->pending :
			      phase == PGM_NE_NULL ? &ne->nulls : &ne->outstanding;

	lockdep_assert_held(&ne->lock);
	r->phase = phase;
	r->deadline = deadline;
	list_move_tail(&r->lnode, l);
	ne_arm(ne, deadline);
}

static struct pgm_ne_rep *ne_rep_new(struct pgm_ne *ne, struct pgm_ne_tsi *t, u32 sqn,
				     bool parity)
	__must_hold(&ne->lock)
{
	struct pgm_net *pn = pgm_pernet(ne->net);
	struct pgm_ne_rep *r;

	lockdep_assert_held(&ne->lock);
	if (ne->nstates >= READ_ONCE(pn->ne_states) ||
	    t->nstates >= READ_ONCE(pn->ne_tsi_states)) {
		ne_inc(ne, PGM_NE_C_STATES_REFUSED);
		return NULL;
	}
	r = ne_alloc(ne, sizeof(*r));
	if (!r) {
		ne_inc(ne, PGM_NE_C_STATES_REFUSED);
		return NULL;
	}
	r->tsi = t;
	r->sqn = sqn;
	r->parity = parity;
	INIT_LIST_HEAD(&r->lnode);
	list_add_tail(&r->tnode, &t->reps);
	hlist_add_head(&r->hnode, &ne->reps[ne_rep_hash(t, sqn, parity)]);
	t->nstates++;
	ne->nstates++;
	return r;
}

/* The entry of @ifindex in @r, or NULL. */
static struct pgm_ne_if *ne_rep_if(struct pgm_ne_rep *r, int ifindex)
{
	unsigned int i;

	for (i = 0; i < r->nif; i++)
		if (r->ifs[i].ifindex == ifindex || r->ifs[i].ifindex == PGM_NE_ALL_IFS)
			return &r->ifs[i];
	return NULL;
}

/*
 * Record that a NAK came in on @ifindex (section 7.2).  A list that would
 * overflow becomes "every interface": repairs go to more links, never to
 * fewer.
 */
static struct pgm_ne_if *ne_rep_add_if(struct pgm_ne_rep *r, int ifindex)
{
	struct pgm_ne_if *e = ne_rep_if(r, ifindex);

	if (e)
		return e;
	if (r->nif == PGM_NE_IFS) {
		r->nif = 1;
		r->ifs[0].ifindex = PGM_NE_ALL_IFS;
		r->ifs[0].cnt = max(r->ifs[0].cnt, r->cnt);
		return &r->ifs[0];
	}
	e = &r->ifs[r->nif++];
	e->ifindex = ifindex;
	e->cnt = 0;
	return e;
}

static void ne_rep_del_if(struct pgm_ne_rep *r, struct pgm_ne_if *e)
{
	*e = r->ifs[--r->nif];
}

static void ne_tsi_free(struct pgm_ne *ne, struct pgm_ne_tsi *t)
	__must_hold(&ne->lock)
{
	struct pgm_ne_rep *r, *n;

	lockdep_assert_held(&ne->lock);
	/* At most ne-tsi-states of them. */
	list_for_each_entry_safe(r, n, &t->reps, tnode)
		ne_rep_free(ne, r);
	hlist_del(&t->hnode);
	list_del(&t->lru);
	ne->ntsis--;
	kfree(t);
}

/* What ne-session-get and the events say of @t. */
static void ne_session_of(const struct pgm_ne_tsi *t, struct pgm_ne_session *s, u64 now)
{
	memcpy(s->gsi, t->gsi, 6);
	s->sport = t->sport;
	s->dport = t->dport;
	s->group = t->group;
	s->source = t->saddr;
	s->upstream = t->upstream;
	s->ifindex = t->up_ifindex;
	s->spm_sqn = t->spm_sqn;
	s->trail = t->trail;
	s->lead = t->lead;
	s->states = t->nstates;
	s->k = t->k;
	s->idle_ms = div_u64(now - t->spm_at, NSEC_PER_MSEC);
}

/* ---- sending ---------------------------------------------------------- */

/*
 * A packet with @len bytes of PGM at @pgm to @daddr: an NCF (@oif its
 * interface, @saddr the source's address, @ttl and Router Alert, section
 * 7.2) or a NAK upstream (@oif 0, our address, no Router Alert).  Built
 * here, queued on @q, sent by ne_flush() once the lock is dropped.
 *
 * Return: where its copy of @pgm is, or NULL (out of memory: not sent).
 */
static u8 *ne_queue(struct pgm_ne *ne, struct sk_buff_head *q, const void *pgm,
		    unsigned int len, __be32 daddr, __be32 saddr, int oif, u8 ttl)
{
	unsigned int ihl = oif ? PGM_IP_RA_HLEN : PGM_IP_HLEN;
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + ihl + len, GFP_ATOMIC);
	struct iphdr *iph;
	u8 *p;

	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + ihl);
	p = skb_put_data(skb, pgm, len);
	skb_push(skb, ihl);
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	memset(iph, 0, ihl);
	iph->version = 4;
	iph->ihl = ihl / 4;
	iph->tot_len = htons(skb->len);
	iph->ttl = ttl;
	iph->protocol = IPPROTO_PGM;
	iph->saddr = saddr;
	iph->daddr = daddr;
	if (oif) {
		u8 *opt = (u8 *)(iph + 1);

		opt[0] = IPOPT_RA;
		opt[1] = 4;
	}
	skb->protocol = htons(ETH_P_IP);
	skb->skb_iif = oif;	/* read back by ne_flush() */
	__skb_queue_tail(q, skb);
	return p;
}

/* Send what ne_queue() built; no lock held (the output path may loop back). */
static void ne_flush(struct pgm_ne *ne, struct sk_buff_head *q)
{
	struct net *net = ne->net;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q))) {
		struct iphdr *iph = ip_hdr(skb);
		int oif = skb->skb_iif;
		struct flowi4 fl4;
		struct rtable *rt;

		flowi4_init_output(&fl4, oif, 0, 0, RT_SCOPE_UNIVERSE, IPPROTO_PGM, 0,
				   iph->daddr, 0, 0, 0, sock_net_uid(net, NULL));
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt)) {
			kfree_skb(skb);
			continue;
		}
		if (!oif) {
			iph->saddr = fl4.saddr;
			if (!iph->ttl)
				iph->ttl = ip4_dst_hoplimit(&rt->dst);
		}
		skb->skb_iif = 0;
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		skb_dst_set(skb, &rt->dst);
		ip_select_ident(net, skb, NULL);
		ip_send_check(iph);
		/* The NE's socket: no multicast loopback of NCFs to ourselves. */
		ip_local_out(net, ne->sk, skb);
	}
}

static void ne_csum(u8 *pgm, unsigned int len)
{
	struct pgm_hdr *ph = (struct pgm_hdr *)pgm;

	ph->csum = 0;
	ph->csum = (__force __be16)csum_fold(csum_partial(pgm, len, 0));
	if (!ph->csum)
		ph->csum = (__force __be16)CSUM_MANGLED_0;
}

/* The sqns of a session's pending NAKs due for a repeat, gathered. */
struct ne_batch {
	struct pgm_ne_tsi	*tsi;
	bool			parity;
	unsigned int		n;
	__be32			sqns[PGM_NAK_LIST_MAX + 1];
};

/*
 * Repeat the NAKs gathered in @b as one NAK with OPT_NAK_LIST (7.3): a
 * NAK of n sqns forwarded once is repeated as one packet, not n.
 */
static void ne_queue_naks(struct pgm_ne *ne, struct sk_buff_head *q, struct ne_batch *b)
	__must_hold(&ne->lock)
{
	struct pgm_ne_tsi *t = b->tsi;
	u8 buf[PGM_NAK4_HLEN + PGM_OPT_LENGTH_LEN + 4 + 4 * PGM_NAK_LIST_MAX];
	unsigned int len = PGM_NAK4_HLEN + pgm_nak_optlen(b->n);
	struct pgm_hdr *ph = (struct pgm_hdr *)buf;
	struct pgm_nak *nak = pgm_body(buf);
	struct pgm_optw ow;
	u8 *o;

	lockdep_assert_held(&ne->lock);
	if (!b->n)
		return;
	memset(buf, 0, PGM_NAK4_HLEN);
	ph->sport = t->dport;
	ph->dport = t->sport;
	ph->type = PGM_NAK;
	ph->options = (b->parity ? PGM_OPT_PARITY : 0) |
		      (b->n > 1 ? PGM_OPT_PRESENT | PGM_OPT_NETWORK : 0);
	memcpy(ph->gsi, t->gsi, 6);
	nak->sqn = b->sqns[0];
	nak->src.afi = htons(PGM_AFI_IP);
	nak->src.addr = t->saddr;
	nak->grp.afi = htons(PGM_AFI_IP);
	nak->grp.addr = t->group;
	if (b->n > 1) {
		pgm_optw_init(&ow, buf + PGM_NAK4_HLEN);
		o = pgm_optw_add(&ow, PGM_OPT_NAK_LIST, 4 + 4 * (b->n - 1));
		memcpy(o + sizeof(struct pgm_opt), &b->sqns[1], 4 * (b->n - 1));
		pgm_optw_finish(&ow);
	}
	ne_csum(buf, len);
	ne_queue(ne, q, buf, len, t->upstream, 0, 0, 0);
	ne_inc(ne, PGM_NE_C_NAK_REPEATS);
	b->n = 0;
}

/* ---- the timer -------------------------------------------------------- */

static void ne_timer(struct timer_list *tm)
{
	struct pgm_ne *ne = from_timer(ne, tm, timer);
	struct pgm_net *pn = pgm_pernet(ne->net);
	u64 now = ktime_get_ns(), gap, ttl;
	struct pgm_ne_session ended[PGM_NE_EVENTS];
	u32 why[PGM_NE_EVENTS];
	unsigned int nended = 0, i;
	struct sk_buff_head q;
	struct ne_batch b;
	struct pgm_ne_rep *r;
	struct pgm_ne_tsi *t;
	int budget = PGM_NE_BUDGET;

	__skb_queue_head_init(&q);
	b.n = 0;
	spin_lock(&ne->lock);
	gap = NSEC_PER_SEC / max_t(u32, READ_ONCE(pn->ne_nak_rpt_rte), 1);
	while (budget > 0 && (r = list_first_entry_or_null(&ne->pending, struct pgm_ne_rep,
							   lnode)) && r->deadline <= now) {
		budget--;
		if (now >= r->rpt_end) {
			/* 7.3: no NCF within NAK_RPT_IVL - forwarding is cancelled. */
			ne_inc(ne, PGM_NE_C_NAKS_UNCONFIRMED);
			ne_rep_free(ne, r);
			continue;
		}
		/*
		 * The NAKs due of one session go together, as the NAK that
		 * made them did (its states were made one after the other).
		 */
		if (b.n && (b.tsi != r->tsi || b.parity != r->parity ||
			    b.n == ARRAY_SIZE(b.sqns)))
			ne_queue_naks(ne, &q, &b);
		b.tsi = r->tsi;
		b.parity = r->parity;
		b.sqns[b.n++] = htonl(r->sqn | (r->parity ? r->cnt : 0));
		ne_rep_phase(ne, r, PGM_NE_PENDING, now + gap);
	}
	ne_queue_naks(ne, &q, &b);
	while (budget > 0 && (r = list_first_entry_or_null(&ne->outstanding, struct pgm_ne_rep,
							   lnode)) && r->deadline <= now) {
		budget--;
		/* 7.8: NAK_RDATA_IVL passed without the RDATA. */
		ne_inc(ne, PGM_NE_C_STATES_EXPIRED);
		ne_rep_free(ne, r);
	}
	while (budget > 0 && (r = list_first_entry_or_null(&ne->nulls, struct pgm_ne_rep,
							   lnode)) && r->deadline <= now) {
		budget--;
		ne_rep_free(ne, r);
	}
	ttl = (u64)READ_ONCE(pn->ne_spm_timeout) * NSEC_PER_USEC;
	while (budget > 0 && nended < PGM_NE_EVENTS &&
	       (t = list_first_entry_or_null(&ne->tsi_lru, struct pgm_ne_tsi, lru)) &&
	       t->spm_at + ttl <= now) {
		budget -= 1 + t->nstates / 64;
		ne_session_of(t, &ended[nended], now);
		why[nended++] = t->ending ? PGM_END_FIN : PGM_END_EXPIRED;
		ne_tsi_free(ne, t);
	}
	if (nended == PGM_NE_EVENTS)
		budget = 0;
	/* The earliest deadline left; a run out of budget comes back at once. */
	if (budget <= 0)
		ne_arm(ne, now);
	r = list_first_entry_or_null(&ne->pending, struct pgm_ne_rep, lnode);
	if (r)
		ne_arm(ne, r->deadline);
	r = list_first_entry_or_null(&ne->outstanding, struct pgm_ne_rep, lnode);
	if (r)
		ne_arm(ne, r->deadline);
	r = list_first_entry_or_null(&ne->nulls, struct pgm_ne_rep, lnode);
	if (r)
		ne_arm(ne, r->deadline);
	t = list_first_entry_or_null(&ne->tsi_lru, struct pgm_ne_tsi, lru);
	if (t)
		ne_arm(ne, t->spm_at + ttl);
	spin_unlock(&ne->lock);
	ne_flush(ne, &q);
	for (i = 0; i < nended; i++)
		pgm_nl_ne_event(ne->net, PGM_CMD_NE_SESSION_END_NTF, &ended[i], why[i]);
}

/* ---- parsing in the hooks ---------------------------------------------- */

/*
 * The checksum of the PGM packet at @ihl (section 8: none, a zero field,
 * only on packets other than ODATA and RDATA).  A sum still to be made
 * (CHECKSUM_PARTIAL: this host's or a peer netns's stack over a virtual
 * link), or one the device vouched for, is trusted as input.c does.
 */
static bool ne_sum_ok(struct sk_buff *skb, unsigned int ihl, u8 type)
{
	const struct pgm_hdr *ph = (const struct pgm_hdr *)(skb->data + ihl);

	if (skb->ip_summed == CHECKSUM_PARTIAL || skb->ip_summed == CHECKSUM_UNNECESSARY)
		return true;
	if (!ph->csum)
		return type != PGM_ODATA && type != PGM_RDATA;
	return !csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0));
}

/*
 * Make the PGM headers behind the IP header of @skb (at skb->data, as in
 * the hooks) linear and validate them and the checksum; *@off is where
 * PGM starts.  False, counted, when the packet is not one we act on.
 */
static bool ne_parse(struct pgm_ne *ne, struct sk_buff *skb, struct pgm_wire_info *info,
		     unsigned int *off, bool sum)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;
	size_t need;
	int round;

	if (ip_is_fragment(iph)) {
		ne_inc(ne, PGM_NE_C_FRAGMENTS);
		return false;
	}
	for (round = 0; round < 4; round++) {
		if (!pskb_may_pull(skb, ihl + min_t(size_t, skb->len - ihl, PGM_HDR_LEN)))
			goto bad;
		need = pgm_wire_need(skb->data + ihl, skb_headlen(skb) - ihl, skb->len - ihl);
		if (ihl + need <= skb_headlen(skb))
			break;
		if (!pskb_may_pull(skb, ihl + need))
			goto bad;
	}
	if (pgm_wire_validate(skb->data + ihl, skb_headlen(skb) - ihl, skb->len - ihl, info) !=
	    PGM_WIRE_OK)
		goto bad;
	*off = ihl;
	if (!sum || ne_sum_ok(skb, ihl, info->type))
		return true;
bad:
	ne_inc(ne, PGM_NE_C_MALFORMED);
	return false;
}

/* The sqns a NAK or NCF names: its own and OPT_NAK_LIST's; returns how many. */
static unsigned int ne_sqns(const u8 *pgm, const struct pgm_wire_info *info, u32 *sqns)
{
	const struct pgm_nak *nak = pgm_body((void *)pgm);
	const struct pgm_opt *o;
	unsigned int n = 0, k;

	sqns[n++] = ntohl(nak->sqn);
	if (!pgm_has_opt(info, PGM_OPT_NAK_LIST))
		return n;
	pgm_for_each_opt(o, pgm, info) {
		if (pgm_opt_type(o) != PGM_OPT_NAK_LIST)
			continue;
		for (k = 0; k < pgm_nak_list_len(o) && n < PGM_NAK_LIST_MAX + 1; k++)
			sqns[n++] = pgm_nak_list_sqn(o, k);
		break;
	}
	return n;
}

/* ---- SPMs (7.1) --------------------------------------------------------- */

/* Does the route back to @saddr leave by @ifindex (the SPM came the right way)? */
static bool ne_rpf(struct net *net, __be32 saddr, int ifindex)
{
	struct flowi4 fl4 = { .daddr = saddr };
	struct rtable *rt = ip_route_output_key(net, &fl4);
	bool ok;

	if (IS_ERR(rt))
		return false;
	ok = rt->dst.dev && rt->dst.dev->ifindex == ifindex;
	ip_rt_put(rt);
	return ok;
}

static void ne_spm(struct pgm_ne *ne, struct sk_buff *skb, const struct pgm_wire_info *info,
		   unsigned int off)
{
	struct pgm_net *pn = pgm_pernet(ne->net);
	const struct iphdr *iph = ip_hdr(skb);
	const u8 *pgm = skb->data + off;
	const struct pgm_hdr *ph = (const struct pgm_hdr *)pgm;
	const struct pgm_spm *spm = pgm_body((void *)pgm);
	int ifindex = skb->dev->ifindex;
	const struct pgm_opt *o;
	struct pgm_ne_session ev;
	struct pgm_ne_tsi *t;
	u32 sqn = ntohl(spm->sqn), k = 0;
	u8 evcmd = 0, end = 0;
	u64 now = ktime_get_ns();
	__be32 path;

	if (ntohs(spm->nla.afi) != PGM_AFI_IP || !ipv4_is_multicast(iph->daddr)) {
		ne_inc(ne, PGM_NE_C_SPMS_REFUSED);
		return;
	}
	path = spm->nla.addr;
	/*
	 * Section 10: SPMs only from the interface toward their source (a
	 * downstream host cannot move the path), with a unicast path NLA
	 * that is not ours.
	 */
	if (ipv4_is_multicast(path) || ipv4_is_zeronet(path) || ipv4_is_lbcast(path) ||
	    inet_addr_type(ne->net, path) == RTN_LOCAL || !ne_rpf(ne->net, iph->saddr, ifindex)) {
		ne_inc(ne, PGM_NE_C_SPMS_REFUSED);
		return;
	}
	pgm_for_each_opt(o, pgm, info) {
		const u8 *b = (const u8 *)o;

		if (pgm_opt_type(o) == PGM_OPT_FIN || pgm_opt_type(o) == PGM_OPT_RST)
			end = pgm_opt_type(o);
		if (pgm_opt_type(o) == PGM_OPT_PARITY_PRM_T && o->len >= 8 &&
		    (b[3] & PGM_PRM_OND_BIT)) {
			k = get_unaligned_be32(b + 4);
			if (k < 2 || k > 128 || !is_power_of_2(k))
				k = 0;
		}
	}
	spin_lock(&ne->lock);
	t = ne_tsi_find(ne, ph->gsi, ph->sport, iph->daddr);
	if (!t) {
		if (end == PGM_OPT_RST)
			goto out;
		if (ne->ntsis >= READ_ONCE(pn->ne_tsis) || !(t = ne_alloc(ne, sizeof(*t)))) {
			ne_inc(ne, PGM_NE_C_TSIS_REFUSED);
			goto out;
		}
		memcpy(t->gsi, ph->gsi, 6);
		t->sport = ph->sport;
		t->group = iph->daddr;
		t->saddr = iph->saddr;
		INIT_LIST_HEAD(&t->reps);
		hlist_add_head(&t->hnode, &ne->tsis[ne_tsi_hash(ph->gsi, ph->sport, iph->daddr)]);
		list_add_tail(&t->lru, &ne->tsi_lru);
		ne->ntsis++;
	} else if (t->saddr != iph->saddr ||
		   (pgm_sqn_before(sqn, t->spm_sqn + 1) ||
		    sqn - t->spm_sqn > PGM_NE_SPM_JUMP)) {
		/*
		 * A TSI is its source's (section 10).  Out of sequence (7.1),
		 * or too far ahead: refused - but not for ever, lest one false
		 * SPM far ahead lock the true source out: after
		 * ne-spm-timeout / 4 of refusals the next one is taken.
		 */
		if (!t->refused_at)
			t->refused_at = now;
		if (t->saddr != iph->saddr ||
		    now - t->refused_at < (u64)READ_ONCE(pn->ne_spm_timeout) * NSEC_PER_USEC / 4) {
			ne_inc(ne, PGM_NE_C_SPMS_REFUSED);
			goto out;
		}
	}
	if (end == PGM_OPT_RST) {
		ne_session_of(t, &ev, now);
		evcmd = PGM_CMD_NE_SESSION_END_NTF;
		ne_tsi_free(ne, t);
		goto counted;
	}
	if (t->upstream && t->upstream != path)
		ne_inc(ne, PGM_NE_C_PATH_CHANGES);
	if (t->upstream != path || t->up_ifindex != ifindex)
		evcmd = PGM_CMD_NE_SESSION_NTF;
	t->refused_at = 0;
	t->dport = ph->dport;
	t->upstream = path;
	t->up_ifindex = ifindex;
	t->spm_sqn = sqn;
	t->trail = ntohl(spm->trail);
	t->lead = ntohl(spm->lead);
	t->k = k;
	t->ttl = iph->ttl > 1 ? iph->ttl - 1 : 1;
	t->ending = end == PGM_OPT_FIN;
	if (t->ending) {
		/*
		 * 9.7: a session that ends keeps its state for the repairs
		 * of its last data, two NAK_RDATA_IVL, at the head of the
		 * list (expired first; one ahead of its time delays the
		 * others by that much at most).
		 */
		t->spm_at = now - (u64)READ_ONCE(pn->ne_spm_timeout) * NSEC_PER_USEC +
			    2 * (u64)READ_ONCE(pn->ne_nak_rdata_ivl) * NSEC_PER_USEC;
		list_move(&t->lru, &ne->tsi_lru);
	} else {
		t->spm_at = now;
		list_move_tail(&t->lru, &ne->tsi_lru);
	}
	ne_arm(ne, t->spm_at + (u64)READ_ONCE(pn->ne_spm_timeout) * NSEC_PER_USEC);
	if (evcmd)
		ne_session_of(t, &ev, now);
counted:
	ne_inc(ne, PGM_NE_C_SPMS);
out:
	spin_unlock(&ne->lock);
	if (evcmd)
		pgm_nl_ne_event(ne->net, evcmd, &ev, PGM_END_RST);
}

/* 7.1: the copy leaving by @out names @out's address as its path NLA. */
static unsigned int ne_spm_out(struct sk_buff *skb, const struct net_device *out)
{
	unsigned int ihl = ip_hdr(skb)->ihl * 4;
	struct pgm_hdr *ph;
	struct pgm_spm *spm;
	__be32 addr, old;

	if (ip_is_fragment(ip_hdr(skb)) || skb_ensure_writable(skb, ihl + PGM_SPM4_HLEN))
		return NF_ACCEPT;
	ph = (struct pgm_hdr *)(skb->data + ihl);
	spm = pgm_body(ph);
	if (ph->type != PGM_SPM || ntohs(spm->nla.afi) != PGM_AFI_IP)
		return NF_ACCEPT;
	addr = inet_select_addr(out, 0, RT_SCOPE_UNIVERSE);
	old = spm->nla.addr;
	if (!addr || addr == old)
		return NF_ACCEPT;
	spm->nla.addr = addr;
	/* A sum still to be made (CHECKSUM_PARTIAL) is made over the new bytes. */
	if (ph->csum && skb->ip_summed != CHECKSUM_PARTIAL) {
		csum_replace4((__force __sum16 *)&ph->csum, old, addr);
		if (!ph->csum)
			ph->csum = (__force __be16)CSUM_MANGLED_0;
	}
	return NF_ACCEPT;
}

/* ---- NCFs from upstream (7.3, 7.5, 9.3.3, 11.6) ------------------------- */

static void ne_ncf(struct pgm_ne *ne, struct sk_buff *skb, const struct pgm_wire_info *info,
		   unsigned int off)
{
	struct pgm_net *pn = pgm_pernet(ne->net);
	const u8 *pgm = skb->data + off;
	const struct pgm_hdr *ph = (const struct pgm_hdr *)pgm;
	const struct pgm_nak *ncf = pgm_body((void *)pgm);
	bool parity = ph->options & PGM_OPT_PARITY;
	u32 sqns[PGM_NAK_LIST_MAX + 1];
	unsigned int n, i;
	struct pgm_ne_tsi *t;
	u64 now = ktime_get_ns(), rdata, elim;

	if (ntohs(ncf->grp.afi) != PGM_AFI_IP || ntohs(ncf->src.afi) != PGM_AFI_IP)
		return;
	n = ne_sqns(pgm, info, sqns);
	rdata = (u64)READ_ONCE(pn->ne_nak_rdata_ivl) * NSEC_PER_USEC;
	elim = (u64)READ_ONCE(pn->ne_nak_elim_ivl) * NSEC_PER_USEC;
	spin_lock(&ne->lock);
	t = ne_tsi_find(ne, ph->gsi, ph->sport, ncf->grp.addr);
	/* 7.5: only from the interface toward the source; others are dropped. */
	if (!t || skb->dev->ifindex != t->up_ifindex || ip_hdr(skb)->saddr != t->saddr) {
		ne_inc(ne, PGM_NE_C_NCFS_REFUSED);
		goto out;
	}
	for (i = 0; i < n; i++) {
		u32 sqn = sqns[i], cnt = 0;
		struct pgm_ne_rep *r;

		if (parity) {
			if (!t->k)
				break;
			cnt = sqn & (t->k - 1);
			sqn &= ~(t->k - 1);
		}
		r = ne_rep_find(ne, t, sqn, parity);
		if (r && r->phase != PGM_NE_NULL) {
			/* 11.6: a parity NCF confirms only as many as asked. */
			if (parity && r->phase == PGM_NE_PENDING && cnt < r->cnt)
				continue;
			ne_inc(ne, PGM_NE_C_NCFS_CONFIRMED);
		} else {
			if (!r && !(r = ne_rep_new(ne, t, sqn, parity)))
				continue;
			ne_inc(ne, PGM_NE_C_NCFS_ANTICIPATED);
		}
		if (parity)
			r->cnt = max_t(u32, r->cnt, cnt);
		r->elim_end = now + elim;
		ne_rep_phase(ne, r, PGM_NE_OUTSTANDING, now + rdata);
	}
out:
	spin_unlock(&ne->lock);
}

/* ---- RDATA (7.8, 11.6) -------------------------------------------------- */

/*
 * The repair state an RDATA packet at @pgm matches, or NULL; *@known
 * says whether the NE follows its TSI at all.
 */
static struct pgm_ne_rep *ne_rdata_rep(struct pgm_ne *ne, const struct iphdr *iph,
				       const u8 *pgm, bool *known)
	__must_hold(&ne->lock)
{
	const struct pgm_hdr *ph = (const struct pgm_hdr *)pgm;
	const struct pgm_data *d = pgm_body((void *)pgm);
	bool parity = ph->options & PGM_OPT_PARITY;
	struct pgm_ne_tsi *t;
	u32 sqn = ntohl(d->sqn);

	lockdep_assert_held(&ne->lock);
	t = ne_tsi_find(ne, ph->gsi, ph->sport, iph->daddr);
	*known = t;
	if (!t || (parity && !t->k))
		return NULL;
	if (parity)
		sqn &= ~(t->k - 1);
	return ne_rep_find(ne, t, sqn, parity);
}

/*
 * Once a packet, before routing: an RDATA of a TSI we follow that has no
 * repair state, or state with no interface (anticipated only), goes
 * nowhere, and ends that state (7.3: RDATA ends NAK forwarding).
 */
static unsigned int ne_rdata_in(struct pgm_ne *ne, struct sk_buff *skb, unsigned int off)
{
	const u8 *pgm = skb->data + off;
	struct pgm_ne_rep *r;
	unsigned int verdict = NF_ACCEPT;
	bool known;

	spin_lock(&ne->lock);
	r = ne_rdata_rep(ne, ip_hdr(skb), pgm, &known);
	if (known && r && skb->dev->ifindex == r->tsi->up_ifindex) {
		if (r->parity && r->cnt)
			r->cnt--;
		if (!r->nif) {
			ne_rep_free(ne, r);
			r = NULL;
		}
	}
	if (known && !r) {
		ne_inc(ne, PGM_NE_C_RDATA_UNREPAIRED);
		verdict = NF_DROP;
	}
	spin_unlock(&ne->lock);
	return verdict;
}

/*
 * Each copy multicast routing makes: out by @out only if a NAK for it came
 * in there; that interface is then served (parity: one packet fewer owed
 * it), and the state ends with its last interface.
 */
static unsigned int ne_rdata_out(struct pgm_ne *ne, struct sk_buff *skb,
				 const struct net_device *in, const struct net_device *out)
{
	struct pgm_wire_info info;
	struct pgm_ne_rep *r;
	struct pgm_ne_if *e;
	unsigned int off, verdict = NF_DROP;
	bool known;

	/* Not something we can read: not ours to constrain. */
	if (!ne_parse(ne, skb, &info, &off, false))
		return NF_ACCEPT;
	spin_lock(&ne->lock);
	r = ne_rdata_rep(ne, ip_hdr(skb), skb->data + off, &known);
	if (!known) {
		verdict = NF_ACCEPT;	/* not a session we follow */
		goto out;
	}
	e = r && in && in->ifindex == r->tsi->up_ifindex ? ne_rep_if(r, out->ifindex) : NULL;
	if (!e) {
		ne_inc(ne, PGM_NE_C_RDATA_CONSTRAINED);
		goto out;
	}
	/* A damaged repair neither goes out nor ends the state. */
	if (!ne_sum_ok(skb, off, PGM_RDATA)) {
		ne_inc(ne, PGM_NE_C_MALFORMED);
		goto out;
	}
	verdict = NF_ACCEPT;
	ne_inc(ne, PGM_NE_C_RDATA_FORWARDED);
	if (e->ifindex == PGM_NE_ALL_IFS)
		goto out;	/* every interface: ended by time, not by the first copy */
	if (!r->parity || e->cnt <= 1)
		ne_rep_del_if(r, e);
	else
		e->cnt--;
	if (!r->nif)
		ne_rep_free(ne, r);
out:
	spin_unlock(&ne->lock);
	return verdict;
}

/* ---- NAKs and NNAKs (7.2-7.4, 9.3.3, 9.5.3.2, 11.6) ------------------------ */

/**
 * pgm_ne_nak - a NAK or NNAK addressed to this host, for the network element
 * @net: its netns
 * @skb: the packet at its PGM header, validated and summed (input.c)
 * @info: what validation learnt
 *
 * Context: softirq, from pgm_input().
 * Return: true when the NE took it (a TSI it follows); false leaves it to
 * the netns's sockets.
 */
bool pgm_ne_nak(struct net *net, struct sk_buff *skb, const struct pgm_wire_info *info)
{
	struct pgm_ne *ne = ne_of(net);
	struct pgm_net *pn = pgm_pernet(net);
	const u8 *pgm = skb->data;
	const struct pgm_hdr *ph = (const struct pgm_hdr *)pgm;
	const struct pgm_nak *nak = pgm_body((void *)pgm);
	bool parity = ph->options & PGM_OPT_PARITY, null = info->type == PGM_NNAK;
	bool forward = false, confirm = false, taken = false, dup = false, limited = false;
	u32 sqns[PGM_NAK_LIST_MAX + 1];
	int ifindex = skb->skb_iif;
	unsigned int n, i;
	struct sk_buff_head q;
	struct pgm_ne_tsi *t;
	u64 now, gap, rpt;
	/* Headers and options, linear (input.c); a NAK has no payload. */
	unsigned int len = info->hdr_len + info->opt_len;

	if (!ne || !READ_ONCE(ne->on) || skb->protocol != htons(ETH_P_IP) ||
	    info->hdr_len != PGM_NAK4_HLEN || ntohs(nak->src.afi) != PGM_AFI_IP ||
	    ntohs(nak->grp.afi) != PGM_AFI_IP)
		return false;
	n = ne_sqns(pgm, info, sqns);
	now = ktime_get_ns();
	gap = NSEC_PER_SEC / max_t(u32, READ_ONCE(pn->ne_nak_rpt_rte), 1);
	rpt = (u64)READ_ONCE(pn->ne_nak_rpt_ivl) * NSEC_PER_USEC;
	__skb_queue_head_init(&q);
	spin_lock(&ne->lock);
	/* The TSI is the NAK's GSI and destination port, in its group. */
	t = ne_tsi_find(ne, ph->gsi, ph->dport, nak->grp.addr);
	if (!t)
		goto out;
	taken = true;
	ne_inc(ne, null ? PGM_NE_C_NNAKS : PGM_NE_C_NAKS);
	/*
	 * NAK_SRC_NLA is the source's (8.3), as our receivers name it;
	 * receivers that name the path NLA there instead (OpenPGM's) name
	 * one of our addresses, which is taken as the source's.
	 */
	if ((nak->src.addr != t->saddr && inet_addr_type(net, nak->src.addr) != RTN_LOCAL) ||
	    (parity && !t->k)) {
		ne_inc(ne, PGM_NE_C_NAKS_REFUSED);
		goto out;
	}
	for (i = 0; i < n; i++) {
		u32 sqn = sqns[i], cnt = 0;
		struct pgm_ne_rep *r;
		struct pgm_ne_if *e;

		if (parity) {
			cnt = sqn & (t->k - 1);
			sqn &= ~(t->k - 1);
		}
		/* Section 10: only sqns the source's window can hold. */
		if (pgm_sqn_before(sqn, t->trail) ||
		    pgm_sqn_before(t->lead + PGM_NE_LEAD_SLACK, sqn)) {
			ne_inc(ne, PGM_NE_C_NAKS_REFUSED);
			continue;
		}
		r = ne_rep_find(ne, t, sqn, parity);
		if (null) {
			/* 9.5.3.2: forwarded once if no state, never confirmed or repeated. */
			if (r)
				continue;
			r = ne_rep_new(ne, t, sqn, parity);
			if (!r)
				continue;
			r->cnt = cnt;
			ne_rep_phase(ne, r, PGM_NE_NULL, now +
				     (u64)READ_ONCE(pn->ne_nak_elim_ivl) * NSEC_PER_USEC);
			forward = true;
			continue;
		}
		if (!r) {
			r = ne_rep_new(ne, t, sqn, parity);
			if (!r)
				continue;
			r->phase = PGM_NE_NULL;	/* below: forwarded, so pending */
		}
		e = ne_rep_add_if(r, ifindex);
		if (parity)
			e->cnt = max_t(u32, e->cnt, cnt);
		/* 7.2: identical NCFs on one interface at most one a gap. */
		if (!e->ncf_at || now - e->ncf_at >= PGM_NE_NCF_GAP_NS) {
			e->ncf_at = now;
			confirm = true;
		} else {
			limited = true;
		}
		/*
		 * 7.4: duplicates of a pending NAK, and of an outstanding one
		 * within NAK_ELIM_IVL, are eliminated (11.6: a parity NAK only
		 * if it asks no more than the largest known count).
		 */
		if (r->phase == PGM_NE_PENDING ||
		    (r->phase == PGM_NE_OUTSTANDING && now < r->elim_end)) {
			if (!parity || cnt <= r->cnt) {
				dup = true;
				continue;
			}
		}
		if (parity)
			r->cnt = max_t(u32, r->cnt, cnt);
		r->rpt_end = now + rpt;
		ne_rep_phase(ne, r, PGM_NE_PENDING, now + gap);
		forward = true;
	}
	if (forward) {
		/* 7.7, 9.3.3: the NAK intact, to the upstream NE, naming the source. */
		u8 *fwd = ne_queue(ne, &q, pgm, len, t->upstream, 0, 0, 0);

		if (fwd && nak->src.addr != t->saddr) {
			((struct pgm_nak *)pgm_body(fwd))->src.addr = t->saddr;
			ne_csum(fwd, len);
		}
		ne_inc(ne, PGM_NE_C_NAKS_FORWARDED);
	} else if (dup) {
		ne_inc(ne, PGM_NE_C_NAKS_ELIMINATED);
	}
	if (!null && confirm) {
		/* 7.2, 9.3.3: an identical NCF, on the NAK's interface, from the source. */
		u8 *ncf = ne_queue(ne, &q, pgm, len, t->group, t->saddr, ifindex, t->ttl);

		if (ncf) {
			((struct pgm_hdr *)ncf)->type = PGM_NCF;
			ne_csum(ncf, len);
			ne_inc(ne, PGM_NE_C_NCFS_SENT);
		}
	} else if (limited) {
		ne_inc(ne, PGM_NE_C_NCFS_LIMITED);
	}
out:
	spin_unlock(&ne->lock);
	ne_flush(ne, &q);
	return taken;
}

/* ---- hooks ---------------------------------------------------------------- */

static unsigned int ne_pre_routing(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct pgm_ne *ne = priv;
	struct pgm_wire_info info;
	unsigned int off;

	if (ip_hdr(skb)->protocol != IPPROTO_PGM || !READ_ONCE(ne->on) ||
	    skb->pkt_type == PACKET_LOOPBACK || !ipv4_is_multicast(ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	if (skb->len < ip_hdrlen(skb) + PGM_HDR_LEN)
		return NF_ACCEPT;
	switch (skb->data[ip_hdrlen(skb) + offsetof(struct pgm_hdr, type)]) {
	case PGM_SPM:
		if (ne_parse(ne, skb, &info, &off, true))
			ne_spm(ne, skb, &info, off);
		break;
	case PGM_NCF:
		if (ne_parse(ne, skb, &info, &off, true))
			ne_ncf(ne, skb, &info, off);
		break;
	case PGM_RDATA:
		/* Headers only: ne_rdata_out() sums the copies it lets go. */
		if (ne_parse(ne, skb, &info, &off, false))
			return ne_rdata_in(ne, skb, off);
		break;
	}
	return NF_ACCEPT;
}

static unsigned int ne_forward(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct pgm_ne *ne = priv;
	unsigned int ihl;
	u8 type;

	if (ip_hdr(skb)->protocol != IPPROTO_PGM || !READ_ONCE(ne->on) ||
	    !ipv4_is_multicast(ip_hdr(skb)->daddr) || !state->out)
		return NF_ACCEPT;
	ihl = ip_hdrlen(skb);
	if (skb->len < ihl + PGM_HDR_LEN ||
	    skb_copy_bits(skb, ihl + offsetof(struct pgm_hdr, type), &type, 1))
		return NF_ACCEPT;
	if (type == PGM_SPM)
		return ne_spm_out(skb, state->out);
	if (type == PGM_RDATA)
		return ne_rdata_out(ne, skb, state->in, state->out);
	return NF_ACCEPT;
}

static const struct nf_hook_ops ne_hook_ops[] = {
	{
		.hook		= ne_pre_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_FILTER + 1,
	},
	{
		.hook		= ne_forward,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_FILTER + 1,
	},
};

/*
 * The hooks need netfilter (CONFIG_NETFILTER: Debian's kernels have it); a
 * kernel without it has no network element, and says so.
 */
#if IS_ENABLED(CONFIG_NETFILTER)
static int ne_hooks_add(struct pgm_ne *ne)
{
	return nf_register_net_hooks(ne->net, ne->ops, ARRAY_SIZE(ne->ops));
}

/* Waits for hooks running on other CPUs. */
static void ne_hooks_del(struct pgm_ne *ne)
{
	nf_unregister_net_hooks(ne->net, ne->ops, ARRAY_SIZE(ne->ops));
}
#else
static int ne_hooks_add(struct pgm_ne *ne)
{
	return -EOPNOTSUPP;
}

static void ne_hooks_del(struct pgm_ne *ne)
{
}
#endif

/* ---- netlink ---------------------------------------------------------- */

static struct pgm_ne *ne_create(struct net *net)
{
	struct pgm_ne *ne;
	unsigned int i;
	int err;

	ne = kzalloc(sizeof(*ne), GFP_KERNEL_ACCOUNT);
	if (!ne)
		return NULL;
	err = inet_ctl_sock_create(&ne->sk, PF_INET, SOCK_RAW, IPPROTO_PGM, net);
	if (err)
		goto fail;
	pgm_inet_no_mc_loop(ne->sk);
	ne->net = net;
	memcpy(ne->ops, ne_hook_ops, sizeof(ne->ops));
	ne->ops[0].priv = ne;
	ne->ops[1].priv = ne;
	spin_lock_init(&ne->lock);
	for (i = 0; i < ARRAY_SIZE(ne->tsis); i++)
		INIT_HLIST_HEAD(&ne->tsis[i]);
	for (i = 0; i < ARRAY_SIZE(ne->reps); i++)
		INIT_HLIST_HEAD(&ne->reps[i]);
	INIT_LIST_HEAD(&ne->tsi_lru);
	INIT_LIST_HEAD(&ne->pending);
	INIT_LIST_HEAD(&ne->outstanding);
	INIT_LIST_HEAD(&ne->nulls);
	timer_setup(&ne->timer, ne_timer, 0);
	return ne;
fail:
	kfree(ne);
	return NULL;
}

/* Forget every TSI and state (the NE turned off, or the netns going). */
static void ne_clear(struct pgm_ne *ne)
{
	struct pgm_ne_tsi *t, *n;

	spin_lock_bh(&ne->lock);
	list_for_each_entry_safe(t, n, &ne->tsi_lru, lru)
		ne_tsi_free(ne, t);
	spin_unlock_bh(&ne->lock);
}

/**
 * pgm_ne_set - turn the netns's network element on or off
 * @net: the netns
 * @on: the new state
 * @extack: for the reason of a failure
 *
 * Off forgets every TSI and repair state.  Under the netlink family's
 * mutex (genl ops are serialized), so on and off do not race.
 *
 * Context: process.
 * Return: 0, -ENOMEM, or nf_register_net_hooks()'s error.
 */
int pgm_ne_set(struct net *net, bool on, struct netlink_ext_ack *extack)
{
	struct pgm_net *pn = pgm_pernet(net);
	struct pgm_ne *ne = pn->ne;
	int err;

	if (!ne) {
		if (!on)
			return 0;
		ne = ne_create(net);
		if (!ne)
			return -ENOMEM;
		WRITE_ONCE(pn->ne, ne);
	}
	if (on == ne->on)
		return 0;
	if (on) {
		if (ne->memcg)
			mem_cgroup_put(ne->memcg);
		ne->memcg = get_mem_cgroup_from_mm(current->mm);
		err = ne_hooks_add(ne);
		if (err == -EOPNOTSUPP) {
			NL_SET_ERR_MSG(extack,
				       "this kernel has no netfilter (CONFIG_NETFILTER): no network element");
			return err;
		}
		if (err) {
			NL_SET_ERR_MSG(extack, "netfilter hooks could not be registered");
			return err;
		}
		WRITE_ONCE(ne->on, true);
		return 0;
	}
	WRITE_ONCE(ne->on, false);
	ne_hooks_del(ne);
	synchronize_net();	/* and for pgm_ne_nak() in the input path */
	del_timer_sync(&ne->timer);
	ne_clear(ne);
	del_timer_sync(&ne->timer);
	return 0;
}

/**
 * pgm_ne_info - the NE's state and counters, for ne-get
 * @net: the netns
 * @ni: filled in
 */
void pgm_ne_info(struct net *net, struct pgm_ne_info *ni)
{
	struct pgm_ne *ne = ne_of(net);
	unsigned int c;

	memset(ni, 0, sizeof(*ni));
	if (!ne)
		return;
	spin_lock_bh(&ne->lock);
	ni->on = ne->on;
	ni->tsis = ne->ntsis;
	ni->states = ne->nstates;
	spin_unlock_bh(&ne->lock);
	ni->mem = ni->tsis * sizeof(struct pgm_ne_tsi) + ni->states * sizeof(struct pgm_ne_rep);
	for (c = 0; c < PGM_NE_C_MAX; c++)
		ni->ctr[c] = atomic64_read(&ne->ctr[c]);
}

/**
 * pgm_ne_sessions - the TSIs the NE follows, for a dump
 * @net: the netns
 * @skip: how many to pass over (a dump's position)
 * @out: filled with at most @max of them
 * @max: @out's size
 *
 * Return: how many were filled in.
 */
unsigned int pgm_ne_sessions(struct net *net, unsigned int skip, struct pgm_ne_session *out,
			     unsigned int max)
{
	struct pgm_ne *ne = ne_of(net);
	struct pgm_ne_tsi *t;
	unsigned int n = 0, i = 0;
	u64 now = ktime_get_ns();

	if (!ne)
		return 0;
	spin_lock_bh(&ne->lock);
	list_for_each_entry(t, &ne->tsi_lru, lru) {
		struct pgm_ne_session *s = &out[n];

		if (i++ < skip)
			continue;
		if (n == max)
			break;
		ne_session_of(t, s, now);
		n++;
	}
	spin_unlock_bh(&ne->lock);
	return n;
}

/**
 * pgm_ne_net_exit - free the netns's NE
 * @pn: the netns's PGM state
 *
 * Context: process, the netns going (its hooks are gone with it).
 */
void pgm_ne_net_exit(struct pgm_net *pn)
{
	struct pgm_ne *ne = pn->ne;

	if (!ne)
		return;
	if (ne->on) {
		WRITE_ONCE(ne->on, false);
		ne_hooks_del(ne);
		synchronize_net();
	}
	del_timer_sync(&ne->timer);
	ne_clear(ne);
	del_timer_sync(&ne->timer);
	inet_ctl_sock_destroy(ne->sk);
	if (ne->memcg)
		mem_cgroup_put(ne->memcg);
	kfree(ne);
	pn->ne = NULL;
}

/* For input.c: is the NE of @net on (the cheap test before pgm_ne_nak())? */
bool pgm_ne_on(const struct net *net)
{
	return ne_active(net);
}
