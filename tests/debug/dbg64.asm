; tests/debug/dbg64.asm — a Multiboot guest that goes to 64-bit long mode under 4-level
; paging, for the debugger tests that need a 64-bit target: watchpoints in long mode, CR0/
; CR3/CR4/EFER in gdb's register view, and physical memory against a virtual alias.
;
; The first GiB is identity mapped with 2 MiB pages; the 2 MiB page at linear ALIAS maps
; physical 0 again, so every variable also has a linear address that differs from its
; physical one. The 64-bit code counts in `value64` through that alias (gdb watches the
; alias; the physical read sees the same bytes), reads UNMAPPED once (a #PF for -d mmu and
; -d int, resumed by the handler), then exits through isa-debug-exit.

%include "mb.inc"
%include "sys32.inc"

K64CODE equ 0x28
ALIAS equ 0x40000000        ; linear alias of physical 0 (PDPT entry 1)
ROUNDS equ 5
MSR_EFER equ 0xc0000080
UNMAPPED equ 0x80000000     ; PDPT entry 2 is not present
PF_GATE equ idt64 + 14 * 16

section .rodata
guest_name: db "dbg64", 0

section .data
align 8
global value64
value64: dq 0
fault_cr2: dq 0
idtr64:
    dw 15 * 16 - 1
    dd idt64, 0

section .bss
alignb 4096
global pml4
pml4: resq 512
pdpt: resq 512
pd: resq 512
pd_alias: resq 512
idt64: resq 2 * 15          ; 64-bit gates for vectors 0-14

section .text
guest_main:
    call load_tables
    mov dword [gdt + K64CODE], 0x0000ffff
    mov dword [gdt + K64CODE + 4], 0x00af9a00
    mov dword [pml4], pdpt + 3
    mov dword [pdpt], pd + 3
    mov dword [pdpt + 8], pd_alias + 3
    mov dword [pd_alias], 0x83          ; physical 0, 2 MiB, P RW PS
    mov eax, pf_handler                 ; #PF: a 64-bit interrupt gate (offset split in 3)
    mov [PF_GATE], ax
    mov word [PF_GATE + 2], K64CODE
    mov word [PF_GATE + 4], 0x8e00
    shr eax, 16
    mov [PF_GATE + 6], ax
    xor ecx, ecx
.map:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [pd + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .map
    mov eax, cr4
    or eax, 0x20                        ; PAE
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, 0x100                       ; LME
    wrmsr
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp K64CODE:long_main

bits 64
global long_main, count64, count64_done
long_main:
    lidt [idtr64]
    mov ebx, ALIAS + value64             ; zero-extends: the alias is below 4 GiB
    mov ecx, ROUNDS
count64:
    add qword [rbx], 1
    dec ecx
    jnz count64
count64_done:
    cmp qword [value64], ROUNDS         ; the identity view sees what the alias wrote
    jne .bad
    mov ebx, UNMAPPED
    mov rax, [rbx]                      ; #PF, error code 0: the handler resumes below
.pf_resume:
    mov eax, UNMAPPED
    cmp [fault_cr2], rax
    jne .bad
    mov eax, EXIT_PASS                  ; mb.inc's exits are 32-bit code: same port here
    jmp .exit
.bad:
    mov eax, EXIT_FAIL
.exit:
    mov dx, EXIT_PORT
    out dx, eax
    cli
    hlt

; #PF: note CR2, drop the error code and return to .pf_resume instead of the faulting load
pf_handler:
    mov rax, cr2
    mov [fault_cr2], rax
    add rsp, 8
    mov qword [rsp], count64_done.pf_resume
    iretq
