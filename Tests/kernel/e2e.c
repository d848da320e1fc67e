// SPDX-License-Identifier: GPL-2.0
/*
 * e2e.c - one PGM source or receiver for the end-to-end tests in the VM.
 *
 *   e2e send GROUP PORT COUNT SEED RATE [LINGER_S]
 *   e2e recv GROUP PORT COUNT SEED TIMEOUT_S IFADDR [fin|late|loss|expiry|slow] [ring]
 *   e2e multi GROUP PORT COUNT SEED TIMEOUT_S IFADDR NSOURCES
 *
 * The source sends COUNT APDUs whose sizes and bytes come from SEED (1 B to
 * 64 KiB, most below one MTU, some spanning dozens of fragments) at RATE
 * bytes/s (with PGM_LATE_JOIN from $PGM_E2E_LATE_JOIN when set, PGM_FEC from
 * $PGM_E2E_FEC, "n,k,proactive,ondemand"), and writes
 * the stream to stdout.  The receiver regenerates the
 * same sequence and checks every delivered APDU against it, so a
 * duplicate, a gap or a reordering is caught at once; it writes what it
 * delivered to stdout.  Both print their statistics on stderr as
 * "key=value" lines.  The caller compares the two streams with sha256sum.
 *
 * The receiver's last argument says how the session must end: "fin" (the
 * default): every APDU, then the source's OPT_FIN as a session-end record;
 * "late": a receiver started after the source: an exact suffix of the stream
 * from some APDU on (found by regenerating the stream up to it, printed as
 * first_apdu), no loss, then OPT_FIN;
 * "loss": the stream reaches the application with reported losses; "expiry":
 * a prefix of the stream, then the session expires (PGM_PEER_EXPIRY is set
 * to 2 s); "slow": SO_RCVBUF is 256 KiB and the reader sleeps 5 s before
 * reading: the memory queued meanwhile must stay within SO_RCVBUF
 * (SO_MEMINFO), and what cannot be held must be reported as loss, never
 * hidden - the stream is checked as in "loss" mode, but loss is not
 * required.
 *
 * With "ring" the receiver reads from a 1 MiB PGM_RX_RING instead of
 * recvmsg(): APDUs, losses and the session end as records (an APDU too
 * large for the ring from recvmsg() at its SPILL record), checked the same
 * way.
 *
 * "multi" receives NSOURCES sessions on one socket, from sources started
 * with seeds SEED, SEED+1, ...: each session is matched to its seed by its
 * first APDU, then every APDU is checked as above, and every session must
 * deliver COUNT APDUs and end with OPT_FIN.
 *
 * Confirmed delivery (docs/confirmed-delivery.md): with $PGM_E2E_CONFIRM
 * "N[,flow]" the source sets PGM_CONFIRM (and PGM_CONFIRM_FLOW), waits (10 s
 * at most) for N receivers to join before it sends, and after its last
 * send() waits (60 s at most) until N live receivers confirmed
 * everything it sent (PGM_CONFIRMED against PGM_TXW_LEAD), printing
 * confirm_seconds, the time that took, and confirmed_all=1; receivers set
 * PGM_CONFIRM to $PGM_E2E_CONFIRM_IVL ms (default 1: 200 ms) whenever
 * $PGM_E2E_CONFIRM is set.  $PGM_E2E_TXW sets the source's PGM_TXW_SQNS.
 * With $PGM_E2E_CONFIRM_GAP_MS as well, the source sends one APDU every
 * that many ms and measures, for each, the time from its send() to the
 * moment every live receiver confirmed it (PGM_CONFIRMED, woken by
 * POLLPRI), printing confirm_latency_{p50,p90,p99,max}_ms (make
 * perf-confirm).
 *
 * An IPv6 GROUP (ff15::1) makes AF_INET6 sockets: the receiver's IFADDR is
 * then one of its interface's IPv6 addresses, and msg_name a struct
 * sockaddr_pgm6.  The ring is IPv4's alone for now.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>

#include "../../kernel/include/uapi/linux/pgm.h"
#include "ringlib.h"

#define MAX_APDU	65536

struct gen {
	uint64_t s;
};

static uint64_t next64(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s;
}

/* The i-th APDU of the stream: its size, then its bytes. */
static size_t apdu(struct gen *g, uint8_t *buf)
{
	uint64_t r = next64(g) % 1000;
	size_t n;

	if (r < 950)
		n = 1 + next64(g) % 1400;
	else if (r < 995)
		n = 1400 + next64(g) % (16384 - 1400);
	else
		n = 16384 + next64(g) % (MAX_APDU - 16384 + 1);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = next64(g);

		memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
	}
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "e2e: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Where an APDU came from: msg_name of either family. */
union pgm_from {
	struct sockaddr_pgm v4;
	struct sockaddr_pgm6 v6;
};

static int family_of(const char *group)
{
	return strchr(group, ':') ? AF_INET6 : AF_INET;
}

/* @group and @port as a sockaddr of the group's family; its length. */
static socklen_t group_addr(const char *group, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family_of(group) == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, group, &s6->sin6_addr);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, group, &s4->sin_addr);
	return sizeof(*s4);
}

/* The index of the interface with IPv6 address @addr; 0 if none. */
static int ifindex6(const char *addr)
{
	struct ifaddrs *ifs, *i;
	struct in6_addr a;
	int idx = 0;

	if (inet_pton(AF_INET6, addr, &a) != 1 || getifaddrs(&ifs))
		return 0;
	for (i = ifs; i && !idx; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &a, sizeof(a)))
			idx = (int)if_nametoindex(i->ifa_name);
	freeifaddrs(ifs);
	return idx;
}

/* Is @f, @len bytes, a well-formed msg_name of @family?  Its TSI in *@tsi. */
static int from_ok(const union pgm_from *f, socklen_t len, int family, struct pgm_tsi *tsi)
{
	if (family == AF_INET6) {
		*tsi = f->v6.tsi;
		return len == sizeof(f->v6) && f->v6.sin6.sin6_family == AF_INET6 &&
		       f->v6.tsi.sport == f->v6.sin6.sin6_port;
	}
	*tsi = f->v4.tsi;
	return len == sizeof(f->v4) && f->v4.sin.sin_family == AF_INET &&
	       f->v4.tsi.sport == f->v4.sin.sin_port;
}

/*
 * Confirmed delivery's latency (PGM_E2E_CONFIRM_GAP_MS): when each APDU was
 * sent, its last sqn, and how long until every live receiver had it.
 */
static double *cf_sent, *cf_lat;
static uint32_t *cf_sqn;
static unsigned long cf_n, cf_done;

static void cf_note(int fd, unsigned long want)
{
	struct pgm_confirmed c;
	socklen_t cl = sizeof(c);
	double t = now_s();

	if (!cf_sent || getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl))
		return;
	while (cf_done < cf_n && (c.flags & PGM_CONFIRMED_VALID) && c.receivers >= want &&
	       (int32_t)(c.sqn - cf_sqn[cf_done]) >= 0) {
		cf_lat[cf_done] = t - cf_sent[cf_done];
		cf_done++;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void cf_report(void)
{
	if (!cf_sent || !cf_done)
		return;
	qsort(cf_lat, cf_done, sizeof(*cf_lat), cmp_double);
	fprintf(stderr, "confirm_measured=%lu\nconfirm_latency_p50_ms=%.1f\nconfirm_latency_p90_ms=%.1f\n"
		"confirm_latency_p99_ms=%.1f\nconfirm_latency_max_ms=%.1f\n", cf_done,
		cf_lat[cf_done / 2] * 1e3, cf_lat[cf_done * 9 / 10] * 1e3,
		cf_lat[cf_done * 99 / 100] * 1e3, cf_lat[cf_done - 1] * 1e3);
}

/*
 * Confirmed delivery: wait until @want live receivers confirmed all that
 * was sent (60 s at most), and say how long that took and what the
 * source counted.
 */
static void wait_confirmed(int fd, unsigned long want)
{
	struct pgm_source_stats st;
	struct pgm_confirmed c;
	socklen_t cl, sl = sizeof(st), ll = sizeof(uint32_t);
	uint32_t lead;
	double t0 = now_s();
	int ok = 0;

	if (getsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &lead, &ll))
		die("PGM_TXW_LEAD");
	while (now_s() - t0 < 60) {
		struct pollfd pf = { .fd = fd, .events = POLLPRI };

		cl = sizeof(c);
		if (getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl))
			die("PGM_CONFIRMED");
		cf_note(fd, want);
		if ((c.flags & PGM_CONFIRMED_VALID) && c.sqn == lead && c.receivers >= want) {
			ok = 1;
			break;
		}
		poll(&pf, 1, 1000);
	}
	cf_report();
	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl))
		die("PGM_SOURCE_STATS");
	fprintf(stderr, "confirmed_all=%d\nconfirm_seconds=%.3f\nconfirm_receivers=%u\n"
		"confirm_acks=%llu\nconfirm_joins=%llu\nconfirm_leaves=%llu\nconfirm_expired=%llu\n"
		"confirm_lost=%llu\nflow_limited=%llu\n",
		ok, now_s() - t0, st.confirm_receivers,
		(unsigned long long)st.confirm_acks, (unsigned long long)st.confirm_joins,
		(unsigned long long)st.confirm_leaves, (unsigned long long)st.confirm_expired,
		(unsigned long long)st.confirm_lost, (unsigned long long)st.flow_limited);
}

/*
 * Confirmed delivery: flow control holds the window for the receivers
 * that joined, so wait (10 s at most) until @want have.
 */
static void wait_joined(int fd, unsigned long want)
{
	struct pgm_confirmed c;
	double t0 = now_s();
	socklen_t cl;

	while (now_s() - t0 < 10) {
		struct pollfd pf = { .fd = fd, .events = POLLPRI };

		cl = sizeof(c);
		if (getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl))
			die("PGM_CONFIRMED");
		if (c.receivers >= want)
			break;
		poll(&pf, 1, 100);
	}
	fprintf(stderr, "joined=%u\njoin_seconds=%.3f\n", c.receivers, now_s() - t0);
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_storage g;
	socklen_t glen;
	unsigned long count = strtoul(argv[4], NULL, 0);
	struct gen gen = { strtoull(argv[5], NULL, 0) | 1 };
	uint32_t rate = strtoul(argv[6], NULL, 0);
	const char *late_join = getenv("PGM_E2E_LATE_JOIN");	/* percent */
	const char *fec = getenv("PGM_E2E_FEC");	/* n,k,proactive,ondemand */
	const char *confirm = getenv("PGM_E2E_CONFIRM");	/* receivers[,flow] */
	const char *txw = getenv("PGM_E2E_TXW");
	const char *gap_s = getenv("PGM_E2E_CONFIRM_GAP_MS");
	double gap = gap_s && *gap_s ? atof(gap_s) / 1e3 : 0;
	unsigned long want_rcvrs = 0;
	int linger = argc > 7 ? atoi(argv[7]) : 3;
	static uint8_t buf[MAX_APDU];
	struct pgm_source_stats st;
	socklen_t len = sizeof(st);
	struct linger l = { .l_onoff = 1, .l_linger = linger };
	unsigned long long bytes = 0;
	double t0;
	int fd;

	/* Unbuffered: a sender killed mid-stream has written all it sent. */
	setvbuf(stdout, NULL, _IONBF, 0);
	glen = group_addr(argv[2], atoi(argv[3]), &g);
	fd = socket(g.ss_family, SOCK_RDM, IPPROTO_PGM);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_PGM, PGM_TXW_MAX_RTE, &rate, sizeof(rate)))
		die("PGM_TXW_MAX_RTE");
	if (late_join && *late_join) {
		uint32_t pct = strtoul(late_join, NULL, 0);

		if (setsockopt(fd, SOL_PGM, PGM_LATE_JOIN, &pct, sizeof(pct)))
			die("PGM_LATE_JOIN");
	}
	if (fec && *fec) {
		unsigned int n, k, h, od;
		struct pgm_fec f;

		if (sscanf(fec, "%u,%u,%u,%u", &n, &k, &h, &od) != 4)
			die("PGM_E2E_FEC: n,k,proactive,ondemand");
		f = (struct pgm_fec){ .n = n, .k = k, .proactive = h,
				      .flags = od ? PGM_FEC_ONDEMAND : 0 };
		if (setsockopt(fd, SOL_PGM, PGM_FEC, &f, sizeof(f)))
			die("PGM_FEC");
	}
	if (txw && *txw) {
		uint32_t v = strtoul(txw, NULL, 0);

		if (setsockopt(fd, SOL_PGM, PGM_TXW_SQNS, &v, sizeof(v)))
			die("PGM_TXW_SQNS");
	}
	if (confirm && *confirm) {
		int on = 1, flow = strstr(confirm, ",flow") != NULL;

		want_rcvrs = strtoul(confirm, NULL, 0);
		if (setsockopt(fd, SOL_PGM, PGM_CONFIRM, &on, sizeof(on)) ||
		    setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &flow, sizeof(flow)))
			die("PGM_CONFIRM");
	}
	if (connect(fd, (struct sockaddr *)&g, glen))
		die("connect");
	if (want_rcvrs)
		wait_joined(fd, want_rcvrs);
	if (want_rcvrs && gap > 0) {
		cf_sent = calloc(count, sizeof(*cf_sent));
		cf_lat = calloc(count, sizeof(*cf_lat));
		cf_sqn = calloc(count, sizeof(*cf_sqn));
		if (!cf_sent || !cf_lat || !cf_sqn)
			die("calloc");
	}
	t0 = now_s();
	for (unsigned long i = 0; i < count; i++) {
		size_t n = apdu(&gen, buf);
		ssize_t rc = send(fd, buf, n, 0);

		if (rc != (ssize_t)n)
			die("send");
		if (cf_sent) {
			socklen_t ll = sizeof(uint32_t);
			double next = t0 + (i + 1) * gap;

			cf_sent[cf_n] = now_s();
			if (getsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &cf_sqn[cf_n], &ll))
				die("PGM_TXW_LEAD");
			cf_n++;
			/* Until the next send: note each confirmation as it comes. */
			for (double t = now_s(); t < next; t = now_s()) {
				struct pollfd pf = { .fd = fd, .events = POLLPRI };

				cf_note(fd, want_rcvrs);
				poll(&pf, 1, (int)((next - t) * 1e3) + 1);
			}
		}
		if (fwrite(buf, 1, n, stdout) != n)
			die("stdout");
		bytes += n;
	}
	fflush(stdout);
	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len))
		die("PGM_SOURCE_STATS");
	fprintf(stderr, "sent_apdus=%lu\nsent_bytes=%llu\nsend_seconds=%.2f\nodata=%llu\n",
		count, bytes, now_s() - t0, (unsigned long long)st.odata_sent);
	if (want_rcvrs)
		wait_confirmed(fd, want_rcvrs);
	/* Linger: repair NAKs for a while, then OPT_FIN (section 9.7). */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	sleep(linger);
	len = sizeof(st);
	getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len);
	fprintf(stderr, "naks_received=%llu\nnaks_ignored=%llu\nncf=%llu\nrdata=%llu\nspm=%llu\n",
		(unsigned long long)st.naks_received, (unsigned long long)st.naks_ignored,
		(unsigned long long)st.ncf_sent, (unsigned long long)st.rdata_sent,
		(unsigned long long)st.spm_sent);
	/* What the rate limit deferred or refused (pgm(7) LIMITS). */
	fprintf(stderr, "rdata_deferred=%llu\nnaks_pending=%llu\nncf_dropped=%llu\nspm_deferred=%llu\n"
		"rate_limited=%llu\n",
		(unsigned long long)st.rdata_deferred, (unsigned long long)st.naks_pending,
		(unsigned long long)st.ncf_dropped, (unsigned long long)st.spm_deferred,
		(unsigned long long)st.rate_limited);
	fprintf(stderr, "parity_sent_proactive=%llu\nparity_sent_ondemand=%llu\n"
		"parity_naks_received=%llu\nparity_naks_refused=%llu\nparity_by_originals=%llu\n",
		(unsigned long long)st.parity_sent_proactive,
		(unsigned long long)st.parity_sent_ondemand,
		(unsigned long long)st.parity_naks_received,
		(unsigned long long)st.parity_naks_refused,
		(unsigned long long)st.parity_by_originals);
	close(fd);
	return 0;
}

static int end_reason;
static struct pgm_tsi ended[16];
static int nended;

/* Drain the error queue: loss and session-end records. */
static unsigned long drain_losses(int fd)
{
	unsigned long lost = 0;

	for (;;) {
		union {
			struct pgm_loss loss;
			struct pgm_session_end end;
		} u;
		struct pgm_loss rec;
		char cbuf[256];
		struct iovec iov = { &u, sizeof(u) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;

		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return lost;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			struct sock_extended_err ee;

			if (c->cmsg_level != SOL_PGM)
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (c->cmsg_type == PGM_LOSS) {
				rec = u.loss;
				if (ee.ee_errno != ECONNRESET || ee.ee_info != rec.first_sqn ||
				    ee.ee_data != rec.count)
					fprintf(stderr, "e2e: loss record and cmsg disagree\n");
				fprintf(stderr, "loss first=%u count=%u\n", rec.first_sqn, rec.count);
				lost += rec.count;
			} else if (c->cmsg_type == PGM_SESSION_END) {
				static const int want[] = { 0, ESHUTDOWN, ECONNRESET, ETIMEDOUT };

				if (u.end.reason < 1 || u.end.reason > 3 ||
				    ee.ee_errno != (__u32)want[u.end.reason])
					fprintf(stderr, "e2e: bad session-end record\n");
				else
					end_reason = u.end.reason;
				if (nended < 16)
					ended[nended++] = u.end.tsi;
				fprintf(stderr, "session_end=%u\n", u.end.reason);
			}
		}
	}
}

/*
 * A receiver socket for GROUP:PORT (argv[2], argv[3]) joined on the
 * interface with address argv[7]; @expiry_us sets PGM_PEER_EXPIRY when
 * not 0.  Prints "ready" once it listens.
 *
 * @retries (0: the defaults): the NAK retries of a receiver that expects
 * the whole stream.  A busy source on a loaded, emulated host can keep an
 * RDATA in its repair queue for longer than the default budget (10 x 200
 * ms), and the receiver then rightly declares the loss; the 50 that
 * OpenPGM's example receivers set lets such a transfer through.
 * Receivers that expect loss keep the defaults, so that it is reported in
 * their time.
 */
static int open_receiver(char **argv, int rcvbuf, uint32_t expiry_us, struct uring *ring,
			 uint32_t retries)
{
	struct sockaddr_storage b;
	socklen_t blen = group_addr(argv[2], atoi(argv[3]), &b);
	struct ip_mreqn m = {};
	struct ipv6_mreq m6 = {};
	int fd;

	if (b.ss_family == AF_INET6) {
		m6.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&b)->sin6_addr;
		m6.ipv6mr_interface = ifindex6(argv[7]);
		if (!m6.ipv6mr_interface) {
			fprintf(stderr, "e2e: no interface has %s\n", argv[7]);
			exit(2);
		}
	} else {
		inet_pton(AF_INET, argv[2], &m.imr_multiaddr);
		inet_pton(AF_INET, argv[7], &m.imr_address);
	}
	fd = socket(b.ss_family, SOCK_RDM, IPPROTO_PGM);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (expiry_us &&
	    setsockopt(fd, SOL_PGM, PGM_PEER_EXPIRY, &expiry_us, sizeof(expiry_us)))
		die("PGM_PEER_EXPIRY");
	if (retries &&
	    (setsockopt(fd, SOL_PGM, PGM_NAK_DATA_RETRIES, &retries, sizeof(retries)) ||
	     setsockopt(fd, SOL_PGM, PGM_NAK_NCF_RETRIES, &retries, sizeof(retries))))
		die("PGM_NAK_*_RETRIES");
	if (ring && uring_setup(ring, fd, 1 << 20))
		die("PGM_RX_RING");
	/* Confirmed delivery ($PGM_E2E_CONFIRM): ACK the source every so often. */
	if (getenv("PGM_E2E_CONFIRM") && *getenv("PGM_E2E_CONFIRM")) {
		const char *ivl = getenv("PGM_E2E_CONFIRM_IVL");
		int v = ivl && *ivl ? atoi(ivl) : 1;

		if (setsockopt(fd, SOL_PGM, PGM_CONFIRM, &v, sizeof(v)))
			die("PGM_CONFIRM");
	}
	/* With a FEC source ($PGM_E2E_FEC), ask it for on-demand parity too. */
	if (getenv("PGM_E2E_FEC") && *getenv("PGM_E2E_FEC")) {
		int on = 1;

		if (setsockopt(fd, SOL_PGM, PGM_FEC_NAK, &on, sizeof(on)))
			die("PGM_FEC_NAK");
	}
	/*
	 * $PGM_E2E_BIND_ANY: bound to the unspecified address, so that a
	 * session sent to this host's own address (a unicast fan-out of the
	 * source's netns policy, docs/governance.md) is taken as well.
	 */
	if (getenv("PGM_E2E_BIND_ANY") && *getenv("PGM_E2E_BIND_ANY")) {
		if (b.ss_family == AF_INET6)
			memset(&((struct sockaddr_in6 *)&b)->sin6_addr, 0, sizeof(struct in6_addr));
		else
			((struct sockaddr_in *)&b)->sin_addr.s_addr = htonl(INADDR_ANY);
	}
	if (bind(fd, (struct sockaddr *)&b, blen))
		die("bind");
	if (b.ss_family == AF_INET6 ? setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m6, sizeof(m6)) :
				      setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)))
		die("PGM_JOIN_GROUP");
	fprintf(stderr, "ready\n");
	return fd;
}

static int do_recv(int argc, char **argv)
{
	unsigned long count = strtoul(argv[4], NULL, 0);
	struct gen gen = { strtoull(argv[5], NULL, 0) | 1 };
	double deadline = now_s() + atof(argv[6]);
	const char *mode = argc > 8 ? argv[8] : "fin";
	int expect_loss = !strcmp(mode, "loss");
	int expect_expiry = !strcmp(mode, "expiry");
	int late = !strcmp(mode, "late");
	int expect_fin = !strcmp(mode, "fin") || late;
	int slow = !strcmp(mode, "slow");
	int use_ring = argc > 9 && !strcmp(argv[9], "ring");
	struct uring ring;
	static uint8_t buf[MAX_APDU + 1], want[MAX_APDU];
	struct pgm_receiver_stats st;
	unsigned long got = 0, lost = 0, resets = 0, skipped = 0, first_apdu = 0;
	size_t want_n = 0;
	int fd, rcvbuf = slow ? 256 << 10 : 8 << 20;
	double t_first = 0, t_last = 0;
	socklen_t len;

	fd = open_receiver(argv, rcvbuf, expect_expiry ? 2000000 : 0, use_ring ? &ring : NULL,
			   expect_fin ? 50 : 0);

	if (slow) {
		uint32_t mem[SK_MEMINFO_VARS] = {};
		socklen_t ml = sizeof(mem);
		int eff;
		socklen_t el = sizeof(eff);

		sleep(5);
		if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) ||
		    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &eff, &el))
			die("SO_MEMINFO");
		fprintf(stderr, "stalled_rmem=%u\nrcvbuf=%d\n", mem[SK_MEMINFO_RMEM_ALLOC], eff);
		/* One datagram may overshoot the limit (as on any socket). */
		if (mem[SK_MEMINFO_RMEM_ALLOC] > (uint32_t)eff + 2 * (MAX_APDU + 4096)) {
			fprintf(stderr, "e2e: receive queue grew past SO_RCVBUF\n");
			return 1;
		}
		expect_loss = 1;	/* verify with skipping, without requiring loss */
	}

	want_n = apdu(&gen, want);
	while (got + skipped + first_apdu < count ||
	       ((expect_fin || expect_expiry) && !end_reason)) {
		union pgm_from from;
		struct pgm_tsi tsi;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const uint8_t *data = buf;
		ssize_t n;
		int left = (int)((deadline - now_s()) * 1000);

		if (left <= 0) {
			fprintf(stderr, "e2e: timeout after %lu of %lu APDUs\n", got, count);
			break;
		}
		/*
		 * Expecting loss, the stream ends short: stop once the session
		 * has been quiet for longer than the NAK retries can take.
		 */
		if (expect_loss && t_last && now_s() - t_last > 8)
			break;
		if (use_ring) {
			struct pgm_ring_rec *rec = uring_wait(&ring, 500);

			if (!rec)
				continue;
			if (rec->type == PGM_REC_LOSS) {
				struct pgm_loss l;

				memcpy(&l, uring_payload(&ring, rec), sizeof(l));
				fprintf(stderr, "loss first=%u count=%u\n", l.first_sqn, l.count);
				lost += l.count;
				resets++;
				t_last = now_s();
				continue;
			}
			if (rec->type == PGM_REC_END) {
				struct pgm_session_end e;

				memcpy(&e, uring_payload(&ring, rec), sizeof(e));
				end_reason = e.reason;
				fprintf(stderr, "session_end=%u\n", e.reason);
				if (expect_expiry)
					break;
				continue;
			}
			if (rec->type == PGM_REC_SPILL) {
				n = recvmsg(fd, &msg, MSG_DONTWAIT);
				if (n < 0)
					die("recvmsg after a SPILL record");
			} else if (rec->type == PGM_REC_DATA) {
				n = rec->data_len;
				data = uring_payload(&ring, rec);
				memset(&from, 0, sizeof(from));
				from.v4.sin.sin_family = AF_INET;
				from.v4.sin.sin_port = rec->tsi.sport;
				from.v4.tsi = rec->tsi;
				msg.msg_namelen = sizeof(from.v4);
			} else {
				fprintf(stderr, "e2e: record type %u\n", rec->type);
				return 1;
			}
			goto got_apdu;
		}
		if (poll(&p, 1, 500) <= 0)
			continue;
		if (p.revents & POLLERR) {
			lost += drain_losses(fd);
			if (expect_expiry && end_reason)
				break;
			if (!(p.revents & POLLIN))
				continue;
		}
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == ECONNRESET) {
			t_last = now_s();
			resets++;
			lost += drain_losses(fd);
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0)
			die("recvmsg");
got_apdu:
		if (!t_first)
			t_first = now_s();
		t_last = now_s();
		if (msg.msg_flags & MSG_TRUNC ||
		    !from_ok(&from, msg.msg_namelen, family_of(argv[2]), &tsi)) {
			fprintf(stderr, "e2e: bad msg_name or truncation\n");
			return 1;
		}
		/* A late joiner: the stream is regenerated up to where it joined. */
		while (late && !got && ((size_t)n != want_n || memcmp(data, want, want_n)) &&
		       first_apdu < count) {
			first_apdu++;
			want_n = apdu(&gen, want);
		}
		/* After a reported loss, skip the APDUs that it swallowed. */
		while (expect_loss && ((size_t)n != want_n || memcmp(data, want, want_n)) &&
		       got + skipped < count) {
			skipped++;
			want_n = apdu(&gen, want);
		}
		if ((size_t)n != want_n || memcmp(data, want, want_n)) {
			fprintf(stderr, "e2e: APDU %lu differs (got %zd bytes, want %zu)\n",
				got, n, want_n);
			return 1;
		}
		if (fwrite(data, 1, n, stdout) != (size_t)n)
			die("stdout");
		got++;
		want_n = apdu(&gen, want);
		if (use_ring && got % 64 == 0)
			uring_release(&ring);
	}
	fflush(stdout);
	lost += drain_losses(fd);
	len = sizeof(st);
	if (getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &len))
		die("PGM_RECEIVER_STATS");
	if (use_ring) {
		struct pgm_rx_ring_stats rs;

		len = sizeof(rs);
		if (!getsockopt(fd, SOL_PGM, PGM_RX_RING_STATS, &rs, &len))
			fprintf(stderr, "ring_records=%llu\nring_wakeups=%llu\nring_full=%llu\n"
				"ring_spilled=%llu\nring_bad_consumer=%llu\n",
				(unsigned long long)rs.records, (unsigned long long)rs.wakeups,
				(unsigned long long)rs.full, (unsigned long long)rs.spilled,
				(unsigned long long)rs.bad_consumer);
	}
	fprintf(stderr,
		"received_apdus=%lu\nfirst_apdu=%lu\nskipped_apdus=%lu\nlost_sqns=%lu\nresets=%lu\n"
		"recv_seconds=%.2f\nnaks_sent=%llu\nncfs=%llu\nrdata=%llu\nodata=%llu\n"
		"duplicates=%llu\nspms=%llu\npeers=%u\nlosses=%llu\n",
		got, first_apdu, skipped, lost, resets, t_first ? now_s() - t_first : 0.0,
		(unsigned long long)st.naks_sent, (unsigned long long)st.ncfs_received,
		(unsigned long long)st.rdata_received, (unsigned long long)st.odata_received,
		(unsigned long long)st.duplicates, (unsigned long long)st.spms_received,
		st.peers, (unsigned long long)st.losses);
	fprintf(stderr, "parity_received=%llu\nparity_dropped=%llu\nparity_unused=%llu\n"
		"groups_rebuilt=%llu\nparity_naks_sent=%llu\n",
		(unsigned long long)st.parity_received, (unsigned long long)st.parity_dropped,
		(unsigned long long)st.parity_unused, (unsigned long long)st.groups_rebuilt,
		(unsigned long long)st.parity_naks_sent);
	close(fd);
	fprintf(stderr, "end_reason=%d\n", end_reason);
	if (slow)	/* every APDU either delivered exactly or covered by a loss */
		return got + skipped == count && (skipped == 0 || lost > 0) ? 0 : 1;
	if (expect_loss)
		return lost > 0 && resets > 0 ? 0 : 1;
	if (expect_expiry)
		return end_reason == PGM_END_EXPIRED && got > 0 && !lost ? 0 : 1;
	return got + first_apdu == count && !lost && end_reason == PGM_END_FIN ? 0 : 1;
}

struct session {
	struct pgm_tsi tsi;
	struct gen gen;
	uint8_t *want;
	size_t want_n;
	unsigned long got;
	int used;
};

/* The receiver's counters, for a multi receiver's log (on failure too). */
static void print_rstats(int fd)
{
	struct pgm_receiver_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &len))
		return;
	fprintf(stderr, "naks=%llu ncf=%llu rdata=%llu odata=%llu dup=%llu losses=%llu "
		"naks_deferred=%llu mem_refused=%llu sessions_refused=%llu wrong_source=%llu "
		"outside_window=%llu\n",
		(unsigned long long)st.naks_sent, (unsigned long long)st.ncfs_received,
		(unsigned long long)st.rdata_received, (unsigned long long)st.odata_received,
		(unsigned long long)st.duplicates, (unsigned long long)st.losses,
		(unsigned long long)st.naks_deferred, (unsigned long long)st.mem_refused,
		(unsigned long long)st.sessions_refused, (unsigned long long)st.wrong_source,
		(unsigned long long)st.outside_window);
}

static int do_multi(int argc, char **argv)
{
	unsigned long count = strtoul(argv[4], NULL, 0);
	unsigned long long seed = strtoull(argv[5], NULL, 0);
	double deadline = now_s() + atof(argv[6]);
	int k, nsrc = argc > 8 ? atoi(argv[8]) : 2, rcvbuf = 8 << 20, fd, done = 0;
	static uint8_t buf[MAX_APDU + 1];
	struct session ss[8];

	if (nsrc < 1 || nsrc > 8)
		return 2;
	for (k = 0; k < nsrc; k++) {
		ss[k].gen.s = (seed + k) | 1;
		ss[k].want = malloc(MAX_APDU);
		if (!ss[k].want)
			die("malloc");
		ss[k].want_n = apdu(&ss[k].gen, ss[k].want);
		ss[k].got = 0;
		ss[k].used = 0;
	}
	fd = open_receiver(argv, rcvbuf, 0, NULL, 50);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll");

	while (!done && now_s() < deadline) {
		union pgm_from from;
		struct pgm_tsi tsi;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		struct epoll_event got;
		struct session *s = NULL;
		ssize_t n;

		if (epoll_wait(ep, &got, 1, 500) <= 0)
			continue;
		if (got.events & EPOLLERR) {
			if (drain_losses(fd)) {
				fprintf(stderr, "e2e: unexpected loss\n");
				print_rstats(fd);
				return 1;
			}
		}
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			goto check;
		if (n < 0)
			die("recvmsg");
		if (!from_ok(&from, msg.msg_namelen, family_of(argv[2]), &tsi)) {
			fprintf(stderr, "e2e: bad msg_name\n");
			return 1;
		}
		for (k = 0; k < nsrc; k++)
			if (ss[k].used && !memcmp(&ss[k].tsi, &tsi, sizeof(tsi)))
				s = &ss[k];
		for (k = 0; !s && k < nsrc; k++) {
			if (!ss[k].used && (size_t)n == ss[k].want_n && !memcmp(buf, ss[k].want, n)) {
				s = &ss[k];
				s->used = 1;
				s->tsi = tsi;
			}
		}
		if (!s || (size_t)n != s->want_n || memcmp(buf, s->want, n)) {
			fprintf(stderr, "e2e: APDU of %zd bytes from port %u matches no stream\n",
				n, ntohs(tsi.sport));
			return 1;
		}
		s->got++;
		s->want_n = apdu(&s->gen, s->want);
check:
		done = 1;
		for (k = 0; k < nsrc; k++) {
			int fin = 0;

			for (int e = 0; e < nended; e++)
				fin |= ss[k].used && !memcmp(&ended[e], &ss[k].tsi, sizeof(ended[e]));
			if (ss[k].got != count || !fin)
				done = 0;
		}
	}
	for (k = 0; k < nsrc; k++)
		fprintf(stderr, "session%d_port=%u\nsession%d_apdus=%lu\n", k,
			ntohs(ss[k].tsi.sport), k, ss[k].got);
	fprintf(stderr, "sessions_ended=%d\nreceived_apdus=%lu\n", nended, done ? count : 0);
	print_rstats(fd);
	close(ep);
	close(fd);
	return done ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "send"))
		return do_send(argc, argv);
	if (argc >= 8 && !strcmp(argv[1], "recv"))
		return do_recv(argc, argv);
	if (argc >= 9 && !strcmp(argv[1], "multi"))
		return do_multi(argc, argv);
	fprintf(stderr, "usage: e2e send GROUP PORT COUNT SEED RATE [LINGER_S]\n"
			"       e2e recv GROUP PORT COUNT SEED TIMEOUT_S IFADDR [fin|late|loss|expiry|slow] [ring]\n"
			"       e2e multi GROUP PORT COUNT SEED TIMEOUT_S IFADDR NSOURCES\n");
	return 2;
}
