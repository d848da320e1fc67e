#!/usr/bin/env bash
# Tests/host/insn.sh - make perf-insn's parts that run on the host: the QEMU
# plugin (Tests/perf/insn-count.c) builds with -Werror and exports what
# QEMU's loader looks for; the mark (Sources/CPGM/include/cpgm_insn.h)
# compiles to the very eight bytes the plugin matches; scripts/insn-profile
# sums a plugin's per-block counts by symbol, user space apart, per message.
# (The plugin in QEMU is exercised by make perf-insn, a benchmark.)
# Ends with "insn: N passed, N failed".
set -u
cc=${CC:-cc}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }

if $cc -std=gnu11 -Wall -Wextra -Werror -O2 -shared -fPIC -o "$tmp/insn-count.so" \
	"$top/Tests/perf/insn-count.c" 2>"$tmp/cc.err"; then
	ok "the plugin builds with -Werror"
	syms=$(nm -D --defined-only "$tmp/insn-count.so" | awk '{ print $3 }')
	if grep -qx qemu_plugin_install <<<"$syms" && grep -qx qemu_plugin_version <<<"$syms"; then
		ok "the plugin exports qemu_plugin_install and qemu_plugin_version"
	else
		notok "the plugin exports qemu_plugin_install and qemu_plugin_version: $(tr '\n' ' ' <<<"$syms")"
	fi
else
	notok "the plugin builds with -Werror: $(head -n 5 "$tmp/cc.err")"
fi

# The mark's bytes, as the plugin's table has them.
want=$(sed -n 's/^static const unsigned char mark\[8\] = { \(.*\) };$/\1/p' "$top/Tests/perf/insn-count.c" |
	tr -d ' ' | tr ',' '\n' | sed 's/^0x//' | tr -d '\n')
cat >"$tmp/mark.c" <<'EOF'
#include <stdio.h>
#include "cpgm_insn.h"
void marked(void);
void marked(void) { cpgm_insn_mark(); }
EOF
if $cc -O2 -c -I "$top/Sources/CPGM/include" -o "$tmp/mark.o" "$tmp/mark.c"; then
	got=$(objcopy -O binary -j .text "$tmp/mark.o" "$tmp/text" && od -An -tx1 -v "$tmp/text" | tr -d ' \n')
	if [ "${#want}" = 16 ] && [[ $got == *"$want"* ]]; then
		ok "cpgm_insn_mark() is the plugin's eight bytes ($want)"
	else
		notok "cpgm_insn_mark() is the plugin's eight bytes: want $want in $got"
	fi
else
	notok "cpgm_insn_mark() compiles"
fi

# insn-profile: two kernel symbols and a module's, user space below them.
mkdir -p "$tmp/hist"
cat >"$tmp/kallsyms" <<'EOF'
ffffffff81000000 T alpha
ffffffff81000100 t beta
ffffffffc0000000 t pgm_input	[pgm]
EOF
cat >"$tmp/hist/mark-3" <<'EOF'
ffffffff81000010 300
ffffffff81000020 100
ffffffff81000180 50
ffffffffc0000040 200
7f0000001000 150
EOF
cat >"$tmp/hist/mark-7" <<'EOF'
ffffffff81000100 20
EOF
out=$("$top/scripts/insn-profile" "$tmp/kallsyms" "a=$tmp/hist:3:10" "b=$tmp/hist:7:2" 2>&1)
row() { awk -v s="$1" 'index($0, s) == 1 { print $(NF - 1), $NF; exit }' <<<"$out"; }
if [ "$(row alpha)" = "40 0" ] && [ "$(row beta)" = "5 10" ] && [ "$(row 'pgm_input [pgm]')" = "20 0" ] &&
   [ "$(row '[user]')" = "15 0" ] && [ "$(row total)" = "80 10" ]; then
	ok "insn-profile sums blocks by symbol, module and user space, per message"
else
	notok "insn-profile sums blocks by symbol, module and user space, per message: $out"
fi
if "$top/scripts/insn-profile" "$tmp/kallsyms" "a=$tmp/hist:4:10" >/dev/null 2>&1; then
	notok "insn-profile fails on a mark with no file"
else
	ok "insn-profile fails on a mark with no file"
fi

# insn-profile --lines: pgm.ko's blocks by source line, through nm -S and
# addr2line on the module (here an object of two functions); a block past
# a symbol's end is another module's and is left out.
printf 'int one(int x)\n{\n\treturn x * 3 + 1;\n}\n\nint two(int x)\n{\n\treturn x - 7;\n}\n' >"$tmp/lines.c"
if $cc -g -O0 -c -o "$tmp/lines.o" "$tmp/lines.c"; then
	two_size=$(nm -S "$tmp/lines.o" | awk '$4 == "two" { print $2 }')
	cat >"$tmp/kallsyms" <<'EOF'
ffffffff81000000 T alpha
ffffffffc0000000 t one	[pgm]
ffffffffc0001000 t two	[pgm]
EOF
	printf 'ffffffffc0000000 100\nffffffffc0001000 50\n%x 30\nffffffff81000000 7\n' \
		$((0xffffffffc0001000 + 0x$two_size)) >"$tmp/hist/mark-5"
	out=$("$top/scripts/insn-profile" "$tmp/kallsyms" "a=$tmp/hist:5:10" --lines "$tmp/lines.o" 2>&1)
	line() { awk -v f="$1" '$2 == f { print $1, $3; exit }' <<<"${out#*by source line}"; }
	if [ "$(line one)" = "10.0 lines.c:2" ] && [ "$(line two)" = "5.0 lines.c:7" ] &&
	   [ "$(line pgm.ko)" = "15 2" ]; then
		ok "insn-profile --lines sums pgm.ko's blocks by source line, within each symbol"
	else
		notok "insn-profile --lines sums pgm.ko's blocks by source line, within each symbol: $out"
	fi
else
	notok "a C object with line numbers compiles"
fi

echo "insn: $pass passed, $fail failed"
[ "$fail" = 0 ]
