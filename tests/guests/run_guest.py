#!/usr/bin/env python3
"""Boots one test guest and checks its verdict.

usage: run_guest.py [--qemu QEMU] FERRY STATUS EXPECT GUEST-ARGS...

Runs FERRY GUEST-ARGS and requires exit status STATUS and the substring EXPECT in what the
guest printed (stdout and stderr together). With --qemu, first runs the same guest under
QEMU with the same expectations, so a guest that fails there is a broken test, not a ferry
bug. Options only ferry understands (-accel interp|jit) are left out of QEMU's command.
A failed QEMU run is tried once more (a reference that times devices can miss a window on
a loaded host); the ferry run never is. Each run has a 60 s limit; on failure the whole
output is printed."""
import argparse
import subprocess
import sys

TIMEOUT_S = 60
FERRY_ONLY_ACCELS = {"interp", "jit"}


def qemu_args(guest_args):
    """guest_args without the -accel choices QEMU does not have."""
    out, i = [], 0
    while i < len(guest_args):
        if guest_args[i] == "-accel" and i + 1 < len(guest_args) and guest_args[i + 1] in FERRY_ONLY_ACCELS:
            i += 2
            continue
        out.append(guest_args[i])
        i += 1
    return out


def run(label, argv, status, expect):
    """Runs argv; returns True if it exited with status and printed expect."""
    problems = []
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
        output, rc = proc.stdout.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        output, rc = (e.output or b"").decode(errors="replace"), None
        problems.append(f"no exit within {TIMEOUT_S} s")
    except OSError as e:
        output, rc = "", None
        problems.append(f"cannot run: {e}")
    if rc is not None and rc != status:
        problems.append(f"exit status {rc}, want {status}")
    if expect not in output:
        problems.append(f"output lacks {expect!r}")
    print(f"[{label}] {' '.join(argv)}")
    if problems:
        print(f"[{label}] FAIL: {'; '.join(problems)}")
        print(f"[{label}] output:\n{output}", end="" if output.endswith("\n") else "\n")
        return False
    print(f"[{label}] ok: exit status {rc}, printed {expect!r}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qemu", help="qemu-system-i386 to run the guest as a reference first")
    parser.add_argument("ferry")
    parser.add_argument("status", type=int)
    parser.add_argument("expect")
    parser.add_argument("guest_args", nargs=argparse.REMAINDER)
    a = parser.parse_args()

    ok = True
    if a.qemu:
        qemu_argv = [a.qemu] + qemu_args(a.guest_args)
        ok = run("qemu", qemu_argv, a.status, a.expect)
        if not ok:
            # QEMU is only the reference that proves the guest right. A few guests time
            # devices against each other, and QEMU under a loaded host can miss such a
            # window; a second QEMU run tells a flaky reference from a broken guest.
            # ferry's own run is never repeated.
            print("[qemu] reference failed once: running it again")
            ok = run("qemu", qemu_argv, a.status, a.expect)
    else:
        print("[qemu] no --qemu (qemu-system-i386 was not found): no reference run, ferry checked alone")
    ok = run("ferry", [a.ferry] + a.guest_args, a.status, a.expect) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
