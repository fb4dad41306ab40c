#!/usr/bin/env bash
# No function of the library keeps more than LIMIT bytes on the stack (its
# own frame, as GCC's -fstack-usage reports it): hosts call liboyl from
# threads whose stacks may be small, so large buffers belong on the heap.
set -euo pipefail
build_dir=$1
limit=$2
mapfile -t files < <(find "$build_dir/liboyl-internal.a.p" -name '*.su')
if [ "${#files[@]}" -eq 0 ]; then
	echo "no .su files under $build_dir/liboyl-internal.a.p: built without -fstack-usage?"
	exit 1
fi
# each line: file:line:column:function<TAB>bytes<TAB>qualifiers
largest=$(cat "${files[@]}" | sort -t$'\t' -k2,2 -n -r)
echo "largest frames of ${#files[@]} files (limit $limit bytes):"
head -5 <<<"$largest"
over=$(awk -F'\t' -v limit="$limit" '$2 > limit' <<<"$largest")
if [ -n "$over" ]; then
	echo "over the limit:"
	echo "$over"
	exit 1
fi
