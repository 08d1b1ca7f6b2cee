#!/usr/bin/env python3
"""tests/debug/debug_test.py — drive ferry's debugger from outside, as a user would.

  gdb      real gdb in batch mode over -gdb tcp::PORT: break by address and by symbol,
           continue, 20 stepi checked against gdb's own disassembly, registers, x/4xw,
           Ctrl-C on a spinning guest, detach and reattach, kill
  monitor  -monitor stdio fed by a pipe: info registers, x, x/i, break, cont, step, errors
  log      -d in_asm,int -D FILE: disassembly lines of the guest and an exception line
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

EXIT_DEV = ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def symbol(elf, name):
    out = subprocess.run(['nm', elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    fail('no symbol ' + name)


def start_ferry(args, extra, **kw):
    return subprocess.Popen([args.ferry, '-accel', args.accel, '-nographic', '-serial', 'none']
                            + EXIT_DEV + extra, **kw)


def listening(port):
    """True once a socket listens on port (read from /proc: a probe connection would be
    taken for a gdb client that went away)."""
    with open('/proc/net/tcp') as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if int(local.split(':')[1], 16) == port and state == '0A':
                return True
    return False


def wait_listening(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            fail('ferry exited early with %d' % proc.returncode)
        if listening(port):
            return
        time.sleep(0.05)
    fail('ferry never listened on %d' % port)


def run_gdb(args, port, commands, python=None):
    cmd = ['gdb', '-batch', '-nx', '-ex', 'set pagination off', '-ex', 'set confirm off',
           '-ex', 'file ' + args.guest, '-ex', 'target remote 127.0.0.1:%d' % port]
    for c in commands:
        cmd += ['-ex', c]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


STEP_CHECK = r'''
python
arch = gdb.selected_frame().architecture()
moved = 0
for i in range(20):
    pc = int(gdb.parse_and_eval("$pc"))
    insn = arch.disassemble(pc)[0]
    gdb.execute("stepi", to_string=True)
    new = int(gdb.parse_and_eval("$pc"))
    text = insn["asm"].split()[0]
    if text.startswith("j") or text.startswith("call") or text.startswith("ret"):
        print("STEP branch %s %#x -> %#x" % (text, pc, new))
    elif new != pc + insn["length"]:
        print("STEP BAD %#x %s len %d -> %#x" % (pc, insn["asm"], insn["length"], new))
    else:
        moved += 1
print("STEPS straight=%d" % moved)
end
'''


def test_gdb(args):
    port = free_port()
    ferry = start_ferry(args, ['-S', '-gdb', 'tcp::%d' % port, '-kernel', args.guest])
    try:
        wait_listening(port, ferry)
        entry = symbol(args.guest, '_start')
        bump = symbol(args.guest, 'bump')
        after = symbol(args.guest, 'after_loop')
        step_file = tempfile.NamedTemporaryFile('w', suffix='.gdb', delete=False)
        step_file.write(STEP_CHECK)
        step_file.close()
        out = run_gdb(args, port, [
            'print/x $pc', 'break bump', 'break *%#x' % after, 'continue', 'print/x $pc',
            'continue', 'print/x $pc', 'x/4xw &counter', 'delete 1',
            'source ' + step_file.name, 'info registers', 'detach'])
        os.unlink(step_file.name)
        print(out)
        pcs = [int(x, 16) for x in re.findall(r'^\$\d+ = (0x[0-9a-f]+)', out, re.M)]
        if pcs[:3] != [entry, bump, bump]:
            fail('pcs %s, expected entry %#x then bump %#x twice' % ([hex(p) for p in pcs], entry, bump))
        if 'Breakpoint 1, ' not in out or 'bump' not in out:
            fail('breakpoint by symbol not reported')
        m = re.search(r'^0x%x(?: <counter>)?:\s+0x([0-9a-f]+)' % symbol(args.guest, 'counter'), out, re.M)
        if not m or int(m.group(1), 16) != 1:
            fail('x/4xw &counter should show 1 after the first bump')
        if 'STEP BAD' in out or not re.search(r'STEPS straight=(\d+)', out) or \
                int(re.search(r'STEPS straight=(\d+)', out).group(1)) < 5 or 'STEP branch call' not in out:
            fail('stepi did not follow the disassembly')
        if not re.search(r'^eip\s+0x', out, re.M) or not re.search(r'^eflags\s', out, re.M):
            fail('info registers incomplete')

        # reattach: the guest was resumed by detach with no breakpoints except after_loop
        # removed by gdb; it may already have finished -- restart for the second session
        ferry.wait(timeout=30)
        if ferry.returncode != 33:
            fail('guest after detach exited %d, expected 33 (PASS)' % ferry.returncode)

        port = free_port()
        ferry = start_ferry(args, ['-gdb', 'tcp::%d' % port, '-S', '-kernel', args.guest])
        wait_listening(port, ferry)
        out = run_gdb(args, port, ['set var *(int *)&spin_flag = 1', 'detach'])
        print(out)
        time.sleep(0.3)
        if ferry.poll() is not None:
            fail('ferry ended after the first detach')
        out = run_gdb(args, port, ['print/x $pc', 'print *(int *)&counter > 30', 'info symbol $pc',
                                   'detach'])
        print(out)
        if 'spin' not in out:
            fail('reattached gdb did not find the spinning guest')
        if not re.search(r'\$2 = 1', out):
            fail('counter did not advance while spinning')
        # Ctrl-C: raw protocol (gdb -batch cannot wait for an interrupt it sends)
        with socket.create_connection(('127.0.0.1', port), timeout=10) as c:
            def packet(body):
                c.sendall(b'$%s#%02x' % (body, sum(body) & 0xff))
            packet(b'?')
            time.sleep(0.3)
            c.recv(4096)
            packet(b'c')
            time.sleep(0.3)
            c.sendall(b'\x03')
            reply = b''
            while b'T02' not in reply:
                data = c.recv(4096)
                if not data:
                    break
                reply += data
            if b'$T02' not in reply:
                fail('Ctrl-C did not stop the guest: %r' % reply)
            packet(b'k')
        ferry.wait(timeout=10)
    finally:
        if ferry.poll() is None:
            ferry.kill()
            fail('ferry still running')
    print('PASS gdb')


def test_monitor(args):
    bump = symbol(args.guest, 'bump')
    counter = symbol(args.guest, 'counter')
    script = '\n'.join([
        'info registers', 'bogus command', 'x/2i $pc', 'x', 'x/4zw 0',
        'break %#x' % bump, 'cont', 'SLEEP', 'x/i $pc', 'step', 'SLEEP', 'x/1dw %#x' % counter,
        'xp/2xb 0x100000', 'info mem', 'delete %#x' % bump, 'quit']) + '\n'
    ferry = start_ferry(args, ['-S', '-monitor', 'stdio', '-kernel', args.guest],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for line in script.splitlines(keepends=True):
        if line.strip() == 'SLEEP':
            time.sleep(0.5)
            continue
        ferry.stdin.write(line)
        ferry.stdin.flush()
        time.sleep(0.1)
    out, _ = ferry.communicate(timeout=30)
    print(out)
    checks = [
        (r'RIP=0*%x' % symbol(args.guest, '_start'), 'info registers at the entry'),
        (r"unknown command 'bogus'", 'error message for a bad command'),
        (r'0x%x: mov esp, 0x' % symbol(args.guest, '_start'), 'x/i disassembly'),
        (r'x: expected an address', 'missing address error'),
        (r"unknown format letter 'z'", 'bad format error'),
        (r'stopped at 0x%x' % bump, 'breakpoint stop'),
        (r'0x%x: add dword ptr' % bump, 'x/i at the breakpoint'),
        (r'%016x: 1\n' % counter, 'x/1dw counter after one step'),
        (r'paging is off', 'info mem with paging off'),
    ]
    for pattern, what in checks:
        if not re.search(pattern, out):
            fail(what + ' (pattern %r)' % pattern)
    if ferry.returncode != 0:
        fail('quit should exit 0, got %d' % ferry.returncode)
    print('PASS monitor')


def test_log(args):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'log.txt')
        r = subprocess.run([args.ferry, '-accel', args.accel, '-nographic', '-serial', 'none'] + EXIT_DEV +
                           ['-kernel', args.int_guest, '-d', 'in_asm,int,exec', '-D', path], timeout=60)
        if r.returncode != 33:
            fail('guest exited %d' % r.returncode)
        log = open(path).read()
        entry = symbol(args.int_guest, '_start')
        if not re.search(r'^0x%08x:  mov esp, 0x' % entry, log, re.M):
            fail('no in_asm line for the entry at %#x' % entry)
        if not re.search(r'^INT: vector=0x00 \(exception\) error=none', log, re.M):
            fail('no #DE interrupt line')
        if not re.search(r'^INT: vector=0x0d \(exception\) error=0x', log, re.M):
            fail('no #GP interrupt line with an error code')
        if not re.search(r'^Trace: 0008:0*%x$' % entry, log, re.M):
            fail('no exec line for the entry')
        bad = subprocess.run([args.ferry, '-d', 'nonsense', '-kernel', args.int_guest],
                             capture_output=True, text=True)
        if bad.returncode == 0 or "unknown or unsupported item 'nonsense'" not in bad.stderr:
            fail('bad -d item accepted')
    print('PASS log')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['gdb', 'monitor', 'log'])
    ap.add_argument('--ferry', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--int-guest', required=True)
    ap.add_argument('--accel', default='interp')
    args = ap.parse_args()
    {'gdb': test_gdb, 'monitor': test_monitor, 'log': test_log}[args.what](args)


if __name__ == '__main__':
    main()
