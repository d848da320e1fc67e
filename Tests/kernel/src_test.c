// SPDX-License-Identifier: GPL-2.0
/*
 * src_test.c - a PGM source of pgm.ko seen from the wire, inside the test
 * VM: in a private netns, multicast goes out of a dummy device (which
 * drops what it transmits, so only IP_MULTICAST_LOOP's copy comes back), a
 * raw IP-113 socket that joined the group sees every packet the source
 * sends and plays the receiver's part (NAK, SPMR).  RFC 3208 sections in
 * the test names.
 *
 * Over IPv4, or with -6 over IPv6 (docs/ipv6.md): the group ff15::5, the
 * source's address LOCAL6 on dummy0, the options of level SOL_IPV6 in
 * place of SOL_IP's, NLAs of AFI 2; the raw IPv6 socket gets the packets
 * without their IPv6 header, their hop limit in a control message.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "harness.h"
#include "common.h"
#include "packets.h"

#define PORT	7600

static int family = AF_INET;	/* -6: AF_INET6 */
static int raw = -1;
static int ifindex;	/* of dummy0 */

/* The group, and the source's address (dummy0's), of the family. */
static const char *group(void)
{
	return family == AF_INET6 ? "ff15::5" : "239.192.0.5";
}

static const char *src_addr(void)
{
	return family == AF_INET6 ? LOCAL6 : "10.98.0.1";
}

/* Join @grp on dummy0 at option level @level (SOL_PGM, or SOL_IP/SOL_IPV6). */
static int join(int fd, const char *grp, int level)
{
	if (family == AF_INET6) {
		struct ipv6_mreq m = { .ipv6mr_interface = ifindex };

		inet_pton(AF_INET6, grp, &m.ipv6mr_multiaddr);
		return setsockopt(fd, level, level == SOL_PGM ? PGM_JOIN_GROUP : IPV6_JOIN_GROUP,
				  &m, sizeof(m));
	} else {
		struct ip_mreqn m = { .imr_ifindex = ifindex };

		inet_pton(AF_INET, grp, &m.imr_multiaddr);
		return setsockopt(fd, level, level == SOL_PGM ? PGM_JOIN_GROUP : IP_ADD_MEMBERSHIP,
				  &m, sizeof(m));
	}
}

/* IP_MULTICAST_LOOP/TTL or IPV6_MULTICAST_LOOP/HOPS on @fd. */
static int mc_opt(int fd, bool hops, int v)
{
	if (family == AF_INET6)
		return setsockopt(fd, SOL_IPV6, hops ? IPV6_MULTICAST_HOPS : IPV6_MULTICAST_LOOP,
				  &v, sizeof(v));
	return setsockopt(fd, SOL_IP, hops ? IP_MULTICAST_TTL : IP_MULTICAST_LOOP, &v, sizeof(v));
}

struct seen {
	uint8_t type, opts, ttl;
	uint32_t sqn;		/* ODATA/RDATA/SPM/NCF first word */
	uint8_t gsi[6];
	uint16_t sport, dport;
	uint8_t endopt;		/* 0x0e FIN, 0x0f RST, 0 none */
	uint16_t nla_afi;	/* SPM: path NLA, its AFI and address */
	uint8_t nla[16];
	size_t len;
};

/*
 * Receive one packet from the raw socket: its PGM packet at *@pgm, its TTL
 * or hop limit in *@ttl; the length of the PGM packet, or -1.  A raw IPv4
 * socket gets the IP header too, a raw IPv6 socket the packet alone (its
 * hop limit in IPV6_HOPLIMIT, IPV6_RECVHOPLIMIT being set).
 */
static ssize_t raw_recv(uint8_t *b, size_t len, uint8_t **pgm, uint8_t *ttl)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { b, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(raw, &m, 0);
	size_t ihl;

	if (n < 0)
		return -1;
	if (family == AF_INET6) {
		*ttl = 0;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			int h;

			if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
				memcpy(&h, CMSG_DATA(c), sizeof(h));
				*ttl = (uint8_t)h;
			}
		}
		*pgm = b;
		return n;
	}
	if (n < 20)
		return -1;
	ihl = (b[0] & 0x0f) * 4;
	if ((size_t)n < ihl)
		return -1;
	*ttl = b[8];
	*pgm = b + ihl;
	return n - (ssize_t)ihl;
}

/* Next PGM packet from the raw socket within @ms; 0 if none. */
static int next_pkt(struct seen *s, int ms)
{
	static uint8_t buf[70000];
	struct pollfd p = { .fd = raw, .events = POLLIN };
	uint8_t *b, ttl;
	ssize_t n;

again:
	if (poll(&p, 1, ms) != 1)
		return 0;
	n = raw_recv(buf, sizeof(buf), &b, &ttl);
	if (n < 20)
		goto again;	/* an SPMR (16 bytes): not one we wait for */
	memset(s, 0, sizeof(*s));
	s->ttl = ttl;
	s->sport = b[0] << 8 | b[1];
	s->dport = b[2] << 8 | b[3];
	s->type = b[4];
	s->opts = b[5];
	memcpy(s->gsi, b + 8, 6);
	s->sqn = (uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
	s->len = n;
	if (s->type == 0x00 && (size_t)n >= 36) {
		s->nla_afi = b[28] << 8 | b[29];
		memcpy(s->nla, b + 32, s->nla_afi == 2 && (size_t)n >= 48 ? 16 : 4);
	}
	if (s->opts & 0x01) {
		/* Find OPT_FIN/OPT_RST: the options follow the type-specific part. */
		size_t nl = family == AF_INET6 ? 20 : 8;	/* an NLA's length */
		size_t th = s->type == 0x00 ? 28 + nl : s->type <= 0x05 && s->type >= 0x04 ? 24 :
			    s->type == 0x0a ? 20 + 2 * nl : 16;
		size_t o = th + 4, end = th + (b[th + 2] << 8 | b[th + 3]);

		while (o + 4 <= end && o + 4 <= (size_t)n) {
			if ((b[o] & 0x7f) == 0x0e || (b[o] & 0x7f) == 0x0f)
				s->endopt = b[o] & 0x7f;
			if (b[o] & 0x80 || b[o + 1] < 4)
				break;
			o += b[o + 1];
		}
	}
	return 1;
}

/* Wait for a packet of @type from @sport (0: any); 0 if none in @ms. */
static int wait_type(struct seen *s, uint8_t type, uint16_t sport, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int left;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || !next_pkt(s, left))
			return 0;
		if (s->type == type && (!sport || s->sport == sport))
			return 1;
	}
}

static void drain(void)
{
	struct seen s;

	while (next_pkt(&s, 50))
		;
}

static int source(uint16_t *sport)
{
	union pgm_sa g = sa_of(family, group(), PORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket_af(family);

	if (connect(fd, &g.sa, sa_len(family)))
		FAILF("connect: %s", strerror(errno));
	getsockname(fd, &local.sa, &len);
	*sport = sa_port(&local);
	return fd;
}

static int receiver(void)
{
	union pgm_sa g = sa_of(family, group(), PORT);
	int fd = pgm_socket_af(family);

	CHECK_OK(bind(fd, &g.sa, sa_len(family)));
	CHECK_OK(join(fd, group(), SOL_PGM));
	return fd;
}

/* Section 5.1.4: connect() announces the session with an SPM. */
static void spm_on_connect(void)
{
	struct seen s;
	uint16_t sport;
	int fd = source(&sport);

	CHECK(wait_type(&s, 0x00, sport, 1000));
	CHECK_EQ(s.dport, PORT);
	close(fd);
	drain();
}

/*
 * IP_MULTICAST_LOOP (IPV6_MULTICAST_LOOP): on (the default), a local
 * receiver gets the data.
 */
static void multicast_loop(void)
{
	uint16_t sport;
	int r = receiver(), fd = source(&sport), off = 0;
	char b[16];
	struct pollfd p = { .fd = r, .events = POLLIN };

	CHECK_EQ(send(fd, "looped", 6, 0), 6);
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_EQ(recv(r, b, sizeof(b), MSG_DONTWAIT), 6);
	close(fd);

	fd = pgm_socket_af(family);
	CHECK_OK(mc_opt(fd, false, off));
	{
		union pgm_sa g = sa_of(family, group(), PORT);

		CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	}
	CHECK_EQ(send(fd, "hidden", 6, 0), 6);
	/* The first session's end may be on the error queue: look for data only. */
	p.revents = 0;
	poll(&p, 1, 500);
	CHECK(!(p.revents & POLLIN));
	close(fd);
	close(r);
	drain();
}

/*
 * IP_MULTICAST_TTL (IPV6_MULTICAST_HOPS) is the TTL (hop limit) of what the
 * source multicasts.
 */
static void multicast_ttl(void)
{
	union pgm_sa g = sa_of(family, group(), PORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket_af(family), ttl = 3;
	struct seen s;

	CHECK_OK(mc_opt(fd, true, ttl));
	CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	getsockname(fd, &local.sa, &len);
	CHECK_EQ(send(fd, "ttl", 3, 0), 3);
	CHECK(wait_type(&s, 0x04, sa_port(&local), 1000));
	CHECK_EQ(s.ttl, 3);
	close(fd);
	drain();
}

/* sendmmsg(): one APDU per message, in order (section 5.1.1). */
static void sendmmsg_apdus(void)
{
	uint16_t sport;
	int fd = source(&sport);
	struct mmsghdr mm[3];
	struct iovec iov[3];
	char data[3][8] = { "one", "two", "three" };
	struct seen s;
	uint32_t first = 0;

	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = data[i];
		iov[i].iov_len = strlen(data[i]);
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ(sendmmsg(fd, mm, 3, 0), 3);
	{
		char cbuf[CMSG_SPACE(sizeof(int))] = {};
		struct msghdr m = { .msg_iov = &iov[0], .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		c->cmsg_level = family == AF_INET6 ? SOL_IPV6 : SOL_IP;
		c->cmsg_type = family == AF_INET6 ? IPV6_HOPLIMIT : IP_TTL;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		/* No ancillary data is understood: refused, not ignored. */
		CHECK_ERR(sendmsg(fd, &m, 0), EINVAL);
	}
	for (int i = 0; i < 3; i++) {
		if (!wait_type(&s, 0x04, sport, 1000)) {
			FAILF("ODATA %d not seen", i);
			break;
		}
		if (i == 0)
			first = s.sqn;
		CHECK_EQ(s.sqn, first + i);
		/*
		 * OPT_LENGTH and OPT_JOIN (section 9.4: the window still holds the
		 * session's first sqn), and OPT_SYN on the first (section 9.6).
		 */
		CHECK_EQ(s.len, 24 + strlen(data[i]) + 4 + 8 + (i == 0 ? 4 : 0));
	}
	close(fd);
	drain();
}

/* Rate control: a non-blocking send that finds no tokens gets EAGAIN. */
static void rate_limit_eagain(void)
{
	uint16_t sport;
	int fd = source(&sport), i, again = 0;
	uint32_t rate = 2000;	/* bytes/s */
	static char big[1400];
	struct pgm_source_stats st;
	socklen_t len = sizeof(st);

	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, rate));
	for (i = 0; i < 20 && !again; i++) {
		errno = 0;
		if (send(fd, big, sizeof(big), MSG_DONTWAIT) < 0 && errno == EAGAIN)
			again = 1;
	}
	CHECK(again);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len));
	CHECK(st.odata_sent >= 1);
	close(fd);
	drain();
}

/* Sections 9.7 and 9.8: close() sends OPT_FIN; a zero linger, OPT_RST. */
static void fin_and_rst(void)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	uint16_t sport;
	struct seen s;
	int fd = source(&sport), found = 0;

	drain();
	close(fd);
	while (wait_type(&s, 0x00, sport, 1000))
		if (s.endopt == 0x0e)
			found = 1;
	CHECK(found);

	fd = source(&sport);
	drain();
	CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(fd);
	found = 0;
	while (wait_type(&s, 0x00, sport, 1000))
		if (s.endopt == 0x0f)
			found = 1;
	CHECK(found);
}

/* Send an upstream packet for @sport's session to the source. */
static void upstream(struct pkt *p, uint16_t sport, const uint8_t *gsi)
{
	union pgm_sa to = sa_of(family, src_addr(), 0);	/* the source's address */

	/* Upstream ports: source = data-destination, destination = data-source. */
	p->b[0] = PORT >> 8;
	p->b[1] = PORT & 0xff;
	p->b[2] = sport >> 8;
	p->b[3] = sport & 0xff;
	memcpy(p->b + 8, gsi, 6);
	finish(p);
	if (sendto(raw, p->b, p->len, 0, &to.sa, sa_len(family)) != (ssize_t)p->len)
		FAILF("sendto: %s", strerror(errno));
}

/* Section 5.1.6 (Appendix C): an SPMR gets an SPM at once. */
static void spmr_gets_spm(void)
{
	uint16_t sport;
	int fd = source(&sport);
	struct pkt p;
	struct seen s;
	struct pgm_gsi gsi;
	socklen_t len = sizeof(gsi);

	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &gsi, &len));
	drain();
	hdr(&p, 0x0c, 0, 0);
	upstream(&p, sport, gsi.gsi);
	CHECK(wait_type(&s, 0x00, sport, 300));
	close(fd);
	drain();
}

/* An NLA of the family: @addr, 4 or 16 bytes in network order. */
static void put_nla(struct pkt *p, const uint8_t *addr)
{
	if (family == AF_INET6) {
		nla6(p, addr);
		return;
	}
	nla4(p, (uint32_t)addr[0] << 24 | addr[1] << 16 | addr[2] << 8 | addr[3]);
}

/*
 * Sections 5.2, 5.3: a NAK gets a multicast NCF and the RDATA; the same
 * NAK again within PGM_RDATA_LINGER_IVL gets the NCF at once, its RDATA
 * only when the linger ends (10 s here: not during this test; the
 * conformance scenarios src-nak-linger and src-nak-repeated see it come);
 * a NAK outside the window gets neither.
 */
static void nak_ncf_rdata_linger(void)
{
	uint16_t sport;
	int fd = source(&sport);
	struct pgm_gsi gsi;
	socklen_t len = sizeof(gsi);
	uint32_t linger = 10000000, sqn;	/* 10 s: a slow VM gets nowhere near */
	struct pkt p;
	struct seen s;
	int rdata = 0, ncfs = 0;
	uint8_t path[16] = {}, want[16] = {};
	size_t alen = family == AF_INET6 ? 16 : 4;

	CHECK_OK(set_u32(fd, PGM_RDATA_LINGER_IVL, linger));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &gsi, &len));
	/*
	 * Section 6.2: NAKs go to the path NLA of the source's SPMs, of the
	 * session's family (AFI 1 or 2): the address it sends from.
	 */
	CHECK(wait_type(&s, 0x00, sport, 1000));
	CHECK_EQ(s.nla_afi, family == AF_INET6 ? 2 : 1);
	inet_pton(family, src_addr(), want);
	CHECK(!memcmp(s.nla, want, alen));
	memcpy(path, s.nla, alen);
	CHECK_EQ(send(fd, "repair me", 9, 0), 9);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	sqn = s.sqn;
	drain();

	for (int k = 0; k < 2; k++) {
		hdr(&p, 0x08, 0, 0);
		put32(&p, sqn);
		put_nla(&p, path);
		nla(&p, 0xefc00005, "ff15::5");		/* group() */
		upstream(&p, sport, gsi.gsi);
		while (next_pkt(&s, 200)) {
			if (s.sport != sport)
				continue;
			if (s.type == 0x0a && s.sqn == sqn)
				ncfs++;
			if (s.type == 0x05 && s.sqn == sqn)
				rdata++;
		}
	}
	CHECK_EQ(ncfs, 2);
	CHECK_EQ(rdata, 1);

	/* Outside the window: nothing. */
	hdr(&p, 0x08, 0, 0);
	put32(&p, sqn + 1000);
	put_nla(&p, path);
	nla(&p, 0xefc00005, "ff15::5");
	upstream(&p, sport, gsi.gsi);
	CHECK(!wait_type(&s, 0x0a, sport, 300));
	{
		struct pgm_source_stats st;
		socklen_t sl = sizeof(st);

		CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
		CHECK_EQ(st.naks_received, 3);
		CHECK_EQ(st.naks_ignored, 1);
		CHECK_EQ(st.rdata_sent, 1);
		CHECK_EQ(st.ncf_sent, 2);
	}
	close(fd);
	drain();
}

/*
 * Section 8.3: a NAK's source NLA names the original source: the NLA of
 * its SPMs, or another address of the host (its packets' IP source after a
 * route change moved it, which receivers name), gets an NCF; an address
 * that is not the host's is another source's NAK, refused and counted.
 */
static void nak_source_nla(void)
{
	uint16_t sport;
	int fd = source(&sport);
	struct pgm_gsi gsi;
	socklen_t len = sizeof(gsi);
	uint8_t mine[16] = {}, other[16] = {};
	struct pgm_source_stats st;
	struct pkt p;
	struct seen s;
	uint32_t sqn;

	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &gsi, &len));
	inet_pton(family, family == AF_INET6 ? "::1" : "127.0.0.1", mine);
	inet_pton(family, family == AF_INET6 ? "fd00:98::77" : "10.98.0.77", other);
	CHECK_EQ(send(fd, "repair me", 9, 0), 9);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	sqn = s.sqn;
	drain();

	hdr(&p, 0x08, 0, 0);
	put32(&p, sqn);
	put_nla(&p, other);
	nla(&p, 0xefc00005, "ff15::5");
	upstream(&p, sport, gsi.gsi);
	CHECK(!wait_type(&s, 0x0a, sport, 300));

	hdr(&p, 0x08, 0, 0);
	put32(&p, sqn);
	put_nla(&p, mine);
	nla(&p, 0xefc00005, "ff15::5");
	upstream(&p, sport, gsi.gsi);
	CHECK(wait_type(&s, 0x0a, sport, 1000));
	CHECK_EQ(s.sqn, sqn);

	len = sizeof(st);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len));
	CHECK_EQ(st.malformed, 1);
	CHECK_EQ(st.naks_received, 1);
	close(fd);
	drain();
}

/*
 * A PGMCC ACK (draft section 2.1.3) from the source's own address: its
 * feedback names it, and echoes a timestamp @ago_ms old.
 */
static void pgmcc_ack(struct pkt *p, uint32_t rx_max, uint32_t bitmap, uint32_t ago_ms)
{
	unsigned int flen = family == AF_INET6 ? 28 : 16, alen = family == AF_INET6 ? 16 : 4;
	uint8_t me[16] = {};
	struct timespec t;

	/* The echo, on the source's clock (CLOCK_MONOTONIC, ms). */
	clock_gettime(CLOCK_MONOTONIC, &t);
	inet_pton(family, src_addr(), me);
	hdr(p, 0x0d, 0x01, 0);
	put32(p, rx_max);
	put32(p, bitmap);
	put8(p, 0x00); put8(p, 4); put16(p, 4 + flen);		/* OPT_LENGTH */
	put8(p, 0x13 | 0x80); put8(p, flen); put16(p, 0);	/* OPT_PGMCC_FEEDBACK */
	put32(p, (uint32_t)(t.tv_sec * 1000 + t.tv_nsec / 1000000) - ago_ms);
	put16(p, family == AF_INET6 ? 2 : 1);
	put16(p, 0);						/* loss rate */
	for (unsigned int i = 0; i < alen; i++)
		put8(p, me[i]);
}

/* A PGMCC source of the group; its port and GSI, for ACKs to it. */
static int pgmcc_source(uint16_t *sport, struct pgm_gsi *gsi)
{
	union pgm_sa g = sa_of(family, group(), PORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket_af(family), on = 1;

	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_PGMCC, &on, sizeof(on)));
	CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	getsockname(fd, &local.sa, &len);
	*sport = sa_port(&local);
	len = sizeof(*gsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, gsi, &len));
	return fd;
}

/*
 * PGMCC (draft sections 2.2, 2.7): a loss the acker's ACK shows after it
 * acknowledged everything sent takes W/2 tokens, leaving none and nothing
 * in flight; the timeout still runs for an application that only polls
 * (no send() to arm it), and POLLOUT comes back with W = T = 1.
 */
static void pgmcc_poll_timeout(void)
{
	struct pgm_source_stats st;
	struct pgm_gsi gsi;
	struct pollfd pf;
	socklen_t sl;
	uint32_t s0;
	uint16_t sport;
	struct pkt p;
	struct seen s;
	int fd = pgmcc_source(&sport, &gsi);

	CHECK_EQ(send(fd, "0", 1, MSG_DONTWAIT), 1);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	s0 = s.sqn;
	CHECK_ERR(send(fd, "1", 1, MSG_DONTWAIT), EAGAIN);
	drain();
	/* Elected, the baseline: W 2, T 2. */
	pgmcc_ack(&p, s0, 0xffffffff, 0);
	upstream(&p, sport, gsi.gsi);
	pf = (struct pollfd){ .fd = fd, .events = POLLOUT };
	CHECK_EQ(poll(&pf, 1, 1000), 1);
	CHECK_EQ(send(fd, "1", 1, MSG_DONTWAIT), 1);
	CHECK_EQ(send(fd, "2", 1, MSG_DONTWAIT), 1);
	CHECK_ERR(send(fd, "3", 1, MSG_DONTWAIT), EAGAIN);
	/* s0 + 1 missing: W 3, T 2. */
	pgmcc_ack(&p, s0 + 2, 0xfffffffd, 0);
	upstream(&p, sport, gsi.gsi);
	CHECK_EQ(poll(&pf, 1, 1000), 1);
	CHECK_EQ(send(fd, "3", 1, MSG_DONTWAIT), 1);
	CHECK_EQ(send(fd, "4", 1, MSG_DONTWAIT), 1);
	/* Still missing, three newer acknowledged: a loss, T 0 - 3/2. */
	pgmcc_ack(&p, s0 + 4, 0xfffffff7, 0);
	upstream(&p, sport, gsi.gsi);
	usleep(20000);
	sl = sizeof(st);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(st.congestion_events, 1);
	CHECK(st.cc_tokens < 0);
	CHECK_EQ(st.cc_timeouts, 0);
	CHECK_EQ(poll(&pf, 1, 0), 0);
	/* The timeout (200 ms at least; the RTT is 0) gives a token back. */
	CHECK_EQ(poll(&pf, 1, 10000), 1);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(st.cc_timeouts, 1);
	CHECK_EQ(st.cc_window, 1 << 16);
	CHECK_EQ(st.acks_received, 3);
	CHECK_EQ(st.acker_changes, 1);
	CHECK_EQ(send(fd, "5", 1, MSG_DONTWAIT), 1);
	close(fd);
	drain();
}

/*
 * PGMCC (draft section 2.7): an acker echoing a timestamp 1,000 s old
 * counts an RTT of 32.767 s, as the throughput equation bounds it, so that
 * the timeout (60 s at most) still comes.
 */
static void pgmcc_rtt_bounded(void)
{
	socklen_t sl = sizeof(struct pgm_source_stats);
	struct pgm_source_stats st;
	struct pgm_gsi gsi;
	uint16_t sport;
	struct pkt p;
	struct seen s;
	int fd = pgmcc_source(&sport, &gsi);

	CHECK_EQ(send(fd, "0", 1, MSG_DONTWAIT), 1);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	drain();
	pgmcc_ack(&p, s.sqn, 0xffffffff, 1000000);
	upstream(&p, sport, gsi.gsi);
	usleep(20000);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(st.acker_changes, 1);
	CHECK_EQ(st.cc_rtt_us, 32767000);
	close(fd);
	drain();
}

/*
 * An ACK carrying OPT_CONFIRM (docs/confirmed-delivery.md) from the test's
 * address: receiver @id has everything up to @confirmed; @flags 0x01 JOIN,
 * 0x02 BYE, 0x04 LOST.
 */
static void confirm_ack(struct pkt *p, uint32_t confirmed, uint32_t id, uint8_t flags)
{
	hdr(p, 0x0d, 0x01, 0);
	put32(p, confirmed);				/* RX_MAX */
	put32(p, 0);					/* ACK_BITMAP */
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 12);	/* OPT_LENGTH */
	put8(p, 0x21 | 0x80); put8(p, 12); put8(p, 0); put8(p, flags);
	put32(p, confirmed);
	put32(p, id);
}

/*
 * A confirming source (PGM_CONFIRM) with @txw sqns, flow control if @flow,
 * at most @max receivers (0: the default).
 */
static int confirm_source(uint16_t *sport, struct pgm_gsi *gsi, int txw, int flow, int expiry_ms,
			  int max)
{
	union pgm_sa g = sa_of(family, group(), PORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket_af(family), on = 1;

	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM, &on, sizeof(on)));
	if (max)
		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_MAX, &max, sizeof(max)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &flow, sizeof(flow)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_EXPIRY, &expiry_ms, sizeof(expiry_ms)));
	CHECK_OK(set_u32(fd, PGM_TXW_SQNS, txw));
	CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	getsockname(fd, &local.sa, &len);
	*sport = sa_port(&local);
	len = sizeof(*gsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, gsi, &len));
	return fd;
}

static void confirm_read(int fd, struct pgm_confirmed *c, struct pgm_source_stats *st)
{
	socklen_t cl = sizeof(*c), sl = sizeof(*st);

	usleep(20000);	/* the injected packet's way through the stack */
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, c, &cl));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, st, &sl));
}

/*
 * Confirmed delivery at the source (S1-S4, S7): receivers by (address, id)
 * join with any ACK; CONFIRMED is the least of theirs; a stale ACK moves
 * nothing; one beyond the lead is clamped to it; BYE (with LOST) removes
 * a receiver, a BYE of an unknown one is only counted; POLLPRI says
 * CONFIRMED or the receivers changed until PGM_CONFIRMED is read.
 */
static void confirm_progress(void)
{
	struct pgm_source_stats st;
	struct pgm_confirmed c;
	struct pgm_gsi gsi;
	struct pollfd pf;
	uint16_t sport;
	uint32_t s0;
	struct pkt p;
	struct seen s;
	int fd = confirm_source(&sport, &gsi, 64, 0, 3000, 0);

	CHECK_EQ(send(fd, "0", 1, 0), 1);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	s0 = s.sqn;
	CHECK_EQ(send(fd, "1", 1, 0), 1);
	CHECK_EQ(send(fd, "2", 1, 0), 1);
	drain();
	pf = (struct pollfd){ .fd = fd, .events = POLLPRI };
	CHECK_EQ(poll(&pf, 1, 0), 0);

	confirm_ack(&p, s0, 1, 0x01);
	upstream(&p, sport, gsi.gsi);
	CHECK_EQ(poll(&pf, 1, 1000), 1);
	CHECK_EQ(pf.revents, POLLPRI);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.flags, PGM_CONFIRMED_VALID);
	CHECK_EQ(c.sqn, s0);
	CHECK_EQ(c.receivers, 1);
	CHECK_EQ(poll(&pf, 1, 0), 0);	/* read: POLLPRI clear */

	confirm_ack(&p, s0 + 2, 2, 0);		/* a second receiver, ahead */
	upstream(&p, sport, gsi.gsi);
	CHECK_EQ(poll(&pf, 1, 1000), 1);	/* the count changed: POLLPRI */
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 2);
	CHECK_EQ(c.sqn, s0);
	confirm_ack(&p, s0 + 1, 1, 0);		/* the slower one moves */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.sqn, s0 + 1);
	confirm_ack(&p, s0, 1, 0);		/* stale */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.sqn, s0 + 1);
	CHECK_EQ(st.confirm_stale, 1);
	confirm_ack(&p, s0 + 1000, 2, 0);	/* the future: the lead */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(st.confirm_future, 1);
	confirm_ack(&p, s0 + 1, 1, 0x02 | 0x04);	/* BYE, LOST */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 1);
	CHECK_EQ(c.sqn, s0 + 2);		/* receiver 2's, clamped to the lead */
	CHECK_EQ(st.confirm_lost, 1);
	confirm_ack(&p, s0 + 2, 3, 0x02);	/* BYE of a stranger */
	upstream(&p, sport, gsi.gsi);
	confirm_ack(&p, s0 + 2, 2, 0x02);	/* BYE */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 0);
	CHECK_EQ(c.flags, 0);
	CHECK_EQ(st.confirm_stale, 2);
	CHECK_EQ(st.confirm_leaves, 1);
	CHECK_EQ(st.confirm_joins, 2);
	CHECK_EQ(st.confirm_acks, 8);
	CHECK_EQ(st.confirm_receivers, 0);
	close(fd);
	drain();
}

/*
 * Flow control (S8, S5): the slowest live receiver holds the window: a
 * send() that would pass what it confirmed gets EAGAIN, POLLOUT is clear
 * (flow_limited counted once); its ACK lets the window go, and so does its
 * expiry, after which nothing holds it.
 */
static void confirm_flow(void)
{
	struct pgm_source_stats st;
	struct pgm_confirmed c;
	struct pgm_gsi gsi;
	struct pollfd pf;
	uint16_t sport;
	uint32_t s0;
	struct pkt p;
	struct seen s;
	int fd = confirm_source(&sport, &gsi, 4, 1, 500, 0), i;

	CHECK_EQ(send(fd, "0", 1, 0), 1);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	s0 = s.sqn;
	confirm_ack(&p, s0 - 1, 1, 0x01);	/* it has nothing yet */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 1);
	CHECK_EQ(c.sqn, s0 - 1);
	for (i = 1; i < 4; i++)
		CHECK_EQ(send(fd, "x", 1, MSG_DONTWAIT), 1);
	pf = (struct pollfd){ .fd = fd, .events = POLLOUT };
	CHECK_EQ(poll(&pf, 1, 0), 0);
	CHECK_ERR(send(fd, "4", 1, MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(send(fd, "4", 1, MSG_DONTWAIT), EAGAIN);
	confirm_ack(&p, s0 + 1, 1, 0);		/* two more confirmed: room for two */
	upstream(&p, sport, gsi.gsi);
	CHECK_EQ(poll(&pf, 1, 1000), 1);
	CHECK_EQ(send(fd, "4", 1, MSG_DONTWAIT), 1);
	CHECK_EQ(send(fd, "5", 1, MSG_DONTWAIT), 1);
	CHECK_ERR(send(fd, "6", 1, MSG_DONTWAIT), EAGAIN);
	confirm_read(fd, &c, &st);
	CHECK_EQ(st.flow_limited, 2);
	CHECK_EQ(st.txw_trail, s0 + 2);	/* what it confirmed + 1 */
	/* Silent past the expiry (500 ms): it leaves, the window goes on. */
	CHECK_EQ(poll(&pf, 1, 5000), 1);
	confirm_read(fd, &c, &st);
	CHECK_EQ(st.confirm_expired, 1);
	CHECK_EQ(c.receivers, 0);
	for (i = 0; i < 8; i++)
		CHECK_EQ(send(fd, "y", 1, MSG_DONTWAIT), 1);
	close(fd);
	drain();
}

/*
 * The bounds (S4, S6): past PGM_CONFIRM_MAX a receiver is refused and
 * counted; one already behind the trail is not added; one the trail
 * passes (no flow control) leaves as lost.
 */
static void confirm_bounds(void)
{
	struct pgm_source_stats st;
	struct pgm_confirmed c;
	struct pgm_gsi gsi;
	uint16_t sport;
	uint32_t s0;
	struct pkt p;
	struct seen s;
	int fd = confirm_source(&sport, &gsi, 4, 0, 3000, 2), i;

	CHECK_EQ(send(fd, "0", 1, 0), 1);
	CHECK(wait_type(&s, 0x04, sport, 1000));
	s0 = s.sqn;
	for (i = 1; i <= 3; i++) {
		confirm_ack(&p, s0, i, 0x01);
		upstream(&p, sport, gsi.gsi);
	}
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 2);
	CHECK_EQ(c.refused, 1);
	CHECK_EQ(st.confirm_refused, 1);
	for (i = 1; i <= 2; i++) {
		confirm_ack(&p, s0, i, 0x02);
		upstream(&p, sport, gsi.gsi);
	}
	for (i = 1; i < 8; i++)
		CHECK_EQ(send(fd, "x", 1, 0), 1);	/* the trail: s0 + 4 */
	confirm_ack(&p, s0 + 2, 7, 0);		/* behind it */
	upstream(&p, sport, gsi.gsi);
	confirm_ack(&p, s0 + 3, 8, 0);		/* trail - 1: has all it can get */
	upstream(&p, sport, gsi.gsi);
	confirm_read(fd, &c, &st);
	CHECK_EQ(st.confirm_behind, 1);
	CHECK_EQ(c.receivers, 1);
	CHECK_EQ(c.sqn, s0 + 3);
	CHECK_EQ(send(fd, "z", 1, 0), 1);	/* the trail passes it */
	confirm_read(fd, &c, &st);
	CHECK_EQ(c.receivers, 0);
	CHECK_EQ(st.confirm_lost, 1);
	CHECK_EQ(st.confirm_joins, 3);
	close(fd);
	drain();
}

/*
 * Section 9.7 with a full receive queue: the session-end record waits for
 * room instead of being dropped, and comes after all the data.
 */
static void end_after_full_queue(void)
{
	int r = receiver(), rcvbuf = 16384, got = 0;
	uint16_t sport;
	static char b[2500];
	struct pollfd p = { .fd = r, .events = POLLIN };
	int fd;

	CHECK_OK(setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	fd = source(&sport);
	for (int i = 0; i < 50; i++)
		CHECK_EQ(send(fd, b, sizeof(b), 0), (ssize_t)sizeof(b));
	close(fd);		/* OPT_FIN while the receiver's queue is full */
	usleep(500000);
	while (got < 50 && poll(&p, 1, 2000) == 1) {
		if (recv(r, b, sizeof(b), MSG_DONTWAIT) == (ssize_t)sizeof(b))
			got++;
	}
	CHECK_EQ(got, 50);
	{
		struct pollfd e = { .fd = r, .events = 0 };
		struct pgm_session_end end;
		char cbuf[128];
		struct iovec iov = { &end, sizeof(end) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		int type = 0;

		CHECK(poll(&e, 1, 3000) == 1 && (e.revents & POLLERR));
		CHECK_EQ(recvmsg(r, &m, MSG_ERRQUEUE | MSG_DONTWAIT), sizeof(end));
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_PGM)
				type = c->cmsg_type;
		CHECK_EQ(type, PGM_SESSION_END);
		CHECK_EQ(end.reason, PGM_END_FIN);
		CHECK_EQ(ntohs(end.tsi.sport), sport);
	}
	close(r);
	drain();
}

/* Section 3.3: PGM_TXW_BYTES bounds the data the window holds. */
static void window_by_bytes(void)
{
	union pgm_sa g = sa_of(family, group(), PORT);
	uint32_t bytes = 3000, rte = 0;
	struct pgm_source_stats st;
	socklen_t len = sizeof(st);
	static char b[1000];
	int fd = pgm_socket_af(family);

	CHECK_OK(set_u32(fd, PGM_TXW_BYTES, bytes));
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, rte));
	CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	for (int i = 0; i < 5; i++)
		CHECK_EQ(send(fd, b, sizeof(b), 0), (ssize_t)sizeof(b));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len));
	CHECK_EQ(st.txw_lead - st.txw_trail + 1, 3);
	CHECK_ERR(set_u32(fd, PGM_TXW_BYTES, 5000), EISCONN);
	close(fd);
	drain();
}

/* The payload of the @i-th APDU of window_reuse's round @r, @len bytes. */
static void reuse_payload(uint8_t *b, size_t len, int r, int i)
{
	for (size_t j = 0; j < len; j++)
		b[j] = (uint8_t)(r * 131 + i * 7 + j);
}

/*
 * Read @count ODATA of @sport from the raw socket (each within @ms) and
 * check each one's TSDU against what the @i-th send of round @r was, @i
 * being its sqn less @first; the number read.
 */
static int reuse_check(uint16_t sport, uint32_t first, int r, int count, int ms)
{
	static uint8_t buf[70000], want[2000];
	struct pollfd p = { .fd = raw, .events = POLLIN };
	int seen = 0;

	while (seen < count && poll(&p, 1, ms) == 1) {
		uint8_t *b, ttl;
		ssize_t n = raw_recv(buf, sizeof(buf), &b, &ttl);
		size_t tsdu;
		uint32_t i;

		if (n < 24 || b[4] != 0x04 || (b[0] << 8 | b[1]) != sport)
			continue;
		tsdu = b[14] << 8 | b[15];
		i = ((uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]) - first;
		if (tsdu > sizeof(want) || tsdu > (size_t)n) {
			FAILF("ODATA %u: TSDU of %zu bytes in a packet of %zd", i, tsdu, n);
			return seen;
		}
		reuse_payload(want, tsdu, r, (int)i);
		if (memcmp(b + n - tsdu, want, tsdu)) {
			FAILF("round %d, ODATA %u: not the payload it was sent with", r, i);
			return seen;
		}
		seen++;
	}
	return seen;
}

/*
 * Section 3.3: the transmit window reuses a packet its trail passed for a
 * later ODATA (source.c, pgm_txw_spare_put), but only once nothing else
 * holds its data.  Round 0: the raw socket keeps the loopback copy of
 * every ODATA, unread, while a window of 4 sqns turns over 50 times;
 * every copy it then reads still carries its own payload (a buffer reused
 * under a held copy would show a later one).  Round 1: each copy read at
 * once, so the window's packets are reused, APDUs of 64 and 1,000 bytes
 * in turn (a spare too small, or too large, for the next): every payload
 * and header is right.
 */
static void window_reuse_keeps_held_copies(void)
{
	union pgm_sa g = sa_of(family, group(), PORT), local;
	socklen_t len = sizeof(local);
	int fd = pgm_socket_af(family), big = 8 << 20, was;
	socklen_t wlen = sizeof(was);
	static uint8_t b[1000];
	uint32_t first = 0;
	uint16_t sport;
	struct seen s;

	drain();
	CHECK_OK(getsockopt(raw, SOL_SOCKET, SO_RCVBUF, &was, &wlen));
	CHECK_OK(setsockopt(raw, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	CHECK_OK(set_u32(fd, PGM_TXW_SQNS, 4));
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, 0));
	CHECK_OK(connect(fd, &g.sa, sa_len(family)));
	getsockname(fd, &local.sa, &len);
	sport = sa_port(&local);
	reuse_payload(b, 64, 0, 0);
	CHECK_EQ(send(fd, b, 64, 0), 64);
	CHECK(wait_type(&s, 0x04, sport, 2000));
	first = s.sqn;
	for (int i = 1; i < 200; i++) {
		reuse_payload(b, 64, 0, i);
		CHECK_EQ(send(fd, b, 64, 0), 64);
	}
	CHECK_EQ(reuse_check(sport, first, 0, 199, 2000), 199);
	first += 200;
	for (int i = 0; i < 200; i++) {
		size_t n = i % 2 ? sizeof(b) : 64;

		reuse_payload(b, n, 1, i);
		CHECK_EQ(send(fd, b, n, 0), (ssize_t)n);
		CHECK_EQ(reuse_check(sport, first, 1, 1, 2000), 1);
	}
	close(fd);
	drain();
	was /= 2;	/* SO_RCVBUF reads back twice what was set */
	CHECK_OK(setsockopt(raw, SOL_SOCKET, SO_RCVBUFFORCE, &was, sizeof(was)));
}

/*
 * A receive queue that holds a few APDUs, a reader on another CPU racing
 * the input path: delivery stops on the full queue over and over, and
 * recvmsg() resumes it without taking the receiver's lock unless delivery
 * said it waits (deliver.c, rcv->waiting).  Every APDU arrives, in order,
 * and the reader is never left waiting on data the window holds.
 */
static void full_queue_reader_race(void)
{
	const unsigned int count = 4000;
	int r = receiver(), rcvbuf = 2048, status;
	uint16_t sport;
	char b[100];
	pid_t pid;
	int fd;

	CHECK_OK(setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	pid = fork();
	if (pid == 0) {
		struct pollfd p = { .fd = r, .events = POLLIN };
		unsigned int got = 0, idx;
		ssize_t n;

		alarm(120);
		while (got < count) {
			if (poll(&p, 1, 10000) != 1) {
				fprintf(stderr, "reader: waited 10 s at APDU %u of %u\n", got, count);
				_exit(1);
			}
			while ((n = recv(r, b, sizeof(b), MSG_DONTWAIT)) > 0) {
				memcpy(&idx, b, sizeof(idx));
				if (n != (ssize_t)sizeof(b) || idx != got) {
					fprintf(stderr, "reader: APDU %u where %u was due\n", idx, got);
					_exit(1);
				}
				got++;
			}
		}
		_exit(0);
	}
	fd = source(&sport);
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, 100000000));
	for (unsigned int i = 0; i < count; i++) {
		memset(b, (int)i, sizeof(b));
		memcpy(b, &i, sizeof(i));
		if (send(fd, b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
			FAILF("send %u: %s", i, strerror(errno));
			break;
		}
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	close(r);
	drain();
}

/*
 * Where the next ODATA leaves, dummy1 or dummy2 (packet sockets @p1, @p2
 * on them): 1 or 2, 0 for neither, -1 for both; -2 when send() failed.
 */
static int odata_dev(int fd, int p1, int p2)
{
	int ps[2] = { p1, p2 }, seen = 0, i;
	uint8_t b[2048];
	char msg[32] = "where";
	struct timespec t0, t;

	for (i = 0; i < 2; i++)
		while (recv(ps[i], b, sizeof(b), MSG_DONTWAIT) > 0)
			;
	if (send(fd, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
		return -2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2] = { { .fd = p1, .events = POLLIN }, { .fd = p2, .events = POLLIN } };
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		/* A second for the first; then 200 ms more for a copy on the other. */
		if (ms >= (seen ? 1200 : 1000) || poll(p, 2, 50) < 0)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t n;

			while ((n = recv(ps[i], b, sizeof(b), MSG_DONTWAIT)) > 0) {
				size_t off = family == AF_INET6 ? 40 : (size_t)(b[0] & 15) * 4;
				bool pgm = family == AF_INET6 ? n > 44 && b[6] == IPPROTO_PGM :
								n > 24 && b[9] == IPPROTO_PGM;

				if (pgm && (size_t)n > off + 4 && b[off + 4] == 0x04)	/* ODATA */
					seen |= 1 << i;
			}
		}
		if (seen == 3)
			break;
	}
	return seen == 3 ? -1 : seen;
}

/*
 * Option @name at @level set to @on moves the next ODATA from dummy1 to
 * dummy2, set back to @off (both @len bytes) back to dummy1: 0, else 1 or
 * 2 for the half that did not.
 */
static int flip(int fd, int level, int name, const void *on, const void *off, socklen_t len,
		int p1, int p2)
{
	if (setsockopt(fd, level, name, on, len) || odata_dev(fd, p1, p2) != 2)
		return 1;
	if (setsockopt(fd, level, name, off, len) || odata_dev(fd, p1, p2) != 1)
		return 2;
	return 0;
}

/* A packet socket seeing what leaves @dev (the IP packet, no link header). */
static int tap(const char *dev)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = (int)if_nametoindex(dev) };
	int p = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	if (p < 0 || bind(p, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return p;
}

/*
 * The source keeps its route to the group (output.c), as a connected UDP
 * socket does: whatever would send a packet elsewhere must do so from the
 * next packet on: a changed route, IP_MULTICAST_IF, IP_TOS and SO_MARK
 * under policy routing; and the route kept must not keep a deleted device.
 * In a netns of its own with two dummy devices; over IPv6 without IP_TOS
 * (a PGM flow carries no traffic class), and on a kernel without policy
 * routing (the debug kernel's IPv6) without IP_TOS and SO_MARK.
 */
static void route_follows_changes(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		bool v6 = family == AF_INET6;
		const char *setup = v6 ?
			"ip link add dummy1 type dummy && ip link add dummy2 type dummy && "
			"ip link set dummy1 up && ip link set dummy2 up && "
			"ip -6 addr add fd00:99:1::1/64 dev dummy1 nodad && "
			"ip -6 addr add fd00:99:2::1/64 dev dummy2 nodad && "
			"ip -6 route add ff15::/16 dev dummy1" :
			"ip link add dummy1 type dummy && ip link add dummy2 type dummy && "
			"ip link set dummy1 up && ip link set dummy2 up && "
			"ip addr add 10.99.1.1/24 dev dummy1 && ip addr add 10.99.2.1/24 dev dummy2 && "
			"ip route add 224.0.0.0/4 dev dummy1";
		/*
		 * Policy routing: TOS 0x10 and mark 7 to table 100, whose
		 * route leads to dummy2.  Over IPv6 main goes before local,
		 * whose ff00::/8 of each device would win (without
		 * CONFIG_IPV6_MULTIPLE_TABLES the two are one table).
		 */
		const char *rules = v6 ?
			"ip -6 rule add pref 500 lookup main 2>/dev/null && "
			"ip -6 rule add pref 1000 lookup local && "
			"ip -6 rule del pref 0 && ip -6 rule del pref 32766 && "
			"ip -6 route add ff15::/16 dev dummy2 table 100 && "
			"ip -6 rule add pref 100 fwmark 7 lookup 100" :
			"ip route add 224.0.0.0/4 dev dummy2 table 100 2>/dev/null && "
			"ip rule add pref 100 tos 0x10 lookup 100 && "
			"ip rule add pref 101 fwmark 7 lookup 100";
		bool policy;
		const char *to2 = v6 ? "ip -6 route replace ff15::/16 dev dummy2" :
				       "ip route replace 224.0.0.0/4 dev dummy2";
		const char *to1 = v6 ? "ip -6 route replace ff15::/16 dev dummy1" :
				       "ip route replace 224.0.0.0/4 dev dummy1";
		union pgm_sa g = sa_of(family, v6 ? "ff15::7:7" : "239.192.7.7", PORT);
		int fd, p1, p2, d2, zero = 0, tos = 0x10, mark = 7;
		struct ip_mreqn mr2 = { 0 }, mr0 = { 0 };

#define STEP(n, cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  route step %d: %s\n", n, #cond);	\
			_exit(n);					\
		}							\
	} while (0)

		STEP(100, !unshare(CLONE_NEWNET) && !system("ip link set lo up") && !system(setup));
		policy = !system(rules);
		if (!policy) {
			printf("# route_follows_changes: no policy routing here: IP_TOS, SO_MARK not tried\n");
			fflush(stdout);
		}
		p1 = tap("dummy1");
		p2 = tap("dummy2");
		d2 = (int)if_nametoindex("dummy2");
		mr2.imr_ifindex = d2;
		fd = pgm_socket_af(family);
		STEP(101, p1 >= 0 && p2 >= 0 && fd >= 0 && !connect(fd, &g.sa, sa_len(family)));
		STEP(1, odata_dev(fd, p1, p2) == 1);
		/* The route changes: the next packet follows it, and back. */
		STEP(2, !system(to2) && odata_dev(fd, p1, p2) == 2);
		STEP(3, !system(to1) && odata_dev(fd, p1, p2) == 1);
		/* The socket's multicast interface. */
		if (v6)
			STEP(4, !flip(fd, SOL_IPV6, IPV6_MULTICAST_IF, &d2, &zero, sizeof(int), p1, p2));
		else
			STEP(4, !flip(fd, SOL_IP, IP_MULTICAST_IF, &mr2, &mr0, sizeof(mr2), p1, p2));
		/* IP_TOS, which policy routing sends to table 100. */
		if (policy && !v6)
			STEP(6, !flip(fd, SOL_IP, IP_TOS, &tos, &zero, sizeof(int), p1, p2));
		/* SO_MARK likewise. */
		if (policy)
			STEP(8, !flip(fd, SOL_SOCKET, SO_MARK, &mark, &zero, sizeof(int), p1, p2));
		/*
		 * dummy1 goes while the route kept leads there: the deletion
		 * completes (a reference kept would hold it forever), then,
		 * routed anew to dummy2, the next packet leaves there.
		 */
		close(p1);
		STEP(10, !system("ip link del dummy1"));
		STEP(11, !system(to2));
		p1 = tap("lo");
		STEP(12, odata_dev(fd, p1, p2) == 2);
		close(fd);
		_exit(0);
#undef STEP
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/*
 * In a namespace where no address could be the source's (only a dummy
 * device without one), receivers could not NAK: connect() refuses.  Over
 * IPv6 the device makes no link-local address either (addrgenmode none),
 * and lo, down, has no ::1.
 */
static void no_address(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		union pgm_sa g = sa_of(family, family == AF_INET6 ? "ff15::9:9" : "239.192.9.9",
				       PORT);
		int fd;

		if (unshare(CLONE_NEWNET) ||
		    system(family == AF_INET6 ?
			   "ip link add dummy1 type dummy && ip link set dummy1 addrgenmode none && "
			   "ip link set dummy1 up && ip -6 route add ff15::/16 dev dummy1" :
			   "ip link add dummy1 type dummy && ip link set dummy1 up && "
			   "ip route add 224.0.0.0/4 dev dummy1"))
			_exit(100);
		fd = pgm_socket_af(family);
		if (connect(fd, &g.sa, sa_len(family)) == 0)
			_exit(0);
		_exit(errno);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), EADDRNOTAVAIL);
}

int main(int argc, char **argv)
{
	int one = 1;

	family = family_arg(argc, argv);
	if (family < 0)
		return 2;
	pkt_family = family;
	if (family == AF_INET6 ? netns_private_dummy6() : netns_private_dummy()) {
		perror("netns");
		return 1;
	}
	ifindex = if_nametoindex("dummy0");
	raw = socket(family, SOCK_RAW, IPPROTO_PGM);
	if (raw < 0) {
		perror("raw");
		return 1;
	}
	/* The hop limit of what arrives, which a raw IPv6 socket has no header for. */
	if (family == AF_INET6 &&
	    setsockopt(raw, SOL_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one))) {
		perror("IPV6_RECVHOPLIMIT");
		return 1;
	}
	/* Looped multicast reaches this host only if it is a member. */
	if (join(raw, group(), family == AF_INET6 ? SOL_IPV6 : SOL_IP)) {
		perror("joining the group");
		return 1;
	}
	RUN(spm_on_connect);
	RUN(multicast_loop);
	RUN(multicast_ttl);
	RUN(sendmmsg_apdus);
	RUN(rate_limit_eagain);
	RUN(fin_and_rst);
	RUN(spmr_gets_spm);
	RUN(nak_ncf_rdata_linger);
	RUN(nak_source_nla);
	RUN(pgmcc_poll_timeout);
	RUN(pgmcc_rtt_bounded);
	RUN(confirm_progress);
	RUN(confirm_flow);
	RUN(confirm_bounds);
	RUN(window_by_bytes);
	RUN(window_reuse_keeps_held_copies);
	RUN(end_after_full_queue);
	RUN(full_queue_reader_race);
	RUN(no_address);
	RUN(route_follows_changes);
	return summary(family == AF_INET6 ? "src_test -6" : "src_test");
}
