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
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/jump_label.h>
#include <linux/slab.h>
#include <net/if_inet6.h>
#include <net/sock.h>

#include "pgm.h"

DEFINE_STATIC_KEY_FALSE(pgm_policy_used);

/* The credentials a socket acts with: its file's (netfilter's owner match). */
static const struct cred *pgm_policy_cred(const struct sock *sk)
{
	const struct socket *sock = sk->sk_socket;

	return sock && sock->file ? sock->file->f_cred : current_cred();
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

static bool pgm_policy_match(const struct pgm_policy_rule *r, const struct cred *cred, u8 role,
			     sa_family_t family, const union pgm_addr *group)
{
	if (r->role != PGM_POLICY_ROLE_ANY && r->role != role)
		return false;
	if (r->has_uids && (uid_lt(cred->fsuid, r->uid_min) || uid_gt(cred->fsuid, r->uid_max)))
		return false;
	if (r->has_gid && !pgm_policy_in_group(cred, r->gid))
		return false;
	return pgm_policy_group_match(r, family, group);
}

/**
 * pgm_policy_check - may @sk use @group in @role?
 * @sk: the socket, in process context (connect, setsockopt)
 * @role: PGM_POLICY_ROLE_SOURCE (connect) or PGM_POLICY_ROLE_RECEIVER (a join)
 * @family: @group's family (an IPv6 socket may join IPv4 groups through SOL_IP)
 * @group: the group
 *
 * Counts and announces a refusal.
 *
 * Return: 0, or -EACCES when the netns's policy denies it.
 */
int pgm_policy_check(struct sock *sk, u8 role, sa_family_t family, const union pgm_addr *group)
{
	struct pgm_net *pn = pgm_pernet(sock_net(sk));
	const struct cred *cred = pgm_policy_cred(sk);
	const struct pgm_policy *pol;
	u32 rule_id = 0, i;
	bool by_rule = false;
	u8 action;

	if (!static_branch_unlikely(&pgm_policy_used))
		return 0;
	rcu_read_lock();
	pol = rcu_dereference(pn->policy);
	if (!pol) {
		rcu_read_unlock();
		return 0;
	}
	action = pol->default_action;
	for (i = 0; i < pol->n; i++) {
		struct pgm_policy_rule *r = pol->rule[i];

		if (!pgm_policy_match(r, cred, role, family, group))
			continue;
		atomic64_inc(&r->hits);
		action = r->action;
		rule_id = r->id;
		by_rule = true;
		break;
	}
	rcu_read_unlock();
	if (action == PGM_POLICY_ACTION_ALLOW)
		return 0;
	pgm_mib_inc(pn, PGM_MIB_POLICY_DENIED);
	pgm_nl_policy_denied(sk, role, family, group, cred->fsuid, by_rule ? &rule_id : NULL);
	return -EACCES;
}

/* The group of a struct sockaddr_storage of a group_req; false if of no IP family. */
static bool pgm_policy_ss_group(const struct __kernel_sockaddr_storage *ss, sa_family_t *family,
				union pgm_addr *group)
{
	switch (ss->ss_family) {
	case AF_INET:
		pgm_addr_set_v4(group, ((const struct sockaddr_in *)ss)->sin_addr.s_addr);
		break;
	case AF_INET6:
		group->in6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
		break;
	default:
		return false;
	}
	*family = ss->ss_family;
	return true;
}

/*
 * The group a join option of the IP layers names in @buf (@len bytes):
 * false when @optname does not join, or @buf is too short (the IP layer
 * then refuses it itself).
 */
static bool pgm_policy_join_group(int level, int optname, const void *buf, unsigned int len,
				  sa_family_t *family, union pgm_addr *group)
{
	/* MCAST_*'s structures are packed in a 32-bit process (compat_group_req). */
	unsigned int gr_off = in_compat_syscall() ? 4 : offsetof(struct group_req, gr_group);

	switch (optname) {
	case MCAST_JOIN_GROUP:
	case MCAST_JOIN_SOURCE_GROUP:
		if (len < gr_off + sizeof(struct __kernel_sockaddr_storage))
			return false;
		return pgm_policy_ss_group(buf + gr_off, family, group);
	}
	if (level == SOL_IP && (optname == IP_ADD_MEMBERSHIP ||
				optname == IP_ADD_SOURCE_MEMBERSHIP)) {
		if (len < sizeof(struct in_addr))
			return false;
		pgm_addr_set_v4(group, ((const struct ip_mreq *)buf)->imr_multiaddr.s_addr);
		*family = AF_INET;
		return true;
	}
	if (level == SOL_IPV6 && optname == IPV6_ADD_MEMBERSHIP) {
		if (len < sizeof(struct in6_addr))
			return false;
		group->in6 = ((const struct ipv6_mreq *)buf)->ipv6mr_multiaddr;
		*family = AF_INET6;
		return true;
	}
	return false;
}

/**
 * pgm_policy_ip_setsockopt - an SOL_IP or SOL_IPV6 option, with the policy's check of joins
 * @sk: the socket
 * @level: SOL_IP or SOL_IPV6
 * @optname: the option
 * @optval: its value, from the caller
 * @optlen: its length
 * @set: the IP layer's setsockopt (ip_setsockopt, ipv6_setsockopt)
 *
 * Under a policy, a join is checked with the group it names, and the IP
 * layer is given the very bytes that were checked (a copy in the kernel),
 * so that the caller cannot change them in between.
 *
 * Return: -EACCES, or what @set returns.
 */
int pgm_policy_ip_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
			     unsigned int optlen,
			     int (*set)(struct sock *sk, int level, int optname, sockptr_t optval,
					unsigned int optlen))
{
	union {
		struct group_source_req gsr;	/* the largest a join takes */
		u8 b[sizeof(struct group_source_req)];
	} buf;
	union pgm_addr group;
	sa_family_t family;
	unsigned int len;
	int err;

	if (!static_branch_unlikely(&pgm_policy_used) ||
	    !rcu_access_pointer(pgm_pernet(sock_net(sk))->policy))
		return set(sk, level, optname, optval, optlen);
	switch (optname) {
	case MCAST_JOIN_GROUP:
	case MCAST_JOIN_SOURCE_GROUP:
		break;
	default:
		if ((level == SOL_IP && (optname == IP_ADD_MEMBERSHIP ||
					 optname == IP_ADD_SOURCE_MEMBERSHIP)) ||
		    (level == SOL_IPV6 && optname == IPV6_ADD_MEMBERSHIP))
			break;
		return set(sk, level, optname, optval, optlen);
	}
	len = min_t(unsigned int, optlen, sizeof(buf));
	memset(&buf, 0, sizeof(buf));
	if (copy_from_sockptr(&buf, optval, len))
		return -EFAULT;
	if (pgm_policy_join_group(level, optname, &buf, len, &family, &group)) {
		err = pgm_policy_check(sk, PGM_POLICY_ROLE_RECEIVER, family, &group);
		if (err)
			return err;
	}
	return set(sk, level, optname, KERNEL_SOCKPTR(&buf), len);
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
			       struct pgm_policy_rule *gone)
{
	struct pgm_policy *old = rcu_dereference_protected(pn->policy,
							   lockdep_is_held(&pn->policy_lock));

	lockdep_assert_held(&pn->policy_lock);
	if (next && next->n == 0 && next->default_action == PGM_POLICY_ACTION_ALLOW) {
		kfree(next);
		next = NULL;
	}
	if (next && !old)
		static_branch_inc(&pgm_policy_used);
	rcu_assign_pointer(pn->policy, next);
	WRITE_ONCE(pn->policy_gen, pn->policy_gen + 1);
	if (old)
		kfree_rcu(old, rcu);
	if (gone)
		kfree_rcu(gone, rcu);
	if (old && !next)
		static_branch_dec(&pgm_policy_used);
}

/*
 * A new policy with room for @n rules (the caller fills them in) and
 * @pn's default action.
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
	return p;
}

/**
 * pgm_policy_set_default - set the action for sockets no rule matches
 * @pn: the netns
 * @action: enum pgm_policy_action
 *
 * Context: process; takes pn->policy_lock.
 * Return: 0 or -ENOMEM.
 */
int pgm_policy_set_default(struct pgm_net *pn, u8 action)
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
	p->default_action = action;
	pgm_policy_publish(pn, p, NULL);
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
	pgm_policy_publish(pn, p, NULL);
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
	pgm_policy_publish(pn, p, old->rule[i]);
	mutex_unlock(&pn->policy_lock);
	return 0;
}

/* pgm_policy_net_init - a new netns has no policy */
void pgm_policy_net_init(struct pgm_net *pn)
{
	mutex_init(&pn->policy_lock);
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

	mutex_destroy(&pn->policy_lock);
	if (!p)
		return;
	RCU_INIT_POINTER(pn->policy, NULL);
	/* The input path may still be reading them. */
	for (i = 0; i < p->n; i++)
		kfree_rcu(p->rule[i], rcu);
	kfree_rcu(p, rcu);
	static_branch_dec(&pgm_policy_used);
}
