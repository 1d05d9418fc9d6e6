#!/usr/bin/env bash
# Installs what the web explorer and its browser tests need; safe to run again (idempotent).
#   - web/node_modules: YASGUI, Cytoscape and the Italian region shapes (npm, from
#     web/package-lock.json), served by `itskg serve` at /vendor/.
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

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "install_browser.sh: not root and no sudo; install chromium and chromium-driver yourself" >&2
      exit 0
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium chromium-driver
fi
