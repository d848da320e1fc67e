// SPDX-License-Identifier: GPL-2.0
/*
 * attack_fec.c - hostile parity against a pgm.ko receiver (RFC 3208
 * section 11.5, docs/fec.md "In the kernel: the receiver"), run inside the
 * test VM in a private netns.  Packets are crafted byte by byte and sent
 * from a raw socket over loopback; each test names the bound it proves:
 *
 *   parity_flood_bounded    30,000 parity packets over every group of the
 *                           window and far beyond the lead (3 x
 *                           PGM_ATTACK_FEC_GROUPS, default 10,000; the debug
 *                           kernel's suites take 2,000): memory within
 *                           the socket's and the netns's budget, every
 *                           packet counted, all of it given back on close
 *   max_k_tiny_packets      k = 128 and 1-byte packets: each group rebuilt
 *                           once from one parity packet, every APDU delivered
 *   bad_parity_counted      lengths that disagree, OPT_CURR_TGSIZE != k,
 *                           numbers past codeword 254, encoded options of
 *                           the wrong length, a bogus trailer: each dropped
 *                           and counted, nothing wrong delivered
 *   k_flip_every_spm        OPT_PARITY_PRM changing k on every SPM, with
 *                           data and parity between: a size taken at most
 *                           once per PGM_FEC_K_HOLD_MS, every other change
 *                           refused and counted (fec_k_refused), memory
 *                           accounted, nothing leaked (PGM_ATTACK_FEC_FLIPS
 *                           SPMs, default 300)
 *   parity_for_complete     parity for a group whose originals are all held,
 *                           without FEC learnt, and a second time for a
 *                           rebuilt group: unused and counted, one decode
 *   parity_never_data       a parity packet whose sqn (TG_SQN | h) is an
 *                           original's never takes its slot
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "common.h"
#include "packets.h"

static int raw = -1;
static struct pkt p;

static void send_pkt(const struct pkt *q)
{
	struct sockaddr_in lo = sin4("127.0.0.1", 0);

	if (sendto(raw, q->b, q->len, 0, (struct sockaddr *)&lo, sizeof(lo)) != (ssize_t)q->len)
		FAILF("sendto %zu bytes: %s", q->len, strerror(errno));
}

static uint64_t in_packets(void)
{
	struct pgm_netns_stats st;

	netns_stats(&st);
	return st.in_packets;
}

/* Wait until @n packets after @base have reached the input path and their outcome. */
static void settle(uint64_t base, uint64_t n)
{
	netns_settle(base, n, 2000);
}

/*
 * Wait until receiver @fd has taken @n ODATA, RDATA and parity packets
 * (for at most 2000 naps of 5 ms) and return its counters; a failure of
 * the running test if it has not.
 */
static struct pgm_receiver_stats data_settle(int fd, uint64_t n)
{
	struct pgm_receiver_stats st = {};

	for (int i = 0; i < 2000; i++) {
		st = rstats(fd);
		if (st.odata_received + st.rdata_received + st.parity_received >= n)
			return st;
		usleep(5000);
	}
	FAILF("the receiver took %llu of %llu data and parity packets",
	      (unsigned long long)(st.odata_received + st.rdata_received + st.parity_received),
	      (unsigned long long)n);
	return st;
}

/* Common header of session @g to port @dport. */
static void hdr_to(struct pkt *q, uint8_t type, uint8_t opts, uint16_t tsdu, uint32_t g,
		   uint16_t dport)
{
	hdr(q, type, opts, tsdu);
	q->b[2] = dport >> 8;
	q->b[3] = dport & 0xff;
	q->b[11] = (uint8_t)g;
}

/* SPM with OPT_PARITY_PRM (k @k, OpenPGM's P 0x01 / O 0x02 in @bits); no option if !k. */
static void spm_prm(struct pkt *q, uint32_t g, uint16_t dport, uint32_t sqn, uint32_t trail,
		    uint32_t lead, uint32_t k, uint8_t bits)
{
	hdr_to(q, 0x00, k ? 0x01 | 0x02 : 0, 0, g, dport);
	put32(q, sqn);
	put32(q, trail);
	put32(q, lead);
	nla4(q, 0x7f000001);
	if (k) {
		put8(q, 0x00); put8(q, 4); put16(q, 4 + 8);	/* OPT_LENGTH */
		put8(q, 0x80 | 0x08); put8(q, 8); put8(q, 0); put8(q, bits);
		put32(q, k);
	}
	finish(q);
}

/* ODATA @sqn of @n bytes @fill. */
static void data_fill(struct pkt *q, uint32_t g, uint16_t dport, uint32_t sqn, uint32_t trail,
		      uint16_t n, uint8_t fill)
{
	hdr_to(q, 0x04, 0, n, g, dport);
	put32(q, sqn);
	put32(q, trail);
	for (uint16_t i = 0; i < n; i++)
		put8(q, fill);
	finish(q);
}

/*
 * Parity ODATA @sqn (TG_SQN | h) of @n bytes @fill, header bits OPT_PARITY
 * and @flags (0x40: OPT_VAR_PKTLEN); @opt, @optlen: options after
 * OPT_LENGTH, the last with OPT_END set.
 */
static void parity_fill(struct pkt *q, uint32_t g, uint16_t dport, uint32_t sqn, uint32_t trail,
			uint8_t flags, uint16_t n, uint8_t fill, const uint8_t *opt, size_t optlen)
{
	hdr_to(q, 0x04, 0x80 | flags | (optlen ? 0x01 : 0), n, g, dport);
	put32(q, sqn);
	put32(q, trail);
	if (optlen) {
		put8(q, 0x00); put8(q, 4); put16(q, (uint16_t)(4 + optlen));
		memcpy(q->b + q->len, opt, optlen);
		q->len += optlen;
	}
	for (uint16_t i = 0; i < n; i++)
		put8(q, fill);
	finish(q);
}

static int receiver(int port)
{
	struct sockaddr_in any = sin4("0.0.0.0", port);
	int fd = pgm_socket();

	if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		FAILF("receiver on %d: %s", port, strerror(errno));
	CHECK_OK(no_spmrs(fd));	/* settle() counts what loops back */
	return fd;
}

/* Close @fd and wait for the netns's receive memory to be given back. */
static void close_and_drain(int fd)
{
	struct pgm_netns_stats b;

	close(fd);
	for (int i = 0; i < 300; i++) {
		netns_stats(&b);
		if (!b.rx_mem && !b.rx_sessions)
			break;
		usleep(10000);
	}
	CHECK_EQ(b.rx_mem, 0);
	CHECK_EQ(b.rx_sessions, 0);
}

/* Read one APDU without waiting: its length, or -1. */
static ssize_t rd(int fd, void *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, buf, len, MSG_DONTWAIT);
	return n;
}

/*
 * 30,000 parity packets of 1,400 bytes, three per group of k = 4 (never a
 * fourth: no group can rebuild), over every group of the window, then past
 * the lead and 2^20 beyond it: what is held stays within the larger of
 * SO_RCVBUF and rx-mem (plus the session), the netns agrees, each packet is
 * counted, and closing gives everything back.
 */
static void parity_flood_bounded(void)
{
	int fd = receiver(7701);
	const uint32_t s0 = 4 * 50000, win = 8192;
	struct pgm_receiver_stats st;
	struct pgm_netns_stats b;
	uint64_t base = in_packets(), sent = 0;
	const char *env = getenv("PGM_ATTACK_FEC_GROUPS");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 10) : 10000;
	uint32_t i, h;

	if (n < 100)
		n = 100;
	if (n > 10000)
		n = 10000;
	CHECK_OK(set_u32(fd, PGM_RXW_SQNS, win));
	CHECK_OK(set_u32(fd, PGM_PEER_EXPIRY, 600000000));
	CHECK_OK(set_u32(fd, PGM_NAK_BO_IVL, 30000000));	/* no NAKs in the count */
	spm_prm(&p, 1, 7701, 1, s0, s0 - 1, 4, 0x01);
	send_pkt(&p);
	sent++;
	for (i = 0; i < n; i++) {
		/* Groups inside the window, then beyond it, then far beyond. */
		uint32_t tg = s0 + 4 * (i < n / 4 ? i : i < n / 10 * 9 ? i * 7 : i << 10);

		for (h = 0; h < 3; h++) {
			parity_fill(&p, 1, 7701, tg | h, s0, 0, 1400, (uint8_t)(i + h), NULL, 0);
			send_pkt(&p);
			sent++;
		}
		if (i % 30 == 29)
			settle(base, sent);
	}
	settle(base, sent);
	st = rstats(fd);
	netns_stats(&b);
	printf("# %llu parity packets: %llu dropped, %llu unused, %llu outside the window, %llu bytes held, %llu refusals for memory\n",
	       (unsigned long long)st.parity_received, (unsigned long long)st.parity_dropped,
	       (unsigned long long)st.parity_unused, (unsigned long long)st.outside_window,
	       (unsigned long long)st.mem, (unsigned long long)st.mem_refused);
	CHECK_EQ(st.parity_received, sent - 1);
	CHECK_EQ(st.groups_rebuilt, 0);
	CHECK_EQ(st.apdus_delivered, 0);
	CHECK(st.outside_window > 0);
	CHECK(st.mem <= PGM_RX_MEM_DEFAULT + 4096);
	CHECK_EQ(st.windows_shed, 0);	/* one session: nobody else's window to take */
	CHECK_EQ(b.rx_mem, st.mem);
	close_and_drain(fd);
}

/*
 * k = 128, 1-byte packets of zeros (whose parity is zeros): eight groups,
 * each missing one packet, each rebuilt from one parity packet, once; all
 * 1,024 APDUs delivered, no loss.  A second parity packet for a rebuilt
 * group is unused.
 */
static void max_k_tiny_packets(void)
{
	int fd = receiver(7702);
	const uint32_t k = 128, s0 = 128 * 1000, G = 8;
	struct pgm_receiver_stats st;
	uint64_t base = in_packets(), sent = 0;
	unsigned char buf[16];
	uint32_t g, j, got = 0;

	spm_prm(&p, 2, 7702, 1, s0, s0 - 1, k, 0x01);
	send_pkt(&p);
	sent++;
	for (g = 0; g < G; g++) {
		for (j = 0; j < k; j++) {
			if (j == 5 + g)
				continue;
			data_fill(&p, 2, 7702, s0 + g * k + j, s0, 1, 0);
			send_pkt(&p);
			sent++;
		}
		parity_fill(&p, 2, 7702, s0 + g * k, s0, 0, 1, 0, NULL, 0);
		send_pkt(&p);
		sent++;
		settle(base, sent);
	}
	/* Once more for group 0: rebuilt already. */
	parity_fill(&p, 2, 7702, s0 + 1, s0, 0, 1, 0, NULL, 0);
	send_pkt(&p);
	settle(base, ++sent);
	while (rd(fd, buf, sizeof(buf)) == 1 && !buf[0])
		got++;
	st = rstats(fd);
	printf("# k = 128: %u APDUs, %llu groups rebuilt, %llu parity unused\n", got,
	       (unsigned long long)st.groups_rebuilt, (unsigned long long)st.parity_unused);
	CHECK_EQ(got, G * k);
	CHECK_EQ(st.groups_rebuilt, G);
	CHECK_EQ(st.parity_received, G + 1);
	CHECK_EQ(st.parity_unused, 1);
	CHECK_EQ(st.parity_dropped, 0);
	CHECK_EQ(st.losses, 0);
	close_and_drain(fd);
}

/*
 * Group of k = 4 holding originals 0, 1 and 3 (10 bytes of 0x11), 2 lost;
 * parity that does not fit it is dropped and counted, one by one, and a
 * bogus one that fits (its rebuild gives no valid trailer) fails the group:
 * nothing is delivered for 2 until its data comes, with its own bytes.
 */
static void bad_parity_counted(void)
{
	int fd = receiver(7703);
	const uint32_t s0 = 4 * 1000;
	const uint8_t tgsize[] = { 0x80 | 0x0a, 8, 0, 0, 0, 0, 0, 8 };
	const uint8_t grp63[] = { 0x80 | 0x09, 8, 0, 0, 0, 0, 0, 63 };
	const uint8_t enc12[] = { 0x80 | 0x01, 12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t frag[] = { 0x80 | 0x01, 16, 0, 0, 0, 0, 0x0f, 0xa0, 0, 0, 0, 0,
				 0, 0, 0, 40 };
	struct pgm_receiver_stats st;
	uint64_t base = in_packets(), sent = 0;
	unsigned char buf[64];
	ssize_t n;

	CHECK_OK(set_u32(fd, PGM_NAK_BO_IVL, 2000000));	/* no repair in the way */
	spm_prm(&p, 3, 7703, 1, s0, s0 - 1, 4, 0x01);
	send_pkt(&p);
	sent++;
	for (uint32_t j = 0; j < 4; j++) {
		if (j == 2)
			continue;
		data_fill(&p, 3, 7703, s0 + j, s0, 10, 0x11);
		send_pkt(&p);
		sent++;
	}
	/* OPT_VAR_PKTLEN with no room for the trailer. */
	parity_fill(&p, 3, 7703, s0, s0, 0x40, 2, 0, NULL, 0);
	send_pkt(&p);
	/* A length the originals do not have. */
	parity_fill(&p, 3, 7703, s0, s0, 0, 11, 0, NULL, 0);
	send_pkt(&p);
	/* Another group size. */
	parity_fill(&p, 3, 7703, s0, s0, 0, 10, 0, tgsize, sizeof(tgsize));
	send_pkt(&p);
	/* Number 63 * 4 = 252: past codeword 254. */
	parity_fill(&p, 3, 7703, s0, s0, 0, 10, 0, grp63, sizeof(grp63));
	send_pkt(&p);
	/* An encoded OPT_FRAGMENT that is not 13 octets. */
	parity_fill(&p, 3, 7703, s0, s0, 0, 10, 0, enc12, sizeof(enc12));
	send_pkt(&p);
	/* A plain OPT_FRAGMENT on parity. */
	parity_fill(&p, 3, 7703, s0, s0, 0, 10, 0, frag, sizeof(frag));
	send_pkt(&p);
	sent += 6;
	settle(base, sent);
	st = rstats(fd);
	CHECK_EQ(st.parity_dropped, 6);
	CHECK_EQ(st.groups_rebuilt, 0);
	/* Fits, but rebuilds a padded packet with no valid length trailer. */
	parity_fill(&p, 3, 7703, s0 + 1, s0, 0x40, 12, 0xff, NULL, 0);
	send_pkt(&p);
	settle(base, ++sent);
	st = rstats(fd);
	printf("# bad parity: %llu dropped, %llu rebuilt\n",
	       (unsigned long long)st.parity_dropped, (unsigned long long)st.groups_rebuilt);
	CHECK_EQ(st.parity_dropped, 7);
	CHECK_EQ(st.groups_rebuilt, 0);
	CHECK_EQ(st.parity_received, 7);
	/* 0 and 1 delivered; nothing for 2 until its data. */
	CHECK_EQ(rd(fd, buf, sizeof(buf)), 10);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), 10);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), -1);
	data_fill(&p, 3, 7703, s0 + 2, s0, 7, 0x22);
	send_pkt(&p);
	settle(base, ++sent);
	n = rd(fd, buf, sizeof(buf));
	CHECK_EQ(n, 7);
	CHECK_EQ(buf[0], 0x22);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), 10);
	close_and_drain(fd);
}

/*
 * OPT_PARITY_PRM with another k on each of 300 SPMs (2, 128, 4, 64, ...),
 * data and parity between.  Taking a k sorts the window into groups, so a
 * session takes one at most once per PGM_FEC_K_HOLD_MS (pgm(7) LIMITS):
 * every valid k differs from the one before it, so each valid SPM after the
 * first is taken or refused, and at most one a hold of the time the test
 * ran is taken.  Memory stays accounted (the netns agrees with the socket)
 * and is all given back.
 */
static void k_flip_every_spm(void)
{
	int fd = receiver(7704);
	static const uint32_t ks[] = { 2, 128, 4, 64, 8, 32, 16, 3, 0, 256 };
	const uint32_t s0 = 1 << 20;
	struct pgm_receiver_stats st;
	struct pgm_netns_stats b;
	uint64_t base = in_packets(), sent = 0;
	uint32_t sqn = s0, i, j;
	unsigned char buf[2048];
	const char *env = getenv("PGM_ATTACK_FEC_FLIPS");
	uint32_t flips = env ? (uint32_t)strtoul(env, NULL, 10) : 300;
	uint64_t valid = 0, taken_max;
	double t0 = now_s();
	cpu_set_t one, all;

	/*
	 * Every SPM must reach the session in order: loopback queues a packet
	 * on the sending CPU's backlog, so a sender that moves between CPUs
	 * can have a later SPM processed first, and the earlier one is then
	 * stale (RFC 3208 section 6.2) and neither taken nor refused.  Send
	 * from one CPU.
	 */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_OK(sched_getaffinity(0, sizeof(all), &all));
	CHECK_OK(sched_setaffinity(0, sizeof(one), &one));
	if (flips < 20)
		flips = 20;
	if (flips > 300)
		flips = 300;
	CHECK_OK(set_u32(fd, PGM_PEER_EXPIRY, 600000000));
	CHECK_OK(set_u32(fd, PGM_NAK_BO_IVL, 600000000));	/* few NAKs: see below */
	for (i = 0; i < flips; i++) {
		spm_prm(&p, 4, 7704, 1 + i, s0, sqn - 1, ks[i % 10], 0x03);
		send_pkt(&p);
		sent++;
		valid += ks[i % 10] >= 2 && ks[i % 10] <= 128 && !(ks[i % 10] & (ks[i % 10] - 1));
		for (j = 0; j < 8; j++) {
			if (j % 3 == 1) {
				parity_fill(&p, 4, 7704, sqn + j, s0, 0, 100, (uint8_t)j, NULL, 0);
			} else {
				data_fill(&p, 4, 7704, sqn + j, s0, 100, (uint8_t)i);
			}
			send_pkt(&p);
			sent++;
		}
		sqn += 8;
		if (i % 20 == 19) {
			settle(base, sent);
			while (rd(fd, buf, sizeof(buf)) > 0)
				;
		}
	}
	settle(base, sent);
	/*
	 * The SPMs name 127.0.0.1 as the path NLA, so a NAK whose back-off
	 * ran out comes back in and counts as a packet of the netns: wait
	 * for the socket to have seen all the data and parity as well.
	 */
	st = data_settle(fd, flips * 8);
	netns_stats(&b);
	/* Sizes taken: the first SPM's, then at most one per hold elapsed. */
	taken_max = 1 + (uint64_t)((now_s() - t0) * 1000 / PGM_FEC_K_HOLD_MS);
	printf("# k flipping: %llu valid k, %llu refused (at most %llu taken), %llu NAKs, %llu parity, %llu rebuilt, %llu dropped, %llu unused, %llu bytes held\n",
	       (unsigned long long)valid, (unsigned long long)st.fec_k_refused,
	       (unsigned long long)taken_max, (unsigned long long)st.naks_sent,
	       (unsigned long long)st.parity_received, (unsigned long long)st.groups_rebuilt,
	       (unsigned long long)st.parity_dropped, (unsigned long long)st.parity_unused,
	       (unsigned long long)st.mem);
	sched_setaffinity(0, sizeof(all), &all);
	CHECK(st.fec_k_refused < valid);
	CHECK(st.fec_k_refused + taken_max >= valid);
	CHECK_EQ(st.parity_received, flips * 3);
	CHECK_EQ(b.rx_mem, st.mem);
	CHECK(st.mem <= PGM_RX_MEM_DEFAULT + 4096);
	close_and_drain(fd);
}

/*
 * Parity before any SPM offered FEC, and for a group whose originals are
 * all held: unused, counted, never delivered; the data all delivered.
 */
static void parity_for_complete(void)
{
	int fd = receiver(7705);
	const uint32_t s0 = 2 * 3000;
	struct pgm_receiver_stats st;
	uint64_t base = in_packets(), sent = 0;
	unsigned char buf[256];
	int got = 0;

	spm_prm(&p, 5, 7705, 1, s0, s0 - 1, 0, 0);	/* no FEC */
	send_pkt(&p);
	data_fill(&p, 5, 7705, s0, s0, 50, 0x33);
	send_pkt(&p);
	parity_fill(&p, 5, 7705, s0 | 1, s0, 0, 50, 0x44, NULL, 0);
	send_pkt(&p);
	sent += 3;
	spm_prm(&p, 5, 7705, 2, s0, s0, 2, 0x01);	/* now k = 2 */
	send_pkt(&p);
	data_fill(&p, 5, 7705, s0 + 1, s0, 50, 0x33);
	send_pkt(&p);
	data_fill(&p, 5, 7705, s0 + 2, s0, 50, 0x33);
	send_pkt(&p);
	data_fill(&p, 5, 7705, s0 + 3, s0, 50, 0x33);
	send_pkt(&p);
	/* Group s0 + 2 has both its originals. */
	parity_fill(&p, 5, 7705, s0 + 2, s0, 0, 50, 0x44, NULL, 0);
	send_pkt(&p);
	sent += 5;
	settle(base, sent);
	while (rd(fd, buf, sizeof(buf)) == 50 && buf[0] == 0x33)
		got++;
	st = rstats(fd);
	CHECK_EQ(got, 4);
	CHECK_EQ(st.parity_received, 2);
	CHECK_EQ(st.parity_unused, 2);
	CHECK_EQ(st.groups_rebuilt, 0);
	close_and_drain(fd);
}

/*
 * Section 11.2: parity number 1 of a group has the sqn of its original 1.
 * Before that original comes, the parity packet takes no slot and is not
 * delivered; the original then is, with its own bytes.
 */
static void parity_never_data(void)
{
	int fd = receiver(7706);
	const uint32_t s0 = 4 * 3000;
	uint64_t base = in_packets();
	unsigned char buf[256];

	spm_prm(&p, 6, 7706, 1, s0, s0 - 1, 4, 0x01);
	send_pkt(&p);
	data_fill(&p, 6, 7706, s0, s0, 50, 0x55);
	send_pkt(&p);
	parity_fill(&p, 6, 7706, s0 + 1, s0, 0, 50, 0x66, NULL, 0);
	send_pkt(&p);
	settle(base, 3);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), 50);
	CHECK_EQ(buf[0], 0x55);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), -1);
	data_fill(&p, 6, 7706, s0 + 1, s0, 60, 0x77);
	send_pkt(&p);
	settle(base, 4);
	CHECK_EQ(rd(fd, buf, sizeof(buf)), 60);
	CHECK_EQ(buf[0], 0x77);
	CHECK_EQ(rstats(fd).parity_received, 1);
	close_and_drain(fd);
}

int main(void)
{
	if (netns_private()) {
		perror("netns");
		return 1;
	}
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_PGM);
	if (raw < 0) {
		perror("raw socket");
		return 1;
	}
	RUN(parity_never_data);
	RUN(parity_for_complete);
	RUN(bad_parity_counted);
	RUN(max_k_tiny_packets);
	RUN(k_flip_every_spm);
	RUN(parity_flood_bounded);
	return summary("attack_fec");
}
