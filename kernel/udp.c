// SPDX-License-Identifier: GPL-2.0
/*
 * udp.c - PGM encapsulated in UDP, OpenPGM's scheme.
 *
 * The PGM packet (common header on) is the whole UDP payload.  Downstream
 * packets and multicast SPMRs go to the group at the multicast port,
 * unicast NAKs and SPMRs to the peer at the unicast port; every packet
 * leaves from the unicast port.  A socket chooses this with PGM_UDP_ENCAP
 * before bind()/connect(); its ports default to the netns's (3055 and
 * 3056, as in OpenPGM, settable with pgmctl).
 *
 * Receiving goes through in-kernel UDP tunnel sockets, one per netns,
 * family and port, bound to INADDR_ANY:port (IPv4) or [::]:port (IPv6,
 * v6-only, so both families can share a port) with an encap_rcv hook: UDP
 * (which has checked the UDP checksum, mandatory over IPv6) hands us the
 * datagram in softirq, we strip the UDP header and feed the PGM packet to
 * the same validation and dispatch as IP protocol 113 (pgm_input) with
 * the tunnel's family, saying which port it came in on so that only
 * encapsulated sockets of that family and port see it.
 *
 * Lifetime: a tunnel is created when the first socket of the netns needs
 * its port (bind() or connect(), process context) and released when the
 * last one closes.  pgm_net.udp_lock (a mutex: creating and releasing a
 * UDP socket sleeps) protects the list and the user counts.  The receive
 * hook does not look at the list: it reads the netns from the UDP socket,
 * which UDP frees only after an RCU grace period, and the module cannot go
 * before every PGM socket, hence every tunnel, is gone and pgm_exit() has
 * waited for softirq readers.  PGM sockets hold their netns, so no tunnel
 * can be left at netns exit; one would be released there all the same.
 */
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>

#include "pgm.h"

struct pgm_udp_tunnel {
	struct list_head	node;		/* in pgm_net.udp_tunnels */
	struct socket		*sock;
	sa_family_t		family;
	u16			port;		/* host order */
	unsigned int		users;		/* under pgm_net.udp_lock */
};

/* UDP's hook, in softirq under rcu_read_lock(); always consumes @skb. */
static int pgm_udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	u16 port = ntohs(udp_hdr(skb)->dest);

	/*
	 * skb->data is at the UDP header, which UDP has made linear.  A
	 * CHECKSUM_COMPLETE sum (UDP's, from the device or summed in software
	 * to check the UDP checksum) loses the UDP header's part and becomes
	 * the PGM packet's, which pgm_input() then checks at no cost; a
	 * CHECKSUM_PARTIAL one whose start was the UDP header (a local UDP
	 * socket's) becomes CHECKSUM_NONE: it vouches for nothing of PGM's.
	 */
	skb_pull_rcsum(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	pgm_input(sock_net(sk), skb, port, sk->sk_family);
	return 0;
}

static struct pgm_udp_tunnel *pgm_udp_find(struct pgm_net *pn, sa_family_t family, u16 port)
{
	struct pgm_udp_tunnel *t;

	list_for_each_entry(t, &pn->udp_tunnels, node)
		if (t->family == family && t->port == port)
			return t;
	return NULL;
}

/* Take a user of the @family tunnel on @port, creating it; under pn->udp_lock. */
static int pgm_udp_get_port(struct net *net, struct pgm_net *pn, sa_family_t family, u16 port)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.encap_type	= 1,	/* any nonzero type: only the hook is used */
		.encap_rcv	= pgm_udp_encap_rcv,
	};
	struct udp_port_cfg cfg = {
		.family		= family,
		.local_udp_port	= htons(port),
		/* IPv6: v6-only, and a zero UDP checksum refused as UDP's own sockets do. */
		.ipv6_v6only	= 1,
		.use_udp6_rx_checksums = 1,
	};
	struct pgm_udp_tunnel *t;
	int err;

	lockdep_assert_held(&pn->udp_lock);
	t = pgm_udp_find(pn, family, port);
	if (t) {
		t->users++;
		return 0;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	err = udp_sock_create(net, &cfg, &t->sock);
	if (err) {
		kfree(t);
		return err;	/* -EADDRINUSE: a UDP socket has the port */
	}
	setup_udp_tunnel_sock(net, t->sock, &tcfg);
	t->family = family;
	t->port = port;
	t->users = 1;
	list_add(&t->node, &pn->udp_tunnels);
	return 0;
}

/* Let a user of the @family tunnel on @port go, closing it after the last; under pn->udp_lock. */
static void pgm_udp_put_port(struct pgm_net *pn, sa_family_t family, u16 port)
{
	struct pgm_udp_tunnel *t;

	lockdep_assert_held(&pn->udp_lock);
	t = pgm_udp_find(pn, family, port);
	if (WARN_ON_ONCE(!t))
		return;
	if (--t->users)
		return;
	list_del(&t->node);
	udp_tunnel_sock_release(t->sock);
	kfree(t);
}

/**
 * pgm_udp_hold - hold the UDP tunnels of an encapsulated socket's ports
 * @sk: the socket, locked, in bind() or connect()
 *
 * Its two ports, one if they are equal, of its family.
 *
 * Return: 0 (also for a native socket), or -EADDRINUSE when a UDP socket
 * has a port, -ENOMEM.
 */
int pgm_udp_hold(struct sock *sk)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct net *net = sock_net(sk);
	struct pgm_net *pn = pgm_pernet(net);
	u16 uport = ps->params.udp_encap_ucast_port;
	u16 mport = ps->params.udp_encap_mcast_port;
	sa_family_t family = sk->sk_family;
	int err;

	sock_owned_by_me(sk);
	if (!ps->udp || ps->udp_held)
		return 0;
	mutex_lock(&pn->udp_lock);
	err = pgm_udp_get_port(net, pn, family, uport);
	if (!err && mport != uport) {
		err = pgm_udp_get_port(net, pn, family, mport);
		if (err)
			pgm_udp_put_port(pn, family, uport);
	}
	mutex_unlock(&pn->udp_lock);
	if (!err)
		ps->udp_held = true;
	return err;
}

/**
 * pgm_udp_put - let an encapsulated socket's ports go
 * @sk: the socket, locked: close, or a failed bind()/connect()
 */
void pgm_udp_put(struct sock *sk)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	u16 uport = ps->params.udp_encap_ucast_port;
	u16 mport = ps->params.udp_encap_mcast_port;

	sock_owned_by_me(sk);
	if (!ps->udp_held)
		return;
	mutex_lock(&pn->udp_lock);
	pgm_udp_put_port(pn, sk->sk_family, uport);
	if (mport != uport)
		pgm_udp_put_port(pn, sk->sk_family, mport);
	mutex_unlock(&pn->udp_lock);
	ps->udp_held = false;
}

/**
 * pgm_udp_net_init - a namespace's tunnel list, empty
 * @pn: the namespace's PGM state
 */
void pgm_udp_net_init(struct pgm_net *pn)
{
	mutex_init(&pn->udp_lock);
	INIT_LIST_HEAD(&pn->udp_tunnels);
}

/**
 * pgm_udp_net_exit - close what is left of a namespace's tunnels (nothing should be)
 * @pn: the namespace's PGM state
 */
void pgm_udp_net_exit(struct pgm_net *pn)
{
	struct pgm_udp_tunnel *t, *tmp;

	mutex_lock(&pn->udp_lock);
	list_for_each_entry_safe(t, tmp, &pn->udp_tunnels, node) {
		WARN_ON_ONCE(1);	/* sockets hold the netns: none can be left */
		list_del(&t->node);
		udp_tunnel_sock_release(t->sock);
		kfree(t);
	}
	mutex_unlock(&pn->udp_lock);
}

/**
 * pgm_udp_push - put the UDP header in front of the PGM packet at skb->data
 * @sk: the sending socket (its tunnel ports)
 * @skb: the packet
 * @saddr: IP source, for the pseudo-header, of @sk's family
 * @daddr: IP destination: the group's port for a group, else the unicast one
 *
 * Its checksum costs no pass over the packet: every PGM packet we send
 * carries its own checksum, which has no pseudo-header, so the PGM bytes
 * sum to zero (~0 and 0 alike in ones' complement) and the UDP checksum
 * is the pseudo-header's and the UDP header's alone.  The packet leaves
 * with both complete (CHECKSUM_NONE): a receiver that checks either
 * (OpenPGM checks both) finds them right.
 */
void pgm_udp_push(struct sock *sk, struct sk_buff *skb, const union pgm_addr *saddr,
		  const union pgm_addr *daddr)
{
	const struct pgm_params *p = &pgm_sk(sk)->params;
	unsigned int len = skb->len + sizeof(struct udphdr);
	struct udphdr *uh;
	__wsum csum;

	skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = htons(READ_ONCE(p->udp_encap_ucast_port));
	uh->dest = htons(pgm_addr_is_mc(sk->sk_family, daddr) ? READ_ONCE(p->udp_encap_mcast_port) :
			 READ_ONCE(p->udp_encap_ucast_port));
	uh->len = htons(len);
	uh->check = 0;
	csum = csum_partial(uh, sizeof(*uh), 0);
	if (sk->sk_family == AF_INET6)
		uh->check = csum_ipv6_magic(&saddr->in6, &daddr->in6, len, IPPROTO_UDP, csum);
	else
		uh->check = csum_tcpudp_magic(saddr->ip, daddr->ip, len, IPPROTO_UDP, csum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
}
