// SPDX-License-Identifier: GPL-2.0
/*
 * zpeer.c - the ZeroMQ side of the interop tests (Debian's libzmq, built
 * with OpenPGM): a ZMQ_PUB or ZMQ_SUB on epgm:// (PGM in UDP, both ports
 * equal to the group's port), or pgm:// with --pgm, writing the stream's
 * records (stream.h) to stdout and a summary to stderr.  Run with
 * LD_LIBRARY_PATH=build/shim it uses the kernel through the libpgm shim
 * (shim/, docs/zeromq.md) instead of OpenPGM.
 *
 *   zpeer pub GROUP PORT IFADDR COUNT [--linger S] [--pgm] [--rate KBIT/S] [--ivl MS]
 *   zpeer sub GROUP PORT IFADDR COUNT [--timeout S] [--pgm] [--rate KBIT/S] [--ivl MS]
 *
 * --ivl sets ZMQ_RECOVERY_IVL (default 30,000 ms): with the rate it sizes
 * the windows, and a small one makes loss unrecoverable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "stream.h"

int main(int argc, char **argv)
{
	static unsigned char msg[STREAM_MAX];
	unsigned int count, linger_s = 3, timeout_s = 60, i, got = 0;
	int rate = 30000, ivl = 30000, zero = 0, rc = 0, tmo, rcvbuf = 4 << 20;
	char ep[160];
	void *ctx, *s;
	int pub, native = 0;

	if (argc < 6 || (strcmp(argv[1], "pub") && strcmp(argv[1], "sub"))) {
		fprintf(stderr, "usage: zpeer pub|sub GROUP PORT IFADDR COUNT [--linger S] [--timeout S] [--pgm] [--rate KBIT/S] [--ivl MS]\n");
		return 2;
	}
	pub = !strcmp(argv[1], "pub");
	count = (unsigned int)strtoul(argv[5], NULL, 0);
	for (i = 6; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--linger") && i + 1 < (unsigned int)argc)
			linger_s = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < (unsigned int)argc)
			timeout_s = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rate") && i + 1 < (unsigned int)argc)
			rate = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ivl") && i + 1 < (unsigned int)argc)
			ivl = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pgm"))
			native = 1;
		else {
			fprintf(stderr, "zpeer: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!zmq_has("pgm")) {
		fprintf(stderr, "zpeer: this libzmq has no PGM transport\n");
		return 1;
	}
	snprintf(ep, sizeof(ep), "%s://%s;%s:%s", native ? "pgm" : "epgm", argv[4], argv[2], argv[3]);
	ctx = zmq_ctx_new();
	s = zmq_socket(ctx, pub ? ZMQ_PUB : ZMQ_SUB);
	/* ZMQ_RATE is kbit/s (default 100); ZMQ_RECOVERY_IVL ms of window. */
	zmq_setsockopt(s, ZMQ_RATE, &rate, sizeof(rate));
	zmq_setsockopt(s, ZMQ_RECOVERY_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(s, pub ? ZMQ_SNDHWM : ZMQ_RCVHWM, &zero, sizeof(zero));
	if (!pub) {
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
		zmq_setsockopt(s, ZMQ_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	if (zmq_connect(s, ep)) {
		fprintf(stderr, "zpeer: zmq_connect %s: %s\n", ep, zmq_strerror(zmq_errno()));
		return 1;
	}
	if (pub) {
		sleep(1);
		for (i = 0; i < count; i++) {
			size_t len = stream_message(i, msg, sizeof(msg));

			if (zmq_send(s, msg, len, 0) != (int)len) {
				fprintf(stderr, "zpeer: zmq_send: %s\n", zmq_strerror(zmq_errno()));
				return 1;
			}
			stream_record(stdout, msg, len);
		}
		/* The messages wait in ZeroMQ's queue and then in PGM's window. */
		sleep(linger_s);
		fprintf(stderr, "zpeer pub: %u messages\n", count);
	} else {
		tmo = 1000;
		zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
		fprintf(stderr, "zpeer sub: ready\n");
		for (i = 0; got < count && i < timeout_s; ) {
			int n = zmq_recv(s, msg, sizeof(msg), 0);

			if (n < 0) {
				i++;
				continue;
			}
			stream_record(stdout, msg, (size_t)n > sizeof(msg) ? sizeof(msg) : (size_t)n);
			got++;
		}
		fprintf(stderr, "zpeer sub: %u messages\n", got);
		rc = got == count ? 0 : 2;
	}
	fflush(stdout);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}
