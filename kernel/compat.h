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

#endif /* _PGM_COMPAT_H */
