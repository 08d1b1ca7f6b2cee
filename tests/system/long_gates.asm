; tests/system/long_gates.asm — privilege transfers of long mode: far JMP through a 64-bit
; call gate (same ring), far CALL from 64-bit ring 3 through a DPL-3 64-bit call gate to
; ring 0 (RSP0 from the TSS, a null SS with RPL 0, the 8-byte frame SS RSP CS RIP, no
; parameters) and RETFQ back to ring 3; the same CALL from compatibility-mode ring 3 and
; RETFQ back to compatibility mode; #GP(selector) for a 64-bit gate to 32-bit code; IRETQ to
; 64-bit and to compatibility-mode ring 3 and INT 0x80 from both back to ring 0; IRETQ
; within ring 0 (it pops SS:RSP too).

%include "mb.inc"
%include "sys32.inc"
%include "long64.inc"

section .rodata
guest_name: db "long_gates", 0

section .data
align 8
gate_a_ptr0: dd 0, GATE_A       ; RPL 0 for the DPL-0 gate
gate_a_ptr: dd 0, GATE_A | 3        ; m16:32 far pointers: the offset is ignored for gates
gate_b_ptr: dd 0, GATE_B | 3
phase: dq 0

section .text
bits 32
guest_main:
    ENTER_LONG_MODE long_entry

bits 64
; 64-bit call gate at %1: DPL %2, target selector K64CODE or %4, offset %3 (clobbers RAX)
%macro GATE64 4
    mov eax, %3
    mov word [gdt + %1], ax
    mov word [gdt + %1 + 2], %4
    mov word [gdt + %1 + 4], 0x8c00 | (%2 << 13)
    shr eax, 16
    mov word [gdt + %1 + 6], ax
    mov dword [gdt + %1 + 8], 0
    mov dword [gdt + %1 + 12], 0
%endmacro

long_entry:
    call long64_tables

    ; far JMP through a DPL-0 gate, same privilege
    GATE64 GATE_A, 0, jmp_target, K64CODE
    jmp far dword [gate_a_ptr0]
    jmp fail_unreached
jmp_target:
    mov rax, cs
    CHECK64 rax, K64CODE, "JMP through a 64-bit gate: CS"
    mov esi, s_jmp
    call ok64

    ; IRETQ within ring 0 pops SS:RSP as well
    mov rbx, rsp
    lea rcx, [rsp - 0x100]
    mov eax, K64DATA
    push rax
    push rcx
    push 2
    push K64CODE
    mov eax, .after_iretq0
    push rax
    iretq
.after_iretq0:
    CHECK64 rsp, rcx, "IRETQ to ring 0: RSP from the frame"
    mov rsp, rbx
    mov esi, s_iretq0
    call ok64

    ; ring 3 (64-bit) through IRETQ
    GATE64 GATE_A, 3, gate_target, K64CODE
    GATE64 GATE_B, 3, gate_target, KCODE            ; a 32-bit target: #GP
    push U64DATA
    mov eax, ustack64_top
    push rax
    push RFLAGS_USER
    push U64CODE
    mov eax, ring3_64
    push rax
    iretq

ring3_64:
    mov rax, cs
    CHECK64 rax, U64CODE, "IRETQ to 64-bit ring 3: CS"
    mov esi, s_iretq3
    call ok64
    mov qword [phase], 1
    mov rbp, rsp
    call far dword [gate_a_ptr]
.back:
    CHECK64 rsp, rbp, "RETFQ to ring 3: RSP"
    mov rax, cs
    CHECK64 rax, U64CODE, "RETFQ to ring 3: CS"
    mov rax, ss
    CHECK64 rax, U64DATA, "RETFQ to ring 3: SS"
    mov esi, s_call64
    call ok64

    EXPECT64 13, KCODE, .gp_done
    call far dword [gate_b_ptr]
    jmp fail_unreached
.gp_done:
    CHECK64 [x_got], 1, "gate to 32-bit code: #GP(target selector)"
    mov esi, s_gate32
    call ok64
    int 0x80

; ring 0 through the gate: 8-byte frame RIP CS RSP SS on RSP0, SS null with RPL 0
gate_target:
    mov rax, cs
    CHECK64 rax, K64CODE, "CALL through the gate: CS"
    mov rax, ss
    CHECK64 rax, 0, "CALL through the gate: SS is null"
    mov eax, kstack64_top - 32
    CHECK64 rsp, rax, "CALL through the gate: RSP = RSP0 - 32"
    CHECK64 [rsp + 16], rbp, "CALL through the gate: old RSP in the frame"
    cmp qword [phase], 1
    jne .from_compat
    CHECK64 [rsp + 8], U64CODE, "CALL through the gate: old CS"
    CHECK64 [rsp + 24], U64DATA, "CALL through the gate: old SS"
    mov eax, ring3_64.back
    CHECK64 [rsp], rax, "CALL through the gate: return RIP"
    o64 retf
.from_compat:
    CHECK64 [rsp + 8], U32CODE, "CALL from compatibility mode: old CS"
    CHECK64 [rsp + 24], U64DATA, "CALL from compatibility mode: old SS"
    mov eax, ring3_compat.back
    CHECK64 [rsp], rax, "CALL from compatibility mode: return RIP"
    o64 retf

; INT 0x80 from ring 3: phase 1 came from 64-bit code, phase 2 from compatibility mode
int80_64:
    mov rax, [rsp + 32]
    CHECK64 rax, U64DATA, "INT 0x80 from ring 3: SS in the frame"
    cmp qword [phase], 1
    jne .from_compat
    CHECK64 [rsp + 8], U64CODE, "INT 0x80 from 64-bit ring 3: CS in the frame"
    mov esp, kstack64_top
    ; IRETQ to compatibility-mode ring 3
    mov qword [phase], 2
    push U64DATA
    mov eax, ustack64_top
    push rax
    push RFLAGS_USER
    push U32CODE
    mov eax, ring3_compat
    push rax
    iretq
.from_compat:
    CHECK64 [rsp + 8], U32CODE, "INT 0x80 from compatibility mode: CS in the frame"
    mov esi, s_int80
    call ok64
    jmp pass64


bits 32
ring3_compat:
    mov ax, U64DATA             ; IRETQ to ring 3 nulled the DPL-0 data segments
    mov ds, ax
    mov es, ax
    mov eax, cs
    cmp eax, U32CODE
    jne .bad
    mov ebp, esp
    call far [gate_a_ptr]       ; 32-bit code, the 64-bit gate all the same
.back:
    cmp esp, ebp
    jne .bad
    mov eax, cs
    cmp eax, U32CODE
    jne .bad
    int 0x80
.bad:
    mov esi, s_compat_bad
    call serial_puts
    EXIT_WITH EXIT_FAIL

section .rodata
s_jmp: db "far JMP through a 64-bit call gate", 0
s_iretq0: db "IRETQ within ring 0 pops SS:RSP", 0
s_iretq3: db "IRETQ to 64-bit ring 3", 0
s_call64: db "CALL through a 64-bit gate to ring 0 and RETFQ back", 0
s_gate32: db "64-bit gate to a 32-bit code segment: #GP(selector)", 0
s_int80: db "IRETQ to compatibility-mode ring 3, CALL through the gate and RETFQ back, INT 0x80", 0
s_compat_bad: db "long_gates: FAIL: compatibility-mode ring 3 check", 10, 0
