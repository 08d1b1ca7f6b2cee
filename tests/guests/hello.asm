; tests/guests/hello.asm — the demo guest: a Multiboot v1 kernel that greets on COM1, prints
; the command line the loader passed (Multiboot info flags bit 2) and exits with PASS.

%include "mb.inc"

section .rodata
guest_name:  db "hello", 0
greeting:    db "Hello from a ferry guest", 10, 0
cmdline_is:  db "hello: cmdline: ", 0
no_cmdline:  db "(none)", 0

section .text
guest_main:
    mov esi, greeting
    call serial_puts
    mov esi, cmdline_is
    call serial_puts
    mov esi, no_cmdline
    cmp dword [mb_magic], MB_BOOT_MAGIC
    jne .print
    mov ebx, [mb_info]
    test dword [ebx + MB_INFO_FLAGS], MB_INFO_CMDLINE
    jz .print
    mov esi, [ebx + MB_INFO_CMDLINE_PTR]
.print:
    call serial_puts
    mov al, 10
    call serial_putc
    jmp guest_pass
