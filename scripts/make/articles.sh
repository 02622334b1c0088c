#!/usr/bin/env bash
# Prints the articles of the folder $1 that the Makefile may use, one slug a line: the folders that
# hold an article.md and whose names are safe slugs (scripts/pubpipe/load/slug.ere, the definition
# pubpipe reads too). When any other folder is there it also prints `.refused`, which no slug can
# be, and the Makefile has `pubpipe articles` say which folders and what to do. Run by make as it
# reads the Makefile: quick, and it writes nothing. Folders whose names start with a dot are not
# articles (the glob passes over them, as pubpipe does). With --packs <folder>, it prints the course
# packs <folder>/<name>.yaml whose names are safe, and names any other on stderr.
set -u
export LC_ALL=C # [A-Za-z] means the ASCII letters
pattern=$(< "$(dirname "$0")/../pubpipe/load/slug.ere")
# Names of build/'s own folders, never an article's (scripts/pubpipe/load/folders.py reads them too).
reserved=" $(tr '\n' ' ' < "$(dirname "$0")/../pubpipe/load/reserved-slugs.txt")"
shopt -s nullglob
if [ "$1" = --packs ]; then # the course packs <folder>/<name>.yaml whose names are safe
  for file in "$2"/*.yaml; do
    name=${file##*/}
    name=${name%.yaml}
    if [[ $name =~ $pattern ]]; then
      printf '%s\n' "$name"
    else
      printf 'make: %q: a pack name may hold only letters, digits, ".", "_" and "-"; rename the file to build this pack\n' "$file" >&2
    fi
  done
  exit 0
fi
refused=
for folder in "$1"/*/; do
  name=${folder%/}
  name=${name##*/}
  if [[ $name =~ $pattern ]] && [[ $reserved != *" $name "* ]] && [ -f "$folder/article.md" ]; then
    printf '%s\n' "$name"
  else
    refused=.refused
  fi
done
if [ -n "$refused" ]; then echo "$refused"; fi
