#!/usr/bin/env bash
# Prints the articles of the folder $1 that the Makefile may use, one slug a line: the folders that
# hold a Markdown file (article.md, or another tool's paper.md or index.qmd: which one is the
# article is pubpipe's choice, scripts/pubpipe/load/folders.py) and whose names are safe slugs (scripts/pubpipe/load/slug.ere, the definition
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
# Whether folder $1 holds a Markdown file that may be an article (never a README or a licence).
has_text() {
  local file stem
  for file in "$1"/*.md "$1"/*.markdown "$1"/*.qmd "$1"/*.Rmd "$1"/*.rmd; do
    stem=${file##*/}
    stem=${stem%.*}
    case ${stem^^} in
      README | LICENSE | LICENCE | CHANGELOG | CHANGES | CONTRIBUTING | CODE_OF_CONDUCT | .*) ;;
      *) [ -f "$file" ] && return 0 ;;
    esac
  done
  return 1
}

refused=
for folder in "$1"/*/; do
  name=${folder%/}
  name=${name##*/}
  if [[ $name =~ $pattern ]] && [[ $reserved != *" $name "* ]] && has_text "$folder"; then
    printf '%s\n' "$name"
  else
    refused=.refused
  fi
done
if [ -n "$refused" ]; then echo "$refused"; fi
