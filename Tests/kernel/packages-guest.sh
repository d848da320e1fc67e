#!/usr/bin/env bash
# Tests/kernel/packages-guest.sh SRCVERSION VERSION - the guest's half of
# Tests/kernel/packages.sh, in a VM booted without the build tree's pgm.ko:
# the first PGM socket() loads the packaged module (SRCVERSION, VERSION);
# /usr/bin/pgm-send sends 2,000 messages to /usr/bin/pgm-recv across a
# veth pair with 5% loss each way, which must deliver them exactly; then
# the module unloads.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
grep -q '^pgm ' /proc/modules && { echo "pgm loaded before any socket"; exit 1; }
/usr/bin/pgm-info >/dev/null || { echo "pgm-info failed (socket() did not load pgm?)"; exit 1; }
got=$(cat /sys/module/pgm/srcversion)
[ "$got" = "$1" ] && [ "$(cat /sys/module/pgm/version)" = "$2" ] ||
	{ echo "loaded srcversion $got version $(cat /sys/module/pgm/version), packaged $1 $2"; exit 1; }
echo "    socket() loaded $(modinfo -n pgm) (version $2)"

# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT
netns_pair psrc veth-ps 10.98.0.1 prcv veth-pr 10.98.0.2
netns_netem psrc veth-ps loss 5%
netns_netem prcv veth-pr loss 5%
out=$(mktemp -d)
ip netns exec prcv /usr/bin/pgm-recv --group 239.192.0.98 --interface 10.98.0.2 --sessions 1 \
	--timeout 120 --json >"$out/recv.json" 2>"$out/recv.err" &
rpid=$!
for _ in $(seq 100); do grep -q '"ready"' "$out/recv.json" 2>/dev/null && break; sleep 0.1; done
ip netns exec psrc /usr/bin/pgm-send --group 239.192.0.98 --interface 10.98.0.1 --count 2000 \
	--size 1000 --rate 2000000 --linger 2 --json >"$out/send.json" 2>"$out/send.err" ||
	{ echo "pgm-send failed"; cat "$out/send.err"; exit 1; }
wait $rpid || { echo "pgm-recv failed"; cat "$out/recv.err"; exit 1; }
python3 - "$out" <<'PY' || exit 1
import json, sys
out = sys.argv[1]
snd = json.load(open(f"{out}/send.json"))
summ = [l for l in map(json.loads, filter(str.strip, open(f"{out}/recv.json"))) if l.get("event") == "summary"][-1]
sess = summ["sessions"][0]
st = summ["statistics"]
print(f"    pgm-recv: {summ['messages']} messages, NAKs {st['naks_sent']}, RDATA {st['rdata_received']}, "
      f"lost {st['losses']}, sha256 {sess['sha256'][:16]} (pgm-send {snd['sha256'][:16]})")
sys.exit(0 if sess["sha256"] == snd["sha256"] and summ["messages"] == 2000 and st["naks_sent"] > 0 else 1)
PY
netns_cleanup
trap - EXIT
rmmod pgm || { echo "rmmod pgm failed"; exit 1; }
