#!/usr/bin/env bash
# The last step of `make`, `make html` ... : says what this run built and what failed, from the
# notes that run.sh left in $PUBPIPE_MAKE_NOTES, and fails when anything failed. Also removes the
# notes that interrupted runs of make left behind. Usage: summary.sh [check]
set -u
notes=${PUBPIPE_MAKE_NOTES-}
built=()
failed=()
if [ -n "$notes" ] && [ -f "$notes" ]; then
  while IFS=$'\t' read -r outcome label code; do
    case $outcome in
      built) built+=("$label") ;;
      failed) failed+=("$label (exit $code)") ;;
    esac
  done < "$notes"
  rm -f "$notes"
fi
if [ -n "$notes" ]; then
  for stale in "${notes%.*}".*; do # outcomes.<pid> of a make that is no longer running
    pid=${stale##*.}
    if [[ $pid =~ ^[0-9]+$ ]] && [ ! -e "/proc/$pid" ]; then rm -f "$stale"; fi
  done
fi

list() { # the first five, then how many more
  local text
  text=$(printf '%s, ' "${@:1:5}")
  text=${text%, }
  if [ $# -gt 5 ]; then text+=" and $(($# - 5)) more"; fi
  echo "$text"
}

where() { # the folders the built labels went to: articles to build/<slug>/, packs to build/packs/<name>/
  local articles=0 packs=0 label
  for label in "$@"; do
    case $label in "pack "*) packs=1 ;; *) articles=1 ;; esac
  done
  if [ $articles = 1 ] && [ $packs = 1 ]; then echo "build/<slug>/ and build/packs/<name>/"
  elif [ $packs = 1 ]; then echo "build/packs/<name>/"
  else echo "build/<slug>/"; fi
}

if [ ${#failed[@]} -gt 0 ]; then
  echo "make: ${#failed[@]} failed: $(list "${failed[@]}")" >&2
  echo "  each one's error is printed above; a failed article's earlier editions in build/ are left as they were" >&2
  if [ ${#built[@]} -gt 0 ]; then echo "  built all the same: $(list "${built[@]}")" >&2; fi
  exit 1
fi
if [ ${#built[@]} -eq 0 ]; then
  echo "make: every edition asked for is up to date in build/"
elif [ "${1-}" = check ]; then
  echo "make: built $(list "${built[@]}") into $(where "${built[@]}"); now checking"
else
  echo "make: built $(list "${built[@]}") into $(where "${built[@]}"); next, 'make check' reads the editions back and compares them"
fi
