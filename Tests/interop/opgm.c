// SPDX-License-Identifier: GPL-2.0
/*
 * opgm.c - the OpenPGM side of the interop tests (Debian's libpgm 5.3):
 * a source or a receiver, native (IP protocol 113) or UDP-encapsulated,
 * writing the stream's records (stream.h) to stdout and a summary to
 * stderr.  OpenPGM runs its protocol machinery (SPM timers, NAK handling,
 * repairs) only inside its calls, so both roles poll its descriptors and
 * call in until done.
 *
 *   opgm send GROUP PORT IFADDR COUNT [--udp PORT] [--linger S] [--fec N,K,P,O] [--pgmcc]
 *             [--max-len N]
 *   opgm recv GROUP PORT IFADDR COUNT [--udp PORT] [--timeout S] [--pgmcc]
 *
 * --udp sets OpenPGM's unicast and multicast encapsulation ports both to
 * PORT, as ZeroMQ's epgm:// and OpenPGM's own examples do.  --fec turns on
 * the source's FEC: groups of K in codewords of N, P proactive parity
 * packets a group, on-demand parity when O is 1.  --pgmcc runs PGMCC
 * congestion control at the source (PGM_USE_PGMCC); libpgm 5.3 cannot
 * send a fragmented APDU with it (pgm_send_skbv() asserts, pgm_send()
 * crashes), so such a case cuts the stream's messages with --max-len 1400
 * (one TPDU each).  A receiver with --pgmcc answers a PGMCC source's
 * elections and ACKs as its acker.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pgm/pgm.h>

#include "stream.h"

#define LIBPGM_PROG "opgm"
#include "libpgm.h"

static int udp_port;
static struct libpgm_config config = {
	.window_sqns = 4096, .rate = 4000000, .rcvbuf = 4 << 20,
};
static unsigned int linger_s = 3, timeout_s = 60;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pgm_sock_t *open_sock(const char *group, int port, const char *ifaddr, bool sender)
{
	config.udp_port = udp_port;
	return libpgm_open(group, port, ifaddr, sender, &config);
}

/* PGM_USE_PGMCC: the family of OPT_PGMCC_DATA's NLA, else 0. */
static sa_family_t pgmcc_family;
/* --max-len: the stream's messages cut to this (stream.h). */
static size_t max_len = STREAM_MAX;

static int do_send(pgm_sock_t *sock, unsigned int count)
{
	static unsigned char msg[STREAM_MAX];
	unsigned int i = 0;
	double t0 = now(), until;

	/* An SPM first, so that receivers learn our NLA. */
	while (now() < t0 + 1)
		libpgm_wait(sock, libpgm_upstream(sock), 20, POLLIN);
	while (i < count) {
		size_t len = stream_message(i, msg, max_len);
		int status = libpgm_send_apdu(sock, msg, len, pgmcc_family);

		if (status == PGM_IO_STATUS_NORMAL) {
			stream_record(stdout, msg, len);
			i++;
			libpgm_upstream(sock);
			continue;
		}
		/* CONGESTION: PGMCC's window has no token; the acker's ACKs bring them. */
		if (status != PGM_IO_STATUS_RATE_LIMITED && status != PGM_IO_STATUS_WOULD_BLOCK &&
		    status != PGM_IO_STATUS_TIMER_PENDING && status != PGM_IO_STATUS_CONGESTION) {
			fprintf(stderr, "opgm send: pgm_send status %d\n", status);
			return 1;
		}
		libpgm_wait(sock, libpgm_upstream(sock), 5, POLLIN);
	}
	/* Stay to repair what receivers NAK. */
	until = now() + linger_s;
	while (now() < until)
		libpgm_wait(sock, libpgm_upstream(sock), 20, POLLIN);
	fprintf(stderr, "opgm send: %u messages\n", count);
	return 0;
}

static int do_recv(pgm_sock_t *sock, unsigned int count)
{
	static unsigned char buf[1 << 17];
	unsigned int got = 0, resets = 0;
	double end = now() + timeout_s;

	fprintf(stderr, "opgm recv: ready\n");
	while (got < count && now() < end) {
		size_t bytes = 0;
		pgm_error_t *err = NULL;
		int status = pgm_recv(sock, buf, sizeof(buf), 0, &bytes, &err);

		switch (status) {
		case PGM_IO_STATUS_NORMAL:
			stream_record(stdout, buf, bytes);
			got++;
			break;
		case PGM_IO_STATUS_RESET:
			resets++;
			fprintf(stderr, "opgm recv: session reset (loss) after %u messages%s%s\n",
				got, err ? ": " : "", err ? err->message : "");
			break;
		case PGM_IO_STATUS_TIMER_PENDING:
		case PGM_IO_STATUS_RATE_LIMITED:
		case PGM_IO_STATUS_WOULD_BLOCK:
			libpgm_wait(sock, status, 100, POLLIN);
			break;
		default:
			fprintf(stderr, "opgm recv: status %d\n", status);
			libpgm_wait(sock, status, 100, POLLIN);
			break;
		}
		if (err)
			pgm_error_free(err);
	}
	fprintf(stderr, "opgm recv: %u messages, %u resets\n", got, resets);
	return got == count && !resets ? 0 : 2;
}

int main(int argc, char **argv)
{
	pgm_sock_t *sock;
	unsigned int count;
	int i, rc;
	bool sender;

	if (argc < 6 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv"))) {
		fprintf(stderr, "usage: opgm send|recv GROUP PORT IFADDR COUNT [--udp PORT] "
			"[--linger S] [--timeout S] [--fec N,K,P,O] [--pgmcc] [--max-len N]\n");
		return 2;
	}
	sender = !strcmp(argv[1], "send");
	count = (unsigned int)strtoul(argv[5], NULL, 0);
	for (i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "--udp") && i + 1 < argc)
			udp_port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--linger") && i + 1 < argc)
			linger_s = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout_s = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--fec") && i + 1 < argc && sender &&
			 sscanf(argv[++i], "%d,%d,%d,%d", &config.fec.n, &config.fec.k,
				&config.fec.proactive, &config.fec.ondemand) == 4)
			;
		else if (!strcmp(argv[i], "--max-len") && i + 1 < argc && sender &&
			 (max_len = strtoul(argv[++i], NULL, 0)) >= 1 && max_len <= STREAM_MAX)
			;
		else if (!strcmp(argv[i], "--pgmcc")) {
			config.pgmcc = 1;
			if (sender)
				pgmcc_family = strchr(argv[2], ':') ? AF_INET6 : AF_INET;
		}
		else {
			fprintf(stderr, "opgm: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	sock = open_sock(argv[2], atoi(argv[3]), argv[4], sender);
	rc = sender ? do_send(sock, count) : do_recv(sock, count);
	fflush(stdout);
	pgm_close(sock, true);
	pgm_shutdown();
	return rc;
}
