// SPDX-License-Identifier: GPL-2.0
/*
 * sock6_test.c - the IPv6 socket of pgm.ko (docs/ipv6.md), run inside the
 * test VM: socket(AF_INET6, SOCK_RDM, IPPROTO_PGM), its v6-only contract,
 * bind and connect with struct sockaddr_in6 and their errors, membership
 * with struct ipv6_mreq, the SOL_IPV6 options, APDUs from an IPv6 source
 * to an IPv6 receiver over dummy0 with IPV6_MULTICAST_LOOP, through the
 * receive ring too, natively and in UDP (a zero UDP checksum
 * refused), NAKs with NLAs of AFI 2 taken and of AFI 1 refused, and IPv4
 * and IPv6 sockets not seeing each other's sessions.  Each test that
 * sends runs in a netns of its own.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <sys/wait.h>

#include "harness.h"
#include "common.h"
#include "packets.h"
#include "ringlib.h"

#define GROUP6		"ff15::98"
#define LL_GROUP6	"ff02::98"
#define PORT		7600

static int pgm_socket6(void)
{
	return socket(AF_INET6, SOCK_RDM, IPPROTO_PGM);
}

/* Run @fn in a child in a netns of its own (the caller's netns is left as is). */
static void in_netns(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		t_cur_failed = 0;
		if (netns_private_dummy6()) {
			FAILF("netns with dummy0 and IPv6: %s", strerror(errno));
			_exit(1);
		}
		fn();
		_exit(t_cur_failed);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void create6(void)
{
	int fd = pgm_socket6(), v = 0;
	socklen_t len = sizeof(v);

	CHECK(fd >= 0);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	CHECK_EQ(v, IPPROTO_PGM);
	len = sizeof(v);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
	CHECK_EQ(v, AF_INET6);
	len = sizeof(v);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
	CHECK_EQ(v, SOCK_RDM);
	close(fd);

	/* Protocol 0 with SOCK_RDM picks PGM, as on IPv4. */
	fd = socket(AF_INET6, SOCK_RDM, 0);
	CHECK(fd >= 0);
	len = sizeof(v);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	CHECK_EQ(v, IPPROTO_PGM);
	close(fd);
	CHECK_ERR(socket(AF_INET6, SOCK_DGRAM, IPPROTO_PGM), EPROTONOSUPPORT);
}

/* v6-only, and it cannot be cleared (docs/ipv6.md "One family per socket"). */
static void v6only(void)
{
	int fd = pgm_socket6(), v = 0, one = 1, zero = 0;
	socklen_t len = sizeof(v);

	CHECK_OK(getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, &len));
	CHECK_EQ(v, 1);
	CHECK_OK(setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
	CHECK_ERR(setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)), EOPNOTSUPP);
	CHECK_ERR(setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &zero, 1), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_IPV6, IPV6_ADDRFORM, &one, sizeof(one)), EOPNOTSUPP);
	len = sizeof(v);
	CHECK_OK(getsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v, &len));
	CHECK_EQ(v, 1);
	/* No IPv4 half. */
	CHECK_ERR(setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &one, sizeof(one)), ENOPROTOOPT);
	close(fd);
}

/* The family-blind options work as on IPv4, UDP encapsulation's too. */
static void family_blind_options(void)
{
	int fd = pgm_socket6();

	CHECK_OK(set_u32(fd, PGM_UDP_ENCAP, 1));
	CHECK_EQ(get_u32(fd, PGM_UDP_ENCAP), 1);
	CHECK_OK(set_u32(fd, PGM_UDP_ENCAP_UCAST_PORT, 4000));
	CHECK_EQ(get_u32(fd, PGM_UDP_ENCAP_UCAST_PORT), 4000);
	CHECK_OK(set_u32(fd, PGM_UDP_ENCAP_MCAST_PORT, 4001));
	CHECK_EQ(get_u32(fd, PGM_UDP_ENCAP_MCAST_PORT), 4001);
	CHECK_OK(set_u32(fd, PGM_TXW_SQNS, 1000));
	CHECK_EQ(get_u32(fd, PGM_TXW_SQNS), 1000);
	close(fd);
}

static void bind6(void)
{
	struct sockaddr_in6 a = sin6(GROUP6, PORT), got;
	struct sockaddr_in a4 = sin4("239.192.0.1", PORT);
	socklen_t len = sizeof(got);
	int fd = pgm_socket6();

	CHECK_ERR(bind(fd, (struct sockaddr *)&a, 23), EINVAL);	/* < SIN6_LEN_RFC2133 */
	CHECK_ERR(bind(fd, (struct sockaddr *)&a4, sizeof(a4)), EINVAL);
	a.sin6_family = AF_INET;
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	a.sin6_family = AF_INET6;
	a.sin6_port = 0;
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a.sin6_port = htons(PORT);
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(getsockname(fd, (struct sockaddr *)&got, &len));
	CHECK_EQ(len, sizeof(got));
	CHECK_EQ(got.sin6_family, AF_INET6);
	CHECK(!memcmp(&got.sin6_addr, &a.sin6_addr, sizeof(a.sin6_addr)));
	CHECK_EQ(ntohs(got.sin6_port), PORT);
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	/* A receiver is not a source. */
	CHECK_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK_ERR(send(fd, "x", 1, 0), ENOTCONN);
	close(fd);

	fd = pgm_socket6();
	a = sin6("2001:db8::1", 0);		/* not an address of this host */
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	a = sin6("::ffff:127.0.0.1", 0);	/* IPv4-mapped: not on a v6-only socket */
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a = sin6("fe80::1", 0);			/* link-local without an interface */
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a = sin6(LL_GROUP6, PORT);		/* a scope id naming no interface */
	a.sin6_scope_id = 999999;
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), ENODEV);
	a = sin6("::1", 0);			/* a source's interface */
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);

	fd = pgm_socket6();
	a = sin6("::", PORT);			/* any group joined later */
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
}

static void connect6_body(void)
{
	struct sockaddr_in6 g = sin6(GROUP6, PORT), local, peer;
	socklen_t len = sizeof(local);
	struct pgm_tsi tsi;
	socklen_t tl = sizeof(tsi);
	int fd = pgm_socket6();

	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &tl), ENOTCONN);
	g.sin6_port = 0;
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EINVAL);
	g = sin6(LOCAL6, PORT);			/* not a group */
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EINVAL);
	g = sin6(GROUP6, PORT);
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, 20), EINVAL);
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EISCONN);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&local, &len));
	CHECK_EQ(local.sin6_family, AF_INET6);
	CHECK(local.sin6_port != 0);
	len = sizeof(peer);
	CHECK_OK(getpeername(fd, (struct sockaddr *)&peer, &len));
	CHECK(!memcmp(&peer.sin6_addr, &g.sin6_addr, sizeof(g.sin6_addr)));
	CHECK_EQ(ntohs(peer.sin6_port), PORT);
	tl = sizeof(tsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &tl));
	CHECK_EQ(tsi.sport, local.sin6_port);
	close(fd);
}

static void connect6(void)
{
	in_netns(connect6_body);
}

static void membership6(void)
{
	int fd = pgm_socket6(), hops = 9, v = 0;
	struct ipv6_mreq m = { .ipv6mr_interface = 1 };
	socklen_t len = sizeof(v);

	inet_pton(AF_INET6, "ff15::99", &m.ipv6mr_multiaddr);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m) - 1), EINVAL);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)), EADDRINUSE);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_LEAVE_GROUP, &m, sizeof(m)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_LEAVE_GROUP, &m, sizeof(m)), EADDRNOTAVAIL);
	inet_pton(AF_INET6, "2001:db8::1", &m.ipv6mr_multiaddr);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)), EINVAL);
	/* SOL_IPV6 options reach the IPv6 layer. */
	inet_pton(AF_INET6, "ff15::9a", &m.ipv6mr_multiaddr);
	CHECK_OK(setsockopt(fd, SOL_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
	CHECK_OK(setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)));
	CHECK_OK(getsockopt(fd, SOL_IPV6, IPV6_MULTICAST_HOPS, &v, &len));
	CHECK_EQ(v, 9);
	close(fd);	/* memberships go with the socket */
}

/*
 * An IPv6 receiver of GROUP6:PORT on dummy0, or of @addr if not NULL;
 * encapsulated in UDP when @udp.
 */
static int receiver6_fd(int fd, const char *addr, int scope, bool udp)
{
	struct sockaddr_in6 g = sin6(addr ? addr : GROUP6, PORT);
	struct ipv6_mreq m = { .ipv6mr_interface = if_nametoindex("dummy0") };

	g.sin6_scope_id = scope;
	if (udp)
		CHECK_OK(set_u32(fd, PGM_UDP_ENCAP, 1));
	m.ipv6mr_multiaddr = g.sin6_addr;
	CHECK_OK(bind(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)));
	return fd;
}

static int receiver6_encap(const char *addr, int scope, bool udp)
{
	return receiver6_fd(pgm_socket6(), addr, scope, udp);
}

static int receiver6(const char *addr, int scope)
{
	return receiver6_encap(addr, scope, false);
}

/* An IPv6 source to GROUP6:PORT (or @addr) out of dummy0; in UDP when @udp. */
static int source6_encap(const char *addr, int scope, struct pgm_tsi *tsi, bool udp)
{
	struct sockaddr_in6 g = sin6(addr ? addr : GROUP6, PORT);
	int fd = pgm_socket6(), ifi = if_nametoindex("dummy0");
	socklen_t tl = sizeof(*tsi);

	g.sin6_scope_id = scope;
	if (udp)
		CHECK_OK(set_u32(fd, PGM_UDP_ENCAP, 1));
	CHECK_OK(setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_IF, &ifi, sizeof(ifi)));
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TSI, tsi, &tl));
	return fd;
}

static int source6(const char *addr, int scope, struct pgm_tsi *tsi)
{
	return source6_encap(addr, scope, tsi, false);
}

/* Receive one APDU on @fd within 2 s: its length, and its sender in @from. */
static ssize_t recv6(int fd, void *buf, size_t len, struct sockaddr_pgm6 *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, &fl);
}

static void send_recv6_body(void)
{
	static char big[5000], got[6000];
	struct sockaddr_pgm6 from;
	struct in6_addr local;
	struct pgm_tsi tsi;
	struct pgm_receiver_stats rs;
	int r = receiver6(NULL, 0), s = source6(NULL, 0, &tsi);

	inet_pton(AF_INET6, LOCAL6, &local);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13);
	CHECK_EQ(send(s, "one", 3, 0), 3);
	CHECK_EQ(send(s, "two!", 4, 0), 4);
	CHECK_EQ(send(s, big, sizeof(big), 0), sizeof(big));	/* several TPDUs */

	memset(&from, 0, sizeof(from));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), 3);
	CHECK(!memcmp(got, "one", 3));
	CHECK_EQ(from.sin6.sin6_family, AF_INET6);
	CHECK(!memcmp(&from.sin6.sin6_addr, &local, sizeof(local)));
	CHECK_EQ(from.sin6.sin6_port, tsi.sport);
	CHECK(!memcmp(&from.tsi, &tsi, sizeof(tsi)));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), 4);
	CHECK(!memcmp(got, "two!", 4));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), sizeof(big));
	CHECK(!memcmp(got, big, sizeof(big)));

	/* The SPM's path NLA (AFI 2) was taken, nothing refused as malformed. */
	rs = rstats(r);
	CHECK(rs.spms_received >= 1);
	CHECK_EQ(rs.malformed, 0);
	CHECK_EQ(rs.peers, 1);
	CHECK_EQ(rs.apdus_delivered, 3);
	close(s);
	close(r);
}

static void send_recv6(void)
{
	in_netns(send_recv6_body);
}

/* A link-local group, its interface named by the scope id on both sides. */
static void link_local6_body(void)
{
	int ifi = if_nametoindex("dummy0");
	struct sockaddr_pgm6 from;
	struct sockaddr_in6 peer;
	socklen_t len = sizeof(peer);
	struct pgm_tsi tsi;
	char got[16];
	int r = receiver6(LL_GROUP6, ifi), s = source6(LL_GROUP6, ifi, &tsi);

	CHECK_OK(getpeername(s, (struct sockaddr *)&peer, &len));
	CHECK_EQ(peer.sin6_scope_id, ifi);
	CHECK_EQ(send(s, "ll", 2, 0), 2);
	memset(&from, 0, sizeof(from));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), 2);
	/* A link-local source (dummy0's fe80::) comes with its interface. */
	if (IN6_IS_ADDR_LINKLOCAL(&from.sin6.sin6_addr))
		CHECK_EQ(from.sin6.sin6_scope_id, ifi);
	else
		CHECK_EQ(from.sin6.sin6_scope_id, 0);
	close(s);
	close(r);
}

static void link_local6(void)
{
	in_netns(link_local6_body);
}

/*
 * The receive ring of an IPv6 socket: every record has the longer header
 * (struct pgm_ring_rec6, its size in ctrl->rec_hdr) with the source as
 * recvmsg() would give it; an APDU over half the ring is a SPILL record and
 * recvmsg() names its IPv6 source; the session's end is a record too.  A
 * link-local source comes with its interface as the scope id.
 */
static void ring6_group(const char *group, int scope)
{
	static char big[5000], got[6000];
	struct pgm_ring_rec6 *r6;
	struct pgm_ring_rec *rec;
	struct pgm_session_end e;
	struct sockaddr_pgm6 from;
	struct in6_addr local;
	struct pgm_tsi tsi;
	struct uring ur;
	int fd = pgm_socket6(), r, s;

	if (uring_setup(&ur, fd, PGM_RING_SIZE_MIN)) {
		FAILF("ring: %s", strerror(errno));
		close(fd);
		return;
	}
	CHECK_EQ(ur.hdr, sizeof(struct pgm_ring_rec6));
	r = receiver6_fd(fd, group, scope, false);
	s = source6(group, scope, &tsi);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	CHECK_EQ(send(s, "one", 3, 0), 3);
	CHECK_EQ(send(s, big, sizeof(big), 0), sizeof(big));	/* over half the ring */
	CHECK_EQ(send(s, "three", 5, 0), 5);
	close(s);	/* OPT_FIN: an END record */

	rec = uring_wait(&ur, 2000);
	if (!rec) {
		FAILF("no record");
		goto out;
	}
	r6 = (struct pgm_ring_rec6 *)rec;
	CHECK_EQ(rec->type, PGM_REC_DATA);
	CHECK_EQ(rec->data_len, 3);
	CHECK(!memcmp(uring_payload(&ur, rec), "one", 3));
	CHECK(!memcmp(&rec->tsi, &tsi, sizeof(tsi)));
	CHECK_EQ(rec->saddr, 0);
	if (IN6_IS_ADDR_LINKLOCAL(&r6->saddr6)) {
		CHECK_EQ(r6->scope_id, scope);
	} else {
		inet_pton(AF_INET6, LOCAL6, &local);
		CHECK(!memcmp(&r6->saddr6, &local, sizeof(local)));
		CHECK_EQ(r6->scope_id, 0);
	}
	local = r6->saddr6;

	rec = uring_wait(&ur, 2000);
	CHECK(rec && rec->type == PGM_REC_SPILL && rec->data_len == sizeof(big));
	memset(&from, 0, sizeof(from));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), sizeof(big));
	CHECK(!memcmp(got, big, sizeof(big)));
	CHECK_EQ(from.sin6.sin6_family, AF_INET6);
	CHECK(!memcmp(&from.sin6.sin6_addr, &local, sizeof(local)));

	rec = uring_wait(&ur, 2000);
	CHECK(rec && rec->type == PGM_REC_DATA && rec->data_len == 5 &&
	      !memcmp(uring_payload(&ur, rec), "three", 5) &&
	      !memcmp(&((struct pgm_ring_rec6 *)rec)->saddr6, &local, sizeof(local)));

	rec = uring_wait(&ur, 5000);
	CHECK(rec && rec->type == PGM_REC_END && rec->data_len == sizeof(e));
	if (rec) {
		memcpy(&e, uring_payload(&ur, rec), sizeof(e));
		CHECK(!memcmp(&e.tsi, &tsi, sizeof(tsi)));
		CHECK_EQ(e.reason, PGM_END_FIN);
	}
out:
	uring_release(&ur);
	munmap(ur.base, ur.len);
	close(r);
}

static void ring6_body(void)
{
	struct uring ur;
	int fd = pgm_socket();

	/* An IPv4 socket's records keep the short header. */
	CHECK_OK(uring_setup(&ur, fd, PGM_RING_SIZE_MIN));
	CHECK_EQ(ur.hdr, sizeof(struct pgm_ring_rec));
	munmap(ur.base, ur.len);
	close(fd);
	ring6_group(NULL, 0);
	ring6_group(LL_GROUP6, if_nametoindex("dummy0"));
}

static void ring6(void)
{
	in_netns(ring6_body);
}

/* A NAK from a raw IPv6 socket to the source at LOCAL6, with NLAs of @afi. */
/* A NAK of @sqn to the source @tsi from LOCAL6, its NLAs of @afi. */
static void build_nak(struct pkt *p, const struct pgm_tsi *tsi, uint32_t sqn, int afi)
{
	struct in6_addr nla, grp;

	inet_pton(AF_INET6, LOCAL6, &nla);
	inet_pton(AF_INET6, GROUP6, &grp);
	p->len = 0;
	put16(p, PORT);			/* upstream: from the data-destination port */
	put16(p, ntohs(tsi->sport));		/* to the data-source port */
	put8(p, 0x08);				/* NAK */
	put8(p, 0);
	put16(p, 0);
	memcpy(p->b + p->len, tsi->gsi, 6);
	p->len += 6;
	put16(p, 0);
	put32(p, sqn);
	if (afi == 2) {
		put16(p, 2); put16(p, 0);
		memcpy(p->b + p->len, &nla, 16);
		p->len += 16;
		put16(p, 2); put16(p, 0);
		memcpy(p->b + p->len, &grp, 16);
		p->len += 16;
	} else {
		nla4(p, 0x0a620001);
		nla4(p, 0xefc00001);
	}
	finish(p);
}

static void send_nak(const struct pgm_tsi *tsi, uint32_t sqn, int afi)
{
	static struct pkt p;
	struct sockaddr_in6 to = sin6(LOCAL6, 0);
	int raw = socket(AF_INET6, SOCK_RAW, IPPROTO_PGM);

	CHECK(raw >= 0);
	build_nak(&p, tsi, sqn, afi);
	CHECK_EQ(sendto(raw, p.b, p.len, 0, (struct sockaddr *)&to, sizeof(to)), (long)p.len);
	close(raw);
}

static struct pgm_source_stats sstats(int fd)
{
	struct pgm_source_stats st = {};
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len))
		memset(&st, 0, sizeof(st));
	return st;
}

/* Wait up to 2 s for @cond on the source @fd's counters. */
#define WAIT_STATS(fd, st, cond)					\
	do {								\
		for (int _i = 0; _i < 200; _i++) {			\
			(st) = sstats(fd);				\
			if (cond)					\
				break;					\
			usleep(10000);					\
		}							\
	} while (0)

/* A NAK with NLAs of AFI 2 is taken; with AFI 1 (the other family) it is malformed. */
static void nak_afi_body(void)
{
	struct pgm_source_stats st;
	struct pgm_tsi tsi;
	int s = source6(NULL, 0, &tsi);

	CHECK_EQ(send(s, "repair me", 9, 0), 9);
	st = sstats(s);
	send_nak(&tsi, st.txw_lead, 2);
	WAIT_STATS(s, st, st.naks_received >= 1);
	CHECK_EQ(st.naks_received, 1);
	CHECK_EQ(st.malformed, 0);
	WAIT_STATS(s, st, st.rdata_sent >= 1);
	CHECK_EQ(st.rdata_sent, 1);

	send_nak(&tsi, st.txw_lead, 1);
	WAIT_STATS(s, st, st.malformed >= 1);
	CHECK_EQ(st.malformed, 1);
	CHECK_EQ(st.naks_received, 1);
	close(s);
}

static void nak_afi(void)
{
	in_netns(nak_afi_body);
}

/*
 * A NAK in UDP to the source's unicast port @uport: through a UDP socket
 * (the kernel sums the UDP checksum), or with @zero_csum through a raw
 * socket that leaves the UDP checksum 0, which IPv6 forbids (RFC 8200
 * section 8.1).
 */
static void send_nak_udp(const struct pgm_tsi *tsi, uint32_t sqn, int uport, bool zero_csum)
{
	static struct pkt p;
	static uint8_t dgram[sizeof(p.b) + 8];
	struct sockaddr_in6 to = sin6(LOCAL6, zero_csum ? 0 : uport);
	int fd = zero_csum ? socket(AF_INET6, SOCK_RAW, IPPROTO_UDP) : socket(AF_INET6, SOCK_DGRAM, 0);

	CHECK(fd >= 0);
	build_nak(&p, tsi, sqn, 2);
	if (!zero_csum) {
		CHECK_EQ(sendto(fd, p.b, p.len, 0, (struct sockaddr *)&to, sizeof(to)), (long)p.len);
	} else {
		size_t n = p.len + 8;

		dgram[0] = 40000 >> 8;
		dgram[1] = 40000 & 0xff;
		dgram[2] = uport >> 8;
		dgram[3] = uport & 0xff;
		dgram[4] = n >> 8;
		dgram[5] = n & 0xff;
		dgram[6] = dgram[7] = 0;	/* no checksum */
		memcpy(dgram + 8, p.b, p.len);
		CHECK_EQ(sendto(fd, dgram, n, 0, (struct sockaddr *)&to, sizeof(to)), (long)n);
	}
	close(fd);
}

/*
 * UDP encapsulation over IPv6 (OpenPGM's scheme): APDUs in UDP from the
 * source's unicast port to the group's multicast port, which a native
 * receiver of the same group and port never sees; NAKs in UDP to the
 * unicast port repaired; a zero UDP checksum refused before PGM sees the
 * packet.  The tunnels are IPv6's alone: IPv4 UDP may bind their ports.
 */
static void udp6_body(void)
{
	struct sockaddr_in any4 = sin4("0.0.0.0", 0);
	struct sockaddr_in6 any6 = sin6("::", 0);
	struct pgm_source_stats st;
	struct sockaddr_pgm6 from;
	struct pollfd p;
	struct pgm_tsi tsi;
	static char big[5000], got[6000];
	int native = receiver6(NULL, 0), r = receiver6_encap(NULL, 0, true);
	int s = source6_encap(NULL, 0, &tsi, true), u4, u6, uport, mport, one = 1;

	uport = get_u32(s, PGM_UDP_ENCAP_UCAST_PORT);
	mport = get_u32(s, PGM_UDP_ENCAP_MCAST_PORT);

	/* The ports are held by IPv6 tunnels, v6-only. */
	u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	u4 = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(setsockopt(u6, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
	any6.sin6_port = htons(mport);
	CHECK_ERR(bind(u6, (struct sockaddr *)&any6, sizeof(any6)), EADDRINUSE);
	any4.sin_port = htons(mport);
	CHECK_OK(bind(u4, (struct sockaddr *)&any4, sizeof(any4)));
	close(u4);
	close(u6);

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	CHECK_EQ(send(s, "udp", 3, 0), 3);
	CHECK_EQ(send(s, big, sizeof(big), 0), sizeof(big));	/* several TPDUs */
	memset(&from, 0, sizeof(from));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), 3);
	CHECK(!memcmp(got, "udp", 3));
	CHECK_EQ(from.sin6.sin6_family, AF_INET6);
	CHECK(!memcmp(&from.tsi, &tsi, sizeof(tsi)));
	CHECK_EQ(recv6(r, got, sizeof(got), &from), sizeof(big));
	CHECK(!memcmp(got, big, sizeof(big)));
	CHECK_EQ(rstats(r).malformed, 0);
	/* The native receiver of the same group and port saw none of it. */
	p = (struct pollfd){ .fd = native, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 300), 0);
	CHECK_EQ(rstats(native).peers, 0);

	/* A NAK with a zero UDP checksum is UDP's to drop; a summed one is taken. */
	st = sstats(s);
	send_nak_udp(&tsi, st.txw_lead - 1, uport, true);
	send_nak_udp(&tsi, st.txw_lead, uport, false);
	WAIT_STATS(s, st, st.rdata_sent >= 1);
	CHECK_EQ(st.naks_received, 1);
	CHECK_EQ(st.rdata_sent, 1);
	CHECK_EQ(st.malformed, 0);
	close(s);
	close(r);
	close(native);
}

static void udp6(void)
{
	in_netns(udp6_body);
}

/* IPv4 and IPv6 sockets of one port never see each other's sessions. */
static void families_apart_body(void)
{
	struct sockaddr_in any4 = sin4("0.0.0.0", PORT), g4 = sin4("239.192.0.98", PORT);
	struct ip_mreqn m4 = { .imr_ifindex = if_nametoindex("dummy0") };
	struct sockaddr_pgm6 from;
	struct pgm_tsi tsi;
	char got[16];
	int r4 = pgm_socket(), r6 = receiver6(NULL, 0), s4 = pgm_socket(), s6;
	struct pollfd p = { .fd = r4, .events = POLLIN };

	inet_pton(AF_INET, "239.192.0.98", &m4.imr_multiaddr);
	CHECK_OK(bind(r4, (struct sockaddr *)&any4, sizeof(any4)));
	CHECK_OK(setsockopt(r4, SOL_PGM, PGM_JOIN_GROUP, &m4, sizeof(m4)));
	s6 = source6(NULL, 0, &tsi);
	CHECK_OK(connect(s4, (struct sockaddr *)&g4, sizeof(g4)));

	CHECK_EQ(send(s6, "six", 3, 0), 3);
	CHECK_EQ(recv6(r6, got, sizeof(got), &from), 3);
	CHECK_EQ(send(s4, "four", 4, 0), 4);
	CHECK_EQ(poll(&p, 1, 2000), 1);
	CHECK_EQ(recv(r4, got, sizeof(got), MSG_DONTWAIT), 4);
	/* Nothing of the other family came to either, not even a session. */
	CHECK_EQ(rstats(r4).peers, 1);
	CHECK_EQ(rstats(r6).peers, 1);
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, 300), 0);
	p.fd = r6;
	CHECK_EQ(poll(&p, 1, 300), 0);
	close(s4);
	close(s6);
	close(r4);
	close(r6);
}

static void families_apart(void)
{
	in_netns(families_apart_body);
}

int main(void)
{
	RUN(create6);
	RUN(v6only);
	RUN(family_blind_options);
	RUN(bind6);
	RUN(connect6);
	RUN(membership6);
	RUN(send_recv6);
	RUN(link_local6);
	RUN(ring6);
	RUN(nak_afi);
	RUN(udp6);
	RUN(families_apart);
	return summary("sock6_test");
}
