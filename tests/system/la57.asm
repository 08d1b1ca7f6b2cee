; tests/system/la57.asm — five-level paging: long mode entered with CR4.LA57 and CR3 naming
; a PML5 whose entry 0 holds the usual identity-mapped first GiB; then a 2 MiB page at
; HIGH_LA (canonical with 57 bits, not with 48) through PML5 entry 0xFF reads the data it
; maps, FS_BASE accepts HIGH_LA, a 57-bit non-canonical address raises #GP(0), CR4.LA57
; cannot change in long mode (#GP(0)), and a not-present PML5 entry gives #PF with CR2.

%include "mb.inc"
%include "sys32.inc"
%include "long64.inc"

HIGH_LA equ 0x00ff800000000000   ; PML5 0xff, PML4 0x100, PDPT 0, PD 0
CR4_LA57 equ 1 << 12

section .rodata
guest_name: db "la57", 0

section .bss
alignb 4096
pml5: resq 512
pml4_high: resq 512
pdpt_high: resq 512
pd_high: resq 512
alignb 0x200000
data_2m: resb 0x200000           ; what HIGH_LA maps

section .text
bits 32
guest_main:
    mov dword [pml5], pml4 + 7
    mov dword [long64_cr3], pml5
    mov dword [long64_cr4_extra], CR4_LA57
    ENTER_LONG_MODE long_entry

bits 64
int80_64:
    jmp fail_unreached

long_entry:
    call long64_tables
    mov rax, cr4
    and eax, CR4_LA57
    CHECK64 rax, CR4_LA57, "long mode with CR4.LA57"
    mov esi, s_entered
    call ok64

    mov eax, pml4_high + 3
    mov [pml5 + 0xff * 8], rax
    mov eax, pdpt_high + 3
    mov [pml4_high + 0x100 * 8], rax
    mov eax, pd_high + 3
    mov [pdpt_high], rax
    mov eax, data_2m + 0x83
    mov [pd_high], rax
    mov dword [data_2m + 0x1234], 0x57575757
    mov rbx, HIGH_LA + 0x1234
    mov eax, [rbx]
    CHECK64 rax, 0x57575757, "read through PML5 entry 0xff"
    mov dword [rbx + 4], 0x12345678
    mov eax, [data_2m + 0x1238]
    CHECK64 rax, 0x12345678, "write through PML5 entry 0xff"
    mov esi, s_walk
    call ok64

    mov ecx, MSR_FS_BASE
    mov rax, HIGH_LA
    mov rdx, rax
    shr rdx, 32
    wrmsr
    mov eax, [fs:0x1234]
    CHECK64 rax, 0x57575757, "FS_BASE = a 57-bit canonical address"
    mov rbx, 0x0100000000000000
    EXPECT_FAULT 13, 0, {mov eax, [rbx]}, "57-bit non-canonical address: #GP(0)"
    mov rcx, cr4
    and ecx, ~CR4_LA57
    EXPECT_FAULT 13, 0, {mov cr4, rcx}, "clearing CR4.LA57 in long mode: #GP(0)"
    mov rbx, 0x0080000000000000     ; PML5 entry 0x80: not present
    EXPECT_FAULT 14, 0, {mov eax, [rbx]}, "not-present PML5 entry: #PF"
    CHECK64 [f_cr2], rbx, "not-present PML5 entry: CR2"
    mov esi, s_rules
    call ok64
    jmp pass64

section .rodata
s_entered: db "long mode with five-level paging", 0
s_walk: db "a 2 MiB page through PML5 entry 0xff", 0
s_rules: db "57-bit canonical addresses, CR4.LA57 fixed in long mode, PML5 #PF", 0
