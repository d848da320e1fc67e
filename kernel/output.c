// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - building PGM packets and sending them over IPv4 (over IPv6:
 * pgm6_xmit(), ipv6.c).
 *
 * A packet is built in an sk_buff with PGM_HEADROOM in front; pgm_xmit()
 * routes it (multicast honours IP_MULTICAST_IF, IP_MULTICAST_TTL and, in
 * ip_mc_output(), IP_MULTICAST_LOOP), pushes the IP header, with the Router
 * Alert option that RFC 3208 section 4 requires on SPM, NCF and RDATA,
 * and hands it to ip_local_out().  A UDP-encapsulated socket's packets
 * get a UDP header instead (udp.c) and no Router Alert: they are plain UDP
 * to the network.  Callable from process and softirq context; never sleeps.
 */
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/checksum.h>
#include <net/addrconf.h>

#include "pgm.h"

/**
 * pgm_alloc_pkt - an empty packet with room for the headers below PGM
 * @len: PGM bytes it will hold
 * @gfp: allocation flags
 *
 * Return: the sk_buff, its transport header at its data, or NULL.
 */
struct sk_buff *pgm_alloc_pkt(unsigned int len, gfp_t gfp)
{
	return pgm_alloc_pkt_room(PGM_HEADROOM, len, gfp);
}

/**
 * pgm_alloc_pkt_room - pgm_alloc_pkt() with @headroom bytes in front
 * @headroom: room for the headers below PGM (a route's pgm_route.headroom)
 * @len: PGM bytes it will hold
 * @gfp: allocation flags
 *
 * Return: the sk_buff, its transport header at its data, or NULL.
 */
struct sk_buff *pgm_alloc_pkt_room(unsigned int headroom, unsigned int len, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(headroom + len, gfp);

	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	skb_reset_transport_header(skb);
	return skb;
}

/**
 * pgm_fill_hdr - append the 16-byte common header (section 8)
 * @skb: from pgm_alloc_pkt()
 * @sport: source port
 * @dport: destination port
 * @type: enum pgm_type
 * @options: PGM_OPT_* bits of the header
 * @gsi: the session's GSI
 * @tsdu_len: TSDU bytes the packet will carry
 *
 * The checksum is zero until pgm_set_csum(), once the packet is complete.
 */
void pgm_fill_hdr(struct sk_buff *skb, __be16 sport, __be16 dport, u8 type,
		  u8 options, const u8 *gsi, u16 tsdu_len)
{
	struct pgm_hdr *ph = skb_put(skb, sizeof(*ph));

	ph->sport = sport;
	ph->dport = dport;
	ph->type = type;
	ph->options = options;
	ph->csum = 0;
	memcpy(ph->gsi, gsi, PGM_GSI_LEN);
	ph->tsdu_len = htons(tsdu_len);
}

/**
 * pgm_build_nak - a NAK or an NCF (section 8.3), checksummed
 * @family: the sending socket's, which its NLAs are of (AFI 1 or 2)
 * @type: PGM_NAK or PGM_NCF
 * @sport: source port of the packet (a NAK's is the data-destination port)
 * @dport: destination port
 * @gsi: the session's GSI
 * @src_nla: the source's NLA
 * @grp_nla: the group's NLA
 * @sqns: the sequence numbers, network order: the first in the header, the
 *	others (62 at most) in one OPT_NAK_LIST
 * @n: how many, at least one
 * @xtype: an option to add after OPT_NAK_LIST (PGMCC's feedback), or 0
 * @xlen: its length, header included
 * @xopt: set to where it starts, its header written: the caller fills in
 *	the rest and checksums again; NULL when there is none
 *
 * Context: any.
 * Return: the packet, or NULL without memory.
 */
struct sk_buff *pgm_build_nak(sa_family_t family, u8 type, __be16 sport, __be16 dport,
			      const u8 *gsi, const union pgm_addr *src_nla,
			      const union pgm_addr *grp_nla, const __be32 *sqns, unsigned int n,
			      u8 xtype, u8 xlen, u8 **xopt)
{
	unsigned int optlen = pgm_nak_optlen(n);
	unsigned int hlen = pgm_nak_hlen(family);
	struct sk_buff *skb;
	struct pgm_optw ow;
	u8 *o, *p;

	if (xtype)
		optlen += optlen ? xlen : PGM_OPT_LENGTH_LEN + xlen;
	skb = pgm_alloc_pkt(hlen + optlen, GFP_ATOMIC);
	if (xopt)
		*xopt = NULL;
	if (!skb)
		return NULL;
	/* OPT_NAK_LIST is network-significant (section 9.3); PGMCC's feedback is not. */
	pgm_fill_hdr(skb, sport, dport, type,
		     (optlen ? PGM_OPT_PRESENT : 0) | (n > 1 ? PGM_OPT_NETWORK : 0), gsi, 0);
	p = skb_put(skb, hlen - PGM_HDR_LEN);
	memcpy(p, &sqns[0], sizeof(sqns[0]));
	p += PGM_NAK_NLA_OFF;
	p += pgm_nla_put(family, p, src_nla);
	pgm_nla_put(family, p, grp_nla);
	if (optlen) {
		pgm_optw_init(&ow, skb_put(skb, optlen));
		if (n > 1) {
			o = pgm_optw_add(&ow, PGM_OPT_NAK_LIST, 4 + 4 * (n - 1));
			memcpy(o + sizeof(struct pgm_opt), sqns + 1, 4 * (n - 1));
		}
		if (xtype) {
			o = pgm_optw_add(&ow, xtype, xlen);
			if (xopt)
				*xopt = o;
		}
		pgm_optw_finish(&ow);
	}
	pgm_set_csum(skb);
	return skb;
}

/**
 * pgm_set_csum - checksum over the whole packet
 * @skb: the packet, its transport header the PGM header
 *
 * Section 8: a computed 0 is sent as ~0.
 */
void pgm_set_csum(struct sk_buff *skb)
{
	struct pgm_hdr *ph = (struct pgm_hdr *)skb_transport_header(skb);
	__sum16 c;

	ph->csum = 0;
	c = csum_fold(skb_checksum(skb, skb_transport_offset(skb),
				   skb->len - skb_transport_offset(skb), 0));
	ph->csum = (__force __be16)(c ? c : CSUM_MANGLED_0);
}

/**
 * pgm_set_csum_payload - the checksum, its payload's part already summed
 * @skb: the packet at its PGM header, linear, its checksum field zero
 * @payload: the sum of its last @plen bytes (from csum_and_copy_from_iter_full())
 * @plen: how many bytes @payload covers
 *
 * Only the headers and options in front are summed here: with the payload
 * summed while it was copied in, a packet costs one pass over its data.
 */
void pgm_set_csum_payload(struct sk_buff *skb, __wsum payload, unsigned int plen)
{
	struct pgm_hdr *ph = (struct pgm_hdr *)skb->data;
	unsigned int hlen = skb->len - plen;
	__sum16 c;

	c = csum_fold(csum_block_add(csum_partial(skb->data, hlen, 0), payload, hlen));
	ph->csum = (__force __be16)(c ? c : CSUM_MANGLED_0);
}

/**
 * pgm_csum_replace - update a packet's checksum for a changed field
 * @ph: the packet's PGM header, its checksum set
 * @from: the field's old value, as a sum (a 32-bit field, or a 16-bit one
 *	zero-extended: both sum as their 16-bit halves)
 * @to: its new value, the same way
 *
 * RFC 1624's update: no pass over the packet.  The field is at an even
 * offset from @ph (every field PGM rewrites is), so the halves line up.
 * Section 8's ~0 for a computed 0 is kept.
 */
void pgm_csum_replace(struct pgm_hdr *ph, __wsum from, __wsum to)
{
	__sum16 *c = (__force __sum16 *)&ph->csum;

	*c = csum_fold(csum_add(csum_sub(~csum_unfold(*c), from), to));
	if (!*c)
		*c = CSUM_MANGLED_0;
}

/**
 * pgm_addr_local - is @a one of @net's own addresses?
 * @net: the netns
 * @family: AF_INET or AF_INET6
 * @a: the address
 *
 * A FIB lookup (IPv4) or the address hash (IPv6): for packets that are
 * not on a fast path.
 *
 * Return: true if an interface of @net has @a.
 */
bool pgm_addr_local(struct net *net, sa_family_t family, const union pgm_addr *a)
{
	if (family == AF_INET6)
		return ipv6_chk_addr(net, &a->in6, NULL, 0);
	return inet_addr_type(net, a->ip) == RTN_LOCAL;
}

/**
 * pgm_route_put - forget a kept route
 * @rc: the route, its owner's lock held or the owner dead
 */
void pgm_route_put(struct pgm_route *rc)
{
	dst_release(rc->dst);
	rc->dst = NULL;
}

/**
 * pgm_route_hold - the kept route, held for one more packet, if it serves
 * @rc: the route kept, its owner's lock held
 * @family: AF_INET or AF_INET6
 * @key: the packet's flow (pgm_route_keep()'s fields but @from and @cookie)
 *
 * None for another flow; an invalid one (dst_ops->check(): a route changed
 * since) is let go.
 *
 * Return: @rc's dst with a reference for the packet, or NULL.
 */
struct dst_entry *pgm_route_hold(struct pgm_route *rc, sa_family_t family,
				 const struct pgm_route *key)
{
	struct dst_entry *dst = rc->dst;

	if (!dst || !pgm_addr_eq(family, &rc->daddr, &key->daddr) ||
	    !pgm_addr_eq(family, &rc->saddr, &key->saddr) || rc->oif != key->oif ||
	    rc->mark != key->mark || rc->tos != key->tos || rc->udp != key->udp)
		return NULL;
	if (dst->obsolete && !dst->ops->check(dst, rc->cookie)) {
		pgm_route_put(rc);
		return NULL;
	}
	dst_hold(dst);
	return dst;
}

/**
 * pgm_route_keep - keep the route a lookup found
 * @rc: where, its owner's lock held; what it kept before is let go
 * @dst: the route, its reference the packet's (the kept one is another)
 * @key: the flow's fields that route choice depends on, @key->dst unused
 */
void pgm_route_keep(struct pgm_route *rc, struct dst_entry *dst, const struct pgm_route *key)
{
	pgm_route_put(rc);
	*rc = *key;
	dst_hold(dst);
	rc->dst = dst;
	/*
	 * The headers below PGM on this route, as UDP sizes its headroom:
	 * the device's link layer, what the route adds (IPsec), the IP
	 * header (IPv6's, the largest) and UDP encapsulation's.  A device
	 * that wants more than PGM_HEADROOM gets its room made on output.
	 */
	rc->headroom = min_t(unsigned int, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			     PGM_IP6_HLEN + sizeof(struct udphdr), PGM_HEADROOM);
}

/**
 * pgm_xmit_route - send a PGM packet with a given TTL, by a kept route
 * @sk: the sending socket (its multicast options, UDP encapsulation)
 * @skb: the packet, consumed
 * @daddr: destination, unicast or a group, of @sk's family
 * @ra: with the Router Alert option (SPM, NCF, RDATA; never in UDP, nor
 *	over IPv6 yet)
 * @ttl: IP TTL or IPv6 hop limit, 0 for the socket's
 * @rc: the route kept for @sk's packets to @daddr (found and kept here
 *	when it has none for this flow), under its owner's lock; NULL to
 *	look the route up for this packet only
 *
 * An IPv6 socket's packets go to pgm6_xmit().
 *
 * Callable from process and softirq context; never sleeps.
 *
 * Return: 0 or what the routing or ip_local_out() said.
 */
static int pgm_xmit_route(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr,
			  bool ra, u8 ttl, struct pgm_route *rc)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	int oif = sk->sk_bound_dev_if;
	__be32 saddr = inet->inet_saddr, from;
	bool udp = READ_ONCE(pgm_sk(sk)->udp);
	u32 mark = READ_ONCE(sk->sk_mark);
	u8 tos = RT_TOS(READ_ONCE(inet->tos));
	unsigned int ihl;
	struct rtable *rt = NULL;
	struct pgm_route key;
	struct iphdr *iph;
	bool mc = ipv4_is_multicast(daddr->ip);

	if (sk->sk_family == AF_INET6)
		return pgm6_xmit(sk, skb, &daddr->in6, ttl, 0, rc);
	if (udp)
		ra = false;
	ihl = ra ? PGM_IP_RA_HLEN : PGM_IP_HLEN;

	if (mc) {
		if (!oif)
			oif = READ_ONCE(inet->mc_index);
		if (!saddr)
			saddr = READ_ONCE(inet->mc_addr);
	}
	key = (struct pgm_route){ .oif = oif, .mark = mark, .tos = tos, .udp = udp };
	pgm_addr_set_v4(&key.daddr, daddr->ip);
	pgm_addr_set_v4(&key.saddr, saddr);
	if (rc) {
		struct dst_entry *dst = pgm_route_hold(rc, AF_INET, &key);

		if (dst) {
			rt = container_of(dst, struct rtable, dst);
			from = rc->from.ip;
		}
	}
	if (!rt) {
		struct flowi4 fl4;

		flowi4_init_output(&fl4, oif, mark, tos, RT_SCOPE_UNIVERSE,
				   udp ? IPPROTO_UDP : IPPROTO_PGM, inet_sk_flowi_flags(sk),
				   daddr->ip, saddr, 0, 0, sock_net_uid(net, sk));
		rt = ip_route_output_flow(net, &fl4, sk);
		if (IS_ERR(rt)) {
			kfree_skb(skb);
			return PTR_ERR(rt);
		}
		from = fl4.saddr;
		if (rc) {
			pgm_addr_set_v4(&key.from, from);
			pgm_route_keep(rc, &rt->dst, &key);
		}
	}

	if (udp) {
		union pgm_addr src;

		pgm_addr_set_v4(&src, from);
		pgm_udp_push(sk, skb, &src, daddr);
	}
	skb_push(skb, ihl);
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = ihl / 4;
	iph->tos = inet->tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = 0;
	if (ttl)
		iph->ttl = ttl;
	else
		iph->ttl = mc ? READ_ONCE(inet->mc_ttl) : ip4_dst_hoplimit(&rt->dst);
	iph->protocol = udp ? IPPROTO_UDP : IPPROTO_PGM;
	iph->saddr = from;
	iph->daddr = daddr->ip;
	if (ra) {
		u8 *opt = (u8 *)(iph + 1);

		opt[0] = IPOPT_RA;
		opt[1] = 4;
		opt[2] = 0;
		opt[3] = 0;
	}
	skb->protocol = htons(ETH_P_IP);
	skb->priority = sk->sk_priority;
	skb->mark = mark;
	/*
	 * skb->cb is the IP layer's from here on (IPCB).  A window entry's
	 * clone or copy (ODATA, RDATA, parity) carries the source's
	 * struct pgm_txw_cb there, whose list pointers would read as IP
	 * flags and a frag_max_size: every such packet then took
	 * ip_do_fragment()'s slow path, a new buffer and a copy of the
	 * whole packet, to come out as one "fragment" equal to itself.
	 */
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb_dst_set(skb, &rt->dst);
	ip_select_ident(net, skb, NULL);
	ip_send_check(iph);
	/* skb->sk lets ip_mc_output() honour IP_MULTICAST_LOOP. */
	skb_set_owner_w(skb, sk);
	return ip_local_out(net, sk, skb);
}

/**
 * pgm_xmit_ttl - send a PGM packet with a given TTL, its route looked up
 * @sk: the sending socket
 * @skb: the packet, consumed
 * @daddr: destination, unicast or a group, of @sk's family
 * @ra: with the Router Alert option
 * @ttl: IP TTL or IPv6 hop limit, 0 for the socket's
 *
 * Return: as pgm_xmit_route().
 */
int pgm_xmit_ttl(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, bool ra,
		 u8 ttl)
{
	return pgm_xmit_route(sk, skb, daddr, ra, ttl, NULL);
}

/**
 * pgm_xmit_peer - send a receiver's packet to a session's source or group
 * @sk: the receiver's socket
 * @skb: the packet (a NAK or an SPMR), consumed
 * @daddr: the source's NLA or address, or the group, of @sk's family
 * @ttl: IP TTL or IPv6 hop limit, 0 for the socket's
 * @ifindex: IPv6: the interface the session's packets came in on, which
 *	scopes a link-local @daddr when the socket is bound to no device;
 *	0 for none (and over IPv4)
 *
 * Return: as pgm_xmit_ttl().
 */
int pgm_xmit_peer(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, u8 ttl,
		  int ifindex)
{
	if (sk->sk_family == AF_INET6)
		return pgm6_xmit(sk, skb, &daddr->in6, ttl, ifindex, NULL);
	return pgm_xmit_ttl(sk, skb, daddr, false, ttl);
}

/**
 * pgm_xmit - send a source's PGM packet with the socket's TTL
 * @sk: the sending socket
 * @skb: the packet, consumed
 * @daddr: destination, unicast or a group, of @sk's family
 * @ra: with the Router Alert option
 * @rc: the route kept for @daddr, under the source's lock, or NULL
 *
 * Return: as pgm_xmit_route().
 */
int pgm_xmit(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, bool ra,
	     struct pgm_route *rc)
{
	return pgm_xmit_route(sk, skb, daddr, ra, 0, rc);
}
