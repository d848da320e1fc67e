// SPDX-License-Identifier: GPL-2.0
/*
 * opgm-perf.c - pgm-perf's OpenPGM baseline (Debian's libpgm 5.3): one
 * phase of a sweep sent through OpenPGM, or an OpenPGM receiver measuring
 * every such phase.  pgm-perf spawns it (`pgm-perf send --baseline openpgm`
 * and `pgm-perf recv`); it is not meant to be run by hand.
 *
 *   opgm-perf send GROUP PORT IFADDR UDPPORT SIZE PHASE PHASES
 *                  [--count N] [--duration S] [--rate BYTES] [--linger S]
 *   opgm-perf recv GROUP PORT IFADDR UDPPORT [--rcvbuf BYTES] [--timeout S]
 *
 * Messages are pgm-perf's (Sources/PGMToolSupport/Perf.swift): a 24-byte
 * header (magic "PGPF", kind, transport 2 = OpenPGM, phase, phases, index,
 * CLOCK_MONOTONIC stamp; little-endian) and, for a phase's end, the 48-byte
 * end record (sent, size, send ns, CPU ns, NAKs, RDATA).
 *
 * OpenPGM runs in UDP encapsulation (UDPPORT for both its unicast and
 * multicast ports), as ZeroMQ's epgm:// uses it and as it runs without
 * privileges: its packets then never reach pgm.ko's protocol-113 handler,
 * and its sockets never see the module's phases.
 *
 * SIZE is at most 22400 bytes, the 16 packets pgm_send_skbv() takes.
 *
 * The sender prints "sent N ns T cpu_ns C" on stdout once the end record is
 * sent, then lingers (--linger, default 1 s) answering NAKs.  The receiver
 * prints "ready", then one line per phase it saw end, on stdout: "phase P
 * size S sent N delivered D bytes B first_stamp F last_arrival L p50 X
 * p99 Y max Z cpu_ns C sender_cpu_ns SC guest_cpu_ns G resets R" (times in
 * nanoseconds; G: the whole machine's user, system, irq and softirq time in
 * /proc/stat from the phase's first message to its end record), and stops
 * on SIGTERM or at --timeout.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <pgm/pgm.h>

/* Exported by libpgm 5.3 but not declared in its headers. */
size_t pgm_pkt_offset(bool can_fragment, sa_family_t pgmcc_family);

#define MAGIC 0x46504750u	/* "PGPF" little-endian */
#define HDR 24
#define END 48
#define TRANSPORT_OPENPGM 2
#define MAX_APDU 65507
/* TSDU bytes per packet handed to libpgm: below its MSS in UDP at MTU 1500. */
#define FRAG_TSDU 1400
/*
 * pgm_send_skbv() takes at most PGM_MAX_FRAGMENTS (16) packets per APDU, so
 * this is the largest APDU sent; pgm_send() and pgm_sendv(), which would
 * fragment more, copy with the checksum-and-copy that faults (above).
 */
#define MAX_SKBV_APDU (PGM_MAX_FRAGMENTS * FRAG_TSDU)

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

/* The machine's busy time so far (/proc/stat: user, system, irq, softirq), ns. */
static uint64_t guest_cpu_ns(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
		   &irq, &softirq);
	fclose(f);
	if (n != 7 || hz <= 0)
		return 0;
	return (user + sys + irq + softirq) * (1000000000u / (uint64_t)hz);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void header(unsigned char *p, int kind, int phase, int phases, uint64_t index, uint64_t stamp)
{
	p[0] = MAGIC & 0xff;
	p[1] = MAGIC >> 8 & 0xff;
	p[2] = MAGIC >> 16 & 0xff;
	p[3] = MAGIC >> 24;
	p[4] = (unsigned char)kind;
	p[5] = TRANSPORT_OPENPGM;
	p[6] = (unsigned char)phase;
	p[7] = (unsigned char)phases;
	put64(p + 8, index);
	put64(p + 16, stamp);
}

/* libpgm logs to stdout, where our results go: its messages go to stderr. */
static void log_stderr(const int level, const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "libpgm[%d]: %s\n", level, msg);
}

static void fail(const char *what, pgm_error_t *err)
{
	fprintf(stderr, "opgm-perf: %s: %s\n", what, err ? err->message : "failed");
	exit(1);
}

static pgm_sock_t *open_sock(const char *group, int port, const char *ifaddr, int udp_port,
			     bool sender, int rate, int rcvbuf)
{
	char network[128];
	struct pgm_addrinfo_t *res = NULL;
	pgm_error_t *err = NULL;
	struct pgm_sockaddr_t addr;
	struct pgm_interface_req_t ifr;
	pgm_sock_t *sock = NULL;
	const int one = 1, zero = 0, hops = 16, mtu = 1500;
	unsigned int i;

	pgm_log_set_handler(log_stderr, NULL);
	if (!pgm_init(&err))
		fail("pgm_init", err);
	snprintf(network, sizeof(network), "%s;%s", ifaddr, group);
	if (!pgm_getaddrinfo(network, NULL, &res, &err))
		fail("pgm_getaddrinfo", err);
	if (!pgm_socket(&sock, res->ai_send_addrs[0].gsr_group.ss_family, SOCK_SEQPACKET, IPPROTO_UDP, &err))
		fail("pgm_socket", err);
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT, &udp_port, sizeof(udp_port));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT, &udp_port, sizeof(udp_port));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MTU, &mtu, sizeof(mtu));
	if (sender) {
		/* A transmit window as large as the kernel's default byte window allows. */
		const int txw_sqns = 8192, ambient = pgm_secs(1);
		const int hb[] = { pgm_msecs(50), pgm_msecs(100), pgm_msecs(200), pgm_msecs(400),
				   pgm_msecs(800), pgm_secs(1) };

		pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_ONLY, &one, sizeof(one));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_TXW_SQNS, &txw_sqns, sizeof(txw_sqns));
		if (rate > 0)
			pgm_setsockopt(sock, IPPROTO_PGM, PGM_TXW_MAX_RTE, &rate, sizeof(rate));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_AMBIENT_SPM, &ambient, sizeof(ambient));
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, hb, sizeof(hb));
	} else {
		const int rxw_sqns = 8192, expiry = pgm_secs(30), spmr = pgm_msecs(250),
			  bo = pgm_msecs(50), rpt = pgm_msecs(200), rdata = pgm_msecs(200),
			  retries = 50;

		pgm_setsockopt(sock, IPPROTO_PGM, PGM_RECV_ONLY, &one, sizeof(one));
		if (rcvbuf > 0)
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
	addr.sa_addr.sport = 0;	/* a random data-source port: a new session per phase */
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
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_GROUP, &res->ai_send_addrs[0], sizeof(struct group_req));
	pgm_freeaddrinfo(res);
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MULTICAST_LOOP, &zero, sizeof(zero));
	pgm_setsockopt(sock, IPPROTO_PGM, PGM_MULTICAST_HOPS, &hops, sizeof(hops));
	/*
	 * The source blocks in its sends (libpgm 5.3's non-blocking rate check
	 * wants a whole APDU within one millisecond's worth of the rate, and
	 * resuming a fragmented APDU after RATE_LIMITED crashed it: see
	 * Tests/interop/opgm.c); the receiver does not block.
	 */
	if (!sender)
		pgm_setsockopt(sock, IPPROTO_PGM, PGM_NOBLOCK, &one, sizeof(one));
	if (!pgm_connect(sock, &err))
		fail("pgm_connect", err);
	return sock;
}

/* Wait on OpenPGM's descriptors until @timeout_ms or its next timer. */
static void wait_sock(pgm_sock_t *sock, int status, int timeout_ms)
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
	pgm_poll_info(sock, fds, &n, POLLIN);
	poll(fds, (nfds_t)n, ms);
}

/* A source's upstream work: NAKs, SPMRs and its timers. */
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
 * One APDU through pgm_send_skbv(), in packets we fill ourselves: libpgm
 * 5.3's pgm_send() copies with an SSE2 checksum-and-copy that faults on
 * fragments not equally aligned (Tests/interop/opgm.c).
 */
static int send_apdu(pgm_sock_t *sock, const unsigned char *p, size_t len)
{
	struct pgm_sk_buff_t *skbs[PGM_MAX_FRAGMENTS];
	unsigned int n = 0;
	size_t off = 0, sent = 0;
	uint16_t head = (uint16_t)pgm_pkt_offset(len > FRAG_TSDU, 0);

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

static int send_one(pgm_sock_t *sock, const unsigned char *p, size_t len)
{
	for (;;) {
		int status = send_apdu(sock, p, len);

		if (status == PGM_IO_STATUS_NORMAL)
			return 0;
		if (status != PGM_IO_STATUS_RATE_LIMITED && status != PGM_IO_STATUS_WOULD_BLOCK &&
		    status != PGM_IO_STATUS_TIMER_PENDING) {
			fprintf(stderr, "opgm-perf send: pgm_send_skbv status %d\n", status);
			return -1;
		}
		wait_sock(sock, upstream(sock), 5);
	}
}

static int do_send(pgm_sock_t *sock, size_t size, int phase, int phases, uint64_t count,
		   double duration, double linger)
{
	static unsigned char msg[MAX_APDU];
	uint64_t sent = 0, t0, t1, c0, c1, deadline, until;

	memset(msg, 0xa5, sizeof(msg));
	/* SPMs first, so that the receiver learns our NLA before the data. */
	until = mono_ns() + 300000000u;
	while (mono_ns() < until)
		wait_sock(sock, upstream(sock), 20);
	c0 = cpu_ns();
	t0 = mono_ns();
	deadline = duration > 0 ? t0 + (uint64_t)(duration * 1e9) : UINT64_MAX;
	while (sent < count && !stop) {
		uint64_t now = mono_ns();

		if (now >= deadline)
			break;
		header(msg, 0, phase, phases, sent, now);
		if (send_one(sock, msg, size))
			return 1;
		sent++;
		/* NAKs and timers every 16 messages: one call per message would be its own cost. */
		if (!(sent & 15))
			upstream(sock);
	}
	t1 = mono_ns();
	c1 = cpu_ns();
	header(msg, 1, phase, phases, sent, mono_ns());
	put64(msg + HDR, sent);
	put64(msg + HDR + 8, size);
	put64(msg + HDR + 16, t1 - t0);
	put64(msg + HDR + 24, c1 - c0);
	put64(msg + HDR + 32, 0);
	put64(msg + HDR + 40, 0);
	if (send_one(sock, msg, HDR + END))
		return 1;
	printf("sent %llu ns %llu cpu_ns %llu\n", (unsigned long long)sent,
	       (unsigned long long)(t1 - t0), (unsigned long long)(c1 - c0));
	fflush(stdout);
	/* Stay to repair what the receiver NAKs. */
	until = mono_ns() + (uint64_t)(linger * 1e9);
	while (mono_ns() < until && !stop)
		wait_sock(sock, upstream(sock), 20);
	return 0;
}

struct phase {
	int size;
	uint64_t delivered, bytes, first_stamp, last_arrival, cpu_start, guest_start;
	uint64_t *lat;
	size_t nlat, cap;
	unsigned int resets;
	bool started, closed;
};

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile, as pgm-perf's Percentiles. */
static uint64_t rank(const uint64_t *s, size_t n, unsigned int p)
{
	size_t r = (p * n + 99) / 100;

	if (r > n)
		r = n;
	return s[r ? r - 1 : 0];
}

static void report(int k, struct phase *ph, const unsigned char *end)
{
	uint64_t p50 = 0, p99 = 0, max = 0;

	if (ph->nlat) {
		qsort(ph->lat, ph->nlat, sizeof(*ph->lat), cmp64);
		p50 = rank(ph->lat, ph->nlat, 50);
		p99 = rank(ph->lat, ph->nlat, 99);
		max = ph->lat[ph->nlat - 1];
	}
	printf("phase %d size %d sent %llu delivered %llu bytes %llu first_stamp %llu last_arrival %llu "
	       "p50 %llu p99 %llu max %llu cpu_ns %llu sender_cpu_ns %llu guest_cpu_ns %llu resets %u\n",
	       k, ph->size ? ph->size : (int)get64(end + 8), (unsigned long long)get64(end),
	       (unsigned long long)ph->delivered, (unsigned long long)ph->bytes,
	       (unsigned long long)(ph->delivered ? ph->first_stamp : 0),
	       (unsigned long long)ph->last_arrival, (unsigned long long)p50, (unsigned long long)p99,
	       (unsigned long long)max, (unsigned long long)(cpu_ns() - ph->cpu_start),
	       (unsigned long long)get64(end + 24), (unsigned long long)(guest_cpu_ns() - ph->guest_start),
	       ph->resets);
	fflush(stdout);
	free(ph->lat);
	ph->lat = NULL;
	ph->nlat = ph->cap = 0;
}

static int do_recv(pgm_sock_t *sock, double timeout)
{
	static unsigned char buf[1 << 17];
	static struct phase phases[256];
	uint64_t deadline = mono_ns() + (uint64_t)(timeout * 1e9);
	int current = -1;

	printf("ready\n");
	fflush(stdout);
	while (!stop && mono_ns() < deadline) {
		size_t bytes = 0;
		pgm_error_t *err = NULL;
		int status = pgm_recv(sock, buf, sizeof(buf), 0, &bytes, &err);
		uint64_t t = mono_ns();
		struct phase *ph;

		if (err)
			pgm_error_free(err);
		if (status == PGM_IO_STATUS_RESET) {
			/* Unrecoverable loss: counted against the phase being received. */
			if (current >= 0)
				phases[current].resets++;
			continue;
		}
		if (status != PGM_IO_STATUS_NORMAL) {
			wait_sock(sock, status, 100);
			continue;
		}
		if (bytes < HDR || get64(buf) << 32 >> 32 != MAGIC || buf[5] != TRANSPORT_OPENPGM ||
		    buf[6] >= buf[7])
			continue;
		current = buf[6];
		ph = &phases[current];
		if (ph->closed)
			continue;
		if (!ph->started) {
			ph->started = true;
			ph->cpu_start = cpu_ns();
			ph->guest_start = guest_cpu_ns();
			ph->first_stamp = UINT64_MAX;
		}
		if (buf[4] == 1) {
			if (bytes >= HDR + END) {
				ph->closed = true;
				report(current, ph, buf + HDR);
			}
			continue;
		}
		if (!ph->size)
			ph->size = (int)bytes;
		ph->delivered++;
		ph->bytes += bytes;
		if (get64(buf + 16) < ph->first_stamp)
			ph->first_stamp = get64(buf + 16);
		ph->last_arrival = t;
		if (ph->nlat == ph->cap) {
			size_t cap = ph->cap ? 2 * ph->cap : 4096;
			uint64_t *l = realloc(ph->lat, cap * sizeof(*l));

			if (!l)
				continue;
			ph->lat = l;
			ph->cap = cap;
		}
		ph->lat[ph->nlat++] = t > get64(buf + 16) ? t - get64(buf + 16) : 0;
	}
	return 0;
}

static double num(const char *s, const char *what, double lo, double hi)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || *e || v < lo || v > hi) {
		fprintf(stderr, "opgm-perf: %s must be %g-%g; got %s\n", what, lo, hi, s);
		exit(64);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: opgm-perf send GROUP PORT IFADDR UDPPORT SIZE PHASE PHASES [--count N] "
		"[--duration S] [--rate BYTES] [--linger S]\n"
		"       opgm-perf recv GROUP PORT IFADDR UDPPORT [--rcvbuf BYTES] [--timeout S]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pgm_sock_t *sock;
	bool sender;
	int port, udp_port, size = 0, phase = 0, phases = 1, rate = 0, rcvbuf = 0, i, first, rc;
	double duration = 0, linger = 1, timeout = 3600;
	uint64_t count = 1000;

	if (argc < 6 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		usage();
	sender = !strcmp(argv[1], "send");
	port = (int)num(argv[3], "PORT", 1, 65535);
	udp_port = (int)num(argv[5], "UDPPORT", 1, 65535);
	first = 6;
	if (sender) {
		if (argc < 9)
			usage();
		size = (int)num(argv[6], "SIZE", HDR, MAX_SKBV_APDU);
		phase = (int)num(argv[7], "PHASE", 0, 254);
		phases = (int)num(argv[8], "PHASES", phase + 1, 255);
		first = 9;
	}
	for (i = first; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--count"))
			count = (uint64_t)num(argv[++i], "--count", 1, 1e15);
		else if (!strcmp(argv[i], "--duration"))
			duration = num(argv[++i], "--duration", 0, 86400);
		else if (!strcmp(argv[i], "--rate"))
			rate = (int)num(argv[++i], "--rate", 0, INT_MAX);
		else if (!strcmp(argv[i], "--linger"))
			linger = num(argv[++i], "--linger", 0, 3600);
		else if (!strcmp(argv[i], "--rcvbuf"))
			rcvbuf = (int)num(argv[++i], "--rcvbuf", 0, INT_MAX);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = num(argv[++i], "--timeout", 0.1, 86400);
		else
			usage();
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sock = open_sock(argv[2], port, argv[4], udp_port, sender, rate, rcvbuf);
	rc = sender ? do_send(sock, (size_t)size, phase, phases, count, duration, linger) : do_recv(sock, timeout);
	pgm_close(sock, true);
	pgm_shutdown();
	return rc;
}
