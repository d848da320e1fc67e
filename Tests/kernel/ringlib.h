/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringlib.h - the application's side of the PGM_RX_RING protocol, for the
 * in-VM tests: set up, map, read records, release them (see the uapi
 * header for the memory ordering).
 */
#ifndef PGM_TEST_RINGLIB_H
#define PGM_TEST_RINGLIB_H

#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "../../kernel/include/uapi/linux/pgm.h"

struct uring {
	int			fd;
	void			*base;
	size_t			len;
	struct pgm_ring_ctrl	*ctrl;
	uint8_t			*data;
	uint32_t		size;
	uint32_t		hdr;	/* a record's header: pgm_ring_rec or _rec6 */
	uint32_t		cons;	/* next record to read */
	uint32_t		done;	/* released up to here */
};

/* Set the ring on @fd (before bind) and map it; 0 or -1 with errno. */
static inline int uring_setup(struct uring *r, int fd, uint32_t size)
{
	struct pgm_rx_ring req = { .size = size };
	socklen_t len = sizeof(req);

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (setsockopt(fd, SOL_PGM, PGM_RX_RING, &req, sizeof(req)) ||
	    getsockopt(fd, SOL_PGM, PGM_RX_RING, &req, &len))
		return -1;
	r->base = mmap(NULL, req.mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED)
		return -1;
	r->len = req.mmap_len;
	r->ctrl = r->base;
	r->data = (uint8_t *)r->base + req.data_offset;
	r->size = req.size;
	r->hdr = r->ctrl->rec_hdr;
	r->cons = r->done = __atomic_load_n(&r->ctrl->consumer, __ATOMIC_RELAXED);
	return 0;
}

/* The next record that is not padding, or NULL when none is published. */
static inline struct pgm_ring_rec *uring_next(struct uring *r)
{
	/* (B): pairs with the kernel's (A) in pgm_ring_commit(); see kernel/ring.c. */
	uint32_t prod = __atomic_load_n(&r->ctrl->producer, __ATOMIC_ACQUIRE);

	while (r->cons != prod) {
		struct pgm_ring_rec *rec =
			(struct pgm_ring_rec *)(r->data + (r->cons & (r->size - 1)));

		r->cons += rec->len;
		if (rec->type != PGM_REC_PAD)
			return rec;
	}
	return NULL;
}

/* Give back everything read so far; poll() when the kernel asks for it. */
static inline void uring_release(struct uring *r)
{
	if (r->done == r->cons)
		return;
	r->done = r->cons;
	/* (C): pairs with the kernel's (D) in pgm_ring_free(). */
	__atomic_store_n(&r->ctrl->consumer, r->cons, __ATOMIC_RELEASE);
	/* (F): pairs with the kernel's (E) in pgm_ring_reserve(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->ctrl->flags, __ATOMIC_RELAXED) & PGM_RING_F_WAKEUP) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		poll(&p, 1, 0);
	}
}

/* Wait up to @ms for a record; the next one, or NULL. */
static inline struct pgm_ring_rec *uring_wait(struct uring *r, int ms)
{
	struct pgm_ring_rec *rec = uring_next(r);
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	if (rec)
		return rec;
	uring_release(r);
	if (poll(&p, 1, ms) <= 0)
		return NULL;
	return uring_next(r);
}

/* A record's payload: after the header of the socket's family. */
static inline void *uring_payload(const struct uring *r, struct pgm_ring_rec *rec)
{
	return (uint8_t *)rec + r->hdr;
}

#endif
