#!/usr/bin/env bash
# Tests/host/headers.sh - the uapi headers as an application includes them:
# <linux/pgm.h> and <linux/pgm_netlink.h> alone, after and before
# <linux/in.h>, after and before <netinet/in.h> (and <arpa/inet.h>, which
# includes it), in C and in C++, with -Wall -Wextra -Werror.  A uapi header
# must compile whichever of the kernel's and the C library's definitions of
# struct sockaddr_in the application took.  (<linux/in.h> before
# <netinet/in.h> is left out: glibc's header clashes with the kernel's
# there, with or without ours.)
# Ends with "headers: N passed, N failed".
set -u
cc=${CC:-cc}
cxx=${CXX:-c++}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/linux"
cp "$top/kernel/include/uapi/linux/pgm.h" "$top/kernel/include/uapi/linux/pgm_netlink.h" "$tmp/include/linux/"

pass=0 fail=0
# ORDER: the headers in order, separated by spaces.  The program uses
# struct sockaddr_pgm's and sockaddr_pgm6's addresses as both libraries
# spell them.
try() {	# LANG ORDER...
	local lang=$1 src compiler std h
	shift
	if [ "$lang" = c ]; then
		src=$tmp/t.c compiler=$cc std=-std=c99
	else
		src=$tmp/t.cc compiler=$cxx std=-std=c++11
	fi
	{
		for h in "$@"; do echo "#include <$h>"; done
		cat <<-'EOF'
		int main(void)
		{
		#ifdef SOL_PGM
			static struct sockaddr_pgm from;
			static struct sockaddr_pgm6 from6;
			struct sockaddr_in *sin = &from.sin;
			struct sockaddr_in6 *sin6 = &from6.sin6;

			from.sin.sin_addr.s_addr = 0;
			from.tsi.sport = 0;
			from6.sin6.sin6_port = 0;
			return sin->sin_family == 0 && from.tsi.gsi[0] == PGM_GSI_LEN &&
			       sin6->sin6_family == 0 && from6.sin6.sin6_addr.s6_addr[0] == 0;
		#else
			return PGM_FAMILY_VERSION == 0;
		#endif
		}
		EOF
	} >"$src"
	local name="$lang: $*"
	if out=$("$compiler" $std -Wall -Wextra -Werror -I"$tmp/include" -c "$src" -o "$tmp/t.o" 2>&1); then
		pass=$((pass + 1)); echo "ok - $name"
	else
		fail=$((fail + 1)); echo "not ok - $name"
		printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
	fi
}

langs=c
command -v "$cxx" >/dev/null 2>&1 && langs="c c++"
for lang in $langs; do
	for h in linux/pgm.h linux/pgm_netlink.h; do
		try "$lang" "$h"
		for libc in linux/in.h netinet/in.h arpa/inet.h sys/socket.h; do
			try "$lang" "$libc" "$h"
			try "$lang" "$h" "$libc"
		done
		try "$lang" netinet/in.h "$h" linux/in.h
		try "$lang" "$h" netinet/in.h linux/in.h
	done
	try "$lang" linux/pgm_netlink.h linux/pgm.h
	try "$lang" linux/in.h linux/pgm.h linux/pgm_netlink.h
done

echo "headers: $pass passed, $fail failed"
[ $fail = 0 ]
