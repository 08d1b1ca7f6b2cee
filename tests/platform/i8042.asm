; tests/platform/i8042.asm — the keyboard controller: self-test 0x55, the command byte read
; back, the keyboard's reset answer FA AA, the A20 gate through the output port (seen as
; 1 MiB aliasing from code copied below 1 MiB), and finally a reset through command 0xFE,
; which -no-reboot turns into exit status 0.

%include "mb.inc"
%include "sys32.inc"

KBC_DATA   equ 0x60
KBC_CMD    equ 0x64
LOW_CODE   equ 0x8000           ; the A20 check runs here: the guest itself is at 1 MiB
PROBE      equ 0x70000          ; and PROBE + 1 MiB, both free memory

section .rodata
guest_name: db "i8042", 0
msg_selftest: db "controller self-test", 0
msg_cb:     db "command byte", 0
msg_kbd:    db "keyboard reset", 0
msg_a20:    db "A20 through the output port", 0
msg_reset:  db "checks passed, resetting", 10, 0
msg_timeout: db "no byte from the controller", 0

section .text
; Wait until the controller takes input.
%macro WAIT_INPUT 0
%%busy:
    in al, KBC_CMD
    test al, 0x02
    jnz %%busy
%endmacro

; AL = byte for port 0x64 (command)
kbc_command:
    push eax
    WAIT_INPUT
    pop eax
    out KBC_CMD, al
    ret

; AL = byte for port 0x60
kbc_data:
    push eax
    WAIT_INPUT
    pop eax
    out KBC_DATA, al
    ret

; Returns EAX = the next byte from port 0x60 (fails after a long wait)
kbc_read:
    push ecx
    mov ecx, 10000000
.wait:
    in al, KBC_CMD
    test al, 0x01
    jnz .ready
    loop .wait
    mov esi, msg_timeout
    jmp guest_fail
.ready:
    in al, KBC_DATA
    movzx eax, al
    pop ecx
    ret

; Copied to LOW_CODE and called there: turns A20 off through the output port, writes
; PROBE + 1 MiB and reads PROBE (EBX), turns A20 on, writes PROBE and reads PROBE + 1 MiB
; (EDX). Position-independent: no calls, no references to its own labels.
a20_probe:
    mov dword [PROBE], 0x11111111
    mov dword [PROBE + 0x100000], 0x22222222
    WAIT_INPUT
    mov al, 0xd1
    out KBC_CMD, al
    WAIT_INPUT
    mov al, 0xdd                ; A20 off, reset line inactive
    out KBC_DATA, al
    mov dword [PROBE + 0x100000], 0x33333333
    mov ebx, [PROBE]
    WAIT_INPUT
    mov al, 0xd1
    out KBC_CMD, al
    WAIT_INPUT
    mov al, 0xdf                ; A20 on
    out KBC_DATA, al
    mov dword [PROBE], 0x44444444
    mov edx, [PROBE + 0x100000]
    ret
a20_probe_end:

guest_main:
    call load_tables
    ; drain whatever the firmware left
.drain:
    in al, KBC_CMD
    test al, 0x01
    jz .drained
    in al, KBC_DATA
    jmp .drain
.drained:
    mov al, 0xaa
    call kbc_command
    call kbc_read
    CHECK_EQ eax, 0x55, "self-test answer"
    mov esi, msg_selftest
    call report_ok

    ; command byte: no interrupts, system flag, translation
    mov al, 0x60
    call kbc_command
    mov al, 0x44
    call kbc_data
    mov al, 0x20
    call kbc_command
    call kbc_read
    CHECK_EQ eax, 0x44, "command byte read back"
    mov esi, msg_cb
    call report_ok

    mov al, 0xff
    call kbc_data
    call kbc_read
    CHECK_EQ eax, 0xfa, "keyboard reset ACK"
    call kbc_read
    CHECK_EQ eax, 0xaa, "keyboard self-test passed"
    mov esi, msg_kbd
    call report_ok

    mov esi, a20_probe
    mov edi, LOW_CODE
    mov ecx, a20_probe_end - a20_probe
    rep movsb
    mov eax, LOW_CODE
    call eax
    CHECK_EQ ebx, 0x33333333, "PROBE after writing PROBE + 1 MiB with A20 off"
    CHECK_EQ edx, 0x22222222, "PROBE + 1 MiB (untouched while A20 was off) with A20 on"
    mov esi, msg_a20
    call report_ok

    call put_prefix
    mov esi, msg_reset
    call serial_puts
    mov al, 0xfe
    call kbc_command
    mov ecx, 10000000
.after_reset:
    loop .after_reset
    mov esi, msg_reset
    jmp guest_fail
