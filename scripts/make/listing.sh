#!/usr/bin/env bash
# Keeps, for each folder named after $1, a listing of its files (name, size, modification time) in
# $1/<folder>.files, rewritten only when the listing changes. make compares an edition with this
# one file instead of naming the folder's files as prerequisites: a file name may hold a space, a
# colon, `$`, `%` or `#`, which make would read as its own syntax; and a file copied in with an
# older date (`cp -a`) still changes the listing. A first listing is as old as the newest file it
# lists, so editions made since are up to date. Run by make as it reads the Makefile, so every
# `make` pays for it: one find and one awk for all the folders, however many there are.
set -euo pipefail
export LC_ALL=C
stamps=$1
shift
folders=() parents=("$stamps")
for folder in "$@"; do
  [ -d "$folder" ] || continue
  folders+=("$folder")
  [[ $folder == */* ]] && parents+=("$stamps/${folder%/*}")
done
[ ${#folders[@]} -gt 0 ] || exit 0
mkdir -p "${parents[@]}"
# A line "<folder><tab>" for each folder (so an empty one gets its listing too), then one line per
# file, "<folder><tab><name><tab><size><tab><time>"; sorted, each folder's lines come together.
{ printf '%s\t\n' "${folders[@]}"; find "${folders[@]}" -type f -printf '%H\t%P\t%s\t%T@\n'; } | sort |
  awk -F'\t' -v stamps="$stamps" '
    function flush(    target, old, line, status, exists) {
      if (folder == "") return
      target = stamps "/" folder ".files"
      old = ""
      while ((status = (getline line < target)) > 0) old = old line "\n"
      exists = status == 0
      close(target)
      if (!exists || old != listing) {
        printf "%s", listing > (target ".part")
        close(target ".part")
        print (exists ? "changed" : "new") "\t" target "\t" newest
      }
    }
    $1 != folder { flush(); folder = $1; listing = ""; newest = 0 }
    $2 != "" { listing = listing substr($0, length($1) + 2) "\n"; if ($4 + 0 > newest + 0) newest = $4 }
    END { flush() }' |
  while IFS=$'\t' read -r what target newest; do
    if [ "$what" = new ]; then touch -d "@$newest" "$target.part"; fi
    mv -f "$target.part" "$target"
  done
