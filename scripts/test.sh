#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, runs every meson test and ends
# with one line "N passed, N failed" (OK and EXPECTEDFAIL pass; everything else, SKIP
# included, fails). Exits non-zero if anything failed or if no test ran. Arguments go to
# meson test (e.g. a test name); FERRY_BUILD names another build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FERRY_BUILD:-build}

scripts/deps.sh

if ! scripts/build.sh -Dwerror=true; then
  echo "test: the build failed, no tests ran"
  echo "0 passed, 0 failed"
  exit 1
fi

testlog=$build/meson-logs/testlog.json
rm -f "$testlog"
set +e
meson test -C "$build" --print-errorlogs "$@"
set -e

exec python3 scripts/test_summary.py "$testlog"
