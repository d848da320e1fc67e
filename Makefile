# pgm - one entry point for build, test, demo and install.
#
#   make                 pgm.ko (for K, default the 6.1 kernel) and the Swift package
#   make check           build checks (generated netlink code, W=1, sparse, man pages), host
#                        tests, kernel tests in a VM on 6.12 (all) and 6.1 (its share), a short
#                        subset on the debug kernel (KASAN, kmemleak, lockdep, UBSAN), the
#                        conformance table
#   make check-kernel-K  one kernel's VM stage (K=6.1, 6.12; SUITE=full by default)
#   make check-kernel-debug  the debug kernel's longer subset (DEBUG_SUITE=debug): builds the
#                        debug kernel once (scripts/debug-kernel, cached in /var/cache/pgm)
#   make demo            boot a VM, load pgm.ko, show a PGM socket at work
#   make modules-all     pgm.ko for both kernels with W=1, warnings are errors
#   make sparse          sparse (C=2) on both kernels, project warnings are errors
#   make vm CMD='...'    run a command as root in a VM with pgm.ko loaded (K=6.12 for 6.12)
#   make bench-sim       the model's simulator at 1/100/10,000 receivers (a benchmark, not a test)
#   make bench-fec       FEC encode and decode cost per packet against memcpy, on the host (a benchmark)
#   make perf            pgm-perf in a VM: PGM against UDP multicast and OpenPGM, 0% and 1% loss (a benchmark)
#   make perf-insn       make perf counted in guest instructions per message (a QEMU plugin counts; no timing)
#   make perf-ring       pgm-perf in a VM: recvmsg, recvmmsg, the mmap ring and sendmmsg batches, streaming (a benchmark)
#   make perf-latency    pgm-perf in a VM: latency and repair time at 0.1% and 1% loss, wan and lan profiles
#   make fuzz            fuzz the Swift codec and the module's validator (FUZZ_SECONDS each, default 60)
#   make fuzz-kernel     fuzz pgm.ko's input path in a VM (K=6.1 or 6.12; FUZZ_SECONDS, default 600 here;
#                        FUZZ_SEED replays a run; FUZZ_ARGS, e.g. --no-far, see fuzz_kernel --help)
#   make install         install pgm.ko for the running kernel, the tools, their bash/zsh/fish
#                        completions and man pages (DESTDIR, PREFIX; make uninstall removes them;
#                        make install-tools: all but pgm.ko, for use with make dkms)
#   make dkms            pgm.ko through DKMS for every kernel with headers, rebuilt for kernels
#                        installed later (make dkms-uninstall removes it; make dkms-source
#                        only stages the source tree, DESTDIR)
#   make check-dkms      make dkms for 6.1, the kernel-install hook for 6.12, then a VM on each
#                        loads it through socket() and runs a short e2e; uninstalls at the end
#   make deb             Debian packages pgm-dkms, pgm-tools, pgm-kernel-dev in build/deb (lintian clean)
#   make check-deb       make deb, apt-get install them here, a VM per kernel using them, purge
#   make ynl-check       every file generated from kernel/pgm.yaml (netlink family, tunables) is up to date
#   make kernel-doc      the module's kernel-doc comments are complete (kernel-doc -Wall)
#   make interop         this module against OpenPGM and ZeroMQ in a VM (K=6.1 or 6.12; default both)
#   make shim            build/shim/libpgm-5.3.so.0: OpenPGM's API for ZeroMQ over pgm.ko (docs/zeromq.md)
#   make check-zmq-shim  Debian's libzmq on that shim in a VM: against itself, OpenPGM, unprivileged
#                        (K, default 6.12); also prints ZeroMQ msgs/s over the shim against OpenPGM
#
# K names the kernel for every target that takes one: 6.1, 6.12, debug (the
# debug kernel) or a full version (scripts/kver).  KVER= is an old name for it.
#
# Every target that needs system packages runs scripts/deps first (once;
# it is re-run when scripts/deps changes).

SHELL := /bin/bash
ifeq ($(origin KVER),command line)
override K := $(KVER)
$(warning KVER= is deprecated, use K=$(KVER))
endif
K ?= 6.1
KERNELS := 6.1 6.12
PREFIX ?= /usr/local
SWIFT ?= swift
SWIFT_FLAGS ?=
CC ?= gcc

KTEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all deps module modules-all sparse swift ktests examples check check-host \
	check-kernel check-kernel-% check-kernel-debug debug-kernel conformance ynl-check kernel-doc vm demo perf perf-insn perf-pgmcc perf-confirm perf-ring perf-latency perf-profile install uninstall \
	install-completions uninstall-completions man-lint fuzz fuzz-kernel \
	bench-sim bench-fec clean install-tools \
	interop interop-peers shim check-zmq-shim dkms dkms-source dkms-uninstall check-dkms deb check-deb

all: module swift

.deps.stamp: scripts/deps
	scripts/deps
	@touch $@

deps: .deps.stamp

module: .deps.stamp
	@scripts/build-module $(K) >/dev/null && echo "built build/kmod/$$(scripts/kver $(K))/pgm.ko"

modules-all: .deps.stamp
	@for k in $(KERNELS); do \
		scripts/build-module --strict $$k >/dev/null || exit 1; \
		echo "modules-all: $$(scripts/kver $$k): W=1, no warnings"; \
	done

sparse: .deps.stamp
	@for k in $(KERNELS); do \
		scripts/build-module --strict --sparse $$k >/dev/null || exit 1; \
		echo "sparse: $$(scripts/kver $$k): C=2, no warnings from project files"; \
	done

# kernel-doc of the newest kernel's headers over the module's sources: every
# comment written as kernel-doc (/**) describes each parameter and return.
kernel-doc: .deps.stamp
	@kd=$$(ls -d /usr/src/linux-headers-$$(scripts/kver 6.12 | sed 's/-amd64$$/-common/')/scripts/kernel-doc); \
	out=$$(perl $$kd -none -Wall $$(ls kernel/*.c kernel/*.h | grep -v -- -gen) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	echo "kernel-doc: kernel/*.[ch], -Wall, no warnings"

swift: .deps.stamp
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests

KTESTS := build/ktests/sock_test build/ktests/input_test build/ktests/lookup_test build/ktests/src_test build/ktests/e2e \
	build/ktests/attack_rcv build/ktests/attack_fec \
	build/ktests/ring_test build/ktests/attack_src build/ktests/fuzz_kernel build/ktests/sock6_test \
	build/ktests/attack6 build/ktests/sockopt
KTEST_HDRS := Tests/kernel/harness.h Tests/kernel/common.h Tests/kernel/packets.h Tests/kernel/ringlib.h \
	Tests/kernel/tunables-gen.h \
	kernel/include/uapi/linux/pgm.h kernel/include/uapi/linux/pgm_netlink.h

build/ktests/%: Tests/kernel/%.c $(KTEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KTEST_CFLAGS) -o $@ $<

build/ktests/wire_test: Tests/kernel/wire_test.c kernel/wire.c kernel/wire.h $(KTEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KTEST_CFLAGS) $(HOST_SAN) -o $@ $<

build/ktests/txw_test: Tests/kernel/txw_test.c kernel/txw.h Tests/kernel/harness.h
	@mkdir -p $(@D)
	$(CC) $(KTEST_CFLAGS) $(HOST_SAN) -o $@ $<

# The Reed-Solomon code (kernel/fec.c) against OpenPGM's, libpgm.a the oracle;
# fec_bench is the same program without the sanitizers, for --bench.
FEC_TEST_SRC := Tests/kernel/fec_test.c kernel/fec.c kernel/fec.h Tests/kernel/harness.h
build/ktests/fec_test: $(FEC_TEST_SRC) .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(KTEST_CFLAGS) $(HOST_SAN) -o $@ $< $$(pkg-config --variable=libdir openpgm-5.3)/libpgm.a -lpthread -lm

build/ktests/fec_bench: $(FEC_TEST_SRC) .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(KTEST_CFLAGS) -o $@ $< $$(pkg-config --variable=libdir openpgm-5.3)/libpgm.a -lpthread -lm

ktests: $(KTESTS) build/ktests/wire_test build/ktests/txw_test build/ktests/fec_test

# The README's C examples, against the uapi header as <linux/pgm.h>.
EXAMPLES := build/examples/sender build/examples/receiver
build/examples/%: Examples/c/%.c kernel/include/uapi/linux/pgm.h
	@mkdir -p build/examples/include/linux
	@cp kernel/include/uapi/linux/pgm.h build/examples/include/linux/pgm.h
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -Ibuild/examples/include -o $@ $<

examples: $(EXAMPLES)
	@scripts/man-examples build/man-examples man/pgm.7

# The interop tests' peers (Tests/interop): this module's socket, Debian's
# OpenPGM (libpgm) and ZeroMQ (libzmq, built with OpenPGM).
INTEROP := build/interop/kpeer build/interop/opgm build/interop/zpeer
INTEROP_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2
build/interop/kpeer: Tests/interop/kpeer.c Tests/interop/stream.h kernel/include/uapi/linux/pgm.h
	@mkdir -p build/interop/include/linux
	@cp kernel/include/uapi/linux/pgm.h build/interop/include/linux/pgm.h
	$(CC) $(INTEROP_CFLAGS) -Ibuild/interop/include -o $@ $<
build/interop/opgm: Tests/interop/opgm.c Tests/interop/stream.h Tests/interop/libpgm.h .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(INTEROP_CFLAGS) $$(pkg-config --cflags openpgm-5.3) -o $@ $< $$(pkg-config --libs openpgm-5.3)
build/interop/zpeer: Tests/interop/zpeer.c Tests/interop/stream.h .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(INTEROP_CFLAGS) $$(pkg-config --cflags libzmq) -o $@ $< $$(pkg-config --libs libzmq)

interop-peers: $(INTEROP)

# libpgm-5.3.so.0 over pgm.ko (shim/, docs/zeromq.md): a program linked
# against OpenPGM 5.3, Debian's libzmq among them, run with
# LD_LIBRARY_PATH=build/shim uses the kernel's PGM socket instead.
SHIM := build/shim/libpgm-5.3.so.0
SHIM_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -fPIC -fvisibility=hidden
$(SHIM): shim/shim.c shim/kpgm.c shim/kpgm.h kernel/include/uapi/linux/pgm.h .deps.stamp
	@mkdir -p build/shim/include/linux
	@cp kernel/include/uapi/linux/pgm.h build/shim/include/linux/pgm.h
	$(CC) $(SHIM_CFLAGS) -shared -Wl,-soname,libpgm-5.3.so.0 -Wl,--no-undefined \
		$$(pkg-config --cflags openpgm-5.3) -Ibuild/shim/include -o $@ shim/shim.c shim/kpgm.c
	@ln -sf libpgm-5.3.so.0 build/shim/libpgm-5.3.so
shim: $(SHIM)

# The shim's calls that open no PGM socket, on the host (no module needed).
build/shim/shim-addr: Tests/interop/shim-addr.c $(SHIM)
	$(CC) $(INTEROP_CFLAGS) $$(pkg-config --cflags openpgm-5.3) -o $@ $< \
		-Lbuild/shim -l:libpgm-5.3.so.0 -Wl,-rpath,'$$ORIGIN'

build/interop/zbench: Tests/interop/zbench.c .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(INTEROP_CFLAGS) $$(pkg-config --cflags libzmq) -o $@ $< $$(pkg-config --libs libzmq)

# shim-addr on the host, then one VM boot (K, default 6.12): Tests/interop/zmq-shim.sh.
check-zmq-shim: .deps.stamp $(SHIM) $(INTEROP) build/interop/zbench build/shim/shim-addr
	@set -o pipefail; build/shim/shim-addr | grep -v '^ok - '
	@k=$(if $(filter command line override,$(origin K)),$(K),6.12); \
		scripts/build-module --strict $$k >/dev/null || exit 1; \
		scripts/vm --autoload --kernel $$k -- Tests/interop/zmq-shim.sh

# pgm-perf's OpenPGM baseline (Tests/perf/opgm-perf.c, libpgm), which
# pgm-perf runs from build/perf when --baseline names openpgm.
PERF_HELPERS := build/perf/opgm-perf
build/perf/opgm-perf: Tests/perf/opgm-perf.c Tests/interop/libpgm.h Sources/CPGM/include/cpgm_insn.h .deps.stamp
	@mkdir -p $(@D)
	$(CC) $(INTEROP_CFLAGS) $$(pkg-config --cflags openpgm-5.3) -o $@ $< $$(pkg-config --libs openpgm-5.3)

# One VM boot per kernel (K=6.1 or K=6.12 for one): Tests/interop/run.sh.
# make check runs the same script inside its kernel stage's boot.
interop: .deps.stamp swift $(INTEROP)
	@for k in $(if $(filter command line override,$(origin K)),$(K),$(KERNELS)); do \
		scripts/build-module --strict $$k >/dev/null || exit 1; \
		scripts/vm --kernel $$k -- Tests/interop/run.sh || exit 1; \
	done

# Host stage: Swift tests, the module's parser and transmit window in user
# space, the C examples, the tools' argument errors, the uapi headers in
# every include order, the conformance scenarios on the model.
check-host: swift build/ktests/wire_test build/ktests/txw_test build/ktests/fec_test examples
	@mkdir -p build/check
	@echo "examples: $(words $(EXAMPLES)) passed, 0 failed (README's C examples built with -Werror; Swift examples built by swift build)"
	@set -o pipefail; build/ktests/wire_test | tee build/check/host-wire.log
	@set -o pipefail; build/ktests/txw_test | tee build/check/host-txw.log
	@set -o pipefail; build/ktests/fec_test | tee build/check/host-fec.log
	@set -o pipefail; scripts/swift-test-summary $(SWIFT) test $(SWIFT_FLAGS) | tee build/check/host-swift.log
	@set -o pipefail; Tests/host/tools.sh .build/debug | tee build/check/host-tools.log
	@set -o pipefail; CC=$(CC) Tests/host/headers.sh | tee build/check/host-headers.log
	@set -o pipefail; CC=$(CC) Tests/host/insn.sh | tee build/check/host-insn.log
	@mkdir -p build/conformance
	@set -o pipefail; .build/debug/pgm-conform --backend model --json build/conformance/model.json Tests/conformance | tee build/check/host-conformance.log

# Kernel stage: one VM boot per kernel runs Tests/kernel/suite.sh.
# SUITE=full (the default) runs it whole: every test, the whole end-to-end
# matrix (Tests/kernel/e2e.sh: loss rates, reordering, ring, late join) of
# E2E_COUNT APDUs per case.  make check (scripts/check) runs it whole on the
# newest kernel and the older kernel's share on 6.1 (SUITE=older): every
# test of the module itself (the C tests, attacks, netlink, conformance,
# fuzzing, the Swift library, sysctl, OpenPGM interop) and one e2e case of
# each kind (E2E_CASES_older), but not the tools' own tests (tools, pgmctl,
# monitor), which use only the netlink ABI that nl-smoke checks there.
# E2E_COUNT 5000: ~7,000 sqns a case, most of an 8192-sqn window (the
# windows' wrap and sequence wrap have tests of their own: src_test,
# attack_rcv, the conformance scenarios; make check-kernel-6.12
# E2E_COUNT=10000 for the longer run).  E2E_CASES
# picks cases (empty: all; make check leaves out five on 6.12, see
# scripts/check).
SUITE ?= full
E2E_COUNT ?= 5000
E2E_CASES_older := loss5 fec5 multi ring10 confirm v6loss5
E2E_CASES ?= $(E2E_CASES_$(SUITE))
check-kernel-%: .deps.stamp swift $(KTESTS) $(INTEROP) $(PERF_HELPERS)
	@mkdir -p build/check
	@scripts/build-module --strict $* >/dev/null
	@scripts/stage-guest-swift
	@start=$$(date +%s); set -o pipefail; e2e=build/vm/$$(scripts/kver $*)/e2e; \
	rm -f $$e2e/*.pcapng; \
	scripts/vm --autoload --kernel $* -- env PGM_SUITE=$(SUITE) PGM_E2E_COUNT=$(E2E_COUNT) \
		PGM_E2E_CASES="$(E2E_CASES)" PGM_E2E_DECODE=host Tests/kernel/suite.sh 2>&1 | \
		tee build/check/kernel-$*.log; \
	rc=$$?; \
	if ls $$e2e/*.pcapng >/dev/null 2>&1; then \
		scripts/decode-capture $$e2e/*.pcapng 2>&1 | tee -a build/check/kernel-$*.log || rc=1; \
	fi; \
	echo "# VM stage on $* ($(SUITE)) took $$(( $$(date +%s) - start )) s"; exit $$rc

check-kernel: $(addprefix check-kernel-,$(KERNELS))

# The debug kernel (scripts/debug-kernel: KASAN, kmemleak, lockdep, UBSAN,
# debug objects, SLUB checks), built once and cached outside the tree.
debug-kernel: .deps.stamp
	@scripts/debug-kernel >/dev/null

# Debug stage: pgm.ko with W=1 against the debug kernel, one VM boot running
# the suite's debug subset (Tests/kernel/suite.sh, PGM_SUITE=$(DEBUG_SUITE):
# debug, or debug-short in make check), which ends with a kmemleak scan;
# scripts/vm fails on any report in dmesg.  DEBUG_APPEND (default
# slub_debug=-) is added to the kernel's command line: SLUB_DEBUG_ON's
# poisoning and red zones are written a byte at a time under emulation and
# made the stage 1.7-2.5x longer, while KASAN (generic, inline) checks every
# slab access with red zones and a quarantine of its own; DEBUG_APPEND=
# keeps them (docs/debug-kernel.md).
DEBUG_SUITE ?= debug
DEBUG_APPEND ?= slub_debug=-
check-kernel-debug: .deps.stamp swift $(KTESTS)
	@mkdir -p build/check
	@scripts/debug-kernel >/dev/null
	@scripts/build-module --strict debug >/dev/null
	@start=$$(date +%s); set -o pipefail; \
	PGM_VM_APPEND="$(DEBUG_APPEND)" scripts/vm --autoload --cache-root --kernel debug -- \
		env PGM_SUITE=$(DEBUG_SUITE) Tests/kernel/suite.sh 2>&1 | \
		tee build/check/kernel-debug.log; \
	rc=$$?; echo "# VM stage on $$(scripts/kver debug) ($(DEBUG_SUITE)) took $$(( $$(date +%s) - start )) s"; exit $$rc

check: .deps.stamp
	@scripts/check

vm: .deps.stamp swift $(KTESTS)
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- bash -c '$(CMD)'

demo: .deps.stamp swift
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/demo-guest

# The RFC 3208 conformance scenarios on the model and on both kernels (IPv4 and IPv6), as a table.
conformance: .deps.stamp swift
	@scripts/conformance

bench-sim:
	scripts/bench-sim

# kernel/fec.c built in user space without the sanitizers (docs/fec.md); figures, not a test.
bench-fec: build/ktests/fec_bench
	build/ktests/fec_bench --bench

# pgm-perf's sweep against UDP and OpenPGM, then PGM with FEC against PGM, in a VM (K=6.12 for 6.12), release build; figures, not a test.
perf: .deps.stamp $(PERF_HELPERS)
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product pgm-perf
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-guest

# PGMCC against TCP through one 20 Mbit/s bottleneck in a VM (K=6.12 for
# 6.12): four runs of 60 s (docs/pgmcc.md); figures, not a test.
perf-pgmcc: .deps.stamp
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-pgmcc-guest

# Confirmed delivery with ten receivers, one slowed, in a VM (K=6.12 for
# 6.12): the time from send() to "confirmed by all" (docs/confirmed-delivery.md);
# figures, not a test, but every stream must be exact.
perf-confirm: build/ktests/e2e
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-confirm-guest

# The same sweep counted in guest instructions per message (QEMU's TCG with
# Tests/perf/insn-count.c; PGM_PERF_REPEAT defaults to 1: counts barely
# vary; PGM_PERF_HIST=hist adds, per size, the instructions by kernel
# symbol); figures, not a test.
build/perf/insn-count.so: Tests/perf/insn-count.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $<

perf-insn: .deps.stamp $(PERF_HELPERS) build/perf/insn-count.so
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product pgm-perf
	@scripts/build-module $(K) >/dev/null
	d=$(CURDIR)/build/vm/$$(scripts/kver $(K)); \
	PGM_VM_INSNS=$${PGM_PERF_HIST:-1} PGM_VM_KVM=no scripts/vm --kernel $(K) -- env PGM_PERF_REPEAT=$${PGM_PERF_REPEAT:-1} \
		PGM_PERF_INSNS=$$d/insns.log PGM_PERF_INSNS_HIST=$$([ "$${PGM_PERF_HIST:-}" = hist ] && echo $$d/insns-hist) \
		scripts/perf-guest

# Where the guest's CPU goes, PGM against UDP: perf record -a in the VM over
# one phase of each (docs/performance.md); figures, not a test.
perf-profile: .deps.stamp
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product pgm-perf
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-profile-guest

# The receive paths side by side (recvmsg, recvmmsg, the ring; sendmmsg on
# the sender), drain rates and CPU per message; figures, not a test.
perf-ring: .deps.stamp
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product pgm-perf
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-ring-guest

# Latency and repair time under loss, per tunable profile (docs/latency.md);
# figures, not a test.
perf-latency: .deps.stamp
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product pgm-perf
	$(SWIFT) build $(SWIFT_FLAGS) --product pgmctl
	@scripts/build-module $(K) >/dev/null
	scripts/vm --kernel $(K) -- scripts/perf-latency-guest

FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz $(FUZZ_SECONDS)

# The module's real input path under attack in a VM: Tests/kernel/fuzz_kernel.c,
# docs/fuzzing.md.  A long run by default (600 s, in rounds of a minute); the
# seed is printed, FUZZ_SEED=N replays it.  make check runs a short one.
FUZZ_KERNEL_SECONDS = $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),600)
fuzz-kernel: .deps.stamp build/ktests/fuzz_kernel
	@scripts/build-module --strict $(K) >/dev/null
	scripts/vm --kernel $(K) -- build/ktests/fuzz_kernel --seconds $(FUZZ_KERNEL_SECONDS) \
		$(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) --rmmod $(FUZZ_ARGS)

# Every file generated from kernel/pgm.yaml (the netlink family, the tunables) must match it.
ynl-check: .deps.stamp
	scripts/ynl-gen --check

man-lint: .deps.stamp
	mandoc -Tlint -W warning man/*.[0-9]

# The tools make install puts in $(PREFIX)/bin, with their shell completions
# (swift-argument-parser's --generate-completion-script) in the directories
# bash-completion, zsh and fish look in.  BIN: where the built tools are.
TOOLS := pgm-info pgm-dump pgm-sim pgm-send pgm-recv pgm-perf pgmctl
BIN ?= .build/release
BASH_COMPLETIONS := $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETIONS := $(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS := $(PREFIX)/share/fish/vendor_completions.d

install: all
	install -D -m 0644 build/kmod/$$(uname -r)/pgm.ko /lib/modules/$$(uname -r)/extra/pgm.ko 2>/dev/null || \
		{ scripts/build-module $$(uname -r) >/dev/null && \
		  install -D -m 0644 build/kmod/$$(uname -r)/pgm.ko /lib/modules/$$(uname -r)/extra/pgm.ko; }
	depmod -a $$(uname -r)
	$(MAKE) install-tools

# Everything make install puts in place but pgm.ko (which make dkms installs).
install-tools:
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	for t in $(TOOLS); do install -D -m 0755 $(BIN)/$$t $(DESTDIR)$(PREFIX)/bin/$$t || exit 1; done
	install -D -m 0644 kernel/include/uapi/linux/pgm.h $(DESTDIR)$(PREFIX)/include/linux/pgm.h
	install -D -m 0644 kernel/include/uapi/linux/pgm_netlink.h $(DESTDIR)$(PREFIX)/include/linux/pgm_netlink.h
	mkdir -p $(DESTDIR)$(PREFIX)/share/pkgconfig
	sed 's|@PREFIX@|$(PREFIX)|; s|@VERSION@|$(PGM_VERSION)|' kernel/include/pgm-kernel.pc.in \
		>$(DESTDIR)$(PREFIX)/share/pkgconfig/pgm-kernel.pc
	$(MAKE) install-completions
	for m in man/*.[0-9]; do install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; done

# The completions alone, from the tools in BIN (Tests/host/tools.sh installs
# them under a DESTDIR from the debug build).  bash sources its completions:
# no #! line (lintian's bash-completion-with-hashbang).
install-completions:
	mkdir -p $(DESTDIR)$(BASH_COMPLETIONS) $(DESTDIR)$(ZSH_COMPLETIONS) $(DESTDIR)$(FISH_COMPLETIONS)
	set -o pipefail; for t in $(TOOLS); do \
		$(BIN)/$$t --generate-completion-script bash | sed '1{/^#!/d}' >$(DESTDIR)$(BASH_COMPLETIONS)/$$t && \
		$(BIN)/$$t --generate-completion-script zsh >$(DESTDIR)$(ZSH_COMPLETIONS)/_$$t && \
		$(BIN)/$$t --generate-completion-script fish >$(DESTDIR)$(FISH_COMPLETIONS)/$$t.fish || exit 1; \
	done

uninstall-completions:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BASH_COMPLETIONS)/$$t $(DESTDIR)$(ZSH_COMPLETIONS)/_$$t $(DESTDIR)$(FISH_COMPLETIONS)/$$t.fish; \
	done

uninstall: uninstall-completions
	rm -f /lib/modules/$$(uname -r)/extra/pgm.ko
	for t in $(TOOLS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$t; done
	rm -f $(DESTDIR)$(PREFIX)/include/linux/pgm_netlink.h $(DESTDIR)$(PREFIX)/include/linux/pgm.h \
		$(DESTDIR)$(PREFIX)/share/pkgconfig/pgm-kernel.pc
	for m in man/*.[0-9]; do rm -f $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; done
	depmod -a $$(uname -r)

# DKMS: the module's source under $(DESTDIR)/usr/src/pgm-VERSION with its
# dkms.conf (dkms-source); make dkms adds it to DKMS and builds and installs
# pgm.ko for every kernel that has headers (DKMS_KERNELS), and DKMS builds it
# again for each kernel installed later.  make dkms-uninstall removes it from
# every kernel.  make check-dkms tests it (Tests/kernel/dkms.sh).
PGM_VERSION := $(shell scripts/version)
DKMS_SRC = $(DESTDIR)/usr/src/pgm-$(PGM_VERSION)
DKMS_KERNELS ?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

dkms-source:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/include/uapi/linux
	install -m 0644 kernel/*.c kernel/*.h kernel/Kbuild $(DKMS_SRC)/
	install -m 0644 kernel/include/uapi/linux/*.h $(DKMS_SRC)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(PGM_VERSION)/' kernel/dkms.conf.in >$(DKMS_SRC)/dkms.conf

dkms: .deps.stamp
	@command -v dkms >/dev/null || { echo "make dkms: no dkms (apt-get install dkms)" >&2; exit 1; }
	-dkms remove pgm/$(PGM_VERSION) --all >/dev/null 2>&1
	$(MAKE) dkms-source DESTDIR=
	dkms add pgm/$(PGM_VERSION)
	for k in $(DKMS_KERNELS); do dkms install pgm/$(PGM_VERSION) -k $$k || exit 1; done

dkms-uninstall:
	-dkms remove pgm/$(PGM_VERSION) --all
	rm -rf /usr/src/pgm-$(PGM_VERSION)

# Debian packages: pgm-dkms (the module's source for DKMS, pgm(7)), pgm-tools
# (the tools, static Swift runtime, man pages, completions), pgm-kernel-dev
# (<linux/pgm.h>, <linux/pgm_netlink.h>, pkg-config pgm-kernel), built by
# dpkg-buildpackage in a copy of the tree (build/deb/pgm-VERSION; the .debs
# land in build/deb), then lintian.  .build-deb keeps the Swift build.
deb: .deps.stamp
	scripts/deps --packaging
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(PGM_VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v but the version is $(PGM_VERSION): add an entry (dch -v $(PGM_VERSION))" >&2; exit 1; }
	rm -rf build/deb && mkdir -p build/deb/pgm-$(PGM_VERSION)
	git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -C build/deb/pgm-$(PGM_VERSION) -xf -
	cd build/deb/pgm-$(PGM_VERSION) && \
		SWIFT=$(SWIFT) SWIFT_SCRATCH=$(CURDIR)/.build-deb dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error,warning build/deb/*.changes

check-deb: deb
	Tests/kernel/packages.sh

check-dkms: .deps.stamp ktests
	Tests/kernel/dkms.sh

clean:
	rm -rf build .build .deps.stamp
