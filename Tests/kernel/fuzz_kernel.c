// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_kernel.c - a fuzzer for pgm.ko's real input path, run inside the
 * test VM (make fuzz-kernel; a short run in Tests/kernel/suite.sh).
 *
 *   fuzz_kernel [--seconds S] [--seed N] [--rounds R] [--target receivers|source|both]
 *               [--native | --udp] [--no CLASS,...] [--no-far] [--no-spoof-tsi]
 *               [--no-nak] [--no-new-tsi] [--no-fec] [--no-late] [--source-bound N]
 *               [--pps N] [--loss PCT] [--step] [--rmmod] ...
 *
 * Namespaces on a bridge (fzbr0, in the VM's own namespace, multicast
 * snooping off) like e2e.sh, on 10.97.0.0/24: fz-src (.1) holds the real
 * sources, one per encapsulation: native on 239.192.7.1:7500 and
 * PGM_UDP_ENCAP on 239.192.7.2:7501 (UDP ports 3055, 3056).  fz-r1 (.2)
 * and fz-r2 (.3) each hold a recvmsg() receiver and an mmap-ring
 * (PGM_RX_RING) receiver, one native and one encapsulated, so that every
 * stream reaches both kinds.  fz-r1 keeps the default rx-sessions-source
 * (the attacker's address gets 256 sessions a socket); fz-r2 lifts it, so
 * that the attacker's sessions fill rx-mem there and windows are shed.
 * Half-way through each round's attack a second native source starts on
 * the native stream's group and port (the late source): fz-r1's third
 * receiver (r1-late-recvmsg) must get its session among the attacker's
 * and deliver its stream exactly, as the others do (--no-late: none;
 * --source-bound N sets fz-r1's rx-sessions-source, 1048576 for no bound:
 * the attacker's sessions end often enough that the late source still
 * gets in, docs/fuzzing.md).  fz-atk (.66) is the attacker: a raw IP
 * socket (protocol 113) and a UDP socket send mutated packets at the
 * receivers' groups, at a receiver's address and at the sources' address.
 * --native or --udp keeps one encapsulation; --target aims the attacker
 * at the receivers or the sources only.
 *
 * FEC (RFC 3208 appendix A, section 11; docs/fec.md): the real sources use
 * PGM_FEC, RS(2k, k) with k 8 or 16, one or two proactive parity packets
 * per group and on-demand parity (the shape follows from the round's
 * seed), and one receiver of each stream sets PGM_FEC_NAK.  Without
 * --loss only proactive parity flows on the real path (the receivers hold
 * every original, so it goes unused); with --loss, rebuilds and parity
 * NAKs happen too.  --no-fec turns FEC off on the real path (the attacker's
 * FEC packets are the class fec: --no fec).
 *
 * Each round (seeds SEED, SEED+1, ...): the sources stream a known
 * sequence of APDUs (16 B to 64 KiB, some fragmented beyond the TPDU;
 * each carries its stream, index and length, and its bytes follow from
 * them) for the whole round while the attacker sends packets built from a
 * PRNG seeded with the round's seed: every packet type, option chains and
 * headers mutated, sequence numbers near the wrap and far outside windows,
 * new TSIs (session-creation pressure), the real sessions' TSIs (learnt
 * with PGM_TSI) from the attacker's address, NAK lists and SPMRs at the
 * sources, FEC (OPT_PARITY_PRM in SPMs with possible and impossible group
 * sizes, parity ODATA/RDATA with OPT_PARITY_GRP, OPT_CURR_TGSIZE,
 * OPT_VAR_PKTLEN and encoded OPT_FRAGMENT right and wrong, parity NAKs and
 * NCFs with absurd groups and counts) (--list-classes; --no CLASS leaves
 * one out).  Then the sources
 * send their last APDUs and close (OPT_FIN), and the round checks:
 *  - every receiver delivered its stream exactly: each APDU once, in
 *    order, byte for byte, then the session's end with OPT_FIN; a loss
 *    record, an early end, data from another address for the real TSI
 *    fail (there is no loss on the real path unless --loss);
 *  - the netns counters (PGM_NETNS_STATS) account for every packet: the
 *    outcome counters add up to in_packets, and each namespace's
 *    truncated, bad-checksum, bad-type and malformed counts are exactly
 *    what the attacker sent it (its packets are classified here, by an
 *    independent reading of RFC 3208 sections 8 and 9 and of the rules the
 *    uapi documents; the real traffic is all valid); --step checks that
 *    packet by packet and prints any packet counted otherwise;
 *  - no sendto() of the attacker, and no sleep of a watcher thread, took
 *    longer than --stall seconds (default 5: an emulated CPU on a shared
 *    host has hiccups of over a second; a CPU stuck in the input path
 *    takes tens); a class of mutation that stalled is reported and not
 *    sent again;
 *  - each source stayed within its rate limit, and the limit made its
 *    sends wait no longer than its own packets take at half the rate
 *    (repairs get the other half: they never starve the stream), NAK
 *    storms or not; the stream's pace is printed beside a UDP sender's
 *    at the same cadence in the same round;
 *  - kernel memory (SUnreclaim + VmallocUsed) grew by at most
 *    --max-growth MiB during the round, and once its sockets are closed
 *    the receivers' namespaces hold no session and no memory (rx_sessions,
 *    rx_mem).
 * At the end, with every socket closed: SUnreclaim and VmallocUsed are back
 * within --mem-bound KiB of their values before the first round (both read
 * with the slab caches shrunk), the module's reference count is 0, and
 * with --rmmod `rmmod pgm` succeeds.
 *
 * The emulated VM's input path can fall behind: packets then wait in the
 * backlog queues for seconds, and would be counted late or, once a
 * receiver has left its group, not at all.  So the attacker waits whenever
 * more than a few hundred packets are queued, and a round reads the
 * counters only after the queues have drained.
 *
 * The seed is printed; the same seed replays the same decisions (the
 * bytes also depend on the real sessions' TSIs and sequence numbers).
 * Prints "ok/not ok" lines and "fuzz-kernel: N passed, N failed".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "common.h"
#include "packets.h"
#include "ringlib.h"

/* ---------------------------------------------------------------- setup */

enum { NS_SRC, NS_R1, NS_R2, NS_ATK, NS_N };
static const char *const ns_name[NS_N] = { "fz-src", "fz-r1", "fz-r2", "fz-atk" };
static const char *const ns_ip[NS_N] = { "10.97.0.1", "10.97.0.2", "10.97.0.3", "10.97.0.66" };
#define THIRD_IP	"10.97.0.99"	/* nobody's: SPMs name it as their path NLA */
#define UDP_UPORT	PGM_DEFAULT_UDP_ENCAP_UCAST_PORT
#define UDP_MPORT	PGM_DEFAULT_UDP_ENCAP_MCAST_PORT
#define RXW		PGM_DEFAULT_RXW_SQNS

/*
 * ST_LATE: a second native source on ST_NATIVE's group and port, started
 * half-way through the attack, so that it asks for a session while the
 * attacker's fill the receivers' tables.
 */
enum { ST_NATIVE, ST_UDP, ST_LATE, ST_N };

/* Command line. */
static struct {
	double seconds;		/* fuzzing time, shared by the rounds */
	unsigned long long seed;
	int seed_given;
	int rounds;		/* 0: one per minute of fuzzing */
	int target;		/* T_RECEIVERS | T_SOURCE */
	int native, udp;
	uint32_t disabled;	/* classes not sent */
	unsigned long pps;	/* attacker packets/s; 0: as fast as it goes */
	double loss;		/* netem loss (%) on the source's link */
	unsigned long max_growth_mb;
	unsigned long mem_bound_kb;
	double stall_s;
	double drain_s;
	unsigned int apdu_rate;	/* APDUs/s of each source */
	unsigned int rate;	/* PGM_TXW_MAX_RTE of the sources */
	int rmmod;
	int step;
	int verbose;
	int fec;		/* the real sources use PGM_FEC, some receivers PGM_FEC_NAK */
	int late;		/* the late source (ST_LATE) and its receiver */
	long source_bound;	/* fz-r1's rx-sessions-source; -1: the default */
} opt = {
	.seconds = 60, .target = 3, .native = 1, .udp = 1, .fec = 1,
	.max_growth_mb = 256, .mem_bound_kb = 4096, .stall_s = 5, .drain_s = 15,
	.apdu_rate = 100, .rate = 1000000, .late = 1, .source_bound = -1,
};
#define T_RECEIVERS	1
#define T_SOURCE	2

static int ns_fd[NS_N], self_ns = -1;
static int probe[NS_N] = { -1, -1, -1, -1 };	/* a PGM socket per namespace, for its counters */
static uint32_t ip_of[NS_N], third_ip;

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void die(const char *what)
{
	printf("fuzz-kernel: %s: %s\n", what, strerror(errno));
	printf("fuzz-kernel: %d passed, %d failed\n", t_pass, t_fail + 1);
	exit(1);
}

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Switch this thread into namespace @ns (sockets made now live there). */
static void enter(int ns)
{
	if (setns(ns_fd[ns], CLONE_NEWNET))
		die("setns");
}

static void leave(void)
{
	if (setns(self_ns, CLONE_NEWNET))
		die("setns back");
}

/*
 * Run `ip [-n NS] -batch -` on the lines of @fmt: one process (spawning is
 * slow in the VM); @quiet: go on after errors and say nothing.
 */
static int ip_batch(const char *ns, bool quiet, const char *fmt, ...)
{
	char *argv[8], buf[4096];
	int fd[2], status, n, argc = 0;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) || pipe(fd))
		return -1;
	argv[argc++] = "ip";
	if (ns) {
		argv[argc++] = "-n";
		argv[argc++] = (char *)ns;
	}
	if (quiet)
		argv[argc++] = "-force";
	argv[argc++] = "-batch";
	argv[argc++] = "-";
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		if (quiet) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 2);
		}
		execvp("ip", argv);
		_exit(127);
	}
	close(fd[0]);
	if (write(fd[1], buf, n) != n)
		n = -1;
	close(fd[1]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return n < 0 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

static void topology_down(void)
{
	ip_batch(NULL, true, "link del fzbr0\nnetns del fz-src\nnetns del fz-r1\nnetns del fz-r2\n"
		 "netns del fz-atk\n");
}

/*
 * The bridge (multicast snooping off: every port gets every group) in the
 * VM's own namespace, a veth from it into each namespace, with fixed MAC
 * addresses and permanent neighbours: packets queued behind an unresolved
 * ARP entry are dropped under load where no counter of ours sees it.
 */
static void topology_up(void)
{
	char path[64], cmds[4096];
	size_t o = 0;
	int i;

	for (i = 0; i < NS_N; i++)
		ip_of[i] = ip4(ns_ip[i]);
	third_ip = ip4(THIRD_IP);
	topology_down();
	o += snprintf(cmds + o, sizeof(cmds) - o,
		      "link add fzbr0 type bridge mcast_snooping 0\nlink set fzbr0 up\n");
	for (i = 0; i < NS_N; i++) {
		const char *h = ns_name[i] + 3;

		o += snprintf(cmds + o, sizeof(cmds) - o,
			      "netns add fz-%s\n"
			      "link add fzp-%s master fzbr0 type veth peer name v-%s address "
			      "02:00:0a:61:00:%02x netns fz-%s\nlink set fzp-%s up\n",
			      h, h, h, i + 1, h, h);
	}
	if (ip_batch(NULL, false, "%s", cmds))
		die("namespaces");
	for (i = 0; i < NS_N; i++) {
		const char *h = ns_name[i] + 3;

		o = snprintf(cmds, sizeof(cmds),
			     "addr add %s/24 dev v-%s\nlink set v-%s up\nlink set lo up\n"
			     "route add 224.0.0.0/4 dev v-%s\n", ns_ip[i], h, h, h);
		for (int k = 0; k < NS_N; k++)
			if (k != i)
				o += snprintf(cmds + o, sizeof(cmds) - o,
					      "neigh replace %s lladdr 02:00:0a:61:00:%02x dev v-%s nud permanent\n",
					      ns_ip[k], k + 1, h);
		if (ip_batch(ns_name[i], false, "%s", cmds))
			die("namespace setup");
		snprintf(path, sizeof(path), "/run/netns/%s", ns_name[i]);
		ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (ns_fd[i] < 0)
			die(path);
	}
	if (opt.loss > 0 &&
	    sh("ip netns exec fz-src tc qdisc add dev v-src root netem loss %.3f%%", opt.loss))
		die("netem");
	for (i = NS_SRC; i <= NS_R2; i++) {
		enter(i);
		probe[i] = pgm_socket();
		leave();
		if (probe[i] < 0)
			die("probe socket");
	}
	/*
	 * fz-r2 lifts rx-sessions-source, so that its receivers take as many
	 * of the attacker's sessions as rx-sessions allows and fill rx-mem
	 * (windows shed); fz-r1 keeps the per-address bound.
	 */
	enter(NS_R2);
	if (pgm_sysctl_set("rx_sessions_source", 1048576))
		die("rx_sessions_source");
	leave();
	/* --source-bound: fz-r1's instead of the default (1048576: no bound). */
	if (opt.source_bound >= 0) {
		enter(NS_R1);
		if (pgm_sysctl_set("rx_sessions_source", (uint32_t)opt.source_bound))
			die("rx_sessions_source");
		leave();
	}
}

/*
 * The counters of @ns.  They are per-CPU sums and a packet may be between
 * in_packets and its outcome: read until the outcomes add up.
 */
static int nsstats(int ns, struct pgm_netns_stats *st)
{
	for (int i = 0; i < 100; i++) {
		socklen_t len = sizeof(*st);

		if (getsockopt(probe[ns], SOL_PGM, PGM_NETNS_STATS, st, &len))
			return -1;
		if (st->in_packets == st->in_truncated + st->in_bad_checksum + st->in_bad_type +
				      st->in_malformed + st->in_no_socket + st->in_delivered)
			return 0;
		usleep(1000);
	}
	return 0;
}

/* /proc/meminfo's @key in KiB. */
static long meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

struct mem {
	long sunreclaim, vmalloc;
};

/*
 * Give back what the slab caches hold of freed objects: empty and partial
 * slabs kept per CPU, and on a KASAN kernel its quarantine (freed objects
 * held back, up to 1/32 of memory), which kmem_cache_shrink() empties for
 * the cache.  Without it the debug kernel showed 40+ MiB more SUnreclaim
 * after a 300 s run than before it, none of it held: shrinking then brought
 * SUnreclaim below the start, and kmemleak found nothing.
 */
static void slabs_shrink(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[512];
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		/* A cache that cannot shrink has nothing to give back. */
		(void)!write(fd, "1", 1);
		close(fd);
	}
	closedir(d);
}

/* The smallest of @n samples @gap_s apart (slab counters jitter). */
static struct mem mem_low(int n, double gap_s)
{
	struct mem m = { -1, -1 };

	for (int i = 0; i < n; i++) {
		long s = meminfo_kb("SUnreclaim"), v = meminfo_kb("VmallocUsed");

		if (m.sunreclaim < 0 || s < m.sunreclaim)
			m.sunreclaim = s;
		if (m.vmalloc < 0 || v < m.vmalloc)
			m.vmalloc = v;
		if (i + 1 < n)
			sleep_s(gap_s);
	}
	return m;
}

/*
 * /proc/net/softnet_stat, summed over the CPUs: packets the backlog queues
 * dropped (column 2) and packets waiting in them now (column 12).
 */
static void softnet(unsigned long long *dropped, unsigned long long *queued)
{
	unsigned int v[12];
	char line[512];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	*dropped = *queued = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%x %x %x %x %x %x %x %x %x %x %x %x", &v[0], &v[1], &v[2], &v[3],
			       &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]);

		if (n >= 2)
			*dropped += v[1];
		if (n >= 12)
			*queued += v[11];
	}
	fclose(f);
}

static unsigned long long softnet_queued(void)
{
	unsigned long long d, q;

	softnet(&d, &q);
	return q;
}

static unsigned long long softnet_drops(void)
{
	unsigned long long d, q;

	softnet(&d, &q);
	return d;
}

/*
 * Wait (up to @max_s) until nothing waits in the backlog queues: every
 * packet sent so far has been through the input path.  The time it took.
 */
static double settle(double max_s)
{
	double t0 = now_s();
	int quiet = 0;

	while (quiet < 3 && now_s() - t0 < max_s) {
		quiet = softnet_queued() ? 0 : quiet + 1;
		sleep_s(0.05);
	}
	return now_s() - t0;
}

/* ---------------------------------------------------------------- checks */

static void verdict(bool ok, const char *fmt, ...)
{
	char name[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	t_name = name;
	t_cur_failed = !ok;
	if (ok)
		t_pass++;
	else
		t_fail++;
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	fflush(stdout);
}

static void hexdump(const char *pfx, const uint8_t *b, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (i % 32 == 0)
			printf("%s%s%04zx:", i ? "\n" : "", pfx, i);
		printf(" %02x", b[i]);
	}
	printf("%s\n", n > max ? " ..." : "");
}

/* ---------------------------------------------------------------- PRNG */

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rnd64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ---------------------------------------------------------------- streams */

#define APDU_HDR	16
#define APDU_MAX	65536
#define APDU_MAGIC	0x50474d46u	/* "PGMF" */
#define FINAL_APDUS	40
#define RXBUF		(PGM_APDU_MAX + 1)

/* The length of APDU @i of stream @id: mostly small, some far above the TPDU. */
static size_t apdu_len(uint32_t id, uint32_t i)
{
	uint64_t r = splitmix(((uint64_t)id << 32) | i);
	unsigned int k = r % 100;

	r >>= 8;
	if (k < 55)
		return APDU_HDR + r % 200;
	if (k < 85)
		return 200 + r % 1300;
	if (k < 97)
		return 1400 + r % (12000 - 1400);
	return 12000 + r % (APDU_MAX - 12000 + 1);
}

/* Its bytes: a header (magic, stream, index, length), then a PRNG's. */
static void apdu_fill(uint32_t id, uint32_t i, uint8_t *b, size_t n)
{
	uint64_t s = splitmix(((uint64_t)i << 32) ^ id ^ 0x5bd1e995u) | 1;
	uint32_t h[4] = { htonl(APDU_MAGIC), htonl(id), htonl(i), htonl((uint32_t)n) };

	memcpy(b, h, sizeof(h));
	for (size_t k = APDU_HDR; k < n; k += 8) {
		uint64_t v = rnd64(&s);

		memcpy(b + k, &v, n - k < 8 ? n - k : 8);
	}
}

struct stream {
	int on, udp, late;
	int started;		/* src_open() done: tsi and id valid (release/acquire) */
	const char *group_s;
	uint32_t group;		/* network order */
	uint16_t port;
	int fd;			/* the source */
	struct pgm_tsi tsi;
	uint32_t id;
	struct pgm_fec fec;	/* k 0: none */
	/* published by the source thread */
	uint32_t sent;		/* APDUs sent */
	uint32_t total;		/* valid once closing */
	int closing, closed;
	uint32_t trail, lead;	/* its transmit window */
	struct pgm_source_stats st;	/* just before close */
	double t_start, t_stats, blocked_max;
	char err[256];
	pthread_t th;
};

static struct stream streams[ST_N] = {
	{ .group_s = "239.192.7.1", .port = 7500 },
	{ .udp = 1, .group_s = "239.192.7.2", .port = 7501 },
	{ .late = 1, .group_s = "239.192.7.1", .port = 7500 },
};

static const char *stream_name(const struct stream *s)
{
	return s->late ? "late" : s->udp ? "udp" : "native";
}

/* @tsi is @s's, once @s has started. */
static bool stream_tsi(const struct stream *s, const struct pgm_tsi *tsi)
{
	return __atomic_load_n(&s->started, __ATOMIC_ACQUIRE) &&
	       !memcmp(tsi, &s->tsi, sizeof(*tsi));
}

/* @tsi from @saddr is one of the real sources' sessions (another stream's, for a receiver). */
static bool real_session(const struct pgm_tsi *tsi, uint32_t saddr)
{
	if (saddr != ip_of[NS_SRC])
		return false;
	for (int st = 0; st < ST_N; st++)
		if (streams[st].on && stream_tsi(&streams[st], tsi))
			return true;
	return false;
}

static int stop_sources;	/* the attacker is done: last APDUs, then FIN */

static int src_send(struct stream *s, uint8_t *buf, uint32_t i, double limit)
{
	size_t n = apdu_len(s->id, i);
	double t0 = now_s(), dt;

	apdu_fill(s->id, i, buf, n);
	for (;;) {
		ssize_t rc = send(s->fd, buf, n, 0);

		dt = now_s() - t0;
		if (rc == (ssize_t)n)
			break;
		if (rc < 0 && (errno == EAGAIN || errno == EINTR) && dt < limit)
			continue;
		snprintf(s->err, sizeof(s->err), "send of APDU %u (%zu bytes) failed after %.1f s: %s",
			 i, n, dt, rc < 0 ? strerror(errno) : "short");
		return -1;
	}
	if (dt > s->blocked_max)
		s->blocked_max = dt;
	return 0;
}

static void src_publish(struct stream *s)
{
	struct pgm_source_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(s->fd, SOL_PGM, PGM_SOURCE_STATS, &st, &len))
		return;
	__atomic_store_n(&s->trail, st.txw_trail, __ATOMIC_RELAXED);
	__atomic_store_n(&s->lead, st.txw_lead, __ATOMIC_RELAXED);
}

static void *src_main(void *arg)
{
	struct stream *s = arg;
	uint8_t *buf = malloc(APDU_MAX);
	struct linger l = { .l_onoff = 1, .l_linger = 1 };
	socklen_t len = sizeof(s->st);
	double next;
	uint32_t i = 0;

	if (!buf)
		die("malloc");
	s->t_start = next = now_s();
	while (!__atomic_load_n(&stop_sources, __ATOMIC_ACQUIRE)) {
		if (src_send(s, buf, i, 10))
			break;
		__atomic_store_n(&s->sent, ++i, __ATOMIC_RELEASE);
		if (i % 4 == 0)
			src_publish(s);
		next += 1.0 / opt.apdu_rate;
		if (next - now_s() < -1)
			next = now_s();	/* fell behind: no burst to catch up */
		sleep_s(next - now_s());
	}
	for (int k = 0; k < FINAL_APDUS && !s->err[0]; k++) {
		if (src_send(s, buf, i, 10))
			break;
		__atomic_store_n(&s->sent, ++i, __ATOMIC_RELEASE);
	}
	getsockopt(s->fd, SOL_PGM, PGM_SOURCE_STATS, &s->st, &len);
	s->t_stats = now_s();
	__atomic_store_n(&s->total, i, __ATOMIC_RELEASE);
	__atomic_store_n(&s->closing, 1, __ATOMIC_RELEASE);
	/* OPT_FIN, repeated for a second (section 9.7). */
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(s->fd);
	s->fd = -1;
	__atomic_store_n(&s->closed, 1, __ATOMIC_RELEASE);
	free(buf);
	return NULL;
}

/*
 * The baseline of the pace check, in the same round: a thread keeping the
 * streams' cadence with UDP datagrams of the same lengths to the discard
 * port on loopback (nobody listens: they are dropped).  What an emulated
 * guest under the flood leaves a sender of 100 APDUs/s is measured, not
 * assumed; a stream starved by repairs falls behind it.
 */
static struct {
	uint32_t sent;		/* datagrams sent */
	double t_start;
	char err[128];
	pthread_t th;
} ctl;

static void *ctl_main(void *arg)
{
	struct sockaddr_in d = sin4("127.0.0.1", 9);
	uint8_t *buf = malloc(APDU_MAX);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	double next;
	uint32_t i = 0;

	(void)arg;
	if (!buf || fd < 0)
		die("control sender");
	ctl.t_start = next = now_s();
	while (!__atomic_load_n(&stop_sources, __ATOMIC_ACQUIRE)) {
		size_t n = apdu_len(0x43544c, i);

		if (n > 65000)
			n = 65000;	/* a UDP datagram's most */
		apdu_fill(0x43544c, i, buf, n);
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&d, sizeof(d)) != (ssize_t)n &&
		    !ctl.err[0])
			snprintf(ctl.err, sizeof(ctl.err), "sendto: %s", strerror(errno));
		__atomic_store_n(&ctl.sent, ++i, __ATOMIC_RELEASE);
		next += 1.0 / opt.apdu_rate;
		if (next - now_s() < -1)
			next = now_s();	/* as src_main: no burst to catch up */
		sleep_s(next - now_s());
	}
	close(fd);
	free(buf);
	return NULL;
}

static void src_open(struct stream *s, uint32_t round_seed, int idx)
{
	struct sockaddr_in g = sin4(s->group_s, s->port);
	struct timeval tv = { 0, 200000 };
	socklen_t len = sizeof(s->tsi);
	int on = 1;

	s->group = g.sin_addr.s_addr;
	s->id = (uint32_t)splitmix(round_seed * 2 + idx);
	/*
	 * FEC's shape from the round's seed: RS(2k, k), k 8 or 16, one or
	 * two proactive parity packets, on-demand parity always.
	 */
	memset(&s->fec, 0, sizeof(s->fec));
	if (opt.fec) {
		s->fec.k = (round_seed + idx) & 1 ? 16 : 8;
		s->fec.n = 2 * s->fec.k;
		s->fec.proactive = 1 + ((round_seed >> 1) + idx) % 2;
		s->fec.flags = PGM_FEC_ONDEMAND;
	}
	s->sent = s->total = 0;
	s->closing = s->closed = 0;
	s->blocked_max = 0;
	s->err[0] = 0;
	memset(&s->st, 0, sizeof(s->st));
	enter(NS_SRC);
	s->fd = pgm_socket();
	leave();
	if (s->fd < 0)
		die("source socket");
	if ((s->udp && setsockopt(s->fd, SOL_PGM, PGM_UDP_ENCAP, &on, sizeof(on))) ||
	    (s->fec.k && setsockopt(s->fd, SOL_PGM, PGM_FEC, &s->fec, sizeof(s->fec))) ||
	    set_u32(s->fd, PGM_TXW_MAX_RTE, opt.rate) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(s->fd, (struct sockaddr *)&g, sizeof(g)) ||
	    getsockopt(s->fd, SOL_PGM, PGM_TSI, &s->tsi, &len))
		die("source setup");
	src_publish(s);
	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- receivers */

struct rxr {
	const char *name;
	int ns, stream;
	uint32_t ring_size;	/* 0: recvmsg() */
	int fec_nak;		/* PGM_FEC_NAK set this round */
	int fd;
	struct uring ur;
	uint8_t *buf, *want;
	uint32_t next;		/* next APDU index */
	uint64_t apdus, bytes, dups, gaps, corrupt, truncated, wrong_addr;
	uint64_t foreign, foreign_bytes, foreign_loss, foreign_end, foreign_odd_addr;
	uint64_t real_loss_recs, real_lost, covered_gaps;
	int loss_pending;	/* a loss of the real session not yet followed by data */
	int ends, end_reason, early_end;
	uint32_t max_peers;
	uint64_t max_mem;	/* bytes the module held for it, at the peak */
	char err[256];
	int done;
	struct pgm_receiver_stats rs;
	struct pgm_rx_ring_stats ring;
	pthread_t th;
};

static struct rxr rxrs[] = {
	{ .name = "r1-native-recvmsg", .ns = NS_R1, .stream = ST_NATIVE },
	{ .name = "r1-udp-ring", .ns = NS_R1, .stream = ST_UDP, .ring_size = 1 << 20 },
	{ .name = "r2-native-ring", .ns = NS_R2, .stream = ST_NATIVE, .ring_size = 1 << 16 },
	{ .name = "r2-udp-recvmsg", .ns = NS_R2, .stream = ST_UDP },
	/* fz-r1's rx-sessions-source leaves it room among the attacker's sessions. */
	{ .name = "r1-late-recvmsg", .ns = NS_R1, .stream = ST_LATE },
};
#define NRX (sizeof(rxrs) / sizeof(rxrs[0]))

static double rx_deadline;	/* set once the sources have closed */

static void rx_fail(struct rxr *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

static void rx_apdu(struct rxr *r, const struct pgm_tsi *tsi, uint32_t saddr,
		    const uint8_t *d, size_t n, bool trunc)
{
	struct stream *s = &streams[r->stream];
	uint32_t h[4], idx;
	size_t wn;

	if (!stream_tsi(s, tsi)) {
		r->foreign++;
		r->foreign_bytes += n;
		/* The attacker's, or another real stream's on this group and port. */
		if (saddr != ip_of[NS_ATK] && !real_session(tsi, saddr))
			r->foreign_odd_addr++;
		return;
	}
	if (saddr != ip_of[NS_SRC]) {
		r->wrong_addr++;
		rx_fail(r, "APDU of the real session from %s", inet_ntoa((struct in_addr){ saddr }));
	}
	if (trunc) {
		r->truncated++;
		rx_fail(r, "APDU of %zu bytes truncated", n);
		return;
	}
	if (n < APDU_HDR) {
		r->corrupt++;
		rx_fail(r, "a %zu-byte APDU where APDU %u was due", n, r->next);
		return;
	}
	memcpy(h, d, sizeof(h));
	idx = ntohl(h[2]);
	if (ntohl(h[0]) != APDU_MAGIC || ntohl(h[1]) != s->id || ntohl(h[3]) != n) {
		r->corrupt++;
		rx_fail(r, "a foreign %zu-byte APDU in the real session where APDU %u was due", n, r->next);
		return;
	}
	if (idx < r->next) {
		r->dups++;
		rx_fail(r, "APDU %u again after %u", idx, r->next - 1);
		return;
	}
	if (idx > r->next) {
		if (r->loss_pending) {
			r->covered_gaps += idx - r->next;
		} else {
			r->gaps += idx - r->next;
			rx_fail(r, "APDUs %u-%u missing and no loss reported", r->next, idx - 1);
		}
	}
	wn = apdu_len(s->id, idx);
	apdu_fill(s->id, idx, r->want, wn);
	if (wn != n || memcmp(d, r->want, n)) {
		r->corrupt++;
		rx_fail(r, "APDU %u differs from what the source sent", idx);
	}
	r->next = idx + 1;
	r->apdus++;
	r->bytes += n;
	r->loss_pending = 0;
}

static void rx_loss(struct rxr *r, const struct pgm_tsi *tsi, uint32_t first, uint32_t count)
{
	if (!stream_tsi(&streams[r->stream], tsi)) {
		r->foreign_loss++;
		return;
	}
	r->real_loss_recs++;
	r->real_lost += count;
	r->loss_pending = 1;
	if (opt.loss <= 0)
		rx_fail(r, "loss of %u sqns from %u reported in the real session", count, first);
}

static void rx_end(struct rxr *r, const struct pgm_tsi *tsi, uint32_t reason)
{
	struct stream *s = &streams[r->stream];

	if (!stream_tsi(s, tsi)) {
		r->foreign_end++;
		return;
	}
	r->ends++;
	r->end_reason = reason;
	if (!__atomic_load_n(&s->closing, __ATOMIC_ACQUIRE)) {
		r->early_end++;
		rx_fail(r, "the real session ended (reason %u) while its source was still sending", reason);
	} else if (reason != PGM_END_FIN) {
		rx_fail(r, "the real session ended with reason %u, not OPT_FIN", reason);
	}
}

static void rx_errqueue(struct rxr *r)
{
	for (;;) {
		union {
			struct pgm_loss loss;
			struct pgm_session_end end;
		} u;
		char cbuf[256];
		struct iovec iov = { &u, sizeof(u) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;

		if (recvmsg(r->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level != SOL_PGM)
				continue;
			if (c->cmsg_type == PGM_LOSS)
				rx_loss(r, &u.loss.tsi, u.loss.first_sqn, u.loss.count);
			else if (c->cmsg_type == PGM_SESSION_END)
				rx_end(r, &u.end.tsi, u.end.reason);
		}
	}
}

/* One recvmsg() of an APDU; false when there was none. */
static bool rx_recv_one(struct rxr *r)
{
	struct sockaddr_pgm from;
	struct iovec iov = { r->buf, RXBUF };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(r->fd, &m, MSG_DONTWAIT);

	if (n < 0) {
		if (errno == ECONNRESET) {
			rx_errqueue(r);
			return true;
		}
		if (errno != EAGAIN)
			rx_fail(r, "recvmsg: %s", strerror(errno));
		return false;
	}
	rx_apdu(r, &from.tsi, from.sin.sin_addr.s_addr, r->buf, n, m.msg_flags & MSG_TRUNC);
	return true;
}

static void rx_step_recvmsg(struct rxr *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	if (poll(&p, 1, 100) <= 0)
		return;
	if (p.revents & POLLERR)
		rx_errqueue(r);
	for (int k = 0; k < 64 && rx_recv_one(r); k++)
		;
}

static void rx_step_ring(struct rxr *r)
{
	for (int k = 0; k < 256; k++) {
		struct pgm_ring_rec *rec = k ? uring_next(&r->ur) : uring_wait(&r->ur, 100);

		if (!rec)
			break;
		switch (rec->type) {
		case PGM_REC_DATA:
			rx_apdu(r, &rec->tsi, rec->saddr, uring_payload(&r->ur, rec), rec->data_len, false);
			break;
		case PGM_REC_SPILL:
			if (!rx_recv_one(r))
				rx_fail(r, "a SPILL record and nothing to recvmsg()");
			break;
		case PGM_REC_LOSS: {
			struct pgm_loss l;

			memcpy(&l, uring_payload(&r->ur, rec), sizeof(l));
			rx_loss(r, &l.tsi, l.first_sqn, l.count);
			break;
		}
		case PGM_REC_END: {
			struct pgm_session_end e;

			memcpy(&e, uring_payload(&r->ur, rec), sizeof(e));
			rx_end(r, &e.tsi, e.reason);
			break;
		}
		default:
			rx_fail(r, "ring record of type %u", rec->type);
			break;
		}
	}
	uring_release(&r->ur);
}

static void *rx_main(void *arg)
{
	struct rxr *r = arg;
	struct stream *s = &streams[r->stream];

	while (!r->done) {
		double dl;

		__atomic_load(&rx_deadline, &dl, __ATOMIC_ACQUIRE);

		if (dl > 0 && now_s() > dl)
			break;
		if (r->ring_size)
			rx_step_ring(r);
		else
			rx_step_recvmsg(r);
		/* The whole stream and then its end: done. */
		if (__atomic_load_n(&s->closing, __ATOMIC_ACQUIRE) && r->ends &&
		    r->next >= __atomic_load_n(&s->total, __ATOMIC_ACQUIRE))
			r->done = 1;
	}
	return NULL;
}

static void rx_open(struct rxr *r, int fec_nak)
{
	struct stream *s = &streams[r->stream];
	struct sockaddr_in b = sin4(s->group_s, s->port);
	struct ip_mreqn m = { .imr_multiaddr.s_addr = s->group, .imr_address.s_addr = ip_of[r->ns] };
	int on = 1, rcvbuf = 4 << 20;
	uint8_t *buf = r->buf, *want = r->want;
	const char *name = r->name;
	int ns = r->ns, st = r->stream;
	uint32_t ring = r->ring_size;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->ns = ns;
	r->stream = st;
	r->ring_size = ring;
	r->fec_nak = fec_nak;
	r->buf = buf ? buf : malloc(RXBUF);
	r->want = want ? want : malloc(APDU_MAX);
	if (!r->buf || !r->want)
		die("malloc");
	enter(r->ns);
	r->fd = pgm_socket();
	leave();
	if (r->fd < 0)
		die("receiver socket");
	setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if ((s->udp && setsockopt(r->fd, SOL_PGM, PGM_UDP_ENCAP, &on, sizeof(on))) ||
	    (r->ring_size && uring_setup(&r->ur, r->fd, r->ring_size)) ||
	    (fec_nak && setsockopt(r->fd, SOL_PGM, PGM_FEC_NAK, &on, sizeof(on))) ||
	    bind(r->fd, (struct sockaddr *)&b, sizeof(b)) ||
	    setsockopt(r->fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)))
		die("receiver setup");
}

static void rx_close(struct rxr *r)
{
	socklen_t len = sizeof(r->rs);

	getsockopt(r->fd, SOL_PGM, PGM_RECEIVER_STATS, &r->rs, &len);
	if (r->ring_size) {
		len = sizeof(r->ring);
		getsockopt(r->fd, SOL_PGM, PGM_RX_RING_STATS, &r->ring, &len);
		munmap(r->ur.base, r->ur.len);
	}
	close(r->fd);
	r->fd = -1;
}

/* ---------------------------------------------------------------- packets */

/* RFC 3208 section 8 types (low nibble of the type byte). */
enum { T_SPM = 0x0, T_POLL = 0x1, T_POLR = 0x2, T_ODATA = 0x4, T_RDATA = 0x5, T_NAK = 0x8,
       T_NNAK = 0x9, T_NCF = 0xa, T_SPMR = 0xc, T_ACK = 0xd, T_UNKNOWN = 0x10 };
/* Header option bits as every implementation puts them on the wire (uapi: see wire.h). */
#define F_OPT_PRESENT	0x01
#define F_OPT_NETWORK	0x02
#define F_VAR_PKTLEN	0x40
#define F_PARITY	0x80
/* Options (section 9). */
#define O_END		0x80
#define O_LENGTH	0x00
#define O_FRAGMENT	0x01
#define O_NAK_LIST	0x02
#define O_JOIN		0x03
#define O_SYN		0x0d
#define O_FIN		0x0e
#define O_RST		0x0f
#define O_PARITY_PRM	0x08	/* section 11.8.1: P/O bits, the group size k */
#define O_PARITY_GRP	0x09	/* section 11.8.2: the parity packet's group number */
#define O_CURR_TGSIZE	0x0a	/* section 11.8.3: the size of a shortened group */
#define OP_ENCODED	0x04	/* F, in an option's third octet: FEC-encoded */
#define PRM_PRO		0x01	/* OPT_PARITY_PRM's P and O, as OpenPGM writes them */
#define PRM_OND		0x02

/* What the input path must make of a packet: a set of counters (ambiguity allowed). */
enum { K_TRUNC = 1, K_CSUM = 2, K_TYPE = 4, K_MALF = 8, K_VALID = 16, K_N = 5 };
static const char *const kind_name[K_N] = { "truncated", "bad-checksum", "bad-type", "malformed", "valid" };

static unsigned int be16at(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static size_t afi_len(const uint8_t *p)
{
	switch (be16at(p)) {
	case 1: return 8;	/* IPv4 NLA */
	case 2: return 20;	/* IPv6 NLA */
	default: return 0;
	}
}

/*
 * Classify a PGM packet as the input path must: truncated when shorter
 * than a header it announces, bad type for version/reserved bits or an
 * unknown type, malformed for a bad NLA family, reserved option bits,
 * VAR_PKTLEN without PARITY, a broken option chain (OPT_LENGTH first and 4
 * bytes, its total within the packet, options of 4 bytes or more inside
 * the total, at most 16 after OPT_LENGTH, no other OPT_LENGTH, OPT_END
 * last and exactly at the total) or a TSDU length other than what follows
 * the options (only ODATA and RDATA have one); then the checksum (zero
 * means none, except on ODATA and RDATA where it is mandatory).  Written
 * from RFC 3208 sections 8 and 9 and the uapi's rules, not from wire.c.
 */
static int classify(const uint8_t *b, size_t n)
{
	size_t fixed, tail = 0, off, hdr, end, ol;
	unsigned int nlas = 0, t, flags, nopt = 0;

	if (n < 16)
		return K_TRUNC;
	t = b[4];
	if (t & 0xf0)
		return K_TYPE;
	switch (t) {
	case T_SPM: fixed = 12; nlas = 1; break;
	case T_POLL: fixed = 8; nlas = 1; tail = 12; break;
	case T_POLR: case T_ODATA: case T_RDATA: case T_ACK: fixed = 8; break;
	case T_NAK: case T_NNAK: case T_NCF: fixed = 4; nlas = 2; break;
	case T_SPMR: fixed = 0; break;
	default: return K_TYPE;
	}
	off = 16 + fixed;
	for (unsigned int k = 0; k < nlas; k++) {
		size_t l;

		if (n < off + 2)
			return K_TRUNC;
		l = afi_len(b + off);
		/* A bad family in a packet shorter than SPM's header: either reading. */
		if (!l)
			return n < 28 ? K_TRUNC | K_MALF : K_MALF;
		off += l;
	}
	hdr = off + tail;
	if (n < hdr)
		return K_TRUNC;
	flags = b[5];
	if ((flags & F_VAR_PKTLEN) && !(flags & F_PARITY))
		return K_MALF;
	if (flags & 0x3c)
		return K_MALF;
	end = hdr;
	if (flags & F_OPT_PRESENT) {
		if (n < hdr + 4)
			return K_TRUNC;
		if (b[hdr] != O_LENGTH || b[hdr + 1] != 4)
			return K_MALF;
		ol = be16at(b + hdr + 2);
		if (ol < 8 || hdr + ol > n)
			return K_MALF;
		for (off = hdr + 4;;) {
			unsigned int ot, len;

			if (off + 4 > hdr + ol)
				return K_MALF;
			ot = b[off];
			len = b[off + 1];
			if (len < 4 || off + len > hdr + ol || (ot & 0x7f) == O_LENGTH || ++nopt > 16)
				return K_MALF;
			off += len;
			if (ot & O_END)
				break;
		}
		if (off != hdr + ol)
			return K_MALF;
		end = hdr + ol;
	}
	if (be16at(b + 14) != n - end)
		return K_MALF;
	if (n != end && t != T_ODATA && t != T_RDATA)
		return K_MALF;
	if (!be16at(b + 6))
		return t == T_ODATA || t == T_RDATA ? K_CSUM : K_VALID;
	return csum16(b, n) == 0 ? K_VALID : K_CSUM;
}

/* Mutation classes: what a packet does; --no NAME leaves a class out. */
enum {
	C_SPOOF_TSI,	/* a real session's TSI on downstream packets from the attacker */
	C_NAK,		/* NAK/NNAK/SPMR (and others) with a real TSI at its source */
	C_NEW_TSI,	/* a TSI never seen before: session-creation pressure */
	C_WINDOW,	/* a new TSI followed up so that it spans its whole window */
	C_SESSION,	/* one of the attacker's own long-lived sessions */
	C_FAR,		/* sqn, trail or lead 2^20 or more away (2^31: the far side) */
	C_WRAP,		/* sequence numbers about to wrap at 2^32 */
	C_NLA3,		/* an SPM whose path NLA is a third address */
	C_FRAG,		/* OPT_FRAGMENT with absurd first/offset/length */
	C_NAKLIST,	/* OPT_NAK_LIST, up to 62 entries, several lists */
	C_JOIN,		/* OPT_JOIN */
	C_END,		/* OPT_FIN, OPT_RST */
	C_UNKOPT,	/* unknown options, OPX and U bits set */
	C_OPTS,		/* a broken option chain */
	C_HDR,		/* type, flag or TSDU-length damage */
	C_TRUNC,	/* cut short */
	C_HAVOC,	/* random bytes changed */
	C_CSUM,		/* checksum wrong or left out */
	C_BIG,		/* larger than the MTU: IP fragments */
	C_FEC,		/* OPT_PARITY_PRM, parity ODATA/RDATA, parity NAKs and NCFs */
	NCLASS
};
static const char *const cls_name[NCLASS] = {
	"spoof-tsi", "nak", "new-tsi", "window", "session", "far", "wrap", "nla3", "frag",
	"nak-list", "join", "fin-rst", "unknown-opt", "options", "header", "trunc", "havoc",
	"checksum", "big", "fec",
};
#define BIT(c) (1u << (c))

static void cls_str(uint32_t cls, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (int c = 0; c < NCLASS; c++)
		if (cls & BIT(c))
			o += snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? "," : "", cls_name[c]);
	if (!o)
		snprintf(out, len, "plain");
}

/* A packet under construction. */
struct bld {
	uint16_t sport, dport;
	uint8_t type, flags;
	uint8_t gsi[PGM_GSI_LEN];
	uint8_t body[64];
	size_t blen;
	uint8_t opt[4400];
	size_t olen, optoff[24];
	int nopt;
	uint8_t pay[9000];
	size_t plen;
};

static void body32(struct bld *b, uint32_t v)
{
	v = htonl(v);
	memcpy(b->body + b->blen, &v, 4);
	b->blen += 4;
}

static void body16(struct bld *b, uint16_t v)
{
	b->body[b->blen++] = v >> 8;
	b->body[b->blen++] = v & 0xff;
}

/* An IPv4 NLA (@addr in network order). */
static void body_nla(struct bld *b, uint32_t addr)
{
	body16(b, 1);
	body16(b, 0);
	memcpy(b->body + b->blen, &addr, 4);
	b->blen += 4;
}

static uint8_t *opt_add(struct bld *b, uint8_t type, size_t len)
{
	uint8_t *o;

	if (len < 4 || len > 255 || b->olen + len > sizeof(b->opt) || b->nopt >= 24)
		return NULL;
	o = b->opt + b->olen;
	memset(o, 0, len);
	o[0] = type;
	o[1] = (uint8_t)len;
	b->optoff[b->nopt++] = b->olen;
	b->olen += len;
	return o;
}

static void put32at(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* Lay @b out in @p: header, body, OPT_LENGTH + options (OPT_END on the last), payload. */
static void assemble(const struct bld *b, struct pkt *p, size_t *optstart)
{
	p->len = 0;
	put16(p, b->sport);
	put16(p, b->dport);
	put8(p, b->type);
	put8(p, b->flags | (b->nopt ? F_OPT_PRESENT : 0));
	put16(p, 0);
	memcpy(p->b + p->len, b->gsi, PGM_GSI_LEN);
	p->len += PGM_GSI_LEN;
	put16(p, (uint16_t)b->plen);
	memcpy(p->b + p->len, b->body, b->blen);
	p->len += b->blen;
	*optstart = p->len;
	if (b->nopt) {
		put8(p, O_LENGTH);
		put8(p, 4);
		put16(p, (uint16_t)(4 + b->olen));
		memcpy(p->b + p->len, b->opt, b->olen);
		p->b[p->len + b->optoff[b->nopt - 1]] |= O_END;
		p->len += b->olen;
	}
	memcpy(p->b + p->len, b->pay, b->plen);
	p->len += b->plen;
}

/* ---------------------------------------------------------------- attacker */

#define NSESS	8

/* One of the attacker's own sessions: it keeps its sequence numbers coherent. */
struct asess {
	struct pgm_tsi tsi;
	uint32_t lead, trail, spm_sqn;
	uint32_t fr_first, fr_len, fr_off;	/* a fragmented APDU under way (fr_len 0: none) */
	uint32_t fec_k;		/* the group size its last in-sequence OPT_PARITY_PRM said, or 0 */
	uint16_t fec_plen;	/* the TSDU length its data and parity mostly have */
};

/* Where a packet goes. */
struct dest {
	int udp;		/* UDP socket, else the raw one */
	uint32_t daddr;
	uint16_t uport;
	int stream;		/* whose TSI, ports and group it plays with */
	int upstream;		/* at the source */
	unsigned int reach;	/* namespaces it reaches (bits) */
	unsigned int weight;
	const char *name;
};

/* Outcomes predicted for a namespace: packets by classification mask. */
struct nsexp {
	uint64_t by_mask[32];
	uint64_t packets, bytes;
};

struct stall {
	double secs;
	uint32_t cls;
	int type;
	uint8_t head[48];
	size_t len;
	const char *dest;
};

struct atk {
	uint64_t rng;
	int raw, udp;
	double seconds;
	struct dest dests[12];
	int ndests;
	unsigned int wsum;
	struct asess sess[ST_N][NSESS];
	uint32_t off;		/* classes turned off after a stall, for the rest of the run */
	struct {
		int left, dest;
		struct pgm_tsi tsi;
		uint32_t base, spm;
	} burst;
	/* what was sent */
	uint64_t sent, bytes, send_errors;
	int first_errno;
	uint64_t by_type[17], by_cls[NCLASS], by_kind[K_N + 1];
	struct nsexp exp[NS_N];
	double slowest;
	struct stall stalls[8];
	int nstalls;
	double elapsed, throttled;
	uint64_t step_mismatch;
};

static struct atk atk;
static struct pkt gp;		/* the packet being built */

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd64(&atk.rng) % n) : 0;
}

static uint32_t r32(void)
{
	return (uint32_t)rnd64(&atk.rng);
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

static bool allowed(int c)
{
	return !((opt.disabled | atk.off) & BIT(c));
}

static void random_tsi(struct pgm_tsi *t)
{
	uint64_t v = rnd64(&atk.rng);

	memcpy(t->gsi, &v, PGM_GSI_LEN);
	t->sport = htons(1024 + rn(64512));
}

static void sess_new(struct asess *s)
{
	memset(s, 0, sizeof(*s));
	random_tsi(&s->tsi);
	/* Some start in test_gsi's family: a GSI that looks like a real host's. */
	if (pct(25))
		memcpy(s->tsi.gsi, test_gsi, 4);
	s->lead = pct(30) ? 0xffffffffu - rn(400) : r32();
	s->trail = s->lead - rn(200);
	s->spm_sqn = r32();
	s->fec_plen = (uint16_t)(1 + rn(pct(50) ? 64 : 1200));
}

/* Sequence numbers far from @base (the attacker's "far" class). */
static uint32_t far_from(uint32_t base)
{
	switch (rn(8)) {
	case 0: return base + 0x7fffffffu - rn(4);
	case 1: return base + 0x80000000u;
	case 2: return base + 0x80000001u + rn(8);
	case 3: return base + (1u << 30) + rn(1000);
	case 4: return base + (1u << 20) + rn(1u << 16);
	case 5: return base - 0x7fffffffu;
	case 6: return base - (1u << 24);
	default: return r32();
	}
}

/* The sequence state a packet plays against. */
struct sctx {
	uint32_t lead, trail, spm;
	struct asess *sess;
	int real;
};

static uint32_t pick_sqn(struct sctx *c, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 45)
		return c->lead + 1;			/* the next one */
	if (r < 60)
		return c->lead - rn(64);		/* held or delivered */
	if (r < 74)
		return c->lead + 2 + rn(300);		/* a gap */
	if (r < 80)
		return c->lead + RXW - 1 + rn(4);	/* the window's edge */
	if (r < 88)
		return c->trail - 1 - rn(100);		/* behind the trail */
	if (allowed(C_FAR)) {
		*cls |= BIT(C_FAR);
		return far_from(c->lead);
	}
	return c->lead + rn(1u << 16);
}

static uint32_t pick_trail(struct sctx *c, uint32_t sqn, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 55)
		return c->trail;
	if (r < 65)
		return sqn - rn(RXW);
	if (r < 73)
		return sqn + 1 + rn(3);			/* ahead of the packet itself */
	if (r < 83)
		return c->trail + rn(2000);		/* jumps ahead */
	if (r < 92 && allowed(C_FAR)) {
		*cls |= BIT(C_FAR);
		switch (rn(4)) {
		case 0: return c->trail + 0x7fffffffu;	/* the far side of the window */
		case 1: return c->trail + (1u << 24);
		case 2: return c->trail + 0x80000001u;
		default: return far_from(c->trail);
		}
	}
	return sqn - rn(1u << 16);
}

static uint32_t pick_lead(struct sctx *c, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 50)
		return c->lead + rn(3);
	if (r < 62)
		return c->lead + rn(400);
	if (r < 70)
		return c->lead + RXW - 2 + rn(4);
	if (r < 78)
		return c->trail - 1;			/* an empty window */
	if (r < 84)
		return c->lead - rn(1000);
	if (allowed(C_FAR)) {
		*cls |= BIT(C_FAR);
		return far_from(c->lead);
	}
	return c->lead + rn(1u << 16);
}

/* A path NLA for an SPM: the source's, ours, or a third address. */
static void spm_nla(struct bld *b, int stream, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 40) {
		body_nla(b, ip_of[NS_SRC]);
	} else if (r < 62) {
		body_nla(b, ip_of[NS_ATK]);
	} else if (r < 90 && allowed(C_NLA3)) {
		static const char *const odd[] = { "127.0.0.1", "0.0.0.0", "255.255.255.255",
						   "10.97.0.2", "10.97.0.3", "224.0.0.1" };

		*cls |= BIT(C_NLA3);
		if (r < 76)
			body_nla(b, third_ip);
		else if (r < 80)
			body_nla(b, streams[stream].group);
		else
			body_nla(b, ip4(odd[rn(6)]));
	} else {
		body16(b, 2);	/* IPv6 */
		body16(b, 0);
		for (int i = 0; i < 16; i++)
			b->body[b->blen++] = (uint8_t)r32();
	}
}

static void add_unknown_opt(struct bld *b)
{
	static const uint8_t types[] = { 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
					 0x10, 0x11, 0x12, 0x13, 0x14, 0x21, 0x22, 0x40, 0x7f };
	uint8_t *o = opt_add(b, types[rn(sizeof(types))], 4 + 4 * rn(8) + (pct(20) ? rn(4) : 0));

	if (!o)
		return;
	o[2] = (uint8_t)(rn(4) | (pct(30) ? 0x04 : 0));	/* OPX, F */
	o[3] = pct(60) ? 0x80 : 0;			/* U */
	for (int i = 4; i < o[1]; i++)
		o[i] = (uint8_t)r32();
}

static void add_nak_list(struct bld *b, struct sctx *c, unsigned int k, uint32_t *cls)
{
	uint8_t *o;

	if (k > 62)
		k = 62;
	o = opt_add(b, O_NAK_LIST, 4 + 4 * k);
	if (!o)
		return;
	*cls |= BIT(C_NAKLIST);
	for (unsigned int i = 0; i < k; i++) {
		uint32_t s;

		if (c->real && pct(65)) {
			/* Inside the source's window. */
			s = c->trail + rn(c->lead - c->trail + 1);
		} else {
			s = pick_sqn(c, cls);
		}
		put32at(o + 4 + 4 * i, s);
	}
}

/* OPT_FRAGMENT: a coherent piece of the session's APDU, or an absurd one. */
static void add_fragment(struct bld *b, struct sctx *c, uint32_t sqn, uint32_t *cls)
{
	struct asess *s = c->sess;
	uint32_t first = sqn, off = 0, len;
	uint8_t *o;

	if (s && sqn == s->lead + 1 && !pct(30)) {
		if (!s->fr_len) {
			s->fr_len = 1500 + rn(20000);
			s->fr_first = sqn;
			s->fr_off = 0;
		}
		len = s->fr_len - s->fr_off < 1200 ? s->fr_len - s->fr_off : 1200;
		b->plen = len;
		for (uint32_t i = 0; i < len; i++)
			b->pay[i] = (uint8_t)(s->fr_off + i);
		first = s->fr_first;
		off = s->fr_off;
		len = s->fr_len;
		s->fr_off += b->plen;
		if (s->fr_off >= s->fr_len)
			s->fr_len = 0;
	} else {
		*cls |= BIT(C_FRAG);
		len = (uint32_t)b->plen + rn(5000);
		switch (rn(10)) {
		case 0: first = sqn + 1 + rn(10); break;		/* first after itself */
		case 1: first = sqn - 0x80000000u; break;
		case 2: first = sqn - rn(100); off = rn(len + 1); break;
		case 3: off = len + 1 + rn(100); break;			/* beyond the APDU */
		case 4: off = 0xffffffffu - rn(10); break;
		case 5: len = 0; break;
		case 6: len = PGM_APDU_MAX + 1 + rn(1000); break;
		case 7: len = 0xffffffffu; break;
		case 8: len = b->plen ? (uint32_t)b->plen - 1 : 0; break;	/* shorter than itself */
		default: first = sqn - rn(3); off = rn(3000); len = rn(1u << 20); break;
		}
	}
	o = opt_add(b, O_FRAGMENT, pct(5) ? 12 + 8 * rn(2) : 16);
	if (!o)
		return;
	if (o[1] >= 16) {
		put32at(o + 4, first);
		put32at(o + 8, off);
		put32at(o + 12, len);
	}
}

static void random_payload(struct bld *b, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 10)
		b->plen = 0;
	else if (r < 70)
		b->plen = rn(200);
	else if (r < 97)
		b->plen = rn(1400);
	else if (allowed(C_BIG)) {
		*cls |= BIT(C_BIG);
		b->plen = 1500 + rn(7000);
	} else {
		b->plen = 1400;
	}
	for (size_t i = 0; i < b->plen; i += 8) {
		uint64_t v = rnd64(&atk.rng);

		memcpy(b->pay + i, &v, b->plen - i < 8 ? b->plen - i : 8);
	}
}

/* ---------------------------------------------------------------- FEC (C_FEC) */

/* A group size an SPM may announce: a power of two from 2 to 128, or one no source has. */
static uint32_t fec_pick_k(bool valid)
{
	static const uint32_t bad[] = { 0, 1, 3, 6, 12, 96, 129, 255, 256, 1024,
					0x80000000u, 0xffffffffu };

	return valid ? 1u << (1 + rn(7)) : bad[rn(sizeof(bad) / sizeof(bad[0]))];
}

/*
 * OPT_PARITY_PRM (section 11.8.1): P and O (OpenPGM's bits) or odd bits, a
 * group size possible or not, now and then an option too short or too
 * long; mostly @keep when that is not 0 (a session keeping its group size).
 * Returns the group size a receiver would learn from it, or 0.
 */
static uint32_t add_parity_prm(struct bld *b, uint32_t keep)
{
	unsigned int len = pct(90) ? 8 : (unsigned int[]){ 4, 5, 12, 16 }[rn(4)];
	uint32_t k = keep && pct(85) ? keep : fec_pick_k(pct(75));
	uint8_t *o = opt_add(b, O_PARITY_PRM, len);

	if (!o)
		return 0;
	o[2] = pct(92) ? 0 : (uint8_t)rn(8);	/* OPX, F */
	o[3] = pct(80) ? (uint8_t[]){ PRM_PRO, PRM_OND, PRM_PRO | PRM_OND }[rn(3)] : (uint8_t)r32();
	if (len >= 8)
		put32at(o + 4, k);
	for (unsigned int i = 8; i < len; i++)
		o[i] = (uint8_t)r32();
	if (pct(70))
		b->flags |= F_OPT_NETWORK;	/* network-significant: sources set it */
	return len >= 8 && !(o[2] & OP_ENCODED) && k >= 2 && k <= 128 && !(k & (k - 1)) ? k : 0;
}

/* The first sqn of a transmission group of @k near the window of @c, or of any. */
static uint32_t fec_group(struct sctx *c, uint32_t k, uint32_t *cls)
{
	unsigned int r = rn(100);
	uint32_t s;

	if (r < 40)
		s = c->lead - rn(2 * k);		/* the group under way, the last ones */
	else if (r < 55)
		s = c->lead + 1 + rn(4 * k);		/* groups not sent yet */
	else if (r < 65)
		s = c->trail - 1 - rn(4 * k);		/* behind the trail */
	else if (r < 75)
		s = c->lead + RXW - rn(2 * k);		/* the receive window's edge */
	else if (r < 88 && c->real)
		s = c->trail + rn(c->lead - c->trail + 1);	/* the source's window */
	else if (allowed(C_FAR)) {
		*cls |= BIT(C_FAR);
		s = far_from(c->lead);
	} else {
		s = c->lead + rn(1u << 16);
	}
	return s & ~(k - 1);
}

/*
 * A parity ODATA or RDATA (section 11.2, header bit PARITY) of a group of
 * @k: sqn TG_SQN | h, TSDU lengths alike or not, OPT_VAR_PKTLEN with a
 * trailer right, wrong or cut off, OPT_PARITY_GRP with numbers up to and
 * past codeword 254, OPT_CURR_TGSIZE k, 0, above k or absurd, an encoded
 * OPT_FRAGMENT of the right length or not, or a plain one.
 */
static void build_parity(struct bld *b, struct sctx *c, uint32_t k, uint32_t *cls)
{
	uint32_t tg = fec_group(c, k, cls), sqn = tg | rn(k);
	bool varlen = pct(45);
	unsigned int r = rn(100);

	b->flags |= F_PARITY | (varlen ? F_VAR_PKTLEN : 0);
	if (pct(3))
		b->flags &= (uint8_t)~F_PARITY;	/* VAR_PKTLEN alone: malformed */
	body32(b, sqn);
	body32(b, pct(80) ? c->trail : pick_trail(c, sqn, cls));
	if (c->sess && c->sess->fec_plen && r < 60)
		b->plen = c->sess->fec_plen + (varlen && pct(80) ? 2 : 0);
	else if (r < 75)
		b->plen = rn(4);		/* empty, or no room for a trailer */
	else
		b->plen = 1 + rn(1400);
	for (size_t i = 0; i < b->plen; i++)
		b->pay[i] = (uint8_t)r32();
	/* OPT_VAR_PKTLEN's trailer: an original's length, or more than there is room for. */
	if (varlen && b->plen >= 2 && pct(85)) {
		unsigned int t = pct(60) ? rn((uint32_t)b->plen - 1) : pct(50) ? (unsigned int)b->plen - 2 :
				 (unsigned int)b->plen - 1 + rn(60000);

		b->pay[b->plen - 2] = (uint8_t)(t >> 8);
		b->pay[b->plen - 1] = (uint8_t)t;
	}
	if (pct(15)) {
		unsigned int len = pct(75) ? 16 : (unsigned int[]){ 12, 20 }[rn(2)];
		uint8_t *o = opt_add(b, O_FRAGMENT, len);

		if (o) {
			o[2] = pct(85) ? OP_ENCODED : 0;
			for (unsigned int i = 3; i < len; i++)
				o[i] = (uint8_t)r32();
		}
	}
	if (pct(45)) {
		unsigned int len = pct(92) ? 8 : (unsigned int[]){ 4, 12 }[rn(2)];
		uint8_t *o = opt_add(b, O_PARITY_GRP, len);
		uint32_t grp;

		switch (rn(6)) {
		case 0: grp = 0; break;
		case 1: case 2: grp = 1 + rn(2); break;
		case 3: grp = (255 - k) / k - 1 + rn(3); break;	/* around codeword 254 */
		case 4: grp = 0xffffffffu - rn(2); break;
		default: grp = pct(50) ? r32() : rn(300); break;
		}
		if (o) {
			o[2] = pct(92) ? 0 : OP_ENCODED;
			if (len >= 8)
				put32at(o + 4, grp);
		}
	}
	if (pct(20)) {
		uint8_t *o = opt_add(b, O_CURR_TGSIZE, pct(92) ? 8 : 4);

		if (o && o[1] >= 8)
			put32at(o + 4, pct(40) ? k : (uint32_t[]){ 0, 1, k - 1, k + 1, 2 * k, 255,
								   0xffffffffu, r32() }[rn(8)]);
	}
	if (pct(3) && allowed(C_END)) {
		*cls |= BIT(C_END);
		opt_add(b, pct(65) ? O_FIN : O_RST, 4);
	}
	if (pct(4) && allowed(C_UNKOPT)) {
		*cls |= BIT(C_UNKOPT);
		add_unknown_opt(b);
	}
}

/* A parity request (section 11.3): TG_SQN | count - 1, for a source using @k, or absurd. */
static uint32_t parity_req(struct sctx *c, uint32_t k, uint32_t *cls)
{
	unsigned int r = rn(100);

	if (r < 70)
		return fec_group(c, k, cls) | (pct(60) ? rn(k) : pct(50) ? k - 1 : 0);
	if (r < 85)	/* aligned for another group size */
		return fec_group(c, 1u << (1 + rn(7)), cls) | rn(256);
	return pct(50) ? r32() : c->lead + rn(64);
}

/* Parity NAK lists: none, one of up to 62 requests, or several. */
static void add_parity_lists(struct bld *b, struct sctx *c, uint32_t k, uint32_t *cls)
{
	unsigned int r = rn(100), lists = r < 25 ? 0 : r < 85 ? 1 : 2 + rn(6);

	for (unsigned int l = 0; l < lists; l++) {
		unsigned int n = pct(30) ? 62 : rn(63);
		uint8_t *o = opt_add(b, O_NAK_LIST, 4 + 4 * n);

		if (!o)
			return;
		*cls |= BIT(C_NAKLIST);
		for (unsigned int i = 0; i < n; i++)
			put32at(o + 4 + 4 * i, parity_req(c, k, cls));
	}
}

/* Type weights: toward receivers (downstream) and toward the source. */
static const struct {
	int type;
	unsigned int down, up;
} type_w[] = {
	{ T_SPM, 22, 6 }, { T_ODATA, 30, 6 }, { T_RDATA, 12, 4 }, { T_NCF, 10, 5 },
	{ T_NAK, 4, 40 }, { T_NNAK, 3, 8 }, { T_SPMR, 5, 15 }, { T_POLL, 3, 4 },
	{ T_POLR, 3, 4 }, { T_ACK, 3, 4 }, { T_UNKNOWN, 5, 4 },
};

static int pick_type(int up)
{
	unsigned int sum = 0, r;
	size_t i;

	for (i = 0; i < sizeof(type_w) / sizeof(type_w[0]); i++)
		sum += up ? type_w[i].up : type_w[i].down;
	r = rn(sum);
	for (i = 0; i < sizeof(type_w) / sizeof(type_w[0]); i++) {
		unsigned int w = up ? type_w[i].up : type_w[i].down;

		if (r < w)
			return type_w[i].type;
		r -= w;
	}
	return T_ODATA;
}

static int type_index(int type)
{
	return type == T_UNKNOWN ? 16 : type;
}

static const char *type_name(int i)
{
	static const char *const n[17] = { "SPM", "POLL", "POLR", "3", "ODATA", "RDATA", "6", "7",
					   "NAK", "NNAK", "NCF", "11", "SPMR", "ACK", "14", "15",
					   "unknown" };
	return n[i];
}

/* The options of a packet of @type, by the semantics they carry. */
static void add_options(struct bld *b, int type, struct sctx *c, uint32_t sqn, uint32_t *cls)
{
	bool data = type == T_ODATA || type == T_RDATA;

	if (data && pct(30))
		add_fragment(b, c, sqn, cls);
	if ((data || type == T_SPM) && pct(type == T_SPM ? 15 : 8) && allowed(C_JOIN)) {
		uint8_t *o = opt_add(b, O_JOIN, 8);

		*cls |= BIT(C_JOIN);
		if (o) {
			uint32_t j = pct(60) ? c->trail + rn(100) : pct(50) ? c->lead - rn(20000) :
				     allowed(C_FAR) ? far_from(c->lead) : c->lead + rn(100);

			if ((uint32_t)(j - c->lead) >= (1u << 20) && (uint32_t)(c->lead - j) >= (1u << 20))
				*cls |= BIT(C_FAR);
			put32at(o + 4, j);
		}
	}
	if ((data || type == T_SPM) && pct(5))
		opt_add(b, O_SYN, 4);
	if ((data || type == T_SPM) && pct(type == T_SPM ? 12 : 5) && allowed(C_END)) {
		*cls |= BIT(C_END);
		opt_add(b, pct(65) ? O_FIN : O_RST, 4);
	}
	if (type == T_NAK || type == T_NNAK || type == T_NCF) {
		unsigned int r = rn(100);

		if (r < (type == T_NCF ? 30u : 55u) && allowed(C_NAKLIST)) {
			add_nak_list(b, c, pct(30) ? 62 : rn(63), cls);
		} else if (r < 72 && allowed(C_NAKLIST)) {
			/* Many lists: up to the 16 options allowed. */
			unsigned int lists = 2 + rn(15);

			for (unsigned int i = 0; i < lists; i++)
				add_nak_list(b, c, pct(50) ? 62 : rn(63), cls);
		}
	} else if (pct(3) && allowed(C_NAKLIST)) {
		add_nak_list(b, c, rn(10), cls);
	}
	if (pct(type == T_SPMR ? 5 : 10) && allowed(C_UNKOPT)) {
		*cls |= BIT(C_UNKOPT);
		for (unsigned int i = 1 + rn(pct(10) ? 6 : 2); i; i--)
			add_unknown_opt(b);
	}
	if (b->nopt && pct(20))
		b->flags |= F_OPT_NETWORK;
}

/* Damage the option chain of the assembled packet (option i at @os + 4 + optoff[i]). */
static void mutate_options(struct bld *b, struct pkt *p, size_t os)
{
	uint8_t *o;

	if (!b->nopt) {
		/* Options announced, none there; or an OPT_LENGTH with nothing after it. */
		if (pct(50)) {
			p->b[5] |= F_OPT_PRESENT;
		} else {
			memmove(p->b + os + 4, p->b + os, p->len - os);
			p->b[os] = O_LENGTH;
			p->b[os + 1] = 4;
			p->b[os + 2] = 0;
			p->b[os + 3] = rn(3) ? 4 : 8;
			p->b[5] |= F_OPT_PRESENT;
			p->len += 4;
		}
		return;
	}
	o = p->b + os + 4 + b->optoff[rn(b->nopt)];
	switch (rn(9)) {
	case 0: {	/* OPT_LENGTH's total off by a little, or absurd */
		static const int d[] = { -4, -1, 1, 4, 8 };
		unsigned int v = be16at(p->b + os + 2);

		v = rn(4) ? v + d[rn(5)] : (unsigned int[]){ 0, 4, 7, 0xffff }[rn(4)];
		p->b[os + 2] = (uint8_t)(v >> 8);
		p->b[os + 3] = (uint8_t)v;
		break;
	}
	case 1:		/* no OPT_END */
		p->b[os + 4 + b->optoff[b->nopt - 1]] &= ~O_END;
		break;
	case 2:		/* OPT_END too early */
		o[0] |= O_END;
		break;
	case 3:		/* an option's length: 0, 1, 3, 255, or off by one */
		o[1] = (uint8_t[]){ 0, 1, 2, 3, 255, (uint8_t)(o[1] + 1), (uint8_t)(o[1] - 1) }[rn(7)];
		break;
	case 4:		/* OPT_LENGTH not 4 long, or flagged as the end */
		if (pct(50))
			p->b[os + 1] = (uint8_t[]){ 0, 3, 8, 255 }[rn(4)];
		else
			p->b[os] |= O_END;
		break;
	case 5:		/* a second OPT_LENGTH */
		o[0] = (uint8_t)(O_LENGTH | (o[0] & O_END));
		break;
	case 6:		/* the options-present bit off: options read as TSDU */
		p->b[5] &= ~F_OPT_PRESENT;
		break;
	case 7:		/* an option type of 0x7f (OPT_INVALID) or random */
		o[0] = (uint8_t)((o[0] & O_END) | (pct(50) ? 0x7f : 1 + rn(0x7e)));
		break;
	default: {	/* more than 16 options: rebuild with 17 to 20 */
		size_t tail = p->len - (os + 4 + b->olen);
		uint8_t keep[9000];
		unsigned int extra = 17 + rn(4) - (unsigned int)b->nopt;

		if (b->nopt > 16 || tail > sizeof(keep) || b->olen + 4 * extra > sizeof(b->opt) - 4)
			break;
		memcpy(keep, p->b + os + 4 + b->olen, tail);
		p->b[os + 4 + b->optoff[b->nopt - 1]] &= ~O_END;
		for (unsigned int i = 0; i < extra; i++) {
			uint8_t *n = p->b + os + 4 + b->olen + 4 * i;

			n[0] = (uint8_t)(0x20 + rn(0x40));
			n[1] = 4;
			n[2] = n[3] = 0;
			if (i + 1 == extra)
				n[0] |= O_END;
		}
		memcpy(p->b + os + 4 + b->olen + 4 * extra, keep, tail);
		p->len += 4 * extra;
		p->b[os + 2] = (uint8_t)((4 + b->olen + 4 * extra) >> 8);
		p->b[os + 3] = (uint8_t)(4 + b->olen + 4 * extra);
		break;
	}
	}
}

static void mutate_header(struct bld *b, struct pkt *p)
{
	unsigned int v;

	switch (rn(7)) {
	case 0:		/* TSDU length off by one, zero, or beyond the packet */
		v = be16at(p->b + 14);
		v = (unsigned int[]){ v + 1, v - 1, 0, 0xffff, v + 1000, rn(65536) }[rn(6)];
		p->b[14] = (uint8_t)(v >> 8);
		p->b[15] = (uint8_t)v;
		break;
	case 1:		/* version and reserved bits of the type */
		p->b[4] |= (uint8_t[]){ 0x10, 0x20, 0x40, 0x80, 0xc0 }[rn(5)];
		break;
	case 2:		/* another type with this body */
		p->b[4] = (uint8_t)rn(16);
		break;
	case 3:		/* reserved option bits, VAR_PKTLEN without PARITY, PARITY */
		p->b[5] |= (uint8_t[]){ 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xc0 }[rn(7)];
		break;
	case 4:		/* a TSDU on a packet that has none, or more of one */
		if (p->len + 64 < sizeof(p->b)) {
			unsigned int add = 1 + rn(48);

			for (unsigned int i = 0; i < add; i++)
				p->b[p->len + i] = (uint8_t)r32();
			p->len += add;
			v = be16at(p->b + 14) + (pct(70) ? add : 0);
			p->b[14] = (uint8_t)(v >> 8);
			p->b[15] = (uint8_t)v;
		}
		break;
	case 5:		/* an NLA's family */
		if (b->type == T_SPM || b->type == T_POLL || b->type == T_NAK || b->type == T_NNAK ||
		    b->type == T_NCF) {
			size_t at = 16 + (b->type == T_SPM ? 12 : b->type == T_POLL ? 8 : 4);

			if (at + 2 <= p->len) {
				v = (unsigned int[]){ 0, 2, 3, 0xffff, 1 }[rn(5)];
				p->b[at] = (uint8_t)(v >> 8);
				p->b[at + 1] = (uint8_t)v;
			}
		}
		break;
	default:	/* the ports */
		v = rn(65536);
		p->b[rn(4)] = (uint8_t)v;
		break;
	}
}

static const struct dest *pick_dest(void)
{
	unsigned int r = rn(atk.wsum);

	for (int i = 0; i < atk.ndests; i++) {
		if (r < atk.dests[i].weight)
			return &atk.dests[i];
		r -= atk.dests[i].weight;
	}
	return &atk.dests[0];
}

enum { M_REAL, M_NEW, M_STICKY };

/*
 * Build the next packet in gp; returns its destination, sets the classes,
 * the intended type and the predicted classification.
 */
static const struct dest *gen(uint32_t *clsp, int *typep, int *kindp)
{
	const struct dest *d;
	struct stream *s;
	struct bld b;
	struct sctx c = { 0 };
	struct pgm_tsi tsi;
	uint32_t cls = 0, sqn = 0, fk = 0;
	size_t os;
	int type, mode;
	bool fec = false;

	memset(&b, 0, offsetof(struct bld, opt));
	b.olen = 0;
	b.nopt = 0;
	b.plen = 0;
	if (atk.burst.left) {
		/* A new session followed up across its window (C_WINDOW). */
		d = &atk.dests[atk.burst.dest];
		s = &streams[d->stream];
		tsi = atk.burst.tsi;
		cls |= BIT(C_NEW_TSI) | BIT(C_WINDOW);
		atk.burst.left--;
		c.lead = atk.burst.base + (atk.burst.left ? RXW - 1 - rn(2) : RXW / 2);
		c.trail = atk.burst.base;
		c.spm = ++atk.burst.spm;
		type = pct(50) ? T_SPM : T_ODATA;
		mode = M_NEW;
		goto build;
	}
	d = pick_dest();
	s = &streams[d->stream];
	type = pick_type(d->upstream);
	/* FEC: parity NAKs at the source; OPT_PARITY_PRM, parity and parity NCFs downstream. */
	if (allowed(C_FEC) && pct(d->upstream ? 25 : 20)) {
		unsigned int r = rn(100);

		fec = true;
		type = d->upstream ? T_NAK : r < 30 ? T_SPM : r < 70 ? T_ODATA : r < 88 ? T_RDATA : T_NCF;
	}
	{
		bool real_ok = d->upstream ? allowed(C_NAK) : allowed(C_SPOOF_TSI);
		unsigned int r = rn(100);

		/* At the source mostly its own TSI (NAKs); at receivers mostly the attacker's. */
		if (real_ok && r < (d->upstream ? 70u : 20u))
			mode = M_REAL;
		else if (allowed(C_NEW_TSI) && r >= (d->upstream ? 70u : 20u) && r < (d->upstream ? 80u : 45u))
			mode = M_NEW;
		else if (allowed(C_SESSION) || (!allowed(C_NEW_TSI) && !real_ok))
			mode = M_STICKY;	/* the attacker's own sessions, also when nothing else is left */
		else
			mode = allowed(C_NEW_TSI) ? M_NEW : M_REAL;
	}
	switch (mode) {
	case M_REAL:
		tsi = s->tsi;
		c.real = 1;
		c.lead = __atomic_load_n(&s->lead, __ATOMIC_RELAXED);
		c.trail = __atomic_load_n(&s->trail, __ATOMIC_RELAXED);
		c.spm = r32();
		cls |= BIT(d->upstream ? C_NAK : C_SPOOF_TSI);
		break;
	case M_NEW:
		random_tsi(&tsi);
		c.lead = pct(20) ? 0xffffffffu - rn(600) : r32();
		c.trail = c.lead - rn(1000);
		c.spm = r32();
		cls |= BIT(C_NEW_TSI);
		if (!d->upstream && allowed(C_WINDOW) && pct(15)) {
			atk.burst.left = 1 + rn(2);
			atk.burst.dest = (int)(d - atk.dests);
			atk.burst.tsi = tsi;
			atk.burst.base = c.lead;
			atk.burst.spm = c.spm;
			cls |= BIT(C_WINDOW);
			type = pct(50) ? T_SPM : T_ODATA;
		}
		break;
	default: {
		struct asess *a = &atk.sess[d->stream][rn(NSESS)];

		if (!a->spm_sqn && !a->lead)
			sess_new(a);
		if (pct(1))
			sess_new(a);
		tsi = a->tsi;
		c.sess = a;
		c.lead = a->lead;
		c.trail = a->trail;
		c.spm = a->spm_sqn + 1;
		cls |= BIT(C_SESSION);
		break;
	}
	}
	if ((uint32_t)(c.lead + 2000) < 4000 && allowed(C_WRAP))
		cls |= BIT(C_WRAP);
	if (fec) {
		/* The group size the session uses as far as the attacker knows, or a wrong one. */
		cls |= BIT(C_FEC);
		if (c.sess && c.sess->fec_k)
			fk = c.sess->fec_k;
		else if (c.real && s->fec.k)
			fk = s->fec.k;
		else
			fk = 1u << (1 + rn(7));
		if (pct(8))
			fk = 1u << (1 + rn(7));
	}
build:
	b.type = type == T_UNKNOWN ? (uint8_t[]){ 3, 6, 7, 0x0b, 0x0e, 0x0f }[rn(6)] : (uint8_t)type;
	memcpy(b.gsi, tsi.gsi, PGM_GSI_LEN);
	/* Downstream: data-source port first; upstream (NAK, NNAK, SPMR, POLR, ACK): reversed. */
	if (type == T_NAK || type == T_NNAK || type == T_SPMR || type == T_POLR || type == T_ACK) {
		b.sport = s->port;
		b.dport = ntohs(tsi.sport);
	} else {
		b.sport = ntohs(tsi.sport);
		b.dport = s->port;
	}
	if (pct(3))
		b.dport = (uint16_t)rn(65536);
	switch (type) {
	case T_SPM: {
		uint32_t lead = pick_lead(&c, &cls), spm;

		spm = pct(85) ? c.spm : pct(50) ? c.spm - 1 - rn(10) : r32();
		body32(&b, spm);
		body32(&b, pct(70) ? c.trail : pick_trail(&c, lead, &cls));
		body32(&b, lead);
		spm_nla(&b, d->stream, &cls);
		add_options(&b, type, &c, lead, &cls);
		if (fec) {
			uint32_t k = add_parity_prm(&b, c.sess ? c.sess->fec_k : 0);

			if (c.sess && spm == c.spm && k)
				c.sess->fec_k = k;
		}
		if (c.sess && spm == c.spm) {
			c.sess->spm_sqn = spm;
			if ((uint32_t)(lead - c.sess->lead) < (1u << 16))
				c.sess->lead = lead;
		}
		break;
	}
	case T_ODATA:
	case T_RDATA: {
		uint32_t trail;

		if (fec) {
			build_parity(&b, &c, fk, &cls);
			break;
		}
		sqn = pick_sqn(&c, &cls);
		trail = pick_trail(&c, sqn, &cls);
		body32(&b, sqn);
		body32(&b, trail);
		random_payload(&b, &cls);
		/* Data of a session with FEC: mostly of one length, so that parity fits its groups. */
		if (c.sess && c.sess->fec_k && pct(90)) {
			b.plen = pct(85) ? c.sess->fec_plen : 1 + rn(c.sess->fec_plen);
			for (size_t i = 0; i < b.plen; i++)
				b.pay[i] = (uint8_t)r32();
		}
		add_options(&b, type, &c, sqn, &cls);
		if (c.sess && sqn == c.sess->lead + 1) {
			c.sess->lead = sqn;
			if (c.sess->lead - c.sess->trail > 3000)
				c.sess->trail = c.sess->lead - 2000;
		}
		break;
	}
	case T_NCF:
	case T_NAK:
	case T_NNAK:
		if (fec) {
			b.flags |= F_PARITY;	/* a parity NAK or NCF (section 11.3) */
			sqn = parity_req(&c, fk, &cls);
		} else if (c.real && pct(65)) {
			sqn = c.trail + rn(c.lead - c.trail + 1);
		} else {
			sqn = pick_sqn(&c, &cls);
		}
		body32(&b, sqn);
		if (pct(5)) {
			body16(&b, 2);
			body16(&b, 0);
			for (int i = 0; i < 16; i++)
				b.body[b.blen++] = (uint8_t)r32();
		} else {
			body_nla(&b, pct(85) ? ip_of[NS_SRC] : pct(50) ? ip_of[NS_ATK] : r32());
		}
		body_nla(&b, pct(85) ? s->group : r32());
		if (fec)
			add_parity_lists(&b, &c, fk, &cls);
		else
			add_options(&b, type, &c, sqn, &cls);
		break;
	case T_SPMR:
		add_options(&b, type, &c, 0, &cls);
		break;
	case T_POLL:
		body32(&b, c.lead);
		body16(&b, (uint16_t)rn(4));
		body16(&b, (uint16_t)rn(3));
		body_nla(&b, pct(50) ? ip_of[NS_SRC] : ip_of[NS_ATK]);
		body32(&b, rn(1000000));
		body32(&b, r32());
		body32(&b, r32());
		add_options(&b, type, &c, 0, &cls);
		break;
	case T_POLR:
	case T_ACK:
		body32(&b, c.lead);
		body32(&b, r32());
		add_options(&b, type, &c, 0, &cls);
		break;
	default:	/* unknown type: a few random words */
		for (unsigned int i = rn(7); i; i--)
			body32(&b, r32());
		break;
	}

	assemble(&b, &gp, &os);
	/* Structural damage, some of the time. */
	{
		unsigned int r = rn(100);

		if (r < 8 && allowed(C_OPTS)) {
			cls |= BIT(C_OPTS);
			mutate_options(&b, &gp, os);
		} else if (r < 16 && allowed(C_HDR)) {
			cls |= BIT(C_HDR);
			mutate_header(&b, &gp);
		} else if (r < 21 && allowed(C_TRUNC)) {
			cls |= BIT(C_TRUNC);
			gp.len = rn((uint32_t)gp.len);
		}
	}
	/* Checksum: right ~90% of the time, then maybe havoc on top. */
	if (pct(10) && allowed(C_CSUM)) {
		cls |= BIT(C_CSUM);
		finish(&gp);
		if (pct(40)) {
			gp.b[6] = gp.b[7] = 0;
		} else {
			unsigned int good = be16at(gp.b + 6), v;

			do
				v = rn(65536);
			while (v == good || v == 0);
			gp.b[6] = (uint8_t)(v >> 8);
			gp.b[7] = (uint8_t)v;
		}
	} else if (gp.len >= 8) {
		finish(&gp);
	}
	if (pct(7) && allowed(C_HAVOC) && gp.len) {
		cls |= BIT(C_HAVOC);
		for (unsigned int i = 1 + rn(4); i; i--) {
			size_t at = rn((uint32_t)gp.len);

			if (pct(50))
				gp.b[at] ^= (uint8_t)(1u << rn(8));
			else
				gp.b[at] = (uint8_t)r32();
		}
		if (pct(50) && gp.len >= 8)
			finish(&gp);	/* havoc that the checksum covers */
	}
	*clsp = cls;
	*typep = type;
	*kindp = classify(gp.b, gp.len);
	return d;
}

static void atk_dests(void)
{
	struct dest *d = atk.dests;
	int n = 0;

	for (int st = 0; st < ST_N; st++) {
		struct stream *s = &streams[st];

		/* The late source's group and port are ST_NATIVE's: attacked as those. */
		if (!s->on || s->late)
			continue;
		if (opt.target & T_RECEIVERS) {
			d[n++] = (struct dest){ s->udp, s->group, UDP_MPORT, st, 0,
						BIT(NS_R1) | BIT(NS_R2), 30, s->udp ? "group/udp" : "group" };
			if (s->udp)
				d[n++] = (struct dest){ 1, s->group, UDP_UPORT, st, 0,
							BIT(NS_R1) | BIT(NS_R2), 5, "group/udp-uport" };
			if (streams[!st].on)	/* the other encapsulation, at this group */
				d[n++] = (struct dest){ !s->udp, s->group, UDP_MPORT, st, 0,
							BIT(NS_R1) | BIT(NS_R2), 3, "group/cross" };
			d[n++] = (struct dest){ s->udp, ip_of[NS_R1], UDP_UPORT, st, 0, BIT(NS_R1), 2,
						"receiver-unicast" };
		}
		if (opt.target & T_SOURCE) {
			d[n++] = (struct dest){ s->udp, ip_of[NS_SRC], UDP_UPORT, st, 1, BIT(NS_SRC),
						opt.target & T_RECEIVERS ? 20 : 40,
						s->udp ? "source/udp" : "source" };
			if (s->udp)
				d[n++] = (struct dest){ 1, ip_of[NS_SRC], UDP_MPORT, st, 1, BIT(NS_SRC), 2,
							"source/udp-mport" };
		}
	}
	atk.ndests = n;
	atk.wsum = 0;
	for (int i = 0; i < n; i++)
		atk.wsum += d[i].weight;
}

static void atk_open(void)
{
	static struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, none };
	int dont = IP_PMTUDISC_DONT, big = 256 << 20;

	enter(NS_ATK);
	atk.raw = socket(AF_INET, SOCK_RAW, IPPROTO_PGM);
	atk.udp = socket(AF_INET, SOCK_DGRAM, 0);
	leave();
	if (atk.raw < 0 || atk.udp < 0)
		die("attacker sockets");
	/* The raw socket would also receive every PGM packet of its netns: none, thanks. */
	setsockopt(atk.raw, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	setsockopt(atk.raw, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
	setsockopt(atk.udp, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont));
	/*
	 * Receivers keep clones of what they hold in their windows, and over
	 * veth those stay charged to the sending socket: a default send
	 * buffer would block the attacker until spoofed sessions expire.
	 */
	setsockopt(atk.raw, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(atk.udp, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
}

/* --step: after each packet, the invalid counters of its namespaces must agree. */
static void step_check(const struct dest *d, const struct pgm_netns_stats *before, int kind,
		       uint32_t cls, int type)
{
	for (int ns = NS_SRC; ns <= NS_R2; ns++) {
		struct pgm_netns_stats a;
		uint64_t dt, dc, dy, dm;
		int got = 0;

		if (!(d->reach & BIT(ns)))
			continue;
		for (int i = 0; i < 100; i++) {
			nsstats(ns, &a);
			dt = a.in_truncated - before[ns].in_truncated;
			dc = a.in_bad_checksum - before[ns].in_bad_checksum;
			dy = a.in_bad_type - before[ns].in_bad_type;
			dm = a.in_malformed - before[ns].in_malformed;
			got = (dt ? K_TRUNC : 0) | (dc ? K_CSUM : 0) | (dy ? K_TYPE : 0) | (dm ? K_MALF : 0);
			if (got || (kind == K_VALID && a.in_packets > before[ns].in_packets))
				break;
			usleep(5000);
		}
		if (!got)
			got = K_VALID;
		if (!(got & kind) || (got & (got - 1))) {
			char cs[256];

			atk.step_mismatch++;
			cls_str(cls, cs, sizeof(cs));
			printf("# step: packet %llu to %s (%s, %s, %zu bytes): predicted %s%s, %s counted %s%s%s%s%s\n",
			       (unsigned long long)atk.sent, d->name, type_name(type_index(type)), cs, gp.len,
			       kind_name[__builtin_ctz(kind)], kind & (kind - 1) ? "+" : "", ns_name[ns],
			       got & K_TRUNC ? "truncated " : "", got & K_CSUM ? "bad-checksum " : "",
			       got & K_TYPE ? "bad-type " : "", got & K_MALF ? "malformed " : "",
			       got & K_VALID ? "valid" : "");
			hexdump("#   ", gp.b, gp.len, 128);
		}
	}
}

static void *atk_main(void *arg)
{
	double t0 = now_s(), end = t0 + atk.seconds, next = t0;
	struct pgm_netns_stats before[NS_N];

	(void)arg;
	while (now_s() < end) {
		uint32_t cls;
		int type, kind;
		const struct dest *d = gen(&cls, &type, &kind);
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = d->daddr,
					  .sin_port = htons(d->uport) };
		double t, dt;
		ssize_t rc;

		if (opt.step)
			for (int ns = NS_SRC; ns <= NS_R2; ns++)
				nsstats(ns, &before[ns]);
		t = now_s();
		rc = sendto(d->udp ? atk.udp : atk.raw, gp.b, gp.len, 0, (struct sockaddr *)&to, sizeof(to));
		dt = now_s() - t;
		if (rc != (ssize_t)gp.len) {
			if (!atk.send_errors++)
				atk.first_errno = errno;
			continue;
		}
		atk.sent++;
		atk.bytes += gp.len;
		atk.by_type[type_index(type)]++;
		for (int c = 0; c < NCLASS; c++)
			if (cls & BIT(c))
				atk.by_cls[c]++;
		atk.by_kind[(kind & (kind - 1)) ? K_N : __builtin_ctz(kind)]++;
		for (int ns = 0; ns < NS_N; ns++) {
			if (!(d->reach & BIT(ns)))
				continue;
			atk.exp[ns].by_mask[kind]++;
			atk.exp[ns].packets++;
			atk.exp[ns].bytes += gp.len;
		}
		if (dt > atk.slowest)
			atk.slowest = dt;
		if (dt > opt.stall_s) {
			/* A CPU stuck on this packet: report it, send no more of its kind. */
			uint32_t risky = cls & (BIT(C_FAR) | BIT(C_SPOOF_TSI) | BIT(C_NAK) | BIT(C_NEW_TSI) |
						BIT(C_WINDOW) | BIT(C_WRAP) | BIT(C_FRAG) | BIT(C_NAKLIST) |
						BIT(C_FEC));

			if (atk.nstalls < 8) {
				struct stall *st = &atk.stalls[atk.nstalls++];

				st->secs = dt;
				st->cls = cls;
				st->type = type;
				st->len = gp.len < sizeof(st->head) ? gp.len : sizeof(st->head);
				memcpy(st->head, gp.b, st->len);
				st->dest = d->name;
			}
			atk.off |= risky & BIT(C_FAR) ? BIT(C_FAR) : risky;
			end += dt;	/* the round keeps its fuzzing time */
		}
		if (opt.step)
			step_check(d, before, kind, cls, type);
		/*
		 * When the input path falls behind (softirq work deferred to
		 * ksoftirqd), packets wait in the backlog queues, for seconds
		 * on an emulated CPU: wait for them, so that no packet, the
		 * real sessions' included, is seen late.
		 */
		if (atk.sent % 8 == 0 && softnet_queued() > 256) {
			double t1 = now_s();

			while (softnet_queued() > 32 && now_s() - t1 < 5)
				sleep_s(0.001);
			atk.throttled += now_s() - t1;
		}
		if (opt.pps) {
			next += 1.0 / opt.pps;
			sleep_s(next - now_s());
		}
	}
	atk.elapsed = now_s() - t0;
	return NULL;
}

/* ---------------------------------------------------------------- monitor */

static struct {
	int stop;
	struct mem base, peak;
	double worst_gap;
} mon;

static void *mon_main(void *arg)
{
	double last = now_s();

	(void)arg;
	while (!__atomic_load_n(&mon.stop, __ATOMIC_ACQUIRE)) {
		double t;
		long s, v;

		sleep_s(0.25);
		t = now_s();
		if (t - last - 0.25 > mon.worst_gap)
			mon.worst_gap = t - last - 0.25;
		last = t;
		s = meminfo_kb("SUnreclaim");
		v = meminfo_kb("VmallocUsed");
		if (s + v > mon.peak.sunreclaim + mon.peak.vmalloc) {
			mon.peak.sunreclaim = s;
			mon.peak.vmalloc = v;
		}
		for (size_t i = 0; i < NRX; i++) {
			struct pgm_receiver_stats st;
			socklen_t len = sizeof(st);

			if (rxrs[i].fd < 0 || !streams[rxrs[i].stream].on ||
			    getsockopt(rxrs[i].fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &len))
				continue;
			if (st.peers > rxrs[i].max_peers)
				rxrs[i].max_peers = st.peers;
			if (st.mem > rxrs[i].max_mem)
				rxrs[i].max_mem = st.mem;
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------- a round */

static void print_ns(const char *pfx, int ns, const struct pgm_netns_stats *a,
		     const struct pgm_netns_stats *b)
{
	if (ns != NS_SRC)
		printf("%s%s receivers: %llu sessions refused, %llu packets refused for memory, "
		       "%llu windows shed, %llu with a TSI from the wrong source\n", pfx, ns_name[ns],
		       (unsigned long long)(b->rx_sessions_refused - a->rx_sessions_refused),
		       (unsigned long long)(b->rx_mem_refused - a->rx_mem_refused),
		       (unsigned long long)(b->rx_windows_shed - a->rx_windows_shed),
		       (unsigned long long)(b->rx_wrong_source - a->rx_wrong_source));
	printf("%s%s: in %llu packets %llu bytes: truncated %llu, bad checksum %llu, bad type %llu, "
	       "malformed %llu, no socket %llu, delivered %llu\n", pfx, ns_name[ns],
	       (unsigned long long)(b->in_packets - a->in_packets),
	       (unsigned long long)(b->in_bytes - a->in_bytes),
	       (unsigned long long)(b->in_truncated - a->in_truncated),
	       (unsigned long long)(b->in_bad_checksum - a->in_bad_checksum),
	       (unsigned long long)(b->in_bad_type - a->in_bad_type),
	       (unsigned long long)(b->in_malformed - a->in_malformed),
	       (unsigned long long)(b->in_no_socket - a->in_no_socket),
	       (unsigned long long)(b->in_delivered - a->in_delivered));
}

/*
 * The counters of @ns account for every packet: outcomes add up to
 * in_packets; each invalid outcome equals what the attacker sent there
 * (between the packets predicted exactly and those predicted with that
 * outcome among others); valid ones are at least the attacker's, the rest
 * being the real traffic, at least @legit packets.
 */
static bool account(const struct pgm_netns_stats *a, const struct pgm_netns_stats *b,
		    const struct nsexp *e, uint64_t legit, char *why, size_t wl)
{
	uint64_t d[K_N] = {
		b->in_truncated - a->in_truncated, b->in_bad_checksum - a->in_bad_checksum,
		b->in_bad_type - a->in_bad_type, b->in_malformed - a->in_malformed,
		(b->in_no_socket - a->in_no_socket) + (b->in_delivered - a->in_delivered),
	};
	uint64_t total = b->in_packets - a->in_packets, sum = 0;
	size_t o = 0;

	why[0] = 0;
	for (int k = 0; k < K_N; k++)
		sum += d[k];
	if (sum != total)
		o += snprintf(why + o, wl - o, " outcomes add up to %llu of %llu packets;",
			      (unsigned long long)sum, (unsigned long long)total);
	for (int k = 0; k < K_N; k++) {
		uint64_t lo = e->by_mask[1u << k], hi = 0;

		for (unsigned int m = 1; m < 32; m++)
			if (m & (1u << k))
				hi += e->by_mask[m];
		if (k == K_N - 1) {
			lo += legit;
			hi = UINT64_MAX;
		}
		if (d[k] < lo || d[k] > hi)
			o += snprintf(why + o, o < wl ? wl - o : 0, " %s %llu, expected %llu%s%llu;",
				      kind_name[k], (unsigned long long)d[k], (unsigned long long)lo,
				      hi == UINT64_MAX ? " or more" : "..",
				      hi == UINT64_MAX ? 0ULL : (unsigned long long)hi);
	}
	if (b->in_bytes - a->in_bytes < e->bytes)
		o += snprintf(why + o, o < wl ? wl - o : 0, " in_bytes %llu below the attacker's %llu;",
			      (unsigned long long)(b->in_bytes - a->in_bytes),
			      (unsigned long long)e->bytes);
	return !o;
}

/* Wire bytes a source sent at least (IP headers included), from its counters. */
static uint64_t src_wire_bytes(const struct pgm_source_stats *st)
{
	return st->data_bytes_sent + st->odata_sent * (20 + 24) + st->rdata_bytes_sent +
	       st->rdata_sent * 24 + st->spm_sent * (24 + 36) + st->ncf_sent * (24 + 36);
}

static void late_start(struct stream *s, unsigned long long seed)
{
	src_open(s, (uint32_t)seed, ST_LATE);
	pthread_create(&s->th, NULL, src_main, s);
}

static void run_round(int round, unsigned long long seed, double seconds)
{
	struct pgm_netns_stats a[NS_N], b[NS_N];
	unsigned long long drops0, drops;
	uint64_t odata_before[ST_N];
	uint32_t paced[ST_N], ctl_paced;
	double settled, pace_s[ST_N], ctl_s, idle_wait = 0;
	struct pgm_netns_stats idle[NS_N];
	struct stream *late = &streams[ST_LATE];
	pthread_t at, mt;
	char buf[1024];
	double t0, late_at = 0;

	double tr0 = now_s(), tr_atk, tr_settled, tr_src, tr_rx;

	printf("# round %d: seed %llu, %.1f s of fuzzing\n", round, seed, seconds);
	memset(&atk.sent, 0, sizeof(atk) - offsetof(struct atk, sent));
	memset(atk.sess, 0, sizeof(atk.sess));
	memset(&atk.burst, 0, sizeof(atk.burst));
	atk.rng = splitmix(seed) | 1;
	atk.seconds = seconds;
	__atomic_store_n(&stop_sources, 0, __ATOMIC_RELEASE);
	{
		double zero = 0;

		__atomic_store(&rx_deadline, &zero, __ATOMIC_RELEASE);
	}

	for (int st = 0; st < ST_N; st++) {
		struct stream *s = &streams[st];

		s->group = ip4(s->group_s);	/* the late receiver joins before its source opens */
		s->started = s->closing = s->closed = 0;
		s->sent = s->total = 0;
		s->fd = -1;
		memset(&s->st, 0, sizeof(s->st));
		s->t_start = s->t_stats = 0;
		if (s->on && !s->late)
			src_open(s, (uint32_t)seed, st);
	}
	for (size_t i = 0; i < NRX; i++) {
		rxrs[i].fd = -1;
		/* PGM_FEC_NAK on one receiver of each stream, r1's and r2's in turn. */
		if (streams[rxrs[i].stream].on)
			rx_open(&rxrs[i], opt.fec && ((i / 2 + seed) & 1));
	}
	atk_dests();
	for (int ns = NS_SRC; ns <= NS_R2; ns++)
		nsstats(ns, &a[ns]);
	drops0 = softnet_drops();
	mon.stop = 0;
	mon.worst_gap = 0;
	mon.base = mem_low(1, 0);
	mon.peak = mon.base;
	pthread_create(&mt, NULL, mon_main, NULL);
	for (size_t i = 0; i < NRX; i++)
		if (rxrs[i].fd >= 0)
			pthread_create(&rxrs[i].th, NULL, rx_main, &rxrs[i]);
	memset(&ctl, 0, sizeof(ctl) - sizeof(ctl.th));
	pthread_create(&ctl.th, NULL, ctl_main, NULL);
	for (int st = 0; st < ST_N; st++)
		if (streams[st].on && !streams[st].late)
			pthread_create(&streams[st].th, NULL, src_main, &streams[st]);
	sleep_s(0.5);	/* sessions under way: SPMs and first data seen */
	t0 = now_s();
	pthread_create(&at, NULL, atk_main, NULL);
	for (double next = t0 + (opt.verbose ? 2 : 30); pthread_tryjoin_np(at, NULL); sleep_s(0.2)) {
		/*
		 * Half-way through the attack, the late source starts: its
		 * receiver's table is full of the attacker's sessions by then.
		 */
		if (late->on && !late->started && now_s() >= t0 + seconds / 2) {
			late_at = now_s() - t0;
			late_start(late, seed);
		}
		if (now_s() >= next) {
			next += opt.verbose ? 2 : 30;
			printf("# %.0f s: %llu packets, slowest sendto %.3f s, %d stalls; APDUs sent %u/%u/%u",
			       now_s() - t0, (unsigned long long)atk.sent, atk.slowest, atk.nstalls,
			       streams[0].sent, streams[1].sent, streams[2].sent);
			for (size_t i = 0; i < NRX; i++)
				printf(" %s %u", rxrs[i].name, rxrs[i].next);
			printf("\n");
		}
	}
	/* An attack shorter than the loop's first look: the late source starts now. */
	if (late->on && !late->started) {
		late_at = now_s() - t0;
		late_start(late, seed);
		sleep_s(0.5);
	}
	/*
	 * The counters once every packet of the attacker has been through
	 * the input path: after the backlog queues have drained, with the
	 * receivers still there (a group left would turn packets away).  The
	 * ODATA sent before that have all arrived too.
	 */
	for (int st = 0; st < ST_N; st++) {
		struct pgm_source_stats q;
		socklen_t len = sizeof(q);

		/* How far each stream got while under attack. */
		paced[st] = __atomic_load_n(&streams[st].sent, __ATOMIC_ACQUIRE);
		pace_s[st] = now_s() - streams[st].t_start;
		odata_before[st] = 0;
		if (streams[st].on && !getsockopt(streams[st].fd, SOL_PGM, PGM_SOURCE_STATS, &q, &len))
			odata_before[st] = q.odata_sent;
	}
	ctl_paced = __atomic_load_n(&ctl.sent, __ATOMIC_ACQUIRE);
	ctl_s = now_s() - ctl.t_start;
	tr_atk = now_s();
	settled = settle(30);
	for (int ns = NS_SRC; ns <= NS_R2; ns++)
		nsstats(ns, &b[ns]);
	drops = softnet_drops() - drops0;
	__atomic_store_n(&stop_sources, 1, __ATOMIC_RELEASE);
	tr_settled = now_s();
	for (int st = 0; st < ST_N; st++)
		if (streams[st].on)
			pthread_join(streams[st].th, NULL);
	pthread_join(ctl.th, NULL);
	tr_src = now_s();
	{
		double dl = now_s() + opt.drain_s;

		__atomic_store(&rx_deadline, &dl, __ATOMIC_RELEASE);
	}
	for (size_t i = 0; i < NRX; i++)
		if (rxrs[i].fd >= 0)
			pthread_join(rxrs[i].th, NULL);
	tr_rx = now_s();
	__atomic_store_n(&mon.stop, 1, __ATOMIC_RELEASE);
	pthread_join(mt, NULL);
	for (size_t i = 0; i < NRX; i++)
		if (rxrs[i].fd >= 0)
			rx_close(&rxrs[i]);
	/* Every socket of the round closed: the receivers hold nothing any more. */
	for (double t1 = now_s(); idle_wait < 5; idle_wait = now_s() - t1) {
		bool zero = true;

		for (int ns = NS_R1; ns <= NS_R2; ns++) {
			nsstats(ns, &idle[ns]);
			zero &= !idle[ns].rx_sessions && !idle[ns].rx_mem;
		}
		if (zero)
			break;
		sleep_s(0.05);
	}

	printf("#   timing: %.1f s to start, %.1f s of attack, %.1f s to drain the queues, "
	       "%.1f s for the last APDUs and FIN, %.1f s until the receivers had it all, %.1f s to close\n",
	       t0 - tr0, tr_atk - t0, tr_settled - tr_atk, tr_src - tr_settled, tr_rx - tr_src,
	       now_s() - tr_rx);
	/* What was sent. */
	printf("#   attacker: %llu packets in %.1f s (%.0f/s), %.1f MB; %llu sends failed%s%s\n",
	       (unsigned long long)atk.sent, atk.elapsed, atk.sent / (atk.elapsed > 0 ? atk.elapsed : 1),
	       atk.bytes / 1e6, (unsigned long long)atk.send_errors,
	       atk.send_errors ? ", first: " : "", atk.send_errors ? strerror(atk.first_errno) : "");
	{
		size_t o = 0;

		for (int t = 0; t < 17; t++)
			if (atk.by_type[t])
				o += snprintf(buf + o, sizeof(buf) - o, " %s %llu", type_name(t),
					      (unsigned long long)atk.by_type[t]);
		printf("#   by type:%s\n", buf);
		o = 0;
		for (int c = 0; c < NCLASS; c++)
			o += snprintf(buf + o, sizeof(buf) - o, " %s %llu", cls_name[c],
				      (unsigned long long)atk.by_cls[c]);
		printf("#   by class:%s\n", buf);
		o = 0;
		for (int k = 0; k < K_N; k++)
			o += snprintf(buf + o, sizeof(buf) - o, " %s %llu", kind_name[k],
				      (unsigned long long)atk.by_kind[k]);
		printf("#   predicted:%s, ambiguous %llu\n", buf, (unsigned long long)atk.by_kind[K_N]);
	}
	for (int ns = NS_SRC; ns <= NS_R2; ns++) {
		if (!atk.exp[ns].packets && b[ns].in_packets == a[ns].in_packets)
			continue;
		print_ns("#   ", ns, &a[ns], &b[ns]);
		printf("#     of which the attacker's: %llu packets, %llu bytes\n",
		       (unsigned long long)atk.exp[ns].packets, (unsigned long long)atk.exp[ns].bytes);
	}
	for (int st = 0; st < ST_N; st++) {
		struct stream *s = &streams[st];
		const struct pgm_source_stats *q = &s->st;
		double secs = s->t_stats - s->t_start;

		if (!s->on)
			continue;
		printf("#   source %s (port %u): %u APDUs, %.2f MB; odata %llu rdata %llu spm %llu ncf %llu, "
		       "naks %llu (ignored %llu), spmrs %llu, malformed %llu; %.0f B/s on the wire "
		       "(limit %u); longest send %.2f s\n",
		       stream_name(s), ntohs(s->tsi.sport), s->total,
		       q->data_bytes_sent / 1e6, (unsigned long long)q->odata_sent,
		       (unsigned long long)q->rdata_sent, (unsigned long long)q->spm_sent,
		       (unsigned long long)q->ncf_sent, (unsigned long long)q->naks_received,
		       (unsigned long long)q->naks_ignored, (unsigned long long)q->spmr_received,
		       (unsigned long long)q->malformed, secs > 0 ? src_wire_bytes(q) / secs : 0.0,
		       opt.rate, s->blocked_max);
		if (s->late)
			printf("#     started %.1f s into the attack, on the native stream's group and port\n",
			       late_at);
		printf("#     repairs: %llu RDATA deferred for the rate limit, %llu unsent (left the window), "
		       "%llu sqns already queued, %llu NAK lists ignored, %llu NCFs dropped\n",
		       (unsigned long long)q->rdata_deferred, (unsigned long long)q->rdata_unsent,
		       (unsigned long long)q->naks_pending, (unsigned long long)q->nak_lists_ignored,
		       (unsigned long long)q->ncf_dropped);
		if (s->fec.k)
			printf("#     FEC RS(%u, %u), %u proactive, on demand: parity %llu proactive, %llu on demand; "
			       "parity NAKs %llu (refused %llu), %llu answered with originals\n",
			       s->fec.n, s->fec.k, s->fec.proactive,
			       (unsigned long long)q->parity_sent_proactive,
			       (unsigned long long)q->parity_sent_ondemand,
			       (unsigned long long)q->parity_naks_received,
			       (unsigned long long)q->parity_naks_refused,
			       (unsigned long long)q->parity_by_originals);
	}
	for (size_t i = 0; i < NRX; i++) {
		struct rxr *r = &rxrs[i];

		if (!streams[r->stream].on)
			continue;
		printf("#   %s: %llu APDUs (%.2f MB) of %u, end %d; foreign sessions: %llu APDUs, "
		       "%llu losses, %llu ends; sessions up to %u, %.1f MiB held at most\n",
		       r->name, (unsigned long long)r->apdus, r->bytes / 1e6,
		       streams[r->stream].total, r->end_reason, (unsigned long long)r->foreign,
		       (unsigned long long)r->foreign_loss, (unsigned long long)r->foreign_end,
		       r->max_peers, r->max_mem / 1048576.0);
		printf("#     odata %llu rdata %llu dup %llu outside %llu malformed %llu naks %llu "
		       "(deferred %llu) spmrs %llu; refused: %llu sessions, %llu for memory; "
		       "windows shed %llu; wrong source %llu\n",
		       (unsigned long long)r->rs.odata_received, (unsigned long long)r->rs.rdata_received,
		       (unsigned long long)r->rs.duplicates, (unsigned long long)r->rs.outside_window,
		       (unsigned long long)r->rs.malformed, (unsigned long long)r->rs.naks_sent,
		       (unsigned long long)r->rs.naks_deferred, (unsigned long long)r->rs.spmrs_sent,
		       (unsigned long long)r->rs.sessions_refused, (unsigned long long)r->rs.mem_refused,
		       (unsigned long long)r->rs.windows_shed, (unsigned long long)r->rs.wrong_source);
		printf("#     FEC%s: parity %llu (dropped %llu, unused %llu), %llu groups rebuilt, "
		       "%llu parity NAKs\n", r->fec_nak ? " with PGM_FEC_NAK" : "",
		       (unsigned long long)r->rs.parity_received, (unsigned long long)r->rs.parity_dropped,
		       (unsigned long long)r->rs.parity_unused, (unsigned long long)r->rs.groups_rebuilt,
		       (unsigned long long)r->rs.parity_naks_sent);
		if (r->ring_size)
			printf("#     ring: %llu records, %llu full, %llu spilled, %llu wake-ups\n",
			       (unsigned long long)r->ring.records, (unsigned long long)r->ring.full,
			       (unsigned long long)r->ring.spilled, (unsigned long long)r->ring.wakeups);
	}
	printf("#   memory: SUnreclaim %+ld KiB, VmallocUsed %+ld KiB at the peak; "
	       "slowest sendto %.3f s, longest watcher delay %.2f s\n",
	       mon.peak.sunreclaim - mon.base.sunreclaim, mon.peak.vmalloc - mon.base.vmalloc,
	       atk.slowest, mon.worst_gap);
	printf("#   backlog queues: the attacker waited %.1f s for them to drain, %.1f s at the end; "
	       "%llu packets dropped\n", atk.throttled, settled, drops);
	if (opt.step)
		printf("#   --step: %llu packets counted otherwise than predicted\n",
		       (unsigned long long)atk.step_mismatch);

	/* Verdicts. */
	for (size_t i = 0; i < NRX; i++) {
		struct rxr *r = &rxrs[i];
		struct stream *s = &streams[r->stream];
		bool ok;

		if (!s->on)
			continue;
		/* With --loss, the stream may end in a reported loss. */
		ok = !r->err[0] && (r->next == s->total || (opt.loss > 0 && r->loss_pending)) &&
		     r->ends == 1 && r->end_reason == PGM_END_FIN && !r->foreign_odd_addr;
		if (!ok && !r->err[0]) {
			if (r->foreign_odd_addr)
				rx_fail(r, "%llu foreign APDUs not from the attacker",
					(unsigned long long)r->foreign_odd_addr);
			else if (r->next != s->total)
				rx_fail(r, "%u of %u APDUs delivered", r->next, s->total);
			else
				rx_fail(r, "%d session ends, last reason %d (want one, OPT_FIN)",
					r->ends, r->end_reason);
		}
		verdict(ok, "round %d: %s delivered the %s stream exactly (%u APDUs, then OPT_FIN)%s%s",
			round, r->name, stream_name(s), s->total, ok ? "" : ": ", r->err);
	}
	for (int ns = NS_SRC; ns <= NS_R2; ns++) {
		uint64_t legit = 0;
		char why[512];
		bool ok;

		if (!atk.exp[ns].packets && b[ns].in_packets == a[ns].in_packets)
			continue;
		/* Every ODATA of every stream reaches each receiver namespace. */
		if (ns != NS_SRC && opt.loss <= 0)
			for (int st = 0; st < ST_N; st++)
				if (streams[st].on)
					legit += odata_before[st];
		ok = account(&a[ns], &b[ns], &atk.exp[ns], legit, why, sizeof(why));
		if (!ok && drops)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " (%llu packets dropped in backlog queues)", drops);
		verdict(ok, "round %d: %s counters account for every packet%s%s", round, ns_name[ns],
			ok ? "" : ":", why);
	}
	for (int st = 0; st < ST_N; st++) {
		struct stream *s = &streams[st];
		double secs = s->t_stats - s->t_start;
		uint64_t wire = src_wire_bytes(&s->st);
		uint64_t allow = (uint64_t)(opt.rate * secs * 1.25) + 8 * 1500 + opt.rate / 25;

		if (!s->on)
			continue;
		verdict(!s->err[0], "round %d: the %s source sent its stream%s%s", round,
			stream_name(s), s->err[0] ? ": " : "", s->err);
		verdict(wire <= allow, "round %d: the %s source kept to its rate limit (%.0f B/s of %u B/s, "
			"%llu RDATA for %llu NAKed sqns)", round, stream_name(s),
			secs > 0 ? wire / secs : 0.0, opt.rate, (unsigned long long)s->st.rdata_sent,
			(unsigned long long)s->st.naks_received);
		/*
		 * Repairs for spoofed NAKs must not starve the stream itself:
		 * while a send() waits, repairs get at most half the rate
		 * (PGM_RDATA_SHARE_DIV), so the rate limit never made the
		 * stream's sends wait longer in all than its own packets take
		 * at half the rate (ODATA and proactive parity, a full TPDU
		 * each counted) and, for each APDU, what a send() leaves to
		 * the repair and the parity that go next (a TPDU each:
		 * pgm_repair_reserve, pgm_fec_reserve), with a quarter and
		 * half a second to spare.
		 * The time the limit set is the kernel's (rate_wait_ns), not
		 * the wall clock's: how fast an emulated guest runs the
		 * stream's thread is the machine's business, printed beside
		 * a UDP sender's pace at the same cadence in the same round.
		 */
		{
			double waited = s->st.rate_wait_ns / 1e9;
			double own = (double)(s->st.data_bytes_sent + s->st.odata_sent * (20 + 24 + 16) +
					      s->st.parity_sent_proactive * 1500) +
				     2.0 * 1500 * __atomic_load_n(&s->total, __ATOMIC_ACQUIRE);
			double bound = 1.25 * own / (opt.rate / 2.0) + 0.5;

			verdict(waited <= bound,
				"round %d: the %s stream's sends waited %.2f s for the rate limit in %.1f s, "
				"at most %.2f s (its %.0f bytes and reserves at half the rate); %llu RDATA for %llu NAKed sqns",
				round, stream_name(s), waited, secs, bound, own,
				(unsigned long long)s->st.rdata_sent,
				(unsigned long long)s->st.naks_received);
			printf("#   %s stream pace under attack: %u APDUs in %.1f s (%.1f/s); UDP baseline %u "
			       "in %.1f s (%.1f/s), %u/s wanted%s%s\n", stream_name(s),
			       paced[st], pace_s[st], pace_s[st] > 0 ? paced[st] / pace_s[st] : 0.0,
			       ctl_paced, ctl_s, ctl_s > 0 ? ctl_paced / ctl_s : 0.0, opt.apdu_rate,
			       ctl.err[0] ? "; baseline " : "", ctl.err);
		}
	}
	{
		char cs[256];
		bool ok = !atk.nstalls && mon.worst_gap <= opt.stall_s;

		for (int i = 0; i < atk.nstalls; i++) {
			struct stall *st = &atk.stalls[i];

			cls_str(st->cls, cs, sizeof(cs));
			printf("#   stall: sendto of a %s (%s) to %s took %.1f s\n",
			       type_name(type_index(st->type)), cs, st->dest, st->secs);
			hexdump("#     ", st->head, st->len, sizeof(st->head));
		}
		cls_str(atk.off, cs, sizeof(cs));
		verdict(ok, "round %d: no CPU stall (slowest sendto %.3f s, watcher delay %.2f s, limit %.1f s)%s%s",
			round, atk.slowest, mon.worst_gap, opt.stall_s,
			atk.off ? "; classes turned off after a stall: " : "", atk.off ? cs : "");
	}
	for (int ns = NS_R1; ns <= NS_R2; ns++)
		verdict(!idle[ns].rx_sessions && !idle[ns].rx_mem,
			"round %d: %s receivers hold nothing once closed (%llu sessions, %llu bytes after %.1f s)",
			round, ns_name[ns], (unsigned long long)idle[ns].rx_sessions,
			(unsigned long long)idle[ns].rx_mem, idle_wait);
	{
		long grow = (mon.peak.sunreclaim - mon.base.sunreclaim) + (mon.peak.vmalloc - mon.base.vmalloc);

		verdict(grow <= (long)opt.max_growth_mb * 1024,
			"round %d: kernel memory grew by %ld MiB at most during the round (limit %lu MiB)",
			round, grow / 1024, opt.max_growth_mb);
	}
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
	printf("usage: fuzz_kernel [--seconds S] [--seed N] [--rounds R] [--target receivers|source|both]\n"
	       "                   [--native|--udp] [--no CLASS[,CLASS...]] [--no-far] [--no-spoof-tsi]\n"
	       "                   [--no-nak] [--no-new-tsi] [--no-fec] [--pps N] [--loss PCT] [--stall S]\n"
	       "                   [--max-growth MIB] [--mem-bound KIB] [--drain S] [--apdu-rate N]\n"
	       "                   [--rate BYTES_S] [--no-late] [--source-bound N] [--step] [--rmmod]\n"
	       "                   [--verbose] [--list-classes]\n");
}

static void disable(const char *list)
{
	char *dup = strdup(list), *tok, *save = NULL;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c;

		for (c = 0; c < NCLASS && strcmp(tok, cls_name[c]); c++)
			;
		if (c == NCLASS) {
			printf("fuzz_kernel: unknown class %s (--list-classes)\n", tok);
			exit(2);
		}
		opt.disabled |= BIT(c);
	}
	free(dup);
}

static void on_alarm(int sig)
{
	(void)sig;
	printf("fuzz-kernel: the run took too long (a CPU stuck?)\nfuzz-kernel: %d passed, %d failed\n",
	       t_pass, t_fail + 1);
	fflush(stdout);
	_exit(1);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", 1, 0, 's' }, { "seed", 1, 0, 'S' }, { "rounds", 1, 0, 'R' },
		{ "target", 1, 0, 't' }, { "native", 0, 0, 'N' }, { "udp", 0, 0, 'U' },
		{ "no", 1, 0, 'n' }, { "no-far", 0, 0, 1 }, { "no-spoof-tsi", 0, 0, 2 },
		{ "no-nak", 0, 0, 3 }, { "no-new-tsi", 0, 0, 4 }, { "pps", 1, 0, 'p' },
		{ "loss", 1, 0, 'l' }, { "stall", 1, 0, 5 }, { "max-growth", 1, 0, 6 },
		{ "mem-bound", 1, 0, 7 }, { "drain", 1, 0, 8 }, { "apdu-rate", 1, 0, 9 },
		{ "rate", 1, 0, 10 }, { "step", 0, 0, 11 }, { "rmmod", 0, 0, 12 },
		{ "list-classes", 0, 0, 13 }, { "no-fec", 0, 0, 14 }, { "no-late", 0, 0, 15 },
		{ "source-bound", 1, 0, 16 }, { "verbose", 0, 0, 'v' },
		{ "help", 0, 0, 'h' }, { 0 },
	};
	double t_main = now_s();
	struct mem m0, m1;
	char cs[256];
	int c;
	long backlog = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "hv", lo, NULL)) != -1) {
		switch (c) {
		case 's': opt.seconds = atof(optarg); break;
		case 'S': opt.seed = strtoull(optarg, NULL, 0); opt.seed_given = 1; break;
		case 'R': opt.rounds = atoi(optarg); break;
		case 't':
			opt.target = !strcmp(optarg, "receivers") ? T_RECEIVERS :
				     !strcmp(optarg, "source") ? T_SOURCE :
				     !strcmp(optarg, "both") ? T_RECEIVERS | T_SOURCE : 0;
			if (!opt.target) {
				usage();
				return 2;
			}
			break;
		case 'N': opt.udp = 0; opt.native = 1; break;
		case 'U': opt.native = 0; opt.udp = 1; break;
		case 'n': disable(optarg); break;
		case 1: opt.disabled |= BIT(C_FAR); break;
		case 2: opt.disabled |= BIT(C_SPOOF_TSI); break;
		case 3: opt.disabled |= BIT(C_NAK); break;
		case 4: opt.disabled |= BIT(C_NEW_TSI) | BIT(C_WINDOW); break;
		case 'p': opt.pps = strtoul(optarg, NULL, 0); break;
		case 'l': opt.loss = atof(optarg); break;
		case 5: opt.stall_s = atof(optarg); break;
		case 6: opt.max_growth_mb = strtoul(optarg, NULL, 0); break;
		case 7: opt.mem_bound_kb = strtoul(optarg, NULL, 0); break;
		case 8: opt.drain_s = atof(optarg); break;
		case 9: opt.apdu_rate = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 10: opt.rate = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 11: opt.step = 1; break;
		case 12: opt.rmmod = 1; break;
		case 14: opt.fec = 0; break;
		case 15: opt.late = 0; break;
		case 16: opt.source_bound = strtol(optarg, NULL, 0); break;
		case 'v': opt.verbose = 1; break;
		case 13:
			for (c = 0; c < NCLASS; c++)
				printf("%s\n", cls_name[c]);
			return 0;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (!opt.rounds)
		opt.rounds = opt.seconds > 60 ? (int)((opt.seconds + 59) / 60) : 1;
	if (opt.rounds < 1 || opt.seconds <= 0 || !opt.apdu_rate) {
		usage();
		return 2;
	}
	if (!opt.seed_given)
		opt.seed = splitmix((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)) % 1000000000ULL;
	streams[ST_NATIVE].on = opt.native;
	streams[ST_UDP].on = opt.udp;
	streams[ST_LATE].on = opt.native && opt.late;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	/*
	 * A bound on the whole run, stalls included: per round the fuzzing,
	 * 30 s for the queues, 10 s for a blocked send, the drain, closing.
	 */
	alarm((unsigned int)(opt.seconds + opt.rounds * (opt.drain_s + 45) + 60));

	cls_str(opt.disabled, cs, sizeof(cs));
	printf("# fuzz-kernel: seed %llu, %d round(s), %.0f s of fuzzing, target %s, %s%s%s%s; classes off: %s\n",
	       opt.seed, opt.rounds, opt.seconds,
	       opt.target == 3 ? "both" : opt.target == T_SOURCE ? "source" : "receivers",
	       opt.native ? "native" : "", opt.native && opt.udp ? " and " : "", opt.udp ? "udp" : "",
	       opt.fec ? " with FEC" : " without FEC", opt.disabled ? cs : "none");
	printf("# replay: fuzz_kernel --seed %llu --rounds %d --seconds %g%s%s%s%s", opt.seed,
	       opt.rounds, opt.seconds, opt.disabled ? " --no " : "", opt.disabled ? cs : "",
	       opt.target == T_SOURCE ? " --target source" : opt.target == T_RECEIVERS ? " --target receivers" : "",
	       opt.native && !opt.udp ? " --native" : !opt.native ? " --udp" : "");
	if (opt.pps)
		printf(" --pps %lu", opt.pps);
	if (!opt.fec)
		printf(" --no-fec");
	if (!opt.late)
		printf(" --no-late");
	if (opt.source_bound >= 0)
		printf(" --source-bound %ld", opt.source_bound);
	if (opt.loss > 0)
		printf(" --loss %g", opt.loss);
	printf("\n");
	if (module_refcnt() < 0) {
		/* Not loaded yet (autoload): a socket loads it. */
		int fd = pgm_socket();

		if (fd < 0)
			die("socket");
		close(fd);
	}
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns < 0)
		die("/proc/self/ns/net");
	/* Deep backlog queues: the counters must see every packet sent. */
	{
		FILE *f = fopen("/proc/sys/net/core/netdev_max_backlog", "r+");

		if (f) {
			if (fscanf(f, "%ld", &backlog) != 1)
				backlog = -1;
			rewind(f);
			fprintf(f, "100000\n");
			fclose(f);
		}
	}
	{
		double t = now_s();

		topology_up();
		printf("# namespaces set up in %.1f s\n", now_s() - t);
	}
	atk_open();
	slabs_shrink();
	m0 = mem_low(5, 0.2);
	printf("# memory before: SUnreclaim %ld KiB, VmallocUsed %ld KiB\n", m0.sunreclaim, m0.vmalloc);

	for (int r = 0; r < opt.rounds; r++)
		run_round(r + 1, opt.seed + r, opt.seconds / opt.rounds);

	close(atk.raw);
	close(atk.udp);
	for (int ns = 0; ns < NS_N; ns++)
		if (probe[ns] >= 0)
			close(probe[ns]);
	{
		long rc = wait_refcnt(0, 10000);

		verdict(rc == 0, "every socket released: module reference count %ld", rc);
	}
	sleep_s(1);
	slabs_shrink();
	m1 = mem_low(10, 0.2);
	printf("# memory after: SUnreclaim %ld KiB, VmallocUsed %ld KiB\n", m1.sunreclaim, m1.vmalloc);
	verdict(m1.sunreclaim - m0.sunreclaim <= (long)opt.mem_bound_kb &&
		m1.vmalloc - m0.vmalloc <= (long)opt.mem_bound_kb / 4,
		"kernel memory back after close: SUnreclaim %+ld KiB, VmallocUsed %+ld KiB "
		"(bounds %lu and %lu KiB)", m1.sunreclaim - m0.sunreclaim, m1.vmalloc - m0.vmalloc,
		opt.mem_bound_kb, opt.mem_bound_kb / 4);
	for (int ns = 0; ns < NS_N; ns++)
		close(ns_fd[ns]);
	{
		double t = now_s();

		topology_down();
		printf("# namespaces removed in %.1f s\n", now_s() - t);
	}
	if (backlog > 0) {
		FILE *f = fopen("/proc/sys/net/core/netdev_max_backlog", "w");

		if (f) {
			fprintf(f, "%ld\n", backlog);
			fclose(f);
		}
	}
	if (opt.rmmod) {
		bool gone = false;

		for (int i = 0; i < 50 && !gone; i++) {
			if (!sh("rmmod pgm 2>/dev/null"))
				gone = module_refcnt() < 0;
			else
				sleep_s(0.2);
		}
		verdict(gone, "rmmod pgm succeeds after the run");
	}
	printf("# fuzz-kernel took %.0f s\n", now_s() - t_main);
	return summary("fuzz-kernel");
}
