#!/usr/bin/env python3
"""Snapshots of a machine booting through SeaBIOS, exact under -icount.

usage: firmware_exact_test.py FERRY HELLO_ASM --accel A --work DIR

Debian's SeaBIOS (the default firmware) boots the shared one-sector disk (HELLO_ASM, built
here with nasm) from IDE; it prints HELLO-BOOT on COM1 and leaves through isa-debug-exit
(status 3). On the way SeaBIOS copies itself into shadow RAM and locks it (i440FX PAM),
moves the PM I/O block and the IDE bus-master registers, calibrates its TSC timer and reads
the disk by DMA: state that lives in PCI configuration and in RAM hidden behind the BIOS ROM.
Under -icount shift=0 this test:
  1. runs it once, then finds the last virtual time T a run reaches (-savevm-at writes no
     file past the end);
  2. saves at five points spread over the boot (-savevm-at N): the output must not change;
  3. restores each in a new process: the run must end as the uninterrupted one (status 3,
     the rest of its output) and its state at T (-savevm-at T) must equal, byte for byte,
     the uninterrupted run's state at T."""
import argparse
import filecmp
import os
import subprocess
import sys

EXIT_STATUS = 3
MARKER = "HELLO-BOOT from boot sector"


def run(argv):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ferry")
    ap.add_argument("hello_asm")
    ap.add_argument("--accel", default="jit")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    img = os.path.join(a.work, "hello.img")
    subprocess.run(["nasm", "-f", "bin", a.hello_asm, "-o", img], check=True)
    base = [a.ferry, "-accel", a.accel, "-m", "64", "-nodefaults", "-display", "none",
            "-no-reboot", "-serial", "stdio", "-icount", "shift=0",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-drive", f"file={img},format=raw,if=ide,index=0,media=disk"]
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)
        return cond

    status, plain, err = run(base)
    if not expect(status == EXIT_STATUS and MARKER in plain, f"plain run: status {status}\n{plain}{err}"):
        return report(problems)

    def reaches(t, path):
        if os.path.exists(path):
            os.unlink(path)
        run(base + ["-savevm-at", f"{t},{path}"])
        return os.path.exists(path)

    # the run's length: double until a save point is past the end, then halve the gap
    probe = os.path.join(a.work, f"probe-{a.accel}.snap")
    low, high = 0, 1 << 20
    while reaches(high, probe):
        low, high = high, high * 2
        if not expect(high < 1 << 40, "the run never ends"):
            return report(problems)
    while high - low > max(low // 64, 1):
        mid = (low + high) // 2
        low, high = (mid, high) if reaches(mid, probe) else (low, mid)
    total = low
    end_plain = os.path.join(a.work, f"end-plain-{a.accel}.snap")
    expect(reaches(total, end_plain), f"the uninterrupted run does not reach {total}")
    print(f"[firmware] {a.accel}: the boot lasts about {total} virtual ns; compare states there")

    for tenth in (1, 3, 5, 7, 9):
        at = total * tenth // 10
        snap = os.path.join(a.work, f"at{tenth}-{a.accel}.snap")
        status, saved_run, err = run(base + ["-savevm-at", f"{at},{snap}"])
        if not expect(status == EXIT_STATUS and saved_run == plain and os.path.exists(snap),
                      f"saving at {at} changed the run: status {status}\n{saved_run}{err}"):
            continue
        end_restored = os.path.join(a.work, f"end-from{tenth}-{a.accel}.snap")
        status, rest, err = run(base + ["-loadvm", snap, "-savevm-at", f"{total},{end_restored}"])
        ok = expect(status == EXIT_STATUS and plain.endswith(rest),
                    f"restored from {at}: status {status}, printed:\n{rest}{err}")
        ok = ok and expect(os.path.exists(end_restored), f"restored from {at}: no state at {total}")
        if ok and expect(filecmp.cmp(end_plain, end_restored, shallow=False),
                         f"restored from {at}: the state at {total} differs from the uninterrupted run's"):
            print(f"[firmware] saved at {at}, restored: same end, same state at {total}")
    return report(problems)


def report(problems):
    for p in problems:
        print(f"FAIL: {p}")
    print("PASS" if not problems else "FAIL")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
