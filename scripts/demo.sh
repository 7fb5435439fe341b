#!/bin/bash
# make demo: boots a kernel under qemu into an initramfs whose /init ends
# in pivotbox pivotroot, and shows what happens on its serial console; then
# runs a command in an OSTree-style image with pivotbox nsrun.
# PIVOTBOX and ACCEL are passed on to scripts/boot.sh.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

cat << 'INTRO'
pivotbox demo: a Linux kernel boots under qemu into a tiny initramfs.
Its /init mounts /dev, /proc, /sys and /run, builds a small root on a
tmpfs at /newroot, and ends with

    exec pivotbox pivotroot -v /newroot:/initramfs /sbin/init

pivotbox moves the four mounts into /newroot, binds the initramfs at
/newroot/initramfs, moves /newroot onto / and runs /sbin/init there.
Below: "==>" lines head each section, "pivotroot:" lines are pivotbox's
steps, "check:" lines are what the new /sbin/init found. The virtual
machine powers itself off at the end.
INTRO

start=$SECONDS
"$top/scripts/boot.sh" keep
"$top/scripts/demo-nsrun.sh"
printf '\n==> demo: done in %d seconds\n' "$((SECONDS - start))"
