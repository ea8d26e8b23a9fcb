# subzero: build, test and demo.
#
#   make            the module (subzero.ko) and the tool (build/subzero)
#   make check      every test: host unit tests, then the emulator end-to-end tests
#   make demo       boot the emulator, load subzero, show it working
#   make unit       host unit tests only (ASan + UBSan)
#   make e2e [T=name] [S=scenario]   emulator tests only, or one of them
#   make bench      the benchmark in the emulator: prints it, writes bench/results.md
#   make matrix     what does not fit in `make check`: the module built against every
#                   Debian kernel (warnings are errors), every CPU model, 4 CPUs, the
#                   other kernels (README, "Test matrix")
#
# KDIR selects the kernel to build against.  By default it is the Debian kernel the
# emulator boots; on a machine with real VT-x use KDIR=/lib/modules/$(uname -r)/build.

BUILD   ?= build
KABI    ?= $(shell scripts/kernel.sh abi 2>/dev/null)
KDIR    ?= /usr/src/linux-headers-$(KABI)
CC      ?= gcc

WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wstrict-prototypes
CFLAGS_TOOL := -O2 -g $(WARN) -Iinclude -Icore -static
CFLAGS_UNIT := -O1 -g $(WARN) -Icore -Itests/unit/fake -Iinclude \
	       -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

CORE_SRCS := $(wildcard core/*.c)
# The tool, and the core/ files it shares with the module (capabilities, controls, names);
# tools/cpu/cpu_ops.h stands in for core/arch/cpu_ops.h (CPUID, /dev/cpu/N/msr).
TOOL_SRCS := $(wildcard tools/*.c) core/vmx_caps.c core/vmx_ctls.c core/ept_caps.c \
	     core/vmx_decode.c core/exit_decode.c core/vmcs_desc.c core/entry_check.c
UNIT_TESTS := $(patsubst tests/unit/test_%.c,$(BUILD)/unit/test_%,$(wildcard tests/unit/test_*.c))
UNIT_FAKES := $(wildcard tests/unit/fake/*.c)

.PHONY: all module tool testmod helpers deps unit e2e check demo clean bench matrix

HELPER_SRCS := $(wildcard tests/e2e/helpers/*.c)
HELPERS := $(patsubst tests/e2e/helpers/%.c,$(BUILD)/helpers/%,$(HELPER_SRCS))

all: module tool

helpers: $(HELPERS)

deps:
	@scripts/deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool: $(BUILD)/subzero

# sz_test.ko: in-kernel probes the end-to-end tests load in the guest.
testmod: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/kmod modules

$(BUILD)/subzero: $(TOOL_SRCS) include/uapi/subzero.h $(wildcard core/*.h tools/*.h tools/cpu/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOL) -Itools/cpu -o $@ $(TOOL_SRCS)

# Static helper programs for the in-guest tests (the initramfs has no C library).
$(BUILD)/helpers/%: tests/e2e/helpers/%.c include/uapi/subzero.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOL) -o $@ $<

$(BUILD)/unit/test_%: tests/unit/test_%.c $(CORE_SRCS) $(UNIT_FAKES) $(wildcard core/*.h tests/unit/fake/*.h) \
		     $(wildcard tools/vmcs_check.*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_UNIT) -o $@ $< $(CORE_SRCS) $(UNIT_FAKES) -lcmocka

unit: deps $(UNIT_TESTS)
	@scripts/run-unit.sh $(UNIT_TESTS)

e2e: all testmod $(HELPERS)
	@python3 tests/e2e/run $(if $(S),--scenario $(S)) $(if $(T),--test $(T))

check: deps
	@scripts/check.sh

# One emulator boot (scenario [bench]); the report is made from what the guest measured.
bench: all testmod $(HELPERS)
	@python3 tests/e2e/run --scenario bench; rc=$$?; \
	python3 scripts/bench-report.py $(BUILD)/e2e/bench/artifacts/bench.txt bench && exit $$rc

matrix: all testmod $(HELPERS)
	@scripts/compile-check.sh; rc=$$?; python3 tests/e2e/run --matrix && exit $$rc

demo: all testmod $(HELPERS)
	@python3 tests/e2e/run --demo

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/e2e/kmod clean 2>/dev/null || true
	rm -rf $(BUILD)/subzero $(BUILD)/unit $(BUILD)/e2e
