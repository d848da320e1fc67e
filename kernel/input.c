// SPDX-License-Identifier: GPL-2.0
/*
 * input.c - the IP protocol 113 handler.
 *
 * Runs in softirq for every PGM packet addressed to this host (including
 * multicast the host has joined).  It validates the common header, the
 * type-specific header, the options and the checksum (RFC 3208 sections 8
 * and 9), counts, and hands each valid packet to the sockets that want it:
 * downstream packets (SPM, ODATA, RDATA, NCF) to receivers bound to the
 * destination port (and group, when bound to one), upstream packets (NAK,
 * SPMR) to the source whose data-source port they name, and multicast
 * SPMRs also to receivers of their data-destination port (another
 * receiver's SPMR suppresses theirs, Appendix C).  The sockets are
 * found in the netns's port hash (pgm.h), one bucket per port a packet
 * names, walked under RCU (we run inside ip_local_deliver's
 * rcu_read_lock): a packet costs the sockets of its port, not all of them.
 *
 * UDP-encapsulated packets (udp.c) take the same path from pgm_input()
 * with the UDP port they arrived on; they reach only encapsulated sockets
 * of that port, and native packets only native sockets.
 *
 * IPv6 packets (ipv6.c) take it too, with their family: a socket takes
 * packets of its own family only (docs/ipv6.md), so IPv4 and IPv6
 * sessions never meet.  An IPv6 socket bound to a device (a link-local
 * address's or group's scope id, SO_BINDTODEVICE) takes only what came
 * in on it.
 */
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/checksum.h>

#include "pgm.h"

/* Make the headers and options contiguous; false if the packet is short. */
static bool pgm_pull_headers(struct sk_buff *skb)
{
	size_t need;
	int round;

	for (round = 0; round < 4; round++) {
		if (!pskb_may_pull(skb, min_t(size_t, skb->len, 16)))
			return false;
		need = pgm_wire_need(skb->data, skb_headlen(skb), skb->len);
		if (need <= skb_headlen(skb))
			return true;
		if (!pskb_may_pull(skb, need))
			return false;
	}
	return true;
}

/*
 * A packet whose checksum is still to be filled in (CHECKSUM_PARTIAL at the
 * PGM header): built by this host's stack and looped or passed over a
 * virtual link before a device summed it.  The stack trusts those as it
 * does TCP's and UDP's (skb_csum_unnecessary()); its field is still zero.
 */
static bool pgm_csum_pending(const struct sk_buff *skb)
{
	return skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_start(skb) == skb->data;
}

/*
 * RFC 3208 section 8: a zero checksum field means none was computed (the
 * caller refuses that on ODATA and RDATA).  Else the packet is summed only
 * when the stack does not already know the answer:
 * - pending (pgm_csum_pending()): nothing to check yet;
 * - CHECKSUM_UNNECESSARY on a native packet: the device or the stack
 *   vouches for the outermost transport checksum, which is PGM's (a
 *   multicast looped back to this host is one).  Not on a packet that came
 *   in UDP (@encap): there it vouched for UDP's checksum (UDP used that up,
 *   __skb_decr_checksum_unnecessary(), and one left over would be for a
 *   tunnel a device knows, not PGM); PGM's own is another;
 * - CHECKSUM_COMPLETE: skb->csum is the sum of the packet from its PGM
 *   header (the IP header sums to zero, udp.c took the UDP header's out);
 *   summed in software it is the answer, from a device it is checked again
 *   when it disagrees (as __skb_checksum_complete() does).
 */
static bool pgm_csum_ok(struct sk_buff *skb, bool encap)
{
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;

	if (!ph->csum || pgm_csum_pending(skb))
		return true;
	switch (skb->ip_summed) {
	case CHECKSUM_UNNECESSARY:
		if (!encap)
			return true;
		break;
	case CHECKSUM_COMPLETE:
		if (!csum_fold(skb->csum))
			return true;
		if (skb->csum_complete_sw)
			return false;
		break;
	default:
		break;
	}
	return csum_fold(skb_checksum(skb, 0, skb->len, 0)) == 0;
}

/* Does @ps take a packet that came in natively (@udp_port 0) or on @udp_port? */
static bool pgm_encap_match(const struct pgm_sock *ps, u16 udp_port)
{
	if (!READ_ONCE(ps->udp))
		return !udp_port;
	return udp_port && (udp_port == READ_ONCE(ps->params.udp_encap_ucast_port) ||
			    udp_port == READ_ONCE(ps->params.udp_encap_mcast_port));
}

/*
 * Is @ps of the packet's family, and for IPv6 bound to no device or to
 * the one it came in on (@iif)?
 */
static bool pgm_family_match(const struct pgm_sock *ps, sa_family_t family, int iif)
{
	int dif;

	if (ps->inet.sk.sk_family != family)
		return false;
	if (family != AF_INET6)
		return true;
	dif = READ_ONCE(ps->inet.sk.sk_bound_dev_if);
	return !dif || dif == iif;
}

/*
 * Whether receiver @ps of netns @pn takes a packet of @family to
 * @port:@daddr that came on @udp_port and interface @iif.
 */
static bool pgm_rcv_wants(struct pgm_net *pn, struct pgm_sock *ps, __be16 port, u16 udp_port,
			  sa_family_t family, int iif, const union pgm_addr *daddr)
{
	sa_family_t f = ps->inet.sk.sk_family;
	union pgm_addr bound;

	if (!pgm_family_match(ps, family, iif) ||
	    READ_ONCE(ps->role) != PGM_ROLE_RECEIVER ||
	    READ_ONCE(ps->inet.inet_sport) != port || !pgm_encap_match(ps, udp_port))
		return false;
	pgm_sk_rcv_addr(&ps->inet.sk, &bound);
	if (!pgm_addr_any(f, &bound) && !pgm_addr_eq(f, &bound, daddr))
		return false;
	/* Under a policy, only the groups it joined itself (policy.c). */
	return !pgm_policy_rcv_refuses(pn, &ps->inet.sk, daddr);
}

/*
 * Hand *@skbp to the receivers of data-destination port @port: downstream
 * packets, and other receivers' multicast SPMRs (Appendix C).  A receiver
 * bound to an address takes only packets sent to it.  Each but the last
 * keeps a clone of what it holds; the last may keep the packet itself (as
 * UDP's multicast delivery clones for all but the last socket), and then
 * *@skbp is NULL.
 */
static bool pgm_to_receivers(struct pgm_net *pn, struct sk_buff **skbp,
			     const struct pgm_wire_info *info, u16 udp_port,
			     sa_family_t family, int iif, __be16 port,
			     const union pgm_addr *daddr)
{
	struct pgm_sock *ps, *prev = NULL;

	hlist_for_each_entry_rcu(ps, pgm_port_bucket(pn, port), port_node) {
		if (!pgm_rcv_wants(pn, ps, port, udp_port, family, iif, daddr))
			continue;
		if (prev)
			pgm_receiver_rcv(&prev->inet.sk, skbp, false, info);
		prev = ps;
	}
	if (!prev)
		return false;
	pgm_receiver_rcv(&prev->inet.sk, skbp, true, info);
	return true;
}

/* Hand a NAK, SPMR or ACK to the source of data-source port @port. */
static bool pgm_to_source(struct pgm_net *pn, struct sk_buff *skb,
			  const struct pgm_wire_info *info, u16 udp_port,
			  sa_family_t family, int iif, __be16 port)
{
	struct pgm_sock *ps;
	bool any = false;

	hlist_for_each_entry_rcu(ps, pgm_port_bucket(pn, port), port_node) {
		if (!pgm_family_match(ps, family, iif) ||
		    READ_ONCE(ps->role) != PGM_ROLE_SOURCE ||
		    READ_ONCE(ps->inet.inet_sport) != port ||
		    !pgm_encap_match(ps, udp_port))
			continue;
		pgm_source_rcv(&ps->inet.sk, skb, info);
		any = true;
	}
	return any;
}

/*
 * Hand *@skbp to the sockets it is for; a receiver may keep it, and then
 * *@skbp is NULL.
 */
static bool pgm_dispatch(struct pgm_net *pn, struct sk_buff **skbp,
			 const struct pgm_wire_info *info, u16 udp_port,
			 sa_family_t family)
{
	struct sk_buff *skb = *skbp;
	const struct pgm_hdr *ph = (const struct pgm_hdr *)skb->data;
	__be16 sport = ph->sport, dport = ph->dport;
	union pgm_addr daddr;
	int iif = 0;
	bool any;

	if (family == AF_INET6) {
		daddr.in6 = ipv6_hdr(skb)->daddr;
		iif = inet6_iif(skb);
	} else {
		pgm_addr_set_v4(&daddr, ip_hdr(skb)->daddr);
	}

	switch (info->type) {
	case PGM_SPM:
	case PGM_ODATA:
	case PGM_RDATA:
	case PGM_NCF:
		/* Downstream: to the receivers of the destination port. */
		return pgm_to_receivers(pn, skbp, info, udp_port, family, iif, dport, &daddr);
	case PGM_NAK:
	case PGM_NNAK:
		/* To a network element of this netns (ne.c), for a TSI it follows. */
		if (!udp_port && family == AF_INET && pgm_ne_on(dev_net(skb->dev)) &&
		    pgm_ne_nak(dev_net(skb->dev), skb, info))
			return true;
		if (info->type == PGM_NNAK)
			return false;	/* no socket takes them */
		fallthrough;
	case PGM_SPMR:
	case PGM_ACK:
		/* Upstream: the destination port is the data-source port. */
		any = pgm_to_source(pn, skb, info, udp_port, family, iif, dport);
		/* A multicast SPMR's source port is the data-destination port. */
		if (info->type == PGM_SPMR && pgm_addr_is_mc(family, &daddr))
			any |= pgm_to_receivers(pn, skbp, info, udp_port, family, iif,
						sport, &daddr);
		return any;
	default:
		return false;	/* POLL, POLR: no socket takes them */
	}
}

/**
 * pgm_input - validate a PGM packet and hand it to the sockets that want it
 * @net: the namespace it arrived in
 * @skb: the packet at its PGM header, consumed
 * @udp_port: 0 for a native packet, else the UDP port it arrived on
 * @family: AF_INET or AF_INET6, of its network header
 *
 * Softirq, under rcu_read_lock().
 */
void pgm_input(struct net *net, struct sk_buff *skb, u16 udp_port, sa_family_t family)
{
	struct pgm_net *pn = pgm_pernet(net);
	struct pgm_wire_info info;
	enum pgm_wire_err err;

	pgm_mib_inc(pn, PGM_MIB_IN_PACKETS);
	pgm_mib_add(pn, PGM_MIB_IN_BYTES, skb->len);

	if (!pgm_pull_headers(skb)) {
		pgm_mib_inc(pn, PGM_MIB_IN_TRUNCATED);
		goto drop;
	}
	err = pgm_wire_validate(skb->data, skb_headlen(skb), skb->len, &info);
	switch (err) {
	case PGM_WIRE_OK:
		break;
	case PGM_WIRE_TRUNCATED:
		pgm_mib_inc(pn, PGM_MIB_IN_TRUNCATED);
		goto drop;
	case PGM_WIRE_BAD_TYPE:
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_TYPE);
		goto drop;
	default:
		pgm_mib_inc(pn, PGM_MIB_IN_MALFORMED);
		goto drop;
	}
	/* Section 8: the checksum is mandatory on ODATA and RDATA. */
	if (!((const struct pgm_hdr *)skb->data)->csum && !pgm_csum_pending(skb) &&
	    (info.type == PGM_ODATA || info.type == PGM_RDATA)) {
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_CHECKSUM);
		goto drop;
	}
	if (!pgm_csum_ok(skb, udp_port)) {
		pgm_mib_inc(pn, PGM_MIB_IN_BAD_CHECKSUM);
		goto drop;
	}

	/* A receiver may keep the packet (then skb is NULL, and freeing it nothing). */
	if (pgm_dispatch(pn, &skb, &info, udp_port, family))
		pgm_mib_inc(pn, PGM_MIB_IN_DELIVERED);
	else
		pgm_mib_inc(pn, PGM_MIB_IN_NO_SOCKET);
drop:
	kfree_skb(skb);
}

/**
 * pgm_rcv - the IP protocol 113 handler
 * @skb: the packet, consumed
 *
 * Return: 0.
 */
int pgm_rcv(struct sk_buff *skb)
{
	pgm_input(dev_net(skb->dev), skb, 0, AF_INET);
	return 0;
}

/**
 * pgm_err - ICMP errors about PGM packets we sent: nothing to do without sessions
 * @skb: the ICMP error
 * @info: its information
 *
 * Return: 0.
 */
int pgm_err(struct sk_buff *skb, u32 info)
{
	return 0;
}
