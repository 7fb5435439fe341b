# shellcheck shell=sh
# The architectures pivotbox is built and tested for, for the scripts that
# source this file. `arch_set ARCH` sets, for ARCH (x86_64, aarch64, armhf
# or mipsel), or fails with a message for any other name:
#
#   arch_name     ARCH itself
#   arch_deb      Debian's name: the :ARCH of musl-dev:arm64
#   arch_gcc      the triple of Debian's cross gcc: gcc-$arch_gcc
#   arch_musl     where Debian's musl for ARCH is: /usr/lib/$arch_musl
#   arch_qemu     qemu's: qemu-$arch_qemu-static, qemu-system-$arch_qemu
#   arch_machine  the ELF machine, as readelf -h prints it
#   arch_class    the ELF class, ELF32 or ELF64
#
# The Makefile's cross section holds the same list of triples.

# The architectures that are cross-built, in the order the tests run them.
ARCH_CROSS="aarch64 armhf mipsel"

# shellcheck disable=SC2034 # read by the scripts that source this file
arch_set()
{
  case $1 in
    x86_64)
      arch_deb=amd64 arch_gcc=x86_64-linux-gnu arch_qemu=x86_64
      arch_class=ELF64 arch_machine="Advanced Micro Devices X86-64" ;;
    aarch64)
      arch_deb=arm64 arch_gcc=aarch64-linux-gnu arch_qemu=aarch64
      arch_class=ELF64 arch_machine=AArch64 ;;
    armhf)
      arch_deb=armhf arch_gcc=arm-linux-gnueabihf arch_qemu=arm
      arch_class=ELF32 arch_machine=ARM ;;
    mipsel)
      arch_deb=mipsel arch_gcc=mipsel-linux-gnu arch_qemu=mipsel
      arch_class=ELF32 arch_machine="MIPS R3000" ;;
    *)
      echo "unknown architecture '$1' (known: x86_64 $ARCH_CROSS)" >&2
      return 1 ;;
  esac
  arch_name=$1
  arch_musl=${arch_gcc%%-gnu*}-musl${arch_gcc#*-gnu}
}

# Succeeds when this machine runs ARCH's binaries natively.
arch_is_host()
{
  case $arch_name:$(uname -m) in
    x86_64:x86_64|aarch64:aarch64|armhf:armv7*) return 0 ;;
  esac
  return 1
}

# Prints field $1 of the ELF headers in $arch_headers.
arch_header_field()
{
  printf '%s\n' "$arch_headers" | sed -n "s/^ *$1: *//p"
}

# Fails unless $1 is a static little-endian ELF executable for the
# architecture arch_set was last given, and says why on stderr.
arch_check_binary()
{
  arch_headers=$(LC_ALL=C readelf -h -l "$1" 2> /dev/null) || {
    echo "can't read the ELF headers of '$1' (is binutils installed?)" >&2
    return 1
  }
  case $arch_headers in
    *"Requesting program interpreter"*)
      echo "'$1' is not static" >&2
      return 1 ;;
  esac
  if [ "$(arch_header_field Machine)" != "$arch_machine" ] ||
    [ "$(arch_header_field Class)" != "$arch_class" ] ||
    [ "$(arch_header_field Data)" != "2's complement, little endian" ]; then
    echo "'$1' is not an $arch_name binary" >&2
    return 1
  fi
}
