#!/usr/bin/env bash
# Install the Debian packages liboyl needs to build and test.
#
# Idempotent: when every package is already installed, apt is not touched
# at all (fast path). Otherwise runs `apt-get update` once and installs the
# missing packages non-interactively. Works without stdin (CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGES=(
    build-essential
    meson
    ninja-build
    pkg-config
    libpq-dev
    libcjson-dev
    uuid-dev
    libsqlite3-dev
    check
    libargon2-dev
    libssl-dev
    postgresql
    binutils
    valgrind
    python3
    cmake
)

is_installed() {
    local status
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" || return 1
    [[ "$status" == ii* ]]
}

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        if ! is_installed "$p"; then
            printf '%s\n' "$p"
        fi
    done
}

mapfile -t MISSING < <(missing_packages)

if [[ ${#MISSING[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

echo "install-deps: missing: ${MISSING[*]}"

SUDO=()
if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "install-deps: not root and sudo is not available; install as root:" >&2
        echo "  apt-get install ${MISSING[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${MISSING[@]}" </dev/null

mapfile -t STILL_MISSING < <(missing_packages)
if [[ ${#STILL_MISSING[@]} -ne 0 ]]; then
    echo "install-deps: still missing after install: ${STILL_MISSING[*]}" >&2
    exit 1
fi
echo "install-deps: done"
