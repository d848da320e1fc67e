#!/usr/bin/env bash
# Tests/kernel/dkms-guest.sh SRCVERSION VERSION - the guest's half of
# Tests/kernel/dkms.sh, in a VM booted without the build tree's pgm.ko:
# nothing of pgm is loaded until the first PGM socket(), which must load the
# DKMS-built module (SRCVERSION, the project's VERSION); a short e2e over a
# bridge at 1% loss; then the module unloads.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
grep -q '^pgm ' /proc/modules && { echo "pgm loaded before any socket"; exit 1; }
python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RDM, 113).close()' ||
	{ echo "socket() did not load pgm"; exit 1; }
got=$(cat /sys/module/pgm/srcversion)
[ "$got" = "$1" ] || { echo "loaded srcversion $got, DKMS built $1"; exit 1; }
[ "$(cat /sys/module/pgm/version)" = "$2" ] ||
	{ echo "loaded version $(cat /sys/module/pgm/version), not $2"; exit 1; }
echo "    socket() loaded $(modinfo -n pgm) (version $2, srcversion $got)"
PGM_E2E_RATE=400000 "$top/Tests/kernel/e2e.sh" 1000 loss1 || exit 1
rmmod pgm || { echo "rmmod pgm failed"; exit 1; }
