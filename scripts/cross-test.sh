#!/bin/bash
# Runs the tests against pivotbox cross-built for other architectures,
# each binary under qemu-user:
#
#   scripts/cross-test.sh [-a ARCH]... [TEST...]
#   scripts/cross-test.sh -c
#
# For each ARCH (default: every one scripts/arch.sh cross-builds) it runs
# `make cross-ARCH`, then scripts/test.sh for each TEST (default: every
# tests/*.test but those listed in NOT_RUN below) with that binary, its
# spec-print and resolve-print, the host's failsys, its .config, and ARCH
# exported: config.test then builds for ARCH, and boot.test boots ARCH's
# kernel under qemu-system. Each result comes out as "ARCH: PASS: FILE:
# NAME" (FAIL, SKIP); the run ends with the line "N passed, N failed, N
# skipped", summed over all. Exits 1 when a test failed, or, with CI set,
# when one was skipped. -c only checks that the run can work here, and
# says what is missing.
#
# How a foreign binary runs: for the length of the run, binfmt_misc hands
# ARCH's ELF files to Debian's qemu-ARCH-static (its magic, mask and
# interpreter come from /usr/lib/binfmt.d/qemu-ARCH.conf), with the flags
# F (qemu is opened at registration, so it runs inside chroots and pivoted
# roots, where it does not exist), P (argv[0] is kept: applets are found by
# name) and C (a setuid copy runs setuid). This is a change to the host:
# while it stands, every ARCH binary on this machine runs through it. The
# entry is registered through a binfmt_misc mount inside a private mount
# namespace, held by a helper that removes the entry when the run ends, or
# within a second after the run is killed; where the host has no
# binfmt_misc mount of its own, the kernel (6.7 and later) drops the entry
# with the helper's mount in any case.
#
# What emulation changes, and how the run deals with it:
# - qemu-user does not emulate seccomp(2): the cross-built failsys can't
#   run, and failsys.test is not run. The rollback tests inject failures
#   with the host's failsys, whose filter then sees the calls qemu makes
#   for the binary: mount, umount2 and pivot_root pass through one to one.
# - qemu-user 7.2 has no openat2 and none of the new mount API (it answers
#   ENOSYS without asking the kernel): under it pivotbox takes its
#   fallbacks for kernels without them, which is what kernels.test makes
#   happen natively; kernels.test is not run (its checks that an EPERM
#   from those calls is no fallback can't hold).
# - qemu-user runs a thread of its own beside the program. The kernel
#   makes no user namespace for a multi-threaded caller (unshare fails with
#   EINVAL), and in a new PID namespace the thread takes PID 2. Tests that
#   depend on either are reported as "XFAIL" with the reason when they fail,
#   and not counted; when they pass, they count as passed.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/arch.sh
. "$TOP/scripts/arch.sh"

# Test files not run against a cross-built binary, and why.
NOT_RUN="failsys kernels shellcheck fuzz cross"
not_run_why()
{
  case $1 in
    failsys) echo "qemu-user does not emulate seccomp(2), which failsys is" \
      "made of; the host's failsys serves the rollback tests" ;;
    kernels) echo "qemu-user 7.2 has no openat2 and no new mount API: every" \
      "test here already runs as on a kernel without them" ;;
    shellcheck) echo "the shell scripts are the same on every architecture" ;;
    fuzz) echo "the fuzz targets are built with clang for this machine" ;;
    cross) echo "this is the cross run" ;;
  esac
}

# Prints why emulation makes test NAME ($2) of file $1 fail whatever the
# binary does, or fails when it does not. nsrun.test's "nobody" tests all
# run nsrun -U.
emulation_breaks()
{
  case $1:$2 in
    nsrun:nobody*|nsrun:*" -U"*|nsrun:*--user*)
      echo "qemu-user's own thread: no user namespace for a" \
        "multi-threaded caller" ;;
    nsrun:*" -2"*|nsrun:*--as-pid2*)
      echo "qemu-user's own thread takes PID 2 in the new PID namespace" ;;

    *) return 1 ;;
  esac
}

die()
{
  printf 'cross-test: %s\n' "$*" >&2
  exit 1
}

usage()
{
  echo "usage: cross-test.sh [-a ARCH]... [TEST...], or cross-test.sh -c" >&2
  exit 1
}

# Fails, saying why, unless ARCH $1 can be built and run here.
check_arch()
{
  arch_set "$1" || return 1
  command -v "$arch_gcc-gcc" > /dev/null ||
    { echo "$arch_gcc-gcc is missing (run scripts/setup.sh cross)"; return 1; }
  [ -f "/usr/lib/$arch_musl/musl-gcc.specs" ] ||
    { echo "musl-dev:$arch_deb is missing (run scripts/setup.sh cross)"
      return 1; }
  command -v "qemu-$arch_qemu-static" > /dev/null ||
    { echo "qemu-$arch_qemu-static is missing (run scripts/setup.sh cross)"
      return 1; }
  [ -r "/usr/lib/binfmt.d/qemu-$arch_qemu.conf" ] ||
    { echo "no /usr/lib/binfmt.d/qemu-$arch_qemu.conf (qemu-user-static)"
      return 1; }
}

# Fails, saying why, unless binfmt_misc entries can be made here.
check_binfmt()
{
  [ "$(id -u)" = 0 ] ||
    { echo "needs root, to register qemu with binfmt_misc"; return 1; }
  [ -d /proc/sys/fs/binfmt_misc ] ||
    { echo "the kernel has no binfmt_misc"; return 1; }
  command -v unshare > /dev/null ||
    { echo "unshare is missing (util-linux)"; return 1; }
}

# Registers qemu for ARCH's binaries until unregister_binfmt, or until
# this script is gone; see the top of this file.
register_binfmt()
{
  local conf=/usr/lib/binfmt.d/qemu-$arch_qemu.conf rule tries=0
  local dir=/proc/sys/fs/binfmt_misc

  binfmt_name=pivotbox-$arch_name-$$
  rule=$(cat "$conf")
  case $rule in
    ":qemu-$arch_qemu:M::"*:*:/*:*) ;;
    *) die "can't read the binfmt_misc rule in $conf" ;;
  esac
  # The rule's magic, mask and interpreter, under this run's name, with
  # the flags O and C (C needs O), P and F.
  rule=":$binfmt_name:${rule#":qemu-$arch_qemu:"}"
  rule="${rule%:*}:OCPF"

  # shellcheck disable=SC2016 # the helper's own script
  unshare -m --propagation private sh -c '
    set -eu
    dir=/proc/sys/fs/binfmt_misc
    mount -t binfmt_misc binfmt_misc "$dir"
    printf "%s" "$2" > "$dir/register"
    trap "echo -1 > $dir/$1; exit 0" TERM
    while kill -0 "$3" 2> /dev/null; do sleep 1; done
    echo -1 > "$dir/$1"' binfmt-holder "$binfmt_name" "$rule" "$$" &
  binfmt_holder=$!

  until [ -e "/proc/$binfmt_holder/root$dir/$binfmt_name" ]; do
    kill -0 "$binfmt_holder" 2> /dev/null ||
      die "can't register $rule with binfmt_misc"
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || die "binfmt_misc registration timed out"
    sleep 0.1
  done
}

# shellcheck disable=SC2317 # also run by the EXIT trap
unregister_binfmt()
{
  [ -n "${binfmt_holder:-}" ] || return 0
  kill -TERM "$binfmt_holder" 2> /dev/null || true
  wait "$binfmt_holder" 2> /dev/null || true
  binfmt_holder=
}

# Prints the lines test.sh wrote on stdout (file $2), run for test file
# $1, as this run's lines, and adds up the results; test.sh's own count
# must agree. A failure's details (the lines after it) are kept, an
# XFAIL's dropped unless VERBOSE has "all".
report()
{
  local file=$1 line name why pass=0 fail=0 skip=0 counted='' details=1

  while IFS= read -r line; do
    case $line in
      "PASS: "*)
        pass=$((pass + 1))
        details=1
        say "$arch: PASS: $file: ${line#PASS: }" ;;
      "SKIP: "*)
        skip=$((skip + 1))
        details=1
        say "$arch: SKIP: $file: ${line#SKIP: }" ;;
      "FAIL: "*)
        fail=$((fail + 1))
        details=1
        name=${line#FAIL: }
        if why=$(emulation_breaks "$file" "$name"); then
          xfailed=$((xfailed + 1))
          [[ ${VERBOSE:-} == *all* ]] || details=
          say "$arch: XFAIL: $file: $name ($why)"
        else
          failed=$((failed + 1))
          echo "$arch: FAIL: $file: $name"
        fi ;;
      [0-9]*" passed, "[0-9]*" failed, "[0-9]*" skipped")
        counted=$line ;;
      *) [ -z "$details" ] || echo "$arch:   $line" ;;
    esac
  done < "$2"
  passed=$((passed + pass))
  skipped=$((skipped + skip))
  file_failures=$fail
  if [ "$counted" != "$pass passed, $fail failed, $skip skipped" ]; then
    failed=$((failed + 1))
    echo "$arch: FAIL: $file (test.sh counted '$counted')"
  fi
}

# Prints a PASS, SKIP or XFAIL line, unless VERBOSE asks for FAILs only.
say()
{
  [[ ${VERBOSE:-} == *quiet* ]] || printf '%s\n' "$1"
}

# Runs test file $1 against ARCH's binary and reports its results. What
# the tests wrote on stderr is shown when one of them failed for real.
run_test()
{
  local status=0 before=$failed file_failures=0

  PIVOTBOX=$binary STATIC_PIVOTBOX=$binary HELPERS=$helpers \
    CONFIG=$tree/.config ARCH=$arch VERBOSE=$inner_verbose \
    "$TOP/scripts/test.sh" "$1" > "$scratch/out" 2> "$scratch/err" ||
    status=$?
  report "$1" "$scratch/out"
  if [ "$status" -ne 0 ] && [ "$file_failures" -eq 0 ] &&
    ! grep -q '^CI must skip nothing' "$scratch/out"; then
    failed=$((failed + 1))
    echo "$arch: FAIL: $1.test (test.sh exited with status $status)"
  fi
  if [ "$failed" -ne "$before" ] || [[ ${VERBOSE:-} == *all* ]]; then
    sed "s/^/$arch: stderr: /" "$scratch/err"
  fi
}

# Builds ARCH, registers qemu for it, and runs every chosen test file.
run_arch()
{
  local start=$SECONDS name why

  tree=$TOP/build/cross/$arch
  binary=$tree/pivotbox
  if ! make -s --no-print-directory -C "$TOP" SANITIZE= "cross-$arch" > \
    "$scratch/out" 2>&1; then
    sed "s/^/$arch:   /" "$scratch/out"
    failed=$((failed + 1))
    echo "$arch: FAIL: make cross-$arch"
    return
  fi
  echo "$arch: SIZE pivotbox: $(wc -c < "$binary") bytes"

  # The helpers built for ARCH, but failsys: the host's.
  helpers=$scratch/helpers-$arch
  mkdir "$helpers"
  ln -s "$tree"/build/tests/* "$helpers/"
  ln -sf "$TOP/build/tests/failsys" "$helpers/failsys"

  register_binfmt
  for name in $names; do
    if [[ " $NOT_RUN " == *" $name "* ]]; then
      why=$(not_run_why "$name")
      echo "$arch: NOT RUN: $name.test ($why)"
      continue
    fi
    run_test "$name"
  done
  unregister_binfmt
  echo "$arch: done in $((SECONDS - start)) seconds"
}

arches=
check_only=
while getopts a:c opt; do
  case $opt in
    a) arches="$arches $OPTARG" ;;
    c) check_only=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
arches=${arches:-$ARCH_CROSS}

if [ -n "$check_only" ]; then
  [ $# -eq 0 ] || usage
  why=$(check_binfmt) || die "$why"
  for arch in $arches; do
    why=$(check_arch "$arch" 2>&1) || die "$arch: $why"
  done
  exit 0
fi

why=$(check_binfmt) || die "$why"
for arch in $arches; do
  why=$(check_arch "$arch" 2>&1) || die "$arch: $why"
done

if [ $# -eq 0 ]; then
  set -- "$TOP"/tests/*.test
fi
names=
for arg in "$@"; do
  name=${arg##*/}
  name=${name%.test}
  [ -f "$TOP/tests/$name.test" ] || die "no such test: tests/$name.test"
  names="$names $name"
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pivotbox-cross.XXXXXX")
chmod 755 "$scratch"  # the helpers in it run as nobody too
trap 'unregister_binfmt; rm -rf "$scratch"' EXIT
trap 'exit 1' HUP INT TERM

# The host's failsys, for the rollback tests.
make -s --no-print-directory -C "$TOP" ARCH=x86_64 SANITIZE= helpers \
  > /dev/null

# test.sh prints a line for every result, and details for a failure; all
# its commands when asked.
inner_verbose=fail
[[ ${VERBOSE:-} != *all* ]] || inner_verbose=all

passed=0
failed=0
skipped=0
xfailed=0
for arch in $arches; do
  arch_set "$arch"
  run_arch
done

status=0
[ "$failed" -eq 0 ] || status=1
if [ "$xfailed" -gt 0 ]; then
  echo "cross: $xfailed results not counted: XFAIL, emulation breaks" \
    "what those tests rely on"
fi
if [ -n "${CI:-}" ] && [ "$skipped" -gt 0 ]; then
  echo "CI must skip nothing: $skipped skipped"
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
