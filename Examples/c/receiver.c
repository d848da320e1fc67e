// SPDX-License-Identifier: GPL-2.0
/*
 * receiver.c - the smallest PGM receiver: bind and join a group, print each
 * APDU with its session, and report loss and session ends from the error
 * queue.  Stops when a session ends.
 *
 *   receiver [GROUP [PORT [IFADDR]]]  defaults 239.192.0.1 7500 any
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/pgm.h>

/* Read one error-queue record; 1 when it was a session end. */
static int read_error_queue(int fd)
{
	union {
		struct pgm_loss loss;
		struct pgm_session_end end;
	} rec;
	char control[256];
	struct iovec iov = { &rec, sizeof(rec) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *c;

	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_PGM)
			continue;
		if (c->cmsg_type == PGM_LOSS)
			printf("lost %u sequence numbers from %u\n", rec.loss.count, rec.loss.first_sqn);
		if (c->cmsg_type == PGM_SESSION_END) {
			printf("session ended (reason %u)\n", rec.end.reason);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in group = { .sin_family = AF_INET };
	struct ip_mreqn join = { 0 };
	int fd;

	inet_pton(AF_INET, argc > 1 ? argv[1] : "239.192.0.1", &group.sin_addr);
	group.sin_port = htons(argc > 2 ? atoi(argv[2]) : 7500);
	join.imr_multiaddr = group.sin_addr;
	if (argc > 3)
		inet_pton(AF_INET, argv[3], &join.imr_address);

	fd = socket(AF_INET, SOCK_RDM, IPPROTO_PGM);
	if (fd < 0) {
		perror("socket (is pgm.ko loaded?)");
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&group, sizeof(group)) ||
	    setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &join, sizeof(join))) {
		perror("bind/PGM_JOIN_GROUP");
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_pgm from;
		char apdu[65536];
		struct iovec iov = { apdu, sizeof(apdu) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (poll(&p, 1, -1) < 0)
			return 1;
		n = recvmsg(fd, &m, MSG_DONTWAIT);
		if (n >= 0) {
			printf("%zd bytes from %s port %u: %.*s\n", n, inet_ntoa(from.sin.sin_addr),
			       ntohs(from.tsi.sport), (int)(n < 40 ? n : 40), apdu);
			continue;
		}
		if (errno != EAGAIN && errno != ECONNRESET) {	/* ECONNRESET: a loss, see below */
			perror("recvmsg");
			return 1;
		}
		if (read_error_queue(fd))
			break;
	}
	close(fd);
	return 0;
}
