#!/bin/bash
# Boots Debian's cloud kernel under qemu with an initramfs whose /init
# ends in pivotbox pivotroot, and prints the serial console:
#
#   scripts/boot.sh [-i] [-a ARCH] keep|free
#   scripts/boot.sh -c [-a ARCH]
#
# MODE is mkinitramfs.sh's: keep the initramfs at /initramfs, or free it.
# -i gives a shell in the new root before the power off (exit it to end).
# Exits 1 when the new root's init did not finish (a panic, a timeout).
# -c only checks that a boot can run here, and says what is missing.
#
# -a ARCH: the machine's architecture (default: $ARCH, else x86_64):
# x86_64, aarch64 (-M virt, Cortex-A57), armhf (-M virt, Cortex-A15) or
# mipsel (-M malta, 24Kc), with Debian's kernel for it and pivotbox and
# busybox built for it (scripts/setup.sh cross fetches the kernels and
# busyboxes of the three that are not x86_64).
# PIVOTBOX: the binary to boot with (default: pivotbox in the repo root
# for x86_64, build/cross/ARCH/pivotbox for another ARCH).
# ACCEL: kvm or tcg (default: kvm when /dev/kvm can be opened and ARCH is
# this machine's; tcg otherwise).
# BOOT_TIMEOUT: seconds before the machine is killed (default 120).
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/arch.sh
. "$top/scripts/arch.sh"

die()
{
  printf 'boot: %s\n' "$*" >&2
  exit 1
}

usage()
{
  echo "usage: boot.sh [-i] [-a ARCH] keep|free, or boot.sh -c [-a ARCH]" >&2
  exit 1
}

# Sets what a boot of architecture $1 needs, after arch_set $1: the kernel,
# the qemu command and its machine options, and the serial console. Fails
# for an ARCH that has no boot.
machine_for()
{
  qemu_system=qemu-system-$arch_qemu
  kernel=$top/build/kernel/$1/vmlinuz
  setup="scripts/setup.sh cross"
  case $1 in
    x86_64)
      kernel=$top/build/kernel/vmlinuz setup=scripts/setup.sh
      machine=() console=ttyS0 ;;
    aarch64) machine=(-M virt -cpu cortex-a57) console=ttyAMA0 ;;
    armhf) machine=(-M virt -cpu cortex-a15) console=ttyAMA0 ;;
    mipsel) machine=(-M malta -cpu 24Kc) console=ttyS0 ;;
    *) die "no boot for $1" ;;
  esac
}

# Prints the accelerator to use: kvm where /dev/kvm can be opened and a
# hardware backend drives it. A /dev/kvm of another kind (kvm_pvm, in a
# virtual machine without nested virtualisation) runs only guests built
# for it: Debian's kernel hangs there.
pick_accel()
{
  if [ -n "${ACCEL:-}" ]; then
    echo "$ACCEL"
  elif ! arch_is_host; then
    echo tcg
  elif (exec 3<> /dev/kvm) 2> /dev/null &&
    { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    echo kvm
  else
    echo tcg
  fi
}

# Drops the carriage returns of the serial line and the terminal escapes
# the firmware sends, so that the log reads (and greps) as plain text.
clean_console()
{
  sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g'
}

interactive=
check_only=
arch=${ARCH:-x86_64}
while getopts a:ci opt; do
  case $opt in
    a) arch=$OPTARG ;;
    c) check_only=1 ;;
    i) interactive=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
if [ -n "$check_only" ]; then
  [ $# -eq 0 ] || usage
else
  [ $# -eq 1 ] || usage
  mode=$1
  case $mode in
    keep|free) ;;
    *) usage ;;
  esac
fi

arch_set "$arch" || exit 1
machine_for "$arch"
if [ "$arch" = x86_64 ]; then
  pivotbox=${PIVOTBOX:-$top/pivotbox}
else
  pivotbox=${PIVOTBOX:-$top/build/cross/$arch/pivotbox}
fi

[ -r "$kernel" ] || die "no kernel at $kernel (run $setup)"
command -v "$qemu_system" > /dev/null ||
  die "$qemu_system is missing (run $setup)"
if [ -n "$check_only" ]; then
  command -v cpio > /dev/null || die "cpio is missing (run scripts/setup.sh)"
  if [ "$arch" != x86_64 ]; then
    busybox=${BUSYBOX:-$top/build/busybox/$arch}
    [ -f "$busybox" ] || die "no busybox at $busybox (run $setup)"
    arch_is_host || command -v "qemu-$arch_qemu-static" > /dev/null ||
      die "qemu-$arch_qemu-static is missing (run $setup)"
  fi
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pivotbox-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
ARCH=$arch "$top/scripts/mkinitramfs.sh" "$work/initramfs.cpio.gz" "$mode" \
  "$pivotbox"

accel=$(pick_accel)
if [ "$arch" = x86_64 ]; then
  echo "boot: $mode mode, qemu with $accel, kernel $kernel" >&2
else
  echo "boot: $arch, $mode mode, qemu with $accel, kernel $kernel" >&2
fi
append="console=$console panic=-1 quiet"
qemu=("$qemu_system" "${machine[@]}" -accel "$accel" -m 256 -smp 1
  -kernel "$kernel" -initrd "$work/initramfs.cpio.gz"
  -display none -vga none -monitor none -serial stdio -no-reboot)

if [ -n "$interactive" ]; then
  "${qemu[@]}" -append "$append pivotbox.shell"
  exit
fi

status=0
timeout "${BOOT_TIMEOUT:-120}" "${qemu[@]}" -append "$append" < /dev/null |
  clean_console | tee "$work/console" || status=$?
if [ "$status" -eq 124 ]; then
  die "timed out after ${BOOT_TIMEOUT:-120} seconds"
fi
[ "$status" -eq 0 ] || die "qemu failed (status $status)"
grep -qx "check: done" "$work/console" ||
  die "the new root's init did not finish"
