#!/usr/bin/env bash
# The first thing to run: installs what is missing, builds, and boots the demo guest
# (tests/guests/hello.asm, a Multiboot kernel that greets on COM1 and exits through the
# isa-debug-exit port; exit status 33 is its "pass").
# FERRY_BUILD names another build directory (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FERRY_BUILD:-build}

scripts/deps.sh
scripts/build.sh

set +e
"$build"/ferry -accel interp -nographic -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$build"/tests/guests/hello.elf -append "demo"
status=$?
set -e
if ((status == 33)); then
  echo "run-demo: the guest finished and reported success (exit status 33)"
  exit 0
fi
echo "run-demo: the guest did not report success (exit status $status, expected 33)" >&2
exit 1
