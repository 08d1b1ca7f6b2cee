#!/usr/bin/env python3
"""tests/debug/debug_cost.py — what the debugger costs when it is not used, on the shared
benchmark guests (tests/bench/bench.py's guests, timing and checksum). A tool, not a test.

Variants of the same ferry run, interleaved round by round so machine noise falls on all:
  plain    no debug option (the -d log off: every hook is one branch)
  stub     -gdb tcp::PORT: the stub listens, no client (its 20 ms poll timer runs)
  client   -gdb with a gdb-protocol client attached that continued the guest and set no
           breakpoint or watchpoint (what a user who attached and typed `continue` pays)

usage: tests/debug/debug_cost.py [--build 32|64] [--wls cm,mem,ind,smc] [--rounds 5]
                                 [--scale 20] [--accel jit] [--ferry build/ferry]
Two measures per run: the guest's own TSC time for the workload (bench.py's), and the
process's CPU time (user + system, from wait4), which a loaded machine disturbs far less
than wall-clock time and which includes what the stub's poll timer costs in signals.
Prints, for each, the median of each workload and variant and each variant's ratio to plain
with the spread (min..max of the per-round ratios)."""
import argparse
import os
import shlex
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'bench'))
import bench  # noqa: E402  (build_guests, MACHINE, RESULT)

VARIANTS = ['plain', 'stub', 'client']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def packet(body):
    return b'$%s#%02x' % (body, sum(body) & 0xff)


def attach_and_continue(port, proc):
    """Connect as a gdb client once the stub listens, ask why it stopped, continue."""
    while proc.poll() is None:
        try:
            c = socket.create_connection(('127.0.0.1', port))
            break
        except ConnectionRefusedError:
            time.sleep(0.01)
    else:
        return None
    c.sendall(packet(b'?'))
    reply = b''
    while b'#' not in reply.lstrip(b'+'):
        reply += c.recv(4096)
    c.sendall(b'+' + packet(b'c'))
    return c


def run(ferry, accel, variant, kernel, wl, scale):
    """Cycles of guest TSC for the workload, its checksum and the process's CPU seconds."""
    argv = [ferry, '-accel', accel] + shlex.split(bench.MACHINE) + ['-kernel', kernel,
                                                                    '-append', 'wl=%s scale=%d' % (wl, scale)]
    port = free_port()
    if variant != 'plain':
        argv += ['-gdb', 'tcp::%d' % port]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = attach_and_continue(port, proc) if variant == 'client' else None
    out = proc.stdout.read().decode(errors='replace')
    _, _, usage = os.wait4(proc.pid, 0)
    if client:
        client.close()
    m = bench.RESULT.search(out)
    cpu = usage.ru_utime + usage.ru_stime
    return (int(m.group(2)), m.group(3), cpu) if m else (None, None, cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='32', choices=['32', '64'])
    ap.add_argument('--wls', default='cm,mem,ind,smc')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--scale', type=int, default=20)
    ap.add_argument('--accel', default='jit')
    ap.add_argument('--ferry', default=os.path.join(REPO, 'build', 'ferry'))
    ap.add_argument('--out', default=os.path.join(REPO, 'bench-out'))
    a = ap.parse_args()
    hz = bench.build_guests(a.out)
    kernel = os.path.join(a.out, 'guest', 'bench%s.elf' % a.build)
    wls = a.wls.split(',')
    samples = {'guest TSC': {}, 'process CPU': {}}
    csums = {}
    print('# %s  %s-bit guest, scale=%d, rounds=%d, accel=%s, loadavg %.2f' % (
        time.strftime('%Y-%m-%d %H:%M'), a.build, a.scale, a.rounds, a.accel, os.getloadavg()[0]), flush=True)
    for r in range(a.rounds):
        for wl in wls:
            for v in VARIANTS:
                c, csum, cpu = run(a.ferry, a.accel, v, kernel, wl, a.scale)
                samples['guest TSC'].setdefault((wl, v), []).append(c / hz if c else None)
                samples['process CPU'].setdefault((wl, v), []).append(cpu)
                csums.setdefault(wl, set()).add(csum)
                print('r%d %-4s %-6s %s s guest, %.3f s CPU' % (r, wl, v, '%.4f' % (c / hz) if c else 'failed', cpu),
                      flush=True)
    for measure, secs in samples.items():
        print('\n%s seconds (median of %d rounds)\n' % (measure, a.rounds))
        print('| workload | ' + ' | '.join('%s s' % v for v in VARIANTS) +
              ' | stub / plain | client / plain | checksums |')
        print('|---|' + '---|' * (len(VARIANTS) + 3))
        for wl in wls:
            med = {v: statistics.median(x for x in secs[(wl, v)] if x) for v in VARIANTS}

            def ratio(v):
                per_round = [x / p for x, p in zip(secs[(wl, v)], secs[(wl, 'plain')]) if x and p]
                return '%.3f (%.3f..%.3f)' % (med[v] / med['plain'], min(per_round), max(per_round))
            same = 'equal' if len(csums[wl]) == 1 and None not in csums[wl] else 'DIFFER'
            print('| %s | %s | %s | %s | %s |' % (wl, ' | '.join('%.3f' % med[v] for v in VARIANTS),
                                                  ratio('stub'), ratio('client'), same))


if __name__ == '__main__':
    sys.exit(main())
