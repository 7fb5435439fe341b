# pivotbox - one static binary that switches roots
#
# make [V=1] [ARCH=aarch64|armhf|mipsel] [CROSS_COMPILE=aarch64-linux-musl-]
#      [CC=...] [CFLAGS=...] [LDFLAGS=...]
# make defconfig | allnoconfig | allyesconfig | oldconfig | menuconfig
# make check [SANITIZE=1] | check-cross | demo | bench | fuzz [FUZZ_SECONDS=N]
# make cross | install [DESTDIR=...] [PREFIX=...] | clean

VERSION := 0.1.0

PREFIX ?= /usr
BINDIR ?= $(PREFIX)/bin

# ---- Cross compilation: the toolchain ------------------------------------
#
#   make ARCH=aarch64|armhf|mipsel    (arm64, arm: the kernel's names)
#
# builds ./pivotbox with Debian's cross gcc (gcc-aarch64-linux-gnu, ...)
# and Debian's musl for that architecture (musl-dev:arm64, ...), both
# installed by `scripts/setup.sh cross`. CROSS_COMPILE=aarch64-linux-gnu-
# does the same: for a glibc triple, gcc is pointed at the musl of the same
# architecture by the specs file of its musl-dev (MUSL_SPECS overrides
# it). A musl toolchain (CROSS_COMPILE=aarch64-linux-musl-) is used as it
# is. ARCH=x86_64 is the native build. `make cross` builds every ARCH side
# by side, at build/cross/ARCH/pivotbox (see the targets at the end).
#
# Page size: no -z max-page-size=4096. With RELRO off and a small common
# page (BB_LDFLAGS), the 64 KiB maximum page of aarch64, arm and mips costs
# no file size, only address space, and the binaries also run on kernels
# with 16 or 64 KiB pages.

CROSS_ARCHES := aarch64 armhf mipsel
cross_triple_aarch64 := aarch64-linux-gnu
cross_triple_arm64 := aarch64-linux-gnu
cross_triple_armhf := arm-linux-gnueabihf
cross_triple_arm := arm-linux-gnueabihf
cross_triple_mipsel := mipsel-linux-gnu

# ARCH counts on the command line only: an ARCH in the environment may be
# some other build system's.
ifneq ($(origin ARCH),command line)
  override ARCH :=
endif
ifneq ($(filter-out x86_64,$(ARCH)),)
  ifeq ($(cross_triple_$(ARCH)),)
    $(error ARCH=$(ARCH) is not one of x86_64 $(CROSS_ARCHES))
  endif
  CROSS_COMPILE ?= $(cross_triple_$(ARCH))-
endif

# aarch64-linux-gnu- -> /usr/lib/aarch64-linux-musl/musl-gcc.specs
cross_target := $(patsubst %-,%,$(notdir $(CROSS_COMPILE)))
ifneq ($(findstring -gnu,$(cross_target)),)
  MUSL_SPECS ?= /usr/lib/$(subst -gnu,-musl,$(cross_target))/musl-gcc.specs
  ifeq ($(wildcard $(MUSL_SPECS)),)
    ifeq ($(filter %config clean distclean setup%,$(MAKECMDGOALS)),)
      $(error no musl for $(cross_target): $(MUSL_SPECS) is missing \
        (scripts/setup.sh cross installs it))
    endif
  endif
endif

ifeq ($(origin CC),default)
  ifneq ($(CROSS_COMPILE),)
    CC := $(CROSS_COMPILE)gcc$(if $(MUSL_SPECS), -specs=$(MUSL_SPECS))
  endif
endif

# ---- End of cross compilation: the toolchain -----------------------------

ifeq ($(origin CC),default)
  ifeq ($(CROSS_COMPILE),)
    CC := musl-gcc
  else
    CC := $(CROSS_COMPILE)gcc
  endif
endif

CFLAGS ?= -Os
LDFLAGS ?=
ifneq ($(CI),)
  CFLAGS += -Werror
endif

# Objects go to OUT, the binary to BIN; the sanitizer build has its own.
OUT := build
BIN := pivotbox

# What the build needs whatever the caller's CFLAGS say.
BB_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
  -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
  -fno-unwind-tables -Ibuild/generated -Ilibbb \
  -DPIVOTBOX_VERSION='"$(VERSION)"'
# Without RELRO, and with a small common page, the data segment follows the
# code in the file with no padding up to a page (3 KB or more).
BB_CFLAGS += -fno-pie
BB_LDFLAGS := -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
  -Wl,-z,norelro -Wl,-z,common-page-size=64 -Wl,--build-id=none
# No vector registers saved by every function with "...", where the
# compiler knows the flag.
BB_CFLAGS += $(shell $(CC) -mgeneral-regs-only -E -x c /dev/null \
  >/dev/null 2>&1 && echo -mgeneral-regs-only)

# make check SANITIZE=1: gcc and glibc under AddressSanitizer and
# UndefinedBehaviorSanitizer, which musl can't host.
ifeq ($(SANITIZE),1)
  CC := gcc
  CFLAGS := -O1 -g -fno-omit-frame-pointer
  SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
  BB_CFLAGS := $(filter-out -fno-pie,$(BB_CFLAGS)) $(SAN)
  BB_LDFLAGS := $(SAN)
  OUT := build/san
  BIN := build/san/pivotbox
endif

ifeq ($(V),1)
  Q :=
  say := @:
else
  Q := @
  say := @echo
endif

KCONFIG_CONF := kconfig-conf
KCONFIG_MCONF := kconfig-mconf
GEN := build/generated

LIBBB_SRCS := $(sort $(wildcard libbb/*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(OUT)/tests/%,$(HELPER_SRCS))

all: $(BIN)

# Without a .config, build the defaults.
.config: | $(GEN)/Config.applets
	$(say) "  CONFIG  defaults"
	$(Q)$(KCONFIG_CONF) --alldefconfig Config.in >/dev/null

$(GEN)/Config.applets: $(wildcard applets/*.c) scripts/genconfig.sh
	$(Q)mkdir -p $(GEN)
	$(Q)scripts/genconfig.sh kconfig $@

$(GEN)/applets.mk $(GEN)/config.h $(GEN)/applets.h: .config \
    $(wildcard applets/*.c) scripts/genconfig.sh
	$(Q)mkdir -p $(GEN)
	$(Q)scripts/genconfig.sh headers .config $(GEN)

ifeq ($(filter %config clean distclean,$(MAKECMDGOALS)),)
-include $(GEN)/applets.mk
endif

SRCS := applets/main.c $(APPLET_SRCS) $(LIBBB_SRCS)
OBJS := $(patsubst %.c,$(OUT)/%.o,$(SRCS))
LIBBB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIBBB_SRCS))

$(OUT)/%.o: %.c $(GEN)/config.h $(GEN)/applets.h $(wildcard libbb/*.h) Makefile
	$(say) "  CC      $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BB_CFLAGS) $(CFLAGS) -include config.h -c -o $@ $<

$(BIN): $(OBJS)
	$(say) "  LD      $@"
	$(Q)$(CC) $(BB_CFLAGS) $(CFLAGS) $(BB_LDFLAGS) $(LDFLAGS) -o $@ $(OBJS)
	$(Q)echo "  SIZE    $@: $$(wc -c <$@) bytes"

$(OUT)/tests/%: tests/helpers/%.c $(LIBBB_OBJS)
	$(say) "  CC      $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BB_CFLAGS) $(CFLAGS) -include config.h $(BB_LDFLAGS) \
	  $(LDFLAGS) -o $@ $< $(LIBBB_OBJS)

helpers: $(HELPERS)

# kconfig-frontends writes .config; the headers follow from it.
defconfig: $(GEN)/Config.applets
	$(Q)$(KCONFIG_CONF) --alldefconfig Config.in
allnoconfig allyesconfig oldconfig olddefconfig: $(GEN)/Config.applets
	$(Q)$(KCONFIG_CONF) --$@ Config.in
menuconfig: $(GEN)/Config.applets
	$(Q)$(KCONFIG_MCONF) Config.in

setup:
	$(Q)scripts/setup.sh

check: setup
	$(Q)$(MAKE) --no-print-directory $(BIN) helpers
ifeq ($(SANITIZE),1)
	$(Q)$(MAKE) --no-print-directory SANITIZE= pivotbox helpers
	@# pivotbox allocates nothing on the heap, and LeakSanitizer can't stop
	@# the world inside a user and PID namespace: leaks go unchecked.
	$(Q)ASAN_OPTIONS=detect_leaks=0 PIVOTBOX=$(BIN) HELPERS=$(OUT)/tests \
	  STATIC_PIVOTBOX=pivotbox scripts/test.sh
else
	$(Q)scripts/test.sh
endif

demo: setup
	$(Q)$(MAKE) --no-print-directory pivotbox
	$(Q)scripts/demo.sh

# libFuzzer targets (clang): the spec parser and each applet's options.
# make fuzz replays the seed corpus in tests/fuzz/corpus; with
# FUZZ_SECONDS=N each target also explores for N seconds.  Inputs it finds
# go to build/fuzz/corpus, a crash to build/fuzz/NAME-crash-*.
FUZZ_TARGETS := spec $(patsubst applets/%.c,%-options,$(APPLET_SRCS))
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -Wall -Wextra \
  -Wno-unused-parameter -Ibuild/generated -Ilibbb -include config.h

build/fuzz/%: tests/fuzz/%.c $(LIBBB_SRCS) $(wildcard tests/fuzz/*.h) \
    $(GEN)/config.h $(wildcard libbb/*.h) $(wildcard applets/*.c)
	$(say) "  FUZZ    $<"
	$(Q)mkdir -p build/fuzz
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIBBB_SRCS)

fuzz: setup $(patsubst %,build/fuzz/%,$(FUZZ_TARGETS))
	$(Q)for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t && \
	  build/fuzz/$$t -runs=0 -close_fd_mask=2 tests/fuzz/corpus/$$t \
	    2>build/fuzz/$$t.log || { tail -n 30 build/fuzz/$$t.log; exit 1; }; \
	  echo "  FUZZ    $$t: seed corpus replayed"; \
	  [ -z "$(FUZZ_SECONDS)" ] && continue; \
	  build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=2 \
	    -artifact_prefix=build/fuzz/$$t- build/fuzz/corpus/$$t \
	    tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log || \
	    { tail -n 30 build/fuzz/$$t.log; exit 1; }; \
	  echo "  FUZZ    $$t: $(FUZZ_SECONDS) s, $$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' build/fuzz/$$t.log) runs, no crash"; \
	done

# Size, syscalls and time against busybox, util-linux and bubblewrap.
bench:
	$(Q)scripts/bench.sh

install: pivotbox
	$(Q)install -d "$(DESTDIR)$(BINDIR)"
	$(Q)install -m 755 pivotbox "$(DESTDIR)$(BINDIR)/pivotbox"
	$(Q)for a in $$(sed -n 's/^APPLET(\([a-z0-9_]*\),.*/\1/p' \
	    $(GEN)/applets.h); do \
	  ln -sf pivotbox "$(DESTDIR)$(BINDIR)/$$a"; done

# The kernels and busyboxes setup.sh fetched stay: they are downloads.
clean:
	$(Q)rm -rf $(filter-out build/kernel build/busybox,$(wildcard build/*)) \
	  pivotbox

distclean: clean
	$(Q)rm -f .config .config.old

.PHONY: all helpers defconfig allnoconfig allyesconfig oldconfig \
  olddefconfig menuconfig setup check demo fuzz bench install clean distclean

# ---- Cross compilation: targets ------------------------------------------

# Objects are made again when the compiler changes: a build for another
# ARCH in the same tree must not link the last one's objects.
$(OUT)/compiler: FORCE
	$(Q)mkdir -p $(OUT)
	$(Q)echo '$(CC)' | cmp -s - $@ || echo '$(CC)' > $@

$(OBJS) $(HELPERS): $(OUT)/compiler

# make cross-ARCH: pivotbox and the test helpers for ARCH, built in a copy
# of the sources at build/cross/ARCH with this tree's .config; make cross:
# every ARCH.
cross: $(addprefix cross-,$(CROSS_ARCHES))

cross-%: FORCE
	$(Q)[ -n "$(cross_triple_$*)" ] || \
	  { echo "cross-$*: ARCH is one of $(CROSS_ARCHES)" >&2; exit 1; }
	$(say) "  CROSS   $*"
	$(Q)tree=build/cross/$*; \
	  mkdir -p $$tree/scripts $$tree/tests && \
	  rm -rf $$tree/applets $$tree/libbb $$tree/tests/helpers && \
	  cp -p Makefile Config.in $$tree/ && cp -pR applets libbb $$tree/ && \
	  cp -p scripts/genconfig.sh $$tree/scripts/ && \
	  cp -pR tests/helpers $$tree/tests/ && \
	  if [ -f .config ]; then cp -p .config $$tree/; \
	  else rm -f $$tree/.config; fi
	$(Q)$(MAKE) --no-print-directory -C build/cross/$* ARCH=$* \
	  CROSS_COMPILE=$(cross_triple_$*)- SANITIZE= pivotbox helpers

# Installs the cross toolchains, qemu, and the kernels and busyboxes that
# the boots of the other architectures need: make check runs the cross
# tests too (tests/cross.test).
setup-cross:
	$(Q)scripts/setup.sh cross

check: setup-cross

# Every applet test against each cross-built binary, under qemu-user.
check-cross: setup-cross
	$(Q)scripts/cross-test.sh

FORCE:

.PHONY: cross setup-cross check-cross FORCE
