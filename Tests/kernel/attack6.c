// SPDX-License-Identifier: GPL-2.0
/*
 * attack6.c - hostile packets over IPv6 against a pgm.ko receiver (the
 * bounds of issue 15 on the IPv6 input path of issue 20, RFC 3208 section
 * 10), run inside the test VM in a private netns.  Packets are crafted
 * byte by byte and sent from a raw IPv6 socket to ::1; each test names the
 * bound it proves and prints the figure it measured:
 *
 *   sessions_bounded6   3,000 SPMs with new TSIs, NLAs of AFI 2 and
 *                       OPT_JOIN: at most rx-sessions sessions, their
 *                       windows within rx-mem (the least recently heard
 *                       shed for the new), every refusal counted, all
 *                       of it returned when the socket closes
 *   nak_reflection6     one SPM naming a victim as path NLA and a far
 *                       OPT_JOIN: at most 2 NAKs per packet received, as
 *                       over IPv4
 *   nla_refused6        an SPM whose path NLA is IPv4-mapped (no IPv6
 *                       host's, RFC 4291 section 2.5.5.2) or of AFI 1:
 *                       malformed, counted, and no NAK goes anywhere
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <time.h>

#include "harness.h"
#include "common.h"
#include "packets.h"

static int raw = -1;	/* sends to ::1 */
static struct pkt p;

static void send6(const struct pkt *q)
{
	struct sockaddr_in6 lo = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	if (sendto(raw, q->b, q->len, 0, (struct sockaddr *)&lo, sizeof(lo)) != (ssize_t)q->len)
		FAILF("sendto %zu bytes: %s", q->len, strerror(errno));
}

/* Wait until @n packets after @base have reached the input path and their outcome. */
static void settle(uint64_t base, uint64_t n)
{
	netns_settle(base, n, 1000);
}

/* An IPv6 receiver of every group's @port, by the address it arrives at (::1 here). */
static int receiver6(int port)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, SOCK_RDM, IPPROTO_PGM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		FAILF("receiver on %d: %s", port, strerror(errno));
	CHECK_OK(no_spmrs(fd));	/* settle() counts what loops back */
	return fd;
}

enum nla_kind { NLA_LOOPBACK, NLA_V4MAPPED, NLA_AFI1 };

/*
 * SPM of session @g (GSI test_gsi with bytes 3-5 @g) to @dport: sqn, trail,
 * lead, a path NLA of @kind, OPT_JOIN @join.
 */
static void spm6(struct pkt *q, uint32_t g, uint16_t dport, uint32_t sqn, uint32_t trail,
		 uint32_t lead, enum nla_kind kind, uint32_t join)
{
	static const uint8_t v4mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	static const uint8_t loopback[16] = { [15] = 1 };

	hdr(q, 0x00, 0x01, 0);
	q->b[2] = dport >> 8;
	q->b[3] = dport & 0xff;
	q->b[11] = (uint8_t)g;
	q->b[12] = (uint8_t)(g >> 8);
	q->b[13] = (uint8_t)(g >> 16);
	put32(q, sqn);
	put32(q, trail);
	put32(q, lead);
	if (kind == NLA_AFI1) {
		nla4(q, 0x7f000001);
	} else {
		put16(q, 2);
		put16(q, 0);
		memcpy(q->b + q->len, kind == NLA_V4MAPPED ? v4mapped : loopback, 16);
		q->len += 16;
	}
	put8(q, 0x00); put8(q, 4); put16(q, 4 + 8);	/* OPT_LENGTH */
	put8(q, 0x80 | 0x03); put8(q, 8); put16(q, 0);	/* OPT_JOIN|END */
	put32(q, join);
	finish(q);
}

static void sessions_bounded6(void)
{
	int fd = receiver6(7702);
	enum { N = 3000 };
	struct pgm_netns_stats a, b;
	struct pgm_receiver_stats st;
	uint64_t base;

	/*
	 * No session may expire while they arrive (slow kernels): none makes
	 * room.  No NAK may loop back to be counted among the packets settle()
	 * waits for.
	 */
	CHECK_OK(set_u32(fd, PGM_PEER_EXPIRY, 600000000));
	CHECK_OK(set_u32(fd, PGM_NAK_BO_IVL, 30000000));
	/* All from ::1: rx-sessions-source lifted to test rx-sessions alone. */
	CHECK_OK(pgm_sysctl_set("rx_sessions_source", 1048576));
	netns_stats(&a);
	base = a.in_packets;
	for (uint32_t i = 0; i < N; i++) {
		spm6(&p, 0x10000 + i, 7702, 1, 100, 100 + 8000, NLA_LOOPBACK, 100);
		send6(&p);
		if (i % 100 == 99)
			settle(base, i + 1);	/* loopback's backlog is 1000 */
	}
	settle(base, N);
	st = rstats(fd);
	netns_stats(&b);
	printf("# %d spoofed IPv6 sessions: %u kept, %llu refused, %llu bytes held, %llu windows shed, %llu refusals for memory\n",
	       N, st.peers, (unsigned long long)st.sessions_refused, (unsigned long long)st.mem,
	       (unsigned long long)st.windows_shed, (unsigned long long)st.mem_refused);
	CHECK_EQ(st.peers, PGM_RX_SESSIONS_DEFAULT);
	CHECK_EQ(st.sessions_refused, N - PGM_RX_SESSIONS_DEFAULT);
	CHECK(st.mem <= PGM_RX_MEM_DEFAULT + PGM_RX_SESSIONS_DEFAULT * 512);
	/* Past rx-mem, the least recently heard windows give way, reported lost whole. */
	CHECK(st.windows_shed > 0);
	CHECK_EQ(st.losses, st.windows_shed * 8001);
	CHECK_EQ(b.rx_windows_shed - a.rx_windows_shed, st.windows_shed);
	CHECK_EQ(st.malformed, 0);
	CHECK_EQ(b.rx_sessions_refused - a.rx_sessions_refused, st.sessions_refused);
	CHECK_EQ(b.rx_mem, st.mem);
	close(fd);
	for (int i = 0; i < 200; i++) {
		netns_stats(&b);
		if (!b.rx_mem && !b.rx_sessions)
			break;
		usleep(10000);
	}
	CHECK_EQ(b.rx_mem, 0);
	CHECK_EQ(b.rx_sessions, 0);
}

/*
 * NAKs of session @g seen on @cap (a raw IPv6 socket of protocol 113: it
 * gets every PGM packet that arrives, without the IPv6 header) within @ms.
 */
static int count_naks(int cap, uint32_t g, int ms)
{
	double end = now_s() + ms / 1000.0;
	uint8_t b[2048];
	int n = 0;

	for (;;) {
		int left = (int)((end - now_s()) * 1000);
		struct pollfd pf = { .fd = cap, .events = POLLIN };
		ssize_t len;

		if (left <= 0 || poll(&pf, 1, left) != 1)
			break;
		len = recv(cap, b, sizeof(b), 0);
		if (len >= 16 && b[4] == 0x08 && b[11] == (uint8_t)g && b[12] == (uint8_t)(g >> 8) &&
		    b[13] == (uint8_t)(g >> 16))
			n++;
	}
	return n;
}

/*
 * One SPM naming the victim (::1, where the capture listens) as its path
 * NLA and asking with OPT_JOIN for 8,000 sqns before its lead: at most 2
 * NAKs, then at most 2 more for each further SPM of the session.
 */
static void nak_reflection6(void)
{
	int fd = receiver6(7703), cap = socket(AF_INET6, SOCK_RAW, IPPROTO_PGM), naks, more;

	CHECK(cap >= 0);
	set_u32(fd, PGM_NAK_BO_IVL, 10000);
	set_u32(fd, PGM_NAK_RPT_IVL, 50000);
	spm6(&p, 0x30000, 7703, 1, 2000, 10000, NLA_LOOPBACK, 2000);
	send6(&p);
	naks = count_naks(cap, 0x30000, 3000);
	printf("# one spoofed IPv6 SPM (%zu bytes): %d NAKs to the victim (bound 2)\n", p.len + 40, naks);
	CHECK(naks >= 1);	/* the mechanism works at all */
	CHECK(naks <= 2);
	for (uint32_t i = 0; i < 10; i++) {
		spm6(&p, 0x30000, 7703, 2 + i, 2000, 10000, NLA_LOOPBACK, 2000);
		send6(&p);
		usleep(20000);
	}
	more = count_naks(cap, 0x30000, 1500);
	printf("# 10 more SPMs: %d NAKs (bound 20)\n", more);
	CHECK(more <= 20);
	close(cap);
	close(fd);
}

/* An IPv4-mapped or AFI 1 path NLA is malformed: no NAK goes to it or anywhere. */
static void nla_refused6(void)
{
	int fd = receiver6(7704), cap = socket(AF_INET6, SOCK_RAW, IPPROTO_PGM), naks;
	struct pgm_receiver_stats st;
	struct pgm_netns_stats a;

	CHECK(cap >= 0);
	set_u32(fd, PGM_NAK_BO_IVL, 10000);
	netns_stats(&a);
	spm6(&p, 0x40000, 7704, 1, 2000, 10000, NLA_V4MAPPED, 2000);
	send6(&p);
	spm6(&p, 0x40001, 7704, 1, 2000, 10000, NLA_AFI1, 2000);
	send6(&p);
	settle(a.in_packets, 2);
	naks = count_naks(cap, 0x40000, 1000) + count_naks(cap, 0x40001, 500);
	st = rstats(fd);
	printf("# SPMs with an IPv4-mapped and an AFI 1 path NLA: malformed %llu, NAKs %d\n",
	       (unsigned long long)st.malformed, naks);
	CHECK_EQ(naks, 0);
	CHECK_EQ(st.naks_sent, 0);
	CHECK_EQ(st.malformed, 2);
	close(cap);
	close(fd);
}

int main(void)
{
	if (netns_private()) {
		perror("netns");
		return 1;
	}
	raw = socket(AF_INET6, SOCK_RAW, IPPROTO_PGM);
	if (raw < 0) {
		perror("raw IPv6 socket");
		return 1;
	}
	RUN(sessions_bounded6);
	RUN(nak_reflection6);
	RUN(nla_refused6);
	return summary("attack6");
}
