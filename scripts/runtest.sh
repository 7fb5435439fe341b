# shellcheck shell=bash
#
# Test library for tests/*.test, loaded by scripts/test.sh in a fresh bash
# for each file, with the file's own scratch directory as cwd.
#
#   testing NAME COMMAND RESULT INFILE STDIN
#     Runs COMMAND with eval in a subshell, with STDIN on its stdin and
#     INFILE (when not empty) in the file ./input, and compares its stdout
#     with RESULT. RESULT, INFILE and STDIN take printf %b escapes (\n, \t,
#     \0NNN). Stderr and the exit status are not compared: append 2>&1 or
#     `; echo $?` to the command to check them.
#   testcmd NAME ARGS RESULT INFILE STDIN
#     testing with COMMAND "$C" ARGS; an empty NAME becomes ARGS.
#   optional SYMBOL...
#     Skips the tests that follow unless every SYMBOL (CONFIG_ prefix
#     optional) is =y in the kconfig file $CONFIG. No SYMBOL: skip no more.
#   skipnot COMMAND...
#     Skips the next test when COMMAND (eval, output discarded) fails.
#   skipwhy REASON...
#     Skips the next test, giving REASON.
#
# To stop a file early, `return` from it: `exit` counts as a failure.
#
# VERBOSE: unset prints a PASS, FAIL or SKIP line per test; when it
# contains "fail", each FAIL also shows the command and a diff; "all" does
# that and shows the command of each PASS too; "quiet" prints FAIL lines
# only. The words combine: VERBOSE=quiet,fail.
# DEBUG, when not empty, traces each command with set -x.
#
# The counts end in $RESULTS as one line "PASSED FAILED SKIPPED", written
# by runtest_done, which test.sh calls after the file, or on an early exit.

PASSCOUNT=0
FAILCOUNT=0
SKIPCOUNT=0

# Kept beside the results, so that test.sh's cleanup removes it whatever
# happens to this shell.
runtest_private=$(mktemp -d "${RESULTS:-${TMPDIR:-/tmp}/runtest}.XXXXXX") ||
  exit 1
runtest_finished=
runtest_optional_reason=
runtest_skip_next=

runtest_verbose()
{
  [[ ${VERBOSE:-} == *"$1"* ]]
}

runtest_say()
{
  [ "$1" = FAIL ] || ! runtest_verbose quiet || return 0
  printf '%s: %s\n' "$1" "$2"
}

runtest_write_results()
{
  [ -z "${RESULTS:-}" ] && return 0
  printf '%s %s %s\n' "$PASSCOUNT" "$FAILCOUNT" "$SKIPCOUNT" > "$RESULTS"
}

runtest_done()
{
  runtest_finished=1
  runtest_write_results
  rm -rf "$runtest_private"
}

runtest_on_exit()
{
  local status=$?

  if [ -z "$runtest_finished" ]; then
    FAILCOUNT=$((FAILCOUNT + 1))
    runtest_say FAIL \
      "${RUNTEST_FILE:-test file} (stopped early, status $status)"
    runtest_write_results
    status=1
  fi
  rm -rf "$runtest_private"
  exit "$status"
}

trap runtest_on_exit EXIT

# Prints the reason the next test is skipped, if it is.
runtest_skip_reason()
{
  if [ -n "$runtest_optional_reason" ]; then
    printf '%s\n' "$runtest_optional_reason"
  elif [ -n "$runtest_skip_next" ]; then
    printf '%s\n' "$runtest_skip_next"
  else
    return 1
  fi
}

runtest_fail()
{
  FAILCOUNT=$((FAILCOUNT + 1))
  runtest_say FAIL "$1"
  if runtest_verbose fail || runtest_verbose all; then
    printf 'command: %s\n' "$2"
    diff -u -a --label expected --label actual \
      "$runtest_private/expected" "$runtest_private/actual"
  fi
  return 0
}

testing()
{
  local name=$1 command=${2:-} result=${3:-} infile=${4:-} stdin=${5:-}
  local reason

  if [ $# -ne 5 ]; then
    FAILCOUNT=$((FAILCOUNT + 1))
    runtest_say FAIL "$name (testing takes 5 arguments, not $#)"
    runtest_skip_next=
    return 0
  fi

  if reason=$(runtest_skip_reason); then
    runtest_skip_next=
    SKIPCOUNT=$((SKIPCOUNT + 1))
    runtest_say SKIP "$name ($reason)"
    return 0
  fi

  printf '%b' "$result" > "$runtest_private/expected"
  printf '%b' "$stdin" > "$runtest_private/stdin"
  [ -n "$infile" ] && printf '%b' "$infile" > input

  [ -n "${DEBUG:-}" ] && set -x
  ( eval "$command" ) < "$runtest_private/stdin" > "$runtest_private/actual"
  { set +x; } 2> /dev/null

  if cmp -s "$runtest_private/expected" "$runtest_private/actual"; then
    PASSCOUNT=$((PASSCOUNT + 1))
    runtest_say PASS "$name"
    runtest_verbose all && printf 'command: %s\n' "$command"
  else
    runtest_fail "$name" "$command"
  fi

  [ -n "$infile" ] && rm -f input
  return 0
}

testcmd()
{
  if [ $# -ne 5 ]; then
    testing "$@"
    return 0
  fi
  testing "${1:-$2}" "\"\$C\" $2" "$3" "$4" "$5"
}

optional()
{
  local symbol missing=

  for symbol in "$@"; do
    symbol=CONFIG_${symbol#CONFIG_}
    grep -Fqx "$symbol=y" "${CONFIG:-.config}" 2> /dev/null ||
      missing="$missing $symbol"
  done

  runtest_optional_reason=
  if [ -n "$missing" ] && [ ! -r "${CONFIG:-.config}" ]; then
    runtest_optional_reason="needs:$missing; no config file ${CONFIG:-.config}"
  elif [ -n "$missing" ]; then
    runtest_optional_reason="needs:$missing"
  fi
  return 0
}

skipnot()
{
  ( eval "$*" ) < /dev/null > /dev/null 2>&1 ||
    runtest_skip_next="needs: $*"
  return 0
}

skipwhy()
{
  runtest_skip_next="$*"
}
