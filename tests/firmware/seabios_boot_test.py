#!/usr/bin/env python3
"""tests/firmware: boot Debian's SeaBIOS from reset with no -kernel and no -bios, and let it
boot the shared one-sector disk (../shared/seabios/hello.asm, assembled here and padded to a
1.44 MB raw image on the IDE primary master). Checks: the SeaBIOS banner on the debug
console (port 0x402), SeaBIOS's own view of the disk ("ata0-0: ... Hard-Disk"), the boot
sector's HELLO-BOOT on COM1, and the exit through isa-debug-exit (status 3). There is no
VGA yet, so the int 10h half of hello.asm is not observable; COM1 is.

The same run under QEMU (-machine pc,smm=off, same devices) is the reference when
qemu-system-x86_64 is installed, and must pass the same checks.

usage: seabios_boot_test.py FERRY ACCEL HELLO_ASM [--qemu QEMU] [--boot-args ...]"""
import argparse, os, subprocess, sys, tempfile

def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")

def check(name, argv, serial_log, debug_log, disk_line):
    status, out, err = run(argv)
    serial = open(serial_log, "rb").read().decode("latin-1")
    debug = open(debug_log, "rb").read().decode("latin-1")
    problems = []
    if status != 3:
        problems.append(f"exit status {status}, expected 3 (isa-debug-exit)")
    if "SeaBIOS (version" not in debug:
        problems.append("no SeaBIOS banner on the debug console")
    if disk_line not in debug:
        problems.append(f"SeaBIOS did not report the disk ('{disk_line}')")
    if "Booting from Hard Disk" not in debug:
        problems.append("SeaBIOS did not boot from the hard disk")
    if "HELLO-BOOT from boot sector" not in serial:
        problems.append("no HELLO-BOOT on COM1")
    if problems:
        print(f"{name}: FAIL: " + "; ".join(problems))
        print(f"--- {name} stderr:\n{err[-2000:]}\n--- debug console:\n{debug[-3000:]}\n--- COM1:\n{serial[-1000:]}")
        return False
    print(f"{name}: ok")
    return True

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ferry")
    ap.add_argument("accel")
    ap.add_argument("hello_asm")
    ap.add_argument("--qemu")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ferry-seabios-")
    img = os.path.join(tmp, "hello.img")
    subprocess.run(["nasm", "-f", "bin", args.hello_asm, "-o", img], check=True)
    with open(img, "r+b") as f:
        f.truncate(1474560)
    ok = True
    for name, emu, extra in (
        ["qemu", args.qemu, ["-machine", "pc,smm=off", "-accel", "tcg"]] if args.qemu else [None, None, None],
        ["ferry-" + args.accel, args.ferry, ["-machine", "pc", "-accel", args.accel]],
    ):
        if not emu:
            continue
        serial_log = os.path.join(tmp, name + "-com1.log")
        debug_log = os.path.join(tmp, name + "-debug.log")
        argv = [emu] + extra + ["-m", "64", "-nodefaults", "-display", "none", "-no-reboot",
                "-serial", "file:" + serial_log,
                "-chardev", "file,id=dbg,path=" + debug_log,
                "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-drive", f"file={img},format=raw,if=ide,index=0,media=disk"]
        disk_line = "ata0-0: QEMU HARDDISK" if name == "qemu" else "ata0-0: FERRY HARDDISK"
        ok &= check(name, argv, serial_log, debug_log, disk_line)
    sys.exit(0 if ok else 1)

main()
