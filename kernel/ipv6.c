// SPDX-License-Identifier: GPL-2.0
/*
 * ipv6.c - PGM over IPv6: socket(AF_INET6, SOCK_RDM, IPPROTO_PGM) and the
 * IPv6 next-header 113 handler (docs/ipv6.md).
 *
 * A socket of this family is v6-only (IPV6_V6ONLY is set and cannot be
 * cleared): it sends and receives IPv6 packets only, and its sessions'
 * NLAs are of AFI 2.  What is specific to the family lives here: the
 * struct proto and proto_ops (the family-blind methods are socket.c's),
 * bind() and connect() with a struct sockaddr_in6 (a scope id names the
 * interface of a link-local address or group), membership through the
 * IPv6 layer, the options of level SOL_IPV6, and the input handler.
 *
 * The socket object is a struct pgm6_sock (pgm.h): the IPv6 layer's
 * struct ipv6_pinfo comes last, where inet6_create() finds it on either
 * kernel (compat.h, PGM_PROTO_PINFO).  Locking is described in pgm.h.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/protocol.h>

#include "pgm.h"

/*
 * inet6_create() puts the struct ipv6_pinfo at proto.ipv6_pinfo_offset
 * (6.6 on) or at obj_size less its size (before): both are its offset in
 * struct pgm6_sock only while nothing follows it.
 */
static_assert(offsetof(struct pgm6_sock, inet6) ==
	      sizeof(struct pgm6_sock) - sizeof(struct ipv6_pinfo));

/*
 * The interface a scope id names: for an address that needs one
 * (link-local, or a group of interface- or link-local scope), the
 * sin6_scope_id of a struct sockaddr_in6 long enough to have it.  Sets
 * *@ifindex (0: none given) and checks that the interface exists.
 */
static int pgm6_scope_ifindex(struct sock *sk, const struct sockaddr_in6 *sin6,
			      int addr_len, int *ifindex)
{
	struct net_device *dev;

	*ifindex = 0;
	if (addr_len < (int)sizeof(*sin6) ||
	    !__ipv6_addr_needs_scope_id(__ipv6_addr_type(&sin6->sin6_addr)) ||
	    !sin6->sin6_scope_id)
		return 0;
	if (sin6->sin6_scope_id > INT_MAX)
		return -ENODEV;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(sock_net(sk), sin6->sin6_scope_id);
	rcu_read_unlock();
	if (!dev)
		return -ENODEV;
	*ifindex = sin6->sin6_scope_id;
	return 0;
}

/*
 * bind() of an IPv6 socket: a struct sockaddr_in6 with a group or :: (a
 * receiver) or one of the host's unicast addresses (a source's), as
 * pgm_bind_addr() takes it.  A link-local address needs an interface: its
 * scope id, or the device the socket is bound to.  An IPv4-mapped
 * address is refused, as a v6-only UDP socket refuses it.
 */
static int pgm6_bind(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;
	struct net_device *dev = NULL;
	union pgm_addr addr;
	int type, ifindex, dif, err;
	bool local;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (sin6->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	addr.in6 = sin6->sin6_addr;
	type = ipv6_addr_type(&addr.in6);
	if (type & IPV6_ADDR_MAPPED)
		return -EINVAL;
	err = pgm6_scope_ifindex(sk, sin6, addr_len, &ifindex);
	if (err)
		return err;
	if (pgm_addr_is_mc(AF_INET6, &addr) || pgm_addr_any(AF_INET6, &addr))
		return pgm_bind_addr(sk, &addr, sin6->sin6_port, ifindex);

	/* A unicast address: one of ours, on its interface if link-local. */
	dif = ifindex ? : READ_ONCE(sk->sk_bound_dev_if);
	if (__ipv6_addr_needs_scope_id(type) && !dif)
		return -EINVAL;
	rcu_read_lock();
	if (dif) {
		dev = dev_get_by_index_rcu(sock_net(sk), dif);
		if (!dev) {
			rcu_read_unlock();
			return -ENODEV;
		}
	}
	local = ipv6_chk_addr(sock_net(sk), &addr.in6, dev, 0);
	rcu_read_unlock();
	if (!local)
		return -EADDRNOTAVAIL;
	return pgm_bind_addr(sk, &addr, 0, ifindex);
}

/* connect() of an IPv6 socket: a struct sockaddr_in6 naming a group and port. */
static int pgm6_connect(struct socket *sock, struct sockaddr *uaddr,
			int addr_len, int flags)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;
	union pgm_addr daddr;
	int ifindex, err;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (sin6->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!ipv6_addr_is_multicast(&sin6->sin6_addr) || !sin6->sin6_port)
		return -EINVAL;
	err = pgm6_scope_ifindex(sock->sk, sin6, addr_len, &ifindex);
	if (err)
		return err;
	daddr.in6 = sin6->sin6_addr;
	return pgm_connect_addr(sock->sk, &daddr, sin6->sin6_port, ifindex);
}

/**
 * pgm6_mcast - PGM_JOIN_GROUP and PGM_LEAVE_GROUP on an IPv6 socket
 * @sk: the socket, unlocked
 * @optname: PGM_JOIN_GROUP or PGM_LEAVE_GROUP
 * @optval: a struct ipv6_mreq: the group, and the interface (0: by route)
 * @optlen: its length
 *
 * Return: 0, -EINVAL (short, or not a group), -EFAULT, -EACCES (the
 * netns's policy), -ENOBUFS (its max-groups), or what the IPv6 layer says (-EADDRINUSE joined
 * already, -EADDRNOTAVAIL not joined, ...).
 */
int pgm6_mcast(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen)
{
	struct ipv6_mreq mreq;
	struct pgm_policy_use use = {};
	int err;

	if (optlen < sizeof(mreq))
		return -EINVAL;
	if (copy_from_sockptr(&mreq, optval, sizeof(mreq)))
		return -EFAULT;
	if (!ipv6_addr_is_multicast(&mreq.ipv6mr_multiaddr))
		return -EINVAL;
	if (optname == PGM_JOIN_GROUP) {
		union pgm_addr group = { .in6 = mreq.ipv6mr_multiaddr };

		err = pgm_policy_begin(sk, PGM_POLICY_ROLE_RECEIVER, AF_INET6, &group, &use);
		if (err)
			return err;
	}
	/* A logical group of the netns's policy: its physical group is joined (left). */
	{
		union pgm_addr g = { .in6 = mreq.ipv6mr_multiaddr };

		if (pgm_policy_physical(sock_net(sk), AF_INET6, &g))
			mreq.ipv6mr_multiaddr = g.in6;
	}

	/* The MLD code wants RTNL, taken before the socket lock as ipv6_setsockopt does. */
	rtnl_lock();
	lock_sock(sk);
	if (optname == PGM_JOIN_GROUP)
		err = ipv6_sock_mc_join(sk, mreq.ipv6mr_ifindex, &mreq.ipv6mr_multiaddr);
	else
		err = ipv6_sock_mc_drop(sk, mreq.ipv6mr_ifindex, &mreq.ipv6mr_multiaddr);
	release_sock(sk);
	rtnl_unlock();
	pgm_policy_end(sk, &use);
	return err;
}

/*
 * SOL_PGM as on IPv4; SOL_IPV6 to the IPv6 layer (IPV6_MULTICAST_HOPS,
 * IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP, IPV6_UNICAST_HOPS, memberships),
 * as UDPv6 does, but for what would make the socket other than v6-only:
 * clearing IPV6_V6ONLY and IPV6_ADDRFORM; joins under the netns's policy
 * (policy.c).  No other level: the socket has no IPv4 half.
 */
static int pgm6_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	int val;

	if (level == SOL_PGM)
		return pgm_sol_setsockopt(sk, optname, optval, optlen);
	if (level != SOL_IPV6)
		return -ENOPROTOOPT;
	switch (optname) {
	case IPV6_V6ONLY:
		if (optlen < sizeof(int))
			return -EINVAL;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		return val ? 0 : -EOPNOTSUPP;	/* set from the start */
	case IPV6_ADDRFORM:
		return -EOPNOTSUPP;
	}
	return pgm_policy_ip_setsockopt(sk, level, optname, optval, optlen, ipv6_setsockopt);
}

static int pgm6_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	if (level == SOL_PGM)
		return pgm_sol_getsockopt(sk, optname, optval, optlen);
	if (level != SOL_IPV6)
		return -ENOPROTOOPT;
	return ipv6_getsockopt(sk, level, optname, optval, optlen);
}

/*
 * The flow of a packet from @sk to @daddr: the interface the socket is
 * bound to, else @scope_if for a link-local (or interface-local) @daddr,
 * else IPV6_MULTICAST_IF for a group or IPV6_UNICAST_IF for an address;
 * the source address it is bound to, if any.
 */
static void pgm6_flow(struct sock *sk, const struct in6_addr *daddr, int scope_if,
		      struct flowi6 *fl6)
{
	const struct ipv6_pinfo *np = inet6_sk(sk);

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = READ_ONCE(pgm_sk(sk)->udp) ? IPPROTO_UDP : IPPROTO_PGM;
	fl6->daddr = *daddr;
	fl6->saddr = np->saddr;
	fl6->flowi6_oif = READ_ONCE(sk->sk_bound_dev_if);
	if (!fl6->flowi6_oif && scope_if &&
	    __ipv6_addr_needs_scope_id(__ipv6_addr_type(daddr)))
		fl6->flowi6_oif = scope_if;
	if (!fl6->flowi6_oif)
		fl6->flowi6_oif = ipv6_addr_is_multicast(daddr) ? READ_ONCE(np->mcast_oif) :
								  READ_ONCE(np->ucast_oif);
	fl6->flowi6_mark = READ_ONCE(sk->sk_mark);
	fl6->flowi6_uid = sock_net_uid(sock_net(sk), sk);
}

/**
 * pgm6_route_saddr - the address @sk sends from to @daddr
 * @sk: an IPv6 socket
 * @daddr: the destination, a source's group
 * @saddr: set to the source address the route gives (a source's path NLA)
 *
 * Context: process; may sleep.
 * Return: 0 or the routing error.
 */
int pgm6_route_saddr(struct sock *sk, const struct in6_addr *daddr, struct in6_addr *saddr)
{
	struct dst_entry *dst;
	struct flowi6 fl6;

	pgm6_flow(sk, daddr, 0, &fl6);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	dst_release(dst);
	*saddr = fl6.saddr;
	return 0;
}

/**
 * pgm6_xmit - send a PGM packet over IPv6
 * @sk: the sending socket (its bound address and device, its IPv6 options)
 * @skb: the packet at its PGM header, PGM_HEADROOM in front; consumed
 * @daddr: destination, unicast or a group
 * @hops: the hop limit, 0 for the socket's (IPV6_MULTICAST_HOPS for a
 *	group, IPV6_UNICAST_HOPS else, the route's when unset)
 * @scope_if: the interface of a link-local @daddr when the socket is
 *	bound to no device (a session's, pgm_xmit_peer()), or 0
 * @rc: the route kept for @sk's packets to @daddr (found and kept here
 *	when it has none for this flow), under its owner's lock; NULL to
 *	look the route up for this packet only
 *
 * No extension header: RFC 3208's Router Alert would be RFC 2711's
 * hop-by-hop option, for which IANA has no PGM value, and OpenPGM sends
 * none over IPv6 (docs/ipv6.md).  An
 * encapsulating socket's packets go in UDP (udp.c), its checksum over
 * the IPv6 pseudo-header as RFC 8200 section 8.1 requires.
 * ip6_finish_output() loops a group's packets back when the socket has
 * IPV6_MULTICAST_LOOP (skb->sk).  Callable from process and softirq
 * context; never sleeps.
 *
 * Return: 0 or what the routing or ip6_local_out() said.
 */
int pgm6_xmit(struct sock *sk, struct sk_buff *skb, const struct in6_addr *daddr, u8 hops,
	      int scope_if, struct pgm_route *rc)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct net *net = sock_net(sk);
	struct dst_entry *dst = NULL;
	struct pgm_route key;
	struct ipv6hdr *hdr;
	struct flowi6 fl6;
	int hlimit;

	pgm6_flow(sk, daddr, scope_if, &fl6);
	key = (struct pgm_route){ .daddr.in6 = fl6.daddr, .saddr.in6 = fl6.saddr,
				  .oif = fl6.flowi6_oif, .mark = fl6.flowi6_mark,
				  .udp = fl6.flowi6_proto == IPPROTO_UDP };
	if (rc) {
		dst = pgm_route_hold(rc, AF_INET6, &key);
		if (dst)
			fl6.saddr = rc->from.in6;
	}
	if (!dst) {
		dst = ip6_dst_lookup_flow(net, sk, &fl6, NULL);
		if (IS_ERR(dst)) {
			kfree_skb(skb);
			return PTR_ERR(dst);
		}
		if (rc) {
			key.from.in6 = fl6.saddr;
			key.cookie = rt6_get_cookie(container_of(dst, struct rt6_info, dst));
			pgm_route_keep(rc, dst, &key);
		}
	}
	hlimit = hops ? hops : ip6_sk_dst_hoplimit(np, &fl6, dst);
	if (fl6.flowi6_proto == IPPROTO_UDP) {
		union pgm_addr src, dst_addr;

		src.in6 = fl6.saddr;
		dst_addr.in6 = *daddr;
		pgm_udp_push(sk, skb, &src, &dst_addr);
	}

	skb_push(skb, sizeof(*hdr));
	skb_reset_network_header(skb);
	hdr = ipv6_hdr(skb);
	ip6_flow_hdr(hdr, READ_ONCE(np->tclass),
		     ip6_make_flowlabel(net, skb, fl6.flowlabel, true, &fl6));
	hdr->payload_len = htons(skb->len - sizeof(*hdr));
	hdr->nexthdr = fl6.flowi6_proto;
	hdr->hop_limit = hlimit;
	hdr->saddr = fl6.saddr;
	hdr->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);
	/* Fragmented by ip6_fragment() past the path MTU, as IPv4 sends without DF. */
	skb->ignore_df = 1;
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = fl6.flowi6_mark;
	/*
	 * skb->cb is the IPv6 layer's from here on (IP6CB); a window
	 * entry's carries the source's struct pgm_txw_cb (output.c).
	 */
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb_dst_set(skb, dst);
	skb_set_owner_w(skb, sk);
	return ip6_local_out(net, sk, skb);
}

/**
 * pgm6_rcv - the IPv6 next-header 113 handler
 * @skb: the packet at its PGM header, consumed
 *
 * Return: 0.
 */
static int pgm6_rcv(struct sk_buff *skb)
{
	/*
	 * As pgm_rcv(): validated (the checksum over the PGM packet only,
	 * as on IPv4; skb->csum already excludes the IPv6 header and its
	 * extension headers) and dispatched to IPv6 sockets.
	 */
	pgm_input(dev_net(skb->dev), skb, 0, AF_INET6);
	return 0;
}

static struct proto pgm6_prot = {
	.name		= "PGMv6",
	.owner		= THIS_MODULE,
	.init		= pgm_init_sock,
	.close		= pgm_close,
	.bind		= pgm6_bind,
	.sendmsg	= pgm_sendmsg,
	.recvmsg	= pgm_receiver_recvmsg,
	.setsockopt	= pgm6_setsockopt,
	.getsockopt	= pgm6_getsockopt,
	.hash		= pgm_hash,
	.unhash		= pgm_unhash,
	.no_autobind	= true,
	.obj_size	= sizeof(struct pgm6_sock),
	PGM_PROTO_PINFO(struct pgm6_sock, inet6)
};

/*
 * inet6_release() leaves the socket's groups (ipv6_sock_mc_close()) and
 * closes it; inet6_getname() reports sk_v6_rcv_saddr (or the source
 * address) and sk_v6_daddr with inet_sport and inet_dport, as
 * inet_getname() does their IPv4 halves.
 */
static const struct proto_ops pgm6_ops = {
	.family		= PF_INET6,
	.owner		= THIS_MODULE,
	.release	= inet6_release,
	.bind		= inet6_bind,
	.connect	= pgm6_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= inet6_getname,
	.poll		= pgm_poll,
	.ioctl		= inet6_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,	/* family-blind; inet6_sendmsg is not exported */
	.recvmsg	= sock_common_recvmsg,
	.mmap		= pgm_ring_mmap,
};

static struct inet_protosw pgm6_protosw = {
	.type		= SOCK_RDM,
	.protocol	= IPPROTO_PGM,
	.prot		= &pgm6_prot,
	.ops		= &pgm6_ops,
};

static const struct inet6_protocol pgm6_protocol = {
	.handler	= pgm6_rcv,
	.flags		= INET6_PROTO_NOPOLICY | INET6_PROTO_FINAL,
};

/**
 * pgm6_init - register the IPv6 family's proto, handler and socket type
 *
 * The socket type last: once it is registered sockets can be made.
 *
 * Return: 0 or a negative errno, with nothing left registered.
 */
int __init pgm6_init(void)
{
	int err;

	err = proto_register(&pgm6_prot, 1);
	if (err)
		return err;
	err = inet6_add_protocol(&pgm6_protocol, IPPROTO_PGM);
	if (err) {
		pr_err("pgm: IPv6 next header %d is taken\n", IPPROTO_PGM);
		goto out_proto;
	}
	err = inet6_register_protosw(&pgm6_protosw);
	if (err)
		goto out_protocol;
	return 0;

out_protocol:
	/* Waits for readers of the handler (synchronize_net()). */
	inet6_del_protocol(&pgm6_protocol, IPPROTO_PGM);
out_proto:
	proto_unregister(&pgm6_prot);
	return err;
}

/**
 * pgm6_exit - undo pgm6_init(), in reverse order
 *
 * Called when no socket is left (each holds a module reference).
 */
void pgm6_exit(void)
{
	inet6_unregister_protosw(&pgm6_protosw);
	/* Waits for the handler's readers (synchronize_net()). */
	inet6_del_protocol(&pgm6_protocol, IPPROTO_PGM);
	proto_unregister(&pgm6_prot);
}
