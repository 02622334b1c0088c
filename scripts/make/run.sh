#!/usr/bin/env bash
# Runs one recipe's command and notes its outcome in $PUBPIPE_MAKE_NOTES for the summary that
# summary.sh prints once make is done: "built<TAB>label" or "failed<TAB>label<TAB>status".
# When $PUBPIPE_MAKE_GO_ON is set (a build goal such as `make` or `make html`), a failure is
# only noted, so that make goes on to the other articles and the summary fails the goal; an
# interrupt (Ctrl-C) always stops make. Usage: run.sh <label> <command> [argument...]
set -u
label=$1
shift
"$@"
status=$?
if [ -n "${PUBPIPE_MAKE_NOTES-}" ]; then
  if [ "$status" -eq 0 ]; then
    printf 'built\t%s\n' "$label"
  else
    printf 'failed\t%s\t%s\n' "$label" "$status"
  fi >> "$PUBPIPE_MAKE_NOTES"
fi
if [ "$status" -eq 130 ] || [ -z "${PUBPIPE_MAKE_GO_ON-}" ]; then exit "$status"; fi
exit 0
