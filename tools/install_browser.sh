#!/usr/bin/env bash
# Installs what the web explorer and its browser tests need; safe to run again (idempotent).
#   - web/node_modules: YASGUI, Cytoscape, Vega-Lite, Swagger UI and the Italian region shapes
#     (npm, from web/package-lock.json), served by `itskg serve` at /vendor/;
#   - web/node_modules/itskg/{charts,layout}.min.js: two bundles built by esbuild from web/src/
#     (Vega + vega-interpreter for CSP-safe charts; the fCoSE layout for the network view), with
#     a metafile that names every npm package inside them (their licences go into the wheel);
#   - /usr/bin/pdftoppm (Debian poppler-utils): the report tests render PDF pages to PNG.
#   - /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium and
#     chromium-driver) for the Selenium tests in tests/web/. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --prefix web --no-audit --no-fund --ignore-scripts
  else
    echo "install_browser.sh: npm not found; install Node.js (apt-get install -y npm) for the web explorer's assets" >&2
  fi
fi

bundle() {  # bundle NAME: web/src/NAME.js -> web/node_modules/itskg/NAME.min.js (+ .meta.json)
  local out="web/node_modules/itskg/$1.min.js"
  if [ ! -f "$out" ] || [ "web/src/$1.js" -nt "$out" ] || [ web/package-lock.json -nt "$out" ]; then
    web/node_modules/.bin/esbuild "web/src/$1.js" --bundle --minify --format=iife \
      --legal-comments=none --log-level=warning --metafile="web/node_modules/itskg/$1.meta.json" \
      --outfile="$out"
  fi
}
if [ -x web/node_modules/.bin/esbuild ]; then
  bundle charts
  bundle layout
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/pdftoppm ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "install_browser.sh: not root and no sudo; install chromium and chromium-driver yourself" >&2
      exit 0
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium chromium-driver poppler-utils
fi
