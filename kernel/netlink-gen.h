/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/* 	kernel/pgm.yaml */
/* by scripts/ynl-gen (run it after changing the spec). */

#ifndef _PGM_NETLINK_GEN_H
#define _PGM_NETLINK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/pgm_netlink.h>

int pgm_nl_defaults_get_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_defaults_set_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_sock_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pgm_nl_peer_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pgm_nl_confirm_receiver_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pgm_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_rule_add_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_rule_del_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_rule_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pgm_nl_policy_map_add_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_map_del_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_policy_map_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pgm_nl_ne_get_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_ne_set_doit(struct sk_buff *skb, struct genl_info *info);
int pgm_nl_ne_session_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);

#define PGM_NL_N_OPS	17
extern const struct genl_ops pgm_nl_ops[PGM_NL_N_OPS];

enum {
	PGM_NLGRP_EVENTS,
};

extern const struct genl_multicast_group pgm_nl_mcgrps[1];

/*
 * The accepted values of each attribute with range checks, for the
 * handlers' own checks and messages (extack strings must be static).
 */
struct pgm_nl_range {
	u32		min, max;
	bool		zero_off;	/* 0 accepted too */
	const char	*msg;		/* "NAME must be ..." */
};

extern const struct pgm_nl_range pgm_nl_defaults_range[PGM_A_DEFAULTS_MAX + 1];
extern const struct pgm_nl_range pgm_nl_policy_range[PGM_A_POLICY_MAX + 1];
extern const struct pgm_nl_range pgm_nl_policy_rule_range[PGM_A_POLICY_RULE_MAX + 1];
extern const struct pgm_nl_range pgm_nl_ne_range[PGM_A_NE_MAX + 1];

#endif /* _PGM_NETLINK_GEN_H */
