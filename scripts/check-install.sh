#!/usr/bin/env bash
# Installs liboyl into a temporary prefix and builds two tiny programs
# against it, one through pkg-config and one through CMake's
# find_package(oyl), then runs both: what a host project would do.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/oyl-install.XXXXXX)"
trap 'rm -rf -- "$work"' EXIT
prefix="$work/prefix"

meson setup "$work/build" "$ROOT" --prefix="$prefix" -Dtests=false >/dev/null
meson compile -C "$work/build" >/dev/null
meson install -C "$work/build" >/dev/null

libdir="$(dirname "$(find "$prefix" -name 'liboyl.so' | head -n 1)")"
mkdir "$work/consumer"
cat >"$work/consumer/main.c" <<'C'
#include <oyl/oyl.h>
#include <oyl/sys/backend.h> /* installed for backend authors: must compile alone */
#include <stdio.h>
int main(void)
{
	oyl_db *db;
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	if (oyl_db_open(&db, "sqlite::memory:", &o) != OYL_OK)
		return 1;
	int version = 0;
	int rc = oyl_db_schema_version(db, &version);
	oyl_db_close(db);
	printf("liboyl %s, schema %d, backend interface %d\n", oyl_version(), version,
	       OYL_BACKEND_VERSION);
	return rc == OYL_OK && version > 0 ? 0 : 1;
}
C
cat >"$work/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(oyl_consumer C)
find_package(oyl 0.1 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer oyl::oyl)
CMAKE

cd "$work/consumer"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
cc main.c $(pkg-config --cflags --libs liboyl) -o pc-consumer
LD_LIBRARY_PATH="$libdir" ./pc-consumer
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build >/dev/null
LD_LIBRARY_PATH="$libdir" ./build/consumer

# A host asking for another major version must not get this one.
mkdir "$work/too-new"
cat >"$work/too-new/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(oyl_too_new C)
find_package(oyl 1.0 REQUIRED)
CMAKE
if cmake -S "$work/too-new" -B "$work/too-new/build" -DCMAKE_PREFIX_PATH="$prefix" \
    >/dev/null 2>&1; then
    echo "check-install: find_package(oyl 1.0) accepted this 0.x liboyl" >&2
    exit 1
fi
echo "check-install: pkg-config and CMake consumers built and ran; find_package(oyl 1.0) refused"
