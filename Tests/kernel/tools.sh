#!/usr/bin/env bash
# Tests/kernel/tools.sh - pgm-send to pgm-recv across two namespaces, inside
# the test VM: a veth pair with netem loss on both ends (data toward the
# receiver, NAKs toward the source).  The receiver must deliver the whole
# stream (as many APDUs as sent, the same SHA-256), must have sent NAKs and
# got repairs, and must see the session end.  The tools' errors for a
# missing interface address and a missing multicast route name the cause.
# Interface names and network strings, 200 KB APDUs with pgm-recv's
# defaults (PGMCC on both sides: the source's ACKs and acker counted), its
# exit statuses at --timeout; confirmed delivery (pgm-send --confirm 2 to
# two pgm-recv --confirm, and a --confirm nobody answers).
# Then pgm-perf: a sweep at the same loss (all delivered, repairs
# counted), and without loss one with the UDP baseline (counts equal, JSON
# with ratios), one through the mmap ring with sendmmsg batches and one
# with recvmmsg (all delivered), one with FEC (parity sent and received,
# and a bad --fec refused), one with the OpenPGM baseline, and an
# OpenPGM phase that never sends its end record; and one sweep over IPv6
# at the same loss (recvmmsg, the UDP/IPv6 baseline).  Last, pgm-dump's live
# capture of a native IPv4 and a UDP-encapsulated IPv6 stream.  Prints
# "tools-vm: N passed, N failed".
#
#   tools.sh [BIN] [COUNT] [LOSS%]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/.build/debug}
count=${2:-3000}
loss=${3:-5}
out=${PGM_VM_OUT:-/tmp}/tools
mkdir -p "$out"
# shellcheck source=Tests/kernel/tap.sh
. "$top/Tests/kernel/tap.sh"

# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT
netns_pair tsrc veth-s 10.97.0.1 trcv veth-r 10.97.0.2
netns_netem tsrc veth-s loss "$loss%"
netns_netem trcv veth-r loss "$loss%"

ip netns exec trcv "$bin/pgm-recv" --group 239.192.0.77 --port 7577 --interface 10.97.0.2 \
	--sessions 1 --timeout 40 --json >"$out/recv.json" 2>"$out/recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/recv.json" 2>/dev/null && break; sleep 0.1; done
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

# A receiver with nothing to hear gives up at its timeout with status 3
# and says so on stderr (issue 17); one that heard some of --count, with 2.
err=$(ip netns exec trcv "$bin/pgm-recv" --port 7578 --interface 10.97.0.2 --count 1 --timeout 500ms 2>&1 >/dev/null)
rc=$?
printf '    pgm-recv: exit %s: %s\n' "$rc" "$err"
if [ $rc = 3 ] && printf '%s' "$err" | grep -qF "nothing arrived on 239.192.0.1:7578 within the 0.5 s timeout"; then
	ok "pgm-recv: nothing within --timeout exits 3 and says so"
else
	notok "pgm-recv: nothing within --timeout exits 3 and says so"
fi
ip netns exec trcv "$bin/pgm-recv" --port 7578 --interface 10.97.0.2 --count 10 --timeout 6s \
	>"$out/part.recv" 2>&1 &
rpid=$!
for _ in $(seq 300); do grep -q 'receiving on' "$out/part.recv" 2>/dev/null && break; sleep 0.1; done
ip netns exec tsrc "$bin/pgm-send" --port 7578 --interface 10.97.0.1 --count 5 --size 100 --linger 1 >/dev/null 2>&1
wait $rpid
rc=$?
if [ $rc = 2 ] && grep -q '5 messages' "$out/part.recv"; then
	ok "pgm-recv: 5 of --count 10 within --timeout exits 2"
else
	notok "pgm-recv: 5 of --count 10 within --timeout exits 2 (exit $rc)"; sed 's/^/    /' "$out/part.recv"
fi

# A 200 KB APDU through pgm-recv's defaults (its --max-size is
# PGM_APDU_MAX: it was 64 KiB and cut them): delivered whole, the same
# SHA-256.  The receiver names its interface (--interface veth-r), the
# sender gives an OpenPGM network string (veth-s;GROUP), both in units.
# Both take part in PGMCC (--pgmcc): the source elects the receiver its
# acker and is clocked by its ACKs; the sender's summary counts ACKs and at
# least one acker chosen, the receiver's the ACKs it sent.
ip netns exec trcv "$bin/pgm-recv" --group 239.192.0.79 --port 7580 --interface veth-r --pgmcc \
	--sessions 1 --timeout 40s --json >"$out/big.recv.json" 2>"$out/big.recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/big.recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec tsrc "$bin/pgm-send" --group 'veth-s;239.192.0.79' --port 7580 --count 3 --size 200000 \
	--rate 2M --linger 1s --pgmcc --json >"$out/big.send.json" 2>"$out/big.send.err"
src=$?
wait $rpid
rcv=$?
sed 's/^/    big recv: /' "$out/big.recv.err" "$out/big.send.err"
python3 - "$out/big.send.json" "$out/big.recv.json" <<'PY'
import json, sys
snd = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
summ = [l for l in lines if l.get("event") == "summary"][-1]
sess = summ["sessions"]
st = summ.get("statistics", {})
ss = snd.get("statistics", {})
same = (len(sess) == 1 and sess[0]["messages"] == 3 and sess[0]["bytes"] == 600000
        and sess[0]["truncated"] == 0 and sess[0]["sha256"] == snd["sha256"])
cc = (ss.get("acker_changes", 0) >= 1 and ss.get("acks_received", 0) >= 1 and ss.get("cc_window", 0) >= 65536
      and st.get("acks_sent", 0) >= 1)
ok = same and cc
print(f"    --pgmcc both sides: source acks_received {ss.get('acks_received')} acker_changes {ss.get('acker_changes')} "
      f"congestion_events {ss.get('congestion_events')} cc_timeouts {ss.get('cc_timeouts')} "
      f"window_limited {ss.get('window_limited')} cc_window {ss.get('cc_window')} cc_acker {ss.get('cc_acker')}; "
      f"receiver acks_sent {st.get('acks_sent')} acks_no_path {st.get('acks_no_path')}"
      f" acks_no_credit {st.get('acks_no_credit')}")
print(f"    200 KB APDUs: {sess[0]['messages'] if sess else 0}/3, {sess[0]['bytes'] if sess else 0} bytes, "
      f"truncated {sess[0]['truncated'] if sess else '-'}, sha256 {'equal' if same else 'DIFFERS'}")
sys.exit(0 if ok else 1)
PY
if [ $? = 0 ] && [ $src = 0 ] && [ $rcv = 0 ]; then
	ok "200 KB APDUs with pgm-recv's defaults, interface names and a network string: same SHA-256 (--pgmcc on both: the receiver elected acker, its ACKs counted at the source)"
else
	notok "200 KB APDUs with pgm-recv's defaults (send exit $src, recv exit $rcv)"
fi

# Confirmed delivery through the tools, at the same loss: two receivers
# with pgm-recv --confirm (one every 50 ms, one at the default 200 ms) and
# pgm-send --confirm 2 (with --confirm-flow and --confirm-expiry): the
# sender waits until both confirmed every APDU and says so (delivered,
# two receivers, CONFIRMED at the last sqn, the seconds after the last
# send), its counters count both joins and their ACKs, each receiver
# delivers the whole stream and counts the ACKs it sent.  Then a sender
# that waits for a receiver nobody runs gives up at its --confirm-timeout
# with status 1 and says so.
cfpids=()
for i in 1 2; do
	ivl=--confirm=50ms
	[ $i = 2 ] && ivl=--confirm
	ip netns exec trcv "$bin/pgm-recv" --group 239.192.0.80 --port 7581 --interface 10.97.0.2 $ivl \
		--sessions 1 --timeout 40s --json >"$out/cf$i.recv.json" 2>"$out/cf$i.recv.err" &
	cfpids+=("$!")
	for _ in $(seq 300); do grep -q '"ready"' "$out/cf$i.recv.json" 2>/dev/null && break; sleep 0.1; done
done
ip netns exec tsrc "$bin/pgm-send" --group 239.192.0.80 --port 7581 --interface 10.97.0.1 --count 500 --size 1000 \
	--rate 2M --linger 1s --confirm 2 --confirm-flow --confirm-expiry 3s --confirm-timeout 20s --json \
	>"$out/cf.send.json" 2>"$out/cf.send.err"
src=$?
wait "${cfpids[0]}"
rcv1=$?
wait "${cfpids[1]}"
rcv2=$?
sed 's/^/    confirm: /' "$out/cf.send.err" "$out/cf1.recv.err" "$out/cf2.recv.err"
python3 - "$out/cf.send.json" "$out/cf1.recv.json" "$out/cf2.recv.json" <<'PY'
import json, sys
snd = json.load(open(sys.argv[1]))
cf, ss = snd.get("confirm", {}), snd.get("statistics", {})
ok = (cf.get("delivered") is True and cf.get("receivers_wanted") == 2 and cf.get("receivers", 0) >= 2
      and cf.get("confirmed_sqn") is not None and cf.get("confirmed_sqn") == cf.get("last_sqn")
      and cf.get("seconds_after_last_send", -1) >= 0
      and ss.get("confirm_joins", 0) >= 2 and ss.get("confirm_acks", 0) >= 2 and ss.get("confirm_refused") == 0)
print(f"    pgm-send --confirm 2: {cf}; confirm_acks {ss.get('confirm_acks')} joins {ss.get('confirm_joins')} "
      f"leaves {ss.get('confirm_leaves')} expired {ss.get('confirm_expired')} lost {ss.get('confirm_lost')} "
      f"flow_limited {ss.get('flow_limited')}")
for f in sys.argv[2:]:
    lines = [json.loads(l) for l in open(f) if l.strip()]
    summ = [l for l in lines if l.get("event") == "summary"][-1]
    sess, st = summ["sessions"], summ["statistics"]
    got = (len(sess) == 1 and sess[0]["tsi"] == snd["tsi"] and sess[0]["messages"] == 500
           and sess[0]["sha256"] == snd["sha256"] and st.get("confirm_acks_sent", 0) >= 1)
    print(f"    receiver: {sess[0]['messages'] if sess else 0}/500 APDUs, confirm_acks_sent "
          f"{st.get('confirm_acks_sent')} confirm_no_credit {st.get('confirm_no_credit')}, "
          f"sha256 {'equal' if got else 'DIFFERS or no ACK'}")
    ok = ok and got
sys.exit(0 if ok else 1)
PY
if [ $? = 0 ] && [ $src = 0 ] && [ $rcv1 = 0 ] && [ $rcv2 = 0 ]; then
	ok "pgm-send --confirm 2 to two pgm-recv --confirm at $loss% loss: both confirmed everything before the close, streams equal"
else
	notok "pgm-send --confirm 2 to two pgm-recv --confirm (send exit $src, recv exits $rcv1 $rcv2)"
fi
err=$(ip netns exec tsrc "$bin/pgm-send" --group 239.192.0.81 --port 7582 --interface 10.97.0.1 --count 3 \
	--linger 0 --confirm 1 --confirm-timeout 1s 2>&1 >"$out/cf-none.send.txt")
rc=$?
printf '    pgm-send --confirm 1 without receivers: exit %s: %s\n' "$rc" "$err"
if [ $rc = 1 ] && printf '%s' "$err" | grep -qF "not confirmed: 1 receiver(s) did not confirm every APDU" \
	&& grep -q "confirm NOT confirmed by 1 receiver(s)" "$out/cf-none.send.txt"; then
	ok "pgm-send --confirm 1 with no confirming receiver: exit 1 at --confirm-timeout, says so"
else
	notok "pgm-send --confirm 1 with no confirming receiver (exit $rc)"
fi

# Errors name their cause and the fix, not only the errno (issue 17): an
# --interface address no interface has (a receiver's join fails with
# ENODEV, a source's bind with EADDRNOTAVAIL), and a namespace without a
# multicast route (a source's connect: ENETUNREACH; a receiver's join
# without --interface: ENODEV).
fails_with() {	# NS TEXT TOOL ARGS...: status 1 and TEXT on stderr
	local ns=$1 want=$2 tool=$3 err rc
	shift 3
	err=$(ip netns exec "$ns" "$bin/$tool" "$@" 2>&1 >/dev/null)
	rc=$?
	printf '    %s: exit %s: %s\n' "$tool" "$rc" "$err"
	[ $rc = 1 ] && printf '%s' "$err" | grep -qF -- "$want"
}
cause() {	# NAME NS TEXT TOOL ARGS...
	local name=$1
	shift
	if fails_with "$@"; then ok "$name"; else notok "$name"; fi
}
cause "pgm-recv --interface with an address no interface has says so" trcv \
	"No such device (no local interface has the address 192.0.2.99" pgm-recv --interface 192.0.2.99 --count 1 --timeout 1
cause "pgm-send --interface with an address no interface has says so" tsrc \
	"(no local interface has the address 192.0.2.99" pgm-send --interface 192.0.2.99 --count 1 --linger 0
netns_add tbare
cause "pgm-send without a multicast route says how to add one" tbare \
	"Network is unreachable (no route to 239.192.0.1:7500: give --interface ADDRESS or add a route for 224.0.0.0/4" \
	pgm-send --count 1 --linger 0
cause "pgm-recv without a multicast route says how to add one" tbare \
	"No such device (no route to 239.192.0.1:7500 to choose an interface by: give --interface ADDRESS or add a route for 224.0.0.0/4" \
	pgm-recv --count 1 --timeout 1
cause "pgm-perf send without a multicast route says how to add one" tbare \
	"(no route to 239.192.0.1:7500: give --interface ADDRESS" pgm-perf send --count 1 --quiet
# An interface named that does not exist, or has no IPv4 address.
cause "pgm-send --interface with a name no interface has says so" tsrc \
	"--interface nosuch0: No such device (no interface is named nosuch0 in this network namespace" \
	pgm-send --interface nosuch0 --count 1 --linger 0
ip -n tbare link add pgmv0 type veth peer name pgmv1
cause "pgm-recv on an interface without IPv4 says so" tbare \
	"--interface pgmv0: Cannot assign requested address (pgmv0 has no IPv4 address" \
	pgm-recv --group 'pgmv0;239.192.0.1' --count 1 --timeout 1

# pgm-perf: a sender in tsrc, the receiver in trcv.  Behaviour only (what
# was sent is what was delivered, the JSON has its fields), never timing.
# The group, port and interfaces of each run (the IPv6 run sets its own).
perf_group=239.192.0.78 perf_port=7579 perf_rif=10.97.0.2 perf_sif=10.97.0.1
perf_run() {	# NAME RECV-ARGS -- SEND-ARGS: both halves, outputs in $out/NAME.*
	local name=$1 rargs=() sargs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do rargs+=("$1"); shift; done
	shift
	sargs=("$@")
	ip netns exec trcv "$bin/pgm-perf" recv --group "$perf_group" --port "$perf_port" --interface "$perf_rif" \
		--timeout 120 --json "${rargs[@]}" >"$out/$name.recv.json" 2>"$out/$name.recv.err" &
	local rpid=$!
	for _ in $(seq 300); do grep -q 'ready' "$out/$name.recv.err" 2>/dev/null && break; sleep 0.1; done
	ip netns exec tsrc "$bin/pgm-perf" send --group "$perf_group" --port "$perf_port" --interface "$perf_sif" \
		--json "${sargs[@]}" >"$out/$name.send.json" 2>"$out/$name.send.err"
	perf_src=$?
	wait $rpid
	perf_rcv=$?
	# Anything but progress lines on stderr is worth seeing.
	grep -hv 'pgm-perf \(send: phase\|recv: [0-9.]* s\|recv: ready\)' "$out/$name.send.err" "$out/$name.recv.err" |
		sed "s/^/    $name: /"
}
perf_check() {	# NAME COUNT BASELINE: python asserts on both JSON objects
	python3 - "$out/$1.send.json" "$out/$1.recv.json" "$2" "$3" <<'PY'
import json, sys
snd, rcv = (json.load(open(p)) for p in sys.argv[1:3])
count, words = int(sys.argv[3]), sys.argv[4].split(",")
# The baseline (udp, openpgm, else none), the receive mode named in the
# JSON (recvmmsg, ring), loss (repairs expected, as with none), and
# group=G: both reports name the group G.
baseline = "udp" if "udp" in words else "openpgm" if "openpgm" in words else "none"
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)
want(snd["role"] == "send" and rcv["role"] == "recv", "roles")
want(rcv["complete"] is True and rcv["timed_out"] is False, "receiver complete, not timed out")
want(len(rcv["results"]) == len(snd["results"]) == 3, "three sizes on both sides")
naks = rdata = 0
for s, r in zip(snd["results"], rcv["results"]):
    size = r["size"]
    want(s["size"] == size, f"{size}: same size order")
    p = r["pgm"]
    want(s["pgm"]["sent"] == count == p["sent"] == p["delivered"], f"{size}: pgm sent {count}, all delivered")
    want(p["lost_messages"] == 0 and p["lost_sqns"] == 0 and p["out_of_order"] == 0, f"{size}: pgm nothing lost")
    want(p["tsi"] == s["pgm"]["tsi"], f"{size}: pgm TSI")
    for k in ("msgs_per_s", "mb_per_s", "latency_us", "cpu_us_per_msg", "naks_sent", "rdata_received"):
        want(k in p, f"{size}: pgm {k} present")
    naks += p["naks_sent"]
    rdata += p["rdata_received"]
    if baseline == "udp":
        u = r["udp"]
        want(u is not None and s["udp"]["sent"] == count == u["sent"], f"{size}: udp sent {count}")
        want(u is not None and 0 < u["delivered"] <= u["sent"], f"{size}: udp delivered some, at most sent")
        ratio = r.get("ratio")
        want(isinstance(ratio, dict) and isinstance(ratio.get("msgs_per_s"), (int, float)),
             f"{size}: ratio.msgs_per_s present")
        want(isinstance(s.get("ratio"), dict), f"{size}: sender ratio present")
    elif baseline == "openpgm":
        o = r.get("openpgm")
        want(o is not None and s["openpgm"]["sent"] == count == o["sent"] == o["delivered"],
             f"{size}: openpgm sent {count}, all delivered")
        ratio = r.get("ratio_openpgm")
        want(isinstance(ratio, dict) and isinstance(ratio.get("msgs_per_s"), (int, float)),
             f"{size}: ratio_openpgm.msgs_per_s present")
    else:
        want(r["udp"] is None and "ratio" not in r, f"{size}: no baseline")
for mode in ("recvmmsg", "ring"):  # the receive mode, named in the JSON
    if mode in words:
        want(rcv.get("recv_mode") == mode, f"recv_mode {mode}")
if words == ["none"] or "loss" in words:  # run under netem loss: repairs happened
    want(naks > 0 and rdata > 0, f"repairs under loss (naks {naks}, rdata {rdata})")
for w in words:
    if w.startswith("group="):
        want(snd["group"] == rcv["group"] == w[6:], f"both reports name the group {w[6:]}")
for r in rcv["results"]:
    p, u, o = r["pgm"], r["udp"], r.get("openpgm")
    print(f"    {r['size']:>5} B: pgm {p['delivered']}/{p['sent']} delivered, naks {p['naks_sent']}, "
          f"rdata {p['rdata_received']}" + (f"; udp {u['delivered']}/{u['sent']}" if u else "")
          + (f"; openpgm {o['delivered']}/{o['sent']}" if o else ""))
for e in errors:
    print("    failed:", e)
if errors:
    print("    send:", json.dumps(snd))
    print("    recv:", json.dumps(rcv))
sys.exit(1 if errors else 0)
PY
}
perf_run perf-loss -- --sizes 64,1400,8192 --count 300 --rate 2000000 --gap 0.3 --linger 1
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-loss 300 none; then
	ok "pgm-perf sweep at $loss% loss: every message delivered, repairs counted"
else
	notok "pgm-perf sweep at $loss% loss (send exit $perf_src, recv exit $perf_rcv)"
fi
# The same over IPv6 (issue 20), at the same loss: PGM/IPv6 read with
# recvmmsg (sockaddr_pgm6 names: the TSI must match the sender's) beside
# the UDP/IPv6 baseline; every PGM message delivered, repairs counted, the
# group written [ff15::78]:7580 in both reports.  Addresses without DAD
# (usable at once) and permanent neighbours: neighbour discovery under
# netem loss would hold back the NAKs, as ARP did on IPv4 (scripts/netns.sh).
ip -n tsrc -6 addr add fd00:97::1/64 dev veth-s nodad
ip -n trcv -6 addr add fd00:97::2/64 dev veth-r nodad
netns_neigh tsrc veth-s fd00:97::2 trcv veth-r
netns_neigh trcv veth-r fd00:97::1 tsrc veth-s
perf_group=ff15::78 perf_port=7580 perf_rif=veth-r perf_sif=veth-s
perf_run perf-v6 --recv-mode recvmmsg -- --sizes 64,1400,8192 --count 200 --rate 2000000 --baseline udp \
	--gap 0.3 --linger 1
perf_group=239.192.0.78 perf_port=7579 perf_rif=10.97.0.2 perf_sif=10.97.0.1
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-v6 200 "udp,recvmmsg,loss,group=[ff15::78]:7580"; then
	ok "pgm-perf over IPv6 at $loss% loss (recvmmsg, UDP/IPv6 baseline): every PGM message delivered, repairs counted"
else
	notok "pgm-perf over IPv6 at $loss% loss (send exit $perf_src, recv exit $perf_rcv)"
fi
netns_netem tsrc veth-s
netns_netem trcv veth-r
perf_run perf-udp -- --sizes 64,1400,8192 --count 200 --rate 2000000 --baseline udp --gap 0.3 --linger 1
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-udp 200 udp; then
	ok "pgm-perf sweep with --baseline udp: counts equal, JSON with ratios"
else
	notok "pgm-perf sweep with --baseline udp (send exit $perf_src, recv exit $perf_rcv)"
fi
# The receive modes of the ring work (issue 9): the same sweep read through
# the mmap ring (a small one: it fills, and the 8 KiB phase waits for room)
# with sendmmsg batches, and through recvmmsg.
perf_run perf-ring --recv-mode ring --ring-size 16384 --hold 0.5 -- --sizes 64,1400,8192 --count 200 \
	--rate 2000000 --gap 0.3 --linger 2 --send-batch 16
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-ring 200 ring; then
	ok "pgm-perf --recv-mode ring --hold with --send-batch: every message delivered"
else
	notok "pgm-perf --recv-mode ring (send exit $perf_src, recv exit $perf_rcv)"
fi
perf_run perf-mmsg --recv-mode recvmmsg -- --sizes 64,1400,8192 --count 200 --rate 2000000 --gap 0.3 --linger 1
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-mmsg 200 recvmmsg; then
	ok "pgm-perf --recv-mode recvmmsg: every message delivered"
else
	notok "pgm-perf --recv-mode recvmmsg (send exit $perf_src, recv exit $perf_rcv)"
fi
# FEC (docs/fec.md): a bad --fec refused as pgm-send refuses it (status
# 64, the same words), then a short sweep with proactive parity, both
# reports showing it (the counters, never timing); the sweeps above, without
# FEC, have no FEC fields.
err=$(ip netns exec tsrc "$bin/pgm-perf" send --group 239.192.0.78 --port 7579 --interface 10.97.0.1 \
	--fec n=8,k=5,proactive=1 --quiet 2>&1 >/dev/null)
rc=$?
serr=$(ip netns exec tsrc "$bin/pgm-send" --fec n=8,k=5,proactive=1 --count 1 2>&1 >/dev/null | head -1)
echo "    pgm-perf send --fec n=8,k=5,proactive=1: exit $rc: $(head -1 <<<"$err")"
if [ $rc = 64 ] && grep -qF -- "Error: --fec: " <<<"$err" && grep -qF -- "power of two" <<<"$err" &&
	[ "$(head -1 <<<"$err")" = "$serr" ]; then
	ok "pgm-perf send refuses a bad --fec with pgm-send's message and status 64"
else
	notok "pgm-perf send --fec n=8,k=5,proactive=1 (exit $rc; pgm-send said: $serr)"
fi
perf_run perf-fec --parity-naks -- --sizes 64,1400 --count 200 --rate 2000000 --gap 0.3 --linger 1 \
	--fec n=8,k=4,proactive=2
ip netns exec trcv "$bin/pgm-perf" recv --group 239.192.0.78 --port 7579 --interface 10.97.0.2 --timeout 60 \
	--quiet >"$out/perf-fec-text.recv" 2>"$out/perf-fec-text.err" &
rpid=$!
for _ in $(seq 300); do grep -q 'ready' "$out/perf-fec-text.err" 2>/dev/null && break; sleep 0.1; done
ip netns exec tsrc "$bin/pgm-perf" send --group 239.192.0.78 --port 7579 --interface 10.97.0.1 --quiet \
	--sizes 1400 --count 100 --rate 2000000 --gap 0.3 --linger 1 --fec n=8,k=4,proactive=2 >"$out/perf-fec-text.send"
wait $rpid
sed 's/^/    fec text: /' "$out/perf-fec-text.send" "$out/perf-fec-text.recv"
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && python3 - "$out"/perf-fec.send.json "$out"/perf-fec.recv.json \
	"$out"/perf-udp.send.json "$out"/perf-udp.recv.json "$out"/perf-fec-text.send "$out"/perf-fec-text.recv <<'PY'
import json, sys
snd, rcv, usnd, urcv = (json.load(open(p)) for p in sys.argv[1:5])
tsnd, trcv = (open(p).read() for p in sys.argv[5:7])
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)
want(snd.get("fec") == "n=8,k=4,proactive=2", "sender names the FEC settings")
want(rcv.get("parity_naks") is True and rcv["complete"] is True, "receiver complete, parity NAKs on")
for s, r in zip(snd["results"], rcv["results"]):
    p, q = s["pgm"], r["pgm"]
    print(f"    {s['size']:>5} B: parity sent proactively {p.get('parity_sent_proactive')}, on demand "
          f"{p.get('parity_sent_ondemand')}, parity NAKs received {p.get('parity_naks_received')}; parity received "
          f"{q.get('parity_received')}, groups rebuilt {q.get('groups_rebuilt')}, parity NAKs sent {q.get('parity_naks_sent')}")
    want(q["sent"] == q["delivered"] == 200, f"{s['size']}: all delivered")
    want(p.get("parity_sent_proactive", 0) > 0, f"{s['size']}: sender parity_sent_proactive > 0")
    want(q.get("parity_received", 0) > 0, f"{s['size']}: receiver parity_received > 0")
    for k in ("parity_sent_ondemand", "parity_naks_received"):
        want(k in p, f"{s['size']}: sender {k} present")
    for k in ("groups_rebuilt", "parity_naks_sent"):
        want(k in q, f"{s['size']}: receiver {k} present")
want("fec" not in usnd and "parity_naks" not in urcv, "no FEC: no top-level FEC fields")
want(all("parity_sent_proactive" not in r["pgm"] for r in usnd["results"])
     and all("parity_received" not in r["pgm"] for r in urcv["results"]), "no FEC: no FEC fields per size")
want("FEC n=8,k=4,proactive=2" in tsnd and "parity pro" in tsnd, "sender's table: FEC and its columns")
want("rebuilt" in trcv and "pnaks" in trcv, "receiver's table without --parity-naks: FEC columns (parity heard)")
for e in errors:
    print("    failed:", e)
sys.exit(1 if errors else 0)
PY
then
	ok "pgm-perf --fec proactive parity: parity sent and received in both reports"
else
	notok "pgm-perf --fec (send exit $perf_src, recv exit $perf_rcv)"
fi
# The OpenPGM baseline (opgm-perf, libpgm in UDP encapsulation) beside pgm.ko.
opgm=$top/build/perf/opgm-perf
perf_run perf-opgm --openpgm --openpgm-helper "$opgm" -- --sizes 64,1400,8192 --count 200 --rate 2000000 \
	--baseline openpgm --openpgm-helper "$opgm" --gap 0.3 --linger 1
if [ $perf_src = 0 ] && [ $perf_rcv = 0 ] && perf_check perf-opgm 200 openpgm; then
	ok "pgm-perf sweep with --baseline openpgm: OpenPGM's phases delivered, ratios present"
else
	notok "pgm-perf sweep with --baseline openpgm (send exit $perf_src, recv exit $perf_rcv)"
fi
# An OpenPGM phase whose end record never comes (its sender killed mid-phase,
# as when libpgm gives the end record up) is reported after --idle, without
# "sent", instead of holding the receiver to its timeout.
ip netns exec trcv "$opgm" recv 239.192.0.81 7582 10.97.0.2 7583 --idle 2 --timeout 60 \
	>"$out/opgm-idle.out" 2>"$out/opgm-idle.err" &
opid=$!
for _ in $(seq 100); do grep -q ready "$out/opgm-idle.out" 2>/dev/null && break; sleep 0.1; done
ip netns exec tsrc timeout -s KILL 3 "$opgm" send 239.192.0.81 7582 10.97.0.1 7583 200 0 1 \
	--count 1000000000 --duration 60 --rate 200000 >/dev/null 2>&1
for _ in $(seq 150); do grep -q '^phase 0 ' "$out/opgm-idle.out" && break; sleep 0.1; done
kill $opid 2>/dev/null
wait $opid
line=$(grep '^phase 0 ' "$out/opgm-idle.out")
echo "    opgm-perf idle: ${line:-no phase line}; $(tr '\n' ' ' <"$out/opgm-idle.err")"
if [ -n "$line" ] && ! grep -q ' sent ' <<<"$line" && grep -q 'delivered [1-9]' <<<"$line"; then
	ok "opgm-perf recv reports a phase without its end record after --idle, sent unknown"
else
	notok "opgm-perf recv: a phase without its end record"
fi

# pgm-dump live on veth-r (the IPv6 addresses are the pgm-perf run's): a
# native stream over IPv4 and one in UDP over IPv6 from tsrc (PGM sockets from Python), each packet dissected whole,
# with its addresses; SPMs carry the path NLA of the packet's family.
ip netns exec trcv "$bin/pgm-dump" -i veth-r --json --port 7585 --timeout 20 \
	>"$out/dump.json" 2>"$out/dump.err" &
dpid=$!
for _ in $(seq 300); do grep -q 'capturing on' "$out/dump.err" 2>/dev/null && break; sleep 0.1; done
ip netns exec tsrc python3 - <<'PY' >"$out/dump-send.err" 2>&1
import socket, struct, time
SOL_PGM, ENCAP = 113, 60
v4 = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
v4.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.97.0.1"))
v4.connect(("239.192.0.85", 7585))
v6 = socket.socket(socket.AF_INET6, socket.SOCK_RDM, 113)
v6.setsockopt(SOL_PGM, ENCAP, struct.pack("=I", 1))
v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, struct.pack("=i", socket.if_nametoindex("veth-s")))
v6.connect(("ff15::85", 7585, 0, 0))
for i in range(3):
    v4.send(b"four %d" % i)
    v6.send(b"six %d" % i)
time.sleep(1)
v4.close()
v6.close()
PY
sleep 2
kill -INT $dpid 2>/dev/null
wait $dpid
sed 's/^/    dump: /' "$out/dump-send.err" "$out/dump.err" | tail -n 5
if python3 - "$out/dump.json" <<'PY'
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = [p for p in pk if "error" in p]
v4 = [p for p in pk if p["type"] == "ODATA" and p["dst"] == "239.192.0.85" and p["encap"] == "native"
      and p["src"] == "10.97.0.1"]
v6 = [p for p in pk if p["type"] == "ODATA" and p["dst"] == "ff15::85" and p["encap"] == "udp"
      and p["src"] == "fd00:97::1"]
spm6 = [p for p in pk if p["type"] == "SPM" and p["dst"] == "ff15::85" and p["path"] == "fd00:97::1"]
print(f"    dump: {len(pk)} packets, {len(v4)} ODATA over IPv4, {len(v6)} over IPv6 in UDP, "
      f"{len(spm6)} IPv6 SPMs with their path NLA, {len(bad)} refused")
sys.exit(0 if len(v4) == 3 and len(v6) == 3 and spm6 and not bad else 1)
PY
then
	ok "pgm-dump -i: live capture dissects IPv4 native and IPv6 UDP-encapsulated PGM"
else
	notok "pgm-dump -i: live capture of IPv4 and IPv6"
fi

echo "tools-vm: $pass passed, $fail failed"
[ $fail = 0 ]
