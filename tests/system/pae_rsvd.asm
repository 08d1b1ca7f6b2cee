; tests/system/pae_rsvd.asm — page-fault error codes of PAE paging for the reserved-bit
; cases and XD: an address bit above MAXPHYADDR in a PTE (read P|RSVD = 9, write 0xB, CR2),
; XD set without EFER.NXE (9), bit 13 of a 2 MiB page (9), a not-present PTE (0) for
; contrast, and with EFER.NXE a fetch from an XD page (P|I/D = 0x11, EIP = the target).
; The first 8 MiB are 2 MiB identity pages; TEST_LA is a 4 KiB page whose PTE each case sets.
; No QEMU reference: QEMU 7.2 reports the reserved-bit faults as 8 (RSVD without P), which
; the SDM rules out ("bit 3 of the error code can be set only if bit 0 is also set", 4.7).

%include "mb.inc"
%include "sys32.inc"

TEST_LA equ 0x800000
LARGE_LA equ 0xa00000
MSR_EFER equ 0xc0000080

section .rodata
guest_name: db "pae_rsvd", 0

section .bss
alignb 4096
pd0: resq 512
pt_test: resq 512
test_page: resb 4096
alignb 32
pdpt: resq 4

section .data
x_vec: dd -1
x_err: dd 0
x_resume: dd 0
x_got: dd 0
f_eip: dd 0
f_cr2: dd 0

section .text
; EXPECT_PF error code, instruction, "what": the instruction must raise #PF with that error
%macro EXPECT_PF 3
    mov dword [x_vec], 14
    mov dword [x_err], %1
    mov dword [x_resume], %%done
    mov dword [x_got], 0
    %2
    mov esi, %%what
    jmp guest_fail
[section .rodata]
%%what: db %3, ": no fault", 0
__?SECT?__
%%done:
    CHECK_EQ [x_got], 1, %3
%endmacro

; SET_PTE low dword, high dword
%macro SET_PTE 2
    mov dword [pt_test + ((TEST_LA >> 12) & 511) * 8], %1
    mov dword [pt_test + ((TEST_LA >> 12) & 511) * 8 + 4], %2
    invlpg [TEST_LA]
%endmacro

guest_main:
    call load_tables
    xor ecx, ecx
.fill:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 256
    jb .fill
    GATE_DESC idt, 14 * 8, KCODE, pf_handler, 0x8e, 0
    ; 0-8 MiB: 2 MiB pages; 8-10 MiB: pt_test
    xor ecx, ecx
.large:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [pd0 + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .large
    mov eax, pt_test + 3
    mov [pd0 + 4 * 8], eax
    mov eax, pd0 + 1
    mov [pdpt], eax
    mov eax, cr4
    or eax, 0x20
    mov cr4, eax
    mov eax, pdpt
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    SET_PTE test_page + 3, 0
    mov dword [TEST_LA], 0x1234
    CHECK_EQ [test_page], 0x1234, "the test page maps test_page"
    SET_PTE test_page + 3, 1 << (51 - 32)
    EXPECT_PF 9, {mov eax, [TEST_LA]}, "PTE bit 51 (above MAXPHYADDR), read"
    CHECK_EQ [f_cr2], TEST_LA, "reserved-bit #PF: CR2"
    EXPECT_PF 0xb, {mov dword [TEST_LA], 1}, "PTE bit 51, write"
    SET_PTE test_page + 3, 1 << 31
    EXPECT_PF 9, {mov eax, [TEST_LA]}, "XD without EFER.NXE"
    SET_PTE 0, 0
    EXPECT_PF 0, {mov eax, [TEST_LA]}, "not-present PTE"
    mov dword [pd0 + 5 * 8], LARGE_LA | 0x83 | (1 << 13)
    EXPECT_PF 9, {mov eax, [LARGE_LA]}, "bit 13 of a 2 MiB page"
    mov esi, s_rsvd
    call report_ok

    mov ecx, MSR_EFER
    rdmsr
    or eax, 0x800               ; NXE
    wrmsr
    mov byte [test_page], 0xc3  ; RET
    SET_PTE test_page + 3, 1 << 31
    mov ecx, TEST_LA
    EXPECT_PF 0x11, {call ecx}, "fetch from an XD page"
    CHECK_EQ [f_eip], TEST_LA, "fetch from an XD page: EIP"
    mov esi, s_xd
    call report_ok
    jmp guest_pass

pf_handler:
    push eax
    mov eax, cr2
    mov [f_cr2], eax
    mov eax, [esp + 8]
    mov [f_eip], eax
    cmp dword [x_vec], 14
    jne unexpected
    mov eax, [esp + 4]
    cmp eax, [x_err]
    jne .bad_error
    mov dword [x_vec], -1
    inc dword [x_got]
    mov eax, [x_resume]
    mov [esp + 8], eax
    pop eax
    add esp, 4
    iretd
.bad_error:
    push dword [x_err]
    push eax
    mov esi, s_error
    jmp fail_mismatch

unexpected:
    mov esi, s_unexpected
    jmp guest_fail

section .rodata
s_rsvd: db "reserved-bit #PF error codes in PAE paging", 0
s_xd: db "XD fetch #PF error code with EFER.NXE", 0
s_error: db "#PF error code", 0
s_unexpected: db "unexpected exception", 0
