// SPDX-License-Identifier: GPL-2.0
/*
 * zbench.c - ZeroMQ PUB/SUB message rate over PGM (Debian's libzmq): with
 * LD_LIBRARY_PATH=build/shim over the kernel through the libpgm shim,
 * without it over OpenPGM.  The publisher sends COUNT messages of SIZE
 * bytes as fast as ZeroMQ takes them (ZMQ_RATE caps the wire), then waits
 * LINGER seconds; the subscriber counts what arrives and prints
 *
 *   zbench sub: N messages, T s from the first to the last, R msgs/s
 *   zbench sub: M missing (K runs), D out of order
 *
 * (each message carries its number in its first 8 bytes; SIZE is at
 * least 8)
 * ending when COUNT arrived or nothing came for IDLE seconds.
 *
 *   zbench pub ENDPOINT COUNT SIZE RATE-KBIT/S [LINGER]
 *   zbench sub ENDPOINT COUNT IDLE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(void *s, const char *ep)
{
	if (!zmq_connect(s, ep))
		return 0;
	fprintf(stderr, "zbench: zmq_connect %s: %s\n", ep, zmq_strerror(zmq_errno()));
	return -1;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	int zero = 0, rcvbuf = 8 << 20, tmo = 1000;
	void *ctx, *s;
	unsigned long count, got = 0, i;

	if (argc < 5 || (strcmp(argv[1], "pub") && strcmp(argv[1], "sub")) ||
	    (!strcmp(argv[1], "pub") && argc < 6)) {
		fprintf(stderr, "usage: zbench pub ENDPOINT COUNT SIZE RATE-KBIT/S [LINGER]\n"
				"       zbench sub ENDPOINT COUNT IDLE\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 0);
	ctx = zmq_ctx_new();
	if (!strcmp(argv[1], "pub")) {
		size_t size = strtoul(argv[4], NULL, 0);
		int rate = atoi(argv[5]), ivl = 2000;
		unsigned int linger = argc > 6 ? (unsigned int)atoi(argv[6]) : 3;
		double t0, t1;

		if (size > sizeof(buf))
			size = sizeof(buf);
		if (size < sizeof(i))
			size = sizeof(i);
		s = zmq_socket(ctx, ZMQ_PUB);
		zmq_setsockopt(s, ZMQ_RATE, &rate, sizeof(rate));
		zmq_setsockopt(s, ZMQ_RECOVERY_IVL, &ivl, sizeof(ivl));
		zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof(zero));
		if (connect_to(s, argv[2]))
			return 1;
		sleep(1);
		t0 = now();
		for (i = 0; i < count; i++) {
			memcpy(buf, &i, sizeof(i));
			if (zmq_send(s, buf, size, 0) != (int)size) {
				fprintf(stderr, "zbench: zmq_send: %s\n", zmq_strerror(zmq_errno()));
				return 1;
			}
		}
		t1 = now();
		sleep(linger);
		fprintf(stderr, "zbench pub: %lu messages of %zu bytes queued in %.3f s\n",
			count, size, t1 - t0);
	} else {
		unsigned int idle = (unsigned int)atoi(argv[4]), quiet = 0;
		unsigned long next = 0, missing = 0, runs = 0, disorder = 0, k;
		double first = 0, last = 0;

		s = zmq_socket(ctx, ZMQ_SUB);
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
		zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof(zero));
		zmq_setsockopt(s, ZMQ_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
		if (connect_to(s, argv[2]))
			return 1;
		fprintf(stderr, "zbench sub: ready\n");
		while (got < count && quiet < idle + 30 * !got) {
			int n = zmq_recv(s, buf, sizeof(buf), 0);

			if (n < 0) {
				quiet++;
				continue;
			}
			quiet = 0;
			k = next;
			if (n >= (int)sizeof(k))
				memcpy(&k, buf, sizeof(k));
			if (k > next) {
				missing += k - next;
				runs++;
			} else if (k < next) {
				disorder++;
			}
			if (k >= next)
				next = k + 1;
			last = now();
			if (!got++)
				first = last;
		}
		fprintf(stderr, "zbench sub: %lu missing (%lu runs), %lu out of order, %lu missing at the end\n",
			missing, runs, disorder, count > next ? count - next : 0);
		printf("zbench sub: %lu messages, %.3f s from the first to the last, %.0f msgs/s\n",
		       got, last - first, got > 1 && last > first ? (got - 1) / (last - first) : 0.0);
	}
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_close(s);
	zmq_ctx_term(ctx);
	return 0;
}
