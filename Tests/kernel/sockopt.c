// SPDX-License-Identifier: GPL-2.0
/*
 * sockopt.c - what a new PGM socket says, for the VM's shell tests: opens an
 * AF_INET (or with -6 an AF_INET6) SOCK_RDM socket, applies each "set OPT
 * VALUE" (a u32 at SOL_PGM) in order and prints the u32 of each "get OPT".
 * A C program because each Python start costs seconds on the emulated CPU.
 *
 *   sockopt [-6] [set OPT VALUE | get OPT]...
 *
 * Exit 0, or 1 with the call that failed and its errno on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "../../kernel/include/uapi/linux/pgm.h"

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > UINT32_MAX) {
		fprintf(stderr, "sockopt: not a u32: '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	int family = AF_INET, i = 1, fd;

	if (argc > 1 && !strcmp(argv[1], "-6")) {
		family = AF_INET6;
		i++;
	}
	fd = socket(family, SOCK_RDM, IPPROTO_PGM);
	if (fd < 0) {
		perror("sockopt: socket");
		return 1;
	}
	for (; i < argc; i++) {
		uint32_t v;
		socklen_t len = sizeof(v);
		int opt;

		if (!strcmp(argv[i], "set") && i + 2 < argc) {
			opt = num(argv[i + 1]);
			v = num(argv[i + 2]);
			if (setsockopt(fd, SOL_PGM, opt, &v, sizeof(v))) {
				fprintf(stderr, "sockopt: setsockopt(%d, %u): %s\n", opt, v, strerror(errno));
				return 1;
			}
			i += 2;
		} else if (!strcmp(argv[i], "get") && i + 1 < argc) {
			opt = num(argv[++i]);
			if (getsockopt(fd, SOL_PGM, opt, &v, &len) || len != sizeof(v)) {
				fprintf(stderr, "sockopt: getsockopt(%d): %s\n", opt, strerror(errno));
				return 1;
			}
			printf("%u\n", v);
		} else {
			fprintf(stderr, "usage: sockopt [-6] [set OPT VALUE | get OPT]...\n");
			return 2;
		}
	}
	return 0;
}
