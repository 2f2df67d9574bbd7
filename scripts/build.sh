#!/usr/bin/env bash
# build.sh — installs what is missing, configures and builds into build/ (or $BUILD_DIR).
# Extra arguments go to CMake (e.g. -DSUTURE_SANITIZE=ON).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C "$build" -j"$(nproc)"
