; tests/system/fs_base_ring3.asm — an FS/GS base written through the MSRs (0xC0000100/101)
; behind a null selector survives every return to ring 3 in 64-bit mode: IRETQ, RETFQ and
; SYSRET. This is how Linux gives a thread its TLS pointer (mov fs, 0; wrmsr FS_BASE); a
; return to an outer ring nulls the selectors the new CPL may not use, which must leave the
; hidden base alone. A DPL-0 selector in FS still reads as null in ring 3 after IRETQ.
;
; Long mode runs on identity-mapped, user-accessible 2 MiB pages; ring 3 comes back with
; SYSCALL. The verdict is checked in compatibility mode with the 32-bit helpers.

%include "mb.inc"
%include "sys32.inc"

K64CODE equ 0x28            ; SYSCALL: CS = STAR[47:32], SS = +8
K64DATA equ 0x30
USER_BASE equ 0x38          ; SYSRET: SS = +8, 64-bit CS = +16
U64DATA equ 0x40 | 3
U64CODE equ 0x48 | 3
TLS_OFFSET equ 0x90         ; busybox reads its TLS block at fs:-0x90
MSR_EFER equ 0xc0000080
MSR_STAR equ 0xc0000081
MSR_LSTAR equ 0xc0000082
MSR_FMASK equ 0xc0000084
MSR_FS_BASE equ 0xc0000100
MSR_GS_BASE equ 0xc0000101
FS_MAGIC equ 0x7f5e1a2b
GS_MAGIC equ 0x6d3c9e41
PHASES equ 4

section .rodata
guest_name: db "fs_base_ring3", 0

section .data
align 8
fs_word: dq FS_MAGIC
gs_word: dq GS_MAGIC

section .bss
alignb 4096
pml4: resq 512
pdpt: resq 512
pd: resq 512
kstack: resb 4096
kstack_top:
ustack: resb 4096
ustack_top:
alignb 8
phase: resq 1
; per phase: what ring 3 read through fs:, through gs:, and the FS selector
results: resq PHASES * 3

section .text
guest_main:
    call load_tables
    mov dword [gdt + K64CODE], 0x0000ffff
    mov dword [gdt + K64CODE + 4], 0x00af9a00
    mov dword [gdt + K64DATA], 0x0000ffff
    mov dword [gdt + K64DATA + 4], 0x00cf9200
    mov dword [gdt + USER_BASE], 0x0000ffff          ; 32-bit ring-3 code (SYSRET's pair)
    mov dword [gdt + USER_BASE + 4], 0x00cffa00
    mov dword [gdt + (U64DATA & ~3)], 0x0000ffff
    mov dword [gdt + (U64DATA & ~3) + 4], 0x00cff200
    mov dword [gdt + (U64CODE & ~3)], 0x0000ffff
    mov dword [gdt + (U64CODE & ~3) + 4], 0x00affa00
    ; the first GiB, user-accessible (P RW US, PS in the directory)
    mov dword [pml4], pdpt + 7
    mov dword [pdpt], pd + 7
    xor ecx, ecx
.map:
    mov eax, ecx
    shl eax, 21
    or eax, 0x87
    mov [pd + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .map
    mov eax, cr4
    or eax, 0x20                ; PAE
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, 0x101               ; LME, SCE
    wrmsr
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov esp, kstack_top
    jmp K64CODE:long_entry

bits 64
long_entry:
    mov ax, K64DATA
    mov ss, ax
    mov ecx, MSR_STAR
    xor eax, eax
    mov edx, (USER_BASE << 16) | K64CODE
    wrmsr
    mov ecx, MSR_LSTAR
    mov eax, syscall_entry
    xor edx, edx
    wrmsr
    mov ecx, MSR_FMASK
    mov eax, 0x200
    wrmsr
    ; what Linux's arch_prctl(ARCH_SET_FS) does: a null selector, then the base
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov ecx, MSR_FS_BASE
    mov eax, fs_word + TLS_OFFSET
    xor edx, edx
    wrmsr
    mov ecx, MSR_GS_BASE
    mov eax, gs_word
    wrmsr
    mov qword [phase], 0
    ; phase 0: IRETQ to ring 3
    push U64DATA
    push ustack_top
    push 2
    push U64CODE
    push user_code
    iretq

; ring 3: record what FS and GS reach, then SYSCALL back
user_code:
    mov rbx, [phase]
    imul rbx, rbx, 24
    cmp rbx, 3 * 24
    je .fs_read_done            ; phase 3's FS base is the descriptor's 0: nothing mapped there
    mov rax, -TLS_OFFSET
    mov rcx, [fs:rax]
    mov [results + rbx], rcx
.fs_read_done:
    mov rcx, [gs:0]
    mov [results + rbx + 8], rcx
    xor ecx, ecx
    mov cx, fs
    mov [results + rbx + 16], rcx
    syscall

syscall_entry:
    mov esp, kstack_top
    mov rax, [phase]
    inc rax
    mov [phase], rax
    cmp rax, 1
    je .retfq
    cmp rax, 2
    je .sysret
    cmp rax, 3
    je .dpl0_fs
    ; done: on to compatibility mode for the checks
    push KCODE
    push compat_entry
    o64 retf
.retfq:
    push U64DATA
    push ustack_top
    push U64CODE
    push user_code
    o64 retf
.sysret:
    mov ecx, user_code
    mov r11, 2
    mov esp, ustack_top
    o64 sysret
.dpl0_fs:
    ; a selector ring 3 may not use becomes null on the way out (its base is not checked)
    mov ax, K64DATA
    mov fs, ax
    push U64DATA
    push ustack_top
    push 2
    push U64CODE
    push user_code
    iretq

bits 32
compat_entry:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, kstack_top
%macro CHECK_PHASE 2
    %strcat what_fs %2, ": FS base in ring 3"
    %strcat what_fs_high %2, ": FS base in ring 3 (high)"
    %strcat what_gs %2, ": GS base in ring 3"
    %strcat what_sel %2, ": FS selector in ring 3"
    CHECK_EQ dword [results + (%1) * 24], FS_MAGIC, what_fs
    CHECK_EQ dword [results + (%1) * 24 + 4], 0, what_fs_high
    CHECK_EQ dword [results + (%1) * 24 + 8], GS_MAGIC, what_gs
    CHECK_EQ dword [results + (%1) * 24 + 16], 0, what_sel
%endmacro
    CHECK_PHASE 0, "IRETQ"
    CHECK_PHASE 1, "RETFQ"
    CHECK_PHASE 2, "SYSRET"
    CHECK_EQ dword [results + 3 * 24 + 8], GS_MAGIC, "IRETQ with DPL-0 FS: GS base"
    CHECK_EQ dword [results + 3 * 24 + 16], 0, "IRETQ with DPL-0 FS: FS selector nulled"
    jmp guest_pass
