#!/usr/bin/env bash
# Tests/kernel/packages.sh - the Debian packages of make deb, installed as
# an operator installs them (make check-deb; README "Installing on a real
# machine").
#
# On this machine: apt-get installs build/deb's pgm-dkms, pgm-tools and
# pgm-kernel-dev (with dkms from Debian); pgm-dkms's postinst must have
# built and installed pgm.ko for Debian's 6.1 and 6.12 kernels (nothing is
# loaded here); the header package must let a C example compile with no -I
# (pkg-config pgm-kernel); the tools must run from /usr/bin.  Then, per
# kernel, a VM booted with the machine's own module tree
# (Tests/kernel/packages-guest.sh) loads the packaged module through
# socket() and carries a stream at 5% loss from /usr/bin/pgm-send to
# /usr/bin/pgm-recv exactly.  Last, apt-get purge must leave no pgm.ko, no
# /usr/src/pgm-*, no tool.  Prints "packages: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - packages: $1"; }
notok() { fail=$((fail + 1)); echo "not ok - packages: $1"; }
version=$(scripts/version)
pkgs=(pgm-dkms pgm-tools pgm-kernel-dev)
kernels=()
for k in 6.1 6.12; do kernels+=("$(scripts/kver "$k")"); done
log=$top/build/packages.log
export DEBIAN_FRONTEND=noninteractive

purge() { apt-get purge -y -q "${pkgs[@]}" >>"$log" 2>&1; }
trap purge EXIT

debs=()
for p in "${pkgs[@]}"; do
	f=$(ls build/deb/"${p}_${version}"_*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || { notok "no build/deb/${p}_${version}_*.deb (make deb)"; echo "packages: $pass passed, $fail failed"; exit 1; }
	debs+=("./$f")
done
t0=$SECONDS
if apt-get install -y -q "${debs[@]}" >"$log" 2>&1; then
	ok "apt-get install ${pkgs[*]} $version in $((SECONDS - t0)) s"
else
	tail -n 30 "$log"
	notok "apt-get install failed"
	echo "packages: $pass passed, $fail failed"
	exit 1
fi

for kver in "${kernels[@]}"; do
	if dkms status "pgm/$version" -k "$kver" 2>/dev/null | grep -q installed; then
		ok "pgm-dkms's postinst installed pgm.ko for $kver"
	else
		notok "pgm-dkms's postinst did not install pgm.ko for $kver"
	fi
done

# The header package: a program of the socket API builds against it alone.
cflags=$(pkg-config --cflags pgm-kernel 2>/dev/null) && [ "$(pkg-config --modversion pgm-kernel)" = "$version" ] &&
	gcc -std=gnu11 -Wall -Werror $cflags -o build/packages-example Examples/c/receiver.c 2>>"$log" &&
	ok "pgm-kernel-dev: pkg-config pgm-kernel $version, Examples/c/receiver.c builds against /usr/include/linux/pgm.h" ||
	notok "pgm-kernel-dev: pkg-config or the example's build failed"

# The tools: from /usr/bin, their man pages and completions.
bad=
for t in pgmctl pgm-send pgm-recv pgm-perf pgm-dump pgm-info pgm-sim; do
	[ "$(/usr/bin/$t --version 2>/dev/null)" = "$version" ] || bad="$bad $t"
	man -w "$t" >/dev/null 2>&1 || bad="$bad man:$t"
	[ -f "/usr/share/bash-completion/completions/$t" ] || bad="$bad bash:$t"
done
man -w 7 pgm >/dev/null 2>&1 || bad="$bad man:pgm.7"
[ -z "$bad" ] && ok "pgm-tools: every tool runs from /usr/bin (--version $version), with its man page and completion" ||
	notok "pgm-tools:$bad"

for kver in "${kernels[@]}"; do
	want=$(modinfo -k "$kver" -F srcversion pgm 2>/dev/null)
	if scripts/vm --no-module --kernel "$kver" -- Tests/kernel/packages-guest.sh "$want" "$version" \
		>"$top/build/packages-$kver.log" 2>&1; then
		grep -E '^    ' "$top/build/packages-$kver.log"
		ok "$kver: socket() loads the packaged module; /usr/bin/pgm-send to pgm-recv exact at 5% loss"
	else
		tail -n 30 "$top/build/packages-$kver.log"
		notok "$kver: the packaged module and tools in the VM"
	fi
done

if purge && [ -z "$(find "${kernels[@]/#//lib/modules/}" -path '*/updates/dkms/pgm.ko*' 2>/dev/null)" ] &&
   [ -z "$(ls -d /usr/src/pgm-* 2>/dev/null)" ] && [ ! -e /usr/bin/pgmctl ] &&
   [ ! -e /usr/include/linux/pgm.h ]; then
	ok "apt-get purge removed the module from every kernel, the source, the tools and the header"
else
	notok "apt-get purge left something behind"
fi
echo "packages: $pass passed, $fail failed"
[ $fail = 0 ]
