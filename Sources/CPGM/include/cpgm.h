/*
 * CPGM - the C side of the Swift userland.
 *
 * Exposes the kernel's user API header (the one definition of the socket
 * API) and small helpers for the things Glibc's Swift overlay does not
 * import: CMSG_* macros and inline-only constructs.
 */
#ifndef CPGM_H
#define CPGM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "../../../kernel/include/uapi/linux/pgm.h"
#include "cpgm_insn.h"

/* CMSG_FIRSTHDR / CMSG_NXTHDR / CMSG_DATA / CMSG_SPACE / CMSG_LEN as functions. */
struct cmsghdr *cpgm_cmsg_firsthdr(struct msghdr *msg);
struct cmsghdr *cpgm_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg);
unsigned char *cpgm_cmsg_data(struct cmsghdr *cmsg);
size_t cpgm_cmsg_space(size_t len);
size_t cpgm_cmsg_len(size_t len);

/* eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK): wakes a thread waiting in poll(). */
int cpgm_eventfd(void);

/* setns(fd, CLONE_NEWNET): this thread enters the network namespace fd names. */
int cpgm_setns_net(int fd);

/*
 * The receive ring's indices with the ordering the uapi header documents:
 * the producer read with acquire; the consumer stored with release, then a
 * full fence, then the flags read (non-zero: poll() to resume delivery).
 */
uint32_t cpgm_ring_producer(const struct pgm_ring_ctrl *ctrl);
uint32_t cpgm_ring_consumer(const struct pgm_ring_ctrl *ctrl);
uint32_t cpgm_ring_release(struct pgm_ring_ctrl *ctrl, uint32_t consumer);
/* For a test double playing the kernel: publish a new producer index. */
void cpgm_ring_publish(struct pgm_ring_ctrl *ctrl, uint32_t producer);
/*
 * Spins on the producer index, with the CPU's pause hint between loads,
 * until it is not @seen or @max_loads loads have been made; the index.
 */
uint32_t cpgm_ring_spin(const struct pgm_ring_ctrl *ctrl, uint32_t seen, unsigned int max_loads);

/*
 * recvmmsg(2) of up to @n (at most 64) datagrams into @n buffers of @stride
 * bytes at @bufs, their lengths in @lens, their msg_name in @names (@n
 * names of @name_size bytes each: a struct sockaddr_pgm6 holds either
 * family's) with its length in @namelens, and msg_flags in @mflags; the
 * count, or -1 with errno.
 */
int cpgm_recvmmsg(int fd, void *bufs, size_t stride, unsigned int *lens,
		  void *names, size_t name_size, unsigned int *namelens, int *mflags,
		  unsigned int n, int flags);

/*
 * sendmmsg(2) of @n (at most 64) messages of @lens[i] bytes at
 * @bufs + i * @stride: how many went, or -1 with errno.
 */
int cpgm_sendmmsg(int fd, const void *bufs, size_t stride, const unsigned int *lens,
		  unsigned int n, int flags);

#endif /* CPGM_H */
