; tests/system/desc_gates.asm — the descriptor-table instructions and call gates in 32-bit
; protected mode: SGDT/SIDT, LTR/STR (busy bit), LLDT/SLDT, LAR/LSL/VERR/VERW at ring 0 and
; ring 3, ARPL, SMSW/LMSW/CLTS, then from ring 3 a far CALL through a call gate to ring 0
; with two parameters copied to the TSS stack, and RETF 8 back to ring 3, which nulls DS
; (DPL 0 < CPL 3).

%include "mb.inc"
%include "sys32.inc"

TSS_SEL   equ 0x28
LDT_SEL   equ 0x30
GATE_SEL  equ 0x38
DPL1_SEL  equ 0x40                  ; data, DPL 1, byte limit 0xfff
XO_SEL    equ 0x48                  ; execute-only code, DPL 0
LDT_DATA  equ 0x04 | 3              ; LDT entry 0, RPL 3

section .rodata
guest_name: db "desc_gates", 0
s_fault: db "unexpected exception", 0

section .data
align 4
ldt: dq 0x00cff2000000ffff          ; data, DPL 3
user_esp_before: dd 0
gate_ran: dd 0

section .bss
alignb 16
tss: resb 0x68
kstack: resb 4096
kstack_top:
ustack: resb 4096
ustack_top:

section .text
guest_main:
    call load_tables
    SYS_DESC TSS_SEL, tss, 0x67, 0x89, 0
    SYS_DESC LDT_SEL, ldt, 7, 0x82, 0
    GATE_DESC gdt, GATE_SEL, KCODE, gate_target, 0xec, 2     ; 32-bit call gate, DPL 3
    mov dword [gdt + DPL1_SEL], 0x00000fff
    mov dword [gdt + DPL1_SEL + 4], 0x0040b200
    mov dword [gdt + XO_SEL], 0x0000ffff
    mov dword [gdt + XO_SEL + 4], 0x00cf9800
    ; every exception is a failure here: vector 13 and the rest through one handler
    mov ecx, 0
.idt:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 32
    jb .idt
    mov dword [tss + 4], kstack_top     ; ESP0
    mov dword [tss + 8], KDATA          ; SS0

    ; SGDT / SIDT
    sub esp, 8
    sgdt [esp]
    movzx eax, word [esp]
    CHECK_EQ eax, GDT_ENTRIES * 8 - 1, "SGDT limit"
    mov eax, [esp + 2]
    CHECK_EQ eax, gdt, "SGDT base"
    sidt [esp]
    movzx eax, word [esp]
    CHECK_EQ eax, 256 * 8 - 1, "SIDT limit"
    add esp, 8

    ; LTR marks the TSS busy; STR reads the selector back
    mov ax, TSS_SEL
    ltr ax
    xor eax, eax
    str eax
    CHECK_EQ eax, TSS_SEL, "STR after LTR"
    movzx eax, byte [gdt + TSS_SEL + 5]
    CHECK_EQ eax, 0x8b, "TSS descriptor type after LTR"

    ; LLDT / SLDT, and a segment from the LDT
    mov ax, LDT_SEL
    lldt ax
    xor eax, eax
    sldt eax
    CHECK_EQ eax, LDT_SEL, "SLDT after LLDT"
    mov ax, LDT_DATA
    mov es, ax
    xor eax, eax
    mov ax, es
    CHECK_EQ eax, LDT_DATA, "ES loaded from the LDT"
    mov ax, KDATA
    mov es, ax

    ; LAR
    mov eax, 0x11111111
    lar eax, [dw_udata]
    setz bl
    and eax, 0x00f0ff00
    CHECK_EQ eax, 0x00c0f200, "LAR of the ring-3 data segment"
    movzx ebx, bl
    CHECK_EQ ebx, 1, "ZF after LAR"
    mov eax, 0x22222222
    xor ecx, ecx
    lar eax, cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "LAR of the null selector (ZF, register kept)"
    CHECK_EQ eax, 0x22222222, "LAR of the null selector (ZF, register kept)"
    mov cx, GATE_SEL
    lar eax, cx
    and eax, 0x0000ff00                 ; bits 16-23 of a gate are its offset
    CHECK_EQ eax, 0x0000ec00, "LAR of the call gate"

    ; LSL
    mov cx, DPL1_SEL
    lsl eax, cx
    CHECK_EQ eax, 0xfff, "LSL of the byte-granular segment"
    mov cx, KDATA
    lsl eax, cx
    CHECK_EQ eax, 0xffffffff, "LSL of the 4 GiB segment"
    mov cx, GATE_SEL
    lsl eax, cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "LSL of the call gate (ZF)"

    ; VERR / VERW
    mov cx, XO_SEL
    verr cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "VERR of execute-only code (ZF)"
    mov cx, KCODE
    verr cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 1, "VERR of readable code (ZF)"
    mov cx, KDATA
    verw cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 1, "VERW of writable data (ZF)"
    mov cx, KCODE
    verw cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "VERW of code (ZF)"

    ; ARPL
    mov eax, 0x10
    mov ebx, 0x03
    arpl ax, bx
    setz cl
    CHECK_EQ eax, 0x13, "ARPL raised RPL"
    movzx ecx, cl
    CHECK_EQ ecx, 1, "ARPL ZF"
    arpl ax, bx
    setz cl
    movzx ecx, cl
    CHECK_EQ ecx, 0, "ARPL with equal RPL (ZF)"

    ; SMSW / LMSW / CLTS
    smsw eax
    and eax, 1
    CHECK_EQ eax, 1, "SMSW PE"
    smsw ax
    or ax, 8
    lmsw ax
    mov eax, cr0
    and eax, 8
    CHECK_EQ eax, 8, "CR0.TS after LMSW"
    clts
    mov eax, cr0
    and eax, 8
    CHECK_EQ eax, 0, "CR0.TS after CLTS"

    ; to ring 3 (IOPL 3 so it can report on the serial port)
    push dword UDATA
    push dword ustack_top
    push dword 0x3002
    push dword UCODE
    push dword ring3
    iret

ring3:
    mov ax, UDATA
    mov ds, ax
    mov es, ax
    mov cx, KDATA
    verr cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "ring 3 VERR of ring-0 data (ZF)"
    mov cx, UDATA
    verw cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 1, "ring 3 VERW of ring-3 data (ZF)"
    mov cx, KCODE
    lar eax, cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "ring 3 LAR of ring-0 code (ZF)"
    mov cx, DPL1_SEL
    lsl eax, cx
    setz bl
    movzx ebx, bl
    CHECK_EQ ebx, 0, "ring 3 LSL of DPL-1 data (ZF)"

    ; through the call gate to ring 0 with two parameters
    mov [user_esp_before], esp
    push dword 0xaaaa1111
    push dword 0xbbbb2222
    call GATE_SEL | 3 : 0
back_in_ring3:
    mov ebx, ds                         ; read before DS is reloaded
    mov ax, UDATA
    mov ds, ax
    xor eax, eax
    mov ax, cs
    CHECK_EQ eax, UCODE, "CS after RETF to ring 3"
    and ebx, 0xffff
    CHECK_EQ ebx, 0, "DS nulled by RETF to ring 3"
    CHECK_EQ esp, [user_esp_before], "ESP after RETF 8"
    CHECK_EQ dword [gate_ran], 1, "the gate target ran"
    jmp guest_pass

; ring 0, on the TSS stack: [esp] EIP, +4 CS, +8 param 2, +12 param 1, +16 ESP, +20 SS
gate_target:
    mov ax, KDATA
    mov ds, ax
    xor eax, eax
    mov ax, cs
    CHECK_EQ eax, KCODE, "CS in the gate target"
    mov ax, ss
    CHECK_EQ eax, KDATA, "SS in the gate target (from the TSS)"
    lea eax, [esp + 24]
    CHECK_EQ eax, kstack_top, "ESP in the gate target"
    CHECK_EQ dword [esp + 4], UCODE, "caller CS on the inner stack"
    CHECK_EQ dword [esp + 8], 0xbbbb2222, "second parameter copied"
    CHECK_EQ dword [esp + 12], 0xaaaa1111, "first parameter copied"
    mov eax, [user_esp_before]
    sub eax, 8
    CHECK_EQ [esp + 16], eax, "caller ESP on the inner stack"
    CHECK_EQ dword [esp + 20], UDATA, "caller SS on the inner stack"
    mov dword [gate_ran], 1
    retf 8

unexpected:
    mov ax, KDATA
    mov ds, ax
    mov esi, s_fault
    jmp guest_fail

section .rodata
dw_udata: dw UDATA
