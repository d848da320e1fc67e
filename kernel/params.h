/* SPDX-License-Identifier: GPL-2.0 */
/*
 * params.h - the module's integer tunables: the socket options of
 * struct pgm_params and the netns's own settings of struct pgm_net, one
 * table (pgm_tunables[], params-gen.c) generated with struct pgm_params
 * (params-gen.h) from their spec, kernel/pgm.yaml.  setsockopt and
 * getsockopt (socket.c) and the netns defaults over netlink (netlink.c)
 * check and store values through it alike.
 */
#ifndef _PGM_PARAMS_H
#define _PGM_PARAMS_H

#include <linux/types.h>
#include <linux/version.h>
#include <uapi/linux/pgm.h>
#include <uapi/linux/pgm_netlink.h>

#include "params-gen.h"

struct pgm_net;

/* One tunable: where it lives and what it accepts. */
struct pgm_tunable {
	u16	name;		/* SOL_PGM option = defaults attribute; 0: no tunable */
	u16	offset;		/* in struct pgm_params, or struct pgm_net if @netns */
	u32	def;		/* default of a new netns */
	u32	min, max;
	bool	zero_ok;	/* 0 = "off", even when below @min */
	bool	fixed;		/* -EISCONN once connected (or bound: socket.c) */
	bool	netns;		/* the netns's own setting, no socket option */
};

/* Indexed by option number (= attribute type); unused slots are zero. */
extern const struct pgm_tunable pgm_tunables[PGM_A_DEFAULTS_MAX + 1];

#define pgm_for_each_tunable(t)						\
	for ((t) = &pgm_tunables[1];					\
	     (t) <= &pgm_tunables[PGM_A_DEFAULTS_MAX]; (t)++)		\
		if (!(t)->name) {} else

const struct pgm_tunable *pgm_tunable_find(int name);
const struct pgm_tunable *pgm_sockopt_find(int name);

static inline bool pgm_tunable_valid(const struct pgm_tunable *t, u32 val)
{
	return (val == 0 && t->zero_ok) || (val >= t->min && val <= t->max);
}

/* A socket tunable's value in @p (@t is not a netns setting). */
static inline u32 *pgm_param(struct pgm_params *p, const struct pgm_tunable *t)
{
	return (u32 *)((u8 *)p + t->offset);
}

u32 *pgm_netns_tunable(struct pgm_net *pn, const struct pgm_tunable *t);
void pgm_netns_default_params(struct pgm_net *pn);

/*
 * The sysctls net.pgm.*: a view of the same values as defaults-get and
 * defaults-set, checked alike (params.c).  6.11 made the table of a
 * handler const.
 */
struct ctl_table;
struct ctl_table_header;
extern const struct ctl_table pgm_sysctl_template[PGM_N_TUNABLES + 1];
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define PGM_CTL_TABLE	const struct ctl_table
#else
#define PGM_CTL_TABLE	struct ctl_table
#endif
int pgm_sysctl_handler(PGM_CTL_TABLE *table, int write, void *buffer, size_t *lenp,
		       loff_t *ppos);
int pgm_sysctl_register(struct net *net, struct pgm_net *pn);
void pgm_sysctl_unregister(struct pgm_net *pn);

#endif /* _PGM_PARAMS_H */
