// SPDX-License-Identifier: GPL-2.0
/*
 * shim-addr.c - the libpgm shim's calls that open no PGM socket, on the
 * host: pgm_init/pgm_shutdown's counting, pgm_getaddrinfo's network
 * strings and its refusals (OpenPGM's error domain and codes, which
 * libzmq tells apart), pgm_gsi_create_from_data.  Linked against
 * build/shim/libpgm-5.3.so.0 (make check-zmq-shim runs it before the VM).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <pgm/pgm.h>

static int pass, fail;

static void check(int ok, const char *what)
{
	if (ok)
		pass++;
	else
		fail++;
	printf("%s - shim-addr: %s\n", ok ? "ok" : "not ok", what);
}

static const char *group(const struct pgm_group_source_req *r, char *buf)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&r->gsr_group;

	return inet_ntop(AF_INET, &sin->sin_addr, buf, INET_ADDRSTRLEN);
}

/* @net parses: @nrecv receive groups, the first @g0, send group @gs, interface @ifindex. */
static void good(const char *net, unsigned int nrecv, const char *g0, const char *gs,
		 unsigned int ifindex)
{
	struct pgm_addrinfo_t *ai = NULL;
	pgm_error_t *err = NULL;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], what[200];
	int ok;

	ok = pgm_getaddrinfo(net, NULL, &ai, &err) && ai && ai->ai_family == AF_INET &&
	     ai->ai_recv_addrs_len == nrecv && ai->ai_send_addrs_len == 1 &&
	     !strcmp(group(&ai->ai_recv_addrs[0], a), g0) &&
	     !strcmp(group(&ai->ai_send_addrs[0], b), gs) &&
	     ai->ai_recv_addrs[0].gsr_interface == ifindex &&
	     ai->ai_recv_addrs[0].gsr_group.ss_family == AF_INET;
	snprintf(what, sizeof(what), "\"%s\": %u group(s), %s, send %s, ifindex %u", net, nrecv, g0, gs,
		 ifindex);
	check(ok, what);
	if (err)
		pgm_error_free(err);
	pgm_freeaddrinfo(ai);
}

/* @net is refused with PGM_ERROR_DOMAIN_IF and @code, and a message. */
static void bad(const char *net, int code, const char *name)
{
	struct pgm_addrinfo_t *ai = NULL;
	pgm_error_t *err = NULL;
	char what[300];
	int ok;

	ok = !pgm_getaddrinfo(net, NULL, &ai, &err) && !ai && err &&
	     err->domain == PGM_ERROR_DOMAIN_IF && err->code == code && err->message;
	snprintf(what, sizeof(what), "\"%s\" refused: PGM_ERROR_DOMAIN_IF, %s (%s)", net, name,
		 err && err->message ? err->message : "no message");
	check(ok, what);
	pgm_error_free(err);
}

int main(void)
{
	unsigned int lo = if_nametoindex("lo");
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	pgm_gsi_t g1, g2;
	pgm_error_t *err = NULL;

	check(!pgm_shutdown(), "pgm_shutdown before pgm_init is FALSE");
	check(pgm_init(&err) && pgm_init(&err) && !err && pgm_supported(), "pgm_init twice");
	good("239.192.0.1", 1, "239.192.0.1", "239.192.0.1", 0);
	good(";239.192.0.2", 1, "239.192.0.2", "239.192.0.2", 0);
	good("lo;239.192.0.3", 1, "239.192.0.3", "239.192.0.3", lo);
	good("127.0.0.1;239.192.0.4", 1, "239.192.0.4", "239.192.0.4", lo);
	good("lo", 1, "239.192.0.1", "239.192.0.1", lo);
	good(";239.192.0.5,239.192.0.6;239.192.0.7", 2, "239.192.0.5", "239.192.0.7", 0);
	bad(";ff08::1", PGM_ERROR_AFNOSUPPORT, "AFNOSUPPORT");
	bad("nosuchif0;239.192.0.1", PGM_ERROR_NODEV, "NODEV");
	bad("192.0.2.1;239.192.0.1", PGM_ERROR_NODEV, "NODEV");
	bad("10.0.0.0/8;239.192.0.1", PGM_ERROR_AFNOSUPPORT, "AFNOSUPPORT");
	bad(";10.1.2.3", PGM_ERROR_INVAL, "INVAL");
	bad(";some.host.name", PGM_ERROR_NONAME, "NONAME");
	bad(";239.192.0.1;239.192.0.2;x", PGM_ERROR_INVAL, "INVAL");
	good("", 1, "239.192.0.1", "239.192.0.1", 0);
	check(pgm_gsi_create_from_data(&g1, data, sizeof(data)) &&
	      pgm_gsi_create_from_data(&g2, data, sizeof(data)) && !memcmp(&g1, &g2, sizeof(g1)) &&
	      !pgm_gsi_create_from_data(&g2, data, 0),
	      "pgm_gsi_create_from_data: the same data, the same GSI; no data refused");
	check(pgm_shutdown() && pgm_shutdown() && !pgm_shutdown(), "pgm_shutdown once per pgm_init");
	printf("shim-addr: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
