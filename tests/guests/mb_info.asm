; tests/guests/mb_info.asm — checks the machine state a Multiboot v1 loader must hand over.
; Run with -m 64 -append "mbtest arg=42". Checks: EAX magic; EBX points at an information
; structure inside RAM and outside the kernel image; info flags carry memory (bit 0) and
; the command line (bit 2); mem_lower <= 640 KiB; mem_upper at most 63 MiB (64512 KiB) and
; at most 1 MiB less (firmware may reserve the top of RAM: QEMU reports 64384); the
; command line contains "arg=42"; CR0.PE = 1 and CR0.PG = 0; EFLAGS.IF = VM = 0 at entry;
; CS is based at 0 and the data segments are flat (based at 0, 4 GiB limit).

%include "mb.inc"

RAM_BYTES       equ 64 << 20
MB_INFO_MIN_LEN equ 20              ; flags .. cmdline, the part this test reads
MAX_UPPER       equ (64 - 1) * 1024 ; KiB above 1 MiB with -m 64
MIN_UPPER       equ MAX_UPPER - 1024 ; allowance for firmware tables at the top of RAM
CR0_PE          equ 1 << 0
CR0_PG          equ 1 << 31
EFLAGS_IF       equ 1 << 9
EFLAGS_VM       equ 1 << 17
PROBE_VALUE     equ 0x5eed1234

extern kernel_start, kernel_end

section .rodata
guest_name:      db "mb_info", 0
s_magic:         db "boot magic in EAX", 0
s_info_null:     db "EBX info pointer is 0", 0
s_info_range:    db "EBX info pointer outside RAM", 0
s_info_overlap:  db "EBX info pointer inside the kernel image", 0
s_info:          db "info pointer", 0
s_flags:         db "info flags mem|cmdline", 0
s_mem_lower:     db "mem_lower above 640 KiB", 0
s_mem_upper:     db "mem_upper (KiB) for -m 64 (1024 below want allowed)", 0
s_mem:           db "memory sizes", 0
s_cmdline_range: db "cmdline pointer outside RAM", 0
s_cmdline_arg:   db "cmdline lacks arg=42", 0
s_cmdline:       db "cmdline", 0
s_cpu:           db "CR0 and EFLAGS", 0
s_segments:      db "flat segments", 0
wanted_arg:      db "arg=42", 0

section .bss
probe: resd 1

section .text
guest_main:
    CHECK_EQ [mb_magic], MB_BOOT_MAGIC, "boot magic in EAX"
    mov esi, s_magic
    call report_ok

    ; --- the information structure
    mov ebx, [mb_info]
    mov esi, s_info_null
    test ebx, ebx
    jz guest_fail
    mov esi, s_info_range
    cmp ebx, RAM_BYTES - MB_INFO_MIN_LEN
    ja guest_fail
    mov esi, s_info_overlap
    cmp ebx, kernel_end
    jae .info_outside
    cmp ebx, kernel_start - MB_INFO_MIN_LEN
    ja guest_fail
.info_outside:
    mov esi, s_info
    call report_ok

    mov eax, [ebx + MB_INFO_FLAGS]
    and eax, MB_INFO_MEM | MB_INFO_CMDLINE
    CHECK_EQ eax, MB_INFO_MEM | MB_INFO_CMDLINE, "info flags mem|cmdline"
    mov esi, s_flags
    call report_ok

    mov esi, s_mem_lower
    cmp dword [ebx + MB_INFO_MEM_LOWER], 640
    ja guest_fail
    mov eax, [ebx + MB_INFO_MEM_UPPER]
    cmp eax, MAX_UPPER
    ja .upper_wrong
    cmp eax, MIN_UPPER
    jae .upper_right
.upper_wrong:
    mov esi, s_mem_upper
    push dword MAX_UPPER
    push eax
    jmp fail_mismatch
.upper_right:
    mov esi, s_mem
    call report_ok

    ; --- the command line: inside RAM, and containing wanted_arg
    mov edx, [ebx + MB_INFO_CMDLINE_PTR]
    mov esi, s_cmdline_range
    cmp edx, RAM_BYTES - 1
    ja guest_fail
    call find_wanted_arg
    mov esi, s_cmdline_arg
    jc guest_fail
    mov esi, s_cmdline
    call report_ok

    ; --- processor state
    mov eax, cr0
    and eax, CR0_PE
    CHECK_EQ eax, CR0_PE, "CR0.PE"
    mov eax, cr0
    and eax, CR0_PG
    CHECK_EQ eax, 0, "CR0.PG"
    mov eax, [mb_entry_eflags]
    and eax, EFLAGS_IF
    CHECK_EQ eax, 0, "EFLAGS.IF at entry"
    mov eax, [mb_entry_eflags]
    and eax, EFLAGS_VM
    CHECK_EQ eax, 0, "EFLAGS.VM at entry"
    mov esi, s_cpu
    call report_ok

    ; --- flat segments: the EIP a call pushes equals the link address only if CS.base = 0;
    ; a value written through DS reads back through CS, ES and SS; a read near 4 GiB
    ; faults unless the DS limit is 4 GiB.
    call .where
.where:
    pop eax
    CHECK_EQ eax, .where, "EIP seen through CS (CS base 0)"
    mov dword [ds:probe], PROBE_VALUE
    CHECK_EQ [cs:probe], PROBE_VALUE, "dword read through CS after a DS write"
    CHECK_EQ [es:probe], PROBE_VALUE, "dword read through ES"
    CHECK_EQ [ss:probe], PROBE_VALUE, "dword read through SS"
    mov eax, [ds:0xfffffffc]
    mov esi, s_segments
    call report_ok
    jmp guest_pass

; EDX = NUL-terminated string; CF clear if wanted_arg occurs in it, set if not.
find_wanted_arg:
.try:
    mov esi, edx
    mov edi, wanted_arg
.compare:
    mov al, [edi]
    test al, al
    jz .found
    cmp al, [esi]
    jne .advance
    inc esi
    inc edi
    jmp .compare
.advance:
    cmp byte [edx], 0
    je .absent
    inc edx
    jmp .try
.found:
    clc
    ret
.absent:
    stc
    ret
