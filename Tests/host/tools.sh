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
check "pgm-sim refuses a negative --delay" refused pgm-sim "--delay must not be negative" --delay -1
check "pgm-sim refuses a negative --loss" refused pgm-sim "--loss must be between 0 and 1, got -0.5" --loss -0.5

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

# pgm-dump reads stdin and reports an empty capture as an error.
check "pgm-dump refuses a non-capture" sh -c "! printf 'junk' | '$bin/pgm-dump' -r - 2>/dev/null"

# pgmctl on the host: usage errors (64, a message) and, without the
# module, a clear error (1).
check "pgmctl --help lists its subcommands" sh -c "'$bin/pgmctl' --help | grep -q 'monitor'"
check "pgmctl set suggests the closest key" sh -c "'$bin/pgmctl' set nak_bo 5 2>&1 >/dev/null | grep -q \"did you mean 'nak-bo-ivl'\"; [ \$? = 0 ] && ! '$bin/pgmctl' set nak_bo 5 2>/dev/null"
check "pgmctl set without a value is a usage error (64)" sh -c "[ \"\$('$bin/pgmctl' set txw-sqns >/dev/null 2>&1; echo \$?)\" = 64 ]"
check "pgmctl set refuses a value that is not a number" sh -c "'$bin/pgmctl' set txw-sqns 1k 2>&1 | grep -q 'not a whole number'"
check "pgmctl stats refuses a negative --interval" refused pgmctl "--interval must be more than 0 and at most 3600 seconds; got -1" stats --interval -1
check "pgmctl monitor refuses a negative --timeout" refused pgmctl "--timeout must be more than 0 and at most 86400 seconds; got -5" monitor --timeout -5
check "pgmctl sockets refuses a --group that is not multicast" refused pgmctl "--group: 10.0.0.1 is not a multicast address" sockets --group 10.0.0.1
check "pgmctl sockets refuses an unknown --role" sh -c "[ \"\$('$bin/pgmctl' sockets --role sender >/dev/null 2>&1; echo \$?)\" = 64 ]"
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
check "pgm-perf send refuses --send-batch 0" refused pgm-perf "--send-batch must be 1-64" send --send-batch 0
check "pgm-perf refuses an unknown subcommand" refused pgm-perf "Unexpected argument" bench
if [ -d /sys/module/pgm ]; then
	ok "pgm-perf without pgm.ko (skipped: the module is loaded here)"
else
	check "pgm-perf send says the module is missing" nomod pgm-perf send --count 1 --quiet
	check "pgm-perf recv says the module is missing" nomod pgm-perf recv --timeout 1 --quiet
fi

check "pgm-send reports a missing --input file" sh -c "'$bin/pgm-send' --input /nonexistent 2>&1 | grep -q nonexistent"

echo "tools: $pass passed, $fail failed"
[ $fail = 0 ]
