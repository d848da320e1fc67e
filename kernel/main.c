// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module and per-network-namespace setup of PGM (RFC 3208).
 *
 * Registers the socket types (AF_INET and AF_INET6, SOCK_RDM, IPPROTO_PGM)
 * and the IP and IPv6 protocol 113 handlers (the IPv6 ones in ipv6.c), and
 * keeps per-netns state: counters, the socket
 * list and port hash, and the defaults new sockets take.
 *
 * Unload: a module reference is held by every socket (through proto.owner
 * and proto_ops.owner) and by every netlink dump in progress (through the
 * family's module), so exit runs only when no socket is left; it
 * unregisters the socket types and handlers, waits for softirq readers (synchronize_net),
 * unregisters the netlink family (which waits for running requests) and
 * then frees the per-netns state.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/protocol.h>
#include <net/net_namespace.h>

#include "pgm.h"
#include "fec.h"

unsigned int pgm_net_id __read_mostly;

static int __net_init pgm_net_init(struct net *net)
{
	struct pgm_net *pn = pgm_pernet(net);

	pn->mib = alloc_percpu(struct pgm_mib);
	if (!pn->mib)
		return -ENOMEM;
	/* Charged to the memory cgroup of whoever makes the netns. */
	pn->ports = kcalloc(PGM_PORT_HASH_SIZE, sizeof(*pn->ports), GFP_KERNEL_ACCOUNT);
	if (!pn->ports) {
		free_percpu(pn->mib);
		return -ENOMEM;
	}
	spin_lock_init(&pn->lock);
	INIT_HLIST_HEAD(&pn->sockets);
	pn->nsockets = 0;
	pn->gen = 0;
	atomic_set(&pn->peer_gen, 0);
	atomic_set(&pn->rx_sessions_used, 0);
	atomic_long_set(&pn->rx_mem_used, 0);
	atomic_set(&pn->confirm_used, 0);
	pgm_netns_default_params(pn);
	pgm_udp_net_init(pn);
	pgm_policy_net_init(pn);
	if (pgm_sysctl_register(net, pn)) {
		pgm_policy_net_exit(pn);
		kfree(pn->ports);
		free_percpu(pn->mib);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit pgm_net_exit(struct net *net)
{
	struct pgm_net *pn = pgm_pernet(net);
	unsigned int i;

	/* Sockets hold a netns reference, so none can be left here. */
	WARN_ON_ONCE(!hlist_empty(&pn->sockets));
	for (i = 0; i < PGM_PORT_HASH_SIZE; i++)
		WARN_ON_ONCE(!hlist_empty(&pn->ports[i]));
	WARN_ON_ONCE(atomic_read(&pn->rx_sessions_used) ||
		     atomic_long_read(&pn->rx_mem_used) ||
		     atomic_read(&pn->confirm_used));
	pgm_ne_net_exit(pn);
	pgm_sysctl_unregister(pn);
	pgm_udp_net_exit(pn);
	pgm_policy_net_exit(pn);
	/* Read by the input path like @mib, and freed with it. */
	kfree(pn->ports);
	free_percpu(pn->mib);
}

static struct pernet_operations pgm_net_ops = {
	.init	= pgm_net_init,
	.exit	= pgm_net_exit,
	.id	= &pgm_net_id,
	.size	= sizeof(struct pgm_net),
};

static const struct net_protocol pgm_protocol = {
	.handler	= pgm_rcv,
	.err_handler	= pgm_err,
	.no_policy	= 1,
};

static struct inet_protosw pgm_protosw = {
	.type		= SOCK_RDM,
	.protocol	= IPPROTO_PGM,
	.prot		= &pgm_prot,
	.ops		= &pgm_ops,
};

static int __init pgm_init(void)
{
	int err;

	pgm_fec_init();
	err = proto_register(&pgm_prot, 1);
	if (err)
		return err;
	err = register_pernet_subsys(&pgm_net_ops);
	if (err)
		goto out_proto;
	/* The family before any socket: sockets send its events. */
	err = pgm_nl_register();
	if (err)
		goto out_pernet;
	err = inet_add_protocol(&pgm_protocol, IPPROTO_PGM);
	if (err) {
		pr_err("pgm: IP protocol %d is taken\n", IPPROTO_PGM);
		goto out_nl;
	}
	err = pgm6_init();
	if (err)
		goto out_inet;
	/* Last: it cannot fail, and sockets can be made from here on. */
	inet_register_protosw(&pgm_protosw);
	return 0;

out_inet:
	inet_del_protocol(&pgm_protocol, IPPROTO_PGM);
	synchronize_net();
out_nl:
	pgm_nl_unregister();
out_pernet:
	unregister_pernet_subsys(&pgm_net_ops);
out_proto:
	proto_unregister(&pgm_prot);
	return err;
}

static void __exit pgm_exit(void)
{
	inet_unregister_protosw(&pgm_protosw);
	pgm6_exit();
	inet_del_protocol(&pgm_protocol, IPPROTO_PGM);
	/* inet_del_protocol waits for readers; be explicit about softirq. */
	synchronize_net();
	/* No socket is left to send events; waits for running requests. */
	pgm_nl_unregister();
	unregister_pernet_subsys(&pgm_net_ops);
	proto_unregister(&pgm_prot);
	/* Sessions are freed after a grace period (call_rcu, kfree_rcu). */
	rcu_barrier();
}

module_init(pgm_init);
module_exit(pgm_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PGM (RFC 3208) reliable multicast transport");
/*
 * "net-pf-2-proto-113-type-4": socket(AF_INET, SOCK_RDM, IPPROTO_PGM) loads
 * us.  Literal numbers: SOCK_RDM is an enum, which __stringify cannot expand.
 */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, 113, 4);
/* "net-pf-10-proto-113-type-4": the same for AF_INET6. */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET6, 113, 4);
/* The project's version, from the build (kernel/Kbuild): modinfo shows it. */
#ifdef PGM_VERSION
MODULE_VERSION(PGM_VERSION);
#endif
