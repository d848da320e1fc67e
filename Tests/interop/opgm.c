// SPDX-License-Identifier: GPL-2.0
/*
 * opgm.c - the OpenPGM side of the interop tests (Debian's libpgm 5.3):
 * a source or a receiver, native (IP protocol 113) or UDP-encapsulated,
 * writing the stream's records (stream.h) to stdout and a summary to
 * stderr.  OpenPGM runs its protocol machinery (SPM timers, NAK handling,
 * repairs) only inside its calls, so both roles poll its descriptors and
 * call in until done.
 *
 *   opgm send GROUP PORT IFADDR COUNT [--udp PORT] [--linger S]
 *   opgm recv GROUP PORT IFADDR COUNT [--udp PORT] [--timeout S]
 *
 * --udp sets OpenPGM's unicast and multicast encapsulation ports both to
 * PORT, as ZeroMQ's epgm:// and OpenPGM's own examples do.
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

/* Exported by libpgm 5.3 but not declared in its headers. */
size_t pgm_pkt_offset(bool can_fragment, sa_family_t pgmcc_family);

/* TSDU bytes per packet we hand to libpgm (below its MSS, native or UDP). */
#define FRAG_TSDU 1400

static int udp_port;
static unsigned int linger_s = 3, timeout_s = 60;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * libpgm logs to stdout, where our records go: its messages go to stderr,
 * with the wall-clock time to set them beside a capture (libpgm's trace
 * messages, e.g. why it gave up a sequence, come with PGM_MIN_LOG_LEVEL=TRACE
 * and PGM_LOG_MASK=0x120 (NAK and receive window) in the environment).
 */
static void log_stderr(const int level, const char *msg, void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "libpgm[%d] %lld.%06ld: %s\n", level, (long long)ts.tv_sec,
		ts.tv_nsec / 1000, msg);
}

static void fail(const char *what, pgm_error_t *err)
{
	fprintf(stderr, "opgm: %s: %s\n", what, err ? err->message : "failed");
	exit(1);
}

static pgm_sock_t *open_sock(const char *group, int port, const char *ifaddr, bool sender)
{
	char network[128];
	struct pgm_addrinfo_t *res = NULL;
	pgm_error_t *err = NULL;
	struct pgm_sockaddr_t addr;
	struct pgm_interface_req_t ifr;
	pgm_sock_t *sock = NULL;
	const int one = 1, zero = 0, hops = 16, mtu = 1500;
	sa_family_t fam;
	unsigned int i;

	pgm_log_set_handler(log_stderr, NULL);
	if (!pgm_init(&err))
		fail("pgm_init", err);
	snprintf(network, sizeof(network), "%s;%s", ifaddr, group);
	if (!pgm_getaddrinfo(network, NULL, &res, &err))
		fail("pgm_getaddrinfo", err);
	fam = res->ai_send_addrs[0].gsr_group.ss_family;
	if (!pgm_socket(&sock, fam, SOCK_SEQPACKET, udp_port ? IPPROTO_UDP : IPPROTO_PGM, &err))
		fail("pgm_socket", err);
	if (udp_port) {
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT, &udp_port, sizeof(udp_port));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT, &udp_port, sizeof(udp_port));
	}
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MTU, &mtu, sizeof(mtu));
	if (sender) {
		const int txw_sqns = 4096, rate = 4000000, ambient = pgm_secs(1);
		const int hb[] = { pgm_msecs(50), pgm_msecs(100), pgm_msecs(200), pgm_msecs(400),
				   pgm_msecs(800), pgm_secs(1) };

		pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_ONLY, &one, sizeof(one));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_TXW_SQNS, &txw_sqns, sizeof(txw_sqns));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_TXW_MAX_RTE, &rate, sizeof(rate));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_AMBIENT_SPM, &ambient, sizeof(ambient));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, hb, sizeof(hb));
	} else {
		const int rxw_sqns = 4096, expiry = pgm_secs(30), spmr = pgm_msecs(250),
			  bo = pgm_msecs(50), rpt = pgm_msecs(200), rdata = pgm_msecs(200),
			  retries = 50;

		const int rcvbuf = 4 << 20;

		pgm_setsockopt(sock, IPPROTO_PGM, PGM_RECV_ONLY, &one, sizeof(one));
		pgm_setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_PASSIVE, &zero, sizeof(zero));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_RXW_SQNS, &rxw_sqns, sizeof(rxw_sqns));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_PEER_EXPIRY, &expiry, sizeof(expiry));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_SPMR_EXPIRY, &spmr, sizeof(spmr));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NAK_BO_IVL, &bo, sizeof(bo));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NAK_RPT_IVL, &rpt, sizeof(rpt));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NAK_RDATA_IVL, &rdata, sizeof(rdata));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NAK_DATA_RETRIES, &retries, sizeof(retries));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NAK_NCF_RETRIES, &retries, sizeof(retries));
	}
	memset(&addr, 0, sizeof(addr));
	addr.sa_port = (uint16_t)port;
	addr.sa_addr.sport = 0;	/* random data-source port */
	if (!pgm_gsi_create_from_hostname(&addr.sa_addr.gsi, &err))
		fail("pgm_gsi_create_from_hostname", err);
	if (sender)	/* the GSI must differ from a receiver's on the same host */
		addr.sa_addr.gsi.identifier[5] ^= 0x5a;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ir_interface = res->ai_recv_addrs[0].gsr_interface;
	memcpy(&ifr.ir_address, &res->ai_send_addrs[0].gsr_addr, sizeof(ifr.ir_address));
	if (!pgm_bind3(sock, &addr, sizeof(addr), &ifr, sizeof(ifr), &ifr, sizeof(ifr), &err))
		fail("pgm_bind3", err);
	for (i = 0; i < res->ai_recv_addrs_len; i++)
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_JOIN_GROUP, &res->ai_recv_addrs[i],
			       sizeof(struct group_req));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_GROUP, &res->ai_send_addrs[0],
		       sizeof(struct group_req));
	pgm_freeaddrinfo(res);
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MULTICAST_LOOP, &zero, sizeof(zero));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MULTICAST_HOPS, &hops, sizeof(hops));
	/*
	 * The source blocks in pgm_send(): non-blocking, libpgm 5.3 checks the
	 * rate limit for a whole APDU against a bucket of one millisecond's
	 * worth (never enough for our largest APDUs at 4 MB/s), and resuming
	 * a fragmented APDU after RATE_LIMITED crashed it.
	 */
	if (!sender)
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NOBLOCK, &one, sizeof(one));
	if (!pgm_connect(sock, &err))
		fail("pgm_connect", err);
	return sock;
}

/* Wait on OpenPGM's descriptors until @timeout_ms or its next timer. */
static void wait_sock(pgm_sock_t *sock, int status, int timeout_ms, short events)
{
	struct pollfd fds[8];
	int n = 8, ms = timeout_ms;

	if (status == PGM_IO_STATUS_TIMER_PENDING || status == PGM_IO_STATUS_RATE_LIMITED) {
		struct timeval tv;
		socklen_t len = sizeof(tv);

		if (pgm_getsockopt(sock, IPPROTO_PGM, status == PGM_IO_STATUS_TIMER_PENDING ?
				   PGM_TIME_REMAIN : PGM_RATE_REMAIN, &tv, &len)) {
			int t = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);

			if (t < ms)
				ms = t;
		}
	}
	memset(fds, 0, sizeof(fds));
	pgm_poll_info(sock, fds, &n, events);
	poll(fds, (nfds_t)n, ms);
}

/* A source's upstream processing: NAKs, SPMRs, timers (as ZeroMQ's sender does). */
static int upstream(pgm_sock_t *sock)
{
	struct pgm_msgv_t msgv;
	size_t bytes = 0;
	pgm_error_t *err = NULL;
	int status = pgm_recvmsgv(sock, &msgv, 1, MSG_ERRQUEUE | MSG_DONTWAIT, &bytes, &err);

	if (err)
		pgm_error_free(err);
	return status;
}

/*
 * One APDU through pgm_send_skbv(): libpgm 5.3's pgm_send() copies data
 * with an SSE2 checksum-and-copy that needs source and destination equally
 * aligned, which the fragments of an APDU never all are (it crashes with a
 * general protection fault); buffers we fill ourselves take the checksum
 * without the copy.  libpgm adds the headers and OPT_FRAGMENT.
 */
static int send_apdu(pgm_sock_t *sock, const unsigned char *p, size_t len)
{
	struct pgm_sk_buff_t *skbs[STREAM_MAX / FRAG_TSDU + 1];
	unsigned int n = 0;
	size_t off = 0, sent = 0;
	bool frag = len > FRAG_TSDU;
	uint16_t head = (uint16_t)pgm_pkt_offset(frag, 0);

	do {
		size_t c = len - off < FRAG_TSDU ? len - off : FRAG_TSDU;
		struct pgm_sk_buff_t *skb = pgm_alloc_skb((uint16_t)(head + FRAG_TSDU));

		pgm_skb_reserve(skb, head);
		memcpy(pgm_skb_put(skb, (uint16_t)c), p + off, c);
		skbs[n++] = skb;
		off += c;
	} while (off < len);
	return pgm_send_skbv(sock, skbs, n, true, &sent);
}

static int do_send(pgm_sock_t *sock, unsigned int count)
{
	static unsigned char msg[STREAM_MAX];
	unsigned int i = 0;
	double t0 = now(), until;

	/* An SPM first, so that receivers learn our NLA. */
	while (now() < t0 + 1)
		wait_sock(sock, upstream(sock), 20, POLLIN);
	while (i < count) {
		size_t len = stream_message(i, msg, sizeof(msg));
		int status = send_apdu(sock, msg, len);

		if (status == PGM_IO_STATUS_NORMAL) {
			stream_record(stdout, msg, len);
			i++;
			upstream(sock);
			continue;
		}
		if (status != PGM_IO_STATUS_RATE_LIMITED && status != PGM_IO_STATUS_WOULD_BLOCK &&
		    status != PGM_IO_STATUS_TIMER_PENDING) {
			fprintf(stderr, "opgm send: pgm_send status %d\n", status);
			return 1;
		}
		wait_sock(sock, upstream(sock), 5, POLLIN);
	}
	/* Stay to repair what receivers NAK. */
	until = now() + linger_s;
	while (now() < until)
		wait_sock(sock, upstream(sock), 20, POLLIN);
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
			wait_sock(sock, status, 100, POLLIN);
			break;
		default:
			fprintf(stderr, "opgm recv: status %d\n", status);
			wait_sock(sock, status, 100, POLLIN);
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
			"[--linger S] [--timeout S]\n");
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
