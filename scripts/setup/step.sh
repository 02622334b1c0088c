#!/usr/bin/env bash
# One step of the set-up that `make` runs: says what it does (and, before a long step, about how
# long it takes on a quiet 2-core machine), keeps what the tools print in build/setup/<name>.log,
# says every 30 s that it is still at work, and ends with the time it took; the log's `note:` and
# `warning:` lines are shown. When the step fails, the end of its log is shown and the log named.
# Usage: step.sh <n/total> <what> <estimate or ""> <name> <command> [argument...]
set -u
number=$1 what=$2 estimate=$3 name=$4
shift 4
mkdir -p build/setup
log=build/setup/$name.log
# The estimate holds on a quiet 2-core machine; on a busy one, say so, since it will take longer.
read -r load _ < /proc/loadavg
if [ -n "$estimate" ] && awk -v load="$load" -v cores="$(nproc)" 'BEGIN { exit !(load > 1.5 * cores) }'; then
  estimate+=" on a quiet machine; this one is busy (load $load on $(nproc) cores), so longer"
fi
echo "setup $number: $what${estimate:+ ($estimate; output in $log)}"
started=$SECONDS
# A background subshell ignores Ctrl-C, so it is stopped on every way out of this script.
(
  trap 'kill "$nap"; exit' TERM
  while :; do
    sleep 30 & nap=$!
    wait "$nap"
    echo "  ... still $what: $((SECONDS - started)) s so far"
  done
) &
ticker=$!
trap 'kill "$ticker"' EXIT
"$@" > "$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  echo "error: setup $number failed after $((SECONDS - started)) s: $what (exit $status); the end of $log:" >&2
  tail -n 25 "$log" | sed 's/^/  | /' >&2
  echo "  hint: the whole output is in $log; fix the cause above, then run make again" >&2
  exit "$status"
fi
# What a tool says for the user (a missing optional package) is shown, not left in the log.
grep -E '^(note|warning):' "$log" || true
echo "setup $number: done in $((SECONDS - started)) s"
