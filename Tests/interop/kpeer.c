// SPDX-License-Identifier: GPL-2.0
/*
 * kpeer.c - the kernel side of the interop tests: a PGM source or receiver
 * on this module's socket, native or UDP-encapsulated, plain or with
 * ZeroMQ's framing inside the APDUs.  Writes the stream's records
 * (stream.h) to stdout; a summary to stderr.
 *
 *   kpeer send GROUP PORT IFADDR COUNT [--udp UPORT MPORT] [--zmq] [--linger S] [--rate B/S] [--pgmcc]
 *              [--confirm]
 *   kpeer recv GROUP PORT IFADDR COUNT [--udp UPORT MPORT] [--zmq] [--timeout S] [--pgmcc] [--confirm]
 *   kpeer gen COUNT                      the records every peer must produce
 *
 * An IPv6 GROUP (and IFADDR, one of the interface's IPv6 addresses) makes
 * an AF_INET6 socket: the interface is the one that has IFADDR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/pgm.h>

#include "stream.h"

static int udp, zmq, pgmcc, confirm, family = AF_INET, ifindex;
static unsigned int uport, mport, linger_s = 3, timeout_s = 60, rate = 4000000;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int open_sock(void)
{
	int fd = socket(family, SOCK_RDM, IPPROTO_PGM), one = 1;

	if (fd < 0)
		die("socket");
	if (udp) {
		if (setsockopt(fd, SOL_PGM, PGM_UDP_ENCAP, &one, sizeof(one)) ||
		    setsockopt(fd, SOL_PGM, PGM_UDP_ENCAP_UCAST_PORT, &uport, sizeof(uport)) ||
		    setsockopt(fd, SOL_PGM, PGM_UDP_ENCAP_MCAST_PORT, &mport, sizeof(mport)))
			die("setsockopt PGM_UDP_ENCAP");
	}
	return fd;
}

/*
 * ZeroMQ's way (stream.h): the messages, each framed, as one byte stream
 * cut into APDUs that fit one packet (ZeroMQ's receiver takes no
 * fragmented APDU), each led by the offset of its first message start.
 */
#define ZMQ_APDU 1400

static void send_zmq(int fd, unsigned int count)
{
	static unsigned char msg[STREAM_MAX], apdu[ZMQ_APDU + 2];
	size_t cap = (size_t)count * (STREAM_MAX + 16) + 1, len = 0, at, k = 0;
	unsigned char *stream = malloc(cap);
	size_t *starts = malloc((count + 1) * sizeof(*starts));
	unsigned int i;

	if (!stream || !starts)
		die("malloc");
	for (i = 0; i < count; i++) {
		size_t n = stream_message(i, msg, sizeof(msg));

		starts[i] = len;
		/* zmq_frame() puts a 2-byte offset first: keep only the frame. */
		len += zmq_frame(stream + len, msg, n) - 2;
		memmove(stream + starts[i], stream + starts[i] + 2, len - starts[i]);
		stream_record(stdout, msg, n);
	}
	starts[count] = len;
	for (at = 0; at < len; at += ZMQ_APDU) {
		size_t n = len - at < ZMQ_APDU ? len - at : ZMQ_APDU, off = 0xffff;

		while (starts[k] < at)
			k++;
		if (starts[k] < at + n)
			off = starts[k] - at;
		apdu[0] = (unsigned char)(off >> 8);
		apdu[1] = (unsigned char)off;
		memcpy(apdu + 2, stream + at, n);
		if (send(fd, apdu, n + 2, 0) != (ssize_t)(n + 2))
			die("send");
	}
	free(stream);
	free(starts);
}

static int do_send(struct sockaddr_storage *group, struct sockaddr_storage *ifa, unsigned int count)
{
	static unsigned char msg[STREAM_MAX];
	int fd = open_sock();
	unsigned int i;
	struct linger l = { .l_onoff = 1, .l_linger = 1 };
	unsigned int ambient = 250000;
	struct pgm_source_stats st;
	socklen_t sl = sizeof(st);

	socklen_t alen = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (family == AF_INET6 &&
	    setsockopt(fd, SOL_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)))
		die("IPV6_MULTICAST_IF");
	/*
	 * Ambient SPMs every 250 ms: the receivers hear several before the
	 * first ODATA.  An OpenPGM receiver repairs nothing before the first
	 * packet of a session it hears, so with one SPM only, that SPM and
	 * ODATA 0 both lost (5% each here) cost it message 0.
	 */
	if (setsockopt(fd, SOL_PGM, PGM_SPM_AMBIENT_IVL, &ambient, sizeof(ambient)) ||
	    setsockopt(fd, SOL_PGM, PGM_TXW_MAX_RTE, &rate, sizeof(rate)) ||
	    (pgmcc && setsockopt(fd, SOL_PGM, PGM_PGMCC, &pgmcc, sizeof(pgmcc))) ||
	    (confirm && (setsockopt(fd, SOL_PGM, PGM_CONFIRM, &confirm, sizeof(confirm)) ||
			 setsockopt(fd, SOL_PGM, PGM_CONFIRM_FLOW, &confirm, sizeof(confirm)))) ||
	    bind(fd, (struct sockaddr *)ifa, alen) ||
	    connect(fd, (struct sockaddr *)group, alen))
		die("setsockopt/bind/connect");
	/* Let receivers see an SPM (and OpenPGM ones learn the NLA) first. */
	sleep(1);
	if (zmq) {
		send_zmq(fd, count);
	} else {
		for (i = 0; i < count; i++) {
			size_t len = stream_message(i, msg, sizeof(msg));

			if (send(fd, msg, len, 0) != (ssize_t)len)
				die("send");
			stream_record(stdout, msg, len);
		}
	}
	/*
	 * Confirmed delivery: a receiver that confirms must have everything
	 * (60 s at most); one that does not (OpenPGM) is never counted.
	 */
	if (confirm) {
		struct pgm_confirmed c = { 0 };
		socklen_t cl = sizeof(c), ll = sizeof(uint32_t);
		uint32_t lead = 0;
		time_t end = time(NULL) + 60;

		if (getsockopt(fd, SOL_PGM, PGM_TXW_LEAD, &lead, &ll))
			die("PGM_TXW_LEAD");
		while (time(NULL) < end) {
			struct pollfd pfd = { .fd = fd, .events = POLLPRI };

			cl = sizeof(c);
			if (getsockopt(fd, SOL_PGM, PGM_CONFIRMED, &c, &cl))
				die("PGM_CONFIRMED");
			if ((c.flags & PGM_CONFIRMED_VALID) && c.sqn == lead)
				break;
			poll(&pfd, 1, 500);
		}
		sl = sizeof(st);
		if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl))
			die("PGM_SOURCE_STATS");
		fprintf(stderr, "kpeer send: confirm receivers %u, all confirmed %d; acks %llu, joins %llu, "
			"leaves %llu, lost %llu, behind %llu, flow_limited %llu\n", c.receivers,
			(c.flags & PGM_CONFIRMED_VALID) && c.sqn == lead,
			(unsigned long long)st.confirm_acks, (unsigned long long)st.confirm_joins,
			(unsigned long long)st.confirm_leaves, (unsigned long long)st.confirm_lost,
			(unsigned long long)st.confirm_behind, (unsigned long long)st.flow_limited);
	}
	/* Stay to repair what receivers NAK, then end with OPT_FIN. */
	sleep(linger_s);
	if (getsockopt(fd, SOL_PGM, PGM_SOURCE_STATS, &st, &sl))
		die("PGM_SOURCE_STATS");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	if (pgmcc)
		fprintf(stderr, "kpeer send: pgmcc acks_received %llu, feedback_naks %llu, "
			"acker_changes %llu, congestion_events %llu, cc_timeouts %llu, "
			"window_limited %llu, window %.2f, rtt_us %u\n",
			(unsigned long long)st.acks_received, (unsigned long long)st.feedback_naks,
			(unsigned long long)st.acker_changes, (unsigned long long)st.congestion_events,
			(unsigned long long)st.cc_timeouts, (unsigned long long)st.window_limited,
			st.cc_window / 65536.0, st.cc_rtt_us);
	fprintf(stderr, "kpeer send: %u messages, naks_received %llu, ncf_sent %llu, "
		"rdata_sent %llu, malformed %llu\n", count,
		(unsigned long long)st.naks_received, (unsigned long long)st.ncf_sent,
		(unsigned long long)st.rdata_sent, (unsigned long long)st.malformed);
	return 0;
}

static unsigned int got;

static void on_msg(const unsigned char *p, size_t len, void *arg)
{
	(void)arg;
	stream_record(stdout, p, len);
	got++;
}

static int do_recv(struct sockaddr_storage *group, struct sockaddr_storage *ifa, unsigned int count)
{
	static unsigned char buf[1 << 17];
	struct sockaddr_in *g4 = (struct sockaddr_in *)group;
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)group;
	struct ip_mreqn join = { .imr_multiaddr = g4->sin_addr,
				 .imr_address = ((struct sockaddr_in *)ifa)->sin_addr };
	struct ipv6_mreq join6 = { .ipv6mr_multiaddr = g6->sin6_addr, .ipv6mr_interface = ifindex };
	struct pgm_receiver_stats st;
	socklen_t sl = sizeof(st);
	struct zmq_dec dec = { 0 };
	int fd = open_sock(), losses = 0;
	time_t end = time(NULL) + timeout_s;

	if (pgmcc && setsockopt(fd, SOL_PGM, PGM_PGMCC, &pgmcc, sizeof(pgmcc)))
		die("PGM_PGMCC");
	if (confirm && setsockopt(fd, SOL_PGM, PGM_CONFIRM, &confirm, sizeof(confirm)))
		die("PGM_CONFIRM");
	if (family == AF_INET6 ?
	    bind(fd, (struct sockaddr *)group, sizeof(*g6)) ||
	    setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &join6, sizeof(join6)) :
	    bind(fd, (struct sockaddr *)group, sizeof(*g4)) ||
	    setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &join, sizeof(join)))
		die("bind/PGM_JOIN_GROUP");
	fprintf(stderr, "kpeer recv: ready\n");
	while (got < count && time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ECONNRESET) {
				losses++;
				recv(fd, buf, sizeof(buf), MSG_ERRQUEUE | MSG_DONTWAIT);
				continue;
			}
			if (errno == EAGAIN)
				recv(fd, buf, sizeof(buf), MSG_ERRQUEUE | MSG_DONTWAIT);
			continue;
		}
		if (zmq) {
			if (zmq_dec_feed(&dec, buf, (size_t)n, on_msg, NULL))
				fprintf(stderr, "kpeer recv: bad ZeroMQ framing\n");
		} else {
			on_msg(buf, (size_t)n, NULL);
		}
	}
	getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &sl);
	fprintf(stderr, "kpeer recv: %u messages, %d loss records, naks_sent %llu, ncfs %llu, "
		"rdata %llu, malformed %llu\n", got, losses,
		(unsigned long long)st.naks_sent, (unsigned long long)st.ncfs_received,
		(unsigned long long)st.rdata_received, (unsigned long long)st.malformed);
	if (pgmcc)
		fprintf(stderr, "kpeer recv: pgmcc acks_sent %llu, acks_no_path %llu, acks_no_credit %llu\n",
			(unsigned long long)st.acks_sent, (unsigned long long)st.acks_no_path,
			(unsigned long long)st.acks_no_credit);
	if (confirm) {
		/*
		 * Stay live long enough for the ACK that confirms the last
		 * message (every 200 ms): close() says BYE, and a source counts
		 * only live receivers.
		 */
		sleep(2);
		sl = sizeof(st);
		getsockopt(fd, SOL_PGM, PGM_RECEIVER_STATS, &st, &sl);
		fprintf(stderr, "kpeer recv: confirm acks_sent %llu, no_credit %llu\n",
			(unsigned long long)st.confirm_acks_sent, (unsigned long long)st.confirm_no_credit);
	}
	close(fd);
	free(dec.buf);
	return got == count ? 0 : 2;
}

/* The index of the interface that has IPv6 address @a; 0 if none. */
static int ifindex_of6(const struct in6_addr *a)
{
	struct ifaddrs *ifs, *i;
	int idx = 0;

	if (getifaddrs(&ifs))
		die("getifaddrs");
	for (i = ifs; i && !idx; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, a, sizeof(*a)))
			idx = (int)if_nametoindex(i->ifa_name);
	freeifaddrs(ifs);
	return idx;
}

/* GROUP and IFADDR of either family, both the same; the port in @group. */
static int parse_addrs(const char *gs, const char *is, int port, struct sockaddr_storage *group,
		       struct sockaddr_storage *ifa)
{
	struct sockaddr_in *g4 = (struct sockaddr_in *)group, *i4 = (struct sockaddr_in *)ifa;
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)group, *i6 = (struct sockaddr_in6 *)ifa;

	memset(group, 0, sizeof(*group));
	memset(ifa, 0, sizeof(*ifa));
	if (strchr(gs, ':')) {
		family = AF_INET6;
		g6->sin6_family = i6->sin6_family = AF_INET6;
		g6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, gs, &g6->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, is, &i6->sin6_addr) != 1)
			return -1;
		ifindex = ifindex_of6(&i6->sin6_addr);
		return ifindex ? 0 : -1;
	}
	g4->sin_family = i4->sin_family = AF_INET;
	g4->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, gs, &g4->sin_addr) == 1 && inet_pton(AF_INET, is, &i4->sin_addr) == 1 ?
	       0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage group, ifa;
	unsigned int count;
	int i;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "gen")) {
		static unsigned char msg[STREAM_MAX];
		unsigned int k, n = (unsigned int)strtoul(argv[2], NULL, 0);
		size_t max = argc == 4 ? strtoul(argv[3], NULL, 0) : sizeof(msg);

		if (!max || max > sizeof(msg))
			max = sizeof(msg);
		for (k = 0; k < n; k++)
			stream_record(stdout, msg, stream_message(k, msg, max));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "nsstats")) {
		/* This netns's PGM input counters, for run.sh's reports. */
		struct pgm_netns_stats st;
		socklen_t len = sizeof(st);
		int fd = socket(AF_INET, SOCK_RDM, IPPROTO_PGM);

		if (fd < 0 || getsockopt(fd, SOL_PGM, PGM_NETNS_STATS, &st, &len)) {
			perror("kpeer: PGM_NETNS_STATS");
			return 1;
		}
		printf("packets %llu bytes %llu truncated %llu bad_checksum %llu bad_type %llu "
		       "malformed %llu no_socket %llu delivered %llu\n",
		       (unsigned long long)st.in_packets, (unsigned long long)st.in_bytes,
		       (unsigned long long)st.in_truncated, (unsigned long long)st.in_bad_checksum,
		       (unsigned long long)st.in_bad_type, (unsigned long long)st.in_malformed,
		       (unsigned long long)st.in_no_socket, (unsigned long long)st.in_delivered);
		close(fd);
		return 0;
	}
	if (argc < 6) {
		fprintf(stderr, "usage: kpeer send|recv GROUP PORT IFADDR COUNT [--udp U M] [--zmq] "
			"[--linger S] [--timeout S] [--rate B/S] [--pgmcc] [--confirm]\n       kpeer gen COUNT [MAXLEN]\n"
			"       kpeer nsstats\n");
		return 2;
	}
	if (parse_addrs(argv[2], argv[4], atoi(argv[3]), &group, &ifa)) {
		fprintf(stderr, "kpeer: bad address (or no interface has %s)\n", argv[4]);
		return 2;
	}
	count = (unsigned int)strtoul(argv[5], NULL, 0);
	for (i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "--udp") && i + 2 < argc) {
			udp = 1;
			uport = (unsigned int)atoi(argv[++i]);
			mport = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--rate") && i + 1 < argc) {
			rate = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--pgmcc")) {
			pgmcc = 1;
		} else if (!strcmp(argv[i], "--confirm")) {
			confirm = 1;
		} else if (!strcmp(argv[i], "--zmq")) {
			zmq = 1;
		} else if (!strcmp(argv[i], "--linger") && i + 1 < argc) {
			linger_s = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout_s = (unsigned int)atoi(argv[++i]);
		} else {
			fprintf(stderr, "kpeer: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!strcmp(argv[1], "send"))
		return do_send(&group, &ifa, count);
	if (!strcmp(argv[1], "recv"))
		return do_recv(&group, &ifa, count);
	fprintf(stderr, "kpeer: send, recv or gen\n");
	return 2;
}
