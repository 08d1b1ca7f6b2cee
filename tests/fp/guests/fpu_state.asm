; tests/fp/guests/fpu_state.asm — the FPU's system side, 32-bit protected mode:
;  - CPUID.1:ECX.XSAVE, OSXSAVE mirroring CR4.OSXSAVE, CPUID 0xD subleaves 0 and 1;
;  - XGETBV/XSETBV: #UD without CR4.OSXSAVE, XCR0 = 1 at reset, #GP for XCR0 without the
;    x87 bit, with AVX but not SSE, or ECX != 0;
;  - XSAVE/XRSTOR round trip of the x87 stack and XMM registers, XSTATE_BV for state in
;    use, XRSTOR with XSTATE_BV.SSE = 0 initialising the XMM registers, #GP for a misaligned
;    area and for a bad header (XSTATE_BV outside XCR0, XCOMP_BV in the standard form);
;    XSAVEC's XCOMP_BV where CPUID.0xD.1 advertises XSAVEC (QEMU 7.2 does not);
;  - CR0.TS: #NM for XSAVE and for an x87 instruction, none for XGETBV;
;  - an unmasked x87 exception: #MF at the next waiting instruction (FWAIT or an x87
;    instruction) with CR0.NE = 1, FERR# on IRQ 13 with CR0.NE = 0, lowered through
;    port 0xF0.
; Faults are caught by handlers that record the vector and resume at [resume].

%include "mb.inc"
%include "sys32.inc"

CR0_MP equ 1 << 1
CR0_TS equ 1 << 3
CR0_NE equ 1 << 5
CR4_OSFXSR equ 1 << 9
CR4_OSXSAVE equ 1 << 18

section .rodata
guest_name: db "fpu_state", 0
s_cpuid: db "CPUID XSAVE bits and leaf 0xD", 0
s_xsetbv: db "XGETBV/XSETBV rules", 0
s_xsave: db "XSAVE/XRSTOR round trip and header checks", 0
s_nm: db "CR0.TS: #NM", 0
s_mf: db "unmasked x87 exception: #MF with CR0.NE", 0
s_ferr: db "unmasked x87 exception: IRQ 13 without CR0.NE", 0
s_fault: db "unexpected exception", 0
pattern: dd 0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00

section .data
last_vec: dd 0
resume: dd 0
irq13_count: dd 0

section .bss
alignb 64
area: resb 1024
saved_pi: rest 1

section .text
; TRY vector, "what": run the instruction(s) up to END_TRY; exactly that vector must have
; been raised (-1: none)
%macro TRY 0
    mov dword [last_vec], -1
    mov dword [resume], %%after
%define TRY_AFTER %%after
%endmacro
%macro END_TRY 2
TRY_AFTER:
    CHECK_EQ [last_vec], %1, %2
%endmacro

; a fault handler without an error code (%1 vector) or with one (%2 = 1)
%macro FAULT_HANDLER 2
fault_%1:
%if %2
    add esp, 4
%endif
    mov dword [last_vec], %1
    push eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    iretd
%endmacro

FAULT_HANDLER 6, 0
FAULT_HANDLER 7, 0
FAULT_HANDLER 13, 1
FAULT_HANDLER 16, 0

guest_main:
    call load_tables
    xor ecx, ecx
.fill:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 256
    jb .fill
    GATE_DESC idt, 6 * 8, KCODE, fault_6, 0x8e, 0
    GATE_DESC idt, 7 * 8, KCODE, fault_7, 0x8e, 0
    GATE_DESC idt, 13 * 8, KCODE, fault_13, 0x8e, 0
    GATE_DESC idt, 16 * 8, KCODE, fault_16, 0x8e, 0
    GATE_DESC idt, 0x2d * 8, KCODE, irq13, 0x8e, 0

    ; ---- CPUID
    mov eax, 1
    cpuid
    and ecx, 3 << 26
    CHECK_EQ ecx, 1 << 26, "CPUID.1:ECX XSAVE set, OSXSAVE clear"
    TRY
    xor ecx, ecx
    xgetbv
    END_TRY 6, "XGETBV without CR4.OSXSAVE: #UD"
    mov eax, cr4
    or eax, CR4_OSFXSR | CR4_OSXSAVE
    mov cr4, eax
    mov eax, 1
    cpuid
    and ecx, 1 << 27
    CHECK_EQ ecx, 1 << 27, "CPUID.1:ECX.OSXSAVE follows CR4"
    mov eax, 0xd
    xor ecx, ecx
    cpuid
    and eax, 3
    CHECK_EQ eax, 3, "CPUID.0xD.0:EAX x87 and SSE"
    mov esi, s_cpuid
    call report_ok

    ; ---- XGETBV / XSETBV
    xor ecx, ecx
    xgetbv
    CHECK_EQ eax, 1, "XCR0 at reset"
    CHECK_EQ edx, 0, "XCR0 at reset (high)"
    TRY
    xor ecx, ecx
    xor edx, edx
    xor eax, eax
    xsetbv
    END_TRY 13, "XSETBV without the x87 bit: #GP"
    TRY
    xor ecx, ecx
    xor edx, edx
    mov eax, 5
    xsetbv
    END_TRY 13, "XSETBV AVX without SSE: #GP"
    TRY
    mov ecx, 1
    xor edx, edx
    mov eax, 3
    xsetbv
    END_TRY 13, "XSETBV ECX = 1: #GP"
    TRY
    xor ecx, ecx
    xor edx, edx
    mov eax, 3
    xsetbv
    END_TRY -1, "XSETBV 3"
    xor ecx, ecx
    xgetbv
    CHECK_EQ eax, 3, "XCR0 after XSETBV"
    mov eax, 0xd
    xor ecx, ecx
    cpuid
    CHECK_EQ ebx, 576, "CPUID.0xD.0:EBX for XCR0 = 3"
    mov esi, s_xsetbv
    call report_ok

    ; ---- XSAVE / XRSTOR
    fninit
    fldpi
    fld1
    movdqu xmm0, [pattern]
    movdqu xmm7, [pattern]
    mov edi, area
    xor eax, eax
    mov ecx, 1024 / 4
    rep stosd
    mov eax, 3
    xor edx, edx
    xsave [area]
    mov eax, [area + 512]
    and eax, 3
    CHECK_EQ eax, 3, "XSTATE_BV of state in use"
    CHECK_EQ dword [area + 520], 0, "XSAVE leaves XCOMP_BV"
    movzx eax, word [area]
    CHECK_EQ eax, 0x37f, "saved FCW"
    CHECK_EQ dword [area + 24], 0x1f80, "saved MXCSR"
    CHECK_EQ dword [area + 160], 0x11223344, "saved XMM0"
    CHECK_EQ dword [area + 160 + 7 * 16 + 12], 0xddeeff00, "saved XMM7"
    movzx eax, byte [area + 4]
    CHECK_EQ eax, 0xc0, "saved abridged tag (two registers)"
    CHECK_EQ dword [area + 32 + 4], 0x80000000, "saved ST0 = 1.0"
    ; change everything, restore, compare
    fninit
    pxor xmm0, xmm0
    pxor xmm7, xmm7
    mov eax, 3
    xor edx, edx
    xrstor [area]
    movd eax, xmm0
    CHECK_EQ eax, 0x11223344, "restored XMM0"
    fstp st0
    fstp tword [saved_pi]
    CHECK_EQ dword [saved_pi + 4], 0xc90fdaa2, "restored ST1 = pi"
    fnstsw ax
    and eax, 0x3800
    CHECK_EQ eax, 0, "TOP after popping the restored stack"
    ; XSTATE_BV.SSE = 0: the XMM registers take their initial value (zero)
    and dword [area + 512], ~2
    mov eax, 3
    xor edx, edx
    xrstor [area]
    movd eax, xmm7
    CHECK_EQ eax, 0, "XRSTOR of an initial SSE component"
    or dword [area + 512], 2
    TRY
    mov eax, 3
    xor edx, edx
    xsave [area + 16]
    END_TRY 13, "XSAVE misaligned: #GP"
    TRY
    mov dword [area + 520], 1
    mov eax, 3
    xor edx, edx
    xrstor [area]
    END_TRY 13, "XRSTOR with XCOMP_BV in the standard form: #GP"
    mov dword [area + 520], 0
    TRY
    or dword [area + 512], 4
    mov eax, 3
    xor edx, edx
    xrstor [area]
    END_TRY 13, "XRSTOR with XSTATE_BV outside XCR0: #GP"
    and dword [area + 512], 3
    mov eax, 0xd
    mov ecx, 1
    cpuid
    test eax, 2                 ; XSAVEC
    jz .no_xsavec
    movdqu xmm1, [pattern]
    mov eax, 3
    xor edx, edx
    xsavec [area]
    CHECK_EQ dword [area + 524], 0x80000000, "XSAVEC: XCOMP_BV bit 63"
    mov eax, [area + 520]
    and eax, 3
    CHECK_EQ eax, 3, "XSAVEC: XCOMP_BV components"
.no_xsavec:
    mov esi, s_xsave
    call report_ok

    ; ---- CR0.TS
    mov eax, cr0
    or eax, CR0_TS | CR0_MP | CR0_NE
    mov cr0, eax
    TRY
    mov eax, 3
    xor edx, edx
    xsave [area]
    END_TRY 7, "XSAVE with CR0.TS: #NM"
    TRY
    fld1
    END_TRY 7, "FLD1 with CR0.TS: #NM"
    TRY
    fwait
    END_TRY 7, "FWAIT with CR0.TS and CR0.MP: #NM"
    TRY
    xor ecx, ecx
    xgetbv
    END_TRY -1, "XGETBV with CR0.TS"
    clts
    mov esi, s_nm
    call report_ok

    ; ---- #MF (CR0.NE = 1): divide by zero with ZE unmasked
    fninit
    push 0x37b
    fldcw [esp]
    add esp, 4
    fld1
    fldz
    TRY
    fdivp st1, st0
    END_TRY -1, "the faulting FDIVP itself completes"
    TRY
    fwait
    END_TRY 16, "FWAIT after it: #MF"
    fnstsw ax
    and eax, 0x84
    CHECK_EQ eax, 0x84, "ES and ZE still set in the handler's view"
    TRY
    fld1
    END_TRY 16, "FLD1 with the exception still pending: #MF"
    fnclex
    TRY
    fwait
    END_TRY -1, "FWAIT after FNCLEX"
    mov esi, s_mf
    call report_ok

    ; ---- FERR# (CR0.NE = 0): IRQ 13 through the slave 8259's line 5
    mov eax, cr0
    and eax, ~CR0_NE
    mov cr0, eax
    call pic_init
    mov al, 0xfb                ; master: only the cascade
    out 0x21, al
    mov al, 0xdf                ; slave: only IRQ 13
    out 0xa1, al
    fninit
    push 0x37b
    fldcw [esp]
    add esp, 4
    fld1
    fldz
    fdivp st1, st0
    CHECK_EQ [irq13_count], 0, "no IRQ 13 before a waiting instruction"
    TRY
    sti
    fwait
    mov ecx, 100000
.wait:
    cmp dword [irq13_count], 0
    jne .done
    dec ecx
    jnz .wait
.done:
    cli
    END_TRY -1, "FWAIT without CR0.NE: no #MF"
    CHECK_EQ [irq13_count], 1, "IRQ 13 once"
    fnstsw ax
    and eax, 0x80
    CHECK_EQ eax, 0, "the handler cleared ES"
    mov esi, s_ferr
    call report_ok
    jmp guest_pass

; ICW1-4: master at 0x20, slave at 0x28 on IRQ 2, every line masked
pic_init:
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xff
    out 0x21, al
    out 0xa1, al
    ret

; IRQ 13: acknowledge FERR# at port 0xF0, clear the exception, EOI both 8259s
irq13:
    push eax
    xor eax, eax
    out 0xf0, al
    fnclex
    mov al, 0x20
    out 0xa0, al
    out 0x20, al
    inc dword [irq13_count]
    pop eax
    iretd

unexpected:
    mov esi, s_fault
    jmp guest_fail
