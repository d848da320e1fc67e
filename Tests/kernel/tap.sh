# shellcheck shell=bash
# Tests/kernel/tap.sh - the counters and result lines of the VM test scripts
# ("ok - NAME", "not ok - NAME"); sourced, the script prints its own total
# from $pass and $fail.
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
