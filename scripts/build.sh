#!/usr/bin/env bash
# Configure and build cairn into build/ (default generator, all cores).
# Extra arguments go to the configure step, e.g.: bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "build: configuring into build/"
cmake -S . -B build "$@"
echo "build: compiling with $(nproc) jobs"
cmake --build build -j"$(nproc)"
echo "build: done (heat demo: build/apps/heat/heat)"
