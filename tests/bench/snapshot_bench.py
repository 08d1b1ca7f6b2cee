#!/usr/bin/env python3
"""Snapshot save and load beside QEMU's migration to a file, in ONE run. A tool, not a test.

usage: tests/bench/snapshot_bench.py [--ferry build/ferry] [--qemu qemu-system-x86_64]
                                     [--touch-mib 256] [--work DIR]

Guest: Debian's kernel (/boot/vmlinuz-*) with a busybox initramfs built here, -m 512. /init
prints READY right after boot (scenario "boot"), or first fills a tmpfs with TOUCH MiB of
data that zlib cannot shrink (16 MiB from /dev/urandom, copied over and over; scenario
"touched"), then waits. The kernel gets no_timer_check: QEMU's IO-APIC timer check
fails now and then on a loaded host.

ferry: the monitor on stdio; `savevm FILE` timed from the command to its "done" line (the
machine is stopped, written, resumed), then a new ferry started paused (-S) and
`loadvm FILE` timed the same way. QEMU: QMP `stop`, then `migrate "exec:cat > FILE"` with
max-bandwidth raised so its 128 MiB/s default cap does not decide the result, timed until
query-migrate says completed; then a new QEMU with `-incoming defer` and `migrate-incoming
"exec:cat FILE"`, timed until completed. Prints a Markdown table (seconds, file size)."""
import argparse
import glob
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

INIT = r"""#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
$B mkdir -p /mnt && $B mount -t tmpfs -o size=400m tmpfs /mnt
if [ "$touch" != "" ] && [ "$touch" != "0" ]; then
  $B dd if=/dev/urandom of=/mnt/seed bs=1M count=16 2>/dev/null
  n=0; while [ $n -lt $(( touch / 16 - 1 )) ]; do $B cat /mnt/seed > /mnt/copy$n; n=$((n+1)); done
fi
echo READY
while true; do $B sleep 1000; done
"""
BOOT_LIMIT_S = 300


def build_initramfs(work):
    root = os.path.join(work, "rootfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev", "mnt"):
        os.makedirs(os.path.join(root, d))
    shutil.copy(shutil.which("busybox") or "/bin/busybox", os.path.join(root, "bin", "busybox"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    initrd = os.path.join(work, "initrd.cpio.gz")
    subprocess.run(f"cd '{root}' && find . | cpio -o -H newc --quiet | gzip -1 > '{initrd}'",
                   shell=True, check=True)
    return initrd


def wait_file(path, pattern, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            with open(path, "rb") as f:
                if pattern in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    return False


def machine_args(kernel, initrd, touch, console):
    return ["-m", "512", "-display", "none", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", f"console=ttyS0 quiet no_timer_check touch={touch}", "-serial", f"file:{console}"]


class Monitor:
    """ferry's human monitor on a pipe."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b""

    def command(self, line, answer, limit=120):
        self.buf = b""
        start = time.monotonic()
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        while time.monotonic() - start < limit:
            if re.search(answer, self.buf):
                return time.monotonic() - start
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buf += chunk
        raise RuntimeError(f"no answer to '{line}': {self.buf.decode(errors='replace')}")

    def kill(self):
        self.proc.kill()
        self.proc.wait()


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(200):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.file = self.sock.makefile("rwb")
        self.file.readline()                    # greeting
        self.execute("qmp_capabilities")

    def execute(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.file.write(json.dumps(msg).encode() + b"\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError(f"{cmd}: {reply['error']}")

    def wait_migration(self, limit=300):
        start = time.monotonic()
        while time.monotonic() - start < limit:
            status = self.execute("query-migrate").get("status")
            if status == "completed":
                return
            if status == "failed":
                raise RuntimeError("QEMU migration failed")
            time.sleep(0.002)
        raise RuntimeError("QEMU migration did not complete")


def bench_ferry(a, kernel, initrd, touch, work):
    console = os.path.join(work, f"ferry-{touch}.txt")
    snap = os.path.join(work, f"ferry-{touch}.snap")
    for p in (console, snap):
        if os.path.exists(p):
            os.unlink(p)
    src = Monitor([a.ferry] + machine_args(kernel, initrd, touch, console) + ["-monitor", "stdio"])
    try:
        if not wait_file(console, b"READY", BOOT_LIMIT_S):
            raise RuntimeError("ferry: the guest did not reach READY")
        save_s = src.command(f"savevm {snap}", rb"savevm .*: done")
    finally:
        src.kill()
    dst = Monitor([a.ferry] + machine_args(kernel, initrd, touch, console + ".2") + ["-monitor", "stdio", "-S"])
    try:
        time.sleep(0.5)
        load_s = dst.command(f"loadvm {snap}", rb"loadvm .*: done")
    finally:
        dst.kill()
    return save_s, load_s, os.path.getsize(snap)


def bench_qemu(a, kernel, initrd, touch, work):
    console = os.path.join(work, f"qemu-{touch}.txt")
    mig = os.path.join(work, f"qemu-{touch}.mig")
    sock = os.path.join(work, "qmp.sock")
    for p in (console, mig, sock):
        if os.path.exists(p):
            os.unlink(p)
    base = [a.qemu, "-accel", "tcg", "-nodefaults"] + machine_args(kernel, initrd, touch, console)
    src = subprocess.Popen(base + ["-qmp", f"unix:{sock},server=on,wait=off"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_file(console, b"READY", BOOT_LIMIT_S):
            raise RuntimeError("QEMU: the guest did not reach READY")
        q = Qmp(sock)
        q.execute("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        start = time.monotonic()
        q.execute("stop")
        q.execute("migrate", uri=f"exec:cat > {mig}")
        q.wait_migration()
        save_s = time.monotonic() - start
    finally:
        src.kill()
        src.wait()
    os.unlink(sock)
    dst = subprocess.Popen(base + ["-qmp", f"unix:{sock},server=on,wait=off", "-incoming", "defer"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        q = Qmp(sock)
        start = time.monotonic()
        q.execute("migrate-incoming", uri=f"exec:cat {mig}")
        q.wait_migration()
        load_s = time.monotonic() - start
    finally:
        dst.kill()
        dst.wait()
    return save_s, load_s, os.path.getsize(mig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ferry", default="build/ferry")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--touch-mib", type=int, default=256)
    ap.add_argument("--work")
    a = ap.parse_args()
    kernel = sorted(glob.glob("/boot/vmlinuz-*"))[-1]
    work = a.work or tempfile.mkdtemp(prefix="ferry-snapbench-")
    os.makedirs(work, exist_ok=True)
    initrd = build_initramfs(work)
    rows = []
    for touch in (0, a.touch_mib):
        scenario = "boot" if touch == 0 else f"touched {touch} MiB"
        for name, fn in (("ferry", bench_ferry), ("QEMU 7.2", bench_qemu)):
            save_s, load_s, size = fn(a, kernel, initrd, touch, work)
            rows.append((scenario, name, save_s, load_s, size))
            print(f"{scenario:18} {name:9} save {save_s:.3f} s  load {load_s:.3f} s  {size / 1e6:.1f} MB", flush=True)
    print("\n| guest (-m 512) | emulator | save s | load s | file MB |\n|---|---|---|---|---|")
    for scenario, name, save_s, load_s, size in rows:
        print(f"| {scenario} | {name} | {save_s:.3f} | {load_s:.3f} | {size / 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
