#!/usr/bin/env bash
# The exported symbols of liboyl.so, the OYL_API declarations of the public
# headers and the version script must agree: only oyl_* is exported, and
# every declared function is.
set -euo pipefail
so=$1
include_dir=$2
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDRB]$/ {sub(/@.*/, "", $3); print $3}' | sort -u)
declared=$(grep -h '^OYL_API ' "$include_dir"/*.h "$include_dir"/sys/*.h |
	sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)$/\1/' | sort -u)
status=0
if grep -v '^oyl_' <<<"$exported" | grep -q .; then
	echo "exported without the oyl_ prefix:"; grep -v '^oyl_' <<<"$exported"; status=1
fi
if grep -q '^oyl__' <<<"$exported"; then
	echo "internal oyl__ symbols exported:"; grep '^oyl__' <<<"$exported"; status=1
fi
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
[ -z "$missing" ] || { echo "declared OYL_API but not exported:"; echo "$missing"; status=1; }
[ -z "$extra" ] || { echo "exported but not declared OYL_API:"; echo "$extra"; status=1; }
echo "$(wc -l <<<"$exported") symbols exported, $(wc -l <<<"$declared") declared"
exit $status
