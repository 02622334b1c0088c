#!/usr/bin/env bash
# Installs the Node tools into .tools/ (git-ignored): MathJax (npm @mathjax/src), which draws the
# PDF's formulas, and the validators that `make check` and `make test` run: the Nu HTML Checker
# (npm vnu-jar), Ace by DAISY and axe-core from the npm registry, and Debian's
# Chromium (and its headless shell) for Ace and axe. Nothing is downloaded from outside the package
# registries: puppeteer's and electron's own browser downloads are switched off. A tool that cannot be installed stops the
# set-up with a message that names it; nothing is skipped quietly. `make` keeps what this prints in
# build/setup/validators.log (scripts/setup/step.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "error: $1" >&2; echo "  hint: $2" >&2; exit 1; }

command -v java >/dev/null || fail "java is missing (EPUBCheck and the Nu checker need Java 17)" "install the package openjdk-17-jre-headless"
command -v npm >/dev/null || fail "npm is missing (it installs the Nu checker, Ace and axe-core)" "install Node.js 20 and npm (Debian packages nodejs and npm)"

# chromium-headless-shell is optional: the accessibility checks run in about half the CPU in it,
# and in full Chromium when it cannot be installed.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/lib/chromium/chromium-headless-shell ] || command -v chromium-headless-shell >/dev/null || missing+=(chromium-headless-shell)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "${PUBPIPE_NO_APT:-}" ]; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || [ "${missing[*]}" = chromium-headless-shell ] \
      || fail "apt-get could not install ${missing[*]}" "install the package chromium, e.g. sudo apt-get install chromium"
  elif ! command -v chromium >/dev/null; then
    fail "chromium is missing (Ace and axe-core run in headless Chromium)" "install the package chromium, e.g. sudo apt-get install chromium"
  else
    echo "note: chromium-headless-shell is not installed; the accessibility checks use chromium, more slowly (sudo apt-get install chromium-headless-shell)"
  fi
fi

mkdir -p .tools
cp scripts/setup/package.json .tools/package.json
PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
  npm install --prefix .tools --no-audit --no-fund \
  || fail "npm could not install MathJax and the validators in scripts/setup/package.json" "check that the npm registry is reachable, then run make again"
[ -f .tools/node_modules/@mathjax/src/package.json ] || fail "MathJax is missing after npm install" "remove .tools and run make again"
[ -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ] || fail "the Nu checker's vnu.jar is missing after npm install" "remove .tools and run make again"
