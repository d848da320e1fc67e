/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpgm.h - what the programs that drive Debian's libpgm 5.3 share:
 * Tests/interop/opgm.c (the interop tests' OpenPGM peer) and
 * Tests/perf/opgm-perf.c (pgm-perf's OpenPGM baseline).  A socket opened
 * and connected the way both use it, waiting on its descriptors, its
 * upstream work, and sending one APDU in buffers we fill ourselves.
 *
 * Include after <pgm/pgm.h>; define LIBPGM_PROG (the program's name for
 * its error messages) first.
 */
#ifndef PGM_TESTS_LIBPGM_H
#define PGM_TESTS_LIBPGM_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pgm/pgm.h>

#ifndef LIBPGM_PROG
#error "define LIBPGM_PROG before including libpgm.h"
#endif

/* Exported by libpgm 5.3 but not declared in its headers. */
size_t pgm_pkt_offset(bool can_fragment, sa_family_t pgmcc_family);

/* TSDU bytes per packet we hand to libpgm (below its MSS, native or UDP, at MTU 1500). */
#define FRAG_TSDU 1400

/* How a socket is opened: 0 leaves libpgm's default (or, for udp_port, native PGM). */
struct libpgm_config {
	int udp_port;		/* UDP encapsulation: unicast and multicast port both */
	int window_sqns;	/* PGM_TXW_SQNS of a source, PGM_RXW_SQNS of a receiver */
	int rate;		/* a source's PGM_TXW_MAX_RTE, bytes/s */
	int rcvbuf;		/* a receiver's SO_RCVBUF */
	/*
	 * A source's FEC (PGM_USE_FEC): n, k, proactive parity packets a
	 * group and on-demand parity; n == 0: none.  docs/openpgm-fec.md
	 * says what libpgm 5.3 sends with it.
	 */
	struct { int n, k, proactive, ondemand; } fec;
	/*
	 * PGM_USE_PGMCC (draft-ietf-rmt-bb-pgmcc-03), source or receiver, with the
	 * values of OpenPGM's examples: ACK back-off 50 ms, ack_c 75,
	 * ack_c_p 500.
	 */
	int pgmcc;
};

/*
 * libpgm logs to stdout, where the programs' records go: its messages go
 * to stderr, with the wall-clock time to set them beside a capture
 * (libpgm's trace messages, e.g. why it gave up a sequence, come with
 * PGM_MIN_LOG_LEVEL=TRACE and PGM_LOG_MASK=0x120, NAK and receive window).
 */
static void libpgm_log(const int level, const char *msg, void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "libpgm[%d] %lld.%06ld: %s\n", level, (long long)ts.tv_sec,
		ts.tv_nsec / 1000, msg);
}

static void fail(const char *what, pgm_error_t *err)
{
	fprintf(stderr, LIBPGM_PROG ": %s: %s\n", what, err ? err->message : "failed");
	exit(1);
}

static void libpgm_set_int(pgm_sock_t *sock, int level, int opt, int value)
{
	pgm_setsockopt(sock, level, opt, &value, sizeof(value));
}

/* PGM_USE_PGMCC with the values of OpenPGM's examples (struct libpgm_config). */
static void libpgm_use_pgmcc(pgm_sock_t *sock)
{
	const struct pgm_pgmccinfo_t cc = {
		.ack_bo_ivl = pgm_msecs(50), .ack_c = 75, .ack_c_p = 500,
	};

	if (!pgm_setsockopt(sock, IPPROTO_PGM, PGM_USE_PGMCC, &cc, sizeof(cc))) {
		fprintf(stderr, "%s: PGM_USE_PGMCC refused\n", LIBPGM_PROG);
		exit(1);
	}
}

static void libpgm_source_options(pgm_sock_t *sock, const struct libpgm_config *c)
{
	const int hb[] = { pgm_msecs(50), pgm_msecs(100), pgm_msecs(200), pgm_msecs(400),
			   pgm_msecs(800), pgm_secs(1) };

	libpgm_set_int(sock, IPPROTO_PGM, PGM_SEND_ONLY, 1);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_TXW_SQNS, c->window_sqns);
	if (c->rate > 0)
		libpgm_set_int(sock, IPPROTO_PGM, PGM_TXW_MAX_RTE, c->rate);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_AMBIENT_SPM, pgm_secs(1));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, hb, sizeof(hb));
	if (c->fec.n) {
		const struct pgm_fecinfo_t fi = {
			.block_size = (uint8_t)c->fec.n, .group_size = (uint8_t)c->fec.k,
			.proactive_packets = (uint8_t)c->fec.proactive,
			.ondemand_parity_enabled = c->fec.ondemand != 0,
			.var_pktlen_enabled = true,
		};

		if (!pgm_setsockopt(sock, IPPROTO_PGM, PGM_USE_FEC, &fi, sizeof(fi))) {
			fprintf(stderr, "%s: PGM_USE_FEC n=%d k=%d refused\n", LIBPGM_PROG,
				c->fec.n, c->fec.k);
			exit(1);
		}
	}
	if (c->pgmcc)
		libpgm_use_pgmcc(sock);
}

/* NAK timers as OpenPGM's examples set them, with 50 retries; PGMCC's part. */
static void libpgm_receiver_options(pgm_sock_t *sock, const struct libpgm_config *c)
{
	if (c->pgmcc)
		libpgm_use_pgmcc(sock);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_RECV_ONLY, 1);
	if (c->rcvbuf > 0)
		libpgm_set_int(sock, SOL_SOCKET, SO_RCVBUF, c->rcvbuf);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_PASSIVE, 0);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_RXW_SQNS, c->window_sqns);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_PEER_EXPIRY, pgm_secs(30));
	libpgm_set_int(sock, IPPROTO_PGM, PGM_SPMR_EXPIRY, pgm_msecs(250));
	libpgm_set_int(sock, IPPROTO_PGM, PGM_NAK_BO_IVL, pgm_msecs(50));
	libpgm_set_int(sock, IPPROTO_PGM, PGM_NAK_RPT_IVL, pgm_msecs(200));
	libpgm_set_int(sock, IPPROTO_PGM, PGM_NAK_RDATA_IVL, pgm_msecs(200));
	libpgm_set_int(sock, IPPROTO_PGM, PGM_NAK_DATA_RETRIES, 50);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_NAK_NCF_RETRIES, 50);
}

/*
 * A connected socket on GROUP:PORT through the interface with address
 * IFADDR, as a source (@sender) or a receiver; a random data-source port,
 * so each socket is a new session.
 */
static pgm_sock_t *libpgm_open(const char *group, int port, const char *ifaddr, bool sender,
			       const struct libpgm_config *c)
{
	char network[128];
	struct pgm_addrinfo_t *res = NULL;
	pgm_error_t *err = NULL;
	struct pgm_sockaddr_t addr;
	struct pgm_interface_req_t ifr;
	pgm_sock_t *sock = NULL;
	unsigned int i;

	pgm_log_set_handler(libpgm_log, NULL);
	if (!pgm_init(&err))
		fail("pgm_init", err);
	snprintf(network, sizeof(network), "%s;%s", ifaddr, group);
	if (!pgm_getaddrinfo(network, NULL, &res, &err))
		fail("pgm_getaddrinfo", err);
	if (!pgm_socket(&sock, res->ai_send_addrs[0].gsr_group.ss_family, SOCK_SEQPACKET,
			c->udp_port ? IPPROTO_UDP : IPPROTO_PGM, &err))
		fail("pgm_socket", err);
	if (c->udp_port) {
		libpgm_set_int(sock, IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT, c->udp_port);
		libpgm_set_int(sock, IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT, c->udp_port);
	}
	libpgm_set_int(sock, IPPROTO_PGM, PGM_MTU, 1500);
	if (sender)
		libpgm_source_options(sock, c);
	else
		libpgm_receiver_options(sock, c);
	memset(&addr, 0, sizeof(addr));
	addr.sa_port = (uint16_t)port;
	addr.sa_addr.sport = 0;	/* a random data-source port */
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
	libpgm_set_int(sock, IPPROTO_PGM, PGM_MULTICAST_LOOP, 0);
	libpgm_set_int(sock, IPPROTO_PGM, PGM_MULTICAST_HOPS, 16);
	/*
	 * The source blocks in its sends: non-blocking, libpgm 5.3 checks the
	 * rate limit for a whole APDU against a bucket of one millisecond's
	 * worth (never enough for large APDUs), and resuming a fragmented APDU
	 * after RATE_LIMITED crashed it.  The receiver does not block.
	 */
	if (!sender)
		libpgm_set_int(sock, IPPROTO_PGM, PGM_NOBLOCK, 1);
	if (!pgm_connect(sock, &err))
		fail("pgm_connect", err);
	return sock;
}

/* Wait on the socket's descriptors for @events until @timeout_ms or its next timer. */
static void libpgm_wait(pgm_sock_t *sock, int status, int timeout_ms, short events)
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

/* A source's upstream work: NAKs, SPMRs and its timers (as ZeroMQ's sender does). */
static int libpgm_upstream(pgm_sock_t *sock)
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
 * One APDU of at most PGM_MAX_FRAGMENTS x FRAG_TSDU bytes through
 * pgm_send_skbv(): libpgm 5.3's pgm_send() copies data with an SSE2
 * checksum-and-copy that needs source and destination equally aligned,
 * which the fragments of an APDU never all are (it crashes with a general
 * protection fault); buffers we fill ourselves take the checksum without
 * the copy.  libpgm adds the headers and OPT_FRAGMENT.
 */
static int libpgm_send_apdu(pgm_sock_t *sock, const unsigned char *p, size_t len,
			    sa_family_t pgmcc_family)
{
	/*
	 * An APDU libpgm took but could not send yet (rate limit, PGMCC's
	 * window): it resumes it on the next call and ignores the vector
	 * then, so the caller calls again with the same APDU and nothing is
	 * allocated again.
	 */
	static struct pgm_sk_buff_t *skbs[PGM_MAX_FRAGMENTS];
	static unsigned int n;
	static bool pending;
	size_t off = 0, sent = 0;
	int status;
	/* Room for the headers libpgm writes in front: OPT_PGMCC_DATA's too. */
	uint16_t head = (uint16_t)pgm_pkt_offset(len > FRAG_TSDU, pgmcc_family);

	/*
	 * libpgm 5.3's pgm_send_skbv() asserts on a fragmented APDU with
	 * PGMCC (it expects the data right after OPT_FRAGMENT), and
	 * pgm_send() crashes: opgm --pgmcc sends one TPDU an APDU.
	 */
	if (pgmcc_family && len > FRAG_TSDU) {
		fprintf(stderr, LIBPGM_PROG ": libpgm 5.3 cannot fragment with PGMCC (%zu bytes)\n", len);
		exit(1);
	}

	if (len > PGM_MAX_FRAGMENTS * FRAG_TSDU) {
		fprintf(stderr, LIBPGM_PROG ": an APDU of %zu bytes is more than pgm_send_skbv() takes\n",
			len);
		exit(1);
	}
	if (!pending) {
		n = 0;
		do {
			size_t c = len - off < FRAG_TSDU ? len - off : FRAG_TSDU;
			struct pgm_sk_buff_t *skb = pgm_alloc_skb((uint16_t)(head + FRAG_TSDU));

			pgm_skb_reserve(skb, head);
			memcpy(pgm_skb_put(skb, (uint16_t)c), p + off, c);
			skbs[n++] = skb;
			off += c;
		} while (off < len);
	}
	status = pgm_send_skbv(sock, skbs, n, true, &sent);
	pending = status == PGM_IO_STATUS_RATE_LIMITED || status == PGM_IO_STATUS_WOULD_BLOCK ||
		  status == PGM_IO_STATUS_TIMER_PENDING || status == PGM_IO_STATUS_CONGESTION;
	return status;
}

#endif /* PGM_TESTS_LIBPGM_H */
