#!/usr/bin/env bash
# Tests/kernel/pgmctl.sh - pgmctl against the real module, inside the test
# VM (pgm.ko loaded, dummy0 up with 10.98.0.1 and a multicast route):
#   - a default set with pgmctl is what a new socket gets, per netns;
#   - pgmctl's socket counters and netns counters equal getsockopt's;
#   - in a netns with 0, 1, 2 receivers and a source, stats counts the
#     sockets the dump lists; the dump names their process; sockets
#     filters by role, group and port, shows an empty window as - and a
#     whole TSI; IPv6 sockets and sessions with family 6 and their
#     addresses;
#   - pgmctl monitor sees session start, loss and end in that order during
#     a lossy transfer whose NAKs are half lost, and NAK storms and rate
#     limiting on its source; pgmctl peers shows the session;
#   - a PGMCC source (pgm-send --pgmcc to pgm-recv --pgmcc): pgmctl
#     sockets shows its acker, window, RTT and loss rate, monitor the
#     acker-change that elected the receiver;
#   - a source with confirmed delivery (pgm-send --confirm to two pgm-recv
#     --confirm, one leaving early): pgmctl sockets shows its receivers and
#     CONFIRMED, monitor the receiver-joins and the receiver-leave;
#   - pgmctl stats --watch reports rates;
#   - bad requests (unknown key, unknown attribute, wrong type, out of
#     range, no CAP_NET_ADMIN) are refused with the kernel's message, and
#     monitor without CAP_NET_ADMIN with one that names it;
#   - pgmctl profile lan sets its values as the defaults (show, profile
#     --json and a new socket's getsockopt see them), is refused without
#     CAP_NET_ADMIN, and profile wan brings back every default; pgm-recv
#     and pgm-send with --profile lan move a stream.
#   - pgmctl policy adds, lists (text, JSON), deletes rules, sets the
#     default and flushes; a denied source fails with EACCES, counted and
#     announced to monitor; without CAP_NET_ADMIN the policy reads but does
#     not change; max-groups refuses a second group with ENOBUFS; a rule's
#     rate-cap, the policy's rate-cap and an exempt rule show as a source's
#     policy rate in pgmctl sockets; a deny rule added under a live source
#     ends it, seen by monitor as policy-revoked; logical groups are mapped
#     to a physical group and to unicast receivers, listed, replaced and
#     unmapped, refused (the kernel's ENOENT and EINVAL, EPERM), and a
#     source of one fanned out to 10.98.0.1 reaches a receiver bound to
#     0.0.0.0; it ends with no policy.
#   - pgmctl ne (the network element, RFC 3208 section 7) in a fresh netns:
#     off, then on as root (show, --json), its sessions a JSON array; without
#     CAP_NET_ADMIN on and off are refused (EPERM, naming the capability)
#     and show still reads; off again.
# Prints "pgmctl-vm: N passed, N failed".
#
#   pgmctl.sh [BIN]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/.build/debug}
ctl=$bin/pgmctl
out=${PGM_VM_OUT:-/tmp}/pgmctl
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt "$out"/*.err "$out"/*.log
# shellcheck source=Tests/kernel/tap.sh
. "$top/Tests/kernel/tap.sh"
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT

# The built-in defaults, before any test changes them (section 5 ends at them).
"$ctl" show --json >"$out/fresh.json" 2>&1

# 1. Defaults: set with pgmctl, read by a new socket.
sockopt=$top/build/ktests/sockopt	# a C helper: each Python start costs seconds here
new_socket_gets() {	# OPTNAME VALUE [NETNS]
	local ns=() v
	[ -n "${3:-}" ] && ns=(ip netns exec "$3")
	v=$("${ns[@]}" "$sockopt" get "$1") || return 1
	echo "    option $1 of a new socket: $v"
	[ "$v" = "$2" ]
}
check "pgmctl show lists the built-in defaults" \
	sh -c "'$ctl' show --json | grep -q '\"txw-sqns\":8192'"
check "pgmctl set txw-sqns 4096 rxw-sqns 1000" "$ctl" set txw-sqns 4096 RXW_SQNS 1000
check "a new socket takes TXW_SQNS 4096 from pgmctl set" new_socket_gets 1 4096
check "a new socket takes RXW_SQNS 1000 from pgmctl set" new_socket_gets 20 1000
check "pgmctl show reports the new values" sh -c "'$ctl' show | grep -Eq '^txw-sqns +4096 '"
netns_add tother
check "another netns keeps its own defaults" new_socket_gets 1 8192 tother
netns_cleanup
"$ctl" set txw-sqns 8192 rxw-sqns 8192
# fec-nak: the netns's default of the socket option PGM_FEC_NAK (33), off
# as built; a socket's own setsockopt() still overrides it.
check "a new socket's PGM_FEC_NAK is off as built" new_socket_gets 33 0
check "pgmctl set fec-nak 1" "$ctl" set fec-nak 1
check "a new socket takes PGM_FEC_NAK 1 from pgmctl set" new_socket_gets 33 1
check "net.pgm.fec_nak reads 1" sh -c '[ "$(sysctl -n net.pgm.fec_nak)" = 1 ]'
check "setsockopt(PGM_FEC_NAK, 0) overrides the netns's 1" \
	sh -c "[ \"\$('$sockopt' set 33 0 get 33)\" = 0 ]"
"$ctl" set fec-nak 0

# 2. Counters: an idle source (no SPM timers due for ten minutes) read by
#    getsockopt and by pgmctl sockets/stats must agree exactly.
"$ctl" set spm-ambient-ivl 600000000 ihb-max 600000000 ihb-min 600000000
python3 - "$out/src.json" >"$out/src.log" 2>&1 <<'PY' &
import json, os, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
s.connect(("239.192.0.9", 7509))
for i in range(25):
    s.send(b"x" * (100 + i))
f = "=11Q2I"
st = struct.unpack(f, s.getsockopt(113, 40, struct.calcsize(f)))
names = ["data_bytes_sent", "odata_sent", "rdata_sent", "rdata_bytes_sent", "spm_sent", "ncf_sent",
         "naks_received", "naks_ignored", "spmr_received", "rate_limited", "malformed", "txw_trail", "txw_lead"]
nf = "=9Q"
ns = struct.unpack(nf, s.getsockopt(113, 42, struct.calcsize(nf)))
nnames = ["in_packets", "in_bytes", "in_truncated", "in_bad_checksum", "in_bad_type", "in_malformed",
          "in_no_socket", "in_delivered", "sockets"]
json.dump({"inode": os.fstat(s.fileno()).st_ino, "stats": dict(zip(names, st)),
           "netns": dict(zip(nnames, ns))}, open(sys.argv[1] + ".tmp", "w"))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(30)
PY
spid=$!
# Python starts slowly in a loaded TCG guest: wait up to a minute.
for _ in $(seq 600); do [ -f "$out/src.json" ] && break; sleep 0.1; done
"$ctl" sockets --json >"$out/sockets.json" 2>&1
"$ctl" stats --json >"$out/stats.json" 2>&1
"$ctl" sockets | sed 's/^/    /'
kill $spid 2>/dev/null
wait $spid 2>/dev/null
compare_counters() {
	python3 - "$out/src.json" "$out/sockets.json" "$out/stats.json" <<'PY'
import json, sys
src = json.load(open(sys.argv[1]))
socks = json.load(open(sys.argv[2]))
stats = json.load(open(sys.argv[3]))
mine = [s for s in socks if s["inode"] == src["inode"]]
if len(mine) != 1:
    print("    socket", src["inode"], "not in pgmctl sockets"); sys.exit(1)
s = mine[0]
bad = [k for k, v in src["stats"].items() if k not in ("txw_trail", "txw_lead") and s["source_stats"].get(k) != v]
bad += [k for k in ("txw_trail", "txw_lead") if s.get(k) != src["stats"][k]]
bad += [k for k, v in src["netns"].items() if stats.get(k) != v]
print(f"    source: odata {s['source_stats']['odata_sent']} bytes {s['source_stats']['data_bytes_sent']} "
      f"txw {s['txw_trail']}..{s['txw_lead']}; netns sockets {stats.get('sockets')}; differing: {bad or 'none'}")
sys.exit(1 if bad or s["role"] != "source" or s["source_stats"]["odata_sent"] != 25 else 0)
PY
}
check "pgmctl sockets and stats equal getsockopt's PGM_SOURCE_STATS and PGM_NETNS_STATS" compare_counters
"$ctl" set spm-ambient-ivl 1000000 ihb-min 50000 ihb-max 1000000

# 2b. In a namespace, with 0, 1 and 2 receivers and then a source open,
#     pgmctl stats counts the sockets pgmctl sockets lists (issue 17: stats
#     said 0 beside a listed receiver); the dump names the owner (pid and
#     command) and the filters pick by role, group and port.
netns_pair tcsrc veth-tc 10.94.0.1 tcount2 veth-tc2 10.94.0.2
rm -rf "$out/count"	# the steps of an earlier run
ip netns exec tcount2 python3 - "$out/count" >"$out/count.log" 2>&1 <<'PY' &
import os, socket, sys, time
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
def step(n):
    open(f"{d}/step{n}.tmp", "w").close()
    os.rename(f"{d}/step{n}.tmp", f"{d}/step{n}")
    while not os.path.exists(f"{d}/go{n}"):
        time.sleep(0.05)
held = []
step(0)
for port in (7591, 7592):
    s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
    s.bind(("239.192.0.91", port))
    held.append(s)
    step(len(held))
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
s.connect(("239.192.0.92", 7593))
held.append(s)
step(3)
PY
cpid=$!
stats_match_dump() {	# STEP
	local n=$1 st dump
	for _ in $(seq 600); do [ -f "$out/count/step$n" ] && break; sleep 0.1; done
	# Read in bash, not Python: stats' "sockets" and the dump's entries
	# (each has one "inode").
	st=$(ip netns exec tcount2 "$ctl" stats --json)
	[[ $st =~ \"sockets\":\ ?([0-9]+) ]] && st=${BASH_REMATCH[1]} || st="none"
	dump=$(ip netns exec tcount2 "$ctl" sockets --json | grep -o '"inode"' | wc -l)
	echo "    step $n: stats sockets $st, dump $dump"
	ip netns exec tcount2 "$ctl" sockets | sed 's/^/    /'
	touch "$out/count/go$n"
	[ "$st" = "$dump" ] && [ "$dump" = "$n" ]
}
check "pgmctl stats counts no socket in a fresh netns" stats_match_dump 0
check "one receiver: pgmctl stats sockets 1, as the dump" stats_match_dump 1
check "two receivers: pgmctl stats sockets 2, as the dump" stats_match_dump 2
owner_and_filters() {
	local n=3 all
	for _ in $(seq 600); do [ -f "$out/count/step$n" ] && break; sleep 0.1; done
	ip netns exec tcount2 "$ctl" sockets --json >"$out/count-all.json"
	ip netns exec tcount2 "$ctl" sockets --role receiver --group 239.192.0.91 --port 7592 --json >"$out/count-f1.json"
	ip netns exec tcount2 "$ctl" sockets --role source --json >"$out/count-f2.json"
	ip netns exec tcount2 "$ctl" sockets --port 7591 >"$out/count-f3.txt"
	ip netns exec tcount2 "$ctl" sockets --role source >"$out/count-src.txt"
	ip netns exec tcount2 "$ctl" stats --json >"$out/count-stats.json"
	ip netns exec tcount2 "$ctl" sockets | sed 's/^/    /'
	touch "$out/count/go$n"
	python3 - "$out" "$cpid" <<'PY'
import json, sys
d, pid = sys.argv[1], int(sys.argv[2])
allj = json.load(open(f"{d}/count-all.json"))
f1 = json.load(open(f"{d}/count-f1.json"))
f2 = json.load(open(f"{d}/count-f2.json"))
f3 = open(f"{d}/count-f3.txt").read().splitlines()
st = json.load(open(f"{d}/count-stats.json"))
src = [s for s in allj if s["role"] == "source"]
bad = []
if st["sockets"] != len(allj) or len(allj) != 3: bad.append(f"stats {st['sockets']} dump {len(allj)}")
if any(s.get("pid") != pid or s.get("command") != "python3" for s in allj): bad.append("owner")
if len(f1) != 1 or f1[0]["port"] != 7592 or f1[0]["role"] != "receiver": bad.append("filter role+group+port")
if len(f2) != 1 or f2[0]["role"] != "source": bad.append("filter role source")
rows = [l for l in f3 if not l[:1].isspace()]
if len(rows) != 2 or "239.192.0.91:7591" not in rows[1] or f"{pid}/python3" not in rows[1]: bad.append("filter port (text)")
if not src or src[0].get("txw_empty") is not True: bad.append("empty window flag")
srctxt = open(f"{d}/count-src.txt").read()
if not src or src[0]["tsi"] not in srctxt.splitlines()[1].split(): bad.append("full TSI in its column")
if " txw -/" not in srctxt: bad.append("empty window not shown as -")
print(f"    owner pid {pid}; problems: {bad or 'none'}")
sys.exit(1 if bad else 0)
PY
}
check "a source too: stats 3 as the dump; owner pid/command; filters; empty window -, full TSI" owner_and_filters
wait $cpid
netns_cleanup

# 2c. IPv6 (issue #20 step 4): in a netns with dummy0 (fd00:99::1/64,
#     ff15::/16 routed to it), an AF_INET6 receiver of [ff15::99:2]:7620
#     (joined) and a source to it that sent once: pgmctl sockets --json lists
#     both with family 6 and their IPv6 text (the source's NLA as address),
#     --group takes an IPv6 group, the text table writes [group]:port, and
#     pgmctl peers --json shows the session with its IPv6 source and group.
netns_add tv6
ip -n tv6 link add dummy0 type dummy
ip -n tv6 link set dummy0 up multicast on
ip -n tv6 -6 addr add fd00:99::1/64 dev dummy0 nodad
ip -n tv6 -6 route replace ff15::/16 dev dummy0
rm -rf "$out/v6"
ip netns exec tv6 python3 - "$out/v6" >"$out/v6.log" 2>&1 <<'PY' &
import os, socket, struct, sys, time
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
g = "ff15::99:2"
ifi = socket.if_nametoindex("dummy0")
r = socket.socket(socket.AF_INET6, socket.SOCK_RDM, 113)
r.bind((g, 7620, 0, 0))
r.setsockopt(113, 29, socket.inet_pton(socket.AF_INET6, g) + struct.pack("=i", ifi))  # PGM_JOIN_GROUP
s = socket.socket(socket.AF_INET6, socket.SOCK_RDM, 113)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, struct.pack("=i", ifi))
s.connect((g, 7620, 0, 0))
s.send(b"hello over IPv6")
open(f"{d}/inodes.tmp", "w").write(f"{os.fstat(r.fileno()).st_ino} {os.fstat(s.fileno()).st_ino}\n")
os.rename(f"{d}/inodes.tmp", f"{d}/inodes")
while not os.path.exists(f"{d}/go"):
    time.sleep(0.05)
PY
v6pid=$!
ipv6_listed() {
	for _ in $(seq 600); do [ -f "$out/v6/inodes" ] && break; sleep 0.1; done
	# The session is in once the receiver has the source's first packet.
	for _ in $(seq 100); do
		ip netns exec tv6 "$ctl" peers --json >"$out/v6-peers.json" 2>&1
		grep -q '"fd00:99::1"' "$out/v6-peers.json" && break
		sleep 0.1
	done
	ip netns exec tv6 "$ctl" sockets --json >"$out/v6-sockets.json" 2>&1
	ip netns exec tv6 "$ctl" sockets --group ff15::99:2 --role receiver --json >"$out/v6-filter.json" 2>&1
	ip netns exec tv6 "$ctl" sockets >"$out/v6-sockets.txt" 2>&1
	ip netns exec tv6 "$ctl" peers >"$out/v6-peers.txt" 2>&1
	touch "$out/v6/go"
	sed 's/^/    /' "$out/v6-sockets.txt" "$out/v6-peers.txt"
	python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
rino, sino = map(int, open(f"{d}/v6/inodes").read().split())
socks = {s["inode"]: s for s in json.load(open(f"{d}/v6-sockets.json"))}
filt = json.load(open(f"{d}/v6-filter.json"))
peers = json.load(open(f"{d}/v6-peers.json"))
txt = open(f"{d}/v6-sockets.txt").read()
r, s = socks.get(rino, {}), socks.get(sino, {})
bad = []
if r.get("family") != 6 or r.get("group") != "ff15::99:2" or r.get("port") != 7620 or r.get("role") != "receiver":
    bad.append(f"receiver {r}")
if s.get("family") != 6 or s.get("group") != "ff15::99:2" or s.get("address") != "fd00:99::1" or s.get("role") != "source":
    bad.append(f"source {s}")
if [x["inode"] for x in filt] != [rino]:
    bad.append(f"--group ff15::99:2 --role receiver: {[x['inode'] for x in filt]}")
if "[ff15::99:2]:7620" not in txt:
    bad.append("text: no [ff15::99:2]:7620")
mine = [p for p in peers if p["socket_inode"] == rino]
if len(mine) != 1 or mine[0].get("family") != 6 or mine[0].get("source") != "fd00:99::1" \
        or mine[0].get("group") != "ff15::99:2":
    bad.append(f"peers {mine}")
print(f"    IPv6 receiver {rino}, source {sino}; problems: {bad or 'none'}")
sys.exit(1 if bad else 0)
PY
}
check "pgmctl sockets and peers list IPv6 sockets and their session with family 6 and IPv6 text" ipv6_listed
touch "$out/v6/go"
wait $v6pid
netns_cleanup

# 3. Events during a lossy transfer with half the NAKs lost: some loss is
#    unrecoverable.
#    The transfer lasts about 5 s (1 MB at 200 kB/s), so that the peer dump
#    a second in sees the session before pgm-recv ends and closes.
netns_pair esrc veth-es 10.96.0.1 ercv veth-er 10.96.0.2
# Static neighbours: ARP through 50% loss could fail and drop NAKs for a while.
ip -n ercv neigh add 10.96.0.1 lladdr "$(ip netns exec esrc cat /sys/class/net/veth-es/address)" \
	dev veth-er nud permanent
ip -n esrc neigh add 10.96.0.2 lladdr "$(ip netns exec ercv cat /sys/class/net/veth-er/address)" \
	dev veth-es nud permanent
netns_netem esrc veth-es loss 10%
# Half the NAKs get out: the source hears some (a NAK storm, over a rate of
# 1/s), and a sqn whose two NAKs are both lost is given up fast.
netns_netem ercv veth-er loss 50%
ip netns exec ercv "$ctl" set nak-bo-ivl 2000 nak-rpt-ivl 10000 nak-ncf-retries 1
ip netns exec esrc "$ctl" set nak-storm-rate 1
ip netns exec ercv "$ctl" monitor --json --timeout 60 >"$out/events.json" 2>"$out/monitor.err" &
mpid=$!
ip netns exec esrc "$ctl" monitor --json --timeout 60 >"$out/src-events.json" 2>"$out/src-monitor.err" &
smpid=$!
for f in events src-events; do
	for _ in $(seq 300); do grep -q '"ready"' "$out/$f.json" 2>/dev/null && break; sleep 0.1; done
done
ip netns exec ercv "$bin/pgm-recv" --group 239.192.0.66 --port 7566 --interface 10.96.0.2 \
	--sessions 1 --timeout 40 --json >"$out/recv.json" 2>"$out/recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec esrc "$bin/pgm-send" --group 239.192.0.66 --port 7566 --interface 10.96.0.1 \
	--count 2000 --size 500 --rate 200000 --linger 1 --json >"$out/send.json" 2>"$out/send.err" &
sndpid=$!
# peers_until NETNS NAME REGEX: pgmctl peers --json into $out/NAME.json
# until it matches REGEX (the sender is a process start away: 30 s for a
# busy emulated host), then the text table into $out/NAME.txt.
peers_until() {
	for _ in $(seq 150); do
		ip netns exec "$1" "$ctl" peers --json >"$out/$2.json" 2>&1
		grep -q "$3" "$out/$2.json" && break
		sleep 0.2
	done
	ip netns exec "$1" "$ctl" peers >"$out/$2.txt" 2>&1
}
# The session is listed once its first packet is in.
peers_until ercv peers '"10.96.0.1"'
wait $sndpid
wait $rpid
kill $mpid $smpid 2>/dev/null
wait $mpid $smpid 2>/dev/null
sed 's/^/    peers: /' "$out/peers.txt"
events_in_order() {
	python3 - "$out/events.json" "$out/send.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tsi = json.load(open(sys.argv[2]))["tsi"]
mine = [e for e in ev if e.get("tsi") == tsi and e.get("role") == "receiver"]
kinds = [e["event"] for e in mine]
losses = [e for e in mine if e["event"] == "loss"]
print(f"    {len(ev)} events; for the receiver of {tsi}: 1st {kinds[:1]}, {len(losses)} loss "
      f"({sum(e['count'] for e in losses)} sqns), last {kinds[-1:]} "
      f"{[e.get('reason') for e in mine if e['event'] == 'session-end']}")
ok = (len(kinds) >= 3 and kinds[0] == "session-start" and kinds[-1] == "session-end"
      and kinds.count("session-start") == 1 and kinds.count("session-end") == 1 and losses
      and all(k == "loss" for k in kinds[1:-1]))
sys.exit(0 if ok else 1)
PY
}
check "pgmctl monitor: session start, loss, session end, in order" events_in_order
source_events() {
	python3 - "$out/src-events.json" "$out/send.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tsi = json.load(open(sys.argv[2]))["tsi"]
mine = [e for e in ev if e.get("tsi") == tsi and e.get("role") == "source"]
kinds = [e["event"] for e in mine]
storms = [e for e in mine if e["event"] == "nak-storm"]
limited = [e for e in mine if e["event"] == "rate-limited"]
st = json.load(open(sys.argv[2]))["statistics"]
print(f"    source: naks received {st['naks_received']} ignored {st['naks_ignored']} malformed {st['malformed']} "
      f"ncf {st['ncf_sent']} rdata {st['rdata_sent']} rate-limited {st['rate_limited']}")
print(f"    source side: {len(mine)} events: {kinds[:1]} .. {kinds[-1:]}, {len(storms)} nak-storm "
      f"{[e['rate'] for e in storms][:5]}, {len(limited)} rate-limited")
ok = (kinds and kinds[0] == "session-start" and kinds[-1] == "session-end" and storms
      and all(e["threshold"] == 1 and e["rate"] > 1 for e in storms) and limited
      and all(e["rate_limit"] == 200000 for e in limited))
sys.exit(0 if ok else 1)
PY
}
check "pgmctl monitor on the source: start, NAK storms over 1/s, rate limiting, end" source_events
peers_seen() {
	python3 - "$out/peers.json" "$out/send.json" <<'PY'
import json, sys
peers = json.load(open(sys.argv[1]))
tsi = json.load(open(sys.argv[2]))["tsi"]
ok = any(p["tsi"] == tsi and p["source"] == "10.96.0.1" for p in peers)
if not ok:
    print("    peers --json:", json.dumps(peers), "tsi", tsi)
sys.exit(0 if ok else 1)
PY
}
check "pgmctl peers shows the receiver's session while it runs" peers_seen
netns_cleanup

# 3b. FEC in the peer dump (RFC 3208 section 11.4): what the source's
#     OPT_PARITY_PRM offers, and the session's groups rebuilt from parity
#     and parity NAKs, while a 10%-lossy FEC transfer runs.
netns_pair fsrc veth-fs 10.96.1.1 frcv veth-fr 10.96.1.2
netns_netem fsrc veth-fs loss 10%
ip netns exec frcv "$bin/pgm-recv" --group 239.192.0.67 --port 7567 --interface 10.96.1.2 \
	--sessions 1 --timeout 60 --parity-naks --json >"$out/fec-recv.json" 2>"$out/fec-recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/fec-recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec fsrc "$bin/pgm-send" --group 239.192.0.67 --port 7567 --interface 10.96.1.1 \
	--count 6000 --size 500 --rate 200000 --linger 1 --fec n=32,k=16,proactive=1,ondemand \
	--json >"$out/fec-send.json" 2>"$out/fec-send.err" &
sndpid=$!
fec_text='k=16 proactive+ondemand, [1-9][0-9]* rebuilt'
# 15 s of stream: both dumps, JSON then text, fall inside the session even
# when each pgmctl takes seconds to start on an emulated guest (CI once took
# the text table after the session had ended).
peers_until frcv fec-peers '"groups_rebuilt":[1-9]'
wait $sndpid
wait $rpid
fec_peer() {
	python3 - "$out/fec-peers.json" "$out/fec-send.json" <<'PY'
import json, sys
peers = json.load(open(sys.argv[1]))
tsi = json.load(open(sys.argv[2]))["tsi"]
mine = [p for p in peers if p["tsi"] == tsi]
print("    peers --json:", json.dumps(mine))
ok = (len(mine) == 1 and mine[0].get("fec_k") == 16 and mine[0].get("fec_proactive") is True
      and mine[0].get("fec_ondemand") is True and mine[0].get("groups_rebuilt", 0) > 0)
sys.exit(0 if ok else 1)
PY
}
check "pgmctl peers: the session's FEC (k 16, proactive, on demand) and groups rebuilt" fec_peer
fec_column() {
	grep -q "$fec_text" "$out/fec-peers.txt" && return
	sed 's/^/    peers (text): /' "$out/fec-peers.txt"
	return 1
}
check "pgmctl peers (text): the FEC column" fec_column
netns_cleanup

# 3c. PGMCC at the source: pgm-send --pgmcc to pgm-recv --pgmcc, 2% loss
#     toward the receiver.  A monitor in the source's netns prints the
#     acker-change that elects the receiver (with the RTT and loss rate of
#     its feedback); pgmctl sockets shows the source's acker, W, RTT and
#     loss rate, in JSON and as text, while the stream runs (~11 s).
netns_pair csrc veth-cs 10.96.2.1 crcv veth-cr 10.96.2.2
netns_netem csrc veth-cs loss 2%
ip netns exec csrc "$ctl" monitor --json --timeout 60 >"$out/cc-events.json" 2>"$out/cc-monitor.err" &
mpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/cc-events.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec crcv "$bin/pgm-recv" --group 239.192.0.68 --port 7568 --interface 10.96.2.2 --pgmcc \
	--sessions 1 --timeout 60 --json >"$out/cc-recv.json" 2>"$out/cc-recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/cc-recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec csrc "$bin/pgm-send" --group 239.192.0.68 --port 7568 --interface 10.96.2.1 --pgmcc \
	--count 2000 --size 500 --rate 100000 --linger 1 --json >"$out/cc-send.json" 2>"$out/cc-send.err" &
sndpid=$!
for _ in $(seq 150); do
	ip netns exec csrc "$ctl" sockets --role source --json >"$out/cc-sockets.json" 2>&1
	grep -q '"pgmcc_acker":"10.96.2.2"' "$out/cc-sockets.json" && break
	sleep 0.2
done
ip netns exec csrc "$ctl" sockets --role source >"$out/cc-sockets.txt" 2>&1
wait $sndpid
wait $rpid
kill $mpid 2>/dev/null
wait $mpid 2>/dev/null
sed 's/^/    sockets: /' "$out/cc-sockets.txt"
pgmcc_source_shown() {
	python3 - "$out/cc-sockets.json" "$out/cc-events.json" "$out/cc-send.json" "$out/cc-sockets.txt" <<'PY'
import json, re, sys
socks = json.load(open(sys.argv[1]))
ev = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
snd = json.load(open(sys.argv[3]))
txt = open(sys.argv[4]).read()
tsi, st = snd["tsi"], snd["statistics"]
src = [s for s in socks if s.get("tsi") == tsi]
s = src[0] if src else {}
cc = [e for e in ev if e["event"] == "acker-change" and e.get("tsi") == tsi]
print(f"    sockets --json: pgmcc_acker {s.get('pgmcc_acker')} pgmcc_window {s.get('pgmcc_window')} "
      f"pgmcc_rtt_us {s.get('pgmcc_rtt_us')} pgmcc_loss_rate {s.get('pgmcc_loss_rate')} "
      f"acker_changes {s.get('source_stats', {}).get('acker_changes')}")
print(f"    monitor: {len(cc)} acker-change: {cc[:3]}")
print(f"    pgm-send: acks_received {st['acks_received']} acker_changes {st['acker_changes']} "
      f"congestion_events {st['congestion_events']} cc_timeouts {st['cc_timeouts']} "
      f"window_limited {st['window_limited']} cc_window {st['cc_window']} cc_acker {st['cc_acker']}")
bad = []
if not (s.get("pgmcc_acker") == "10.96.2.2" and s.get("pgmcc_window", 0) >= 65536
        and "pgmcc_rtt_us" in s and "pgmcc_loss_rate" in s
        and s.get("source_stats", {}).get("acker_changes", 0) >= 1):
    bad.append("sockets --json")
if not re.search(r"pgmcc acker 10\.96\.2\.2 W [0-9]+\.[0-9]{2} rtt (-|[0-9.]+ ms) loss [0-9.]+%", txt):
    bad.append("sockets text")
if not any(e.get("acker") == "10.96.2.2" and "rtt_us" in e and "loss_rate" in e and e.get("role") == "source"
           for e in cc):
    bad.append("monitor")
if not (st["acker_changes"] >= 1 and st["acks_received"] >= 1):
    bad.append("pgm-send's counters")
print(f"    wrong: {bad or 'nothing'}")
sys.exit(1 if bad else 0)
PY
}
check "PGMCC source: pgmctl sockets shows the acker, W, RTT, loss (text, JSON); monitor the acker-change" \
	pgmcc_source_shown
netns_cleanup

check "pgmctl stats --watch reports rates per second" \
	sh -c "'$ctl' stats --watch --count 2 --interval 0.2 --json | tail -n 1 | grep -q '\"in_packets_per_s\":'"

# 3d. Confirmed delivery at the source: pgm-send --confirm 1 to two
#     pgm-recv --confirm in one netns (one address, two RECEIVER IDs), 2%
#     loss toward them; one stops after 600 APDUs (3 s: long enough for
#     an SPM, which its ACKs need, when the first is lost) and its close
#     says BYE.
#     A monitor in the source's netns prints both receiver-joins and the
#     receiver-leave (reason bye); pgmctl sockets shows the source's live
#     receivers and CONFIRMED, in JSON and as text, while the stream runs
#     (~11 s); pgm-send's summary says the remaining one confirmed it all.
netns_pair fcsrc veth-fcs 10.96.3.1 fcrcv veth-fcr 10.96.3.2
netns_netem fcsrc veth-fcs loss 2%
ip netns exec fcsrc "$ctl" monitor --json --timeout 60 >"$out/cf-events.json" 2>"$out/cf-monitor.err" &
mpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/cf-events.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec fcrcv "$bin/pgm-recv" --group 239.192.0.69 --port 7569 --interface 10.96.3.2 --confirm \
	--sessions 1 --timeout 60 --json >"$out/cf-recv.json" 2>"$out/cf-recv.err" &
rpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/cf-recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec fcrcv "$bin/pgm-recv" --group 239.192.0.69 --port 7569 --interface 10.96.3.2 --confirm=50ms \
	--count 600 --timeout 60 --json >"$out/cf-recv2.json" 2>"$out/cf-recv2.err" &
r2pid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/cf-recv2.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec fcsrc "$bin/pgm-send" --group 239.192.0.69 --port 7569 --interface 10.96.3.1 --confirm 1 \
	--count 2000 --size 500 --rate 100000 --linger 1 --json >"$out/cf-send.json" 2>"$out/cf-send.err" &
sndpid=$!
for _ in $(seq 150); do
	ip netns exec fcsrc "$ctl" sockets --role source --json >"$out/cf-sockets.json" 2>&1
	grep -q '"confirm_receivers":[1-9][0-9]*,"confirmed_sqn":[0-9]' "$out/cf-sockets.json" && break
	sleep 0.2
done
ip netns exec fcsrc "$ctl" sockets --role source >"$out/cf-sockets.txt" 2>&1
ip netns exec fcsrc "$ctl" receivers --json >"$out/cf-receivers.json" 2>&1
wait $sndpid
wait $rpid
wait $r2pid
kill $mpid 2>/dev/null
wait $mpid 2>/dev/null
sed 's/^/    sockets: /' "$out/cf-sockets.txt"
confirm_source_shown() {
	python3 - "$out/cf-sockets.json" "$out/cf-events.json" "$out/cf-send.json" "$out/cf-sockets.txt" \
		"$out/cf-receivers.json" <<'PY'
import json, re, sys
socks = json.load(open(sys.argv[1]))
rcvrs = json.load(open(sys.argv[5]))
ev = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
snd = json.load(open(sys.argv[3]))
txt = open(sys.argv[4]).read()
tsi, st, cf = snd["tsi"], snd["statistics"], snd.get("confirm", {})
src = [s for s in socks if s.get("tsi") == tsi]
s = src[0] if src else {}
mine = [e for e in ev if e.get("tsi") == tsi and e["event"].startswith("receiver-")]
joins = [e for e in mine if e["event"] == "receiver-join"]
leaves = [e for e in mine if e["event"] == "receiver-leave"]
print(f"    sockets --json: confirm_receivers {s.get('confirm_receivers')} confirmed_sqn {s.get('confirmed_sqn')} "
      f"confirm_joins {s.get('source_stats', {}).get('confirm_joins')}")
print(f"    monitor: {len(joins)} receiver-join, {len(leaves)} receiver-leave: {mine[:4]}")
print(f"    pgm-send: confirm {cf}; confirm_joins {st['confirm_joins']} confirm_leaves {st['confirm_leaves']}")
bad = []
if not (s.get("confirm_receivers", 0) >= 1 and isinstance(s.get("confirmed_sqn"), int)
        and s.get("source_stats", {}).get("confirm_joins", 0) >= 1):
    bad.append("sockets --json")
if not re.search(r"confirm receivers [1-9][0-9]* confirmed [0-9]+", txt):
    bad.append("sockets text")
if not (len({e.get("receiver_id") for e in joins}) >= 2
        and all(e.get("receiver") == "10.96.3.2" and "confirmed" in e and e.get("role") == "source" for e in joins)):
    bad.append("monitor: two receiver-joins")
if not any(e.get("reason") == "bye" and e.get("receiver_id") in {j.get("receiver_id") for j in joins} for e in leaves):
    bad.append("monitor: a receiver-leave, bye")
if not (cf.get("delivered") is True and cf.get("receivers", 0) >= 1 and st["confirm_joins"] >= 2
        and st["confirm_leaves"] >= 1):
    bad.append("pgm-send's summary")
mr = [r for r in rcvrs if r.get("socket_inode") == s.get("inode")]
print(f"    receivers --json: {mr}")
if not (mr and all(r.get("address") == "10.96.3.2" and isinstance(r.get("confirmed_sqn"), int)
                   and isinstance(r.get("receiver_id"), int) for r in mr)):
    bad.append("receivers --json")
print(f"    wrong: {bad or 'nothing'}")
sys.exit(1 if bad else 0)
PY
}
check "confirmed delivery: pgmctl sockets shows the receivers and CONFIRMED (text, JSON), pgmctl receivers each one; monitor the joins and a leave (bye)" \
	confirm_source_shown
netns_cleanup

# 4. Refusals: the message pgmctl prints, and its exit status.
refused() {	# STATUS TEXT ARGS...
	local want=$1 text=$2 got rc
	shift 2
	got=$("$@" 2>&1)
	rc=$?
	echo "    exit $rc: $got" | head -n 2
	[ "$rc" = "$want" ] && printf '%s' "$got" | grep -qF -- "$text"
}
check "unknown key: a suggestion" refused 64 "did you mean 'txw-sqns'" "$ctl" set txw-sqn 5
check "out of range: the kernel's text and the policy's range" \
	refused 1 "integer out of range [txw-sqns] (accepted: 1-1048576)" "$ctl" set txw-sqns 0
check "fec-nak is 0 or 1" refused 1 "integer out of range [fec-nak] (accepted: 0-1)" "$ctl" set fec-nak 2
check "out of range where 0 means off: the handler's text" \
	refused 1 "txw-bytes must be 0 (off) or 576-4294967295" "$ctl" set txw-bytes 100
check "ihb-min above ihb-max is refused" refused 1 "ihb-min must not exceed ihb-max" "$ctl" set ihb-min 2000000
check "unknown attribute (a gap in the set)" refused 1 "Unsupported attribute" "$ctl" set --raw 9:u32:1
# The first attribute type past the last tunable, from the uapi header: a
# tunable added to the spec moves it.
past_tunables=$(($(sed -n 's/^\tPGM_A_DEFAULTS_[A-Z0-9_]* = \([0-9]*\),$/\1/p' \
	"$top/kernel/include/uapi/linux/pgm_netlink.h" | sort -n | tail -n 1) + 1))
check "unknown attribute (past the last tunable: $past_tunables)" \
	refused 1 "Unknown attribute type" "$ctl" set --raw "$past_tunables:u32:1"
check "wrong type (u16 for a u32)" refused 1 "invalid attribute length" "$ctl" set --raw 1:u16:7
check "without CAP_NET_ADMIN: permission denied" \
	refused 1 "permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" set txw-sqns 100
check "without CAP_NET_ADMIN: monitor is refused, naming the capability" \
	refused 1 "monitor needs CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" monitor --timeout 5
check "without CAP_NET_ADMIN: reading still works" \
	sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups '$ctl' show >/dev/null"
check "a peer dump for an unknown socket says so" \
	refused 1 "no PGM socket with that inode" "$ctl" peers --socket 1
check "refused sets changed nothing" sh -c "'$ctl' show --json | grep -q '\"txw-sqns\":8192,\"txw-secs-ms\":0'"

# 5. Profiles (kernel/pgm.yaml): lan as the netns's defaults, then wan.
check "pgmctl profile: the fresh netns matches wan" sh -c "'$ctl' profile | grep -q 'defaults match profile wan'"
check "pgmctl profile lan" "$ctl" profile lan
check "pgmctl show reports lan's nak-bo-ivl 1000" sh -c "'$ctl' show | grep -Eq '^nak-bo-ivl +1000 '"
profile_is() {	# NAME: pgmctl profile --json: current values are NAME's, and it matches
	"$ctl" profile --json >"$out/profile.json" 2>&1
	python3 - "$out/profile.json" "$1" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
want = {v["key"]: v["value"] for pr in p["profiles"] if pr["name"] == sys.argv[2] for v in pr["values"]}
print(f"    matches {p['matches']}; current {p['current']}")
sys.exit(0 if want and p["current"] == want and p["matches"] == sys.argv[2] else 1)
PY
}
check "pgmctl profile --json: the defaults are lan's and match lan" profile_is lan
check "a new socket takes NAK_BO_IVL 1000 from pgmctl profile lan" new_socket_gets 23 1000
check "a new socket takes NAK_NCF_RETRIES 50 from pgmctl profile lan" new_socket_gets 26 50
check "a new socket takes IHB_MIN 1000 from pgmctl profile lan" new_socket_gets 5 1000
check "without CAP_NET_ADMIN: pgmctl profile wan is refused" \
	refused 1 "permission denied: setting a profile needs CAP_NET_ADMIN" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" profile wan
check "the refused profile changed nothing" new_socket_gets 23 1000
check "an unknown profile is a usage error listing the profiles" \
	refused 64 "unknown profile 'fast'; the profiles are lan, wan" "$ctl" profile fast
profile_stream() {	# pgm-send --profile lan to pgm-recv --profile lan over dummy0
	"$bin/pgm-recv" --group 239.192.0.88 --port 7588 --interface 10.98.0.1 --profile lan \
		--sessions 1 --timeout 30 --json >"$out/precv.json" 2>"$out/precv.err" &
	local rp=$! rc
	for _ in $(seq 300); do grep -q '"ready"' "$out/precv.json" 2>/dev/null && break; sleep 0.1; done
	"$bin/pgm-send" --group 239.192.0.88 --port 7588 --interface 10.98.0.1 --profile lan \
		--count 300 --size 700 --linger 200ms --json >"$out/psend.json" 2>"$out/psend.err" || return 1
	wait $rp
	rc=$?
	python3 - "$out/psend.json" "$out/precv.json" "$rc" <<'PY'
import json, sys
snd = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
summ = [l for l in lines if l.get("event") == "summary"]
sess = summ[-1]["sessions"] if summ else []
print(f"    pgm-recv exit {sys.argv[3]}: {[(s['messages'], s['sha256'] == snd['sha256'], s['end']) for s in sess]}")
sys.exit(0 if sys.argv[3] == "0" and len(sess) == 1 and sess[0]["messages"] == 300
         and sess[0]["sha256"] == snd["sha256"] else 1)
PY
}
check "pgm-send --profile lan to pgm-recv --profile lan: every APDU, same SHA-256" profile_stream
check "pgm-recv --profile fast is a usage error listing the profiles" \
	refused 64 "unknown profile 'fast'; the profiles are lan, wan" "$bin/pgm-recv" --profile fast --count 1
check "pgmctl profile wan" "$ctl" profile wan
check "a new socket takes NAK_BO_IVL 50000 again" new_socket_gets 23 50000
check "pgmctl profile --json: the defaults match wan again" profile_is wan
check "after profile wan every default is the built-in one (show --json as at the start)" \
	sh -c "'$ctl' show --json | cmp -s - '$out/fresh.json'"

# 6. The multicast policy (issue #22, docs/governance.md), in the VM's own
#    netns: rules added (uid by name and by range, gid by name, groups of
#    both families, at an index), listed in order (text and JSON) and
#    deleted, the default action, flush; a source the policy denies fails
#    with EACCES and a hint naming the policy, counted in policy-denied and
#    the rule's hits, and announced to monitor with its uid and rule; root's
#    source to that group is not denied; without CAP_NET_ADMIN the policy
#    reads but does not change (EPERM, naming the capability); the kernel's
#    and pgmctl's refusals.  Ends with no policy.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
policy_is() {	# FILE PYTHON-EXPR: pgmctl policy show --json in FILE parses and EXPR holds for it (p)
	python3 - "$1" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
print(f"    default {p.get('default_action')}, {p.get('rule_count')} rules: "
      + "; ".join(f"{r['id']}@{r['index']} {r['role']} {r['action']} uid {r['uid_min']}-{r['uid_max']} gid {r['gid']} "
                  f"{r['group']}/{r['prefix_len']} hits {r['hits']}" for r in p.get("rules", [])))
sys.exit(0 if ok else 1)
PY
}
"$ctl" policy show --json >"$out/pol0.json" 2>&1
check "pgmctl policy show --json: no policy at first" \
	policy_is "$out/pol0.json" 'p["default_action"] == "allow" and p["rule_count"] == 0 and p["rules"] == [] and p["rules_max"] == 256'
"$ctl" policy add --action deny --role source --uid nobody --group 239.193.0.0/16 --json >"$out/pol-add1.json" 2>&1
check "pgmctl policy add --uid nobody --group 239.193.0.0/16 --json: an id at index 0" \
	python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); sys.exit(0 if a["index"] == 0 and a["id"] > 0 else 1)' \
	"$out/pol-add1.json"
"$ctl" policy add --action allow --role receiver --gid root --group ff15::/16 --index 0 >"$out/pol-add2.txt" 2>&1
check "pgmctl policy add --gid root --group ff15::/16 --index 0: added at index 0" \
	grep -Eq '^added rule [0-9]+ at index 0$' "$out/pol-add2.txt"
"$ctl" policy add --action deny --uid 1000-1999 >"$out/pol-add3.txt" 2>&1
check "pgmctl policy add --uid 1000-1999: added at the end, index 2" grep -Eq '^added rule [0-9]+ at index 2$' "$out/pol-add3.txt"
"$ctl" policy show --json >"$out/pol1.json" 2>&1
"$ctl" policy show >"$out/pol1.txt" 2>&1
sed 's/^/    /' "$out/pol1.txt"
check "pgmctl policy show --json: the three rules in order, each part as added" policy_is "$out/pol1.json" '(
[(r["index"], r["role"], r["action"], r["uid_min"], r["uid_max"], r["gid"], r["family"], r["group"], r["prefix_len"])
 for r in p["rules"]] == [(0, "receiver", "allow", None, None, 0, 6, "ff15::", 16),
                          (1, "source", "deny", 65534, 65534, None, 4, "239.193.0.0", 16),
                          (2, "any", "deny", 1000, 1999, None, None, None, None)]
and p["rule_count"] == 3 and p["rules"][1]["id"] == json.load(open(sys.argv[1].replace("pol1", "pol-add1")))["id"])'
check "pgmctl policy show: the table" sh -c "grep -Eq '^[0-9]+ +1 +source +deny +65534 +any +any +239\.193\.0\.0/16 +none +no +0\$' '$out/pol1.txt' &&
	grep -Eq '^[0-9]+ +2 +any +deny +1000-1999 +any +any +any +none +no +0\$' '$out/pol1.txt' && grep -Eq '^default action +allow\$' '$out/pol1.txt' &&
	grep -Eq '^max-groups +none, [0-9]+ groups? in use\$' '$out/pol1.txt' && grep -Eq '^rate-cap +none\$' '$out/pol1.txt'"

# Enforcement, watched by a monitor.
"$ctl" stats --json >"$out/pol-stats0.json" 2>&1
"$ctl" monitor --json --timeout 90 >"$out/pol-events.json" 2>"$out/pol-monitor.err" &
mpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/pol-events.json" 2>/dev/null && break; sleep 0.1; done
"${nobody[@]}" "$bin/pgm-send" --group 239.193.0.1 --port 7601 --interface 10.98.0.1 --count 1 --size 100 \
	--linger 0 >"$out/pol-send-nobody.txt" 2>&1
echo $? >"$out/pol-send-nobody.rc"
for _ in $(seq 300); do grep -q '"policy-denied"' "$out/pol-events.json" 2>/dev/null && break; sleep 0.1; done
kill $mpid 2>/dev/null
wait $mpid 2>/dev/null
"$ctl" stats --json >"$out/pol-stats1.json" 2>&1
"$ctl" policy show --json >"$out/pol2.json" 2>&1
sed 's/^/    pgm-send as nobody: /' "$out/pol-send-nobody.txt" | head -n 3
check "a source of nobody's to 239.193.0.1 fails: EACCES, with the policy named" \
	sh -c "[ \"\$(cat '$out/pol-send-nobody.rc')\" != 0 ] && grep -q 'multicast policy' '$out/pol-send-nobody.txt'"
policy_denial_seen() {
	python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
s0, s1 = json.load(open(f"{d}/pol-stats0.json")), json.load(open(f"{d}/pol-stats1.json"))
p = json.load(open(f"{d}/pol2.json"))
rid = json.load(open(f"{d}/pol-add1.json"))["id"]
ev = [json.loads(l) for l in open(f"{d}/pol-events.json") if l.strip()]
den = [e for e in ev if e["event"] == "policy-denied"]
hits = {r["id"]: r["hits"] for r in p["rules"]}
print(f"    policy_denied {s0['policy_denied']} -> {s1['policy_denied']}; rule {rid} hits {hits.get(rid)}; events {den}")
ok = (s1["policy_denied"] == s0["policy_denied"] + 1 and hits.get(rid) == 1
      and any(e.get("uid") == 65534 and e.get("rule_id") == rid and e.get("role") == "source"
              and e.get("group") == "239.193.0.1" and e.get("family") == 4 for e in den))
sys.exit(0 if ok else 1)
PY
}
check "the refusal: policy-denied +1, the rule's hits 1, monitor's policy-denied event (uid 65534, the rule)" \
	policy_denial_seen
check "root's source to 239.193.0.1 is not denied (no rule of its, the default allow)" \
	"$bin/pgm-send" --group 239.193.0.1 --port 7601 --interface 10.98.0.1 --count 1 --size 100 --linger 0

# Who may change it: nobody reads, cannot write.
"${nobody[@]}" "$ctl" policy show --json >"$out/pol-nobody.json" 2>&1
check "without CAP_NET_ADMIN: pgmctl policy show --json reads the policy" \
	policy_is "$out/pol-nobody.json" 'p["rule_count"] == 3 and len(p["rules"]) == 3'
check "without CAP_NET_ADMIN: pgmctl policy show (text)" sh -c "${nobody[*]} '$ctl' policy show >/dev/null"
check "without CAP_NET_ADMIN: policy add is refused, naming the capability" \
	refused 1 "permission denied: adding a policy rule needs CAP_NET_ADMIN" "${nobody[@]}" "$ctl" policy add --action deny
check "without CAP_NET_ADMIN: policy default is refused" \
	refused 1 "permission denied: setting the policy's default action needs CAP_NET_ADMIN" \
	"${nobody[@]}" "$ctl" policy default deny
check "without CAP_NET_ADMIN: policy del is refused" \
	refused 1 "permission denied: deleting a policy rule needs CAP_NET_ADMIN" \
	"${nobody[@]}" "$ctl" policy del "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$out/pol-add1.json")"
check "without CAP_NET_ADMIN: policy flush is refused" \
	refused 1 "permission denied: flushing the policy needs CAP_NET_ADMIN" "${nobody[@]}" "$ctl" policy flush

# Refusals: the kernel's (with its message) and pgmctl's own (usage).
check "policy del of an id no rule has: the kernel's message" refused 1 "no rule has this id [id]" "$ctl" policy del 4000000000
check "policy add with a uid that does not map: the kernel's message" \
	refused 1 "must map to this user namespace" "$ctl" policy add --action deny --uid 4294967295
check "policy add --group 239.0.0.0/33 is a usage error" \
	refused 64 "prefix length 33 is longer than an IPv4 address's 32 bits" "$ctl" policy add --action deny --group 239.0.0.0/33
check "policy add --uid 1999-1000 is a usage error" refused 64 "reversed range" "$ctl" policy add --action deny --uid 1999-1000
check "policy add --uid of an unknown user is a usage error" \
	refused 64 "is not a uid, a range of uids N-M or a user name" "$ctl" policy add --action deny --uid pgm-no-such-user
"$ctl" policy show --json >"$out/pol3.json" 2>&1
check "the refused changes changed nothing" policy_is "$out/pol3.json" 'p["rule_count"] == 3 and p["default_action"] == "allow"'

# del, default, flush.
del_last() {
	local id
	id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rules"][2]["id"])' "$out/pol3.json") || return 1
	"$ctl" policy del "$id" || return 1
	"$ctl" policy show --json >"$out/pol4.json" 2>&1
	policy_is "$out/pol4.json" "p['rule_count'] == 2 and $id not in [r['id'] for r in p['rules']]"
}
check "pgmctl policy del ID deletes that rule" del_last
check "pgmctl policy default deny" "$ctl" policy default deny
"$ctl" policy show --json >"$out/pol5.json" 2>&1
check "pgmctl policy show --json: default deny" policy_is "$out/pol5.json" 'p["default_action"] == "deny"'
check "pgmctl policy flush: two rules deleted" \
	sh -c "'$ctl' policy flush | grep -qx 'deleted 2 rules and 0 logical groups; the default action is allow, no max-groups, no rate-cap'"
"$ctl" policy flush >/dev/null 2>&1	# whatever failed above: no policy for the tests after
"$ctl" policy show --json >"$out/pol6.json" 2>&1
check "after flush: no policy (default allow, no rule)" \
	policy_is "$out/pol6.json" 'p["default_action"] == "allow" and p["rule_count"] == 0 and p["rules"] == []'

# 6b. The policy's limits (#22 pieces 2 and 3), watched by a monitor: with
#     max-groups 1 a source to a second group fails with ENOBUFS and a hint
#     naming max-groups (policy-group-limit +1, a policy-denied event with
#     error ENOBUFS and no rule), a source to the group in use does not, and
#     show --json has the limit and the groups in use; a rule's rate-cap is
#     the source's policy rate in pgmctl sockets (text and JSON), the
#     policy's rate-cap lowers it to a share, an exempt rule takes it out
#     of the share; a deny rule added while a source is connected ends it
#     (policy-revoked +1, a policy-revoked event with the rule and EACCES).
#     Flush leaves no policy: no rule, allow, no max-groups, no rate-cap.
held_source() {	# GROUP PORT: pgm-send to GROUP that keeps its session for 120 s; prints its pid
	"$bin/pgm-send" --group "$1" --port "$2" --interface 10.98.0.1 --count 1 --size 100 --linger 120s \
		>"$out/lim-held-$1.txt" 2>&1 &
	echo $!
}
source_up() {	# GROUP PID: pgmctl sockets lists PID's source to GROUP (up to a minute)
	for _ in $(seq 600); do
		"$ctl" sockets --role source --group "$1" --json | grep -q "\"pid\":$2," && return 0
		sleep 0.1
	done
	return 1
}
policy_rate_of() {	# GROUP: the policy_rate of the one source to GROUP, or none
	local r
	r=$("$ctl" sockets --role source --group "$1" --json | grep -o '"policy_rate":[0-9]*')
	echo "${r#*:}"
}
policy_rate_becomes() {	# GROUP MIN MAX: within 10 s, MIN <= its policy_rate <= MAX
	local r
	for _ in $(seq 100); do
		r=$(policy_rate_of "$1")
		if [ -n "$r" ] && [ "$r" -ge "$2" ] && [ "$r" -le "$3" ]; then
			echo "    policy_rate of $1's source: $r"
			return 0
		fi
		sleep 0.1
	done
	echo "    policy_rate of $1's source: ${r:-none}"
	return 1
}
"$ctl" policy show --json >"$out/lim0.json" 2>&1
"$ctl" monitor --json --timeout 240 >"$out/lim-events.json" 2>"$out/lim-monitor.err" &
lmpid=$!
for _ in $(seq 300); do grep -q '"ready"' "$out/lim-events.json" 2>/dev/null && break; sleep 0.1; done
check "pgmctl policy max-groups 1" "$ctl" policy max-groups 1
apid=$(held_source 239.194.0.1 7610)
check "a source to 239.194.0.1 holds that group" source_up 239.194.0.1 "$apid"
"$bin/pgm-send" --group 239.194.0.2 --port 7612 --interface 10.98.0.1 --count 1 --size 100 --linger 0 \
	>"$out/lim-second.txt" 2>&1
echo $? >"$out/lim-second.rc"
sed 's/^/    pgm-send to a second group: /' "$out/lim-second.txt" | head -n 3
check "max-groups 1: a source to a second group fails, ENOBUFS with a hint naming max-groups" \
	sh -c "[ \"\$(cat '$out/lim-second.rc')\" != 0 ] && grep -q 'No buffer space available' '$out/lim-second.txt' &&
	grep -q 'max-groups' '$out/lim-second.txt'"
check "max-groups 1: a source to the group in use is allowed" \
	"$bin/pgm-send" --group 239.194.0.1 --port 7611 --interface 10.98.0.1 --count 1 --size 100 --linger 0
"$ctl" policy show --json >"$out/lim1.json" 2>&1
"$ctl" policy show >"$out/lim1.txt" 2>&1
sed 's/^/    /' "$out/lim1.txt" | head -n 8
check "pgmctl policy show --json: max_groups 1, groups 1 in use, policy_group_limit +1" policy_is "$out/lim1.json" '(
p["max_groups"] == 1 and p["groups"] == 1 and p["max_groups_max"] == 4096
and p["policy_group_limit"] == json.load(open(sys.argv[1].replace("lim1", "lim0")))["policy_group_limit"] + 1)'
check "pgmctl policy show: max-groups 1 with the group in use" grep -Eq '^max-groups +1 \(at most 4096\), 1 group in use$' "$out/lim1.txt"
check "policy max-groups 5000: the kernel's range" \
	refused 1 "integer out of range [max-groups] (accepted: 0-4096)" "$ctl" policy max-groups 5000
check "pgmctl policy max-groups 0" "$ctl" policy max-groups 0

# Rate caps.
"$ctl" policy add --action allow --role source --group 239.194.0.0/16 --rate-cap 100000 --json >"$out/lim-add1.json" 2>&1
check "pgmctl policy add --rate-cap 100000: added" grep -q '"id"' "$out/lim-add1.json"
bpid=$(held_source 239.194.0.3 7613)
check "a source to 239.194.0.3 under that rule" source_up 239.194.0.3 "$bpid"
check "pgmctl sockets --json: its policy_rate is the rule's cap, 100000" policy_rate_becomes 239.194.0.3 100000 100000
"$ctl" sockets --role source --group 239.194.0.3 >"$out/lim-sockets.txt" 2>&1
sed 's/^/    /' "$out/lim-sockets.txt" | head -n 3
check "pgmctl sockets: policy-rate 100000B/s on the source's second line" grep -q ' policy-rate 100000B/s' "$out/lim-sockets.txt"
check "pgmctl policy rate-cap 50k" "$ctl" policy rate-cap 50k
check "under rate-cap 50000 the idle source's policy rate is a share of it" policy_rate_becomes 239.194.0.3 1 50000
"$ctl" policy add --action allow --role source --group 239.194.0.3 --rate-cap 200000 --exempt --index 0 \
	--json >"$out/lim-add2.json" 2>&1
check "an exempt rule with --rate-cap 200000: the source's policy rate is its cap, out of the share" \
	policy_rate_becomes 239.194.0.3 200000 200000
"$ctl" policy show --json >"$out/lim2.json" 2>&1
check "pgmctl policy show --json: rate_cap 50000, the rules' rate_cap and exempt" policy_is "$out/lim2.json" '(
p["rate_cap"] == 50000 and [(r["rate_cap"], r["exempt"]) for r in p["rules"]] == [(200000, True), (100000, False)])'

# Revocation: a deny rule for the group of a connected source.
"$ctl" sockets --json >"$out/lim-sockets.json" 2>&1
"$ctl" stats --json >"$out/lim-stats0.json" 2>&1
"$ctl" policy add --action deny --role source --group 239.194.0.1 --index 0 --json >"$out/lim-add3.json" 2>&1
for _ in $(seq 300); do grep -q '"policy-revoked"' "$out/lim-events.json" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
"$ctl" stats --json >"$out/lim-stats1.json" 2>&1
kill "$lmpid" "$apid" "$bpid" 2>/dev/null
wait "$lmpid" "$apid" "$bpid" 2>/dev/null
limits_seen() {
	python3 - "$out" "$apid" <<'PY'
import json, sys
d, apid = sys.argv[1], int(sys.argv[2])
ev = [json.loads(l) for l in open(f"{d}/lim-events.json") if l.strip()]
socks = json.load(open(f"{d}/lim-sockets.json"))
ino = [s["inode"] for s in socks if s.get("pid") == apid and s["role"] == "source"]
deny = json.load(open(f"{d}/lim-add3.json"))["id"]
s0, s1 = json.load(open(f"{d}/lim-stats0.json")), json.load(open(f"{d}/lim-stats1.json"))
den = [e for e in ev if e["event"] == "policy-denied"]
rev = [e for e in ev if e["event"] == "policy-revoked"]
print(f"    source {apid}: inodes {ino}; policy_revoked {s0['policy_revoked']} -> {s1['policy_revoked']}")
print(f"    denied {den}; revoked {rev}")
ok = (any(e.get("error") == "ENOBUFS" and e.get("rule_id") is None and e.get("group") == "239.194.0.2"
          and e.get("role") == "source" and e.get("uid") == 0 for e in den)
      and len(ino) == 1
      and any(e.get("inode") == ino[0] and e.get("error") == "EACCES" and e.get("rule_id") == deny
              and e.get("group") == "239.194.0.1" and e.get("role") == "source" for e in rev)
      and s1["policy_revoked"] == s0["policy_revoked"] + 1)
sys.exit(0 if ok else 1)
PY
}
check "monitor: policy-denied with ENOBUFS by max-groups; policy-revoked of the live source by the deny rule (EACCES); policy_revoked +1" \
	limits_seen
check "pgmctl policy flush: three rules deleted, the limits cleared" \
	sh -c "'$ctl' policy flush | grep -qx 'deleted 3 rules and 0 logical groups; the default action is allow, no max-groups, no rate-cap'"
"$ctl" policy flush >/dev/null 2>&1	# whatever failed above: no policy for the tests after
"$ctl" policy show --json >"$out/lim3.json" 2>&1
check "after flush: no policy (no rule, allow, no max-groups, no rate-cap)" policy_is "$out/lim3.json" '(
p["default_action"] == "allow" and p["rule_count"] == 0 and p["rules"] == [] and p["max_groups"] == 0
and p["rate_cap"] == 0)'

# 6c. Logical groups (#22 piece 4): pgmctl policy map to a physical group
#     and to unicast receivers (both families), listed by policy show (text
#     and JSON, with map_count); mapped again, a logical group's mapping is
#     replaced in its place; unmap deletes one, a second unmap is refused
#     with the kernel's ENOENT; a multicast "unicast" receiver is pgmctl's
#     usage error, and the kernel's EINVAL with its text when asked without
#     pgmctl (policy_map.py); without CAP_NET_ADMIN map and unmap are
#     refused (EPERM) and show reads the logical groups; a source (pgm-send)
#     connected to a logical group mapped to 10.98.0.1 delivers to a
#     receiver bound to 0.0.0.0 on the port that joined nothing; flush
#     deletes every logical group and leaves no policy.
"$ctl" policy show --json >"$out/map0.json" 2>&1
check "pgmctl policy show --json: no logical group at first" \
	policy_is "$out/map0.json" 'p["map_count"] == 0 and p["maps"] == [] and p["maps_max"] == 64'
check "pgmctl policy map 239.195.0.1 --physical 239.195.0.99" "$ctl" policy map 239.195.0.1 --physical 239.195.0.99
check "pgmctl policy map 239.195.0.2 --unicast 10.98.0.1,10.98.0.2 --unicast 10.98.0.3" \
	"$ctl" policy map 239.195.0.2 --unicast 10.98.0.1,10.98.0.2 --unicast 10.98.0.3
check "pgmctl policy map ff15::195:1 --unicast fd00:98::1" "$ctl" policy map ff15::195:1 --unicast fd00:98::1
"$ctl" policy show --json >"$out/map1.json" 2>&1
"$ctl" policy show >"$out/map1.txt" 2>&1
sed 's/^/    /' "$out/map1.txt"
maps_are() {	# FILE PYTHON-EXPR: EXPR holds for the logical groups of policy show --json in FILE (maps: by logical)
	python3 - "$1" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
maps = {m["logical"]: (m["family"], m["physical"], m["unicast"]) for m in p.get("maps", [])}
order = [m["logical"] for m in p.get("maps", [])]
print(f"    map_count {p.get('map_count')}: {order} {maps}")
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
check "pgmctl policy show --json: the three logical groups in order, map_count 3" maps_are "$out/map1.json" '(
p["map_count"] == 3 and order == ["239.195.0.1", "239.195.0.2", "ff15::195:1"]
and maps == {"239.195.0.1": (4, "239.195.0.99", None), "239.195.0.2": (4, None, ["10.98.0.1", "10.98.0.2", "10.98.0.3"]),
             "ff15::195:1": (6, None, ["fd00:98::1"])})'
check "pgmctl policy show: the count and the logical groups' table" sh -c "grep -Eq '^logical groups +3 \(at most 64\)\$' '$out/map1.txt' &&
	grep -Eq '^Logical +Target +Addresses\$' '$out/map1.txt' &&
	grep -Eq '^239\.195\.0\.1 +physical +239\.195\.0\.99\$' '$out/map1.txt' &&
	grep -Eq '^239\.195\.0\.2 +unicast +10\.98\.0\.1,10\.98\.0\.2,10\.98\.0\.3\$' '$out/map1.txt' &&
	grep -Eq '^ff15::195:1 +unicast +fd00:98::1\$' '$out/map1.txt'"
check "pgmctl policy map 239.195.0.1 --unicast 10.98.0.9: replaces its mapping" \
	"$ctl" policy map 239.195.0.1 --unicast 10.98.0.9
"$ctl" policy show --json >"$out/map2.json" 2>&1
check "pgmctl policy show --json: 239.195.0.1 now stands for 10.98.0.9, in its place; still 3" maps_are "$out/map2.json" '(
p["map_count"] == 3 and order == ["239.195.0.1", "239.195.0.2", "ff15::195:1"]
and maps["239.195.0.1"] == (4, None, ["10.98.0.9"]))'
check "pgmctl policy unmap ff15::195:1" "$ctl" policy unmap ff15::195:1
check "pgmctl policy unmap ff15::195:1 again: the kernel's ENOENT" \
	refused 1 "kernel refused the request: no such logical group" "$ctl" policy unmap ff15::195:1
check "policy map with a multicast unicast receiver: pgmctl's usage error" \
	refused 64 "--unicast: a unicast receiver must be a unicast address: 239.1.1.1 is multicast" \
	"$ctl" policy map 239.195.0.3 --unicast 10.98.0.1,239.1.1.1
check "... and the kernel's EINVAL with its text, asked without pgmctl" \
	refused 1 "errno 22 a unicast receiver must be a unicast address" \
	python3 "$top/Tests/kernel/policy_map.py" add 239.195.0.3 --unicast 10.98.0.1 239.1.1.1
check "without CAP_NET_ADMIN: policy map is refused, naming the capability" \
	refused 1 "permission denied: mapping a logical group needs CAP_NET_ADMIN" \
	"${nobody[@]}" "$ctl" policy map 239.195.0.4 --physical 239.195.0.98
check "without CAP_NET_ADMIN: policy unmap is refused" \
	refused 1 "permission denied: deleting a logical group needs CAP_NET_ADMIN" \
	"${nobody[@]}" "$ctl" policy unmap 239.195.0.1
"${nobody[@]}" "$ctl" policy show --json >"$out/map-nobody.json" 2>&1
check "without CAP_NET_ADMIN: policy show --json reads the logical groups; the refused changes changed nothing" \
	maps_are "$out/map-nobody.json" 'p["map_count"] == 2 and order == ["239.195.0.1", "239.195.0.2"]'

# Fan-out: a source to 239.195.0.5, mapped to this host's 10.98.0.1, and a
# receiver bound to 0.0.0.0 on the port that joined no group.
check "pgmctl policy map 239.195.0.5 --unicast 10.98.0.1" "$ctl" policy map 239.195.0.5 --unicast 10.98.0.1
rm -f "$out/fan-rcv" "$out/fan-rcv.ready"
python3 - "$out/fan-rcv" 7620 >"$out/fan-rcv.log" 2>&1 <<'PY' &
import os, select, socket, sys, time
r = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
r.bind(("0.0.0.0", int(sys.argv[2])))
r.setblocking(False)
open(sys.argv[1] + ".ready", "w").close()
got, end = 0, time.time() + 60
while time.time() < end and got < 20:
    if select.select([r], [], [], 0.5)[0]:
        try:
            while True:
                if r.recv(65536):
                    got += 1
        except BlockingIOError:
            pass
open(sys.argv[1] + ".tmp", "w").write(str(got))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PY
fpid=$!
for _ in $(seq 600); do [ -f "$out/fan-rcv.ready" ] && break; sleep 0.1; done
"$bin/pgm-send" --group 239.195.0.5 --port 7620 --interface 10.98.0.1 --count 20 --size 100 --linger 1s \
	>"$out/fan-send.txt" 2>&1
echo $? >"$out/fan-send.rc"
for _ in $(seq 600); do [ -f "$out/fan-rcv" ] && break; sleep 0.1; done
kill $fpid 2>/dev/null
wait $fpid 2>/dev/null
sed 's/^/    pgm-send: /' "$out/fan-send.txt" | head -n 3
echo "    receiver bound to 0.0.0.0:7620 got $(cat "$out/fan-rcv" 2>/dev/null || echo nothing) APDUs"
check "a source to the logical group 239.195.0.5 (unicast 10.98.0.1) delivers its 20 APDUs to a receiver bound to 0.0.0.0" \
	sh -c "[ \"\$(cat '$out/fan-send.rc')\" = 0 ] && [ \"\$(cat '$out/fan-rcv' 2>/dev/null)\" = 20 ]"

check "pgmctl policy flush: no rule, three logical groups deleted" \
	sh -c "'$ctl' policy flush | grep -qx 'deleted 0 rules and 3 logical groups; the default action is allow, no max-groups, no rate-cap'"
"$ctl" policy flush >/dev/null 2>&1	# whatever failed above: no policy for the tests after
"$ctl" policy show --json >"$out/map3.json" 2>&1
check "after flush: no policy (no rule, no logical group, allow, no max-groups, no rate-cap)" policy_is "$out/map3.json" '(
p["default_action"] == "allow" and p["rule_count"] == 0 and p["rules"] == [] and p["map_count"] == 0
and p["maps"] == [] and p["max_groups"] == 0 and p["rate_cap"] == 0)'

# 7. The network element (RFC 3208 section 7, kernel/ne.c) in a netns of its
#    own: off as built; root turns it on and ne show says so (text and
#    JSON, every counter there); ne sessions --json is a JSON array; without
#    CAP_NET_ADMIN ne on and ne off are refused with EPERM and a message
#    naming the capability, and ne show still reads it; ne off turns it off.
netns_add tne
nectl=(ip netns exec tne "$ctl")
ne_is() {	# FILE PYTHON-EXPR: pgmctl ne show --json in FILE parses and EXPR holds for it (p)
	python3 - "$1" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
print(f"    enabled {p.get('enabled')}, tsis {p.get('tsis')}, states {p.get('states')}, mem {p.get('mem')}, "
      f"{len(p) - 4} counters")
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
"${nectl[@]}" ne show >"$out/ne0.txt" 2>&1
sed 's/^/    /' "$out/ne0.txt" | head -n 4
check "pgmctl ne show: off in a fresh netns" grep -Eq '^network element +off$' "$out/ne0.txt"
"${nectl[@]}" ne show --json >"$out/ne0.json" 2>&1
check "pgmctl ne show --json: enabled false, nothing held" \
	ne_is "$out/ne0.json" 'p["enabled"] is False and p["tsis"] == 0 and p["states"] == 0'
check "pgmctl ne on" "${nectl[@]}" ne on
"${nectl[@]}" ne >"$out/ne1.txt" 2>&1
check "pgmctl ne (show): on" grep -Eq '^network element +on$' "$out/ne1.txt"
"${nectl[@]}" ne show --json >"$out/ne1.json" 2>&1
check "pgmctl ne show --json: enabled true, with the spec's counters" ne_is "$out/ne1.json" '(
p["enabled"] is True and all(k in p for k in ("mem", "spms", "naks_forwarded", "naks_eliminated", "ncfs_sent",
                                              "rdata_constrained", "fragments")))'
"${nectl[@]}" ne sessions --json >"$out/ne-sessions.json" 2>&1
check "pgmctl ne sessions --json: a JSON array" \
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(f"    {len(s)} sessions"); sys.exit(0 if isinstance(s, list) else 1)' \
	"$out/ne-sessions.json"
"${nectl[@]}" ne sessions >"$out/ne-sessions.txt" 2>&1
check "pgmctl ne sessions: the table's header" \
	sh -c "head -n 1 '$out/ne-sessions.txt' | grep -Eq '^TSI +Group +Source +Port +Upstream +Interface +States +TG-size +Idle\$'"
check "without CAP_NET_ADMIN: ne on is refused (EPERM), naming the capability" \
	refused 1 "permission denied: turning the network element on needs CAP_NET_ADMIN in the network namespace" \
	ip netns exec tne "${nobody[@]}" "$ctl" ne on
check "without CAP_NET_ADMIN: ne off is refused" \
	refused 1 "permission denied: turning the network element off needs CAP_NET_ADMIN" \
	ip netns exec tne "${nobody[@]}" "$ctl" ne off
ip netns exec tne "${nobody[@]}" "$ctl" ne show --json >"$out/ne-nobody.json" 2>&1
check "without CAP_NET_ADMIN: ne show --json reads it, still on" ne_is "$out/ne-nobody.json" 'p["enabled"] is True'
check "pgmctl ne off" "${nectl[@]}" ne off
"${nectl[@]}" ne show --json >"$out/ne2.json" 2>&1
check "pgmctl ne show --json: off again, nothing held" \
	ne_is "$out/ne2.json" 'p["enabled"] is False and p["tsis"] == 0 and p["states"] == 0'
"${nectl[@]}" ne off >/dev/null 2>&1	# whatever failed above
netns_cleanup

echo "pgmctl-vm: $pass passed, $fail failed"
[ $fail = 0 ]
