#!/usr/bin/env python3
"""Snapshot exactness under -icount: saved at virtual time N and restored in a new process,
a run ends in exactly the state of an uninterrupted one.

usage: exact_test.py FERRY GUEST --accel A --work DIR [--shift N] [--qemu QEMU]

GUEST (ticks.asm) computes with timer interrupts whose exact arrival enters its output. With
-icount shift=N (virtual ns = instructions << N, the TSC counts them) this test:
  1. runs it once to learn its length T (the TSC it prints last) and its output;
  2. runs it again saving at N = 2T/5 (-savevm-at): the output must not change;
  3. restores that snapshot in new processes, twice: each prints exactly the rest of the
     uninterrupted output;
  4. compares the state at M = 9T/10: saved by an uninterrupted run and by both restored
     runs (-savevm-at M), the three files must be identical byte for byte (CPU, devices,
     clock, RAM).
With --qemu, QEMU runs the guest first under -icount as the reference (it must PASS, with
the same interrupt-independent checksums)."""
import argparse
import filecmp
import os
import re
import subprocess
import sys

PASS_STATUS = 33
COMMON = ["-nographic", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def run(argv):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ferry")
    ap.add_argument("guest")
    ap.add_argument("--accel", default="jit")
    ap.add_argument("--work", required=True)
    ap.add_argument("--shift", type=int, default=0)
    ap.add_argument("--qemu")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    icount = ["-icount", f"shift={a.shift},align=off,sleep=off"]
    base = [a.ferry, "-accel", a.accel] + icount + COMMON + ["-kernel", a.guest]
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)
        return cond

    if a.qemu:
        status, qout, qerr = run([a.qemu, "-display", "none", "-serial", "stdio"] + icount +
                                 COMMON[1:] + ["-kernel", a.guest])
        expect(status == PASS_STATUS and "ticks: PASS" in qout, f"QEMU reference: status {status}\n{qout}{qerr}")
        q_acc = re.findall(r"acc=(0x[0-9a-f]+)", qout)

    status, plain, err = run(base)
    if not expect(status == PASS_STATUS and "ticks: PASS" in plain, f"plain run: status {status}\n{plain}{err}"):
        return report(problems)
    if a.qemu:
        expect(re.findall(r"acc=(0x[0-9a-f]+)", plain) == q_acc, "the checksums differ from QEMU's")
    total = int(re.findall(r"tsc=(0x[0-9a-f]+)", plain)[-1], 16)
    at_n, at_m = total * 2 // 5, total * 9 // 10
    snap = os.path.join(a.work, f"n-{a.accel}.snap")
    print(f"[exact] {a.accel} shift={a.shift}: the run lasts {total} virtual ns; save at {at_n}, compare at {at_m}")

    status, saved_run, err = run(base + ["-savevm-at", f"{at_n},{snap}"])
    expect(status == PASS_STATUS and saved_run == plain, f"saving changed the run: status {status}\n{saved_run}{err}")
    expect(os.path.exists(snap), "no snapshot written")

    end_plain = os.path.join(a.work, f"m-plain-{a.accel}.snap")
    status, _, err = run(base + ["-savevm-at", f"{at_m},{end_plain}"])
    expect(status == PASS_STATUS and os.path.exists(end_plain), f"uninterrupted run to M: status {status} {err}")

    for attempt in (1, 2):
        end_restored = os.path.join(a.work, f"m-restored{attempt}-{a.accel}.snap")
        status, rest, err = run(base + ["-loadvm", snap, "-savevm-at", f"{at_m},{end_restored}"])
        ok = expect(status == PASS_STATUS, f"restored run {attempt}: status {status}\n{rest}{err}")
        ok = ok and expect(0 < len(rest) < len(plain) and plain.endswith(rest),
                           f"restored run {attempt} printed something else than the rest of the run:\n{rest}")
        if ok and expect(os.path.exists(end_restored), f"restored run {attempt} wrote no state at M"):
            expect(filecmp.cmp(end_plain, end_restored, shallow=False),
                   f"restored run {attempt}: the state at M differs from the uninterrupted run's")
        if ok and attempt == 1:
            print(f"[exact] restored run prints the last {rest.count(chr(10))} lines of the uninterrupted one")
    return report(problems)


def report(problems):
    for p in problems:
        print(f"FAIL: {p}")
    print("PASS" if not problems else "FAIL")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
