#!/usr/bin/env python3
"""Snapshots of Debian's kernel (linux-image-amd64) with a busybox initramfs.

usage: linux_snapshot_test.py FERRY --accel A --work DIR

/init (written here; the busybox part is what ../../../shared/linux/build_initramfs.sh does)
runs a loop that prints PROGRESS i for i = 1..LOOPS with a running checksum, then LOOP-DONE
with the final one, then offers a shell prompt.

1. loop: boot, let the loop reach PROGRESS 20, `savevm` through the monitor (-monitor stdio,
   the console in a file), kill ferry; then `-loadvm` in a new process: the console must go
   on from PROGRESS 21 or later (never restart at BOOT-OK), reach LOOP-DONE with the
   checksum the host computes, and the shell must answer.
The kernel gets no_timer_check: its IO-APIC timer check is a wall-clock race that a loaded host
can lose (QEMU loses it too), and a panic ends the wait at once.
2. shell: boot to the prompt, savevm there, kill; -loadvm in a new process and type a command
   on the serial console (stdio this time): the restored shell runs it.
"""
import argparse
import glob
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

LOOPS = 60
SAVE_AT = 20
# No wall-clock bound of its own: a slow host only makes it slower (meson's timeout ends it).
NO_LIMIT = float("inf")

INIT = r"""#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
echo "BOOT-OK"
i=1; s=7
while [ $i -le %(loops)d ]; do
  j=0; while [ $j -lt 300 ]; do s=$(( (s * 31 + i * 7 + j) %% 1000003 )); j=$((j+1)); done
  echo "PROGRESS $i s=$s"
  i=$((i+1))
done
echo "LOOP-DONE s=$s"
echo "SHELL-READY"
exec $B sh
"""


def host_checksums():
    """PROGRESS i -> s after iteration i, as /init computes them."""
    s, out = 7, {}
    for i in range(1, LOOPS + 1):
        for j in range(300):
            s = (s * 31 + i * 7 + j) % 1000003
        out[i] = s
    return out


def build_initramfs(work):
    """busybox-static and our /init, as a gzip'd newc cpio (the shared builder's recipe)."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        raise SystemExit("FAIL: busybox-static is not installed (apt-get install busybox-static)")
    root = os.path.join(work, "rootfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev"):
        os.makedirs(os.path.join(root, d))
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT % {"loops": LOOPS})
    os.chmod(os.path.join(root, "init"), 0o755)
    initrd = os.path.join(work, "initrd.cpio.gz")
    subprocess.run(f"cd '{root}' && find . | cpio -o -H newc --quiet | gzip -1 > '{initrd}'",
                   shell=True, check=True)
    return initrd


class Ferry:
    """A ferry process; its console goes to a file (or to stdout) and is polled."""

    def __init__(self, argv, console_file=None):
        self.console_file = console_file
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = b""

    def console(self):
        if self.console_file:
            try:
                with open(self.console_file, "rb") as f:
                    return f.read().decode(errors="replace")
            except FileNotFoundError:
                return ""
        return self.out.decode(errors="replace")

    def pump(self, wait=0.2):
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if ready:
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            self.out += chunk
            return bool(chunk)
        return self.proc.poll() is None

    def wait_for(self, pattern, limit, where="console"):
        start = time.monotonic()
        while time.monotonic() - start < limit:
            text = self.console() if where == "console" else self.out.decode(errors="replace")
            m = re.search(pattern, text)
            if m:
                return m
            if "Kernel panic" in text:
                return None
            if not self.pump() and self.proc.poll() is not None:
                text = self.console() if where == "console" else self.out.decode(errors="replace")
                return re.search(pattern, text)
        return None

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass            # ferry has exited: the caller sees it through poll()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def base_argv(a, initrd):
    kernel = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernel:
        raise SystemExit("FAIL: no /boot/vmlinuz-*: install linux-image-amd64 (scripts/deps.sh)")
    return [a.ferry, "-m", "512", "-no-reboot", "-display", "none", "-accel", a.accel,
            "-kernel", kernel[-1], "-initrd", initrd, "-append", "console=ttyS0 quiet no_timer_check"]


def fail(what, ferry):
    print(f"FAIL: {what}\n--- console\n{ferry.console()[-3000:]}\n--- stdout\n"
          f"{ferry.out.decode(errors='replace')[-2000:]}")
    return False


def test_loop(a, initrd, limit):
    snap = os.path.join(a.work, f"loop-{a.accel}.snap")
    log1, log2 = (os.path.join(a.work, f"console{i}-{a.accel}.txt") for i in (1, 2))
    for path in (snap, log1, log2):
        if os.path.exists(path):
            os.unlink(path)
    first = Ferry(base_argv(a, initrd) + ["-serial", f"file:{log1}", "-monitor", "stdio"], log1)
    try:
        if not first.wait_for(rf"PROGRESS {SAVE_AT} ", limit):
            return fail(f"the loop did not reach PROGRESS {SAVE_AT}", first)
        first.send(f"savevm {snap}\n")
        if not first.wait_for(r"savevm .*: done", limit, where="stdout"):
            return fail("savevm did not finish", first)
        saved_progress = max(int(n) for n in re.findall(r"PROGRESS (\d+) ", first.console()))
    finally:
        first.kill()
    print(f"[loop] saved at PROGRESS {saved_progress}, {os.path.getsize(snap)} bytes")

    second = Ferry(base_argv(a, initrd) + ["-serial", f"file:{log2}", "-monitor", "stdio",
                                           "-loadvm", snap], log2)
    try:
        m = second.wait_for(r"LOOP-DONE s=(\d+)", limit)
        if not m:
            return fail("the restored loop did not finish", second)
        text = second.console()
        if "BOOT-OK" in text:
            return fail("the restored machine booted again instead of going on", second)
        steps = [int(n) for n in re.findall(r"PROGRESS (\d+) ", text)]
        expected = host_checksums()
        if not steps or steps[0] < saved_progress or steps[0] > saved_progress + 1 or steps[-1] != LOOPS:
            return fail(f"progress after restore is {steps[:3]}..., expected {saved_progress + 1}..{LOOPS}", second)
        if int(m.group(1)) != expected[LOOPS]:
            return fail(f"checksum {m.group(1)}, the host computes {expected[LOOPS]}", second)
    finally:
        second.kill()
    print(f"[loop] restored: PROGRESS {steps[0]}..{LOOPS}, LOOP-DONE s={expected[LOOPS]} as on the host")
    return True


def test_shell(a, initrd, limit):
    snap = os.path.join(a.work, f"shell-{a.accel}.snap")
    log = os.path.join(a.work, f"console-shell-{a.accel}.txt")
    for path in (snap, log):
        if os.path.exists(path):
            os.unlink(path)
    first = Ferry(base_argv(a, initrd) + ["-serial", f"file:{log}", "-monitor", "stdio"], log)
    try:
        if not first.wait_for(r"SHELL-READY", limit):
            return fail("no shell prompt", first)
        time.sleep(1)       # the shell is waiting for input now
        first.send(f"savevm {snap}\n")
        if not first.wait_for(r"savevm .*: done", limit, where="stdout"):
            return fail("savevm did not finish", first)
    finally:
        first.kill()
    second = Ferry(base_argv(a, initrd) + ["-serial", "stdio", "-loadvm", snap])
    try:
        # ash may be waiting for the answer to its cursor-position query (ESC[6n), which
        # would eat a line: type it again until the shell has run it
        answered = False
        while not answered and second.proc.poll() is None and "Kernel panic" not in second.console():
            second.send("echo RESTORED-$((6*7))\n")
            answered = second.wait_for(r"RESTORED-42", 3, where="stdout") is not None
        if not answered:
            return fail("the restored shell did not answer", second)
    finally:
        second.kill()
    print("[shell] the restored shell answered")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ferry")
    parser.add_argument("--accel", default="jit")
    parser.add_argument("--work", required=True)
    a = parser.parse_args()
    os.makedirs(a.work, exist_ok=True)
    initrd = build_initramfs(a.work)
    limit = NO_LIMIT
    ok = test_loop(a, initrd, limit)
    ok = test_shell(a, initrd, limit) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
