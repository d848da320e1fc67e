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
#                         other end's address in its neighbour table
#   netns_bridge SW NET HOST...
#                         namespace SW with bridge br0 (multicast snooping off:
#                         multicast floods), and a namespace per HOST whose eth0
#                         has NET.1, NET.2, ... (/24, in order) and the route for
#                         224.0.0.0/4, its veth peer p-HOST a port of br0 in SW;
#                         every HOST has the others' addresses as neighbours
#   netns_netem NS DEV [RULES...]
#                         DEV's root qdisc in NS: netem RULES (one word or
#                         several, e.g. "loss 5%"), or the default without RULES
#   netns_cleanup         delete every namespace made by netns_add, last first;
#                         idempotent, for `trap netns_cleanup EXIT`

netns_made=()

netns_add() {
	ip netns del "$1" 2>/dev/null || true
	ip netns add "$1" || return
	netns_made+=("$1")
	ip -n "$1" link set lo up
}

# NS DEV ADDR: DEV in NS up, with ADDR/24 and the route for 224.0.0.0/4.
netns_if_up() {
	ip -n "$1" addr add "$3/24" dev "$2" &&
		ip -n "$1" link set "$2" up &&
		ip -n "$1" route add 224.0.0.0/4 dev "$2"
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

netns_pair() {
	netns_add "$1" && netns_add "$4" &&
		ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" &&
		netns_if_up "$1" "$2" "$3" && netns_if_up "$4" "$5" "$6" &&
		netns_neigh "$1" "$2" "$6" "$4" "$5" && netns_neigh "$4" "$5" "$3" "$1" "$2"
}

netns_bridge() {
	local sw=$1 net=$2 h i=1
	shift 2
	netns_add "$sw" &&
		ip -n "$sw" link add br0 type bridge mcast_snooping 0 &&
		ip -n "$sw" link set br0 up || return
	for h in "$@"; do
		netns_add "$h" &&
			ip link add "p-$h" netns "$sw" type veth peer name eth0 netns "$h" &&
			ip -n "$sw" link set "p-$h" master br0 up &&
			netns_if_up "$h" eth0 "$net.$i" || return
		i=$((i + 1))
	done
	# Each host's MAC read once (a process each), then the pairs.
	local a b j
	local -A mac=()
	for h in "$@"; do
		mac[$h]=$(ip netns exec "$h" cat /sys/class/net/eth0/address) || return
	done
	for a in "$@"; do
		j=1
		for b in "$@"; do
			[ "$a" = "$b" ] ||
				ip -n "$a" neigh replace "$net.$j" lladdr "${mac[$b]}" dev eth0 nud permanent || return
			j=$((j + 1))
		done
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

netns_cleanup() {
	local i
	for ((i = ${#netns_made[@]} - 1; i >= 0; i--)); do
		ip netns del "${netns_made[$i]}" 2>/dev/null || true
	done
	netns_made=()
}
