; tests/pci/pci_enum.asm — bus 0 through configuration mechanism #1: CONFIG_ADDRESS reads
; back, the chipset functions QEMU's pc machine and ferry share (i440FX 00:00.0, PIIX3 ISA
; 00:01.0, PIIX4 PM 00:01.3) with their IDs, class codes, header types and QEMU's subsystem
; ID, an absent function reads all ones, byte lanes of the data port, and the PAM and PIRQ
; route registers keep what is written while read-only bits stay.
%include "mb.inc"
%include "pci.inc"

section .rodata
guest_name: db "pci_enum", 0
msg_addr: db "CONFIG_ADDRESS reads back", 0
msg_ids: db "IDs, class codes and header types", 0
msg_absent: db "absent function reads all ones", 0
msg_lanes: db "byte lanes of the data port", 0
msg_regs: db "PAM and PIRQ route registers", 0

section .text
guest_main:
    mov dx, PCI_CONFIG_ADDRESS
    mov eax, 0x80000000
    out dx, eax
    in eax, dx
    CHECK_EQ eax, 0x80000000, "CONFIG_ADDRESS"
    mov esi, msg_addr
    call report_ok

    mov ebx, PCI_ADDR(0, 0, 0x00)
    call pci_read32
    CHECK_EQ eax, 0x12378086, "00:00.0 vendor/device"
    mov ebx, PCI_ADDR(0, 0, 0x08)
    call pci_read32
    shr eax, 8
    CHECK_EQ eax, 0x060000, "00:00.0 class"
    mov ebx, PCI_ADDR(0, 0, 0x0e)
    call pci_read8
    CHECK_EQ eax, 0x00, "00:00.0 header type"
    mov ebx, PCI_ADDR(0, 0, 0x2c)
    call pci_read32
    CHECK_EQ eax, 0x11001af4, "00:00.0 subsystem"
    mov ebx, PCI_ADDR(1, 0, 0x00)
    call pci_read32
    CHECK_EQ eax, 0x70008086, "00:01.0 vendor/device"
    mov ebx, PCI_ADDR(1, 0, 0x08)
    call pci_read32
    shr eax, 8
    CHECK_EQ eax, 0x060100, "00:01.0 class"
    mov ebx, PCI_ADDR(1, 0, 0x0e)
    call pci_read8
    and eax, 0x80
    CHECK_EQ eax, 0x80, "00:01.0 multi-function bit"
    mov ebx, PCI_ADDR(1, 3, 0x00)
    call pci_read32
    CHECK_EQ eax, 0x71138086, "00:01.3 vendor/device"
    mov ebx, PCI_ADDR(1, 3, 0x08)
    call pci_read32
    shr eax, 8
    CHECK_EQ eax, 0x068000, "00:01.3 class"
    mov ebx, PCI_ADDR(1, 3, 0x0e)
    call pci_read8
    CHECK_EQ eax, 0x00, "00:01.3 header type"
    mov esi, msg_ids
    call report_ok

    mov ebx, PCI_ADDR(31, 0, 0x00)
    call pci_read32
    CHECK_EQ eax, 0xffffffff, "00:1f.0 vendor/device"
    mov ebx, PCI_ADDR(1, 7, 0x00)
    call pci_read32
    CHECK_EQ eax, 0xffffffff, "00:01.7 vendor/device"
    mov esi, msg_absent
    call report_ok

    ; each byte of the i440FX's ID dword through its own data port, and a word at 0xCFE
    mov ebx, PCI_ADDR(0, 0, 0x01)
    call pci_read8
    CHECK_EQ eax, 0x80, "byte 1 at 0xcfd"
    mov ebx, PCI_ADDR(0, 0, 0x03)
    call pci_read8
    CHECK_EQ eax, 0x12, "byte 3 at 0xcff"
    mov dx, PCI_CONFIG_DATA + 2
    xor eax, eax
    in ax, dx
    CHECK_EQ eax, 0x1237, "word at 0xcfe"
    mov esi, msg_lanes
    call report_ok

    ; PAM6 (0xE8000-0xEFFFF): 0x31 reads back; bits 7:6 and 3:2 are reserved
    mov ebx, PCI_ADDR(0, 0, 0x5f)
    call pci_read8
    mov edi, eax
    mov cl, 0x31
    call pci_write8
    call pci_read8
    CHECK_EQ eax, 0x31, "PAM6 after writing 0x31"
    mov ecx, edi
    call pci_write8
    ; PIRQD route: 0x85 (disabled, IRQ 5) reads back; bits 6:4 are reserved
    mov ebx, PCI_ADDR(1, 0, 0x63)
    call pci_read8
    mov edi, eax
    mov cl, 0x85
    call pci_write8
    call pci_read8
    CHECK_EQ eax, 0x85, "PIRQD route after writing 0x85"
    mov ecx, edi
    call pci_write8
    call pci_read8
    CHECK_EQ eax, edi, "PIRQD route restored"
    ; the vendor ID is read-only
    mov ebx, PCI_ADDR(0, 0, 0x00)
    mov cl, 0x55
    call pci_write8
    call pci_read32
    CHECK_EQ eax, 0x12378086, "00:00.0 IDs after a write"
    mov esi, msg_regs
    call report_ok
    jmp guest_pass
