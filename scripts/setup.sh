#!/bin/sh
# Install what building and testing pivotbox needs, on Debian, when it is
# missing; fetch the kernel image the boot tests run under qemu.
# Run as root to install; as anyone else it only says what is missing.
#
#   scripts/setup.sh cross
#
# also sets up the cross builds and their tests, for each architecture in
# scripts/arch.sh: Debian's cross gcc and the musl of that architecture
# (musl-dev:ARCH, after dpkg --add-architecture), qemu-user-static, qemu's
# system emulators, and, unpacked under build/ rather than installed,
# Debian's kernel (build/kernel/ARCH/vmlinuz) and static busybox
# (build/busybox/ARCH) for the boot tests.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel_dir="$top/build/kernel"

case ${1:-} in
  '') cross= ;;
  cross) cross=1 ;;
  *)
    echo "usage: setup.sh [cross]" >&2
    exit 1
    ;;
esac

# command:package pairs; a command on PATH means its package is here.
needs="musl-gcc:musl-tools kconfig-conf:kconfig-frontends-nox
shellcheck:shellcheck qemu-system-x86_64:qemu-system-x86 cpio:cpio
unshare:util-linux clang:clang setpriv:util-linux strace:strace
hyperfine:hyperfine bwrap:bubblewrap"

missing=
for pair in $needs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
# Packages no command of their own tells of: the static busybox (Debian's
# busybox package is dynamic, and images need the static one), libFuzzer's
# runtime, and systemd-nspawn for the comparison test.
for package in busybox-static libclang-rt-14-dev systemd-container; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing packages:$missing (run this script as root)" >&2
    exit 1
  fi
  echo "setup: installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# The kernel for the boot tests: Debian's cloud kernel, unpacked here
# rather than installed, so the machine's own boot is left alone.
if ! [ -f "$kernel_dir/vmlinuz" ]; then
  image=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' |
    head -n 1)
  if [ -z "$image" ]; then
    apt-get update -qq
    image=$(apt-cache depends linux-image-cloud-amd64 |
      sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' |
      head -n 1)
  fi
  echo "setup: fetching $image"
  work=$(mktemp -d)
  chmod a+rwx "$work"  # apt downloads as its own user
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq "$image" >/dev/null)
  dpkg-deb -x "$work"/*.deb "$work/root"
  mkdir -p "$kernel_dir"
  cp "$work"/root/boot/vmlinuz-* "$kernel_dir/vmlinuz"
  chmod 644 "$kernel_dir/vmlinuz"
fi

[ -n "$cross" ] || exit 0

# shellcheck source=scripts/arch.sh
. "$top/scripts/arch.sh"

# Sets, for ARCH $1, what arch_set does, and kernel_meta (the kernel the
# boot test runs) and qemu_system (the package of its emulator).
cross_set()
{
  arch_set "$1"
  case $1 in
    aarch64) kernel_meta=linux-image-cloud-arm64 qemu_system=qemu-system-arm ;;
    armhf) kernel_meta=linux-image-armmp qemu_system=qemu-system-arm ;;
    mipsel) kernel_meta=linux-image-4kc-malta qemu_system=qemu-system-mips ;;
  esac
}

# Exits unless this is root, naming what is missing ($1).
need_root()
{
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing for the cross builds:$1 (run this script as root)" >&2
    exit 1
  fi
}

# Downloads Debian package $1 (name:arch) and unpacks it into a fresh
# $cross_work/root.
unpack_package()
{
  rm -rf "$cross_work"
  mkdir "$cross_work"
  chmod a+rwx "$cross_work"  # apt downloads as its own user
  (cd "$cross_work" && apt-get download -qq "$1" > /dev/null)
  dpkg-deb -x "$cross_work"/*.deb "$cross_work/root"
}

# Prints the versioned kernel package meta package $1 (name:arch) depends
# on: linux-image-cloud-arm64 -> linux-image-6.1.0-57-cloud-arm64.
kernel_package()
{
  apt-cache depends "$1" 2> /dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

# Unpacks the kernel of the ARCH cross_set was given into
# build/kernel/ARCH/vmlinuz.
fetch_kernel()
{
  image=$(kernel_package "$kernel_meta:$arch_deb")
  if [ -z "$image" ]; then
    apt-get update -qq
    image=$(kernel_package "$kernel_meta:$arch_deb")
  fi
  if [ -z "$image" ]; then
    echo "setup: no kernel package behind $kernel_meta:$arch_deb" >&2
    exit 1
  fi
  echo "setup: fetching $image"
  unpack_package "$image"
  mkdir -p "$kernel_dir/$arch_name"
  cp "$cross_work"/root/boot/vmlinuz-* "$kernel_dir/$arch_name/vmlinuz"
  chmod 644 "$kernel_dir/$arch_name/vmlinuz"
}

# Unpacks the static busybox of the ARCH cross_set was given into
# build/busybox/ARCH.
fetch_busybox()
{
  echo "setup: fetching busybox-static:$arch_deb"
  unpack_package "busybox-static:$arch_deb"
  mkdir -p "$top/build/busybox"
  cp "$cross_work/root/bin/busybox" "$top/build/busybox/$arch_name"
  chmod 755 "$top/build/busybox/$arch_name"
}

# Foreign architectures first: apt knows musl-dev:arm64 only after them.
added=
for arch in $ARCH_CROSS; do
  arch_set "$arch"
  if [ "$arch_deb" != "$(dpkg --print-architecture)" ] &&
    ! dpkg --print-foreign-architectures | grep -qx "$arch_deb"; then
    need_root " dpkg --add-architecture $arch_deb"
    dpkg --add-architecture "$arch_deb"
    added=1
  fi
done
[ -z "$added" ] || apt-get update -qq

missing=
command -v qemu-aarch64-static > /dev/null 2>&1 ||
  missing="$missing qemu-user-static"
for arch in $ARCH_CROSS; do
  cross_set "$arch"
  command -v "$arch_gcc-gcc" > /dev/null 2>&1 ||
    missing="$missing gcc-$arch_gcc"
  [ -f "/usr/lib/$arch_musl/musl-gcc.specs" ] ||
    missing="$missing musl-dev:$arch_deb"
  if ! command -v "qemu-system-$arch_qemu" > /dev/null 2>&1; then
    case "$missing " in
      *" $qemu_system "*) ;;
      *) missing="$missing $qemu_system" ;;
    esac
  fi
done
if [ -n "$missing" ]; then
  need_root "$missing"
  echo "setup: installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

cross_work=$(mktemp -u "${TMPDIR:-/tmp}/pivotbox-setup.XXXXXX")
trap 'rm -rf "${work:-}" "$cross_work"' EXIT
for arch in $ARCH_CROSS; do
  cross_set "$arch"
  [ -f "$kernel_dir/$arch/vmlinuz" ] || fetch_kernel
  [ -f "$top/build/busybox/$arch" ] || fetch_busybox
done
