#!/usr/bin/env bash
# The first thing to run: installs what is missing (Debian's kernel and busybox-static among
# it), builds ferry, builds a busybox initramfs and boots Debian's own kernel, unmodified, to an
# interactive shell on this terminal. `poweroff` in the guest ends ferry with status 0;
# Ctrl-A x quits at any time. FERRY_BUILD names another build directory (default build);
# extra arguments go to ferry (e.g. -accel interp).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FERRY_BUILD:-build}

scripts/deps.sh
scripts/build.sh

kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
[[ -n $kernel ]] || { echo "run-demo: no /boot/vmlinuz-* (Debian package linux-image-amd64)" >&2; exit 1; }
[[ -r $kernel ]] || { echo "run-demo: $kernel is not readable (Debian installs it mode 0600: run as root)" >&2; exit 1; }
initrd=$build/demo-initramfs.cpio.gz
scripts/mkinitramfs.sh "$initrd"

echo "run-demo: booting $kernel (Ctrl-A x quits)"
exec "$build"/ferry -m 512 -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0" -nographic "$@"
