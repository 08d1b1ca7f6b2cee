; tests/guests/realmode.asm — a 64 KiB -bios image that starts at the reset vector and tests
; real mode step by step, then enters 32-bit protected mode: segment arithmetic and 16-bit
; offset wrap, a far call and return, INT n through an IVT entry it installs, PUSHF/POPF,
; REP MOVSB (checked with REPE CMPSB), a divide error caught by its own IVT handler (which
; checks the pushed IP is the DIV's own), then LGDT, CR0.PE and a far jump to flat 32-bit
; code. Every step reports on COM1; the verdict goes to isa-debug-exit (serial.inc).
;
; The image is mapped at F0000-FFFFF (and below 4 GiB); offsets here are offsets in the
; image, so code runs with CS = F000 and IP = offset, and ROM_LINEAR + offset is linear.

bits 16
org 0
%include "serial.inc"

ROM_SEG     equ 0xf000
ROM_LINEAR  equ 0xf0000
STACK_TOP   equ 0x7000              ; SS = 0
STEP_VAR    equ 0x0500              ; SS:STEP_VAR = offset of the current step's name
COPY_DEST   equ 0x8000              ; ES = 0
FAR_OFFSET  equ 0x8000              ; far_routine sits here, reached as F800:0000
FAR_SEG     equ ROM_SEG + FAR_OFFSET / 16
INT_VECTOR  equ 0x40
CODE_SEL    equ 0x08
DATA_SEL    equ 0x10
PM_PROBE    equ 0x50000             ; beyond any 16-bit offset, below the A20 boundary
MARK_OK     equ 0x600d

; STEP "name": makes "name" the current step (reported by step_ok or fail16).
%macro STEP 1
    mov word [ss:STEP_VAR], %%name
    jmp %%go
%%name: db %1, 0
%%go:
%endmacro

start:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, STACK_TOP
    mov ax, cs
    mov ds, ax                      ; strings live in the image
    mov si, msg_start
    call puts16

    STEP "segment arithmetic"
    mov ax, 0x1234
    mov es, ax
    mov byte [es:0x0010], 0x5a      ; linear 0x12350
    mov ax, 0x1235
    mov es, ax
    cmp byte [es:0x0000], 0x5a
    jne fail16
    mov ax, 0x1000
    mov es, ax
    cmp byte [es:0x2350], 0x5a
    jne fail16
    mov ax, 0x1235                  ; 0xffff + 1 wraps to offset 0 inside the segment
    mov es, ax
    mov bx, 0xffff
    cmp byte [es:bx + 1], 0x5a
    jne fail16
    call step_ok

    STEP "far call and retf"
    mov ax, 0
    call FAR_SEG:0
    cmp ax, FAR_SEG                 ; the routine returns the CS it ran with
    jne fail16
    mov ax, cs
    cmp ax, ROM_SEG
    jne fail16
    cmp sp, STACK_TOP
    jne fail16
    call step_ok

    STEP "int 0x40 through the IVT"
    mov word [ss:INT_VECTOR * 4], int40_handler
    mov word [ss:INT_VECTOR * 4 + 2], cs
    xor bx, bx
    stc
    int INT_VECTOR
after_int40:
    jnc fail16                      ; the handler cleared CF; IRET restores it
    cmp bx, MARK_OK
    jne fail16
    cmp sp, STACK_TOP
    jne fail16
    call step_ok

    STEP "pushf/popf"
    push word 0x0c01                ; OF DF CF
    popf
    pushf
    pop ax
    and ax, 0x0fd5                  ; the defined flag bits of the low 12 (bit 1 always 1)
    cmp ax, 0x0c01
    jne fail16
    push word 0
    popf
    pushf
    pop ax
    and ax, 0x0fd7
    cmp ax, 0x0002                  ; bit 1 reads as 1
    jne fail16
    cld
    call step_ok

    STEP "rep movsb"
    xor ax, ax
    mov es, ax
    mov si, copy_text
    mov di, COPY_DEST
    mov cx, copy_text_len
    rep movsb
    test cx, cx
    jnz fail16
    cmp si, copy_text + copy_text_len
    jne fail16
    cmp di, COPY_DEST + copy_text_len
    jne fail16
    mov si, copy_text
    mov di, COPY_DEST
    mov cx, copy_text_len
    repe cmpsb
    jne fail16
    test cx, cx
    jnz fail16
    call step_ok

    STEP "divide error through IVT[0]"
    mov word [ss:0], de_handler
    mov word [ss:2], cs
    xor dx, dx
    mov ax, 1234
    xor bl, bl
de_insn:
    div bl                          ; F6 F3: 2 bytes, the handler steps over it
    cmp dx, MARK_OK
    jne fail16
    cmp ax, 1234                    ; #DE leaves the operands alone
    jne fail16
    call step_ok

    STEP "protected mode"
    o32 lgdt [cs:gdtr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword CODE_SEL:ROM_LINEAR + pm_entry

; --- 16-bit routines

putc16:
    SERIAL_PUTC_BODY
puts16:
    SERIAL_PUTS_BODY putc16

; Prints "realmode: <step> ok".
step_ok:
    mov si, msg_prefix
    call puts16
    mov si, [ss:STEP_VAR]
    call puts16
    mov si, msg_ok
    call puts16
    ret

fail16:
    mov si, msg_prefix
    call puts16
    mov si, msg_fail
    call puts16
    mov si, [ss:STEP_VAR]
    call puts16
    mov al, 10
    call putc16
    EXIT_WITH EXIT_FAIL

; The frame must hold the return IP after the INT and our CS.
int40_handler:
    push bp
    mov bp, sp
    cmp word [bp + 2], after_int40
    jne .bad
    cmp word [bp + 4], ROM_SEG
    jne .bad
    mov bx, MARK_OK
.bad:
    clc
    pop bp
    iret

; #DE pushes the DIV's own IP: check it, then resume after the 2-byte DIV.
de_handler:
    push bp
    mov bp, sp
    cmp word [bp + 2], de_insn
    jne .bad
    mov dx, MARK_OK
    add word [bp + 2], 2
.bad:
    pop bp
    iret

msg_start:  db "realmode: started at the reset vector", 10, 0
msg_prefix: db "realmode: ", 0
msg_ok:     db " ok", 10, 0
msg_fail:   db "FAIL: ", 0
copy_text:  db "a string copied by rep movsb"
copy_text_len equ $ - copy_text

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: code, base 0, 4 GiB, 32-bit
    dq 0x00cf92000000ffff           ; 0x10: data, base 0, 4 GiB
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd ROM_LINEAR + gdt

; --- flat 32-bit protected mode; image addresses need ROM_LINEAR added

bits 32
pm_entry:
    mov ax, DATA_SEL
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK_TOP
    mov eax, cr0
    test al, 1
    jz fail32
    mov edi, PM_PROBE               ; a 32-bit address beyond any 16-bit offset
    mov dword [edi], 0x89abcdef
    cmp dword [edi], 0x89abcdef
    jne fail32
    mov eax, 0x12345678             ; 32 x 32 -> 64-bit product
    mov ebx, 0x10
    mul ebx
    cmp edx, 0x1
    jne fail32
    cmp eax, 0x23456780
    jne fail32
    lea ecx, [eax + ebx * 4 + 0x10] ; SIB addressing
    cmp ecx, 0x234567d0
    jne fail32
    mov esi, ROM_LINEAR + msg_pm_ok
    call puts32
    EXIT_WITH EXIT_PASS

fail32:
    mov esi, ROM_LINEAR + msg_pm_fail
    call puts32
    EXIT_WITH EXIT_FAIL

putc32:
    SERIAL_PUTC_BODY
puts32:
    SERIAL_PUTS_BODY putc32

msg_pm_ok:   db "realmode: protected mode ok", 10, "realmode: PASS", 10, 0
msg_pm_fail: db "realmode: FAIL: protected mode", 10, 0

; --- far_routine at F800:0000, HLT filling the gap so a stray jump stops

bits 16
    times FAR_OFFSET - ($ - $$) db 0xf4
far_routine:
    mov ax, cs
    retf

; --- the reset vector: F000:FFF0 (linear FFFF0, also FFFFFFF0 right after reset)

    times 0xfff0 - ($ - $$) db 0xf4
reset_vector:
    jmp ROM_SEG:start
    times 0x10000 - ($ - $$) db 0xf4
