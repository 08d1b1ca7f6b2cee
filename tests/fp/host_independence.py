#!/usr/bin/env python3
"""tests/fp/host_independence.py — the floating-point core gives the same bits on aarch64.

Builds tests/fp/fp_vectors.c with cpu/softfloat.c and cpu/fptrans.c for aarch64 (clang
--target=aarch64-linux-gnu, static, linked by lld against Debian's arm64 cross libc), runs it
under qemu-aarch64-static and compares its per-operation hashes with the host build's.
Exit 77 (skipped) when the cross toolchain or qemu-user is not installed.

usage: host_independence.py NATIVE_FP_VECTORS SOURCE_ROOT [cases]
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    native, root = sys.argv[1], sys.argv[2]
    cases = sys.argv[3] if len(sys.argv) > 3 else "1000"
    clang, qemu = shutil.which("clang"), shutil.which("qemu-aarch64-static")
    if not clang or not qemu or not shutil.which("ld.lld") or \
            not os.path.exists("/usr/aarch64-linux-gnu/lib/libc.a"):
        print("host independence: aarch64 cross toolchain or qemu-aarch64-static absent: skipped")
        return 77
    sources = [os.path.join(root, p) for p in
               ("tests/fp/fp_vectors.c", "cpu/softfloat.c", "cpu/fptrans.c")]
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "fp_vectors_a64")
        subprocess.run([clang, "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-static", "-O2",
                        "-Wall", "-Wextra", "-Werror", "-I", root, "-o", exe] + sources,
                       check=True)
        arm = subprocess.run([qemu, exe, cases], check=True, capture_output=True,
                             text=True).stdout
    host = subprocess.run([native, cases], check=True, capture_output=True, text=True).stdout
    differ = [(h, a) for h, a in zip(host.splitlines(), arm.splitlines()) if h != a]
    if differ or len(host.splitlines()) != len(arm.splitlines()) or not host:
        for h, a in differ:
            print(f"host {h}  aarch64 {a}")
        print("host independence: FAILED")
        return 1
    print(f"host independence: {len(host.splitlines())} operations bit-identical on aarch64")
    return 0


if __name__ == "__main__":
    sys.exit(main())
