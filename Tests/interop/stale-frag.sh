#!/usr/bin/env bash
# Tests/interop/stale-frag.sh - libpgm 5.3's receiver loses a short APDU
# that follows a duplicate fragment (docs/openpgm-receiver-loss.md), shown
# with no loss on the link at all.  Inside the test VM (pgm.ko loaded).
# A source of this module sends a fragmented APDU and a 500-byte one; then,
# in the "dup" case only, a NAK for the APDU's second fragment is injected
# at the source (a raw socket in its namespace), so the OpenPGM receiver
# gets that fragment again as RDATA and discards it; then a 5-byte APDU
# and three more.  The receiver must deliver all six APDUs; with the
# duplicate, libpgm 5.3 drops the 5-byte one (a reset) without a NAK.
# Prints "ok"/"not ok" per case; "# libpgm lost ..." when it happened.
#
#   stale-frag.sh [BUILD-DIR]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/interop}
out=${PGM_VM_OUT:-/tmp}/stale-frag
mkdir -p "$out"
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT
S=10.94.0.1 R=10.94.0.2 G=239.192.0.94
netns_pair fsrc veth-fs $S frcv veth-fr $R

src() {	# the source: CASE PORT
	ip netns exec fsrc python3 - "$@" <<'PY'
import socket, struct, sys, time
case, port = sys.argv[1], int(sys.argv[2])
S, G = "10.94.0.1", "239.192.0.94"
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
s.bind((S, 0))
s.connect((G, port))
time.sleep(1)					# an SPM first
msgs = [bytes((i * 7 + k) & 0xFF for k in range(n)) for i, n in enumerate((3000, 500, 5, 700, 800, 900))]
s.send(msgs[0])
first = struct.unpack_from("=I", s.getsockopt(113, 40, 96), 92)[0] - 2	# txw_lead - 2
s.send(msgs[1])
time.sleep(0.5)
if case.startswith("dup"):
    gsi_sport = s.getsockopt(113, 43, 8)		# PGM_TSI: gsi, sport (network order)
    nak = struct.pack("!HHBBH6sH", port, struct.unpack("!H", gsi_sport[6:])[0], 0x08, 0, 0,
                      gsi_sport[:6], 0)
    nak += struct.pack("!IHH4sHH4s", first + 1, 1, 0, socket.inet_aton(S), 1, 0, socket.inet_aton(G))
    c = sum(struct.unpack("!%dH" % (len(nak) // 2), nak))
    while c >> 16:
        c = (c & 0xFFFF) + (c >> 16)
    nak = nak[:6] + struct.pack("!H", ~c & 0xFFFF) + nak[8:]
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 113)
    r.sendto(nak, (S, 0))
    time.sleep(float(case[4:] or 0.5))	# "dup-0.02": the tiny APDU 20 ms after the NAK
for m in msgs[2:]:
    s.send(m)
    time.sleep(0.1)
time.sleep(2)
st = s.getsockopt(113, 40, 96)
print("source: first sqn %d, rdata_sent %d, naks_received %d" % (
    first, struct.unpack_from("=Q", st, 16)[0], struct.unpack_from("=Q", st, 48)[0]), file=sys.stderr)
for m in msgs:
    sys.stdout.buffer.write(len(m).to_bytes(4, "big") + m)
PY
}

pass=0 fail=0
port=7790
for case in ${STALE_FRAG_CASES:-clean dup dup-0.02 dup-0}; do
	port=$((port + 1))
	ip netns exec frcv timeout 60 "$bin/opgm" recv $G $port $R 6 --timeout 12 \
		>"$out/$case.recv" 2>"$out/$case.recv.err" &
	rpid=$!
	for _ in $(seq 100); do grep -q ready "$out/$case.recv.err" 2>/dev/null && break; sleep 0.1; done
	src "$case" $port >"$out/$case.send" 2>"$out/$case.send.err"
	wait $rpid
	rc=$?
	sed 's/^/    /' "$out/$case.send.err"; grep -v '^libpgm' "$out/$case.recv.err" | sed 's/^/    /'
	if cmp -s "$out/$case.recv" "$out/$case.send"; then
		pass=$((pass + 1)); echo "ok - stale-frag $case: the OpenPGM receiver delivered all 6 APDUs"
	else
		fail=$((fail + 1))
		echo "not ok - stale-frag $case: the OpenPGM receiver's APDUs differ (exit $rc)"
		python3 - "$out/$case.send" "$out/$case.recv" <<'PY'
import sys
def recs(p):
    b = open(p, "rb").read(); out = []; i = 0
    while i + 4 <= len(b):
        n = int.from_bytes(b[i:i + 4], "big"); out.append(b[i + 4:i + 4 + n]); i += 4 + n
    return out
sent, got = recs(sys.argv[1]), recs(sys.argv[2])
lost = [i for i, m in enumerate(sent) if m not in got]
extra = [m for m in got if m not in sent]
print("# libpgm lost APDU(s) %s of %s bytes; %d delivered that were not sent" % (
    lost, [len(sent[i]) for i in lost], len(extra)))
PY
	fi
done
echo "stale-frag: $pass passed, $fail failed"
[ $fail = 0 ]
