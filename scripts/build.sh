#!/usr/bin/env bash
# Configure and build cairn into build/ (default generator, all cores).
# Extra arguments go to the configure step, e.g.: bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug
# BUILD_TARGET (default all) builds one target only, e.g. BUILD_TARGET=cairn_programs: the
# library, the tool and the demo applications without the test programs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "build: configuring into build/"
cmake -S . -B build "$@"
echo "build: compiling ${BUILD_TARGET:-all} with $(nproc) jobs"
cmake --build build -j"$(nproc)" --target "${BUILD_TARGET:-all}"
echo "build: done (heat demo: build/apps/heat/heat)"
