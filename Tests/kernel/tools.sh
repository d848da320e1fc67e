#!/usr/bin/env bash
# Tests/kernel/tools.sh - pgm-send to pgm-recv across two namespaces, inside
# the test VM: a veth pair with netem loss on both ends (data toward the
# receiver, NAKs toward the source).  The receiver must deliver the whole
# stream (as many APDUs as sent, the same SHA-256), must have sent NAKs and
# got repairs, and must see the session end.  Prints "tools-vm: N passed,
# N failed".
#
#   tools.sh [BIN] [COUNT] [LOSS%]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/.build/debug}
count=${2:-3000}
loss=${3:-5}
out=${PGM_VM_OUT:-/tmp}/tools
mkdir -p "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }

ip netns add tsrc
ip netns add trcv
ip link add veth-s netns tsrc type veth peer name veth-r netns trcv
ip -n tsrc addr add 10.97.0.1/24 dev veth-s
ip -n trcv addr add 10.97.0.2/24 dev veth-r
for n in tsrc:veth-s trcv:veth-r; do
	ip -n ${n%%:*} link set ${n#*:} up
	ip -n ${n%%:*} link set lo up
	ip -n ${n%%:*} route add 224.0.0.0/4 dev ${n#*:}
	ip netns exec ${n%%:*} tc qdisc add dev ${n#*:} root netem loss "$loss%"
done

ip netns exec trcv "$bin/pgm-recv" --group 239.192.0.77 --port 7577 --interface 10.97.0.2 \
	--sessions 1 --timeout 40 --json >"$out/recv.json" 2>"$out/recv.err" &
rpid=$!
for _ in $(seq 100); do grep -q '"ready"' "$out/recv.json" 2>/dev/null && break; sleep 0.1; done
t0=$(date +%s.%N)
ip netns exec tsrc "$bin/pgm-send" --group 239.192.0.77 --port 7577 --interface 10.97.0.1 \
	--count "$count" --size 1000 --rate 2000000 --linger 2 --json >"$out/send.json" 2>"$out/send.err"
src=$?
wait $rpid
rcv=$?
t1=$(date +%s.%N)
printf '    send (exit %s): %s\n' "$src" "$(cat "$out/send.json" "$out/send.err")"
sed 's/^/    recv: /' "$out/recv.json" "$out/recv.err"

python3 - "$out/send.json" "$out/recv.json" "$count" <<'PY'
import json, sys
snd = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
summ = [l for l in lines if l.get("event") == "summary"][-1]
sess = summ["sessions"]
st = summ["statistics"]
ok = (len(sess) == 1 and sess[0]["tsi"] == snd["tsi"] and sess[0]["messages"] == int(sys.argv[3])
      and sess[0]["sha256"] == snd["sha256"] and sess[0]["lost"] == 0)
print(f"    {sess[0]['messages'] if sess else 0}/{sys.argv[3]} APDUs, naks sent {st['naks_sent']}, "
      f"rdata {st['rdata_received']}, end {sess[0]['end'] if sess else None}, "
      f"sha256 {'equal' if ok else 'DIFFERS'}")
sys.exit(0 if ok and st["naks_sent"] > 0 and st["rdata_received"] > 0 and sess[0]["end"] else 1)
PY
if [ $? = 0 ] && [ $src = 0 ] && [ $rcv = 0 ]; then
	ok "pgm-send to pgm-recv at $loss% loss: same SHA-256, NAKs repaired ($(echo "$t1 - $t0" | bc) s)"
else
	notok "pgm-send to pgm-recv at $loss% loss (send exit $src, recv exit $rcv)"
fi

# A receiver with nothing to hear gives up at its timeout with status 2.
ip netns exec trcv "$bin/pgm-recv" --port 7578 --interface 10.97.0.2 --count 1 --timeout 0.5 >/dev/null
if [ $? = 2 ]; then ok "pgm-recv --timeout before --count exits 2"; else notok "pgm-recv --timeout before --count exits 2"; fi

ip netns del tsrc
ip netns del trcv
echo "tools-vm: $pass passed, $fail failed"
[ $fail = 0 ]
