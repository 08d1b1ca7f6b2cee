; tests/system/global_pages.asm — global pages (CR4.PGE): after both mappings are in the TLB,
; their PTEs are pointed elsewhere without INVLPG and CR3 is reloaded. The non-global page
; must be walked again (it shows the new frame); ferry keeps the global one (the old frame).
; A processor may drop a global entry at any time, and QEMU does on every CR3 load, so this
; guest checks ferry's TLB and runs without the QEMU reference. INVLPG then drops the global
; entry too.

%include "mb.inc"
%include "sys32.inc"
%include "paging32.inc"

GLOBAL_LA  equ 0x480000             ; page_table1 entries 0x80 and 0x81
PRIVATE_LA equ 0x481000

section .rodata
guest_name: db "global_pages", 0

section .bss
alignb 4096
frame_a: resb 4096
frame_b: resb 4096
frame_c: resb 4096

section .text
guest_main:
    call load_tables
    mov dword [frame_a], 0xaaaaaaaa
    mov dword [frame_b], 0xbbbbbbbb
    mov dword [frame_c], 0xcccccccc
    mov eax, frame_a
    or eax, PTE_P | PTE_RW | PTE_G
    mov [page_table1 + 0x80 * 4], eax
    mov eax, frame_b
    or eax, PTE_P | PTE_RW
    mov [page_table1 + 0x81 * 4], eax
    call paging_on
    mov eax, cr4
    or eax, 1 << 7                  ; PGE
    mov cr4, eax

    CHECK_EQ dword [GLOBAL_LA], 0xaaaaaaaa, "global page before"
    CHECK_EQ dword [PRIVATE_LA], 0xbbbbbbbb, "non-global page before"
    mov eax, frame_c
    or eax, PTE_P | PTE_RW | PTE_G
    mov [page_table1 + 0x80 * 4], eax
    and eax, ~PTE_G
    mov [page_table1 + 0x81 * 4], eax
    mov eax, cr3
    mov cr3, eax
    CHECK_EQ dword [PRIVATE_LA], 0xcccccccc, "non-global page re-walked after CR3 load"
    CHECK_EQ dword [GLOBAL_LA], 0xaaaaaaaa, "global page kept across CR3 load"
    invlpg [GLOBAL_LA]
    CHECK_EQ dword [GLOBAL_LA], 0xcccccccc, "global page after INVLPG"
    jmp guest_pass
