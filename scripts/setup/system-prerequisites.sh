#!/usr/bin/env bash
# Checks the system packages that pip cannot install. When one is missing and we run as root on a
# Debian-like system, it is installed with apt-get; otherwise the script stops and names the
# package to install. Called by `make` before the virtual environment is created.
set -euo pipefail

missing=()
need() { # need <debian-package> <test command...>
  local package=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$package"); fi
}
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

need python3-venv python3 -c 'import venv, ensurepip'
need libpango-1.0-0 has_lib 'libpango-1.0.so.0'
need libpangoft2-1.0-0 has_lib 'libpangoft2-1.0.so.0'
# WeasyPrint subsets fonts with HarfBuzz when this library is present, and with fontTools (about
# ten times slower: seconds per PDF) when it is not.
need libharfbuzz-subset0 has_lib 'libharfbuzz-subset.so.0'
need fontconfig command -v fc-list
# pdffonts and pdftoppm, which the tests use to read the PDFs back as a second, independent reader.
need poppler-utils command -v pdffonts
# javac compiles the small launcher that runs EPUBCheck on many EPUBs in one Java start.
need openjdk-17-jdk-headless command -v javac
# The print edition's declared fallbacks (editions/fonts.py): symbols, then Chinese, Japanese and
# Korean, then emoji.
need fonts-dejavu-core test -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf
need fonts-noto-cjk test -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
need fonts-noto-color-emoji test -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
# The press PDF's colour profiles (CMYK output intent, sRGB for images): Ghostscript's ICC data.
need libgs10-common test -f /usr/share/color/icc/ghostscript/default_cmyk.icc
# The OS sandbox for pandoc, WeasyPrint and the validators (scripts/pubpipe/runtime/sandbox.py).
# Optional: without it the build says so once and relies on its policy checks alone.
need bubblewrap command -v bwrap

python3 - <<'PY' || { echo "error: Python 3.11 or newer is needed (found $(python3 --version 2>&1))." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "${PUBPIPE_NO_APT:-}" ]; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

if [ "${missing[*]}" = bubblewrap ]; then
  echo "note: bubblewrap is not installed, so pandoc and WeasyPrint will run without the OS sandbox (sudo apt-get install bubblewrap)"
  exit 0
fi
echo "error: missing system packages: ${missing[*]}" >&2
echo "  hint: install them, for example: sudo apt-get install ${missing[*]}" >&2
exit 1
