/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/* 	kernel/pgm.yaml */
/* by scripts/ynl-gen (run it after changing the spec). */

#ifndef _UAPI_LINUX_PGM_NETLINK_H
#define _UAPI_LINUX_PGM_NETLINK_H

/*
 * Control plane of the PGM (RFC 3208) transport: netns-wide defaults of the
 * socket tunables, netns counters, socket and peer dumps, and events.
 */
#define PGM_FAMILY_NAME	"pgm"
#define PGM_FAMILY_VERSION	1

/*
 * Default of nak-storm-rate: NAKs per second one source session may
 * receive before a nak-storm event; 0 = no such events. Not a socket
 * option: netns-wide only.
 */
#define PGM_NAK_STORM_RATE_DEFAULT	1000

/*
 * Default of rx-sessions: Sessions one receiver socket keeps at most; a
 * packet of a new session past it is dropped and counted. Not a socket
 * option: netns-wide only.
 */
#define PGM_RX_SESSIONS_DEFAULT	1024

/*
 * Default of rx-sessions-netns: Sessions all receivers of the netns keep
 * at most. Netns-wide only.
 */
#define PGM_RX_SESSIONS_NETNS_DEFAULT	65536

/*
 * Default of rx-mem: Bytes one receiver socket may hold for its sessions,
 * windows and data waiting in them (SO_RCVBUF when larger); past it
 * packets are refused and counted. Netns-wide only.
 */
#define PGM_RX_MEM_DEFAULT	33554432

/*
 * Default of rx-mem-netns: Bytes all receivers of the netns may hold.
 * Netns-wide only.
 */
#define PGM_RX_MEM_NETNS_DEFAULT	268435456

/*
 * Default of fec-nak: What PGM_FEC_NAK starts as in receiver sockets
 * created in the netns: 1, parity NAKs to sources that offer on-demand
 * parity; 0, selective NAKs only (OpenPGM 5.3 sources abort on a parity
 * NAK). A socket's setsockopt(PGM_FEC_NAK) overrides it.
 */
#define PGM_FEC_NAK_DEFAULT	0

/* What a socket is. */
enum pgm_role {
	PGM_ROLE_NONE = 0,	/* neither bound to a group nor connected */
	PGM_ROLE_SOURCE = 1,	/* connected to a group; sends a session */
	PGM_ROLE_RECEIVER = 2,	/* bound to a group and port; receives sessions */
};

/* The state of a socket's session. */
enum pgm_sock_state {
	PGM_SOCK_STATE_IDLE = 0,	/* no session (role none) */
	PGM_SOCK_STATE_ACTIVE = 1,	/* a source sending, or a receiver receiving */
	PGM_SOCK_STATE_CLOSING = 2,	/* a source that is closing (OPT_FIN or OPT_RST sent, lingering) */
	PGM_SOCK_STATE_ABORTED = 3,	/* a receiver stopped by loss under PGM_ABORT_ON_LOSS */
};

/*
 * Netns-wide defaults: what a socket of the netns takes when it is
 * created, and the netns's own settings (role netns).  Attribute
 * numbers equal the SOL_PGM option numbers, and the ranges are
 * setsockopt's.  Every attribute here is a tunable (scripts/ynl-gen).
 */
enum {
	PGM_A_DEFAULTS_TXW_SQNS = 1,
	PGM_A_DEFAULTS_TXW_SECS_MS = 2,
	PGM_A_DEFAULTS_TXW_MAX_RTE = 3,
	PGM_A_DEFAULTS_SPM_AMBIENT_IVL = 4,
	PGM_A_DEFAULTS_IHB_MIN = 5,
	PGM_A_DEFAULTS_IHB_MAX = 6,
	PGM_A_DEFAULTS_RDATA_LINGER_IVL = 7,
	PGM_A_DEFAULTS_MAX_TPDU = 8,
	PGM_A_DEFAULTS_TXW_BYTES = 10,
	PGM_A_DEFAULTS_LATE_JOIN = 11,
	PGM_A_DEFAULTS_RXW_SQNS = 20,
	PGM_A_DEFAULTS_PEER_EXPIRY = 21,
	PGM_A_DEFAULTS_SPMR_EXPIRY = 22,
	PGM_A_DEFAULTS_NAK_BO_IVL = 23,
	PGM_A_DEFAULTS_NAK_RPT_IVL = 24,
	PGM_A_DEFAULTS_NAK_RDATA_IVL = 25,
	PGM_A_DEFAULTS_NAK_NCF_RETRIES = 26,
	PGM_A_DEFAULTS_NAK_DATA_RETRIES = 27,
	PGM_A_DEFAULTS_JOIN_MAX = 32,
	PGM_A_DEFAULTS_NAK_STORM_RATE = 50,
	PGM_A_DEFAULTS_UDP_ENCAP_UCAST_PORT = 61,
	PGM_A_DEFAULTS_UDP_ENCAP_MCAST_PORT = 62,
	PGM_A_DEFAULTS_RX_SESSIONS = 63,
	PGM_A_DEFAULTS_RX_SESSIONS_NETNS = 64,
	PGM_A_DEFAULTS_RX_MEM = 65,
	PGM_A_DEFAULTS_RX_MEM_NETNS = 66,
	PGM_A_DEFAULTS_FEC_NAK = 67,

	__PGM_A_DEFAULTS_MAX,
	PGM_A_DEFAULTS_MAX = (__PGM_A_DEFAULTS_MAX - 1)
};

/* Counters of the netns's PGM input path (struct pgm_netns_stats). */
enum {
	PGM_A_STATS_PAD = 1,
	PGM_A_STATS_IN_PACKETS = 2,
	PGM_A_STATS_IN_BYTES = 3,
	PGM_A_STATS_IN_TRUNCATED = 4,
	PGM_A_STATS_IN_BAD_CHECKSUM = 5,
	PGM_A_STATS_IN_BAD_TYPE = 6,
	PGM_A_STATS_IN_MALFORMED = 7,
	PGM_A_STATS_IN_NO_SOCKET = 8,
	PGM_A_STATS_IN_DELIVERED = 9,
	PGM_A_STATS_SOCKETS = 10,
	PGM_A_STATS_RX_SESSIONS_REFUSED = 11,
	PGM_A_STATS_RX_MEM_REFUSED = 12,
	PGM_A_STATS_RX_WRONG_SOURCE = 13,
	PGM_A_STATS_RX_SESSIONS = 14,
	PGM_A_STATS_RX_MEM = 15,

	__PGM_A_STATS_MAX,
	PGM_A_STATS_MAX = (__PGM_A_STATS_MAX - 1)
};

/* Counters of a source socket (struct pgm_source_stats). */
enum {
	PGM_A_SOURCE_STATS_PAD = 1,
	PGM_A_SOURCE_STATS_DATA_BYTES_SENT = 2,
	PGM_A_SOURCE_STATS_ODATA_SENT = 3,
	PGM_A_SOURCE_STATS_RDATA_SENT = 4,
	PGM_A_SOURCE_STATS_RDATA_BYTES_SENT = 5,
	PGM_A_SOURCE_STATS_SPM_SENT = 6,
	PGM_A_SOURCE_STATS_NCF_SENT = 7,
	PGM_A_SOURCE_STATS_NAKS_RECEIVED = 8,
	PGM_A_SOURCE_STATS_NAKS_IGNORED = 9,
	PGM_A_SOURCE_STATS_SPMR_RECEIVED = 10,
	PGM_A_SOURCE_STATS_RATE_LIMITED = 11,
	PGM_A_SOURCE_STATS_MALFORMED = 12,
	PGM_A_SOURCE_STATS_RDATA_DEFERRED = 13,
	PGM_A_SOURCE_STATS_RDATA_UNSENT = 14,
	PGM_A_SOURCE_STATS_NAKS_PENDING = 15,
	PGM_A_SOURCE_STATS_NAK_LISTS_IGNORED = 16,
	PGM_A_SOURCE_STATS_NCF_DROPPED = 17,
	PGM_A_SOURCE_STATS_SPM_DEFERRED = 18,
	PGM_A_SOURCE_STATS_RDATA_QUEUED = 19,
	PGM_A_SOURCE_STATS_TXW_MEM = 20,
	PGM_A_SOURCE_STATS_PARITY_SENT_PROACTIVE = 21,
	PGM_A_SOURCE_STATS_PARITY_SENT_ONDEMAND = 22,
	PGM_A_SOURCE_STATS_PARITY_NAKS_RECEIVED = 23,
	PGM_A_SOURCE_STATS_PARITY_NAKS_REFUSED = 24,
	PGM_A_SOURCE_STATS_PARITY_BY_ORIGINALS = 25,
	PGM_A_SOURCE_STATS_RATE_WAIT_NS = 26,

	__PGM_A_SOURCE_STATS_MAX,
	PGM_A_SOURCE_STATS_MAX = (__PGM_A_SOURCE_STATS_MAX - 1)
};

/* Counters of a receiver socket, over its peers (struct pgm_receiver_stats). */
enum {
	PGM_A_RECEIVER_STATS_PAD = 1,
	PGM_A_RECEIVER_STATS_DATA_BYTES_RECEIVED = 2,
	PGM_A_RECEIVER_STATS_APDUS_DELIVERED = 3,
	PGM_A_RECEIVER_STATS_ODATA_RECEIVED = 4,
	PGM_A_RECEIVER_STATS_RDATA_RECEIVED = 5,
	PGM_A_RECEIVER_STATS_DUPLICATES = 6,
	PGM_A_RECEIVER_STATS_NAKS_SENT = 7,
	PGM_A_RECEIVER_STATS_NCFS_RECEIVED = 8,
	PGM_A_RECEIVER_STATS_SPMS_RECEIVED = 9,
	PGM_A_RECEIVER_STATS_SPMRS_SENT = 10,
	PGM_A_RECEIVER_STATS_LOSSES = 11,
	PGM_A_RECEIVER_STATS_MALFORMED = 12,
	PGM_A_RECEIVER_STATS_OUTSIDE_WINDOW = 13,
	PGM_A_RECEIVER_STATS_SESSIONS_REFUSED = 14,
	PGM_A_RECEIVER_STATS_MEM_REFUSED = 15,
	PGM_A_RECEIVER_STATS_WRONG_SOURCE = 16,
	PGM_A_RECEIVER_STATS_NAKS_DEFERRED = 17,
	PGM_A_RECEIVER_STATS_MEM = 18,
	PGM_A_RECEIVER_STATS_REPAIRS = 19,
	PGM_A_RECEIVER_STATS_REPAIR_US_TOTAL = 20,
	PGM_A_RECEIVER_STATS_REPAIR_US_MAX = 21,
	PGM_A_RECEIVER_STATS_PARITY_RECEIVED = 22,
	PGM_A_RECEIVER_STATS_PARITY_DROPPED = 23,
	PGM_A_RECEIVER_STATS_PARITY_UNUSED = 24,
	PGM_A_RECEIVER_STATS_GROUPS_REBUILT = 25,
	PGM_A_RECEIVER_STATS_PARITY_NAKS_SENT = 26,

	__PGM_A_RECEIVER_STATS_MAX,
	PGM_A_RECEIVER_STATS_MAX = (__PGM_A_RECEIVER_STATS_MAX - 1)
};

/* One PGM socket, as a socket dump gives it. */
enum {
	PGM_A_SOCKET_PAD = 1,
	PGM_A_SOCKET_INODE = 2,
	PGM_A_SOCKET_UID = 3,
	PGM_A_SOCKET_ROLE = 4,
	PGM_A_SOCKET_STATE = 5,
	PGM_A_SOCKET_GSI = 6,
	PGM_A_SOCKET_TSI = 7,
	PGM_A_SOCKET_ADDR = 8,
	PGM_A_SOCKET_GROUP = 9,
	PGM_A_SOCKET_PORT = 10,
	PGM_A_SOCKET_SPORT = 11,
	PGM_A_SOCKET_TXW_TRAIL = 12,
	PGM_A_SOCKET_TXW_LEAD = 13,
	PGM_A_SOCKET_TXW_SIZE = 14,
	PGM_A_SOCKET_TXW_BYTES = 15,
	PGM_A_SOCKET_RATE_LIMIT = 16,
	PGM_A_SOCKET_RMEM_ALLOC = 17,
	PGM_A_SOCKET_RCVBUF = 18,
	PGM_A_SOCKET_WMEM_ALLOC = 19,
	PGM_A_SOCKET_SNDBUF = 20,
	PGM_A_SOCKET_RCV_QUEUE = 21,
	PGM_A_SOCKET_ERR_QUEUE = 22,
	PGM_A_SOCKET_PEERS = 23,
	PGM_A_SOCKET_SOURCE_STATS = 24,
	PGM_A_SOCKET_RECEIVER_STATS = 25,
	PGM_A_SOCKET_PID = 26,
	PGM_A_SOCKET_FAMILY = 27,
	PGM_A_SOCKET_ADDR6 = 28,
	PGM_A_SOCKET_GROUP6 = 29,

	__PGM_A_SOCKET_MAX,
	PGM_A_SOCKET_MAX = (__PGM_A_SOCKET_MAX - 1)
};

/* One session a receiver socket follows. */
enum {
	PGM_A_PEER_PAD = 1,
	PGM_A_PEER_SOCKET_INODE = 2,
	PGM_A_PEER_TSI = 3,
	PGM_A_PEER_SOURCE = 4,
	PGM_A_PEER_GROUP = 5,
	PGM_A_PEER_PORT = 6,
	PGM_A_PEER_NLA = 7,
	PGM_A_PEER_NEXT_SQN = 8,
	PGM_A_PEER_LEAD_SQN = 9,
	PGM_A_PEER_RXW_SQNS = 10,
	PGM_A_PEER_END = 11,
	PGM_A_PEER_IDLE_MS = 12,
	PGM_A_PEER_LOSSES = 13,
	PGM_A_PEER_NAKS_SENT = 14,
	PGM_A_PEER_FEC_K = 15,
	PGM_A_PEER_FEC_PROACTIVE = 16,
	PGM_A_PEER_FEC_ONDEMAND = 17,
	PGM_A_PEER_GROUPS_REBUILT = 18,
	PGM_A_PEER_PARITY_NAKS_SENT = 19,
	PGM_A_PEER_SOURCE6 = 20,
	PGM_A_PEER_GROUP6 = 21,
	PGM_A_PEER_NLA6 = 22,

	__PGM_A_PEER_MAX,
	PGM_A_PEER_MAX = (__PGM_A_PEER_MAX - 1)
};

/* What the events multicast group announces. */
enum {
	PGM_A_EVENT_PAD = 1,
	PGM_A_EVENT_SOCKET_INODE = 2,
	PGM_A_EVENT_ROLE = 3,
	PGM_A_EVENT_TSI = 4,
	PGM_A_EVENT_SOURCE = 5,
	PGM_A_EVENT_GROUP = 6,
	PGM_A_EVENT_PORT = 7,
	PGM_A_EVENT_FIRST_SQN = 8,
	PGM_A_EVENT_COUNT = 9,
	PGM_A_EVENT_LAST_SQN = 10,
	PGM_A_EVENT_REASON = 11,
	PGM_A_EVENT_RATE = 12,
	PGM_A_EVENT_THRESHOLD = 13,
	PGM_A_EVENT_RATE_LIMIT = 14,
	PGM_A_EVENT_RATE_LIMITED = 15,
	PGM_A_EVENT_SOURCE6 = 16,
	PGM_A_EVENT_GROUP6 = 17,

	__PGM_A_EVENT_MAX,
	PGM_A_EVENT_MAX = (__PGM_A_EVENT_MAX - 1)
};

enum {
	PGM_CMD_DEFAULTS_GET = 1,
	PGM_CMD_DEFAULTS_SET = 2,
	PGM_CMD_STATS_GET = 3,
	PGM_CMD_SOCK_GET = 4,
	PGM_CMD_PEER_GET = 5,
	PGM_CMD_SESSION_START_NTF = 6,
	PGM_CMD_SESSION_END_NTF = 7,
	PGM_CMD_LOSS_NTF = 8,
	PGM_CMD_NAK_STORM_NTF = 9,
	PGM_CMD_RATE_LIMITED_NTF = 10,

	__PGM_CMD_MAX,
	PGM_CMD_MAX = (__PGM_CMD_MAX - 1)
};

#define PGM_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_PGM_NETLINK_H */
