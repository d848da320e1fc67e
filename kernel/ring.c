// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the mmap receive ring (PGM_RX_RING): a byte ring of
 * variable-length records shared with the application.  The layout and the
 * memory-ordering protocol are documented in the uapi header.
 *
 * The ring is created by setsockopt before bind() and lives until the
 * socket is released; a mapping holds a reference to the socket's file, so
 * the socket (and the ring) outlive close() until munmap().  Nothing of a
 * mapping refers to module code (no vm_ops), so a mapped socket keeps the
 * module busy like any open socket, and the module unloads once it is
 * gone.
 *
 * Memory: the ring is the application's memory as much as a buffer it
 * mapped itself, so it is charged to its memory cgroup (GFP_KERNEL_ACCOUNT)
 * and a ring past the cgroup's limit fails with ENOMEM instead of waking
 * its OOM killer.  vmalloc_user() cannot charge, so the ring is __vmalloc()ed
 * and mmap() inserts its pages one by one.
 *
 * Locking: everything but creation is done by the receiver under its
 * rcv->lock (receiver.c).  @prod and @blocked are also read locklessly by
 * poll() (READ_ONCE; a stale value only costs a wasted lock round trip or
 * a later wake-up).  The kernel never trusts the mapping: it keeps its own
 * producer, reads only the consumer index and checks it against what it
 * knows (pgm_ring_free).
 *
 * Memory ordering.  Each barrier has a label, and the same label stands at
 * the place it pairs with, here and in the readers (Tests/kernel/ringlib.h,
 * Sources/CPGM/cmsg.c for Sources/PGM/Ring.swift):
 *
 *   (A) pgm_ring_commit(): the record's bytes, then smp_store_release() of
 *       ctrl->producer.  Pairs with (B): a reader that load-acquires the
 *       producer sees every record below it whole.
 *   (B) reader: load-acquire of ctrl->producer before it reads records.
 *   (C) reader: it is done with the records (payload views too), then
 *       store-release of ctrl->consumer.  Pairs with (D).
 *   (D) pgm_ring_free(): smp_load_acquire() of ctrl->consumer before
 *       pgm_ring_reserve() hands out the bytes below it to be written
 *       again: the reader's loads of them came first.
 *   (E) pgm_ring_reserve() on a full ring: ctrl->flags gets
 *       PGM_RING_F_WAKEUP, smp_mb(), then the consumer is read again (D).
 *       Pairs with (F): either the kernel sees the space the reader just
 *       released, or the reader sees the flag and calls poll(), which moves
 *       the waiting data in.  Neither side can miss both.
 *   (F) reader: store-release of ctrl->consumer (C), a full fence, then a
 *       load of ctrl->flags.
 *   (G) pgm_ring_create(): smp_store_release() of pgm_sock.ring once the
 *       ring is initialised.  Pairs with (H).
 *   (H) smp_load_acquire() of pgm_sock.ring by the lockless users: mmap()
 *       (pgm_ring_mmap), poll() (pgm_poll) and getsockopt(PGM_RX_RING).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <net/sock.h>

#include "pgm.h"

/*
 * The coalesced wake-up (PGM_RX_RING_WAKE): a soft hrtimer armed by
 * pgm_ring_wake() under the receiver's lock, cancelled by pgm_ring_stop()
 * before the receiver goes.  Runs in softirq, where that lock (taken with
 * spin_lock_bh elsewhere) needs no _bh.
 */
static enum hrtimer_restart pgm_ring_timer(struct hrtimer *t)
{
	struct pgm_ring *r = container_of(t, struct pgm_ring, timer);

	spin_lock(r->lock);
	if (r->wake) {
		r->wake = false;
		r->announced = r->prod;
		/* A reader that came back by itself meanwhile reads on. */
		if (pgm_ring_waited(r)) {
			r->st.wakeups++;
			r->sk->sk_data_ready(r->sk);
		} else {
			r->st.unwoken++;
		}
	}
	spin_unlock(r->lock);
	return HRTIMER_NORESTART;
}

/**
 * pgm_ring_waited - does anyone wait to be told of new records?
 * @r: the ring, its receiver's lock held, its records published
 *
 * A poll() or epoll on the socket's wait queue, or O_ASYNC.  Pairs with
 * the barrier of sock_poll_wait(): a reader queues itself, then looks at
 * the producer index (pgm_poll); the ring publishes the producer index,
 * then looks at the queue here (skwq_has_sleeper()'s smp_mb()).  Either
 * the reader sees the records or it is seen, so none sleeps on records
 * it was not told of.
 *
 * Return: true when sk_data_ready() would wake someone.
 */
bool pgm_ring_waited(struct pgm_ring *r)
{
	struct sock *sk = r->sk;
	bool waits;

	lockdep_assert_held(r->lock);
	if (sock_flag(sk, SOCK_FASYNC))
		return true;
	rcu_read_lock();
	waits = skwq_has_sleeper(rcu_dereference(sk->sk_wq));
	rcu_read_unlock();
	return waits;
}

/**
 * pgm_ring_create - setsockopt(PGM_RX_RING): create the socket's ring
 * @sk: the socket, unlocked
 * @optval: a struct pgm_rx_ring
 * @optlen: its length
 *
 * Return: 0, or -EINVAL, -EFAULT, -ENOMEM, -EBUSY (a ring already),
 * -EOPNOTSUPP (PGM_ABORT_ON_LOSS set).
 */
int pgm_ring_create(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct pgm_sock *ps = pgm_sk(sk);
	struct pgm_rx_ring req;
	struct pgm_ring *r;
	int err = 0;

	if (optlen < sizeof(req))
		return -EINVAL;
	if (copy_from_sockptr(&req, optval, sizeof(req)))
		return -EFAULT;
	if (req.flags || !is_power_of_2(req.size) || req.size < PGM_RING_SIZE_MIN ||
	    req.size > PGM_RING_SIZE_MAX)
		return -EINVAL;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->size = req.size;
	r->data_off = PAGE_SIZE;
	r->mem = __vmalloc(r->data_off + r->size, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
			   __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!r->mem) {
		kfree(r);
		return -ENOMEM;
	}
	r->ctrl = r->mem;
	r->data = (u8 *)r->mem + r->data_off;
	r->ctrl->size = r->size;
	/* An AF_INET6 socket's records carry the IPv6 source (uapi header). */
	r->hdr = sk->sk_family == AF_INET6 ? sizeof(struct pgm_ring_rec6) :
					     sizeof(struct pgm_ring_rec);
	r->ctrl->rec_hdr = r->hdr;
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	r->timer.function = pgm_ring_timer;

	lock_sock(sk);
	if (ps->ring)
		err = -EBUSY;
	else if (ps->role != PGM_ROLE_NONE)
		err = -EINVAL;	/* the receiver takes the ring when it starts */
	else if (ps->abort_on_loss)
		err = -EOPNOTSUPP;	/* loss is a record in the ring, not a reset */
	else
		smp_store_release(&ps->ring, r);	/* (G): pairs with (H) */
	release_sock(sk);
	if (err)
		pgm_ring_destroy(r);
	return err;
}

/**
 * pgm_ring_set_wake - setsockopt(PGM_RX_RING_WAKE): coalesce wake-ups
 * @sk: the socket, unlocked
 * @optval: a struct pgm_rx_ring_wake
 * @optlen: its length
 *
 * Any time once the ring exists; the receiver reads the values locklessly
 * (READ_ONCE), so a change applies from the next wake-up on.
 *
 * Return: 0, or -EINVAL (no ring, short, out of range), -EFAULT.
 */
int pgm_ring_set_wake(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct pgm_ring *r = smp_load_acquire(&pgm_sk(sk)->ring);	/* (H) */
	struct pgm_rx_ring_wake w;

	if (!r || optlen < sizeof(w))
		return -EINVAL;
	if (copy_from_sockptr(&w, optval, sizeof(w)))
		return -EFAULT;
	if (w.usecs > PGM_RING_WAKE_USECS_MAX || w.bytes > r->size)
		return -EINVAL;
	WRITE_ONCE(r->wake_bytes, w.bytes);
	WRITE_ONCE(r->wake_ns, w.usecs * NSEC_PER_USEC);
	return 0;
}

/**
 * pgm_ring_get_wake - getsockopt(PGM_RX_RING_WAKE)
 * @r: the ring, or NULL (all zero)
 * @w: filled in
 */
void pgm_ring_get_wake(struct pgm_ring *r, struct pgm_rx_ring_wake *w)
{
	memset(w, 0, sizeof(*w));
	if (!r)
		return;
	w->usecs = READ_ONCE(r->wake_ns) / NSEC_PER_USEC;
	w->bytes = READ_ONCE(r->wake_bytes);
}

/**
 * pgm_ring_stop - the receiver is going: no coalesced wake-up after this
 * @r: the ring, or NULL; its receiver dead (nothing arms the timer again)
 *
 * Process context: waits for a running timer.
 */
void pgm_ring_stop(struct pgm_ring *r)
{
	if (r)
		hrtimer_cancel(&r->timer);
}

/**
 * pgm_ring_destroy - free a ring once nothing maps it
 * @r: the ring, or NULL
 */
void pgm_ring_destroy(struct pgm_ring *r)
{
	if (!r)
		return;
	hrtimer_cancel(&r->timer);	/* never armed without a receiver: cheap */
	vfree(r->mem);
	kfree(r);
}

/**
 * pgm_ring_geometry - getsockopt(PGM_RX_RING): where the ring's parts are
 * @r: the ring, or NULL (all zero)
 * @g: filled in
 */
void pgm_ring_geometry(struct pgm_ring *r, struct pgm_rx_ring *g)
{
	memset(g, 0, sizeof(*g));
	if (!r)
		return;
	g->size = r->size;
	g->data_offset = r->data_off;
	g->mmap_len = r->data_off + r->size;
}

/**
 * pgm_ring_mmap - mmap(fd, len, ..., 0): the control page and the records
 * @file: the socket's file
 * @sock: the socket
 * @vma: the mapping
 *
 * The pages are the ring's vmalloc pages, inserted one by one (each
 * mapping holds a reference to each page; the ring outlives every
 * mapping, which holds the socket's file), never expanded and left out of
 * core dumps.
 *
 * Return: 0, -EINVAL without a ring or past its end, or what
 * vm_insert_page() says.
 */
int pgm_ring_mmap(struct file *file, struct socket *sock, struct vm_area_struct *vma)
{
	struct pgm_ring *r = smp_load_acquire(&pgm_sk(sock->sk)->ring);	/* (H) */
	unsigned long len = vma->vm_end - vma->vm_start, off;
	int err;

	if (!r)
		return -EINVAL;
	if (vma->vm_pgoff || len > (unsigned long)r->data_off + r->size)
		return -EINVAL;
	pgm_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (off = 0; off < len; off += PAGE_SIZE) {
		err = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page((u8 *)r->mem + off));
		if (err)
			return err;	/* mmap() unmaps what was inserted */
	}
	return 0;
}

/*
 * Bytes free in the ring.  The consumer index is the application's: one
 * outside [the last valid one, producer] is ignored and counted, so
 * garbage can only make the ring look full, never make the kernel
 * overwrite unread records or step outside the ring.
 */
static u32 pgm_ring_free(struct pgm_ring *r)
{
	u32 c;

	lockdep_assert_held(r->lock);
	c = smp_load_acquire(&r->ctrl->consumer);	/* (D): pairs with (C) */
	if (c != r->cons) {
		if ((u32)(c - r->cons) <= (u32)(r->prod - r->cons)) {
			r->cons = c;
		} else if (c != r->bad_seen || !r->bad_valid) {
			r->st.bad_consumer++;
			r->bad_seen = c;
			r->bad_valid = true;
		}
	}
	return r->size - (r->prod - r->cons);
}

/**
 * pgm_ring_reserve - room for a record in the ring
 * @r: the ring, its receiver's lock held
 * @len: the record's bytes, header included: a multiple of
 *	PGM_RING_ALIGN, at most half the ring
 *
 * A PAD record fills the end of the data area when the record does not
 * fit there.  When the ring is full, PGM_RING_F_WAKEUP is set for the
 * application.
 *
 * Return: the record's header, contiguous, zeroed but for its length;
 * NULL when the ring is full.
 */
struct pgm_ring_rec *pgm_ring_reserve(struct pgm_ring *r, u32 len)
{
	u32 off = r->prod & (r->size - 1);
	u32 tail = r->size - off;
	u32 need = len > tail ? tail + len : len;
	struct pgm_ring_rec *rec;

	lockdep_assert_held(r->lock);
	if (pgm_ring_free(r) < need) {
		/* Tell the application, then look again (see the uapi header). */
		WRITE_ONCE(r->ctrl->flags, PGM_RING_F_WAKEUP);
		r->flagged = true;
		smp_mb();	/* (E): pairs with (F) */
		if (pgm_ring_free(r) < need) {
			if (!r->blocked)
				r->st.full++;
			WRITE_ONCE(r->blocked, true);
			return NULL;
		}
	}
	WRITE_ONCE(r->blocked, false);
	if (r->flagged) {
		r->flagged = false;
		WRITE_ONCE(r->ctrl->flags, 0);
	}
	if (len > tail) {
		rec = (struct pgm_ring_rec *)(r->data + off);
		rec->len = tail;
		rec->type = PGM_REC_PAD;
		WRITE_ONCE(r->prod, r->prod + tail);
		off = 0;
	}
	rec = (struct pgm_ring_rec *)(r->data + off);
	memset(rec, 0, r->hdr);
	rec->len = len;
	return rec;
}

/**
 * pgm_ring_commit - publish the record pgm_ring_reserve() gave
 * @r: the ring, its receiver's lock held
 * @rec: the record, its fields filled
 */
void pgm_ring_commit(struct pgm_ring *r, struct pgm_ring_rec *rec)
{
	lockdep_assert_held(r->lock);
	WRITE_ONCE(r->prod, r->prod + rec->len);
	smp_store_release(&r->ctrl->producer, r->prod);	/* (A): pairs with (B) */
	r->st.records++;
	r->wake = true;
}

/**
 * pgm_ring_readable - does the application have records to read?
 * @r: the ring; lockless, for poll()
 *
 * Return: true when its consumer index is not the producer's.
 */
bool pgm_ring_readable(struct pgm_ring *r)
{
	return READ_ONCE(r->prod) != READ_ONCE(r->ctrl->consumer);
}
