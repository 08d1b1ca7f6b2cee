; tests/system/dr_general_detect.asm — DR7.GD: the next MOV to or from a debug register is a
; #DB fault (saved EIP at the MOV) with DR6.BD, and the processor clears GD for the handler,
; so the handler's own MOV DR works and the MOV runs when the handler returns. QEMU (TCG)
; ignores GD, so this guest runs without the QEMU reference.

%include "mb.inc"
%include "sys32.inc"

section .rodata
guest_name: db "dr_general_detect", 0
s_fault: db "unexpected exception", 0

section .data
align 4
db_count: dd 0
db_eip: dd 0
db_dr6: dd 0
db_dr7: dd 0

section .text
guest_main:
    call load_tables
    mov ecx, 0
.idt:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 32
    jb .idt
    GATE_DESC idt, 1 * 8, KCODE, db_handler, 0x8e, 0

    mov eax, 0x12345678
    mov dr0, eax
    mov eax, 0x00002000             ; GD
    mov dr7, eax
    xor eax, eax
gd_insn:
    mov eax, dr0
    CHECK_EQ eax, 0x12345678, "MOV from DR0 after the handler"
    CHECK_EQ dword [db_count], 1, "general detect count"
    CHECK_EQ dword [db_eip], gd_insn, "general detect EIP (fault)"
    mov eax, [db_dr6]
    and eax, 0x2000
    CHECK_EQ eax, 0x2000, "DR6 BD"
    mov eax, [db_dr7]
    and eax, 0x2000
    CHECK_EQ eax, 0, "GD clear in the handler"
    jmp guest_pass

db_handler:
    push eax
    inc dword [db_count]
    mov eax, [esp + 4]
    mov [db_eip], eax
    mov eax, dr6
    mov [db_dr6], eax
    mov eax, dr7
    mov [db_dr7], eax
    xor eax, eax
    mov dr6, eax
    pop eax
    iret

unexpected:
    mov esi, s_fault
    jmp guest_fail
