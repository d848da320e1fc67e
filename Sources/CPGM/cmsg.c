#define _GNU_SOURCE
#include <sched.h>
#include <errno.h>
#include <sys/eventfd.h>
#include <sys/uio.h>

#include <string.h>

#include "cpgm.h"

struct cmsghdr *cpgm_cmsg_firsthdr(struct msghdr *msg)
{
	return CMSG_FIRSTHDR(msg);
}

struct cmsghdr *cpgm_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg)
{
	return CMSG_NXTHDR(msg, cmsg);
}

unsigned char *cpgm_cmsg_data(struct cmsghdr *cmsg)
{
	return CMSG_DATA(cmsg);
}

size_t cpgm_cmsg_space(size_t len)
{
	return CMSG_SPACE(len);
}

size_t cpgm_cmsg_len(size_t len)
{
	return CMSG_LEN(len);
}

int cpgm_eventfd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int cpgm_setns_net(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/*
 * The reader's side of the ring's barriers for Sources/PGM/Ring.swift; the
 * labels are those of kernel/ring.c.
 */

/* (B): pairs with the kernel's (A) in pgm_ring_commit(). */
uint32_t cpgm_ring_producer(const struct pgm_ring_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->producer, __ATOMIC_ACQUIRE);
}

uint32_t cpgm_ring_consumer(const struct pgm_ring_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->consumer, __ATOMIC_ACQUIRE);
}

/*
 * (C): pairs with the kernel's (D) in pgm_ring_free(); then (F), pairs
 * with the kernel's (E) in pgm_ring_reserve().
 */
uint32_t cpgm_ring_release(struct pgm_ring_ctrl *ctrl, uint32_t consumer)
{
	__atomic_store_n(&ctrl->consumer, consumer, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&ctrl->flags, __ATOMIC_RELAXED) & PGM_RING_F_WAKEUP;
}

/* (B) in a loop: a reader that busy-polls instead of sleeping in poll(). */
uint32_t cpgm_ring_spin(const struct pgm_ring_ctrl *ctrl, uint32_t seen, unsigned int max_loads)
{
	uint32_t p = __atomic_load_n(&ctrl->producer, __ATOMIC_ACQUIRE);

	while (p == seen && max_loads--) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ __volatile__("yield");
#endif
		p = __atomic_load_n(&ctrl->producer, __ATOMIC_ACQUIRE);
	}
	return p;
}

/* The kernel's (A), for the tests' mock that plays the kernel's side. */
void cpgm_ring_publish(struct pgm_ring_ctrl *ctrl, uint32_t producer)
{
	__atomic_store_n(&ctrl->producer, producer, __ATOMIC_RELEASE);
}

int cpgm_recvmmsg(int fd, void *bufs, size_t stride, unsigned int *lens,
		  void *names, size_t name_size, unsigned int *namelens, int *mflags,
		  unsigned int n, int flags)
{
	struct mmsghdr v[64];
	struct iovec iov[64];
	unsigned int i;
	int got;

	if (n > 64) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = (char *)bufs + i * stride;
		iov[i].iov_len = stride;
		memset(&v[i], 0, sizeof(v[i]));
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_hdr.msg_name = (char *)names + i * name_size;
		v[i].msg_hdr.msg_namelen = (socklen_t)name_size;
	}
	got = recvmmsg(fd, v, n, flags, NULL);
	for (i = 0; got > 0 && i < (unsigned int)got; i++) {
		lens[i] = v[i].msg_len;
		namelens[i] = v[i].msg_hdr.msg_namelen;
		mflags[i] = v[i].msg_hdr.msg_flags;
	}
	return got;
}

int cpgm_sendmmsg(int fd, const void *bufs, size_t stride, const unsigned int *lens,
		  unsigned int n, int flags)
{
	struct mmsghdr v[64];
	struct iovec iov[64];
	unsigned int i;

	if (n > 64) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = (char *)bufs + i * stride;
		iov[i].iov_len = lens[i];
		memset(&v[i], 0, sizeof(v[i]));
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
	}
	return sendmmsg(fd, v, n, flags);
}
