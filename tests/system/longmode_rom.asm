; tests/system/longmode_rom.asm — a 64 KiB -bios image that goes from the reset vector
; straight into long mode: in real mode it builds 4-level tables (one 2 MiB identity page),
; sets CR4.PAE, CR3 and EFER.LME, then sets CR0.PE and CR0.PG with one MOV and far-jumps to
; a 64-bit code segment. In 64-bit mode it checks EFER.LMA, 64-bit arithmetic, RIP-relative
; addressing, and a #UD through a 64-bit IDT gate (the pushed RIP, CS and the aligned
; frame), then reports PASS. Output on COM1 and port 0xE9, verdict to isa-debug-exit.

bits 16
org 0
%include "serial.inc"

ROM_LINEAR equ 0xf0000
%define OFS(x) ((x) - $$)
%define ROM(x) (ROM_LINEAR + ((x) - $$))
DEBUGCON equ 0xe9
PML4 equ 0x1000
PDPT equ 0x2000
PD   equ 0x3000
IDT  equ 0x4000
STACK_TOP equ 0x8000
MSR_EFER equ 0xc0000080
CODE64 equ 0x08
DATA64 equ 0x10

start:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, STACK_TOP
    mov ds, ax
    mov es, ax
    mov si, OFS(s_real)
    call puts16
    ; tables: PML4[0] -> PDPT[0] -> PD[0] = 2 MiB page at 0
    mov di, PML4
    mov cx, 0x4000 / 4
    xor eax, eax
    rep stosd
    mov dword [PML4], PDPT | 3
    mov dword [PDPT], PD | 3
    mov dword [PD], 0x83
    ; #UD gate (vector 6): 64-bit interrupt gate to ud_handler
    mov word [IDT + 6 * 16], ROM(ud_handler) & 0xffff
    mov word [IDT + 6 * 16 + 2], CODE64
    mov word [IDT + 6 * 16 + 4], 0x8e00
    mov word [IDT + 6 * 16 + 6], ROM(ud_handler) >> 16
    o32 lgdt [cs:OFS(gdtr)]
    mov eax, cr4
    or eax, 0x20                    ; PAE
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, 0x100                   ; LME
    wrmsr
    mov eax, cr0
    or eax, 0x80000001              ; PE and PG at once
    mov cr0, eax
    jmp dword CODE64:ROM(long_entry)

putc16:
    push ax
    out DEBUGCON, al
    pop ax
    SERIAL_PUTC_BODY
puts16:
    mov al, [cs:si]
    inc si
    test al, al
    jz .done
    call putc16
    jmp puts16
.done:
    ret

bits 64
long_entry:
    mov ax, DATA64
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK_TOP
    lea rsi, [rel s_entered]
    call puts64
    ; EFER.LMA
    mov ecx, MSR_EFER
    rdmsr
    test eax, 0x400
    jz fail
    ; 64-bit arithmetic
    mov rax, 0x123456789abcdef0
    rol rax, 8
    mov rbx, 0x3456789abcdef012
    cmp rax, rbx
    jne fail
    ; RIP-relative addressing reaches the image at its linear address
    lea rax, [rel long_entry]
    cmp rax, ROM(long_entry)
    jne fail
    lea rsi, [rel s_checks]
    call puts64
    ; #UD through the 64-bit IDT
    lidt [rel idtr]
    mov rbx, rsp
    sub rsp, 8                      ; misaligned: the frame is aligned to 16 all the same
ud_insn:
    ud2
    cmp qword [ud_rip], ROM(ud_insn)
    jne fail
    cmp qword [ud_cs], CODE64
    jne fail
    mov rax, [ud_frame]
    add rax, 40                     ; SS RSP RFLAGS CS RIP: the top of the frame
    test al, 0xf
    jnz fail
    mov rsp, rbx
    lea rsi, [rel s_ud]
    call puts64
    lea rsi, [rel s_pass]
    call puts64
    EXIT_WITH EXIT_PASS

ud_handler:
    mov [ud_frame], rsp
    mov rax, [rsp]
    mov [ud_rip], rax
    mov rax, [rsp + 8]
    mov [ud_cs], rax
    add qword [rsp], 2              ; over the UD2
    iretq

fail:
    lea rsi, [rel s_fail]
    call puts64
    EXIT_WITH EXIT_FAIL

putc64:
    push rax
    out DEBUGCON, al
    pop rax
    SERIAL_PUTC_BODY
puts64:
    SERIAL_PUTS_BODY putc64

align 8
gdt:
    dq 0
    dq 0x00af9b000000ffff           ; 0x08 64-bit code (accessed: the ROM is not written)
    dq 0x00cf93000000ffff           ; 0x10 data
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd ROM(gdt)
idtr:
    dw 16 * 16 - 1
    dq IDT

s_real:    db "longmode_rom: reset vector, real mode ok", 10, 0
s_entered: db "longmode_rom: real mode to 64-bit mode with one MOV to CR0 ok", 10, 0
s_checks:  db "longmode_rom: EFER.LMA, 64-bit arithmetic, RIP-relative addressing ok", 10, 0
s_ud:      db "longmode_rom: #UD through a 64-bit gate (RIP, CS, aligned frame) ok", 10, 0
s_pass:    db "longmode_rom: PASS", 10, 0
s_fail:    db "longmode_rom: FAIL", 10, 0

    times 0xfff0 - ($ - $$) db 0xff
bits 16
    jmp 0xf000:OFS(start)
    times 0x10000 - ($ - $$) db 0xff

; variables in RAM (the image is read-only)
ud_rip   equ 0x5000
ud_cs    equ 0x5008
ud_frame equ 0x5010
