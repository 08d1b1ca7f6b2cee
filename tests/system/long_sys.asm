; tests/system/long_sys.asm — the 64-bit system features a kernel uses, each checked:
;  - SYSCALL/SYSRET round trip: RCX and R11 on entry, FMASK clearing DF and AC (and R11
;    keeping them), STAR's selectors in both directions, SYSRET with REX.W to 64-bit ring 3
;    and without it to compatibility-mode ring 3;
;  - UMIP: SGDT SIDT SLDT STR SMSW raise #GP(0) in ring 3 with CR4.UMIP, work in ring 0;
;  - FSGSBASE: #UD without CR4.FSGSBASE, then RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE in both
;    rings (the MSRs agree, a 32-bit RDFSBASE zero-extends);
;  - RDTSCP returns TSC_AUX in ECX;
; QEMU needs -cpu max for UMIP and FSGSBASE. What QEMU 7.2 gets wrong is in long_strict.asm.

%include "mb.inc"
%include "sys32.inc"
%include "long64.inc"

TEST_LA equ 0x40000000          ; a 4 KiB page of its own: pdpt[1] -> pd2 -> pt2
CR4_UMIP equ 1 << 11
CR4_FSGSBASE equ 1 << 16

section .rodata
guest_name: db "long_sys", 0

section .bss
alignb 4096
pd2: resq 512
pt2: resq 512
page_a: resb 4096
page_b: resb 4096
alignb 16
desc: resq 2            ; INVPCID descriptor
scratch: resq 4
saved_rsp: resq 1

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

long_entry:
    call long64_tables
    mov dword [page_a], 0xaaaa
    mov dword [page_b], 0xbbbb
    mov eax, pd2 + 7
    mov [pdpt + 8], rax
    mov eax, pt2 + 7
    mov [pd2], rax

    ; ---------------------------------------------------------------- SYSCALL/SYSRET
    mov ecx, MSR_STAR
    xor eax, eax
    mov edx, ((U32CODE & ~3) << 16) | K64CODE
    wrmsr
    mov ecx, MSR_LSTAR
    mov eax, syscall_entry
    xor edx, edx
    wrmsr
    mov ecx, MSR_FMASK
    mov eax, 0x40400            ; AC, DF
    wrmsr
    mov rax, cr4
    or eax, CR4_UMIP | CR4_FSGSBASE
    mov cr4, rax
    mov ecx, user64
    mov r11d, RFLAGS_USER | 0x40400
    mov esp, ustack64_top
    o64 sysret

user64:
    pushfq
    pop rbx
    and ebx, 0x40400
    CHECK64 rbx, 0x40400, "SYSRET: RFLAGS from R11"
    mov rax, cs
    CHECK64 rax, U64CODE, "SYSRET to 64-bit code: CS = STAR[63:48] + 16"
    mov rax, ss
    CHECK64 rax, U64DATA, "SYSRET: SS = STAR[63:48] + 8"
    cld
    mov esi, s_sysret64
    call ok64

    EXPECT_FAULT3 13, 0, {sgdt [scratch]}, "UMIP: SGDT in ring 3"
    EXPECT_FAULT3 13, 0, {sidt [scratch]}, "UMIP: SIDT in ring 3"
    EXPECT_FAULT3 13, 0, {sldt ax}, "UMIP: SLDT in ring 3"
    EXPECT_FAULT3 13, 0, {str ax}, "UMIP: STR in ring 3"
    EXPECT_FAULT3 13, 0, {smsw eax}, "UMIP: SMSW in ring 3"
    mov esi, s_umip
    call ok64

    ; FSGSBASE in ring 3
    mov rax, 0x00007f0012345678
    wrfsbase rax
    rdfsbase rbx
    CHECK64 rbx, rax, "WRFSBASE/RDFSBASE in ring 3"
    mov rax, 0xffff800000001000
    wrgsbase rax
    rdgsbase rbx
    CHECK64 rbx, rax, "WRGSBASE/RDGSBASE in ring 3"
    rdfsbase ecx
    CHECK64 rcx, 0x12345678, "RDFSBASE r32 zero-extends"
    mov esi, s_fsgs3
    call ok64

    std
    mov rbp, rsp
    syscall
after_syscall:
    jmp fail_unreached

syscall_entry:
    pushfq
    pop rbx
    mov edx, after_syscall
    CHECK64 rcx, rdx, "SYSCALL: RCX = the next RIP"
    mov rax, r11
    and eax, 0x40400
    CHECK64 rax, 0x40400, "SYSCALL: R11 = RFLAGS with DF and AC"
    and ebx, 0x40400
    CHECK64 rbx, 0, "SYSCALL: FMASK clears DF and AC"
    mov rax, cs
    CHECK64 rax, K64CODE, "SYSCALL: CS = STAR[47:32]"
    mov rax, ss
    CHECK64 rax, K64DATA, "SYSCALL: SS = STAR[47:32] + 8"
    CHECK64 rsp, rbp, "SYSCALL keeps RSP"
    mov esp, kstack64_top
    mov esi, s_syscall
    call ok64
    ; back to ring 0 in the 64-bit GS/FS of ring 3: the MSRs show them
    mov ecx, MSR_FS_BASE
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov rbx, 0x00007f0012345678
    CHECK64 rax, rbx, "FS_BASE MSR after WRFSBASE"
    ; SYSRET without REX.W: compatibility-mode ring 3
    mov ecx, user_compat
    mov r11d, RFLAGS_USER
    mov esp, ustack64_top
    sysret

int80_64:
    CHECK64 [rsp + 8], U32CODE, "SYSRET to compatibility mode: CS = STAR[63:48]"
    CHECK64 [rsp + 32], U64DATA, "SYSRET to compatibility mode: SS"
    mov esp, kstack64_top
    mov esi, s_sysret32
    call ok64
    jmp ring0_tests

bits 32
user_compat:
    int 0x80
bits 64

ring0_tests:
    ; ---------------------------------------------------------------- UMIP in ring 0
    sgdt [scratch]
    movzx eax, word [scratch]
    CHECK64 rax, GDT_ENTRIES * 8 - 1, "SGDT in ring 0 with UMIP"
    smsw eax
    and eax, 1
    CHECK64 rax, 1, "SMSW in ring 0 with UMIP"

    ; ---------------------------------------------------------------- FSGSBASE
    mov rax, cr4
    and eax, ~CR4_FSGSBASE
    mov cr4, rax
    EXPECT_FAULT 6, 0, {rdfsbase rax}, "RDFSBASE without CR4.FSGSBASE: #UD"
    mov rax, cr4
    or eax, CR4_FSGSBASE
    mov cr4, rax
    mov rax, 0x0000123456789000
    wrgsbase rax
    mov ecx, MSR_GS_BASE
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov rbx, 0x0000123456789000
    CHECK64 rax, rbx, "WRGSBASE in ring 0: GS_BASE MSR"
    mov esi, s_fsgs0
    call ok64

    ; ---------------------------------------------------------------- RDTSCP
    mov ecx, MSR_TSC_AUX
    mov eax, 0x1234
    xor edx, edx
    wrmsr
    rdtscp
    CHECK64 rcx, 0x1234, "RDTSCP: ECX = TSC_AUX"
    mov esi, s_rdtscp
    call ok64

    jmp pass64


section .rodata
s_sysret64: db "SYSRET to 64-bit ring 3 (RFLAGS from R11, STAR selectors)", 0
s_umip: db "UMIP: SGDT SIDT SLDT STR SMSW in ring 3 raise #GP(0)", 0
s_fsgs3: db "FSGSBASE in ring 3", 0
s_syscall: db "SYSCALL (RCX, R11, FMASK, STAR selectors)", 0
s_sysret32: db "SYSRET to compatibility mode", 0
s_fsgs0: db "FSGSBASE: #UD without CR4.FSGSBASE, the MSRs agree", 0
s_rdtscp: db "RDTSCP", 0
