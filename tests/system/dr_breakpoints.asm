; tests/system/dr_breakpoints.asm — debug registers in 32-bit protected mode, paging off:
;  - DR0 instruction breakpoint: #DB (a fault) before the instruction with DR6.B0, the
;    handler resumes it with RF set in the frame, and it then runs exactly once;
;  - DR1 write watchpoint (LEN 4): a read does not trigger it, a store does, as a trap
;    (saved EIP after the store, the store done, the next instruction not yet run), DR6.B1;
;  - DR1 as a read/write watchpoint: a 2-byte read inside its 4 bytes triggers it.
; DR7.GD is in dr_general_detect.asm (QEMU does not model it).

%include "mb.inc"
%include "sys32.inc"

section .rodata
guest_name: db "dr_breakpoints", 0
s_fault: db "unexpected exception", 0

section .data
align 4
db_count: dd 0
db_eip: dd 0
db_dr6: dd 0
db_dr7: dd 0
db_ecx: dd 0
db_watched: dd 0                    ; [watched] when the handler ran
watched: dd 0x11223344

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

    ; ---- instruction breakpoint
    xor ebx, ebx
    mov eax, bp_target
    mov dr0, eax
    mov eax, 0x00000001             ; L0, R/W0 = 00, LEN0 = 00
    mov dr7, eax
    nop
    nop
bp_target:
    inc ebx
    nop
    CHECK_EQ dword [db_count], 1, "instruction breakpoint count"
    CHECK_EQ dword [db_eip], bp_target, "instruction breakpoint EIP (fault)"
    mov eax, [db_dr6]
    and eax, 0x400f
    CHECK_EQ eax, 1, "DR6 B0"
    CHECK_EQ ebx, 1, "breakpoint instruction ran once"

    ; ---- write watchpoint
    xor eax, eax
    mov dr7, eax
    mov dr6, eax
    mov dword [db_count], 0
    mov eax, watched
    mov dr1, eax
    mov eax, 0x00d00004             ; L1, R/W1 = 01 (writes), LEN1 = 11 (4 bytes)
    mov dr7, eax
    xor ecx, ecx
    mov eax, [watched]              ; a read: no #DB
    CHECK_EQ dword [db_count], 0, "read under a write watchpoint"
    mov dword [watched + 1], 0x55   ; a store into the watched dword
after_store:
    inc ecx
    CHECK_EQ dword [db_count], 1, "write watchpoint count"
    CHECK_EQ dword [db_eip], after_store, "write watchpoint EIP (trap)"
    CHECK_EQ dword [db_ecx], 0, "next instruction not run before the trap"
    CHECK_EQ dword [db_watched], 0x00005544, "store done before the trap"
    mov eax, [db_dr6]
    and eax, 0xf
    CHECK_EQ eax, 2, "DR6 B1"
    mov dword [watched + 8], 0      ; outside the watched bytes: no #DB
    CHECK_EQ dword [db_count], 1, "store beside the watchpoint"

    ; ---- read/write watchpoint
    mov eax, 0x00f00004             ; L1, R/W1 = 11, LEN1 = 11
    mov dr7, eax
    mov ax, [watched + 2]
after_read:
    CHECK_EQ dword [db_count], 2, "read/write watchpoint count"
    CHECK_EQ dword [db_eip], after_read, "read watchpoint EIP (trap)"

    jmp guest_pass

; #DB: record what the checks look at (breakpoints off meanwhile), clear DR6, resume with RF
; (the instruction breakpoint would fire again otherwise; traps ignore it)
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
    mov dr7, eax                    ; the handler's own reads must not hit the watchpoint
    mov [db_ecx], ecx
    mov eax, [watched]
    mov [db_watched], eax
    xor eax, eax
    mov dr6, eax
    mov eax, [db_dr7]
    mov dr7, eax
    or dword [esp + 12], 0x10000
    pop eax
    iret

unexpected:
    mov esi, s_fault
    jmp guest_fail
