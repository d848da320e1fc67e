/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgm.h - internal interfaces of the PGM module.
 *
 * Locking
 * -------
 * pgm_net.lock (spinlock, BH-safe) protects the per-netns socket list for
 * writers: sockets are added in ->init and removed in ->unhash, both in
 * process context.  Readers (socket dumps) walk the list under
 * rcu_read_lock(); sockets are SOCK_RCU_FREE so a reader may look at one
 * that is being closed and must take a reference (refcount_inc_not_zero)
 * before using it outside the RCU section.
 *
 * The same lock protects the port hash, pgm_net.ports: a socket with a
 * role is in the bucket of its port (inet_sport: the data-destination port
 * of a receiver, the data-source port of a source) from the moment bind()
 * or connect() sets them, both changed with the hash under the lock, until
 * ->unhash or a failed connect() takes it out.  The input path (softirq)
 * walks one bucket under RCU and still checks each socket's role and port,
 * which may change under it.  A socket leaves the hash for good at close;
 * the one that can come back (a failed connect() resets the role) waits
 * for a grace period first, so that a reader on its node never follows it
 * into another bucket.
 *
 * The socket lock (lock_sock) serialises setsockopt, bind, connect and
 * close on one socket.  Option values read from softirq are single u32
 * loads (READ_ONCE) of values written under the socket lock (WRITE_ONCE).
 *
 * The per-netns counters are per-CPU; they are bumped with this_cpu_inc
 * from any context and summed on read.
 *
 * Netlink (netlink.c): the netns defaults (pgm_net.defaults and
 * nak_storm_rate) are written by defaults-set under pgm_net.lock, and
 * copied by new sockets under it; genetlink serialises the writers (the
 * family is not parallel_ops), so a set reads, checks and stores without
 * a race.  Dumps walk pgm_net.sockets under rcu_read_lock() and read a
 * socket's session under its src->lock or rcv->lock, reached through
 * rcu_dereference(ps->src / ps->rcv) like the input path: sessions are
 * freed after a grace period, and a dead one is skipped.  pgm_net.gen
 * (under @lock) changes with every socket added or removed, and
 * pgm_net.peer_gen (atomic: receivers change it under their own rcv->lock)
 * with every session a receiver starts or forgets, so a dump whose pages
 * span such a change is flagged NLM_F_DUMP_INTR.  Events are built with
 * GFP_ATOMIC wherever they happen (under src->lock or rcv->lock, often in
 * softirq) and only when someone listens.
 *
 * The receive ring (ring.c): pgm_sock.ring is set once, under the socket
 * lock and before bind(), published with smp_store_release() for poll()
 * and mmap(), and freed only by close(), after the receiver is stopped
 * (a mapping holds the file, so close() cannot run while one exists).
 * Records are written and the indices moved by the receiver under
 * rcv->lock, from softirq (input, timers) or from poll() in process context;
 * the mapping's consumer index is read with smp_load_acquire() and never
 * trusted.
 */
#ifndef _PGM_INTERNAL_H
#define _PGM_INTERNAL_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/random.h>
#include <linux/hrtimer.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/netns/generic.h>
#include <uapi/linux/pgm.h>
#include <uapi/linux/pgm_netlink.h>

#include "compat.h"
#include "params.h"
#include "wire.h"

/* Per-netns counters, mirrored in struct pgm_netns_stats. */
enum pgm_mib_field {
	PGM_MIB_IN_PACKETS,
	PGM_MIB_IN_BYTES,
	PGM_MIB_IN_TRUNCATED,
	PGM_MIB_IN_BAD_CHECKSUM,
	PGM_MIB_IN_BAD_TYPE,
	PGM_MIB_IN_MALFORMED,
	PGM_MIB_IN_NO_SOCKET,
	PGM_MIB_IN_DELIVERED,
	PGM_MIB_RX_SESSIONS_REFUSED,
	PGM_MIB_RX_MEM_REFUSED,
	PGM_MIB_RX_WRONG_SOURCE,
	PGM_MIB_POLICY_DENIED,
	PGM_MIB_IN_POLICY,
	PGM_MIB_POLICY_GROUP_LIMIT,
	PGM_MIB_POLICY_REVOKED,
	PGM_MIB_POLICY_ALLOWED,
	PGM_MIB_RX_WINDOWS_SHED,
	PGM_MIB_RX_SOURCE_REFUSED,
	PGM_MIB_MAX
};

struct pgm_mib {
	u64	v[PGM_MIB_MAX];
};

/*
 * Buckets of the per-netns port hash: a fixed 256 (2 KiB a netns).  A host
 * runs few PGM sockets (one per session it sends or receives), and ports
 * hash by their low bits, so consecutive ports (a receiver's usual choice)
 * and random ones (a source's) spread evenly: a thousand sockets are four
 * a bucket.  Fixed rather than a module parameter: a netns exists before
 * its sockets, so nothing could size it better, and growing it (as UDP
 * does at boot) is not worth a resize protocol under RCU.
 */
#define PGM_PORT_HASH_BITS	8
#define PGM_PORT_HASH_SIZE	(1U << PGM_PORT_HASH_BITS)

struct pgm_net {
	struct pgm_mib __percpu	*mib;
	struct pgm_params	defaults;	/* for new sockets */
	spinlock_t		lock;		/* writers of @sockets, @ports, @defaults */
	struct hlist_head	sockets;	/* RCU list of pgm_sock, all of them */
	struct hlist_head	*ports;		/* RCU hash of those with a role, by port */
	unsigned int		nsockets;	/* under @lock */
	unsigned int		gen;		/* under @lock: sockets added + removed */
	atomic_t		peer_gen;	/* sessions added + removed, any receiver */
	/*
	 * The netns's own tunables (role netns in pgm.yaml, params-gen.h):
	 * the NAK-storm threshold and the limits on what packets make
	 * receivers hold (receiver.c): sessions per socket and in the netns,
	 * window memory per socket (at least SO_RCVBUF) and in the netns.
	 * Set by netlink (under @lock), read with READ_ONCE; the @_used
	 * totals are atomic.
	 */
	PGM_NETNS_TUNABLES
	atomic_t		rx_sessions_used;
	atomic_long_t		rx_mem_used;
	atomic_t		confirm_used;	/* sources' confirming receivers (srcconfirm.c) */
	struct mutex		udp_lock;	/* @udp_tunnels (udp.c) */
	struct list_head	udp_tunnels;
	struct ctl_table_header	*sysctl;	/* net.pgm.* (params.c) */
	struct ctl_table	*sysctl_table;	/* its copy of pgm_sysctl_template */
	/*
	 * The multicast policy (policy.c, docs/governance.md): NULL when the
	 * netns has none (no rule, and allow by default).  Replaced whole
	 * under @policy_lock, read under RCU.
	 */
	struct pgm_policy __rcu	*policy;
	struct mutex		policy_lock;	/* writers of @policy, @policy_ids, @policy_gen */
	u32			policy_ids;	/* the last rule id given */
	u32			policy_gen;	/* changes, for dumps */
	/*
	 * Held from a max-groups check to the connect() or join it allows,
	 * so that two new groups cannot both take the last place; taken
	 * before RTNL and the socket's lock.
	 */
	struct mutex		policy_use_lock;
	struct work_struct	policy_work;	/* applies a change to live sockets */
	struct delayed_work	policy_share_work; /* the rate-cap's shares, every 100 ms */
	/*
	 * The network element (ne.c, docs/router-assist.md): NULL until
	 * ne-set first turns it on; then kept to the netns's exit.
	 */
	struct pgm_ne		*ne;
};

/*
 * An IP address of either family, as netfilter's nf_inet_addr.  A socket
 * lives in one family (docs/ipv6.md), so an address it keeps carries no
 * family of its own: the socket's sk_family says which member is valid.
 * The helpers below, given that family, are the only code that looks
 * inside, besides code of one family only (the IPv4 output path, IPv4
 * netlink attributes, AFI 1 NLAs), which uses @ip.
 */
union pgm_addr {
	__be32		ip;
	struct in6_addr	in6;
};

/* Sets @a to the IPv4 address @ip, the rest of it zero. */
static inline void pgm_addr_set_v4(union pgm_addr *a, __be32 ip)
{
	memset(a, 0, sizeof(*a));
	a->ip = ip;
}

/* Are @a and @b, of @family, the same address? */
static inline bool pgm_addr_eq(sa_family_t family, const union pgm_addr *a,
			       const union pgm_addr *b)
{
	if (family == AF_INET6)
		return ipv6_addr_equal(&a->in6, &b->in6);
	return a->ip == b->ip;
}

/* Is @a, of @family, the unspecified address (INADDR_ANY, ::)? */
static inline bool pgm_addr_any(sa_family_t family, const union pgm_addr *a)
{
	if (family == AF_INET6)
		return ipv6_addr_any(&a->in6);
	return !a->ip;
}

/*
 * Could @a, of @family, be a host's own address: neither unspecified nor
 * multicast, for IPv4 neither the broadcast address nor in 0.0.0.0/8, for
 * IPv6 not IPv4-mapped?
 */
static inline bool pgm_addr_unicast(sa_family_t family, const union pgm_addr *a)
{
	/* An IPv4-mapped address names no IPv6 host (RFC 4291 section 2.5.5.2). */
	if (family == AF_INET6)
		return !ipv6_addr_any(&a->in6) && !ipv6_addr_is_multicast(&a->in6) &&
		       !ipv6_addr_v4mapped(&a->in6);
	return !ipv4_is_multicast(a->ip) && !ipv4_is_lbcast(a->ip) &&
	       !ipv4_is_zeronet(a->ip);
}

/* Is @a, of @family, a multicast address? */
static inline bool pgm_addr_is_mc(sa_family_t family, const union pgm_addr *a)
{
	if (family == AF_INET6)
		return ipv6_addr_is_multicast(&a->in6);
	return ipv4_is_multicast(a->ip);
}

/*
 * The IP source and destination of @skb, a received packet of @family
 * (its network header the IPv4 or IPv6 one, also when it came in UDP).
 */
static inline void pgm_skb_addrs(sa_family_t family, const struct sk_buff *skb,
				 union pgm_addr *saddr, union pgm_addr *daddr)
{
	if (family == AF_INET6) {
		saddr->in6 = ipv6_hdr(skb)->saddr;
		daddr->in6 = ipv6_hdr(skb)->daddr;
		return;
	}
	pgm_addr_set_v4(saddr, ip_hdr(skb)->saddr);
	pgm_addr_set_v4(daddr, ip_hdr(skb)->daddr);
}

struct pgm_source;
struct pgm_receiver;

/* What rides in skb->cb of an APDU queued for delivery to a receiver. */
struct pgm_skb_cb {
	struct pgm_tsi	tsi;
	union pgm_addr	saddr;		/* IP source of the data */
	u32		sqn;		/* first sequence number of the APDU */
	u32		frag_off;	/* held data: its OPT_FRAGMENT's offset (FEC) */
	int		ifindex;	/* IPv6: the session's interface (struct pgm_peer) */
};

static inline struct pgm_skb_cb *pgm_cb(struct sk_buff *skb)
{
	/* sock_queue_rcv_skb() writes its struct sock_skb_cb at the end. */
	BUILD_BUG_ON(sizeof(struct pgm_skb_cb) > SOCK_SKB_CB_OFFSET);
	return (struct pgm_skb_cb *)skb->cb;
}

/* Room to reserve in front of a PGM packet for the IP (+UDP) header and below. */
#define PGM_HEADROOM	(MAX_HEADER + 32)
#define PGM_IP_HLEN	20
#define PGM_IP_RA_HLEN	24	/* with the Router Alert option */
#define PGM_UDP_HLEN	8	/* in front of the PGM header when encapsulated */
#define PGM_IP6_HLEN	40	/* IPv6: no Router Alert (hop-by-hop option) sent */

/* enum pgm_role (none, source, receiver) is in the netlink uapi header. */

/* The mmap receive ring (ring.c); written under the receiver's lock. */
struct pgm_ring {
	void			*mem;		/* __vmalloc, charged: control page, then data */
	struct pgm_ring_ctrl	*ctrl;
	u8			*data;
	u32			size;		/* of the data area, a power of two */
	u32			data_off;
	u32			hdr;		/* a record's header: pgm_ring_rec or _rec6 */
	u32			prod;		/* the producer index; the mapping's is a copy */
	u32			cons;		/* the last valid consumer index seen */
	u32			bad_seen;	/* the last invalid one, counted once */
	bool			bad_valid;
	bool			blocked;	/* full: data waits in the windows */
	bool			flagged;	/* PGM_RING_F_WAKEUP written to the mapping */
	bool			wake;		/* records published since the last wake-up */
	spinlock_t		*lock;		/* the receiver's rcv->lock, for lockdep */
	struct sock		*sk;		/* the receiver's socket, for the timer */
	u32			announced;	/* the producer at the last wake-up */
	u32			wake_ns;	/* PGM_RX_RING_WAKE, READ_ONCE: 0 = at once */
	u32			wake_bytes;	/* PGM_RX_RING_WAKE, READ_ONCE: 0 = no limit */
	struct hrtimer		timer;		/* soft: the coalesced wake-up */
	struct pgm_rx_ring_stats st;
};

struct pgm_sock {
	struct inet_sock	inet;	/* must be first */
	struct hlist_node	node;	/* in pgm_net.sockets */
	struct hlist_node	port_node; /* in pgm_net.ports, while it has a role */
	struct pgm_params	params;
	struct pgm_fec		fec;	/* PGM_FEC: fixed from connect() */
	u8			gsi[PGM_GSI_LEN];
	u8			role;	/* enum pgm_role */
	bool			gsi_set;
	bool			abort_on_loss;
	bool			recv_sqn;	/* PGM_RECVSQN */
	bool			fec_nak;	/* PGM_FEC_NAK: parity NAKs (from net.pgm.fec_nak) */
	bool			pgmcc;	/* PGM_PGMCC: fixed from bind() */
	bool			confirm_flow;	/* PGM_CONFIRM_FLOW: fixed from connect() */
	u32			confirm;	/* PGM_CONFIRM: fixed from bind()/connect() */
	u32			confirm_expiry_ms;	/* PGM_CONFIRM_EXPIRY */
	u32			confirm_max;	/* PGM_CONFIRM_MAX */
	bool			udp;	/* UDP-encapsulated; fixed from bind/connect */
	bool			udp_held; /* holds its tunnel ports (udp.c) */
	u32			ino;	/* socket inode, for dumps and events */
	struct pid		*owner;	/* creator's thread group, for dumps; put in sk_destruct */
	struct pgm_source __rcu	*src;	/* set by connect(), freed by close() */
	struct pgm_receiver __rcu *rcv;	/* set by bind(), freed by close() */
	struct pgm_ring		*ring;	/* PGM_RX_RING: set once before bind(), freed by close() */
	const struct cred	*cred;	/* its creator's, for the policy; put in sk_destruct */
	bool			revoked; /* a source the policy ended: send() fails, EACCES */
	u32			policy_gen; /* the policy change policy.c last applied to it */
	union pgm_addr		policy_group; /* a source's group as connect() named it */
};

static inline struct pgm_sock *pgm_sk(const struct sock *sk)
{
	return (struct pgm_sock *)sk;
}

/*
 * An IPv6 socket (ipv6.c): the IPv6 layer's per-socket state last, where
 * inet6_create() finds it (docs/ipv6.md; compat.h, PGM_PROTO_PINFO).
 */
struct pgm6_sock {
	struct pgm_sock		pgm;	/* must be first */
	struct ipv6_pinfo	inet6;	/* must be last */
};

extern unsigned int pgm_net_id;

/*
 * The address a socket is bound to (inet_rcv_saddr, sk_v6_rcv_saddr): a
 * group, a local address, or unspecified; read locklessly, as the input
 * path does.  An IPv6 address is written once, by bind() before the
 * socket enters the port hash (whose RCU publication orders it for the
 * input path), and never changes after; a dump racing with bind() may
 * see it half written, as it may see the socket half bound.
 */
static inline void pgm_sk_rcv_addr(const struct sock *sk, union pgm_addr *a)
{
	if (sk->sk_family == AF_INET6) {
		a->in6 = sk->sk_v6_rcv_saddr;
		return;
	}
	pgm_addr_set_v4(a, READ_ONCE(inet_sk(sk)->inet_rcv_saddr));
}

static inline struct pgm_net *pgm_pernet(const struct net *net)
{
	return net_generic(net, pgm_net_id);
}

/* The bucket of the port hash for @port (network order). */
static inline struct hlist_head *pgm_port_bucket(const struct pgm_net *pn, __be16 port)
{
	return &pn->ports[ntohs(port) & (PGM_PORT_HASH_SIZE - 1)];
}

static inline void pgm_mib_inc(struct pgm_net *pn, enum pgm_mib_field f)
{
	this_cpu_inc(pn->mib->v[f]);
}

static inline void pgm_mib_add(struct pgm_net *pn, enum pgm_mib_field f, u64 n)
{
	this_cpu_add(pn->mib->v[f], n);
}

void pgm_netns_stats(struct pgm_net *pn, struct pgm_netns_stats *st);

/* output.c */

/*
 * A source's route to its group, kept as a connected UDP socket keeps
 * sk_dst_cache: a packet looks it up again only when the flow it was
 * found for changed (IP_MULTICAST_IF, SO_BINDTODEVICE, IP_TOS, SO_MARK,
 * the encapsulation) or the route did (dst_ops->check: IPv4 any change
 * to the netns's routes, IPv6 to the route's own fib node).  Holds a
 * reference to @dst; under the source's lock.
 */
struct pgm_route {
	struct dst_entry	*dst;		/* NULL: none kept */
	union pgm_addr		daddr;		/* the flow it was found for */
	union pgm_addr		saddr;		/* asked for, any: 0 or :: */
	union pgm_addr		from;		/* the source address the route gave */
	u32			cookie;		/* IPv6: for dst_ops->check */
	int			oif;
	u32			mark;
	u8			tos;		/* IPv4 */
	bool			udp;
	u16			headroom;	/* what @dst's headers take (pgm_route_keep) */
};

void pgm_route_put(struct pgm_route *rc);
struct sk_buff *pgm_alloc_pkt_room(unsigned int headroom, unsigned int len, gfp_t gfp);
struct dst_entry *pgm_route_hold(struct pgm_route *rc, sa_family_t family,
				 const struct pgm_route *key);
void pgm_route_keep(struct pgm_route *rc, struct dst_entry *dst, const struct pgm_route *key);
bool pgm_addr_local(struct net *net, sa_family_t family, const union pgm_addr *a);
int pgm_xmit(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, bool ra,
	     struct pgm_route *rc);
/* The same with IP TTL @ttl (0: the socket's). */
int pgm_xmit_ttl(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, bool ra,
		 u8 ttl);
/* To a session's source: over IPv6 a link-local address is scoped by @ifindex. */
int pgm_xmit_peer(struct sock *sk, struct sk_buff *skb, const union pgm_addr *daddr, u8 ttl,
		  int ifindex);
struct sk_buff *pgm_alloc_pkt(unsigned int len, gfp_t gfp);
void pgm_fill_hdr(struct sk_buff *skb, __be16 sport, __be16 dport, u8 type,
		  u8 options, const u8 *gsi, u16 tsdu_len);
void pgm_set_csum(struct sk_buff *skb);
void pgm_set_csum_payload(struct sk_buff *skb, __wsum payload, unsigned int plen);
void pgm_csum_replace(struct pgm_hdr *ph, __wsum from, __wsum to);
struct sk_buff *pgm_build_nak(sa_family_t family, u8 type, __be16 sport, __be16 dport,
			      const u8 *gsi, const union pgm_addr *src_nla,
			      const union pgm_addr *grp_nla, const __be32 *sqns, unsigned int n,
			      u8 xtype, u8 xlen, u8 **xopt);

/*
 * NLAs (section 8) of a socket's family: AFI 1 for IPv4, AFI 2 for IPv6.
 * A socket sends its own family's and takes only those: a packet whose
 * fixed header has the length of the other family's NLAs (or a mix) is
 * malformed for it.  Validation (wire.c) has checked each AFI is one of
 * the two, so the length says which: an SPM's path NLA, a NAK's or NCF's
 * pair.
 */
static_assert(offsetof(struct pgm_spm, nla) == PGM_SPM_NLA_OFF);
static_assert(offsetof(struct pgm_nak, src) == PGM_NAK_NLA_OFF);

/* PGM bytes of an SPM's fixed headers with a path NLA of @family. */
static inline unsigned int pgm_spm_hlen(sa_family_t family)
{
	return family == AF_INET6 ? PGM_SPM6_HLEN : PGM_SPM4_HLEN;
}

/* PGM bytes of a NAK's or NCF's fixed headers with NLAs of @family. */
static inline unsigned int pgm_nak_hlen(sa_family_t family)
{
	return family == AF_INET6 ? PGM_NAK6_HLEN : PGM_NAK4_HLEN;
}

/* Write the NLA of @a, of @family, at @p (unaligned); returns its length. */
static inline unsigned int pgm_nla_put(sa_family_t family, u8 *p, const union pgm_addr *a)
{
	if (family == AF_INET6) {
		put_unaligned_be16(PGM_AFI_IP6, p);
		put_unaligned_be16(0, p + 2);
		memcpy(p + 4, &a->in6, sizeof(a->in6));
		return sizeof(struct pgm_nla6);
	}
	put_unaligned_be16(PGM_AFI_IP, p);
	put_unaligned_be16(0, p + 2);
	memcpy(p + 4, &a->ip, sizeof(a->ip));
	return sizeof(struct pgm_nla4);
}

/*
 * Read the NLA at @p (unaligned), whose AFI a header length of @family's
 * has shown to be @family's, into @a; returns its length.
 */
static inline unsigned int pgm_nla_get(sa_family_t family, const u8 *p, union pgm_addr *a)
{
	__be32 ip;

	if (family == AF_INET6) {
		memcpy(&a->in6, p + 4, sizeof(a->in6));
		return sizeof(struct pgm_nla6);
	}
	memcpy(&ip, p + 4, sizeof(ip));
	pgm_addr_set_v4(a, ip);
	return sizeof(struct pgm_nla4);
}

/*
 * Octets of OPT_PGMCC_DATA or OPT_PGMCC_FEEDBACK (PGMCC draft 2.1) with an
 * NLA of @family: the option's 4-octet header, a timestamp, the NLA.
 */
static inline unsigned int pgm_cc_opt_len(sa_family_t family)
{
	return 8 + (family == AF_INET6 ? sizeof(struct pgm_nla6) : sizeof(struct pgm_nla4));
}

/* PGM bytes of a NAK or NCF with NLAs of @family naming @n sqns (pgm_build_nak). */
static inline unsigned int pgm_nak_len(sa_family_t family, unsigned int n)
{
	return pgm_nak_hlen(family) + pgm_nak_optlen(n);
}

static_assert(PGM_NAK_LIST_MAX == PGM_NAK_SQNS_MAX - 1);

static inline u32 pgm_usecs_to_jiffies(u32 us)
{
	return max_t(unsigned long, 1, usecs_to_jiffies(us));
}

/*
 * The receiver's clock is ktime_get_ns() (CLOCK_MONOTONIC), its timers
 * hrtimers: NAK back-offs of a millisecond or less (a LAN) are kept to
 * within their slack instead of being rounded up to the next tick (4 ms
 * at HZ=250).  Times compare as jiffies do, across the wrap.
 */
static inline u64 pgm_us_ns(u32 us)
{
	return (u64)us * NSEC_PER_USEC;
}

static inline bool pgm_ns_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * A random back-off in [0, @ivl_us) microseconds, in ns: a NAK's
 * (NAK_BO_IVL, section 3.5) and an SPMR's (Appendix C).  @ivl_us is at
 * least PGM_IVL_MIN.
 */
static inline u64 pgm_backoff_ns(u32 ivl_us)
{
	return pgm_us_ns(get_random_u32() % ivl_us);
}

/* What a dump shows of a source session (source.c fills it). */
struct pgm_source_info {
	struct pgm_source_stats	st;	/* with the window edges */
	u64			held;	/* TSDU bytes in the window */
	u32			size;	/* window capacity, sqns */
	u32			rate;	/* rate limit, bytes/s */
	u32			policy_rate; /* the policy's part of it, 0: none */
	union pgm_addr		nla, group;
	__be16			sport, dport;
	bool			closing;
	bool			confirm;	/* PGM_CONFIRM */
};

/* What a dump shows of a receiver (receiver.c fills it). */
struct pgm_receiver_info {
	struct pgm_receiver_stats st;
	bool			aborted;
};

/* One peer, for the peer dump. */
struct pgm_peer_info {
	struct pgm_tsi	tsi;
	union pgm_addr	saddr, group, nla;
	__be16		dport;
	u32		next, lead, size, end, idle_ms;
	u32		fec_k;		/* 0: no FEC learnt */
	bool		fec_proactive, fec_ondemand;
	u64		losses, naks_sent, groups_rebuilt, parity_naks_sent;
	bool		cc_src;		/* PGMCC: taking part, the source runs it */
	u32		cc_loss;	/* then: the loss rate, 0 to 65535 */
	u64		acks_sent;
};

/* An event for the netlink multicast group (netlink.c). */
struct pgm_nl_event {
	u8		cmd;		/* PGM_CMD_*_NTF */
	u8		role;
	struct pgm_tsi	tsi;
	union pgm_addr	source, group;
	__be16		port;
	u32		first, count, last, reason, rate, threshold, rate_limit;
	u64		rate_limited;
	union pgm_addr	acker;		/* acker-change: the new acker, if has_acker */
	bool		has_acker;
	u32		rtt_us, loss;
	union pgm_addr	receiver;	/* receiver-join/-leave/-refused: who */
	u32		receiver_id, confirmed;
};

/*
 * policy.c: a netns's multicast policy (docs/governance.md).  A rule is
 * immutable once published, but for @hits; a change publishes a new
 * struct pgm_policy (the array of rules) and frees the old one, and a
 * deleted rule, after a grace period.
 */
struct pgm_policy_rule {
	u32		id;
	u8		role;		/* enum pgm_policy_role */
	u8		action;		/* enum pgm_policy_action */
	u8		prefix;		/* of @group, in bits */
	sa_family_t	family;		/* of @group; 0: every group of both families */
	bool		has_uids, has_gid;
	bool		exempt;		/* its sources stay out of the policy's rate-cap */
	u32		rate_cap;	/* bytes/s a source it allows may send; 0: no cap */
	u64		cgroup;		/* a cgroup v2 id the socket must be in or under; 0: any */
	kuid_t		uid_min, uid_max;
	kgid_t		gid;
	union pgm_addr	group;		/* the bits past @prefix are zero */
	atomic64_t	hits;		/* decisions it made */
	struct rcu_head	rcu;
};

/*
 * A logical group (policy.c): what it stands for, a physical group (@n 0)
 * or @n unicast receivers.  Immutable once published.
 */
struct pgm_policy_map {
	struct rcu_head		rcu;
	sa_family_t		family;
	union pgm_addr		logical;
	union pgm_addr		physical;	/* when @n is 0 */
	u32			n;
	union pgm_addr		unicast[] __counted_by(n);
};

struct pgm_policy {
	struct rcu_head		rcu;
	u8			default_action;	/* enum pgm_policy_action */
	u32			max_groups;	/* 0: no limit */
	u32			rate_cap;	/* bytes/s of all non-exempt sources; 0: no cap */
	u32			nmaps;
	struct pgm_policy_map	*map[PGM_POLICY_MAPS_MAX];
	u32			n;
	struct pgm_policy_rule	*rule[] __counted_by(n);
};

DECLARE_STATIC_KEY_FALSE(pgm_policy_used);

/*
 * A connect() or join between pgm_policy_begin() and pgm_policy_end():
 * whether it holds the max-groups lock, and the policy change it was
 * judged by (a change before it is done has it judged again).
 */
struct pgm_policy_use {
	bool	locked;
	u32	gen;
};

int pgm_policy_begin(struct sock *sk, u8 role, sa_family_t family, const union pgm_addr *group,
		     struct pgm_policy_use *use);
void pgm_policy_end(struct sock *sk, const struct pgm_policy_use *use);
u32 pgm_policy_groups(struct pgm_net *pn, u32 max);
void pgm_policy_source_started(struct sock *sk);
bool pgm_policy_physical(struct net *net, sa_family_t family, union pgm_addr *group);
union pgm_addr *pgm_policy_fanout(struct sock *sk, const union pgm_addr *group, u32 *n);
int pgm_policy_map_set(struct pgm_net *pn, struct pgm_policy_map *m);
int pgm_policy_map_del(struct pgm_net *pn, sa_family_t family, const union pgm_addr *logical);
int pgm_policy_ip_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
			     unsigned int optlen,
			     int (*set)(struct sock *sk, int level, int optname, sockptr_t optval,
					unsigned int optlen));
bool pgm_policy_rcv_refuses(struct pgm_net *pn, struct sock *sk, const union pgm_addr *daddr);
int pgm_policy_set(struct pgm_net *pn, const u32 *action, const u32 *max_groups,
		   const u32 *rate_cap);
int pgm_policy_add(struct pgm_net *pn, struct pgm_policy_rule *r, u32 index, u32 *idx);
int pgm_policy_del(struct pgm_net *pn, u32 id);
void pgm_policy_net_init(struct pgm_net *pn);
void pgm_policy_net_exit(struct pgm_net *pn);

/*
 * The network element's counters (ne.c), in the order of the ne
 * attribute set's (pgm.yaml) from spms on.
 */
enum pgm_ne_counter {
	PGM_NE_C_SPMS,			/* SPMs taken as source path state */
	PGM_NE_C_SPMS_REFUSED,		/* wrong interface, path, source or sqn */
	PGM_NE_C_PATH_CHANGES,		/* an upstream NE replaced by another */
	PGM_NE_C_NAKS,			/* NAKs for TSIs followed */
	PGM_NE_C_NAKS_FORWARDED,	/* sent upstream */
	PGM_NE_C_NAKS_ELIMINATED,	/* duplicates not forwarded (7.4) */
	PGM_NE_C_NAKS_REFUSED,		/* outside the window, wrong source NLA */
	PGM_NE_C_NAK_REPEATS,		/* repeated for want of an NCF (7.3) */
	PGM_NE_C_NAKS_UNCONFIRMED,	/* forwarding given up after NAK_RPT_IVL */
	PGM_NE_C_NCFS_SENT,		/* NCFs we multicast downstream (7.2) */
	PGM_NE_C_NCFS_LIMITED,		/* NAKs not answered: the NCF gap */
	PGM_NE_C_NCFS_CONFIRMED,	/* upstream NCFs confirming our NAKs */
	PGM_NE_C_NCFS_ANTICIPATED,	/* upstream NCFs that made state (7.5) */
	PGM_NE_C_NCFS_REFUSED,		/* NCFs from elsewhere than upstream */
	PGM_NE_C_RDATA_FORWARDED,	/* RDATA copies let out (7.8) */
	PGM_NE_C_RDATA_CONSTRAINED,	/* copies kept off links that did not ask */
	PGM_NE_C_RDATA_UNREPAIRED,	/* RDATA with no repair state, dropped */
	PGM_NE_C_STATES_REFUSED,	/* past ne-states or ne-tsi-states */
	PGM_NE_C_TSIS_REFUSED,		/* past ne-tsis */
	PGM_NE_C_STATES_EXPIRED,	/* NAK_RDATA_IVL passed without RDATA */
	PGM_NE_C_NNAKS,			/* NNAKs for TSIs followed */
	PGM_NE_C_MALFORMED,		/* packets the NE could not read, or damaged */
	PGM_NE_C_FRAGMENTS,		/* IP fragments, passed as they are */
	PGM_NE_C_MAX
};

/* What ne-get reports. */
struct pgm_ne_info {
	bool		on;
	u32		tsis;
	u32		states;
	u64		mem;
	u64		ctr[PGM_NE_C_MAX];
};

/* One TSI the NE follows, for ne-session-get. */
struct pgm_ne_session {
	u8		gsi[6];
	__be16		sport;
	__be16		dport;
	__be32		group;
	__be32		source;
	__be32		upstream;
	int		ifindex;
	u32		spm_sqn;
	u32		trail;
	u32		lead;
	u32		states;
	u32		k;
	u32		idle_ms;
};

int pgm_ne_set(struct net *net, bool on, struct netlink_ext_ack *extack);
void pgm_ne_info(struct net *net, struct pgm_ne_info *ni);
unsigned int pgm_ne_sessions(struct net *net, unsigned int skip, struct pgm_ne_session *out,
			     unsigned int max);
bool pgm_ne_on(const struct net *net);
bool pgm_ne_nak(struct net *net, struct sk_buff *skb, const struct pgm_wire_info *info);
void pgm_ne_net_exit(struct pgm_net *pn);
void pgm_nl_ne_event(struct net *net, u8 cmd, const struct pgm_ne_session *s, u32 reason);

/* netlink.c */
int pgm_nl_register(void);
void pgm_nl_unregister(void);
void pgm_nl_event(struct sock *sk, const struct pgm_nl_event *ev);
void pgm_nl_policy_event(struct sock *sk, u8 cmd, u8 role, sa_family_t family,
			 const union pgm_addr *group, kuid_t uid, const u32 *rule_id, int error);

/* source.c */
int pgm_source_start(struct sock *sk);
void pgm_source_stop(struct sock *sk);
void pgm_source_reset(struct sock *sk);
/* What the policy's shares need of a source, and how they are applied (source.c). */
struct pgm_source_usage {
	u32	own;		/* PGM_TXW_MAX_RTE, 0: none */
	u32	rule_cap;	/* its rule's rate-cap, 0: none */
	u32	allowed;	/* what it may send now, 0: no limit */
	bool	exempt;
	u64	sent;		/* wire bytes sent since the last look */
	u64	avg;		/* bytes/s, a moving average over the looks (1/8 each) */
};

bool pgm_source_usage(struct pgm_source *src, struct pgm_source_usage *u, u64 *ns);
#define PGM_SHARE_KEEP	U32_MAX	/* pgm_source_policy_rate(): the share as it is */
void pgm_source_policy_rate(struct pgm_source *src, u32 rule_cap, bool exempt, u32 share);
void pgm_source_params_changed(struct sock *sk);
int pgm_source_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
void pgm_source_stats(struct sock *sk, struct pgm_source_stats *st);
bool pgm_source_info(struct pgm_source *src, struct pgm_source_info *si);

/* srccc.c */
bool pgm_cc_src_writable(struct sock *sk);

/* srcconfirm.c */
struct pgm_confirmed;
/* What a dump shows of a source's confirming receiver (srcconfirm.c fills it). */
struct pgm_confirm_info {
	union pgm_addr	addr;
	u32		id, confirmed, idle_ms;
};

int pgm_confirm_src_receivers(struct pgm_source *src, unsigned long *skip,
			      int (*fill)(const struct pgm_confirm_info *ci, void *arg), void *arg);
int pgm_confirm_get(struct sock *sk, struct pgm_confirmed *c);
int pgm_source_lead(struct sock *sk, u32 *lead);
bool pgm_confirm_poll(struct sock *sk, bool *pri);
bool pgm_confirm_room(struct sock *sk, u32 room);

/* repair.c */
void pgm_source_rcv(struct sock *sk, struct sk_buff *skb,
		    const struct pgm_wire_info *info);

/* receiver.c */
int pgm_receiver_start(struct sock *sk);
void pgm_receiver_stop(struct sock *sk);
void pgm_receiver_reset_group(struct sock *sk, const union pgm_addr *group);
void pgm_receiver_rcv(struct sock *sk, struct sk_buff **skbp, bool take,
		      const struct pgm_wire_info *info);
void pgm_receiver_stats(struct sock *sk, struct pgm_receiver_stats *st);
bool pgm_receiver_info(struct pgm_receiver *rcv, struct pgm_receiver_info *ri);
int pgm_receiver_peers(struct pgm_receiver *rcv, unsigned long *skip,
		       int (*fill)(const struct pgm_peer_info *pi, void *arg), void *arg);

/* ring.c */
int pgm_ring_create(struct sock *sk, sockptr_t optval, unsigned int optlen);
void pgm_ring_destroy(struct pgm_ring *r);
void pgm_ring_geometry(struct pgm_ring *r, struct pgm_rx_ring *g);
int pgm_ring_mmap(struct file *file, struct socket *sock, struct vm_area_struct *vma);
struct pgm_ring_rec *pgm_ring_reserve(struct pgm_ring *r, u32 len);
void pgm_ring_commit(struct pgm_ring *r, struct pgm_ring_rec *rec);
bool pgm_ring_readable(struct pgm_ring *r);
bool pgm_ring_waited(struct pgm_ring *r);
int pgm_ring_set_wake(struct sock *sk, sockptr_t optval, unsigned int optlen);
void pgm_ring_get_wake(struct pgm_ring *r, struct pgm_rx_ring_wake *w);
void pgm_ring_stop(struct pgm_ring *r);

static inline u32 pgm_ring_reclen(const struct pgm_ring *r, u32 payload)
{
	return ALIGN(r->hdr + payload, PGM_RING_ALIGN);
}

/* Where a record's payload starts: after the socket family's header. */
static inline void *pgm_ring_payload(const struct pgm_ring *r, struct pgm_ring_rec *rec)
{
	return (u8 *)rec + r->hdr;
}

/* deliver.c */
int pgm_receiver_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			 int flags, int *addr_len);
void pgm_receiver_ring_kick(struct sock *sk);
void pgm_receiver_ring_stats(struct sock *sk, struct pgm_rx_ring_stats *st);

/* socket.c */
extern struct proto pgm_prot;
extern const struct proto_ops pgm_ops;
int pgm_bind_addr(struct sock *sk, const union pgm_addr *addr, __be16 port, int ifindex);
int pgm_connect_addr(struct sock *sk, const union pgm_addr *daddr, __be16 dport, int ifindex);
int pgm_sol_setsockopt(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen);
int pgm_sol_getsockopt(struct sock *sk, int optname, char __user *optval,
		       int __user *optlen);
__poll_t pgm_poll(struct file *file, struct socket *sock, poll_table *wait);
/* The struct proto methods both families share. */
int pgm_init_sock(struct sock *sk);
void pgm_close(struct sock *sk, long timeout);
int pgm_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
int pgm_hash(struct sock *sk);
void pgm_unhash(struct sock *sk);

/* ipv6.c */
int pgm6_init(void);
void pgm6_exit(void);
int pgm6_mcast(struct sock *sk, int optname, sockptr_t optval, unsigned int optlen);
int pgm6_xmit(struct sock *sk, struct sk_buff *skb, const struct in6_addr *daddr, u8 hops,
	      int scope_if, struct pgm_route *rc);
int pgm6_route_saddr(struct sock *sk, const struct in6_addr *daddr, struct in6_addr *saddr);

/* udp.c */
int pgm_udp_hold(struct sock *sk);
void pgm_udp_put(struct sock *sk);
void pgm_udp_net_init(struct pgm_net *pn);
void pgm_udp_net_exit(struct pgm_net *pn);
void pgm_udp_push(struct sock *sk, struct sk_buff *skb, const union pgm_addr *saddr,
		  const union pgm_addr *daddr);

/* Bytes of the network header (without IPv4's Router Alert) in front of PGM's. */
static inline unsigned int pgm_net_hlen(const struct sock *sk)
{
	return sk->sk_family == AF_INET6 ? PGM_IP6_HLEN : PGM_IP_HLEN;
}

/* Bytes the encapsulation adds in front of the PGM header. */
static inline unsigned int pgm_encap_hlen(const struct sock *sk)
{
	return READ_ONCE(pgm_sk(sk)->udp) ? PGM_UDP_HLEN : 0;
}

/* input.c */
int pgm_rcv(struct sk_buff *skb);
void pgm_input(struct net *net, struct sk_buff *skb, u16 udp_port, sa_family_t family);
int pgm_err(struct sk_buff *skb, u32 info);

#endif /* _PGM_INTERNAL_H */
