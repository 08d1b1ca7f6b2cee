#!/usr/bin/env bash
# Installs the Debian 12 packages ferry needs to build, test and benchmark, skipping the
# whole apt run when every one of them is already installed (repeated runs stay fast).
# With --aarch64 also the aarch64 cross build's (cross/aarch64-linux-gnu.txt): clang, the
# arm64 sysroot and multiarch libraries, qemu-aarch64-static; tests/fp's host-independence
# test uses them too.
set -euo pipefail

packages=(
  meson ninja-build gcc libc6-dev pkg-config       # build
  libcapstone-dev zlib1g-dev libsdl2-dev           # libraries ferry links
  nasm gcc-multilib                                # test guests, 32-bit benchmark guests
  python3                                          # test runners, benchmark runner
  qemu-system-x86                                  # reference machine for the guest tests
  busybox-static cpio seabios gdb                  # boot tests, firmware, debugging
  linux-image-amd64                                # tests/boot: Debian's kernel
  acpica-tools dmidecode                           # tests/platform: check ferry's ACPI/SMBIOS tables
  xvfb xdotool                                     # tests/display: the SDL window under Xvfb
)
foreign_arch=
if [[ ${1:-} == --aarch64 ]]; then
  foreign_arch=arm64
  packages+=(clang lld libc6-dev-arm64-cross binutils-aarch64-linux-gnu libgcc-12-dev-arm64-cross
             qemu-user-static zlib1g-dev:arm64 libcapstone-dev:arm64)
fi

missing=()
for p in "${packages[@]}"; do
  # one line per installed architecture (libc6-dev:amd64 and :arm64 after --aarch64)
  status=$(dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null || true)
  grep -qx "install ok installed" <<<"$status" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "deps: installing ${missing[*]}"
as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if [[ -n $foreign_arch ]] && ! dpkg --print-foreign-architectures | grep -qx "$foreign_arch"; then
  "${as_root[@]}" dpkg --add-architecture "$foreign_arch"
fi
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
