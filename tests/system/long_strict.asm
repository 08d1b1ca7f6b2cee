; tests/system/long_strict.asm — 64-bit rules QEMU 7.2 TCG does not follow, so this guest
; has no QEMU reference (each was tried there: QEMU accepts WRFSBASE with a non-canonical
; base, accepts CR4.PCIDE while CR3[11:0] names a PCID, and goes astray in the PCID sequence
; below; the other two cases are noted where they are). Checked against the SDM instead:
;  - WRFSBASE/WRGSBASE with a non-canonical base: #GP(0) (SDM vol. 2, WRFSBASE exceptions);
;  - RDPID reads TSC_AUX (QEMU 7.2's -cpu max does not offer it: #UD);
;  - SYSRET with a non-canonical RCX to 64-bit code: #GP(0) raised in ring 0, at the SYSRET
;    (Intel's rule; AMD's processors load RIP and fault in ring 3 instead — ferry does
;    Intel's);
;  - PCID and INVPCID: CR4.PCIDE refused while CR3 names a PCID, CR3 bit 63 not stored,
;    each INVPCID type and each CR3 load makes a changed PTE visible, INVPCID's #GP cases
;    (type above 3, descriptor bits 63:12, a non-canonical address for type 0);
;  - reserved-bit page faults in 4-level paging (error code P|RSVD, W, CR2; QEMU reports
;    them without P, which the SDM rules out): an address bit above MAXPHYADDR, XD without
;    EFER.NXE, PS in a PML4E, bit 13 of a 1 GiB page; with NXE a fetch from an XD page is
;    P|I/D;
;  - canonical addresses (SDM vol. 1, 3.3.7.1; QEMU raises #GP for all of them): #GP(0) for
;    a data reference, #SS(0) for stack references (RSP or RBP based, PUSH).

%include "mb.inc"
%include "sys32.inc"
%include "long64.inc"

TEST_LA equ 0x40000000          ; a 4 KiB page of its own: pdpt[1] -> pd2 -> pt2
NONCANON equ 0x0000800000000000
CR4_FSGSBASE equ 1 << 16
CR4_PCIDE equ 1 << 17

section .rodata
guest_name: db "long_strict", 0

section .bss
alignb 4096
pd2: resq 512
pt2: resq 512
pml4_1_pdpt: resq 512
page_a: resb 4096
page_b: resb 4096
alignb 16
desc: resq 2            ; INVPCID descriptor

section .text
bits 32
guest_main:
    ENTER_LONG_MODE long_entry

bits 64
; SET_PTE value: a link-time constant, or RAX itself
%macro SET_PTE 1
    %ifnidni %1, rax
        mov eax, %1
    %endif
    mov [pt2 + ((TEST_LA >> 12) & 511) * 8], rax
%endmacro

int80_64:
    jmp fail_unreached

long_entry:
    call long64_tables
    ; #GP and #SS on IST1 (a non-canonical RSP cannot take a frame)
    or byte [idt64 + 12 * 16 + 4], 1
    or byte [idt64 + 13 * 16 + 4], 1
    mov dword [page_a], 0xaaaa
    mov dword [page_b], 0xbbbb
    mov eax, pd2 + 7
    mov [pdpt + 8], rax
    mov eax, pt2 + 7
    mov [pd2], rax

    ; ---------------------------------------------------------------- WRFSBASE
    mov rax, cr4
    or eax, CR4_FSGSBASE
    mov cr4, rax
    mov rcx, NONCANON
    EXPECT_FAULT 13, 0, {wrfsbase rcx}, "WRFSBASE non-canonical: #GP(0)"
    EXPECT_FAULT 13, 0, {wrgsbase rcx}, "WRGSBASE non-canonical: #GP(0)"
    mov esi, s_fsgs
    call ok64

    ; ---------------------------------------------------------------- RDPID
    mov ecx, MSR_TSC_AUX
    mov eax, 0x5678
    xor edx, edx
    wrmsr
    mov rbx, -1
    rdpid rbx
    CHECK64 rbx, 0x5678, "RDPID: TSC_AUX zero-extended"
    mov esi, s_rdpid
    call ok64

    ; ---------------------------------------------------------------- SYSRET, Intel's rule
    mov ecx, MSR_STAR
    xor eax, eax
    mov edx, ((U32CODE & ~3) << 16) | K64CODE
    wrmsr
    mov rcx, NONCANON
    mov r11d, RFLAGS_USER
    EXPECT_FAULT 13, 0, {o64 sysret}, "SYSRET with a non-canonical RCX: #GP(0)"
    CHECK64 [f_cs], K64CODE, "SYSRET with a non-canonical RCX: raised in ring 0"
    mov esi, s_sysret
    call ok64

    ; ---------------------------------------------------------------- PCID, INVPCID
    mov eax, pml4 + 1
    mov cr3, rax
    mov rax, cr4
    or eax, CR4_PCIDE
    mov rbx, rax
    EXPECT_FAULT 13, 0, {mov cr4, rbx}, "CR4.PCIDE with CR3[11:0] != 0: #GP(0)"
    mov eax, pml4
    mov cr3, rax
    mov cr4, rbx
    mov eax, pml4 + 1
    mov cr3, rax
    mov rax, cr3
    mov edx, pml4 + 1
    CHECK64 rax, rdx, "CR3 with PCID 1"
    mov rcx, 1 << 63
    or rcx, pml4 + 1
    mov cr3, rcx
    mov rax, cr3
    mov edx, pml4 + 1
    CHECK64 rax, rdx, "CR3 bit 63 (no flush) is not stored"

    mov qword [desc], 1
    mov qword [desc + 8], TEST_LA
    SET_PTE page_a + 3
    mov eax, 0
    invpcid rax, [desc]
    mov eax, [TEST_LA]
    CHECK64 rax, 0xaaaa, "INVPCID type 0 (address): new PTE"
    SET_PTE page_b + 3
    mov eax, 0
    invpcid rax, [desc]
    mov eax, [TEST_LA]
    CHECK64 rax, 0xbbbb, "INVPCID type 0 (address): changed PTE"
    SET_PTE page_a + 3
    mov eax, 1
    invpcid rax, [desc]
    mov eax, [TEST_LA]
    CHECK64 rax, 0xaaaa, "INVPCID type 1 (single context)"
    SET_PTE page_b + 3
    mov eax, 2
    invpcid rax, [desc]
    mov eax, [TEST_LA]
    CHECK64 rax, 0xbbbb, "INVPCID type 2 (all, with globals)"
    SET_PTE page_a + 3
    mov eax, 3
    invpcid rax, [desc]
    mov eax, [TEST_LA]
    CHECK64 rax, 0xaaaa, "INVPCID type 3 (all but globals)"
    SET_PTE page_b + 3
    mov eax, pml4 + 2
    mov cr3, rax
    mov eax, [TEST_LA]
    CHECK64 rax, 0xbbbb, "CR3 load (PCID 2): changed PTE"
    SET_PTE page_a + 3
    mov eax, pml4 + 2
    mov cr3, rax
    mov eax, [TEST_LA]
    CHECK64 rax, 0xaaaa, "CR3 load (same PCID, flushing form): changed PTE"
    mov ecx, 4
    EXPECT_FAULT 13, 0, {invpcid rcx, [desc]}, "INVPCID type 4: #GP(0)"
    mov rax, NONCANON
    mov [desc + 8], rax
    xor ecx, ecx
    EXPECT_FAULT 13, 0, {invpcid rcx, [desc]}, "INVPCID type 0, non-canonical address: #GP(0)"
    mov qword [desc], 0x1001
    mov ecx, 1
    EXPECT_FAULT 13, 0, {invpcid rcx, [desc]}, "INVPCID descriptor bits 63:12: #GP(0)"
    mov eax, pml4
    mov cr3, rax
    mov rax, cr4
    and eax, ~CR4_PCIDE
    mov cr4, rax
    mov esi, s_pcid
    call ok64

    ; ---------------------------------------------------------------- reserved bits
    mov eax, page_a + 3
    bts rax, 51
    SET_PTE rax
    invlpg [TEST_LA]
    EXPECT_FAULT 14, 9, {mov eax, [TEST_LA]}, "PTE bit 51 (above MAXPHYADDR), read: P|RSVD"
    CHECK64 [f_cr2], TEST_LA, "reserved-bit #PF: CR2"
    EXPECT_FAULT 14, 0xb, {mov dword [TEST_LA], 1}, "PTE bit 51, write: P|W|RSVD"
    mov eax, page_a + 3
    bts rax, 63
    SET_PTE rax
    invlpg [TEST_LA]
    EXPECT_FAULT 14, 9, {mov eax, [TEST_LA]}, "XD without EFER.NXE: P|RSVD"
    mov eax, pml4_1_pdpt + 0x87
    mov [pml4 + 8], rax
    mov rbx, 0x8000000000
    EXPECT_FAULT 14, 9, {mov eax, [rbx]}, "PS in a PML4E: P|RSVD"
    mov qword [pml4 + 8], 0
    mov eax, 0x80000000 | 0x83 | (1 << 13)
    mov [pdpt + 16], rax
    mov ebx, 0x80000000
    EXPECT_FAULT 14, 9, {mov eax, [rbx]}, "bit 13 of a 1 GiB page: P|RSVD"
    mov qword [pdpt + 16], 0
    ; with NXE, a fetch from an XD page
    mov ecx, MSR_EFER
    rdmsr
    or eax, 0x800
    wrmsr
    mov eax, page_a + 3
    bts rax, 63
    SET_PTE rax
    invlpg [TEST_LA]
    mov byte [page_a + 16], 0xc3        ; RET
    mov ecx, TEST_LA + 16
    EXPECT_FAULT 14, 0x11, {call rcx}, "fetch from an XD page: P|I/D"
    CHECK64 [f_rip], TEST_LA + 16, "fetch from an XD page: RIP"
    mov esi, s_rsvd
    call ok64

    ; ---------------------------------------------------------------- canonical addresses
    mov rbx, NONCANON
    EXPECT_FAULT 13, 0, {mov rax, [rbx]}, "non-canonical data reference: #GP(0)"
    mov rsp, rbx                ; the handlers run on IST1, and resume on kstack64_top
    EXPECT_FAULT 12, 0, {mov rax, [rsp + 8]}, "non-canonical RSP-based reference: #SS(0)"
    mov rbp, rbx
    EXPECT_FAULT 12, 0, {mov rax, [rbp]}, "non-canonical RBP-based reference: #SS(0)"
    lea rsp, [rbx + 8]          ; the push writes at NONCANON
    EXPECT_FAULT 12, 0, {push rax}, "PUSH with a non-canonical RSP: #SS(0)"
    EXPECT_FAULT 13, 0, {mov rax, [fs:rbx]}, "non-canonical FS reference: #GP(0)"
    mov esi, s_canonical
    call ok64
    jmp pass64

section .rodata
s_fsgs: db "WRFSBASE/WRGSBASE with a non-canonical base: #GP(0)", 0
s_rdpid: db "RDPID", 0
s_sysret: db "SYSRET with a non-canonical RCX: #GP(0) in ring 0 (Intel)", 0
s_pcid: db "PCID and INVPCID", 0
s_rsvd: db "reserved-bit and XD page faults in 4-level paging", 0
s_canonical: db "canonical-address checks: #GP for data, #SS for stack references", 0
