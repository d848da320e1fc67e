#!/usr/bin/env bash
# Tests/kernel/e2e.sh - end-to-end PGM over a bridge, inside the test VM.
#
#   e2e.sh [COUNT] [CASE...]
#     CASE: loss0 loss1 loss5 fec5 loss10 reorder nonak expiry multi slow ring10 ringnonak
#           latejoin latejoin50 fecjoin confirm fanout5 v6loss0 v6loss5 v6loss10 v6multi
#
# Topology (all inside the VM): namespaces src, r1, r2, r3, each with a veth
# to a bridge in namespace sw (snooping off, so multicast floods), on
# 10.99.0.0/24.  netem on the bridge ports toward each receiver shapes the
# data path and on each receiver's own port its NAKs.  Every case sends
# COUNT APDUs (default 10000) and checks that every receiver delivered the
# sender's stream exactly (SHA-256) and then saw the session end with
# OPT_FIN; for nonak (NAKs dropped), that the loss reached the application;
# for expiry (the source's link cut mid-stream, then the source killed),
# that each receiver delivered an exact prefix and reported the session
# expired; for multi, that two sources on one group reach two receiving
# sockets on one host and one on each other, every session exact.  The
# ring cases (PGM_E2E_RING_COUNT APDUs, default 2000) receive in r1 through
# the mmap ring (PGM_RX_RING) and in r2, r3 through recvmsg, so the ring's
# stream must equal recvmsg's byte for byte: ring10 at 10% loss, ringnonak
# with NAKs dropped (the loss records reach the application in the ring).
# The late-join cases (RFC 3208 section 9.4; PGM_E2E_LATE_COUNT APDUs,
# default 6000) start r3 3 s after the source:
# r1 and r2 get the whole stream, r3 an exact suffix of it; latejoin (the
# default PGM_LATE_JOIN 0) requires that nothing was repaired (no NAK from
# r3, no RDATA from the source: no replay for anyone), latejoin50 (50%) that
# r3 repaired some history and the source sent at most half its window of
# RDATA (PGM_TXW_SQNS 8192).  fec5 runs loss5 with FEC at the source
# (RS(32, 16), two proactive parity packets a group, on-demand parity) and
# r1 reading through the ring: the source must have sent parity and every
# receiver rebuilt groups from it (RFC 3208 appendix A).  fecjoin is
# latejoin50 with on-demand parity only (RS(32, 16): 16 numbers a group)
# and parity NAKs: r3 repairs the history it is offered (whole groups it
# never saw) with parity alone, and must have rebuilt groups from it.  (With
# proactive parity too, a whole group asks for more than the numbers left
# and gets its originals: src-fec-ondemand-past-numbers.)  The
# loss1 case is also captured on the bridge and the capture must decode in
# tshark with no packet flagged malformed.  The v6 cases are loss0, loss5,
# loss10 and multi over IPv6 (group ff15::1, fd00:99::/64 beside
# 10.99.0.0/24 on the same links; NLAs of AFI 2).  confirm is loss5 with
# confirmed delivery and flow control (docs/confirmed-delivery.md): every
# receiver confirms (PGM_CONFIRM), r3's data path is 40 ms slower, and the
# source's window is 64 sqns (PGM_CONFIRM_FLOW), so the slowest receiver
# must have held the source back (flow_limited) and still every stream is
# exact; the source must see all three confirm everything it sent, and
# prints how long that took after its last send().  fanout5 is loss5
# without multicast: the source's netns maps the group to the three
# receivers' unicast addresses (a logical group of its multicast policy,
# docs/governance.md), so each packet leaves three times, unicast, and
# the receivers, bound to INADDR_ANY, take the session at their own
# addresses; NAKs and repairs must work as over multicast.  Prints one result line
# per case and receiver, and "e2e: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
e2e=$top/build/ktests/e2e
count=${1:-10000}
shift || true
cases=("$@")
[ ${#cases[@]} -gt 0 ] ||
	cases=(loss0 loss1 loss5 fec5 loss10 reorder nonak expiry multi slow ring10 ringnonak latejoin latejoin50 fecjoin confirm
	       fanout5 v6loss0 v6loss5 v6loss10 v6multi)
out=${PGM_VM_OUT:-/tmp}/e2e
mkdir -p "$out"
# The streams themselves (what each process sent or delivered, compared
# after each case) stay in the guest's own tmpfs: $out is the host's
# directory over 9p, where the sender's unbuffered write per APDU cost
# more than the protocol (5000 APDUs: 22 s to 9p).  A failed case's
# streams are copied to $out for a look afterwards.
bout=$(mktemp -d /tmp/pgm-e2e.XXXXXX)
rate=${PGM_E2E_RATE:-6000000}
# How long a receiver waits for the whole stream and its end.  A transfer
# takes 15-30 s on an idle host; a shared, emulated one has taken 110 s, so
# this only catches a session that never ends.
recv_timeout=${PGM_E2E_TIMEOUT:-400}
group=239.192.0.1
prefix=10.99.0.	# host N of the bridge is $prefix$N: src 1, r1 2, r2 3, r3 4
pass=0 fail=0
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"

# shape RULES [NAKRULES]: netem RULES on the data path to each receiver and
# NAKRULES (default RULES) on its NAK path; "" for none.
shape() {
	local r
	for r in r1 r2 r3; do
		netns_netem sw "p-$r" "$1"
		netns_netem "$r" eth0 "${2:-$1}"
	done
}

# A process costs a good part of a second on an emulated CPU, so the
# reports read the logs in bash: load FILE... puts each FILE's key=value
# lines into KV["FILE:key"] (the last value wins), and ${KV[FILE:key]-}
# reads one.
declare -A KV
load() {
	local f k v
	KV=()
	for f in "$@"; do
		[ -f "$f" ] || continue
		while IFS='=' read -r k v; do
			[[ $k =~ ^[a-z0-9_]+$ ]] && KV[$f:$k]=$v
		done <"$f"
	done
}

# relink: after the expiry case took the source's link down, which also
# dropped its route and IPv6 address, bring them back.
relinked=1
relink() {
	[ $relinked = 1 ] && return
	ip -n src link set eth0 up
	ip -n src route replace 224.0.0.0/4 dev eth0
	setup6
	relinked=1
}

# out_mcast: the multicast packets the source's netns has sent (IpExt
# OutMcastPkts).
out_mcast() {
	ip netns exec src awk '/^IpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutMcastPkts") c = i; h = 1 } else print $c }' \
		/proc/net/netstat
}

# nready FILE...: how many of the receivers' logs say "ready" (in $nready).
nready() {
	local f l
	nready=0
	for f in "$@"; do
		[ -f "$f" ] || continue
		while IFS= read -r l; do
			[[ $l == *ready* ]] && { nready=$((nready + 1)); break; }
		done <"$f"
	done
}

# wait_receivers NAME: wait for r1, r2, r3 (their pids in the caller's
# rpid); each receiver's exit status is its own verdict (see e2e.c).
wait_receivers() {
	local r rc=0
	for r in r1 r2 r3; do
		if ! wait "${rpid[$r]}"; then
			rc=1
			echo "    $1 $r: receiver failed"
			tail -n 6 "$out/$1-$r.log" | sed 's/^/      /'
		fi
	done
	return $rc
}

run_case() {
	local name=$1 rules=$2 nakrules=${3:-$2} expect=${4:-fin} seed=$RANDOM r i ok=1 t0 t1
	local ringr=${5:-}	# the receiver that reads through the ring
	relink
	shape "$rules" "$nakrules"
	# One receiver slower than the others ($PGM_E2E_SLOW_R3: netem rules).
	[ -n "${PGM_E2E_SLOW_R3:-}" ] && netns_netem sw p-r3 "$PGM_E2E_SLOW_R3"
	i=2
	local -A rpid=()
	for r in r1 r2 r3; do
		ip netns exec $r "$e2e" recv $group 7500 "$count" "$seed" "$recv_timeout" $prefix$i $expect \
			$([ "$r" = "$ringr" ] && echo ring) >"$bout/$name-$r.bin" 2>"$out/$name-$r.log" &
		rpid[$r]=$!
		i=$((i + 1))
	done
	for _ in $(seq 100); do
		nready "$out"/$name-r?.log
		[ $nready -eq 3 ] && break
		sleep 0.1
	done
	local cap= tpid=
	if [ "$name" = loss1 ] && command -v tshark >/dev/null; then
		cap=$out/$name.pcapng
		rm -f "$cap"
		# dumpcap itself, not tshark: tshark loads every dissector and
		# asks every extcap helper for interfaces before it starts
		# dumpcap, which on an emulated CPU has outlasted the whole case
		# (no capture file at all).  Bounded in packets and time;
		# stopped below in any case.
		ip netns exec sw dumpcap -q -i br0 -c 4000 -a duration:300 -w "$cap" \
			2>"$out/$name.dumpcap.err" &
		tpid=$!
		for _ in $(seq 300); do [ -s "$cap" ] && break; sleep 0.1; done
	fi
	t0=$(date +%s.%N)
	if [ "$expect" = expiry ]; then
		ip netns exec src "$e2e" send $group 7500 "$count" "$seed" "$rate" 3 \
			>"$bout/$name-src.bin" 2>"$out/$name-src.log" &
		local spid=$!
		sleep 2
		ip -n src link set eth0 down	# the source vanishes: no OPT_FIN
		relinked=0
		kill -9 $spid
		wait $spid 2>/dev/null
	else
		ip netns exec src "$e2e" send $group 7500 "$count" "$seed" "$rate" 3 \
			>"$bout/$name-src.bin" 2>"$out/$name-src.log" || ok=0
	fi
	wait_receivers "$name" || ok=0
	# The capture ends with the case (it may not have seen 4000 packets).
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null
	wait
	t1=$(date +%s.%N)
	local elapsed
	elapsed=$(echo "$t1 - $t0" | bc)
	load "$out/$name"-*.log
	local want h f
	local -A sha=()
	while read -r h f; do sha[$f]=$h; done < <(cd "$bout" && sha256sum "$name"-src.bin "$name"-r[123].bin)
	want=${sha[$name-src.bin]-}
	for r in r1 r2 r3; do
		local log=$out/$name-$r.log got
		got=${sha[$name-$r.bin]-none}
		case $expect in
		fin)
			if [ "$got" != "$want" ] || [ "${KV[$log:received_apdus]-}" != "$count" ] ||
			   [ "${KV[$log:end_reason]-}" != 1 ]; then
				ok=0
				echo "    $name $r: stream differs (sha $got vs $want) or no OPT_FIN"
				sed 's/^/      /' "$log" | head -n 20
			fi ;;
		slow)
			echo "    $name $r: queued while stalled ${KV[$log:stalled_rmem]-} of SO_RCVBUF ${KV[$log:rcvbuf]-}" ;;
		loss)
			if [ "${KV[$log:lost_sqns]-}" = 0 ] || [ -z "${KV[$log:lost_sqns]-}" ]; then
				ok=0
				echo "    $name $r: the loss did not reach the application"
			fi ;;
		expiry)
			# What was delivered is an exact prefix of what was sent.
			local n
			n=$(wc -c <"$bout/$name-$r.bin")
			if [ "${KV[$log:end_reason]-}" != 3 ] || [ "$n" -eq 0 ] ||
			   ! cmp -s -n "$n" "$bout/$name-$r.bin" "$bout/$name-src.bin"; then
				ok=0
				echo "    $name $r: no expiry report, or not a prefix of the stream"
				sed 's/^/      /' "$log" | tail -n 5
			fi ;;
		esac
		printf '    %-8s %-3s apdus %6s/%s  lost %5s  naks %6s  ncf %6s  rdata %6s  dup %5s  %6.1f s  sha %.16s\n' \
			"$name" "$r" "${KV[$log:received_apdus]-}" "$count" "${KV[$log:lost_sqns]-}" \
			"${KV[$log:naks_sent]-}" "${KV[$log:ncfs]-}" "${KV[$log:rdata]-}" \
			"${KV[$log:duplicates]-}" "$elapsed" "$got"
	done
	# FEC (PGM_E2E_FEC): the source sent parity, and every receiver
	# rebuilt groups from it (docs/fec.md).
	if [ -n "${PGM_E2E_FEC:-}" ]; then
		local pro od
		pro=${KV[$out/$name-src.log:parity_sent_proactive]-}
		od=${KV[$out/$name-src.log:parity_sent_ondemand]-}
		[ "${pro:-0}" -gt 0 ] || { ok=0; echo "    $name: no proactive parity sent"; }
		for r in r1 r2 r3; do
			local log=$out/$name-$r.log
			[ "${KV[$log:groups_rebuilt]-}" -gt 0 ] 2>/dev/null ||
				{ ok=0; echo "    $name $r: no group rebuilt from parity"; }
			printf '    %-8s %-3s parity received %6s  dropped %s  unused %6s  groups rebuilt %5s  parity naks %5s\n' \
				"$name" "$r" "${KV[$log:parity_received]-}" "${KV[$log:parity_dropped]-}" \
				"${KV[$log:parity_unused]-}" "${KV[$log:groups_rebuilt]-}" "${KV[$log:parity_naks_sent]-}"
		done
		echo "    $name src parity proactive $pro  on demand $od  parity naks ${KV[$out/$name-src.log:parity_naks_received]-}" \
			" refused ${KV[$out/$name-src.log:parity_naks_refused]-}  by originals ${KV[$out/$name-src.log:parity_by_originals]-}"
	fi
	# Confirmed delivery: every receiver confirmed all, flow control held
	# the source back for the slow one.
	if [ -n "${PGM_E2E_CONFIRM:-}" ]; then
		local sl=$out/$name-src.log
		[ "${KV[$sl:confirmed_all]-}" = 1 ] ||
			{ ok=0; echo "    $name: the source never saw every receiver confirm all"; }
		[[ $PGM_E2E_CONFIRM != *,flow ]] || [ "${KV[$sl:flow_limited]-0}" -gt 0 ] ||
			{ ok=0; echo "    $name: flow control never held the source"; }
		echo "    $name src confirmed by ${KV[$sl:confirm_receivers]-} receivers ${KV[$sl:confirm_seconds]-} s" \
			"after the last send  acks ${KV[$sl:confirm_acks]-}  joins ${KV[$sl:confirm_joins]-}" \
			" flow_limited ${KV[$sl:flow_limited]-}  expired ${KV[$sl:confirm_expired]-}  lost ${KV[$sl:confirm_lost]-}"
	fi
	printf '    %-8s src apdus %6s bytes %s  rdata %s  naks %s  send %s s  sha %.16s\n' "$name" \
		"${KV[$out/$name-src.log:sent_apdus]-}" "${KV[$out/$name-src.log:sent_bytes]-}" \
		"${KV[$out/$name-src.log:rdata]-}" "${KV[$out/$name-src.log:naks_received]-}" \
		"${KV[$out/$name-src.log:send_seconds]-}" "$want"
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - e2e $name"
	else
		fail=$((fail + 1)); echo "not ok - e2e $name"
	fi
	[ -n "$cap" ] && check_capture "$cap" "$out/$name.dumpcap.err"
}

# The capture decodes in Wireshark's dissector with nothing malformed
# (scripts/decode-capture), here or, with PGM_E2E_DECODE=host (make's
# kernel stages), on the host after the VM: tshark's start alone takes most
# of a minute on an emulated CPU.
check_capture() {
	local cap=$1 err=$2 res
	if [ ! -s "$cap" ]; then
		echo "    capture: no file from dumpcap: $(tail -n 2 "$err" | tr '\n' ' ')"
	fi
	if [ "${PGM_E2E_DECODE:-}" = host ]; then
		if [ -s "$cap" ]; then
			pass=$((pass + 1)); echo "ok - e2e capture written for the host to decode"
		else
			fail=$((fail + 1)); echo "not ok - e2e capture written for the host to decode"
		fi
		return
	fi
	res=$("$top/scripts/decode-capture" "$cap")
	grep -v '^wireshark-decode:' <<<"$res" | sed 's/^ok - .*/ok - e2e capture decodes in tshark/;s/^not ok - .*/not ok - e2e capture decodes in tshark/'
	if grep -q '^wireshark-decode: 1 passed' <<<"$res"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# Two sources on one group; two receiving sockets in r1, one in r2 and r3.
run_multi() {
	local seed=$RANDOM pids=() p ok=1 i=0 t0 t1
	relink
	shape "loss 1%" "loss 1%"
	for r in r1:2 r1b:2 r2:3 r3:4; do
		ip netns exec ${r%%[b:]*} "$e2e" multi $group 7500 "$count" "$seed" "$recv_timeout" $prefix${r#*:} 2 \
			2>"$out/multi-${r%%:*}.log" &
		pids+=($!)
	done
	for _ in $(seq 100); do
		nready "$out"/multi-r*.log
		[ $nready -eq 4 ] && break
		sleep 0.1
	done
	t0=$(date +%s.%N)
	# Half the rate each: the same load as one source (the VM is emulated).
	ip netns exec src "$e2e" send $group 7500 "$count" "$seed" $((rate / 2)) 3 >/dev/null 2>"$out/multi-s0.log" &
	ip netns exec src "$e2e" send $group 7500 "$count" $((seed + 1)) $((rate / 2)) 3 >/dev/null 2>"$out/multi-s1.log" &
	for p in "${pids[@]}"; do
		wait "$p" || ok=0
	done
	wait
	t1=$(date +%s.%N)
	local elapsed
	elapsed=$(echo "$t1 - $t0" | bc)
	load "$out"/multi-*.log
	for r in r1 r1b r2 r3; do
		printf '    %-8s %-4s sessions on ports %s/%s: %s and %s APDUs, %s ended  %6.1f s\n' "$1" "$r" \
			"${KV[$out/multi-$r.log:session0_port]-}" "${KV[$out/multi-$r.log:session1_port]-}" \
			"${KV[$out/multi-$r.log:session0_apdus]-}" "${KV[$out/multi-$r.log:session1_apdus]-}" \
			"${KV[$out/multi-$r.log:sessions_ended]-}" "$elapsed"
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - e2e $1"
	else
		fail=$((fail + 1)); echo "not ok - e2e $1"
		tail -n 3 "$out"/multi-*.log | sed 's/^/      /'
	fi
}

# A receiver (r3) that starts 3 s into the stream; the source offers late
# joiners PCT percent of its window.  The source sends at PGM_E2E_LATE_RATE
# (default 1,000,000 B/s: 6,000 APDUs take about 7.5 s), so that r3 joins
# mid-stream however fast the machine is.
run_late() {
	local name=$1 pct=$2 seed=$RANDOM ok=1 r spid t0 t1 rdata naks first n
	local -A rpid=()
	relink
	shape ""
	for r in r1 r2; do
		ip netns exec $r "$e2e" recv $group 7500 "$count" "$seed" "$recv_timeout" 10.99.0.$((${r#r} + 1)) fin \
			>"$bout/$name-$r.bin" 2>"$out/$name-$r.log" &
		rpid[$r]=$!
	done
	for _ in $(seq 100); do
		nready "$out"/$name-r[12].log
		[ $nready -eq 2 ] && break
		sleep 0.1
	done
	t0=$(date +%s.%N)
	# 0: the default, not set.
	PGM_E2E_LATE_JOIN=${pct#0} ip netns exec src "$e2e" send $group 7500 "$count" "$seed" \
		"${PGM_E2E_LATE_RATE:-1000000}" 3 \
		>"$bout/$name-src.bin" 2>"$out/$name-src.log" &
	spid=$!
	sleep 3
	ip netns exec r3 "$e2e" recv $group 7500 "$count" "$seed" "$recv_timeout" 10.99.0.4 late \
		>"$bout/$name-r3.bin" 2>"$out/$name-r3.log" &
	rpid[r3]=$!
	wait $spid || ok=0
	wait_receivers "$name" || ok=0
	t1=$(date +%s.%N)
	local elapsed
	elapsed=$(echo "$t1 - $t0" | bc)
	load "$out/$name"-*.log
	for r in r1 r2; do
		cmp -s "$bout/$name-$r.bin" "$bout/$name-src.bin" || { ok=0; echo "    $name $r: stream differs"; }
	done
	# r3 holds an exact suffix of the stream, and joined late indeed.
	n=$(wc -c <"$bout/$name-r3.bin")
	first=${KV[$out/$name-r3.log:first_apdu]-}
	if [ "$n" -eq 0 ] || [ "${first:-0}" -eq 0 ] ||
	   ! tail -c "$n" "$bout/$name-src.bin" | cmp -s - "$bout/$name-r3.bin"; then
		ok=0
		echo "    $name r3: not a late start, or not a suffix of the stream"
	fi
	rdata=${KV[$out/$name-src.log:rdata]-}
	naks=${KV[$out/$name-r3.log:naks_sent]-}
	if [ "$pct" = 0 ]; then
		# r3 asks for nothing; the source repairs only what r1 and r2
		# lost (a loaded host can drop a packet on the unshaped bridge),
		# at most one RDATA per sqn they NAKed.
		present=${KV[$out/$name-r1.log:naks_sent]-}
		n=${KV[$out/$name-r2.log:naks_sent]-}
		present=$(( ${present:-0} + ${n:-0} ))
		[ "$naks" = 0 ] && [ "$rdata" -le "$present" ] ||
			{ ok=0; echo "    $name: replayed history without an offer (r3 naks $naks, rdata $rdata > r1+r2 naks $present)"; }
	elif [ -n "${PGM_E2E_FEC:-}" ]; then
		# The history comes as parity (section 11.3): parity NAKs from
		# r3, groups rebuilt from parity alone, and no more repair
		# packets than the offered share of the window.
		local pnaks rebuilt od
		pnaks=${KV[$out/$name-r3.log:parity_naks_sent]-}
		rebuilt=${KV[$out/$name-r3.log:groups_rebuilt]-}
		od=${KV[$out/$name-src.log:parity_sent_ondemand]-}
		[ "${pnaks:-0}" -gt 0 ] && [ "${rebuilt:-0}" -gt 0 ] && [ "${od:-0}" -gt 0 ] &&
		   [ $((rdata + od)) -le $((8192 * pct / 100)) ] ||
			{ ok=0; echo "    $name: r3 parity naks ${pnaks:-0}, groups rebuilt ${rebuilt:-0}, source parity on demand ${od:-0} + rdata $rdata (at most $((8192 * pct / 100)))"; }
		echo "    $name r3 parity naks $pnaks  groups rebuilt $rebuilt  parity received ${KV[$out/$name-r3.log:parity_received]-}" \
			" src parity on demand $od  proactive ${KV[$out/$name-src.log:parity_sent_proactive]-}"
	else
		[ "$naks" -gt 0 ] && [ "$rdata" -gt 0 ] && [ "$rdata" -le $((8192 * pct / 100)) ] ||
			{ ok=0; echo "    $name: no replay, or more than ${pct}% of the window"; }
	fi
	for r in r1 r2 r3; do
		printf '    %-10s %-3s apdus %6s/%s from %5s  naks %6s  rdata %6s  dup %6s  %6.1f s\n' "$name" "$r" \
			"${KV[$out/$name-$r.log:received_apdus]-}" "$count" "${KV[$out/$name-$r.log:first_apdu]-}" \
			"${KV[$out/$name-$r.log:naks_sent]-}" "${KV[$out/$name-$r.log:rdata]-}" \
			"${KV[$out/$name-$r.log:duplicates]-}" "$elapsed"
	done
	echo "    $name src rdata $rdata  naks ${KV[$out/$name-src.log:naks_received]-}  late-join ${pct}%" \
		" send ${KV[$out/$name-src.log:send_seconds]-} s"
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - e2e $name"
	else
		fail=$((fail + 1)); echo "not ok - e2e $name"
	fi
}

# IPv6 on the bridge's links (no DAD: usable at once), with the source's
# neighbour entry fixed as IPv4's is (NAKs must not wait for ND under
# netem); again after the expiry case took the source's link down, which
# drops its IPv6 address.
setup6() {
	local h i=1
	for h in src r1 r2 r3; do
		{
			echo "addr replace fd00:99::$i/64 dev eth0 nodad"
			# src is the bridge's first host: netns_bridge gave it this MAC.
			[ $h = src ] || echo "neigh replace fd00:99::1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent"
		} | ip -n $h -6 -batch -
		i=$((i + 1))
	done
}

trap 'netns_cleanup; rm -rf "$bout"' EXIT
t_setup=$SECONDS
netns_bridge sw 10.99.0 src r1 r2 r3
# IPv6 addresses only for the IPv6 cases (each address is work for the
# debug kernel's lockdep and KASAN).
[[ " ${cases[*]} " == *" v6"* ]] && setup6
echo "    # bridge and namespaces took $((SECONDS - t_setup)) s"
failed=0
for c in "${cases[@]}"; do
	t_case=$SECONDS
	case $c in
	loss0) run_case loss0 "" ;;
	loss1) run_case loss1 "loss 1%" ;;
	loss5) run_case loss5 "loss 5%" ;;
	# FEC: RS(32, 16), two proactive parity packets a group and on-demand
	# parity, 5% loss to each receiver (RFC 3208 appendix A).
	# r1 reads through the ring.
	fec5) PGM_E2E_FEC=32,16,2,1 run_case fec5 "loss 5%" "loss 5%" fin r1 ;;
	loss10) run_case loss10 "loss 10%" ;;
	reorder) run_case reorder "loss 1% delay 1ms reorder 25% 50% duplicate 5%" ;;
	nonak) run_case nonak "loss 2%" "loss 100%" loss ;;
	expiry) run_case expiry "" "" expiry ;;
	multi) run_multi multi ;;
	confirm)
		saved=$count
		count=${PGM_E2E_CONFIRM_COUNT:-2000}
		PGM_E2E_CONFIRM=3,flow PGM_E2E_TXW=64 PGM_E2E_SLOW_R3="loss 5% delay 40ms" \
			run_case confirm "loss 5%"
		count=$saved ;;
	slow) run_case slow "" "" slow ;;
	fanout5)
		if ip netns exec src python3 "$top/Tests/kernel/policy_map.py" add $group \
			--unicast ${prefix}2 ${prefix}3 ${prefix}4; then
			mc0=$(out_mcast)
			PGM_E2E_BIND_ANY=1 run_case fanout5 "loss 5%"
			ip netns exec src python3 "$top/Tests/kernel/policy_map.py" del $group || fail=$((fail + 1))
			# Nothing went out multicast but IGMP's few reports.
			mc=$(($(out_mcast) - mc0))
			if [ $mc -lt 20 ]; then
				echo "ok - e2e fanout5: the source sent $mc multicast packets (unicast only)"
				pass=$((pass + 1))
			else
				echo "not ok - e2e fanout5: the source sent $mc multicast packets"
				fail=$((fail + 1))
			fi
		else
			echo "    fanout5: the logical group could not be set"
			fail=$((fail + 1))
		fi ;;
	latejoin | latejoin50)
		saved=$count
		count=${PGM_E2E_LATE_COUNT:-6000}
		run_late $c "$([ $c = latejoin ] && echo 0 || echo 50)"
		count=$saved ;;
	fecjoin)
		saved=$count
		count=${PGM_E2E_LATE_COUNT:-6000}
		PGM_E2E_FEC=32,16,0,1 run_late fecjoin 50
		count=$saved ;;
	ring10 | ringnonak)
		saved=$count
		count=${PGM_E2E_RING_COUNT:-2000}
		if [ $c = ring10 ]; then
			run_case ring10 "loss 10%" "loss 10%" fin r1
		else
			run_case ringnonak "loss 2%" "loss 100%" loss r1
		fi
		grep -h '^ring_' "$out/$c-r1.log" | tr '\n' ' ' | sed 's/^/    ring r1: /;s/$/\n/'
		count=$saved ;;
	v6loss0 | v6loss5 | v6loss10)
		group=ff15::1 prefix=fd00:99:: run_case $c "$([ $c = v6loss0 ] || echo "loss ${c#v6loss}%")" ;;
	v6multi) group=ff15::1 prefix=fd00:99:: run_multi v6multi ;;
	*) echo "e2e.sh: unknown case $c" >&2; fail=$((fail + 1)) ;;
	esac
	echo "    # case $c took $((SECONDS - t_case)) s in all"
	[ $fail -gt $failed ] && cp "$bout"/*.bin "$out"/ 2>/dev/null
	failed=$fail
	rm -f "$bout"/*.bin
done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
