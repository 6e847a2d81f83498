# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of ib_ipoib (C++ over a C glue layer) and the test
# fabric softib.ko. See README.md for the user-facing targets.

# Kernel build tree. KVER picks a Debian kernel by release, whole
# (KVER=6.12.117+deb12-amd64) or as a prefix (KVER=6.12: the newest
# installed 6.12.*-amd64); without it, the running kernel's tree if it has
# one, else the newest installed Debian 6.1 headers (our build machines run
# another kernel). KDIR= overrides both.
# An empty KDIR (exported by a parent make that ran before install-deps.sh
# put the headers in) is looked up again, lazily: on a fresh machine the
# first `make demo` / `make check` installs the headers and then builds.
ifeq ($(strip $(KDIR)),)
ifneq ($(strip $(KVER)),)
KDIR = $(shell if [ -d /lib/modules/$(KVER)/build ]; then echo /lib/modules/$(KVER)/build; else \
	ls -d /lib/modules/$(KVER).*-amd64/build 2>/dev/null | grep -v -e -rt- -e -cloud- | \
	sort -V | tail -n 1; fi)
else
KDIR = $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d $$d ]; then echo $$d; else \
	ls -d /usr/src/linux-headers-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)
endif
endif
# The release the tree was built for (its modules directory, /boot/vmlinuz-*).
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
SOFTIB := $(CURDIR)/tests/softib

# No BTF for out-of-tree modules: Debian's headers ship no vmlinux to base it on.
KMAKE = $(MAKE) -C $(KDIR) CONFIG_DEBUG_INFO_BTF_MODULES=

export KDIR

.PHONY: all modules ipoib softib install sparse unit subset vm check demo bench deps clean help print-kdir print-kver
.PHONY: deb kselftest check-kernels check-fresh check-debug soak

all: modules

modules: ipoib softib

ipoib:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "error: no kernel build tree$(if $(KVER), for KVER=$(KVER) (scripts/install-deps.sh with KVER=$(KVER) installs it), (install linux-headers-amd64, or pass KDIR= or KVER=))" >&2; exit 1; }
	$(KMAKE) M=$(CURDIR) modules

# The test fabric is built when its sources are present.
softib:
	@if [ -f $(SOFTIB)/Kbuild ]; then $(KMAKE) M=$(SOFTIB) modules; fi

# Puts ib_ipoib.ko under /lib/modules/<kver>/updates so it takes
# precedence over the in-tree module, then runs depmod.
install: ipoib
	$(KMAKE) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KREL)

# sparse over all C (the glue and the fabric); C++ is not sparse's business.
sparse:
	$(KMAKE) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules
	@if [ -f $(SOFTIB)/Kbuild ]; then $(KMAKE) M=$(SOFTIB) C=2 CF="-D__CHECK_ENDIAN__" modules; fi

unit:
	$(MAKE) -C tests/unit run

subset:
	tests/subset/run.sh

# VM suite, or one test: make vm T=load_unload
vm:
	tests/vm/run $(if $(T),$(foreach t,$(T),-t $(t)))

# The test command: installs what is missing, then every test layer.
check:
	tests/check.sh

# The VM suite on each kernel the driver supports, one after the other:
# Debian 12's 6.1, then its 6.12 LTS (installed first if missing); the
# tree's modules are then rebuilt for the default kernel. (Plain `make`
# there, not $(MAKE): with $(MAKE) in it, `make -n` would run the recipe.)
# make check-kernels [T=name] [CHECK_KERNELS="6.1 6.12"]
CHECK_KERNELS ?= 6.1 6.12
check-kernels:
	@rc=0; for k in $(CHECK_KERNELS); do \
		echo "# kernel $$k"; \
		KVER=$$k scripts/install-deps.sh || exit 1; \
		tests/vm/run --kver $$k $(if $(T),$(foreach t,$(T),-t $(t))) || rc=1; \
	done; \
	make -s modules >/dev/null; \
	[ $$rc -eq 0 ] && echo "check-kernels: passed on $(CHECK_KERNELS)" || echo "check-kernels: FAILED (see above)"; \
	exit $$rc

# The README's two commands on a freshly debootstrapped Debian 12 root
# (build/fresh), then the .deb installed there for real; about 45 minutes, as root.
check-fresh:
	scripts/check-fresh.sh $(FRESH_ARGS)

# The VM suite on a debug kernel (KASAN, lockdep, kmemleak, debug objects,
# fault injection) built once from Debian's linux-source-6.1 under
# build/debug-kernel (scripts/debug-kernel.sh); DEBUG_ARGS go to
# tests/vm/run, e.g. DEBUG_ARGS="-t soak".
check-debug:
	scripts/check-debug.sh $(DEBUG_ARGS)

# The Debian package, ipoib-cxx-dkms_<VERSION>_all.deb, into build/deb.
deb:
	scripts/mkdeb.sh

# The kselftest collection installed into build/kselftest (run_kselftest.sh
# and the tests; tests/vm/run --kselftest runs it in the VM).
kselftest:
	tests/kselftest/install.sh

demo:
	scripts/install-deps.sh
	$(MAKE) modules
	tests/vm/run --demo

# In-tree ib_ipoib vs ours on the test fabric, one VM boot (tests/bench):
# make bench [BENCH_OURS=stock] [BENCH_ROUNDS=3]; table in build/bench/latest.txt,
# its plots in build/bench/scale.svg and ceiling.svg (gnuplot)
bench:
	scripts/install-deps.sh
	tests/bench/run

# The fault soak (tests/vm/tests/soak.sh, which make check runs with 20
# cycles) at length: SOAK_CYCLES cycles per driver, in-tree then ours, one
# boot; SOAK_SEED=N replays a run's sequence. A cycle takes about 3 s per
# driver in TCG; the timeout allows 15.
# Then the packet fuzzer (fuzz_packets, 10^4 packets in make check) with
# FUZZ_COUNT packets per driver.
SOAK_CYCLES ?= 1000
FUZZ_COUNT ?= 100000
soak:
	tests/vm/run -t soak -t fuzz_packets --timeout $$(( $(SOAK_CYCLES) * 30 + 600 )) \
		--append "soak.cycles=$(SOAK_CYCLES)$(if $(SOAK_SEED), soak.seed=$(SOAK_SEED)) fuzz.count=$(FUZZ_COUNT)"

deps:
	scripts/install-deps.sh

clean:
	$(KMAKE) M=$(CURDIR) clean
	@if [ -f $(SOFTIB)/Kbuild ]; then $(KMAKE) M=$(SOFTIB) clean; fi
	$(MAKE) -C tests/unit clean
	rm -rf --one-file-system build  # build/fresh/root may have /proc, /sys, /dev mounted (check-fresh)

print-kdir:
	@echo $(KDIR)

print-kver:
	@echo $(KREL)

help:
	@echo "make            build ib_ipoib.ko and tests/softib/softib.ko (KDIR=$(KDIR))"
	@echo "make install    install ib_ipoib.ko under updates/ and run depmod"
	@echo "make demo       boot a VM with the test fabric and show the driver at work"
	@echo "make check      install missing packages, run all tests"
	@echo "make vm T=name  run one VM test;  tests/vm/run --shell  for a shell in the VM"
	@echo "make bench      in-tree ib_ipoib vs ours on the test fabric (BENCH_OURS=stock: noise run)"
	@echo "make soak       fault soak under traffic, in-tree and ours, 1000 cycles each (SOAK_CYCLES=N, SOAK_SEED=N), then 10^5 fuzzed packets (FUZZ_COUNT=N)"
	@echo "make sparse     sparse (C=2) over the C glue and the fabric"
	@echo "make deb        the Debian package ipoib-cxx-dkms (DKMS) in build/deb"
	@echo "make kselftest  the VM tests as a kselftest collection in build/kselftest"
	@echo "make check-kernels  the VM suite on 6.1, then on 6.12 (T=name: one test)"
	@echo "make check-fresh    make demo + make check on a fresh debootstrapped Debian 12, then the .deb (root)"
	@echo "make check-debug    the VM suite on a debug kernel (KASAN, lockdep, kmemleak), built once (DEBUG_ARGS=)"
