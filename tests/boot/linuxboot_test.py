#!/usr/bin/env python3
"""Linux boot protocol tests: synthetic bzImages built here, and Debian's own kernel.

usage: linuxboot_test.py FERRY MODE [options]
  MODE loader  --nasm NASM --src DIR --accel A   synthetic bzImages: 64-bit entry (with and
               without -initrd) and the 32-bit entry of a protocol 2.06 kernel at 1 MiB
  MODE errors  --nasm NASM --src DIR             bad images and options: exit status 1, one
               line on stderr naming the problem
  MODE debian  --accel A                         Debian's linux-image-amd64 (the newest
               /boot/vmlinuz-*; missing is a failure, scripts/deps.sh installs it): its boot
               log must reach the markers below
  MODE shell   --accel A --initramfs SCRIPT --work DIR
               the same kernel with the shared busybox initramfs (SCRIPT builds it under
               DIR): /init must print BOOT-OK and a COMPUTE-OK line whose loop result and
               MD5 equal what the host computes

The synthetic image is a setup header (written here from the boot protocol's field table)
followed by linuxboot.asm, which checks the entry state and boot_params itself and reports
through COM1 and isa-debug-exit (status 33 = PASS)."""
import argparse
import glob
import hashlib
import os
import select
import struct
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60
PASS_STATUS = 33
RAM = 64 << 20
RD_SIZE = 5000
INIT_SIZE = 0x20000
PREF_ADDR = 0x1000000
CLASSIC_ADDR = 0x100000
EXIT_DEVICE = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

# Debian's kernel prints no decompressor messages (CONFIG_X86_VERBOSE_BOOTUP is off), so
# the first line is the kernel's banner; these prove the loader's parts reached it: the
# banner (64-bit entry and decompression), the e820 map, the command line, the console.
DEBIAN_MARKERS = [
    "Linux version",
    "BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable",
    "Kernel command line: console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8",
    "printk: console [ttyS0] enabled",
]


def host_compute_marker():
    """The COMPUTE-OK values the shared /init computes, computed here on the host: its shell
    loop, and the MD5 of 16 MiB of zeros (first 8 hex digits)."""
    s = 0
    for i in range(20000):
        s = (s * 31 + i) % 1000003
    return f"COMPUTE-OK s={s} md5={hashlib.md5(bytes(16 << 20)).hexdigest()[:8]}"


def assemble(nasm, src, out, load_addr):
    subprocess.run([nasm, "-f", "bin", "-Werror", "-i", os.path.join(src, "..", "guests") + "/",
                    f"-DLOAD_ADDR={load_addr:#x}", f"-DRAM_SIZE={RAM:#x}", f"-DRD_SIZE={RD_SIZE}",
                    f"-DINIT_SIZE={INIT_SIZE:#x}", "-o", out, os.path.join(src, "linuxboot.asm")],
                   check=True)
    with open(out, "rb") as f:
        return f.read()


def bzimage(payload, protocol=0x020f, kernel64=True, cmdline_size=2047):
    """A bzImage: one setup sector after the boot sector, then the payload. Fields after
    cmdline_size exist from protocol 2.10 on (pref_address, init_size)."""
    setup_sects = 1
    setup = bytearray(512 * (setup_sects + 1))
    payload = payload + bytes(-len(payload) % 16)
    header_end = 0x26c if protocol >= 0x020a else 0x23c
    setup[0x1f1] = setup_sects
    struct.pack_into("<I", setup, 0x1f4, len(payload) // 16)          # syssize
    struct.pack_into("<H", setup, 0x1fe, 0xaa55)                      # boot_flag
    setup[0x200:0x202] = bytes([0xeb, header_end - 0x202])            # jmp over the header
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, protocol)
    setup[0x211] = 0x01                                               # LOADED_HIGH
    struct.pack_into("<I", setup, 0x214, CLASSIC_ADDR)                # code32_start
    struct.pack_into("<I", setup, 0x22c, 0x7fffffff)                  # initrd_addr_max
    struct.pack_into("<I", setup, 0x238, cmdline_size)
    if protocol >= 0x020a:
        struct.pack_into("<I", setup, 0x230, 0x200000)                # kernel_alignment
        setup[0x234] = 1                                              # relocatable_kernel
        struct.pack_into("<H", setup, 0x236, 1 if kernel64 else 0)    # XLF_KERNEL_64
        struct.pack_into("<Q", setup, 0x258, PREF_ADDR)
        struct.pack_into("<I", setup, 0x260, INIT_SIZE)
    return bytes(setup) + payload


def run(argv, timeout=TIMEOUT_S):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(errors="replace")


def report(name, argv, problems, out, err):
    print(f"[{name}] {' '.join(argv)}")
    if problems:
        print(f"[{name}] FAIL: {'; '.join(problems)}\n--- stdout\n{out}--- stderr\n{err}")
        return False
    print(f"[{name}] ok")
    return True


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def loader_cases(a, tmp):
    p64 = assemble(a.nasm, a.src, os.path.join(tmp, "p64.bin"), PREF_ADDR)
    p32 = assemble(a.nasm, a.src, os.path.join(tmp, "p32.bin"), CLASSIC_ADDR)
    k64 = write(os.path.join(tmp, "k64.bzImage"), bzimage(p64))
    k32 = write(os.path.join(tmp, "k32.bzImage"), bzimage(p32, protocol=0x0206, kernel64=False))
    rd = write(os.path.join(tmp, "initrd"), b"RDMAGIC!" + bytes(RD_SIZE - 9) + b"\x5a")
    base = ["-m", str(RAM >> 20), "-nographic", "-no-reboot", "-accel", a.accel] + EXIT_DEVICE
    return [
        ("entry64", base + ["-kernel", k64, "-append", "lbtest rd=0"], "linuxboot64: PASS"),
        ("entry64-initrd", base + ["-kernel", k64, "-initrd", rd, "-append", "lbtest rd=1"],
         "linuxboot64: PASS"),
        ("entry32-protocol206", base + ["-kernel", k32, "-append", "lbtest rd=0"], "linuxboot32: PASS"),
    ]


def run_loader(a, tmp):
    ok = True
    for name, args, expect in loader_cases(a, tmp):
        argv = [a.ferry] + args
        rc, out, err = run(argv)
        problems = []
        if rc != PASS_STATUS:
            problems.append(f"exit status {rc}, want {PASS_STATUS}")
        if expect not in out:
            problems.append(f"stdout lacks {expect!r}")
        ok = report(name, argv, problems, out, err) and ok
    return ok


def run_errors(a, tmp):
    payload = assemble(a.nasm, a.src, os.path.join(tmp, "p64.bin"), PREF_ADDR)
    good = bzimage(payload)
    k = write(os.path.join(tmp, "k.bzImage"), good)
    cases = [
        ("old-protocol", ["-kernel", write(os.path.join(tmp, "old"), bzimage(payload, protocol=0x0205))],
         "boot protocol 2.05 is too old"),
        ("truncated", ["-kernel", write(os.path.join(tmp, "trunc"), good[:-64])], "truncated bzImage"),
        ("truncated-header", ["-kernel", write(os.path.join(tmp, "trunc-hdr"), good[:0x210])],
         "truncated bzImage setup header"),
        ("ram-too-small", ["-m", "16", "-kernel", k], "RAM too small"),
        ("initrd-too-large", ["-m", "24", "-kernel", k, "-initrd",
                              write(os.path.join(tmp, "big"), bytes(8 << 20))], "is too large"),
        ("initrd-missing", ["-kernel", k, "-initrd", os.path.join(tmp, "absent")], "cannot open initrd"),
        ("cmdline-too-long", ["-kernel", write(os.path.join(tmp, "short-cmd"), bzimage(payload, cmdline_size=16)),
                              "-append", "x" * 40], "takes at most 16"),
    ]
    ok = True
    for name, args, expect in cases:
        argv = [a.ferry, "-nographic", "-no-reboot"] + args
        if "-m" not in args:
            argv += ["-m", "64"]
        rc, out, err = run(argv)
        problems = []
        if rc != 1:
            problems.append(f"exit status {rc}, want 1")
        lines = err.splitlines()
        if len(lines) != 1 or expect not in lines[0]:
            problems.append(f"stderr is not one line containing {expect!r}")
        ok = report(name, argv, problems, out, err) and ok
    return ok


def run_debian(a, markers=DEBIAN_MARKERS, initrd=None):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        print("[debian] FAIL: no /boot/vmlinuz-*: install linux-image-amd64 (scripts/deps.sh)")
        return False
    append = "console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8"
    argv = [a.ferry, "-m", "512", "-nographic", "-no-reboot", "-accel", a.accel,
            "-kernel", kernels[-1], "-append", append] + (["-initrd", initrd] if initrd else [])
    print(f"[debian] {' '.join(argv)}")
    # no wall-clock limit of its own: a slow host (or qemu-aarch64-static under the aarch64
    # build) only makes it slower; meson's timeout ends a hang
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    buf, start = b"", time.monotonic()
    # read until every marker is seen (the kernel then goes on, or halts: either way the
    # run is ended here) or the process exits
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            if all(m.encode() in buf for m in markers):
                break
    elapsed = time.monotonic() - start
    proc.kill()
    proc.wait()
    text = buf.decode(errors="replace")
    missing = [m for m in markers if m not in text]
    if missing:
        print(f"[debian] FAIL after {elapsed:.1f} s: missing {missing}\n--- output\n{text}")
        return False
    print(f"[debian] ok: every marker within {elapsed:.1f} s")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ferry")
    parser.add_argument("mode", choices=["loader", "errors", "debian", "shell"])
    parser.add_argument("--initramfs", help="the shared build_initramfs.sh (mode shell)")
    parser.add_argument("--work", help="where the initramfs is built (mode shell)")
    parser.add_argument("--nasm", default="nasm")
    parser.add_argument("--src", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--accel", default="interp")
    a = parser.parse_args()
    if a.mode == "debian":
        return 0 if run_debian(a) else 1
    if a.mode == "shell":
        build = subprocess.run(["sh", a.initramfs], env=dict(os.environ, BENCH_OUT=a.work),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        initrd = os.path.join(a.work, "linux", "initrd.cpio.gz")
        if build.returncode != 0 or not os.path.exists(initrd):
            print(build.stdout.decode(errors="replace") + "[shell] FAIL: no initramfs built")
            return 1
        markers = DEBIAN_MARKERS + ["BOOT-OK", host_compute_marker()]
        return 0 if run_debian(a, markers, initrd) else 1
    with tempfile.TemporaryDirectory(prefix="ferry-linuxboot-") as tmp:
        ok = run_loader(a, tmp) if a.mode == "loader" else run_errors(a, tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
