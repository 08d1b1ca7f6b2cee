#!/usr/bin/env python3
"""Command-line behaviour of ferry: bad options and bad files end with status 1 and exactly
one stderr line starting "ferry: "; -version and -help succeed. No guest runs here."""
import os
import struct
import subprocess
import sys
import tempfile

FERRY = sys.argv[1]
failures = []


def run(args):
    p = subprocess.run([FERRY] + args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def expect_error(name, args, needle=None):
    status, _, err = run(args)
    lines = err.splitlines()
    ok = status == 1 and len(lines) == 1 and lines[0].startswith("ferry: ")
    if ok and needle and needle not in lines[0]:
        ok = False
    if not ok:
        failures.append(f"{name}: status {status}, stderr {err!r}")


def elf32_multiboot(phoff=52, paddr=0x100000, memsz=0x1000):
    """A minimal i386 ELF with one PT_LOAD segment holding a Multiboot header."""
    body = bytearray(0x100)
    body[0:12] = struct.pack("<III", 0x1BADB002, 0, (-0x1BADB002) & 0xFFFFFFFF)
    ehdr = bytearray(52)
    ehdr[0:16] = b"\x7fELF\x01\x01\x01" + bytes(9)
    struct.pack_into("<HHIIIIIHHHHHH", ehdr, 16, 2, 3, 1, paddr, phoff, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0x60, paddr, paddr, len(body), memsz, 5, 0x1000)
    image = ehdr + phdr
    return bytes(image + bytes(0x60 - len(image)) + body)


with tempfile.TemporaryDirectory() as tmp:
    def make(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    good = elf32_multiboot()
    notelf = make("notelf", b"this is not a kernel\n" * 50)
    truncated = make("truncated.elf", good[:40])
    bad_phdrs = make("badphdr.elf", elf32_multiboot(phoff=0x10000))
    outside = make("outside.elf", elf32_multiboot(paddr=0x7FF0000, memsz=0x20000))
    bios_odd = make("bios-odd.bin", bytes(70000))
    bios_small = make("bios-small.bin", bytes(32768))
    missing = os.path.join(tmp, "does-not-exist")
    base = ["-nodefaults", "-display", "none"]

    expect_error("unknown flag", ["-frobnicate"], "-frobnicate")
    expect_error("missing argument", ["-kernel"], "-kernel")
    expect_error("bad -m", ["-m", "garbage"], "garbage")
    expect_error("bad -m suffix", ["-m", "12Q"])
    expect_error("-m too small", base + ["-m", "0", "-kernel", notelf])
    expect_error("-smp 4", ["-smp", "4"])
    expect_error("bad -cpu", ["-cpu", "pentium9"], "max")
    expect_error("bad -device", ["-device", "e1000"])
    expect_error("bad -accel", ["-accel", "kvm"])
    expect_error("bad -machine", ["-machine", "q35"])
    expect_error("bad -serial", ["-serial", "telnet:1234"])
    expect_error("bad debug-exit iobase", ["-device", "isa-debug-exit,iobase=0x12345"])
    expect_error("missing disk image", base + ["-hda", missing], missing)
    expect_error("bad -drive format", base + ["-drive", "file=" + notelf + ",format=qcow2"], "qcow2")
    expect_error("missing kernel", base + ["-kernel", missing], missing)
    expect_error("kernel not ELF", base + ["-kernel", notelf], "Multiboot")
    expect_error("truncated ELF", base + ["-kernel", truncated], "truncated")
    expect_error("corrupt ELF program headers", base + ["-kernel", bad_phdrs])
    expect_error("segment outside RAM", base + ["-m", "64", "-kernel", outside], "outside RAM")
    expect_error("bios wrong size", base + ["-bios", bios_odd], "64 KiB")
    expect_error("bios too small", base + ["-bios", bios_small], "64 KiB")
    expect_error("missing bios", base + ["-bios", missing], missing)

    status, out, err = run(["-version"])
    if status != 0 or not out.startswith("ferry version ") or err:
        failures.append(f"-version: status {status}, stdout {out!r}, stderr {err!r}")
    status, out, err = run(["--help"])
    if status != 0 or "-kernel" not in out or err:
        failures.append(f"--help: status {status}, stderr {err!r}")

for f in failures:
    print("FAIL", f)
print(f"{'FAILED' if failures else 'ok'}: cli tests")
sys.exit(1 if failures else 0)
