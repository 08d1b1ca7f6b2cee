#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, runs every meson test, then the
# aarch64 cross build's tests under qemu-aarch64-static (scripts/aarch64.sh), and ends with
# one line "N passed, N failed" over both (OK and EXPECTEDFAIL pass; everything else, SKIP
# included, fails). Exits non-zero if anything failed or if no test ran. Arguments go to the
# x86-64 meson test (e.g. a test name) and then skip the aarch64 run; FERRY_BUILD names
# another build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FERRY_BUILD:-build}

scripts/deps.sh --aarch64

if ! scripts/build.sh -Dwerror=true; then
  echo "test: the build failed, no tests ran"
  echo "0 passed, 1 failed"
  exit 1
fi

testlog=$build/meson-logs/testlog.json
rm -f "$testlog"
set +e
meson test -C "$build" --print-errorlogs "$@"
set -e
logs=("$testlog")

if (($# == 0)); then
  a64=$build-aarch64
  scripts/aarch64.sh "$a64" || true     # its counts are read from its logs below
  logs+=("$a64/meson-logs/aarch64-suites.json" "$a64/meson-logs/aarch64-decode.json")
fi

exec python3 scripts/test_summary.py "${logs[@]}"
