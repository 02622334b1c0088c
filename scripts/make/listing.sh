#!/usr/bin/env bash
# Keeps, for each folder named after $1, a listing of its files (name, size, modification time) in
# $1/<folder>.files, rewritten only when the listing changes. make compares an edition with this
# one file instead of naming the folder's files as prerequisites: a file name may hold a space, a
# colon, `$`, `%` or `#`, which make would read as its own syntax; and a file copied in with an
# older date (`cp -a`) still changes the listing. Run by make as it reads the Makefile.
set -euo pipefail
export LC_ALL=C
stamps=$1
shift
for folder in "$@"; do
  [ -d "$folder" ] || continue
  target="$stamps/$folder.files"
  listing=$(find "$folder" -type f -printf '%P\t%s\t%T@\n' | sort)
  if [ ! -f "$target" ]; then
    # A first listing is as old as the newest file it lists: editions made since are up to date.
    mkdir -p "$(dirname "$target")"
    printf '%s\n' "$listing" > "$target.part"
    newest=$(printf '%s\n' "$listing" | cut -f3 | sort -n | tail -n 1)
    touch -d "@${newest:-0}" "$target.part"
    mv -f "$target.part" "$target"
  elif [ "$(< "$target")" != "$listing" ]; then
    printf '%s\n' "$listing" > "$target.part"
    mv -f "$target.part" "$target"
  fi
done
