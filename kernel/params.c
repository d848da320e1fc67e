// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - lookups in the table of tunables (params.h) and the defaults
 * it gives a new netns.
 */
#include "pgm.h"

/* The tunable with option number (attribute type) @name, or NULL. */
const struct pgm_tunable *pgm_tunable_find(int name)
{
	const struct pgm_tunable *t;

	if (name <= 0 || name > PGM_A_DEFAULTS_MAX)
		return NULL;
	t = &pgm_tunables[name];
	return t->name ? t : NULL;
}

/* The same, for a socket option: NULL for the netns's own settings. */
const struct pgm_tunable *pgm_sockopt_find(int name)
{
	const struct pgm_tunable *t = pgm_tunable_find(name);

	return t && !t->netns ? t : NULL;
}

/*
 * Where @t lives in the netns: its own setting, or the default its new
 * sockets copy.  Written under pn->lock.
 */
u32 *pgm_netns_tunable(struct pgm_net *pn, const struct pgm_tunable *t)
{
	if (t->netns)
		return (u32 *)((u8 *)pn + t->offset);
	return pgm_param(&pn->defaults, t);
}

/* A new netns's defaults and settings; before anything else sees @pn. */
void pgm_netns_default_params(struct pgm_net *pn)
{
	const struct pgm_tunable *t;

	pgm_for_each_tunable(t)
		*pgm_netns_tunable(pn, t) = t->def;
}
