#!/bin/bash
#
# Runs tests/NAME.test for each NAME given, or every tests/*.test, against
# $PIVOTBOX (default: pivotbox in the repo root), and ends with the line
# "N passed, N failed, N skipped". Exits non-zero when a test failed, or,
# with CI set, when one was skipped.
#
# Each file runs in its own bash with scripts/runtest.sh loaded, cwd in a
# fresh scratch directory, PATH starting with a link per applet, and these
# exported: C (the applet link for tests/APPLET.test, else $PIVOTBOX),
# PIVOTBOX, STATIC_PIVOTBOX (a static build, for tests that run it inside
# an image; default $PIVOTBOX), TOP, HELPERS (test programs built by make),
# CONFIG (the kconfig file), RESULTS (where runtest.sh leaves the counts).

set -eu

# Applets a config can turn off: their tests only run when they are built.
KNOWN_APPLETS="pivotroot nsrun"

TOP=$(cd "$(dirname "$0")/.." && pwd)
PIVOTBOX=${PIVOTBOX:-$TOP/pivotbox}
STATIC_PIVOTBOX=${STATIC_PIVOTBOX:-$PIVOTBOX}
HELPERS=${HELPERS:-$TOP/build/tests}
CONFIG=${CONFIG:-$TOP/.config}

die()
{
  printf 'test.sh: %s\n' "$*" >&2
  exit 1
}

absolute()
{
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

PIVOTBOX=$(absolute "$PIVOTBOX")
STATIC_PIVOTBOX=$(absolute "$STATIC_PIVOTBOX")
HELPERS=$(absolute "$HELPERS")
CONFIG=$(absolute "$CONFIG")
[ -x "$PIVOTBOX" ] || die "no executable $PIVOTBOX (run make, or set PIVOTBOX)"
[ -r "$CONFIG" ] ||
  echo "test.sh: no config file $CONFIG: tests marked optional skip" >&2
applets=$("$PIVOTBOX" --list) || die "$PIVOTBOX --list failed"

# Succeeds when something is mounted below directory $1.
mounts_under()
{
  awk -v dir="$1/" 'index($5, dir) == 1 { found = 1 } END { exit !found }' \
    /proc/self/mountinfo
}

# Leaves the directory in place rather than remove files through a mount a
# test left behind under it.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
  if mounts_under "$tmp"; then
    echo "test.sh: mounts remain under $tmp: not removing it" >&2
  else
    rm -rf --one-file-system "$tmp"
  fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pivotbox-test.XXXXXX")
trap cleanup EXIT
mkdir "$tmp/bin" "$tmp/scratch" "$tmp/results"
for applet in $applets; do
  case $applet in
    */*|.|..) die "$PIVOTBOX --list gave a bad name: $applet" ;;
  esac
  ln -s "$PIVOTBOX" "$tmp/bin/$applet"
done

export PIVOTBOX STATIC_PIVOTBOX TOP HELPERS CONFIG
export PATH="$tmp/bin:$PATH"
export LC_ALL=C

is_word_in()
{
  local word

  for word in $2; do
    [ "$word" = "$1" ] && return 0
  done
  return 1
}

chosen=$#
if [ $# -eq 0 ]; then
  set -- "$TOP"/tests/*.test
  [ -e "$1" ] || shift
fi
names=
for arg in "$@"; do
  name=${arg##*/}
  name=${name%.test}
  [ -f "$TOP/tests/$name.test" ] || die "no such test: tests/$name.test"
  names="$names $name"
done

passed=0
failed=0
skipped=0

add_counts()
{
  passed=$((passed + $1))
  failed=$((failed + $2))
  skipped=$((skipped + $3))
}

# Runs tests/$1.test with C=$2 and adds its counts.
run_file()
{
  local name=$1 file=$TOP/tests/$1.test
  local results=$tmp/results/$1 scratch=$tmp/scratch/$1 status=0
  local counts pass fail skip

  # A sourced file with a syntax error stops there and bash carries on.
  if ! bash -n "$file"; then
    echo "FAIL: $name.test (syntax error)"
    add_counts 0 1 0
    return
  fi

  mkdir "$scratch"
  (
    cd "$scratch"
    C=$2 RESULTS=$results RUNTEST_FILE=$name.test \
      bash -c '. "$1" && . "$2"; runtest_done' runtest \
      "$TOP/scripts/runtest.sh" "$file" < /dev/null
  ) || status=$?

  counts=$(cat "$results" 2> /dev/null) || counts=
  if ! [[ $counts =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
    echo "FAIL: $name.test (died, status $status)"
    add_counts 0 1 0
    return
  fi

  read -r pass fail skip <<< "$counts"
  add_counts "$pass" "$fail" "$skip"
  if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
    echo "FAIL: $name.test (exit status $status)"
    add_counts 0 1 0
  fi
  if mounts_under "$scratch"; then
    echo "FAIL: $name.test (left a mount in $scratch)"
    add_counts 0 1 0
  fi
}

for name in $names; do
  if is_word_in "$name" "$applets"; then
    c=$tmp/bin/$name
  elif is_word_in "$name" "$KNOWN_APPLETS"; then
    [ "$chosen" -gt 0 ] &&
      echo "test.sh: $name is not built in $PIVOTBOX: not testing it" >&2
    continue
  else
    c=$PIVOTBOX
  fi

  run_file "$name" "$c"
done

status=0
[ "$failed" -eq 0 ] || status=1
if [ -n "${CI:-}" ] && [ "$skipped" -gt 0 ]; then
  echo "CI must skip nothing: $skipped skipped"
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
