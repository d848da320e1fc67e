// SPDX-License-Identifier: GPL-2.0
/*
 * kpgm.c - the calls of the libpgm shim that need <linux/pgm.h> (see
 * kpgm.h), and the check that kpgm.h's numbers are the kernel's.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/pgm.h>

#include "kpgm.h"

#define SAME(a, b) _Static_assert((a) == (b), #a " is not " #b)
SAME(KPGM_SOL, SOL_PGM);
SAME(KPGM_TXW_SQNS, PGM_TXW_SQNS);
SAME(KPGM_TXW_SECS_MS, PGM_TXW_SECS_MS);
SAME(KPGM_TXW_MAX_RTE, PGM_TXW_MAX_RTE);
SAME(KPGM_SPM_AMBIENT_IVL, PGM_SPM_AMBIENT_IVL);
SAME(KPGM_IHB_MIN, PGM_IHB_MIN);
SAME(KPGM_IHB_MAX, PGM_IHB_MAX);
SAME(KPGM_MAX_TPDU, PGM_MAX_TPDU);
SAME(KPGM_TXW_BYTES, PGM_TXW_BYTES);
SAME(KPGM_FEC, PGM_FEC);
SAME(KPGM_RXW_SQNS, PGM_RXW_SQNS);
SAME(KPGM_PEER_EXPIRY, PGM_PEER_EXPIRY);
SAME(KPGM_SPMR_EXPIRY, PGM_SPMR_EXPIRY);
SAME(KPGM_NAK_BO_IVL, PGM_NAK_BO_IVL);
SAME(KPGM_NAK_RPT_IVL, PGM_NAK_RPT_IVL);
SAME(KPGM_NAK_RDATA_IVL, PGM_NAK_RDATA_IVL);
SAME(KPGM_NAK_NCF_RETRIES, PGM_NAK_NCF_RETRIES);
SAME(KPGM_NAK_DATA_RETRIES, PGM_NAK_DATA_RETRIES);
SAME(KPGM_ABORT_ON_LOSS, PGM_ABORT_ON_LOSS);
SAME(KPGM_JOIN_GROUP, PGM_JOIN_GROUP);
SAME(KPGM_LEAVE_GROUP, PGM_LEAVE_GROUP);
SAME(KPGM_RECVSQN, PGM_RECVSQN);
SAME(KPGM_UDP_ENCAP, PGM_UDP_ENCAP);
SAME(KPGM_UDP_ENCAP_UCAST_PORT, PGM_UDP_ENCAP_UCAST_PORT);
SAME(KPGM_UDP_ENCAP_MCAST_PORT, PGM_UDP_ENCAP_MCAST_PORT);
SAME(KPGM_TSI, PGM_TSI);
SAME(KPGM_APDU_MAX, PGM_APDU_MAX);
SAME(KPGM_FEC_ONDEMAND, PGM_FEC_ONDEMAND);
_Static_assert(sizeof(struct pgm_tsi) == 8, "struct pgm_tsi is 8 bytes");
_Static_assert(sizeof(struct pgm_fec) == 4, "struct pgm_fec is 4 bytes");

int kpgm_socket(void)
{
	return socket(AF_INET, SOCK_RDM | SOCK_CLOEXEC, IPPROTO_PGM);
}

ssize_t kpgm_recv(int fd, void *buf, size_t cap, uint8_t tsi[8], uint32_t *sqn, size_t *full)
{
	struct sockaddr_pgm from;
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(__u32))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -1;
	*full = (size_t)n;
	memset(tsi, 0, 8);
	if (m.msg_namelen >= sizeof(from))
		memcpy(tsi, &from.tsi, 8);
	*sqn = 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_PGM && c->cmsg_type == PGM_RECVSQN &&
		    c->cmsg_len >= CMSG_LEN(sizeof(__u32)))
			memcpy(sqn, CMSG_DATA(c), sizeof(*sqn));
	return (size_t)n > cap ? (ssize_t)cap : n;
}

int kpgm_errqueue(int fd, struct kpgm_event *ev)
{
	union {
		struct pgm_loss		loss;
		struct pgm_session_end	end;
	} rec;
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];
	} ctl;
	struct iovec iov = { .iov_base = &rec, .iov_len = sizeof(rec) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&rec, 0, sizeof(rec));
	n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	memset(ev, 0, sizeof(*ev));
	ev->type = KPGM_EV_OTHER;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_PGM)
			continue;
		if (c->cmsg_type == PGM_LOSS && (size_t)n >= sizeof(rec.loss)) {
			ev->type = KPGM_EV_LOSS;
			memcpy(ev->tsi, &rec.loss.tsi, 8);
			ev->sqn = rec.loss.first_sqn;
			ev->count = rec.loss.count;
		} else if (c->cmsg_type == PGM_SESSION_END && (size_t)n >= sizeof(rec.end)) {
			ev->type = KPGM_EV_END;
			memcpy(ev->tsi, &rec.end.tsi, 8);
			ev->sqn = rec.end.last_sqn;
		}
	}
	return 1;
}

int kpgm_group(int fd, int opt, uint32_t group_be, int ifindex)
{
	struct ip_mreqn r = { .imr_multiaddr.s_addr = group_be, .imr_ifindex = ifindex };

	return setsockopt(fd, SOL_PGM, opt, &r, sizeof(r));
}
