#!/usr/bin/env bash
# Checks the runtime's layering: a file in runtime/<folder>/ may include headers of its own folder
# and of the folders below it, never of a folder above it, and every include of another runtime
# file is rooted at runtime/ ("core/runtime.hpp", not "../runtime.hpp"), so this check sees it.
# The order, top to bottom, is the one in runtime/CMakeLists.txt and docs/developer.md's code map.
# Exit status 0 when the layering holds; otherwise each offending line, then 1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
order=(api python core tier snapshot schedule pmpi checkpoint h5 storage mpi common xxh3)
case "${1:-}" in -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

declare -A rank
for i in "${!order[@]}"; do rank[${order[$i]}]=$i; done

bad=0
cd "$root/runtime"
while IFS= read -r file; do
    folder=${file%%/*}
    if [ "$folder" = "$file" ]; then
        echo "check-layers: $file: a source file at the top of runtime/ belongs in a folder"; bad=1; continue
    fi
    if [ -z "${rank[$folder]+x}" ]; then
        echo "check-layers: runtime/$folder/ is not in the layer order of scripts/check-layers.sh"; bad=1; continue
    fi
    while IFS=: read -r line inc; do
        case "$inc" in ../*|*/../*)
            echo "check-layers: runtime/$file:$line: relative include \"$inc\" (root it at runtime/)"; bad=1; continue ;;
        esac
        target=${inc%%/*}
        [ "$target" = "$inc" ] && continue            # a header beside the file
        [ -z "${rank[$target]+x}" ] && continue        # not a runtime folder (e.g. cairn/)
        if [ "${rank[$target]}" -lt "${rank[$folder]}" ]; then
            echo "check-layers: runtime/$file:$line: $folder/ includes \"$inc\" from $target/, a folder above it"; bad=1
        fi
    done < <(grep -noE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[^"]+"' "$file" \
             | sed -E 's/^([0-9]+):.*"([^"]+)"/\1:\2/')
done < <(find . -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.inc' \) | sed 's#^\./##' | sort)

if [ $bad -ne 0 ]; then exit 1; fi
echo "check-layers: runtime/ layering holds (${order[*]}, top to bottom)"
