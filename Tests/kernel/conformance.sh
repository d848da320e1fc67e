#!/usr/bin/env bash
# Tests/kernel/conformance.sh - the RFC 3208 conformance scenarios against
# pgm.ko, run inside the VM, over IPv4 and then over IPv6:
#   scripts/vm --kernel K -- Tests/kernel/conformance.sh [PGM-CONFORM ARGS] [PATH...]
# The socket under test lives in namespace pgm-iut (10.77.0.1, fd77::1); the
# simulated peers (10.77.0.2-4, fd77::2-4) inject and capture raw IP
# protocol 113 packets from pgm-peer, at the other end of a veth pair.  The
# IPv6 pass (pgm-conform --family 6) runs the same scenarios with every
# address mapped (10.77.0.N is fd77::N, 239.77.0.1 is ff15::ef4d:1).
# Results go to $PGM_VM_OUT/conformance.json and conformance6.json
# (build/vm/VERSION/ on the host); either pass failing fails the script,
# and both run whatever the first did.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PGM_SWIFT_BIN:-$top/.build/debug}
out=${PGM_VM_OUT:-/tmp}

# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT
netns_pair pgm-iut veth-iut 10.77.0.1 pgm-peer veth-peer 10.77.0.2
for a in 10.77.0.3 10.77.0.4; do
	ip -n pgm-peer addr add $a/24 dev veth-peer
done
# IPv6: no duplicate address detection (nodad: usable at once), and each
# side's neighbours permanent, as netns_pair makes them for IPv4, so that
# no neighbour solicitation holds back a unicast packet.
ip -n pgm-iut addr add fd77::1/64 dev veth-iut nodad
for n in 2 3 4; do
	ip -n pgm-peer addr add fd77::$n/64 dev veth-peer nodad
done
iut_mac=$(ip netns exec pgm-iut cat /sys/class/net/veth-iut/address)
peer_mac=$(ip netns exec pgm-peer cat /sys/class/net/veth-peer/address)
ip -n pgm-peer neigh replace fd77::1 lladdr "$iut_mac" dev veth-peer nud permanent
for n in 2 3 4; do
	ip -n pgm-iut neigh replace fd77::$n lladdr "$peer_mac" dev veth-iut nud permanent
done

[ $# -gt 0 ] || set -- "$top/Tests/conformance"
rc=0
rm -f "$out/conformance.json" "$out/conformance6.json"
ip netns exec pgm-iut "$bin/pgm-conform" --backend kernel --json "$out/conformance.json" "$@" || rc=1
ip netns exec pgm-iut "$bin/pgm-conform" --backend kernel --family 6 --json "$out/conformance6.json" "$@" || rc=1
exit $rc
