; tests/system/smep_smap.asm — SMEP and SMAP under 32-bit paging at CPL 0 (run with -cpu max):
;  - a supervisor fetch from a user page faults with #PF(P | I) when CR4.SMEP is set;
;  - with CR4.SMAP a supervisor read / write of a user page faults with #PF(P) / #PF(P | W)
;    while EFLAGS.AC = 0 (CLAC), and works after STAC; CR2 is the faulting address.

%include "mb.inc"
%include "sys32.inc"
%include "paging32.inc"

section .rodata
guest_name: db "smep_smap", 0
s_fault: db "unexpected exception", 0

section .data
align 4
pf_count: dd 0
pf_err: dd 0
pf_cr2: dd 0
pf_resume: dd 0

section .bss
alignb 4096
user_page: resb 4096

section .text
guest_main:
    call load_tables
    mov ecx, 0
.idt:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 32
    jb .idt
    GATE_DESC idt, 14 * 8, KCODE, pf_handler, 0x8e, 0

    mov eax, 7
    xor ecx, ecx
    cpuid
    and ebx, (1 << 7) | (1 << 20)
    CHECK_EQ ebx, (1 << 7) | (1 << 20), "CPUID.7 SMEP and SMAP"

    call paging_on
    mov byte [user_page], 0xc3              ; ret
    mov dword [user_page + 0x100], 0xfeedf00d
    mov eax, user_page
    shr eax, 12
    or dword [page_table0 + eax * 4], PTE_US
    mov eax, user_page
    invlpg [eax]
    mov eax, cr4
    or eax, (1 << 20) | (1 << 21)           ; SMEP, SMAP
    mov cr4, eax

    ; ---- SMEP: supervisor fetch from the user page
    mov dword [pf_resume], after_fetch
    mov eax, user_page
    call eax
    jmp no_fault
after_fetch:
    add esp, 4                              ; the CALL's return address
    CHECK_EQ dword [pf_count], 1, "SMEP #PF"
    CHECK_EQ dword [pf_err], 0x11, "SMEP error code (P | I)"
    CHECK_EQ dword [pf_cr2], user_page, "SMEP CR2"

    ; ---- SMAP read and write with AC = 0
    clac
    mov dword [pf_resume], after_read
    mov eax, [user_page + 0x100]
    jmp no_fault
after_read:
    CHECK_EQ dword [pf_count], 2, "SMAP read #PF"
    CHECK_EQ dword [pf_err], 0x01, "SMAP read error code (P)"
    CHECK_EQ dword [pf_cr2], user_page + 0x100, "SMAP read CR2"
    mov dword [pf_resume], after_write
    mov dword [user_page + 0x104], 1
    jmp no_fault
after_write:
    CHECK_EQ dword [pf_count], 3, "SMAP write #PF"
    CHECK_EQ dword [pf_err], 0x03, "SMAP write error code (P | W)"

    ; ---- with AC = 1 the same accesses work
    stac
    mov eax, [user_page + 0x100]
    CHECK_EQ eax, 0xfeedf00d, "read with STAC"
    mov dword [user_page + 0x104], 0x1234
    CHECK_EQ dword [user_page + 0x104], 0x1234, "write with STAC"
    clac
    pushfd
    pop eax
    and eax, 1 << 18
    CHECK_EQ eax, 0, "AC clear after CLAC"
    mov dword [pf_resume], after_read2
    mov eax, [user_page + 0x100]
    jmp no_fault
after_read2:
    CHECK_EQ dword [pf_count], 4, "SMAP read #PF after CLAC"
    jmp guest_pass

no_fault:
    mov esi, s_nofault
    jmp guest_fail

; #PF: record error code and CR2, continue at [pf_resume]
pf_handler:
    pop dword [pf_err]
    push eax
    inc dword [pf_count]
    mov eax, cr2
    mov [pf_cr2], eax
    mov eax, [pf_resume]
    mov [esp + 4], eax
    pop eax
    iret

unexpected:
    mov esi, s_fault
    jmp guest_fail

section .rodata
s_nofault: db "expected #PF did not happen", 0
