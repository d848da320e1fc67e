// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/* 	kernel/pgm.yaml */
/* by scripts/ynl-gen (run it after changing the spec). */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

static struct netlink_range_validation pgm_a_defaults_txw_sqns_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_txw_secs_ms_range = {
	.min	= 0ULL,
	.max	= 3600000ULL,
};

static struct netlink_range_validation pgm_a_defaults_spm_ambient_ivl_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ihb_min_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ihb_max_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_rdata_linger_ivl_range = {
	.min	= 0ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_max_tpdu_range = {
	.min	= 576ULL,
	.max	= 65535ULL,
};

static struct netlink_range_validation pgm_a_defaults_late_join_range = {
	.min	= 0ULL,
	.max	= 100ULL,
};

static struct netlink_range_validation pgm_a_defaults_rxw_sqns_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_peer_expiry_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_spmr_expiry_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_bo_ivl_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_rpt_ivl_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_rdata_ivl_range = {
	.min	= 1000ULL,
	.max	= 600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_ncf_retries_range = {
	.min	= 0ULL,
	.max	= 255ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_data_retries_range = {
	.min	= 0ULL,
	.max	= 255ULL,
};

static struct netlink_range_validation pgm_a_defaults_join_max_range = {
	.min	= 0ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_nak_storm_rate_range = {
	.min	= 0ULL,
	.max	= 10000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_udp_encap_ucast_port_range = {
	.min	= 1ULL,
	.max	= 65535ULL,
};

static struct netlink_range_validation pgm_a_defaults_udp_encap_mcast_port_range = {
	.min	= 1ULL,
	.max	= 65535ULL,
};

static struct netlink_range_validation pgm_a_defaults_rx_sessions_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_rx_sessions_netns_range = {
	.min	= 1ULL,
	.max	= 16777216ULL,
};

static struct netlink_range_validation pgm_a_defaults_rx_mem_range = {
	.min	= 65536ULL,
	.max	= 4294967295ULL,
};

static struct netlink_range_validation pgm_a_defaults_rx_mem_netns_range = {
	.min	= 65536ULL,
	.max	= 4294967295ULL,
};

static struct netlink_range_validation pgm_a_defaults_fec_nak_range = {
	.min	= 0ULL,
	.max	= 1ULL,
};

static struct netlink_range_validation pgm_a_defaults_confirm_receivers_netns_range = {
	.min	= 1ULL,
	.max	= 16777216ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_nak_rpt_ivl_range = {
	.min	= 1000ULL,
	.max	= 60000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_nak_rpt_rte_range = {
	.min	= 1ULL,
	.max	= 1000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_nak_rdata_ivl_range = {
	.min	= 1000ULL,
	.max	= 60000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_nak_elim_ivl_range = {
	.min	= 1000ULL,
	.max	= 60000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_tsis_range = {
	.min	= 1ULL,
	.max	= 65536ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_states_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_tsi_states_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

static struct netlink_range_validation pgm_a_defaults_ne_spm_timeout_range = {
	.min	= 1000000ULL,
	.max	= 3600000000ULL,
};

static struct netlink_range_validation pgm_a_defaults_rx_sessions_source_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

const struct pgm_nl_range pgm_nl_defaults_range[PGM_A_DEFAULTS_MAX + 1] = {
	[PGM_A_DEFAULTS_TXW_SQNS] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "txw-sqns must be 1-1048576" },
	[PGM_A_DEFAULTS_TXW_SECS_MS] = { .min = 1U, .max = 3600000U, .zero_off = true,
		.msg = "txw-secs-ms must be 0 (off) or 1-3600000" },
	[PGM_A_DEFAULTS_TXW_MAX_RTE] = { .min = 1U, .max = 4294967295U, .zero_off = true,
		.msg = "txw-max-rte must be 0 (off) or 1-4294967295" },
	[PGM_A_DEFAULTS_SPM_AMBIENT_IVL] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "spm-ambient-ivl must be 1000-600000000" },
	[PGM_A_DEFAULTS_IHB_MIN] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "ihb-min must be 1000-600000000" },
	[PGM_A_DEFAULTS_IHB_MAX] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "ihb-max must be 1000-600000000" },
	[PGM_A_DEFAULTS_RDATA_LINGER_IVL] = { .min = 1000U, .max = 600000000U, .zero_off = true,
		.msg = "rdata-linger-ivl must be 0 (off) or 1000-600000000" },
	[PGM_A_DEFAULTS_MAX_TPDU] = { .min = 576U, .max = 65535U, .zero_off = false,
		.msg = "max-tpdu must be 576-65535" },
	[PGM_A_DEFAULTS_TXW_BYTES] = { .min = 576U, .max = 4294967295U, .zero_off = true,
		.msg = "txw-bytes must be 0 (off) or 576-4294967295" },
	[PGM_A_DEFAULTS_LATE_JOIN] = { .min = 1U, .max = 100U, .zero_off = true,
		.msg = "late-join must be 0 (off) or 1-100" },
	[PGM_A_DEFAULTS_RXW_SQNS] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "rxw-sqns must be 1-1048576" },
	[PGM_A_DEFAULTS_PEER_EXPIRY] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "peer-expiry must be 1000-600000000" },
	[PGM_A_DEFAULTS_SPMR_EXPIRY] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "spmr-expiry must be 1000-600000000" },
	[PGM_A_DEFAULTS_NAK_BO_IVL] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "nak-bo-ivl must be 1000-600000000" },
	[PGM_A_DEFAULTS_NAK_RPT_IVL] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "nak-rpt-ivl must be 1000-600000000" },
	[PGM_A_DEFAULTS_NAK_RDATA_IVL] = { .min = 1000U, .max = 600000000U, .zero_off = false,
		.msg = "nak-rdata-ivl must be 1000-600000000" },
	[PGM_A_DEFAULTS_NAK_NCF_RETRIES] = { .min = 0U, .max = 255U, .zero_off = false,
		.msg = "nak-ncf-retries must be 0-255" },
	[PGM_A_DEFAULTS_NAK_DATA_RETRIES] = { .min = 0U, .max = 255U, .zero_off = false,
		.msg = "nak-data-retries must be 0-255" },
	[PGM_A_DEFAULTS_JOIN_MAX] = { .min = 1U, .max = 1048576U, .zero_off = true,
		.msg = "join-max must be 0 (off) or 1-1048576" },
	[PGM_A_DEFAULTS_NAK_STORM_RATE] = { .min = 1U, .max = 10000000U, .zero_off = true,
		.msg = "nak-storm-rate must be 0 (off) or 1-10000000" },
	[PGM_A_DEFAULTS_UDP_ENCAP_UCAST_PORT] = { .min = 1U, .max = 65535U, .zero_off = false,
		.msg = "udp-encap-ucast-port must be 1-65535" },
	[PGM_A_DEFAULTS_UDP_ENCAP_MCAST_PORT] = { .min = 1U, .max = 65535U, .zero_off = false,
		.msg = "udp-encap-mcast-port must be 1-65535" },
	[PGM_A_DEFAULTS_RX_SESSIONS] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "rx-sessions must be 1-1048576" },
	[PGM_A_DEFAULTS_RX_SESSIONS_NETNS] = { .min = 1U, .max = 16777216U, .zero_off = false,
		.msg = "rx-sessions-netns must be 1-16777216" },
	[PGM_A_DEFAULTS_RX_MEM] = { .min = 65536U, .max = 4294967295U, .zero_off = false,
		.msg = "rx-mem must be 65536-4294967295" },
	[PGM_A_DEFAULTS_RX_MEM_NETNS] = { .min = 65536U, .max = 4294967295U, .zero_off = false,
		.msg = "rx-mem-netns must be 65536-4294967295" },
	[PGM_A_DEFAULTS_FEC_NAK] = { .min = 0U, .max = 1U, .zero_off = false,
		.msg = "fec-nak must be 0-1" },
	[PGM_A_DEFAULTS_CONFIRM_RECEIVERS_NETNS] = { .min = 1U, .max = 16777216U, .zero_off = false,
		.msg = "confirm-receivers-netns must be 1-16777216" },
	[PGM_A_DEFAULTS_NE_NAK_RPT_IVL] = { .min = 1000U, .max = 60000000U, .zero_off = false,
		.msg = "ne-nak-rpt-ivl must be 1000-60000000" },
	[PGM_A_DEFAULTS_NE_NAK_RPT_RTE] = { .min = 1U, .max = 1000U, .zero_off = false,
		.msg = "ne-nak-rpt-rte must be 1-1000" },
	[PGM_A_DEFAULTS_NE_NAK_RDATA_IVL] = { .min = 1000U, .max = 60000000U, .zero_off = false,
		.msg = "ne-nak-rdata-ivl must be 1000-60000000" },
	[PGM_A_DEFAULTS_NE_NAK_ELIM_IVL] = { .min = 1000U, .max = 60000000U, .zero_off = false,
		.msg = "ne-nak-elim-ivl must be 1000-60000000" },
	[PGM_A_DEFAULTS_NE_TSIS] = { .min = 1U, .max = 65536U, .zero_off = false,
		.msg = "ne-tsis must be 1-65536" },
	[PGM_A_DEFAULTS_NE_STATES] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "ne-states must be 1-1048576" },
	[PGM_A_DEFAULTS_NE_TSI_STATES] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "ne-tsi-states must be 1-1048576" },
	[PGM_A_DEFAULTS_NE_SPM_TIMEOUT] = { .min = 1000000U, .max = 3600000000U, .zero_off = false,
		.msg = "ne-spm-timeout must be 1000000-3600000000" },
	[PGM_A_DEFAULTS_RX_SESSIONS_SOURCE] = { .min = 1U, .max = 1048576U, .zero_off = false,
		.msg = "rx-sessions-source must be 1-1048576" },
};

static struct netlink_range_validation pgm_a_policy_default_action_range = {
	.min	= 0ULL,
	.max	= 1ULL,
};

static struct netlink_range_validation pgm_a_policy_max_groups_range = {
	.min	= 0ULL,
	.max	= 4096ULL,
};

const struct pgm_nl_range pgm_nl_policy_range[PGM_A_POLICY_MAX + 1] = {
	[PGM_A_POLICY_DEFAULT_ACTION] = { .min = 0U, .max = 1U, .zero_off = false,
		.msg = "default-action must be 0-1" },
	[PGM_A_POLICY_MAX_GROUPS] = { .min = 0U, .max = 4096U, .zero_off = false,
		.msg = "max-groups must be 0-4096" },
};

static struct netlink_range_validation pgm_a_policy_rule_role_range = {
	.min	= 0ULL,
	.max	= 2ULL,
};

static struct netlink_range_validation pgm_a_policy_rule_action_range = {
	.min	= 0ULL,
	.max	= 1ULL,
};

static struct netlink_range_validation pgm_a_policy_rule_prefix_len_range = {
	.min	= 0ULL,
	.max	= 128ULL,
};

static struct netlink_range_validation pgm_a_policy_rule_exempt_range = {
	.min	= 0ULL,
	.max	= 1ULL,
};

const struct pgm_nl_range pgm_nl_policy_rule_range[PGM_A_POLICY_RULE_MAX + 1] = {
	[PGM_A_POLICY_RULE_ROLE] = { .min = 0U, .max = 2U, .zero_off = false,
		.msg = "role must be 0-2" },
	[PGM_A_POLICY_RULE_ACTION] = { .min = 0U, .max = 1U, .zero_off = false,
		.msg = "action must be 0-1" },
	[PGM_A_POLICY_RULE_PREFIX_LEN] = { .min = 0U, .max = 128U, .zero_off = false,
		.msg = "prefix-len must be 0-128" },
	[PGM_A_POLICY_RULE_EXEMPT] = { .min = 0U, .max = 1U, .zero_off = false,
		.msg = "exempt must be 0-1" },
};

static struct netlink_range_validation pgm_a_ne_enabled_range = {
	.min	= 0ULL,
	.max	= 1ULL,
};

const struct pgm_nl_range pgm_nl_ne_range[PGM_A_NE_MAX + 1] = {
	[PGM_A_NE_ENABLED] = { .min = 0U, .max = 1U, .zero_off = false,
		.msg = "enabled must be 0-1" },
};

/* PGM_CMD_DEFAULTS_SET - do */
static const struct nla_policy pgm_defaults_set_nl_policy[PGM_A_DEFAULTS_RX_SESSIONS_SOURCE + 1] = {
	[PGM_A_DEFAULTS_TXW_SQNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_txw_sqns_range),
	[PGM_A_DEFAULTS_TXW_SECS_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_txw_secs_ms_range),
	[PGM_A_DEFAULTS_TXW_MAX_RTE] = { .type = NLA_U32, },
	[PGM_A_DEFAULTS_SPM_AMBIENT_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_spm_ambient_ivl_range),
	[PGM_A_DEFAULTS_IHB_MIN] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ihb_min_range),
	[PGM_A_DEFAULTS_IHB_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ihb_max_range),
	[PGM_A_DEFAULTS_RDATA_LINGER_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rdata_linger_ivl_range),
	[PGM_A_DEFAULTS_MAX_TPDU] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_max_tpdu_range),
	[PGM_A_DEFAULTS_TXW_BYTES] = { .type = NLA_U32, },
	[PGM_A_DEFAULTS_LATE_JOIN] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_late_join_range),
	[PGM_A_DEFAULTS_RXW_SQNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rxw_sqns_range),
	[PGM_A_DEFAULTS_PEER_EXPIRY] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_peer_expiry_range),
	[PGM_A_DEFAULTS_SPMR_EXPIRY] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_spmr_expiry_range),
	[PGM_A_DEFAULTS_NAK_BO_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_bo_ivl_range),
	[PGM_A_DEFAULTS_NAK_RPT_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_rpt_ivl_range),
	[PGM_A_DEFAULTS_NAK_RDATA_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_rdata_ivl_range),
	[PGM_A_DEFAULTS_NAK_NCF_RETRIES] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_ncf_retries_range),
	[PGM_A_DEFAULTS_NAK_DATA_RETRIES] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_data_retries_range),
	[PGM_A_DEFAULTS_JOIN_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_join_max_range),
	[PGM_A_DEFAULTS_NAK_STORM_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_nak_storm_rate_range),
	[PGM_A_DEFAULTS_UDP_ENCAP_UCAST_PORT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_udp_encap_ucast_port_range),
	[PGM_A_DEFAULTS_UDP_ENCAP_MCAST_PORT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_udp_encap_mcast_port_range),
	[PGM_A_DEFAULTS_RX_SESSIONS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rx_sessions_range),
	[PGM_A_DEFAULTS_RX_SESSIONS_NETNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rx_sessions_netns_range),
	[PGM_A_DEFAULTS_RX_MEM] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rx_mem_range),
	[PGM_A_DEFAULTS_RX_MEM_NETNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rx_mem_netns_range),
	[PGM_A_DEFAULTS_FEC_NAK] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_fec_nak_range),
	[PGM_A_DEFAULTS_CONFIRM_RECEIVERS_NETNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_confirm_receivers_netns_range),
	[PGM_A_DEFAULTS_NE_NAK_RPT_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_nak_rpt_ivl_range),
	[PGM_A_DEFAULTS_NE_NAK_RPT_RTE] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_nak_rpt_rte_range),
	[PGM_A_DEFAULTS_NE_NAK_RDATA_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_nak_rdata_ivl_range),
	[PGM_A_DEFAULTS_NE_NAK_ELIM_IVL] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_nak_elim_ivl_range),
	[PGM_A_DEFAULTS_NE_TSIS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_tsis_range),
	[PGM_A_DEFAULTS_NE_STATES] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_states_range),
	[PGM_A_DEFAULTS_NE_TSI_STATES] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_tsi_states_range),
	[PGM_A_DEFAULTS_NE_SPM_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_ne_spm_timeout_range),
	[PGM_A_DEFAULTS_RX_SESSIONS_SOURCE] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_defaults_rx_sessions_source_range),
};

/* PGM_CMD_PEER_GET - dump */
static const struct nla_policy pgm_peer_get_nl_policy[PGM_A_PEER_SOCKET_INODE + 1] = {
	[PGM_A_PEER_SOCKET_INODE] = { .type = NLA_U32, },
};

/* PGM_CMD_CONFIRM_RECEIVER_GET - dump */
static const struct nla_policy pgm_confirm_receiver_get_nl_policy[PGM_A_CONFIRM_RECEIVER_SOCKET_INODE + 1] = {
	[PGM_A_CONFIRM_RECEIVER_SOCKET_INODE] = { .type = NLA_U32, },
};

/* PGM_CMD_POLICY_SET - do */
static const struct nla_policy pgm_policy_set_nl_policy[PGM_A_POLICY_RATE_CAP + 1] = {
	[PGM_A_POLICY_DEFAULT_ACTION] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_default_action_range),
	[PGM_A_POLICY_MAX_GROUPS] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_max_groups_range),
	[PGM_A_POLICY_RATE_CAP] = { .type = NLA_U32, },
};

/* PGM_CMD_POLICY_RULE_ADD - do */
static const struct nla_policy pgm_policy_rule_add_nl_policy[PGM_A_POLICY_RULE_CGROUP + 1] = {
	[PGM_A_POLICY_RULE_INDEX] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_ROLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_rule_role_range),
	[PGM_A_POLICY_RULE_ACTION] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_rule_action_range),
	[PGM_A_POLICY_RULE_UID_MIN] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_UID_MAX] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_GID] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_GROUP] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_GROUP6] = NLA_POLICY_EXACT_LEN(16),
	[PGM_A_POLICY_RULE_PREFIX_LEN] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_rule_prefix_len_range),
	[PGM_A_POLICY_RULE_RATE_CAP] = { .type = NLA_U32, },
	[PGM_A_POLICY_RULE_EXEMPT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_policy_rule_exempt_range),
	[PGM_A_POLICY_RULE_CGROUP] = { .type = NLA_U64, },
};

/* PGM_CMD_POLICY_RULE_DEL - do */
static const struct nla_policy pgm_policy_rule_del_nl_policy[PGM_A_POLICY_RULE_ID + 1] = {
	[PGM_A_POLICY_RULE_ID] = { .type = NLA_U32, },
};

/* PGM_CMD_POLICY_MAP_ADD - do */
static const struct nla_policy pgm_policy_map_add_nl_policy[PGM_A_POLICY_MAP_UNICAST6 + 1] = {
	[PGM_A_POLICY_MAP_LOGICAL] = { .type = NLA_U32, },
	[PGM_A_POLICY_MAP_LOGICAL6] = NLA_POLICY_EXACT_LEN(16),
	[PGM_A_POLICY_MAP_PHYSICAL] = { .type = NLA_U32, },
	[PGM_A_POLICY_MAP_PHYSICAL6] = NLA_POLICY_EXACT_LEN(16),
	[PGM_A_POLICY_MAP_UNICAST] = { .type = NLA_BINARY, },
	[PGM_A_POLICY_MAP_UNICAST6] = { .type = NLA_BINARY, },
};

/* PGM_CMD_POLICY_MAP_DEL - do */
static const struct nla_policy pgm_policy_map_del_nl_policy[PGM_A_POLICY_MAP_LOGICAL6 + 1] = {
	[PGM_A_POLICY_MAP_LOGICAL] = { .type = NLA_U32, },
	[PGM_A_POLICY_MAP_LOGICAL6] = NLA_POLICY_EXACT_LEN(16),
};

/* PGM_CMD_NE_SET - do */
static const struct nla_policy pgm_ne_set_nl_policy[PGM_A_NE_ENABLED + 1] = {
	[PGM_A_NE_ENABLED] = NLA_POLICY_FULL_RANGE(NLA_U32, &pgm_a_ne_enabled_range),
};

/* Ops table for pgm */
const struct genl_ops pgm_nl_ops[PGM_NL_N_OPS] = {
	{
		.cmd		= PGM_CMD_DEFAULTS_GET,
		.doit		= pgm_nl_defaults_get_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_DEFAULTS_SET,
		.doit		= pgm_nl_defaults_set_doit,
		.policy		= pgm_defaults_set_nl_policy,
		.maxattr	= PGM_A_DEFAULTS_RX_SESSIONS_SOURCE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_STATS_GET,
		.doit		= pgm_nl_stats_get_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_SOCK_GET,
		.dumpit		= pgm_nl_sock_get_dumpit,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= PGM_CMD_PEER_GET,
		.dumpit		= pgm_nl_peer_get_dumpit,
		.policy		= pgm_peer_get_nl_policy,
		.maxattr	= PGM_A_PEER_SOCKET_INODE,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= PGM_CMD_CONFIRM_RECEIVER_GET,
		.dumpit		= pgm_nl_confirm_receiver_get_dumpit,
		.policy		= pgm_confirm_receiver_get_nl_policy,
		.maxattr	= PGM_A_CONFIRM_RECEIVER_SOCKET_INODE,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= PGM_CMD_POLICY_GET,
		.doit		= pgm_nl_policy_get_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_SET,
		.doit		= pgm_nl_policy_set_doit,
		.policy		= pgm_policy_set_nl_policy,
		.maxattr	= PGM_A_POLICY_RATE_CAP,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_RULE_ADD,
		.doit		= pgm_nl_policy_rule_add_doit,
		.policy		= pgm_policy_rule_add_nl_policy,
		.maxattr	= PGM_A_POLICY_RULE_CGROUP,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_RULE_DEL,
		.doit		= pgm_nl_policy_rule_del_doit,
		.policy		= pgm_policy_rule_del_nl_policy,
		.maxattr	= PGM_A_POLICY_RULE_ID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_RULE_GET,
		.dumpit		= pgm_nl_policy_rule_get_dumpit,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= PGM_CMD_POLICY_MAP_ADD,
		.doit		= pgm_nl_policy_map_add_doit,
		.policy		= pgm_policy_map_add_nl_policy,
		.maxattr	= PGM_A_POLICY_MAP_UNICAST6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_MAP_DEL,
		.doit		= pgm_nl_policy_map_del_doit,
		.policy		= pgm_policy_map_del_nl_policy,
		.maxattr	= PGM_A_POLICY_MAP_LOGICAL6,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_POLICY_MAP_GET,
		.dumpit		= pgm_nl_policy_map_get_dumpit,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= PGM_CMD_NE_GET,
		.doit		= pgm_nl_ne_get_doit,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_NE_SET,
		.doit		= pgm_nl_ne_set_doit,
		.policy		= pgm_ne_set_nl_policy,
		.maxattr	= PGM_A_NE_ENABLED,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= PGM_CMD_NE_SESSION_GET,
		.dumpit		= pgm_nl_ne_session_get_dumpit,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};

const struct genl_multicast_group pgm_nl_mcgrps[1] = {
	[PGM_NLGRP_EVENTS] = { .name = "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};
