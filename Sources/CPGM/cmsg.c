#define _GNU_SOURCE
#include <sched.h>
#include <sys/eventfd.h>

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
