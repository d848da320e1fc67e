#!/usr/bin/env bash
# Tests/kernel/sysctl.sh - the sysctls net.pgm.* inside the test VM (pgm.ko
# loaded): they are the netns defaults pgmctl shows and sets, both ways;
# a new socket takes a value written with sysctl; out-of-range writes fail
# with EINVAL as pgmctl set's do (0 where it means off is taken); a new
# netns starts at the built-in defaults; only CAP_NET_ADMIN writes; a file
# for /etc/sysctl.d applies again after the module is reloaded.
# Prints "sysctl-vm: N passed, N failed".
#
#   sysctl.sh [BIN]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/.build/debug}
ctl=$bin/pgmctl
ko=$top/build/kmod/$(uname -r)/pgm.ko
out=${PGM_VM_OUT:-/tmp}/sysctl
mkdir -p "$out"
# shellcheck source=Tests/kernel/tap.sh
. "$top/Tests/kernel/tap.sh"
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT

show_is() {	# KEY VALUE [NETNS]: pgmctl show's value of KEY
	local ns=() v
	[ -n "${3:-}" ] && ns=(ip netns exec "$3")
	# A flat object of numbers, read in bash (a Python start costs seconds
	# on the emulated CPU).
	v=$("${ns[@]}" "$ctl" show --json)
	[[ $v =~ \"$1\":\ ?([0-9]+) ]] && v=${BASH_REMATCH[1]} || v="none"
	echo "    pgmctl show $1: $v"
	[ "$v" = "$2" ]
}
sysctl_is() {	# NAME VALUE [NETNS]
	local ns=() v
	[ -n "${3:-}" ] && ns=(ip netns exec "$3")
	v=$("${ns[@]}" sysctl -n "net.pgm.$1")
	echo "    net.pgm.$1 = $v"
	[ "$v" = "$2" ]
}
new_socket_gets() {	# OPTNAME VALUE
	local v
	v=$("$top/build/ktests/sockopt" get "$1") || return 1
	echo "    option $1 of a new socket: $v"
	[ "$v" = "$2" ]
}
einval() {	# NAME VALUE: the write fails with EINVAL and changes nothing
	local before err
	before=$(cat "/proc/sys/net/pgm/$1")
	err=$( { printf '%s\n' "$2" >"/proc/sys/net/pgm/$1"; } 2>&1) && err=accepted
	[[ $err == *"Invalid argument"* ]] && err=EINVAL
	echo "    write $2 to net.pgm.$1: $err"
	[ "$err" = EINVAL ] && [ "$(cat "/proc/sys/net/pgm/$1")" = "$before" ]
}

check "one sysctl per tunable of pgmctl show" \
	sh -c "[ \$(ls /proc/sys/net/pgm | wc -l) = \$('$ctl' show --json | grep -o '\"[a-z0-9-]*\":' | wc -l) ]"
check "net.pgm.txw_sqns starts at the default" sysctl_is txw_sqns 8192
check "sysctl -w net.pgm.txw_sqns=4096" sysctl -q -w net.pgm.txw_sqns=4096
check "pgmctl show reads what sysctl wrote" show_is txw-sqns 4096
check "a new socket takes TXW_SQNS from the sysctl" new_socket_gets 1 4096
check "pgmctl set rxw-sqns 1000" "$ctl" set rxw-sqns 1000
check "sysctl reads what pgmctl set wrote" sysctl_is rxw_sqns 1000
check "a netns setting too: sysctl nak_storm_rate=7, pgmctl show 7" \
	sh -c "sysctl -q -w net.pgm.nak_storm_rate=7 && '$ctl' show --json | grep -q '\"nak-storm-rate\":7'"
check "out of range: txw_sqns 0 is EINVAL" einval txw_sqns 0
check "out of range: txw_sqns 1048577 is EINVAL" einval txw_sqns 1048577
check "not a number: EINVAL" einval txw_sqns abc
check "zero means off: txw_bytes 0 is taken" sysctl -q -w net.pgm.txw_bytes=0
check "below the minimum where 0 means off: txw_bytes 100 is EINVAL" einval txw_bytes 100
check "ihb_min above ihb_max is EINVAL" einval ihb_min 2000000
netns_add sfresh
check "a new netns starts at the built-in defaults" sysctl_is txw_sqns 8192 sfresh
check "... and pgmctl show there agrees" show_is txw-sqns 8192 sfresh
check "a write in the new netns stays there" \
	sh -c "ip netns exec sfresh sysctl -q -w net.pgm.txw_sqns=100 && [ \$(sysctl -n net.pgm.txw_sqns) = 4096 ]"
check "without CAP_NET_ADMIN: the write is refused" \
	sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo 5000 > /proc/sys/net/pgm/txw_sqns' 2>/dev/null && [ \$(sysctl -n net.pgm.txw_sqns) = 4096 ]"
check "without CAP_NET_ADMIN: reading works" \
	setpriv --reuid=65534 --regid=65534 --clear-groups sysctl -n net.pgm.txw_sqns
netns_cleanup

# A file for /etc/sysctl.d: applied again after the module comes back (what
# sysctl --system, or the modprobe.d install hook of pgm(7), does).
printf 'net.pgm.txw_sqns = 2048\nnet.pgm.peer_expiry = 5000000\n' >"$out/60-pgm.conf"
reload_and_apply() {
	rmmod pgm && insmod "$ko" || return 1
	[ "$(sysctl -n net.pgm.txw_sqns)" = 8192 ] || { echo "    not the default after insmod"; return 1; }
	sysctl -q -p "$out/60-pgm.conf" &&
		sysctl_is txw_sqns 2048 && show_is peer-expiry 5000000 && new_socket_gets 1 2048
}
check "after rmmod/insmod, sysctl -p of a sysctl.d file sets the defaults again" reload_and_apply
"$ctl" set txw-sqns 8192 rxw-sqns 8192 nak-storm-rate 1000 peer-expiry 10000000

echo "sysctl-vm: $pass passed, $fail failed"
[ $fail = 0 ]
