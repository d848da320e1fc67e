#!/usr/bin/env bash
# Tests/host/tools.sh - the command-line tools as a user runs them, on the
# host (no kernel module): exit statuses, messages, and pgm-sim's report.
# Ends with "tools: N passed, N failed".
set -u
bin=${1:-.build/debug}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
refused() {	# TOOL EXPECTED-TEXT ARGS...: status 64 and the text on stderr
	local tool=$1 want=$2 out rc
	shift 2
	out=$("$bin/$tool" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = 64 ] && printf '%s' "$out" | grep -q -- "$want"
}

# pgm-sim: 20 receivers, 5% loss with bursts, every byte verified; the same
# seed gives the same report.
sim() { "$bin/pgm-sim" -r 20 -m 2000 --loss 0.05 --burst 2 --verify --seed 7 --json --quiet; }
a=$(sim) && b=$(sim)
check "pgm-sim delivers everything at 5% bursty loss" python3 -c '
import json, sys
r = json.loads(sys.argv[1])["report"]
sys.exit(0 if r["deliveredPercent"] == 100 and r["receivers"] == 20 else 1)' "$a"
same() { python3 -c '
import json, sys
a, b = (json.loads(x)["report"] for x in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$a" "$b"; }
check "pgm-sim is reproducible from its seed" same
check "pgm-sim refuses an unknown parameter" \
	sh -c "! '$bin/pgm-sim' --param NAK_BOGUS=1 2>/dev/null"
check "pgm-sim refuses a loss above 1" sh -c "! '$bin/pgm-sim' --loss 1.5 2>/dev/null"
check "pgm-sim refuses a negative --receivers" refused pgm-sim "--receivers must not be negative" --receivers -3
check "pgm-sim refuses a negative -r" refused pgm-sim "--receivers must not be negative" -r -3
check "pgm-sim refuses a negative --delay" refused pgm-sim "--delay must be 0-1000000000000 microseconds; got -1" --delay -1
simd() { "$bin/pgm-sim" -r 5 -m 300 --loss 0.05 --seed 3 --json --quiet "$@"; }
units_same() { a=$(simd --delay 2ms --rate 8mbit) && b=$(simd --delay 2000 --rate 1000000) && same; }
check "pgm-sim --delay 2ms --rate 8mbit is --delay 2000 --rate 1000000" units_same
params_same() { a=$(simd --param NAK_BO_IVL=20ms --param txw_max_rte=2M) && b=$(simd --param NAK_BO_IVL=20000 --param TXW_MAX_RTE=2000000) && same; }
check "pgm-sim --param NAK_BO_IVL=20ms is NAK_BO_IVL=20000" params_same
check "pgm-sim --param refuses a fraction of its unit" refused pgm-sim "--param NAK_BO_IVL: '1.5us' is not a whole number of microseconds" --param NAK_BO_IVL=1.5us
check "pgm-sim refuses a negative --loss" refused pgm-sim "--loss must be between 0 and 1, got -0.5" --loss -0.5
check "pgm-conform refuses --family 5" refused pgm-conform "--family 5: 4 or 6" --family 5 Tests/conformance
check "pgm-conform --family 6 needs the kernel backend" refused pgm-conform "--family 6 needs --backend kernel" --family 6 Tests/conformance
# FEC (RFC 3208 Appendix A): every byte verified with proactive and
# on-demand parity; on-demand parity needs fewer repair packets than
# selective RDATA at 100 receivers; FEC settings are checked.
fec() { "$bin/pgm-sim" -r 100 -m 512 -s 500 --loss 0.05 --verify --seed 5 --json --quiet "$@"; }
fec_figures() { python3 -c '
import json, sys
s, f = (json.loads(x)["report"] for x in sys.argv[1:3])
ok = (s["deliveredPercent"] == 100 and f["deliveredPercent"] == 100 and f["groupsRebuilt"] > 0
      and f["paritySentProactive"] > 0 and f["paritySentOnDemand"] > 0
      and f["repairPacketsPerLostSequence"] < s["repairPacketsPerLostSequence"] / 2)
sys.exit(0 if ok else 1)' "$(fec)" "$(fec --fec-k 16 --fec-proactive 1 --fec-ondemand)"; }
check "pgm-sim with FEC delivers everything with under half the repair packets of selective repair" fec_figures
# PGMCC (docs/pgmcc.md): the model's source clocked by its acker's ACKs.
pgmcc_figures() { python3 -c '
import json, sys
p, c = (json.loads(x)["report"] for x in sys.argv[1:3])
ok = (c["deliveredPercent"] == 100 and c["acksSent"] > 0 and c["ackerChanges"] >= 1 and c["congestionEvents"] > 0
      and c["endTimeus"] > p["endTimeus"] and p["acksSent"] == 0)
sys.exit(0 if ok else 1)' "$@"; }
pgmcc_sim() { "$bin/pgm-sim" -r 3 -m 1000 --loss 0.02 --delay 10ms --verify --seed 2 --json --quiet "$@"; }
check "pgm-sim --pgmcc delivers everything, ACKed, the window halved on loss, slower than the rate alone" \
	pgmcc_figures "$(pgmcc_sim)" "$(pgmcc_sim --pgmcc)"
check "pgm-sim refuses a FEC group size that is not a power of two" refused pgm-sim "transmission group size is a power of two" --fec-k 12
check "pgm-sim refuses FEC options without --fec-k" refused pgm-sim "need --fec-k" --fec-ondemand

# pgm-info without the module: a clear message and status 1.
info_err() {
	local out rc
	out=$("$bin/pgm-info" 2>&1)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -q 'is pgm.ko loaded? `modprobe pgm` loads it'
}
if [ -d /sys/module/pgm ]; then
	ok "pgm-info without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-info says the module is missing" info_err
fi
check "pgm-info --connect checks its argument" \
	sh -c "'$bin/pgm-info' --connect 1.2 2>&1 | grep -q 'multicast group and port'"
check "pgm-info --connect wants an IPv6 group in brackets" \
	sh -c "'$bin/pgm-info' --connect ff15::1:7500 2>&1 | grep -q 'IPv6 address goes in brackets'"
if [ ! -d /sys/module/pgm ]; then
	check "pgm-info --connect '[ff15::1]:7500' opens AF_INET6" \
		sh -c "'$bin/pgm-info' --connect '[ff15::1]:7500' 2>&1 | grep -qF 'socket(AF_INET6, SOCK_RDM, IPPROTO_PGM)'"
fi

# pgm-dump reads stdin and reports an empty capture as an error.
check "pgm-dump refuses a non-capture" sh -c "! printf 'junk' | '$bin/pgm-dump' -r - 2>/dev/null"

# pgmctl on the host: usage errors (64, a message) and, without the
# module, a clear error (1).
check "pgmctl --help lists its subcommands" sh -c "'$bin/pgmctl' --help | grep -q 'monitor'"
check "pgmctl set suggests the closest key" sh -c "'$bin/pgmctl' set nak_bo 5 2>&1 >/dev/null | grep -q \"did you mean 'nak-bo-ivl'\"; [ \$? = 0 ] && ! '$bin/pgmctl' set nak_bo 5 2>/dev/null"
check "pgmctl set without a value is a usage error (64)" sh -c "[ \"\$('$bin/pgmctl' set txw-sqns >/dev/null 2>&1; echo \$?)\" = 64 ]"
check "pgmctl set refuses a value that is not a number" refused pgmctl "txw-sqns wants a number such as 42; got 'many'" set txw-sqns many
check "pgmctl set refuses a unit on a count" refused pgmctl "txw-sqns: unknown unit 'k' in '1k'; a number here takes no unit" set txw-sqns 1k
# A negative value is out of range, not an unknown option (it used to be "Unknown option '-1'").
check "pgmctl set refuses a negative value as out of range" refused pgmctl "txw-sqns must be 1-1048576 sequence numbers; got -1" set txw-sqns -1
check "pgmctl set refuses a negative value after --" refused pgmctl "nak-bo-ivl must be 1000-600000000 microseconds; got -5ms" set nak-bo-ivl -- -5ms
check "pgmctl set refuses a rate above 2^32-1 bytes/s" refused pgmctl "txw-max-rte must be 1-4294967295 bytes/s (0: off); got 5G" set txw-max-rte 5G
check "pgmctl set refuses a fraction of a microsecond" refused pgmctl "nak-bo-ivl: '1.5us' is not a whole number of microseconds" set nak-bo-ivl 1.5us
check "pgmctl set refuses a time unit on a rate" refused pgmctl "txw-max-rte: unknown unit 'ms' in '5ms'" set txw-max-rte 5ms
completes_keys() {	# SHELL: the script names every key of pgmctl set
	local script k
	script=$("$bin/pgmctl" --generate-completion-script "$1") || return 1
	for k in txw-sqns nak-bo-ivl rx-mem-netns udp-encap-mcast-port; do
		printf '%s' "$script" | grep -q "'$k'\|$k" || return 1
	done
}
for sh in bash zsh fish; do
	check "pgmctl's $sh completion lists set's keys" completes_keys $sh
done
# Profiles (kernel/pgm.yaml): listed from the spec without the module,
# an unknown one refused with the list, completed by every shell.
check "pgmctl profile refuses an unknown profile, listing them" refused pgmctl "unknown profile 'fast'; the profiles are lan, wan" profile fast
check "pgmctl profile lists lan's values from the spec" \
	sh -c "'$bin/pgmctl' profile | grep -Eq '^nak-bo-ivl +us +1000 +50000'"
check "pgmctl profile --json: lan's nak-ncf-retries is 50" sh -c "'$bin/pgmctl' profile --json | python3 -c '
import json, sys
p = json.load(sys.stdin)
lan = [x for x in p[\"profiles\"] if x[\"name\"] == \"lan\"][0]
sys.exit(0 if {\"key\": \"nak-ncf-retries\", \"value\": 50, \"unit\": \"count\"} in lan[\"values\"] else 1)'"
completes_profiles() {	# TOOL SHELL: the script names both profiles
	local script
	script=$("$bin/$1" --generate-completion-script "$2") || return 1
	printf '%s' "$script" | grep -Eq "'lan'.*'wan'|'lan wan'"
}
for sh in bash zsh fish; do
	check "pgmctl's $sh completion lists the profiles" completes_profiles pgmctl $sh
	check "pgm-recv's $sh completion lists the profiles" completes_profiles pgm-recv $sh
done
unknown_profile="--profile: unknown profile 'fast'; the profiles are lan, wan"
check "pgm-send refuses --profile fast, listing the profiles" refused pgm-send "$unknown_profile" --profile fast
check "pgm-recv refuses --profile fast, listing the profiles" refused pgm-recv "$unknown_profile" --profile fast --count 1
check "pgm-perf send refuses --profile fast" refused pgm-perf "$unknown_profile" send --profile fast
check "pgm-perf recv refuses --profile fast" refused pgm-perf "$unknown_profile" recv --profile fast
check "pgmctl stats refuses a negative --interval" refused pgmctl "--interval must be more than 0 and at most 3600 seconds; got -1" stats --interval -1
check "pgmctl monitor refuses a negative --timeout" refused pgmctl "--timeout must be more than 0 and at most 86400 seconds; got -5" monitor --timeout -5
check "pgmctl sockets refuses a --group that is not multicast" refused pgmctl "--group: 10.0.0.1 is not a multicast address" sockets --group 10.0.0.1
check "pgmctl sockets refuses an IPv6 --group that is not multicast" refused pgmctl "--group: fd00::1 is not a multicast address" sockets --group fd00::1
check "pgmctl sockets refuses a --group that is no address" refused pgmctl "--group: 'ff15::zz' is not an IPv4 or IPv6 address" sockets --group ff15::zz
check "pgmctl sockets refuses an unknown --role" sh -c "[ \"\$('$bin/pgmctl' sockets --role sender >/dev/null 2>&1; echo \$?)\" = 64 ]"
check "pgmctl prints a bash completion script" sh -c "'$bin/pgmctl' --generate-completion-script bash | grep -q '_pgmctl'"
# pgmctl policy (#22): what add refuses before asking the kernel, and the
# actions and roles in every shell's completion.
check "pgmctl policy add refuses a prefix longer than the address" \
	refused pgmctl "prefix length 33 is longer than an IPv4 address's 32 bits" policy add --action deny --group 239.0.0.0/33
check "pgmctl policy add refuses a range that holds no group" \
	refused pgmctl "10.0.0.0/8 holds no multicast group" policy add --action deny --group 10.0.0.0/8
check "pgmctl policy add refuses a reversed uid range" \
	refused pgmctl "--uid: 1999-1000 is a reversed range: write it 1000-1999" policy add --action deny --uid 1999-1000
check "pgmctl policy add refuses an unknown user" \
	refused pgmctl "--uid: 'pgm-no-such-user' is not a uid" policy add --action deny --uid pgm-no-such-user
check "pgmctl policy add refuses an unknown group name" \
	refused pgmctl "--gid: 'pgm-no-such-group' is not a gid or a group name" policy add --action deny --gid pgm-no-such-group
check "pgmctl policy add wants --action" refused pgmctl "Missing expected argument '--action <action>'" policy add --uid 0
check "pgmctl policy default refuses what is not an action" refused pgmctl "allow" policy default block
check "pgmctl policy max-groups refuses what is not a number" \
	refused pgmctl "The value 'many' is invalid for '<n>'" policy max-groups many
check "pgmctl policy rate-cap refuses a rate past 32 bits" \
	refused pgmctl "rate-cap must be 0-4294967295 bytes/s (0: no cap); got 5G" policy rate-cap 5G
check "pgmctl policy rate-cap refuses a time" refused pgmctl "rate-cap: unknown unit 's' in '2s'" policy rate-cap 2s
check "pgmctl policy add refuses --rate-cap on a deny rule" \
	refused pgmctl "--rate-cap is about the sources a rule allows: a deny rule has none" policy add --action deny --rate-cap 1M
check "pgmctl policy add refuses --exempt on a receiver rule" \
	refused pgmctl "--exempt is about the sources a rule allows: a receiver rule has none" \
	policy add --action allow --role receiver --exempt
check "pgmctl policy map wants --physical or --unicast" \
	refused pgmctl "give --physical or --unicast: a logical group stands for one physical group or for unicast receivers" \
	policy map 239.1.0.1
check "pgmctl policy map refuses a logical group that is not multicast" \
	refused pgmctl "<logical>: the logical group must be multicast (224.0.0.0/4, ff00::/8): 10.1.0.1 is not" \
	policy map 10.1.0.1 --physical 239.2.0.1
check "pgmctl policy map refuses a physical group that is not multicast" \
	refused pgmctl "--physical: the physical group must be multicast" policy map 239.1.0.1 --physical 10.2.0.1
check "pgmctl policy map refuses a multicast unicast receiver" \
	refused pgmctl "--unicast: a unicast receiver must be a unicast address: 239.0.0.1 is multicast" \
	policy map 239.1.0.1 --unicast 10.0.0.1,239.0.0.1
check "pgmctl policy map refuses receivers of the other family" \
	refused pgmctl "--unicast: a logical group maps to addresses of its family: fd00::1 is IPv6" \
	policy map 239.1.0.1 --unicast 10.0.0.1 --unicast fd00::1
check "pgmctl policy map refuses 65 receivers" \
	refused pgmctl "--unicast: a logical group maps to 1 to 64 unicast receivers; 65 given" \
	policy map 239.1.0.1 --unicast "$(seq -s, -f '10.0.0.%g' 65)"
check "pgmctl policy unmap refuses what is not an address" \
	refused pgmctl "<logical>: '239.1.0' is not an IPv4 or IPv6 address" policy unmap 239.1.0
completes_policy() {	# SHELL: the script names the actions, roles, subcommands and rule options
	local script w
	script=$("$bin/pgmctl" --generate-completion-script "$1") || return 1
	for w in allow deny source receiver max-groups rate-cap exempt unmap physical unicast; do
		printf '%s' "$script" | grep -q "$w" || return 1
	done
}
for sh in bash zsh fish; do
	check "pgmctl's $sh completion lists policy actions, roles, max-groups, rate-cap, --exempt, map and unmap" completes_policy $sh
done
# pgmctl ne (the network element, RFC 3208 section 7): its subcommands, and
# its tunables taken by set from the spec with no code of their own.
ne_help() {
	local h
	h=$("$bin/pgmctl" ne --help) || return 1
	printf '%s\n' "$h" | grep -q '^  show (default) ' && printf '%s\n' "$h" | grep -q '^  on ' &&
		printf '%s\n' "$h" | grep -q '^  off ' && printf '%s\n' "$h" | grep -q '^  sessions '
}
check "pgmctl ne --help lists show (the default), on, off and sessions" ne_help
check "pgmctl ne refuses an unknown subcommand" refused pgmctl "Unexpected argument 'enable'" ne enable
check "pgmctl ne on takes no argument" refused pgmctl "Unexpected argument '1'" ne on 1
check "pgmctl set refuses ne-spm-timeout past its range (a tunable from the spec)" \
	refused pgmctl "ne-spm-timeout must be 1000000-3600000000 microseconds; got 2h" set ne-spm-timeout 2h
check "pgmctl set refuses a unit on ne-nak-rpt-rte (count/s)" \
	refused pgmctl "ne-nak-rpt-rte: unknown unit 'k' in '2k'; a number here takes no unit" set ne-nak-rpt-rte 2k
completes_ne() {	# SHELL: the script names ne's subcommands and its tunables
	local script w
	script=$("$bin/pgmctl" --generate-completion-script "$1") || return 1
	for w in sessions ne-nak-rpt-ivl ne-tsi-states ne-spm-timeout; do
		printf '%s' "$script" | grep -q -- "$w" || return 1
	done
}
for sh in bash zsh fish; do
	check "pgmctl's $sh completion lists ne's subcommands and the ne-* tunables" completes_ne $sh
done
nomodctl() {	# ARGS...: status 1 and "not loaded": the arguments were accepted
	local out rc
	out=$("$bin/pgmctl" "$@" 2>&1)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -q 'pgm module is not loaded'
}
if [ -d /sys/module/pgm ]; then
	ok "pgmctl without pgm.ko (skipped: the module is loaded here)"
else
	check "pgmctl set takes times and rates with units" nomodctl set nak-bo-ivl 50ms txw-secs-ms 2s txw-max-rte 100mbit rx-mem 64Mi
	check "pgmctl sockets takes an IPv6 --group" nomodctl sockets --group ff15::1 --port 7500
	check "pgmctl policy add takes names, ranges and an IPv6 group" \
		nomodctl policy add --action allow --role receiver --uid root --gid 0 --group ff15::/16 --index 0
	check "pgmctl policy add takes a uid range and an IPv4 group" \
		nomodctl policy add --action deny --uid 1000-1999 --group 239.192.0.0/16 --json
	check "pgmctl policy add takes a rate cap with a unit and --exempt" \
		nomodctl policy add --action allow --role source --rate-cap 100mbit --exempt
	check "pgmctl policy max-groups takes 0 and 4096" sh -c "'$bin/pgmctl' policy max-groups 0 2>&1 | grep -q 'not loaded' &&
		'$bin/pgmctl' policy max-groups 4096 2>&1 | grep -q 'not loaded'"
	check "pgmctl policy rate-cap takes 1.5G, 800mbit and 0" sh -c "for r in 1.5G 800mbit 0; do
		'$bin/pgmctl' policy rate-cap \$r 2>&1 | grep -q 'not loaded' || exit 1; done"
	check "pgmctl policy map takes a physical group" nomodctl policy map 239.1.0.1 --physical 239.2.0.1
	check "pgmctl policy map takes 64 IPv4 receivers, by commas and repeated" \
		nomodctl policy map 239.1.0.1 --unicast "$(seq -s, -f '10.0.0.%g' 63)" --unicast 10.0.1.1
	check "pgmctl policy map takes IPv6 receivers" nomodctl policy map ff15::1 --unicast fd00::1,fd00::2
	check "pgmctl policy unmap takes a logical group" nomodctl policy unmap ff15::1
	check "pgmctl ne show, on, off and sessions --json take their arguments" sh -c "
		for a in 'ne' 'ne --json' 'ne show' 'ne on' 'ne off' 'ne sessions' 'ne sessions --json'; do
			out=\$('$bin/pgmctl' \$a 2>&1); [ \$? = 1 ] && printf '%s' \"\$out\" | grep -q 'pgm module is not loaded' || exit 1
		done"
	check "pgmctl set takes the ne-* tunables with units" \
		nomodctl set ne-nak-rpt-ivl 200ms ne-nak-rpt-rte 20 ne-nak-rdata-ivl 500ms ne-nak-elim-ivl 50ms ne-tsis 1024 \
		ne-states 16384 ne-tsi-states 4096 ne-spm-timeout 60s
	check "pgmctl says the module is not loaded" sh -c "'$bin/pgmctl' show 2>&1 | grep -q 'pgm module is not loaded'; [ \$? = 0 ] && ! '$bin/pgmctl' show >/dev/null 2>&1"
fi

# pgm-send and pgm-recv: --help, argument errors (status 64, a message
# naming the option), and without the module a clear error (status 1).
for t in pgm-send pgm-recv; do
	check "$t --help shows usage" sh -c "'$bin/$t' --help | grep -q '^USAGE: $t'"
done
check "pgm-send refuses a unicast --group" refused pgm-send "multicast" --group 10.0.0.1
check "pgm-send refuses --size 0" refused pgm-send "--size must be" --size 0
check "pgm-send refuses --size above 1 MiB" refused pgm-send "--size must be" --size 1048577
check "pgm-send refuses --port 0" refused pgm-send "--port" --port 0
check "pgm-send refuses a bad --interface" refused pgm-send "--interface" --interface 10.1
check "pgm-send refuses --count 0" refused pgm-send "--count" --count 0
check "pgm-send refuses a negative --linger" refused pgm-send "--linger must be 0-3600 seconds; got -1" --linger -1
# A negative number is a value out of range, not a missing value.
check "pgm-send refuses a negative --rate" refused pgm-send "--rate must be 0-4294967295 bytes/s (0: no limit); got -1" --rate -1
check "pgm-send refuses a --rate above 2^32-1" refused pgm-send "--rate must be 0-4294967295" --rate 4294967296
check "pgm-send refuses --ttl 300" refused pgm-send "--ttl must be 0-255 hops; got 300" --ttl 300
check "pgm-send refuses a negative --ttl" refused pgm-send "--ttl must be 0-255 hops; got -1" --ttl -1
check "pgm-send refuses --late-join 101 with its range" refused pgm-send "--late-join must be 0-100 percent of the window; got 101" --late-join 101
check "pgm-send refuses --pgmcc with --fec" refused pgm-send "--pgmcc and --fec do not go together" --pgmcc --fec n=8,k=4,proactive=1
check "pgm-send --help explains --pgmcc: ACKs clock the source, PGM_TXW_MAX_RTE still caps it" sh -c \
	"'$bin/pgm-send' --help | tr -s ' \n' ' ' | grep -q -- \"--pgmcc .*ACKs clock the sends.*PGM_TXW_MAX_RTE) still caps the rate\""
check "pgm-send refuses --confirm 0 with its range" refused pgm-send "--confirm must be 1-65536 receivers; got 0" --confirm 0
check "pgm-send refuses --confirm-flow without --confirm" refused pgm-send "--confirm-flow goes with --confirm N" --confirm-flow
check "pgm-send refuses --confirm-timeout without --confirm" refused pgm-send "--confirm-timeout goes with --confirm N" --confirm-timeout 5s
check "pgm-send refuses --confirm-expiry 50ms with its range" refused pgm-send "--confirm-expiry must be 100-600000 milliseconds; got 50ms" --confirm 1 --confirm-expiry 50ms
check "pgm-send refuses a --confirm-expiry that is not whole milliseconds" refused pgm-send "'1.5ms' is not a whole number of milliseconds" --confirm 1 --confirm-expiry 1.5ms
check "pgm-send --help explains --confirm: waits for N receivers, exit status 1 when not confirmed in time" sh -c \
	"'$bin/pgm-send' --help | tr -s ' \n' ' ' | grep -q -- \"--confirm <receivers> Run confirmed delivery (PGM_CONFIRM).*wait until this many of them have every APDU sent.*exit status 1\""
check "pgm-recv refuses --confirm=5ms with its range" refused pgm-recv "--confirm must be 10-60000 milliseconds; got 5ms" --confirm=5ms --count 1
check "pgm-recv refuses --confirm 61 (seconds) with its range" refused pgm-recv "--confirm must be 10-60000 milliseconds; got 61" --confirm 61 --count 1
check "pgm-recv --confirm alone takes no option as its interval" refused pgm-recv "--count must be at least 1; got 0" --confirm --count 0
check "pgm-recv --help shows --confirm [<interval>], every 200ms alone" sh -c \
	"'$bin/pgm-recv' --help | tr -s ' \n' ' ' | grep -q -- \"--confirm \\[<interval>\\] Confirm what this receiver has.*--confirm alone: every 200ms\""
check "pgm-recv refuses a negative --join-max with its range" refused pgm-recv "--join-max must be 0-1048576 sequence numbers; got -1" --join-max -1 --timeout 1
check "pgm-send refuses a negative --count" refused pgm-send "--count must be at least 1; got -5" --count -5
check "pgm-send refuses a negative --size" refused pgm-send "--size must be 1-1048576 bytes; got -1" --size -1
check "pgm-send refuses a negative --port" refused pgm-send "--port must be 1-65535; got -1" --port -1
check "pgm-send refuses --port 65536" refused pgm-send "--port must be 1-65535; got 65536" --port 65536
check "pgm-send refuses a negative --seed as a value" refused pgm-send "The value '-1' is invalid for '--seed" --seed -1
check "pgm-send: a missing value is still missing" refused pgm-send "Missing value for '--rate" --rate
check "pgm-send refuses a non-number --rate" refused pgm-send "rate" --rate fast
check "pgm-send refuses --udp-ports 0" refused pgm-send "--udp-ports" --udp-ports 0
check "pgm-recv refuses three --udp-ports" refused pgm-recv "--udp-ports" --udp-ports 1,2,3 --count 1
check "pgm-recv refuses a --udp-ports above 65535" refused pgm-recv "--udp-ports" --udp-ports 3055,65536 --count 1
check "pgm-recv needs a stop condition" refused pgm-recv "give --count, --sessions or --timeout"
check "pgm-recv refuses a unicast --group" refused pgm-recv "multicast" --group 10.0.0.1 --count 1
check "pgm-recv refuses --timeout 0" refused pgm-recv "--timeout" --timeout 0
check "pgm-recv refuses --sessions 0" refused pgm-recv "--sessions" --sessions 0
check "pgm-recv refuses a negative --timeout" refused pgm-recv "--timeout must be more than 0 and at most 86400 seconds; got -1" --timeout -1
check "pgm-recv refuses a negative --count" refused pgm-recv "--count must be at least 1; got -1" --count -1
check "pgm-recv refuses a negative --sessions" refused pgm-recv "--sessions must be at least 1; got -2" --sessions -2
check "pgm-recv refuses a negative --max-size" refused pgm-recv "--max-size must be 1-1048576 bytes; got -1" --max-size -1 --count 1
check "pgm-recv refuses a bad --interface" refused pgm-recv "--interface" --interface 1.2.3 --count 1
check "pgm-recv refuses an unknown option" refused pgm-recv "Unknown option" --count 1 --bogus
nomod() {	# TOOL ARGS...: status 1 and the module named
	local tool=$1 out rc
	shift
	out=$("$bin/$tool" "$@" 2>&1)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -q 'is pgm.ko loaded? `modprobe pgm` loads it'
}
if [ -d /sys/module/pgm ]; then
	ok "pgm-send/pgm-recv without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-send says the module is missing" nomod pgm-send --count 1
	check "pgm-recv says the module is missing" nomod pgm-recv --count 1
fi
# pgm-perf: both subcommands' help, their argument errors (status 64, a
# message naming the option), and without the module a clear error.
check "pgm-perf --help lists send and recv" \
	sh -c "'$bin/pgm-perf' --help | grep -q '^USAGE: pgm-perf <subcommand>' && '$bin/pgm-perf' --help | grep -q 'recv'"
for sub in send recv; do
	check "pgm-perf $sub --help shows usage" sh -c "'$bin/pgm-perf' $sub --help | grep -q '^USAGE: pgm-perf $sub'"
done
check "pgm-perf send refuses a size below the header" refused pgm-perf "--sizes: 10 is outside 24-1048576" send --sizes 10
check "pgm-perf send refuses a size above 1 MiB" refused pgm-perf "--sizes: 1048577 is outside" send --sizes 64,1048577
check "pgm-perf send refuses a non-number size" refused pgm-perf "'x' is not a size" send --sizes 64,x
check "pgm-perf send refuses an empty size" refused pgm-perf "'' is not a size" send --sizes 64,,128
check "pgm-perf send refuses an empty --sizes" refused pgm-perf "comma-separated list" send --sizes ''
check "pgm-perf send refuses a size given twice" refused pgm-perf "64 is given twice" send --sizes 64,128,64
check "pgm-perf send refuses a UDP baseline above 65507 bytes" \
	refused pgm-perf "70000 bytes does not fit a UDP datagram" send --sizes 64,70000 --baseline udp
check "pgm-perf send refuses an unknown baseline" refused pgm-perf "baseline" send --baseline tcp
check "pgm-perf send refuses an unknown baseline in a list" \
	refused pgm-perf "--baseline: 'tcp' is not a baseline" send --baseline udp,tcp
check "pgm-perf send refuses a baseline given twice" refused pgm-perf "--baseline: udp is given twice" send --baseline udp,udp
check "pgm-perf send refuses an empty baseline in a list" refused pgm-perf "--baseline: '' is not a baseline" send --baseline udp,
check "pgm-perf send refuses none in a list" refused pgm-perf "--baseline: 'none' is not a baseline" send --baseline none,udp
check "pgm-perf send refuses an OpenPGM baseline with no size it sends" \
	refused pgm-perf "no size is an APDU opgm-perf sends (at most 22400 bytes" send --sizes 22401,65000 --baseline openpgm
check "pgm-perf send --help names the openpgm baseline" \
	sh -c "'$bin/pgm-perf' send --help | grep -q 'udp,openpgm'"
check "pgm-perf recv --help has --openpgm" sh -c "'$bin/pgm-perf' recv --help | grep -q -- '--openpgm '"
check "pgm-perf send refuses --count 0" refused pgm-perf "--count must be at least 1" send --count 0
check "pgm-perf send refuses --duration 0" refused pgm-perf "--duration must be" send --duration 0
check "pgm-perf send refuses a negative --gap" refused pgm-perf "--gap must be 0-60 seconds" send --gap=-1
check "pgm-perf send refuses a negative --gap given apart" refused pgm-perf "--gap must be 0-60 seconds; got -1" send --gap -1
check "pgm-perf send refuses a negative --rate" refused pgm-perf "--rate must be 0-4294967295 bytes/s (0: no limit); got -1" send --rate -1
check "pgm-perf send refuses --ttl 256" refused pgm-perf "--ttl must be 0-255 hops; got 256" send --ttl 256
check "pgm-perf send refuses a negative --count" refused pgm-perf "--count must be at least 1; got -1" send --count -1
check "pgm-perf send refuses a negative size" refused pgm-perf "'-1' is not a size" send --sizes -1
check "pgm-perf recv refuses a negative --ring-size" refused pgm-perf "--ring-size must be a power of two, 4096-67108864; got -4096" recv --ring-size -4096
check "pgm-perf recv refuses a negative --hold" refused pgm-perf "--hold must be 0-60 seconds; got -1" recv --hold -1
check "pgm-perf send refuses a long --linger" refused pgm-perf "--linger must be" send --linger 4000
check "pgm-perf send refuses a unicast --group" refused pgm-perf "multicast" send --group 10.0.0.1
check "pgm-perf send refuses a bad --interface" refused pgm-perf "--interface" send --interface 10.1
check "pgm-perf send refuses a non-number --rate" refused pgm-perf "rate" send --rate fast
check "pgm-perf recv refuses --timeout 0" refused pgm-perf "--timeout must be" recv --timeout 0
check "pgm-perf recv refuses a tiny --receive-buffer" refused pgm-perf "--receive-buffer must be" recv --receive-buffer 10
check "pgm-perf recv refuses --port 0" refused pgm-perf "--port" recv --port 0
check "pgm-perf recv refuses an unknown --recv-mode" refused pgm-perf "recv-mode" recv --recv-mode mmap
check "pgm-perf recv refuses a --ring-size not a power of two" refused pgm-perf "--ring-size must be" recv --ring-size 5000
check "pgm-perf recv refuses a long --hold" refused pgm-perf "--hold must be" recv --hold 100
check "pgm-perf recv refuses a --ring-wake past 100 ms" refused pgm-perf "--ring-wake must be 0-100000 microseconds; got 200ms" recv --recv-mode ring --ring-wake 200ms
check "pgm-perf recv refuses --ring-wake without the ring" refused pgm-perf "--ring-wake applies to --recv-mode ring only" recv --ring-wake 50us
check "pgm-perf recv refuses a --ring-spin past 1 s" refused pgm-perf "--ring-spin must be 0-1000000 microseconds; got 2s" recv --recv-mode ring --ring-spin 2s
check "pgm-perf recv refuses --ring-spin without the ring" refused pgm-perf "--ring-spin applies to --recv-mode ring only" recv --ring-spin 50us
check "pgm-perf send refuses --send-batch 0" refused pgm-perf "--send-batch must be 1-64" send --send-batch 0
check "pgm-perf refuses an unknown subcommand" refused pgm-perf "Unexpected argument" bench
# --fec: pgm-send's syntax, checks and words (FECOptions, shared); --parity-naks on the receiver.
for t in pgm-send "pgm-perf send"; do
	read -r tool sub <<<"$t"
	check "$t refuses a --fec group size not a power of two" \
		refused "$tool" "--fec: " ${sub:+"$sub"} --fec n=8,k=5,proactive=1
	check "$t refuses --fec without parity" \
		refused "$tool" "--fec: FEC needs proactive parity (proactive > 0), on-demand parity, or both" ${sub:+"$sub"} --fec n=8,k=4
	check "$t refuses --fec that is not n=N,k=K" \
		refused "$tool" "--fec: 'x=1': expected n=N,k=K\[,proactive=H\]\[,ondemand\]" ${sub:+"$sub"} --fec n=8,k=4,x=1
done
fec_words() { [ "$("$bin/pgm-perf" send --fec n=8,k=6,proactive=3 2>&1 | head -1)" = "$("$bin/pgm-send" --fec n=8,k=6,proactive=3 2>&1 | head -1)" ]; }
check "pgm-perf send and pgm-send refuse a bad --fec in the same words" fec_words
check "pgm-perf send --help has --fec" sh -c "'$bin/pgm-perf' send --help | grep -q -- '--fec <n=N,k=K\[,proactive=H\]\[,ondemand\]>'"
check "pgm-perf recv --help has --parity-naks" sh -c "'$bin/pgm-perf' recv --help | grep -q -- '--parity-naks'"
check "pgm-perf's bash completion has --fec and --parity-naks" \
	sh -c "'$bin/pgm-perf' --generate-completion-script bash | grep -q -- '--fec' && '$bin/pgm-perf' --generate-completion-script bash | grep -q -- '--parity-naks'"
if [ -d /sys/module/pgm ]; then
	ok "pgm-perf without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-perf send says the module is missing" nomod pgm-perf send --count 1 --quiet
	check "pgm-perf recv says the module is missing" nomod pgm-perf recv --timeout 1 --quiet
	check "pgm-perf send opens AF_INET6 for an IPv6 group" sh -c \
		"'$bin/pgm-perf' send --group ff15::78 --count 1 --quiet 2>&1 | grep -qF 'socket(AF_INET6, SOCK_RDM, IPPROTO_PGM)'"
	check "pgm-perf recv opens AF_INET6 for an IPv6 group" sh -c \
		"'$bin/pgm-perf' recv --group 'lo;ff15::78' --timeout 1 --quiet 2>&1 | grep -qF 'socket(AF_INET6, SOCK_RDM, IPPROTO_PGM)'"
fi
# IPv6 groups (issue 20): GroupOptions' checks, each family's largest UDP
# datagram, and the OpenPGM phases refused over IPv6 (opgm-perf is not run there).
check "pgm-perf send refuses an IPv4 --interface with an IPv6 group" \
	refused pgm-perf "--interface 10.0.0.1 is an IPv4 address; with the IPv6 group ff15::78 name the interface" \
	send --group ff15::78 --interface 10.0.0.1
check "pgm-perf recv refuses a link-scoped group without an interface" \
	refused pgm-perf "--group ff02::78 is link-scoped: name its interface" recv --group ff02::78
check "pgm-perf send refuses a UDP baseline above 65527 bytes over IPv6" \
	refused pgm-perf "65528 bytes does not fit a UDP datagram (at most 65527 over IPv6)" \
	send --group ff15::78 --sizes 64,65528 --baseline udp
check "pgm-perf send refuses a UDP baseline above 65507 bytes over IPv4" \
	refused pgm-perf "65508 bytes does not fit a UDP datagram (at most 65507)" send --sizes 65508 --baseline udp
check "pgm-perf send refuses --baseline openpgm with an IPv6 group" \
	refused pgm-perf "--baseline openpgm is IPv4 only: opgm-perf (the OpenPGM baseline) is not run over IPv6" \
	send --group ff15::78 --baseline udp,openpgm
check "pgm-perf recv refuses --openpgm with an IPv6 group" \
	refused pgm-perf "--openpgm is IPv4 only" recv --group 'lo;ff15::78' --openpgm
check "pgm-perf --help no longer says IPv4 only" sh -c "! '$bin/pgm-perf' send --help | grep -q 'IPv4 only'"

# --interface by name, and OpenPGM/ZeroMQ network strings as the group:
# an unknown name is an error naming the cause (status 1, before any
# socket), a network string is checked like a group.
failed() {	# TOOL EXPECTED-TEXT ARGS...: status 1 and the text on stderr
	local tool=$1 want=$2 out rc
	shift 2
	out=$("$bin/$tool" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -qF -- "$want"
}
check "pgm-send names an unknown --interface" failed pgm-send \
	"--interface nosuch0: No such device (no interface is named nosuch0 in this network namespace" --interface nosuch0 --count 1
check "pgm-recv names an unknown interface in a network string" failed pgm-recv \
	"no interface is named nosuch0" --group 'nosuch0;239.192.0.1' --count 1
check "pgm-perf recv names an unknown --interface" failed pgm-perf "no interface is named nosuch0" recv --interface nosuch0 --quiet
check "pgm-perf send names an unknown --interface with an IPv6 group" failed pgm-perf "no interface is named nosuch0" \
	send --group ff15::78 --interface nosuch0 --quiet
check "pgm-send refuses a network string with a unicast group" refused pgm-send "multicast" --group 'lo;10.0.0.1'
check "pgm-recv refuses an interface given twice" refused pgm-recv "give it once" --group 'lo;239.192.0.1' --interface lo --count 1
check "pgm-send refuses a network string of three parts" refused pgm-send "INTERFACE;GROUP" --group 'lo;239.192.0.1;239.192.0.2'
check "pgm-send refuses an interface name with a slash" refused pgm-send "--interface wants" --interface a/b
# IPv6 groups: an interface by name only, a link-scoped group with one,
# pgm-perf IPv4 only; an unknown name or zone is found before any socket.
check "pgm-send refuses an IPv4 --interface with an IPv6 group" refused pgm-send "name the interface" \
	--group ff15::1 --interface 10.0.0.1
check "pgm-recv refuses a link-scoped IPv6 group without an interface" refused pgm-recv "link-scoped" \
	--group ff02::1 --count 1
check "pgm-recv refuses a unicast IPv6 --group" refused pgm-recv "multicast" --group 2001:db8::1 --count 1
check "pgm-send names an unknown IPv6 zone" failed pgm-send "no interface is named nosuch0" \
	--group 'ff02::1%nosuch0' --count 1
check "pgm-recv names an unknown --interface with an IPv6 group" failed pgm-recv "no interface is named nosuch0" \
	--group ff15::1 --interface nosuch0 --count 1
if [ -d /sys/module/pgm ]; then
	ok "network strings without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-send takes 'lo;GROUP' and goes as far as the socket" nomod pgm-send --group 'lo;239.192.0.1' --count 1
	check "pgm-recv takes --interface lo and ';GROUP'" nomod pgm-recv --interface lo --group ';239.192.0.1' --count 1
	check "pgm-recv takes --profile lan and goes as far as the socket" nomod pgm-recv --profile lan --count 1
	check "pgm-send takes --profile wan and goes as far as the socket" nomod pgm-send --profile wan --count 1
	v6sock() { out=$("$bin/$1" "${@:2}" 2>&1); [ $? = 1 ] && printf '%s' "$out" | grep -qF 'socket(AF_INET6, SOCK_RDM, IPPROTO_PGM)'; }
	check "pgm-send opens AF_INET6 for 'lo;ff15::1'" v6sock pgm-send --group 'lo;ff15::1' --count 1
	check "pgm-recv opens AF_INET6 for ff02::1%lo" v6sock pgm-recv --group 'ff02::1%lo' --count 1
fi

# Units: times (500us, 20ms, 2s, 1m) and rates (100M bytes/s, 100mbit as
# tc), one parser for every tool; a bare number keeps the option's unit.
check "pgm-send refuses a --rate of 5G as out of range" refused pgm-send "--rate must be 0-4294967295 bytes/s (0: no limit); got 5G" --rate 5G
check "pgm-send refuses a rate of 1bit (an eighth of a byte)" refused pgm-send "--rate: '1bit' is not a whole number of bytes/s" --rate 1bit
check "pgm-send refuses an unknown time unit" refused pgm-send "--linger: unknown unit 'x' in '2x'; a time takes ns, us, ms, s, m, h" --linger 2x
check "pgm-send refuses --linger 2h" refused pgm-send "--linger must be 0-3600 seconds; got 2h" --linger 2h
check "pgm-recv refuses --timeout 0ms" refused pgm-recv "--timeout must be more than 0 and at most 86400 seconds; got 0ms" --timeout 0ms
check "pgm-perf send refuses --gap 2m" refused pgm-perf "--gap must be 0-60 seconds; got 2m" send --gap 2m
check "pgm-perf send refuses --duration 5ms" refused pgm-perf "--duration must be 0.01-86400 seconds; got 5ms" send --duration 5ms
check "pgm-perf recv refuses --hold 61s" refused pgm-perf "--hold must be 0-60 seconds; got 61s" recv --hold 61s
check "pgm-dump refuses a --timeout that is not a time" refused pgm-dump "--timeout wants a time such as 500us, 20ms, 2s or 1m" -i lo --timeout soon
if [ -d /sys/module/pgm ]; then
	ok "units without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-send takes --rate 100mbit --linger 20ms" nomod pgm-send --rate 100mbit --linger 20ms --count 1
	check "pgm-recv takes --timeout 500ms" nomod pgm-recv --timeout 500ms
	check "pgm-perf send takes --rate 1M --gap 100ms --duration 1m" nomod pgm-perf send --rate 1M --gap 100ms --duration 1m --quiet
fi

check "pgm-send reports a missing --input file" sh -c "'$bin/pgm-send' --input /nonexistent 2>&1 | grep -q nonexistent"

# --version: every tool prints the one version of PGMCLISupport/Version.swift.
top=$(cd "$(dirname "$0")/../.." && pwd)
want=$(sed -n 's/^public let pgmVersion = "\(.*\)"$/\1/p' "$top/Sources/PGMCLISupport/Version.swift")
for t in pgm-send pgm-recv pgm-perf pgm-dump pgm-sim pgm-conform pgm-info pgmctl; do
	check "$t --version prints $want" sh -c "[ -n '$want' ] && [ \"\$('$bin/$t' --version)\" = '$want' ]"
done

# Shell completions: make install-completions (what make install runs)
# puts every tool's bash, zsh and fish script under DESTDIR, and make
# uninstall-completions takes them away.
completions() {
	local d t n=0 abs
	abs=$(cd "$bin" && pwd)
	d=$(mktemp -d)
	make -s -C "$top" install-completions DESTDIR="$d" PREFIX=/usr BIN="$abs" >/dev/null || { rm -rf "$d"; return 1; }
	for t in pgm-info pgm-dump pgm-sim pgm-send pgm-recv pgm-perf pgmctl; do
		[ -s "$d/usr/share/bash-completion/completions/$t" ] && [ -s "$d/usr/share/zsh/site-functions/_$t" ] &&
			[ -s "$d/usr/share/fish/vendor_completions.d/$t.fish" ] && n=$((n + 1))
	done
	grep -q -- '--interface' "$d/usr/share/bash-completion/completions/pgm-send" &&
		grep -q "'nak-bo-ivl'" "$d/usr/share/bash-completion/completions/pgmctl" || n=0
	make -s -C "$top" uninstall-completions DESTDIR="$d" PREFIX=/usr >/dev/null
	local left
	left=$(find "$d" -type f | wc -l)
	rm -rf "$d"
	[ $n = 7 ] && [ "$left" = 0 ]
}
check "make install-completions: bash, zsh and fish scripts of the 7 tools under DESTDIR; uninstall removes them" completions

echo "tools: $pass passed, $fail failed"
[ $fail = 0 ]
