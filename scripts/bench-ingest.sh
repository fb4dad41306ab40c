#!/usr/bin/env bash
# Ingestion throughput of liboyl on real text (doc/performance.md).
#
# usage: scripts/bench-ingest.sh [--runs N] [--no-pg] [--no-sqlite] [--corpus-only]
#
#   1. installs the build, test and corpus packages (install-deps.sh
#      --bench-ingest: manual pages and documentation that Debian ships);
#   2. builds a release build of oyl-ingest-bench in $BUILD_DIR
#      (default /tmp/build-bench);
#   3. makes the corpus in $CORPUS_DIR (default /tmp/oyl-ingest-corpus;
#      kept and reused while the packages' versions are the same):
#        text/      one plain-text file per manual page (rendered by man,
#                   80 columns) or per document (the Debian books' .txt, the
#                   Python documentation's sources, Vim's help), duplicates
#                   removed: what is ingested;
#        formats/   files of each other format for the extraction figures:
#                   markdown (README.md of /usr/share/doc), csv (the
#                   distro-info tables, their rows repeated to 1 MiB each),
#                   html (the PostgreSQL manual), docx (made here from the
#                   Debian books' text with python3's zipfile: no package
#                   ships any), pdf (the Debian books' PDFs), png (two pages
#                   of the Bash manual rendered at 300 dpi by pdftoppm);
#   4. runs oyl-ingest-bench on PostgreSQL (the cluster in OYL_TEST_PG* when
#      set, else a throwaway one from pg-cluster.sh, stopped on exit) and on
#      SQLite (a file in a temporary directory, removed on exit).
#
# Works as root on a fresh Debian 12 with no standard input.  The corpus
# takes a few minutes to render the first time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD_DIR="${BUILD_DIR:-/tmp/build-bench}"
CORPUS_DIR="${CORPUS_DIR:-/tmp/oyl-ingest-corpus}"
RUNS=2
WITH_PG=1
WITH_SQLITE=1
CORPUS_ONLY=0

log() { printf 'bench-ingest: %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs)
            RUNS="${2:?--runs needs a number}"
            shift
            ;;
        --no-pg) WITH_PG=0 ;;
        --no-sqlite) WITH_SQLITE=0 ;;
        --corpus-only) CORPUS_ONLY=1 ;;
        -h | --help)
            sed -n '2,27p' "$0"
            exit 0
            ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done

# Packages whose manual pages are rendered into the corpus.
MAN_PACKAGES=(manpages manpages-dev glibc-doc perl-doc libssl-doc tcl8.6-doc git-man
    postgresql-doc-15)
# Packages whose plain-text documents (.txt, .txt.gz) go in as they are.
DOC_PACKAGES=(debian-policy developers-reference maint-guide debian-reference-en bash-doc
    libssl-doc)
# The corpus is remade when one of these changes version (or this script's recipe).
RECIPE=3

# ---- the corpus -------------------------------------------------------------

# The regular files (no symlinks) a package installed.
package_files() {
    dpkg -L "$1" | while IFS= read -r f; do
        if [[ -f "$f" && ! -L "$f" ]]; then
            printf '%s\n' "$f"
        fi
    done
}

# Renders manual pages (arguments) into $OUT as NAME.SECTION.txt; skips
# the stubs that only include another page (.so), which man would render
# as that other page again.
render_man() {
    local f name
    for f in "$@"; do
        if [[ "$(zcat -f -- "$f" | head -c 300 | wc -c)" -lt 300 ]] \
                && zcat -f -- "$f" | grep -q '^\.so '; then
            continue
        fi
        name="$(basename "$f")"
        name="${name%.gz}"
        if ! MANWIDTH=80 man -l -- "$f" >"$OUT/$name.txt" 2>/dev/null \
                || [[ ! -s "$OUT/$name.txt" ]]; then
            rm -f -- "$OUT/$name.txt"
        fi
    done
}
export -f render_man

# Copies (decompressing) a document into DIR, named after its path.
put_text() {
    local src="$1" dir="$2" name
    name="${src#/usr/share/}"
    name="${name//\//_}"
    name="${name%.gz}"
    zcat -f -- "$src" >"$dir/$name"
    [[ -s "$dir/$name" ]] || rm -f -- "$dir/$name"
}

# Removes files whose bytes another file already has (the library stores
# one document per content and knowledge base).
remove_duplicates() {
    find "$1" -type f -print0 | sort -z | xargs -0 sha256sum \
        | awk 'seen[$1]++ { sub(/^[0-9a-f]+  /, ""); print }' \
        | while IFS= read -r f; do rm -f -- "$f"; done
}

# A CSV with its header once and its rows repeated until it is 1 MiB.
repeat_csv() {
    local src="$1" out="$2"
    head -n 1 "$src" >"$out"
    while [[ "$(stat -c %s "$out")" -lt 1048576 ]]; do
        tail -n +2 "$src" >>"$out"
    done
}

# DOCX files made from plain text: one paragraph per blank-line-separated
# block, in the smallest valid package (no Debian package ships DOCX).
make_docx() {
    python3 - "$@" <<'PY'
import re, sys, zipfile
from xml.sax.saxutils import escape

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
      'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
BAD = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')

out_dir = sys.argv[1]
for src in sys.argv[2:]:
    text = BAD.sub('', open(src, encoding='utf-8', errors='replace').read())
    paras = [' '.join(p.split()) for p in re.split(r'\n\s*\n', text) if p.strip()]
    body = ''.join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(p)
                   for p in paras)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (W, body))
    name = src.rsplit('/', 1)[-1].rsplit('.', 1)[0] + '.docx'
    with zipfile.ZipFile(out_dir + '/' + name, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT)
        z.writestr('_rels/.rels', RELS)
        z.writestr('word/document.xml', doc)
PY
}

corpus_stamp() {
    {
        echo "recipe $RECIPE"
        dpkg-query -W -f='${Package} ${Version}\n' "${MAN_PACKAGES[@]}" "${DOC_PACKAGES[@]}" \
            python3-doc vim-runtime distro-info-data man-db groff-base
    } | sha256sum | cut -c1-32
}

build_text() {
    local t="$1" p
    log "rendering manual pages (${MAN_PACKAGES[*]})"
    for p in "${MAN_PACKAGES[@]}"; do
        mkdir -p "$t/man/$p"
        package_files "$p" | { grep -E '/man/man[^/]*/[^/]+$' || true; } \
            | OUT="$t/man/$p" xargs -d '\n' -r -P "$(nproc)" -n 40 bash -c 'render_man "$@"' _
    done
    log "copying plain-text documents"
    for p in "${DOC_PACKAGES[@]}"; do
        mkdir -p "$t/doc/$p"
        package_files "$p" | { grep -E '\.txt(\.gz)?$' || true; } \
            | { grep -v '/_sources/' || true; } | while IFS= read -r f; do put_text "$f" "$t/doc/$p"; done
    done
    mkdir -p "$t/python" "$t/vim"
    find /usr/share/doc/python3*/html/_sources -type f -name '*.txt' \
        | while IFS= read -r f; do put_text "$f" "$t/python"; done
    find /usr/share/vim/vim*/doc -maxdepth 1 -type f -name '*.txt' \
        | while IFS= read -r f; do put_text "$f" "$t/vim"; done
    remove_duplicates "$t"
}

build_formats() {
    local t="$1" f="$2" p
    mkdir -p "$f/markdown" "$f/csv" "$f/html" "$f/docx" "$f/pdf" "$f/png"
    find /usr/share/doc -type f \( -name '*.md' -o -name '*.md.gz' \) -size +1k \
        | while IFS= read -r p; do put_text "$p" "$f/markdown"; done
    for p in /usr/share/distro-info/debian.csv /usr/share/distro-info/ubuntu.csv; do
        repeat_csv "$p" "$f/csv/$(basename "$p" .csv)-repeated.csv"
    done
    cp /usr/share/doc/postgresql-doc-15/html/*.html "$f/html/"
    make_docx "$f/docx" "$t"/doc/debian-policy/*policy.txt "$t"/doc/*/*reference*.txt \
        "$t"/doc/maint-guide/*.txt "$t"/doc/debian-policy/*fhs*.txt
    for p in /usr/share/doc/debian-policy/policy.pdf.gz \
            /usr/share/doc/debian-policy/fhs/fhs-3.0.pdf.gz /usr/share/developers-reference/developers-reference.pdf \
            /usr/share/doc/maint-guide/maint-guide.en.pdf \
            /usr/share/debian-reference/debian-reference.en.pdf /usr/share/doc/bash/bashref.pdf; do
        put_text "$p" "$f/pdf"
    done
    pdftoppm -r 300 -gray -png -f 20 -l 21 /usr/share/doc/bash/bashref.pdf "$f/png/bashref"
    remove_duplicates "$f"
}

build_corpus() {
    local stamp tmp
    stamp="$(corpus_stamp)"
    if [[ -f "$CORPUS_DIR/.stamp" && "$(cat "$CORPUS_DIR/.stamp")" == "$stamp" ]]; then
        log "corpus: reusing $CORPUS_DIR"
        return 0
    fi
    if [[ -e "$CORPUS_DIR" && ! -f "$CORPUS_DIR/.stamp" ]]; then
        die "$CORPUS_DIR exists and is not a corpus made here: remove it or set CORPUS_DIR"
    fi
    [[ "$(package_files manpages | grep -c '/man/man')" -gt 0 ]] \
        || die "the manual pages are not installed (a dpkg path-exclude for /usr/share/man?)"
    tmp="$CORPUS_DIR.new.$$"
    rm -rf -- "$tmp"
    mkdir -p "$tmp"
    build_text "$tmp/text"
    build_formats "$tmp/text" "$tmp/formats"
    echo "$stamp" >"$tmp/.stamp"
    rm -rf -- "$CORPUS_DIR"
    mv -- "$tmp" "$CORPUS_DIR"
}

describe_corpus() {
    local d
    log "corpus: $(find "$CORPUS_DIR/text" -type f | wc -l) files," \
        "$(du -sb "$CORPUS_DIR/text" | cut -f1) bytes"
    for d in "$CORPUS_DIR"/text/*/ "$CORPUS_DIR"/text/man/*/ "$CORPUS_DIR"/formats/*/; do
        printf '  %-40s %6d files %11d bytes\n' "${d#"$CORPUS_DIR"/}" \
            "$(find "$d" -type f | wc -l)" \
            "$(find "$d" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
    done
}

# ---- the run ------------------------------------------------------------------

scripts/install-deps.sh --bench-ingest </dev/null
build_corpus
describe_corpus
[[ $CORPUS_ONLY -eq 0 ]] || exit 0

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    meson setup "$BUILD_DIR" -Dwarning_level=2 -Dwerror=true -Dbuildtype=release -Dtests=false \
        </dev/null >&2
fi
ninja -C "$BUILD_DIR" bench/oyl-ingest-bench >&2

WORK="$(mktemp -d /tmp/oyl-ingest-bench.XXXXXX)"
STARTED_CLUSTER=0
cleanup() {
    if [[ $STARTED_CLUSTER -eq 1 ]]; then
        pg_cluster_stop || true
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ARGS=("$CORPUS_DIR/text" --formats "$CORPUS_DIR/formats" --runs "$RUNS")
if [[ $WITH_PG -eq 1 ]]; then
    if [[ -z "${OYL_TEST_PG:-}" ]]; then
        # shellcheck source=scripts/pg-cluster.sh
        source scripts/pg-cluster.sh
        pg_cluster_start
        STARTED_CLUSTER=1
    fi
    ARGS+=(--pg "${OYL_TEST_PG_APP:-$OYL_TEST_PG}" --pg-owner "${OYL_TEST_PG_OWNER:-$OYL_TEST_PG}")
fi
if [[ $WITH_SQLITE -eq 1 ]]; then
    ARGS+=(--sqlite "$WORK/ingest.db")
fi
log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/bench/oyl-ingest-bench" "${ARGS[@]}" </dev/null
log "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
