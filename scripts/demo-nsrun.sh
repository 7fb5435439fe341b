#!/bin/bash
# The nsrun half of make demo: an OSTree-style image (a deployment under
# /ostree/deploy/demo/deploy/ID, beside the sysroot's own files), entered
# with nspawn's --pivot-root semantics.  Needs root; changes nothing here.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
pivotbox=${PIVOTBOX:-$top/pivotbox}
id=3f2a9c
image=$(mktemp -d /tmp/pivotbox-demo.XXXXXX)
trap 'rm -rf "$image"' EXIT

# make_root DIR: a tiny root with Debian's static busybox as its programs.
make_root()
{
  mkdir -p "$1"/{bin,etc,dev,proc,sys,sysroot,tmp}
  cp /bin/busybox "$1/bin/busybox"
  for name in sh ls cat hostname mount; do ln -s busybox "$1/bin/$name"; done
}

deployment=$image/ostree/deploy/demo/deploy/$id
make_root "$deployment"
echo "NAME=\"pivotbox demo OS, deployment $id\"" > "$deployment/etc/os-release"
mkdir -p "$image/boot/loader"
echo "the sysroot's own boot directory" > "$image/boot/loader/README"

cat << INTRO

==> nsrun: an OSTree-style image at $image:
    /ostree/deploy/demo/deploy/$id   the deployment (a whole root)
    /boot/loader                      the sysroot's own files
$ pivotbox nsrun -p -h demo -D IMAGE \\
    -P /ostree/deploy/demo/deploy/$id:/sysroot -- /bin/sh -c '...'
INTRO

# shellcheck disable=SC2016  # expanded by the command inside
"$pivotbox" nsrun -p -h demo -D "$image" \
  -P "/ostree/deploy/demo/deploy/$id:/sysroot" -- /bin/sh -c '
    echo "--- the command sees (PID $$, hostname $(hostname)):"
    cat /etc/os-release
    echo "--- / is the deployment:"; ls /
    echo "--- /sysroot is the image it came from:"; ls /sysroot
    cat /sysroot/boot/loader/README
    echo "--- its mount table:"
    cat /proc/self/mountinfo'
echo "==> nsrun: done; nothing of it is left on this machine"
