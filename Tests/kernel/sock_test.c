// SPDX-License-Identifier: GPL-2.0
/*
 * sock_test.c - the PGM socket API of pgm.ko, run inside the test VM: socket
 * creation, SOL_PGM options and their errors, bind, connect, TSI, group
 * membership, and that many sockets leave nothing behind.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>
#include <poll.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "harness.h"
#include "common.h"
#include "tunables-gen.h"

struct tunable {
	int opt;
	const char *name;
	uint32_t def, min, max;
	int zero_ok;
};

#define PGM_TUNABLE_ROW(opt, name, def, min, max, zero_ok) { opt, name, def, min, max, zero_ok },
static struct tunable tunables[] = { PGM_TUNABLES(PGM_TUNABLE_ROW) };
#define NTUNABLES (sizeof(tunables) / sizeof(tunables[0]))

static void create_rdm(void)
{
	int fd = pgm_socket(), proto = 0, type = 0;
	socklen_t len = sizeof(int);

	CHECK(fd >= 0);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len));
	CHECK_EQ(proto, IPPROTO_PGM);
	len = sizeof(int);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len));
	CHECK_EQ(type, SOCK_RDM);
	close(fd);

	/* Protocol 0 with SOCK_RDM picks the only RDM protocol: PGM. */
	fd = socket(AF_INET, SOCK_RDM, 0);
	CHECK(fd >= 0);
	len = sizeof(int);
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len));
	CHECK_EQ(proto, IPPROTO_PGM);
	close(fd);
}

/* inet_create() answers EPROTONOSUPPORT when a type has no such protocol. */
static void wrong_type(void)
{
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_PGM), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_PGM), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_INET, SOCK_RDM, IPPROTO_UDP), EPROTONOSUPPORT);
}

static void defaults(void)
{
	int fd = pgm_socket();

	for (unsigned int i = 0; i < NTUNABLES; i++)
		if (get_u32(fd, tunables[i].opt) != tunables[i].def)
			FAILF("%s: default %ld, header says %u", tunables[i].name,
			      get_u32(fd, tunables[i].opt), tunables[i].def);
	close(fd);
}

static void set_get_ranges(void)
{
	for (unsigned int i = 0; i < NTUNABLES; i++) {
		/* A fresh socket's other heartbeat bound narrows the range (5.1.5). */
		if (tunables[i].opt == PGM_IHB_MIN)
			tunables[i].max = PGM_DEFAULT_IHB_MAX;
		if (tunables[i].opt == PGM_IHB_MAX)
			tunables[i].min = PGM_DEFAULT_IHB_MIN;
	}
	for (unsigned int i = 0; i < NTUNABLES; i++) {
		const struct tunable *t = &tunables[i];
		int fd = pgm_socket();

		if (set_u32(fd, t->opt, t->min) || get_u32(fd, t->opt) != t->min)
			FAILF("%s: min %u not accepted (%s)", t->name, t->min, strerror(errno));
		if (set_u32(fd, t->opt, t->max) || get_u32(fd, t->opt) != t->max)
			FAILF("%s: max %u not accepted (%s)", t->name, t->max, strerror(errno));
		if (t->min > 0) {
			errno = 0;
			if (set_u32(fd, t->opt, t->min - 1) != -1 || errno != EINVAL) {
				if (!(t->zero_ok && t->min == 1))
					FAILF("%s: min-1 not refused with EINVAL", t->name);
			}
		}
		if (t->max < UINT32_MAX && t->opt != PGM_IHB_MIN) {
			errno = 0;
			if (set_u32(fd, t->opt, t->max + 1) != -1 || errno != EINVAL)
				FAILF("%s: max+1 not refused with EINVAL", t->name);
		}
		if (t->zero_ok) {
			if (set_u32(fd, t->opt, 0) || get_u32(fd, t->opt) != 0)
				FAILF("%s: 0 (off) not accepted", t->name);
		} else if (t->min > 0) {
			errno = 0;
			if (set_u32(fd, t->opt, 0) != -1 || errno != EINVAL)
				FAILF("%s: 0 not refused", t->name);
		}
		close(fd);
	}
}

/* Section 5.1.5: heartbeat intervals run from IHB_MIN up to IHB_MAX. */
static void heartbeat_order(void)
{
	int fd = pgm_socket();

	CHECK_ERR(set_u32(fd, PGM_IHB_MIN, PGM_DEFAULT_IHB_MAX + 1), EINVAL);
	CHECK_ERR(set_u32(fd, PGM_IHB_MAX, PGM_DEFAULT_IHB_MIN - 1), EINVAL);
	CHECK_EQ(get_u32(fd, PGM_IHB_MIN), PGM_DEFAULT_IHB_MIN);
	CHECK_OK(set_u32(fd, PGM_IHB_MAX, 5000000));
	CHECK_OK(set_u32(fd, PGM_IHB_MIN, 4000000));
	close(fd);
}

static void unknown_options(void)
{
	int fd = pgm_socket();
	uint32_t v = 1;
	socklen_t len = sizeof(v);
	struct pgm_netns_stats st;

	CHECK_ERR(setsockopt(fd, SOL_PGM, 999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(fd, SOL_PGM, 0, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(fd, SOL_PGM, -1, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(getsockopt(fd, SOL_PGM, 999, &v, &len), ENOPROTOOPT);
	/* Get-only options cannot be set, set-only cannot be read. */
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_NETNS_STATS, &st, sizeof(st)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_TSI, &st, sizeof(st)), ENOPROTOOPT);
	len = sizeof(v);
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &v, &len), ENOPROTOOPT);
	close(fd);
}

static void short_optlen(void)
{
	int fd = pgm_socket();
	uint32_t v = 100;
	socklen_t len = 2;
	struct pgm_gsi gsi;

	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_TXW_SQNS, &v, 2), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_TXW_SQNS, &v, 0), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_GSI, &gsi, 5), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &v, 4), EINVAL);
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_TXW_SQNS, &v, &len), EINVAL);
	len = 5;
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_GSI, &gsi, &len), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_TXW_SQNS, NULL, 4), EFAULT);
	CHECK_EQ(get_u32(fd, PGM_TXW_SQNS), PGM_DEFAULT_TXW_SQNS);
	close(fd);
}

/* Statistics structures may be read short, so that they can grow. */
static void stats_short_read(void)
{
	int fd = pgm_socket();
	uint64_t first[2];
	socklen_t len = sizeof(first);

	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_NETNS_STATS, first, &len));
	CHECK_EQ(len, sizeof(first));
	close(fd);
}

/*
 * PGM_FEC_NAK (RFC 3208 section 11.5): an int bool, off by default (an
 * OpenPGM 5.3 source aborts on a parity NAK).
 */
/*
 * An int bool option @opt of a new socket @fd: 0 by default, set to 0 and
 * read back, any non-zero reads back as 1, a short optlen is EINVAL.
 */
static void bool_option(int fd, int opt)
{
	int v = -1, off = 0, on = 7;
	socklen_t len = sizeof(v);

	CHECK_OK(getsockopt(fd, SOL_PGM, opt, &v, &len));
	CHECK_EQ(v, 0);
	CHECK_OK(setsockopt(fd, SOL_PGM, opt, &off, sizeof(off)));
	CHECK_OK(getsockopt(fd, SOL_PGM, opt, &v, &len));
	CHECK_EQ(v, 0);
	CHECK_OK(setsockopt(fd, SOL_PGM, opt, &on, sizeof(on)));
	CHECK_OK(getsockopt(fd, SOL_PGM, opt, &v, &len));
	CHECK_EQ(v, 1);
	CHECK_ERR(setsockopt(fd, SOL_PGM, opt, &on, 2), EINVAL);
}

static void fec_nak_option(void)
{
	int fd = pgm_socket();

	bool_option(fd, PGM_FEC_NAK);
	close(fd);
}

static int set_fec(int fd, unsigned int n, unsigned int k, unsigned int h, unsigned int flags);

/*
 * PGM_PGMCC (pgm(7) PGMCC): fixed from bind() or connect(); a source starts
 * with W = T = 1 (draft section 2.2), so its first ODATA leaves and the
 * second waits for the acker's ACK: EAGAIN without blocking, POLLOUT clear,
 * window_limited counted once; not with PGM_FEC.
 */
static void pgmcc_option(void)
{
	int fd = pgm_socket(), v = -1, off = 0, on = 3;
	struct sockaddr_in g = sin4("239.192.0.1", 7501);
	struct pgm_source_stats st;
	socklen_t len = sizeof(v), sl = sizeof(st);
	struct pollfd pfd;
	static const __u8 none[16];

	bool_option(fd, PGM_PGMCC);	/* ends set */
	CHECK_OK(bind(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_PGMCC, &off, sizeof(off)), EISCONN);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_PGMCC, &v, &len));
	CHECK_EQ(v, 1);
	close(fd);

	fd = pgm_socket();
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_PGMCC, &on, sizeof(on)), EISCONN);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(st.cc_window, 0);	/* without PGMCC */
	CHECK_OK(send(fd, "x", 1, MSG_DONTWAIT));
	CHECK_OK(send(fd, "y", 1, MSG_DONTWAIT));
	close(fd);

	fd = pgm_socket();
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_PGMCC, &on, sizeof(on)));
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_PGMCC, &off, sizeof(off)), EISCONN);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(sl, sizeof(st));
	CHECK_EQ(st.cc_window, 1 << 16);
	CHECK_EQ(st.cc_tokens, 1 << 16);
	CHECK(!memcmp(st.cc_acker, none, sizeof(none)));	/* an election */
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_OK(send(fd, "x", 1, MSG_DONTWAIT));
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_ERR(send(fd, "y", 1, MSG_DONTWAIT), EAGAIN);
	CHECK_ERR(send(fd, "y", 1, MSG_DONTWAIT), EAGAIN);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl));
	CHECK_EQ(st.odata_sent, 1);
	CHECK_EQ(st.cc_tokens, 0);
	CHECK_EQ(st.window_limited, 1);
	CHECK_EQ(st.acker_changes, 0);
	close(fd);

	fd = pgm_socket();
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_PGMCC, &on, sizeof(on)));
	CHECK_OK(set_fec(fd, 8, 4, 1, 0));
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EOPNOTSUPP);
	close(fd);
}

/*
 * Confirmed delivery's options (docs/confirmed-delivery.md): their ranges
 * and defaults, fixed from bind() or connect(); PGM_CONFIRMED and
 * PGM_TXW_LEAD get only, for a source (PGM_CONFIRMED one with
 * PGM_CONFIRM); a source without receivers has no CONFIRMED (flags 0),
 * no POLLPRI, and flow control does not hold it.
 */
static void confirm_options(void)
{
	int fd = pgm_socket(), v = -1, i;
	struct sockaddr_in g = sin4("239.192.0.1", 7502);
	socklen_t len = sizeof(v), cl;
	struct pgm_confirmed c;
	struct pollfd pfd;
	__u32 lead, lead2;
	static const struct { int opt, val, err; } cases[] = {
		{ PGM_CONFIRM, 2, EINVAL }, { PGM_CONFIRM, 9, EINVAL },
		{ PGM_CONFIRM, 60001, EINVAL }, { PGM_CONFIRM, -1, EINVAL },
		{ PGM_CONFIRM_EXPIRY, 0, EINVAL }, { PGM_CONFIRM_EXPIRY, 99, EINVAL },
		{ PGM_CONFIRM_EXPIRY, 600001, EINVAL }, { PGM_CONFIRM_MAX, 0, EINVAL },
		{ PGM_CONFIRM_MAX, 65537, EINVAL },
		{ PGM_CONFIRM, 10, 0 }, { PGM_CONFIRM, 60000, 0 }, { PGM_CONFIRM, 0, 0 },
		{ PGM_CONFIRM_EXPIRY, 100, 0 }, { PGM_CONFIRM_MAX, 65536, 0 },
		{ PGM_CONFIRM_FLOW, 7, 0 },
	};
	static const struct { int opt, val; } defaults[] = {
		{ PGM_CONFIRM, 0 }, { PGM_CONFIRM_EXPIRY, PGM_CONFIRM_EXPIRY_MS },
		{ PGM_CONFIRM_MAX, PGM_CONFIRM_MAX_DEFAULT }, { PGM_CONFIRM_FLOW, 0 },
	};

	for (i = 0; i < (int)(sizeof(defaults) / sizeof(defaults[0])); i++) {
		len = sizeof(v);
		CHECK_OK(getsockopt(fd, SOL_PGM, defaults[i].opt, &v, &len));
		CHECK_EQ(v, defaults[i].val);
	}
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		if (cases[i].err) {
			CHECK_ERR(setsockopt(fd, SOL_PGM, cases[i].opt, &cases[i].val, sizeof(int)),
				  cases[i].err);
		} else {
			CHECK_OK(setsockopt(fd, SOL_PGM, cases[i].opt, &cases[i].val, sizeof(int)));
			len = sizeof(v);
			CHECK_OK(getsockopt(fd, SOL_PGM, cases[i].opt, &v, &len));
			CHECK_EQ(v, cases[i].opt == PGM_CONFIRM_FLOW ? 1 : cases[i].val);
		}
	}
	v = 1;	/* the default interval */
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM, &v, sizeof(v)));
	len = sizeof(v);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_CONFIRM, &v, &len));
	CHECK_EQ(v, PGM_CONFIRM_IVL_MS);
	cl = sizeof(c);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, sizeof(c)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl), ENOTCONN);
	CHECK_OK(bind(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_CONFIRM, &v, sizeof(v)), EISCONN);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &v, sizeof(v)), EISCONN);
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl), ENOTCONN);
	close(fd);

	/* A source without PGM_CONFIRM: PGM_TXW_LEAD, not PGM_CONFIRMED. */
	fd = pgm_socket();
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl), EINVAL);
	len = sizeof(lead);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &lead, &len));
	CHECK_OK(send(fd, "ab", 2, 0));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &lead2, &len));
	CHECK_EQ(lead2, lead + 1);
	close(fd);

	/* With it, and flow control: nobody live, nothing holds the window. */
	fd = pgm_socket();
	v = 1;
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM, &v, sizeof(v)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &v, sizeof(v)));
	v = 4;
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_TXW_SQNS, &v, sizeof(v)));
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_CONFIRM_MAX, &v, sizeof(v)), EISCONN);
	memset(&c, 0xff, sizeof(c));
	cl = sizeof(c);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl));
	CHECK_EQ(cl, sizeof(c));
	CHECK_EQ(c.flags, 0);
	CHECK_EQ(c.receivers, 0);
	CHECK_EQ(c.refused, 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT | POLLPRI };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLOUT);
	for (i = 0; i < 10; i++)
		CHECK_OK(send(fd, "x", 1, MSG_DONTWAIT));
	close(fd);
}

static void bind_receiver(void)
{
	int fd = pgm_socket();
	struct sockaddr_in a = sin4("239.192.0.1", 7500), got;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	socklen_t len = sizeof(got);

	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	CHECK_ERR(bind(fd, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
	a.sin_port = 0;
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a.sin_port = htons(7500);
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(getsockname(fd, (struct sockaddr *)&got, &len));
	CHECK_EQ(got.sin_addr.s_addr, a.sin_addr.s_addr);
	CHECK_EQ(ntohs(got.sin_port), 7500);
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	/* A receiver is not a source. */
	CHECK_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK_ERR(send(fd, "x", 1, 0), ENOTCONN);
	{
		char b[4];
		struct pgm_receiver_stats rs;
		socklen_t rl = sizeof(rs);

		CHECK_ERR(recv(fd, b, sizeof(b), MSG_DONTWAIT), EAGAIN);
		CHECK_OK(getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &rs, &rl));
		CHECK_EQ(rs.peers, 0);
	}
	close(fd);

	fd = pgm_socket();
	a = sin4("192.0.2.1", 0);	/* not an address of this host */
	CHECK_ERR(bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL);
	a = sin4("127.0.0.1", 0);	/* a source's interface */
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);

	fd = pgm_socket();
	a = sin4("0.0.0.0", 7500);	/* any group joined later */
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
}

static void connect_source(void)
{
	int fd = pgm_socket();
	struct sockaddr_in g = sin4("239.192.0.1", 7500), local, peer;
	socklen_t len = sizeof(local);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct pgm_tsi tsi;
	struct pgm_gsi gsi, gsi2;

	len = sizeof(tsi);
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &len), ENOTCONN);
	CHECK_ERR(connect(fd, (struct sockaddr *)&a6, sizeof(a6)), EAFNOSUPPORT);
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, 4), EINVAL);
	struct sockaddr_in u = sin4("10.1.2.3", 7500);
	CHECK_ERR(connect(fd, (struct sockaddr *)&u, sizeof(u)), EINVAL);
	g.sin_port = 0;
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EINVAL);
	g.sin_port = htons(7500);

	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(connect(fd, (struct sockaddr *)&g, sizeof(g)), EISCONN);
	len = sizeof(local);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&local, &len));
	CHECK(local.sin_port != 0);
	len = sizeof(peer);
	CHECK_OK(getpeername(fd, (struct sockaddr *)&peer, &len));
	CHECK_EQ(peer.sin_addr.s_addr, g.sin_addr.s_addr);
	CHECK_EQ(peer.sin_port, g.sin_port);

	len = sizeof(tsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &len));
	CHECK_EQ(tsi.sport, local.sin_port);
	len = sizeof(gsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &gsi, &len));
	CHECK(!memcmp(gsi.gsi, tsi.gsi, PGM_GSI_LEN));

	/* Session parameters are fixed once it started; others are not. */
	CHECK_ERR(set_u32(fd, PGM_TXW_SQNS, 100), EISCONN);
	CHECK_ERR(set_u32(fd, PGM_MAX_TPDU, 1400), EISCONN);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_GSI, &gsi, sizeof(gsi)), EISCONN);
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, 1000000));

	/* A source sends; it does not receive. */
	CHECK_EQ(send(fd, "x", 1, 0), 1);
	CHECK_ERR(sendto(fd, "x", 1, 0, (struct sockaddr *)&g, sizeof(g)), EISCONN);
	CHECK_ERR(send(fd, "x", 1, MSG_OOB), EOPNOTSUPP);
	{
		char b[4];

		CHECK_ERR(recv(fd, b, sizeof(b), MSG_DONTWAIT), ENOTCONN);
	}
	{
		struct pgm_source_stats ss;
		socklen_t sl = sizeof(ss);

		CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &ss, &sl));
		CHECK_EQ(ss.odata_sent, 1);
		CHECK_EQ(ss.data_bytes_sent, 1);
		CHECK(ss.spm_sent >= 1);	/* the session is announced at once */
		CHECK_EQ(ss.txw_lead, ss.txw_trail);
	}
	close(fd);

	/* APDUs up to PGM_APDU_MAX; larger is EMSGSIZE (before anything is sent). */
	fd = pgm_socket();
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	{
		static char big[PGM_APDU_MAX + 1];
		uint32_t rte = 0;

		CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, rte));
		CHECK_ERR(send(fd, big, sizeof(big), 0), EMSGSIZE);
		CHECK_EQ(send(fd, big, 65536, 0), 65536);
	}
	close(fd);

	/* A GSI set before connect() is the session's. */
	fd = pgm_socket();
	memcpy(gsi2.gsi, "\x01\x02\x03\x04\x05\x06", 6);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_GSI, &gsi2, sizeof(gsi2)));
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	len = sizeof(tsi);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &len));
	CHECK(!memcmp(tsi.gsi, gsi2.gsi, 6));
	close(fd);
}

/* TSIs of concurrent sources in one netns are distinct (section 3.1). */
static void unique_tsi(void)
{
	enum { N = 300 };
	static int fds[N];
	static uint16_t ports[N];
	struct sockaddr_in g = sin4("239.192.0.2", 7500), local;

	for (int i = 0; i < N; i++) {
		socklen_t len = sizeof(local);

		fds[i] = pgm_socket();
		CHECK_OK(connect(fds[i], (struct sockaddr *)&g, sizeof(g)));
		CHECK_OK(getsockname(fds[i], (struct sockaddr *)&local, &len));
		ports[i] = ntohs(local.sin_port);
		for (int j = 0; j < i; j++)
			if (ports[j] == ports[i])
				FAILF("sockets %d and %d share source port %u", j, i, ports[i]);
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);
}

/* The default GSI is the same within a netns and differs across netns. */
static void gsi_per_netns(void)
{
	struct pgm_gsi a, b, c;
	socklen_t len = sizeof(a);
	int fd, pipefd[2];
	pid_t pid;

	fd = pgm_socket();
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &a, &len));
	close(fd);
	fd = pgm_socket();
	len = sizeof(b);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_GSI, &b, &len));
	close(fd);
	CHECK(!memcmp(&a, &b, sizeof(a)));

	CHECK_OK(pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		socklen_t l = sizeof(c);

		if (unshare(CLONE_NEWNET) || (fd = pgm_socket()) < 0 ||
		    getsockopt(fd, SOL_PGM, PGM_GSI, &c, &l))
			_exit(1);
		if (write(pipefd[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	CHECK_EQ(read(pipefd[0], &c, sizeof(c)), sizeof(c));
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
	CHECK(memcmp(&a, &c, sizeof(a)) != 0);
}

static void group_membership(void)
{
	int fd = pgm_socket();
	struct ip_mreqn m = { .imr_ifindex = 1 };
	struct ip_mreq old = {};
	unsigned char ttl = 7;
	socklen_t len = sizeof(ttl);

	inet_pton(AF_INET, "239.192.0.9", &m.imr_multiaddr);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)), EADDRINUSE);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_LEAVE_GROUP, &m, sizeof(m)));
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_LEAVE_GROUP, &m, sizeof(m)), EADDRNOTAVAIL);
	/* The old struct ip_mreq is accepted too. */
	old.imr_multiaddr = m.imr_multiaddr;
	inet_pton(AF_INET, "127.0.0.1", &old.imr_interface);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &old, sizeof(old)));
	inet_pton(AF_INET, "10.0.0.1", &m.imr_multiaddr);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)), EINVAL);
	/* SOL_IP options reach the IP layer. */
	inet_pton(AF_INET, "239.192.0.10", &m.imr_multiaddr);
	CHECK_OK(setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	CHECK_OK(setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &ttl, 1));
	ttl = 0;
	CHECK_OK(getsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &ttl, &len));
	CHECK_EQ(ttl, 7);
	close(fd);	/* memberships go with the socket */
}

/*
 * 10,000 sockets opened and closed one by one, and 1,000 held open at once,
 * leave the netns socket count and the module's reference count where they
 * were: no socket of this test is open at its start, so the module's
 * references must settle to zero.
 */
static void many_sockets(void)
{
	enum { SEQ = 10000, HELD = 1000 };
	static int fds[HELD];
	struct pgm_netns_stats before, during, after;
	int loaded = module_refcnt() >= 0;

	if (loaded)
		CHECK_EQ(wait_refcnt(0, 5000), 0);
	CHECK_OK(netns_stats(&before));
	for (int i = 0; i < SEQ; i++) {
		int fd = pgm_socket();

		if (fd < 0) {
			FAILF("socket %d: %s", i, strerror(errno));
			break;
		}
		if (i % 3 == 0) {
			struct sockaddr_in g = sin4("239.192.0.3", 7500);

			CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
		}
		close(fd);
	}
	for (int i = 0; i < HELD; i++)
		fds[i] = pgm_socket();
	CHECK_OK(netns_stats(&during));
	CHECK_EQ(during.sockets, before.sockets + HELD);
	if (loaded)
		CHECK_EQ(wait_refcnt(2 * HELD, 5000), 2 * HELD);
	for (int i = 0; i < HELD; i++)
		close(fds[i]);
	CHECK_OK(netns_stats(&after));
	CHECK_EQ(after.sockets, before.sockets);
	if (loaded)
		CHECK_EQ(wait_refcnt(0, 5000), 0);
}

/* Become nobody: uid and gid 65534, no groups, no capabilities. */
static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(65534) || setuid(65534) ? -1 : 0;
}

/*
 * Run @fn in a child, in a netns of its own when @netns (with
 * net.ipv4.ip_unprivileged_port_start at @port_start when not negative),
 * as nobody when @nobody.  @fn returns 0 or the number of the first check
 * that failed; the parent reports it.
 */
static int in_child(int (*fn)(void), int netns, int port_start, int nobody)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (netns) {
			if (netns_private_dummy())
				_exit(100);
		}
		if (port_start >= 0) {
			int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_WRONLY);
			char b[16];
			int n = snprintf(b, sizeof(b), "%d", port_start);

			if (fd < 0 || write(fd, b, n) != n)
				_exit(101);
			close(fd);
		}
		if (nobody && drop_to_nobody())
			_exit(102);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* The step of a child's checks that failed, or 0. */
#define STEP(n, cond)	do { if (!(cond)) return (n); } while (0)

static int bind_port(int port)
{
	struct sockaddr_in a = sin4("239.192.0.1", port);
	int fd = pgm_socket(), rc;

	rc = bind(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	close(fd);
	return rc;
}

static int set_udp_port(int opt, uint32_t port)
{
	int fd = pgm_socket(), rc;

	rc = set_u32(fd, opt, port) ? errno : 0;
	close(fd);
	return rc;
}

/*
 * As nobody: a chosen GSI is EPERM (it could be another source's); the
 * default GSI is still there and a source still starts with it.
 */
static int gsi_as_nobody(void)
{
	struct pgm_gsi gsi = { { 1, 2, 3, 4, 5, 6 } }, got, def;
	struct sockaddr_in g = sin4("239.192.0.1", 7500);
	socklen_t len = sizeof(def);
	int fd = pgm_socket();

	STEP(1, fd >= 0);
	STEP(2, !getsockopt(fd, SOL_PGM, PGM_GSI, &def, &len));
	errno = 0;
	STEP(3, setsockopt(fd, SOL_PGM, PGM_GSI, &gsi, sizeof(gsi)) == -1 && errno == EPERM);
	len = sizeof(got);
	STEP(4, !getsockopt(fd, SOL_PGM, PGM_GSI, &got, &len) && !memcmp(&got, &def, sizeof(got)));
	STEP(5, !connect(fd, (struct sockaddr *)&g, sizeof(g)));
	close(fd);
	return 0;
}

static int gsi_as_root(void)
{
	struct pgm_gsi gsi = { { 1, 2, 3, 4, 5, 6 } }, got;
	socklen_t len = sizeof(got);
	int fd = pgm_socket();

	STEP(1, !setsockopt(fd, SOL_PGM, PGM_GSI, &gsi, sizeof(gsi)));
	STEP(2, !getsockopt(fd, SOL_PGM, PGM_GSI, &got, &len) && !memcmp(&got, &gsi, sizeof(got)));
	close(fd);
	return 0;
}

/* pgm(7) SECURITY: choosing a GSI needs CAP_NET_RAW. */
static void gsi_needs_cap_net_raw(void)
{
	CHECK_EQ(in_child(gsi_as_nobody, 1, -1, 1), 0);
	CHECK_EQ(in_child(gsi_as_root, 1, -1, 0), 0);
}

/* Below 1024 (the default start) a receiver's port is privileged, as UDP's. */
static int ports_default_nobody(void)
{
	STEP(1, bind_port(1023) == EACCES);
	STEP(2, bind_port(7) == EACCES);
	STEP(3, bind_port(1024) == 0);
	STEP(4, bind_port(7500) == 0);
	STEP(5, set_udp_port(PGM_UDP_ENCAP_UCAST_PORT, 500) == EACCES);
	STEP(6, set_udp_port(PGM_UDP_ENCAP_MCAST_PORT, 1023) == EACCES);
	STEP(7, set_udp_port(PGM_UDP_ENCAP_UCAST_PORT, 3055) == 0);
	STEP(8, set_udp_port(PGM_UDP_ENCAP_MCAST_PORT, 1024) == 0);
	{
		/* A source's bind() to an address takes no port: not checked. */
		struct sockaddr_in a = sin4("10.98.0.1", 80);
		int fd = pgm_socket();

		STEP(9, !bind(fd, (struct sockaddr *)&a, sizeof(a)));
		close(fd);
	}
	return 0;
}

/* The netns's net.ipv4.ip_unprivileged_port_start decides, here 400. */
static int ports_lowered_nobody(void)
{
	STEP(1, bind_port(500) == 0);
	STEP(2, bind_port(399) == EACCES);
	STEP(3, set_udp_port(PGM_UDP_ENCAP_UCAST_PORT, 500) == 0);
	STEP(4, set_udp_port(PGM_UDP_ENCAP_UCAST_PORT, 399) == EACCES);
	return 0;
}

static int ports_root(void)
{
	STEP(1, bind_port(7) == 0);
	STEP(2, bind_port(1023) == 0);
	STEP(3, set_udp_port(PGM_UDP_ENCAP_UCAST_PORT, 500) == 0);
	return 0;
}

static void privileged_ports(void)
{
	CHECK_EQ(in_child(ports_default_nobody, 1, -1, 1), 0);
	CHECK_EQ(in_child(ports_lowered_nobody, 1, 400, 1), 0);
	CHECK_EQ(in_child(ports_root, 1, -1, 0), 0);
}

/*
 * PGM_FEC (RFC 3208 appendix A, section 11): off by default; every
 * setting the code cannot have is EINVAL; get returns what was set; fixed
 * at connect() (EISCONN), and a FEC session sends as usual.
 */
static int set_fec(int fd, unsigned int n, unsigned int k, unsigned int h, unsigned int flags)
{
	struct pgm_fec f = { .n = n, .k = k, .proactive = h, .flags = flags };

	return setsockopt(fd, SOL_PGM, PGM_FEC, &f, sizeof(f));
}

static void fec_option(void)
{
	struct sockaddr_in g = sin4("239.192.0.1", 7500);
	struct pgm_fec f, zero = { 0 };
	socklen_t len = sizeof(f);
	int fd = pgm_socket();

	CHECK(fd >= 0);
	memset(&f, 0xff, sizeof(f));
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_FEC, &f, &len));
	CHECK_EQ(len, sizeof(f));
	CHECK(!memcmp(&f, &zero, sizeof(f)));

	/* k a power of two from 2 to 128 (section 11.2's TG_SQN/PKT_SQN split). */
	CHECK_ERR(set_fec(fd, 8, 1, 1, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 8, 3, 1, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 8, 6, 1, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 255, 0, 1, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 255, 255, 1, 0), EINVAL);
	/* n from k + 1 to 255 (RS over GF(2^8)). */
	CHECK_ERR(set_fec(fd, 4, 4, 0, PGM_FEC_ONDEMAND), EINVAL);
	CHECK_ERR(set_fec(fd, 3, 4, 0, PGM_FEC_ONDEMAND), EINVAL);
	CHECK_ERR(set_fec(fd, 0, 4, 0, PGM_FEC_ONDEMAND), EINVAL);
	CHECK_ERR(set_fec(fd, 128, 128, 0, PGM_FEC_ONDEMAND), EINVAL);
	/* proactive at most n - k and at most k. */
	CHECK_ERR(set_fec(fd, 6, 4, 3, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 12, 4, 5, 0), EINVAL);
	/* Something offered; no unknown flag. */
	CHECK_ERR(set_fec(fd, 8, 4, 0, 0), EINVAL);
	CHECK_ERR(set_fec(fd, 8, 4, 1, 0x02), EINVAL);
	CHECK_ERR(set_fec(fd, 8, 4, 1, 0x80), EINVAL);
	CHECK_ERR(set_fec(fd, 0, 0, 0, PGM_FEC_ONDEMAND), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_FEC, &zero, sizeof(zero) - 1), EINVAL);
	/* Refused settings left it off. */
	len = sizeof(f);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_FEC, &f, &len));
	CHECK(!memcmp(&f, &zero, sizeof(f)));
	len = sizeof(f) - 1;
	CHECK_ERR(getsockopt(fd, SOL_PGM, PGM_FEC, &f, &len), EINVAL);

	/* The edges. */
	CHECK_OK(set_fec(fd, 3, 2, 1, 0));
	CHECK_OK(set_fec(fd, 255, 128, 127, PGM_FEC_ONDEMAND));
	CHECK_OK(set_fec(fd, 255, 128, 0, PGM_FEC_ONDEMAND));
	CHECK_OK(set_fec(fd, 255, 2, 2, 0));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_FEC, &zero, sizeof(zero)));
	CHECK_OK(set_fec(fd, 12, 8, 2, PGM_FEC_ONDEMAND));
	len = sizeof(f);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_FEC, &f, &len));
	CHECK_EQ(f.n, 12);
	CHECK_EQ(f.k, 8);
	CHECK_EQ(f.proactive, 2);
	CHECK_EQ(f.flags, PGM_FEC_ONDEMAND);

	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(set_fec(fd, 8, 4, 1, 0), EISCONN);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_FEC, &zero, sizeof(zero)), EISCONN);
	len = sizeof(f);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_FEC, &f, &len));
	CHECK_EQ(f.n, 12);
	CHECK_EQ(f.k, 8);
	{
		struct pgm_source_stats ss;
		socklen_t sl = sizeof(ss);
		char b[100] = { 0 };
		int i;

		for (i = 0; i < 20; i++)
			CHECK_EQ(send(fd, b, sizeof(b), 0), (ssize_t)sizeof(b));
		CHECK_OK(getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &ss, &sl));
		CHECK_EQ(ss.odata_sent, 20);
		/* 20 sqns hold at least one whole group of 8: 2 parity each. */
		CHECK(ss.parity_sent_proactive >= 2 && ss.parity_sent_proactive <= 4);
		CHECK_EQ(ss.parity_sent_proactive % 2, 0);
	}
	close(fd);
}

/*
 * With PGM_FEC, parity packets (RFC 3208 section 11.2: padded to the
 * group's longest TSDU, its 2-octet length trailer, encoded OPT_FRAGMENT)
 * never exceed PGM_MAX_TPDU: fragments leave them room.  APDUs of mixed
 * sizes around the fragment size go out on dummy0, where a packet socket
 * sees what leaves.
 */
static void fec_parity_fits_tpdu(void)
{
	static const unsigned int sizes[] = { 3000, 1441, 5000, 1422, 100, 1440, 1423, 7, 4000, 1421 };
	const struct pgm_fec f = { .n = 40, .k = 8, .proactive = 4, .flags = PGM_FEC_ONDEMAND };
	struct sockaddr_in g = sin4("239.192.0.9", 7900);
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	static char buf[70000], data[5000];
	unsigned int i, r, pkts = 0, parity = 0, largest = 0;
	int fd = pgm_socket(), cap = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	CHECK(fd >= 0 && cap >= 0);
	ll.sll_ifindex = if_nametoindex("dummy0");
	CHECK(ll.sll_ifindex > 0);
	CHECK_OK(bind(cap, (struct sockaddr *)&ll, sizeof(ll)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_FEC, &f, sizeof(f)));
	CHECK_OK(connect(fd, (struct sockaddr *)&g, sizeof(g)));
	for (r = 0; r < 4; r++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			CHECK_EQ(send(fd, data, sizes[i], 0), (ssize_t)sizes[i]);
	for (;;) {
		struct pollfd pf = { .fd = cap, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 200) <= 0)
			break;
		n = recv(cap, buf, sizeof(buf), 0);
		if (n < 20 || buf[9] != IPPROTO_PGM || (size_t)n < (size_t)(buf[0] & 15) * 4 + 16)
			continue;
		pkts++;
		if (buf[(buf[0] & 15) * 4 + 5] & 0x80)
			parity++;
		if ((unsigned int)n > largest)
			largest = n;
	}
	printf("    %u PGM packets, %u parity, largest %u octets (MAX_TPDU %u)\n",
	       pkts, parity, largest, PGM_DEFAULT_MAX_TPDU);
	CHECK(parity > 0);
	CHECK(largest <= PGM_DEFAULT_MAX_TPDU);
	close(cap);
	close(fd);
}

int main(int argc, char **argv)
{
	/* --quick: the API checks only, for the insmod/rmmod loop. */
	int quick = argc > 1 && !strcmp(argv[1], "--quick");

	RUN(create_rdm);
	RUN(wrong_type);
	RUN(defaults);
	RUN(set_get_ranges);
	RUN(heartbeat_order);
	RUN(unknown_options);
	RUN(short_optlen);
	RUN(stats_short_read);
	RUN(fec_nak_option);
	RUN(pgmcc_option);
	RUN(confirm_options);
	RUN(bind_receiver);
	RUN(connect_source);
	RUN(fec_option);
	if (!quick)
		RUN(fec_parity_fits_tpdu);
	if (!quick)
		RUN(unique_tsi);
	RUN(gsi_per_netns);
	RUN(group_membership);
	if (!quick) {
		/* Netns of their own each: not for the insmod/rmmod loop. */
		RUN(gsi_needs_cap_net_raw);
		RUN(privileged_ports);
	}
	if (!quick)
		RUN(many_sockets);
	return summary("sock_test");
}
