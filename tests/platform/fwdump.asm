; tests/platform/fwdump.asm — prints the reserved BIOS area where ferry writes its firmware
; tables for -kernel boots (0xF0000-0xF9FFF: ACPI, MP table, SMBIOS) on COM1 as hex lines
; "fw <address> <32 bytes>", then passes. fwtables_test.py checks what it printed.

%include "mb.inc"

DUMP_START equ 0xf0000
DUMP_END   equ 0xfa000
LINE_BYTES equ 32

section .rodata
guest_name:  db "fwdump", 0
line_start:  db "fw ", 0

section .text
; AL as two hex digits
put_hex8:
    push eax
    push ebx
    movzx ebx, al
    shr ebx, 4
    mov al, [hex_digits + ebx]
    call serial_putc
    mov ebx, [esp + 4]
    and ebx, 0xf
    mov al, [hex_digits + ebx]
    call serial_putc
    pop ebx
    pop eax
    ret

guest_main:
    mov edi, DUMP_START
.line:
    mov esi, line_start
    call serial_puts
    mov eax, edi
    call put_hex32
    mov al, ' '
    call serial_putc
    mov ecx, LINE_BYTES
.byte:
    mov al, [edi]
    call put_hex8
    inc edi
    loop .byte
    mov al, 10
    call serial_putc
    cmp edi, DUMP_END
    jb .line
    jmp guest_pass
