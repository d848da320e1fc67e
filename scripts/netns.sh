# shellcheck shell=bash
# scripts/netns.sh - network namespaces for the scripts that run inside the
# test VM (scripts/*-guest, Tests/kernel/*.sh, Tests/interop/run.sh).
# Sourced, not run; only in the VM: it changes the network of the machine
# it runs on.  (The C tests attack_src.c and fuzz_kernel.c build their own,
# with jumbo MTUs and fixed MAC addresses.)
#
#   netns_add NS          namespace NS, lo up (an NS left over is deleted first)
#   netns_pair NS1 DEV1 ADDR1 NS2 DEV2 ADDR2
#                         NS1 and NS2 joined by a veth pair DEV1-DEV2, each end
#                         up with ADDR/24 and the route for 224.0.0.0/4, and the
#                         other end's address in its neighbour table (DEV1 has
#                         MAC 02:00:00:00:01:01, DEV2 02:00:00:00:01:02)
#   netns_bridge SW NET HOST...
#                         namespace SW with bridge br0 (multicast snooping off:
#                         multicast floods), and a namespace per HOST whose eth0
#                         has NET.1, NET.2, ... (/24, in order) and the route for
#                         224.0.0.0/4, its veth peer p-HOST a port of br0 in SW;
#                         every HOST has the others' addresses as neighbours
#                         (eth0 of the i-th HOST has MAC 02:00:00:00:00:i)
#   netns_netem NS DEV [RULES...]
#                         DEV's root qdisc in NS: netem RULES (one word or
#                         several, e.g. "loss 5%"), or the default without RULES
#   netns_rps_split NS DEV
#                         two machines' split on a 2-CPU guest: DEV in NS steers
#                         what it receives (RPS) to CPU 1, and the arrays pin_rx
#                         and pin_tx become taskset prefixes for CPU 1 (the
#                         receivers) and CPU 0 (the senders); fails on one CPU
#   netns_cleanup         delete every namespace made here, last first;
#                         idempotent, for `trap netns_cleanup EXIT`

netns_made=()

netns_add() {
	[ ! -e "/run/netns/$1" ] || ip netns del "$1" || return
	ip netns add "$1" || return
	netns_made+=("$1")
	ip -n "$1" link set lo up
}

# NS DEV ADDR NS2 DEV2: NS knows ADDR (DEV2's address in NS2) through DEV,
# a permanent neighbour entry.  The tests put netem loss on these links
# for PGM's sake; ARP under that loss held back a receiver's first unicast
# NAKs for whole seconds of retransmitted requests (one tools-vm run on
# 6.12: no NAK reached the source in the 1.7 s of its stream, 86 APDUs
# declared lost), which tests the neighbour table's timers, not PGM.
netns_neigh() {
	local mac
	mac=$(ip netns exec "$4" cat "/sys/class/net/$5/address") &&
		ip -n "$1" neigh replace "$3" lladdr "$mac" dev "$2" nud permanent
}

# Five ip processes: the ends get fixed MACs (02:00:00:00:01:01 in NS1,
# :02 in NS2), so the neighbour entries need no reading back, and each
# namespace is set up by one `ip -batch`.
netns_pair() {
	local ns
	for ns in "$1" "$4"; do
		[ ! -e "/run/netns/$ns" ] || ip netns del "$ns" || return
		ip netns add "$ns" || return
		netns_made+=("$ns")
	done
	ip link add "$2" netns "$1" address 02:00:00:00:01:01 type veth \
		peer name "$5" netns "$4" address 02:00:00:00:01:02 || return
	printf '%s\n' "link set lo up" "addr add $3/24 dev $2" "link set $2 up" \
		"route add 224.0.0.0/4 dev $2" \
		"neigh replace $6 lladdr 02:00:00:00:01:02 dev $2 nud permanent" | ip -n "$1" -batch - || return
	printf '%s\n' "link set lo up" "addr add $6/24 dev $5" "link set $5 up" \
		"route add 224.0.0.0/4 dev $5" \
		"neigh replace $3 lladdr 02:00:00:00:01:01 dev $5 nud permanent" | ip -n "$4" -batch -
}

netns_bridge() {
	local sw=$1 net=$2 h a b i j
	shift 2
	# A handful of ip processes in all, batched per namespace (each process
	# costs seconds on the debug kernel: 35 of them took 117 s there), and
	# fixed MACs (02:00:00:00:00:i for NET.i), so that the neighbour entries
	# need no reading back.
	for h in "$sw" "$@"; do
		[ ! -e "/run/netns/$h" ] || ip netns del "$h" || return
	done
	for h in "$sw" "$@"; do
		ip netns add "$h" || return
		netns_made+=("$h")
	done
	i=1
	for h in "$@"; do
		printf 'link add p-%s netns %s type veth peer name eth0 netns %s address 02:00:00:00:00:%02x\n' \
			"$h" "$sw" "$h" $i
		i=$((i + 1))
	done | ip -batch - || return
	{
		echo "link set lo up"
		echo "link add br0 type bridge mcast_snooping 0"
		echo "link set br0 up"
		for h in "$@"; do
			echo "link set p-$h master br0 up"
		done
	} | ip -n "$sw" -batch - || return
	i=1
	for a in "$@"; do
		{
			echo "link set lo up"
			echo "addr add $net.$i/24 dev eth0"
			echo "link set eth0 up"
			echo "route add 224.0.0.0/4 dev eth0"
			j=1
			for b in "$@"; do
				[ "$a" = "$b" ] ||
					printf 'neigh replace %s.%d lladdr 02:00:00:00:00:%02x dev eth0 nud permanent\n' "$net" $j $j
				j=$((j + 1))
			done
		} | ip -n "$a" -batch - || return
		i=$((i + 1))
	done
}

netns_netem() {
	local ns=$1 dev=$2
	shift 2
	# One tc, in the netns by -n: each process costs much on an emulated CPU.
	if [ -n "$*" ]; then
		# shellcheck disable=SC2048,SC2086	# "loss 5%" is two words to tc
		tc -n "$ns" qdisc replace dev "$dev" root netem $*
	else
		tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
	fi
}

netns_rps_split() {
	if [ "$(nproc)" -lt 2 ]; then
		echo "netns_rps_split: needs two CPUs" >&2
		return 1
	fi
	ip netns exec "$1" sh -c "echo 2 >/sys/class/net/$2/queues/rx-0/rps_cpus" || return 1
	# shellcheck disable=SC2034	# for the sourcing script
	pin_rx=(taskset -c 1) pin_tx=(taskset -c 0)
}

netns_cleanup() {
	local i
	for ((i = ${#netns_made[@]} - 1; i >= 0; i--)); do
		ip netns del "${netns_made[$i]}" 2>/dev/null || true
	done
	netns_made=()
}
