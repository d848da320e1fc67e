// SPDX-License-Identifier: GPL-2.0
/*
 * shim.c - libpgm-5.3.so.0 over pgm.ko: the part of OpenPGM 5.3's API that
 * ZeroMQ (libzmq's pgm_socket.cpp, pgm_sender.cpp, pgm_receiver.cpp) uses,
 * on the kernel's SOCK_RDM/IPPROTO_PGM socket, so that an unmodified
 * libzmq built against OpenPGM does pgm:// and epgm:// over the kernel,
 * without raw sockets (and so without CAP_NET_RAW).
 *
 * Compiled against the installed <pgm/pgm.h>, so that the structures
 * libzmq was compiled with (pgm_msgv_t, pgm_sk_buff_t, pgm_addrinfo_t,
 * pgm_error_t, ...) have OpenPGM's layout.  What maps and what does not:
 * docs/zeromq.md.  Calls outside that set are not defined at all: a
 * program that needs one fails to load rather than meeting a stub.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pgm/pgm.h>

#include "kpgm.h"

#define EXPORT __attribute__((visibility("default")))

/* The most groups one socket joins (OpenPGM: IP_MAX_MEMBERSHIPS, 20). */
#define SHIM_GROUPS_MAX		20
/* pgm_sk_buff_t.len is 16 bits: the largest APDU one skb can hand over. */
#define SHIM_SKB_DATA		65535u
/* What OpenPGM answers for an unset PGM_MTU. */
#define SHIM_DEFAULT_TPDU	1500

struct pgm_sock_t {
	int		fd;		/* the kernel's PGM socket */
	int		uplink_fd;	/* a source's PGM_RECV_SOCK: dup of fd */
	int		repair_fd;	/* PGM_REPAIR_SOCK: an eventfd, never raised */
	int		pending_fd;	/* PGM_PENDING_SOCK: raised while losses wait */
	int		encap;		/* IPPROTO_UDP: PGM_UDP_ENCAP */
	bool		send_only, recv_only, noblock, connected, bound;
	uint16_t	dport;		/* data-destination port (pgm_bind) */
	unsigned int	send_ifindex, recv_ifindex;
	uint32_t	send_group;	/* network order; 0: none */
	uint32_t	groups[SHIM_GROUPS_MAX];
	unsigned int	group_if[SHIM_GROUPS_MAX], ngroups;
	int		max_tpdu;
	uint32_t	rate;		/* bytes/s given to PGM_TXW_MAX_RTE, 0: none */
	size_t		last_blocked;	/* the APDU a send() could not send yet */
	bool		abort_on_reset;	/* PGM_ABORT_ON_RESET */
	/* Receiving: one skb per pgm_msgv_t of the last call, reused. */
	struct pgm_sk_buff_t	**skbs;
	size_t			nskbs;
	/* An APDU read behind a loss not yet reported: handed over after it. */
	struct pgm_sk_buff_t	*deferred;
	/* Losses read from the error queue, not yet reported, in order. */
	struct shim_loss {
		pgm_tsi_t	tsi;
		uint32_t	first;	/* first sequence number lost */
		bool		ready;	/* no APDU before it waits: report it */
	}		*lost;
	size_t		nlost, lost_cap;
	/* ECONNRESET came before its record could be read (see receiving). */
	bool		maybe_held;
	pgm_tsi_t	last_lost;
	bool		have_last_lost;
};

static volatile uint32_t shim_refs;

/* ---- errors ------------------------------------------------------------ */

EXPORT void pgm_error_free(pgm_error_t *err)
{
	if (!err)
		return;
	free(err->message);
	free(err);
}

static void shim_error(pgm_error_t **err, int domain, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void shim_error(pgm_error_t **err, int domain, int code, const char *fmt, ...)
{
	pgm_error_t *e;
	va_list ap;

	if (!err || *err)
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->domain = domain;
	e->code = code;
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = NULL;
	va_end(ap);
	*err = e;
}

/*
 * errno to OpenPGM's error code.  A missing module (socket() fails with
 * ESOCKTNOSUPPORT or EPROTONOSUPPORT) is PGM_ERROR_NOSYS: libzmq treats
 * it as a configuration error (EINVAL), where PGM_ERROR_FAILED would
 * abort the process.
 */
static int shim_code(int e)
{
	switch (e) {
	case EAFNOSUPPORT:	return PGM_ERROR_AFNOSUPPORT;
	case EAGAIN:		return PGM_ERROR_AGAIN;
	case EBADF:		return PGM_ERROR_BADF;
	case ECONNRESET:	return PGM_ERROR_CONNRESET;
	case EFAULT:		return PGM_ERROR_FAULT;
	case EINTR:		return PGM_ERROR_INTR;
	case EINVAL:		return PGM_ERROR_INVAL;
	case EMFILE:		return PGM_ERROR_MFILE;
	case ENFILE:		return PGM_ERROR_NFILE;
	case ENOBUFS:		return PGM_ERROR_NOBUFS;
	case ENODEV:		return PGM_ERROR_NODEV;
	case ENOENT:		return PGM_ERROR_NOENT;
	case ENOMEM:		return PGM_ERROR_NOMEM;
	case ENETUNREACH:	return PGM_ERROR_NONET;
	case EADDRNOTAVAIL:	return PGM_ERROR_NODEV;
	case ENOPROTOOPT:	return PGM_ERROR_NOPROTOOPT;
	case ENOSYS:
	case ESOCKTNOSUPPORT:
	case EPROTONOSUPPORT:	return PGM_ERROR_NOSYS;
	case ENXIO:		return PGM_ERROR_NXIO;
	case EPERM:
	case EACCES:		return PGM_ERROR_PERM;
	case EPROTO:		return PGM_ERROR_PROTO;
	case ERANGE:		return PGM_ERROR_RANGE;
	case EXDEV:		return PGM_ERROR_XDEV;
	default:		return PGM_ERROR_FAILED;
	}
}

/* ---- library ----------------------------------------------------------- */

/* Nothing to start: the kernel runs PGM's timers and state. */
EXPORT bool pgm_init(pgm_error_t **err)
{
	(void)err;
	__atomic_add_fetch(&shim_refs, 1, __ATOMIC_SEQ_CST);
	return true;
}

EXPORT bool pgm_supported(void)
{
	return __atomic_load_n(&shim_refs, __ATOMIC_SEQ_CST) > 0;
}

/* As OpenPGM: FALSE when not initialised; sockets stay open (see docs). */
EXPORT bool pgm_shutdown(void)
{
	uint32_t r = __atomic_load_n(&shim_refs, __ATOMIC_SEQ_CST);

	do {
		if (!r)
			return false;
	} while (!__atomic_compare_exchange_n(&shim_refs, &r, r - 1, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return true;
}

/* OpenPGM's allocator is malloc's; pgm_free_skb() (inline) calls pgm_free. */
EXPORT bool pgm_mem_gc_friendly = false;

EXPORT void *pgm_malloc(const size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();	/* as OpenPGM's pgm_malloc */
	return p;
}

EXPORT void *pgm_malloc0(const size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		abort();
	return p;
}

EXPORT void pgm_free(void *p)
{
	free(p);
}

/* ---- GSI ----------------------------------------------------------------- */

/*
 * Six bytes from @data (FNV-1a, 64 bits; OpenPGM takes MD5's first six).
 * The kernel chooses the GSI of its sources (pgm(7), SOURCE): setting one
 * needs CAP_NET_RAW, so the shim never passes this one on.
 */
EXPORT bool pgm_gsi_create_from_data(pgm_gsi_t *gsi, const uint8_t *data, const size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	if (!gsi || !data || !len)
		return false;
	for (i = 0; i < len; i++) {
		h ^= data[i];
		h *= 0x100000001b3ull;
	}
	for (i = 0; i < 6; i++)
		gsi->identifier[i] = (uint8_t)(h >> (8 * i));
	return true;
}

/* ---- addresses ----------------------------------------------------------- */

/* An interface: "" (any), a name, or one of this host's IPv4 addresses. */
static bool shim_iface(const char *s, unsigned int *ifindex, struct in_addr *addr,
		       pgm_error_t **err)
{
	struct ifaddrs *ifa, *i;
	struct in_addr a;

	*ifindex = 0;
	addr->s_addr = 0;
	if (!*s)
		return true;
	if (inet_pton(AF_INET, s, &a) != 1) {
		*ifindex = if_nametoindex(s);
		if (*ifindex)
			return true;
		if (strchr(s, ':') || strchr(s, '/'))
			shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_AFNOSUPPORT,
				   "Interface \"%s\": IPv6 and network (CIDR) notation are not supported by the pgm.ko shim.", s);
		else
			shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_NODEV,
				   "No such interface \"%s\" (the pgm.ko shim takes interface names and IPv4 addresses, not host or network names).", s);
		return false;
	}
	if (getifaddrs(&ifa)) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, shim_code(errno), "getifaddrs(): %s", strerror(errno));
		return false;
	}
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == a.s_addr) {
			*ifindex = if_nametoindex(i->ifa_name);
			*addr = a;
			break;
		}
	freeifaddrs(ifa);
	if (!*ifindex) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_NODEV,
			   "No interface of this host has the address %s.", s);
		return false;
	}
	return true;
}

/* An IPv4 multicast group, as a dotted quad. */
static bool shim_group(const char *s, struct in_addr *g, pgm_error_t **err)
{
	if (inet_pton(AF_INET, s, g) != 1) {
		if (strchr(s, ':'))
			shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_AFNOSUPPORT,
				   "Group \"%s\": IPv6 is not supported by pgm.ko.", s);
		else
			shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_NONAME,
				   "Group \"%s\" is not an IPv4 address (the pgm.ko shim resolves no names).", s);
		return false;
	}
	if (!IN_MULTICAST(ntohl(g->s_addr))) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_INVAL,
			   "%s is not a multicast group.", s);
		return false;
	}
	return true;
}

static void shim_gsr(struct pgm_group_source_req *r, unsigned int ifindex, struct in_addr g,
		     struct in_addr ifaddr)
{
	struct sockaddr_in *sin;

	memset(r, 0, sizeof(*r));
	r->gsr_interface = ifindex;
	sin = (struct sockaddr_in *)&r->gsr_group;
	sin->sin_family = AF_INET;
	sin->sin_addr = g;
	sin = (struct sockaddr_in *)&r->gsr_source;
	sin->sin_family = AF_INET;
	sin->sin_addr = g;		/* any-source: the group, as OpenPGM */
	sin = (struct sockaddr_in *)&r->gsr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr = ifaddr;
}

/*
 * OpenPGM's network string, IPv4 only: "interface;receive-groups;send-group"
 * with groups separated by commas; "interface;group" (send to the first
 * receive group), or one field: a group (any interface) or an interface
 * (group 239.192.0.1, OpenPGM's default).
 */
EXPORT bool pgm_getaddrinfo(const char *network, const struct pgm_addrinfo_t *hints,
			    struct pgm_addrinfo_t **res, pgm_error_t **err)
{
	char *copy, *field[3] = { NULL, NULL, NULL }, *p, *save = NULL, *tok;
	struct in_addr ifaddr, recv[SHIM_GROUPS_MAX], send;
	unsigned int ifindex, nrecv = 0, nf = 0, i;
	struct pgm_addrinfo_t *ai;
	struct in_addr g;
	bool ok = false;

	if (!network || !res) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_INVAL, "No network string.");
		return false;
	}
	if (hints && hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_AFNOSUPPORT,
			   "Only AF_INET: pgm.ko has no IPv6.");
		return false;
	}
	copy = strdup(network);
	if (!copy) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_NOMEM, "Out of memory.");
		return false;
	}
	for (p = copy; nf < 3; nf++) {
		field[nf] = p;
		p = strchr(p, ';');
		if (!p) {
			nf++;
			break;
		}
		*p++ = '\0';
	}
	if (p) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_INVAL,
			   "Network string \"%s\" has more than three fields.", network);
		goto out;
	}
	if (nf == 1) {
		/* One field: a group, or an interface. */
		if (inet_pton(AF_INET, field[0], &g) == 1 && IN_MULTICAST(ntohl(g.s_addr))) {
			field[1] = field[0];
			field[0] = "";
		} else {
			field[1] = "239.192.0.1";
		}
	}
	if (!shim_iface(field[0], &ifindex, &ifaddr, err))
		goto out;
	for (tok = strtok_r(field[1], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nrecv == SHIM_GROUPS_MAX) {
			shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_INVAL,
				   "More than %d receive groups.", SHIM_GROUPS_MAX);
			goto out;
		}
		if (!shim_group(tok, &recv[nrecv], err))
			goto out;
		nrecv++;
	}
	if (!nrecv) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_INVAL,
			   "Network string \"%s\" names no group.", network);
		goto out;
	}
	send = recv[0];
	if (field[2] && *field[2] && !shim_group(field[2], &send, err))
		goto out;
	ai = calloc(1, sizeof(*ai) + (nrecv + 1) * sizeof(struct pgm_group_source_req));
	if (!ai) {
		shim_error(err, PGM_ERROR_DOMAIN_IF, PGM_ERROR_NOMEM, "Out of memory.");
		goto out;
	}
	ai->ai_family = AF_INET;
	ai->ai_recv_addrs_len = nrecv;
	ai->ai_recv_addrs = (struct pgm_group_source_req *)(ai + 1);
	ai->ai_send_addrs_len = 1;
	ai->ai_send_addrs = ai->ai_recv_addrs + nrecv;
	for (i = 0; i < nrecv; i++)
		shim_gsr(&ai->ai_recv_addrs[i], ifindex, recv[i], ifaddr);
	shim_gsr(&ai->ai_send_addrs[0], ifindex, send, ifaddr);
	*res = ai;
	ok = true;
out:
	free(copy);
	return ok;
}

EXPORT void pgm_freeaddrinfo(struct pgm_addrinfo_t *ai)
{
	free(ai);
}

/* ---- sockets ------------------------------------------------------------- */

static void shim_free(pgm_sock_t *s)
{
	size_t i;

	if (s->fd >= 0)
		close(s->fd);
	if (s->uplink_fd >= 0)
		close(s->uplink_fd);
	if (s->repair_fd >= 0)
		close(s->repair_fd);
	if (s->pending_fd >= 0)
		close(s->pending_fd);
	for (i = 0; i < s->nskbs; i++)
		free(s->skbs[i]);
	free(s->skbs);
	free(s->deferred);
	free(s->lost);
	free(s);
}

/*
 * SOCK_SEQPACKET as OpenPGM requires; IPPROTO_PGM for pgm://, IPPROTO_UDP
 * for epgm:// (PGM_UDP_ENCAP, OpenPGM's ports 3055/3056 until set).
 */
EXPORT bool pgm_socket(pgm_sock_t **sock, const sa_family_t family, const int type,
		       const int protocol, pgm_error_t **err)
{
	pgm_sock_t *s;
	int one = 1;

	if (!sock || type != SOCK_SEQPACKET || (protocol != IPPROTO_PGM && protocol != IPPROTO_UDP)) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL,
			   "pgm_socket(): type must be SOCK_SEQPACKET, protocol IPPROTO_PGM or IPPROTO_UDP.");
		return false;
	}
	if (family != AF_INET) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_AFNOSUPPORT,
			   "pgm_socket(): only AF_INET (pgm.ko has no IPv6).");
		return false;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_NOMEM, "Out of memory.");
		return false;
	}
	s->uplink_fd = s->repair_fd = s->pending_fd = -1;
	s->max_tpdu = SHIM_DEFAULT_TPDU;
	s->encap = protocol == IPPROTO_UDP;
	s->fd = kpgm_socket();
	if (s->fd < 0) {
		int e = errno;

		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(e),
			   "socket(AF_INET, SOCK_RDM, IPPROTO_PGM): %s%s", strerror(e),
			   e == ESOCKTNOSUPPORT || e == EPROTONOSUPPORT ? " (is pgm.ko installed?)" : "");
		shim_free(s);
		return false;
	}
	if (s->encap && setsockopt(s->fd, KPGM_SOL, KPGM_UDP_ENCAP, &one, sizeof(one))) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
			   "PGM_UDP_ENCAP: %s", strerror(errno));
		shim_free(s);
		return false;
	}
	s->repair_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->pending_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->repair_fd < 0 || s->pending_fd < 0) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno), "eventfd(): %s", strerror(errno));
		shim_free(s);
		return false;
	}
	*sock = s;
	return true;
}

EXPORT bool pgm_bind3(pgm_sock_t *s, const struct pgm_sockaddr_t *addr, const socklen_t addrlen,
		      const struct pgm_interface_req_t *send_req, const socklen_t send_len,
		      const struct pgm_interface_req_t *recv_req, const socklen_t recv_len,
		      pgm_error_t **err)
{
	if (!s || !addr || addrlen != sizeof(*addr) ||
	    (send_req && send_len != sizeof(*send_req)) || (recv_req && recv_len != sizeof(*recv_req))) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL, "pgm_bind3(): bad arguments.");
		return false;
	}
	if (s->bound) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL, "pgm_bind3(): already bound.");
		return false;
	}
	if (!addr->sa_port) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL,
			   "pgm_bind3(): data-destination port 0.");
		return false;
	}
	s->dport = addr->sa_port;
	s->send_ifindex = send_req ? send_req->ir_interface : 0;
	s->recv_ifindex = recv_req ? recv_req->ir_interface : 0;
	s->bound = true;
	return true;
}

EXPORT bool pgm_bind(pgm_sock_t *s, const struct pgm_sockaddr_t *addr, const socklen_t addrlen,
		     pgm_error_t **err)
{
	return pgm_bind3(s, addr, addrlen, NULL, 0, NULL, 0, err);
}

/* The first IPv4 address of interface @ifindex, 0 if none. */
static uint32_t shim_if_addr(unsigned int ifindex)
{
	struct ifaddrs *ifa, *i;
	uint32_t a = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i && !a; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    if_nametoindex(i->ifa_name) == ifindex)
			a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
	freeifaddrs(ifa);
	return a;
}

/*
 * The kernel socket becomes a source (PGM_SEND_ONLY: bind() to the send
 * interface's address, connect() to the send group) or a receiver
 * (PGM_RECV_ONLY: bind() to the group, or INADDR_ANY with several, and
 * PGM_JOIN_GROUP each).  A socket that is both, as OpenPGM's default is,
 * has no kernel counterpart.
 */
EXPORT bool pgm_connect(pgm_sock_t *s, pgm_error_t **err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned int i;
	int one = 1;

	if (!s || !s->bound || s->connected) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL,
			   "pgm_connect(): the socket must be bound and not yet connected.");
		return false;
	}
	if (s->send_only == s->recv_only) {
		shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_NOSYS,
			   "pgm_connect(): pgm.ko sockets are a source or a receiver: set PGM_SEND_ONLY or PGM_RECV_ONLY.");
		return false;
	}
	sin.sin_port = htons(s->dport);
	if (s->send_only) {
		uint32_t a = s->send_ifindex ? shim_if_addr(s->send_ifindex) : 0;
		struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr.s_addr = a };
		struct ip_mreqn mif = { .imr_ifindex = (int)s->send_ifindex };

		if (!s->send_group) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL,
				   "pgm_connect(): no PGM_SEND_GROUP.");
			return false;
		}
		if (s->send_ifindex &&
		    setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof(mif))) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
				   "IP_MULTICAST_IF: %s", strerror(errno));
			return false;
		}
		if (a && bind(s->fd, (struct sockaddr *)&local, sizeof(local))) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
				   "bind() to the interface's address: %s", strerror(errno));
			return false;
		}
		sin.sin_addr.s_addr = s->send_group;
		if (connect(s->fd, (struct sockaddr *)&sin, sizeof(sin))) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
				   "connect(): %s", strerror(errno));
			return false;
		}
		s->uplink_fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
		if (s->uplink_fd < 0) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno), "dup(): %s", strerror(errno));
			return false;
		}
	} else {
		if (!s->ngroups) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, PGM_ERROR_INVAL,
				   "pgm_connect(): no PGM_JOIN_GROUP.");
			return false;
		}
		sin.sin_addr.s_addr = s->ngroups == 1 ? s->groups[0] : htonl(INADDR_ANY);
		if (setsockopt(s->fd, KPGM_SOL, KPGM_RECVSQN, &one, sizeof(one)) ||
		    bind(s->fd, (struct sockaddr *)&sin, sizeof(sin))) {
			shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
				   "bind(): %s", strerror(errno));
			return false;
		}
		for (i = 0; i < s->ngroups; i++)
			if (kpgm_group(s->fd, KPGM_JOIN_GROUP, s->groups[i], (int)s->group_if[i])) {
				shim_error(err, PGM_ERROR_DOMAIN_SOCKET, shim_code(errno),
					   "PGM_JOIN_GROUP: %s", strerror(errno));
				return false;
			}
	}
	s->connected = true;
	return true;
}

/* The kernel sends OPT_FIN on close(); @flush changes nothing. */
EXPORT bool pgm_close(pgm_sock_t *s, bool flush)
{
	(void)flush;
	if (!s)
		return false;
	shim_free(s);
	return true;
}

/* ---- options ------------------------------------------------------------- */

/*
 * OpenPGM integer options that are kernel options: the kernel's number and
 * a factor (OpenPGM's times are microseconds as the kernel's; PGM_TXW_SECS
 * is seconds, the kernel's PGM_TXW_SECS_MS milliseconds).
 */
static const struct {
	int	opt, kopt, mul;
} shim_int_opts[] = {
	{ PGM_TXW_SQNS,		KPGM_TXW_SQNS,		1 },
	{ PGM_TXW_SECS,		KPGM_TXW_SECS_MS,	1000 },
	{ PGM_TXW_BYTES,	KPGM_TXW_BYTES,		1 },
	{ PGM_TXW_MAX_RTE,	KPGM_TXW_MAX_RTE,	1 },
	{ PGM_ODATA_MAX_RTE,	KPGM_TXW_MAX_RTE,	1 },
	{ PGM_AMBIENT_SPM,	KPGM_SPM_AMBIENT_IVL,	1 },
	{ PGM_RXW_SQNS,		KPGM_RXW_SQNS,		1 },
	{ PGM_PEER_EXPIRY,	KPGM_PEER_EXPIRY,	1 },
	{ PGM_SPMR_EXPIRY,	KPGM_SPMR_EXPIRY,	1 },
	{ PGM_NAK_BO_IVL,	KPGM_NAK_BO_IVL,	1 },
	{ PGM_NAK_RPT_IVL,	KPGM_NAK_RPT_IVL,	1 },
	{ PGM_NAK_RDATA_IVL,	KPGM_NAK_RDATA_IVL,	1 },
	{ PGM_NAK_DATA_RETRIES,	KPGM_NAK_DATA_RETRIES,	1 },
	{ PGM_NAK_NCF_RETRIES,	KPGM_NAK_NCF_RETRIES,	1 },
	{ PGM_UDP_ENCAP_UCAST_PORT, KPGM_UDP_ENCAP_UCAST_PORT, 1 },
	{ PGM_UDP_ENCAP_MCAST_PORT, KPGM_UDP_ENCAP_MCAST_PORT, 1 },
	{ PGM_ABORT_ON_RESET,	KPGM_ABORT_ON_LOSS,	1 },
};

static int shim_kset(pgm_sock_t *s, int kopt, long long v)
{
	uint32_t u;

	if (v < 0 || v > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	u = (uint32_t)v;
	return setsockopt(s->fd, KPGM_SOL, kopt, &u, sizeof(u));
}

static bool shim_int(const void *optval, socklen_t optlen, int *v)
{
	if (!optval || optlen != sizeof(int)) {
		errno = EINVAL;
		return false;
	}
	memcpy(v, optval, sizeof(*v));
	return true;
}

static bool shim_set_group(pgm_sock_t *s, int optname, const void *optval, socklen_t optlen)
{
	const struct group_req *gr = optval;
	const struct sockaddr_in *g;
	unsigned int i;

	if (!optval || optlen < (socklen_t)sizeof(struct group_req)) {
		errno = EINVAL;
		return false;
	}
	g = (const struct sockaddr_in *)&gr->gr_group;
	if (g->sin_family != AF_INET || !IN_MULTICAST(ntohl(g->sin_addr.s_addr))) {
		errno = g->sin_family != AF_INET ? EAFNOSUPPORT : EINVAL;
		return false;
	}
	switch (optname) {
	case PGM_SEND_GROUP:
		if (s->connected) {
			errno = EISCONN;
			return false;
		}
		s->send_group = g->sin_addr.s_addr;
		return true;
	case PGM_JOIN_GROUP:
		if (s->ngroups == SHIM_GROUPS_MAX) {
			errno = ENOBUFS;
			return false;
		}
		if (s->connected && kpgm_group(s->fd, KPGM_JOIN_GROUP, g->sin_addr.s_addr,
					       (int)gr->gr_interface))
			return false;
		s->groups[s->ngroups] = g->sin_addr.s_addr;
		s->group_if[s->ngroups++] = gr->gr_interface;
		return true;
	default:	/* PGM_LEAVE_GROUP */
		for (i = 0; i < s->ngroups; i++)
			if (s->groups[i] == g->sin_addr.s_addr)
				break;
		if (i == s->ngroups) {
			errno = EADDRNOTAVAIL;
			return false;
		}
		if (s->connected && kpgm_group(s->fd, KPGM_LEAVE_GROUP, g->sin_addr.s_addr,
					       (int)gr->gr_interface))
			return false;
		s->groups[i] = s->groups[--s->ngroups];
		s->group_if[i] = s->group_if[s->ngroups];
		return true;
	}
}

/*
 * OpenPGM returns FALSE, with no pgm_error_t, for an option it refuses;
 * so does the shim, for those and for the options pgm.ko has no
 * counterpart of (errno ENOPROTOOPT then; docs/zeromq.md lists them).
 */
EXPORT bool pgm_setsockopt(pgm_sock_t *const s, const int level, const int optname,
			   const void *optval, const socklen_t optlen)
{
	unsigned int i;
	int v;

	if (!s) {
		errno = EINVAL;
		return false;
	}
	if (level == SOL_SOCKET) {
		if (optname != SO_SNDBUF && optname != SO_RCVBUF) {
			errno = ENOPROTOOPT;
			return false;
		}
		return !setsockopt(s->fd, SOL_SOCKET, optname, optval, optlen);
	}
	if (level != IPPROTO_PGM) {
		errno = ENOPROTOOPT;
		return false;
	}
	for (i = 0; i < sizeof(shim_int_opts) / sizeof(shim_int_opts[0]); i++) {
		if (shim_int_opts[i].opt != optname)
			continue;
		if (!shim_int(optval, optlen, &v))
			return false;
		if (shim_kset(s, shim_int_opts[i].kopt, (long long)v * shim_int_opts[i].mul))
			return false;
		if (shim_int_opts[i].kopt == KPGM_TXW_MAX_RTE)
			s->rate = (uint32_t)v;
		if (shim_int_opts[i].kopt == KPGM_ABORT_ON_LOSS)
			s->abort_on_reset = v != 0;
		return true;
	}
	switch (optname) {
	case PGM_MTU:
		if (!shim_int(optval, optlen, &v) || shim_kset(s, KPGM_MAX_TPDU, v))
			return false;
		s->max_tpdu = v;
		return true;
	case PGM_HEARTBEAT_SPM: {
		/* OpenPGM's schedule of intervals; the kernel's heartbeat
		 * starts at IHB_MIN and doubles up to IHB_MAX: the first
		 * interval and the longest. */
		const int *iv = optval;
		unsigned int n = optlen / sizeof(int), k;
		int lo, hi;

		if (!optval || !n || optlen % sizeof(int)) {
			errno = EINVAL;
			return false;
		}
		lo = hi = iv[0];
		for (k = 1; k < n; k++)
			hi = iv[k] > hi ? iv[k] : hi;
		/* IHB_MIN may not pass IHB_MAX: raise the maximum first. */
		return !shim_kset(s, KPGM_IHB_MAX, hi) && !shim_kset(s, KPGM_IHB_MIN, lo);
	}
	case PGM_MULTICAST_LOOP:
		if (!shim_int(optval, optlen, &v))
			return false;
		v = !!v;
		return !setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &v, sizeof(v));
	case PGM_MULTICAST_HOPS:
		if (!shim_int(optval, optlen, &v))
			return false;
		if (v <= 0 || v > 255) {
			errno = EINVAL;
			return false;
		}
		return !setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof(v));
	case PGM_TOS:
		if (!shim_int(optval, optlen, &v))
			return false;
		return !setsockopt(s->fd, IPPROTO_IP, IP_TOS, &v, sizeof(v));
	case PGM_SEND_ONLY:
	case PGM_RECV_ONLY:
	case PGM_NOBLOCK:
		if (!shim_int(optval, optlen, &v))
			return false;
		if (optname == PGM_NOBLOCK)
			s->noblock = v != 0;
		else if (s->connected) {
			errno = EISCONN;
			return false;
		} else if (optname == PGM_SEND_ONLY)
			s->send_only = v != 0;
		else
			s->recv_only = v != 0;
		return true;
	case PGM_USE_FEC: {
		const struct pgm_fecinfo_t *f = optval;
		uint8_t k[4];

		if (!optval || optlen != sizeof(*f)) {
			errno = EINVAL;
			return false;
		}
		k[0] = f->block_size;
		k[1] = f->group_size;
		k[2] = f->proactive_packets;
		k[3] = f->ondemand_parity_enabled ? KPGM_FEC_ONDEMAND : 0;
		return !setsockopt(s->fd, KPGM_SOL, KPGM_FEC, k, sizeof(k));
	}
	case PGM_SEND_GROUP:
	case PGM_JOIN_GROUP:
	case PGM_LEAVE_GROUP:
		return shim_set_group(s, optname, optval, optlen);
	default:
		/*
		 * No counterpart in pgm.ko: PGM_IP_ROUTER_ALERT, PGM_RXW_BYTES,
		 * PGM_RXW_SECS, PGM_RXW_MAX_RTE, PGM_RDATA_MAX_RTE,
		 * PGM_UNCONTROLLED_ODATA/RDATA, PGM_USE_CR, PGM_USE_PGMCC,
		 * PGM_PASSIVE, source-specific multicast (PGM_BLOCK_SOURCE,
		 * PGM_UNBLOCK_SOURCE, PGM_JOIN/LEAVE_SOURCE_GROUP, PGM_MSFILTER).
		 */
		errno = ENOPROTOOPT;
		return false;
	}
}

/* The largest APDU that leaves in one packet (see KPGM_OVERHEAD). */
static int shim_mss(const pgm_sock_t *s)
{
	return s->max_tpdu - KPGM_OVERHEAD(s->encap);
}

static bool shim_put_int(void *optval, socklen_t *optlen, int v)
{
	if (*optlen != sizeof(int))
		return false;
	memcpy(optval, &v, sizeof(v));
	return true;
}

static bool shim_put_fd(const pgm_sock_t *s, void *optval, socklen_t *optlen, int fd)
{
	if (!s->connected || fd < 0 || *optlen != sizeof(int))
		return false;
	memcpy(optval, &fd, sizeof(fd));
	return true;
}

static bool shim_put_tv(void *optval, socklen_t *optlen, long usecs)
{
	struct timeval tv = { .tv_sec = usecs / 1000000, .tv_usec = usecs % 1000000 };

	if (*optlen != sizeof(tv))
		return false;
	memcpy(optval, &tv, sizeof(tv));
	return true;
}

/*
 * The wait after a send() the rate limit refused: the time the bucket takes
 * to earn the APDU's bytes (and headers) back, at least 1 ms (ZeroMQ's
 * timers are in milliseconds) and at most 100 ms.  The kernel does not
 * tell the real figure; a wait too short costs one more EAGAIN.
 */
static long shim_rate_remain(const pgm_sock_t *s)
{
	long long us;

	if (!s->rate)
		return 1000;
	us = ((long long)s->last_blocked + KPGM_OVERHEAD(s->encap)) * 1000000LL / s->rate;
	if (us < 1000)
		us = 1000;
	if (us > 100000)
		us = 100000;
	return (long)us;
}

EXPORT bool pgm_getsockopt(pgm_sock_t *const s, const int level, const int optname,
			   void *optval, socklen_t *optlen)
{
	unsigned int i;
	uint32_t u;
	socklen_t ul = sizeof(u);

	if (!s || !optval || !optlen)
		return false;
	if (level == SOL_SOCKET) {
		if (optname != SO_SNDBUF && optname != SO_RCVBUF)
			return false;
		return !getsockopt(s->fd, SOL_SOCKET, optname, optval, optlen);
	}
	if (level != IPPROTO_PGM)
		return false;
	switch (optname) {
	case PGM_SEND_SOCK:
		return s->send_only && shim_put_fd(s, optval, optlen, s->fd);
	case PGM_RECV_SOCK:
		/* A source's upstream has no events for the application (the
		 * kernel answers NAKs and SPMRs): a second descriptor of the
		 * socket, so that it can be polled beside PGM_SEND_SOCK. */
		return shim_put_fd(s, optval, optlen, s->send_only ? s->uplink_fd : s->fd);
	case PGM_REPAIR_SOCK:
		return shim_put_fd(s, optval, optlen, s->repair_fd);
	case PGM_PENDING_SOCK:
		return shim_put_fd(s, optval, optlen, s->pending_fd);
	case PGM_TIME_REMAIN:
		/* No timer runs in user space: none is ever pending. */
		return s->connected && shim_put_tv(optval, optlen, 1000000);
	case PGM_RATE_REMAIN:
		return s->connected && shim_put_tv(optval, optlen, shim_rate_remain(s));
	case PGM_MTU:
		return shim_put_int(optval, optlen, s->max_tpdu);
	case PGM_MSS:
	case PGM_MSSS:
		return shim_put_int(optval, optlen, shim_mss(s));
	case PGM_PDU:
		return shim_put_int(optval, optlen, s->send_only ? (int)KPGM_APDU_MAX : (int)SHIM_SKB_DATA);
	}
	for (i = 0; i < sizeof(shim_int_opts) / sizeof(shim_int_opts[0]); i++) {
		if (shim_int_opts[i].opt != optname)
			continue;
		if (*optlen != sizeof(int) ||
		    getsockopt(s->fd, KPGM_SOL, shim_int_opts[i].kopt, &u, &ul))
			return false;
		return shim_put_int(optval, optlen, (int)(u / (uint32_t)shim_int_opts[i].mul));
	}
	return false;
}

/* ---- sending ----------------------------------------------------------- */

EXPORT int pgm_send(pgm_sock_t *const s, const void *apdu, const size_t len, size_t *bytes)
{
	struct pollfd pfd;
	ssize_t n;

	if (bytes)
		*bytes = 0;
	if (!s || !s->connected || !s->send_only || (len && !apdu))
		return PGM_IO_STATUS_ERROR;
	do
		n = send(s->fd, apdu, len, s->noblock ? MSG_DONTWAIT : 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		if (bytes)
			*bytes = (size_t)n;
		return PGM_IO_STATUS_NORMAL;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
		return PGM_IO_STATUS_ERROR;
	/*
	 * EAGAIN is the rate limit (the socket stays writable: wait for the
	 * time PGM_RATE_REMAIN tells) or a full send buffer (it is not: poll
	 * PGM_SEND_SOCK for POLLOUT).  ENOBUFS (no memory for the packets) is
	 * waited out as the rate limit.
	 */
	s->last_blocked = len;
	pfd.fd = s->fd;
	pfd.events = POLLOUT;
	if (errno != ENOBUFS && poll(&pfd, 1, 0) == 0)
		return PGM_IO_STATUS_WOULD_BLOCK;
	return PGM_IO_STATUS_RATE_LIMITED;
}

/* ---- receiving --------------------------------------------------------- */

/*
 * Ordering.  ZeroMQ keeps one decoder per TSI and drops it on
 * PGM_IO_STATUS_RESET, so a loss must be reported exactly between the
 * session's last APDU before the gap and its first after it: earlier, and
 * APDUs still queued from before the gap are decoded as a fresh join;
 * later, and the decoder runs across the gap.  The kernel's loss record
 * (error queue) and the APDUs (receive queue) are two queues, so the shim
 * places each record by sequence numbers (PGM_RECVSQN on every APDU): an
 * APDU of the loss's TSI at or past its first lost sequence number waits
 * (deferred) until the loss has been reported; a loss no APDU follows yet
 * is reported once the receive queue is empty (EAGAIN), when nothing from
 * before the gap can still be queued.  A record the kernel could not queue
 * yet (its error queue shares SO_RCVBUF with the receive queue, so while
 * that is full the record waits, its ECONNRESET already given) is looked
 * for after every APDU until the receive queue runs empty (maybe_held):
 * data from after the gap is only queued once the record is.
 */

static struct pgm_sk_buff_t *shim_skb_init(struct pgm_sk_buff_t *skb, pgm_sock_t *s, size_t cap)
{
	memset(skb, 0, sizeof(*skb));
	skb->sock = s;
	skb->users = 1;
	skb->truesize = (uint32_t)(sizeof(*skb) + cap);
	skb->head = skb->data = skb->tail = skb + 1;
	skb->end = (char *)(skb + 1) + cap;
	return skb;
}

/* The @i-th skb of this call, allocated on first use and kept. */
static struct pgm_sk_buff_t *shim_skb(pgm_sock_t *s, size_t i)
{
	if (i >= s->nskbs) {
		struct pgm_sk_buff_t **v = realloc(s->skbs, (i + 1) * sizeof(*v));

		if (!v)
			return NULL;
		s->skbs = v;
		while (s->nskbs <= i)
			v[s->nskbs++] = NULL;
	}
	if (!s->skbs[i])
		s->skbs[i] = malloc(sizeof(struct pgm_sk_buff_t) + SHIM_SKB_DATA);
	if (!s->skbs[i])
		return NULL;
	return shim_skb_init(s->skbs[i], s, SHIM_SKB_DATA);
}

static void shim_pending(pgm_sock_t *s, bool raise)
{
	uint64_t one = 1;

	if (raise) {
		if (write(s->pending_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			return;
	} else if (read(s->pending_fd, &one, sizeof(one)) < 0) {
		return;		/* EAGAIN: not raised */
	}
}

static bool shim_queue_loss(pgm_sock_t *s, const uint8_t tsi[8], uint32_t first, bool ready)
{
	if (s->nlost == s->lost_cap) {
		size_t cap = s->lost_cap ? 2 * s->lost_cap : 8;
		struct shim_loss *v = realloc(s->lost, cap * sizeof(*v));

		if (!v)
			return false;
		s->lost = v;
		s->lost_cap = cap;
	}
	memcpy(&s->lost[s->nlost].tsi, tsi, sizeof(pgm_tsi_t));
	s->lost[s->nlost].first = first;
	s->lost[s->nlost++].ready = ready;
	return true;
}

/*
 * The error queue: losses wait to be placed and reported; session ends
 * (OPT_FIN, OPT_RST, expiry) have no OpenPGM status ZeroMQ takes and are
 * dropped (a source that starts again has a new TSI).  Returns the number
 * of loss records read.
 */
static unsigned int shim_drain_errqueue(pgm_sock_t *s)
{
	struct kpgm_event ev;
	unsigned int n = 0;

	while (kpgm_errqueue(s->fd, &ev) == 1)
		if (ev.type == KPGM_EV_LOSS) {
			shim_queue_loss(s, ev.tsi, ev.sqn, false);
			n++;
		}
	return n;
}

static bool shim_any_ready(const pgm_sock_t *s)
{
	size_t i;

	for (i = 0; i < s->nlost; i++)
		if (s->lost[i].ready)
			return true;
	return false;
}

/*
 * Must the APDU of @tsi at @sqn wait for a loss to be reported?  Marks
 * the losses of that session it follows ready.
 */
static bool shim_behind_loss(pgm_sock_t *s, const pgm_tsi_t *tsi, uint32_t sqn)
{
	bool behind = false;
	size_t i;

	for (i = 0; i < s->nlost; i++)
		if (!memcmp(&s->lost[i].tsi, tsi, sizeof(*tsi)) &&
		    (int32_t)(sqn - s->lost[i].first) >= 0) {
			s->lost[i].ready = true;
			behind = true;
		}
	return behind;
}

/*
 * Report the oldest ready loss as OpenPGM does: PGM_IO_STATUS_RESET, and
 * with MSG_ERRQUEUE an skb in msgv[0] carrying the TSI (the caller frees it
 * with pgm_free_skb()), else a pgm_error_t (PGM_ERROR_DOMAIN_RECV,
 * PGM_ERROR_CONNRESET).  With PGM_ABORT_ON_RESET every later call reports
 * the last one again.
 */
static int shim_reset(pgm_sock_t *s, struct pgm_msgv_t *msgv, size_t msg_len, int flags,
		      pgm_error_t **err)
{
	pgm_tsi_t tsi = s->last_lost;
	char txt[PGM_TSISTRLEN];
	size_t i;

	for (i = 0; i < s->nlost; i++)
		if (s->lost[i].ready) {
			tsi = s->lost[i].tsi;
			memmove(s->lost + i, s->lost + i + 1, (--s->nlost - i) * sizeof(*s->lost));
			s->last_lost = tsi;
			s->have_last_lost = true;
			break;
		}
	if (!shim_any_ready(s) && !s->deferred)
		shim_pending(s, false);
	if ((flags & MSG_ERRQUEUE) && msgv && msg_len) {
		struct pgm_sk_buff_t *skb = malloc(sizeof(*skb));

		if (skb) {
			shim_skb_init(skb, s, 0);
			skb->tsi = tsi;
			msgv[0].msgv_len = 1;
			msgv[0].msgv_skb[0] = skb;
		}
	} else {
		snprintf(txt, sizeof(txt), "%u.%u.%u.%u.%u.%u.%u",
			 tsi.gsi.identifier[0], tsi.gsi.identifier[1], tsi.gsi.identifier[2],
			 tsi.gsi.identifier[3], tsi.gsi.identifier[4], tsi.gsi.identifier[5],
			 ntohs(tsi.sport));
		shim_error(err, PGM_ERROR_DOMAIN_RECV, PGM_ERROR_CONNRESET,
			   "Transport has been reset on unrecoverable loss from %s.", txt);
	}
	return PGM_IO_STATUS_RESET;
}

/*
 * Up to @msg_len APDUs, one skb each (msgv_len 1), without blocking (the
 * kernel socket is always read with MSG_DONTWAIT; ZeroMQ polls it).  The
 * skbs stay valid until the next call on the socket.  A source has nothing
 * to read: PGM_IO_STATUS_WOULD_BLOCK.
 */
EXPORT int pgm_recvmsgv(pgm_sock_t *const s, struct pgm_msgv_t *const msgv, const size_t msg_len,
			const int flags, size_t *bytes, pgm_error_t **err)
{
	size_t n = 0, total = 0, i;
	bool reset = false;

	if (bytes)
		*bytes = 0;
	if (!s || !s->connected || (msg_len && !msgv))
		return PGM_IO_STATUS_ERROR;
	if (s->send_only)
		return PGM_IO_STATUS_WOULD_BLOCK;
	if (shim_any_ready(s) || (s->abort_on_reset && s->have_last_lost))
		return shim_reset(s, msgv, msg_len, flags, err);
	if (!msg_len)
		return PGM_IO_STATUS_WOULD_BLOCK;
	if (s->deferred) {
		/* Its loss is reported: it goes first, into slot 0. */
		struct pgm_sk_buff_t *skb = s->deferred;

		if (!shim_skb(s, 0))
			return PGM_IO_STATUS_WOULD_BLOCK;
		free(s->skbs[0]);
		s->skbs[0] = skb;
		s->deferred = NULL;
		shim_pending(s, false);
		msgv[0].msgv_len = 1;
		msgv[0].msgv_skb[0] = skb;
		total = skb->len;
		n = 1;
	}
	while (n < msg_len) {
		struct pgm_sk_buff_t *skb = shim_skb(s, n);
		uint8_t tsi[8];
		uint32_t sqn;
		size_t full;
		ssize_t r;

		if (!skb) {
			if (n)
				break;
			shim_error(err, PGM_ERROR_DOMAIN_RECV, PGM_ERROR_NOMEM, "Out of memory.");
			return PGM_IO_STATUS_ERROR;
		}
		r = kpgm_recv(s->fd, skb->data, SHIM_SKB_DATA, tsi, &sqn, &full);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* Nothing from before any gap is left queued. */
				shim_drain_errqueue(s);
				s->maybe_held = false;
				for (i = 0; i < s->nlost; i++)
					s->lost[i].ready = true;
				break;
			}
			if (errno == ECONNRESET) {
				if (!shim_drain_errqueue(s))
					s->maybe_held = true;
				if (s->abort_on_reset) {
					for (i = 0; i < s->nlost; i++)
						s->lost[i].ready = true;
					reset = s->have_last_lost || s->nlost;
					break;
				}
				continue;	/* once per loss: read on */
			}
			if (n)
				break;
			shim_error(err, PGM_ERROR_DOMAIN_RECV, shim_code(errno),
				   "recvmsg(): %s", strerror(errno));
			return PGM_IO_STATUS_ERROR;
		}
		if (s->maybe_held)
			shim_drain_errqueue(s);
		memcpy(&skb->tsi, tsi, sizeof(skb->tsi));
		if (full > SHIM_SKB_DATA) {
			/* Too long for an skb (len is 16 bits): lost to this API. */
			shim_queue_loss(s, tsi, sqn, true);
			break;
		}
		skb->sequence = sqn;
		skb->len = (uint16_t)r;
		skb->tail = (char *)skb->data + r;
		if (shim_behind_loss(s, &skb->tsi, sqn)) {
			s->deferred = skb;
			s->skbs[n] = NULL;
			break;
		}
		msgv[n].msgv_len = 1;
		msgv[n].msgv_skb[0] = skb;
		total += (size_t)r;
		n++;
	}
	if (n) {
		if (shim_any_ready(s) || s->deferred)
			shim_pending(s, true);	/* the next call reports it */
		if (bytes)
			*bytes = total;
		return PGM_IO_STATUS_NORMAL;
	}
	if (shim_any_ready(s) || reset)
		return shim_reset(s, msgv, msg_len, flags, err);
	return PGM_IO_STATUS_WOULD_BLOCK;
}
