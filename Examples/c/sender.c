// SPDX-License-Identifier: GPL-2.0
/*
 * sender.c - the smallest PGM source: connect to a group, send APDUs, close.
 *
 *   sender [GROUP [PORT [COUNT]]]     defaults 239.192.0.1 7500 10
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/pgm.h>

int main(int argc, char **argv)
{
	struct sockaddr_in group = { .sin_family = AF_INET };
	struct pgm_source_stats st;
	socklen_t len = sizeof(st);
	struct linger l = { .l_onoff = 1, .l_linger = 1 };
	__u32 rate = 1000000;	/* bytes/s, IP headers included */
	int count = argc > 3 ? atoi(argv[3]) : 10;
	int fd;

	inet_pton(AF_INET, argc > 1 ? argv[1] : "239.192.0.1", &group.sin_addr);
	group.sin_port = htons(argc > 2 ? atoi(argv[2]) : 7500);

	fd = socket(AF_INET, SOCK_RDM, IPPROTO_PGM);
	if (fd < 0) {
		perror("socket (is pgm.ko loaded?)");
		return 1;
	}
	if (setsockopt(fd, SOL_PGM, PGM_TXW_MAX_RTE, &rate, sizeof(rate)) ||
	    connect(fd, (struct sockaddr *)&group, sizeof(group))) {
		perror("setsockopt/connect");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		char apdu[64];
		int n = snprintf(apdu, sizeof(apdu), "message %d", i);

		if (send(fd, apdu, n, 0) != n) {	/* one send, one APDU */
			perror("send");
			return 1;
		}
	}
	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len) == 0)
		printf("sent %llu ODATA packets\n", (unsigned long long)st.odata_sent);
	/* Close with OPT_FIN, repeated (and repairing NAKs) for a second. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	return 0;
}
