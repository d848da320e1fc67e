/* SPDX-License-Identifier: GPL-2.0 */
/* compat.h - what differs between the kernels we build for (6.1 and 6.12). */
#ifndef _PGM_COMPAT_H
#define _PGM_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * The attributes of a dump request: 6.6 moved them into a struct
 * genl_info inside struct genl_dumpit_info.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define pgm_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define pgm_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/* 6.3 made vma->vm_flags read-only and added vm_flags_set(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define pgm_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define pgm_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * Where inet6_create() finds an IPv6 socket's struct ipv6_pinfo: 6.6 added
 * struct proto's ipv6_pinfo_offset; before, it is the last
 * sizeof(struct ipv6_pinfo) bytes of the object (obj_size), which
 * struct pgm6_sock also satisfies (ipv6.c asserts it).  A member
 * initialiser of struct proto, or nothing.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define PGM_PROTO_PINFO(type, member)	.ipv6_pinfo_offset = offsetof(type, member),
#else
#define PGM_PROTO_PINFO(type, member)
#endif

/* A socket's IP_MULTICAST_LOOP off: 6.6 made it a bit of inet_flags. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define pgm_inet_no_mc_loop(sk)	inet_clear_bit(MC_LOOP, sk)
#else
#define pgm_inet_no_mc_loop(sk)	(inet_sk(sk)->mc_loop = 0)
#endif

/* The module registers an IPv6 family as well as IPv4 (ipv6.c). */
#if !IS_ENABLED(CONFIG_IPV6)
#error "pgm needs a kernel with IPv6 (CONFIG_IPV6)"
#endif

#endif /* _PGM_COMPAT_H */
