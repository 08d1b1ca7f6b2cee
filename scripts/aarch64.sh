#!/usr/bin/env bash
# The aarch64 host build of ferry, cross-compiled with clang and tested under
# qemu-aarch64-static: installs what it needs (Debian 12), builds build-aarch64 with
# cross/aarch64-linux-gnu.txt, runs the aarch64 test selection and prints a
# "N passed, N failed" line. Exit status: 0 when every test passed.
#   usage: scripts/aarch64.sh [BUILD_DIR]      (scripts/test.sh runs it after the x86-64 tests)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-aarch64}
start=$(date +%s)

scripts/deps.sh --aarch64

if [[ ! -f $build/build.ninja ]]; then
  meson setup "$build" --cross-file cross/aarch64-linux-gnu.txt -Dsdl=disabled -Dwerror=true
fi
ninja -C "$build" -j"$(nproc)"

# The selection: CPU and tcg unit tests, the decoder tests, and the aarch64 suite (JIT ops
# against the interpreter, chaining, golden code, recorded differential cases, benchmark
# guest checksums under both backends). Guest suites that start ferry from Python scripts
# are x86-64 host tests.
for log in aarch64-suites aarch64-decode; do rm -f "$build/meson-logs/$log.json"; done
set +e
meson test -C "$build" --no-rebuild --num-processes "$(nproc)" --logbase aarch64-suites \
  --suite unit --suite tcg --suite aarch64
meson test -C "$build" --no-rebuild --num-processes "$(nproc)" --logbase aarch64-decode \
  decode-unit decode-capstone decode-fuzz
set -e
echo "aarch64: $(( $(date +%s) - start )) s"
exec python3 scripts/test_summary.py "$build/meson-logs/aarch64-suites.json" \
  "$build/meson-logs/aarch64-decode.json"
