#!/usr/bin/env python3
"""tests/display: the standard VGA seen through screendump PNGs.

text:  Debian's SeaBIOS boots the shared one-sector disk (../shared/seabios/hello.asm) with
       the VGA; after HELLO-BOOT is on COM1 the monitor (on stdio) writes a screendump. The
       PNG is decoded here (zlib) and read back as text by matching every 9x16 cell against
       the 8x16 font of the same VGA BIOS (vgabios-stdvga.bin): the SeaBIOS banner and the
       HELLO-BOOT line must be there, in the BIOS's light grey on black, with the 9th
       column of each cell blank.
modes: tests/display/modes.asm shows mode 13h, mode 12h and a VBE 640x480x24 mode in turn;
       after each marker on COM1 a screendump must have the mode's size and its pixels.
sdl:   under Xvfb with -display sdl: the window appears (xdotool finds its title), keys
       typed with xdotool reach tests/display/kbd_echo.asm (echoed on COM1 and on screen
       through int 16h / int 10h, with the set 1 scancodes the i8042 translated), a
       screendump shows the typed text, and Ctrl-Alt-G grabs and releases (window title).

Each run under ferry is repeated under QEMU (same disk, same checks) when it is installed.
usage: display_test.py MODE FERRY ACCEL ASM [--qemu QEMU]"""
import argparse, os, shutil, signal, struct, subprocess, sys, tempfile, time, zlib

VGA_BIOS = "/usr/share/seabios/vgabios-stdvga.bin"
TEXT_FG, TEXT_BG = (0xaa, 0xaa, 0xaa), (0, 0, 0)


def near(px, rgb):
    """Same colour up to QEMU's rounding of 6-bit DAC values (ferry's are exact: x*255/63)."""
    return all(abs(a - b) <= 3 for a, b in zip(px, rgb))


def png_decode(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind}"
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def vga_font():
    """glyph (16 row bytes) -> character, from the 8x16 font inside the VGA BIOS. The table
    is found by the IBM font's well-known glyph 1 (a smiley) right after the empty glyph 0."""
    rom = open(VGA_BIOS, "rb").read()
    smiley = bytes([0, 0, 0x7e, 0x81, 0xa5, 0x81, 0x81, 0xbd, 0x99, 0x81, 0x81, 0x7e, 0, 0, 0, 0])
    at = rom.find(bytes(16) + smiley)
    assert at >= 0, "no 8x16 font in the VGA BIOS"
    glyphs = {}
    for ch in range(255, -1, -1):       # printable ASCII wins where glyphs coincide
        glyphs[rom[at + 16 * ch:at + 16 * ch + 16]] = ch
    for ch in range(0x20, 0x7f):
        glyphs[rom[at + 16 * ch:at + 16 * ch + 16]] = ch
    return glyphs


def read_text(png, glyphs):
    """The screen as lines of text (latin-1 for the characters 0x80-0xFF): '?' for a cell that
    is not a glyph in TEXT_FG on TEXT_BG, or whose 9th column breaks the line-graphics rule
    (a copy of the 8th for characters 0xC0-0xDF, background for the others)."""
    width, height, rows = png
    assert (width, height) == (720, 400), f"text screen is {width}x{height}, expected 720x400"
    lines = []
    for row in range(25):
        text = ""
        for col in range(80):
            glyph, ninth, ok = bytearray(), [], True
            for y in range(16):
                line = rows[row * 16 + y]
                bits = 0
                for x in range(9):
                    px = line[col * 9 + x]
                    fg = near(px, TEXT_FG)
                    if not fg and not near(px, TEXT_BG): ok = False
                    if x == 8: ninth.append(fg)
                    elif fg: bits |= 0x80 >> x
                glyph.append(bits)
            ch = glyphs.get(bytes(glyph)) if ok else None
            if ch is not None and ninth != [0xc0 <= ch <= 0xdf and bool(b & 1) for b in glyph]: ch = None
            text += "?" if ch is None else chr(ch) if ch >= 0x20 else "."
        lines.append(text.rstrip())
    return lines


class Emulator:
    """An emulator with its monitor on stdio and COM1 in a file."""

    def __init__(self, name, argv, serial_log, is_qemu):
        self.name, self.serial_log, self.is_qemu = name, serial_log, is_qemu
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

    def serial(self):
        try:
            return open(self.serial_log, "rb").read().decode("latin-1")
        except FileNotFoundError:
            return ""

    def wait_serial(self, marker):
        """Wait (no time limit: meson's test timeout is the bound) for marker on COM1."""
        while marker not in self.serial():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited (status {self.proc.returncode}) before '{marker}' on COM1; "
                                   f"stderr: {self.proc.stderr.read().decode('latin-1')[-1500:]}")
            time.sleep(0.02)

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def screendump(self, path):
        if os.path.exists(path): os.unlink(path)
        self.command(f"screendump {path} -f png" if self.is_qemu else f"screendump {path}")
        # the file is complete once the emulator answers the next command
        self.command("info registers" if not self.is_qemu else "info status")
        while not os.path.exists(path) or os.path.getsize(path) < 60:
            if self.proc.poll() is not None: raise RuntimeError(f"{self.name} exited before the screendump")
            time.sleep(0.02)
        time.sleep(0.1)
        return png_decode(path)

    def quit(self):
        try:
            self.command("quit")
        except BrokenPipeError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def exit_problem(self):
        """After quit: a nonzero status (a sanitizer report, a crash) is a failure."""
        if self.proc.returncode == 0: return None
        return (f"{self.name} ended with status {self.proc.returncode}: "
                f"{self.proc.stderr.read().decode('latin-1')[-1500:]}")


def emulators(args, tmp):
    out = []
    if args.qemu:
        out.append(("qemu", [args.qemu, "-machine", "pc,smm=off", "-accel", "tcg", "-net", "none"], True))
    out.append(("ferry-" + args.accel, [args.ferry, "-machine", "pc", "-accel", args.accel], False))
    return out


def disk_image(asm, tmp):
    img = os.path.join(tmp, os.path.basename(asm) + ".img")
    subprocess.run(["nasm", "-f", "bin", asm, "-o", img], check=True)
    with open(img, "r+b") as f:
        f.truncate(1474560)
    return img


def start(name, base, img, tmp, extra=(), is_qemu=False):
    serial_log = os.path.join(tmp, name + "-com1.log")
    argv = base + ["-m", "64", "-no-reboot", "-vga", "std", "-monitor", "stdio", "-serial", "file:" + serial_log,
                   "-drive", f"file={img},format=raw,if=ide,index=0,media=disk"] + list(extra)
    return Emulator(name, argv, serial_log, is_qemu)


def test_text(args, tmp):
    img, glyphs, ok, screens = disk_image(args.asm, tmp), vga_font(), True, {}
    for name, base, is_qemu in emulators(args, tmp):
        emu = start(name, base, img, tmp, ["-display", "none"], is_qemu)
        try:
            emu.wait_serial("HELLO-BOOT from boot sector")
            png = emu.screendump(os.path.join(tmp, name + "-text.png"))
        finally:
            emu.quit()
        lines = read_text(png, glyphs)
        banner = [l for l in lines if l.startswith("SeaBIOS (version 1.16")]
        hello = [i for i, l in enumerate(lines) if l == "HELLO-BOOT from boot sector"]
        problems = [p for p in [emu.exit_problem()] if p]
        if not banner: problems.append("no SeaBIOS banner line on the screen")
        if not hello: problems.append("no 'HELLO-BOOT from boot sector' line on the screen")
        if problems:
            print(f"{name}: FAIL: " + "; ".join(problems) + "\n--- screen:\n" + "\n".join(lines))
            ok = False
            continue
        screens[name] = lines[:hello[0] + 1]
        print(f"{name}: ok: '{banner[0]}' and HELLO-BOOT on line {hello[0] + 1}")
    if len(screens) == 2 and len(set(map(tuple, screens.values()))) != 1:
        print("FAIL: ferry's screen differs from QEMU's:\n" + "\n---\n".join("\n".join(v) for v in screens.values()))
        ok = False
    return ok


MODE_CHECKS = {
    # marker: (width, height, [(x, y, rgb)])
    # mode 13h is 320x200 shown as 640x400 (pixels doubled both ways), as QEMU shows it
    "MODE-13H": (640, 400, [(10, 10, (0xaa, 0, 0)), (600, 19, (0xaa, 0, 0)), (10, 30, (0xff, 0xff, 0xff)),
                            (10, 200, (0, 0, 0))]),
    "MODE-12H": (640, 480, [(0, 5, (0xff, 0xff, 0x55)), (63, 5, (0xff, 0xff, 0x55)), (64, 5, (0, 0, 0)),
                            (10, 6, (0, 0, 0)), (10, 4, (0, 0, 0))]),
    "MODE-VBE": (640, 480, [(0, 0, (0x99, 0x66, 0x33)), (63, 0, (0x99, 0x66, 0x33)), (64, 0, (0, 0, 0)),
                            (0, 1, (0, 0, 0))]),
}


def test_modes(args, tmp):
    img, ok = disk_image(args.asm, tmp), True
    for name, base, is_qemu in emulators(args, tmp):
        emu = start(name, base, img, tmp, ["-display", "none"], is_qemu)
        problems = []
        try:
            for marker, (w, h, pixels) in MODE_CHECKS.items():
                emu.wait_serial(marker)
                width, height, rows = emu.screendump(os.path.join(tmp, f"{name}-{marker}.png"))
                if (width, height) != (w, h):
                    problems.append(f"{marker}: screen {width}x{height}, expected {w}x{h}")
                    continue
                for x, y, rgb in pixels:
                    if not near(rows[y][x], rgb):
                        problems.append(f"{marker}: pixel ({x},{y}) is {rows[y][x]}, expected {rgb}")
        except RuntimeError as e:
            problems.append(str(e))
        finally:
            emu.quit()
        if emu.exit_problem(): problems.append(emu.exit_problem())
        if "VBE-FAIL" in emu.serial(): problems.append("the VGA BIOS refused VBE mode 0x112")
        print(f"{name}: " + ("ok: mode 13h, 12h and VBE 640x480x24 screens" if not problems
                               else "FAIL: " + "; ".join(problems)))
        ok &= not problems
    return ok


def xdotool(*argv, display):
    return subprocess.run(["xdotool"] + list(argv), env=dict(os.environ, DISPLAY=display),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def start_xvfb(tmp):
    """A private Xvfb; its display number is chosen by Xvfb itself (-displayfd)."""
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    while not number.endswith(b"\n"):
        c = os.read(r, 16)
        if not c: raise RuntimeError("Xvfb did not start")
        number += c
    os.close(r)
    return xvfb, ":" + number.decode().strip()


def test_sdl(args, tmp):
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        print("SKIP: Xvfb or xdotool missing (scripts/deps.sh installs xvfb and xdotool)")
        return 77
    img, glyphs, ok = disk_image(args.asm, tmp), vga_font(), True
    xvfb, display = start_xvfb(tmp)
    try:
        os.environ["DISPLAY"] = display
        # ferry only: the window, its title and keyboard path are ferry's own
        name = "ferry-" + args.accel
        emu = start(name, [args.ferry, "-machine", "pc", "-accel", args.accel], img, tmp, ["-display", "sdl"])
        problems = []
        try:
            emu.wait_serial("KBD-READY")
            while True:
                found = xdotool("search", "--name", "^ferry - ", display=display)
                if found.returncode == 0 and found.stdout.split(): break
                if emu.proc.poll() is not None: raise RuntimeError("ferry exited before its window appeared")
                time.sleep(0.05)
            window = found.stdout.split()[0]
            title = xdotool("getwindowname", window, display=display).stdout.strip()
            if title != "ferry - running": problems.append(f"window title '{title}', expected 'ferry - running'")
            xdotool("windowfocus", "--sync", window, display=display)
            typed = "Hello 42"
            xdotool("type", "--delay", "60", typed, display=display)
            xdotool("key", "Return", display=display)
            emu.wait_serial("LINE:" + typed + "\r")
            # int 16h's AH is the set 1 code: the i8042 translated the window's set 2 codes
            codes = "2348 1265 266c 266c 186f 3920 0534 0332 1c0d "
            if codes not in emu.serial(): problems.append(f"scancode/character pairs on COM1 are not '{codes}'")
            for want in ("ferry - grabbed, Ctrl-Alt-G releases", "ferry - running"):
                xdotool("key", "ctrl+alt+g", display=display)
                while xdotool("getwindowname", window, display=display).stdout.strip() != want:
                    if emu.proc.poll() is not None: raise RuntimeError("ferry exited during the grab toggle")
                    time.sleep(0.05)
            png = emu.screendump(os.path.join(tmp, name + "-sdl.png"))
            lines = read_text(png, glyphs)
            # the line-graphics characters (0xC4, 0xC3) check the 9th-column rule
            if "\xc4\xc3 KBD-READY" not in lines or typed not in lines:
                problems.append("the screen does not show KBD-READY and the typed line:\n" + "\n".join(lines[:6]))
        except RuntimeError as e:
            problems.append(str(e))
        finally:
            emu.quit()
        if emu.exit_problem(): problems.append(emu.exit_problem())
        print(f"{name}: " + ("ok: window, keys via xdotool on COM1 and on the screen" if not problems
                               else "FAIL: " + "; ".join(problems) + "\n--- COM1:\n" + emu.serial()[-500:]))
        ok = not problems
    finally:
        xvfb.send_signal(signal.SIGTERM)
        xvfb.wait()
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["text", "modes", "sdl"])
    ap.add_argument("ferry")
    ap.add_argument("accel")
    ap.add_argument("asm")
    ap.add_argument("--qemu")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ferry-display-")
    result = {"text": test_text, "modes": test_modes, "sdl": test_sdl}[args.mode](args, tmp)
    if result == 77: sys.exit(77)
    if result: shutil.rmtree(tmp, ignore_errors=True)
    else: print("files kept in " + tmp)
    sys.exit(0 if result else 1)


main()
