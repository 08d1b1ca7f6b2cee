; tests/debug/dbg32.asm — a Multiboot guest for the debugger tests: named functions (an ELF
; symbol table for `break bump`), a loop whose instructions stepi can follow, a counter to
; read, and a spin flag gdb can set to keep the guest running for Ctrl-C.

%include "mb.inc"

section .rodata
guest_name: db "dbg32", 0

section .data
global counter, spin_flag
counter:   dd 0
spin_flag: dd 0

section .text
global guest_main, bump, after_loop, spin
guest_main:
    mov ecx, 30
.loop:
    call bump
    dec ecx
    jnz .loop
after_loop:
    cmp dword [spin_flag], 0
    jne spin
    cmp dword [counter], 30
    jne .bad
    jmp guest_pass
.bad:
    mov esi, guest_name
    jmp guest_fail

spin:
    add dword [counter], 1
    jmp spin

bump:
    add dword [counter], 1
    ret
