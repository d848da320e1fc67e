#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "cpgm_capture.h"

int cpgm_packet_open(int ifindex)
{
	int one = 1;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct sockaddr_ll addr;

	if (fd < 0)
		return -errno;
	memset(&addr, 0, sizeof(addr));
	addr.sll_family = AF_PACKET;
	addr.sll_protocol = htons(ETH_P_ALL);
	addr.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static long packet_recv(int fd, void *buf, size_t len, struct cpgm_packet_info *info, int flags)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} control;
	struct sockaddr_ll from;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	/* IPv4 and IPv6 only: the socket sees every protocol. */
	do {
		memset(info, 0, sizeof(*info));
		msg.msg_namelen = sizeof(from);
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(fd, &msg, MSG_TRUNC | flags);
		if (n < 0)
			return -errno;
	} while (from.sll_protocol != htons(ETH_P_IP) && from.sll_protocol != htons(ETH_P_IPV6));
	info->length = (uint32_t)n;
	info->ifindex = from.sll_ifindex;
	info->outgoing = from.sll_pkttype == PACKET_OUTGOING;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			info->sec = ts.tv_sec;
			info->nsec = ts.tv_nsec;
		} else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			info->csum_not_ready = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
		}
	}
	return (size_t)n < len ? (long)n : (long)len;
}

long cpgm_packet_recv(int fd, void *buf, size_t len, struct cpgm_packet_info *info)
{
	return packet_recv(fd, buf, len, info, 0);
}

long cpgm_packet_recv_nowait(int fd, void *buf, size_t len, struct cpgm_packet_info *info)
{
	return packet_recv(fd, buf, len, info, MSG_DONTWAIT);
}
