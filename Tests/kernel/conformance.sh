#!/usr/bin/env bash
# Tests/kernel/conformance.sh - the RFC 3208 conformance scenarios against
# pgm.ko, run inside the VM:
#   scripts/vm --kernel K -- Tests/kernel/conformance.sh [PGM-CONFORM ARGS] [PATH...]
# The socket under test lives in namespace pgm-iut (10.77.0.1); the simulated
# peers (10.77.0.2-4) inject and capture raw IP protocol 113 packets from
# pgm-peer, at the other end of a veth pair.  Results go to
# $PGM_VM_OUT/conformance.json (build/vm/KVER/ on the host).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PGM_SWIFT_BIN:-$top/.build/debug}
out=${PGM_VM_OUT:-/tmp}

cleanup() {
	ip netns del pgm-iut 2>/dev/null || true
	ip netns del pgm-peer 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add pgm-iut
ip netns add pgm-peer
ip link add veth-iut netns pgm-iut type veth peer name veth-peer netns pgm-peer
ip -n pgm-iut link set lo up
ip -n pgm-peer link set lo up
ip -n pgm-iut addr add 10.77.0.1/24 dev veth-iut
for a in 10.77.0.2 10.77.0.3 10.77.0.4; do
	ip -n pgm-peer addr add $a/24 dev veth-peer
done
ip -n pgm-iut link set veth-iut up
ip -n pgm-peer link set veth-peer up
ip -n pgm-iut route add 224.0.0.0/4 dev veth-iut
ip -n pgm-peer route add 224.0.0.0/4 dev veth-peer

[ $# -gt 0 ] || set -- "$top/Tests/conformance"
ip netns exec pgm-iut "$bin/pgm-conform" --backend kernel --json "$out/conformance.json" "$@"
