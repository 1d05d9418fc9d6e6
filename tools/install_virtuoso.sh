#!/usr/bin/env bash
# Installs OpenLink Virtuoso 7 (Debian package virtuoso-opensource-7-bin: the virtuoso-t server
# and the isql-vt client) for the cross-engine tests and bench/read_path_bench.py --virtuoso.
# Safe to run again (idempotent). Only the binaries are installed: no system service, no
# database, no open port. itskg starts its own instance with its own database directory on a
# free loopback port (tools/virtuoso.py), never the distribution's service on 0.0.0.0:8890.
# Needs root (or sudo) the first time.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install_virtuoso.sh: not root and no sudo; run as root: apt-get install -y virtuoso-opensource-7-bin" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show virtuoso-opensource-7-bin >/dev/null 2>&1; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends virtuoso-opensource-7-bin
command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || {
  echo "install_virtuoso.sh: virtuoso-opensource-7-bin installed but virtuoso-t/isql-vt are not on PATH" >&2
  exit 1
}
