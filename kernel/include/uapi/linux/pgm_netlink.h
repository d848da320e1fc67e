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

/* rules a netns's policy holds at most (docs/governance.md) */
#define PGM_POLICY_RULES_MAX	256

/* the largest max-groups a policy may set */
#define PGM_POLICY_MAX_GROUPS_MAX	4096

/* logical groups a netns's policy maps at most */
#define PGM_POLICY_MAPS_MAX	64

/* unicast addresses a logical group maps to at most */
#define PGM_POLICY_FANOUT_MAX	64

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

/*
 * Default of confirm-receivers-netns: Confirming receivers (PGM_CONFIRM)
 * all sources of the netns keep at most; past it a new one is refused and
 * counted (confirm_refused). Netns-wide only.
 */
#define PGM_CONFIRM_RECEIVERS_NETNS_DEFAULT	65536

/*
 * Default of ne-nak-rpt-ivl: The network element's NAK_RPT_IVL (RFC 3208
 * section 7.3): how long it repeats a NAK it forwarded while no NCF
 * confirms it; then it gives up and the receivers ask again. Netns-wide
 * only.
 */
#define PGM_NE_NAK_RPT_IVL_DEFAULT	200000

/*
 * Default of ne-nak-rpt-rte: The network element's NAK_RPT_RTE (section
 * 7.3): how often a forwarded NAK is repeated until an NCF comes. Netns-
 * wide only.
 */
#define PGM_NE_NAK_RPT_RTE_DEFAULT	20

/*
 * Default of ne-nak-rdata-ivl: The network element's NAK_RDATA_IVL
 * (section 7.3): how long repair state waits for its RDATA once confirmed;
 * then it is dropped (7.8). Netns-wide only.
 */
#define PGM_NE_NAK_RDATA_IVL_DEFAULT	500000

/*
 * Default of ne-nak-elim-ivl: The network element's NAK_ELIM_IVL (section
 * 7.4): how long after a NAK is confirmed its duplicates are eliminated; a
 * small fraction of ne-nak-rdata-ivl. Netns-wide only.
 */
#define PGM_NE_NAK_ELIM_IVL_DEFAULT	50000

/*
 * Default of ne-tsis: Sessions (TSI and group) the network element follows
 * at most; an SPM of another is forwarded without source path state and
 * counted (ne tsis-refused). Netns-wide only.
 */
#define PGM_NE_TSIS_DEFAULT	1024

/*
 * Default of ne-states: Repair states (one a NAKed sqn) the network
 * element keeps at most; past it a NAK makes none and is counted (ne
 * states-refused). Netns-wide only.
 */
#define PGM_NE_STATES_DEFAULT	16384

/*
 * Default of ne-tsi-states: Repair states one session may have in the
 * network element at most, so that a flood of NAKs for one leaves room for
 * the others. Netns-wide only.
 */
#define PGM_NE_TSI_STATES_DEFAULT	4096

/*
 * Default of ne-spm-timeout: How long the network element keeps a session
 * without an SPM; a session ends sooner with OPT_RST, or two ne-nak-rdata-
 * ivl after OPT_FIN. A quarter of it is also the longest a false SPM far
 * ahead keeps the true ones out. Netns-wide only.
 */
#define PGM_NE_SPM_TIMEOUT_DEFAULT	60000000

/*
 * Default of rx-sessions-source: Sessions one receiver socket keeps at
 * most from one IP address (the sessions' source); a packet of a new
 * session from an address at it is dropped and counted, so that one host
 * cannot take all of rx-sessions. Netns-wide only.
 */
#define PGM_RX_SESSIONS_SOURCE_DEFAULT	256

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

/* What a policy rule, or the policy's default, does with a socket. */
enum pgm_policy_action {
	PGM_POLICY_ACTION_ALLOW = 0,	/* the socket may use the group */
	PGM_POLICY_ACTION_DENY = 1,	/* connect() or the join fails with EACCES */
};

/* Which sockets a policy rule is about. */
enum pgm_policy_role {
	PGM_POLICY_ROLE_ANY = 0,	/* sources and receivers */
	PGM_POLICY_ROLE_SOURCE = 1,	/* a source's connect() to the group */
	PGM_POLICY_ROLE_RECEIVER = 2,	/* a receiver's join of the group */
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
	PGM_A_DEFAULTS_CONFIRM_RECEIVERS_NETNS = 68,
	PGM_A_DEFAULTS_NE_NAK_RPT_IVL = 69,
	PGM_A_DEFAULTS_NE_NAK_RPT_RTE = 70,
	PGM_A_DEFAULTS_NE_NAK_RDATA_IVL = 71,
	PGM_A_DEFAULTS_NE_NAK_ELIM_IVL = 72,
	PGM_A_DEFAULTS_NE_TSIS = 73,
	PGM_A_DEFAULTS_NE_STATES = 74,
	PGM_A_DEFAULTS_NE_TSI_STATES = 75,
	PGM_A_DEFAULTS_NE_SPM_TIMEOUT = 76,
	PGM_A_DEFAULTS_RX_SESSIONS_SOURCE = 77,

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
	PGM_A_STATS_POLICY_DENIED = 16,
	PGM_A_STATS_IN_POLICY = 17,
	PGM_A_STATS_POLICY_GROUP_LIMIT = 18,
	PGM_A_STATS_POLICY_REVOKED = 19,
	PGM_A_STATS_POLICY_ALLOWED = 20,
	PGM_A_STATS_RX_WINDOWS_SHED = 21,
	PGM_A_STATS_RX_SOURCE_REFUSED = 22,

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
	PGM_A_SOURCE_STATS_ACKS_RECEIVED = 27,
	PGM_A_SOURCE_STATS_ACKS_NO_FEEDBACK = 28,
	PGM_A_SOURCE_STATS_FEEDBACK_NAKS = 29,
	PGM_A_SOURCE_STATS_FEEDBACK_FOREIGN = 30,
	PGM_A_SOURCE_STATS_ACKER_CHANGES = 31,
	PGM_A_SOURCE_STATS_CONGESTION_EVENTS = 32,
	PGM_A_SOURCE_STATS_CC_TIMEOUTS = 33,
	PGM_A_SOURCE_STATS_WINDOW_LIMITED = 34,
	PGM_A_SOURCE_STATS_CONFIRM_ACKS = 35,
	PGM_A_SOURCE_STATS_CONFIRM_JOINS = 36,
	PGM_A_SOURCE_STATS_CONFIRM_LEAVES = 37,
	PGM_A_SOURCE_STATS_CONFIRM_EXPIRED = 38,
	PGM_A_SOURCE_STATS_CONFIRM_LOST = 39,
	PGM_A_SOURCE_STATS_CONFIRM_REFUSED = 40,
	PGM_A_SOURCE_STATS_CONFIRM_STALE = 41,
	PGM_A_SOURCE_STATS_CONFIRM_FUTURE = 42,
	PGM_A_SOURCE_STATS_CONFIRM_BEHIND = 43,
	PGM_A_SOURCE_STATS_FLOW_LIMITED = 44,

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
	PGM_A_RECEIVER_STATS_FEC_K_REFUSED = 27,
	PGM_A_RECEIVER_STATS_ACKS_SENT = 28,
	PGM_A_RECEIVER_STATS_ACKS_NO_PATH = 29,
	PGM_A_RECEIVER_STATS_ACKS_NO_CREDIT = 30,
	PGM_A_RECEIVER_STATS_CONFIRM_ACKS_SENT = 31,
	PGM_A_RECEIVER_STATS_CONFIRM_NO_CREDIT = 32,
	PGM_A_RECEIVER_STATS_WINDOWS_SHED = 33,
	PGM_A_RECEIVER_STATS_SOURCE_REFUSED = 34,

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
	PGM_A_SOCKET_PGMCC_ACKER = 30,
	PGM_A_SOCKET_PGMCC_ACKER6 = 31,
	PGM_A_SOCKET_PGMCC_WINDOW = 32,
	PGM_A_SOCKET_PGMCC_RTT_US = 33,
	PGM_A_SOCKET_PGMCC_LOSS_RATE = 34,
	PGM_A_SOCKET_CONFIRM_RECEIVERS = 35,
	PGM_A_SOCKET_CONFIRMED_SQN = 36,
	PGM_A_SOCKET_POLICY_RATE = 37,

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
	PGM_A_PEER_PGMCC_LOSS_RATE = 23,
	PGM_A_PEER_ACKS_SENT = 24,

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
	PGM_A_EVENT_ACKER = 18,
	PGM_A_EVENT_ACKER6 = 19,
	PGM_A_EVENT_RTT_US = 20,
	PGM_A_EVENT_LOSS_RATE = 21,
	PGM_A_EVENT_RECEIVER = 22,
	PGM_A_EVENT_RECEIVER6 = 23,
	PGM_A_EVENT_RECEIVER_ID = 24,
	PGM_A_EVENT_CONFIRMED_SQN = 25,
	PGM_A_EVENT_UID = 26,
	PGM_A_EVENT_RULE_ID = 27,
	PGM_A_EVENT_ERROR = 28,
	PGM_A_EVENT_UPSTREAM = 29,
	PGM_A_EVENT_IFINDEX = 30,

	__PGM_A_EVENT_MAX,
	PGM_A_EVENT_MAX = (__PGM_A_EVENT_MAX - 1)
};

/* One live confirming receiver of a source (PGM_CONFIRM). */
enum {
	PGM_A_CONFIRM_RECEIVER_SOCKET_INODE = 1,
	PGM_A_CONFIRM_RECEIVER_ADDRESS = 2,
	PGM_A_CONFIRM_RECEIVER_ADDRESS6 = 3,
	PGM_A_CONFIRM_RECEIVER_RECEIVER_ID = 4,
	PGM_A_CONFIRM_RECEIVER_CONFIRMED_SQN = 5,
	PGM_A_CONFIRM_RECEIVER_IDLE_MS = 6,

	__PGM_A_CONFIRM_RECEIVER_MAX,
	PGM_A_CONFIRM_RECEIVER_MAX = (__PGM_A_CONFIRM_RECEIVER_MAX - 1)
};

/* A netns's multicast policy as a whole (docs/governance.md). */
enum {
	PGM_A_POLICY_DEFAULT_ACTION = 1,
	PGM_A_POLICY_RULES = 2,
	PGM_A_POLICY_MAX_GROUPS = 3,
	PGM_A_POLICY_GROUPS = 4,
	PGM_A_POLICY_RATE_CAP = 5,
	PGM_A_POLICY_MAPS = 6,

	__PGM_A_POLICY_MAX,
	PGM_A_POLICY_MAX = (__PGM_A_POLICY_MAX - 1)
};

/*
 * One rule of a netns's policy.  The first rule that matches a socket's
 * connect() or join decides; a rule matches when every part it has
 * matches (no uid range: any owner; no gid: any; no group: every group
 * of both families).
 */
enum {
	PGM_A_POLICY_RULE_PAD = 1,
	PGM_A_POLICY_RULE_ID = 2,
	PGM_A_POLICY_RULE_INDEX = 3,
	PGM_A_POLICY_RULE_ROLE = 4,
	PGM_A_POLICY_RULE_ACTION = 5,
	PGM_A_POLICY_RULE_UID_MIN = 6,
	PGM_A_POLICY_RULE_UID_MAX = 7,
	PGM_A_POLICY_RULE_GID = 8,
	PGM_A_POLICY_RULE_GROUP = 9,
	PGM_A_POLICY_RULE_GROUP6 = 10,
	PGM_A_POLICY_RULE_PREFIX_LEN = 11,
	PGM_A_POLICY_RULE_HITS = 12,
	PGM_A_POLICY_RULE_RATE_CAP = 13,
	PGM_A_POLICY_RULE_EXEMPT = 14,
	PGM_A_POLICY_RULE_CGROUP = 15,

	__PGM_A_POLICY_RULE_MAX,
	PGM_A_POLICY_RULE_MAX = (__PGM_A_POLICY_RULE_MAX - 1)
};

/*
 * A logical group of a netns's policy: the address applications use,
 * and what it stands for - a physical group (sources send there,
 * joins and binds are made to it) or a list of unicast receivers (a
 * source sends each downstream packet to each; docs/governance.md).
 */
enum {
	PGM_A_POLICY_MAP_LOGICAL = 1,
	PGM_A_POLICY_MAP_LOGICAL6 = 2,
	PGM_A_POLICY_MAP_PHYSICAL = 3,
	PGM_A_POLICY_MAP_PHYSICAL6 = 4,
	PGM_A_POLICY_MAP_UNICAST = 5,
	PGM_A_POLICY_MAP_UNICAST6 = 6,

	__PGM_A_POLICY_MAP_MAX,
	PGM_A_POLICY_MAP_MAX = (__PGM_A_POLICY_MAP_MAX - 1)
};

/*
 * The netns's PGM network element (RFC 3208 section 7,
 * docs/router-assist.md): on or off, what it holds, its counters.
 */
enum {
	PGM_A_NE_PAD = 1,
	PGM_A_NE_ENABLED = 2,
	PGM_A_NE_TSIS = 3,
	PGM_A_NE_STATES = 4,
	PGM_A_NE_MEM = 5,
	PGM_A_NE_SPMS = 6,
	PGM_A_NE_SPMS_REFUSED = 7,
	PGM_A_NE_PATH_CHANGES = 8,
	PGM_A_NE_NAKS = 9,
	PGM_A_NE_NAKS_FORWARDED = 10,
	PGM_A_NE_NAKS_ELIMINATED = 11,
	PGM_A_NE_NAKS_REFUSED = 12,
	PGM_A_NE_NAK_REPEATS = 13,
	PGM_A_NE_NAKS_UNCONFIRMED = 14,
	PGM_A_NE_NCFS_SENT = 15,
	PGM_A_NE_NCFS_LIMITED = 16,
	PGM_A_NE_NCFS_CONFIRMED = 17,
	PGM_A_NE_NCFS_ANTICIPATED = 18,
	PGM_A_NE_NCFS_REFUSED = 19,
	PGM_A_NE_RDATA_FORWARDED = 20,
	PGM_A_NE_RDATA_CONSTRAINED = 21,
	PGM_A_NE_RDATA_UNREPAIRED = 22,
	PGM_A_NE_STATES_REFUSED = 23,
	PGM_A_NE_TSIS_REFUSED = 24,
	PGM_A_NE_STATES_EXPIRED = 25,
	PGM_A_NE_NNAKS = 26,
	PGM_A_NE_MALFORMED = 27,
	PGM_A_NE_FRAGMENTS = 28,

	__PGM_A_NE_MAX,
	PGM_A_NE_MAX = (__PGM_A_NE_MAX - 1)
};

/* A session the network element follows, from its SPMs. */
enum {
	PGM_A_NE_SESSION_TSI = 1,
	PGM_A_NE_SESSION_GROUP = 2,
	PGM_A_NE_SESSION_SOURCE = 3,
	PGM_A_NE_SESSION_PORT = 4,
	PGM_A_NE_SESSION_UPSTREAM = 5,
	PGM_A_NE_SESSION_IFINDEX = 6,
	PGM_A_NE_SESSION_SPM_SQN = 7,
	PGM_A_NE_SESSION_TRAIL = 8,
	PGM_A_NE_SESSION_LEAD = 9,
	PGM_A_NE_SESSION_STATES = 10,
	PGM_A_NE_SESSION_TG_SIZE = 11,
	PGM_A_NE_SESSION_IDLE_MS = 12,

	__PGM_A_NE_SESSION_MAX,
	PGM_A_NE_SESSION_MAX = (__PGM_A_NE_SESSION_MAX - 1)
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
	PGM_CMD_ACKER_CHANGE_NTF = 11,
	PGM_CMD_RECEIVER_JOIN_NTF = 12,
	PGM_CMD_RECEIVER_LEAVE_NTF = 13,
	PGM_CMD_RECEIVER_REFUSED_NTF = 14,
	PGM_CMD_CONFIRM_RECEIVER_GET = 15,
	PGM_CMD_POLICY_GET = 16,
	PGM_CMD_POLICY_SET = 17,
	PGM_CMD_POLICY_RULE_ADD = 18,
	PGM_CMD_POLICY_RULE_DEL = 19,
	PGM_CMD_POLICY_RULE_GET = 20,
	PGM_CMD_POLICY_MAP_ADD = 21,
	PGM_CMD_POLICY_MAP_DEL = 22,
	PGM_CMD_POLICY_MAP_GET = 23,
	PGM_CMD_POLICY_DENIED_NTF = 24,
	PGM_CMD_POLICY_ALLOWED_NTF = 25,
	PGM_CMD_POLICY_REVOKED_NTF = 26,
	PGM_CMD_NE_GET = 27,
	PGM_CMD_NE_SET = 28,
	PGM_CMD_NE_SESSION_GET = 29,
	PGM_CMD_NE_SESSION_NTF = 30,
	PGM_CMD_NE_SESSION_END_NTF = 31,

	__PGM_CMD_MAX,
	PGM_CMD_MAX = (__PGM_CMD_MAX - 1)
};

#define PGM_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_PGM_NETLINK_H */
