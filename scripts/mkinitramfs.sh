#!/bin/sh
# Packs the initramfs that the boot test and the demo run under qemu:
#
#   scripts/mkinitramfs.sh OUT.cpio.gz MODE [PIVOTBOX]
#
# It holds a static busybox, the pivotbox binary (default: the one in the
# repo root) and an /init that mounts the API filesystems, builds a small
# root on a tmpfs at /newroot and ends with pivotbox pivotroot -v. MODE
# says what becomes of the initramfs: "keep" leaves it at /initramfs in the
# new root, "free" drops it (and pivotbox deletes its files).
#
# The new root's /sbin/init reports what it finds in "check: WHAT RESULT"
# lines, for tests/boot.test to compare, and powers the machine off.
# BUSYBOX names the static busybox to pack (default /bin/busybox).
# ARCH is the virtual machine's architecture (default x86_64; see
# scripts/arch.sh): both binaries must be built for it. For another ARCH
# the busybox defaults to build/busybox/ARCH (scripts/setup.sh cross
# fetches Debian's), and runs under qemu-user here to list its applets.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/arch.sh
. "$top/scripts/arch.sh"

die()
{
  printf 'mkinitramfs: %s\n' "$*" >&2
  exit 1
}

usage()
{
  echo "usage: mkinitramfs.sh OUT.cpio.gz keep|free [PIVOTBOX]" >&2
  exit 1
}

# Fails unless $1 is a static ELF for ARCH: the initramfs has no libc, and
# the virtual machine is an ARCH one.
check_static()
{
  why=$(arch_check_binary "$1" 2>&1) || die "$why"
}

# Prints the applets of the busybox being packed, one a line; qemu-user
# runs a busybox of another architecture.
busybox_applets()
{
  if arch_is_host; then
    "$busybox" --list
  else
    command -v "qemu-$arch_qemu-static" > /dev/null ||
      die "qemu-$arch_qemu-static is missing (run scripts/setup.sh cross)"
    "qemu-$arch_qemu-static" -0 busybox "$busybox" --list
  fi
}

# Prints a newc cpio header for a file with name $1, mode $2 (octal),
# device $3:$4 and no data. cpio(1) only copies files that exist, and
# making a device node needs root: these are written by hand instead.
cpio_header()
{
  name_size=$((${#1} + 1))
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    "$cpio_inode" "$((0$2))" 0 0 1 0 0 0 0 "$3" "$4" "$name_size" 0
  printf '%s\0' "$1"
  # The header (110 bytes) and the name are padded to a multiple of 4.
  pad=$(((4 - (110 + name_size) % 4) % 4))
  head -c "$pad" /dev/zero
  cpio_inode=$((cpio_inode + 1))
}

# /dev/console must exist when the kernel starts /init, or /init runs with
# no stdin, stdout and stderr until it has mounted devtmpfs.
device_archive()
{
  cpio_inode=1
  cpio_header dev 040755 0 0
  cpio_header dev/console 020600 5 1
  cpio_header TRAILER!!! 0 0 0
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  usage
fi
out=$1
case $2 in
  keep) spec=/newroot:/initramfs ;;
  free) spec=/newroot ;;
  *) usage ;;
esac
pivotbox=${3:-$top/pivotbox}
arch=${ARCH:-x86_64}
arch_set "$arch" || exit 1
if [ "$arch" = x86_64 ]; then
  busybox=${BUSYBOX:-/bin/busybox}
  setup=scripts/setup.sh
else
  busybox=${BUSYBOX:-$top/build/busybox/$arch}
  setup="scripts/setup.sh cross"
fi

[ -f "$busybox" ] || die "no busybox at '$busybox' (run $setup)"
[ -f "$pivotbox" ] || die "no pivotbox at '$pivotbox' (run make)"
check_static "$busybox"
check_static "$pivotbox"
command -v cpio > /dev/null || die "cpio is missing (run scripts/setup.sh)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$stage/bin" "$stage/dev" "$stage/etc" "$stage/lib/boot" \
  "$stage/proc" "$stage/sys" "$stage/run"
cp "$busybox" "$stage/bin/busybox"
cp "$pivotbox" "$stage/bin/pivotbox"
chmod 755 "$stage/bin/busybox" "$stage/bin/pivotbox"
for applet in $(busybox_applets); do
  [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
echo "$spec" > "$stage/etc/pivotroot-spec"
echo "this file is in the initramfs" > "$stage/etc/initramfs-marker"

# Shell functions both /init and the new root's init use.
cat > "$stage/lib/boot/common.sh" << 'EOF'
# Prints a section header on the console.
say()
{
  printf '\n==> %s\n' "$*"
}

# Prints one result for tests/boot.test to compare.
check()
{
  printf 'check: %s\n' "$*"
}

# Prints the mount id of the mount at directory $1, if there is one.
mount_id()
{
  awk -v dir="$1" '$5 == dir { id = $1 } END { if (id) print id }' \
    /proc/self/mountinfo 2> /dev/null
}

# Prints the filesystem type of the mount at directory $1.
mount_type()
{
  awk -v dir="$1" '$5 == dir {
    for (i = 7; $i != "-"; i++) ;
    type = $(i + 1)
  } END { if (type) print type }' /proc/self/mountinfo 2> /dev/null
}

# Prints the mount table, one mount a line.
mount_table()
{
  printf '%4s %6s  %-18s %-10s %s\n' ID PARENT "MOUNT POINT" TYPE SOURCE
  awk '{
    for (i = 7; $i != "-"; i++) ;
    printf "%4s %6s  %-18s %-10s %s\n", $1, $2, $5, $(i + 1), $(i + 2)
  }' /proc/self/mountinfo
}
EOF

# /init: PID 1 in the initramfs.
cat > "$stage/init" << 'EOF'
#!/bin/sh
export PATH=/bin
. /lib/boot/common.sh

mount -t devtmpfs devtmpfs /dev
exec < /dev/console > /dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=755 tmpfs /run

say "initramfs: the mount table before the switch (/ is the rootfs)"
mount_table

# The new root: a tmpfs with busybox, an init and a marker file.
mkdir /newroot
mount -t tmpfs -o mode=755 tmpfs /newroot
mkdir -p /newroot/bin /newroot/sbin /newroot/etc /newroot/dev \
  /newroot/proc /newroot/sys /newroot/run
cp /bin/busybox /newroot/bin/busybox
for applet in $(busybox --list); do
  [ -e "/newroot/bin/$applet" ] || ln -s busybox "/newroot/bin/$applet"
done
mkdir -p /newroot/lib/boot
cp /lib/boot/common.sh /newroot/lib/boot/common.sh
cp /lib/boot/newinit /newroot/sbin/init
chmod 755 /newroot/sbin/init
echo "this file is in the new root" > /newroot/etc/newroot-marker

# The new init tells moved mounts from fresh ones by their mount ids.
for dir in /dev /proc /sys /run; do
  echo "$dir $(mount_id "$dir")"
done > /newroot/etc/api-mount-ids

# A handle on the initramfs's root directory, inherited through the exec
# below, so the new init can see what is left of the initramfs.
exec 9< /

spec=$(cat /etc/pivotroot-spec)
say "initramfs: pivotbox pivotroot -v $spec /sbin/init"
exec /bin/pivotbox pivotroot -v "$spec" /sbin/init
EOF

# /sbin/init of the new root.
cat > "$stage/lib/boot/newinit" << 'EOF'
#!/bin/sh
export PATH=/bin
. /lib/boot/common.sh

say "new root: /sbin/init is running, as PID $$"
check "pid $$"
check "root $(mount_type /)"
marker=$(cat /etc/newroot-marker 2> /dev/null) || marker=
if [ "$marker" = "this file is in the new root" ]; then
  check "new root marker found"
else
  check "new root marker missing"
fi

# /dev, /proc, /sys and /run must be the initramfs's mounts, moved here.
while read -r dir old_id; do
  id=$(mount_id "$dir")
  if [ -z "$id" ]; then
    check "$dir not mounted"
  elif [ "$id" = "$old_id" ]; then
    check "$dir moved (mount id $id)"
  else
    check "$dir mounted anew (mount id $id, was $old_id)"
  fi
done < /etc/api-mount-ids
for node in /dev/console /dev/null; do
  if [ -c "$node" ]; then
    check "$node is a device"
  else
    check "$node is missing"
  fi
done

say "new root: the mount table after the switch"
if table=$(mount_table); then
  printf '%s\n' "$table"
  count=$(printf '%s\n' "$table" | awk '$4 == "rootfs"' | wc -l)
  check "rootfs mounts $count"
else
  check "mount table unreadable"
fi

if [ -d /initramfs ]; then
  say "new root: the initramfs, still reachable at /initramfs"
  ls -A /initramfs
  check "/initramfs $(mount_type /initramfs)"
  for file in /initramfs/init /initramfs/bin/pivotbox; do
    if [ -f "$file" ]; then
      check "$file present"
    else
      check "$file missing"
    fi
  done
else
  check "/initramfs absent"
fi

# What is left of the initramfs, seen through the directory the old /init
# kept open on fd 9.
if [ -d /proc/1/fd/9 ]; then
  left=
  for entry in /proc/1/fd/9/* /proc/1/fd/9/.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    left="$left ${entry##*/}"
  done
  check "old root holds:${left:- nothing}"
else
  check "old root handle missing"
fi

if grep -qw pivotbox.shell /proc/cmdline; then
  # The serial line the kernel was given: ttyS0, or ttyAMA0 on ARM.
  tty=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^console=\([^,]*\).*/\1/p' |
    tail -n 1)
  say "new root: a shell on ${tty:=ttyS0}; exit it to power off"
  setsid -c sh -l < "/dev/$tty" > "/dev/$tty" 2>&1
fi

say "new root: powering off"
check "done"
poweroff -f
echo o > /proc/sysrq-trigger
sleep 10
EOF

chmod 755 "$stage/init" "$stage/lib/boot/newinit"

# The device node archive comes first: cpio(1)'s own archive follows it,
# and the kernel unpacks the two in turn.
{
  device_archive
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet)
} | gzip -9 -n > "$out"
