# shellcheck shell=bash
# Tests/kernel/tap.sh - the counters and result lines of the VM test scripts
# ("ok - NAME", "not ok - NAME"); sourced, the script prints its own total
# from $pass and $fail.  With PGM_TAP_TIMES=1 each result line is followed
# by the seconds since the previous one (where a script spends its time).
pass=0 fail=0
tap_t=${EPOCHREALTIME/./}
tap_time() {
	[ "${PGM_TAP_TIMES:-0}" = 1 ] || return 0
	local now=${EPOCHREALTIME/./}
	printf '    # %d.%01d s\n' $(((now - tap_t) / 1000000)) $(((now - tap_t) / 100000 % 10))
	tap_t=$now
}
ok() { pass=$((pass + 1)); echo "ok - $1"; tap_time; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; tap_time; }
check() { local n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
