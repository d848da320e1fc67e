// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - lookups in the table of tunables (params.h) and the defaults
 * it gives a new netns.
 */
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
