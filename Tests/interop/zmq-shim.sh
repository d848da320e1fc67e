#!/usr/bin/env bash
# Tests/interop/zmq-shim.sh - Debian's unmodified libzmq over pgm.ko through
# the libpgm shim (build/shim/libpgm-5.3.so.0, docs/zeromq.md), inside the
# test VM.  Two namespaces over a veth pair with netem loss on both ends;
# Tests/interop/zpeer.c as publisher and subscriber, with
# LD_LIBRARY_PATH=build/shim ("shim") or without it (OpenPGM, "opgm").
# Each case sends stream.h's messages and checks that the subscriber's
# records have the SHA-256 of the generated stream, and, on the shim's
# side, that the kernel's PGM input counters of its namespace moved (the
# kernel carried it, not OpenPGM).  Then, as nobody (uid 65534, no
# capabilities), pgm:// over the shim, and the same over OpenPGM, which
# must fail (raw sockets).  Last, without loss, ZeroMQ msgs/s over the
# shim and over OpenPGM, and their ratio (figures, not a test).
# Prints "zmq-shim: N passed, N failed".
#
#   zmq-shim.sh [BUILD-DIR] [COUNT] [LOSS%]    BUILD-DIR holds interop/ and shim/
#
# Environment: PGM_ZMQ_SHIM_CASES (a regex of the stream cases to run),
# PGM_ZMQ_SHIM_NO_BENCH=1 (no figures), PGM_ZMQ_SHIM_BENCH_COUNT, _SIZE,
# _RATE (kbit/s) for the figures.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
count=${2:-${PGM_ZMQ_SHIM_COUNT:-400}}
loss=${3:-${PGM_ZMQ_SHIM_LOSS:-5}}
bin=$build/interop shim=$build/shim
out=${PGM_VM_OUT:-/tmp}/zmq-shim
mkdir -p "$out"
chmod 0777 "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }

S=10.97.0.1 R=10.97.0.2 G=239.192.0.97
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT
netns_pair zsrc veth-zs $S zrcv veth-zr $R
netns_netem zsrc veth-zs loss "$loss%"
netns_netem zrcv veth-zr loss "$loss%"

"$bin/kpeer" gen "$count" >"$out/expected"
want=$(sha256sum <"$out/expected" | cut -d' ' -f1)
echo "# $count messages, sha256 $want, loss $loss% both ways"

delivered() {	# PGM packets the netns's kernel handed to a socket (PGM_NETNS_STATS)
	ip netns exec "$1" python3 -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
print(struct.unpack("9Q", s.getsockopt(113, 42, 72))[7])'
}

cases=${PGM_ZMQ_SHIM_CASES:-.}	# a regex: which zcase cases run (all by default)

# run AS LIB -- ARGS...: zpeer in the namespace, as AS (root or nobody),
# over LIB (shim or opgm).
run() {
	local ns=$1 as=$2 lib=$3
	shift 4
	local env=(env)
	[ "$lib" = shim ] && env+=(LD_LIBRARY_PATH="$shim")
	if [ "$as" = nobody ]; then
		ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all "${env[@]}" timeout 120 "$bin/zpeer" "$@"
	else
		ip netns exec "$ns" "${env[@]}" timeout 120 "$bin/zpeer" "$@"
	fi
}

# zcase NAME AS SUBLIB PUBLIB PORT [--pgm]: a subscriber in zrcv, a publisher in zsrc.
zcase() {
	local name=$1 as=$2 sublib=$3 publib=$4 port=$5 proto=${6:-} why="" d0s d0r d1s d1r got
	[[ $name =~ $cases ]] || return 0
	d0s=$(delivered zsrc) d0r=$(delivered zrcv)
	run zrcv "$as" "$sublib" -- sub $G "$port" $R "$count" $proto >"$out/$name.recv" 2>"$out/$name.recv.err" &
	local rpid=$!
	for _ in $(seq 100); do grep -q ready "$out/$name.recv.err" 2>/dev/null && break; sleep 0.1; done
	run zsrc "$as" "$publib" -- pub $G "$port" $S "$count" $proto >"$out/$name.send" 2>"$out/$name.send.err"
	local rc_s=$?
	wait $rpid
	local rc_r=$?
	d1s=$(delivered zsrc) d1r=$(delivered zrcv)
	got=$(sha256sum <"$out/$name.recv" | cut -d' ' -f1)
	sed 's/^/    /' "$out/$name.send.err" "$out/$name.recv.err" | tail -n 20
	echo "    $name: received sha256 $got ($(stat -c %s "$out/$name.recv") bytes);" \
		"kernel PGM packets delivered: zsrc $((d1s - d0s)), zrcv $((d1r - d0r))"
	[ $rc_s = 0 ] || why="$why publisher exit $rc_s;"
	[ $rc_r = 0 ] || why="$why subscriber exit $rc_r;"
	[ "$got" = "$want" ] || why="$why sha256 differs;"
	# The shim's side: its kernel sockets took the data (subscriber) or
	# the NAKs (publisher, under loss).
	[ "$sublib" != shim ] || [ $((d1r - d0r)) -ge "$count" ] || why="$why zrcv's kernel did not receive it;"
	[ "$publib" != shim ] || [ "$loss" = 0 ] || [ $((d1s - d0s)) -gt 0 ] ||
		why="$why zsrc's kernel received no NAK;"
	# The OpenPGM side must not have gone through the kernel.
	[ "$sublib" = shim ] || [ $((d1r - d0r)) -lt 10 ] || why="$why zrcv's kernel took packets for OpenPGM;"
	if [ -z "$why" ]; then
		ok "$name: sha256 equal"
	else
		notok "$name:$why"
	fi
}

zcase shim-to-shim-epgm root shim shim 5561
zcase shim-to-shim-pgm root shim shim 5562 --pgm
zcase shim-pub-to-openpgm-sub-epgm root opgm shim 5563
zcase openpgm-pub-to-shim-sub-epgm root shim opgm 5564
zcase shim-pub-to-openpgm-sub-pgm root opgm shim 5565 --pgm
zcase openpgm-pub-to-shim-sub-pgm root shim opgm 5566 --pgm
# Without privilege: the shim's pgm:// needs none.
zcase unprivileged-shim-to-shim-pgm nobody shim shim 5567 --pgm

# Unrecoverable loss: ZMQ_RECOVERY_IVL 1 ms sizes both windows at two
# packets, so most losses leave the source's window before their NAK.  The
# kernel reports each (ECONNRESET, a PGM_LOSS record), the shim returns
# PGM_IO_STATUS_RESET with the session's TSI, libzmq drops that peer's
# decoder and joins again at the next message start: messages are
# missing, and every one delivered is whole and in order (soak-check.py).
if [[ shim-loss-reset =~ $cases ]]; then
	run zrcv root shim -- sub $G 5572 $R "$count" --ivl 1 --timeout 5 \
		>"$out/reset.recv" 2>"$out/reset.recv.err" &
	rpid=$!
	for _ in $(seq 100); do grep -q ready "$out/reset.recv.err" 2>/dev/null && break; sleep 0.1; done
	run zsrc root shim -- pub $G 5572 $S "$count" --ivl 1 >/dev/null 2>"$out/reset.send.err"
	rc_s=$?
	wait $rpid
	n=$(python3 -c 'import sys
b = open(sys.argv[1], "rb").read(); i = n = 0
while i + 4 <= len(b):
    i += 4 + int.from_bytes(b[i:i + 4], "big"); n += 1
print(n)' "$out/reset.recv")
	cls=$(python3 "$top/Tests/interop/soak-check.py" "$count" - "$out/reset.recv")
	rc_c=$?
	printf '%s\n' "$cls" | sed "s|$out/||; s/^/    /" | tail -n 4
	if [ $rc_s = 0 ] && [ $rc_c = 0 ] && [ "$n" -gt 0 ] && [ "$n" -lt "$count" ]; then
		ok "shim-loss-reset: $n of $count messages, each whole and in order (losses reset the peer)"
	else
		notok "shim-loss-reset: publisher exit $rc_s, $n of $count messages, soak-check exit $rc_c"
	fi
fi

# OpenPGM's pgm:// as nobody: its raw socket is refused, and libzmq
# aborts (errno_assert after pgm_receiver_t::init in session_base.cpp).
run zrcv nobody opgm -- sub $G 5568 $R 1 --pgm --timeout 3 >/dev/null 2>"$out/unpriv-opgm.err"
rc=$?
sed 's/^/    /' "$out/unpriv-opgm.err" | tail -n 3
if [ $rc != 0 ] && [ $rc != 2 ] && [ $rc != 124 ] && grep -q 'session_base' "$out/unpriv-opgm.err"; then
	ok "unprivileged-openpgm-pgm-refused: OpenPGM's pgm:// needs CAP_NET_RAW (libzmq aborts, exit $rc)"
else
	notok "unprivileged-openpgm-pgm-refused: exit $rc"
fi

# A shim socket where pgm.ko cannot be had is an error, not a crash: the
# same sub with a network string the shim refuses (IPv6).
err=$(LD_LIBRARY_PATH="$shim" python3 - "$bin" <<'PY' 2>&1
import ctypes, sys
z = ctypes.CDLL("libzmq.so.5")
z.zmq_ctx_new.restype = ctypes.c_void_p
z.zmq_socket.restype = ctypes.c_void_p
z.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
z.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
z.zmq_close.argtypes = [ctypes.c_void_p]
c = z.zmq_ctx_new()
s = z.zmq_socket(c, 2)  # ZMQ_SUB
rc6 = z.zmq_connect(s, b"epgm://;[ff08::1]:5569")
rcn = z.zmq_connect(s, b"epgm://nosuchif0;239.192.0.97:5569")
print(rc6, rcn)
z.zmq_close(s)
PY
)
if [ "$(printf '%s\n' "$err" | tail -n 1 | cut -d' ' -f1-2)" = "-1 -1" ]; then
	ok "refusals: IPv6 group and unknown interface fail zmq_connect (no abort)"
else
	notok "refusals: $err"
fi

# Figures: msgs/s without loss, the same boot, shim then OpenPGM, at each
# ZMQ_RATE of PGM_ZMQ_SHIM_BENCH_RATES (kbit/s): the first beyond what the
# VM carries, the second one both should carry.  The publisher stays 15 s
# after queuing its messages (ZeroMQ sends them from its queue meanwhile);
# the subscriber's rate is from its first message to its last, and the
# counts say what did not arrive (mid-stream or at the end).
if [ -z "${PGM_ZMQ_SHIM_NO_BENCH:-}" ]; then
	netns_netem zsrc veth-zs
	netns_netem zrcv veth-zr
	bn=${PGM_ZMQ_SHIM_BENCH_COUNT:-200000} bs=${PGM_ZMQ_SHIM_BENCH_SIZE:-64}
	bport=5570
	bench() {	# LIB RATE: prints the subscriber's message count and msgs/s
		local lib=$1 rate=$2 env=(env)
		[ "$lib" = shim ] && env+=(LD_LIBRARY_PATH="$shim")
		bport=$((bport + 1))
		ip netns exec zrcv "${env[@]}" timeout 200 "$bin/zbench" sub "epgm://$R;$G:$bport" "$bn" 5 \
			>"$out/bench-$lib.out" 2>"$out/bench-$lib.err" &
		local p=$!
		for _ in $(seq 100); do grep -q ready "$out/bench-$lib.err" 2>/dev/null && break; sleep 0.1; done
		ip netns exec zsrc "${env[@]}" timeout 200 "$bin/zbench" pub "epgm://$S;$G:$bport" "$bn" "$bs" "$rate" 15 \
			2>>"$out/bench-$lib.err"
		wait $p
		echo "    $lib: $(cat "$out/bench-$lib.out"); $(grep missing "$out/bench-$lib.err" | sed 's/^zbench sub: //')" >&2
		sed -n 's/^zbench sub: \([0-9]*\) messages, .* \([0-9]*\) msgs\/s$/\1 \2/p' "$out/bench-$lib.out"
	}
	for brate in ${PGM_ZMQ_SHIM_BENCH_RATES:-1000000 50000}; do
		echo "# $bn messages of $bs bytes, ZMQ_RATE $brate kbit/s, epgm://, no loss"
		read -r kn ks < <(bench shim "$brate")
		read -r on os < <(bench opgm "$brate")
		echo "# zmq msgs/s at $brate kbit/s: shim ${ks:-?} (${kn:-?} of $bn delivered)," \
			"openpgm ${os:-?} (${on:-?} of $bn delivered)," \
			"shim/openpgm $(python3 -c "import sys; a, b = sys.argv[1:]; print('%.2f' % (float(a) / float(b)) if a and b and float(b) else '?')" "${ks:-}" "${os:-}")"
	done
fi

echo "zmq-shim: $pass passed, $fail failed"
[ $fail = 0 ]
