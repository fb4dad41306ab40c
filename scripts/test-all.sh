#!/usr/bin/env bash
# Build liboyl three times and run the whole test suite against a throwaway
# PostgreSQL cluster:
#   1. build-ci:   -Dwarning_level=2 -Dwerror=true, --buildtype=debugoptimized
#      then the same build once more under valgrind (the backend suites)
#   2. build-rls:  as build-ci, with -Dtest_drop_tenant_predicates=true: the
#                  backends add no tenant predicates, so the PostgreSQL suites
#                  (only those run) show that row-level security alone keeps
#                  tenants apart (label "rls-only")
#   3. build-asan: AddressSanitizer + UBSan, --buildtype=debug
#                  (skipped when OYL_SKIP_ASAN=1)
#   4. build-fuzz: clang, libFuzzer + ASan + UBSan: scripts/fuzz.sh runs each
#                  fuzz target FUZZ_SECONDS (default 5 here) from its seeds;
#                  each target is one test (label "fuzz"; OYL_SKIP_FUZZ=1
#                  skips them)
#
# The very last line of output is always:
#   N passed, M failed[, K skipped]
# N = OK + EXPECTEDFAIL, M = FAIL + TIMEOUT + ERROR + UNEXPECTEDPASS (+ INTERRUPT),
# K = SKIP, summed over the builds whose tests ran and the fuzz targets
# (each OK or FAIL).
# Exit status is 0 iff M == 0, every build compiled, and N > 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/pg-cluster.sh
source "$ROOT/scripts/pg-cluster.sh"

TESTED=()    # "label=builddir" for every build whose tests ran in this invocation
PROBLEMS=()  # human-readable reasons the run is not green (besides test failures)
declare -A MESON_TEST_RC=()  # label -> non-zero exit status of `meson test`
SUMMARY_DONE=0

# Each section's heading says how far into the run it starts, so that a
# slow stage shows in the log.
section() { printf '\n== %s == (%d s into the run)\n' "$*" "$SECONDS"; }

# run_child CMD...: run CMD as a child and wait for it. Waiting with `wait`
# (rather than running CMD in the foreground) lets a signal sent to this
# script run its trap at once; the trap then stops the child (CHILD_PID).
CHILD_PID=""
run_child() {
    local rc=0
    "$@" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    return "$rc"
}

# stop_child: terminate the running child (if any), SIGKILL after 15 s.
# shellcheck disable=SC2317  # called from the EXIT trap
stop_child() {
    [[ -n "$CHILD_PID" ]] || return 0
    local pid="$CHILD_PID" _
    CHILD_PID=""
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# meson_setup DIR ARGS...: configure DIR from scratch (wipe if it exists).
meson_setup() {
    local dir="$1"
    shift
    if [[ -f "$dir/meson-private/coredata.dat" ]]; then
        if run_child meson setup --wipe "$dir" "$@"; then
            return 0
        fi
        echo "test-all: 'meson setup --wipe $dir' failed; recreating $dir from scratch"
    fi
    rm -rf -- "$dir"
    run_child meson setup "$dir" "$@"
}

# build LABEL DIR SETUP_ARGS...: configure and compile; returns non-zero on failure.
build() {
    local label="$1" dir="$2"
    shift 2
    section "build ($label): $dir"
    if ! meson_setup "$dir" "$@"; then
        PROBLEMS+=("build ($label): meson setup failed")
        return 1
    fi
    if ! run_child meson compile -C "$dir"; then
        PROBLEMS+=("build ($label): compile failed")
        return 1
    fi
}

# run_tests LABEL DIR LOG [EXTRA meson test ARGS...]
# LOG is the name of meson's JSON log: testlog.json, or testlog-SETUP.json
# for a run with --setup SETUP.
run_tests() {
    local label="$1" dir="$2" log="$3"
    shift 3
    section "test ($label): $dir"
    rm -f -- "$dir/meson-logs/$log"
    TESTED+=("$label=$dir/meson-logs/$log")
    local rc=0
    run_child meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" </dev/null || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "test-all: meson test ($label) exited with status $rc"
        MESON_TEST_RC["$label"]=$rc
    fi
}

# summarize: print the per-build summary and, as the very last line,
# "N passed, M failed[, K skipped]". Returns the script's exit status.
summarize() {
    SUMMARY_DONE=1
    section "summary"
    local out totals
    out="$(python3 - "${TESTED[@]}" <<'PY'
import json
import os
import sys

PASS = {"OK", "EXPECTEDFAIL"}
SKIP = {"SKIP"}
# FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT and anything unknown.

tot_pass = tot_fail = tot_skip = 0
for arg in sys.argv[1:]:
    label, _, path = arg.partition("=")
    npass = nfail = nskip = 0
    failed = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        print(f"{label}: no test log ({path}: {e.strerror}); counted as 1 failure")
        tot_fail += 1
        continue
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            print(f"{label}: unparsable line in {path}: {line[:80]!r}")
            nfail += 1
            continue
        res = str(obj.get("result", "ERROR"))
        name = obj.get("name", "?")
        if res in PASS:
            npass += 1
        elif res in SKIP:
            nskip += 1
        else:
            nfail += 1
            failed.append(f"{name} ({res})")
    print(f"{label}: {npass} passed, {nfail} failed, {nskip} skipped")
    for t in failed:
        print(f"    FAILED: {t}")
    tot_pass += npass
    tot_fail += nfail
    tot_skip += nskip
print(f"TOTALS {tot_pass} {tot_fail} {tot_skip}")
PY
)" || { out="test-all: summary script failed"$'\n'"TOTALS 0 1 0"; }

    totals="$(printf '%s\n' "$out" | tail -n 1)"
    printf '%s\n' "$out" | sed '$d'
    local _t n m k
    read -r _t n m k <<<"$totals"

    local label
    for label in "${!MESON_TEST_RC[@]}"; do
        if [[ "$m" -eq 0 ]]; then
            PROBLEMS+=("test ($label): meson test exited with status ${MESON_TEST_RC[$label]}")
        fi
    done
    if [[ "$n" -eq 0 ]]; then
        PROBLEMS+=("no test passed")
    fi
    local p
    for p in "${PROBLEMS[@]}"; do
        echo "PROBLEM: $p"
    done

    local status=0
    if [[ "$m" -ne 0 || ${#PROBLEMS[@]} -ne 0 ]]; then
        status=1
    fi
    echo "result: $([[ $status -eq 0 ]] && echo OK || echo FAILED)"
    if [[ "$k" -gt 0 ]]; then
        echo "$n passed, $m failed, $k skipped"
    else
        echo "$n passed, $m failed"
    fi
    return "$status"
}

# shellcheck disable=SC2317  # invoked via trap
on_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    stop_child
    pg_cluster_stop
    if [[ $SUMMARY_DONE -eq 0 ]]; then
        PROBLEMS+=("aborted early (status $rc)")
        summarize
        [[ $rc -eq 0 ]] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

section "dependencies"
run_child bash scripts/install-deps.sh --test </dev/null

ci_ok=0
build "werror" build-ci --buildtype=debugoptimized -Dwarning_level=2 -Dwerror=true && ci_ok=1

section "postgresql"
if ! pg_cluster_start; then
    PROBLEMS+=("could not start the PostgreSQL test cluster")
    echo "test-all: could not start the PostgreSQL test cluster" >&2
    exit 1
fi
echo "OYL_TEST_PG=$OYL_TEST_PG"

if [[ $ci_ok -eq 1 ]]; then
    # Quality runs on SQLite only here: search-parity shows that PostgreSQL
    # ranks the same corpus with the same scores (1e-9), so its quality
    # figure is SQLite's, and measuring it again cost 77 s of a serial
    # test.  `meson test` run by hand runs both.
    run_tests "werror" build-ci testlog.json --no-suite quality-postgres
    # The same build once more under valgrind (memory errors, leaks).
    # (The fault loops, the worker processes, which ingest 8 MB documents,
    # the hostile files of bad_input, the permission matrix (thousands of
    # calls through the same code as api and conformance) and identity
    # (argon2 hashes) are left to the ASan build: under valgrind they take
    # a minute or more each, and the whole run must stay under 20.  So are
    # the capabilities of cut-down backends, batches, and the directory
    # blob store's run of the documents suite (the database store's runs
    # the same calls): 95 s of valgrind between them.)
    run_tests "valgrind" build-ci testlog-valgrind.json --setup valgrind --no-rebuild --no-suite faults \
        --no-suite workers --no-suite bad_input --no-suite older-backends \
        --no-suite permissions --no-suite identity --no-suite quality --no-suite parity \
        --no-suite capabilities --no-suite batches --no-suite documents-dir \
        --suite sqlite --suite postgres
fi

# What a host project does: install, then build against it with pkg-config and CMake.
section "install and link: pkg-config, CMake"
if ! run_child bash scripts/check-install.sh </dev/null; then
    PROBLEMS+=("install check: a pkg-config or CMake consumer failed")
fi

# Row-level security alone: the PostgreSQL suites without the library's
# own tenant predicates (SQLite has no RLS, so its suites are not built in).
rls_ok=0
build "rls-only" build-rls --buildtype=debugoptimized -Dwarning_level=2 -Dwerror=true \
    -Dtest_drop_tenant_predicates=true && rls_ok=1
if [[ $rls_ok -eq 1 ]]; then
    # (the fault loops test error paths, which the wall does not change)
    # (quality and parity measure ranking, which the wall does not change
    # either)
    run_tests "rls-only" build-rls testlog.json --suite postgres --no-suite bad_input --no-suite faults \
        --no-suite quality --no-suite parity
fi

if [[ "${OYL_SKIP_ASAN:-0}" == "1" ]]; then
    section "build (asan): skipped (OYL_SKIP_ASAN=1)"
else
    asan_ok=0
    build "asan" build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
        -Dwarning_level=2 -Dwerror=true && asan_ok=1
    if [[ $asan_ok -eq 1 ]]; then
        # (not quality: it measures ranking; not the fuzz regressions: the fuzz
        # stage below runs them under ASan and UBSan; not faults on PostgreSQL:
        # the same error paths as on SQLite, which stays, in 76 s of the run;
        # not the permission matrices of the cut-down backends: the same
        # calls as permissions-sqlite, 31 s; nor PostgreSQL's: the same
        # calls again through the same core, whose PostgreSQL paths the
        # other suites run under ASan, 68 s)
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp" \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_tests "asan" build-asan testlog.json --timeout-multiplier 3 --no-suite quality \
                --no-suite fuzz --no-suite faults-postgres --no-suite permissions-older \
                --no-suite permissions-postgres
    fi
fi

section "postgresql: stop"
pg_cluster_stop

# Fuzzing: every libFuzzer target for FUZZ_SECONDS (default 5 here, to keep the
# run under 20 minutes; scripts/fuzz.sh alone defaults to 10) from its
# seeds, in a clang build of its own; each target counts as one test.
if [[ "${OYL_SKIP_FUZZ:-0}" == "1" ]]; then
    section "fuzz: skipped (OYL_SKIP_FUZZ=1)"
else
    section "fuzz: build-fuzz"
    fuzz_log="$ROOT/build-fuzz/meson-logs/testlog-fuzz.json"
    rm -f -- "$fuzz_log"
    TESTED+=("fuzz=$fuzz_log")
    fuzz_rc=0
    FUZZ_BUILD_DIR="$ROOT/build-fuzz" FUZZ_RESULTS="$fuzz_log" FUZZ_SECONDS="${FUZZ_SECONDS:-5}" \
        run_child bash scripts/fuzz.sh </dev/null || fuzz_rc=$?
    if [[ $fuzz_rc -ne 0 ]] && ! grep -q '"FAIL"' "$fuzz_log" 2>/dev/null; then
        PROBLEMS+=("fuzz: scripts/fuzz.sh exited with status $fuzz_rc")
    fi
fi

status=0
summarize || status=$?
exit "$status"
