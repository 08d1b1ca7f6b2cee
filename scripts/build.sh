#!/usr/bin/env bash
# Configures build/ once (meson options given as arguments, e.g. -Dwerror=true, are applied
# to an existing build directory too) and compiles everything with ninja.
# FERRY_BUILD names another build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FERRY_BUILD:-build}

if [[ -f $build/build.ninja ]]; then
  if (($# > 0)); then meson configure "$build" "$@"; fi
else
  meson setup "$build" "$@"
fi
ninja -C "$build"
