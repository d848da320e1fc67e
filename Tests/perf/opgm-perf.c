// SPDX-License-Identifier: GPL-2.0
/*
 * opgm-perf.c - pgm-perf's OpenPGM baseline (Debian's libpgm 5.3): one
 * phase of a sweep sent through OpenPGM, or an OpenPGM receiver measuring
 * every such phase.  pgm-perf spawns it (`pgm-perf send --baseline openpgm`
 * and `pgm-perf recv`); it is not meant to be run by hand.
 *
 *   opgm-perf send GROUP PORT IFADDR UDPPORT SIZE PHASE PHASES
 *                  [--count N] [--duration S] [--rate BYTES] [--linger S]
 *   opgm-perf recv GROUP PORT IFADDR UDPPORT [--rcvbuf BYTES] [--timeout S] [--idle S]
 *
 * Messages are pgm-perf's (Sources/PGMToolSupport/Perf.swift): a 24-byte
 * header (magic "PGPF", kind, transport 2 = OpenPGM, phase, phases, index,
 * CLOCK_MONOTONIC stamp; little-endian) and, for a phase's end, the 48-byte
 * end record (sent, size, send ns, CPU ns, NAKs, RDATA).
 *
 * OpenPGM runs in UDP encapsulation (UDPPORT for both its unicast and
 * multicast ports), as ZeroMQ's epgm:// uses it and as it runs without
 * privileges: its packets then never reach pgm.ko's protocol-113 handler,
 * and its sockets never see the module's phases.
 *
 * SIZE is at most 22400 bytes, the 16 packets pgm_send_skbv() takes.
 *
 * The sender prints "sent N ns T cpu_ns C" on stdout once the end record
 * is sent (three times), then lingers (--linger, default 1 s) answering
 * NAKs.  The receiver prints "ready", then one line per phase it saw end,
 * on stdout: "phase P size S sent N sender_cpu_ns SC delivered D bytes B
 * first_stamp F last_arrival L p50 X p99 Y max Z cpu_ns C guest_cpu_ns G
 * resets R" (times in nanoseconds; G: the whole machine's user, system, irq
 * and softirq time in /proc/stat from the phase's first message to its
 * end), and stops on SIGTERM or at --timeout.  A phase whose end record
 * never came (libpgm gave it up) ends when a later phase begins or after
 * --idle seconds (default 20) without a message of it; its line has no
 * "sent" and no "sender_cpu_ns".
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <pgm/pgm.h>

#define LIBPGM_PROG "opgm-perf"
#include "../interop/libpgm.h"
#include "../../Sources/CPGM/include/cpgm_insn.h"

#define MAGIC 0x46504750u	/* "PGPF" little-endian */
#define HDR 24
#define END 48
#define END_COPIES 3
#define TRANSPORT_OPENPGM 2
#define MAX_APDU 65507
/*
 * pgm_send_skbv() takes at most PGM_MAX_FRAGMENTS (16) packets per APDU, so
 * this is the largest APDU sent; pgm_send() and pgm_sendv(), which would
 * fragment more, copy with the checksum-and-copy that faults (libpgm.h).
 */
#define MAX_SKBV_APDU (PGM_MAX_FRAGMENTS * FRAG_TSDU)

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

/* The machine's busy time so far (/proc/stat: user, system, irq, softirq), ns. */
static uint64_t guest_cpu_ns(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
		   &irq, &softirq);
	fclose(f);
	if (n != 7 || hz <= 0)
		return 0;
	return (user + sys + irq + softirq) * (1000000000u / (uint64_t)hz);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void header(unsigned char *p, int kind, int phase, int phases, uint64_t index, uint64_t stamp)
{
	p[0] = MAGIC & 0xff;
	p[1] = MAGIC >> 8 & 0xff;
	p[2] = MAGIC >> 16 & 0xff;
	p[3] = MAGIC >> 24;
	p[4] = (unsigned char)kind;
	p[5] = TRANSPORT_OPENPGM;
	p[6] = (unsigned char)phase;
	p[7] = (unsigned char)phases;
	put64(p + 8, index);
	put64(p + 16, stamp);
}

static pgm_sock_t *open_sock(const char *group, int port, const char *ifaddr, int udp_port,
			     bool sender, int rate, int rcvbuf)
{
	/* Windows as large as the kernel's default byte window allows. */
	const struct libpgm_config c = {
		.udp_port = udp_port, .window_sqns = 8192, .rate = rate, .rcvbuf = rcvbuf,
	};

	return libpgm_open(group, port, ifaddr, sender, &c);
}

static int send_one(pgm_sock_t *sock, const unsigned char *p, size_t len)
{
	for (;;) {
		int status = libpgm_send_apdu(sock, p, len, 0);

		if (status == PGM_IO_STATUS_NORMAL)
			return 0;
		if (status != PGM_IO_STATUS_RATE_LIMITED && status != PGM_IO_STATUS_WOULD_BLOCK &&
		    status != PGM_IO_STATUS_TIMER_PENDING) {
			fprintf(stderr, "opgm-perf send: pgm_send_skbv status %d\n", status);
			return -1;
		}
		libpgm_wait(sock, libpgm_upstream(sock), 5, POLLIN);
	}
}

static int do_send(pgm_sock_t *sock, size_t size, int phase, int phases, uint64_t count,
		   double duration, double linger)
{
	static unsigned char msg[MAX_APDU];
	uint64_t sent = 0, t0, t1, c0, c1, deadline, until;

	memset(msg, 0xa5, sizeof(msg));
	/* SPMs first, so that the receiver learns our NLA before the data. */
	until = mono_ns() + 300000000u;
	while (mono_ns() < until)
		libpgm_wait(sock, libpgm_upstream(sock), 20, POLLIN);
	cpgm_insn_mark();	/* the phase's start for make perf-insn */
	c0 = cpu_ns();
	t0 = mono_ns();
	deadline = duration > 0 ? t0 + (uint64_t)(duration * 1e9) : UINT64_MAX;
	while (sent < count && !stop) {
		uint64_t now = mono_ns();

		if (now >= deadline)
			break;
		header(msg, 0, phase, phases, sent, now);
		if (send_one(sock, msg, size))
			return 1;
		sent++;
		/* NAKs and timers every 16 messages: one call per message would be its own cost. */
		if (!(sent & 15))
			libpgm_upstream(sock);
	}
	t1 = mono_ns();
	c1 = cpu_ns();
	cpgm_insn_mark();	/* and its end */
	header(msg, 1, phase, phases, sent, mono_ns());
	put64(msg + HDR, sent);
	put64(msg + HDR + 8, size);
	put64(msg + HDR + 16, t1 - t0);
	put64(msg + HDR + 24, c1 - c0);
	put64(msg + HDR + 32, 0);
	put64(msg + HDR + 40, 0);
	/*
	 * The end record three times: libpgm 5.3 as a receiver now and then
	 * gives up an APDU it had (docs/openpgm-receiver-loss.md), and a phase
	 * without its end would wait for the receiver's idle limit.
	 */
	for (int k = 0; k < END_COPIES; k++)
		if (send_one(sock, msg, HDR + END))
			return 1;
	printf("sent %llu ns %llu cpu_ns %llu\n", (unsigned long long)sent,
	       (unsigned long long)(t1 - t0), (unsigned long long)(c1 - c0));
	fflush(stdout);
	/* Stay to repair what the receiver NAKs. */
	until = mono_ns() + (uint64_t)(linger * 1e9);
	while (mono_ns() < until && !stop)
		libpgm_wait(sock, libpgm_upstream(sock), 20, POLLIN);
	return 0;
}

struct phase {
	int size;
	uint64_t delivered, bytes, first_stamp, last_arrival, last_seen, cpu_start, guest_start;
	uint64_t *lat;
	size_t nlat, cap;
	unsigned int resets;
	bool started, closed;
};

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile, as pgm-perf's Percentiles. */
static uint64_t rank(const uint64_t *s, size_t n, unsigned int p)
{
	size_t r = (p * n + 99) / 100;

	if (r > n)
		r = n;
	return s[r ? r - 1 : 0];
}

/*
 * One phase's line; @end is its end record, or NULL when the phase ended
 * without one (then "sent" and "sender_cpu_ns" are left out: unknown).
 */
static void report(int k, struct phase *ph, const unsigned char *end)
{
	uint64_t p50 = 0, p99 = 0, max = 0;

	ph->closed = true;
	if (ph->nlat) {
		qsort(ph->lat, ph->nlat, sizeof(*ph->lat), cmp64);
		p50 = rank(ph->lat, ph->nlat, 50);
		p99 = rank(ph->lat, ph->nlat, 99);
		max = ph->lat[ph->nlat - 1];
	}
	printf("phase %d size %d", k, ph->size || !end ? ph->size : (int)get64(end + 8));
	if (end)
		printf(" sent %llu sender_cpu_ns %llu", (unsigned long long)get64(end),
		       (unsigned long long)get64(end + 24));
	printf(" delivered %llu bytes %llu first_stamp %llu last_arrival %llu p50 %llu p99 %llu max %llu "
	       "cpu_ns %llu guest_cpu_ns %llu resets %u\n",
	       (unsigned long long)ph->delivered, (unsigned long long)ph->bytes,
	       (unsigned long long)(ph->delivered ? ph->first_stamp : 0),
	       (unsigned long long)ph->last_arrival, (unsigned long long)p50, (unsigned long long)p99,
	       (unsigned long long)max, (unsigned long long)(cpu_ns() - ph->cpu_start),
	       (unsigned long long)(guest_cpu_ns() - ph->guest_start), ph->resets);
	fflush(stdout);
	free(ph->lat);
	ph->lat = NULL;
	ph->nlat = ph->cap = 0;
}

/*
 * Receives phases until SIGTERM or @timeout.  A phase ends with its end
 * record; one whose end record never came ends when a later phase begins,
 * or after @idle seconds without a message of it (reported without "sent").
 */
static int do_recv(pgm_sock_t *sock, double timeout, double idle)
{
	static unsigned char buf[1 << 17];
	static struct phase phases[256];
	uint64_t deadline = mono_ns() + (uint64_t)(timeout * 1e9), idle_ns = (uint64_t)(idle * 1e9);
	int current = -1;

	printf("ready\n");
	fflush(stdout);
	while (!stop && mono_ns() < deadline) {
		size_t bytes = 0;
		pgm_error_t *err = NULL;
		int status = pgm_recv(sock, buf, sizeof(buf), 0, &bytes, &err);
		uint64_t t = mono_ns();
		struct phase *ph;

		if (err)
			pgm_error_free(err);
		if (current >= 0 && phases[current].started && !phases[current].closed &&
		    t - phases[current].last_seen > idle_ns) {
			fprintf(stderr, "opgm-perf: phase %d: no end record after %g s idle\n", current, idle);
			report(current, &phases[current], NULL);
		}
		if (status == PGM_IO_STATUS_RESET) {
			/* Unrecoverable loss: counted against the phase being received. */
			if (current >= 0)
				phases[current].resets++;
			continue;
		}
		if (status != PGM_IO_STATUS_NORMAL) {
			libpgm_wait(sock, status, 100, POLLIN);
			continue;
		}
		if (bytes < HDR || get64(buf) << 32 >> 32 != MAGIC || buf[5] != TRANSPORT_OPENPGM ||
		    buf[6] >= buf[7])
			continue;
		if (current >= 0 && current != buf[6] && phases[current].started &&
		    !phases[current].closed) {
			fprintf(stderr, "opgm-perf: phase %d: no end record before phase %d\n", current,
				buf[6]);
			report(current, &phases[current], NULL);
		}
		current = buf[6];
		ph = &phases[current];
		if (ph->closed)
			continue;
		ph->last_seen = t;
		if (!ph->started) {
			ph->started = true;
			ph->cpu_start = cpu_ns();
			ph->guest_start = guest_cpu_ns();
			ph->first_stamp = UINT64_MAX;
		}
		if (buf[4] == 1) {
			if (bytes >= HDR + END)
				report(current, ph, buf + HDR);
			continue;
		}
		if (!ph->size)
			ph->size = (int)bytes;
		ph->delivered++;
		ph->bytes += bytes;
		if (get64(buf + 16) < ph->first_stamp)
			ph->first_stamp = get64(buf + 16);
		ph->last_arrival = t;
		if (ph->nlat == ph->cap) {
			size_t cap = ph->cap ? 2 * ph->cap : 4096;
			uint64_t *l = realloc(ph->lat, cap * sizeof(*l));

			if (!l)
				continue;
			ph->lat = l;
			ph->cap = cap;
		}
		ph->lat[ph->nlat++] = t > get64(buf + 16) ? t - get64(buf + 16) : 0;
	}
	return 0;
}

static double num(const char *s, const char *what, double lo, double hi)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || *e || v < lo || v > hi) {
		fprintf(stderr, "opgm-perf: %s must be %g-%g; got %s\n", what, lo, hi, s);
		exit(64);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: opgm-perf send GROUP PORT IFADDR UDPPORT SIZE PHASE PHASES [--count N] "
		"[--duration S] [--rate BYTES] [--linger S]\n"
		"       opgm-perf recv GROUP PORT IFADDR UDPPORT [--rcvbuf BYTES] [--timeout S] [--idle S]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pgm_sock_t *sock;
	bool sender;
	int port, udp_port, size = 0, phase = 0, phases = 1, rate = 0, rcvbuf = 0, i, first, rc;
	double duration = 0, linger = 1, timeout = 3600, idle = 20;
	uint64_t count = 1000;

	if (argc < 6 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		usage();
	sender = !strcmp(argv[1], "send");
	port = (int)num(argv[3], "PORT", 1, 65535);
	udp_port = (int)num(argv[5], "UDPPORT", 1, 65535);
	first = 6;
	if (sender) {
		if (argc < 9)
			usage();
		size = (int)num(argv[6], "SIZE", HDR, MAX_SKBV_APDU);
		phase = (int)num(argv[7], "PHASE", 0, 254);
		phases = (int)num(argv[8], "PHASES", phase + 1, 255);
		first = 9;
	}
	for (i = first; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--count"))
			count = (uint64_t)num(argv[++i], "--count", 1, 1e15);
		else if (!strcmp(argv[i], "--duration"))
			duration = num(argv[++i], "--duration", 0, 86400);
		else if (!strcmp(argv[i], "--rate"))
			rate = (int)num(argv[++i], "--rate", 0, INT_MAX);
		else if (!strcmp(argv[i], "--linger"))
			linger = num(argv[++i], "--linger", 0, 3600);
		else if (!strcmp(argv[i], "--rcvbuf"))
			rcvbuf = (int)num(argv[++i], "--rcvbuf", 0, INT_MAX);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = num(argv[++i], "--timeout", 0.1, 86400);
		else if (!strcmp(argv[i], "--idle"))
			idle = num(argv[++i], "--idle", 0.1, 86400);
		else
			usage();
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sock = open_sock(argv[2], port, argv[4], udp_port, sender, rate, rcvbuf);
	rc = sender ? do_send(sock, (size_t)size, phase, phases, count, duration, linger) : do_recv(sock, timeout, idle);
	pgm_close(sock, true);
	pgm_shutdown();
	return rc;
}
