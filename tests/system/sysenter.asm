; tests/system/sysenter.asm — SYSEXIT from ring 0 to ring 3 (CS = SYSENTER_CS + 16, SS = +24,
; EIP = EDX, ESP = ECX) and SYSENTER back to ring 0 (CS = SYSENTER_CS, SS = +8, EIP and ESP
; from the MSRs, IF cleared). The shared GDT has exactly that layout.

%include "mb.inc"
%include "sys32.inc"

section .rodata
guest_name: db "sysenter", 0

section .bss
alignb 16
kstack: resb 4096
kstack_top:
ustack: resb 4096
ustack_top:

section .text
guest_main:
    call load_tables
    mov eax, 1
    cpuid
    and edx, 1 << 11
    CHECK_EQ edx, 1 << 11, "CPUID SEP"
    xor edx, edx
    mov ecx, 0x174
    mov eax, KCODE
    wrmsr
    mov ecx, 0x175
    mov eax, kstack_top
    wrmsr
    mov ecx, 0x176
    mov eax, kernel_entry
    wrmsr
    ; ring 3 needs IOPL 3 to report
    pushfd
    or dword [esp], 0x3000
    popfd
    mov edx, user_entry
    mov ecx, ustack_top
    sysexit

user_entry:
    xor eax, eax
    mov ax, cs
    CHECK_EQ eax, UCODE, "CS after SYSEXIT"
    mov ax, ss
    CHECK_EQ eax, UDATA, "SS after SYSEXIT"
    CHECK_EQ esp, ustack_top, "ESP after SYSEXIT"
    sti
    sysenter

kernel_entry:
    xor eax, eax
    mov ax, cs
    CHECK_EQ eax, KCODE, "CS after SYSENTER"
    mov ax, ss
    CHECK_EQ eax, KDATA, "SS after SYSENTER"
    CHECK_EQ esp, kstack_top, "ESP after SYSENTER"
    pushfd
    pop eax
    and eax, 0x200
    CHECK_EQ eax, 0, "IF cleared by SYSENTER"
    jmp guest_pass
