/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit directly, auto-generated from: */
/* 	kernel/pgm.yaml */
/* by scripts/ynl-gen (run it after changing the spec). */

#ifndef _PGM_PARAMS_GEN_H
#define _PGM_PARAMS_GEN_H

#include <linux/types.h>

/*
 * The tunables of one socket (roles source, receiver and both), in option
 * order: its copy of the netns's defaults (pgm_tunables[] in params-gen.c).
 */
struct pgm_params {
	u32	txw_sqns;		/* transmit window, in sequence numbers */
	u32	txw_secs_ms;		/* transmit window, in ms; 0 = by size only */
	u32	txw_max_rte;		/* rate limit, bytes/s including IP headers; 0 = none */
	u32	spm_ambient_ivl;	/* ambient SPM interval, us */
	u32	ihb_min;		/* first heartbeat SPM after data, us; at most ihb-max */
	u32	ihb_max;		/* longest heartbeat SPM interval, us */
	u32	rdata_linger_ivl;	/* delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off */
	u32	max_tpdu;		/* largest IP packet a source sends, bytes */
	u32	txw_bytes;		/* transmit window, in TSDU bytes; 0 = by sqns only */
	u32	late_join;		/* share of the transmit window late joiners may repair, %; 0 = none */
	u32	rxw_sqns;		/* receive window, in sequence numbers */
	u32	peer_expiry;		/* forget a silent source after, us */
	u32	spmr_expiry;		/* wait for an SPM before sending an SPMR, us */
	u32	nak_bo_ivl;		/* NAK back-off interval, upper bound, us */
	u32	nak_rpt_ivl;		/* wait for an NCF after a NAK, us */
	u32	nak_rdata_ivl;		/* wait for RDATA after an NCF, us */
	u32	nak_ncf_retries;	/* NAKs without an NCF before giving up */
	u32	nak_data_retries;	/* NCFs without RDATA before giving up */
	u32	join_max;		/* most sqns before the first one heard a new session repairs; 0 = none */
	u32	udp_encap_ucast_port;	/* UDP port of unicast packets of UDP-encapsulated sockets */
	u32	udp_encap_mcast_port;	/* UDP port of multicast packets of UDP-encapsulated sockets */
};

/* The netns's own tunables (role netns): fields of struct pgm_net. */
#define PGM_NETNS_TUNABLES							\
	u32			nak_storm_rate;					\
	u32			rx_sessions;					\
	u32			rx_sessions_netns;				\
	u32			rx_mem;						\
	u32			rx_mem_netns;					\
	u32			fec_nak;					\
	u32			confirm_receivers_netns;			\
	u32			ne_nak_rpt_ivl;					\
	u32			ne_nak_rpt_rte;					\
	u32			ne_nak_rdata_ivl;				\
	u32			ne_nak_elim_ivl;				\
	u32			ne_tsis;					\
	u32			ne_states;					\
	u32			ne_tsi_states;					\
	u32			ne_spm_timeout;					\
	u32			rx_sessions_source;

/* The tunables: rows of pgm_tunables[] and sysctls net.pgm.* (params.c). */
#define PGM_N_TUNABLES	37

#endif /* _PGM_PARAMS_GEN_H */
