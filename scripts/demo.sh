#!/usr/bin/env bash
# Build liboyl and run the demo program against a SQLite database.
#
# usage: scripts/demo.sh [DB_PATH]
#   DB_PATH defaults to demo.db in a fresh temporary directory, which is
#   removed afterwards. Pass a path to keep the database.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Resolve the database path against the caller's cwd before changing it.
TMP_DIR=""
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    if [[ -n "$TMP_DIR" ]]; then
        rm -rf -- "$TMP_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $# -ge 1 && -n "$1" ]]; then
    DB_PATH="$(realpath -m -- "$1")"
    mkdir -p -- "$(dirname "$DB_PATH")"
else
    TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/oyl-demo.XXXXXX")"
    DB_PATH="$TMP_DIR/demo.db"
fi

cd "$ROOT"

echo "== dependencies =="
# The base set only (no PostgreSQL server or valgrind): the demo runs on SQLite.
bash scripts/install-deps.sh

echo "== configure =="
if [[ -f build/meson-private/coredata.dat ]]; then
    meson setup --reconfigure build
else
    rm -rf build
    meson setup build
fi

echo "== compile =="
meson compile -C build

echo "== demo: build/examples/oyl-demo sqlite:$DB_PATH =="
status=0
build/examples/oyl-demo "sqlite:$DB_PATH" || status=$?
if [[ $status -ne 0 ]]; then
    echo "demo: oyl-demo exited with status $status" >&2
fi
exit "$status"
