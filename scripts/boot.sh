#!/bin/bash
# Boots Debian's cloud kernel under qemu with an initramfs whose /init
# ends in pivotbox pivotroot, and prints the serial console:
#
#   scripts/boot.sh [-i] keep|free
#
# MODE is mkinitramfs.sh's: keep the initramfs at /initramfs, or free it.
# -i gives a shell in the new root before the power off (exit it to end).
# Exits 1 when the new root's init did not finish (a panic, a timeout).
#
# PIVOTBOX: the binary to boot with (default: pivotbox in the repo root).
# ACCEL: kvm or tcg (default: kvm when /dev/kvm can be opened).
# BOOT_TIMEOUT: seconds before the machine is killed (default 120).
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=$top/build/kernel/vmlinuz

die()
{
  printf 'boot: %s\n' "$*" >&2
  exit 1
}

usage()
{
  echo "usage: boot.sh [-i] keep|free" >&2
  exit 1
}

# Prints the accelerator to use: kvm where /dev/kvm can be opened and a
# hardware backend drives it. A /dev/kvm of another kind (kvm_pvm, in a
# virtual machine without nested virtualisation) runs only guests built
# for it: Debian's kernel hangs there.
pick_accel()
{
  if [ -n "${ACCEL:-}" ]; then
    echo "$ACCEL"
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
while getopts i opt; do
  case $opt in
    i) interactive=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
mode=$1
case $mode in
  keep|free) ;;
  *) usage ;;
esac

[ -r "$kernel" ] || die "no kernel at $kernel (run scripts/setup.sh)"
command -v qemu-system-x86_64 > /dev/null ||
  die "qemu-system-x86_64 is missing (run scripts/setup.sh)"

work=$(mktemp -d "${TMPDIR:-/tmp}/pivotbox-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
"$top/scripts/mkinitramfs.sh" "$work/initramfs.cpio.gz" "$mode" \
  "${PIVOTBOX:-$top/pivotbox}"

accel=$(pick_accel)
echo "boot: $mode mode, qemu with $accel, kernel $kernel" >&2
append="console=ttyS0 panic=-1 quiet"
qemu=(qemu-system-x86_64 -accel "$accel" -m 256 -smp 1
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
