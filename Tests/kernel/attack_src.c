// SPDX-License-Identifier: GPL-2.0
/*
 * attack_src.c - a PGM source of pgm.ko and the memory it holds, attacked,
 * inside the test VM (issue 15, the source's items).  Each test prints its
 * figures and the bound it proves, and fails on the module that had the
 * hole:
 *
 *  nak_flood_rate        spoofed NAK lists (16 OPT_NAK_LISTs of 62 in-window
 *                        sqns each, 500/s) from another netns at a 100 kB/s source
 *                        that streams ODATA: what leaves the source stays
 *                        within rate x time + burst, repairs within half of
 *                        it, ODATA keeps at least its half, a blocking
 *                        send() never stalls, one NAK does at most 63 sqns
 *                        of work.
 *  nak_flood_unlimited   the same at a source without a rate limit: repairs
 *                        stay within one window (TXW_SQNS x MAX_TPDU) per
 *                        second.
 *  parity_nak_flood      parity NAKs (FEC) of 63 maximal requests each, in
 *                        and behind the window: what the source sends for
 *                        them stays within 63 packets per NAK (pgm(7)'s
 *                        reflection multiple), refusals counted; a source
 *                        without on-demand parity sends nothing for them.
 *  pgmcc_forged_acks     ACKs with forged PGMCC feedback at a 100 kB/s PGMCC
 *                        source: feedback naming another host is not taken;
 *                        an attacker that makes itself the acker and claims
 *                        everything opens the window but never the rate
 *                        limit, and its ACKs make the source send nothing.
 *  confirm_forged        ACKs with OPT_CONFIRM from the attacker, each with
 *                        a new RECEIVER ID, some claiming data never sent,
 *                        at a confirming source with flow control: at most
 *                        PGM_CONFIRM_MAX receivers, the rest refused and
 *                        counted, claims clamped to the lead, nothing sent
 *                        in answer; once the forged receivers fall silent
 *                        they expire and the window moves on.
 *  ring_memcg            PGM_RX_RING as uid 65534 in a memory cgroup of
 *                        64 MiB: rings past the limit fail with ENOMEM, and
 *                        the cgroup is charged for those that succeed.
 *  txw_sndbuf_memcg      1 MiB sends at multicast TTL 0 as uid 65534 in the
 *                        same cgroup: the transmit window stays within
 *                        SO_SNDBUF (set, or the default) and is charged.
 *
 * The wire is a veth pair between this test's netns (the source,
 * 10.77.1.1) and "pgm_atk" (the attacker, 10.77.1.2), which injects with a
 * raw IP-113 socket and counts what the source sends with a packet socket
 * (kernel timestamps, so a slow reader does not move packets in time).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "common.h"
#include "packets.h"

#define SRC_ADDR	"10.77.1.1"
#define ATK_ADDR	"10.77.1.2"
#define GROUP		"239.192.7.1"
#define PORT		7700
#define ATK_NETNS	"pgm_atk"
#define CGROUP		"/sys/fs/cgroup/pgm_attack_src"
#define MIB		(1024 * 1024)

/* How long the NAK floods last, and the capture's slack around them. */
#define FLOOD_S		3.0
#define SLACK_S		0.1	/* delivery and timer jitter, a tenth of a second */

static void sleep_s(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static long long read_ll(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int source_stats(int fd, struct pgm_source_stats *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	/* A module without the limits' counters gives the leading part: zeros. */
	return getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, st, &len);
}

/* ---- the flood ---------------------------------------------------------- */

struct session {
	uint8_t		gsi[6];
	uint16_t	sport;
	uint32_t	first;		/* in-window sqns: [first, first + count) */
	uint32_t	count;
	double		t0;		/* flood from t0 to t0 + FLOOD_S */
};

/* What the attacker saw the source send in [t0, t0 + FLOOD_S]. */
struct seen_bytes {
	uint64_t	odata, rdata, ncf, spm, other;	/* IP bytes */
	uint64_t	rdata_pkts, ncf_pkts;
	uint64_t	injected;			/* packets injected (NAKs or ACKs) */
	uint64_t	drops;				/* packets the capture lost */
};

static uint64_t seen_total(const struct seen_bytes *b)
{
	return b->odata + b->rdata + b->ncf + b->spm + b->other;
}

/* Upstream: ports reversed, the source's GSI; then the checksum. */
static void upstream(struct pkt *p, const struct session *s)
{
	p->b[0] = PORT >> 8;
	p->b[1] = PORT & 0xff;
	p->b[2] = s->sport >> 8;
	p->b[3] = s->sport & 0xff;
	memcpy(p->b + 8, s->gsi, 6);
	finish(p);
}

/* A NAK for @sqn with @nlists OPT_NAK_LISTs of 62 sqns from @s's window. */
static void nak_lists(struct pkt *p, const struct session *s, uint32_t sqn, int nlists,
		      unsigned int *seed)
{
	hdr(p, 0x08, 0x01 | 0x02, 0);	/* options present, network-significant */
	put32(p, sqn);
	nla4(p, ntohl(inet_addr(SRC_ADDR)));
	nla4(p, ntohl(inet_addr(GROUP)));
	put8(p, 0x00); put8(p, 4); put16(p, 4 + nlists * (4 + 4 * 62));	/* OPT_LENGTH */
	for (int l = 0; l < nlists; l++) {
		put8(p, 0x02 | (l == nlists - 1 ? 0x80 : 0));	/* OPT_NAK_LIST */
		put8(p, 4 + 4 * 62);
		put16(p, 0);
		for (int k = 0; k < 62; k++)
			put32(p, s->first + rand_r(seed) % s->count);
	}
	upstream(p, s);
}

/*
 * A PGMCC ACK (draft section 2.1.3) for RX_MAX @rx_max, every bit of the
 * bitmap set, with OPT_PGMCC_FEEDBACK naming @who: timestamp 0, loss 0.
 */
static void pgmcc_ack(struct pkt *p, const struct session *s, uint32_t rx_max, const char *who)
{
	hdr(p, 0x0d, 0x01, 0);
	put32(p, rx_max);
	put32(p, 0xffffffff);
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 16);	/* OPT_LENGTH */
	put8(p, 0x13 | 0x80); put8(p, 16); put16(p, 0);	/* OPT_PGMCC_FEEDBACK */
	put32(p, 0);
	put16(p, 1);
	put16(p, 0);					/* loss rate */
	put32(p, ntohl(inet_addr(who)));
	upstream(p, s);
}

/* What the attacker injects: a NAK with @arg lists, or an ACK (forge_ack). */
typedef void (*forge_fn)(struct pkt *p, const struct session *s, int arg, unsigned int *seed);

static void forge_nak(struct pkt *p, const struct session *s, int nlists, unsigned int *seed)
{
	nak_lists(p, s, s->first + rand_r(seed) % s->count, nlists, seed);
}

/*
 * ACKs that claim everything up to a RX_MAX 40 beyond the source's lead
 * moves on: naming the attacker (@foreign 0), whose feedback is taken, or
 * another host (1), whose is not.
 */
static void forge_ack(struct pkt *p, const struct session *s, int foreign, unsigned int *seed)
{
	static uint32_t k;

	(void)seed;
	pgmcc_ack(p, s, s->first + 40 * ++k, foreign ? "10.77.1.99" : ATK_ADDR);
}

/*
 * An ACK with OPT_CONFIRM (docs/confirmed-delivery.md) from a receiver the
 * attacker makes up: a new RECEIVER ID each time; every third claims
 * everything up to far beyond the lead, the others nothing (@s->first - 1),
 * which would hold a flow-controlled window for as long as they lived.
 */
static void forge_confirm(struct pkt *p, const struct session *s, int arg, unsigned int *seed)
{
	static uint32_t k;
	uint32_t confirmed = ++k % 3 ? s->first - 1 : s->first + 1000000;

	(void)arg;
	(void)seed;
	hdr(p, 0x0d, 0x01, 0);
	put32(p, confirmed);
	put32(p, 0);
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 12);	/* OPT_LENGTH */
	put8(p, 0x21 | 0x80); put8(p, 12); put8(p, 0); put8(p, k == 1 ? 0x01 : 0);
	put32(p, confirmed);
	put32(p, 0x5eed0000 + k);
	upstream(p, s);
}

/* Count one captured packet from the source, by PGM type. */
static void count_pkt(struct seen_bytes *b, const uint8_t *ip, size_t n)
{
	size_t ihl = (ip[0] & 0x0f) * 4;
	uint64_t len = ip[2] << 8 | ip[3];

	if (n < ihl + 16 || ip[9] != IPPROTO_PGM || memcmp(ip + 12, &(in_addr_t){ inet_addr(SRC_ADDR) }, 4))
		return;
	switch (ip[ihl + 4]) {
	case 0x04: b->odata += len; break;
	case 0x05: b->rdata += len; b->rdata_pkts++; break;
	case 0x0a: b->ncf += len; b->ncf_pkts++; break;
	case 0x00: b->spm += len; break;
	default: b->other += len; break;
	}
}

/*
 * Drain the capture: packets the source sent (kernel receive time, moved
 * from CLOCK_REALTIME to CLOCK_MONOTONIC by @off) inside the flood count.
 */
static void drain_capture(int cap, const struct session *s, double off, struct seen_bytes *b)
{
	static uint8_t buf[70000];
	char cbuf[256];

	for (;;) {
		struct sockaddr_ll sll;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(cap, &m, MSG_DONTWAIT);
		double t = -1;

		if (n < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				t = ts.tv_sec + ts.tv_nsec / 1e9 - off;
			}
		if (t >= s->t0 && t <= s->t0 + FLOOD_S)
			count_pkt(b, buf, n);
	}
}

/*
 * The attacker, in netns pgm_atk: capture what the source sends, and from
 * t0 on, for FLOOD_S, one packet @forge makes of @arg every @gap_s seconds.
 */
static int attacker(const struct session *s, forge_fn forge, int arg, double gap_s,
		    struct seen_bytes *b)
{
	int ns = open("/run/netns/" ATK_NETNS, O_RDONLY), cap, raw, one = 1, big = 64 * MIB;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct sockaddr_in to = sin4(SRC_ADDR, 0);
	struct tpacket_stats ps;
	socklen_t pl = sizeof(ps);
	struct timespec rt, mt;
	unsigned int seed = 12345;
	static struct pkt p;
	double off, next;

	if (ns < 0 || setns(ns, CLONE_NEWNET))
		return -1;
	close(ns);
	cap = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_PGM);
	ll.sll_ifindex = if_nametoindex("vb");
	if (cap < 0 || raw < 0 || bind(cap, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(cap, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		return -1;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	off = (rt.tv_sec - mt.tv_sec) + (rt.tv_nsec - mt.tv_nsec) / 1e9;
	getsockopt(cap, SOL_PACKET, PACKET_STATISTICS, &ps, &pl);	/* resets them */

	while (now_s() < s->t0)
		drain_capture(cap, s, off, b);
	for (next = s->t0; now_s() < s->t0 + FLOOD_S; next += gap_s) {
		forge(&p, s, arg, &seed);
		if (sendto(raw, p.b, p.len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)p.len)
			b->injected++;
		drain_capture(cap, s, off, b);
		while (now_s() < next + gap_s) {
			struct pollfd pf = { .fd = cap, .events = POLLIN };

			poll(&pf, 1, 1);
			drain_capture(cap, s, off, b);
		}
	}
	/* What arrived in the flood but is still queued. */
	for (double end = now_s() + 0.5; now_s() < end;) {
		struct pollfd pf = { .fd = cap, .events = POLLIN };

		poll(&pf, 1, 20);
		drain_capture(cap, s, off, b);
	}
	pl = sizeof(ps);
	if (!getsockopt(cap, SOL_PACKET, PACKET_STATISTICS, &ps, &pl))
		b->drops = ps.tp_drops;
	close(cap);
	close(raw);
	return 0;
}

/* Run the attacker in a child; its figures come back through a pipe. */
static int run_attacker(const struct session *s, forge_fn forge, int arg, double gap_s,
			pid_t *pid, int *rfd)
{
	int pfd[2];

	if (pipe(pfd))
		return -1;
	*pid = fork();
	if (*pid == 0) {
		struct seen_bytes b = {};

		close(pfd[0]);
		if (attacker(s, forge, arg, gap_s, &b))
			_exit(1);
		_exit(write(pfd[1], &b, sizeof(b)) == sizeof(b) ? 0 : 1);
	}
	close(pfd[1]);
	*rfd = pfd[0];
	return 0;
}

static int attacker_result(pid_t pid, int rfd, struct seen_bytes *b)
{
	int status = 0, ok = read(rfd, b, sizeof(*b)) == sizeof(*b);

	close(rfd);
	waitpid(pid, &status, 0);
	return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * A source connected to GROUP from SRC_ADDR, multicast loop off; PGMCC with
 * @cc; options set on @fd before (a new socket when -1).
 */
static int flood_source_fd(int fd, struct session *s, uint32_t txw_sqns, int cc)
{
	struct sockaddr_in g = sin4(GROUP, PORT), a = sin4(SRC_ADDR, 0), local;
	struct pgm_tsi tsi;
	socklen_t len = sizeof(tsi);
	int off = 0;

	if (fd < 0)
		fd = pgm_socket();
	if (fd < 0 || set_u32(fd, PGM_TXW_SQNS, txw_sqns) || set_u32(fd, PGM_TXW_MAX_RTE, 0) ||
	    setsockopt(fd, SOL_PGM, PGM_PGMCC, &cc, sizeof(cc)) ||
	    setsockopt(fd, SOL_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    connect(fd, (struct sockaddr *)&g, sizeof(g)) ||
	    getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &len))
		return -1;
	len = sizeof(local);
	getsockname(fd, (struct sockaddr *)&local, &len);
	memcpy(s->gsi, tsi.gsi, 6);
	s->sport = ntohs(tsi.sport);
	return fd;
}

static int flood_source(struct session *s, uint32_t txw_sqns, int cc)
{
	return flood_source_fd(-1, s, txw_sqns, cc);
}

/* Fill the window with @n ODATA of 1000 bytes, at no rate limit. */
static int prefill(int fd, struct session *s, uint32_t n)
{
	static char data[1000];
	struct pgm_source_stats st;

	for (uint32_t i = 0; i < n; i++)
		if (send(fd, data, sizeof(data), 0) != sizeof(data))
			return -1;
	if (source_stats(fd, &st))
		return -1;
	s->first = st.txw_trail;
	s->count = st.txw_lead - st.txw_trail + 1;
	return 0;
}

/* The sender of nak_flood_rate: blocking 1000-byte sends until told to stop. */
struct sender {
	int		fd;
	double		t0, until;
	double		max_stall;	/* longest send(), seconds */
	uint64_t	sent, failed;
};

static void *sender_main(void *arg)
{
	struct sender *w = arg;
	static char data[1000];

	while (now_s() < w->t0)
		sleep_s(0.001);
	while (now_s() < w->until) {
		double t = now_s(), d;

		if (send(w->fd, data, sizeof(data), 0) == sizeof(data))
			w->sent++;
		else
			w->failed++;
		d = now_s() - t;
		if (d > w->max_stall)
			w->max_stall = d;
	}
	return NULL;
}

/*
 * A flood of @forge's packets from 1 s from now for FLOOD_S, while a
 * blocking sender streams from @fd; what the attacker saw in @b, the
 * sender's figures in @w.
 */
static int flood_while_sending(struct session *s, forge_fn forge, int arg, int fd,
			       struct sender *w, struct seen_bytes *b)
{
	pthread_t th;
	pid_t pid;
	int rfd;

	memset(b, 0, sizeof(*b));
	memset(w, 0, sizeof(*w));
	s->t0 = now_s() + 1.0;	/* the attacker's capture is up by then */
	if (run_attacker(s, forge, arg, 0.002, &pid, &rfd))
		return -1;
	w->fd = fd;
	w->t0 = s->t0;
	w->until = s->t0 + FLOOD_S;
	pthread_create(&th, NULL, sender_main, w);
	pthread_join(th, NULL);
	return attacker_result(pid, rfd, b);
}

static void print_flood(const char *what, const struct seen_bytes *b, const struct pgm_source_stats *st)
{
	printf("    %s: on the wire in %.1f s: total %llu B (ODATA %llu, RDATA %llu in %llu, NCF %llu in %llu,"
	       " SPM %llu); %llu packets injected, %llu capture drops\n", what, FLOOD_S,
	       (unsigned long long)seen_total(b), (unsigned long long)b->odata,
	       (unsigned long long)b->rdata, (unsigned long long)b->rdata_pkts,
	       (unsigned long long)b->ncf, (unsigned long long)b->ncf_pkts,
	       (unsigned long long)b->spm, (unsigned long long)b->injected,
	       (unsigned long long)b->drops);
	printf("    %s: source counters: naks_received %llu ignored %llu pending %llu lists_ignored %llu;"
	       " rdata_sent %llu (%llu B) deferred %llu unsent %llu queued %llu; ncf_sent %llu dropped %llu;"
	       " spm_deferred %llu rate_limited %llu\n", what,
	       (unsigned long long)st->naks_received, (unsigned long long)st->naks_ignored,
	       (unsigned long long)st->naks_pending, (unsigned long long)st->nak_lists_ignored,
	       (unsigned long long)st->rdata_sent, (unsigned long long)st->rdata_bytes_sent,
	       (unsigned long long)st->rdata_deferred, (unsigned long long)st->rdata_unsent,
	       (unsigned long long)st->rdata_queued, (unsigned long long)st->ncf_sent,
	       (unsigned long long)st->ncf_dropped, (unsigned long long)st->spm_deferred,
	       (unsigned long long)st->rate_limited);
}

/*
 * Item 4: NAK lists at a 100 kB/s source that streams ODATA.  Bounds, with
 * R the rate, B its burst (max(R / 100, 4 * MAX_TPDU) = 6000) and
 * T = FLOOD_S, S = SLACK_S:
 *  - everything the source sends:  <= R * (T + S) + B
 *  - repairs (RDATA and NCF):       <= R / 2 * (T + S) + 2 * B (the repair
 *    bucket's burst, and the main bucket's before a send() first waits)
 *  - ODATA:                         >= R / 4 * T: half of its half, the
 *    rest for a sender kept off the CPU by a loaded emulator (then the
 *    bucket overflows and nobody gets those tokens: the total says how much)
 *  - the longest blocking send():   <= 12 * B / (R / 2): a send waits for
 *    at most B tokens at its share of the rate, 0.12 s, twelve times over
 *    for the emulator's scheduling
 *  - work per NAK:                  sqns asked <= 63 per NAK packet
 */
static void nak_flood_rate(void)
{
	const uint32_t rate = 100000, burst = 4 * PGM_DEFAULT_MAX_TPDU;
	struct session s = {};
	struct seen_bytes b = {};
	struct pgm_source_stats st;
	struct sender w = {};
	struct timeval tmo = { 3, 0 };	/* a stall shows as a 3 s send, not a hang */
	int fd = flood_source(&s, PGM_DEFAULT_TXW_SQNS, 0);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(prefill(fd, &s, 2000));
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, rate));
	CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)));
	CHECK_OK(flood_while_sending(&s, forge_nak, 16, fd, &w, &b));
	CHECK_OK(source_stats(fd, &st));
	print_flood("100 kB/s", &b, &st);
	{
		double total_max = rate * (FLOOD_S + SLACK_S) + burst;
		double repair_max = rate / 2.0 * (FLOOD_S + SLACK_S) + 2.0 * burst;
		double odata_min = rate / 4.0 * FLOOD_S;
		double stall_max = 12.0 * burst / (rate / 2.0);

		printf("    bounds: total <= %.0f B (used %.0f%% of rate x time), repairs <= %.0f B,"
		       " ODATA >= %.0f B, send() <= %.3f s"
		       " (longest %.3f s, %llu sends, %llu failed), sqns per NAK <= 63 (%.1f)\n",
		       total_max, 100.0 * seen_total(&b) / (rate * FLOOD_S), repair_max, odata_min,
		       stall_max, w.max_stall,
		       (unsigned long long)w.sent, (unsigned long long)w.failed,
		       b.injected ? (double)st.naks_received / b.injected : 0.0);
		CHECK(b.rdata_pkts > 0);	/* the flood reached the source */
		CHECK(seen_total(&b) <= total_max);
		CHECK(b.rdata + b.ncf <= repair_max);
		CHECK(b.odata >= odata_min);
		CHECK(w.max_stall <= stall_max);
		CHECK_EQ(w.failed, 0);
		CHECK(st.naks_received <= 63 * b.injected);
		/* Each NAK that arrived: 63 sqns counted, 15 lists ignored. */
		CHECK(st.nak_lists_ignored > 0);
		CHECK_EQ(st.nak_lists_ignored * 63, st.naks_received * 15);
		CHECK(st.rdata_deferred > 0);
	}
	close(fd);
}

/*
 * PGMCC (draft-ietf-rmt-bb-pgmcc-03; docs/pgmcc.md, "Hostile receivers"):
 * a receiver may make itself the acker and open the window as wide as it
 * likes, but never past the rate limit, and ACKs make the source send
 * nothing of their own.  Feedback naming another host than the packet's
 * IP source is not taken.  At a 100 kB/s PGMCC source (R, B as above):
 *  - forged ACKs naming 10.77.1.99 from the attacker, 500/s for FLOOD_S,
 *    while a blocking sender tries: all counted feedback_foreign, no
 *    acker, no token from them: ODATA only on the first token and the one
 *    each PGMCC timeout gives (W = T = 1, section 2.7);
 *  - ACKs naming the attacker, each claiming 40 packets past the last,
 *    while a blocking sender streams: one acker change, every ACK that
 *    arrived counted, the total on the wire <= R * (T + S) + B, no RDATA
 *    or NCF, and ODATA >= R / 4 * T (the window the acker opens is used).
 */
static void pgmcc_forged_acks(void)
{
	const uint32_t rate = 100000, burst = 4 * PGM_DEFAULT_MAX_TPDU;
	struct timeval tmo = { 3, 0 };
	struct session s = {};
	struct seen_bytes b = {};
	struct pgm_source_stats st;
	struct sender w = {};
	static char data[1000];
	int fd = flood_source(&s, PGM_DEFAULT_TXW_SQNS, 1);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(set_u32(fd, PGM_TXW_MAX_RTE, rate));
	CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)));
	CHECK_EQ(send(fd, data, sizeof(data), MSG_DONTWAIT), (ssize_t)sizeof(data));
	CHECK_OK(source_stats(fd, &st));
	s.first = st.txw_lead;
	s.count = 1;

	CHECK_OK(flood_while_sending(&s, forge_ack, 1, fd, &w, &b));
	CHECK_OK(source_stats(fd, &st));
	printf("    foreign: %llu ACKs injected; feedback_foreign %llu, acks_received %llu,"
	       " acker_changes %llu, odata_sent %llu, cc_timeouts %llu; on the wire ODATA %llu B,"
	       " RDATA %llu B, NCF %llu B, other %llu B\n",
	       (unsigned long long)b.injected, (unsigned long long)st.feedback_foreign,
	       (unsigned long long)st.acks_received, (unsigned long long)st.acker_changes,
	       (unsigned long long)st.odata_sent, (unsigned long long)st.cc_timeouts,
	       (unsigned long long)b.odata, (unsigned long long)b.rdata,
	       (unsigned long long)b.ncf, (unsigned long long)b.other);
	CHECK(st.feedback_foreign > 0);
	CHECK(st.feedback_foreign <= b.injected);
	CHECK_EQ(st.acks_received, 0);
	CHECK_EQ(st.acker_changes, 0);
	/* The first ODATA's token, and one per timeout (W = T = 1): none from the ACKs. */
	CHECK(st.odata_sent <= 1 + st.cc_timeouts);
	CHECK_EQ(b.rdata + b.ncf + b.other, 0);

	CHECK_OK(flood_while_sending(&s, forge_ack, 0, fd, &w, &b));
	CHECK_OK(source_stats(fd, &st));
	print_flood("PGMCC acker", &b, &st);
	{
		double total_max = rate * (FLOOD_S + SLACK_S) + burst;
		double odata_min = rate / 4.0 * FLOOD_S;

		printf("    PGMCC acker: acks_received %llu of %llu injected, acker_changes %llu,"
		       " window %.1f packets; total <= %.0f B (used %.0f%% of rate x time),"
		       " ODATA >= %.0f B; %llu sends, %llu failed\n",
		       (unsigned long long)st.acks_received, (unsigned long long)b.injected,
		       (unsigned long long)st.acker_changes, st.cc_window / 65536.0, total_max,
		       100.0 * seen_total(&b) / (rate * FLOOD_S), odata_min,
		       (unsigned long long)w.sent, (unsigned long long)w.failed);
		CHECK(st.acks_received > 0);
		CHECK(st.acks_received <= b.injected);
		CHECK_EQ(st.acker_changes, 1);
		CHECK(seen_total(&b) <= total_max);
		CHECK_EQ(b.rdata + b.ncf, 0);
		CHECK(b.odata >= odata_min);
		CHECK_EQ(w.failed, 0);
	}
	close(fd);
}

/*
 * Item 4 without a rate limit: repairs take at most one window per second,
 * TXW_SQNS * MAX_TPDU bytes/s (64 * 1500 here), plus that bucket's burst
 * (max(rate / 100, 4 * MAX_TPDU) = 6000).
 */
/*
 * Confirmed delivery (S2, S4, S5, S8 of docs/confirmed-delivery.md) against
 * made-up receivers: a 64-sqn flow-controlled window, PGM_CONFIRM_MAX 64,
 * a 1 s expiry.  Every forged ACK is taken as a join or refused and
 * counted, never more than 64 live; claims beyond the lead are clamped;
 * the source sends nothing in answer (no RDATA, NCF or ACK of its own);
 * after the flood the forged receivers expire and the window, held at
 * their CONFIRMED + 1 meanwhile, takes a window's worth of data at once.
 */
static void confirm_forged(void)
{
	struct session s = {};
	struct seen_bytes b = {};
	struct pgm_source_stats st;
	struct pgm_confirmed c;
	socklen_t cl = sizeof(c);
	static char data[1000];
	int fd = pgm_socket(), on = 1, max = 64, expiry = 1000, rfd, i;
	pid_t pid;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM, &on, sizeof(on)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &on, sizeof(on)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_MAX, &max, sizeof(max)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_CONFIRM_EXPIRY, &expiry, sizeof(expiry)));
	fd = flood_source_fd(fd, &s, 64, 0);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(send(fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	CHECK_OK(source_stats(fd, &st));
	s.first = st.txw_lead;
	s.count = 1;
	s.t0 = now_s() + 1.0;
	CHECK_OK(run_attacker(&s, forge_confirm, 0, 0.002, &pid, &rfd));
	CHECK_OK(attacker_result(pid, rfd, &b));
	CHECK_OK(source_stats(fd, &st));
	printf("    confirm_forged: %llu ACKs injected; confirm_acks %llu, joins %llu, refused %llu,"
	       " future %llu, expired %llu, live %u (max %d); on the wire RDATA %llu B, NCF %llu B,"
	       " other %llu B\n",
	       (unsigned long long)b.injected, (unsigned long long)st.confirm_acks,
	       (unsigned long long)st.confirm_joins, (unsigned long long)st.confirm_refused,
	       (unsigned long long)st.confirm_future, (unsigned long long)st.confirm_expired,
	       st.confirm_receivers, max, (unsigned long long)b.rdata, (unsigned long long)b.ncf,
	       (unsigned long long)b.other);
	CHECK(st.confirm_acks > 0);
	CHECK(st.confirm_acks <= b.injected);
	/* Every forged ACK a new receiver: joined or refused, nothing else. */
	CHECK_EQ(st.confirm_joins + st.confirm_refused, st.confirm_acks);
	CHECK(st.confirm_refused > 0);
	CHECK(st.confirm_receivers <= (uint32_t)max);
	CHECK(st.confirm_future > 0);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl));
	CHECK_EQ(c.refused, st.confirm_refused);
	CHECK(!(c.flags & PGM_CONFIRMED_VALID) || c.sqn == s.first - 1 || c.sqn == s.first);
	CHECK_EQ(b.rdata + b.ncf + b.other, 0);
	/* Silent now: they expire (1 s), and nothing holds the window. */
	sleep_s(2.5);
	CHECK_OK(source_stats(fd, &st));
	CHECK_EQ(st.confirm_receivers, 0);
	CHECK_EQ(st.confirm_expired, st.confirm_joins);
	for (i = 0; i < 100; i++)
		CHECK_EQ(send(fd, data, sizeof(data), MSG_DONTWAIT), (ssize_t)sizeof(data));
	close(fd);
}

static void nak_flood_unlimited(void)
{
	const uint32_t sqns = 64, burst = 4 * PGM_DEFAULT_MAX_TPDU;
	const double rrate = (double)sqns * PGM_DEFAULT_MAX_TPDU;
	struct session s = {};
	struct seen_bytes b = {};
	struct pgm_source_stats st;
	pid_t pid;
	int fd = flood_source(&s, sqns, 0), rfd;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(prefill(fd, &s, sqns));
	s.t0 = now_s() + 1.0;
	CHECK_OK(run_attacker(&s, forge_nak, 16, 0.002, &pid, &rfd));
	CHECK_OK(attacker_result(pid, rfd, &b));
	CHECK_OK(source_stats(fd, &st));
	print_flood("no rate limit", &b, &st);
	{
		double repair_max = rrate * (FLOOD_S + SLACK_S) + burst;

		printf("    bound: repairs <= %.0f B (one window, %u x %u B, per second)\n",
		       repair_max, sqns, PGM_DEFAULT_MAX_TPDU);
		CHECK(b.rdata_pkts > 0);
		CHECK(b.rdata + b.ncf <= repair_max);
		CHECK(st.naks_received <= 63 * b.injected);
	}
	close(fd);
}

/* ---- FEC: parity NAKs (RFC 3208 section 11.3) --------------------------- */

/*
 * A parity NAK (OPT_PARITY in the header) asking for @n requests: the
 * first in the header, the others in one OPT_NAK_LIST.  Each request is
 * TG_SQN | (count - 1).
 */
static void parity_nak(struct pkt *p, const struct session *s, const uint32_t *req, int n)
{
	hdr(p, 0x08, 0x80 | 0x01 | 0x02, 0);	/* parity, options present, network-significant */
	put32(p, req[0]);
	nla4(p, ntohl(inet_addr(SRC_ADDR)));
	nla4(p, ntohl(inet_addr(GROUP)));
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 4 + 4 * (n - 1));	/* OPT_LENGTH */
	put8(p, 0x02 | 0x80);	/* OPT_NAK_LIST, the last option */
	put8(p, 4 + 4 * (n - 1));
	put16(p, 0);
	for (int k = 1; k < n; k++)
		put32(p, req[k]);
	upstream(p, s);
}

/* A source with FEC @f, connected as flood_source() does. */
static int fec_source(struct session *s, uint32_t txw_sqns, const struct pgm_fec *f)
{
	struct sockaddr_in g = sin4(GROUP, PORT), a = sin4(SRC_ADDR, 0);
	struct pgm_tsi tsi;
	socklen_t len = sizeof(tsi);
	int fd = pgm_socket(), off = 0;

	if (fd < 0 || set_u32(fd, PGM_TXW_SQNS, txw_sqns) || set_u32(fd, PGM_TXW_MAX_RTE, 0) ||
	    set_u32(fd, PGM_RDATA_LINGER_IVL, 0) ||
	    setsockopt(fd, SOL_PGM, PGM_FEC, f, sizeof(*f)) ||
	    setsockopt(fd, SOL_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    connect(fd, (struct sockaddr *)&g, sizeof(g)) ||
	    getsockopt(fd, SOL_PGM, PGM_TSI, &tsi, &len))
		return -1;
	memcpy(s->gsi, tsi.gsi, 6);
	s->sport = ntohs(tsi.sport);
	return fd;
}

/*
 * @naks parity NAKs from the attacker's netns, @gap_s apart, each of 63
 * requests for k packets (the most a count says) of groups of k: the
 * window's whole groups in turn, and one in three a group behind the
 * trail.  0 when they were all sent.
 */
static int parity_flood(const struct session *s, unsigned int k, int naks, double gap_s)
{
	int ns = open("/run/netns/" ATK_NETNS, O_RDONLY), raw;
	struct sockaddr_in to = sin4(SRC_ADDR, 0);
	uint32_t g0 = (s->first + k - 1) & ~(k - 1), req[PGM_NAK_SQNS_MAX];
	uint32_t groups = (s->first + s->count - g0) / k, next = 0;
	static struct pkt p;
	int sent = 0;

	if (ns < 0 || setns(ns, CLONE_NEWNET))
		return -1;
	close(ns);
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_PGM);
	if (raw < 0 || !groups)
		return -1;
	for (int i = 0; i < naks; i++) {
		for (int r = 0; r < PGM_NAK_SQNS_MAX; r++) {
			uint32_t g = r % 3 == 2 ? g0 - k * (1 + r) : g0 + k * (next++ % groups);

			req[r] = g | (k - 1);
		}
		parity_nak(&p, s, req, PGM_NAK_SQNS_MAX);
		if (sendto(raw, p.b, p.len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)p.len)
			sent++;
		sleep_s(gap_s);
	}
	close(raw);
	return sent == naks ? 0 : -1;
}

static int run_parity_flood(const struct session *s, unsigned int k, int naks, double gap_s)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(parity_flood(s, k, naks, gap_s) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * Parity NAKs (RFC 3208 section 11.3) asking for as much as they can: 63
 * requests of k = 64 packets each, groups in the window and behind it.
 * Without a bound one such NAK would make the source owe 63 x 64 parity
 * packets; the bound is pgm(7)'s reflection multiple, PGM_NAK_SQNS_MAX
 * packets (parity, or originals when a group's parity numbers run out)
 * per NAK.  The repair bucket (one window per second) is far from limiting
 * here: each NAK's packets leave before the next NAK.  Then a source with
 * proactive parity only: every parity NAK refused, nothing sent for it.
 * Everything counted.
 */
static void parity_nak_flood(void)
{
	const struct pgm_fec ondemand = { .n = 255, .k = 64, .proactive = 0, .flags = PGM_FEC_ONDEMAND };
	const struct pgm_fec proactive = { .n = 12, .k = 8, .proactive = 2, .flags = 0 };
	const int naks = 20;
	struct pgm_source_stats st;
	struct session s = {};
	uint64_t out, in;
	int fd = fec_source(&s, PGM_DEFAULT_TXW_SQNS, &ondemand);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(prefill(fd, &s, 1024));
	CHECK_OK(run_parity_flood(&s, 64, naks, 0.05));
	sleep_s(0.5);
	CHECK_OK(source_stats(fd, &st));
	out = st.parity_sent_ondemand + st.rdata_sent;
	in = st.parity_naks_received / PGM_NAK_SQNS_MAX;
	printf("    on-demand, k = 64: %llu parity NAKs of 63 requests arrived (%llu requests,"
	       " %llu refused); out: %llu parity RDATA, %llu RDATA (%llu groups by originals),"
	       " %llu NCFs; bound %llu packets (63 per NAK)\n",
	       (unsigned long long)in, (unsigned long long)st.parity_naks_received,
	       (unsigned long long)st.parity_naks_refused,
	       (unsigned long long)st.parity_sent_ondemand, (unsigned long long)st.rdata_sent,
	       (unsigned long long)st.parity_by_originals, (unsigned long long)st.ncf_sent,
	       (unsigned long long)(PGM_NAK_SQNS_MAX * in));
	CHECK_EQ(st.parity_naks_received % PGM_NAK_SQNS_MAX, 0);
	CHECK(in > 0 && in <= (uint64_t)naks);
	CHECK(out <= PGM_NAK_SQNS_MAX * in);
	/* The NAKs did reach the source and were answered up to the bound. */
	CHECK(out >= PGM_NAK_SQNS_MAX * in / 2);
	/* A third of the requests are behind the trail, refused; the others past the bound too. */
	CHECK(st.parity_naks_refused >= st.parity_naks_received / 3);
	CHECK(st.ncf_sent <= in);
	CHECK_EQ(st.naks_received, 0);	/* selective NAKs: none */
	close(fd);

	memset(&s, 0, sizeof(s));
	fd = fec_source(&s, 1024, &proactive);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_OK(prefill(fd, &s, 256));
	CHECK_OK(run_parity_flood(&s, 8, naks, 0.01));
	sleep_s(0.2);
	CHECK_OK(source_stats(fd, &st));
	printf("    proactive only, k = 8: %llu parity NAK requests, %llu refused; %llu proactive parity;"
	       " out for them: %llu parity RDATA, %llu RDATA, %llu NCFs\n",
	       (unsigned long long)st.parity_naks_received, (unsigned long long)st.parity_naks_refused,
	       (unsigned long long)st.parity_sent_proactive,
	       (unsigned long long)st.parity_sent_ondemand, (unsigned long long)st.rdata_sent,
	       (unsigned long long)st.ncf_sent);
	CHECK_EQ(st.parity_naks_received, (uint64_t)naks * PGM_NAK_SQNS_MAX);
	CHECK_EQ(st.parity_naks_refused, st.parity_naks_received);
	CHECK_EQ(st.parity_sent_ondemand, 0);
	CHECK_EQ(st.rdata_sent, 0);
	CHECK_EQ(st.ncf_sent, 0);
	CHECK(st.parity_sent_proactive >= 2 * (256 / 8 - 1));
	close(fd);
}

/* ---- memory: a cgroup of 64 MiB, uid 65534 ------------------------------ */

/* A memory cgroup of @max bytes for the tests' children; 0 on success. */
static int cgroup_setup(const char *max)
{
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		return -1;
	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		return -2;
	if (mkdir(CGROUP, 0755) && errno != EEXIST)
		return -3;
	if (write_file(CGROUP "/memory.max", max))
		return -4;
	write_file(CGROUP "/memory.swap.max", "0");	/* absent without swap accounting */
	return 0;
}

/*
 * Fork a child that joins the cgroup and becomes nobody, then runs @fn
 * with a pipe to report through and one to wait on.
 */
struct child {
	pid_t	pid;
	int	report;		/* parent reads */
	int	go;		/* parent writes: the child may exit */
};

static int spawn_in_cgroup(struct child *c, void (*fn)(int report, int go))
{
	int rp[2], gp[2];

	if (pipe(rp) || pipe(gp))
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		char pid[32];

		close(rp[0]);
		close(gp[1]);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(CGROUP "/cgroup.procs", pid) ||
		    setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		fn(rp[1], gp[0]);
		_exit(0);
	}
	close(rp[1]);
	close(gp[0]);
	c->report = rp[0];
	c->go = gp[1];
	return 0;
}

static int child_end(struct child *c)
{
	int status = 0;
	char x = 1;

	if (write(c->go, &x, 1) != 1)
		kill(c->pid, SIGKILL);
	close(c->go);
	close(c->report);
	waitpid(c->pid, &status, 0);
	return status;
}

#define RINGS		8
#define RING_SIZE	(16 * MIB)

struct ring_report {
	int	ok, enomem, other, mapped;
};

/* In the cgroup, as nobody: RINGS rings of RING_SIZE, kept until told. */
static void ring_child(int report, int go)
{
	struct ring_report r = {};
	int fds[RINGS];
	char x;

	for (int i = 0; i < RINGS; i++) {
		struct pgm_rx_ring req = { .size = RING_SIZE };

		fds[i] = pgm_socket();
		if (!setsockopt(fds[i], SOL_PGM, PGM_RX_RING, &req, sizeof(req))) {
			struct pgm_rx_ring g;
			socklen_t len = sizeof(g);
			void *m;

			r.ok++;
			/* The mapping still works: the control page says the size. */
			if (!getsockopt(fds[i], SOL_PGM, PGM_RX_RING, &g, &len)) {
				m = mmap(NULL, g.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
				if (m != MAP_FAILED) {
					if (((struct pgm_ring_ctrl *)m)->size == RING_SIZE)
						r.mapped++;
					munmap(m, g.mmap_len);
				}
			}
		} else if (errno == ENOMEM) {
			r.enomem++;
		} else {
			r.other++;
		}
	}
	if (write(report, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	if (read(go, &x, 1) < 0)
		_exit(1);
	for (int i = 0; i < RINGS; i++)
		close(fds[i]);
}

/*
 * Item 5, rings: memory.max 64 MiB; RINGS rings of 16 MiB as nobody.
 * Bound: the rings that succeed fit the cgroup (memory.current holds
 * them: >= ok * 16 MiB), the others fail with ENOMEM, at least one fails.
 */
static void ring_memcg(void)
{
	struct ring_report r = {};
	struct child c;
	long long before, during;

	CHECK_EQ(cgroup_setup("64M"), 0);
	before = read_ll(CGROUP "/memory.current");
	CHECK_OK(spawn_in_cgroup(&c, ring_child));
	CHECK_EQ(read(c.report, &r, sizeof(r)), sizeof(r));
	during = read_ll(CGROUP "/memory.current");
	printf("    %d rings of 16 MiB as uid 65534 in a 64 MiB cgroup: %d made (%d mapped), %d ENOMEM,"
	       " %d other errors; memory.current %lld -> %lld bytes\n",
	       RINGS, r.ok, r.mapped, r.enomem, r.other, before, during);
	CHECK_EQ(child_end(&c), 0);
	CHECK(r.ok >= 1);
	CHECK(r.ok < RINGS);
	CHECK_EQ(r.ok + r.enomem, RINGS);
	CHECK_EQ(r.mapped, r.ok);
	CHECK(during >= (long long)r.ok * RING_SIZE);
}

struct txw_report {
	int		emsgsize_1m;	/* a 1 MiB send with SO_SNDBUF set */
	int		sends, failed, err;
	uint32_t	sndbuf;		/* SO_SNDBUF as the socket has it */
	uint32_t	held_sqns;	/* from the window's edges */
	uint64_t	held_data;	/* bytes of APDUs in the window (from its edges) */
	uint64_t	wmem_queued;	/* SO_MEMINFO */
	uint64_t	txw_mem;
};

/* One case: SO_SNDBUF (0: not set), MAX_TPDU, APDU size and how many. */
struct txw_params {
	const char	*what;
	int		sndbuf;
	uint32_t	tpdu;
	int		apdu, sends;
};

static const struct txw_params *txw_p;	/* for the child (set before fork) */

/*
 * In the cgroup, as nobody: a source at multicast TTL 0 (nothing leaves the
 * host), no rate limit, sending txw_p's APDUs; then it reports and keeps
 * the socket open until the parent has read the cgroup.
 */
static void txw_child(int report, int go)
{
	const struct txw_params *p = txw_p;
	struct txw_report r = {};
	struct sockaddr_in g = sin4(GROUP, PORT);
	unsigned char ttl = 0;
	int fd = pgm_socket(), off = 0;
	static char data[MIB];
	struct pgm_source_stats st;
	uint32_t meminfo[SK_MEMINFO_VARS] = {};
	socklen_t len = sizeof(r.sndbuf);
	/* pgm(7): a packet's TSDU is MAX_TPDU - IP - ODATA header - options. */
	uint32_t max_frag = p->tpdu - 20 - 24 - 32;
	uint32_t frags = (uint32_t)p->apdu <= max_frag + 16 ? 1 : (p->apdu + max_frag - 1) / max_frag;
	char x;

	if (p->sndbuf)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &p->sndbuf, sizeof(p->sndbuf));
	if (set_u32(fd, PGM_MAX_TPDU, p->tpdu) || set_u32(fd, PGM_TXW_MAX_RTE, 0) ||
	    setsockopt(fd, SOL_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, SOL_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) ||
	    connect(fd, (struct sockaddr *)&g, sizeof(g)))
		r.err = errno;
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &r.sndbuf, &len);
	if (p->sndbuf) {
		errno = 0;
		if (send(fd, data, MIB, 0) < 0 && errno == EMSGSIZE)
			r.emsgsize_1m = 1;
	}
	for (int i = 0; i < p->sends; i++) {
		if (send(fd, data, p->apdu, 0) == p->apdu)
			r.sends++;
		else
			r.failed++;
	}
	source_stats(fd, &st);
	r.held_sqns = st.txw_lead - st.txw_trail + 1;
	/* Whole APDUs, rounded up: the window may hold the tail of one. */
	r.held_data = (uint64_t)((r.held_sqns + frags - 1) / frags) * p->apdu;
	r.txw_mem = st.txw_mem;
	len = sizeof(meminfo);
	if (!getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len))
		r.wmem_queued = meminfo[SK_MEMINFO_WMEM_QUEUED];
	if (write(report, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	if (read(go, &x, 1) < 0)
		_exit(1);
	close(fd);
}

static void txw_case(const struct txw_params *p, struct txw_report *r)
{
	struct child c;
	long long before, during;

	txw_p = p;
	before = read_ll(CGROUP "/memory.current");
	CHECK_OK(spawn_in_cgroup(&c, txw_child));
	CHECK_EQ(read(c.report, r, sizeof(*r)), sizeof(*r));
	during = read_ll(CGROUP "/memory.current");
	printf("    %s: %d sends ok, %d failed%s; SO_SNDBUF %u; window holds %u sqns, %llu B of APDUs,"
	       " txw_mem %llu, SO_MEMINFO wmem_queued %llu; memory.current %lld -> %lld\n",
	       p->what, r->sends, r->failed, r->emsgsize_1m ? " (a 1 MiB send: EMSGSIZE)" : "",
	       r->sndbuf, r->held_sqns, (unsigned long long)r->held_data,
	       (unsigned long long)r->txw_mem, (unsigned long long)r->wmem_queued, before, during);
	CHECK_EQ(child_end(&c), 0);
	CHECK_EQ(r->err, 0);
	CHECK_EQ(r->sends, p->sends);
	/* Independent of the module's counters: the data the window's edges hold. */
	CHECK(r->held_data > 0);
	CHECK(r->held_data <= r->sndbuf);
	/* What the module says it holds: within SO_SNDBUF, and at least that data. */
	CHECK(r->wmem_queued <= r->sndbuf);
	CHECK(r->wmem_queued >= r->held_data);
	CHECK_EQ(r->txw_mem, r->wmem_queued);
	/* Charged: the cgroup holds the window. */
	CHECK(during - before >= (long long)r->held_data);
}

/*
 * Item 5, the transmit window: as nobody in the 64 MiB cgroup, APDUs at
 * TTL 0.  Bound: the window's data and memory <= SO_SNDBUF (the user's, or
 * the default for a source that did not set it, at most
 * PGM_SNDBUF_AUTO_MAX), and charged to the cgroup; yet the default window
 * (8192 sqns of a default MAX_TPDU, full-size packets) still fits.
 */
static void txw_sndbuf_memcg(void)
{
	static const struct txw_params big = {
		"1 MiB sends, MAX_TPDU 65535, SO_SNDBUF not set", 0, 65535, MIB, 80,
	}, set = {
		"64 KiB sends, MAX_TPDU 65535, SO_SNDBUF 212992", 212992, 65535, 64 * 1024, 80,
	}, full = {
		"1440-byte sends (one full packet), defaults", 0, PGM_DEFAULT_MAX_TPDU, 1440,
		PGM_DEFAULT_TXW_SQNS + 100,
	};
	struct txw_report r;

	CHECK_EQ(cgroup_setup("64M"), 0);
	txw_case(&big, &r);
	CHECK(r.sndbuf <= PGM_SNDBUF_AUTO_MAX);
	txw_case(&set, &r);
	CHECK(r.emsgsize_1m);
	txw_case(&full, &r);
	CHECK_EQ(r.held_sqns, PGM_DEFAULT_TXW_SQNS);
}

static int net_setup(void)
{
	return system("ip link set lo up && ip netns add " ATK_NETNS " && "
		      "ip link add va mtu 9000 type veth peer name vb mtu 9000 netns " ATK_NETNS " && "
		      "ip addr add " SRC_ADDR "/24 dev va && ip link set va up && "
		      "ip route add 224.0.0.0/4 dev va && "
		      "ip -n " ATK_NETNS " link set lo up && "
		      "ip -n " ATK_NETNS " addr add " ATK_ADDR "/24 dev vb && "
		      "ip -n " ATK_NETNS " link set vb up");
}

int main(void)
{
	int rc;

	if (unshare(CLONE_NEWNET)) {
		perror("unshare");
		return 1;
	}
	system("ip netns del " ATK_NETNS " 2>/dev/null");
	if (net_setup()) {
		fprintf(stderr, "attack_src: network setup failed\n");
		return 1;
	}
	RUN(nak_flood_rate);
	RUN(nak_flood_unlimited);
	RUN(parity_nak_flood);
	RUN(pgmcc_forged_acks);
	RUN(confirm_forged);
	RUN(ring_memcg);
	RUN(txw_sndbuf_memcg);
	system("ip netns del " ATK_NETNS);
	rmdir(CGROUP);
	rc = summary("attack_src");
	return rc;
}
