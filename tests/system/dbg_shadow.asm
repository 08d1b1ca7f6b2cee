; tests/system/dbg_shadow.asm — when the single-step and I/O-breakpoint #DB traps arrive:
;  - TF set by POPFD: the trap comes after the next instruction (reported EIP after it);
;  - MOV SS and POP SS hold the single-step trap (like interrupts) until the instruction
;    after them has run: the handler sees the EIP after that second instruction, DR6.BS;
;  (STI + TF is left out: the SDM describes the debug-exception hold for MOV SS/POP SS
;  only, which ferry follows, while QEMU holds the trap after STI too)
;  - I/O breakpoints (CR4.DE, DR7 R/W = 10): OUT to the port, or a wider OUT that covers it,
;    traps after the instruction with DR6.B0; an access next to it does not.
; The #DB handler records the EIP and DR6, clears DR6 and TF in the frame.

%include "mb.inc"
%include "sys32.inc"

section .rodata
guest_name: db "dbg_shadow", 0

section .data
db_count: dd 0
db_eip: dd 0
db_dr6: dd 0

section .text
guest_main:
    call load_tables
    xor ecx, ecx
.fill:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 256
    jb .fill
    GATE_DESC idt, 1 * 8, KCODE, db_handler, 0x8e, 0

; ARM_TF: TF on through POPFD; EXPECT_DB_AT label, "what": the handler ran once, with EIP =
; label and DR6.BS
%macro ARM_TF 0
    mov dword [db_count], 0
    pushfd
    or dword [esp], 0x100
    popfd
%endmacro
%macro EXPECT_DB_AT 2
    CHECK_EQ [db_count], 1, %2
    CHECK_EQ [db_eip], %1, %2
    mov eax, [db_dr6]
    and eax, 0x4000
    CHECK_EQ eax, 0x4000, %2
%endmacro

    ARM_TF
    nop
plain_after:
    nop
    EXPECT_DB_AT plain_after, "TF from POPFD: #DB after the next instruction"
    mov esi, s_plain
    call report_ok

    mov dx, ss
    ARM_TF
    mov ss, dx
    mov ecx, 1
movss_after:
    nop
    EXPECT_DB_AT movss_after, "MOV SS: single-step #DB held past the next instruction"
    mov esi, s_movss
    call report_ok

    push ss
    ARM_TF
    pop ss
    mov ecx, 2
popss_after:
    nop
    EXPECT_DB_AT popss_after, "POP SS: single-step #DB held past the next instruction"
    mov esi, s_popss
    call report_ok

    ; I/O breakpoint on port 0x80 (1 byte)
    mov eax, cr4
    or eax, 8                   ; DE
    mov cr4, eax
    mov eax, 0x80
    mov dr0, eax
    mov eax, 0x00020001         ; L0, R/W0 = 10 (I/O), LEN0 = 00
    mov dr7, eax
    mov dword [db_count], 0
    out 0x80, al
io_after:
    nop
    CHECK_EQ [db_count], 1, "OUT to the watched port: #DB"
    CHECK_EQ [db_eip], io_after, "OUT to the watched port: #DB after the OUT"
    mov eax, [db_dr6]
    and eax, 0x400f
    CHECK_EQ eax, 1, "OUT to the watched port: DR6.B0"
    mov dword [db_count], 0
    in al, 0x81
    CHECK_EQ [db_count], 0, "IN from the port next to the watched one: no #DB"
    mov dx, 0x7f
    out dx, ax                  ; 0x7f and 0x80
io_word_after:
    CHECK_EQ [db_count], 1, "16-bit OUT covering the watched port: #DB"
    CHECK_EQ [db_eip], io_word_after, "16-bit OUT covering the watched port: EIP"
    xor eax, eax
    mov dr7, eax
    mov esi, s_io
    call report_ok
    jmp guest_pass

db_handler:
    push eax
    inc dword [db_count]
    mov eax, [esp + 4]
    mov [db_eip], eax
    mov eax, dr6
    mov [db_dr6], eax
    xor eax, eax
    mov dr6, eax
    and dword [esp + 12], ~0x100
    pop eax
    iretd

unexpected:
    mov esi, s_unexpected
    jmp guest_fail

section .rodata
s_plain: db "TF set by POPFD traps after the next instruction", 0
s_movss: db "MOV SS holds the single-step trap one instruction", 0
s_popss: db "POP SS holds the single-step trap one instruction", 0
s_io: db "I/O breakpoints (CR4.DE, DR7 R/W = 10)", 0
s_unexpected: db "unexpected exception", 0
