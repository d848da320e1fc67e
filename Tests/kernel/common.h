/* SPDX-License-Identifier: GPL-2.0 */
/* common.h - helpers shared by the in-VM kernel tests. */
#ifndef PGM_TEST_COMMON_H
#define PGM_TEST_COMMON_H

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../kernel/include/uapi/linux/pgm.h"
#include "../../kernel/include/uapi/linux/pgm_netlink.h"

static inline int pgm_socket(void)
{
	return socket(AF_INET, SOCK_RDM, IPPROTO_PGM);
}

static inline struct sockaddr_in sin4(const char *addr, int port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &s.sin_addr);
	return s;
}

static inline int pgm_socket_af(int af)
{
	return socket(af, SOCK_RDM, IPPROTO_PGM);
}

static inline struct sockaddr_in6 sin6(const char *addr, int port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, addr, &s.sin6_addr);
	return s;
}

/* A socket address of either family, for the tests that run over both. */
union pgm_sa {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/* @addr (text of family @af) and @port. */
static inline union pgm_sa sa_of(int af, const char *addr, int port)
{
	union pgm_sa u;

	memset(&u, 0, sizeof(u));
	if (af == AF_INET6)
		u.sin6 = sin6(addr, port);
	else
		u.sin = sin4(addr, port);
	return u;
}

static inline socklen_t sa_len(int af)
{
	return af == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* The port of @u, host order. */
static inline int sa_port(const union pgm_sa *u)
{
	return ntohs(u->sa.sa_family == AF_INET6 ? u->sin6.sin6_port : u->sin.sin_port);
}

/* The loopback address and the wildcard of @af, as text. */
static inline const char *af_loopback(int af)
{
	return af == AF_INET6 ? "::1" : "127.0.0.1";
}

static inline const char *af_any(int af)
{
	return af == AF_INET6 ? "::" : "0.0.0.0";
}

/*
 * The family a test that runs over both takes from its arguments: none
 * for AF_INET, "-6" for AF_INET6; -1 (and a usage line) for anything else.
 */
static inline int family_arg(int argc, char **argv)
{
	if (argc == 1)
		return AF_INET;
	if (argc == 2 && !strcmp(argv[1], "-6"))
		return AF_INET6;
	fprintf(stderr, "usage: %s [-6]\n", argv[0]);
	return -1;
}

static inline int set_u32(int fd, int opt, uint32_t v)
{
	return setsockopt(fd, SOL_PGM, opt, &v, sizeof(v));
}

static inline long get_u32(int fd, int opt)
{
	uint32_t v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_PGM, opt, &v, &len) < 0)
		return -1;
	return len == sizeof(v) ? (long)v : -2;
}

/* CLOCK_MONOTONIC in seconds. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int netns_stats(struct pgm_netns_stats *st)
{
	socklen_t len = sizeof(*st);
	int fd = pgm_socket(), rc;

	if (fd < 0)
		return -1;
	rc = getsockopt(fd, SOL_PGM, PGM_NETNS_STATS, st, &len);
	close(fd);
	/* The probe socket itself is counted while open. */
	if (rc == 0)
		st->sockets--;
	return rc;
}

/*
 * Have all of @st's packets an outcome (handed to sockets, refused, ...)?
 * in_packets counts a packet as it enters the input path, its outcome once
 * the receivers are done with it: until then their memory and counters
 * may not show it yet.
 */
static inline bool netns_settled(const struct pgm_netns_stats *st)
{
	return st->in_packets == st->in_truncated + st->in_bad_checksum + st->in_bad_type +
				 st->in_malformed + st->in_no_socket + st->in_delivered;
}

/*
 * Wait until the netns has seen @n more packets than @base (loopback and
 * veth deliver asynchronously) and every one of them has its outcome
 * (netns_settled()), for at most @tries naps of 5 ms; a failure of the
 * running test (harness.h) if not.
 */
static inline void netns_settle(uint64_t base, uint64_t n, int tries)
{
	struct pgm_netns_stats st = {};

	for (int i = 0; i < tries; i++) {
		netns_stats(&st);
		if (st.in_packets >= base + n && netns_settled(&st))
			return;
		usleep(5000);
	}
	FAILF("only %llu of %llu packets reached the input path",
	      (unsigned long long)(st.in_packets - base), (unsigned long long)n);
}

/*
 * No SPMRs from receiver @fd (RFC 3208 13.5): it multicasts one for a
 * session heard without an SPM, which loops back and counts among the
 * packets netns_settle() waits for, so the wait could end before the last
 * packet a test sent is in.  Returns setsockopt()'s result.
 */
static inline int no_spmrs(int fd)
{
	return set_u32(fd, PGM_SPMR_EXPIRY, 600000000);
}

/*
 * Read one error-queue record (struct pgm_loss or pgm_session_end) into
 * @rec: its length, its SOL_PGM control message's type in *@type and
 * ee_errno in *@eno (either may be NULL); -1 when none waits.
 */
static inline int read_errqueue(int fd, void *rec, size_t len, int *type, int *eno)
{
	char cbuf[256];
	struct iovec iov = { rec, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);

	if (n < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		struct sock_extended_err ee;

		if (c->cmsg_level != SOL_PGM)
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (type)
			*type = c->cmsg_type;
		if (eno)
			*eno = ee.ee_errno;
	}
	return (int)n;
}

/* A receiver's counters (PGM_RECEIVER_STATS); zeros when the call fails. */
static inline struct pgm_receiver_stats rstats(int fd)
{
	struct pgm_receiver_stats st = {};
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &len))
		memset(&st, 0, sizeof(st));
	return st;
}

/*
 * Set the netns's setting /proc/sys/net/pgm/@name (pgmctl(8) defaults) to
 * @v: 0, or -1 with errno set.
 */
static inline int pgm_sysctl_set(const char *name, unsigned long v)
{
	char path[128];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/sys/net/pgm/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	rc = fprintf(f, "%lu\n", v) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

/* The module's reference count, or -1 when it is not loaded. */
static inline long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/pgm/refcnt", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * Wait up to @ms for the module refcount to equal @want.  Sockets are
 * SOCK_RCU_FREE: each drops its module references (two: proto and
 * proto_ops owners) only after an RCU grace period.  Returns the last value.
 */
static inline long wait_refcnt(long want, int ms)
{
	long v = module_refcnt();

	for (int i = 0; i < ms / 10 && v != want; i++) {
		usleep(10000);
		v = module_refcnt();
	}
	return v;
}

/*
 * The C tests' network fixtures (scripts/netns.sh is the scripts' one):
 * netns_private() moves the caller into a new netns with lo up;
 * netns_private_dummy() adds dummy0, 10.98.0.1/24, multicast on and
 * 224.0.0.0/4 routed to it.  0, or -1 with errno (or a failed ip(8)).
 */
static inline int netns_private(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s, err;

	if (unshare(CLONE_NEWNET))
		return -1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	err = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!err) {
		ifr.ifr_flags |= IFF_UP;
		err = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return err ? -1 : 0;
}

static inline int netns_private_dummy(void)
{
	if (netns_private())
		return -1;
	return system("ip link add dummy0 type dummy && "
		      "ip link set dummy0 up multicast on && "
		      "ip addr add 10.98.0.1/24 dev dummy0 && "
		      "ip route add 224.0.0.0/4 dev dummy0") ? -1 : 0;
}

/*
 * netns_private_dummy() and on dummy0 also LOCAL6/64 (no DAD: usable at
 * once), with ff15::/16 routed to it.
 */
#define LOCAL6		"fd00:98::1"
static inline int netns_private_dummy6(void)
{
	if (netns_private_dummy())
		return -1;
	return system("ip -6 addr add " LOCAL6 "/64 dev dummy0 nodad && "
		      "ip -6 route replace ff15::/16 dev dummy0") ? -1 : 0;
}

#endif
