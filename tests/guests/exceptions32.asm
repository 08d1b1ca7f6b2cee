; tests/guests/exceptions32.asm — protected-mode exception delivery through 32-bit interrupt
; gates. Loads its own GDT (Multiboot does not promise a valid one) and an IDT, then raises
; #DE (div by 0), #UD (ud2), #BP (int3), INT 0x80 and #GP (mov ds with a selector beyond
; the GDT and LDT limits, error code 0x1234), and checks for each what the handler saw:
; the vector, the error code (pushed only for #GP), the saved EIP (the faulting instruction
; for faults, the next one for traps), the saved CS, and the stack depth of the frame.

%include "mb.inc"

CODE_SEL    equ 0x08
DATA_SEL    equ 0x10
GATE_INT32  equ 0x8e                ; present, DPL 0, 32-bit interrupt gate
NO_ERROR    equ 0xe4404e40          ; pushed by the stubs of vectors without an error code
BAD_SELECTOR equ 0x1234             ; index 0x246, TI=1 (no LDT loaded), RPL 0: #GP(0x1234)

section .rodata
guest_name:     db "exceptions32", 0
s_tables:       db "GDT and IDT loaded", 0
s_unexpected:   db "unexpected exception or interrupt", 0
s_gate32:       db "unexpected interrupt vector 32..255", 0
s_ds_kept:      db "DS after the faulting load", 0

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: code, base 0, 4 GiB, 32-bit
    dq 0x00cf92000000ffff           ; 0x10: data, base 0, 4 GiB
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd gdt

section .bss
alignb 8
idt:          resq 256
idtr:         resb 6
seen_vector:  resd 1
seen_error:   resd 1
seen_eip:     resd 1
seen_cs:      resd 1
seen_esp:     resd 1                ; ESP just above the frame = ESP before the exception
resume_eip:   resd 1                ; where the handler returns to; 0 = nothing expected
esp_before:   resd 1

section .text

; Stubs for the 32 exception vectors and INT 0x80: each pushes NO_ERROR where the CPU pushes
; no error code, so every frame has the same shape, then its vector.
%macro STUB 2                       ; vector, CPU pushes an error code (1/0)
vector_stub_%1:
%if %2 == 0
    push dword NO_ERROR
%endif
    push dword %1
    jmp common_handler
%endmacro
%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
    STUB v, 1
%else
    STUB v, 0
%endif
%assign v v + 1
%endrep
    STUB 128, 0                     ; INT 0x80

stub_table:                         ; address of the stub of exception vector n
%assign v 0
%rep 32
    dd vector_stub_ %+ v
%assign v v + 1
%endrep

; Frame here: [esp] = saved EAX, +4 vector, +8 error code (or NO_ERROR), +12 EIP, +16 CS,
; +20 EFLAGS; +24 is where ESP stood when the exception hit (same privilege, no stack switch).
common_handler:
    push eax
    cmp dword [resume_eip], 0
    jne .expected
    mov eax, [esp + 4]
    push eax
    push dword -1
    mov esi, s_unexpected
    jmp fail_mismatch               ; "got" -1 means: no exception was expected, "want" = vector
.expected:
    mov eax, [esp + 4]
    mov [seen_vector], eax
    mov eax, [esp + 8]
    mov [seen_error], eax
    mov eax, [esp + 12]
    mov [seen_eip], eax
    mov eax, [esp + 16]
    mov [seen_cs], eax
    lea eax, [esp + 24]
    mov [seen_esp], eax
    mov eax, [resume_eip]
    mov [esp + 12], eax
    mov dword [resume_eip], 0
    pop eax
    add esp, 8                      ; vector and error code
    iretd

unexpected_high_vector:
    mov esi, s_gate32
    jmp guest_fail

; EAX = vector, EDX = handler
set_gate:
    mov [idt + eax * 8], dx
    mov word [idt + eax * 8 + 2], CODE_SEL
    mov byte [idt + eax * 8 + 4], 0
    mov byte [idt + eax * 8 + 5], GATE_INT32
    shr edx, 16
    mov [idt + eax * 8 + 6], dx
    ret

; After a case: EAX = wanted vector, EBX = wanted error code, ECX = wanted saved EIP,
; ESI = the case's name. Fails the guest on any difference, else reports the case ok.
verify_exception:
    CHECK_EQ [resume_eip], 0, "handler ran (0 = yes)"
    CHECK_EQ [seen_vector], eax, "vector"
    CHECK_EQ [seen_error], ebx, "error code"
    CHECK_EQ [seen_eip], ecx, "saved EIP"
    mov edx, [seen_cs]
    and edx, 0xffff
    CHECK_EQ edx, CODE_SEL, "saved CS"
    mov edx, [esp_before]
    CHECK_EQ [seen_esp], edx, "ESP above the frame (frame size)"
    jmp report_ok

; EXCEPTION_CASE "name", vector, error code, is_trap, {instruction}: runs the instruction
; with the handler primed to resume right after it, then verifies what the handler saw.
%macro EXCEPTION_CASE 5
    mov dword [seen_vector], -1
    mov dword [resume_eip], %%after
    mov [esp_before], esp
%%insn:
    %5
%%after:
    mov esi, %%name
    mov eax, %2
    mov ebx, %3
%if %4
    mov ecx, %%after
%else
    mov ecx, %%insn
%endif
    call verify_exception
[section .rodata]
%%name: db %1, 0
__?SECT?__
%endmacro

guest_main:
    lgdt [gdtr]
    jmp CODE_SEL:.reload_cs
.reload_cs:
    mov ax, DATA_SEL
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax

    mov eax, 32                     ; vectors 32..255: one failing gate
.high_gates:
    mov edx, unexpected_high_vector
    call set_gate
    inc eax
    cmp eax, 256
    jb .high_gates
    xor eax, eax                    ; vectors 0..31: their stubs
.low_gates:
    mov edx, [stub_table + eax * 4]
    call set_gate
    inc eax
    cmp eax, 32
    jb .low_gates
    mov eax, 0x80
    mov edx, vector_stub_128
    call set_gate
    mov word [idtr], 256 * 8 - 1
    mov dword [idtr + 2], idt
    lidt [idtr]
    mov dword [resume_eip], 0
    mov esi, s_tables
    call report_ok

    mov eax, 1
    xor edx, edx
    xor ecx, ecx
    EXCEPTION_CASE "#DE div ecx=0 (fault)", 0, NO_ERROR, 0, {div ecx}
    EXCEPTION_CASE "#UD ud2 (fault)", 6, NO_ERROR, 0, {ud2}
    EXCEPTION_CASE "#BP int3 (trap)", 3, NO_ERROR, 1, {int3}
    EXCEPTION_CASE "int 0x80 (trap)", 0x80, NO_ERROR, 1, {int 0x80}
    mov ax, BAD_SELECTOR
    EXCEPTION_CASE "#GP(0x1234) mov ds (fault)", 13, BAD_SELECTOR, 0, {mov ds, ax}
    xor eax, eax
    mov ax, ds
    CHECK_EQ eax, DATA_SEL, "DS after the faulting load"
    mov esi, s_ds_kept
    call report_ok
    jmp guest_pass
