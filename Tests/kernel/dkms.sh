#!/usr/bin/env bash
# Tests/kernel/dkms.sh - pgm.ko through DKMS, as an operator installs it
# (make check-dkms; README "Installing on a real machine").
#
# On this machine: make dkms adds the source tree (/usr/src/pgm-VERSION)
# to DKMS and builds and installs pgm.ko for Debian's 6.1 kernel (into
# /lib/modules/VERSION/updates/dkms, with depmod), and the hook that a
# kernel package runs on install does the same for 6.12, as when a kernel
# is upgraded: nothing is loaded here.  Then, for each kernel, a VM boots with the machine's own module
# tree (scripts/vm --no-module: no pgm.ko of the build tree anywhere) and
# checks that the first socket(AF_INET, SOCK_RDM, IPPROTO_PGM) loaded the
# DKMS-built module (its srcversion and the project's version), that a short
# end-to-end run over a bridge at 1% loss delivers exactly, and that the
# module unloads.  Last, make dkms-uninstall, which must leave no pgm.ko
# in either kernel's tree.  Prints "dkms: N passed, N failed".
#
# It changes this machine's /usr/src, /var/lib/dkms and /lib/modules of the
# two kernels, and undoes that when it ends, whatever the outcome.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - dkms: $1"; }
notok() { fail=$((fail + 1)); echo "not ok - dkms: $1"; }

kernels=()
for k in 6.1 6.12; do kernels+=("$(scripts/kver $k)"); done
version=$(scripts/version)

cleanup() { make -s dkms-uninstall >/dev/null 2>&1; }
trap cleanup EXIT

# make dkms for the first kernel; the second comes as on a kernel upgrade:
# the hook a kernel package runs (/etc/kernel/postinst.d/dkms) must build
# and install it (AUTOINSTALL).
t0=$SECONDS
if make -s dkms DKMS_KERNELS="${kernels[0]}" >"$top/build/dkms.log" 2>&1; then
	ok "make dkms built and installed pgm $version for ${kernels[0]} in $((SECONDS - t0)) s"
else
	tail -n 30 "$top/build/dkms.log"
	notok "make dkms failed"
	echo "dkms: $pass passed, $fail failed"
	exit 1
fi
t0=$SECONDS
if /etc/kernel/postinst.d/dkms "${kernels[1]}" >>"$top/build/dkms.log" 2>&1 &&
   dkms status "pgm/$version" -k "${kernels[1]}" 2>/dev/null | grep -q installed; then
	ok "the kernel-install hook built and installed pgm for ${kernels[1]} in $((SECONDS - t0)) s"
else
	tail -n 30 "$top/build/dkms.log"
	notok "the kernel-install hook did not install pgm for ${kernels[1]}"
fi

for kver in "${kernels[@]}"; do
	ko=$(find "/lib/modules/$kver/updates/dkms" -name 'pgm.ko*' 2>/dev/null | head -n 1)
	if [ -z "$ko" ] || ! dkms status "pgm/$version" -k "$kver" 2>/dev/null | grep -q installed; then
		notok "$kver: dkms does not list pgm/$version as installed, or no pgm.ko in updates/dkms"
		continue
	fi
	want=$(modinfo -k "$kver" -F srcversion "$ko")
	if scripts/vm --no-module --kernel "$kver" -- Tests/kernel/dkms-guest.sh "$want" "$version" \
		>"$top/build/dkms-$kver.log" 2>&1; then
		sed -n 's/^\(    socket() loaded\)/\1/p; /e2e: /p' "$top/build/dkms-$kver.log"
		ok "$kver: socket() autoloads the DKMS module, e2e loss1 exact, rmmod clean"
	else
		tail -n 30 "$top/build/dkms-$kver.log"
		notok "$kver: the DKMS module in the VM"
	fi
done

if make -s dkms-uninstall >>"$top/build/dkms.log" 2>&1 &&
   [ -z "$(find "${kernels[@]/#//lib/modules/}" -path '*/updates/dkms/pgm.ko*' 2>/dev/null)" ] &&
   [ ! -e "/usr/src/pgm-$version" ]; then
	ok "make dkms-uninstall removed the module from every kernel and the source tree"
else
	notok "make dkms-uninstall left pgm.ko or /usr/src/pgm-$version behind"
fi
echo "dkms: $pass passed, $fail failed"
[ $fail = 0 ]
