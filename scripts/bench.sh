#!/bin/bash
#
# make bench: pivotbox against its peers, side by side in one run.
#
# Builds the default configuration and each applet alone in copies of the
# tree (the checkout's own build and .config are left alone), the floor
# (scripts/bench/floor.c) and the payload (scripts/bench/payload.c, a static
# program that returns 0), and a small busybox image holding the payload.
# Every job runs the payload inside the image. Syscalls are counted with
# strace -f over the whole job; wall times come from hyperfine, run in
# rounds that rotate the order of the jobs, so that every tool sees the same
# state of the machine. Prints the job table, the size table and the targets
# as PASS/MISS lines; a miss is information, not a failure.
#
# Needs root (mount namespaces); installs its Debian packages when missing.
# The host's mount table is never changed: every job makes its own mount
# namespace or runs inside "unshare -m --propagation private".
# BENCH_ROUNDS (default 30), BENCH_RUNS (runs per round, default 20) and
# BENCH_WARMUP (per round, default 3) set the number of samples; no round
# starts once timing has taken BENCH_SECONDS (default 90), so that a loaded
# machine does not make the run last for ever.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sources="$top/scripts/bench"
rounds=${BENCH_ROUNDS:-30}
runs=${BENCH_RUNS:-20}
warmup=${BENCH_WARMUP:-3}
budget=${BENCH_SECONDS:-90}
static_flags=(-Os -static -s "-Wl,-z,noseparate-code")
wrapper=(unshare -m --propagation private /bin/sh -c)

die()
{
  printf 'bench: [%ds] %s\n' "$SECONDS" "$*" >&2
  exit 1
}

say()
{
  printf 'bench: [%ds] %s\n' "$SECONDS" "$*" >&2
}

# Install the commands the bench runs, as scripts/setup.sh does.
install_missing()
{
  local needs pair missing=
  needs="hyperfine:hyperfine strace:strace bwrap:bubblewrap jq:jq
    musl-gcc:musl-tools kconfig-conf:kconfig-frontends-nox git:git
    unshare:util-linux pivot_root:util-linux mount:mount readelf:binutils"
  for pair in $needs; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
  done
  dpkg -s busybox-static >/dev/null 2>&1 || missing="$missing busybox-static"
  if ! command -v toybox >/dev/null 2>&1 && toybox_packaged; then
    missing="$missing toybox"
  fi
  [ -n "$missing" ] || return 0
  say "installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

toybox_packaged()
{
  apt-cache policy toybox 2>/dev/null | grep -q '^ *Candidate: [0-9]'
}

# Remove the scratch directory, unless something is still mounted in it:
# then deleting could reach into whatever is mounted there.
cleanup()
{
  if awk -v dir="$tmp" '$5 == dir || index($5, dir "/") == 1 { found = 1 }
      END { exit !found }' /proc/self/mountinfo; then
    say "mounts left under $tmp: not removing it"
    return
  fi
  rm -rf "$tmp"
}

# copy_tree DEST: the checkout's files as they are now, tracked or new.
copy_tree()
{
  mkdir -p "$1"
  (cd "$top" &&
    git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
      [ -e "$file" ] && printf '%s\0' "$file"
    done | xargs -0 cp --parents -t "$1")
}

# make_in DIR ARGS...: make in a copy, quietly unless it fails. The outer
# make's flags are dropped: the bench measures the build as shipped.
make_in()
{
  local dir=$1
  shift
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$dir" -s -j"$(nproc)" "$@" >>"$dir/bench.log" 2>&1 ||
    die "make $* in a copy of the tree failed: $(tail -n 5 "$dir/bench.log")"
}

# applet_files DIR: the applets' sources, as scripts/genconfig.sh finds them.
applet_files()
{
  grep -l '^//applet:' "$1"/applets/*.c | sort
}

# build_applet_alone FILE: allnoconfig plus the applet's own symbol.
build_applet_alone()
{
  local name dir symbol
  name=$(basename "$1" .c)
  dir="$tmp/src-$name"
  symbol=$(sed -n 's|^//config:config \([A-Z0-9_]*\)$|\1|p' "$1" |
    head -n 1)
  copy_tree "$dir"
  make_in "$dir" allnoconfig
  sed -i "s/^# CONFIG_$symbol is not set\$/CONFIG_$symbol=y/" "$dir/.config"
  make_in "$dir" olddefconfig
  make_in "$dir" pivotbox
  cp "$dir/pivotbox" "$tmp/pivotbox-$name"
}

# make_cross DIR: the default build of DIR for every cross architecture,
# at DIR/build/cross/ARCH/pivotbox; fails when a toolchain is missing.
make_cross()
{
  local arch

  for arch in $ARCH_CROSS; do
    arch_set "$arch"
    [ -f "/usr/lib/$arch_musl/musl-gcc.specs" ] || return 1
  done
  make_in "$1" cross
}

build_static()
{
  musl-gcc "${static_flags[@]}" -o "$2" "$1" || die "can't build $1"
}

# A small busybox image: busybox, its sh and chroot, the payload, and the
# directories a root has.
make_image()
{
  local dir
  for dir in bin dev etc oldroot proc root run sys tmp; do
    mkdir -p "$img/$dir"
  done
  cp /bin/busybox "$img/bin/busybox"
  ln -s busybox "$img/bin/sh"
  ln -s busybox "$img/bin/chroot"
  cp "$tmp/payload" "$img/payload"
}

# add_job VAR JOB TOOL COMMAND [ARG...]: one row of the table, its index
# left in VAR. The first tool of a job is pivotbox, the one the others are
# compared with.
add_job()
{
  printf -v "$1" %s "${#job_name[@]}"
  job_name+=("$2")
  job_tool+=("$3")
  shift 3
  job_command+=("$(printf '%q ' "$@")")
}

# check_job I: run the job once; a job that fails is left out of the rest.
check_job()
{
  local i=$1 status=0
  eval "set -- ${job_command[i]}"
  "$@" >"$tmp/check.out" 2>&1 || status=$?
  if [ "$status" = 0 ]; then
    job_ok[i]=1
  else
    job_ok[i]=0
    job_failure[i]="exit $status: $(head -n 1 "$tmp/check.out")"
  fi
}

# count_syscalls I: the "total" calls of strace -f -c, median of three.
count_syscalls()
{
  local i=$1 n
  eval "set -- ${job_command[i]}"
  for n in 1 2 3; do
    strace -f -c -o "$tmp/strace.$n" -- "$@" >/dev/null 2>&1 ||
      die "strace of ${job_tool[i]} failed"
    awk '$NF == "total" { print $4 }' "$tmp/strace.$n"
  done | sort -n | sed -n 2p
}

# time_jobs: hyperfine in rounds, each round starting one job later; the
# number of rounds done is left in rounds_done.
time_jobs()
{
  local round k i args ok=() start=$SECONDS
  rounds_done=0
  for i in "${!job_name[@]}"; do
    if [ "${job_ok[i]}" = 1 ]; then ok+=("$i"); fi
  done
  [ "${#ok[@]}" -gt 0 ] || return 0
  say "timing: $rounds rounds of $runs runs per job"
  for ((round = 0; round < rounds; round++)); do
    if [ "$((SECONDS - start))" -ge "$budget" ]; then
      say "timing: stopped after $round rounds, ${budget}s are up"
      break
    fi
    args=()
    for ((k = 0; k < ${#ok[@]}; k++)); do
      i=${ok[(k + round) % ${#ok[@]}]}
      args+=(-n "$i" "${job_command[i]}")
    done
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" \
      --export-json "$tmp/round-$round.json" "${args[@]}" \
      >>"$tmp/hyperfine.log" 2>&1 ||
      die "hyperfine failed: $(tail -n 3 "$tmp/hyperfine.log")"
    rounds_done=$((round + 1))
  done
}

# median_seconds I: the median of every sample of job I, over all rounds.
median_seconds()
{
  jq -s --arg key "$1" '[.[].results[] | select(.command == $key)
    | .times[]] | sort
    | if length == 0 then empty
      elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end' "$tmp"/round-*.json
}

# ratio A B: A / B with two decimals, or "-" when either is missing.
ratio()
{
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f\n", a / b
  }'
}

# target WHAT VALUE LIMIT: a PASS or MISS line; n/a when not measured.
target()
{
  awk -v what="$1" -v value="$2" -v limit="$3" 'BEGIN {
    if (value == "" || limit == "") verdict = "n/a "
    else verdict = (value + 0 <= limit + 0) ? "PASS" : "MISS"
    printf "%s  %s\n", verdict, what
  }'
}

milliseconds()
{
  awk -v s="$1" 'BEGIN {
    if (s == "") print "-"; else printf "%.3f ms\n", s * 1000
  }'
}

# align LEFT: '|'-separated rows as columns, the first LEFT of them
# left-aligned, the others right-aligned.
align()
{
  awk -F'|' -v left="$1" '
    { for (c = 1; c <= NF; c++) {
        cell[NR, c] = $c
        if (length($c) > width[c]) width[c] = length($c)
      }
      if (NF > columns) columns = NF }
    END { for (r = 1; r <= NR; r++) {
        line = ""
        for (c = 1; c <= columns; c++) {
          w = (c <= left) ? -width[c] : width[c]
          line = line (c > 1 ? "  " : "") sprintf("%*s", w, cell[r, c])
        }
        sub(/ +$/, "", line)
        print line } }'
}

size_of()
{
  wc -c <"$1"
}

# size_row LABEL FILE: a row of the size table, against the default build.
size_row()
{
  awk -v label="$1" -v size="$(size_of "$2")" -v base="$(size_of "$pivotbox")" \
    'BEGIN { printf "%s|%d|%.1f|%.2f\n", label, size, size / 1024,
      size / base }'
}

# job_row I BASE: a row of the job table; ratios are over row BASE's.
job_row()
{
  if [ "${job_ok[$1]}" = 1 ]; then
    printf '%s|%s|%s|%s\n' "${job_tool[$1]}" "${calls[$1]}" \
      "$(ratio "${calls[$1]}" "${calls[$2]}")" \
      "$(milliseconds "${median[$1]}")|$(ratio "${median[$1]}" \
      "${median[$2]}")"
  else
    printf '%s|did not run|-|-|-\n' "${job_tool[$1]}"
  fi
}

[ "$(id -u)" = 0 ] || die "run as root: the jobs make mount namespaces"
install_missing

tmp=$(mktemp -d)
trap cleanup EXIT
trap 'exit 130' HUP INT TERM
img="$tmp/img"
mounts_before=$(cat /proc/self/mountinfo)

say "building the default configuration and each applet alone"
copy_tree "$tmp/src-default"
make_in "$tmp/src-default" defconfig
make_in "$tmp/src-default" pivotbox
pivotbox="$tmp/src-default/pivotbox"
for file in $(applet_files "$tmp/src-default"); do
  build_applet_alone "$file"
done
copy_tree "$tmp/src-none"
make_in "$tmp/src-none" allnoconfig
make_in "$tmp/src-none" pivotbox
# The router architectures, where scripts/setup.sh cross installed them.
# shellcheck source=scripts/arch.sh
. "$top/scripts/arch.sh"
cross_built=
if make_cross "$tmp/src-default"; then cross_built=1; fi
build_static "$sources/floor.c" "$tmp/floor"
build_static "$sources/payload.c" "$tmp/payload"
make_image

# The jobs. The switch-root ones run in the same wrapper on both sides.
# Their scripts are one line each: hyperfine splits commands as a shell
# would, but knows no $'\n'.
# shellcheck disable=SC2016 # $0 and $1 are the wrapper shell's
{
  switch_script='mount --bind "$1" "$1" && cd "$1" && pivot_root . oldroot'
  switch_script="$switch_script"' && exec chroot . /payload'
  job_name=() job_tool=() job_command=()
  add_job bare "root, no API mounts" "pivotbox nsrun --no-api" \
    "$pivotbox" nsrun --no-api -D "$img" /payload
  add_job bare_busybox "root, no API mounts" "busybox unshare -m + chroot" \
    /bin/busybox unshare -m /bin/busybox chroot "$img" /payload
  add_job bare_floor "root, no API mounts" "floor.c" \
    "$tmp/floor" "$img" /payload
  add_job api "root, /proc and /dev" "pivotbox nsrun" \
    "$pivotbox" nsrun -D "$img" /payload
  add_job api_bwrap "root, /proc and /dev" "bwrap --proc --dev" \
    bwrap --bind "$img" / --proc /proc --dev /dev /payload
  add_job switch "switch root (*)" "pivotbox pivotroot" \
    "${wrapper[@]}" 'exec "$0" pivotroot "$1:/oldroot" /payload' \
    "$pivotbox" "$img"
  add_job switch_util "switch root (*)" "mount; pivot_root; chroot" \
    "${wrapper[@]}" "$switch_script" sh "$img"
  add_job switch_wrapper "switch root (*)" "(*) wrapper alone" \
    "${wrapper[@]}" 'exec "$1"' sh "$img/payload"
}

say "running each job once, then under strace"
job_ok=() job_failure=() calls=() median=()
for i in "${!job_name[@]}"; do
  check_job "$i"
  calls[i]=
  if [ "${job_ok[i]}" = 1 ]; then calls[i]=$(count_syscalls "$i"); fi
done
time_jobs
for i in "${!job_name[@]}"; do
  median[i]=
  if [ "${job_ok[i]}" = 1 ]; then median[i]=$(median_seconds "$i"); fi
done

# The job table: the job's name on its first row, ratios over pivotbox's.
echo
{
  echo "job|tool|syscalls|calls/pb|median|time/pb"
  for i in "${!job_name[@]}"; do
    job=${job_name[i]}
    if [ "$i" = 0 ] || [ "$job" != "${job_name[i - 1]}" ]; then
      first=$i
    else
      job=
    fi
    printf '%s|%s\n' "$job" "$(job_row "$i" "$first")"
  done
} | align 2
echo "(*) both sides in the same wrapper:" \
  "${wrapper[*]} '...'"
echo "    pivotroot also moves the API mounts into the image (the sequence"
echo "    does not); the sequence's chroot is the image's busybox."
echo "    Medians of $rounds_done rounds x $runs runs per job, the jobs'" \
  "order rotated each round."
for i in "${!job_name[@]}"; do
  if [ "${job_ok[i]}" != 1 ]; then
    echo "    ${job_tool[i]} did not run: ${job_failure[i]}"
  fi
done

# The size table.
echo
{
  echo "binary|bytes|KiB|x pivotbox"
  size_row "pivotbox, default ($("$pivotbox" --list | tr '\n' ' ' |
    sed 's/ $//'))" "$pivotbox"
  for file in $(applet_files "$tmp/src-default"); do
    name=$(basename "$file" .c)
    size_row "pivotbox, $name alone" "$tmp/pivotbox-$name"
  done
  size_row "pivotbox, no applets" "$tmp/src-none/pivotbox"
  if [ -n "$cross_built" ]; then
    for arch in $ARCH_CROSS; do
      size_row "pivotbox, default, $arch" \
        "$tmp/src-default/build/cross/$arch/pivotbox"
    done
  fi
  size_row "floor.c" "$tmp/floor"
  version=$(dpkg-query -W -f '${Version}' busybox-static)
  size_row "busybox-static ${version#*:} (Debian, static)" /bin/busybox
  if command -v toybox >/dev/null 2>&1; then
    toybox=$(readlink -f "$(command -v toybox)")
    link="static"
    if readelf -l "$toybox" | grep -q 'INTERP'; then
      link="dynamic: libc not counted"
    fi
    size_row "toybox $(dpkg-query -W -f '${Version}' toybox 2>/dev/null)\
 (Debian, $link)" "$toybox"
  fi
} | align 1
if ! command -v toybox >/dev/null 2>&1; then
  echo "toybox: not packaged for this Debian release, not compared"
fi
if [ -z "$cross_built" ]; then
  echo "other architectures: not built (run scripts/setup.sh cross)"
fi

# The targets: figures to read, never a failure.
echo
size=$(size_of "$pivotbox")
if [ "$(uname -m)" = x86_64 ]; then
  target "whole binary $size bytes, target <= 32768 (32 KiB)" "$size" 32768
else
  echo "n/a   whole binary $size bytes: the 32 KiB target is for x86_64"
fi
if [ -n "$cross_built" ]; then
  for arch in $ARCH_CROSS; do
    size=$(size_of "$tmp/src-default/build/cross/$arch/pivotbox")
    target "$arch binary $size bytes, target <= 32768 (32 KiB)" "$size" \
      32768
  done
fi
limit=$(awk -v c="${calls[bare_floor]}" 'BEGIN { if (c != "") print 2 * c }')
target "nsrun --no-api: ${calls[bare]:--} syscalls, target <= 2 x the\
 floor's = ${limit:--}" "${calls[bare]}" "$limit"
target "nsrun --no-api: $(ratio "${median[bare]}" "${median[bare_busybox]}")\
 x the time of busybox unshare + chroot, target <= 1.00" \
  "${median[bare]}" "${median[bare_busybox]}"
limit=$(awk -v c="${calls[api_bwrap]}" 'BEGIN { if (c != "") print c / 2 }')
target "nsrun: ${calls[api]:--} syscalls, target <= bwrap's / 2 =\
 ${limit:--}" "${calls[api]}" "$limit"
limit=$(awk -v t="${median[api_bwrap]}" \
  'BEGIN { if (t != "") print 0.6 * t }')
target "nsrun: $(ratio "${median[api]}" "${median[api_bwrap]}") x bwrap's\
 time, target <= 0.60" "${median[api]}" "$limit"
limit=$(awk -v t="${median[switch_util]}" \
  'BEGIN { if (t != "") print 0.9 * t }')
target "pivotroot: $(ratio "${median[switch]}" "${median[switch_util]}") x\
 the util-linux sequence's time, target <= 0.90" "${median[switch]}" "$limit"

if [ "$(cat /proc/self/mountinfo)" != "$mounts_before" ]; then
  echo "WARNING: the host's mount table changed during the run"
fi
