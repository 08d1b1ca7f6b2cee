; tests/boot/linuxboot.asm — the protected-mode part of a synthetic bzImage (mkbzimage.py
; puts a setup header in front of it). It checks the machine state the Linux x86 boot
; protocol promises at the kernel's entry, prints the verdict on COM1 and exits through
; isa-debug-exit (serial.inc: PASS = status 33).
;
; Assembled with nasm -f bin and:
;   LOAD_ADDR  where the loader must place this code (pref_address, or 1 MiB)
;   RAM_SIZE   the -m the test gives, in bytes
;   RD_SIZE    the size of the initrd the test gives with "rd=1"
;   INIT_SIZE  the header's init_size (the initrd must lie above LOAD_ADDR + INIT_SIZE)
; The command line must be "lbtest rd=0" (no initrd) or "lbtest rd=1" (-initrd of RD_SIZE
; bytes starting with "RDMAGIC!" and ending with 0x5a).
;
; Offset 0 is the 32-bit entry (code32_start); offset 0x200 the 64-bit one (startup_64).
; Each prints which entry ran, so a loader taking the wrong one fails the test's match.

%include "serial.inc"

BOOT_CS     equ 0x10
BOOT_DS     equ 0x18
STACK_TOP   equ LOAD_ADDR + 0x8000      ; inside init_size, which the loader zeroes for us

; boot_params offsets
BP_ISVGA    equ 0x00f
BP_RSDP     equ 0x070
BP_E820_N   equ 0x1e8
BP_SENTINEL equ 0x1ef
BP_MAGIC    equ 0x202
BP_LOADER   equ 0x210
BP_LOADFL   equ 0x211
BP_RD_IMAGE equ 0x218
BP_RD_SIZE  equ 0x21c
BP_HEAP_END equ 0x224
BP_CMDLINE  equ 0x228
BP_E820     equ 0x2d0

; CHECK cc, "message": fail with the message unless condition cc holds
%macro CHECK 2
    j%-1 %%bad
    jmp %%ok
%%bad:
    mov esi, %%msg
    jmp FAIL_LABEL
%%msg: db %2, 0
%%ok:
%endmacro

    org LOAD_ADDR

; ------------------------------------------------------------------ 32-bit entry
    bits 32
%define FAIL_LABEL fail32
entry32:
    mov esp, STACK_TOP
    mov ebx, esi                        ; boot_params
    mov ax, cs
    cmp ax, BOOT_CS
    CHECK e, "32: CS is not __BOOT_CS"
    mov ax, ds
    cmp ax, BOOT_DS
    CHECK e, "32: DS is not __BOOT_DS"
    mov ax, ss
    cmp ax, BOOT_DS
    CHECK e, "32: SS is not __BOOT_DS"
    mov eax, cr0
    test eax, 0x80000000
    CHECK z, "32: paging is on"
    test eax, 1
    CHECK nz, "32: not in protected mode"
    cmp dword [ebx + BP_MAGIC], 'HdrS'
    CHECK e, "32: ESI does not point at boot_params"
    mov esi, [ebx + BP_CMDLINE]
    mov edi, cmdline0
    mov ecx, cmdline_len
    repe cmpsb
    CHECK e, "32: command line differs"
    mov esi, pass32
    call putstr32
    EXIT_WITH EXIT_PASS

; FAIL_REPORT putstr: ESI = the message (every address here is below 4 GiB)
%macro FAIL_REPORT 1
    mov edi, esi
    mov esi, failmsg
    call %1
    mov esi, edi
    call %1
    mov esi, newline
    call %1
    EXIT_WITH EXIT_FAIL
%endmacro

fail32: FAIL_REPORT putstr32

putc32: SERIAL_PUTC_BODY
putstr32: SERIAL_PUTS_BODY putc32

    times 0x200 - ($ - $$) db 0xcc

; ------------------------------------------------------------------ 64-bit entry
    bits 64
%define FAIL_LABEL fail64
entry64:
    mov rsp, STACK_TOP
    mov rbx, rsi                        ; boot_params
    lea rax, [rel entry64]
    cmp rax, LOAD_ADDR + 0x200
    CHECK e, "64: kernel not at its preferred address"
    mov ax, cs
    cmp ax, BOOT_CS
    CHECK e, "64: CS is not __BOOT_CS"
    mov ax, ds
    cmp ax, BOOT_DS
    CHECK e, "64: DS is not __BOOT_DS"
    mov ax, es
    cmp ax, BOOT_DS
    CHECK e, "64: ES is not __BOOT_DS"
    mov ax, ss
    cmp ax, BOOT_DS
    CHECK e, "64: SS is not __BOOT_DS"
    mov ecx, 0xc0000080                 ; EFER
    rdmsr
    test eax, 1 << 10
    CHECK nz, "64: EFER.LMA clear"
    pushfq
    pop rax
    test eax, 1 << 9
    CHECK z, "64: interrupts enabled"
    sgdt [gdtr]
    mov rdx, [gdtr + 2]
    cmp qword [rdx + BOOT_CS], 0        ; the GDT really holds the descriptors
    CHECK ne, "64: GDT lacks __BOOT_CS"
    cmp rbx, 0x100000
    CHECK b, "64: boot_params not in low memory"

    ; the zero page
    cmp dword [rbx + BP_MAGIC], 'HdrS'
    CHECK e, "64: RSI does not point at boot_params (no HdrS)"
    cmp byte [rbx + BP_LOADER], 0xff
    CHECK e, "64: type_of_loader is not 0xff"
    mov al, [rbx + BP_LOADFL]
    and al, 0x81
    cmp al, 0x81
    CHECK e, "64: loadflags lack LOADED_HIGH or CAN_USE_HEAP"
    cmp word [rbx + BP_HEAP_END], 0
    CHECK ne, "64: heap_end_ptr is 0"
    cmp byte [rbx + BP_SENTINEL], 0
    CHECK e, "64: sentinel is not 0"
    cmp byte [rbx + BP_ISVGA], 0
    CHECK e, "64: orig_video_isVGA is not 0"
    ; ferry writes ACPI tables for -kernel boots: boot_params points at the RSDP
    cmp qword [rbx + BP_RSDP], 0xf0000
    CHECK e, "64: acpi_rsdp_addr is not 0xF0000"
    mov rax, 'RSD PTR '
    mov edx, 0xf0000
    cmp [rdx], rax
    CHECK e, "64: no RSDP signature at acpi_rsdp_addr"

    ; command line: "lbtest rd=" then the digit, then NUL
    mov esi, [rbx + BP_CMDLINE]
    mov r12, rsi
    mov rdi, cmdline0
    mov ecx, cmdline_len - 2
    repe cmpsb
    CHECK e, "64: command line differs"
    cmp byte [r12 + cmdline_len - 1], 0
    CHECK e, "64: command line not terminated"
    movzx r13d, byte [r12 + cmdline_len - 2]

    ; e820: four entries, as the table below
    cmp byte [rbx + BP_E820_N], 4
    CHECK e, "64: e820_entries is not 4"
    lea rsi, [rbx + BP_E820]
    mov rdi, e820_expected
    mov ecx, 4 * 20
    repe cmpsb
    CHECK e, "64: e820 table differs"

    ; ramdisk
    mov eax, [rbx + BP_RD_IMAGE]
    mov ecx, [rbx + BP_RD_SIZE]
    cmp r13b, '1'
    je .with_initrd
    or eax, ecx
    CHECK z, "64: ramdisk fields set without -initrd"
    jmp .done
.with_initrd:
    cmp ecx, RD_SIZE
    CHECK e, "64: ramdisk_size wrong"
    test eax, 0xfff
    CHECK z, "64: ramdisk_image not page aligned"
    cmp eax, LOAD_ADDR + INIT_SIZE
    CHECK ae, "64: initrd overlaps the kernel's init_size"
    lea rdx, [rax + rcx]
    cmp rdx, RAM_SIZE
    CHECK be, "64: initrd runs past RAM"
    cmp rdx, RAM_SIZE - 0x1000
    CHECK a, "64: initrd not placed high"
    mov rsi, 'RDMAGIC!'
    cmp [rax], rsi
    CHECK e, "64: initrd contents wrong at its start"
    cmp byte [rdx - 1], 0x5a
    CHECK e, "64: initrd contents wrong at its end"
.done:
    mov esi, pass64
    call putstr64
    EXIT_WITH EXIT_PASS

fail64: FAIL_REPORT putstr64
putc64: SERIAL_PUTC_BODY
putstr64: SERIAL_PUTS_BODY putc64

; ------------------------------------------------------------------ data
cmdline0:   db "lbtest rd=0", 0
cmdline_len equ $ - cmdline0            ; with the NUL
pass32:     db "linuxboot32: PASS", 13, 10, 0
pass64:     db "linuxboot64: PASS", 13, 10, 0
failmsg:    db "linuxboot: FAIL: ", 0
newline:    db 13, 10, 0
gdtr:       dw 0
            dq 0
e820_expected:
    dq 0, 0x9fc00
    dd 1
    dq 0x9fc00, 0x400
    dd 2
    dq 0xf0000, 0x10000
    dd 2
    dq 0x100000, RAM_SIZE - 0x100000
    dd 1
