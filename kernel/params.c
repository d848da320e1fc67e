// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - lookups in the table of tunables (params.h), the defaults it
 * gives a new netns, and the sysctls net.pgm.* of each netns: one per
 * tunable, the same values netlink's defaults-get and defaults-set read
 * and write (pn->defaults and the netns's own settings), with the same
 * checks.  Written under pn->lock; read with READ_ONCE() elsewhere.  As
 * other net.* sysctls, they are writable by CAP_NET_ADMIN over the user
 * namespace that owns the netns (net_ctl_permissions()).
 */
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "pgm.h"

/**
 * pgm_tunable_find - a tunable by number
 * @name: its option number, which is also its netlink attribute type
 *
 * Return: its row of pgm_tunables[], or NULL when no tunable has @name.
 */
const struct pgm_tunable *pgm_tunable_find(int name)
{
	const struct pgm_tunable *t;

	if (name <= 0 || name > PGM_A_DEFAULTS_MAX)
		return NULL;
	t = &pgm_tunables[name];
	return t->name ? t : NULL;
}

/**
 * pgm_sockopt_find - a tunable by socket option number
 * @name: the SOL_PGM option
 *
 * Return: as pgm_tunable_find(), and NULL for the netns's own settings,
 * which no socket has.
 */
const struct pgm_tunable *pgm_sockopt_find(int name)
{
	const struct pgm_tunable *t = pgm_tunable_find(name);

	return t && !t->netns ? t : NULL;
}

/**
 * pgm_netns_tunable - where a tunable lives in a netns
 * @pn: the netns
 * @t: the tunable
 *
 * Return: the netns's own setting, or the default its new sockets copy.
 * Written under pn->lock; read with READ_ONCE() elsewhere.
 */
u32 *pgm_netns_tunable(struct pgm_net *pn, const struct pgm_tunable *t)
{
	if (t->netns)
		return (u32 *)((u8 *)pn + t->offset);
	return pgm_param(&pn->defaults, t);
}

/**
 * pgm_netns_default_params - a new netns's defaults and settings, from the spec
 * @pn: the netns, before anything else sees it
 */
void pgm_netns_default_params(struct pgm_net *pn)
{
	const struct pgm_tunable *t;

	pgm_for_each_tunable(t)
		*pgm_netns_tunable(pn, t) = t->def;
}

/* May @t take @val beside the netns's other heartbeat bound (ihb-min <= ihb-max)? */
static bool pgm_ihb_ok(struct pgm_net *pn, const struct pgm_tunable *t, u32 val)
{
	lockdep_assert_held(&pn->lock);
	if (t->name == PGM_IHB_MIN)
		return val <= pn->defaults.ihb_max;
	if (t->name == PGM_IHB_MAX)
		return val >= pn->defaults.ihb_min;
	return true;
}

/**
 * pgm_sysctl_handler - read or write one of net.pgm.*
 * @table: the netns's row: .data the value, .extra1 its tunable, .extra2 the netns
 * @write: a write
 * @buffer: the text, in the kernel
 * @lenp: its length
 * @ppos: the file position
 *
 * A write is parsed as an unsigned integer and checked as defaults-set
 * checks it: the tunable's range, 0 where 0 means "off", and ihb-min not
 * above ihb-max.
 *
 * Context: process; takes pn->lock.
 * Return: 0, -EINVAL for a value the tunable does not accept, or
 * proc_douintvec()'s error.
 */
int pgm_sysctl_handler(PGM_CTL_TABLE *table, int write, void *buffer, size_t *lenp,
		       loff_t *ppos)
{
	const struct pgm_tunable *t = table->extra1;
	struct pgm_net *pn = table->extra2;
	u32 *where = table->data;
	u32 val = READ_ONCE(*where);
	struct ctl_table tmp = {
		.procname	= table->procname,
		.data		= &val,
		.maxlen		= sizeof(val),
		.mode		= table->mode,
	};
	int err;

	err = proc_douintvec(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (!pgm_tunable_valid(t, val))
		return -EINVAL;
	spin_lock_bh(&pn->lock);
	if (pgm_ihb_ok(pn, t, val))
		WRITE_ONCE(*where, val);
	else
		err = -EINVAL;
	spin_unlock_bh(&pn->lock);
	return err;
}

/**
 * pgm_sysctl_register - the netns's net.pgm.* sysctls
 * @net: the netns being set up
 * @pn: its state, defaults already in place
 *
 * Context: process (pernet init).
 * Return: 0 or -ENOMEM.
 */
int pgm_sysctl_register(struct net *net, struct pgm_net *pn)
{
	struct ctl_table *table;
	int i;

	table = kmemdup(pgm_sysctl_template, sizeof(pgm_sysctl_template), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < PGM_N_TUNABLES; i++) {
		table[i].data = pgm_netns_tunable(pn, table[i].extra1);
		table[i].extra2 = pn;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	pn->sysctl = register_net_sysctl_sz(net, "net/pgm", table, PGM_N_TUNABLES);
#else
	pn->sysctl = register_net_sysctl(net, "net/pgm", table);
#endif
	if (!pn->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	pn->sysctl_table = table;
	return 0;
}

/**
 * pgm_sysctl_unregister - remove the netns's net.pgm.* (pernet exit)
 * @pn: its state
 */
void pgm_sysctl_unregister(struct pgm_net *pn)
{
	unregister_net_sysctl_table(pn->sysctl);
	kfree(pn->sysctl_table);
}
