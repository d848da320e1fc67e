/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpgm.h - the kernel side of the libpgm shim: the few <linux/pgm.h>
 * numbers and calls that shim.c needs, under names that do not clash with
 * OpenPGM's headers (both name options PGM_TXW_SQNS, PGM_JOIN_GROUP, ...,
 * with different values).  kpgm.c, which includes <linux/pgm.h>, checks at
 * compile time that every number here equals the kernel's.
 */
#ifndef PGM_SHIM_KPGM_H
#define PGM_SHIM_KPGM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KPGM_SOL			113
#define KPGM_TXW_SQNS			1
#define KPGM_TXW_SECS_MS		2
#define KPGM_TXW_MAX_RTE		3
#define KPGM_SPM_AMBIENT_IVL		4
#define KPGM_IHB_MIN			5
#define KPGM_IHB_MAX			6
#define KPGM_MAX_TPDU			8
#define KPGM_TXW_BYTES			10
#define KPGM_FEC			12
#define KPGM_RXW_SQNS			20
#define KPGM_PEER_EXPIRY		21
#define KPGM_SPMR_EXPIRY		22
#define KPGM_NAK_BO_IVL			23
#define KPGM_NAK_RPT_IVL		24
#define KPGM_NAK_RDATA_IVL		25
#define KPGM_NAK_NCF_RETRIES		26
#define KPGM_NAK_DATA_RETRIES		27
#define KPGM_ABORT_ON_LOSS		28
#define KPGM_JOIN_GROUP			29
#define KPGM_LEAVE_GROUP		30
#define KPGM_RECVSQN			31
#define KPGM_UDP_ENCAP			60
#define KPGM_UDP_ENCAP_UCAST_PORT	61
#define KPGM_UDP_ENCAP_MCAST_PORT	62
#define KPGM_TSI			43

#define KPGM_APDU_MAX			(1U << 20)
#define KPGM_FEC_ONDEMAND		0x01

/*
 * Bytes of a source's packet that are not APDU when the APDU goes in one
 * packet: IPv4 header 20, PGM header 16, ODATA header 8, and the options
 * the kernel reserves (OPT_LENGTH 4, OPT_SYN 4, OPT_JOIN 8: the budget of
 * pgm_sendmsg() less OPT_FRAGMENT), plus 8 for the UDP header when
 * encapsulated.  An APDU of at most max_tpdu - KPGM_OVERHEAD(encap) bytes
 * leaves as one ODATA without OPT_FRAGMENT, which ZeroMQ's receivers need.
 */
#define KPGM_OVERHEAD(encap)		(60 + ((encap) ? 8 : 0))

/* What recv() or the error queue gave: an APDU, a loss or a session end. */
enum kpgm_event_type {
	KPGM_EV_LOSS = 1,
	KPGM_EV_END = 2,
	KPGM_EV_OTHER = 3,
};

struct kpgm_event {
	enum kpgm_event_type	type;
	uint8_t			tsi[8];		/* GSI then data-source port, network order */
	uint32_t		sqn;		/* loss: first lost; end: last */
	uint32_t		count;		/* loss: sequence numbers lost */
};

int kpgm_socket(void);
/*
 * One APDU into @buf (at most @cap bytes); MSG_DONTWAIT.  Returns its bytes
 * and sets *@full to its real length (more than @cap: truncated), @tsi and
 * *@sqn (the first sequence number: the socket has PGM_RECVSQN on);
 * -1 with errno otherwise (EAGAIN, ECONNRESET after a loss, ...).
 */
ssize_t kpgm_recv(int fd, void *buf, size_t cap, uint8_t tsi[8], uint32_t *sqn, size_t *full);
/* One record of the error queue into @ev: 1, 0 when it is empty, -1 with errno. */
int kpgm_errqueue(int fd, struct kpgm_event *ev);
/* PGM_JOIN_GROUP or PGM_LEAVE_GROUP (@opt) with an ip_mreqn. */
int kpgm_group(int fd, int opt, uint32_t group_be, int ifindex);

#endif
