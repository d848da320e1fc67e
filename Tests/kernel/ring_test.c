// SPDX-License-Identifier: GPL-2.0
/*
 * ring_test.c - the mmap receive ring (PGM_RX_RING) inside the test VM, in
 * a private netns where a source's multicast comes back over dummy0 with
 * IP_MULTICAST_LOOP: the option and mmap contract; delivery into the ring
 * equal to recvmsg delivery APDU for APDU (with a spilled APDU and the
 * session end in-band); a full ring holding data back and losing nothing;
 * garbage written into every user-writable part of the mapping; close()
 * and munmap() in either order; poll(); wake-up coalescing
 * (PGM_RX_RING_WAKE).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "harness.h"
#include "common.h"
#include "ringlib.h"

#define GROUP	"239.192.0.9"
#define PORT	7700

static int ifindex;
static long pagesz;

static int source(void)
{
	struct sockaddr_in g = sin4(GROUP, PORT);
	int fd = pgm_socket();

	/* Quick SPMs: a receiver learns the lead (and NAKs) without waiting 1 s. */
	set_u32(fd, PGM_SPM_AMBIENT_IVL, 100000);
	set_u32(fd, PGM_IHB_MAX, 100000);
	if (connect(fd, (struct sockaddr *)&g, sizeof(g)))
		FAILF("connect: %s", strerror(errno));
	return fd;
}

/* A receiver; with @ring bytes of ring (0: none) and @rxw (0: default). */
static int receiver(struct uring *r, uint32_t ring, uint32_t rxw)
{
	struct sockaddr_in g = sin4(GROUP, PORT);
	struct ip_mreqn m = { .imr_ifindex = ifindex };
	int fd = pgm_socket(), buf = 4 << 20;

	inet_pton(AF_INET, GROUP, &m.imr_multiaddr);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (rxw)
		CHECK_OK(set_u32(fd, PGM_RXW_SQNS, rxw));
	if (ring && uring_setup(r, fd, ring))
		FAILF("ring setup: %s", strerror(errno));
	CHECK_OK(bind(fd, (struct sockaddr *)&g, sizeof(g)));
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_JOIN_GROUP, &m, sizeof(m)));
	return fd;
}

/* The i-th test APDU: its length, its bytes in @b. */
static size_t msg(unsigned int i, uint8_t *b, size_t big)
{
	size_t n = big && i % 97 == 50 ? big : 1 + (i * 7919) % (i % 10 == 0 ? 9000 : 1400);

	if (n < 4)
		n = 4;
	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)(i * 31 + k * 7);
	memcpy(b, &i, 4);
	return n;
}

static struct pgm_rx_ring_stats ring_stats(int fd)
{
	struct pgm_rx_ring_stats st = {};
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PGM, PGM_RX_RING_STATS, &st, &len))
		FAILF("PGM_RX_RING_STATS: %s", strerror(errno));
	return st;
}

static void ring_options(void)
{
	struct pgm_rx_ring req = { .size = 3 << 12 }, got;
	socklen_t len = sizeof(got);
	struct pgm_rx_ring_stats st;
	struct sockaddr_in g = sin4(GROUP, PORT);
	int fd = pgm_socket(), other;
	void *p;

	/* mmap without a ring */
	CHECK(mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_RX_RING, &got, &len));
	CHECK_EQ(got.size, 0);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EINVAL);
	req.size = PGM_RING_SIZE_MIN / 2;
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EINVAL);
	req.size = PGM_RING_SIZE_MAX * 2;
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EINVAL);
	req.size = 1 << 16;
	req.flags = 1;
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EINVAL);
	req.flags = 0;
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, 4), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING_STATS, &st, sizeof(st)), ENOPROTOOPT);
	/* PGM_ABORT_ON_LOSS and a ring exclude each other, in either order. */
	{
		int on = 1, off = 0;

		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_ABORT_ON_LOSS, &on, sizeof(on)));
		CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EOPNOTSUPP);
		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_ABORT_ON_LOSS, &off, sizeof(off)));
		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)));
		CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_ABORT_ON_LOSS, &on, sizeof(on)), EOPNOTSUPP);
		CHECK_OK(setsockopt(fd, SOL_PGM, PGM_ABORT_ON_LOSS, &off, sizeof(off)));
	}
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EBUSY);
	len = sizeof(got);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_RX_RING, &got, &len));
	CHECK_EQ(got.size, 1 << 16);
	CHECK_EQ(got.data_offset, pagesz);
	CHECK_EQ(got.mmap_len, pagesz + (1 << 16));
	/* Too long, or at an offset: refused; the whole or a part: fine. */
	CHECK(mmap(NULL, got.mmap_len + pagesz, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK(mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, pagesz) == MAP_FAILED);
	p = mmap(NULL, got.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		CHECK_EQ(((struct pgm_ring_ctrl *)p)->size, 1 << 16);
		CHECK_EQ(((struct pgm_ring_ctrl *)p)->producer, 0);
		munmap(p, got.mmap_len);
	}
	st = ring_stats(fd);
	CHECK_EQ(st.records, 0);
	close(fd);

	/* After bind(): too late. */
	other = pgm_socket();
	CHECK_OK(bind(other, (struct sockaddr *)&g, sizeof(g)));
	CHECK_ERR(setsockopt(other, SOL_PGM, PGM_RX_RING, &req, sizeof(req)), EINVAL);
	close(other);
}

/*
 * The same APDUs to a ring receiver and a recvmsg receiver: equal byte for
 * byte, TSI and source address, in order; one APDU too large for the ring
 * is spilled to recvmsg in its place; the source's FIN ends both.
 */
static void ring_equals_recvmsg(void)
{
	static uint8_t want[70000], got[70000];
	const unsigned int count = 400;
	const size_t big = 40000;	/* > 64 KiB / 2: spilled */
	struct uring r;
	int rf = receiver(&r, 1 << 16, 0), qf = receiver(NULL, 0, 0), src = source();
	unsigned int i, nring = 0, nq = 0, spills = 0, ends = 0;
	uint32_t last_sqn = 0;
	struct pgm_rx_ring_stats st;

	for (i = 0; i < count; i++) {
		size_t n = msg(i, want, big);

		if (send(src, want, n, 0) != (ssize_t)n) {
			FAILF("send %u: %s", i, strerror(errno));
			break;
		}
	}
	close(src);	/* OPT_FIN */
	while (nring < count || !ends) {
		struct pgm_ring_rec *rec = uring_wait(&r, 5000);
		struct sockaddr_pgm from;
		struct iovec iov = { got, sizeof(got) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		const uint8_t *payload;
		size_t n, wn;
		ssize_t qn;

		if (!rec) {
			FAILF("ring: %u of %u APDUs, %u ends", nring, count, ends);
			break;
		}
		if (rec->type == PGM_REC_END) {
			struct pgm_session_end e;

			memcpy(&e, uring_payload(&r, rec), sizeof(e));
			CHECK_EQ(rec->data_len, sizeof(e));
			CHECK_EQ(e.reason, PGM_END_FIN);
			CHECK(!memcmp(&e.tsi, &rec->tsi, sizeof(e.tsi)));
			ends++;
			continue;
		}
		if (rec->type != PGM_REC_DATA && rec->type != PGM_REC_SPILL) {
			FAILF("record type %u at %u", rec->type, nring);
			break;
		}
		wn = msg(nring, want, big);
		if (rec->type == PGM_REC_SPILL) {
			ssize_t sn = recv(rf, got, sizeof(got), MSG_DONTWAIT);

			spills++;
			CHECK_EQ(sn, wn);
			CHECK_EQ(rec->data_len, wn);
			payload = got;
			n = sn < 0 ? 0 : sn;
			if (n == wn && !memcmp(payload, want, wn))
				payload = want;	/* compared; the buffer is reused below */
		} else {
			payload = uring_payload(&r, rec);
			n = rec->data_len;
		}
		if (nring && (int32_t)(rec->sqn - last_sqn) <= 0)
			FAILF("sqn %u after %u", rec->sqn, last_sqn);
		last_sqn = rec->sqn;
		/* The recvmsg receiver's APDU of the same index. */
		{
			struct pollfd p = { .fd = qf, .events = POLLIN };

			poll(&p, 1, 5000);
			qn = recvmsg(qf, &m, MSG_DONTWAIT);
		}
		if (n != wn || memcmp(payload, want, wn)) {
			FAILF("ring APDU %u differs (%zu bytes, want %zu)", nring, n, wn);
			break;
		}
		if (qn != (ssize_t)wn || memcmp(got, want, wn)) {
			FAILF("recvmsg APDU %u differs (%zd bytes, want %zu)", nring, qn, wn);
			break;
		}
		CHECK(!memcmp(&from.tsi, &rec->tsi, sizeof(from.tsi)));
		CHECK_EQ(from.sin.sin_addr.s_addr, rec->saddr);
		nring++;
		nq++;
	}
	uring_release(&r);
	CHECK_EQ(nring, count);
	CHECK_EQ(nq, count);
	CHECK_EQ(spills, (count + 46) / 97);
	CHECK_EQ(ends, 1);
	st = ring_stats(rf);
	CHECK_EQ(st.spilled, spills);
	CHECK_EQ(st.records, count + 1);
	CHECK_EQ(st.bad_consumer, 0);
	/* Each batch of records woke the reader or found nobody waiting. */
	CHECK(st.wakeups + st.unwoken >= 1 && st.wakeups + st.unwoken <= st.records);
	printf("    ring: %llu records, %llu wake-ups, %llu unwoken, %llu spilled, %llu full\n",
	       (unsigned long long)st.records, (unsigned long long)st.wakeups,
	       (unsigned long long)st.unwoken,
	       (unsigned long long)st.spilled, (unsigned long long)st.full);
	munmap(r.base, r.len);
	close(rf);
	close(qf);
}

/*
 * A 4 KiB ring and a 256-sqn window, 2000 APDUs sent before the reader
 * starts: the ring fills, data waits in the window, what the window cannot
 * hold is dropped and repaired by NAKs; every APDU arrives, in order, and
 * no loss is reported.
 */
static void full_ring_loses_nothing(void)
{
	static uint8_t want[2000];
	const unsigned int count = 2000;
	struct uring r;
	int rf = receiver(&r, PGM_RING_SIZE_MIN, 256), src = source();
	struct pgm_receiver_stats rs;
	struct pgm_rx_ring_stats st;
	socklen_t len = sizeof(rs);
	unsigned int i, got = 0, losses = 0;
	struct timespec t0, t;

	for (i = 0; i < count; i++) {
		size_t n = 100 + i % 50;

		memset(want, (int)i, n);
		memcpy(want, &i, 4);
		if (send(src, want, n, 0) != (ssize_t)n) {
			FAILF("send %u: %s", i, strerror(errno));
			break;
		}
	}
	usleep(300000);
	st = ring_stats(rf);
	CHECK(st.full >= 1);
	CHECK(__atomic_load_n(&r.ctrl->flags, __ATOMIC_ACQUIRE) & PGM_RING_F_WAKEUP);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < count) {
		struct pgm_ring_rec *rec = uring_wait(&r, 500);
		size_t n = 100 + got % 50;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 90) {
			FAILF("%u of %u APDUs after 90 s", got, count);
			break;
		}
		if (!rec)
			continue;
		if (rec->type == PGM_REC_LOSS) {
			losses++;
			continue;
		}
		if (rec->type != PGM_REC_DATA) {
			FAILF("record type %u", rec->type);
			break;
		}
		memset(want, (int)got, n);
		memcpy(want, &got, 4);
		if (rec->data_len != n || memcmp(uring_payload(&r, rec), want, n)) {
			FAILF("APDU %u differs", got);
			break;
		}
		got++;
		uring_release(&r);	/* record by record: the ring refills as we go */
	}
	CHECK_EQ(got, count);
	CHECK_EQ(losses, 0);
	CHECK_OK(getsockopt(rf, SOL_PGM, PGM_RECEIVER_STATS, &rs, &len));
	CHECK_EQ(rs.losses, 0);
	st = ring_stats(rf);
	printf("    full ring: stopped %llu times; %llu outside the window, %llu NAKs, %llu RDATA\n",
	       (unsigned long long)st.full, (unsigned long long)rs.outside_window,
	       (unsigned long long)rs.naks_sent, (unsigned long long)rs.rdata_received);
	close(src);
	munmap(r.base, r.len);
	close(rf);
}

/* Send APDUs @from..@to-1 of 64 bytes. */
static void send_range(int src, unsigned int from, unsigned int to)
{
	uint8_t b[64];

	for (unsigned int i = from; i < to; i++) {
		memset(b, (int)i, sizeof(b));
		memcpy(b, &i, 4);
		if (send(src, b, sizeof(b), 0) != sizeof(b))
			FAILF("send %u: %s", i, strerror(errno));
	}
}

/* Read APDUs @from..@to-1 of 64 bytes; how many matched. */
static unsigned int read_range(struct uring *r, unsigned int from, unsigned int to)
{
	unsigned int i = from;
	uint8_t b[64];

	while (i < to) {
		struct pgm_ring_rec *rec = uring_wait(r, 3000);

		if (!rec)
			break;
		if (rec->type != PGM_REC_DATA)
			continue;
		memset(b, (int)i, sizeof(b));
		memcpy(b, &i, 4);
		if (rec->data_len != sizeof(b) || memcmp(uring_payload(r, rec), b, sizeof(b)))
			break;
		i++;
	}
	return i - from;
}

/* Wait until the kernel's producer is not @not; its value. */
static uint32_t producer_change(struct uring *r, uint32_t not)
{
	uint32_t p = not;

	for (int k = 0; k < 300 && p == not; k++) {
		usleep(10000);
		p = __atomic_load_n(&r->ctrl->producer, __ATOMIC_ACQUIRE);
	}
	return p;
}

/*
 * Garbage in every part of the mapping the application may write: a
 * consumer beyond the producer or behind the last one, producer, flags and
 * padding overwritten, the record area scribbled on.  The kernel ignores
 * it all (counting the bad consumers), keeps delivering, and once the
 * consumer is sane again everything published since is intact.
 */
static void garbage_in_ring(void)
{
	struct uring r;
	int rf = receiver(&r, 1 << 14, 0), src = source();
	struct pgm_rx_ring_stats st;
	uint32_t p1, p2, p3;

	send_range(src, 0, 20);
	CHECK_EQ(read_range(&r, 0, 20), 20);
	uring_release(&r);
	p1 = r.cons;

	/* A consumer beyond the producer: ignored, delivery goes on. */
	__atomic_store_n(&r.ctrl->consumer, p1 + 100000, __ATOMIC_RELEASE);
	send_range(src, 20, 30);
	p2 = producer_change(&r, p1);
	CHECK(p2 != p1);
	/* And one behind the last valid one. */
	__atomic_store_n(&r.ctrl->consumer, p1 - 64, __ATOMIC_RELEASE);
	send_range(src, 30, 40);
	usleep(200000);
	p2 = __atomic_load_n(&r.ctrl->producer, __ATOMIC_ACQUIRE);

	/* Everything else scribbled over, the unread records too. */
	memset(r.data, 0xaa, r.size);
	r.ctrl->producer = 12345;
	r.ctrl->flags = ~0u;
	memset(r.ctrl->__pad0, 0xff, sizeof(r.ctrl->__pad0));
	memset(r.ctrl->__pad1, 0xff, sizeof(r.ctrl->__pad1));
	memset(r.ctrl->__pad2, 0xff, sizeof(r.ctrl->__pad2));
	__atomic_store_n(&r.ctrl->consumer, p2 + 0x80000000u, __ATOMIC_RELEASE);
	send_range(src, 40, 50);
	p3 = producer_change(&r, 12345);
	CHECK(p3 != 12345);
	CHECK((uint32_t)(p3 - p2) > 0 && (uint32_t)(p3 - p2) <= r.size);

	/* Sane again: the records from p2 on are the kernel's, intact. */
	__atomic_store_n(&r.ctrl->consumer, p2, __ATOMIC_RELEASE);
	r.cons = r.done = p2;
	CHECK_EQ(read_range(&r, 40, 50), 10);
	uring_release(&r);
	send_range(src, 50, 200);
	CHECK_EQ(read_range(&r, 50, 200), 150);
	uring_release(&r);

	st = ring_stats(rf);
	/*
	 * p1 + 100000 and p2 + 2^31 at least; p1 - 64 may be valid to the
	 * kernel (it need not have seen p1 yet).
	 */
	CHECK(st.bad_consumer >= 2);
	printf("    garbage: %llu bad consumer indices ignored\n",
	       (unsigned long long)st.bad_consumer);
	close(src);
	munmap(r.base, r.len);
	close(rf);
}

/*
 * close() with the ring mapped: the mapping keeps the socket (and so the
 * module) alive and delivering; munmap() then releases both.  The other
 * order, and an exit with both open, in a child.
 */
static void close_while_mapped(void)
{
	long base = wait_refcnt(0, 3000);
	struct uring r;
	int rf = receiver(&r, 1 << 14, 0), src = source(), status;
	uint32_t p;
	pid_t pid;

	send_range(src, 0, 5);
	CHECK_EQ(read_range(&r, 0, 5), 5);
	uring_release(&r);
	p = __atomic_load_n(&r.ctrl->producer, __ATOMIC_ACQUIRE);
	close(rf);
	/* Still mapped, still receiving. */
	send_range(src, 5, 10);
	CHECK(producer_change(&r, p) != p);
	CHECK(module_refcnt() > base);
	munmap(r.base, r.len);
	close(src);
	CHECK_EQ(wait_refcnt(base, 3000), base);

	/* munmap first, then close. */
	rf = receiver(&r, 1 << 14, 0);
	munmap(r.base, r.len);
	close(rf);
	CHECK_EQ(wait_refcnt(base, 3000), base);

	/* A process that exits with the ring mapped and the socket open. */
	pid = fork();
	if (pid == 0) {
		struct uring cr;
		int cs;

		receiver(&cr, 1 << 14, 0);
		cs = source();

		send_range(cs, 0, 5);
		_exit(read_range(&cr, 0, 5) == 5 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(wait_refcnt(base, 3000), base);
}

/* poll(): quiet on an empty ring, POLLIN once a record is published. */
static void poll_ring(void)
{
	struct uring r;
	int rf = receiver(&r, 1 << 14, 0), src = source();
	struct pollfd p = { .fd = rf, .events = POLLIN };
	struct pgm_ring_rec *rec;

	CHECK_EQ(poll(&p, 1, 200), 0);
	send_range(src, 0, 1);
	CHECK_EQ(poll(&p, 1, 3000), 1);
	CHECK(p.revents & POLLIN);
	rec = uring_next(&r);
	CHECK(rec && rec->type == PGM_REC_DATA);
	uring_release(&r);
	p.revents = 0;
	CHECK_EQ(poll(&p, 1, 200), 0);
	close(src);
	munmap(r.base, r.len);
	close(rf);
}

static int set_wake(int fd, uint32_t usecs, uint32_t bytes)
{
	struct pgm_rx_ring_wake w = { .usecs = usecs, .bytes = bytes };

	return setsockopt(fd, SOL_PGM, PGM_RX_RING_WAKE, &w, sizeof(w));
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* PGM_RX_RING_WAKE: the option's contract. */
static void wake_options(void)
{
	struct pgm_rx_ring req = { .size = 1 << 16 };
	struct pgm_rx_ring_wake w = { 1, 1 };
	socklen_t len = sizeof(w);
	int fd = pgm_socket();

	/* No ring: nothing to coalesce. */
	CHECK_ERR(set_wake(fd, 100, 0), EINVAL);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_RX_RING_WAKE, &w, &len));
	CHECK_EQ(w.usecs, 0);
	CHECK_EQ(w.bytes, 0);
	CHECK_OK(setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)));
	CHECK_ERR(set_wake(fd, PGM_RING_WAKE_USECS_MAX + 1, 0), EINVAL);
	CHECK_ERR(set_wake(fd, 100, (1 << 16) + 1), EINVAL);
	CHECK_ERR(setsockopt(fd, SOL_PGM, PGM_RX_RING_WAKE, &w, 4), EINVAL);
	CHECK_OK(set_wake(fd, PGM_RING_WAKE_USECS_MAX, 1 << 16));
	len = sizeof(w);
	CHECK_OK(getsockopt(fd, SOL_PGM, PGM_RX_RING_WAKE, &w, &len));
	CHECK_EQ(w.usecs, PGM_RING_WAKE_USECS_MAX);
	CHECK_EQ(w.bytes, 1 << 16);
	CHECK_OK(set_wake(fd, 0, 0));
	close(fd);
}

/*
 * Wake-ups go only to a reader that waits (ring.c, pgm_ring_waited()):
 * records published while nobody is on the socket's wait queue cost no
 * wake-up and no timer, and are counted in @unwoken.  A socket in an epoll
 * set has a waiter for as long as it is there, as an application's event
 * loop does: then, without the option, one wake-up per packet; with it one
 * per wait (the wait is @usecs long at least, so at most one per @usecs of
 * the run, plus the last); with a byte threshold at once every few
 * records.  A reader asleep in poll() is woken by the timer (no lost
 * wake-up); closing with the timer queued is clean.
 */
static void wake_coalescing(void)
{
	struct pgm_rx_ring_stats before, after;
	struct epoll_event ev = { .events = EPOLLIN };
	struct pollfd p = { .events = POLLIN };
	struct uring r;
	int rf = receiver(&r, 1 << 16, 0), src = source(), status, ep;
	unsigned long wakes;
	double t0, ms;
	pid_t pid;

	/* Nobody waits: the records are published, nobody is woken. */
	before = ring_stats(rf);
	send_range(src, 0, 20);
	after = ring_stats(rf);
	CHECK_EQ(after.records - before.records, 20);
	CHECK_EQ(after.wakeups - before.wakeups, 0);
	CHECK_EQ(after.unwoken - before.unwoken, 20);
	CHECK_EQ(read_range(&r, 0, 20), 20);
	uring_release(&r);

	/* In an epoll set, at once (the default): a wake-up per packet. */
	ep = epoll_create1(0);
	CHECK(ep >= 0);
	ev.data.fd = rf;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, rf, &ev));
	before = ring_stats(rf);
	send_range(src, 20, 40);
	CHECK_EQ(read_range(&r, 20, 40), 20);
	uring_release(&r);
	after = ring_stats(rf);
	CHECK_EQ(after.records - before.records, 20);
	CHECK_EQ(after.wakeups - before.wakeups, 20);
	CHECK_EQ(after.unwoken - before.unwoken, 0);

	/* 100 ms: one wake-up per 100 ms of sending at most, plus the last. */
	CHECK_OK(set_wake(rf, 100000, 0));
	before = ring_stats(rf);
	t0 = now_ms();
	send_range(src, 40, 60);
	ms = now_ms() - t0;
	CHECK_EQ(read_range(&r, 40, 60), 20);
	uring_release(&r);
	usleep(250000);		/* the last wait ends */
	after = ring_stats(rf);
	wakes = after.wakeups - before.wakeups;
	printf("    20 packets in %.1f ms: %lu wake-ups coalesced\n", ms, wakes);
	CHECK_EQ(after.records - before.records, 20);
	CHECK(wakes >= 1);
	CHECK(wakes <= (unsigned long)(ms / 100) + 2);

	/*
	 * A byte threshold of two 64-byte records: each wake-up covers two
	 * records at most, whatever the timer does.
	 */
	CHECK_OK(set_wake(rf, 100000, 2 * ((sizeof(struct pgm_ring_rec) + 64 + 7) & ~7u)));
	before = ring_stats(rf);
	send_range(src, 60, 70);
	after = ring_stats(rf);
	CHECK(after.wakeups - before.wakeups >= 4);
	CHECK_EQ(read_range(&r, 60, 70), 10);
	uring_release(&r);
	close(ep);

	/* Out of the epoll set: nobody waits, the timer is not armed. */
	before = ring_stats(rf);
	send_range(src, 70, 80);
	usleep(250000);
	after = ring_stats(rf);
	CHECK_EQ(after.wakeups - before.wakeups, 0);
	CHECK_EQ(after.unwoken - before.unwoken, 10);
	CHECK_EQ(read_range(&r, 70, 80), 10);
	uring_release(&r);

	/* Asleep in poll() when the record comes: the timer wakes it. */
	CHECK_OK(set_wake(rf, 50000, 0));
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		send_range(src, 80, 81);
		_exit(0);
	}
	p.fd = rf;
	t0 = now_ms();
	CHECK_EQ(poll(&p, 1, 5000), 1);
	printf("    woken %.1f ms after the poll began (the record came at 200 ms)\n",
	       now_ms() - t0);
	CHECK(p.revents & POLLIN);
	CHECK_EQ(read_range(&r, 80, 81), 1);
	uring_release(&r);
	waitpid(pid, &status, 0);

	/* Closed and unmapped with the wake-up still waiting (a waiter: epoll). */
	CHECK_OK(set_wake(rf, PGM_RING_WAKE_USECS_MAX, 0));
	ep = epoll_create1(0);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, rf, &ev));
	send_range(src, 81, 82);
	close(ep);
	munmap(r.base, r.len);
	close(rf);
	close(src);
}

int main(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	if (netns_private_dummy()) {
		perror("netns");
		return 1;
	}
	ifindex = if_nametoindex("dummy0");
	RUN(ring_options);
	RUN(poll_ring);
	RUN(ring_equals_recvmsg);
	RUN(full_ring_loses_nothing);
	RUN(garbage_in_ring);
	RUN(close_while_mapped);
	RUN(wake_options);
	RUN(wake_coalescing);
	return summary("ring_test");
}
