#!/usr/bin/env python3
"""The firmware tables ferry writes for -kernel boots, as a guest sees them.

usage: fwtables_test.py FERRY FWDUMP_ELF --accel A --work DIR

fwdump.elf prints the BIOS area 0xF0000-0xF9FFF; this script then checks, from those bytes:
ACPI (RSDP both checksums, RSDT/XSDT listing the same tables, every table's checksum, the
FADT's PM blocks, SCI, reset register and FACS/DSDT pointers, the MADT's processor, I/O APIC
and overrides, the HPET table's block ID against the device's capabilities register), that
`iasl -d` disassembles the DSDT without errors into the objects ferry describes, the MP
table (floating pointer and table checksums, entry count and kinds), and SMBIOS (both entry
point checksums; `dmidecode --from-dump` decodes the structures, with the system strings).
"""
import argparse
import os
import re
import struct
import subprocess
import sys

BASE = 0xF0000
PM_BASE = 0x600
PROBLEMS = []


def check(cond, what):
    if not cond:
        PROBLEMS.append(what)
    return cond


def csum_ok(data):
    return sum(data) & 0xFF == 0


def dump_memory(ferry, elf, accel):
    argv = [ferry, "-m", "64", "-nographic", "-no-reboot", "-accel", accel,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", elf]
    print(" ".join(argv))
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    out = p.stdout.decode(errors="replace")
    if p.returncode != 33 or "fwdump: PASS" not in out:
        print(f"FAIL: guest exit status {p.returncode}\n{out[-2000:]}\n{p.stderr.decode(errors='replace')}")
        sys.exit(1)
    mem = bytearray(0xA000)
    for m in re.finditer(r"^fw 0x([0-9a-f]{8}) ([0-9a-f]{64})$", out, re.M):
        at = int(m.group(1), 16) - BASE
        mem[at:at + 32] = bytes.fromhex(m.group(2))
    return mem


def table_at(mem, pa):
    off = pa - BASE
    if not check(0 <= off < len(mem) - 36, f"table address {pa:#x} outside the BIOS area"):
        return None, b""
    sig = mem[off:off + 4].decode(errors="replace")
    length = struct.unpack_from("<I", mem, off + 4)[0]
    data = bytes(mem[off:off + length])
    check(len(data) == length and csum_ok(data), f"{sig} checksum or length ({length})")
    return sig, data


def gas(data, off):
    space, width, _, _, addr = struct.unpack_from("<BBBBQ", data, off)
    return space, width, addr


def check_acpi(mem, work):
    rsdp = bytes(mem[0:36])
    if not check(rsdp[:8] == b"RSD PTR ", "RSDP signature at 0xF0000"):
        return
    check(csum_ok(rsdp[:20]) and csum_ok(rsdp), "RSDP checksums")
    check(rsdp[15] == 2, "RSDP revision 2")
    rsdt_pa, length, xsdt_pa = struct.unpack_from("<IIQ", rsdp, 16)
    _, rsdt = table_at(mem, rsdt_pa)
    _, xsdt = table_at(mem, xsdt_pa)
    via_rsdt = list(struct.unpack_from(f"<{(len(rsdt) - 36) // 4}I", rsdt, 36))
    via_xsdt = list(struct.unpack_from(f"<{(len(xsdt) - 36) // 8}Q", xsdt, 36))
    check(via_rsdt == via_xsdt, "RSDT and XSDT list the same tables")
    tables = dict(table_at(mem, pa) for pa in via_xsdt)
    check(set(tables) == {"FACP", "APIC", "HPET"}, f"listed tables {sorted(tables)}")

    fadt = tables.get("FACP", b"")
    if check(len(fadt) == 244, "FADT revision 3 length 244"):
        facs_pa, dsdt_pa = struct.unpack_from("<II", fadt, 36)
        sci, smi_cmd, en, dis = struct.unpack_from("<HIBB", fadt, 46)
        check((sci, smi_cmd, en, dis) == (9, 0xB2, 0xF1, 0xF0), "FADT SCI 9, SMI_CMD 0xB2, enable F1/F0")
        pm1a_evt, _, pm1a_cnt, _, _, pm_tmr, gpe0 = struct.unpack_from("<7I", fadt, 56)
        check((pm1a_evt, pm1a_cnt, pm_tmr, gpe0) == (PM_BASE, PM_BASE + 4, PM_BASE + 8, PM_BASE + 0xC),
              "FADT PM1a event/control, PM timer, GPE0 blocks at the PIIX4 PM base")
        check(tuple(fadt[88:93]) == (4, 2, 0, 4, 4), "FADT block lengths")
        check(fadt[108] == 0x32, "FADT century index")
        flags = struct.unpack_from("<I", fadt, 112)[0]
        check(flags & (1 << 10), "FADT RESET_REG_SUP")
        check(gas(fadt, 116) == (1, 8, 0xCF9) and fadt[128] == 6, "FADT reset register 0xCF9 value 6")
        check(gas(fadt, 172) == (1, 16, PM_BASE + 4), "FADT X_PM1a_CNT_BLK")
        check(struct.unpack_from("<Q", fadt, 140)[0] == dsdt_pa, "FADT X_DSDT = DSDT")
        off = facs_pa - BASE
        check(facs_pa % 64 == 0 and mem[off:off + 4] == b"FACS", "FACS 64-byte aligned with its signature")
        sig, dsdt = table_at(mem, dsdt_pa)
        if check(sig == "DSDT", "FADT points at the DSDT"):
            check_dsdt(dsdt, work)

    madt = tables.get("APIC", b"")
    if check(len(madt) > 44, "MADT present"):
        check(struct.unpack_from("<II", madt, 36) == (0xFEE00000, 1), "MADT local APIC address, PCAT_COMPAT")
        entries, off = [], 44
        while off < len(madt):
            entries.append(bytes(madt[off:off + madt[off + 1]]))
            off += madt[off + 1]
        kinds = [e[0] for e in entries]
        check(kinds.count(0) == 1 and entries[kinds.index(0)][4] & 1, "MADT one enabled local APIC")
        check(any(e[0] == 1 and struct.unpack_from("<I", e, 4)[0] == 0xFEC00000 for e in entries), "MADT I/O APIC")
        overrides = {(e[3], struct.unpack_from("<I", e, 4)[0], struct.unpack_from("<H", e, 8)[0])
                     for e in entries if e[0] == 2}
        check(overrides == {(0, 2, 0), (9, 9, 0xD)}, f"MADT overrides {overrides}")

    hpet = tables.get("HPET", b"")
    if check(len(hpet) == 56, "HPET table length"):
        check(struct.unpack_from("<I", hpet, 36)[0] == 0x8086A201, "HPET block ID = capabilities low half")
        check(gas(hpet, 40) == (0, 64, 0xFED00000), "HPET base address")


def check_dsdt(dsdt, work):
    path = os.path.join(work, "dsdt.aml")
    with open(path, "wb") as f:
        f.write(dsdt)
    p = subprocess.run(["iasl", "-d", path], capture_output=True, text=True, cwd=work)
    dsl_path = os.path.join(work, "dsdt.dsl")
    if not check(p.returncode == 0 and os.path.exists(dsl_path), f"iasl -d failed: {p.stdout}{p.stderr}"):
        return
    dsl = open(dsl_path).read()
    print(f"DSDT: {len(dsdt)} bytes; iasl -d: ok")
    for want in ['Device (PCI0)', 'EisaId ("PNP0A03")', 'Method (_PRT', 'Method (\\_PIC', 'Name (\\_S5, Package',
                 'EisaId ("PNP0B00")', 'EisaId ("PNP0303")', 'EisaId ("PNP0501")', 'EisaId ("PNP0103")',
                 'IO (Decode16', 'WordBusNumber', 'DWordMemory', 'IRQNoFlags']:
        check(want in dsl, f"DSDT disassembly lacks {want!r}")
    s5 = re.search(r"Name \(\\_S5, Package \(0x04\)[^{]*\{\s*([^}]*)\}", dsl)
    check(s5 and re.split(r"[,\s]+", s5.group(1).strip())[:2] == ["Zero", "Zero"], "_S5 SLP_TYP 0 (PIIX4 soft off)")
    # compile it back: the disassembly must be valid ASL
    p = subprocess.run(["iasl", "-p", os.path.join(work, "recompiled"), dsl_path], capture_output=True,
                       text=True, cwd=work)
    check(p.returncode == 0 and "0 Errors, 0 Warnings" in p.stdout, f"iasl recompiling the DSDT: {p.stdout[-800:]}")


def check_mptable(mem):
    off = 0x8000
    fp = bytes(mem[off:off + 16])
    if not check(fp[:4] == b"_MP_" and csum_ok(fp), "MP floating pointer at 0xF8000"):
        return
    table_pa, length, rev = struct.unpack_from("<IBB", fp, 4)
    check(length == 1 and rev == 4, "MP floating pointer length 1, spec 1.4")
    t = table_pa - BASE
    base_len, spec = struct.unpack_from("<HB", mem, t + 4)
    table = bytes(mem[t:t + base_len])
    check(table[:4] == b"PCMP" and csum_ok(table) and spec == 4, "MP configuration table checksum")
    count = struct.unpack_from("<H", table, 34)[0]
    kinds, off = [], 44
    for _ in range(count):
        kinds.append(table[off])
        off += 20 if table[off] == 0 else 8
    check(off == base_len, "MP entries fill the table")
    check(kinds.count(0) == 1 and kinds.count(1) == 2 and kinds.count(2) == 1, "MP processor, 2 buses, I/O APIC")
    check(kinds.count(3) == 15 + 31 * 4 and kinds.count(4) == 2, "MP interrupt entries")


def check_smbios(mem, work):
    off = 0x9000
    ep = bytes(mem[off:off + 31])
    if not check(ep[:4] == b"_SM_" and ep[16:21] == b"_DMI_", "SMBIOS entry point at 0xF9000"):
        return
    check(csum_ok(ep) and csum_ok(ep[16:]), "SMBIOS entry point checksums")
    table_len, table_pa, count = struct.unpack_from("<HIH", ep, 22)
    table = bytes(mem[table_pa - BASE:table_pa - BASE + table_len])
    # dmidecode's dump format: the entry point at 0, the table at 0x20 (the address patched)
    patched = bytearray(ep)
    struct.pack_into("<I", patched, 24, 0x20)
    patched[21] = 0
    patched[21] = (-sum(patched[16:])) & 0xFF
    patched[4] = 0
    patched[4] = (-sum(patched)) & 0xFF
    path = os.path.join(work, "smbios.bin")
    with open(path, "wb") as f:
        f.write(bytes(patched) + bytes(0x20 - len(patched)) + table)
    p = subprocess.run(["dmidecode", "--from-dump", path], capture_output=True, text=True)
    out = p.stdout
    check(p.returncode == 0 and f"{count} structures occupying {table_len} bytes" in out,
          f"dmidecode: {p.stdout[:400]}{p.stderr}")
    for want in ["Manufacturer: ferry", "BIOS Information", "Processor Information", "Memory Device",
                 "Physical Memory Array", "System Boot Information", "Size: 64 MB", "End Of Table"]:
        check(want in out, f"dmidecode lacks {want!r}")
    check("Invalid" not in out and "Wrong" not in out, "dmidecode reports invalid entries")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ferry")
    ap.add_argument("elf")
    ap.add_argument("--accel", default="interp")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    mem = dump_memory(a.ferry, a.elf, a.accel)
    check_acpi(mem, a.work)
    check_mptable(mem)
    check_smbios(mem, a.work)
    if PROBLEMS:
        print("FAIL:\n  " + "\n  ".join(PROBLEMS))
        return 1
    print("fwtables: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
