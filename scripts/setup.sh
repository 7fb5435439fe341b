#!/bin/sh
# Install what building and testing pivotbox needs, on Debian, when it is
# missing; fetch the kernel image the boot tests run under qemu.
# Run as root to install; as anyone else it only says what is missing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel_dir="$top/build/kernel"

# command:package pairs; a command on PATH means its package is here.
needs="musl-gcc:musl-tools kconfig-conf:kconfig-frontends-nox
shellcheck:shellcheck qemu-system-x86_64:qemu-system-x86 cpio:cpio
unshare:util-linux"

missing=
for pair in $needs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
# Debian's busybox package is dynamic: the images need the static one.
dpkg -s busybox-static >/dev/null 2>&1 || missing="$missing busybox-static"

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
