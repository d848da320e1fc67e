/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pgm.h - user API of the Linux PGM (RFC 3208) reliable multicast transport.
 *
 *	fd = socket(AF_INET, SOCK_RDM, IPPROTO_PGM);
 *
 * A source connect()s to group:port and send()s APDUs; a receiver bind()s to
 * group:port, joins the group and recvmsg()s whole APDUs, in order, per
 * transport session.  This header is the single definition of the socket
 * API: the kernel module, the Swift userland (through its C shim) and C
 * applications all include it.  pgm(7) is its manual.
 *
 * Conventions:
 *  - Every option lives at level SOL_PGM and takes the type named in its
 *    comment.  Integer options are __u32 unless stated; an optlen shorter than
 *    the type is -EINVAL, a value outside the documented range is -EINVAL, an
 *    unknown option is -ENOPROTOOPT.
 *  - Times are in microseconds (suffix _IVL, _EXPIRY) so that sub-millisecond
 *    tuning is possible and 32 bits still span 71 minutes.
 *  - Defaults are the PGM_DEFAULT_* constants below.  They, the option
 *    numbers and ranges, the kernel's option table, the Swift reference
 *    model's parameters (PGMModel.Parameters) and pgm(7)'s table are all
 *    generated from one spec, kernel/pgm.yaml (docs/adding-a-tunable.md).
 *    Netns-wide defaults can be changed with pgmctl(8); a socket takes
 *    them when it is created.
 */
#ifndef _UAPI_LINUX_PGM_H
#define _UAPI_LINUX_PGM_H

#include <linux/types.h>

/*
 * Every type of this header is of <linux/types.h> but struct sockaddr_in
 * and struct sockaddr_in6 (in struct sockaddr_pgm and sockaddr_pgm6),
 * which an application may have from either the kernel's <linux/in.h> and
 * <linux/in6.h> or the C library's <netinet/in.h>, and the two do not mix
 * both ways: the kernel's step aside when <netinet/in.h> came first
 * (<linux/libc-compat.h>), glibc's <netinet/in.h> does not.  So this
 * header takes the one already included (with <linux/in.h>, also
 * <linux/in6.h>), and otherwise <netinet/in.h>, after which either can
 * still be included.
 */
#if defined(__KERNEL__)
#include <linux/in.h>
#include <linux/in6.h>
#elif !defined(_LINUX_IN_H) && !defined(_UAPI_LINUX_IN_H)
#include <netinet/in.h>
#elif !defined(_NETINET_IN_H)
#include <linux/in6.h>
#endif

#ifndef IPPROTO_PGM
#define IPPROTO_PGM	113		/* IANA protocol number of PGM */
#endif

/* Socket option level; equal to the protocol number, as SOL_TCP is. */
#define SOL_PGM		113

/* Length of a Global Source ID (RFC 3208 section 3.1). */
#define PGM_GSI_LEN	6

/*
 * The integer tunables: option numbers, ranges and defaults, one block
 * generated from the spec of the module's tunables (kernel/pgm.yaml).
 */
/* BEGIN tunables: generated from kernel/pgm.yaml by scripts/ynl-gen, do not edit */

/* Ranges accepted by setsockopt (inclusive). */
#define PGM_WINDOW_SQNS_MIN	1
#define PGM_WINDOW_SQNS_MAX	(1U << 20)	/* well below 2^31 (section 3.2) */
#define PGM_SECS_MS_MAX		3600000	/* one hour */
#define PGM_IVL_MIN		1000	/* 1 ms */
#define PGM_IVL_MAX		600000000	/* 10 minutes */
#define PGM_TPDU_MIN		576	/* RFC 791 minimum datagram */
#define PGM_TPDU_MAX		65535
#define PGM_RETRIES_MAX		255
#define PGM_UDP_PORT_MIN	1
#define PGM_UDP_PORT_MAX	65535

/*
 * Source options (RFC 3208 section 5).  (s): fixed once the session has
 * started, -EISCONN after connect(); the others apply to a running session.
 */
#define PGM_TXW_SQNS		1	/* (s) transmit window, in sequence numbers */
#define PGM_TXW_SECS_MS		2	/* (s) transmit window, in ms; 0 = by size only */
#define PGM_TXW_MAX_RTE		3	/* rate limit, bytes/s including IP headers; 0 = none */
#define PGM_SPM_AMBIENT_IVL	4	/* ambient SPM interval, us */
#define PGM_IHB_MIN		5	/* first heartbeat SPM after data, us; at most ihb-max */
#define PGM_IHB_MAX		6	/* longest heartbeat SPM interval, us */
#define PGM_RDATA_LINGER_IVL	7	/* delay RDATA for NAKs of a just-repaired sqn to the end of this, us; 0 = off */
#define PGM_MAX_TPDU		8	/* (s) largest IP packet a source sends, bytes */
#define PGM_TXW_BYTES		10	/* (s) transmit window, in TSDU bytes; 0 = by sqns only */
#define PGM_LATE_JOIN		11	/* share of the transmit window late joiners may repair, %; 0 = none */

/*
 * Receiver options (RFC 3208 section 6).  Settable any time; a new value
 * applies to peers created after the change.
 */
#define PGM_RXW_SQNS		20	/* receive window, in sequence numbers */
#define PGM_PEER_EXPIRY		21	/* forget a silent source after, us */
#define PGM_SPMR_EXPIRY		22	/* wait for an SPM before sending an SPMR, us */
#define PGM_NAK_BO_IVL		23	/* NAK back-off interval, upper bound, us */
#define PGM_NAK_RPT_IVL		24	/* wait for an NCF after a NAK, us */
#define PGM_NAK_RDATA_IVL	25	/* wait for RDATA after an NCF, us */
#define PGM_NAK_NCF_RETRIES	26	/* NAKs without an NCF before giving up */
#define PGM_NAK_DATA_RETRIES	27	/* NCFs without RDATA before giving up */
#define PGM_JOIN_MAX		32	/* most sqns before the first one heard a new session repairs; 0 = none */

/* Options of either role (UDP encapsulation: see below). */
#define PGM_UDP_ENCAP_UCAST_PORT	61	/* UDP port of unicast packets of UDP-encapsulated sockets */
#define PGM_UDP_ENCAP_MCAST_PORT	62	/* UDP port of multicast packets of UDP-encapsulated sockets */

/* Defaults (see the table in pgm(7)). */
#define PGM_DEFAULT_TXW_SQNS		8192
#define PGM_DEFAULT_TXW_SECS_MS		0
#define PGM_DEFAULT_TXW_MAX_RTE		12500000	/* 100 Mbit/s */
#define PGM_DEFAULT_SPM_AMBIENT_IVL	1000000	/* 1 s */
#define PGM_DEFAULT_IHB_MIN		50000	/* 50 ms */
#define PGM_DEFAULT_IHB_MAX		1000000	/* 1 s */
#define PGM_DEFAULT_RDATA_LINGER_IVL	20000	/* 20 ms */
#define PGM_DEFAULT_MAX_TPDU		1500
#define PGM_DEFAULT_TXW_BYTES		0
#define PGM_DEFAULT_LATE_JOIN		0
#define PGM_DEFAULT_RXW_SQNS		8192
#define PGM_DEFAULT_PEER_EXPIRY		10000000	/* 10 s */
#define PGM_DEFAULT_SPMR_EXPIRY		250000	/* 250 ms */
#define PGM_DEFAULT_NAK_BO_IVL		50000	/* 50 ms */
#define PGM_DEFAULT_NAK_RPT_IVL		200000	/* 200 ms */
#define PGM_DEFAULT_NAK_RDATA_IVL	200000	/* 200 ms */
#define PGM_DEFAULT_NAK_NCF_RETRIES	10
#define PGM_DEFAULT_NAK_DATA_RETRIES	10
#define PGM_DEFAULT_JOIN_MAX		1048576
#define PGM_DEFAULT_UDP_ENCAP_UCAST_PORT	3055
#define PGM_DEFAULT_UDP_ENCAP_MCAST_PORT	3056

/* END tunables */

/* Other options of a source: before connect(); -EISCONN after. */
#define PGM_GSI			9	/* struct pgm_gsi; default derived per host and netns;
					 * setting it needs CAP_NET_RAW (-EPERM) */
/*
 * FEC (RFC 3208 appendix A, section 11): RS(n, k) over transmission groups
 * of k sequence numbers starting at multiples of k; @proactive parity
 * packets after each group's last ODATA, and parity for parity NAKs with
 * PGM_FEC_ONDEMAND.  All zero: no FEC (the default).  Else -EINVAL unless
 * k is a power of two from 2 to 128, n is from k + 1 to 255, @proactive is
 * at most n - k and at most k, and proactive or on-demand parity (or both)
 * is offered.  Not for OpenPGM 5.3 receivers: they abort() on some parity.
 */
#define PGM_FEC			12	/* struct pgm_fec */

struct pgm_fec {
	__u8	n;		/* packets in an FEC block: k originals, n - k parity */
	__u8	k;		/* transmission group size */
	__u8	proactive;	/* parity packets sent with each group */
	__u8	flags;		/* PGM_FEC_* */
};

#define PGM_FEC_ONDEMAND	0x01	/* answer parity NAKs with parity */

/* Other options of a receiver. */
#define PGM_ABORT_ON_LOSS	28	/* int, bool: unrecoverable loss resets the session */
#define PGM_JOIN_GROUP		29	/* struct ip_mreqn, set only: join a group */
#define PGM_LEAVE_GROUP		30	/* struct ip_mreqn, set only: leave a group */
#define PGM_RECVSQN		31	/* int, bool: recvmsg() adds a control message
					 * SOL_PGM/PGM_RECVSQN with the __u32 sequence
					 * number of the APDU's first packet */
#define PGM_FEC_NAK		33	/* int, bool, default 0: send parity NAKs to a
					 * source that offers on-demand parity
					 * (RFC 3208 section 11.5).  Off by default:
					 * an OpenPGM 5.3 source offering it
					 * aborts on the first parity NAK */
/*
 * PGMCC, congestion control by receiver feedback (draft-ietf-rmt-bb-pgmcc-03;
 * docs/pgmcc.md).  A receiver with PGM_PGMCC on takes part: it keeps each
 * session's loss rate (a filter of weight PGM_PGMCC_LOSS_WEIGHT / 65536 per
 * sequence number), ACKs every data packet that takes a slot and names it
 * the acker, answers an election (data naming no acker) with one ACK after
 * a random wait under PGM_PGMCC_ELECTION_US, and adds OPT_PGMCC_FEEDBACK to
 * its NAKs to a source whose data carries OPT_PGMCC_DATA.  ACKs go where
 * NAKs go and spend the same credit.
 *
 * A source with PGM_PGMCC on puts OPT_PGMCC_DATA on its ODATA and RDATA,
 * elects as acker the receiver with the lowest throughput by the draft's
 * equation (from ACK and NAK feedback whose receiver NLA is the packet's IP
 * source), and clocks its ODATA by a token window that opens with the
 * acker's ACKs (slow start up to PGM_PGMCC_SSTHRESH packets) and halves on
 * a loss they show; without a token send() blocks, or fails with EAGAIN,
 * and POLLOUT is clear.  PGM_TXW_MAX_RTE still caps the rate.  An APDU of
 * several TPDUs leaves on one token and spends one per TPDU.  No ACK within
 * the timeout (PGM_PGMCC_TIMEOUT_MS before an RTT sample, then SRTT + 4
 * RTTVAR, from PGM_PGMCC_TIMEOUT_MIN_MS to PGM_PGMCC_TIMEOUT_MAX_MS) sets
 * the window to one packet;
 * PGM_PGMCC_TIMEOUTS in a row end the acker's term.  Not with PGM_FEC
 * (-EOPNOTSUPP from connect()).
 *
 * Settable before bind() or connect() only (-EISCONN after).
 */
#define PGM_PGMCC		34	/* int, bool, default 0 */
#define PGM_PGMCC_LOSS_WEIGHT	500	/* c_p, in 1/65536 (the draft's experiments) */
#define PGM_PGMCC_ELECTION_US	50000	/* an election's answer waits up to this, us */
#define PGM_PGMCC_SSTHRESH	4	/* packets: slow start up to here */
#define PGM_PGMCC_TIMEOUT_MS	3000	/* before any RTT sample */
#define PGM_PGMCC_TIMEOUT_MIN_MS	200
#define PGM_PGMCC_TIMEOUT_MAX_MS	60000	/* however large the RTT claimed */
#define PGM_PGMCC_TIMEOUTS	2	/* in a row: a new election */

/*
 * Confirmed delivery (docs/confirmed-delivery.md; pgm(7), "Confirmed
 * delivery" under SOURCE and RECEIVER).  A receiver with PGM_CONFIRM sends
 * each session's source ACKs carrying OPT_CONFIRM (type 0x21): how far it
 * has everything, a JOIN first, then every PGM_CONFIRM ms (jittered by a
 * quarter) when that moved and every PGM_CONFIRM_IDLE_IVLS-th interval when
 * it did not, and
 * BYE on close() (with LOST once the session lost data).  A source with
 * PGM_CONFIRM keeps the set of live confirming receivers (at most
 * PGM_CONFIRM_MAX, and confirm-receivers-netns in the netns; a receiver
 * silent for PGM_CONFIRM_EXPIRY ms leaves) and tells through
 * getsockopt(PGM_CONFIRMED) and POLLPRI how far every one of them has
 * everything.  With PGM_CONFIRM_FLOW its window does not move past what
 * the slowest live receiver confirmed: send() waits (or EAGAIN).
 *
 * All settable before bind() or connect() only (-EISCONN after).
 */
#define PGM_CONFIRM		35	/* int: receiver, the ACK interval in ms (1: the
					 * default, PGM_CONFIRM_IVL_MS); source, bool; 0 off */
#define PGM_CONFIRM_EXPIRY	36	/* int, ms, source: a silent receiver leaves */
#define PGM_CONFIRM_MAX		37	/* int, source: live receivers kept at most */
#define PGM_CONFIRM_FLOW	38	/* int, bool, source: flow control to the slowest */
#define PGM_CONFIRMED		39	/* struct pgm_confirmed, get only, source */
#define PGM_TXW_LEAD		46	/* __u32, get only, source: the last sqn given to
					 * data (what PGM_CONFIRMED is compared with) */
#define PGM_CONFIRM_IVL_MS	200
#define PGM_CONFIRM_IVL_MIN_MS	10
#define PGM_CONFIRM_IVL_MAX_MS	60000
#define PGM_CONFIRM_IDLE_IVLS	5	/* an ACK every this many intervals while idle */
#define PGM_CONFIRM_EXPIRY_MS	3000
#define PGM_CONFIRM_EXPIRY_MIN_MS	100
#define PGM_CONFIRM_EXPIRY_MAX_MS	600000
#define PGM_CONFIRM_MAX_DEFAULT	1024
#define PGM_CONFIRM_MAX_MAX	65536

/* getsockopt(PGM_CONFIRMED): how far every live confirming receiver has everything. */
struct pgm_confirmed {
	__u32	sqn;		/* with PGM_CONFIRMED_VALID: every live receiver has
				 * every sqn up to this one (sequence arithmetic) */
	__u32	receivers;	/* live confirming receivers */
	__u64	refused;	/* receivers refused past PGM_CONFIRM_MAX or the netns bound */
	__u32	flags;		/* PGM_CONFIRMED_* */
	__u32	__pad;
};
#define PGM_CONFIRMED_VALID	0x1	/* at least one receiver is live: @sqn holds */

/* Why a confirming receiver left a source (the receiver-leave event's reason). */
enum pgm_confirm_left {
	PGM_CONFIRM_LEFT_BYE	= 1,	/* it said BYE: it closed */
	PGM_CONFIRM_LEFT_EXPIRED = 2,	/* silent for PGM_CONFIRM_EXPIRY */
	PGM_CONFIRM_LEFT_LOST	= 3,	/* it lost data: BYE with LOST, or the window passed it */
};

/*
 * A receiver takes a session's FEC group size (OPT_PARITY_PRM of its SPMs)
 * at most once per PGM_FEC_K_HOLD_MS: a change sooner is refused
 * (fec_k_refused) and turns FEC off for the session until an SPM after the
 * hold; see pgm(7) LIMITS.
 */
#define PGM_FEC_K_HOLD_MS	1000

/*
 * UDP encapsulation (OpenPGM's scheme: the PGM packet is the whole UDP
 * payload).  Settable only before bind() or connect(): -EISCONN after.  An
 * encapsulated socket sends and receives PGM in UDP only: downstream
 * packets (SPM, ODATA, RDATA, NCF) and multicast SPMRs to the group's
 * multicast port, unicast NAKs and SPMRs to the unicast port at the peer's
 * address, always from the unicast port.  The ports are taken when the
 * socket binds or connects (-EADDRINUSE if another UDP socket of the netns
 * holds one); sockets of a netns share them.  A port below the netns's
 * net.ipv4.ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE (-EACCES),
 * as a receiver's bind() to such a port does.
 */
#define PGM_UDP_ENCAP		60	/* int, bool: encapsulate in UDP */
/* PGM_UDP_ENCAP_UCAST_PORT and PGM_UDP_ENCAP_MCAST_PORT: the tunables above. */

/* Statistics and state, get only. */
#define PGM_SOURCE_STATS	40	/* struct pgm_source_stats */
#define PGM_RECEIVER_STATS	41	/* struct pgm_receiver_stats */
#define PGM_NETNS_STATS		42	/* struct pgm_netns_stats, of the socket's netns */
#define PGM_TSI			43	/* struct pgm_tsi of a connected source */

/* Largest APDU send() accepts. */
#define PGM_APDU_MAX		(1U << 20)

/*
 * Limits of a source (see LIMITS in pgm(7)).
 *  - One NAK asks for at most PGM_NAK_SQNS_MAX sequence numbers: its own
 *    and one OPT_NAK_LIST of up to 62; further OPT_NAK_LIST options are
 *    ignored (nak_lists_ignored).  The same bound holds for parity NAKs
 *    (PGM_FEC): the packets one NAK adds to what the source owes, parity
 *    or originals, are at most PGM_NAK_SQNS_MAX; groups past that are
 *    refused (parity_naks_refused).
 *  - Repairs (RDATA and NCF) take at most 1/PGM_RDATA_SHARE_DIV of
 *    PGM_TXW_MAX_RTE while a send() waits for it (or failed with EAGAIN in
 *    the last PGM_ODATA_WAIT_MS); with PGM_TXW_MAX_RTE 0 they take at most
 *    one window per second: PGM_TXW_SQNS * PGM_MAX_TPDU bytes/s.
 *  - A source that did not set SO_SNDBUF gets a send buffer that fits its
 *    window (PGM_TXW_SQNS packets of PGM_MAX_TPDU), up to
 *    PGM_SNDBUF_AUTO_MAX, and never less than net.core.wmem_default.
 *  - Late joiners (RFC 3208 section 9.4): while a session opens (its
 *    first PGM_JOIN_OPENING sqns or PGM_JOIN_OPENING_MS), OPT_JOIN names
 *    its first sqn; afterwards
 *    OPT_JOIN offers the newest PGM_LATE_JOIN percent of the window, and
 *    nothing with PGM_LATE_JOIN 0 (the default).
 */
#define PGM_NAK_SQNS_MAX		63
#define PGM_RDATA_SHARE_DIV		2
#define PGM_ODATA_WAIT_MS		100
#define PGM_SNDBUF_AUTO_MAX		(32U << 20)
#define PGM_JOIN_OPENING		64
#define PGM_JOIN_OPENING_MS		100

/* A Global Source ID (RFC 3208 section 3.1). */
struct pgm_gsi {
	__u8	gsi[PGM_GSI_LEN];
};

/* A Transport Session Identifier: GSI and source port (network order). */
struct pgm_tsi {
	__u8	gsi[PGM_GSI_LEN];
	__be16	sport;
};

/* Counters of one source socket. */
struct pgm_source_stats {
	__u64	data_bytes_sent;	/* application bytes in ODATA */
	__u64	odata_sent;		/* ODATA packets */
	__u64	rdata_sent;		/* RDATA packets */
	__u64	rdata_bytes_sent;
	__u64	spm_sent;
	__u64	ncf_sent;
	__u64	naks_received;		/* NAKs, each sqn of a NAK list counted */
	__u64	naks_ignored;		/* outside the window */
	__u64	spmr_received;
	__u64	rate_limited;		/* sends that waited for tokens */
	__u64	malformed;		/* packets for this session dropped as bad */
	__u32	txw_trail;		/* transmit window edges (section 3.3) */
	__u32	txw_lead;
	/* Limits (pgm(7) LIMITS); appended: read short by older programs. */
	__u64	rdata_deferred;		/* RDATA queued to wait for the rate limit */
	__u64	rdata_unsent;		/* queued RDATA whose data left the window first */
	__u64	naks_pending;		/* NAKed sqns already queued for RDATA (or for the end
					 * of their linger): no second copy */
	__u64	nak_lists_ignored;	/* OPT_NAK_LIST options after a NAK's first */
	__u64	ncf_dropped;		/* NAKs not all confirmed: the pending NCF was full (63) */
	__u64	spm_deferred;		/* SPMs that waited for the rate limit */
	__u64	rdata_queued;		/* RDATA waiting in the repair queue now */
	__u64	txw_mem;		/* memory the transmit window holds (skb truesize) */
	/* FEC (PGM_FEC); appended. */
	__u64	parity_sent_proactive;	/* parity ODATA after a group's last ODATA */
	__u64	parity_sent_ondemand;	/* parity RDATA for parity NAKs (not in rdata_sent) */
	__u64	parity_naks_received;	/* parity NAKs, each group of a NAK list counted */
	__u64	parity_naks_refused;	/* of them: no on-demand parity, group not wholly
					 * in the window, or past one NAK's PGM_NAK_SQNS_MAX */
	__u64	parity_by_originals;	/* parity requests answered with the group's originals:
					 * more asked than its n - k parity numbers had left */
	/* Appended. */
	__u64	rate_wait_ns;		/* how long sends were told to wait for the rate limit
					 * (the sum of the waits it set), ns */
	/* Appended: PGMCC (PGM_PGMCC); the counters are 0 without it. */
	__u64	acks_received;		/* ACKs with OPT_PGMCC_FEEDBACK, from any receiver */
	__u64	acks_no_feedback;	/* ACKs without it: ignored */
	__u64	feedback_naks;		/* NAKs whose OPT_PGMCC_FEEDBACK was taken */
	__u64	feedback_foreign;	/* feedback naming another receiver than the packet's
					 * IP source: ignored */
	__u64	acker_changes;		/* ackers chosen: each election's first, each switch */
	__u64	congestion_events;	/* losses the acker's ACKs showed: each halved the window */
	__u64	cc_timeouts;		/* no ACK within the timeout: window back to one packet */
	__u64	window_limited;		/* sends that found no token (once per wait) */
	__u32	cc_window;		/* W, in 1/65536 packets (0 without PGMCC) */
	__s32	cc_tokens;		/* T, in 1/65536 packets (negative after an APDU of
					 * several TPDUs) */
	__u32	cc_rtt_us;		/* the acker's smoothed RTT, us; 0 before a sample */
	__u32	cc_loss;		/* the acker's loss rate, 0..65535 of its feedback */
	__u8	cc_acker[16];		/* the acker's address (IPv4: the first 4 octets), network
					 * order; all zero: none (an election is called) */
	/* Appended: confirmed delivery (PGM_CONFIRM). */
	__u64	confirm_acks;		/* ACKs with OPT_CONFIRM */
	__u64	confirm_joins;		/* receivers added */
	__u64	confirm_leaves;		/* receivers gone by BYE */
	__u64	confirm_expired;	/* receivers silent past PGM_CONFIRM_EXPIRY */
	__u64	confirm_lost;		/* receivers that lost data (LOST, or the window passed them) */
	__u64	confirm_refused;	/* receivers refused past PGM_CONFIRM_MAX or the netns bound */
	__u64	confirm_stale;		/* ACKs behind what their receiver confirmed, or BYEs of
					 * unknown receivers */
	__u64	confirm_future;		/* ACKs confirming beyond the lead: clamped */
	__u64	confirm_behind;		/* unknown receivers already behind the window: not added */
	__u64	flow_limited;		/* send()s that waited for the slowest receiver */
	__u32	confirm_receivers;	/* live confirming receivers */
	__u32	confirmed;		/* PGM_CONFIRMED's sqn, with ... */
	__u32	confirm_flags;		/* ... its flags */
	__u32	__pad2;
};

/* Counters of one receiver socket, summed over its peers. */
struct pgm_receiver_stats {
	__u64	data_bytes_received;	/* application bytes delivered */
	__u64	apdus_delivered;
	__u64	odata_received;
	__u64	rdata_received;
	__u64	duplicates;		/* data already held or delivered */
	__u64	naks_sent;		/* each sqn of a NAK list counted */
	__u64	ncfs_received;
	__u64	spms_received;
	__u64	spmrs_sent;
	__u64	losses;			/* sqns declared unrecoverable */
	__u64	malformed;		/* packets for this socket dropped as bad */
	__u64	outside_window;		/* data beyond the receive window, dropped */
	__u32	peers;			/* sources currently known */
	__u32	__pad;
	/* Bounds on what packets make us hold (pgm(7) LIMITS): */
	__u64	sessions_refused;	/* new sessions refused: limits or memory */
	__u64	mem_refused;		/* packets or sessions past the memory budget */
	__u64	wrong_source;		/* a session's TSI from another address, dropped */
	__u64	naks_deferred;		/* NAKs held back: no NAK credit (reflection bound) */
	__u64	mem;			/* bytes held now: sessions, windows, data */
	/* Repairs: from a sqn found missing to its data (pgm(7) "Latency under loss") */
	__u64	repairs;		/* sqns found missing, then received */
	__u64	repair_us_total;	/* their repair times summed, us */
	__u64	repair_us_max;		/* the longest repair time, us */
	/* FEC (RFC 3208 section 11.5, pgm(7) "FEC"): */
	__u64	parity_received;	/* parity ODATA and RDATA */
	__u64	parity_dropped;		/* parity that fits no group: bad number,
					 * length, options or group size */
	__u64	parity_unused;		/* parity not needed: no FEC learnt, a group
					 * behind the window, complete or failed */
	__u64	groups_rebuilt;		/* transmission groups rebuilt from parity */
	__u64	parity_naks_sent;	/* parity NAKs (also in naks_sent) */
	/* Appended. */
	__u64	fec_k_refused;		/* SPMs changing the FEC group size within
					 * PGM_FEC_K_HOLD_MS of the last taken */
	/* Appended: PGMCC (PGM_PGMCC). */
	__u64	acks_sent;		/* ACKs sent: as the acker, or an election's answer */
	__u64	acks_no_path;		/* ACKs due before an SPM gave a path NLA: not sent */
	__u64	acks_no_credit;		/* ACKs due without NAK credit (the reflection
					 * bound): not sent */
	/* Appended: confirmed delivery (PGM_CONFIRM). */
	__u64	confirm_acks_sent;	/* ACKs with OPT_CONFIRM sent */
	__u64	confirm_no_credit;	/* of them due without NAK credit: not sent */
	/* Appended: past the memory budget (pgm(7) LIMITS). */
	__u64	windows_shed;		/* windows of sessions heard less recently given
					 * up to make room; their sqns reported lost */
	__u64	source_refused;		/* new sessions refused: their address had
					 * rx-sessions-source (also sessions_refused) */
};

/*
 * Counters of a network namespace's PGM input path: what arrived on IP
 * protocol 113 and where it went.
 */
struct pgm_netns_stats {
	__u64	in_packets;		/* all PGM packets seen */
	__u64	in_bytes;
	__u64	in_truncated;		/* shorter than their header */
	__u64	in_bad_checksum;
	__u64	in_bad_type;		/* unknown type or version bits */
	__u64	in_malformed;		/* options or lengths inconsistent */
	__u64	in_no_socket;		/* valid, but no socket wanted it */
	__u64	in_delivered;		/* handed to a socket */
	__u64	sockets;		/* PGM sockets open in the netns */
	__u64	rx_sessions_refused;	/* receivers' new sessions refused (limits) */
	__u64	rx_mem_refused;		/* receivers' packets refused (memory budget) */
	__u64	rx_wrong_source;	/* a session's TSI from another address, dropped */
	__u64	rx_sessions;		/* receivers' sessions now */
	__u64	rx_mem;			/* bytes receivers hold now */
	__u64	policy_denied;		/* connect() and joins the policy refused */
	__u64	in_policy;		/* packets not taken under a policy: group not joined */
	__u64	policy_group_limit;	/* connect() and joins refused past max-groups */
	__u64	policy_revoked;		/* sources ended, groups left by a policy change */
	__u64	policy_allowed;		/* connect() and joins a policy allowed */
	__u64	rx_windows_shed;	/* receivers' session windows given up to make
					 * room past rx-mem; their sqns reported lost */
	__u64	rx_source_refused;	/* receivers' new sessions refused past
					 * rx-sessions-source (also rx_sessions_refused) */
};

/*
 * msg_name of a received APDU: the source's IP address and data-source port
 * in @sin (so that a plain struct sockaddr_in also works), and its TSI.
 */
struct sockaddr_pgm {
	struct sockaddr_in	sin;
	struct pgm_tsi		tsi;
};

/*
 * The same on an IPv6 socket: the source's IPv6 address and data-source
 * port in @sin6 (a plain struct sockaddr_in6 also works), and its TSI.
 */
struct sockaddr_pgm6 {
	struct sockaddr_in6	sin6;
	struct pgm_tsi		tsi;
};

/*
 * Unrecoverable loss (RFC 3208 section 6.3: retries exhausted, or the data
 * left the source's transmit window).  Reported on the error queue:
 * recvmsg(MSG_ERRQUEUE) returns this record as data, with a control message
 * at level SOL_PGM, type PGM_LOSS, carrying a struct sock_extended_err with
 * ee_errno ECONNRESET, ee_origin SO_EE_ORIGIN_LOCAL, ee_info the first lost
 * sequence number and ee_data the count.  The next recv() after a loss
 * fails once with ECONNRESET (unless PGM_ABORT_ON_LOSS, which ends the
 * session instead: every later recv() fails with ECONNRESET).
 */
#define PGM_LOSS		44	/* control message type of a loss record */

struct pgm_loss {
	struct pgm_tsi	tsi;
	__u32		first_sqn;	/* first sequence number lost */
	__u32		count;		/* consecutive sequence numbers lost */
};

/*
 * The end of a session the receiver was following: its source closed
 * (OPT_FIN, section 9.7), reset it (OPT_RST, 9.8), or fell silent for
 * PGM_PEER_EXPIRY.  Reported on the error queue like a loss, with control
 * message type PGM_SESSION_END and ee_errno ESHUTDOWN, ECONNRESET or
 * ETIMEDOUT respectively; poll() reports POLLERR while records wait.  The
 * socket itself stays usable: other sessions go on.
 */
#define PGM_SESSION_END		45	/* control message type */

enum pgm_end_reason {
	PGM_END_FIN	= 1,
	PGM_END_RST	= 2,
	PGM_END_EXPIRED	= 3,
};

struct pgm_session_end {
	struct pgm_tsi	tsi;
	__u32		reason;		/* enum pgm_end_reason */
	__u32		last_sqn;	/* last sequence number delivered or lost */
};

/*
 * A source's allowed rate changed because of the netns's multicast policy
 * (pgm(7) SECURITY): its rule's rate-cap, or its share of the policy's
 * rate-cap, which is recomputed every 100 ms as sources come, go and use
 * what they are given.  Reported on the source's error queue when the
 * rate moves by more than 1/16, with control message type PGM_RATE_CHANGE
 * (ee_errno 0); poll() reports POLLERR while it waits.  At most one waits:
 * a newer one replaces it.  A rate of 0 is no limit.
 */
#define PGM_RATE_CHANGE		47	/* control message type */

struct pgm_rate_change {
	__u32	old_rate;	/* bytes/s the source could send before */
	__u32	new_rate;	/* bytes/s it may send now: min(PGM_TXW_MAX_RTE, the policy's) */
	__u32	policy_rate;	/* the policy's part of it (0: none) */
};

/*
 * Receive ring (options 50-59): a byte ring of variable-length records that
 * the kernel fills and the application maps, so that receiving costs
 * neither a system call nor a copy per APDU.
 *
 *	struct pgm_rx_ring req = { .size = 1 << 20 };
 *	setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req));   before bind()
 *	getsockopt(fd, SOL_PGM, PGM_RX_RING, &req, &len);  fills data_offset, mmap_len
 *	base = mmap(NULL, req.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
 *	ctrl = base;  data = base + req.data_offset;
 *
 * The ring must be set before bind() and once (-EINVAL after bind(),
 * -EBUSY the second time); size is a power of two from PGM_RING_SIZE_MIN to
 * PGM_RING_SIZE_MAX.  From bind() on, every deliverable APDU, loss and
 * session end goes to the ring instead of the receive and error queues, in
 * the order they happen; a loss fails no recv() with ECONNRESET and raises
 * no POLLERR.  An APDU whose record would take more than half the ring is
 * queued for recvmsg() instead, and a PGM_REC_SPILL record takes its place
 * in the ring: read it with recvmsg() when you meet that record.
 *
 * Layout: the control page (struct pgm_ring_ctrl) at offset 0, then @size
 * bytes of records at data_offset.  A record (struct pgm_ring_rec) starts on
 * an 8-byte boundary, at data + (index & (size - 1)); its @len is the
 * distance to the next record (header, payload, padding to 8 bytes).  A
 * record never wraps: when one does not fit before the end, the kernel
 * writes a PGM_REC_PAD record there and goes on at offset 0.  So a payload
 * is always contiguous.
 *
 * Indices are free-running __u32 byte counts (wrapping at 2^32):
 * @producer is written by the kernel only, @consumer by the application
 * only; the records in [consumer, producer) are the application's to read.
 *
 * Memory ordering (the protocol of AF_XDP's rings):
 *  - kernel: writes records, then  store_release(&ctrl->producer, p)
 *  - user:   p = load_acquire(&ctrl->producer); reads records below p;
 *            when done with them (payload views too):
 *            store_release(&ctrl->consumer, c)
 *  - kernel: c = load_acquire(&ctrl->consumer) before reusing bytes below c.
 *  In C11: __atomic_load_n(p, __ATOMIC_ACQUIRE) and __atomic_store_n(p, v,
 *  __ATOMIC_RELEASE).  Records may be released in any batch; only the
 *  order matters.
 *
 * Back-pressure and wake-up: when the ring is full, data stays in the
 * per-session receive windows (as when SO_RCVBUF is full; nothing is lost:
 * what does not fit in a window is repaired by NAKs later) and the kernel
 * sets PGM_RING_F_WAKEUP in @flags.  An application that has released
 * space and then (after a full barrier, __atomic_thread_fence(
 * __ATOMIC_SEQ_CST)) sees the flag must call poll() on the socket (a
 * timeout of 0 will do); that moves the waiting data in.  poll() reports
 * POLLIN while consumer != producer, and the kernel wakes pollers once per
 * batch of records, not once per record (PGM_RX_RING_WAKE below batches
 * further, across packets), and only when one waits: a reader that is
 * still reading, or spins on @producer, costs no wake-up (counted in
 * pgm_rx_ring_stats.unwoken).  Each session's data enters the
 * ring once it is in order: a session waiting for a repair holds back no
 * other.
 *
 * The kernel trusts nothing it reads from the mapping: a consumer index
 * outside [its last valid value, producer] is ignored (the ring stays
 * full until a valid one is written) and counted in
 * pgm_rx_ring_stats.bad_consumer; everything else the application writes
 * (producer, flags, record bytes) is never read by the kernel.
 *
 * The mapping holds a reference to the socket: close() with the ring
 * still mapped leaves the socket alive (and delivering) until munmap().
 */
#define PGM_RX_RING		50	/* struct pgm_rx_ring: set before bind(); get */
#define PGM_RX_RING_STATS	51	/* struct pgm_rx_ring_stats, get only */
#define PGM_RX_RING_WAKE	52	/* struct pgm_rx_ring_wake: set (with a ring), get */

/*
 * Wake-up coalescing for a ring reader that keeps up (streaming): instead of
 * a wake-up for every packet's records, the kernel wakes a sleeping poll()
 * at most @usecs after the first record not yet announced, or at once when
 * @bytes of records wait unannounced, whichever comes first (the block
 * timeout of TPACKET_V3, the interrupt coalescing of a NIC).  A reader that
 * polls while records are there does not sleep at all, so only a reader
 * that drained the ring waits, and for @usecs at most: that is the latency
 * it trades for fewer wake-ups.  {0, 0}, the default, wakes once per batch
 * of records as without the option.  @usecs at most PGM_RING_WAKE_USECS_MAX;
 * @bytes at most the ring's size (0: no byte threshold).  -EINVAL without a
 * ring or out of range.
 */
struct pgm_rx_ring_wake {
	__u32	usecs;		/* longest wait of a published record, 0: none */
	__u32	bytes;		/* wake at once past this many bytes, 0: no limit */
};

#define PGM_RING_WAKE_USECS_MAX	100000	/* 100 ms */

#define PGM_RING_SIZE_MIN	(1U << 12)
#define PGM_RING_SIZE_MAX	(1U << 26)
#define PGM_RING_ALIGN		8

struct pgm_rx_ring {
	__u32	size;		/* set: bytes of records, a power of two */
	__u32	flags;		/* set: 0 */
	__u32	data_offset;	/* get: where the records start in the mapping */
	__u32	mmap_len;	/* get: data_offset + size, the length to mmap */
};

struct pgm_rx_ring_stats {
	__u64	records;	/* records published (padding excluded) */
	__u64	bytes;		/* APDU bytes published */
	__u64	full;		/* times delivery stopped on a full ring */
	__u64	wakeups;	/* batches that woke a waiting reader */
	__u64	spilled;	/* APDUs too large for the ring, sent to recvmsg */
	__u64	bad_consumer;	/* consumer indices ignored as invalid */
	__u64	unwoken;	/* batches published with nobody waiting: no wake-up */
};

/* Control page, at offset 0 of the mapping; each index on its own line. */
struct pgm_ring_ctrl {
	__u32	producer;	/* kernel writes, release */
	__u32	__pad0[15];
	__u32	consumer;	/* application writes, release */
	__u32	__pad1[15];
	__u32	flags;		/* kernel writes: PGM_RING_F_* */
	__u32	size;		/* as set */
	__u32	rec_hdr;	/* a record's header: sizeof(struct pgm_ring_rec), or of
				 * struct pgm_ring_rec6 on an AF_INET6 socket */
	__u32	__pad2[13];
};

#define PGM_RING_F_WAKEUP	1	/* data waits for space: poll() after releasing */

/* Record types. */
enum pgm_ring_rec_type {
	PGM_REC_DATA	= 1,	/* an APDU: payload of data_len bytes */
	PGM_REC_LOSS	= 2,	/* payload: struct pgm_loss */
	PGM_REC_END	= 3,	/* payload: struct pgm_session_end */
	PGM_REC_PAD	= 4,	/* skip to offset 0 of the data area */
	PGM_REC_SPILL	= 5,	/* an APDU larger than size / 2 - rec_hdr: recvmsg() it now */
};

/*
 * A record header; the payload follows at (char *)rec + ctrl->rec_hdr:
 * sizeof(struct pgm_ring_rec) on an AF_INET socket.  For PGM_REC_PAD only
 * @len and @type are valid.
 */
struct pgm_ring_rec {
	__u32		len;		/* to the next record: a multiple of 8 */
	__u16		type;		/* enum pgm_ring_rec_type */
	__u16		flags;		/* 0 */
	__u32		data_len;	/* payload bytes (the APDU's length for SPILL) */
	__u32		sqn;		/* DATA/SPILL: the APDU's first sqn; LOSS: first lost;
					 * END: last delivered or lost */
	struct pgm_tsi	tsi;		/* the session */
	__be32		saddr;		/* IP source of the data (msg_name's sin_addr);
					 * 0 on an AF_INET6 socket */
	__u32		__reserved;
};

/*
 * On an AF_INET6 socket every record (PAD aside) has this longer header, and
 * its payload follows at (char *)rec + sizeof(struct pgm_ring_rec6): the
 * fields of struct pgm_ring_rec, then the source as recvmsg()'s msg_name
 * (struct sockaddr_pgm6) gives it.  A reader can tell by ctrl->rec_hdr.
 */
struct pgm_ring_rec6 {
	struct pgm_ring_rec	rec;		/* rec.saddr is 0 */
	struct in6_addr		saddr6;		/* IP source of the data (sin6_addr) */
	__u32			scope_id;	/* its sin6_scope_id: link-local, else 0 */
	__u32			__reserved6;
};

#endif /* _UAPI_LINUX_PGM_H */
