// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - the generic-netlink family "pgm", the module's control plane.
 *
 * The family is described by pgm.yaml; scripts/ynl-gen turns it into the
 * uapi header <linux/pgm_netlink.h> and netlink-gen.c (policies, the
 * operation table, the multicast group).  This file has the handlers:
 *
 *   defaults-get, defaults-set  the netns-wide defaults every new socket
 *                               copies (pgm_net.defaults) and the netns's
 *                               own settings, through the table of
 *                               tunables (params.h); set needs CAP_NET_ADMIN
 *                               over the netns (GENL_UNS_ADMIN_PERM); the
 *                               sysctls net.pgm.* are the same values
 *   stats-get                   the netns counters (as PGM_NETNS_STATS)
 *   sock-get (dump)             every PGM socket of the netns, as ss -i
 *   peer-get (dump)             the sessions receivers follow
 *   policy-get, policy-set,     the netns's multicast policy (policy.c):
 *   policy-rule-add, -del,      its default action and its rules; changes
 *   policy-rule-get (dump)      need CAP_NET_ADMIN over the netns
 *   events (multicast group)    session start and end, unrecoverable
 *                               loss, NAK storms, rate-limit saturation,
 *                               policy refusals; joining needs
 *                               CAP_NET_ADMIN over the netns
 *                               (GENL_MCAST_CAP_NET_ADMIN)
 *
 * Reads are open to any user of the netns (the reasons are in pgm.yaml and
 * pgmctl(8)).  Locking is described in pgm.h.  Dumps page with cb->args:
 * the socket dump keeps the number of sockets done in args[0]; the peer
 * dump keeps the socket in args[0] and the peers done of it in args[1];
 * the rule dump keeps the rules done in args[0].
 */
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "pgm.h"
#include "netlink-gen.h"

static struct genl_family pgm_nl_family __ro_after_init = {
	.name		= PGM_FAMILY_NAME,
	.version	= PGM_FAMILY_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= pgm_nl_ops,
	.n_ops		= ARRAY_SIZE(pgm_nl_ops),
	.mcgrps		= pgm_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(pgm_nl_mcgrps),
};

/*
 * NL_SET_ERR_MSG_ATTR() wants a literal; ours come from the generated
 * range table and are just as static.
 */
static void pgm_nl_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		       const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

/*
 * A consistent copy of the netns's defaults and own settings, by attribute
 * type (params.h); takes pn->lock.
 */
static void pgm_nl_defaults_read(struct pgm_net *pn,
				 u32 *val /* [PGM_A_DEFAULTS_MAX + 1] */)
{
	const struct pgm_tunable *t;

	spin_lock_bh(&pn->lock);
	pgm_for_each_tunable(t)
		val[t->name] = *pgm_netns_tunable(pn, t);
	spin_unlock_bh(&pn->lock);
}

/**
 * pgm_nl_defaults_get_doit - PGM_CMD_DEFAULTS_GET: the netns's tunables
 * @skb: the request
 * @info: its attributes and sender
 *
 * Context: process, genl's mutex held (called from netlink-gen.c's ops).
 * Return: genlmsg_reply()'s result, -ENOMEM or -EMSGSIZE when the reply cannot be built.
 */
int pgm_nl_defaults_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_net *pn = pgm_pernet(genl_info_net(info));
	u32 val[PGM_A_DEFAULTS_MAX + 1];
	const struct pgm_tunable *t;
	struct sk_buff *msg;
	void *hdr;

	pgm_nl_defaults_read(pn, val);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pgm_nl_family, 0, PGM_CMD_DEFAULTS_GET);
	if (!hdr)
		goto nospace;
	pgm_for_each_tunable(t)
		if (nla_put_u32(msg, t->name, val[t->name]))
			goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * pgm_nl_defaults_set_doit - PGM_CMD_DEFAULTS_SET: change the netns's tunables
 * @skb: the request (its sender needs CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Checks every value first (the policy has done the ranges it can express;
 * here the same check as setsockopt, for the minimum of the tunables where
 * 0 means "off", and ihb-min <= ihb-max), then stores them all at once.
 *
 * Context: process, genl's mutex held.
 * Return: 0, or -EINVAL (with an extack message) and nothing changed.
 */
int pgm_nl_defaults_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_net *pn = pgm_pernet(genl_info_net(info));
	u32 val[PGM_A_DEFAULTS_MAX + 1];
	struct nlattr **tb = info->attrs;
	const struct pgm_tunable *t;
	bool any = false;
	int type;

	for (type = 1; type <= PGM_A_DEFAULTS_MAX; type++) {
		u32 v;

		if (!tb[type])
			continue;
		t = pgm_tunable_find(type);
		if (!t) {	/* the policy knows no such attribute either */
			NL_SET_BAD_ATTR(info->extack, tb[type]);
			return -EINVAL;
		}
		v = nla_get_u32(tb[type]);
		if (!pgm_tunable_valid(t, v)) {
			pgm_nl_err(info->extack, tb[type], pgm_nl_defaults_range[type].msg);
			return -EINVAL;
		}
		val[type] = v;
		any = true;
	}
	if (!any) {
		NL_SET_ERR_MSG(info->extack, "no default to set");
		return -EINVAL;
	}

	/*
	 * The sysctls net.pgm.* write the same values without genl's mutex:
	 * what the request does not set is read again, and the heartbeat
	 * bounds checked, where everything is stored.
	 */
	spin_lock_bh(&pn->lock);
	pgm_for_each_tunable(t)
		if (!tb[t->name])
			val[t->name] = *pgm_netns_tunable(pn, t);
	if (val[PGM_A_DEFAULTS_IHB_MIN] > val[PGM_A_DEFAULTS_IHB_MAX]) {
		spin_unlock_bh(&pn->lock);
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[PGM_A_DEFAULTS_IHB_MIN] ? : tb[PGM_A_DEFAULTS_IHB_MAX],
				    "ihb-min must not exceed ihb-max");
		return -EINVAL;
	}
	pgm_for_each_tunable(t)
		WRITE_ONCE(*pgm_netns_tunable(pn, t), val[t->name]);
	spin_unlock_bh(&pn->lock);
	return 0;
}

/**
 * pgm_nl_stats_get_doit - PGM_CMD_STATS_GET: the netns's counters
 * @skb: the request
 * @info: its sender
 *
 * Context: process, genl's mutex held.
 * Return: genlmsg_reply()'s result, -ENOMEM or -EMSGSIZE when the reply cannot be built.
 */
int pgm_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_netns_stats st;
	struct sk_buff *msg;
	void *hdr;

	pgm_netns_stats(pgm_pernet(genl_info_net(info)), &st);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pgm_nl_family, 0, PGM_CMD_STATS_GET);
	if (!hdr ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_PACKETS, st.in_packets, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_BYTES, st.in_bytes, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_TRUNCATED, st.in_truncated, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_BAD_CHECKSUM, st.in_bad_checksum,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_BAD_TYPE, st.in_bad_type, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_MALFORMED, st.in_malformed, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_NO_SOCKET, st.in_no_socket, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_DELIVERED, st.in_delivered, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_SOCKETS, st.sockets, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_SESSIONS_REFUSED, st.rx_sessions_refused,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_MEM_REFUSED, st.rx_mem_refused,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_WRONG_SOURCE, st.rx_wrong_source,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_SESSIONS, st.rx_sessions, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_MEM, st.rx_mem, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_POLICY_DENIED, st.policy_denied,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_IN_POLICY, st.in_policy, PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_POLICY_GROUP_LIMIT, st.policy_group_limit,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_POLICY_REVOKED, st.policy_revoked,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_POLICY_ALLOWED, st.policy_allowed,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_WINDOWS_SHED, st.rx_windows_shed,
			      PGM_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, PGM_A_STATS_RX_SOURCE_REFUSED, st.rx_source_refused,
			      PGM_A_STATS_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int pgm_nl_put_source_stats(struct sk_buff *skb, const struct pgm_source_stats *st)
{
	struct nlattr *nest = nla_nest_start(skb, PGM_A_SOCKET_SOURCE_STATS);

	if (!nest)
		return -EMSGSIZE;
#define PUT(a, f) nla_put_u64_64bit(skb, PGM_A_SOURCE_STATS_##a, st->f, PGM_A_SOURCE_STATS_PAD)
	if (PUT(DATA_BYTES_SENT, data_bytes_sent) || PUT(ODATA_SENT, odata_sent) ||
	    PUT(RDATA_SENT, rdata_sent) || PUT(RDATA_BYTES_SENT, rdata_bytes_sent) ||
	    PUT(SPM_SENT, spm_sent) || PUT(NCF_SENT, ncf_sent) ||
	    PUT(NAKS_RECEIVED, naks_received) || PUT(NAKS_IGNORED, naks_ignored) ||
	    PUT(SPMR_RECEIVED, spmr_received) || PUT(RATE_LIMITED, rate_limited) ||
	    PUT(MALFORMED, malformed) || PUT(RDATA_DEFERRED, rdata_deferred) ||
	    PUT(RDATA_UNSENT, rdata_unsent) || PUT(NAKS_PENDING, naks_pending) ||
	    PUT(NAK_LISTS_IGNORED, nak_lists_ignored) || PUT(NCF_DROPPED, ncf_dropped) ||
	    PUT(SPM_DEFERRED, spm_deferred) || PUT(RDATA_QUEUED, rdata_queued) ||
	    PUT(TXW_MEM, txw_mem) ||
	    PUT(PARITY_SENT_PROACTIVE, parity_sent_proactive) ||
	    PUT(PARITY_SENT_ONDEMAND, parity_sent_ondemand) ||
	    PUT(PARITY_NAKS_RECEIVED, parity_naks_received) ||
	    PUT(PARITY_NAKS_REFUSED, parity_naks_refused) ||
	    PUT(PARITY_BY_ORIGINALS, parity_by_originals) ||
	    PUT(RATE_WAIT_NS, rate_wait_ns) ||
	    PUT(ACKS_RECEIVED, acks_received) || PUT(ACKS_NO_FEEDBACK, acks_no_feedback) ||
	    PUT(FEEDBACK_NAKS, feedback_naks) || PUT(FEEDBACK_FOREIGN, feedback_foreign) ||
	    PUT(ACKER_CHANGES, acker_changes) || PUT(CONGESTION_EVENTS, congestion_events) ||
	    PUT(CC_TIMEOUTS, cc_timeouts) || PUT(WINDOW_LIMITED, window_limited) ||
	    PUT(CONFIRM_ACKS, confirm_acks) || PUT(CONFIRM_JOINS, confirm_joins) ||
	    PUT(CONFIRM_LEAVES, confirm_leaves) || PUT(CONFIRM_EXPIRED, confirm_expired) ||
	    PUT(CONFIRM_LOST, confirm_lost) || PUT(CONFIRM_REFUSED, confirm_refused) ||
	    PUT(CONFIRM_STALE, confirm_stale) || PUT(CONFIRM_FUTURE, confirm_future) ||
	    PUT(CONFIRM_BEHIND, confirm_behind) || PUT(FLOW_LIMITED, flow_limited)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
#undef PUT
	nla_nest_end(skb, nest);
	return 0;
}

static int pgm_nl_put_receiver_stats(struct sk_buff *skb, const struct pgm_receiver_stats *st)
{
	struct nlattr *nest = nla_nest_start(skb, PGM_A_SOCKET_RECEIVER_STATS);

	if (!nest)
		return -EMSGSIZE;
#define PUT(a, f) nla_put_u64_64bit(skb, PGM_A_RECEIVER_STATS_##a, st->f, PGM_A_RECEIVER_STATS_PAD)
	if (PUT(DATA_BYTES_RECEIVED, data_bytes_received) ||
	    PUT(APDUS_DELIVERED, apdus_delivered) || PUT(ODATA_RECEIVED, odata_received) ||
	    PUT(RDATA_RECEIVED, rdata_received) || PUT(DUPLICATES, duplicates) ||
	    PUT(NAKS_SENT, naks_sent) || PUT(NCFS_RECEIVED, ncfs_received) ||
	    PUT(SPMS_RECEIVED, spms_received) || PUT(SPMRS_SENT, spmrs_sent) ||
	    PUT(LOSSES, losses) || PUT(MALFORMED, malformed) ||
	    PUT(OUTSIDE_WINDOW, outside_window) || PUT(SESSIONS_REFUSED, sessions_refused) ||
	    PUT(MEM_REFUSED, mem_refused) || PUT(WRONG_SOURCE, wrong_source) ||
	    PUT(NAKS_DEFERRED, naks_deferred) || PUT(MEM, mem) ||
	    PUT(REPAIRS, repairs) || PUT(REPAIR_US_TOTAL, repair_us_total) ||
	    PUT(REPAIR_US_MAX, repair_us_max) ||
	    PUT(PARITY_RECEIVED, parity_received) || PUT(PARITY_DROPPED, parity_dropped) ||
	    PUT(PARITY_UNUSED, parity_unused) || PUT(GROUPS_REBUILT, groups_rebuilt) ||
	    PUT(PARITY_NAKS_SENT, parity_naks_sent) || PUT(FEC_K_REFUSED, fec_k_refused) ||
	    PUT(ACKS_SENT, acks_sent) || PUT(ACKS_NO_PATH, acks_no_path) ||
	    PUT(ACKS_NO_CREDIT, acks_no_credit) ||
	    PUT(CONFIRM_ACKS_SENT, confirm_acks_sent) || PUT(CONFIRM_NO_CREDIT, confirm_no_credit) ||
	    PUT(WINDOWS_SHED, windows_shed) || PUT(SOURCE_REFUSED, source_refused)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
#undef PUT
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * An address attribute of a socket of family @f: @type4, a u32 in network
 * order, for an IPv4 socket; @type6, 16 bytes in network order, for an
 * IPv6 one (pgm.yaml's addr and addr6, source and source6, ...).
 */
static int pgm_nl_put_addr(struct sk_buff *skb, sa_family_t f, int type4, int type6,
			   const union pgm_addr *a)
{
	if (f == AF_INET6)
		return nla_put_in6_addr(skb, type6, &a->in6);
	return nla_put_in_addr(skb, type4, a->ip);
}

/*
 * The address a socket that is neither source nor receiver sends from
 * (bind() to a unicast address); unspecified when it has none.  Read
 * without the socket's lock, as the rest of a dump: a snapshot.
 */
static void pgm_nl_sk_saddr(struct sock *sk, union pgm_addr *a)
{
	if (sk->sk_family == AF_INET6) {
		memset(a, 0, sizeof(*a));
		memcpy(&a->in6, &inet6_sk(sk)->saddr, sizeof(a->in6));
		return;
	}
	pgm_addr_set_v4(a, READ_ONCE(inet_sk(sk)->inet_saddr));
}

/* A source socket's attributes: its TSI, addresses, window and statistics. */
static int pgm_nl_put_source_sock(struct sk_buff *skb, sa_family_t f, const u8 *gsi,
				  const struct pgm_source_info *si)
{
	struct pgm_tsi tsi;

	memcpy(tsi.gsi, gsi, PGM_GSI_LEN);
	tsi.sport = si->sport;
	if (nla_put(skb, PGM_A_SOCKET_TSI, sizeof(tsi), &tsi) ||
	    pgm_nl_put_addr(skb, f, PGM_A_SOCKET_ADDR, PGM_A_SOCKET_ADDR6, &si->nla) ||
	    pgm_nl_put_addr(skb, f, PGM_A_SOCKET_GROUP, PGM_A_SOCKET_GROUP6, &si->group) ||
	    nla_put_u16(skb, PGM_A_SOCKET_PORT, ntohs(si->dport)) ||
	    nla_put_u16(skb, PGM_A_SOCKET_SPORT, ntohs(si->sport)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_TXW_TRAIL, si->st.txw_trail) ||
	    nla_put_u32(skb, PGM_A_SOCKET_TXW_LEAD, si->st.txw_lead) ||
	    nla_put_u32(skb, PGM_A_SOCKET_TXW_SIZE, si->size) ||
	    nla_put_u64_64bit(skb, PGM_A_SOCKET_TXW_BYTES, si->held, PGM_A_SOCKET_PAD) ||
	    nla_put_u32(skb, PGM_A_SOCKET_RATE_LIMIT, si->rate) ||
	    (si->policy_rate && nla_put_u32(skb, PGM_A_SOCKET_POLICY_RATE, si->policy_rate)))
		return -EMSGSIZE;
	/* PGMCC: W is one packet at least when it runs, 0 without. */
	if (si->st.cc_window) {
		union pgm_addr acker = {};

		memcpy(&acker, si->st.cc_acker, sizeof(si->st.cc_acker));
		if ((memchr_inv(si->st.cc_acker, 0, sizeof(si->st.cc_acker)) &&
		     pgm_nl_put_addr(skb, f, PGM_A_SOCKET_PGMCC_ACKER, PGM_A_SOCKET_PGMCC_ACKER6,
				     &acker)) ||
		    nla_put_u32(skb, PGM_A_SOCKET_PGMCC_WINDOW, si->st.cc_window) ||
		    nla_put_u32(skb, PGM_A_SOCKET_PGMCC_RTT_US, si->st.cc_rtt_us) ||
		    nla_put_u32(skb, PGM_A_SOCKET_PGMCC_LOSS_RATE, si->st.cc_loss))
			return -EMSGSIZE;
	}
	/* Confirmed delivery: the receivers and, while one is live, CONFIRMED. */
	if (si->confirm &&
	    (nla_put_u32(skb, PGM_A_SOCKET_CONFIRM_RECEIVERS, si->st.confirm_receivers) ||
	     ((si->st.confirm_flags & PGM_CONFIRMED_VALID) &&
	      nla_put_u32(skb, PGM_A_SOCKET_CONFIRMED_SQN, si->st.confirmed))))
		return -EMSGSIZE;
	return pgm_nl_put_source_stats(skb, &si->st);
}

/* One socket of the dump, under rcu_read_lock(). */
static int pgm_nl_fill_sock(struct sk_buff *skb, struct netlink_callback *cb,
			    struct pgm_sock *ps)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	struct sock *sk = &ps->inet.sk;
	struct inet_sock *inet = &ps->inet;
	struct pgm_source_info si;
	struct pgm_receiver_info ri;
	struct pgm_source *src;
	struct pgm_receiver *rcv;
	bool is_src = false, is_rcv = false;
	u32 role = READ_ONCE(ps->role), state = PGM_SOCK_STATE_IDLE;
	/* The dump runs for the reader (its recvmsg): its pid namespace. */
	pid_t pid = pid_nr_ns(ps->owner, task_active_pid_ns(current));
	union pgm_addr rcv_addr, saddr;
	u8 gsi[PGM_GSI_LEN];
	void *hdr;

	pgm_sk_rcv_addr(sk, &rcv_addr);
	src = rcu_dereference(ps->src);
	if (src)
		is_src = pgm_source_info(src, &si);
	rcv = rcu_dereference(ps->rcv);
	if (rcv)
		is_rcv = pgm_receiver_info(rcv, &ri);
	if (is_src)
		state = si.closing ? PGM_SOCK_STATE_CLOSING : PGM_SOCK_STATE_ACTIVE;
	else if (is_rcv)
		state = ri.aborted ? PGM_SOCK_STATE_ABORTED : PGM_SOCK_STATE_ACTIVE;
	memcpy(gsi, ps->gsi, PGM_GSI_LEN);

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pgm_nl_family, NLM_F_MULTI, PGM_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, PGM_A_SOCKET_INODE, ps->ino) ||
	    nla_put_u32(skb, PGM_A_SOCKET_UID, from_kuid_munged(ns, sock_i_uid(sk))) ||
	    nla_put_u32(skb, PGM_A_SOCKET_FAMILY, sk->sk_family) ||
	    nla_put_u32(skb, PGM_A_SOCKET_ROLE, role) ||
	    nla_put_u32(skb, PGM_A_SOCKET_STATE, state) ||
	    nla_put(skb, PGM_A_SOCKET_GSI, PGM_GSI_LEN, gsi) ||
	    nla_put_u32(skb, PGM_A_SOCKET_RMEM_ALLOC, sk_rmem_alloc_get(sk)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_RCVBUF, READ_ONCE(sk->sk_rcvbuf)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_WMEM_ALLOC, sk_wmem_alloc_get(sk)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_SNDBUF, READ_ONCE(sk->sk_sndbuf)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_RCV_QUEUE,
			skb_queue_len_lockless(&sk->sk_receive_queue)) ||
	    nla_put_u32(skb, PGM_A_SOCKET_ERR_QUEUE,
			skb_queue_len_lockless(&sk->sk_error_queue)) ||
	    (pid > 0 && nla_put_u32(skb, PGM_A_SOCKET_PID, pid)))
		goto cancel;

	if (is_src) {
		if (pgm_nl_put_source_sock(skb, sk->sk_family, gsi, &si))
			goto cancel;
	} else if (is_rcv) {
		if (pgm_nl_put_addr(skb, sk->sk_family, PGM_A_SOCKET_ADDR, PGM_A_SOCKET_ADDR6,
				    &rcv_addr) ||
		    (pgm_addr_is_mc(sk->sk_family, &rcv_addr) &&
		     pgm_nl_put_addr(skb, sk->sk_family, PGM_A_SOCKET_GROUP, PGM_A_SOCKET_GROUP6,
				     &rcv_addr)) ||
		    nla_put_u16(skb, PGM_A_SOCKET_PORT, ntohs(READ_ONCE(inet->inet_sport))) ||
		    nla_put_u32(skb, PGM_A_SOCKET_PEERS, ri.st.peers) ||
		    pgm_nl_put_receiver_stats(skb, &ri.st))
			goto cancel;
	} else {
		pgm_nl_sk_saddr(sk, &saddr);
		if (!pgm_addr_any(sk->sk_family, &saddr) &&
		    pgm_nl_put_addr(skb, sk->sk_family, PGM_A_SOCKET_ADDR, PGM_A_SOCKET_ADDR6,
				    &saddr))
			goto cancel;
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * pgm_nl_sock_get_dumpit - PGM_CMD_SOCK_GET dump: one message per socket
 * @skb: the message being filled
 * @cb: the dump's state; cb->args[0] counts the sockets done
 *
 * Context: process; walks the netns's sockets under rcu_read_lock().
 * Return: bytes in @skb (0 when the dump is done), or a negative errno.
 */
int pgm_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pgm_net *pn = pgm_pernet(sock_net(skb->sk));
	unsigned long idx = 0;
	struct pgm_sock *ps;
	int err = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(pn->gen);
	hlist_for_each_entry_rcu(ps, &pn->sockets, node) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		err = pgm_nl_fill_sock(skb, cb, ps);
		if (err)
			break;
		idx++;
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* A full message: the next call goes on from here; an empty one is a real error. */
	if (err && skb->len)
		return skb->len;
	return err ? : skb->len;
}

/* What a per-socket dump's fill callbacks need. */
struct pgm_nl_dump_arg {
	struct sk_buff		*skb;
	struct netlink_callback	*cb;
	u32			ino;
	sa_family_t		family;	/* of the socket */
};

static int pgm_nl_fill_peer(const struct pgm_peer_info *pi, void *arg)
{
	struct pgm_nl_dump_arg *a = arg;
	struct sk_buff *skb = a->skb;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(a->cb->skb).portid, a->cb->nlh->nlmsg_seq,
			  &pgm_nl_family, NLM_F_MULTI, PGM_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(a->cb, hdr);
	if (nla_put_u32(skb, PGM_A_PEER_SOCKET_INODE, a->ino) ||
	    nla_put(skb, PGM_A_PEER_TSI, sizeof(pi->tsi), &pi->tsi) ||
	    pgm_nl_put_addr(skb, a->family, PGM_A_PEER_SOURCE, PGM_A_PEER_SOURCE6, &pi->saddr) ||
	    pgm_nl_put_addr(skb, a->family, PGM_A_PEER_GROUP, PGM_A_PEER_GROUP6, &pi->group) ||
	    nla_put_u16(skb, PGM_A_PEER_PORT, ntohs(pi->dport)) ||
	    (!pgm_addr_any(a->family, &pi->nla) &&
	     pgm_nl_put_addr(skb, a->family, PGM_A_PEER_NLA, PGM_A_PEER_NLA6, &pi->nla)) ||
	    nla_put_u32(skb, PGM_A_PEER_NEXT_SQN, pi->next) ||
	    nla_put_u32(skb, PGM_A_PEER_LEAD_SQN, pi->lead) ||
	    nla_put_u32(skb, PGM_A_PEER_RXW_SQNS, pi->size) ||
	    (pi->end && nla_put_u32(skb, PGM_A_PEER_END, pi->end)) ||
	    nla_put_u32(skb, PGM_A_PEER_IDLE_MS, pi->idle_ms) ||
	    nla_put_u64_64bit(skb, PGM_A_PEER_LOSSES, pi->losses, PGM_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, PGM_A_PEER_NAKS_SENT, pi->naks_sent, PGM_A_PEER_PAD) ||
	    (pi->fec_k &&
	     (nla_put_u32(skb, PGM_A_PEER_FEC_K, pi->fec_k) ||
	      nla_put_u32(skb, PGM_A_PEER_FEC_PROACTIVE, pi->fec_proactive) ||
	      nla_put_u32(skb, PGM_A_PEER_FEC_ONDEMAND, pi->fec_ondemand))) ||
	    nla_put_u64_64bit(skb, PGM_A_PEER_GROUPS_REBUILT, pi->groups_rebuilt, PGM_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, PGM_A_PEER_PARITY_NAKS_SENT, pi->parity_naks_sent,
			      PGM_A_PEER_PAD) ||
	    (pi->cc_src && nla_put_u32(skb, PGM_A_PEER_PGMCC_LOSS_RATE, pi->cc_loss)) ||
	    nla_put_u64_64bit(skb, PGM_A_PEER_ACKS_SENT, pi->acks_sent, PGM_A_PEER_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A dump of records per socket (receivers' peers, sources' confirming
 * receivers): of every socket, or of the one whose inode @inode_attr
 * names.  @walk fills what one socket has from cb->args[1] on (advancing
 * it) and says whether the socket has the role at all.  cb->args[0]:
 * sockets done; args[2], with the filter, 1 once that socket was seen, 2
 * if it has the role (for the error, @not_role, when it has not).
 *
 * Context: process; walks sockets under rcu_read_lock().
 * Return: bytes in @skb (0 when the dump is done), or a negative errno.
 */
static int pgm_nl_dump_per_socket(struct sk_buff *skb, struct netlink_callback *cb, int inode_attr,
				  int (*walk)(struct pgm_sock *ps, struct sk_buff *skb,
					      struct netlink_callback *cb, bool *has_role),
				  const char *not_role)
{
	struct pgm_net *pn = pgm_pernet(sock_net(skb->sk));
	struct nlattr **tb = pgm_dump_attrs(cb);
	unsigned long idx = 0;
	struct pgm_sock *ps;
	u32 want = 0;
	int err = 0;

	if (tb && tb[inode_attr])
		want = nla_get_u32(tb[inode_attr]);

	rcu_read_lock();
	hlist_for_each_entry_rcu(ps, &pn->sockets, node) {
		bool has_role = false;

		if (idx < cb->args[0] || (want && ps->ino != want)) {
			idx++;
			continue;
		}
		if (want)
			cb->args[2] = max_t(long, cb->args[2], 1);
		err = walk(ps, skb, cb, &has_role);
		if (want && has_role)
			cb->args[2] = 2;
		if (err)
			break;
		cb->args[1] = 0;
		idx++;
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	if (err && skb->len)
		return skb->len;
	if (err)
		return err;
	if (want && cb->args[2] != 2) {
		pgm_nl_err(cb->extack, tb[inode_attr],
			   cb->args[2] ? not_role : "no PGM socket with that inode in this netns");
		return -ENOENT;
	}
	return skb->len;
}

/* A receiver's peers, for the peer dump; under rcu_read_lock(). */
static int pgm_nl_walk_peers(struct pgm_sock *ps, struct sk_buff *skb, struct netlink_callback *cb,
			     bool *has_role)
{
	struct pgm_receiver *rcv = rcu_dereference(ps->rcv);
	struct pgm_nl_dump_arg arg = {
		.skb = skb, .cb = cb, .ino = ps->ino, .family = ps->inet.sk.sk_family,
	};

	*has_role = rcv;
	return rcv ? pgm_receiver_peers(rcv, (unsigned long *)&cb->args[1], pgm_nl_fill_peer, &arg) : 0;
}

/**
 * pgm_nl_peer_get_dumpit - PGM_CMD_PEER_GET dump: one message per receiver's peer
 * @skb: the message being filled
 * @cb: the dump's state (pgm_nl_dump_per_socket())
 *
 * Context: process; walks sockets and peers under rcu_read_lock().
 * Return: bytes in @skb (0 when the dump is done), or a negative errno.
 */
int pgm_nl_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pgm_net *pn = pgm_pernet(sock_net(skb->sk));

	/* Both only grow: their sum changes with any socket or session. */
	cb->seq = READ_ONCE(pn->gen) + atomic_read(&pn->peer_gen);
	return pgm_nl_dump_per_socket(skb, cb, PGM_A_PEER_SOCKET_INODE, pgm_nl_walk_peers,
				      "that socket is not a PGM receiver");
}

static int pgm_nl_fill_cfr(const struct pgm_confirm_info *ci, void *arg)
{
	struct pgm_nl_dump_arg *a = arg;
	struct sk_buff *skb = a->skb;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(a->cb->skb).portid, a->cb->nlh->nlmsg_seq,
			  &pgm_nl_family, NLM_F_MULTI, PGM_CMD_CONFIRM_RECEIVER_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PGM_A_CONFIRM_RECEIVER_SOCKET_INODE, a->ino) ||
	    pgm_nl_put_addr(skb, a->family, PGM_A_CONFIRM_RECEIVER_ADDRESS,
			    PGM_A_CONFIRM_RECEIVER_ADDRESS6, &ci->addr) ||
	    nla_put_u32(skb, PGM_A_CONFIRM_RECEIVER_RECEIVER_ID, ci->id) ||
	    nla_put_u32(skb, PGM_A_CONFIRM_RECEIVER_CONFIRMED_SQN, ci->confirmed) ||
	    nla_put_u32(skb, PGM_A_CONFIRM_RECEIVER_IDLE_MS, ci->idle_ms)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* A source's confirming receivers, for their dump; under rcu_read_lock(). */
static int pgm_nl_walk_cfr(struct pgm_sock *ps, struct sk_buff *skb, struct netlink_callback *cb,
			   bool *has_role)
{
	struct pgm_source *src = rcu_dereference(ps->src);
	struct pgm_nl_dump_arg arg = {
		.skb = skb, .cb = cb, .ino = ps->ino, .family = ps->inet.sk.sk_family,
	};

	*has_role = src;
	return src ? pgm_confirm_src_receivers(src, (unsigned long *)&cb->args[1], pgm_nl_fill_cfr, &arg) :
		     0;
}

/**
 * pgm_nl_confirm_receiver_get_dumpit - PGM_CMD_CONFIRM_RECEIVER_GET dump: one
 * message per live confirming receiver of a source
 * @skb: the message being filled
 * @cb: the dump's state (pgm_nl_dump_per_socket())
 *
 * Receivers come least recently heard first; one that joins or leaves
 * between two parts of the dump may be missed or shown twice.
 *
 * Context: process; walks sockets under rcu_read_lock().
 * Return: bytes in @skb (0 when the dump is done), or a negative errno.
 */
int pgm_nl_confirm_receiver_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return pgm_nl_dump_per_socket(skb, cb, PGM_A_CONFIRM_RECEIVER_SOCKET_INODE, pgm_nl_walk_cfr,
				      "that socket is not a PGM source");
}

/*
 * The largest event message's payload: the attributes every event has
 * (with an IPv6 group, the larger family), a source address (or
 * acker-change's acker), and the largest of the parts only some events
 * have (rate-limited's u32 and u64; acker-change's two u32 are smaller).
 */
static size_t pgm_nl_event_size(void)
{
	return nla_total_size(sizeof(u32)) +			/* socket-inode */
	       nla_total_size(sizeof(u32)) +			/* role */
	       nla_total_size(sizeof(struct pgm_tsi)) +	/* tsi */
	       nla_total_size(sizeof(struct in6_addr)) +	/* group6 (or group) */
	       nla_total_size(sizeof(u16)) +			/* port */
	       nla_total_size(sizeof(struct in6_addr)) +	/* source6 (or source) */
	       nla_total_size(sizeof(u32)) +			/* rate-limit (or a u32) */
	       nla_total_size(sizeof(u32)) +			/* receiver-leave's third u32 */
	       nla_total_size_64bit(sizeof(u64));		/* rate-limited (or a u32) */
}

/**
 * pgm_nl_event - announce an event to the "events" group of a netns
 * @sk: the socket the event is about (its netns gets the message)
 * @ev: what happened
 *
 * Called where the event happens, often in softirq and under a session's
 * spinlock: the message is built with GFP_ATOMIC, and only when someone
 * listens.  A message that cannot be allocated is lost (listeners see
 * ENOBUFS on their socket when their queue overflows, as with any netlink
 * group).  The addresses are the socket's family's attributes: group and
 * source for IPv4, group6 and source6 for IPv6.
 *
 * Context: any, no sleeping.
 */
void pgm_nl_event(struct sock *sk, const struct pgm_nl_event *ev)
{
	struct net *net = sock_net(sk);
	sa_family_t f = sk->sk_family;
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!genl_has_listeners(&pgm_nl_family, net, PGM_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(pgm_nl_event_size(), GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &pgm_nl_family, 0, ev->cmd);
	if (!hdr)
		goto fail;
	err = nla_put_u32(skb, PGM_A_EVENT_SOCKET_INODE, pgm_sk(sk)->ino) ||
	      nla_put_u32(skb, PGM_A_EVENT_ROLE, ev->role) ||
	      nla_put(skb, PGM_A_EVENT_TSI, sizeof(ev->tsi), &ev->tsi) ||
	      pgm_nl_put_addr(skb, f, PGM_A_EVENT_GROUP, PGM_A_EVENT_GROUP6, &ev->group) ||
	      nla_put_u16(skb, PGM_A_EVENT_PORT, ntohs(ev->port));
	/* A session's start, end and loss also name its source. */
	if (ev->cmd == PGM_CMD_SESSION_START_NTF || ev->cmd == PGM_CMD_SESSION_END_NTF ||
	    ev->cmd == PGM_CMD_LOSS_NTF)
		err = err || pgm_nl_put_addr(skb, f, PGM_A_EVENT_SOURCE, PGM_A_EVENT_SOURCE6,
					     &ev->source);
	switch (ev->cmd) {
	case PGM_CMD_SESSION_START_NTF:
		err = err || nla_put_u32(skb, PGM_A_EVENT_FIRST_SQN, ev->first);
		break;
	case PGM_CMD_SESSION_END_NTF:
		err = err || nla_put_u32(skb, PGM_A_EVENT_REASON, ev->reason) ||
		      nla_put_u32(skb, PGM_A_EVENT_LAST_SQN, ev->last);
		break;
	case PGM_CMD_LOSS_NTF:
		err = err || nla_put_u32(skb, PGM_A_EVENT_FIRST_SQN, ev->first) ||
		      nla_put_u32(skb, PGM_A_EVENT_COUNT, ev->count);
		break;
	case PGM_CMD_NAK_STORM_NTF:
		err = err || nla_put_u32(skb, PGM_A_EVENT_RATE, ev->rate) ||
		      nla_put_u32(skb, PGM_A_EVENT_THRESHOLD, ev->threshold);
		break;
	case PGM_CMD_RATE_LIMITED_NTF:
		err = err || nla_put_u32(skb, PGM_A_EVENT_RATE_LIMIT, ev->rate_limit) ||
		      nla_put_u64_64bit(skb, PGM_A_EVENT_RATE_LIMITED, ev->rate_limited,
					PGM_A_EVENT_PAD);
		break;
	case PGM_CMD_RECEIVER_JOIN_NTF:
	case PGM_CMD_RECEIVER_LEAVE_NTF:
	case PGM_CMD_RECEIVER_REFUSED_NTF:
		err = err || pgm_nl_put_addr(skb, f, PGM_A_EVENT_RECEIVER, PGM_A_EVENT_RECEIVER6,
					     &ev->receiver) ||
		      nla_put_u32(skb, PGM_A_EVENT_RECEIVER_ID, ev->receiver_id) ||
		      nla_put_u32(skb, PGM_A_EVENT_CONFIRMED_SQN, ev->confirmed);
		if (ev->cmd == PGM_CMD_RECEIVER_LEAVE_NTF)
			err = err || nla_put_u32(skb, PGM_A_EVENT_REASON, ev->reason);
		break;
	case PGM_CMD_ACKER_CHANGE_NTF:
		if (ev->has_acker)
			err = err || pgm_nl_put_addr(skb, f, PGM_A_EVENT_ACKER, PGM_A_EVENT_ACKER6,
						     &ev->acker) ||
			      nla_put_u32(skb, PGM_A_EVENT_RTT_US, ev->rtt_us) ||
			      nla_put_u32(skb, PGM_A_EVENT_LOSS_RATE, ev->loss);
		break;
	}
	/* The message is sized for the largest event: no room is a bug here. */
	if (WARN_ON_ONCE(err))
		goto fail;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pgm_nl_family, net, skb, 0, PGM_NLGRP_EVENTS, GFP_ATOMIC);
	return;
fail:
	nlmsg_free(skb);
}

/**
 * pgm_nl_policy_event - announce a policy's decision or revocation
 * @sk: the socket
 * @cmd: PGM_CMD_POLICY_ALLOWED_NTF, PGM_CMD_POLICY_DENIED_NTF or PGM_CMD_POLICY_REVOKED_NTF
 * @role: PGM_POLICY_ROLE_SOURCE (connect) or PGM_POLICY_ROLE_RECEIVER (a join)
 * @family: @group's family
 * @group: the group
 * @uid: the socket's owner
 * @rule_id: the rule that denied it, or NULL (the policy's default, or max-groups)
 * @error: the errno the socket got (EACCES, ENOBUFS); 0 (no attribute) when allowed
 *
 * The uid is given in the user namespace that owns the netns (a multicast
 * message has no one reader to translate it for).
 *
 * Context: process (connect, setsockopt, the policy's work).
 */
void pgm_nl_policy_event(struct sock *sk, u8 cmd, u8 role, sa_family_t family,
			 const union pgm_addr *group, kuid_t uid, const u32 *rule_id, int error)
{
	struct net *net = sock_net(sk);
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&pgm_nl_family, net, PGM_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &pgm_nl_family, 0, cmd);
	if (!hdr ||
	    nla_put_u32(skb, PGM_A_EVENT_SOCKET_INODE, pgm_sk(sk)->ino) ||
	    nla_put_u32(skb, PGM_A_EVENT_ROLE, role == PGM_POLICY_ROLE_SOURCE ?
			PGM_ROLE_SOURCE : PGM_ROLE_RECEIVER) ||
	    pgm_nl_put_addr(skb, family, PGM_A_EVENT_GROUP, PGM_A_EVENT_GROUP6, group) ||
	    nla_put_u32(skb, PGM_A_EVENT_UID, from_kuid_munged(net->user_ns, uid)) ||
	    (rule_id && nla_put_u32(skb, PGM_A_EVENT_RULE_ID, *rule_id)) ||
	    (error && nla_put_u32(skb, PGM_A_EVENT_ERROR, error))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pgm_nl_family, net, skb, 0, PGM_NLGRP_EVENTS, GFP_KERNEL);
}

/**
 * pgm_nl_policy_get_doit - PGM_CMD_POLICY_GET: the netns's policy settings
 * @skb: the request
 * @info: its sender
 *
 * Context: process, genl's mutex held.
 * Return: genlmsg_reply()'s result, -ENOMEM or -EMSGSIZE.
 */
int pgm_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_net *pn = pgm_pernet(genl_info_net(info));
	u32 action = PGM_POLICY_ACTION_ALLOW, n = 0, max = 0, groups, cap = 0, maps = 0;
	const struct pgm_policy *pol;
	struct sk_buff *msg;
	void *hdr;

	rcu_read_lock();
	pol = rcu_dereference(pn->policy);
	if (pol) {
		action = pol->default_action;
		n = pol->n;
		max = pol->max_groups;
		cap = pol->rate_cap;
		maps = pol->nmaps;
	}
	rcu_read_unlock();
	groups = pgm_policy_groups(pn, PGM_POLICY_MAX_GROUPS_MAX);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pgm_nl_family, 0, PGM_CMD_POLICY_GET);
	if (!hdr || nla_put_u32(msg, PGM_A_POLICY_DEFAULT_ACTION, action) ||
	    nla_put_u32(msg, PGM_A_POLICY_RULES, n) ||
	    nla_put_u32(msg, PGM_A_POLICY_MAX_GROUPS, max) ||
	    nla_put_u32(msg, PGM_A_POLICY_GROUPS, groups) ||
	    nla_put_u32(msg, PGM_A_POLICY_RATE_CAP, cap) ||
	    nla_put_u32(msg, PGM_A_POLICY_MAPS, maps)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * pgm_nl_policy_set_doit - PGM_CMD_POLICY_SET: default action, max-groups, rate-cap
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Context: process, genl's mutex held.
 * Return: 0, -EINVAL (nothing to set) or -ENOMEM.
 */
int pgm_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[PGM_A_POLICY_DEFAULT_ACTION];
	struct nlattr *m = info->attrs[PGM_A_POLICY_MAX_GROUPS];
	struct nlattr *c = info->attrs[PGM_A_POLICY_RATE_CAP];
	u32 action, max, cap;

	if (!a && !m && !c) {
		NL_SET_ERR_MSG(info->extack, "no policy setting to set");
		return -EINVAL;
	}
	if (a)
		action = nla_get_u32(a);
	if (m)
		max = nla_get_u32(m);
	if (c)
		cap = nla_get_u32(c);
	return pgm_policy_set(pgm_pernet(genl_info_net(info)), a ? &action : NULL,
			      m ? &max : NULL, c ? &cap : NULL);
}

/*
 * A rule from a request's attributes, in @ns (the requester's user
 * namespace); NULL with *@err set when they do not make one.
 */
static struct pgm_policy_rule *pgm_nl_policy_rule_parse(struct genl_info *info,
							struct user_namespace *ns, int *err)
{
	struct nlattr **tb = info->attrs;
	struct pgm_policy_rule *r;
	u32 bits = 0;

	*err = -EINVAL;
	if (!tb[PGM_A_POLICY_RULE_ACTION]) {
		NL_SET_ERR_MSG(info->extack, "a rule needs an action");
		return NULL;
	}
	if (!tb[PGM_A_POLICY_RULE_UID_MIN] != !tb[PGM_A_POLICY_RULE_UID_MAX]) {
		NL_SET_ERR_MSG(info->extack, "uid-min and uid-max go together");
		return NULL;
	}
	if (tb[PGM_A_POLICY_RULE_GROUP] && tb[PGM_A_POLICY_RULE_GROUP6]) {
		NL_SET_ERR_MSG(info->extack, "a rule has one group range: group or group6");
		return NULL;
	}
	if (tb[PGM_A_POLICY_RULE_PREFIX_LEN] && !tb[PGM_A_POLICY_RULE_GROUP] &&
	    !tb[PGM_A_POLICY_RULE_GROUP6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[PGM_A_POLICY_RULE_PREFIX_LEN],
				    "prefix-len needs group or group6");
		return NULL;
	}
	*err = -ENOMEM;
	/* Charged to the memory cgroup of the administrator who adds it. */
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	*err = -EINVAL;
	r->action = nla_get_u32(tb[PGM_A_POLICY_RULE_ACTION]);
	if (tb[PGM_A_POLICY_RULE_ROLE])
		r->role = nla_get_u32(tb[PGM_A_POLICY_RULE_ROLE]);
	if (tb[PGM_A_POLICY_RULE_UID_MIN]) {
		r->uid_min = make_kuid(ns, nla_get_u32(tb[PGM_A_POLICY_RULE_UID_MIN]));
		r->uid_max = make_kuid(ns, nla_get_u32(tb[PGM_A_POLICY_RULE_UID_MAX]));
		if (!uid_valid(r->uid_min) || !uid_valid(r->uid_max) ||
		    uid_gt(r->uid_min, r->uid_max)) {
			NL_SET_ERR_MSG(info->extack,
				       "uid-min..uid-max must map to this user namespace, in order");
			goto fail;
		}
		r->has_uids = true;
	}
	if (tb[PGM_A_POLICY_RULE_GID]) {
		r->gid = make_kgid(ns, nla_get_u32(tb[PGM_A_POLICY_RULE_GID]));
		if (!gid_valid(r->gid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[PGM_A_POLICY_RULE_GID],
					    "gid must map to this user namespace");
			goto fail;
		}
		r->has_gid = true;
	}
	if (tb[PGM_A_POLICY_RULE_GROUP]) {
		r->family = AF_INET;
		bits = 32;
		pgm_addr_set_v4(&r->group, nla_get_in_addr(tb[PGM_A_POLICY_RULE_GROUP]));
	} else if (tb[PGM_A_POLICY_RULE_GROUP6]) {
		r->family = AF_INET6;
		bits = 128;
		r->group.in6 = nla_get_in6_addr(tb[PGM_A_POLICY_RULE_GROUP6]);
	}
	if (r->family) {
		r->prefix = bits;
		if (tb[PGM_A_POLICY_RULE_PREFIX_LEN]) {
			u32 p = nla_get_u32(tb[PGM_A_POLICY_RULE_PREFIX_LEN]);

			if (p > bits) {
				NL_SET_ERR_MSG_ATTR(info->extack, tb[PGM_A_POLICY_RULE_PREFIX_LEN],
						    "prefix-len is longer than the group's address");
				goto fail;
			}
			r->prefix = p;
		}
		/* Kept with the bits past the prefix zero, as it is shown. */
		if (r->family == AF_INET6) {
			struct in6_addr a = r->group.in6;	/* it clears its destination first */

			ipv6_addr_prefix(&r->group.in6, &a, r->prefix);
		} else {
			r->group.ip &= inet_make_mask(r->prefix);
		}
	}
	if (tb[PGM_A_POLICY_RULE_RATE_CAP])
		r->rate_cap = nla_get_u32(tb[PGM_A_POLICY_RULE_RATE_CAP]);
	if (tb[PGM_A_POLICY_RULE_EXEMPT])
		r->exempt = nla_get_u32(tb[PGM_A_POLICY_RULE_EXEMPT]);
	if (tb[PGM_A_POLICY_RULE_CGROUP]) {
		r->cgroup = nla_get_u64(tb[PGM_A_POLICY_RULE_CGROUP]);
		if (!IS_ENABLED(CONFIG_SOCK_CGROUP_DATA)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[PGM_A_POLICY_RULE_CGROUP],
					    "this kernel keeps no cgroup of sockets");
			*err = -EOPNOTSUPP;
			goto fail;
		}
	}
	*err = 0;
	return r;
fail:
	kfree(r);
	return NULL;
}

/**
 * pgm_nl_policy_rule_add_doit - PGM_CMD_POLICY_RULE_ADD: insert a rule
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Uids and gids are the requester's (its netlink socket's user namespace).
 *
 * Context: process, genl's mutex held.
 * Return: genlmsg_reply()'s result (the id and index), -EINVAL, -ENOSPC or -ENOMEM.
 */
int pgm_nl_policy_rule_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_net *pn = pgm_pernet(genl_info_net(info));
	struct nlattr *ia = info->attrs[PGM_A_POLICY_RULE_INDEX];
	struct pgm_policy_rule *r;
	struct sk_buff *msg;
	u32 id, idx;
	void *hdr;
	int err;

	r = pgm_nl_policy_rule_parse(info, sk_user_ns(NETLINK_CB(skb).sk), &err);
	if (!r)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		kfree(r);
		return -ENOMEM;
	}
	err = pgm_policy_add(pn, r, ia ? nla_get_u32(ia) : U32_MAX, &idx);
	if (err) {
		if (err == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "the policy holds its most rules already");
		kfree(r);
		nlmsg_free(msg);
		return err;
	}
	id = r->id;	/* r may be gone by now: a concurrent del */
	hdr = genlmsg_put_reply(msg, info, &pgm_nl_family, 0, PGM_CMD_POLICY_RULE_ADD);
	if (!hdr || nla_put_u32(msg, PGM_A_POLICY_RULE_ID, id) ||
	    nla_put_u32(msg, PGM_A_POLICY_RULE_INDEX, idx)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * pgm_nl_policy_rule_del_doit - PGM_CMD_POLICY_RULE_DEL: delete a rule by id
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Context: process, genl's mutex held.
 * Return: 0, -EINVAL (no id), -ENOENT or -ENOMEM.
 */
int pgm_nl_policy_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[PGM_A_POLICY_RULE_ID];
	int err;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "which rule: id");
		return -EINVAL;
	}
	err = pgm_policy_del(pgm_pernet(genl_info_net(info)), nla_get_u32(a));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no rule has this id");
	return err;
}

/* One rule of the dump, at @index, its ids in @ns (the reader's). */
static int pgm_nl_fill_rule(struct sk_buff *skb, struct netlink_callback *cb,
			    struct user_namespace *ns, const struct pgm_policy_rule *r, u32 index)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				&pgm_nl_family, NLM_F_MULTI, PGM_CMD_POLICY_RULE_GET);

	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, PGM_A_POLICY_RULE_ID, r->id) ||
	    nla_put_u32(skb, PGM_A_POLICY_RULE_INDEX, index) ||
	    nla_put_u32(skb, PGM_A_POLICY_RULE_ROLE, r->role) ||
	    nla_put_u32(skb, PGM_A_POLICY_RULE_ACTION, r->action) ||
	    (r->has_uids &&
	     (nla_put_u32(skb, PGM_A_POLICY_RULE_UID_MIN, from_kuid_munged(ns, r->uid_min)) ||
	      nla_put_u32(skb, PGM_A_POLICY_RULE_UID_MAX, from_kuid_munged(ns, r->uid_max)))) ||
	    (r->has_gid && nla_put_u32(skb, PGM_A_POLICY_RULE_GID, from_kgid_munged(ns, r->gid))) ||
	    (r->family && (pgm_nl_put_addr(skb, r->family, PGM_A_POLICY_RULE_GROUP,
					   PGM_A_POLICY_RULE_GROUP6, &r->group) ||
			   nla_put_u32(skb, PGM_A_POLICY_RULE_PREFIX_LEN, r->prefix))) ||
	    nla_put_u64_64bit(skb, PGM_A_POLICY_RULE_HITS, atomic64_read(&r->hits),
			      PGM_A_POLICY_RULE_PAD) ||
	    (r->rate_cap && nla_put_u32(skb, PGM_A_POLICY_RULE_RATE_CAP, r->rate_cap)) ||
	    nla_put_u32(skb, PGM_A_POLICY_RULE_EXEMPT, r->exempt) ||
	    (r->cgroup && nla_put_u64_64bit(skb, PGM_A_POLICY_RULE_CGROUP, r->cgroup,
					    PGM_A_POLICY_RULE_PAD))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * pgm_nl_policy_rule_get_dumpit - PGM_CMD_POLICY_RULE_GET: the rules, in order
 * @skb: the reply being filled
 * @cb: the dump's state: cb->args[0] is the rules done
 *
 * A change between two parts of the dump marks it NLM_F_DUMP_INTR.
 *
 * Context: process.
 * Return: the reply's length, 0 when done.
 */
int pgm_nl_policy_rule_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pgm_net *pn = pgm_pernet(sock_net(skb->sk));
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	const struct pgm_policy *pol;
	u32 i = cb->args[0];

	rcu_read_lock();
	cb->seq = READ_ONCE(pn->policy_gen);
	pol = rcu_dereference(pn->policy);
	for (; pol && i < pol->n; i++)
		if (pgm_nl_fill_rule(skb, cb, ns, pol->rule[i], i))
			break;
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

/*
 * The logical group of a request: logical or logical6 (exactly one, a
 * multicast address); its family in *@f.
 */
static int pgm_nl_map_logical(struct genl_info *info, sa_family_t *f, union pgm_addr *g)
{
	struct nlattr *l4 = info->attrs[PGM_A_POLICY_MAP_LOGICAL];
	struct nlattr *l6 = info->attrs[PGM_A_POLICY_MAP_LOGICAL6];

	if (!l4 == !l6) {
		NL_SET_ERR_MSG(info->extack, "one logical group: logical or logical6");
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	*f = l4 ? AF_INET : AF_INET6;
	if (l4)
		g->ip = nla_get_in_addr(l4);
	else
		g->in6 = nla_get_in6_addr(l6);
	if (!pgm_addr_is_mc(*f, g)) {
		NL_SET_ERR_MSG_ATTR(info->extack, l4 ? : l6, "the logical group must be multicast");
		return -EINVAL;
	}
	return 0;
}

/**
 * pgm_nl_policy_map_add_doit - PGM_CMD_POLICY_MAP_ADD: map a logical group
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Context: process, genl's mutex held.
 * Return: 0, -EINVAL (with an extack message), -ENOSPC or -ENOMEM.
 */
int pgm_nl_policy_map_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *phys, *uc, *other_phys, *other_uc;
	struct pgm_policy_map *m;
	union pgm_addr logical;
	unsigned int alen, n = 0, i;
	sa_family_t f;
	int err;

	err = pgm_nl_map_logical(info, &f, &logical);
	if (err)
		return err;
	/* What it maps to, of its family; nothing of the other. */
	phys = tb[f == AF_INET ? PGM_A_POLICY_MAP_PHYSICAL : PGM_A_POLICY_MAP_PHYSICAL6];
	uc = tb[f == AF_INET ? PGM_A_POLICY_MAP_UNICAST : PGM_A_POLICY_MAP_UNICAST6];
	other_phys = tb[f == AF_INET ? PGM_A_POLICY_MAP_PHYSICAL6 : PGM_A_POLICY_MAP_PHYSICAL];
	other_uc = tb[f == AF_INET ? PGM_A_POLICY_MAP_UNICAST6 : PGM_A_POLICY_MAP_UNICAST];
	if (!phys == !uc || other_phys || other_uc) {
		NL_SET_ERR_MSG(info->extack,
			       "a logical group maps to one physical group or to unicast receivers, of its family");
		return -EINVAL;
	}
	alen = f == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);
	if (uc) {
		n = nla_len(uc) / alen;
		if (!n || nla_len(uc) % alen || n > PGM_POLICY_FANOUT_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, uc,
					    "unicast receivers: 1 to 64 addresses of the logical group's family");
			return -EINVAL;
		}
	}
	/* Charged to the memory cgroup of the administrator who adds it. */
	m = kzalloc(struct_size(m, unicast, n), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->n = n;
	m->family = f;
	m->logical = logical;
	for (i = 0; i < n; i++) {
		union pgm_addr *a = &m->unicast[i];

		memcpy(a, (u8 *)nla_data(uc) + i * alen, alen);
		if (pgm_addr_any(f, a) || pgm_addr_is_mc(f, a)) {
			NL_SET_ERR_MSG_ATTR(info->extack, uc, "a unicast receiver must be a unicast address");
			kfree(m);
			return -EINVAL;
		}
	}
	if (!n) {
		if (f == AF_INET)
			m->physical.ip = nla_get_in_addr(phys);
		else
			m->physical.in6 = nla_get_in6_addr(phys);
		if (!pgm_addr_is_mc(f, &m->physical)) {
			NL_SET_ERR_MSG_ATTR(info->extack, phys, "the physical group must be multicast");
			kfree(m);
			return -EINVAL;
		}
	}
	err = pgm_policy_map_set(pgm_pernet(genl_info_net(info)), m);
	if (err) {
		if (err == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "the policy maps its most logical groups already");
		kfree(m);
	}
	return err;
}

/**
 * pgm_nl_policy_map_del_doit - PGM_CMD_POLICY_MAP_DEL: forget a logical group
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Context: process, genl's mutex held.
 * Return: 0, -EINVAL, -ENOENT or -ENOMEM.
 */
int pgm_nl_policy_map_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	union pgm_addr logical;
	sa_family_t f;
	int err;

	err = pgm_nl_map_logical(info, &f, &logical);
	if (err)
		return err;
	err = pgm_policy_map_del(pgm_pernet(genl_info_net(info)), f, &logical);
	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such logical group");
	return err;
}

/* One logical group of the dump. */
static int pgm_nl_fill_map(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct pgm_policy_map *m)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				&pgm_nl_family, NLM_F_MULTI, PGM_CMD_POLICY_MAP_GET);
	unsigned int alen = m->family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(__be32);
	struct nlattr *a;
	u32 i;

	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (pgm_nl_put_addr(skb, m->family, PGM_A_POLICY_MAP_LOGICAL, PGM_A_POLICY_MAP_LOGICAL6,
			    &m->logical))
		goto cancel;
	if (!m->n) {
		if (pgm_nl_put_addr(skb, m->family, PGM_A_POLICY_MAP_PHYSICAL,
				    PGM_A_POLICY_MAP_PHYSICAL6, &m->physical))
			goto cancel;
	} else {
		a = nla_reserve(skb, m->family == AF_INET6 ? PGM_A_POLICY_MAP_UNICAST6 :
				PGM_A_POLICY_MAP_UNICAST, m->n * alen);
		if (!a)
			goto cancel;
		for (i = 0; i < m->n; i++)
			memcpy((u8 *)nla_data(a) + i * alen, &m->unicast[i], alen);
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * pgm_nl_policy_map_get_dumpit - PGM_CMD_POLICY_MAP_GET: the logical groups
 * @skb: the reply being filled
 * @cb: the dump's state: cb->args[0] is the logical groups done
 *
 * Context: process.
 * Return: the reply's length, 0 when done.
 */
int pgm_nl_policy_map_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pgm_net *pn = pgm_pernet(sock_net(skb->sk));
	const struct pgm_policy *pol;
	u32 i = cb->args[0];

	rcu_read_lock();
	cb->seq = READ_ONCE(pn->policy_gen);
	pol = rcu_dereference(pn->policy);
	for (; pol && i < pol->nmaps; i++)
		if (pgm_nl_fill_map(skb, cb, pol->map[i]))
			break;
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

/**
 * pgm_nl_ne_get_doit - PGM_CMD_NE_GET: the netns's network element
 * @skb: the request
 * @info: its sender
 *
 * Context: process, genl's mutex held.
 * Return: genlmsg_reply()'s result, -ENOMEM or -EMSGSIZE.
 */
int pgm_nl_ne_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pgm_ne_info ni;
	struct sk_buff *msg;
	unsigned int c;
	void *hdr;

	BUILD_BUG_ON(PGM_A_NE_FRAGMENTS - PGM_A_NE_SPMS + 1 != PGM_NE_C_MAX);
	pgm_ne_info(genl_info_net(info), &ni);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pgm_nl_family, 0, PGM_CMD_NE_GET);
	if (!hdr || nla_put_u32(msg, PGM_A_NE_ENABLED, ni.on) ||
	    nla_put_u32(msg, PGM_A_NE_TSIS, ni.tsis) ||
	    nla_put_u32(msg, PGM_A_NE_STATES, ni.states) ||
	    nla_put_u64_64bit(msg, PGM_A_NE_MEM, ni.mem, PGM_A_NE_PAD))
		goto fail;
	for (c = 0; c < PGM_NE_C_MAX; c++)
		if (nla_put_u64_64bit(msg, PGM_A_NE_SPMS + c, ni.ctr[c], PGM_A_NE_PAD))
			goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * pgm_nl_ne_set_doit - PGM_CMD_NE_SET: turn the network element on or off
 * @skb: the request (CAP_NET_ADMIN over the netns: GENL_UNS_ADMIN_PERM)
 * @info: its attributes
 *
 * Context: process, genl's mutex held (which serializes on and off).
 * Return: 0, -EINVAL (no enabled attribute) or pgm_ne_set()'s error.
 */
int pgm_nl_ne_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[PGM_A_NE_ENABLED];

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "ne-set needs enabled (0 or 1)");
		return -EINVAL;
	}
	return pgm_ne_set(genl_info_net(info), nla_get_u32(a), info->extack);
}

/**
 * pgm_nl_ne_session_get_dumpit - PGM_CMD_NE_SESSION_GET: the NE's sessions
 * @skb: the reply
 * @cb: the dump's state: cb->args[0] is the sessions done
 *
 * The sessions are read a batch at a time; one that ends between two
 * messages may make the dump skip or repeat one, as /proc files do.
 *
 * Context: process.
 * Return: the reply's length, 0 when done.
 */
int pgm_nl_ne_session_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pgm_ne_session *ss;
	unsigned int n, i;

	ss = kmalloc_array(16, sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	n = pgm_ne_sessions(sock_net(skb->sk), cb->args[0], ss, 16);
	for (i = 0; i < n; i++) {
		const struct pgm_ne_session *s = &ss[i];
		u8 tsi[8];
		void *hdr;

		memcpy(tsi, s->gsi, 6);
		memcpy(tsi + 6, &s->sport, 2);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &pgm_nl_family, NLM_F_MULTI, PGM_CMD_NE_SESSION_GET);
		if (!hdr)
			break;
		if (nla_put(skb, PGM_A_NE_SESSION_TSI, sizeof(tsi), tsi) ||
		    nla_put_in_addr(skb, PGM_A_NE_SESSION_GROUP, s->group) ||
		    nla_put_in_addr(skb, PGM_A_NE_SESSION_SOURCE, s->source) ||
		    nla_put_u16(skb, PGM_A_NE_SESSION_PORT, ntohs(s->dport)) ||
		    nla_put_in_addr(skb, PGM_A_NE_SESSION_UPSTREAM, s->upstream) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_IFINDEX, s->ifindex) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_SPM_SQN, s->spm_sqn) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_TRAIL, s->trail) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_LEAD, s->lead) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_STATES, s->states) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_TG_SIZE, s->k) ||
		    nla_put_u32(skb, PGM_A_NE_SESSION_IDLE_MS, s->idle_ms)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	kfree(ss);
	cb->args[0] += i;
	return skb->len;
}

/**
 * pgm_nl_ne_event - announce a session the network element follows or ends
 * @net: the NE's netns
 * @cmd: PGM_CMD_NE_SESSION_NTF or PGM_CMD_NE_SESSION_END_NTF
 * @s: the session
 * @reason: with PGM_CMD_NE_SESSION_END_NTF, enum pgm_end_reason
 *
 * As pgm_nl_event(): only when someone listens; a message that cannot be
 * allocated is lost.
 *
 * Context: any, no sleeping (no lock of the NE held).
 */
void pgm_nl_ne_event(struct net *net, u8 cmd, const struct pgm_ne_session *s, u32 reason)
{
	struct sk_buff *skb;
	u8 tsi[8];
	void *hdr;

	if (!genl_has_listeners(&pgm_nl_family, net, PGM_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	memcpy(tsi, s->gsi, 6);
	memcpy(tsi + 6, &s->sport, 2);
	hdr = genlmsg_put(skb, 0, 0, &pgm_nl_family, 0, cmd);
	if (!hdr || nla_put(skb, PGM_A_EVENT_TSI, sizeof(tsi), tsi) ||
	    nla_put_in_addr(skb, PGM_A_EVENT_SOURCE, s->source) ||
	    nla_put_in_addr(skb, PGM_A_EVENT_GROUP, s->group) ||
	    nla_put_u16(skb, PGM_A_EVENT_PORT, ntohs(s->dport)) ||
	    (cmd == PGM_CMD_NE_SESSION_NTF &&
	     (nla_put_in_addr(skb, PGM_A_EVENT_UPSTREAM, s->upstream) ||
	      nla_put_u32(skb, PGM_A_EVENT_IFINDEX, s->ifindex))) ||
	    (cmd == PGM_CMD_NE_SESSION_END_NTF && nla_put_u32(skb, PGM_A_EVENT_REASON, reason))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pgm_nl_family, net, skb, 0, PGM_NLGRP_EVENTS, GFP_ATOMIC);
}

/**
 * pgm_nl_register - register the "pgm" generic netlink family
 *
 * Context: module init, process.
 * Return: 0 or genl_register_family()'s error.
 */
int pgm_nl_register(void)
{
	return genl_register_family(&pgm_nl_family);
}

/**
 * pgm_nl_unregister - unregister the family (module exit; waits for its users)
 */
void pgm_nl_unregister(void)
{
	genl_unregister_family(&pgm_nl_family);
}
