#!/usr/bin/env python3
"""tests/debug/debug_test.py — drive ferry's debugger from outside, as a user would.

  gdb      real gdb in batch mode over -gdb tcp::PORT: break by address and by symbol,
           continue, 20 stepi checked against gdb's own disassembly, registers, x/4xw,
           Ctrl-C on a spinning guest, detach and reattach, kill
  monitor  -monitor stdio fed by a pipe: info registers, x, x/i, break, cont, step, errors
  log      -d in_asm,int -D FILE: disassembly lines of the guest and an exception line
  watch    watchpoints through the TLB (32-bit write and read, 64-bit write through a
           linear alias), physical memory (Qqemu.PhyMemMode), CR registers in gdb's
           `info registers`, QEMU's single-step flag packets
  dumps    -d op,out_asm,mmu,int: every block's IR uses ops.def names and its host code
           ends in a jump (JIT) or says there is none (interp); the #PF line
  junk     the monitor fed random bytes and bad commands answers them all and still works
  mux      -serial mon:stdio: the monitor and COM1 share stdio, Ctrl-A c switches
  kernel   Debian's kernel (nokaslr): hbreak at start_kernel from its System.map is hit,
           registers and a backtrace frame are read
"""
import argparse
import glob
import os
import random
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


def gdb_session(args, extra, commands, elf=None):
    """One gdb -batch session against a fresh ferry started paused with extra options;
    returns gdb's output (ferry is killed by the session's final kill)."""
    port = free_port()
    ferry = start_ferry(args, ['-S', '-gdb', 'tcp::%d' % port] + extra)
    try:
        wait_listening(port, ferry)
        cmd = ['gdb', '-batch', '-nx', '-ex', 'set pagination off', '-ex', 'set confirm off']
        if elf:
            cmd += ['-ex', 'file ' + elf]
        cmd += ['-ex', 'target remote 127.0.0.1:%d' % port]
        for c in commands + ['kill']:
            cmd += ['-ex', c]
        r = subprocess.run(cmd, capture_output=True, text=True)
        ferry.wait()
    finally:
        if ferry.poll() is None:
            ferry.kill()
    out = r.stdout + r.stderr
    print(out)
    return out


def printed(out):
    """The values of gdb's print commands ($N = V), in order."""
    return [v.strip() for v in re.findall(r'^\$\d+ = (.*)$', out, re.M)]


def insn_length(elf, addr, bits=32):
    """Length of the instruction at addr, from objdump's disassembly of the guest (its
    64-bit part is in an ELF32 file, so the mode is given)."""
    machine = ['-m', 'i386:x86-64'] if bits == 64 else []
    dump = subprocess.run(['objdump', '-d', '-M', 'intel'] + machine + ['--start-address=%#x' % addr,
                           '--stop-address=%#x' % (addr + 16), elf],
                          capture_output=True, text=True, check=True).stdout
    m = re.search(r'^\s*%x:\s+((?:[0-9a-f]{2} )+)' % addr, dump, re.M)
    if not m:
        fail('objdump shows no instruction at %#x' % addr)
    return len(m.group(1).split())


def test_watch(args):
    # 32-bit: a write watchpoint stops after the write (pc after `add [counter], 1` in
    # bump), twice with the old and new values; a read watchpoint after the read of
    # spin_flag; the control registers are in `info registers`
    g32 = args.guest
    bump, after = symbol(g32, 'bump'), symbol(g32, 'after_loop')
    out = gdb_session(args, ['-kernel', g32], [
        'watch *(int *)&counter', 'continue', 'print/x $pc', 'continue', 'print/x $pc',
        'print *(int *)&counter', 'delete', 'rwatch *(int *)&spin_flag', 'continue',
        'print/x $pc', 'delete', 'info registers', 'info registers cr0 cr3 efer',
        'maintenance packet qqemu.sstepbits', 'maintenance packet Qqemu.sstep=0x1',
        'maintenance packet qqemu.sstep', 'stepi', 'print/x $pc',
        'maintenance packet Qqemu.sstep=0x80'], elf=g32)
    vals = printed(out)
    after_add = bump + insn_length(g32, bump)
    after_cmp = after + insn_length(g32, after)
    if vals[:3] != ['%#x' % after_add, '%#x' % after_add, '2']:
        fail('write watchpoint stops %s, expected %#x twice then counter 2' % (vals[:3], after_add))
    if not re.search(r'Old value = 0\s+New value = 1', out) or not re.search(r'Old value = 1\s+New value = 2', out):
        fail('write watchpoint values not reported')
    if vals[3] != '%#x' % after_cmp or 'Value = 0' not in out:
        fail('read watchpoint stopped at %s, expected %#x' % (vals[3], after_cmp))
    for reg in ('cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'fs_base', 'gs_base'):
        if not re.search(r'^%s\s+0x' % reg, out, re.M):
            fail('info registers has no %s' % reg)
    cr0 = re.search(r'^cr0\s+(0x[0-9a-f]+)', out, re.M)
    if not cr0 or not int(cr0.group(1), 16) & 1:
        fail('cr0 does not show protected mode (PE)')
    if 'received: "ENABLE=1,NOIRQ=2,NOTIMER=4"' not in out or 'received: "0x1"' not in out \
            or 'received: "E22"' not in out:
        fail('single-step flag packets')
    if vals[4] == '%#x' % after_cmp:
        fail('stepi with interrupts allowed did not move')

    # 64-bit: the guest counts through a linear alias 0x40000000 above the variable's
    # physical address; the watchpoint is on the alias, the physical read of the variable
    # sees the value the alias wrote, and CR3/EFER show 4-level paging in long mode
    g64 = args.guest64
    value = symbol(g64, 'value64')
    alias = 0x40000000 + value
    count = symbol(g64, 'count64')
    out = gdb_session(args, ['-gdb-arch', 'x86-64', '-kernel', g64], [
        'watch *(long *)%#x' % alias, 'continue', 'print/x $pc', 'print $rcx',
        'continue', 'print $rcx', 'info registers cr0 cr3 cr4 efer',
        'maintenance packet Qqemu.PhyMemMode:1', 'x/1gx %#x' % value,
        'maintenance packet qqemu.PhyMemMode',
        'maintenance packet Qqemu.PhyMemMode:0', 'x/1gx %#x' % alias])
    vals = printed(out)
    after_add = count + insn_length(g64, count, 64)
    if vals[:3] != ['%#x' % after_add, '5', '4']:
        fail('64-bit watchpoint: %s, expected pc %#x with rcx 5 then 4' % (vals[:3], after_add))
    if not re.search(r'Old value = 1\s+New value = 2', out):
        fail('64-bit watchpoint values')
    m = re.search(r'^cr3\s+(0x[0-9a-f]+)', out, re.M)
    if not m or int(m.group(1), 16) != symbol(g64, 'pml4'):
        fail('cr3 is not the guest PML4 %#x' % symbol(g64, 'pml4'))
    if not re.search(r'^efer\s+0x5[0-9a-f]{2}\b', out, re.M) or not re.search(r'^cr0\s+0x8000', out, re.M):
        fail('efer/cr0 do not show long mode with paging')
    phys = re.search(r'^%#x:\s+(0x[0-9a-f]+)' % value, out, re.M)
    virt = re.search(r'^%#x:\s+(0x[0-9a-f]+)' % alias, out, re.M)
    if not phys or int(phys.group(1), 16) != 2 or not virt or int(virt.group(1), 16) != 2:
        fail('physical read of value64 / virtual read of its alias should both be 2')
    if 'received: "1"' not in out:
        fail('qqemu.PhyMemMode does not report the mode')
    print('PASS watch')


JUMPS = re.compile(r'^(jmp|ret)\b')


def test_dumps(args):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'log.txt')
        r = subprocess.run([args.ferry, '-accel', args.accel, '-nographic', '-serial', 'none'] + EXIT_DEV +
                           ['-kernel', args.guest64, '-d', 'op,out_asm,mmu,int', '-D', path])
        if r.returncode != 33:
            fail('guest exited %d' % r.returncode)
        log = open(path).read()
    ops_def = open(os.path.join(os.path.dirname(__file__), '..', '..', 'tcg', 'ops.def')).read()
    op_names = set(re.findall(r'^DEF\((\w+),', ops_def, re.M))
    blocks = re.split(r'\n(?=OP: |OUT: )', log)
    nb_op = nb_out = 0
    for b in blocks:
        lines = [l.strip() for l in b.strip().splitlines() if l.strip()]
        if lines and lines[0].startswith('OP: '):
            nb_op += 1
            m = re.match(r'OP: block at (0x[0-9a-f]+) .*, (\d+) ops$', lines[0])
            ops = [l for l in lines[1:] if not re.match(r'^L\d+:$', l)]
            if not m or not ops or len(lines) - 1 != int(m.group(2)):
                fail('bad op listing: %r' % lines[:3])
            for l in ops:
                name = re.sub(r'_i(32|64)$', '', l.split()[0])
                if name not in op_names:
                    fail('op %r is not in tcg/ops.def' % l)
            if not ops[0].startswith('insn_start pc=' + m.group(1)):
                fail('block %s does not start with its insn_start' % m.group(1))
            if not re.match(r'(goto_tb|exit_tb)', ops[-1]):
                fail('block %s does not end in goto_tb/exit_tb: %r' % (m.group(1), ops[-1]))
        elif lines and lines[0].startswith('OUT: '):
            nb_out += 1
            if args.accel == 'interp':
                if 'no host code (the interpreter runs the IR)' not in lines[0]:
                    fail('interp out_asm line: %r' % lines[0])
                continue
            insns = [l.split(':  ', 1)[1] for l in lines[1:] if ':  ' in l]
            if '(bad)' in insns:
                fail('undecodable host code in %r' % lines[0])
            body_end = next((i for i, l in enumerate(lines) if 'out-of-line stubs' in l), len(lines))
            body = [l.split(':  ', 1)[1] for l in lines[1:body_end] if ':  ' in l]
            real = [t for t in body if not t.startswith(('ud2', 'nop', 'int3'))]
            if not real or not JUMPS.match(real[-1]) or not JUMPS.match(insns[-1]):
                fail('block %r does not end in a jump: %r / %r' % (lines[0], real[-1:], insns[-1:]))
    if nb_op < 5 or nb_op != nb_out:
        fail('%d op listings and %d out_asm listings' % (nb_op, nb_out))
    if not re.search(r'^MMU: #PF la=0x80000000 error=0 \(not present, read, supervisor\) cs:rip=0028:', log, re.M):
        fail('no -d mmu page-fault line for the guest\'s #PF')
    if not re.search(r'^INT: vector=0x0e \(exception\) error=0x0000 ', log, re.M):
        fail('no -d int line for the #PF')
    print('PASS dumps (%d blocks)' % nb_op)


def test_junk(args):
    rng = random.Random(6)
    junk = []
    for _ in range(200):
        n = rng.randrange(0, 40)
        junk.append(''.join(chr(rng.choice([rng.randrange(1, 128), 32, 47, 120])) for _ in range(n))
                    .replace('\n', ' ').replace('\x01', ' '))
    junk += ['x/99999999999999999999x 0', 'x/0x 0', 'xp/4096i 0', 'x/i', 'x/2qq 0x10', 'break',
             'break zz', 'delete 0x1', 'watch', 'watch 0x1000 0', 'unwatch 0x1000', 'info',
             'info nothing', 'step', 'A' * 2000, 'x/1024xg 0xfffffffffffffff8', 'xp/2xb -1',
             'watch 0x1000 4', 'unwatch 0x1000 4', '?']
    script = '\n'.join(['info registers'] + junk + ['info registers', 'quit']) + '\n'
    ferry = start_ferry(args, ['-S', '-monitor', 'stdio', '-kernel', args.guest],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = ferry.communicate(script.encode('latin-1'))
    out = out.decode('latin-1')
    if ferry.returncode != 0:
        fail('monitor fed junk exited %d: %s' % (ferry.returncode, err.decode('latin-1')[-500:]))
    if len(re.findall(r'^(?:\(ferry\) )*RIP=', out, re.M)) != 2:
        fail('info registers did not answer before and after the junk')
    for message in ('x: count must be', 'break: expected an address', 'delete: no breakpoint there',
                    'watch: expected ADDR', 'unwatch: no watchpoint there', 'info: expected',
                    'unknown command'):
        if message not in out:
            fail('no message %r' % message)
    print('PASS junk (%d lines)' % len(junk))


KALLSYMS_INIT = b"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox grep -w -e start_kernel -e _text /proc/kallsyms
/bin/busybox poweroff -f
"""


def cpio_newc(entries):
    """An uncompressed newc initramfs from (name, mode, data) entries."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [('TRAILER!!!', 0, b'')], 1):
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
        out += b'070701' + b''.join(b'%08x' % f for f in fields) + name.encode() + b'\0'
        out += b'\0' * (-len(out) % 4) + data
        out += b'\0' * (-len(out) % 4)
    return bytes(out)


def kernel_symbols(args, kernel, work):
    """start_kernel and _text of Debian's kernel booted with nokaslr, read from its own
    /proc/kallsyms by a one-line initramfs (Debian's System.map is a placeholder: the real
    one ships only in the -dbg package)."""
    initrd = os.path.join(work, 'kallsyms.cpio')
    with open('/bin/busybox', 'rb') as f:
        busybox = f.read()
    with open(initrd, 'wb') as f:
        f.write(cpio_newc([('bin', 0o40755, b''), ('proc', 0o40755, b''),
                           ('bin/busybox', 0o100755, busybox), ('init', 0o100755, KALLSYMS_INIT)]))
    ferry = subprocess.Popen([args.ferry, '-accel', args.accel, '-nographic', '-m', '256',
                              '-kernel', kernel, '-initrd', initrd,
                              '-append', 'nokaslr console=ttyS0 quiet'],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                             errors='replace')
    syms = {}
    for line in ferry.stdout:
        m = re.match(r'^([0-9a-f]{16}) [tT] (start_kernel|_text)\s*$', line.strip())
        if m:
            syms[m.group(2)] = int(m.group(1), 16)
        if len(syms) == 2:
            break
    ferry.kill()
    ferry.wait()
    if len(syms) != 2:
        fail('the kallsyms boot printed %s' % syms)
    return syms


def test_mux(args):
    """Started paused, the monitor holds the shared terminal: its commands work, a
    breakpoint stop is reported there; after cont and Ctrl-A c the console has it and the
    guest runs to its PASS on COM1 (a `quit` that reached the monitor instead would end
    ferry with 0 -- only if the guest were still running then, so that part is weak)."""
    bump = symbol(args.guest, 'bump')
    ferry = subprocess.Popen([args.ferry, '-accel', args.accel, '-nographic', '-serial', 'mon:stdio']
                             + EXIT_DEV + ['-S', '-kernel', args.guest],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for chunk in [b'info registers\n', b'break %#x\n' % bump, b'cont\n', b'SLEEP',
                  b'delete %#x\n' % bump, b'cont\n', b'\x01c', b'quit\n']:
        if chunk == b'SLEEP':
            time.sleep(0.5)
            continue
        try:
            ferry.stdin.write(chunk)
            ferry.stdin.flush()
        except BrokenPipeError:
            break               # the guest passed and ferry ended before the last keys
        time.sleep(0.2)
    out = ferry.stdout.read()
    ferry.wait()
    out = out.decode('latin-1')
    print(out)
    if not out.lstrip().startswith("ferry monitor - type 'help'"):
        fail('the monitor does not hold the terminal of a machine started with -S')
    if not re.search(r'RIP=0*%x' % symbol(args.guest, '_start'), out) or 'stopped at %#x' % bump not in out:
        fail('monitor commands through the shared terminal')
    if ferry.returncode != 33 or 'dbg32: PASS' not in out:
        fail('after Ctrl-A c the guest should own the terminal and pass (exit %d)' % ferry.returncode)
    print('PASS mux')


def test_kernel(args):
    """Debian's kernel (the newest /boot/vmlinuz-*, as the boot tests) with nokaslr: a
    hardware breakpoint at start_kernel is hit, registers and a backtrace frame are read.
    The address comes from a first boot of the same kernel (see kernel_symbols); where a
    real System.map of the kernel exists it must agree."""
    kernels = sorted(glob.glob('/boot/vmlinuz-*'))
    if not kernels:
        fail('no /boot/vmlinuz-*: install linux-image-amd64 (scripts/deps.sh)')
    kernel = kernels[-1]
    with tempfile.TemporaryDirectory() as work:
        syms = kernel_symbols(args, kernel, work)
    start_kernel = syms['start_kernel']
    if syms['_text'] != 0xffffffff81000000:
        fail('_text at %#x: nokaslr did not take' % syms['_text'])
    sysmap = kernel.replace('vmlinuz-', 'System.map-')
    if os.path.exists(sysmap):
        with open(sysmap) as f:
            listed = [int(l.split()[0], 16) for l in f if l.split()[2:3] == ['start_kernel']]
        if listed and listed[0] != start_kernel:
            fail('System.map says start_kernel is %#x, kallsyms %#x' % (listed[0], start_kernel))
    out = gdb_session(args, ['-m', '256', '-kernel', kernel, '-append', 'nokaslr console=ttyS0'], [
        'hbreak *%#x' % start_kernel, 'continue', 'print/x $pc', 'print/x $rsp',
        'info registers rip cs cr0 cr3 cr4 efer', 'bt 1', 'info frame', 'x/2i $pc'])
    vals = printed(out)
    if not vals or vals[0] != '%#x' % start_kernel:
        fail('start_kernel (%#x) not hit: %s' % (start_kernel, vals))
    if not re.search(r'Hardware assisted breakpoint 1 at 0x%x\n\s*\nBreakpoint 1, 0x%016x' % (start_kernel, start_kernel), out):
        fail('gdb did not report the hardware breakpoint')
    if len(vals) < 2 or int(vals[1], 16) >> 47 != 0x1ffff:
        fail('rsp %s is not a kernel stack address' % vals[1:2])
    if not re.search(r'^#0\s+0x%016x in \?\? \(\)' % start_kernel, out, re.M):
        fail('no backtrace frame #0 at start_kernel')
    if not re.search(r'Stack level 0, frame at 0x', out):
        fail('info frame did not read the frame')
    if not re.search(r'^cs\s+0x10\b', out, re.M) or not re.search(r'^efer\s+0x[0-9a-f]*d[0-9a-f]{2}\b', out, re.M):
        fail('kernel cs/efer: expected __KERNEL_CS 0x10 and EFER with LME, LMA and SCE')
    print('PASS kernel (start_kernel at %#x, %s)' % (start_kernel, os.path.basename(kernel)))


def main():
    tests = {'gdb': test_gdb, 'monitor': test_monitor, 'log': test_log, 'watch': test_watch,
             'dumps': test_dumps, 'junk': test_junk, 'mux': test_mux, 'kernel': test_kernel}
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=sorted(tests))
    ap.add_argument('--ferry', required=True)
    ap.add_argument('--guest', required=True)
    ap.add_argument('--guest64', required=True)
    ap.add_argument('--int-guest', required=True)
    ap.add_argument('--accel', default='interp')
    args = ap.parse_args()
    tests[args.what](args)


if __name__ == '__main__':
    main()
