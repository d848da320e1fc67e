// SPDX-License-Identifier: GPL-2.0
/*
 * lookup_test.c - which sockets a packet reaches, with many sockets open:
 * the input path finds sockets in the netns's port hash (kernel/input.c),
 * and every packet must still reach exactly the sockets of its port.  In
 * a private netns, inside the test VM, crafted packets are sent from a
 * raw socket (and a UDP socket for encapsulation) and each socket's own
 * counters say what it got.
 *
 *   lookup_test           the checks ("lookup_test: N passed, N failed")
 *   lookup_test --bench [ROUNDS [PACKETS]]
 *                         timing only, no pass/fail: the cost of an ODATA
 *                         to one receiver with no other socket open and with
 *                         OTHERS receivers on other ports, rounds alternating,
 *                         and the ratio of the medians
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <sys/resource.h>

#include "harness.h"
#include "common.h"
#include "packets.h"

#define OTHERS		1000		/* receivers on distinct other ports */
#define OTHER_BASE	20000		/* their ports: OTHER_BASE .. + OTHERS - 1 */
#define GROUP		"239.192.0.7"	/* the source's: not joined, its packets do not come back */
#define MGROUP		"239.192.0.9"	/* joined: multicast sent to it comes back in */
#define GPORT		7500		/* the measured port: a source's group port */
#define UNUSED		9999		/* no socket has this port */

static int raw = -1;
static int ifindex;
static struct pkt p;

static void set_ports(struct pkt *q, uint16_t sport, uint16_t dport)
{
	q->b[0] = sport >> 8;
	q->b[1] = sport & 0xff;
	q->b[2] = dport >> 8;
	q->b[3] = dport & 0xff;
	finish(q);
}

static void send_raw(const struct pkt *q, const char *to)
{
	struct sockaddr_in d = sin4(to, 0);

	if (sendto(raw, q->b, q->len, 0, (struct sockaddr *)&d, sizeof(d)) != (ssize_t)q->len)
		FAILF("sendto %s: %s", to, strerror(errno));
}

/* Wait (up to 5 s) until the netns has seen @n packets more than @a did. */
static void wait_in(const struct pgm_netns_stats *a, uint64_t n, struct pgm_netns_stats *b)
{
	for (int i = 0; i < 500; i++) {
		netns_stats(b);
		if (b->in_packets >= a->in_packets + n)
			return;
		usleep(10000);
	}
	FAILF("in_packets %llu -> %llu, waited for %llu more",
	      (unsigned long long)a->in_packets, (unsigned long long)b->in_packets,
	      (unsigned long long)n);
}

/* Receivers here never NAK nor ask for SPMs (they would come back in). */
static void quiet(int fd)
{
	CHECK_OK(set_u32(fd, PGM_NAK_BO_IVL, 600000000));
	CHECK_OK(no_spmrs(fd));
}

static int receiver_at(const char *addr, uint16_t port, int udp)
{
	struct sockaddr_in a = sin4(addr, port);
	int fd = pgm_socket(), on = 1;

	if (fd < 0) {
		FAILF("socket: %s", strerror(errno));
		return -1;
	}
	if (udp)
		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_UDP_ENCAP, &on, sizeof(on)));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		FAILF("bind %s:%u: %s", addr, port, strerror(errno));
	quiet(fd);
	return fd;
}

static int receiver(uint16_t port)
{
	return receiver_at("0.0.0.0", port, 0);
}

static uint64_t got(int fd)
{
	return rstats(fd).odata_received;
}

/*
 * SPMRs sent by the receivers in @fds (-1: closed).  The injected sessions
 * send no SPM, so each receiver asks for one after a random back-off in
 * [0, PGM_SPMR_EXPIRY) (Appendix C): even at 600 s, a thousand sessions
 * draw a few within a slow kernel's test, two packets each to the fake
 * source, where no socket takes them.
 */
static uint64_t spmrs_sent(const int *fds, int n)
{
	uint64_t sum = 0;

	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			sum += rstats(fds[i]).spmrs_sent;
	return sum;
}

static struct pgm_source_stats sstats(int fd)
{
	struct pgm_source_stats st = {};
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len))
		memset(&st, 0, sizeof(st));
	return st;
}

/* A source of GROUP:GPORT; its data-source port in *@sport. */
static int source(uint16_t *sport)
{
	struct sockaddr_in g = sin4(GROUP, GPORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket();

	if (connect(fd, (struct sockaddr *)&g, sizeof(g)))
		FAILF("connect: %s", strerror(errno));
	getsockname(fd, (struct sockaddr *)&local, &len);
	*sport = ntohs(local.sin_port);
	return fd;
}

/*
 * OTHERS receivers on distinct ports, one receiver and one source on the
 * measured port (the source's group port), and one receiver on the
 * source's own data-source port: each ODATA reaches the one receiver of
 * its port and no other socket; closed sockets stop getting packets, and
 * new ones on their ports start.
 */
static void many_ports(void)
{
	static int fds[OTHERS];
	struct pgm_netns_stats a, b;
	uint64_t spmrs0, spmrs1, nosock;
	uint16_t sport;
	int src = source(&sport);
	int meas = receiver(GPORT);
	int onsrc = receiver(sport);	/* the source's port, as a receiver's */

	for (int i = 0; i < OTHERS; i++) {
		fds[i] = receiver(OTHER_BASE + i);
		if (fds[i] < 0 || t_cur_failed) {
			FAILF("receiver %d of %d: giving up", i + 1, OTHERS);
			return;
		}
	}

	/* One ODATA to each port, then one to the measured port. */
	netns_stats(&a);
	for (int i = 0; i < OTHERS; i++) {
		odata_trail(&p, 1, 1, 8);
		set_ports(&p, 40000, OTHER_BASE + i);
		send_raw(&p, "127.0.0.1");
	}
	wait_in(&a, OTHERS, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, OTHERS);
	for (int i = 0, bad = 0; i < OTHERS && bad < 5; i++)
		if (got(fds[i]) != 1 && ++bad)
			FAILF("receiver of port %d got %llu ODATA, not 1", OTHER_BASE + i,
			      (unsigned long long)got(fds[i]));
	CHECK_EQ(got(meas), 0);
	CHECK_EQ(got(onsrc), 0);

	netns_stats(&a);
	odata_trail(&p, 1, 1, 8);
	set_ports(&p, 40000, GPORT);
	send_raw(&p, "127.0.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ(got(meas), 1);
	CHECK_EQ(got(onsrc), 0);
	CHECK_EQ(sstats(src).malformed, 0);
	for (int i = 0, bad = 0; i < OTHERS && bad < 5; i++)
		if (got(fds[i]) != 1 && ++bad)
			FAILF("receiver of port %d got %llu ODATA after the measured port's",
			      OTHER_BASE + i, (unsigned long long)got(fds[i]));

	/* Close the first half; reopen the first quarter's ports. */
	for (int i = 0; i < OTHERS / 2; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	for (int i = 0; i < OTHERS / 4; i++)
		fds[i] = receiver(OTHER_BASE + i);
	if (t_cur_failed)
		return;
	spmrs0 = spmrs_sent(fds, OTHERS);
	netns_stats(&a);
	for (int i = 0; i < OTHERS; i++) {
		odata_trail(&p, 2, 1, 8);
		set_ports(&p, 40000, OTHER_BASE + i);
		send_raw(&p, "127.0.0.1");
	}
	wait_in(&a, OTHERS, &b);
	spmrs1 = spmrs_sent(fds, OTHERS);
	CHECK_EQ(b.in_delivered - a.in_delivered, OTHERS - OTHERS / 4);
	/* The closed quarter's ODATA, and the SPMRs sent meanwhile (at most). */
	nosock = b.in_no_socket - a.in_no_socket;
	if (nosock < OTHERS / 4 || nosock > OTHERS / 4 + 2 * (spmrs1 - spmrs0))
		FAILF("in_no_socket rose by %llu: %d closed ports' ODATA and %llu SPMRs",
		      (unsigned long long)nosock, OTHERS / 4,
		      (unsigned long long)(spmrs1 - spmrs0));
	for (int i = 0, bad = 0; i < OTHERS && bad < 5; i++) {
		uint64_t want = i < OTHERS / 4 ? 1 : 2;

		if (i >= OTHERS / 4 && i < OTHERS / 2)
			continue;	/* closed */
		if (got(fds[i]) != want && ++bad)
			FAILF("receiver of port %d got %llu ODATA, not %llu", OTHER_BASE + i,
			      (unsigned long long)got(fds[i]), (unsigned long long)want);
	}
	CHECK_EQ(got(meas), 1);
	CHECK_EQ(got(onsrc), 0);

	for (int i = 0; i < OTHERS; i++)
		if (i < OTHERS / 4 || i >= OTHERS / 2)
			close(fds[i]);
	close(onsrc);
	close(meas);
	close(src);
}

/*
 * Several sockets of one port: two bound to INADDR_ANY and one to a group
 * take the unicast ODATA in the first two only; after one closes, the
 * other alone; a new socket on the port joins them.
 */
static void shared_port(void)
{
	struct pgm_netns_stats a, b;
	int r1 = receiver(7601), r2 = receiver(7601);
	int rg = receiver_at(GROUP, 7601, 0), r3;
	int other = receiver(7601 + 256);	/* same bucket of a 256-bucket hash */

	netns_stats(&a);
	odata_trail(&p, 1, 1, 8);
	set_ports(&p, 40000, 7601);
	send_raw(&p, "127.0.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ(got(r1), 1);
	CHECK_EQ(got(r2), 1);
	CHECK_EQ(got(rg), 0);
	CHECK_EQ(got(other), 0);

	close(r1);
	r3 = receiver(7601);
	netns_stats(&a);
	odata_trail(&p, 2, 1, 8);
	set_ports(&p, 40000, 7601);
	send_raw(&p, "127.0.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(got(r2), 2);
	CHECK_EQ(got(r3), 1);
	CHECK_EQ(got(rg), 0);
	CHECK_EQ(got(other), 0);

	/* The other port of the bucket gets its own, and only it. */
	netns_stats(&a);
	odata_trail(&p, 1, 1, 8);
	set_ports(&p, 40000, 7601 + 256);
	send_raw(&p, "127.0.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(got(other), 1);
	CHECK_EQ(got(r2), 2);
	CHECK_EQ(got(r3), 1);
	close(r2);
	close(r3);
	close(rg);
	close(other);
}

/*
 * Upstream: a NAK and a unicast SPMR reach the source by its data-source
 * port, not a receiver of that port; a multicast SPMR reaches the source
 * and the receivers of its data-destination port (Appendix C), and with
 * neither, no socket.
 */
static void upstream(void)
{
	struct pgm_netns_stats a, b;
	struct pgm_source_stats s0, s1;
	struct pgm_gsi gsi;
	socklen_t len = sizeof(gsi);
	uint16_t sport;
	int src = source(&sport);
	int onsrc = receiver(sport);
	int meas = receiver(GPORT);

	CHECK_OK(getsockopt(src, SOL_PGM, PGM_GSI, &gsi, &len));

	/* NAK for sqn 0 of the source's session: counted by the source only. */
	s0 = sstats(src);
	netns_stats(&a);
	hdr(&p, 0x08, 0, 0);
	put32(&p, 0);
	nla4(&p, 0x0a620001);		/* 10.98.0.1, the source's address */
	nla4(&p, 0xefc00007);		/* GROUP */
	memcpy(p.b + 8, gsi.gsi, 6);
	set_ports(&p, GPORT, sport);
	send_raw(&p, "10.98.0.1");
	wait_in(&a, 1, &b);
	s1 = sstats(src);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ((s1.naks_received + s1.malformed) - (s0.naks_received + s0.malformed), 1);
	CHECK_EQ(rstats(onsrc).malformed + rstats(onsrc).odata_received, 0);

	/* Unicast SPMR: the source. */
	s0 = sstats(src);
	netns_stats(&a);
	hdr(&p, 0x0c, 0, 0);
	memcpy(p.b + 8, gsi.gsi, 6);
	set_ports(&p, GPORT, sport);
	send_raw(&p, "10.98.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ(sstats(src).spmr_received - s0.spmr_received, 1);

	/* Multicast SPMR: the source, and the receivers of GPORT. */
	s0 = sstats(src);
	netns_stats(&a);
	send_raw(&p, MGROUP);
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ(sstats(src).spmr_received - s0.spmr_received, 1);

	/* Multicast SPMR of another session whose destination port is GPORT: receivers. */
	netns_stats(&a);
	set_ports(&p, GPORT, UNUSED);
	send_raw(&p, MGROUP);
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);

	/* ... the same but unicast: no receiver takes it, no source has the port. */
	netns_stats(&a);
	send_raw(&p, "10.98.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_no_socket - a.in_no_socket, 1);

	/* Multicast SPMR naming ports no socket has. */
	netns_stats(&a);
	set_ports(&p, UNUSED, UNUSED);
	send_raw(&p, MGROUP);
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_no_socket - a.in_no_socket, 1);

	/* An SPMR is no downstream packet: the receiver of the source's port has nothing. */
	CHECK_EQ(rstats(onsrc).peers, 0);
	CHECK_EQ(got(meas), 0);
	close(meas);
	close(onsrc);
	close(src);
	/* Closed: the source's port takes nothing. */
	netns_stats(&a);
	set_ports(&p, GPORT, sport);
	send_raw(&p, "10.98.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_no_socket - a.in_no_socket, 1);
}

/*
 * Encapsulation: on one port, a native and a UDP-encapsulated receiver;
 * a native packet reaches the first only, one in UDP to the unicast
 * encapsulation port the second only.
 */
static void encapsulation(void)
{
	struct sockaddr_in tun = sin4("127.0.0.1", 3055);
	struct pgm_netns_stats a, b;
	int nat = receiver(7700), enc = receiver_at("0.0.0.0", 7700, 1);
	int u = socket(AF_INET, SOCK_DGRAM, 0);

	netns_stats(&a);
	odata_trail(&p, 1, 1, 8);
	set_ports(&p, 40000, 7700);
	send_raw(&p, "127.0.0.1");
	wait_in(&a, 1, &b);
	CHECK_EQ(got(nat), 1);
	CHECK_EQ(got(enc), 0);

	netns_stats(&a);
	odata_trail(&p, 2, 1, 8);
	set_ports(&p, 40000, 7700);
	CHECK_EQ(sendto(u, p.b, p.len, 0, (struct sockaddr *)&tun, sizeof(tun)), (ssize_t)p.len);
	wait_in(&a, 1, &b);
	CHECK_EQ(b.in_delivered - a.in_delivered, 1);
	CHECK_EQ(got(nat), 1);
	CHECK_EQ(got(enc), 1);
	close(u);
	close(nat);
	close(enc);
}

/* ---- --bench: timing only ---- */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/*
 * @n ODATA to the receiver @fd of GPORT, read as they come: the time per
 * packet in ns, from the first send to the last recv.
 */
static double one_round(int fd, uint32_t *sqn, int n)
{
	char buf[64];
	double t0 = now_ns();
	int sent = 0, rcvd = 0;

	while (rcvd < n) {
		for (int k = 0; k < 32 && sent < n; k++, sent++) {
			odata_trail(&p, *sqn, *sqn, 8);
			set_ports(&p, 40000, GPORT);
			send_raw(&p, "127.0.0.1");
			(*sqn)++;
		}
		while (rcvd < sent) {
			struct pollfd pf = { .fd = fd, .events = POLLIN };

			if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
				rcvd++;
				continue;
			}
			if (poll(&pf, 1, 1000) != 1) {
				fprintf(stderr, "# bench: %d of %d received, giving up\n", rcvd, sent);
				return -1;
			}
		}
	}
	return (now_ns() - t0) / n;
}

static int bench(int rounds, int n)
{
	static int fds[OTHERS];
	double *e = calloc(rounds, sizeof(double)), *l = calloc(rounds, sizeof(double));
	uint32_t sqn = 1;
	int fd = receiver(GPORT);

	if (fd < 0 || t_cur_failed)
		return 1;

	one_round(fd, &sqn, n / 4);	/* warm up */
	for (int r = 0; r < rounds; r++) {
		e[r] = one_round(fd, &sqn, n);
		for (int i = 0; i < OTHERS; i++)
			fds[i] = receiver(OTHER_BASE + i);
		l[r] = one_round(fd, &sqn, n);
		for (int i = 0; i < OTHERS; i++)
			close(fds[i]);
		printf("# bench round %d: %.0f ns/ODATA with no other socket, %.0f with %d\n",
		       r + 1, e[r], l[r], OTHERS);
		fflush(stdout);
		usleep(200000);	/* the closed sockets' grace periods */
	}
	qsort(e, rounds, sizeof(double), cmp_double);
	qsort(l, rounds, sizeof(double), cmp_double);
	printf("# bench: %d rounds of %d ODATA; ns/ODATA median (min-max): "
	       "alone %.0f (%.0f-%.0f), with %d others %.0f (%.0f-%.0f); ratio %.2f\n",
	       rounds, n, e[rounds / 2], e[0], e[rounds - 1], OTHERS,
	       l[rounds / 2], l[0], l[rounds - 1], l[rounds / 2] / e[rounds / 2]);
	close(fd);
	free(e);
	free(l);
	return 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 4096, 4096 };

	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("RLIMIT_NOFILE");
		return 1;
	}
	if (netns_private_dummy()) {
		perror("netns");
		return 1;
	}
	ifindex = if_nametoindex("dummy0");
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_PGM);
	if (raw < 0) {
		perror("raw socket");
		return 1;
	}
	/* The raw socket gets a copy of every packet: a small buffer, dropped. */
	{
		int small = 4096;
		struct ip_mreqn m = { .imr_ifindex = ifindex };

		setsockopt(raw, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		/* Looped multicast reaches this host only if it is a member. */
		inet_pton(AF_INET, MGROUP, &m.imr_multiaddr);
		if (setsockopt(raw, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m))) {
			perror("IP_ADD_MEMBERSHIP");
			return 1;
		}
	}
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 5, argc > 3 ? atoi(argv[3]) : 20000);

	RUN(many_ports);
	RUN(shared_port);
	RUN(upstream);
	RUN(encapsulation);
	return summary("lookup_test");
}
