#!/usr/bin/env python3
"""The shared benchmark guests as a correctness test: their workloads print checksums, and
ferry must print exactly what the same C code prints when run natively.

usage: bench_checksums.py FERRY ACCEL BENCH_SRC OUT_DIR

Builds the guests with BENCH_SRC/guest/build.sh into OUT_DIR (real guests nobody on the
team wrote: GCC-compiled Multiboot kernels, one staying in flat 32-bit protected mode with
x87 maths, one entering long mode with SSE2 maths), runs each native twin and ferry on all
five workloads at a small scale, and compares every RESULT checksum."""
import os
import re
import subprocess
import sys

WORKLOADS = ["cm", "mem", "ind", "smc", "fp"]
SCALE = "4"
RESULT = re.compile(r"RESULT wl=(\w+) scale=\d+ cycles=\d+ csum=0x([0-9a-f]+)")


def checksums(argv):
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=600).stdout.decode(errors="replace")
    return dict(RESULT.findall(out)), out


def main():
    ferry, accel, bench_src, out_dir = sys.argv[1:5]
    env = dict(os.environ, BENCH_OUT=out_dir)
    build = subprocess.run(["sh", os.path.join(bench_src, "guest", "build.sh")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if build.returncode != 0:
        print(build.stdout.decode(errors="replace"))
        print("FAIL: could not build the benchmark guests")
        return 1
    guest = os.path.join(out_dir, "guest")
    wl = "wl=" + ",".join(WORKLOADS)
    failed = False
    for bits in ("32", "64"):
        want, native_out = checksums([os.path.join(guest, "native" + bits), wl, "scale=" + SCALE])
        got, ferry_out = checksums([ferry, "-accel", accel, "-m", "256", "-display", "none",
                                    "-nodefaults", "-serial", "stdio",
                                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                    "-kernel", os.path.join(guest, f"bench{bits}.elf"),
                                    "-append", f"{wl} scale={SCALE}"])
        bad = False
        for w in WORKLOADS:
            ok = w in want and want.get(w) == got.get(w)
            bad |= not ok
            print(f"{bits}-bit {w:4} native {want.get(w, 'missing')}  ferry {got.get(w, 'missing')}  "
                  f"{'ok' if ok else 'MISMATCH'}")
        if bad:
            print("--- native\n" + native_out + "--- ferry\n" + ferry_out)
        failed |= bad
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
