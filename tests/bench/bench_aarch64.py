#!/usr/bin/env python3
"""The aarch64 build of ferry on the shared benchmark guests (../shared/bench), JIT against
interpreter, both under the same emulator prefix (qemu-aarch64-static on an x86-64 machine),
in one interleaved run (round by round, workload by workload, backend by backend). A tool,
not a test.

usage: tests/bench/bench_aarch64.py [--ferry build-aarch64/ferry] [--emu-prefix qemu-aarch64-static]
                                    [--builds 32,64] [--wls cm,mem,ind,smc,fp] [--scale 10] [--rounds 1]

Under qemu-aarch64-static absolute speed means little, so the table gives the ratio JIT time /
interpreter time. Time is the guest's TSC delta for its workload: on non-x86 hosts ferry's guest
TSC counts nanoseconds of the host's monotonic clock, so cycles / 1e9 is seconds.

Code density: with FERRY_JIT_STATS=1 the AArch64 backend reports, at exit, the host
instructions it emitted and the IR ops it compiled per guest instruction translated (static
counts over every block of the run). The interpreter emits no host code: its unit of work is
the IR op (one dispatch each), so its column is IR ops per guest instruction (the same IR the
JIT compiles). Every checksum must equal the native twin's, or the row says so."""
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
STATS = re.compile(r"aarch64-jit: .*: ([\d.]+) host insns and ([\d.]+) IR ops per guest insn")


def run(argv, env=None):
    """(guest seconds, checksum, host insns per guest insn, IR ops per guest insn, wall s)."""
    t0 = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env)
    wall = time.monotonic() - t0
    out = p.stdout.decode(errors="replace")
    m, s = RESULT.search(out), STATS.search(out)
    return (int(m.group(2)) / 1e9 if m else None, m.group(3) if m else None,
            float(s.group(1)) if s else None, float(s.group(2)) if s else None, wall)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", default=os.path.join(REPO, "build-aarch64", "ferry"))
    ap.add_argument("--emu-prefix", default="qemu-aarch64-static",
                    help="command that runs an aarch64 binary here ('' on an aarch64 host)")
    ap.add_argument("--builds", default="32,64")
    ap.add_argument("--wls", default="cm,mem,ind,smc,fp")
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(REPO, "bench-out-aarch64"))
    a = ap.parse_args()
    env = dict(os.environ, BENCH_OUT=a.out)
    subprocess.run(["sh", os.path.join(SHARED, "guest", "build.sh")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    guest = os.path.join(a.out, "guest")
    builds, wls = a.builds.split(","), a.wls.split(",")
    prefix = shlex.split(a.emu_prefix)
    stats_env = dict(os.environ, FERRY_JIT_STATS="1")

    native = {}
    for b in builds:
        out = subprocess.run([os.path.join(guest, "native" + b), "wl=" + ",".join(wls), f"scale={a.scale}"],
                             capture_output=True, text=True).stdout
        native[b] = {w: c for w, _, c in RESULT.findall(out)}

    samples = {}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  ferry {a.ferry} under '{a.emu_prefix}', scale={a.scale}, "
          f"rounds={a.rounds}, loadavg {os.getloadavg()[0]:.2f}", flush=True)
    for _ in range(a.rounds):
        for b in builds:
            for w in wls:
                for accel in ("jit", "interp"):
                    argv = prefix + [a.ferry, "-accel", accel] + shlex.split(MACHINE) + \
                        ["-kernel", os.path.join(guest, f"bench{b}.elf"), "-append", f"wl={w} scale={a.scale}"]
                    secs, csum, host, ir, wall = run(argv, stats_env if accel == "jit" else None)
                    ok = csum is not None and csum == native[b].get(w)
                    samples.setdefault((b, w, accel), []).append((secs, ok, host, ir, wall))
                    print(f"  {b}-bit {w:4} {accel:6} guest {secs if secs is not None else float('nan'):.3f} s "
                          f"wall {wall:.1f} s csum {'ok' if ok else 'MISMATCH'}", file=sys.stderr, flush=True)

    print("\n| guest | workload | interp s | JIT s | JIT / interp | A64 insns per guest insn (JIT) "
          "| IR ops per guest insn (interp) | checksums |")
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for b in builds:
        for w in wls:
            j, i = samples[(b, w, "jit")], samples[(b, w, "interp")]
            js = statistics.median(s[0] for s in j if s[0] is not None) if any(s[0] for s in j) else None
            is_ = statistics.median(s[0] for s in i if s[0] is not None) if any(s[0] for s in i) else None
            ratio = js / is_ if js and is_ else None
            if ratio:
                ratios.append(ratio)
            host = statistics.median(s[2] for s in j if s[2] is not None) if any(s[2] for s in j) else None
            ir = statistics.median(s[3] for s in j if s[3] is not None) if any(s[3] for s in j) else None
            ok = all(s[1] for s in j + i)
            fmt = lambda v, f: format(v, f) if v is not None else "-"
            print(f"| {b}-bit | {w} | {fmt(is_, '.3f')} | {fmt(js, '.3f')} | {fmt(ratio, '.3f')} | "
                  f"{fmt(host, '.1f')} | {fmt(ir, '.1f')} | {'ok' if ok else 'MISMATCH'} |")
    if ratios:
        print(f"\ngeometric mean JIT / interp: {statistics.geometric_mean(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
