// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - a network namespace's multicast policy (docs/governance.md,
 * issue #22): which owners may use which groups, as source or receiver.
 *
 * A policy is an ordered list of rules and a default action; the first
 * rule that matches a socket's connect() or join decides, the default when
 * none does.  A netns with no rule that allows by default has no policy
 * (pgm_net.policy is NULL) and behaves as before.  The model's
 * Sources/PGMModel/Policy.swift is the executable reference of the
 * matching.
 *
 * Where it is enforced:
 *   - a source's connect() (pgm_connect_addr, pgm6_connect);
 *   - a receiver's joins: PGM_JOIN_GROUP, and IP_ADD_MEMBERSHIP,
 *     IP_ADD_SOURCE_MEMBERSHIP, MCAST_JOIN_GROUP, MCAST_JOIN_SOURCE_GROUP,
 *     IPV6_ADD_MEMBERSHIP passed through to the IP layers (the other
 *     membership options need a join first);
 *   - the input path: under a policy, a receiver takes a multicast packet
 *     only for a group it joined itself (as IP_MULTICAST_ALL 0 does for
 *     UDP), so a socket bound to INADDR_ANY does not take the groups other
 *     sockets of the host joined.
 * A refusal is EACCES, counted in policy_denied (the netns counters) and
 * sent as a policy-denied event; a packet not taken is counted in in_policy.
 *
 * Who a socket belongs to: the credentials of its file, as netfilter's
 * owner match takes them (fsuid, fsgid and the supplementary groups).
 *
 * Locking: writers hold pn->policy_lock (a mutex; netlink's requests, in
 * process context) and publish a new struct pgm_policy with
 * rcu_assign_pointer(); readers (connect, setsockopt, softirq input) use
 * RCU.  The static key pgm_policy_used is on while any netns has a policy,
 * so that the input path costs nothing otherwise.
 */
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/jump_label.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/if_inet6.h>
#include <net/sock.h>

#include "pgm.h"

DEFINE_STATIC_KEY_FALSE(pgm_policy_used);

/* The smaller of two rates, 0 being no limit. */
static u64 pgm_rate_min_u64(u64 a, u64 b)
{
	return !a ? b : !b ? a : min(a, b);
}

/* Whose a socket is: its creator's credentials (socket.c keeps them). */
static const struct cred *pgm_policy_cred(const struct sock *sk)
{
	return pgm_sk(sk)->cred ? : current_cred();
}

/* Is @gid the owner's group or one of its supplementary groups (sorted)? */
static bool pgm_policy_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *gi = cred->group_info;
	unsigned int lo = 0, hi = gi ? gi->ngroups : 0;

	if (gid_eq(cred->fsgid, gid))
		return true;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (gid_gt(gid, gi->gid[mid]))
			lo = mid + 1;
		else if (gid_lt(gid, gi->gid[mid]))
			hi = mid;
		else
			return true;
	}
	return false;
}

/* Is @group, of @family, in @r's range? */
static bool pgm_policy_group_match(const struct pgm_policy_rule *r, sa_family_t family,
				   const union pgm_addr *group)
{
	if (!r->family)
		return true;
	if (r->family != family)
		return false;
	if (family == AF_INET6)
		return ipv6_prefix_equal(&group->in6, &r->group.in6, r->prefix);
	return !((group->ip ^ r->group.ip) & inet_make_mask(r->prefix));
}

/*
 * Is @sk in the cgroup v2 with id @id, or under it?  The socket's cgroup is
 * its creator's when it was made (sk_cgrp_data); the walk up is as deep
 * as the hierarchy.
 */
static bool pgm_policy_in_cgroup(struct sock *sk, u64 id)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct cgroup *c;

	for (c = sock_cgroup_ptr(&sk->sk_cgrp_data); c; c = cgroup_parent(c))
		if (cgroup_id(c) == id)
			return true;
#endif
	return false;
}

static bool pgm_policy_match(const struct pgm_policy_rule *r, struct sock *sk,
			     const struct cred *cred, u8 role, sa_family_t family,
			     const union pgm_addr *group)
{
	if (r->role != PGM_POLICY_ROLE_ANY && r->role != role)
		return false;
	if (r->has_uids && (uid_lt(cred->fsuid, r->uid_min) || uid_gt(cred->fsuid, r->uid_max)))
		return false;
	if (r->has_gid && !pgm_policy_in_group(cred, r->gid))
		return false;
	if (r->cgroup && !pgm_policy_in_cgroup(sk, r->cgroup))
		return false;
	return pgm_policy_group_match(r, family, group);
}

/*
 * The decision of @pol for (@cred, @role, @group): the action, and the
 * rule that made it in *@rule (NULL: the default).  Under RCU.
 */
static u8 pgm_policy_decide(const struct pgm_policy *pol, struct sock *sk,
			    const struct cred *cred, u8 role, sa_family_t family,
			    const union pgm_addr *group, struct pgm_policy_rule **rule)
{
	u32 i;

	for (i = 0; i < pol->n; i++) {
		struct pgm_policy_rule *r = pol->rule[i];

		if (pgm_policy_match(r, sk, cred, role, family, group)) {
			*rule = r;
			return r->action;
		}
	}
	*rule = NULL;
	return pol->default_action;
}

/*
 * The groups in use in the netns, collected for max-groups: an open
 * addressing set of at most @max groups, and whether a given group was
 * seen.
 */
struct pgm_group_set {
	u32			n, max, mask;
	sa_family_t		want_family;
	const union pgm_addr	*want;
	bool			seen;		/* @want is in use */
	struct {
		sa_family_t	family;		/* 0: empty */
		union pgm_addr	a;
	} e[];
};

static void pgm_group_set_add(struct pgm_group_set *gs, sa_family_t family,
			      const union pgm_addr *a)
{
	u32 h;

	if (gs->want && family == gs->want_family && pgm_addr_eq(family, a, gs->want))
		gs->seen = true;
	if (gs->n >= gs->max)
		return;		/* full: past max, only @want matters now */
	h = family == AF_INET6 ? jhash(&a->in6, sizeof(a->in6), 0) : jhash_1word((__force u32)a->ip, 0);
	for (;; h++) {
		typeof(&gs->e[0]) e = &gs->e[h & gs->mask];

		if (!e->family) {
			e->family = family;
			e->a = *a;
			gs->n++;
			return;
		}
		if (e->family == family && pgm_addr_eq(family, &e->a, a))
			return;
	}
}

/*
 * Walk the groups in use in @pn: sources' groups and every membership of
 * a PGM socket, of either family.  Under RCU: at most the netns's sockets
 * times what IP lets each join.
 */
static void pgm_group_set_fill(struct pgm_net *pn, struct pgm_group_set *gs)
{
	struct pgm_sock *ps;

	rcu_read_lock();
	hlist_for_each_entry_rcu(ps, &pn->sockets, node) {
		struct sock *sk = &ps->inet.sk;
		const struct ip_mc_socklist *m4;

		/* A source's group is set before its session is published. */
		if (rcu_dereference(ps->src)) {
			union pgm_addr g;

			if (sk->sk_family == AF_INET6)
				g.in6 = sk->sk_v6_daddr;
			else
				pgm_addr_set_v4(&g, READ_ONCE(ps->inet.inet_daddr));
			pgm_group_set_add(gs, sk->sk_family, &g);
		}
		if (sk->sk_family == AF_INET6) {
			const struct ipv6_mc_socklist *m6;

			for (m6 = rcu_dereference(inet6_sk(sk)->ipv6_mc_list); m6;
			     m6 = rcu_dereference(m6->next)) {
				union pgm_addr g = { .in6 = m6->addr };

				pgm_group_set_add(gs, AF_INET6, &g);
			}
		}
		for (m4 = rcu_dereference(ps->inet.mc_list); m4; m4 = rcu_dereference(m4->next_rcu)) {
			union pgm_addr g;

			pgm_addr_set_v4(&g, m4->multi.imr_multiaddr.s_addr);
			pgm_group_set_add(gs, AF_INET, &g);
		}
	}
	rcu_read_unlock();
}

static struct pgm_group_set *pgm_group_set_new(u32 max)
{
	u32 slots = roundup_pow_of_two(2 * max + 2);
	struct pgm_group_set *gs;

	gs = kvzalloc(struct_size(gs, e, slots), GFP_KERNEL_ACCOUNT);
	if (gs) {
		gs->max = max;
		gs->mask = slots - 1;
	}
	return gs;
}

/**
 * pgm_policy_groups - the distinct groups in use in a netns
 * @pn: the netns
 * @max: count up to this many (the policy's limit, or PGM_POLICY_MAX_GROUPS_MAX)
 *
 * Context: process.
 * Return: the count, at most @max; 0 if memory ran out.
 */
u32 pgm_policy_groups(struct pgm_net *pn, u32 max)
{
	struct pgm_group_set *gs = pgm_group_set_new(max);
	u32 n;

	if (!gs)
		return 0;
	pgm_group_set_fill(pn, gs);
	n = gs->n;
	kvfree(gs);
	return n;
}

/*
 * Would @group be one group too many?  True when it is not in use and
 * @max distinct groups are; -ENOMEM when the walk cannot be made.
 */
static int pgm_policy_over_max(struct pgm_net *pn, u32 max, sa_family_t family,
			       const union pgm_addr *group)
{
	struct pgm_group_set *gs = pgm_group_set_new(max);
	int over;

	if (!gs)
		return -ENOMEM;
	gs->want_family = family;
	gs->want = group;
	pgm_group_set_fill(pn, gs);
	over = !gs->seen && gs->n >= max;
	kvfree(gs);
	return over;
}

/**
 * pgm_policy_begin - may @sk use @group in @role?
 * @sk: the socket, unlocked, in process context (connect, setsockopt)
 * @role: PGM_POLICY_ROLE_SOURCE (connect) or PGM_POLICY_ROLE_RECEIVER (a join)
 * @family: @group's family (an IPv6 socket may join IPv4 groups through SOL_IP)
 * @group: the group
 * @use: filled in for pgm_policy_end(): whether the netns's max-groups
 *       lock is held for the caller (the connect() or join happens under
 *       it), and the policy change the decision was made by
 *
 * Counts and announces the decision (policy-allowed, policy-denied).
 *
 * Return: 0, or -EACCES when the netns's policy denies it, -ENOBUFS when
 * it would be a group past max-groups (-ENOMEM if that cannot be known).
 */
int pgm_policy_begin(struct sock *sk, u8 role, sa_family_t family, const union pgm_addr *group,
		     struct pgm_policy_use *use)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	const struct cred *cred = pgm_policy_cred(sk);
	struct pgm_policy_rule *rule;
	const struct pgm_policy *pol;
	u32 rule_id = 0, max;
	int over;
	u8 action;

	use->locked = false;
	/* Before the policy is read: a change after this is seen at the end. */
	use->gen = smp_load_acquire(&pn->policy_gen);
	if (!static_branch_unlikely(&pgm_policy_used))
		return 0;
	rcu_read_lock();
	pol = rcu_dereference(pn->policy);
	if (!pol) {
		rcu_read_unlock();
		return 0;
	}
	action = pgm_policy_decide(pol, sk, cred, role, family, group, &rule);
	if (rule) {
		atomic64_inc(&rule->hits);
		rule_id = rule->id;
	}
	max = pol->max_groups;
	rcu_read_unlock();
	if (action != PGM_POLICY_ACTION_ALLOW) {
		pgm_mib_inc(pn, PGM_MIB_POLICY_DENIED);
		pgm_nl_policy_event(sk, PGM_CMD_POLICY_DENIED_NTF, role, family, group, cred->fsuid,
				    rule ? &rule_id : NULL, EACCES);
		return -EACCES;
	}
	if (!max)
		goto allowed;
	/* From the count to the join: no other new group in between. */
	mutex_lock(&pn->policy_use_lock);
	over = pgm_policy_over_max(pn, max, family, group);
	if (over) {
		mutex_unlock(&pn->policy_use_lock);
		if (over < 0)
			return over;
		pgm_mib_inc(pn, PGM_MIB_POLICY_GROUP_LIMIT);
		pgm_nl_policy_event(sk, PGM_CMD_POLICY_DENIED_NTF, role, family, group, cred->fsuid,
				    NULL, ENOBUFS);
		return -ENOBUFS;
	}
	use->locked = true;
allowed:
	/* Every decision is counted and told, as the refusals are. */
	pgm_mib_inc(pn, PGM_MIB_POLICY_ALLOWED);
	pgm_nl_policy_event(sk, PGM_CMD_POLICY_ALLOWED_NTF, role, family, group, cred->fsuid,
			    rule ? &rule_id : NULL, 0);
	return 0;
}

/**
 * pgm_policy_end - the connect() or join pgm_policy_begin() allowed is done
 * @sk: the socket
 * @use: what pgm_policy_begin() filled in
 *
 * When the policy changed in between, the change's work may have looked at
 * the socket before the connect() or join was done: it is made to look
 * again, so that nothing the new policy denies stays.
 */
void pgm_policy_end(struct sock *sk, const struct pgm_policy_use *use)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));

	if (use->locked)
		mutex_unlock(&pn->policy_use_lock);
	if (smp_load_acquire(&pn->policy_gen) != use->gen) {
		WRITE_ONCE(pgm_sk(sk)->policy_gen, 0);
		schedule_work(&pn->policy_work);
	}
}

/*
 * Where the group is in the value @buf (@len bytes) of a membership
 * option of the IP layers, and its family; NULL when @optname names no
 * group or @buf is too short for it (the IP layer then refuses it).
 * *@join: the option joins (the others leave, or filter sources of a
 * group joined already).
 */
static void *pgm_policy_opt_group(int level, int optname, void *buf, unsigned int len,
				  sa_family_t *family, bool *join)
{
	/* MCAST_*'s structures are packed in a 32-bit process (compat_group_req). */
	unsigned int gr_off = in_compat_syscall() ? 4 : offsetof(struct group_req, gr_group);
	struct __kernel_sockaddr_storage *ss = buf + gr_off;

	*join = false;
	switch (optname) {
	case MCAST_JOIN_GROUP:
	case MCAST_JOIN_SOURCE_GROUP:
		*join = true;
		fallthrough;
	case MCAST_LEAVE_GROUP:
	case MCAST_LEAVE_SOURCE_GROUP:
	case MCAST_BLOCK_SOURCE:
	case MCAST_UNBLOCK_SOURCE:
		if (len < gr_off + sizeof(*ss))
			return NULL;
		*family = ss->ss_family;
		if (ss->ss_family == AF_INET)
			return &((struct sockaddr_in *)ss)->sin_addr;
		if (ss->ss_family == AF_INET6)
			return &((struct sockaddr_in6 *)ss)->sin6_addr;
		return NULL;
	}
	if (level == SOL_IP) {
		switch (optname) {
		case IP_ADD_MEMBERSHIP:
		case IP_ADD_SOURCE_MEMBERSHIP:
			*join = true;
			fallthrough;
		case IP_DROP_MEMBERSHIP:
		case IP_DROP_SOURCE_MEMBERSHIP:
		case IP_BLOCK_SOURCE:
		case IP_UNBLOCK_SOURCE:
			*family = AF_INET;
			/* imr_multiaddr leads ip_mreq, ip_mreqn and ip_mreq_source */
			return len < sizeof(struct in_addr) ? NULL : buf;
		}
	}
	if (level == SOL_IPV6 && (optname == IPV6_ADD_MEMBERSHIP || optname == IPV6_DROP_MEMBERSHIP)) {
		*join = optname == IPV6_ADD_MEMBERSHIP;
		*family = AF_INET6;
		return len < sizeof(struct in6_addr) ? NULL : buf;
	}
	return NULL;
}

/**
 * pgm_policy_ip_setsockopt - an SOL_IP or SOL_IPV6 option, under the netns's policy
 * @sk: the socket
 * @level: SOL_IP or SOL_IPV6
 * @optname: the option
 * @optval: its value, from the caller
 * @optlen: its length
 * @set: the IP layer's setsockopt (ip_setsockopt, ipv6_setsockopt)
 *
 * Under a policy, a join is checked with the group it names, and every
 * membership option naming a logical group is given its physical group
 * instead.  The IP layer is given the very bytes that were checked and
 * rewritten (a copy in the kernel), so that the caller cannot change them
 * in between.
 *
 * Return: -EACCES, -ENOBUFS (max-groups), or what @set returns.
 */
int pgm_policy_ip_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
			     unsigned int optlen,
			     int (*set)(struct sock *sk, int level, int optname, sockptr_t optval,
					unsigned int optlen))
{
	union {
		struct group_source_req gsr;	/* the largest of them */
		u8 b[sizeof(struct group_source_req)];
	} buf;
	union pgm_addr group;
	sa_family_t family = 0;
	struct pgm_policy_use use = {};
	unsigned int len, alen;
	bool join;
	void *at;
	int err;

	if (!static_branch_unlikely(&pgm_policy_used) ||
	    !rcu_access_pointer(pgm_pernet(sock_net(sk))->policy))
		return set(sk, level, optname, optval, optlen);
	memset(&buf, 0, sizeof(buf));
	/* Only membership options are looked into (the name tells). */
	if (!pgm_policy_opt_group(level, optname, &buf, sizeof(buf), &family, &join) &&
	    !(optname == MCAST_JOIN_GROUP || optname == MCAST_LEAVE_GROUP ||
	      optname == MCAST_JOIN_SOURCE_GROUP || optname == MCAST_LEAVE_SOURCE_GROUP ||
	      optname == MCAST_BLOCK_SOURCE || optname == MCAST_UNBLOCK_SOURCE))
		return set(sk, level, optname, optval, optlen);
	len = min_t(unsigned int, optlen, sizeof(buf));
	if (copy_from_sockptr(&buf, optval, len))
		return -EFAULT;
	at = pgm_policy_opt_group(level, optname, &buf, len, &family, &join);
	if (at) {
		alen = family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);
		memset(&group, 0, sizeof(group));
		memcpy(&group, at, alen);
		if (join) {
			err = pgm_policy_begin(sk, PGM_POLICY_ROLE_RECEIVER, family, &group, &use);
			if (err)
				return err;
		}
		if (pgm_policy_physical(sock_net(sk), family, &group))
			memcpy(at, &group, alen);
	}
	err = set(sk, level, optname, KERNEL_SOCKPTR(&buf), len);
	pgm_policy_end(sk, &use);
	return err;
}

/*
 * Has @sk joined @daddr itself?  Its IP layer's membership list, under
 * RCU: bounded by what IP lets one socket join (igmp_max_memberships;
 * IPv6, its option memory).
 */
static bool pgm_policy_joined(struct sock *sk, const union pgm_addr *daddr)
{
	if (sk->sk_family == AF_INET6) {
		const struct ipv6_mc_socklist *m;

		for (m = rcu_dereference(inet6_sk(sk)->ipv6_mc_list); m;
		     m = rcu_dereference(m->next))
			if (ipv6_addr_equal(&m->addr, &daddr->in6))
				return true;
		return false;
	} else {
		const struct ip_mc_socklist *m;

		for (m = rcu_dereference(inet_sk(sk)->mc_list); m; m = rcu_dereference(m->next_rcu))
			if (m->multi.imr_multiaddr.s_addr == daddr->ip)
				return true;
		return false;
	}
}

/**
 * pgm_policy_rcv_refuses - does the policy keep a packet from receiver @sk?
 * @pn: @sk's netns
 * @sk: a receiver whose port and address want the packet
 * @daddr: the packet's destination, of @sk's family
 *
 * Under a policy, a multicast packet goes only to a receiver that joined
 * its group; counted in in_policy when it does not.
 *
 * Context: softirq, under rcu_read_lock().
 * Return: true when @sk must not take the packet.
 */
bool pgm_policy_rcv_refuses(struct pgm_net *pn, struct sock *sk, const union pgm_addr *daddr)
{
	if (!static_branch_unlikely(&pgm_policy_used) || !rcu_access_pointer(pn->policy) ||
	    !pgm_addr_is_mc(sk->sk_family, daddr) || pgm_policy_joined(sk, daddr))
		return false;
	pgm_mib_inc(pn, PGM_MIB_IN_POLICY);
	return true;
}

/*
 * Publish @next as @pn's policy (NULL: none) and free the old one after a
 * grace period; @gone, a rule that left the list, with it.  Keeps the
 * static key counting the netns that have one.
 */
static void pgm_policy_publish(struct pgm_net *pn, struct pgm_policy *next,
			       struct pgm_policy_rule *gone, struct pgm_policy_map *gone_map)
{
	struct pgm_policy *old = rcu_dereference_protected(pn->policy,
							   lockdep_is_held(&pn->policy_lock));

	lockdep_assert_held(&pn->policy_lock);
	if (next && next->n == 0 && next->default_action == PGM_POLICY_ACTION_ALLOW &&
	    !next->max_groups && !next->rate_cap && !next->nmaps) {
		kfree(next);
		next = NULL;
	}
	if (next && !old)
		static_branch_inc(&pgm_policy_used);
	rcu_assign_pointer(pn->policy, next);
	/* After the new policy: whoever reads the new count reads it (begin/end). */
	smp_store_release(&pn->policy_gen, pn->policy_gen + 1);
	if (old)
		kfree_rcu(old, rcu);
	if (gone)
		kfree_rcu(gone, rcu);
	if (gone_map)
		kfree_rcu(gone_map, rcu);
	if (old && !next)
		static_branch_dec(&pgm_policy_used);
	/*
	 * Live sockets the new policy denies end, and sources take their
	 * rules' rate caps (pgm_policy_revoke_work()); the shares of the
	 * policy's rate-cap are computed again at once.
	 */
	schedule_work(&pn->policy_work);
	mod_delayed_work(system_wq, &pn->policy_share_work, 0);
}

/*
 * A new policy with room for @n rules (the caller fills them in) and
 * @pn's settings and logical groups.
 */
static struct pgm_policy *pgm_policy_copy(struct pgm_net *pn, u32 n)
{
	const struct pgm_policy *old = rcu_dereference_protected(pn->policy,
								 lockdep_is_held(&pn->policy_lock));
	struct pgm_policy *p;

	lockdep_assert_held(&pn->policy_lock);
	/* Charged to the memory cgroup of the administrator who changes it. */
	p = kzalloc(struct_size(p, rule, n), GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	p->n = n;
	p->default_action = old ? old->default_action : PGM_POLICY_ACTION_ALLOW;
	p->max_groups = old ? old->max_groups : 0;
	p->rate_cap = old ? old->rate_cap : 0;
	if (old) {
		p->nmaps = old->nmaps;
		memcpy(p->map, old->map, old->nmaps * sizeof(p->map[0]));
	}
	return p;
}

/**
 * pgm_policy_set - set the policy's default action, max-groups and rate-cap
 * @pn: the netns
 * @action: enum pgm_policy_action, or NULL to keep it
 * @max_groups: the limit (0: none), or NULL to keep it
 * @rate_cap: bytes/s of all non-exempt sources (0: none), or NULL to keep it
 *
 * A lower max-groups refuses new groups; the groups in use stay.
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0 or -ENOMEM.
 */
int pgm_policy_set(struct pgm_net *pn, const u32 *action, const u32 *max_groups,
		   const u32 *rate_cap)
{
	const struct pgm_policy *old;
	struct pgm_policy *p;
	u32 n;

	mutex_lock(&pn->policy_lock);
	old = rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->policy_lock));
	n = old ? old->n : 0;
	p = pgm_policy_copy(pn, n);
	if (!p) {
		mutex_unlock(&pn->policy_lock);
		return -ENOMEM;
	}
	if (old)
		memcpy(p->rule, old->rule, n * sizeof(p->rule[0]));
	if (action)
		p->default_action = *action;
	if (max_groups)
		p->max_groups = *max_groups;
	if (rate_cap)
		p->rate_cap = *rate_cap;
	pgm_policy_publish(pn, p, NULL, NULL);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/**
 * pgm_policy_add - insert a rule
 * @pn: the netns
 * @r: the rule, allocated by the caller with GFP_KERNEL_ACCOUNT; on success
 *     the policy owns it and gives it its id, on failure the caller frees it
 * @index: where to insert it; U32_MAX (or past the end) for the end
 * @idx: set to the index it got
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0, -ENOSPC (PGM_POLICY_RULES_MAX rules already) or -ENOMEM.
 */
int pgm_policy_add(struct pgm_net *pn, struct pgm_policy_rule *r, u32 index, u32 *idx)
{
	const struct pgm_policy *old;
	struct pgm_policy *p;
	u32 n;

	mutex_lock(&pn->policy_lock);
	old = rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->policy_lock));
	n = old ? old->n : 0;
	if (n >= PGM_POLICY_RULES_MAX) {
		mutex_unlock(&pn->policy_lock);
		return -ENOSPC;
	}
	p = pgm_policy_copy(pn, n + 1);
	if (!p) {
		mutex_unlock(&pn->policy_lock);
		return -ENOMEM;
	}
	index = min(index, n);
	if (old) {
		memcpy(p->rule, old->rule, index * sizeof(p->rule[0]));
		memcpy(p->rule + index + 1, old->rule + index, (n - index) * sizeof(p->rule[0]));
	}
	/* Ids are not reused while a rule that has one lives: 2^32 adds apart. */
	r->id = ++pn->policy_ids;
	if (!r->id)
		r->id = ++pn->policy_ids;
	p->rule[index] = r;
	*idx = index;
	pgm_policy_publish(pn, p, NULL, NULL);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/**
 * pgm_policy_del - delete the rule with id @id
 * @pn: the netns
 * @id: its id
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0, -ENOENT or -ENOMEM.
 */
int pgm_policy_del(struct pgm_net *pn, u32 id)
{
	const struct pgm_policy *old;
	struct pgm_policy *p;
	u32 i;

	mutex_lock(&pn->policy_lock);
	old = rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->policy_lock));
	for (i = 0; old && i < old->n; i++)
		if (old->rule[i]->id == id)
			break;
	if (!old || i == old->n) {
		mutex_unlock(&pn->policy_lock);
		return -ENOENT;
	}
	p = pgm_policy_copy(pn, old->n - 1);
	if (!p) {
		mutex_unlock(&pn->policy_lock);
		return -ENOMEM;
	}
	memcpy(p->rule, old->rule, i * sizeof(p->rule[0]));
	memcpy(p->rule + i, old->rule + i + 1, (old->n - i - 1) * sizeof(p->rule[0]));
	pgm_policy_publish(pn, p, old->rule[i], NULL);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/*
 * Apply the policy to one live socket, as a change left it: a source
 * whose group it now denies ends with OPT_RST and fails from then on with
 * EACCES; a socket leaves each group it may no longer receive, and its
 * sessions there end.  Takes RTNL (the IP layers' memberships) and the
 * socket's lock, in that order, as setsockopt() does.
 */
static void pgm_policy_revoke_sock(struct pgm_net *pn, struct sock *sk)
{
	struct pgm_sock *ps = pgm_sk(sk);
	const struct cred *cred = ps->cred;
	struct pgm_policy_rule *rule;
	const struct pgm_policy *pol;
	union pgm_addr g;
	u32 rule_id;
	u8 action;

	rtnl_lock();
	lock_sock(sk);
	if (sock_flag(sk, SOCK_DEAD) || !cred)
		goto out;
	if (rcu_access_pointer(ps->src)) {
		bool exempt = false, capped = false;
		u32 rule_cap = 0;

		/* As named at connect(): a logical group's rules, not its physical group's. */
		g = ps->policy_group;
		rcu_read_lock();
		pol = rcu_dereference(pn->policy);
		action = pol ? pgm_policy_decide(pol, sk, cred, PGM_POLICY_ROLE_SOURCE, sk->sk_family,
						 &g, &rule) : PGM_POLICY_ACTION_ALLOW;
		rule = pol ? rule : NULL;
		rule_id = rule ? rule->id : 0;
		if (rule) {
			rule_cap = rule->rate_cap;
			exempt = rule->exempt;
		}
		capped = pol && pol->rate_cap;
		rcu_read_unlock();
		if (action == PGM_POLICY_ACTION_ALLOW) {
			/*
			 * Its rule's cap now; its share stays until the share
			 * work's next look (kicked with this change).
			 */
			pgm_source_policy_rate(rcu_dereference_protected(ps->src,
									 lockdep_sock_is_held(sk)),
					       rule_cap, exempt, capped ? PGM_SHARE_KEEP : 0);
		} else {
			WRITE_ONCE(ps->revoked, true);
			pgm_source_reset(sk);
			sk->sk_err = EACCES;
			sk_error_report(sk);
			pgm_mib_inc(pn, PGM_MIB_POLICY_REVOKED);
			pgm_nl_policy_event(sk, PGM_CMD_POLICY_REVOKED_NTF, PGM_POLICY_ROLE_SOURCE,
					    sk->sk_family, &g, cred->fsuid,
					    rule_id ? &rule_id : NULL, EACCES);
		}
	}
	/*
	 * Each membership the policy now denies, one at a time: leaving
	 * changes the list (under RTNL, which we hold).
	 */
	for (;;) {
		struct ip_mreqn mreq = {};
		sa_family_t f = 0;
		int ifindex = 0;

		rcu_read_lock();
		pol = rcu_dereference(pn->policy);
		if (pol && sk->sk_family == AF_INET6) {
			const struct ipv6_mc_socklist *m6;

			for (m6 = rtnl_dereference(inet6_sk(sk)->ipv6_mc_list); m6;
			     m6 = rtnl_dereference(m6->next)) {
				g.in6 = m6->addr;
				if (pgm_policy_decide(pol, sk, cred, PGM_POLICY_ROLE_RECEIVER, AF_INET6,
						      &g, &rule) != PGM_POLICY_ACTION_ALLOW) {
					f = AF_INET6;
					ifindex = m6->ifindex;
					break;
				}
			}
		}
		if (pol && !f) {
			const struct ip_mc_socklist *m4;

			for (m4 = rtnl_dereference(ps->inet.mc_list); m4;
			     m4 = rtnl_dereference(m4->next_rcu)) {
				pgm_addr_set_v4(&g, m4->multi.imr_multiaddr.s_addr);
				if (pgm_policy_decide(pol, sk, cred, PGM_POLICY_ROLE_RECEIVER, AF_INET,
						      &g, &rule) != PGM_POLICY_ACTION_ALLOW) {
					f = AF_INET;
					mreq = m4->multi;
					break;
				}
			}
		}
		rule_id = f && rule ? rule->id : 0;
		rcu_read_unlock();
		if (!f)
			break;
		if (f == AF_INET6 ? ipv6_sock_mc_drop(sk, ifindex, &g.in6) :
				    ip_mc_leave_group(sk, &mreq))
			break;	/* not left: do not try it again */
		if (f == sk->sk_family)
			pgm_receiver_reset_group(sk, &g);
		pgm_mib_inc(pn, PGM_MIB_POLICY_REVOKED);
		pgm_nl_policy_event(sk, PGM_CMD_POLICY_REVOKED_NTF, PGM_POLICY_ROLE_RECEIVER, f, &g,
				    cred->fsuid, rule_id ? &rule_id : NULL, EACCES);
	}
out:
	release_sock(sk);
	rtnl_unlock();
}

/*
 * After a change of @pn's policy: apply it to the live sockets.  They are
 * taken (held) under RCU, a bounded batch at a time, and handled where
 * sleeping is allowed; each socket records the change it has seen
 * (pgm_sock.policy_gen), so that a batch takes only sockets not handled
 * yet, however the list changes in between.
 */
static void pgm_policy_revoke_work(struct work_struct *work)
{
	struct pgm_net *pn = container_of(work, struct pgm_net, policy_work);
	u32 gen = READ_ONCE(pn->policy_gen);
	enum { BATCH = 64 };
	struct sock *batch[BATCH];
	struct pgm_sock *ps;
	unsigned int n, i;

	do {
		n = 0;
		rcu_read_lock();
		hlist_for_each_entry_rcu(ps, &pn->sockets, node) {
			struct sock *sk = &ps->inet.sk;

			if (READ_ONCE(ps->policy_gen) == gen)
				continue;
			if (n == BATCH)
				break;
			if (refcount_inc_not_zero(&sk->sk_refcnt))
				batch[n++] = sk;
		}
		rcu_read_unlock();
		for (i = 0; i < n; i++) {
			WRITE_ONCE(pgm_sk(batch[i])->policy_gen, gen);
			pgm_policy_revoke_sock(pn, batch[i]);
			sock_put(batch[i]);
		}
	} while (n == BATCH);
}

/* One source in the computation of the shares. */
struct pgm_share {
	struct pgm_source	*src;
	u64			demand;	/* bytes/s */
	u32			rule_cap;
	u32			share;
};

static int pgm_share_cmp(const void *a, const void *b)
{
	const struct pgm_share *x = a, *y = b;

	return x->demand < y->demand ? -1 : x->demand > y->demand;
}

/*
 * The demand of a source for the policy's rate-cap @cap: what it would
 * send without it (its own limit and its rule's cap, else all of @cap).
 * But a source that uses less than half of what it is allowed, both over
 * the last period (@used bytes in @ns) and on average (u->avg, a moving
 * average with weight 1/8 a period, about a second), is taken at what it
 * uses and a quarter more, at least @cap/64: it keeps what it uses, and
 * the others share the rest (Dr. Multicast's light senders).  Once it
 * uses half in one period, it asks for all it could take again at the
 * next look, 100 ms later: slow to give up a share, quick to take it back.
 */
static u64 pgm_share_demand(const struct pgm_source_usage *u, u32 cap, u64 used, u64 ns)
{
	u64 ceiling = pgm_rate_min_u64(pgm_rate_min_u64(u->own, u->rule_cap), cap);
	u64 allowed = u->allowed ? : ceiling, rate;

	if (!ns)
		return ceiling;		/* new: all it may */
	rate = div64_u64(used * NSEC_PER_SEC, ns);
	if (rate * 2 >= allowed || u->avg * 2 >= allowed)
		return ceiling;
	rate = max(rate, u->avg);
	return clamp_t(u64, rate + rate / 4, max_t(u32, cap / 64, 1), ceiling);
}

/*
 * Every 100 ms while the netns's policy has a rate-cap (and once more
 * when it loses it): divide the cap among the non-exempt sources, max-min
 * fairly (water-filling over the sorted demands, as the model's
 * maxMinFairShares), and give each its share.  A source beyond the
 * batch this pass could hold waits for the next.
 */
static void pgm_policy_share_work(struct work_struct *work)
{
	struct pgm_net *pn = container_of(to_delayed_work(work), struct pgm_net,
					  policy_share_work);
	unsigned int cap_n = READ_ONCE(pn->nsockets) + 8, n = 0, i;
	const struct pgm_policy *pol;
	struct pgm_share *sh;
	struct pgm_sock *ps;
	u64 left;
	u32 cap;

	sh = kvmalloc_array(cap_n, sizeof(*sh), GFP_KERNEL);
	if (!sh) {
		queue_delayed_work(system_wq, &pn->policy_share_work, HZ / 10);
		return;
	}
	rcu_read_lock();
	pol = rcu_dereference(pn->policy);
	cap = pol ? pol->rate_cap : 0;
	hlist_for_each_entry_rcu(ps, &pn->sockets, node) {
		struct pgm_source *src = rcu_dereference(ps->src);
		struct pgm_source_usage u;
		u64 ns;

		if (!src || n == cap_n || !pgm_source_usage(src, &u, &ns))
			continue;
		if (!cap || u.exempt) {
			/* Out of the pool: its rule's cap only. */
			pgm_source_policy_rate(src, u.rule_cap, u.exempt, 0);
			continue;
		}
		sh[n].src = src;
		sh[n].rule_cap = u.rule_cap;
		sh[n].demand = pgm_share_demand(&u, cap, u.sent, ns);
		n++;
	}
	sort(sh, n, sizeof(*sh), pgm_share_cmp, NULL);
	left = cap;
	for (i = 0; i < n; i++) {
		u64 share = min(sh[i].demand, div_u64(left, n - i));

		/* At least a byte a second: 0 would be no limit. */
		sh[i].share = max_t(u64, share, 1);
		left -= min(left, share);
		pgm_source_policy_rate(sh[i].src, sh[i].rule_cap, false, sh[i].share);
	}
	rcu_read_unlock();
	kvfree(sh);
	if (cap && n)
		queue_delayed_work(system_wq, &pn->policy_share_work, HZ / 10);
}

/**
 * pgm_policy_source_started - a source connected: its rule's rate cap, its share
 * @sk: the socket, locked, its session just started
 *
 * Until the shares are computed again (at once), a source under the
 * policy's rate-cap takes an equal part of it among the netns's sockets.
 */
void pgm_policy_source_started(struct sock *sk)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_policy_rule *rule = NULL;
	const struct pgm_policy *pol;
	bool exempt = false;
	u32 rule_cap = 0, share = 0;
	union pgm_addr g;

	if (!static_branch_unlikely(&pgm_policy_used))
		return;
	g = ps->policy_group;	/* as connect() named it */
	rcu_read_lock();
	pol = rcu_dereference(pn->policy);
	if (pol) {
		pgm_policy_decide(pol, sk, pgm_policy_cred(sk), PGM_POLICY_ROLE_SOURCE, sk->sk_family,
				  &g, &rule);
		if (rule) {
			rule_cap = rule->rate_cap;
			exempt = rule->exempt;
		}
		if (pol->rate_cap && !exempt)
			share = max_t(u32, pol->rate_cap / max(READ_ONCE(pn->nsockets), 1U), 1);
	}
	rcu_read_unlock();
	if (!rule && !share)
		return;		/* nothing of the policy is about its rate */
	pgm_source_policy_rate(rcu_dereference_protected(ps->src, lockdep_sock_is_held(sk)),
			       rule_cap, exempt, share);
	if (share)
		mod_delayed_work(system_wq, &pn->policy_share_work, 0);
}

/* The mapping of @group, of @family, in @pol; under RCU or the policy's lock. */
static struct pgm_policy_map *pgm_policy_map_find(const struct pgm_policy *pol, sa_family_t family,
						  const union pgm_addr *group, u32 *at)
{
	u32 i;

	for (i = 0; pol && i < pol->nmaps; i++) {
		if (pol->map[i]->family == family &&
		    pgm_addr_eq(family, &pol->map[i]->logical, group)) {
			if (at)
				*at = i;
			return pol->map[i];
		}
	}
	return NULL;
}

/**
 * pgm_policy_physical - the group a logical group stands for
 * @net: the netns
 * @family: @group's family
 * @group: a group an application named; replaced by its physical group
 *
 * Context: any.
 * Return: whether @group was replaced.
 */
bool pgm_policy_physical(struct net *net, sa_family_t family, union pgm_addr *group)
{
	const struct pgm_policy_map *m;
	bool done = false;

	if (!static_branch_unlikely(&pgm_policy_used))
		return false;
	rcu_read_lock();
	m = pgm_policy_map_find(rcu_dereference(pgm_pernet(net)->policy), family, group, NULL);
	if (m && !m->n) {
		*group = m->physical;
		done = true;
	}
	rcu_read_unlock();
	return done;
}

/**
 * pgm_policy_fanout - the unicast receivers a source's group stands for
 * @sk: the source, connecting
 * @group: its group
 * @n: set to how many
 *
 * Context: process.
 * Return: a copy of their addresses for the session to keep (kfree it),
 * or NULL when the group maps to none (or memory ran out: then *@n is 0
 * and the source sends to the group).
 */
union pgm_addr *pgm_policy_fanout(struct sock *sk, const union pgm_addr *group, u32 *n)
{
	const struct pgm_policy_map *m;
	union pgm_addr *a = NULL;
	u32 k = 0;

	*n = 0;
	if (!static_branch_unlikely(&pgm_policy_used))
		return NULL;
	rcu_read_lock();
	m = pgm_policy_map_find(rcu_dereference(pgm_pernet(sock_net(sk))->policy), sk->sk_family,
				group, NULL);
	if (m && m->n) {
		/* Charged to the source's owner, as its window is. */
		a = kmemdup(m->unicast, m->n * sizeof(*a), GFP_ATOMIC | __GFP_ACCOUNT);
		k = a ? m->n : 0;
	}
	rcu_read_unlock();
	*n = k;
	return a;
}

/**
 * pgm_policy_map_set - map a logical group, replacing its old mapping
 * @pn: the netns
 * @m: the mapping, allocated by the caller with GFP_KERNEL_ACCOUNT; the
 *     policy owns it on success, the caller frees it on failure
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0, -ENOSPC (PGM_POLICY_MAPS_MAX already) or -ENOMEM.
 */
int pgm_policy_map_set(struct pgm_net *pn, struct pgm_policy_map *m)
{
	const struct pgm_policy *old;
	struct pgm_policy_map *gone;
	struct pgm_policy *p;
	u32 at = 0;

	mutex_lock(&pn->policy_lock);
	old = rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->policy_lock));
	gone = pgm_policy_map_find(old, m->family, &m->logical, &at);
	if (!gone && old && old->nmaps >= PGM_POLICY_MAPS_MAX) {
		mutex_unlock(&pn->policy_lock);
		return -ENOSPC;
	}
	p = pgm_policy_copy(pn, old ? old->n : 0);
	if (!p) {
		mutex_unlock(&pn->policy_lock);
		return -ENOMEM;
	}
	if (old)
		memcpy(p->rule, old->rule, old->n * sizeof(p->rule[0]));
	if (gone)
		p->map[at] = m;
	else
		p->map[p->nmaps++] = m;
	pgm_policy_publish(pn, p, NULL, gone);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/**
 * pgm_policy_map_del - forget a logical group
 * @pn: the netns
 * @family: its family
 * @logical: the group
 *
 * Sessions that use it keep what they took at connect() (their physical
 * group or their receivers).
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0, -ENOENT or -ENOMEM.
 */
int pgm_policy_map_del(struct pgm_net *pn, sa_family_t family, const union pgm_addr *logical)
{
	const struct pgm_policy *old;
	struct pgm_policy_map *gone;
	struct pgm_policy *p;
	u32 at = 0;

	mutex_lock(&pn->policy_lock);
	old = rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->policy_lock));
	gone = pgm_policy_map_find(old, family, logical, &at);
	if (!gone) {
		mutex_unlock(&pn->policy_lock);
		return -ENOENT;
	}
	p = pgm_policy_copy(pn, old->n);
	if (!p) {
		mutex_unlock(&pn->policy_lock);
		return -ENOMEM;
	}
	memcpy(p->rule, old->rule, old->n * sizeof(p->rule[0]));
	p->map[at] = p->map[--p->nmaps];
	pgm_policy_publish(pn, p, NULL, gone);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/* pgm_policy_net_init - a new netns has no policy */
void pgm_policy_net_init(struct pgm_net *pn)
{
	mutex_init(&pn->policy_lock);
	mutex_init(&pn->policy_use_lock);
	INIT_WORK(&pn->policy_work, pgm_policy_revoke_work);
	INIT_DELAYED_WORK(&pn->policy_share_work, pgm_policy_share_work);
	RCU_INIT_POINTER(pn->policy, NULL);
	pn->policy_ids = 0;
	pn->policy_gen = 1;	/* cb->seq 0 means "not checked" */
}

/*
 * pgm_policy_net_exit - free a netns's policy: no socket of it is left,
 * and netlink's requests for it have ended.
 */
void pgm_policy_net_exit(struct pgm_net *pn)
{
	struct pgm_policy *p = rcu_dereference_protected(pn->policy, true);
	u32 i;

	cancel_work_sync(&pn->policy_work);
	cancel_delayed_work_sync(&pn->policy_share_work);
	mutex_destroy(&pn->policy_lock);
	mutex_destroy(&pn->policy_use_lock);
	if (!p)
		return;
	RCU_INIT_POINTER(pn->policy, NULL);
	/* The input path may still be reading them. */
	for (i = 0; i < p->n; i++)
		kfree_rcu(p->rule[i], rcu);
	for (i = 0; i < p->nmaps; i++)
		kfree_rcu(p->map[i], rcu);
	kfree_rcu(p, rcu);
	static_branch_dec(&pgm_policy_used);
}
