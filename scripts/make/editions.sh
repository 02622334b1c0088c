#!/usr/bin/env bash
# Makes the editions of one article that this make run needs, with one command, so that one pandoc
# run serves them all. make runs an article's HTML, EPUB and PDF as one grouped target, and make
# 4.3 holds such a group out of date while any member is older than any member's prerequisite, and
# tells the recipe about one member only ($@, $?). So it is decided here, per edition: an edition
# is made when it is asked for and missing or older than the article's inputs marker (the PDF also
# than the stamps of its own options, PAPER and PDF_VARIANT); an edition that is up to date by its
# own dependencies is touched, else the HTML would be remade after every `make PAPER=letter`.
# Usage: editions.sh <inputs marker> "<the PDF's option stamps>" "<formats asked for>" <build/slug/slug>
#        <command...>   (the command gets `--formats` and the editions to make)
set -eu
inputs=$1 pdf_options=$2 asked=" $3 " stem=$4
shift 4
make=()
fresh=()
for format in html epub pdf; do
  file=$stem.$format
  dependencies=("$inputs")
  if [ "$format" = pdf ]; then read -r -a more <<< "$pdf_options" && dependencies+=("${more[@]}"); fi
  up_to_date=yes
  [ -e "$file" ] || up_to_date=
  for dependency in "${dependencies[@]}"; do
    if [ "$dependency" -nt "$file" ]; then up_to_date=; fi
  done
  if [ -n "$up_to_date" ]; then
    fresh+=("$file")
  elif [[ $asked == *" $format "* ]]; then
    make+=("$format")
  fi
done
if [ ${#fresh[@]} -gt 0 ]; then touch -c "${fresh[@]}"; fi
if [ ${#make[@]} -gt 0 ]; then exec "$@" --formats "$(IFS=,; echo "${make[*]}")"; fi
