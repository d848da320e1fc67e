// SPDX-License-Identifier: GPL-2.0
/*
 * socket.c - the PGM socket: proto and proto_ops for
 * socket(AF_INET, SOCK_RDM, IPPROTO_PGM), bind, connect, close and the
 * SOL_PGM options.
 *
 * A socket becomes a receiver when it is bound to a group (or to
 * INADDR_ANY with a port, joining groups afterwards) and a source when it
 * connects to a group.  Locking is described in pgm.h.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/utsname.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/route.h>

#include "pgm.h"
#include "fec.h"

/*
 * The default GSI (RFC 3208 section 3.1 recommends 48 bits of a hash of the
 * host's name).  We take 48 bits of SipHash over the UTS node name, and for
 * any namespace other than the initial one also the netns cookie, so that
 * sources in different namespaces of one host get different GSIs.  The node
 * name is read without uts_sem (not exported); a concurrent sethostname()
 * can at worst give one socket a GSI from a mix of the two names.
 */
static void pgm_default_gsi(struct net *net, u8 *gsi)
{
	static const siphash_key_t key = {{
		0x5047cd1d2a48e9b1ULL, 0x33a0c2f3f6b9d3c7ULL
	}};
	struct {
		char	node[__NEW_UTS_LEN + 1];
		u64	cookie;
	} in;
	__le64 h;

	memset(&in, 0, sizeof(in));
	memcpy(in.node, utsname()->nodename, sizeof(in.node) - 1);
	if (!net_eq(net, &init_net))
		in.cookie = net->net_cookie;
	h = cpu_to_le64(siphash(&in, sizeof(in), &key));
	memcpy(gsi, &h, PGM_GSI_LEN);
}

/*
 * The socket's last reference is gone, an RCU grace period after close()
 * (SOCK_RCU_FREE): no dump can still read @owner, no policy check @cred.
 */
static void pgm_sock_destruct(struct sock *sk)
{
	put_pid(pgm_sk(sk)->owner);
	pgm_sk(sk)->owner = NULL;
	if (pgm_sk(sk)->cred)
		put_cred(pgm_sk(sk)->cred);
	pgm_sk(sk)->cred = NULL;
	/* inet6_create() set inet6_sock_destruct(), which we replaced. */
	if (sk->sk_family == AF_INET6)
		inet6_sock_destruct(sk);
	else
		inet_sock_destruct(sk);
}

int pgm_init_sock(struct sock *sk)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	struct pgm_sock *ps = pgm_sk(sk);

	pgm_default_gsi(sock_net(sk), ps->gsi);
	sock_set_flag(sk, SOCK_RCU_FREE);
	/* inet_create() attached the struct socket before calling us. */
	ps->ino = sk->sk_socket ? SOCK_INODE(sk->sk_socket)->i_ino : 0;
	/* Who made it, as ss -p shows: the thread group of the caller of socket(). */
	ps->owner = get_pid(task_tgid(current));
	/* Whose it is for the netns's policy: its creator's (policy.c). */
	ps->cred = get_current_cred();
	sk->sk_destruct = pgm_sock_destruct;
	/* One family per socket (docs/ipv6.md): IPV6_V6ONLY cannot be cleared. */
	if (sk->sk_family == AF_INET6)
		sk->sk_ipv6only = 1;

	INIT_HLIST_NODE(&ps->port_node);
	spin_lock_bh(&pn->lock);
	ps->params = pn->defaults;
	ps->fec_nak = READ_ONCE(pn->fec_nak);	/* net.pgm.fec_nak */
	ps->confirm_expiry_ms = PGM_CONFIRM_EXPIRY_MS;
	ps->confirm_max = PGM_CONFIRM_MAX_DEFAULT;
	hlist_add_head_rcu(&ps->node, &pn->sockets);
	pn->nsockets++;
	pn->gen++;
	spin_unlock_bh(&pn->lock);
	return 0;
}

/*
 * Give @sk the role @role on port @port and put it in the port hash, or
 * (PGM_ROLE_NONE, port 0) take it out; under pn->lock, which keeps the
 * hash, the roles and the ports of the netns's sockets in step.  The input
 * path reads role and port with READ_ONCE and checks both.  A socket taken
 * out must not be put back before a grace period (pgm_connect()).
 */
static void pgm_set_port(struct pgm_net *pn, struct sock *sk, u8 role, __be16 port)
	__must_hold(&pn->lock)
{
	struct pgm_sock *ps = pgm_sk(sk);

	sock_owned_by_me(sk);
	lockdep_assert_held(&pn->lock);
	if (!hlist_unhashed(&ps->port_node))
		hlist_del_init_rcu(&ps->port_node);
	WRITE_ONCE(inet_sk(sk)->inet_sport, port);
	WRITE_ONCE(ps->role, role);
	if (role != PGM_ROLE_NONE)
		hlist_add_head_rcu(&ps->port_node, pgm_port_bucket(pn, port));
}

int pgm_hash(struct sock *sk)
{
	/*
	 * Sockets are listed from ->init and join the port hash when
	 * bind() or connect() gives them a role (pgm_set_port()).
	 */
	return 0;
}

void pgm_unhash(struct sock *sk)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	struct pgm_sock *ps = pgm_sk(sk);

	spin_lock_bh(&pn->lock);
	/* For good: the socket is closing, and freed after a grace period. */
	if (!hlist_unhashed(&ps->port_node))
		hlist_del_init_rcu(&ps->port_node);
	if (!hlist_unhashed(&ps->node)) {
		hlist_del_init_rcu(&ps->node);
		pn->nsockets--;
		pn->gen++;
	}
	spin_unlock_bh(&pn->lock);
}

void pgm_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	pgm_source_stop(sk);
	pgm_receiver_stop(sk);
	/* No mapping is left (each holds the file), no receiver uses it. */
	pgm_ring_destroy(pgm_sk(sk)->ring);
	pgm_sk(sk)->ring = NULL;
	pgm_udp_put(sk);
	release_sock(sk);
	sk_common_release(sk);
}

int pgm_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	int err;

	lock_sock(sk);
	err = pgm_source_sendmsg(sk, msg, len);
	release_sock(sk);
	return err;
}

/*
 * May the caller use @port, as a receiver's port or a UDP encapsulation
 * port?  Below the netns's net.ipv4.ip_unprivileged_port_start it takes
 * CAP_NET_BIND_SERVICE over the netns's user namespace, as for UDP: the
 * tunnel socket of an encapsulation port would bind the UDP port itself.
 */
static bool pgm_port_allowed(struct net *net, u16 port)
{
	return !inet_port_requires_bind_service(net, port) ||
	       ns_capable(net->user_ns, CAP_NET_BIND_SERVICE);
}

/* Has @sk an address or port of its own (bind() or connect() ran)? */
static bool pgm_sk_bound(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	sock_owned_by_me(sk);
	if (inet->inet_sport)
		return true;
	if (sk->sk_family == AF_INET6)
		return !ipv6_addr_any(&sk->sk_v6_rcv_saddr) ||
		       !ipv6_addr_any(&inet6_sk(sk)->saddr);
	return inet->inet_rcv_saddr || inet->inet_saddr;
}

/*
 * Set @sk's bound address to @addr: the address packets to it are
 * checked against, and unless it is a receiver's (a group or
 * unspecified) the one it sends from.
 */
static void pgm_sk_set_local(struct sock *sk, const union pgm_addr *addr, bool receiver)
{
	sock_owned_by_me(sk);
	if (sk->sk_family == AF_INET6) {
		sk->sk_v6_rcv_saddr = addr->in6;
		if (!receiver)
			inet6_sk(sk)->saddr = addr->in6;
		return;
	}
	inet_sk(sk)->inet_rcv_saddr = addr->ip;
	if (!receiver)
		inet_sk(sk)->inet_saddr = addr->ip;
}

/* Set (or with NULL clear) a source's destination, its group. */
static void pgm_sk_set_daddr(struct sock *sk, const union pgm_addr *addr)
{
	sock_owned_by_me(sk);
	if (sk->sk_family == AF_INET6) {
		if (addr)
			sk->sk_v6_daddr = addr->in6;
		else
			memset(&sk->sk_v6_daddr, 0, sizeof(sk->sk_v6_daddr));
		return;
	}
	inet_sk(sk)->inet_daddr = addr ? addr->ip : 0;
}

/**
 * pgm_bind_addr - bind() of either family, its address checked by the caller
 * @sk: the socket, unlocked
 * @addr: a group or the unspecified address (a receiver), or one of the
 *	host's unicast addresses (a source's interface), of @sk's family
 * @port: a receiver's data-destination port; 0 for a local address
 * @ifindex: the interface an IPv6 link-local address's scope id names, or 0
 *
 * A multicast address makes a receiver for that group and port; the
 * unspecified address with a port makes a receiver for groups joined
 * later; a local unicast address picks the interface a source sends from.
 *
 * Return: 0, -EINVAL (no port for a receiver, already bound, or
 * @ifindex against the device the socket is bound to), -EACCES (a
 * privileged port), or what starting the receiver says.
 */
int pgm_bind_addr(struct sock *sk, const union pgm_addr *addr, __be16 port, int ifindex)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	sa_family_t f = sk->sk_family;
	union pgm_addr phys;
	bool receiver;
	int err = 0;

	/* A group, or the unspecified address, makes a receiver. */
	receiver = pgm_addr_is_mc(f, addr) || pgm_addr_any(f, addr);
	if (receiver && !port)
		return -EINVAL;	/* a receiver needs the data-destination port */
	/* A logical group of the netns's policy: bound to its physical group. */
	phys = *addr;
	if (receiver && pgm_policy_physical(sock_net(sk), f, &phys))
		addr = &phys;

	/* A receiver's port is a port like UDP's: the low ones are privileged. */
	if (receiver && !pgm_port_allowed(sock_net(sk), ntohs(port)))
		return -EACCES;

	lock_sock(sk);
	if (ps->role != PGM_ROLE_NONE || pgm_sk_bound(sk) ||
	    (ifindex && sk->sk_bound_dev_if && sk->sk_bound_dev_if != ifindex)) {
		err = -EINVAL;
		goto out;
	}
	if (receiver) {
		err = pgm_udp_hold(sk);
		if (err)
			goto out;
		err = pgm_receiver_start(sk);
		if (err) {
			pgm_udp_put(sk);
			goto out;
		}
	}
	/* Read locklessly by the input path (pgm_family_match()) and output. */
	if (ifindex)
		WRITE_ONCE(sk->sk_bound_dev_if, ifindex);
	pgm_sk_set_local(sk, addr, receiver);
	if (receiver) {
		spin_lock_bh(&pn->lock);
		pgm_set_port(pn, sk, PGM_ROLE_RECEIVER, port);
		spin_unlock_bh(&pn->lock);
	}
out:
	release_sock(sk);
	return err;
}

/* bind() of an IPv4 socket: a struct sockaddr_in (pgm_bind_addr()). */
static int pgm_bind(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	union pgm_addr addr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	pgm_addr_set_v4(&addr, sin->sin_addr.s_addr);
	if (pgm_addr_is_mc(AF_INET, &addr) || pgm_addr_any(AF_INET, &addr))
		return pgm_bind_addr(sk, &addr, sin->sin_port, 0);
	if (inet_addr_type(sock_net(sk), addr.ip) != RTN_LOCAL)
		return -EADDRNOTAVAIL;
	return pgm_bind_addr(sk, &addr, 0, 0);
}

/* Is @port in use by another source of this netns with the same GSI? */
static bool pgm_sport_used(struct pgm_net *pn, const struct pgm_sock *self,
			   __be16 port)
	__must_hold(&pn->lock)
{
	struct pgm_sock *ps;

	lockdep_assert_held(&pn->lock);
	hlist_for_each_entry(ps, pgm_port_bucket(pn, port), port_node) {
		if (ps != self && ps->role == PGM_ROLE_SOURCE &&
		    ps->inet.inet_sport == port &&
		    !memcmp(ps->gsi, self->gsi, PGM_GSI_LEN))
			return true;
	}
	return false;
}

/**
 * pgm_connect_addr - connect() of either family: start a source session
 * @sk: the socket, unlocked
 * @daddr: the group, of @sk's family, checked by the caller
 * @dport: the data-destination port, not 0
 * @ifindex: the interface an IPv6 link-local group's scope id names, or 0
 *
 * The data-source port is picked at random from the netns's local port
 * range, unique among this netns's sources with the same GSI, so that the
 * TSI is unique.
 *
 * Return: 0, -EISCONN, -EINVAL (a receiver, or @ifindex against the device
 * the socket is bound to), -EOPNOTSUPP (PGM_PGMCC with PGM_FEC), -EACCES
 * (the netns's policy), -ENOBUFS (its max-groups), -EADDRNOTAVAIL, or
 * what starting the source says.
 */
int pgm_connect_addr(struct sock *sk, const union pgm_addr *daddr, __be16 dport, int ifindex)
{
	struct inet_sock *inet = inet_sk(sk);
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	int low, high, tries, bound_if, err;
	union pgm_addr phys = *daddr;
	__be16 port = 0;
	struct pgm_policy_use use;

	/*
	 * The netns's policy first: it takes its lock before the socket's.
	 * Its rules are about the group the application named; a logical
	 * group of it is sent to as its physical group.
	 */
	err = pgm_policy_begin(sk, PGM_POLICY_ROLE_SOURCE, sk->sk_family, daddr, &use);
	if (err)
		return err;
	lock_sock(sk);
	/* The group as named: what the policy's rules are about later too. */
	if (ps->role != PGM_ROLE_SOURCE)
		ps->policy_group = *daddr;
	if (pgm_policy_physical(sock_net(sk), sk->sk_family, &phys))
		daddr = &phys;
	if (ps->role == PGM_ROLE_SOURCE) {
		err = -EISCONN;
		goto out;
	}
	if (ps->role == PGM_ROLE_RECEIVER ||
	    (ifindex && sk->sk_bound_dev_if && sk->sk_bound_dev_if != ifindex)) {
		err = -EINVAL;
		goto out;
	}
	/* PGMCC's options have no room beside FEC's parity (docs/pgmcc.md). */
	if (ps->pgmcc && ps->fec.k) {
		err = -EOPNOTSUPP;
		goto out;
	}

	err = pgm_udp_hold(sk);
	if (err)
		goto out;
	inet_get_local_port_range(sock_net(sk), &low, &high);
	spin_lock_bh(&pn->lock);
	for (tries = 0; tries < 64; tries++) {
		u32 range = (u32)(high - low) + 1;

		port = htons(low + reciprocal_scale(get_random_u32(), range));
		if (!pgm_sport_used(pn, ps, port))
			break;
	}
	if (tries == 64) {
		spin_unlock_bh(&pn->lock);
		pgm_udp_put(sk);
		err = -EADDRNOTAVAIL;
		goto out;
	}
	bound_if = sk->sk_bound_dev_if;
	if (ifindex)
		WRITE_ONCE(sk->sk_bound_dev_if, ifindex);
	pgm_sk_set_daddr(sk, daddr);
	inet->inet_dport = dport;
	pgm_set_port(pn, sk, PGM_ROLE_SOURCE, port);
	spin_unlock_bh(&pn->lock);

	err = pgm_source_start(sk);
	if (err) {
		spin_lock_bh(&pn->lock);
		pgm_set_port(pn, sk, PGM_ROLE_NONE, 0);
		pgm_sk_set_daddr(sk, NULL);
		inet->inet_dport = 0;
		WRITE_ONCE(sk->sk_bound_dev_if, bound_if);
		spin_unlock_bh(&pn->lock);
		pgm_udp_put(sk);
		/*
		 * A packet's walk may be on our node: let it end before a
		 * later bind() or connect() links the node into another
		 * bucket, where the walk would continue.
		 */
		synchronize_net();
		goto out;
	}
	inet_sk_set_state(sk, TCP_ESTABLISHED);
	/* Its rule's rate cap, its share of the policy's rate-cap. */
	pgm_policy_source_started(sk);
out:
	release_sock(sk);
	pgm_policy_end(sk, &use);
	return err;
}

/* connect() of an IPv4 socket: a struct sockaddr_in naming a group. */
static int pgm_connect(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len, int flags)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	union pgm_addr daddr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if (!ipv4_is_multicast(sin->sin_addr.s_addr) || !sin->sin_port)
		return -EINVAL;
	pgm_addr_set_v4(&daddr, sin->sin_addr.s_addr);
	return pgm_connect_addr(sock->sk, &daddr, sin->sin_port, 0);
}

static int pgm_mcast(struct sock *sk, int optname, sockptr_t optval,
		     unsigned int optlen)
{
	struct ip_mreqn mreq;
	struct pgm_policy_use use = {};
	int err;

	memset(&mreq, 0, sizeof(mreq));
	if (optlen >= sizeof(struct ip_mreqn)) {
		if (copy_from_sockptr(&mreq, optval, sizeof(mreq)))
			return -EFAULT;
	} else if (optlen >= sizeof(struct ip_mreq)) {
		if (copy_from_sockptr(&mreq, optval, sizeof(struct ip_mreq)))
			return -EFAULT;
	} else {
		return -EINVAL;
	}
	if (!ipv4_is_multicast(mreq.imr_multiaddr.s_addr))
		return -EINVAL;
	if (optname == PGM_JOIN_GROUP) {
		union pgm_addr group;

		pgm_addr_set_v4(&group, mreq.imr_multiaddr.s_addr);
		err = pgm_policy_begin(sk, PGM_POLICY_ROLE_RECEIVER, AF_INET, &group, &use);
		if (err)
			return err;
	}
	/* A logical group of the netns's policy: its physical group is joined (left). */
	{
		union pgm_addr g;

		pgm_addr_set_v4(&g, mreq.imr_multiaddr.s_addr);
		if (pgm_policy_physical(sock_net(sk), AF_INET, &g))
			mreq.imr_multiaddr.s_addr = g.ip;
	}

	/* The IGMP code wants RTNL, taken before the socket lock as ip_setsockopt does. */
	rtnl_lock();
	lock_sock(sk);
	if (optname == PGM_JOIN_GROUP)
		err = ip_mc_join_group(sk, &mreq);
	else
		err = ip_mc_leave_group(sk, &mreq);
	release_sock(sk);
	rtnl_unlock();
	pgm_policy_end(sk, &use);
	return err;
}

/* PGM_GSI: a chosen GSI, before the socket is a source. */
static int pgm_set_gsi(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_gsi gsi;
	int err = 0;

	if (optlen < sizeof(gsi))
		return -EINVAL;
	if (copy_from_sockptr(&gsi, optval, sizeof(gsi)))
		return -EFAULT;
	/*
	 * A chosen GSI can be another source's: with its data-source
	 * port, found by reconnecting, the TSI of a session receivers
	 * follow.  Sending as any TSI is what a raw socket can do, so
	 * choosing one takes what a raw socket takes.
	 */
	if (!sockopt_ns_capable(sock_net(sk)->user_ns, CAP_NET_RAW))
		return -EPERM;
	lock_sock(sk);
	if (ps->role == PGM_ROLE_SOURCE) {
		err = -EISCONN;
	} else {
		memcpy(ps->gsi, gsi.gsi, PGM_GSI_LEN);
		ps->gsi_set = true;
	}
	release_sock(sk);
	return err;
}

/* Is @f a PGM_FEC setting a source may have?  All zero is: no FEC. */
static bool pgm_fec_valid(const struct pgm_fec *f)
{
	if (!f->n && !f->k && !f->proactive && !f->flags)
		return true;
	if (f->flags & ~PGM_FEC_ONDEMAND)
		return false;
	if (f->k < PGM_RS_MIN_K || f->k > PGM_RS_MAX_K || !is_power_of_2(f->k))
		return false;
	if (f->n <= f->k)	/* n is at most 255 by its type */
		return false;
	if (f->proactive > f->n - f->k || f->proactive > f->k)
		return false;
	return f->proactive || (f->flags & PGM_FEC_ONDEMAND);
}

/* PGM_FEC: the source's FEC, before connect(). */
static int pgm_set_fec(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_fec f;
	int err = 0;

	if (optlen < sizeof(f))
		return -EINVAL;
	if (copy_from_sockptr(&f, optval, sizeof(f)))
		return -EFAULT;
	if (!pgm_fec_valid(&f))
		return -EINVAL;
	lock_sock(sk);
	if (ps->role == PGM_ROLE_SOURCE)
		err = -EISCONN;
	else
		ps->fec = f;
	release_sock(sk);
	return err;
}

/* An int option's value from user space: -EINVAL when @optlen is short. */
static int pgm_opt_int(sockptr_t optval, unsigned int optlen, u32 *val)
{
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(val, optval, sizeof(int)))
		return -EFAULT;
	return 0;
}

/*
 * The boolean options that are not tunables: PGM_ABORT_ON_LOSS, PGM_RECVSQN,
 * PGM_FEC_NAK, PGM_UDP_ENCAP, PGM_PGMCC.
 */
static int pgm_set_flag(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	u32 val;
	int err = pgm_opt_int(optval, optlen, &val);

	if (err)
		return err;
	lock_sock(sk);
	switch (optname) {
	case PGM_RECVSQN:
		WRITE_ONCE(ps->recv_sqn, !!val);
		break;
	case PGM_FEC_NAK:
		WRITE_ONCE(ps->fec_nak, !!val);
		break;
	case PGM_ABORT_ON_LOSS:
		if (val && ps->ring)
			err = -EOPNOTSUPP;	/* a ring reports loss in-band, never resets */
		else
			WRITE_ONCE(ps->abort_on_loss, !!val);
		break;
	case PGM_UDP_ENCAP:
		if (ps->role != PGM_ROLE_NONE)
			err = -EISCONN;
		else
			WRITE_ONCE(ps->udp, !!val);
		break;
	case PGM_PGMCC:
		/* Fixed from bind() (a receiver's sessions) or connect() (a source's). */
		if (ps->role != PGM_ROLE_NONE)
			err = -EISCONN;
		else
			WRITE_ONCE(ps->pgmcc, !!val);
		break;
	}
	release_sock(sk);
	return err;
}

/*
 * Confirmed delivery's options (docs/confirmed-delivery.md), all fixed from
 * bind() or connect(): PGM_CONFIRM (0 off; 1 the default interval; else
 * an interval in ms a receiver uses, any non-zero value on for a source),
 * PGM_CONFIRM_EXPIRY, PGM_CONFIRM_MAX, PGM_CONFIRM_FLOW.
 */
static int pgm_set_confirm(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	u32 val;
	int err = pgm_opt_int(optval, optlen, &val);

	if (err)
		return err;
	switch (optname) {
	case PGM_CONFIRM:
		if (val == 1)
			val = PGM_CONFIRM_IVL_MS;
		else if (val && (val < PGM_CONFIRM_IVL_MIN_MS || val > PGM_CONFIRM_IVL_MAX_MS))
			return -EINVAL;
		break;
	case PGM_CONFIRM_EXPIRY:
		if (val < PGM_CONFIRM_EXPIRY_MIN_MS || val > PGM_CONFIRM_EXPIRY_MAX_MS)
			return -EINVAL;
		break;
	case PGM_CONFIRM_MAX:
		if (!val || val > PGM_CONFIRM_MAX_MAX)
			return -EINVAL;
		break;
	case PGM_CONFIRM_FLOW:
		val = !!val;
		break;
	}
	lock_sock(sk);
	if (ps->role != PGM_ROLE_NONE) {
		err = -EISCONN;
	} else {
		switch (optname) {
		case PGM_CONFIRM:
			WRITE_ONCE(ps->confirm, val);
			break;
		case PGM_CONFIRM_EXPIRY:
			WRITE_ONCE(ps->confirm_expiry_ms, val);
			break;
		case PGM_CONFIRM_MAX:
			WRITE_ONCE(ps->confirm_max, val);
			break;
		case PGM_CONFIRM_FLOW:
			WRITE_ONCE(ps->confirm_flow, val);
			break;
		}
	}
	release_sock(sk);
	return err;
}

/* A tunable of pgm_tunables[] (params-gen.c): checked against its range and state. */
static int pgm_set_tunable(struct sock *sk, const struct pgm_tunable *d,
			   sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	bool port = d->name == PGM_UDP_ENCAP_UCAST_PORT ||
		    d->name == PGM_UDP_ENCAP_MCAST_PORT;
	struct pgm_params p;
	int err = 0;
	u32 val;

	if (optlen < sizeof(u32))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(u32)))
		return -EFAULT;
	if (!pgm_tunable_valid(d, val))
		return -EINVAL;
	if (port && !pgm_port_allowed(sock_net(sk), val))
		return -EACCES;

	lock_sock(sk);
	if (d->fixed && ps->role == PGM_ROLE_SOURCE) {
		err = -EISCONN;
		goto out;
	}
	/* The encapsulation ports are held from bind() or connect() on. */
	if (port && ps->role != PGM_ROLE_NONE) {
		err = -EISCONN;
		goto out;
	}
	/* Section 5.1.5: heartbeats grow from IHB_MIN to IHB_MAX. */
	p = ps->params;
	*pgm_param(&p, d) = val;
	if (p.ihb_min > p.ihb_max) {
		err = -EINVAL;
		goto out;
	}
	WRITE_ONCE(*pgm_param(&ps->params, d), val);
	pgm_source_params_changed(sk);
out:
	release_sock(sk);
	return err;
}

/**
 * pgm_sol_setsockopt - setsockopt() at level SOL_PGM, either family
 * @sk: the socket, unlocked
 * @optname: PGM_*
 * @optval: the value
 * @optlen: its length
 *
 * An IPv6 socket joins and leaves groups through MLD (pgm6_mcast); the
 * rest is the same for both families.
 *
 * Return: 0 or a negative errno.
 */
int pgm_sol_setsockopt(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen)
{
	const struct pgm_tunable *d;

	if (sk->sk_family == AF_INET6) {
		switch (optname) {
		case PGM_JOIN_GROUP:
		case PGM_LEAVE_GROUP:
			return pgm6_mcast(sk, optname, optval, optlen);
		}
	}

	switch (optname) {
	case PGM_JOIN_GROUP:
	case PGM_LEAVE_GROUP:
		return pgm_mcast(sk, optname, optval, optlen);
	case PGM_RX_RING:
		return pgm_ring_create(sk, optval, optlen);
	case PGM_RX_RING_STATS:
		return -ENOPROTOOPT;	/* get only */
	case PGM_RX_RING_WAKE:
		return pgm_ring_set_wake(sk, optval, optlen);
	case PGM_GSI:
		return pgm_set_gsi(sk, optval, optlen);
	case PGM_FEC:
		return pgm_set_fec(sk, optval, optlen);
	case PGM_ABORT_ON_LOSS:
	case PGM_RECVSQN:
	case PGM_FEC_NAK:
	case PGM_UDP_ENCAP:
	case PGM_PGMCC:
		return pgm_set_flag(sk, optname, optval, optlen);
	case PGM_CONFIRM:
	case PGM_CONFIRM_EXPIRY:
	case PGM_CONFIRM_MAX:
	case PGM_CONFIRM_FLOW:
		return pgm_set_confirm(sk, optname, optval, optlen);
	case PGM_CONFIRMED:
	case PGM_TXW_LEAD:
		return -ENOPROTOOPT;	/* get only */
	}

	d = pgm_sockopt_find(optname);
	if (!d)
		return -ENOPROTOOPT;
	return pgm_set_tunable(sk, d, optval, optlen);
}

static int pgm_setsockopt(struct sock *sk, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	if (level != SOL_PGM)
		return pgm_policy_ip_setsockopt(sk, level, optname, optval, optlen,
						ip_setsockopt);
	return pgm_sol_setsockopt(sk, optname, optval, optlen);
}

/**
 * pgm_netns_stats - the netns's counters, summed over the CPUs
 * @pn: the netns
 * @st: filled in (PGM_NETNS_STATS, netlink's stats-get)
 *
 * Context: any; reads the per-CPU counters without a lock (each sum is a
 * moment's view, as /proc/net/snmp's).
 */
void pgm_netns_stats(struct pgm_net *pn, struct pgm_netns_stats *st)
{
	u64 sum[PGM_MIB_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct pgm_mib *m = per_cpu_ptr(pn->mib, cpu);

		for (i = 0; i < PGM_MIB_MAX; i++)
			sum[i] += READ_ONCE(m->v[i]);
	}
	memset(st, 0, sizeof(*st));
	st->in_packets = sum[PGM_MIB_IN_PACKETS];
	st->in_bytes = sum[PGM_MIB_IN_BYTES];
	st->in_truncated = sum[PGM_MIB_IN_TRUNCATED];
	st->in_bad_checksum = sum[PGM_MIB_IN_BAD_CHECKSUM];
	st->in_bad_type = sum[PGM_MIB_IN_BAD_TYPE];
	st->in_malformed = sum[PGM_MIB_IN_MALFORMED];
	st->in_no_socket = sum[PGM_MIB_IN_NO_SOCKET];
	st->in_delivered = sum[PGM_MIB_IN_DELIVERED];
	st->rx_sessions_refused = sum[PGM_MIB_RX_SESSIONS_REFUSED];
	st->rx_mem_refused = sum[PGM_MIB_RX_MEM_REFUSED];
	st->rx_wrong_source = sum[PGM_MIB_RX_WRONG_SOURCE];
	st->policy_denied = sum[PGM_MIB_POLICY_DENIED];
	st->in_policy = sum[PGM_MIB_IN_POLICY];
	st->policy_group_limit = sum[PGM_MIB_POLICY_GROUP_LIMIT];
	st->policy_revoked = sum[PGM_MIB_POLICY_REVOKED];
	st->policy_allowed = sum[PGM_MIB_POLICY_ALLOWED];
	st->rx_windows_shed = sum[PGM_MIB_RX_WINDOWS_SHED];
	st->rx_source_refused = sum[PGM_MIB_RX_SOURCE_REFUSED];
	st->rx_sessions = atomic_read(&pn->rx_sessions_used);
	st->rx_mem = atomic_long_read(&pn->rx_mem_used);
	st->sockets = READ_ONCE(pn->nsockets);
}

/*
 * Copy @size bytes of @val to user space.  Structures may be read short
 * (the caller gets the leading part, as with TCP_INFO) so that they can
 * grow; integers must fit whole.
 */
static int pgm_put_opt(char __user *optval, int __user *optlen,
		       const void *val, int size, bool may_shorten)
{
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len < size) {
		if (!may_shorten)
			return -EINVAL;
		size = len;
	}
	if (put_user(size, optlen))
		return -EFAULT;
	if (copy_to_user(optval, val, size))
		return -EFAULT;
	return 0;
}

/* PGM_TSI: the source's TSI, known once it has connected. */
static int pgm_get_tsi(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_tsi tsi;
	int err = 0;

	lock_sock(sk);
	if (ps->role != PGM_ROLE_SOURCE) {
		err = -ENOTCONN;
	} else {
		memcpy(tsi.gsi, ps->gsi, PGM_GSI_LEN);
		tsi.sport = ps->inet.inet_sport;
	}
	release_sock(sk);
	if (err)
		return err;
	return pgm_put_opt(optval, optlen, &tsi, sizeof(tsi), false);
}

/* The statistics options: a snapshot, truncated to what the caller's struct holds. */
static int pgm_get_stats(struct sock *sk, int optname, char __user *optval,
			 int __user *optlen)
{
	union {
		struct pgm_netns_stats netns;
		struct pgm_rx_ring_stats ring;
		struct pgm_source_stats source;
		struct pgm_receiver_stats receiver;
	} st;
	size_t len;

	if (optname == PGM_NETNS_STATS) {
		pgm_netns_stats(pgm_pernet(sock_net(sk)), &st.netns);
		return pgm_put_opt(optval, optlen, &st.netns, sizeof(st.netns), true);
	}
	lock_sock(sk);
	switch (optname) {
	case PGM_RX_RING_STATS:
		pgm_receiver_ring_stats(sk, &st.ring);
		len = sizeof(st.ring);
		break;
	case PGM_SOURCE_STATS:
		pgm_source_stats(sk, &st.source);
		len = sizeof(st.source);
		break;
	default:
		pgm_receiver_stats(sk, &st.receiver);
		len = sizeof(st.receiver);
		break;
	}
	release_sock(sk);
	return pgm_put_opt(optval, optlen, &st, len, true);
}

/* The int options that are not tunables, as pgm_set_flag() and pgm_set_confirm() keep them. */
static u32 pgm_int_opt(const struct pgm_sock *ps, int optname)
{
	switch (optname) {
	case PGM_ABORT_ON_LOSS:
		return READ_ONCE(ps->abort_on_loss);
	case PGM_RECVSQN:
		return READ_ONCE(ps->recv_sqn);
	case PGM_FEC_NAK:
		return READ_ONCE(ps->fec_nak);
	case PGM_UDP_ENCAP:
		return READ_ONCE(ps->udp);
	case PGM_PGMCC:
		return READ_ONCE(ps->pgmcc);
	case PGM_CONFIRM:
		return READ_ONCE(ps->confirm);
	case PGM_CONFIRM_EXPIRY:
		return READ_ONCE(ps->confirm_expiry_ms);
	case PGM_CONFIRM_MAX:
		return READ_ONCE(ps->confirm_max);
	case PGM_CONFIRM_FLOW:
		return READ_ONCE(ps->confirm_flow);
	}
	return 0;
}

/**
 * pgm_sol_getsockopt - getsockopt() at level SOL_PGM, either family
 * @sk: the socket, unlocked
 * @optname: PGM_*
 * @optval: where the value goes
 * @optlen: its room, then its length
 *
 * Return: 0 or a negative errno.
 */
int pgm_sol_getsockopt(struct sock *sk, int optname, char __user *optval,
		       int __user *optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	const struct pgm_tunable *d;
	u32 val;

	switch (optname) {
	case PGM_GSI: {
		struct pgm_gsi gsi;

		lock_sock(sk);
		memcpy(gsi.gsi, ps->gsi, PGM_GSI_LEN);
		release_sock(sk);
		return pgm_put_opt(optval, optlen, &gsi, sizeof(gsi), false);
	}
	case PGM_FEC: {
		struct pgm_fec f;

		lock_sock(sk);
		f = ps->fec;
		release_sock(sk);
		return pgm_put_opt(optval, optlen, &f, sizeof(f), false);
	}
	case PGM_TSI:
		return pgm_get_tsi(sk, optval, optlen);
	case PGM_ABORT_ON_LOSS:
	case PGM_RECVSQN:
	case PGM_FEC_NAK:
	case PGM_UDP_ENCAP:
	case PGM_PGMCC:
	case PGM_CONFIRM:
	case PGM_CONFIRM_EXPIRY:
	case PGM_CONFIRM_MAX:
	case PGM_CONFIRM_FLOW:
		val = pgm_int_opt(ps, optname);
		return pgm_put_opt(optval, optlen, &val, sizeof(int), false);
	case PGM_CONFIRMED: {
		struct pgm_confirmed c;
		int err;

		lock_sock(sk);
		err = pgm_confirm_get(sk, &c);
		release_sock(sk);
		return err ? err : pgm_put_opt(optval, optlen, &c, sizeof(c), true);
	}
	case PGM_TXW_LEAD: {
		int err;

		lock_sock(sk);
		err = pgm_source_lead(sk, &val);
		release_sock(sk);
		return err ? err : pgm_put_opt(optval, optlen, &val, sizeof(val), false);
	}
	case PGM_JOIN_GROUP:
	case PGM_LEAVE_GROUP:
		return -ENOPROTOOPT;	/* set only */
	case PGM_RX_RING: {
		struct pgm_rx_ring g;

		pgm_ring_geometry(smp_load_acquire(&ps->ring), &g);
		return pgm_put_opt(optval, optlen, &g, sizeof(g), true);
	}
	case PGM_RX_RING_WAKE: {
		struct pgm_rx_ring_wake w;

		pgm_ring_get_wake(smp_load_acquire(&ps->ring), &w);
		return pgm_put_opt(optval, optlen, &w, sizeof(w), true);
	}
	case PGM_NETNS_STATS:
	case PGM_RX_RING_STATS:
	case PGM_SOURCE_STATS:
	case PGM_RECEIVER_STATS:
		return pgm_get_stats(sk, optname, optval, optlen);
	}

	d = pgm_sockopt_find(optname);
	if (!d)
		return -ENOPROTOOPT;
	val = READ_ONCE(*pgm_param(&ps->params, d));
	return pgm_put_opt(optval, optlen, &val, sizeof(val), false);
}

static int pgm_getsockopt(struct sock *sk, int level, int optname,
			  char __user *optval, int __user *optlen)
{
	if (level != SOL_PGM)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	return pgm_sol_getsockopt(sk, optname, optval, optlen);
}

/*
 * poll(): datagram_poll() for the queues, and with a ring POLLIN while it
 * holds records.  It is also the ring's doorbell: data that waited for
 * space moves in first.  The ring is checked after datagram_poll() has
 * queued us on the wait queue, so a record published after the check
 * wakes us.
 */
__poll_t pgm_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct pgm_ring *r = smp_load_acquire(&pgm_sk(sk)->ring);	/* (H), ring.c */
	__poll_t mask;

	if (r)
		pgm_receiver_ring_kick(sk);
	mask = datagram_poll(file, sock, wait);
	if (r && pgm_ring_readable(r))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(pgm_sk(sk)->role) == PGM_ROLE_SOURCE) {
		bool pri, room = pgm_confirm_poll(sk, &pri);

		/*
		 * A PGMCC source without a token, or one whose slowest
		 * confirming receiver holds the window: send() would block
		 * (srccc.c and srcconfirm.c wake us).  POLLPRI: CONFIRMED
		 * moved since PGM_CONFIRMED was read.
		 */
		if ((mask & EPOLLOUT) && (!pgm_cc_src_writable(sk) || !room))
			mask &= ~(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
		if (pri)
			mask |= EPOLLPRI;
	}
	return mask;
}

struct proto pgm_prot = {
	.name		= "PGM",
	.owner		= THIS_MODULE,
	.init		= pgm_init_sock,
	.close		= pgm_close,
	.bind		= pgm_bind,
	.sendmsg	= pgm_sendmsg,
	.recvmsg	= pgm_receiver_recvmsg,
	.setsockopt	= pgm_setsockopt,
	.getsockopt	= pgm_getsockopt,
	.hash		= pgm_hash,
	.unhash		= pgm_unhash,
	.no_autobind	= true,
	.obj_size	= sizeof(struct pgm_sock),
};

const struct proto_ops pgm_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= pgm_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= inet_getname,
	.poll		= pgm_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= sock_common_recvmsg,
	.mmap		= pgm_ring_mmap,
};
