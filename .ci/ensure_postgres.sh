#!/usr/bin/env bash
# The test suite starts its own PostgreSQL server (tests/fakes/postgres.py) and needs the
# server binaries (initdb, pg_ctl). When they are missing and we run as root (CI), install
# Debian's postgresql package; otherwise say what to install.
set -euo pipefail
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL binaries missing: installing Debian's postgresql package for the tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  exit 0
fi
echo "warning: PostgreSQL binaries (initdb, pg_ctl) not found; the PostgreSQL tests will fail." >&2
echo "Install them (Debian/Ubuntu: sudo apt-get install postgresql)." >&2
