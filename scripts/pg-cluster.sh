#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for liboyl's tests.
#
# The cluster lives in a fresh directory under /tmp, listens only on a unix
# socket in DIR/sock (no TCP), uses trust authentication and is meant to be
# thrown away (fsync=off).
#
# As a library (sourced, e.g. by scripts/test-all.sh):
#   source scripts/pg-cluster.sh
#   pg_cluster_start            # sets OYL_PG_CLUSTER_DIR, exports OYL_TEST_PG*
#   pg_cluster_stop [DIR]       # stops the server, removes DIR (default: $OYL_PG_CLUSTER_DIR)
#
# By hand:
#   eval "$(scripts/pg-cluster.sh start)"    # prints export lines on stdout
#   scripts/pg-cluster.sh stop "$OYL_PG_CLUSTER_DIR"
#
# Exported by pg_cluster_start:
#   OYL_PG_CLUSTER_DIR   the cluster's directory
#   OYL_TEST_PG          "host=DIR/sock port=5432 dbname=oyl_test user=postgres"
#   OYL_TEST_PG_ADMIN    same as OYL_TEST_PG (superuser)
#   OYL_TEST_PG_OWNER    same, user=oyl_owner (non-superuser, owns oyl_test and
#                        the test schemas: runs the migrations)
#   OYL_TEST_PG_APP      same, user=oyl_app (LOGIN NOSUPERUSER NOBYPASSRLS, member of
#                        oyl_runtime and oyl_platform, owns nothing: row-level
#                        security binds it)
#   OYL_TEST_PG_WEB      same, user=oyl_web (member of oyl_runtime only: what a
#                        tenant-facing server gets)
#   OYL_TEST_PG_PASSWORD_URI  same, user=oyl_pw (password 'right-secret', scram)
#
# Runs the server as the `postgres` user when invoked as root, as the
# current user otherwise. Override the server binaries with PG_BINDIR.
#
# Note: `set -euo pipefail` is applied only when run as a script, so that
# sourcing this file into an interactive shell does not change its options.

OYL_PG_PORT=5432
OYL_PG_MARKER=".oyl-pg-cluster"

_pg_log() { printf 'pg-cluster: %s\n' "$*" >&2; }

_pg_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        printf '%s\n' "$PG_BINDIR"
        return 0
    fi
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        printf '%s\n' /usr/lib/postgresql/15/bin
        return 0
    fi
    # Fall back to the newest installed server version.
    local d
    d="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null \
        | sort -V | tail -n 1)"
    if [[ -n "$d" ]]; then
        dirname "$d"
        return 0
    fi
    _pg_log "no PostgreSQL server binaries found (install 'postgresql' or set PG_BINDIR)"
    return 1
}

# _pg_as DIR CMD...: run CMD as the server's user, with DIR as cwd (so that
# the postgres user never needs access to the caller's cwd).
_pg_as() {
    local dir="$1"
    shift
    if [[ $EUID -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# pg_cluster_start: create, start and populate a cluster. On success sets
# OYL_PG_CLUSTER_DIR and exports the OYL_TEST_PG* variables. On failure
# prints the server log tail, removes everything it made and returns 1.
pg_cluster_start() {
    local bindir dir sock data log
    bindir="$(_pg_bindir)" || return 1

    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        _pg_log "running as root but there is no 'postgres' user (is the postgresql package installed?)"
        return 1
    fi

    # Always under /tmp (not $TMPDIR): the path must be short (unix socket
    # paths are limited to ~107 bytes) and traversable by the postgres user.
    dir="$(mktemp -d /tmp/oylpg.XXXXXX)" || return 1
    OYL_PG_CLUSTER_DIR="$dir"
    export OYL_PG_CLUSTER_DIR
    sock="$dir/sock"
    data="$dir/data"
    log="$dir/log"
    if ! { : >"$dir/$OYL_PG_MARKER" && mkdir "$sock" && chmod 755 "$dir" "$sock"; }; then
        _pg_log "could not prepare $dir"
        rm -rf -- "$dir"
        unset OYL_PG_CLUSTER_DIR
        return 1
    fi
    if [[ $EUID -eq 0 ]] && ! chown postgres:postgres "$dir" "$sock"; then
        pg_cluster_stop "$dir"
        return 1
    fi

    _pg_log "initdb in $data"
    if ! _pg_as "$dir" "$bindir/initdb" -D "$data" -A trust -U postgres \
            -E UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
        _pg_log "initdb failed:"
        tail -n 40 "$dir/initdb.log" >&2 || true
        pg_cluster_stop "$dir"
        return 1
    fi

    # One role logs in with a password, so tests can try a wrong one.
    sed -i '1i local all oyl_pw scram-sha-256' "$data/pg_hba.conf"

    _pg_log "starting server (socket dir $sock, no TCP)"
    if ! _pg_as "$dir" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-c listen_addresses='' -k $sock -p $OYL_PG_PORT -c fsync=off -c max_connections=100" \
            start >"$dir/pg_ctl.log" 2>&1; then
        _pg_log "server failed to start; pg_ctl output:"
        cat "$dir/pg_ctl.log" >&2 || true
        _pg_log "server log tail ($log):"
        tail -n 40 "$log" >&2 || true
        pg_cluster_stop "$dir"
        return 1
    fi

    local admin="host=$sock port=$OYL_PG_PORT dbname=postgres user=postgres"
    if ! PGCONNECT_TIMEOUT=10 "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" \
            >"$dir/setup.log" 2>&1 <<'SQL'
CREATE ROLE oyl_owner LOGIN NOSUPERUSER;
-- The library's two group roles, which the migrations grant their
-- privileges to (doc/security.md), made here as a DBA would.
CREATE ROLE oyl_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE oyl_platform NOLOGIN NOSUPERUSER NOBYPASSRLS;
-- oyl_app runs the suites: tenants' work and the platform's, as an admin
-- console would; oyl_web only the tenants', as a tenant-facing server.
CREATE ROLE oyl_app LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT oyl_runtime, oyl_platform TO oyl_app;
CREATE ROLE oyl_web LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT oyl_runtime TO oyl_web;
CREATE ROLE oyl_pw LOGIN NOSUPERUSER PASSWORD 'right-secret';
-- A Unicode collation, as production databases have: the default one folds
-- É to é, so the tests see that the library's case-insensitive match does
-- not (it folds under COLLATE "C").
CREATE DATABASE oyl_test TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
ALTER DATABASE oyl_test OWNER TO oyl_owner;
SQL
    then
        _pg_log "creating roles/database failed:"
        cat "$dir/setup.log" >&2 || true
        _pg_log "server log tail ($log):"
        tail -n 40 "$log" >&2 || true
        pg_cluster_stop "$dir"
        return 1
    fi

    local base="host=$sock port=$OYL_PG_PORT dbname=oyl_test"
    OYL_TEST_PG="$base user=postgres"
    OYL_TEST_PG_ADMIN="$base user=postgres"
    OYL_TEST_PG_OWNER="$base user=oyl_owner"
    OYL_TEST_PG_APP="$base user=oyl_app"
    OYL_TEST_PG_WEB="$base user=oyl_web"
    OYL_TEST_PG_PASSWORD_URI="$base user=oyl_pw"
    export OYL_TEST_PG OYL_TEST_PG_ADMIN OYL_TEST_PG_OWNER OYL_TEST_PG_APP OYL_TEST_PG_WEB \
        OYL_TEST_PG_PASSWORD_URI
    _pg_log "ready: $OYL_TEST_PG"
}

# pg_cluster_stop [DIR]: stop the server (immediate mode) and remove DIR.
# Safe to call more than once, on a half-made cluster, or with DIR unset.
# Only removes directories that carry the marker file pg_cluster_start made.
pg_cluster_stop() {
    local dir="${1:-${OYL_PG_CLUSTER_DIR:-}}"
    [[ -n "$dir" ]] || return 0
    if [[ ! -d "$dir" ]]; then
        [[ "$dir" == "${OYL_PG_CLUSTER_DIR:-}" ]] && unset OYL_PG_CLUSTER_DIR
        return 0
    fi
    if [[ ! -e "$dir/$OYL_PG_MARKER" ]]; then
        _pg_log "refusing to touch $dir: not a cluster made by pg-cluster.sh"
        return 1
    fi

    local data="$dir/data"
    if [[ -f "$data/postmaster.pid" ]]; then
        local bindir pid
        pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
        if bindir="$(_pg_bindir)" \
                && _pg_as "$dir" "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop \
                    >/dev/null 2>&1; then
            _pg_log "server stopped ($dir)"
        elif [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            _pg_log "pg_ctl stop failed; killing postmaster $pid"
            kill -KILL "$pid" 2>/dev/null || true
            local _
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    fi

    rm -rf -- "$dir"
    if [[ "$dir" == "${OYL_PG_CLUSTER_DIR:-}" ]]; then
        unset OYL_PG_CLUSTER_DIR OYL_TEST_PG OYL_TEST_PG_ADMIN OYL_TEST_PG_OWNER OYL_TEST_PG_APP \
            OYL_TEST_PG_WEB OYL_TEST_PG_PASSWORD_URI
    fi
    return 0
}

_pg_cluster_main() {
    local cmd="${1:-}"
    case "$cmd" in
        start)
            # Clean up a half-started cluster if interrupted.
            trap 'pg_cluster_stop; exit 130' INT
            trap 'pg_cluster_stop; exit 143' TERM
            trap 'pg_cluster_stop; exit 129' HUP
            pg_cluster_start
            trap - INT TERM HUP
            printf "export OYL_PG_CLUSTER_DIR='%s'\n" "$OYL_PG_CLUSTER_DIR"
            printf "export OYL_TEST_PG='%s'\n" "$OYL_TEST_PG"
            printf "export OYL_TEST_PG_ADMIN='%s'\n" "$OYL_TEST_PG_ADMIN"
            printf "export OYL_TEST_PG_OWNER='%s'\n" "$OYL_TEST_PG_OWNER"
            printf "export OYL_TEST_PG_PASSWORD_URI='%s'\n" "$OYL_TEST_PG_PASSWORD_URI"
            printf "export OYL_TEST_PG_APP='%s'\n" "$OYL_TEST_PG_APP"
            printf "export OYL_TEST_PG_WEB='%s'\n" "$OYL_TEST_PG_WEB"
            printf "# stop with: %s stop %s\n" "$0" "$OYL_PG_CLUSTER_DIR"
            ;;
        stop)
            local dir="${2:-${OYL_PG_CLUSTER_DIR:-}}"
            if [[ -z "$dir" ]]; then
                echo "usage: $0 stop DIR   (or set OYL_PG_CLUSTER_DIR)" >&2
                return 2
            fi
            pg_cluster_stop "$dir"
            ;;
        *)
            echo "usage: eval \"\$($0 start)\"   |   $0 stop DIR" >&2
            return 2
            ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    _pg_cluster_main "$@"
fi
