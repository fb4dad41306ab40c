#!/usr/bin/env bash
# Install the Debian packages liboyl needs.
#
# usage: scripts/install-deps.sh [--test]
#   (no option)  the base set: build liboyl and run the demo on SQLite
#                (scripts/demo.sh). It includes Check, which looks
#                test-only but is needed to configure the default build
#                (-Dtests=true configures the test suites, and
#                tests/meson.build requires Check).
#   --test       the base set plus what the full test run needs
#                (scripts/test-all.sh): a PostgreSQL server, valgrind,
#                binutils (nm), python3 and CMake (scripts/check-install.sh
#                builds a CMake host against the installed library).
#   --bench-ingest  the test set plus the packages whose manual pages and
#                documentation are the corpus of scripts/bench-ingest.sh.
#
# Idempotent: when every package is already installed, apt is not touched
# at all (fast path). Otherwise runs `apt-get update` once and installs the
# missing packages non-interactively. Works without stdin (CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
    echo "usage: $0 [--test | --bench-ingest]" >&2
}

WITH_TESTS=0
WITH_BENCH=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --test) WITH_TESTS=1 ;;
        --bench-ingest)
            WITH_TESTS=1
            WITH_BENCH=1
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "install-deps: unknown argument: $1" >&2
            usage
            exit 2
            ;;
    esac
    shift
done

# Build liboyl and run the demo (SQLite): compiler, build tools and the
# -dev packages of every library liboyl links (libpq, libcjson, uuid,
# sqlite3, libargon2, libcrypto, utf8proc, libxml2, libstemmer: the
# search tokenizer's Snowball stemmers), plus Check (see above), and the
# optional document formats' libraries (DOCX: libzip; PDF: poppler-glib;
# images: Tesseract with its English data), so that every format is
# built, and libcurl for the HTTP embedder (doc/embedders.md).
BASE_PACKAGES=(
    build-essential
    meson
    ninja-build
    pkg-config
    libpq-dev
    libcjson-dev
    uuid-dev
    libsqlite3-dev
    libargon2-dev
    libssl-dev
    libutf8proc-dev
    libxml2-dev
    libstemmer-dev
    libzip-dev
    libpoppler-glib-dev
    libtesseract-dev
    tesseract-ocr-eng
    libcurl4-openssl-dev
    check
)

# The full test run on top of the base set: the throwaway PostgreSQL
# cluster, the valgrind pass, nm for the exported-symbols test, python3
# for the summary, CMake for the installed-package check, and cairo to
# render the PDF and image fixtures of the extractor tests (with a font),
# qpdf to encrypt one, clang and its fuzzer runtime for the fuzz stage.
TEST_PACKAGES=(
    clang
    libclang-rt-dev
    libcairo2-dev
    fonts-dejavu-core
    qpdf
    postgresql
    binutils
    valgrind
    python3
    cmake
    # tests/test_fidelity.c: real HTML and PDF documents with their own
    # plain-text editions (about 4.5 MB to download, 8.5 MiB installed).
    debian-policy
    developers-reference
    maint-guide
    debian-faq
    # tests/test_quality.c: retrieval quality on the Linux man-pages project's
    # sections 2 and 3 and on the Python FAQ's sources.
    manpages-dev
    python3-doc
)

# The corpus of scripts/bench-ingest.sh (doc/performance.md): real text
# that Debian ships.  man-db and groff-base render manual pages to plain
# text; manual pages of the C library, Perl, OpenSSL, Tcl, git and
# PostgreSQL; the Python documentation's sources and HTML; Vim's help; the
# Debian books (plain text, PDF); the distribution tables (CSV); poppler's
# pdftoppm renders a PDF page to PNG for the OCR figure.
INGEST_BENCH_PACKAGES=(
    man-db
    groff-base
    manpages
    manpages-dev
    glibc-doc
    perl-doc
    libssl-doc
    tcl8.6-doc
    git-man
    postgresql-doc-15
    python3-doc
    vim-runtime
    debian-policy
    developers-reference
    maint-guide
    debian-reference-en
    bash-doc
    distro-info-data
    poppler-utils
)

PACKAGES=("${BASE_PACKAGES[@]}")
MODE="base"
if [[ $WITH_TESTS -eq 1 ]]; then
    PACKAGES+=("${TEST_PACKAGES[@]}")
    MODE="base+test"
fi
if [[ $WITH_BENCH -eq 1 ]]; then
    PACKAGES+=("${INGEST_BENCH_PACKAGES[@]}")
    MODE="base+test+bench-ingest"
fi

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
    echo "install-deps: all ${#PACKAGES[@]} packages present ($MODE)"
    exit 0
fi

echo "install-deps: missing ($MODE): ${MISSING[*]}"

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
