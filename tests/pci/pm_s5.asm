; tests/pci/pm_s5.asm — the PIIX4 power-management function: PMBA (config 0x40) as the BIOS
; or direct boot left it, enabled by PMREGMISC; the PM timer at PMBA+8 advances; moving PMBA
; moves the whole block (the old timer port floats, the new one counts); then SLP_TYP 0
; (soft off on the PIIX4) with SLP_EN in PM1a_CNT powers the machine off: exit status 0.
%include "mb.inc"
%include "pci.inc"

MOVED_BASE equ 0x700

section .rodata
guest_name: db "pm_s5", 0
msg_pmba: db "PMBA enabled", 0
msg_timer: db "PM timer at PMBA+8 advances", 0
msg_move: db "PMBA moves the block", 0
msg_off: db "powering off", 0
msg_still: db "still running after S5", 0
msg_stuck: db "the PM timer does not advance", 0

section .text
; CF clear if the dword port DX changes within a million reads (24-bit timer)
timer_advances:
    push eax
    push ebx
    push ecx
    in eax, dx
    mov ebx, eax
    mov ecx, 1000000
.again:
    in eax, dx
    cmp eax, ebx
    jne .moved
    loop .again
    stc
    jmp .out
.moved:
    clc
.out:
    pop ecx
    pop ebx
    pop eax
    ret

guest_main:
    mov ebx, PCI_ADDR(1, 3, 0x80)
    call pci_read8
    and eax, 1
    CHECK_EQ eax, 1, "PMREGMISC enable"
    mov ebx, PCI_ADDR(1, 3, 0x40)
    call pci_read32
    mov edi, eax
    and eax, 1
    CHECK_EQ eax, 1, "PMBA I/O indicator"
    and edi, 0xffc0
    CHECK_EQ edi, 0x600, "PMBA address (the BIOS default)"
    mov esi, msg_pmba
    call report_ok

    lea edx, [edi + 8]
    call timer_advances
    jc stuck
    in eax, dx
    test eax, 0xff000000
    jnz stuck
    mov esi, msg_timer
    call report_ok

    ; move the block to 0x700 and back
    mov ebx, PCI_ADDR(1, 3, 0x40)
    mov ecx, MOVED_BASE | 1
    call pci_write32
    call pci_read32
    CHECK_EQ eax, MOVED_BASE | 1, "PMBA after the move"
    mov dx, MOVED_BASE + 8
    call timer_advances
    jc stuck
    lea edx, [edi + 8]
    in eax, dx
    CHECK_EQ eax, 0xffffffff, "the old PM timer port"
    lea ecx, [edi + 1]
    call pci_write32
    call timer_advances
    jc stuck
    mov esi, msg_move
    call report_ok

    mov esi, msg_off
    call report_ok
    lea edx, [edi + 4]
    mov ax, 0x2000                      ; SLP_TYP 0 (soft off) | SLP_EN
    out dx, ax
    mov ecx, 10000000
.wait:
    loop .wait
    mov esi, msg_still
    jmp guest_fail
stuck:
    mov esi, msg_stuck
    jmp guest_fail
