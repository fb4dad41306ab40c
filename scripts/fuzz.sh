#!/usr/bin/env bash
# Build the libFuzzer targets (fuzz/) with clang and run each for a bounded
# time from its seed corpus (fuzz/corpus/<target>/) and the inputs of the
# bugs fuzzing found before (fuzz/regressions/<target>/).
#
# usage: scripts/fuzz.sh [TARGET...]      (default: every target built)
#
# Environment:
#   FUZZ_SECONDS     seconds per target (default 10); every target but ocr
#                    gets -max_len=65536, ocr -max_len=16384 (its seeds are
#                    real images up to 14 KB; the target itself skips images
#                    over 256x256 pixels, where Tesseract's time goes)
#   FUZZ_BUILD_DIR   the build directory (default: a new temporary one,
#                    removed at the end); configured from scratch each run
#   FUZZ_RESULTS     also write one JSON line per target there,
#                    {"name": "fuzz_<t>", "result": "OK"|"FAIL"}, as meson's
#                    test log has them (scripts/test-all.sh counts them)
#   FUZZ_EXTRA_ARGS  more libFuzzer options for every target
#   FUZZ_JOBS        parallel compile jobs (default: the number of CPUs)
#
# The corpora are copied to a work directory first: the repository is not
# modified (what a run finds is to become a test in
# tests/test_fuzz_regressions.c, not a seed).  Each target prints one line:
# executions, executions a second, coverage (edges), features, corpus size
# and the units it added.  A crash, leak, timeout (-timeout=10 a unit) or
# out-of-memory (-rss_limit_mb=2048) fails the target: its sanitizer report
# is printed with the path of the input that did it (the work directory is
# kept then).  Exit status 0 iff every target ran clean.
#
# Needs clang and its fuzzer runtime (Debian: clang, libclang-rt-dev); when
# they are missing and this runs as root (or with sudo) they are installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_EACH="${FUZZ_SECONDS:-10}"
if ! [[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || [[ "$SECONDS_EACH" -lt 1 ]]; then
    echo "fuzz: FUZZ_SECONDS must be a positive integer, not '$SECONDS_EACH'" >&2
    exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/oyl-fuzz.XXXXXX")"
BUILD="${FUZZ_BUILD_DIR:-$WORK/build}"
KEEP_WORK=0
RESULTS=() # JSON lines for FUZZ_RESULTS, written at the end (the build
           # directory, where it may be, is wiped on the way)
cleanup() {
    local rc=$?
    if [[ -n "${FUZZ_RESULTS:-}" ]]; then
        # A run that failed without saying where still counts as failed.
        if [[ $rc -ne 0 && " ${RESULTS[*]} " != *'"FAIL"'* ]]; then
            RESULTS+=('{"name": "fuzz.sh", "result": "FAIL"}')
        fi
        mkdir -p -- "$(dirname -- "$FUZZ_RESULTS")"
        printf '%s\n' "${RESULTS[@]}" >"$FUZZ_RESULTS"
    fi
    if [[ $KEEP_WORK -eq 0 ]]; then
        rm -rf -- "$WORK"
    else
        echo "fuzz: kept $WORK (reproducers and logs)"
    fi
}
trap cleanup EXIT
# A signal stops the fuzzer running (run_child) before the script exits.
CHILD_PID=""
on_signal() {
    [[ -z "$CHILD_PID" ]] || kill -TERM "$CHILD_PID" 2>/dev/null || true
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
run_child() {
    local rc=0
    "$@" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    return "$rc"
}

results() { # results NAME OK|FAIL
    RESULTS+=("{\"name\": \"fuzz_$1\", \"result\": \"$2\"}")
}

# ---- the toolchain --------------------------------------------------------

links_fuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$WORK/probe.c"
    clang -fsanitize=fuzzer,address,undefined "$WORK/probe.c" -o "$WORK/probe" >/dev/null 2>&1
}

if ! links_fuzzer; then
    SUDO=()
    [[ $EUID -eq 0 ]] || SUDO=(sudo -n)
    echo "fuzz: clang with libFuzzer is missing; installing clang libclang-rt-dev"
    if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null &&
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
            --no-install-recommends clang libclang-rt-dev </dev/null; } >"$WORK/apt.log" 2>&1 ||
        ! links_fuzzer; then
        tail -n 20 "$WORK/apt.log" 2>/dev/null || true
        echo "fuzz: cannot link -fsanitize=fuzzer with clang (Debian: apt-get install clang" \
            "libclang-rt-dev)" >&2
        results build FAIL
        exit 1
    fi
fi

# ---- the build --------------------------------------------------------------

echo "fuzz: building in $BUILD ($(clang --version | head -n 1))"
# Only ever a meson build directory (or a new one) is wiped.
if [[ -f "$BUILD/meson-private/coredata.dat" ]]; then
    rm -rf -- "$BUILD"
elif [[ -e "$BUILD" && -n "$(ls -A -- "$BUILD" 2>/dev/null)" ]]; then
    echo "fuzz: $BUILD exists and is not a meson build directory; not touching it" >&2
    results build FAIL
    exit 2
fi
# -O1 and line tables: what libFuzzer's documentation advises (fast to
# build, fast enough to run, stacks with lines).
if ! CC=clang meson setup "$BUILD" -Dfuzzing=true -Dtests=false \
    --buildtype=plain -Dwarning_level=2 -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dc_args=-O1 -gline-tables-only -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" \
    >"$WORK/setup.log" 2>&1; then
    cat "$WORK/setup.log"
    echo "fuzz: meson setup failed" >&2
    results build FAIL
    exit 1
fi

mapfile -t BUILT < <(ninja -C "$BUILD" -t targets all | sed -n 's|^fuzz/fuzz_\([a-z]*\): .*|\1|p')
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${BUILT[@]}")
for t in "${TARGETS[@]}"; do
    if [[ " ${BUILT[*]} " != *" $t "* ]]; then
        echo "fuzz: no target '$t' in this build (built: ${BUILT[*]})" >&2
        results "$t" FAIL
        exit 2
    fi
done
if ! ninja -C "$BUILD" -j "${FUZZ_JOBS:-$(nproc)}" "${TARGETS[@]/#/fuzz/fuzz_}" \
    >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log"
    echo "fuzz: the build failed" >&2
    results build FAIL
    exit 1
fi

# ---- the runs ---------------------------------------------------------------

# final_stat LOG NAME: a value of -print_final_stats=1's report.
final_stat() {
    sed -n "s/^stat::$2: *\([0-9]*\).*/\1/p" "$1" | tail -n 1
}
# progress_field LOG FIELD: FIELD of libFuzzer's last status line.
progress_field() {
    grep -E '^#[0-9]+' "$1" | tail -n 1 | sed -n "s/.* $2: \([0-9]*\).*/\1/p"
}

failed=()
for t in "${TARGETS[@]}"; do
    corpus="$WORK/corpus/$t" artifacts="$WORK/artifacts/$t/" log="$WORK/logs/$t.log"
    mkdir -p "$corpus" "$artifacts" "$WORK/logs"
    # The seeds, and what fuzzing found before (it must not come back).
    for d in "fuzz/corpus/$t" "fuzz/regressions/$t"; do
        [[ ! -d "$d" ]] || find "$d" -maxdepth 1 -type f -exec cp -t "$corpus" -- {} +
    done
    seeds="$(find "$corpus" -type f | wc -l)"
    max_len=65536
    [[ "$t" != ocr ]] || max_len=16384
    rc=0
    # OMP_THREAD_LIMIT: Tesseract's OpenMP threads only cost time here.
    # timeout: a fuzzer that does not stop by itself fails, it cannot hang CI.
    # shellcheck disable=SC2086  # FUZZ_EXTRA_ARGS is a list of options
    OMP_THREAD_LIMIT=1 \
    ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
        run_child timeout -k 10 $((SECONDS_EACH + 120)) "$BUILD/fuzz/fuzz_$t" \
        -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
        ${FUZZ_EXTRA_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?

    execs="$(final_stat "$log" number_of_executed_units)"
    rate="$(final_stat "$log" average_exec_per_sec)"
    added="$(final_stat "$log" new_units_added)"
    cov="$(progress_field "$log" cov)"
    ft="$(progress_field "$log" ft)"
    units="$(find "$corpus" -type f | wc -l)"
    found="$(find "$artifacts" -type f | head -n 1)"
    if [[ $rc -eq 0 && -z "$found" ]]; then
        printf 'fuzz %-5s ok: %s runs (%s/s), cov %s, ft %s, corpus %s -> %s (%s new)\n' \
            "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$seeds" "$units" \
            "${added:-?}"
        results "$t" OK
        continue
    fi
    KEEP_WORK=1
    failed+=("$t")
    results "$t" FAIL
    kind="exit status $rc"
    [[ $rc -ne 124 && $rc -ne 137 ]] || kind="did not stop (killed by timeout)"
    [[ -z "$found" ]] || kind="$(basename "$found" | sed 's/-.*//')"
    echo "fuzz $t FAILED ($kind) after ${execs:-?} runs; the report:"
    # The sanitizer's or libFuzzer's report: from its first line on.
    start="$(grep -n -m 1 -E '^==[0-9]+==|^fuzz: |^=+ ?(ERROR|WARNING)|runtime error:|^ALARM' \
        "$log" | cut -d: -f1 || true)"
    if [[ -n "$start" ]]; then
        tail -n "+$start" "$log" | head -n 60 | sed 's/^/    /'
    else
        tail -n 30 "$log" | sed 's/^/    /'
    fi
    if [[ -n "$found" ]]; then
        echo "fuzz $t: reproducer: $found"
        echo "fuzz $t: replay: $BUILD/fuzz/fuzz_$t $found"
    fi
    echo "fuzz $t: log: $log"
done

if [[ ${#failed[@]} -ne 0 ]]; then
    [[ -n "${FUZZ_BUILD_DIR:-}" ]] || echo "fuzz: the build is kept too: $BUILD"
    echo "fuzz: FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets ran clean, ${SECONDS_EACH}s each"
