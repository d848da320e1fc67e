#!/usr/bin/env bash
# Tests/kernel/conformance.sh - the RFC 3208 conformance scenarios against
# pgm.ko, run inside the VM:
#   scripts/vm --kernel K -- Tests/kernel/conformance.sh [PGM-CONFORM ARGS] [PATH...]
# The socket under test lives in namespace pgm-iut (10.77.0.1); the simulated
# peers (10.77.0.2-4) inject and capture raw IP protocol 113 packets from
# pgm-peer, at the other end of a veth pair.  Results go to
# $PGM_VM_OUT/conformance.json (build/vm/VERSION/ on the host).
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

[ $# -gt 0 ] || set -- "$top/Tests/conformance"
ip netns exec pgm-iut "$bin/pgm-conform" --backend kernel --json "$out/conformance.json" "$@"
