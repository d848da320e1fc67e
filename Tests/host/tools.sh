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

# pgm-info without the module: a clear message and status 1.
info_err() {
	local out rc
	out=$("$bin/pgm-info" 2>&1)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -q 'is pgm.ko loaded'
}
if [ -d /sys/module/pgm ]; then
	ok "pgm-info without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-info says the module is missing" info_err
fi
check "pgm-info --connect checks its argument" \
	sh -c "'$bin/pgm-info' --connect 1.2 2>&1 | grep -q 'multicast group and port'"

# pgm-dump reads stdin and reports an empty capture as an error.
check "pgm-dump refuses a non-capture" sh -c "! printf 'junk' | '$bin/pgm-dump' -r - 2>/dev/null"

# pgmctl on the host: usage errors (64, a message) and, without the
# module, a clear error (1).
check "pgmctl --help lists its subcommands" sh -c "'$bin/pgmctl' --help | grep -q 'monitor'"
check "pgmctl set suggests the closest key" sh -c "'$bin/pgmctl' set nak_bo 5 2>&1 >/dev/null | grep -q \"did you mean 'nak-bo-ivl'\"; [ \$? = 0 ] && ! '$bin/pgmctl' set nak_bo 5 2>/dev/null"
check "pgmctl set without a value is a usage error (64)" sh -c "[ \"\$('$bin/pgmctl' set txw-sqns >/dev/null 2>&1; echo \$?)\" = 64 ]"
check "pgmctl set refuses a value that is not a number" sh -c "'$bin/pgmctl' set txw-sqns 1k 2>&1 | grep -q 'not a whole number'"
check "pgmctl prints a bash completion script" sh -c "'$bin/pgmctl' --generate-completion-script bash | grep -q '_pgmctl'"
if [ -d /sys/module/pgm ]; then
	ok "pgmctl without pgm.ko (skipped: the module is loaded here)"
else
	check "pgmctl says the module is not loaded" sh -c "'$bin/pgmctl' show 2>&1 | grep -q 'pgm module is not loaded'; [ \$? = 0 ] && ! '$bin/pgmctl' show >/dev/null 2>&1"
fi

# pgm-send and pgm-recv: --help, argument errors (status 64, a message
# naming the option), and without the module a clear error (status 1).
for t in pgm-send pgm-recv; do
	check "$t --help shows usage" sh -c "'$bin/$t' --help | grep -q '^USAGE: $t'"
done
refused() {	# TOOL EXPECTED-TEXT ARGS...: status 64 and the text on stderr
	local tool=$1 want=$2 out rc
	shift 2
	out=$("$bin/$tool" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = 64 ] && printf '%s' "$out" | grep -q -- "$want"
}
check "pgm-send refuses a unicast --group" refused pgm-send "multicast" --group 10.0.0.1
check "pgm-send refuses --size 0" refused pgm-send "--size must be" --size 0
check "pgm-send refuses --size above 1 MiB" refused pgm-send "--size must be" --size 1048577
check "pgm-send refuses --port 0" refused pgm-send "--port" --port 0
check "pgm-send refuses a bad --interface" refused pgm-send "--interface" --interface 10.1
check "pgm-send refuses --count 0" refused pgm-send "--count" --count 0
check "pgm-send refuses a negative --linger" refused pgm-send "--linger" --linger -1
check "pgm-send refuses a non-number --rate" refused pgm-send "rate" --rate fast
check "pgm-recv needs a stop condition" refused pgm-recv "give --count, --sessions or --timeout"
check "pgm-recv refuses a unicast --group" refused pgm-recv "multicast" --group 10.0.0.1 --count 1
check "pgm-recv refuses --timeout 0" refused pgm-recv "--timeout" --timeout 0
check "pgm-recv refuses --sessions 0" refused pgm-recv "--sessions" --sessions 0
check "pgm-recv refuses a bad --interface" refused pgm-recv "--interface" --interface 1.2.3 --count 1
check "pgm-recv refuses an unknown option" refused pgm-recv "Unknown option" --count 1 --bogus
nomod() {	# TOOL ARGS...: status 1 and the module named
	local tool=$1 out rc
	shift
	out=$("$bin/$tool" "$@" 2>&1)
	rc=$?
	[ $rc = 1 ] && printf '%s' "$out" | grep -q 'is pgm.ko loaded'
}
if [ -d /sys/module/pgm ]; then
	ok "pgm-send/pgm-recv without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-send says the module is missing" nomod pgm-send --count 1
	check "pgm-recv says the module is missing" nomod pgm-recv --count 1
fi
check "pgm-send reports a missing --input file" sh -c "'$bin/pgm-send' --input /nonexistent 2>&1 | grep -q nonexistent"

echo "tools: $pass passed, $fail failed"
[ $fail = 0 ]
