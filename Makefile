# subzero: build, install, test and demo.
#
#   make            the module (subzero.ko) and the tool (build/subzero); installs nothing
#   make install    the module under /lib/modules/<release>/updates (then depmod), the
#                   tool, its man page and bash completion (DESTDIR, PREFIX=/usr/local);
#                   make uninstall removes them
#   make lint       checkpatch over core/ and linux/ (scripts/lint.py)
#   make check      every test: lint, the build/install tests, host unit tests, then the
#                   emulator end-to-end tests
#   make demo       boot the emulator, load subzero, show it working
#   make unit       host unit tests only (ASan + UBSan)
#   make e2e [T=name] [S=scenario]   emulator tests only, or one of them
#   make bench      the benchmark in the emulator: prints it, writes bench/results.md
#   make matrix     what does not fit in `make check`: the module built against every
#                   Debian kernel (warnings are errors), every CPU model, 4 CPUs, the
#                   other kernels (README, "Test matrix")
#
# The kernel the module is built for (the build says which, in one line):
#   - KDIR=<headers>, when given, always;
#   - for the emulator targets (check, e2e, demo, bench, matrix): the Debian kernel the emulator
#     boots, whose packages those targets install first (scripts/deps.sh emulator);
#   - otherwise the running kernel, when its headers are installed
#     (/lib/modules/$(uname -r)/build), else the emulator's kernel when its headers are.
# Only the emulator targets, `unit` and `lint` install anything (what they use).

BUILD   ?= build
CC      ?= gcc
PREFIX  ?= /usr/local
DESTDIR ?=

EMU_GOALS := check demo e2e bench matrix
EMU_BUILD := $(if $(filter $(EMU_GOALS),$(MAKECMDGOALS)),1)

# Test-only hooks (module parameters fail_on_cpu and test_hooks, the test hypercall) are
# compiled only into test builds: the emulator targets' module, or SZ_TEST_HOOKS=1.
# A plain `make` (what `make install` and DKMS build) has none of them.
SZ_TEST_HOOKS ?= $(EMU_BUILD)

# $(call once,NAME,COMMAND): COMMAND's output, run at most once and only if used.
once = $(if $(filter undefined,$(origin _once_$1)),$(eval _once_$1 := $$(shell $2)))$(_once_$1)

ifeq ($(origin KDIR),undefined)
KSEL     = $(call once,ksel,scripts/kdir.sh $(if $(EMU_BUILD),emulator,auto))
KDIR     = $(if $(filter ERROR:,$(firstword $(KSEL))),$(error $(KSEL)),$(firstword $(KSEL)))
KDIR_WHY = $(wordlist 2,100,$(KSEL))
else
KDIR_WHY = KDIR=$(KDIR), as given
endif
# The release the module is built for, as the kernel's headers say it (UTS_RELEASE).
KREL = $(call once,krel,sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wstrict-prototypes
CFLAGS_TOOL := -O2 -g $(WARN) -Iinclude -Icore -static
CFLAGS_UNIT := -O1 -g $(WARN) -Icore -Itests/unit/fake -Iinclude -DSZ_TEST_HOOKS=1 \
	       -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CORE_SRCS := $(wildcard core/*.c)
# The tool, and the core/ files it shares with the module (capabilities, controls, names);
# tools/cpu/cpu_ops.h stands in for core/arch/cpu_ops.h (CPUID, /dev/cpu/N/msr).
TOOL_SRCS := $(wildcard tools/*.c) core/vmx_caps.c core/vmx_ctls.c core/ept_caps.c \
	     core/vmx_decode.c core/exit_decode.c core/vmcs_desc.c core/entry_check.c
UNIT_TESTS := $(patsubst tests/unit/test_%.c,$(BUILD)/unit/test_%,$(wildcard tests/unit/test_*.c))
UNIT_FAKES := $(wildcard tests/unit/fake/*.c)

.PHONY: all module tool testmod helpers deps deps-unit unit e2e check demo clean bench \
	matrix install uninstall lint buildcheck rootcheck

HELPER_SRCS := $(wildcard tests/e2e/helpers/*.c)
HELPERS := $(patsubst tests/e2e/helpers/%.c,$(BUILD)/helpers/%,$(HELPER_SRCS))

all: module tool

helpers: $(HELPERS)

# What the emulator targets need (Bochs, GRUB, the guest kernel's headers, ...).
deps:
	@scripts/deps.sh emulator

deps-unit:
	@scripts/deps.sh unit

module:
	@echo "subzero: building subzero.ko for $(KDIR_WHY)$(if $(SZ_TEST_HOOKS),; a test build (SZ_TEST_HOOKS=1))"
	$(MAKE) -C $(KDIR) M=$(CURDIR) SZ_TEST_HOOKS=$(SZ_TEST_HOOKS) modules

tool: $(BUILD)/subzero

# sz_test.ko: in-kernel probes the end-to-end tests load in the guest.
testmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/kmod modules

$(BUILD)/subzero: $(TOOL_SRCS) include/uapi/subzero.h $(wildcard core/*.h tools/*.h tools/cpu/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOL) -Itools/cpu -o $@ $(TOOL_SRCS)

# Static helper programs for the in-guest tests (the initramfs has no C library).
$(BUILD)/helpers/%: tests/e2e/helpers/%.c include/uapi/subzero.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOL) -o $@ $<

$(BUILD)/unit/test_%: tests/unit/test_%.c $(CORE_SRCS) $(UNIT_FAKES) $(wildcard core/*.h tests/unit/fake/*.h) \
		     $(wildcard tools/*.c tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_UNIT) -o $@ $< $(CORE_SRCS) $(UNIT_FAKES) -lcmocka

unit: deps-unit $(UNIT_TESTS)
	@scripts/run-unit.sh $(UNIT_TESTS)

e2e: deps all testmod $(HELPERS)
	@python3 tests/e2e/run $(if $(S),--scenario $(S)) $(if $(T),--test $(T))

# core/ imports nothing from the kernel (scripts/root-symbols.sh); first a self-test:
# an object that calls memcpy must make it fail.
rootcheck: module
	@mkdir -p $(BUILD)/rootcheck
	@printf 'void *f(void *d, const void *s, unsigned long n);\nvoid *f(void *d, const void *s, unsigned long n) { return __builtin_memcpy(d, s, n); }\n' \
		> $(BUILD)/rootcheck/bad.c
	@$(CC) -O2 -fno-builtin -c -o $(BUILD)/rootcheck/bad.o $(BUILD)/rootcheck/bad.c
	@if SZ_EXTRA_OBJS=$(BUILD)/rootcheck/bad.o scripts/root-symbols.sh >/dev/null; then \
		echo "FAIL root-symbols-selftest: an object importing memcpy passed"; exit 1; \
	else echo "PASS root-symbols-selftest"; fi
	@scripts/root-symbols.sh

check: deps
	@scripts/check.sh

# One emulator boot (scenario [bench]); the report is made from what the guest measured.
bench: deps all testmod $(HELPERS)
	@python3 tests/e2e/run --scenario bench; rc=$$?; \
	python3 scripts/bench-report.py $(BUILD)/e2e/bench/artifacts/bench.txt bench && exit $$rc

matrix: deps all testmod $(HELPERS)
	@scripts/compile-check.sh; rc=$$?; python3 tests/e2e/run --matrix && exit $$rc

demo: deps all testmod $(HELPERS)
	@python3 tests/e2e/run --demo

# checkpatch over core/ and linux/ (scripts/lint.py): kernel style, its errors and
# warnings fail the build.  Types ignored everywhere, and why:
#   (none)  every type applies.  SPDX lines are in every file; LINUX_VERSION_CODE is not
#           used (one kernel per build, no version #ifs).  The few single lines that
#           checkpatch misreads (X-macros, core/'s own definitions of the kernel's
#           attribute macros and types, an asm operand) are let through one by one in
#           scripts/checkpatch.allow, each with its reason.
# checkpatch.pl comes from the kernel headers' or sources' scripts/ if they ship it, else
# from Debian's linux-source package (downloaded once into $(BUILD)/lint/, not installed).
CHECKPATCH_IGNORE :=
lint:
	@python3 scripts/lint.py $(BUILD)/lint $(if $(CHECKPATCH_IGNORE),--ignore $(CHECKPATCH_IGNORE))

# The build and install tests (tests/build/): make install into a DESTDIR, a DKMS build
# against the emulator kernel's headers, a make that must not run apt-get.
buildcheck:
	@scripts/run-build-tests.sh

# ---- install ----
# The module goes under /lib/modules/<release>/updates (where distributions put modules
# that override their own), the rest under PREFIX.  depmod runs only for a real install:
# under a DESTDIR (a package being staged) it is the package's job, on the target.
MODDIR   = /lib/modules/$(KREL)/updates
SBINDIR  = $(PREFIX)/sbin
MAN8DIR  = $(PREFIX)/share/man/man8
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
# Written with the tool (subzero help/--version); installed when present.
MANPAGE  = $(wildcard docs/subzero.8)
BASHCOMP = $(wildcard tools/subzero.bash-completion)

install: all
	@test -n "$(KREL)" || { echo "install: no UTS_RELEASE in $(KDIR)/include/generated/utsrelease.h"; exit 1; }
	install -D -m 0644 subzero.ko $(DESTDIR)$(MODDIR)/subzero.ko
	install -D -m 0755 $(BUILD)/subzero $(DESTDIR)$(SBINDIR)/subzero
	$(if $(MANPAGE),install -D -m 0644 $(MANPAGE) $(DESTDIR)$(MAN8DIR)/subzero.8)
	$(if $(BASHCOMP),install -D -m 0644 $(BASHCOMP) $(DESTDIR)$(BASHCOMPDIR)/subzero)
	$(if $(DESTDIR),@echo "install: depmod not run (DESTDIR set): run depmod $(KREL) on the target",depmod -a $(KREL))

uninstall:
	@test -n "$(KREL)" || { echo "uninstall: no UTS_RELEASE in $(KDIR)/include/generated/utsrelease.h"; exit 1; }
	rm -f $(DESTDIR)$(MODDIR)/subzero.ko $(DESTDIR)$(SBINDIR)/subzero \
		$(DESTDIR)$(MAN8DIR)/subzero.8 $(DESTDIR)$(BASHCOMPDIR)/subzero
	$(if $(DESTDIR),@echo "uninstall: depmod not run (DESTDIR set)",depmod -a $(KREL))

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/kmod clean)
	rm -rf $(BUILD)/subzero $(BUILD)/unit $(BUILD)/e2e $(BUILD)/helpers
