#!/usr/bin/env python3
"""Side-by-side benchmark: native, QEMU TCG, ferry's JIT and ferry's interpreter on the shared
guests (../shared/bench), in ONE interleaved run (round by round, workload by workload, target
by target), so machine noise falls on every target alike. A tool, not a test.

usage: tests/bench/bench.py [--build 32|64] [--wls cm,mem,ind,smc] [--rounds 3] [--scale N]
                            [--targets native,qemu,jit,interp] [--ferry build/ferry]

Time is the guest's own TSC delta for its workload (RESULT ... cycles=N) divided by the host
TSC frequency: ferry's and QEMU's guest TSC follow the host TSC, so this is real time spent in
the workload, without start-up. Peak RSS is the child's ru_maxrss. Every run's checksum must
equal native's, or the row says so. Prints a Markdown table of medians and ratios."""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(REPO, "..", "shared", "bench")
MACHINE = "-m 256 -display none -nodefaults -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04"
RESULT = re.compile(r"RESULT wl=(\w+) scale=\d+ cycles=(\d+) csum=0x([0-9a-f]+)")


def build_guests(out):
    env = dict(os.environ, BENCH_OUT=out)
    subprocess.run(["sh", os.path.join(SHARED, "guest", "build.sh")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    hz = subprocess.run([os.path.join(out, "guest", "tschz")], capture_output=True, text=True).stdout
    return float(hz)


def command(target, build, wl, scale, guest_dir, ferry):
    app = f"wl={wl} scale={scale}"
    kernel = os.path.join(guest_dir, f"bench{build}.elf")
    if target == "native":
        return [os.path.join(guest_dir, f"native{build}"), f"wl={wl}", f"scale={scale}"]
    if target == "qemu":
        return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max"] + shlex.split(MACHINE) + \
               ["-kernel", kernel, "-append", app]
    return [ferry, "-accel", target] + shlex.split(MACHINE) + ["-kernel", kernel, "-append", app]


def run(argv):
    """(seconds by the guest TSC, checksum, peak RSS KiB) of one run."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode(errors="replace")
    _, _, usage = os.wait4(proc.pid, 0)
    m = RESULT.search(out)
    if not m:
        return None, None, usage.ru_maxrss
    return int(m.group(2)), m.group(3), usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="32", choices=["32", "64"])
    ap.add_argument("--wls", default="cm,mem,ind,smc")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=int, default=None, help="default: 50 (32-bit) / 100 (64-bit)")
    ap.add_argument("--targets", default="native,qemu,jit,interp")
    ap.add_argument("--ferry", default=os.path.join(REPO, "build", "ferry"))
    ap.add_argument("--out", default=os.path.join(REPO, "bench-out"))
    a = ap.parse_args()
    scale = a.scale or (50 if a.build == "32" else 100)
    wls, targets = a.wls.split(","), a.targets.split(",")
    hz = build_guests(a.out)
    guest_dir = os.path.join(a.out, "guest")
    samples = {}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  {a.build}-bit guest, scale={scale}, rounds={a.rounds}, "
          f"TSC {hz / 1e6:.0f} MHz, loadavg {os.getloadavg()[0]:.2f}", flush=True)
    for r in range(a.rounds):
        for wl in wls:
            for t in targets:
                cycles, csum, rss = run(command(t, a.build, wl, scale, guest_dir, a.ferry))
                secs = cycles / hz if cycles else None
                samples.setdefault((wl, t), []).append((secs, csum, rss))
                print(f"r{r} {wl:4} {t:7} {secs if secs is None else round(secs, 3)} s  csum={csum}  "
                      f"rss={rss / 1024:.1f} MiB", flush=True)
    print()
    print("| workload | target | time s (median) | x native | x QEMU | peak RSS MiB | RSS x QEMU | csum |")
    print("|---|---|---|---|---|---|---|---|")
    for wl in wls:
        med = {}
        for t in targets:
            xs = [s for s, _, _ in samples[(wl, t)] if s is not None]
            med[t] = (statistics.median(xs) if xs else None,
                      max(rss for _, _, rss in samples[(wl, t)]) / 1024)
        native_csum = {c for _, c, _ in samples.get((wl, "native"), [])}
        for t in targets:
            secs, rss = med[t]
            csums = {c for _, c, _ in samples[(wl, t)]}
            ok = "ok" if None not in csums and (not native_csum or csums == native_csum) else "MISMATCH"

            def ratio(ref, i):
                return f"{med[t][i] / med[ref][i]:.1f}x" if ref in med and med[ref][i] and med[t][i] else "-"
            print(f"| {wl} | {t} | {secs:.3f} | {ratio('native', 0)} | {ratio('qemu', 0)} | {rss:.1f} | "
                  f"{ratio('qemu', 1)} | {ok} |" if secs is not None else f"| {wl} | {t} | failed | | | | | |")
    if "jit" in targets and "interp" in targets:
        sp = [f"{wl} {med_ratio(samples, wl):.1f}x" for wl in wls]
        print("\nJIT speed-up over the interpreter: " + ", ".join(sp))


def med_ratio(samples, wl):
    j = statistics.median(s for s, _, _ in samples[(wl, "jit")] if s)
    i = statistics.median(s for s, _, _ in samples[(wl, "interp")] if s)
    return i / j


if __name__ == "__main__":
    sys.exit(main())
