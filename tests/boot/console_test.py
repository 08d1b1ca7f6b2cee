#!/usr/bin/env python3
"""Debian's kernel with a busybox system built here, driven through the serial console.

usage: console_test.py FERRY MODE --accel A --work DIR
  MODE console  boot, then type commands at the shell on ttyS0 (stdin/stdout pipes): uname -a,
                cat /proc/cpuinfo, dmesg (free of complaints about ferry's devices and tables,
                and showing the ACPI/APIC/HPET/DMI set-up), sha256sum of a file against the
                host's, a compute loop against the host's; then `poweroff`: status 0
  MODE pty      the same shell on a pseudo-terminal, as a user sees it: type at the prompt,
                Ctrl-A h lists the escape keys, Ctrl-A x ends ferry with status 0 and the
                terminal's mode is restored
  MODE soak     20 boots in a row, each powering itself off (kernel parameter autopoweroff):
                every one must reach the shell marker and exit 0

The initramfs is built at test time from Debian's busybox-static (/bin/busybox, installed by
scripts/deps.sh): busybox init as PID 1 with a login shell respawned on ttyS0, so `poweroff`
is busybox's real shutdown path (init, then reboot(2), then ACPI S5)."""
import argparse
import glob
import gzip
import hashlib
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time

PROMPT = "guest# "
SHELL_MARKER = "FERRY-SHELL-READY"
# generous: these only end a hung run (a loaded 2-core host boots in 20 s under the JIT)
BOOT_LIMIT_S = {"jit": 600, "interp": 3600}
COMMAND_LIMIT_S = {"jit": 300, "interp": 1800}
SOAK_BOOTS = 20
DATA_SIZE = 1 << 20

# Lines in dmesg that mean ferry's firmware tables or devices are wrong (seen on real
# boots of this kernel with broken tables, IRQ routing or timers). Checked case-sensitively.
DMESG_BAD = [
    r"ACPI Error", r"ACPI BIOS Error", r"ACPI Warning", r"ACPI BIOS Warning", r"ACPI: Unable to",
    r"ACPI Exception", r"MP-BIOS bug", r"Firmware Bug", r"\[Firmware Warn\]", r"FW_BUG",
    r"DMI not present", r"DMI: Unknown", r"No local APIC present", r"APIC: disable apic facility",
    r"IO-APIC \+ timer doesn't work", r"timer doesn't work through", r"Marking TSC unstable",
    r"clocksource .* unstable", r"irq \d+: nobody cared", r"Spurious", r"spurious 8259A",
    r"hpet.*(fail|error)", r"RTC.*(fail|error)", r"rtc_cmos.*(fail|error)", r"i8042.*(fail|error|No controller)",
    r"serial8250.*(fail|error)", r"ttyS0.*(fail|error)", r"PCI: Fatal", r"pci .*BAR .* failed",
    r"can't claim", r"ACPI: .*failed", r"Incorrect checksum", r"[Cc]hecksum error", r"BUG:", r"WARNING:", r"Call Trace",
    r"Oops", r"Kernel panic",
]
# What a correct set-up must show: the tables found and used.
DMESG_GOOD = [
    "DMI: ferry", "ACPI: RSDP 0x00000000000F0000", "ACPI: FACP", "ACPI: DSDT", "ACPI: APIC", "ACPI: HPET",
    "IOAPIC[0]: apic_id 0", "ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 2",
    "ACPI: PM: (supports S0 S5)", "ACPI: Using IOAPIC for interrupt routing",
    "PCI Root Bridge [PCI0]", "..TIMER: vector=", "hpet0: at MMIO 0xfed00000",
    "clocksource: acpi_pm", "ttyS0 at I/O 0x3f8 (irq = 4",
]
APIC_GREP = re.compile(r"ACPI|APIC|HPET|hpet|DMI|SMBIOS|clocksource|MP-table|TIMER|PM-Timer|tsc:")

INITTAB = """::sysinit:/etc/rcS
ttyS0::respawn:-/bin/sh
"""
RCS = """#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "%s uptime=$(cut -d' ' -f1 /proc/uptime)"
if grep -q autopoweroff /proc/cmdline; then poweroff; fi
""" % SHELL_MARKER
PROFILE = "export PS1='%s'\n" % PROMPT


def data_file():
    """DATA_SIZE deterministic bytes (for sha256sum in the guest)."""
    out, block = bytearray(), b"ferry"
    while len(out) < DATA_SIZE:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:DATA_SIZE])


def cpio_newc(entries):
    """entries: (name, mode, data) in order; returns the archive with its trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], start=1):
        name_b = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
        out += b"070701" + "".join(f"{f:08x}" for f in fields).encode() + name_b
        out += bytes(-len(out) % 4)
        out += data
        out += bytes(-len(out) % 4)
    return bytes(out)


def build_initramfs(work):
    if not os.path.exists("/bin/busybox"):
        sys.exit("FAIL: no /bin/busybox: install busybox-static (scripts/deps.sh)")
    with open("/bin/busybox", "rb") as f:
        busybox = f.read()
    d, x, r = 0o040755, 0o100755, 0o100644
    entries = [("bin", d, b""), ("bin/busybox", x, busybox), ("bin/sh", 0o120777, b"busybox"),
               ("init", 0o120777, b"bin/busybox"), ("etc", d, b""), ("etc/inittab", r, INITTAB.encode()),
               ("etc/rcS", x, RCS.encode()), ("etc/profile", r, PROFILE.encode()),
               ("proc", d, b""), ("sys", d, b""), ("dev", d, b""), ("data.bin", r, data_file())]
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "console-initrd.cpio.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(cpio_newc(entries), compresslevel=6))
    return path


def kernel():
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        sys.exit("FAIL: no /boot/vmlinuz-*: install linux-image-amd64 (scripts/deps.sh)")
    return kernels[-1]


def ferry_argv(a, initrd, append):
    return [a.ferry, "-m", "512", "-nographic", "-no-reboot", "-accel", a.accel, "-kernel", kernel(),
            "-initrd", initrd, "-append", "console=ttyS0 panic=-1 " + append]


class Console:
    """The guest's serial console over two file descriptors (pipes, or one pty)."""

    def __init__(self, proc, rfd, wfd):
        self.proc, self.rfd, self.wfd, self.buf = proc, rfd, wfd, b""

    def read_until(self, marker, limit):
        """Text up to and including marker (bytes) from the unread output, or None."""
        deadline = time.monotonic() + limit
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.rfd], [], [], min(left, 0.5))
            if not ready and self.proc.poll() is not None:
                return None                 # ferry has gone (a pty gives no EOF while we hold its slave)
            if ready:
                try:
                    chunk = os.read(self.rfd, 65536)
                except OSError:             # a pty reads EIO once ferry has gone
                    chunk = b""
                if not chunk:
                    return None
                self.buf += chunk
        at = self.buf.index(marker) + len(marker)
        text, self.buf = self.buf[:at], self.buf[at:]
        return text.decode(errors="replace")

    def type(self, text):
        os.write(self.wfd, text.encode())

    def run(self, command, limit):
        """Type a command; returns its output (without the echoed line) and exit status.
        The end marker is typed split in two, so the terminal's echo cannot match it."""
        self.type(f"{command}; echo \"@@E\"\"ND$?@@\"\r")
        text = self.read_until(b"@@END", limit)
        tail = self.read_until(b"@@", 5) if text is not None else None
        if text is None or tail is None:
            return None, None
        lines = text.replace("\r", "").split("\n")
        return "\n".join(lines[1:-1]), int(tail[:-2] or -1)


def dmesg_problems(dmesg):
    problems = []
    for line in dmesg.splitlines():
        for pattern in DMESG_BAD:
            if re.search(pattern, line):
                problems.append(f"dmesg: {line.strip()!r} matches {pattern!r}")
                break
    for want in DMESG_GOOD:
        if want not in dmesg:
            problems.append(f"dmesg lacks {want!r}")
    return problems


def host_compute():
    s = 0
    for i in range(3000):
        s = (s * 31 + i) % 1000003
    return s


def session_checks(con, a):
    """The command checks shared by the console and pty modes; returns problems."""
    limit = COMMAND_LIMIT_S[a.accel]
    problems = []

    def run(cmd):
        out, status = con.run(cmd, limit)
        if out is None:
            problems.append(f"{cmd!r}: no end marker within {limit} s")
            return ""
        if status != 0:
            problems.append(f"{cmd!r}: exit status {status}")
        return out

    uname = run("uname -a")
    if not re.search(r"^Linux \S+ \S+ .* x86_64", uname, re.M):
        problems.append(f"uname -a: {uname!r}")
    cpuinfo = run("cat /proc/cpuinfo")
    for want in ["processor\t: 0", "vendor_id", "flags\t\t:", "bogomips"]:
        if want not in cpuinfo:
            problems.append(f"/proc/cpuinfo lacks {want!r}")
    dmesg = run("dmesg")
    problems += dmesg_problems(dmesg)
    print("--- dmesg lines about the firmware tables, interrupts and clocks")
    print("\n".join(line for line in dmesg.splitlines() if APIC_GREP.search(line)))
    sha = run("sha256sum /data.bin")
    want_sha = hashlib.sha256(data_file()).hexdigest()
    if want_sha not in sha:
        problems.append(f"sha256sum /data.bin: {sha!r}, host {want_sha}")
    s = run("i=0; s=0; while [ $i -lt 3000 ]; do s=$(( (s * 31 + i) % 1000003 )); i=$((i+1)); done; echo s=$s")
    if f"s={host_compute()}" not in s:
        problems.append(f"compute loop: {s!r}, host s={host_compute()}")
    return problems


def boot(a, initrd, append, stdin, stdout):
    argv = ferry_argv(a, initrd, append)
    print(" ".join(argv))
    return subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=subprocess.STDOUT)


def finish(proc, problems, con, name):
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if problems:
        print(f"[{name}] FAIL:\n  " + "\n  ".join(problems) + f"\n--- unread output\n{con.buf.decode(errors='replace')[-3000:]}")
        return 1
    print(f"[{name}] PASS")
    return 0


def wait_exit(proc, limit):
    try:
        return proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        return None


def mode_console(a, initrd):
    proc = boot(a, initrd, "", subprocess.PIPE, subprocess.PIPE)
    con = Console(proc, proc.stdout.fileno(), proc.stdin.fileno())
    problems = []
    start = time.monotonic()
    if con.read_until(SHELL_MARKER.encode(), BOOT_LIMIT_S[a.accel]) is None:
        problems.append("the shell marker never came")
        return finish(proc, problems, con, "console")
    print(f"shell marker after {time.monotonic() - start:.1f} s")
    con.type("\r")
    if con.read_until(PROMPT.encode(), COMMAND_LIMIT_S[a.accel]) is None:
        problems.append("no prompt")
        return finish(proc, problems, con, "console")
    problems += session_checks(con, a)
    con.type("poweroff\r")
    status = wait_exit(proc, COMMAND_LIMIT_S[a.accel])
    con.read_until(b"\xff", 0.1)                # whatever is left, for the report
    if status != 0:
        problems.append(f"poweroff: ferry exit status {status}, want 0")
    return finish(proc, problems, con, "console")


def mode_pty(a, initrd):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = boot(a, initrd, "", slave, slave)
    con = Console(proc, master, master)
    problems = []
    if con.read_until(SHELL_MARKER.encode(), BOOT_LIMIT_S[a.accel]) is None:
        problems.append("the shell marker never came")
        os.close(slave)
        return finish(proc, problems, con, "pty")
    con.type("\r")
    limit = COMMAND_LIMIT_S[a.accel]
    if con.read_until(PROMPT.encode(), limit) is None:
        problems.append("no prompt")
    # a line typed at the prompt, answered, and a new prompt
    con.type("echo typed-$((6*7))\r")
    if con.read_until(b"typed-42", limit) is None or con.read_until(PROMPT.encode(), limit) is None:
        problems.append("echo at the prompt: no answer or no new prompt")
    # the terminal is raw while ferry runs: no local echo, no line editing by the host
    if termios.tcgetattr(slave)[3] & termios.ICANON:
        problems.append("the terminal is still in canonical mode while ferry runs")
    con.type("\x01h")
    if con.read_until(b"C-a x", limit) is None:
        problems.append("Ctrl-A h printed no help")
    # Ctrl-A Ctrl-A types one Ctrl-A: the shell's line editor reads it as "start of line"
    con.type("cho via-ctrl-$((1+1))\x01\x01e\r")
    if con.read_until(b"via-ctrl-2", limit) is None:
        problems.append("Ctrl-A Ctrl-A did not reach the guest as one Ctrl-A")
    con.type("\x01x")
    status = wait_exit(proc, limit)
    con.read_until(b"\xff", 0.2)
    if status != 0:
        problems.append(f"Ctrl-A x: ferry exit status {status}, want 0")
    elif termios.tcgetattr(slave) != before:
        problems.append("the terminal's mode was not restored after Ctrl-A x")
    os.close(slave)
    return finish(proc, problems, con, "pty")


def mode_soak(a, initrd):
    failures = 0
    for n in range(SOAK_BOOTS):
        start = time.monotonic()
        proc = boot(a, initrd, "quiet autopoweroff", subprocess.DEVNULL, subprocess.PIPE)
        con = Console(proc, proc.stdout.fileno(), None)
        marker = con.read_until(SHELL_MARKER.encode(), BOOT_LIMIT_S[a.accel])
        status = wait_exit(proc, COMMAND_LIMIT_S[a.accel])
        ok = marker is not None and status == 0
        print(f"boot {n + 1}/{SOAK_BOOTS}: {'ok' if ok else 'FAIL'} in {time.monotonic() - start:.1f} s"
              f" (status {status})")
        if not ok:
            failures += 1
            con.read_until(b"\xff", 0.2)
            print(con.buf.decode(errors="replace")[-3000:])
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    print(f"[soak] {'PASS' if failures == 0 else 'FAIL'}: {SOAK_BOOTS - failures}/{SOAK_BOOTS} boots")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ferry")
    ap.add_argument("mode", choices=["console", "pty", "soak"])
    ap.add_argument("--accel", default="jit")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    initrd = build_initramfs(a.work)
    return {"console": mode_console, "pty": mode_pty, "soak": mode_soak}[a.mode](a, initrd)


if __name__ == "__main__":
    sys.exit(main())
