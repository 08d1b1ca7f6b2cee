#!/usr/bin/env python3
"""Builds one Multiboot test guest: nasm -f elf32, then ld at 1 MiB with link.ld.

usage: mkguest.py NASM LD INPUT.asm OUTPUT.elf DEPFILE [INCLUDE_DIR...]

Every folder of nasm guests (tests/guests, system, platform, apic, debug) builds through
this one step; the include directories always hold tests/guests (mb.inc, serial.inc) and
the input's own folder. DEPFILE lists the included files, so editing an .inc rebuilds."""
import os
import subprocess
import sys


def main():
    nasm, ld, src, out, depfile = sys.argv[1:6]
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = [os.path.dirname(os.path.abspath(src)), here] + sys.argv[6:]
    obj = out + ".o"
    cmd = [nasm, "-f", "elf32", "-Werror", "-MD", depfile, "-MT", out]
    for d in dirs:
        cmd += ["-i", d.rstrip("/") + "/"]
    subprocess.run(cmd + ["-o", obj, src], check=True)
    subprocess.run([ld, "-m", "elf_i386", "-nostdlib", "-z", "noexecstack",
                    "--no-warn-rwx-segments", "-T", os.path.join(here, "link.ld"),
                    "-o", out, obj], check=True)
    os.unlink(obj)


if __name__ == "__main__":
    sys.exit(main())
