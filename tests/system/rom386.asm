; tests/system/rom386.asm — a 64 KiB -bios image that walks a 386 from the reset vector
; through the system architecture, checking every step: real mode (#UD through the IVT,
; with the pushed IP), protected mode (#GP with a selector error code), paging (#PF error
; code and CR2), ring 3 through IRET (data segments nulled, #GP(0) for CLI at IOPL 0, #PF
; error code 7 for a write to a supervisor page), a 32-bit call gate back to ring 0 (the
; frame on the ring-0 stack, one copied parameter) and RETF 4 out of it, the same through a
; 16-bit call gate (word frame, RETF 2) and a 16-bit trap gate (word frame, 16-bit IRET to
; ring 3), INT 0x80 through a DPL-3 trap gate, virtual-8086 mode (INT n at IOPL 0 traps with #GP(0) to the ring-0
; monitor, the frame says VM and CS F000), and task switches by CALL to a 32-bit TSS and to
; a 16-bit (286) TSS and by INT n through a task gate, each returning with IRET through NT
; and the back link.
;
; Progress goes to COM1 and to the debug console port 0xE9; the verdict to isa-debug-exit
; (serial.inc). The image sits at F0000-FFFFF: real-mode code runs as F000:offset, and the
; protected-mode code segments have base F0000, so a label's offset in the image is its
; address in them. RAM holds the tables (copied or built here): GDT 0x1000, IDT 0x1800,
; TSSs 0x2000-0x2300, page directory 0x3000 and table 0x4000.

bits 16
org 0
%include "serial.inc"

ROM_LINEAR  equ 0xf0000
%define ROM(x) (ROM_LINEAR + ((x) - $$))
%define OFS(x) ((x) - $$)
DEBUGCON    equ 0xe9

GDT_BASE    equ 0x1000
IDT_BASE    equ 0x1800
TSS_A       equ 0x2000
TSS_B       equ 0x2100
TSS_C       equ 0x2200
TSS_D       equ 0x2300
DSTACK_TOP  equ 0xe000
PAGE_DIR    equ 0x3000
PAGE_TABLE  equ 0x4000
SUPER_PAGE  equ 0x5000              ; mapped without U/S
IOMAP       equ 0x68                ; I/O bitmap offset in TSS A
IOMAP_BYTES equ 0x81                ; ports 0-0x3ff and the closing 0xff byte
KSTACK_TOP  equ 0x9000
USTACK_TOP  equ 0xa000
BSTACK_TOP  equ 0xb000
CSTACK_TOP  equ 0xc000
V86_STACK   equ 0xd000
RM_STACK    equ 0x7000
UNMAPPED    equ 0x800000            ; page directory entry 2 is not present

; variables (RAM, user-accessible page 0)
expect_vec  equ 0x600               ; vector the next exception must have, -1 = none expected
expect_err  equ 0x604
resume_eip  equ 0x608               ; where the handler resumes (offset in the code segment)
resume_k    equ 0x60c               ; 1: resume in ring 0 on the ring-0 stack (abandon frame)
got_count   equ 0x610
fault_eip   equ 0x614
fault_cs    equ 0x618
fault_flags equ 0x61c
fault_cr2   equ 0x620
step_name   equ 0x624               ; linear address of the current step's name
v86_probe   equ 0x700
task_mark   equ 0x704
task16_mark equ 0x708
rm_ud_ip    equ 0x70c

KCODE   equ 0x08
KDATA   equ 0x10
UCODE   equ 0x18 | 3
UDATA   equ 0x20 | 3
TSSA_SEL equ 0x28
TSSB_SEL equ 0x30
TSSC_SEL equ 0x38
GATE_SEL equ 0x40 | 3
KCODE16 equ 0x48
KDATA16 equ 0x50
GATE16_SEL equ 0x58 | 3
TSSD_SEL equ 0x60
BAD_SEL equ 0x0ff8                  ; beyond the GDT limit

; ---------------------------------------------------------------- real mode
start:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, RM_STACK
    mov ds, ax
    mov es, ax
    mov word [step_name], OFS(s_reset)
    mov word [step_name + 2], 0xf
    mov ax, cs
    cmp ax, 0xf000
    jne fail16
    smsw ax
    test al, 1
    jnz fail16
    call ok16

    ; #UD through the IVT: the handler sees the UD2's own IP
    mov word [step_name], OFS(s_rm_ud)
    mov word [6 * 4], OFS(rm_ud_handler)
    mov word [6 * 4 + 2], cs
rm_ud_insn:
    ud2
    cmp word [rm_ud_ip], OFS(rm_ud_insn)
    jne fail16
    call ok16

    ; the GDT into RAM, an empty IDT, then protected mode
    mov word [step_name], OFS(s_pe)
    mov si, OFS(gdt_template)
    mov di, GDT_BASE
    mov cx, gdt_template_end - gdt_template
    push cs
    pop ds
    rep movsb
    push es
    pop ds
    o32 lgdt [cs:OFS(gdtr)]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword KCODE:OFS(pm_entry)

rm_ud_handler:
    push bp
    mov bp, sp
    mov ax, [bp + 2]                ; the pushed IP
    mov [rm_ud_ip], ax
    add word [bp + 2], 2            ; over the UD2
    pop bp
    iret

; prints "rom386: <step> ok" from real mode (the step name's offset is at step_name)
ok16:
    mov si, OFS(s_prefix)
    call puts16
    mov si, [step_name]
    call puts16
    mov si, OFS(s_ok)
    call puts16
    ret

fail16:
    mov si, OFS(s_prefix)
    call puts16
    mov si, OFS(s_fail)
    call puts16
    mov si, [step_name]
    call puts16
    mov al, 10
    call putc16
    EXIT_WITH EXIT_FAIL

putc16:
    push ax
    out DEBUGCON, al
    pop ax
    SERIAL_PUTC_BODY
; CS:SI = string
puts16:
    mov al, [cs:si]
    inc si
    test al, al
    jz .done
    call putc16
    jmp puts16
.done:
    ret

; ---------------------------------------------------------------- protected mode, ring 0
bits 32

; CHECK got, want: fail the current step unless equal
%macro CHECK 2
    cmp dword %1, %2
    je %%ok
    push dword %2
    push dword %1
    jmp fail_mismatch
%%ok:
%endmacro

; CHECKW word-operand, want (clobbers EAX)
%macro CHECKW 2
    movzx eax, word %1
    CHECK eax, %2
%endmacro

; STEP "name"
%macro STEP 1
    mov dword [step_name], ROM(%%name)
    jmp %%go
%%name: db %1, 0
%%go:
%endmacro

; EXPECT vector, error code, resume label[, 1 = resume in ring 0]
%macro EXPECT 3-4 0
    mov dword [expect_vec], %1
    mov dword [expect_err], %2
    mov dword [resume_eip], OFS(%3)
    mov dword [resume_k], %4
    mov dword [got_count], 0
%endmacro

pm_entry:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, KSTACK_TOP
    mov dword [step_name], ROM(s_pe)
    call ok32
    mov dword [expect_vec], -1
    call build_idt
    lidt [cs:OFS(idtr)]
    call build_tss

    STEP "#GP(selector) for a selector beyond the GDT"
    EXPECT 13, BAD_SEL, .gp_done
    mov ax, BAD_SEL
    mov ds, ax
    jmp fail
.gp_done:
    CHECK [got_count], 1
    mov ax, ds
    CHECK eax, KDATA                ; the faulting load changed nothing
    call ok32

    STEP "paging on, #PF error code 2 and CR2 for a write to a not-present page"
    call build_paging
    mov eax, PAGE_DIR
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .paged                      ; serialise after turning paging on
.paged:
    EXPECT 14, 2, .pf_done
    mov dword [UNMAPPED + 0x123], 1
    jmp fail
.pf_done:
    CHECK [got_count], 1
    CHECK [fault_cr2], UNMAPPED + 0x123
    call ok32

    STEP "IRET to ring 3 (data segments nulled)"
    push UDATA
    push USTACK_TOP
    push 0x00000002                 ; IOPL 0, IF 0
    push UCODE
    push OFS(ring3_entry)
    iretd

; ---------------------------------------------------------------- ring 3
ring3_entry:
    mov eax, ds                     ; KDATA (DPL 0) cannot stay loaded in ring 3
    mov ebx, cs
    mov cx, UDATA
    mov ds, cx
    mov es, cx
    and eax, 0xffff
    CHECK eax, 0
    and ebx, 3
    CHECK ebx, 3
    call ok32

    STEP "#GP(0) for CLI in ring 3 at IOPL 0"
    EXPECT 13, 0, .cli_done
    cli
    jmp fail
.cli_done:
    CHECK [got_count], 1
    call ok32

    STEP "#PF error code 7 for a ring-3 write to a supervisor page"
    EXPECT 14, 7, .pf_done
    mov dword [SUPER_PAGE], 1
    jmp fail
.pf_done:
    CHECK [got_count], 1
    CHECK [fault_cr2], SUPER_PAGE
    call ok32

    STEP "call gate to ring 0 with one parameter, RETF 4 back to ring 3"
    mov ebp, esp
    push dword 0x12345678
    xor eax, eax
    call GATE_SEL:0
    CHECK eax, 0xc0de
    CHECK esp, ebp                  ; RETF 4 removed the parameter
    mov eax, cs
    and eax, 3
    CHECK eax, 3
    call ok32

    STEP "16-bit call gate with one word parameter, 16-bit RETF 2 back"
    mov ebp, esp
    push word 0x4321
    xor eax, eax
    call GATE16_SEL:0
    CHECK eax, 0xc16
    CHECK esp, ebp
    call ok32

    STEP "INT 0x82 through a 16-bit trap gate, 16-bit IRET back to ring 3"
    xor eax, eax
    int 0x82
int82_return:
    CHECK eax, 0x1682
    CHECK esp, ebp
    mov eax, cs
    and eax, 3
    CHECK eax, 3
    call ok32

    STEP "INT 0x80 through a DPL-3 trap gate"
    int 0x80
    jmp fail

; ring 0 through the call gate: the frame on the ring-0 stack is EIP CS param ESP SS
gate_target:
    mov eax, cs
    and eax, 3
    CHECK eax, 0
    CHECK [esp + 4], UCODE
    CHECK [esp + 8], 0x12345678
    lea ecx, [ebp - 4]              ; the caller's ESP after it pushed the parameter
    CHECK [esp + 12], ecx
    CHECK [esp + 16], UDATA
    mov eax, esp
    CHECK eax, KSTACK_TOP - 20
    mov eax, 0xc0de
    retf 4

; ring 0 through the 16-bit gate: word frame IP CS param SP SS
gate16_target:
    CHECKW [esp + 2], UCODE
    CHECKW [esp + 4], 0x4321
    lea ecx, [ebp - 2]
    CHECKW [esp + 6], ecx
    CHECKW [esp + 8], UDATA
    mov eax, esp
    CHECK eax, KSTACK_TOP - 10
    mov eax, 0xc16
    o16 retf 2

; ring 0 through the 16-bit trap gate: word frame IP CS FLAGS SP SS
int82_handler:
    CHECKW [esp], OFS(int82_return)
    CHECKW [esp + 2], UCODE
    CHECKW [esp + 6], ebp
    CHECKW [esp + 8], UDATA
    mov eax, 0x1682
    o16 iret

int80_handler:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    CHECK [esp + 4], UCODE          ; EIP CS EFLAGS ESP SS
    CHECK [esp + 16], UDATA
    mov esp, KSTACK_TOP
    call ok32
    jmp v86_phase

; ---------------------------------------------------------------- virtual-8086 mode
v86_phase:
    STEP "virtual-8086 mode: INT n at IOPL 0 traps to the monitor with #GP(0)"
    EXPECT 13, 0, .v86_done, 1
    push dword 0                    ; GS
    push dword 0                    ; FS
    push dword 0                    ; DS
    push dword 0                    ; ES
    push dword 0                    ; SS
    push dword V86_STACK
    push dword 0x00020002           ; VM, IOPL 0
    push dword 0xf000
    push dword OFS(v86_code)
    iretd
.v86_done:
    CHECK [got_count], 1
    CHECK [fault_cs], 0xf000
    CHECK [fault_eip], OFS(v86_int)
    mov eax, [fault_flags]
    and eax, 0x00020000
    CHECK eax, 0x00020000
    CHECKW [v86_probe], 0xf000
    call ok32
    jmp task_phase

bits 16
v86_code:
    mov ax, cs
    mov [v86_probe], ax             ; DS = 0 in V86 mode: linear v86_probe
v86_int:
    int 0x21
    jmp v86_code
bits 32

; ---------------------------------------------------------------- task switches
task_phase:
    STEP "CALL to a 32-bit TSS, IRET back through NT"
    mov ebx, 0x5a5a5a5a
    mov dword [task_mark], 0
    call TSSB_SEL:0
    CHECK ebx, 0x5a5a5a5a           ; this task's registers came back from its TSS
    CHECK [task_mark], 0xb
    str ax
    and eax, 0xffff
    CHECK eax, TSSA_SEL
    mov eax, [GDT_BASE + TSSB_SEL + 4]
    and eax, 0xf00
    CHECK eax, 0x900                ; B is available again
    mov eax, cr0
    and eax, 8
    CHECK eax, 8                    ; CR0.TS after a task switch
    clts
    call ok32

    STEP "CALL to a 16-bit TSS, 16-bit IRET back through NT"
    mov ebx, 0x6b6b6b6b
    mov dword [task16_mark], 0
    call TSSC_SEL:0
    CHECK ebx, 0x6b6b6b6b
    CHECK [task16_mark], 0xc
    str ax
    and eax, 0xffff
    CHECK eax, TSSA_SEL
    CHECKW [TSS_C + 0x0e], OFS(task_c_after)   ; C's IP was saved in its TSS
    mov eax, [GDT_BASE + TSSC_SEL + 4]
    and eax, 0xf00
    CHECK eax, 0x100
    clts
    call ok32

    STEP "INT 0x83 through a task gate, IRET back through NT"
    mov ebx, 0x7c7c7c7c
    mov dword [task_mark], 0
    int 0x83
    CHECK ebx, 0x7c7c7c7c
    CHECK [task_mark], 0xd
    str ax
    and eax, 0xffff
    CHECK eax, TSSA_SEL
    mov eax, [GDT_BASE + TSSD_SEL + 4]
    and eax, 0xf00
    CHECK eax, 0x900
    clts
    call ok32

    mov esi, ROM(s_prefix)
    call puts32
    mov esi, ROM(s_pass)
    call puts32
    EXIT_WITH EXIT_PASS

task_b:
    pushfd
    pop eax
    and eax, 0x4000
    CHECK eax, 0x4000               ; NT
    CHECKW [TSS_B], TSSA_SEL    ; back link
    str ax
    and eax, 0xffff
    CHECK eax, TSSB_SEL
    mov dword [task_mark], 0xb
    mov ebx, 0
    iretd

; the handler of INT 0x83, a task of its own
task_d:
    pushfd
    pop eax
    and eax, 0x4000
    CHECK eax, 0x4000               ; NT
    CHECKW [TSS_D], TSSA_SEL        ; back link
    str ax
    and eax, 0xffff
    CHECK eax, TSSD_SEL
    mov dword [task_mark], 0xd
    mov ebx, 0
    iretd

bits 16
task_c:
    mov word [task16_mark], 0xc
    str ax
    cmp ax, TSSC_SEL
    jne task_c_bad
    pushf
    pop ax
    test ax, 0x4000
    jz task_c_bad
    iret
task_c_after:
task_c_bad:
    mov word [task16_mark], 0xbad
    iret
bits 32

; ---------------------------------------------------------------- exceptions
; 32 stubs of 16 bytes: push a 0 error code where the CPU pushes none, then the vector
%macro EXC_STUB 1
    align 16
    %if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17)
        push dword %1
    %else
        push dword 0
        push dword %1
    %endif
    jmp exc_common
%endmacro
align 16
exc_stubs:
%assign v 0
%rep 32
    EXC_STUB v
%assign v v + 1
%endrep

; [esp] vector, error code, EIP, CS, EFLAGS (, ESP, SS ...)
exc_common:
    push ds
    push eax
    mov ax, KDATA
    mov ds, ax
    mov eax, cr2
    mov [fault_cr2], eax
    mov eax, [esp + 16]
    mov [fault_eip], eax
    mov eax, [esp + 20]
    mov [fault_cs], eax
    mov eax, [esp + 24]
    mov [fault_flags], eax
    mov eax, [esp + 8]
    cmp eax, [expect_vec]
    jne unexpected
    mov eax, [esp + 12]
    cmp eax, [expect_err]
    jne unexpected
    mov dword [expect_vec], -1
    inc dword [got_count]
    cmp dword [resume_k], 0
    jne .to_kernel
    mov eax, [resume_eip]
    mov [esp + 16], eax
    pop eax
    pop ds
    add esp, 8
    iretd
.to_kernel:
    mov ax, KDATA
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov esp, KSTACK_TOP
    jmp [resume_eip]

unexpected:
    mov esi, ROM(s_prefix)
    call puts32
    mov esi, ROM(s_unexpected)
    call puts32
    mov eax, [esp + 8]
    call put_hex32
    mov esi, ROM(s_error)
    call puts32
    mov eax, [esp + 12]
    call put_hex32
    mov esi, ROM(s_at)
    call puts32
    mov eax, [esp + 16]
    call put_hex32
    mov al, 10
    call putc32
    jmp fail

; ---------------------------------------------------------------- tables
; interrupt gates to the stubs for 0-31, a DPL-3 trap gate for INT 0x80
build_idt:
    mov edi, IDT_BASE
    mov ecx, 256 * 2
    xor eax, eax
    rep stosd
    xor ecx, ecx
.gate:
    mov eax, ecx
    shl eax, 4
    add eax, OFS(exc_stubs)
    or eax, KCODE << 16
    mov [IDT_BASE + ecx * 8], eax
    mov dword [IDT_BASE + ecx * 8 + 4], 0x8e00
    inc ecx
    cmp ecx, 32
    jb .gate
    mov dword [IDT_BASE + 0x80 * 8], (KCODE << 16) | OFS(int80_handler)
    mov dword [IDT_BASE + 0x80 * 8 + 4], 0xef00
    mov dword [IDT_BASE + 0x82 * 8], (KCODE << 16) | OFS(int82_handler)
    mov dword [IDT_BASE + 0x82 * 8 + 4], 0xe700          ; 16-bit trap gate, DPL 3
    mov dword [IDT_BASE + 0x83 * 8], TSSD_SEL << 16
    mov dword [IDT_BASE + 0x83 * 8 + 4], 0x8500          ; task gate, DPL 0
    ret

; TSS A (this task, ring-0 stack), TSS B (32-bit task), TSS C (16-bit task); LTR A
build_tss:
    mov edi, TSS_A
    mov ecx, 0x400 / 4
    xor eax, eax
    rep stosd
    mov dword [TSS_A + 4], KSTACK_TOP
    mov dword [TSS_A + 8], KDATA
    mov dword [TSS_A + 0x1c], PAGE_DIR      ; CR3 when this task is returned to
    ; the I/O bitmap lets ring 3 reach COM1, the debug console and the exit port
    mov word [TSS_A + 0x66], IOMAP
    mov edi, TSS_A + IOMAP
    mov ecx, IOMAP_BYTES
    mov al, 0xff
    rep stosb
    and byte [TSS_A + IOMAP + DEBUGCON / 8], ~(1 << (DEBUGCON % 8))
    and byte [TSS_A + IOMAP + EXIT_PORT / 8], 0x0f
    mov byte [TSS_A + IOMAP + COM1 / 8], 0
    mov dword [TSS_B + 0x1c], PAGE_DIR
    mov dword [TSS_B + 0x20], OFS(task_b)
    mov dword [TSS_B + 0x24], 2
    mov dword [TSS_B + 0x38], BSTACK_TOP
    mov dword [TSS_B + 0x48], KDATA         ; ES
    mov dword [TSS_B + 0x4c], KCODE         ; CS
    mov dword [TSS_B + 0x50], KDATA         ; SS
    mov dword [TSS_B + 0x54], KDATA         ; DS
    mov word [TSS_B + 0x66], 0x68
    mov dword [TSS_D + 0x1c], PAGE_DIR
    mov dword [TSS_D + 0x20], OFS(task_d)
    mov dword [TSS_D + 0x24], 2
    mov dword [TSS_D + 0x38], DSTACK_TOP
    mov dword [TSS_D + 0x48], KDATA         ; ES
    mov dword [TSS_D + 0x4c], KCODE         ; CS
    mov dword [TSS_D + 0x50], KDATA         ; SS
    mov dword [TSS_D + 0x54], KDATA         ; DS
    mov word [TSS_D + 0x66], 0x68
    mov word [TSS_C + 0x0e], OFS(task_c)    ; IP
    mov word [TSS_C + 0x10], 2              ; FLAGS
    mov word [TSS_C + 0x1a], CSTACK_TOP     ; SP
    mov word [TSS_C + 0x22], KDATA16        ; ES
    mov word [TSS_C + 0x24], KCODE16        ; CS
    mov word [TSS_C + 0x26], KDATA16        ; SS
    mov word [TSS_C + 0x28], KDATA16        ; DS
    mov ax, TSSA_SEL
    ltr ax
    ret

; identity map of the first 4 MiB, user-accessible except SUPER_PAGE
build_paging:
    mov edi, PAGE_DIR
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PAGE_DIR], PAGE_TABLE | 7
    xor ecx, ecx
.pte:
    mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PAGE_TABLE + ecx * 4], eax
    inc ecx
    cmp ecx, 1024
    jb .pte
    and dword [PAGE_TABLE + (SUPER_PAGE >> 12) * 4], ~4
    ret

; ---------------------------------------------------------------- output
putc32:
    push eax
    out DEBUGCON, al
    pop eax
    SERIAL_PUTC_BODY
puts32:
    SERIAL_PUTS_BODY putc32

ok32:
    push esi
    mov esi, ROM(s_prefix)
    call puts32
    mov esi, [step_name]
    call puts32
    mov esi, ROM(s_ok)
    call puts32
    pop esi
    ret

put_hex32:
    pushad
    mov edx, eax
    mov ecx, 8
.digit:
    rol edx, 4
    mov eax, edx
    and eax, 0xf
    mov al, [cs:OFS(hex_digits) + eax]
    call putc32
    loop .digit
    popad
    ret

; [esp] got, [esp + 4] want
fail_mismatch:
    mov esi, ROM(s_prefix)
    call puts32
    mov esi, ROM(s_fail)
    call puts32
    mov esi, [step_name]
    call puts32
    mov esi, ROM(s_got)
    call puts32
    mov eax, [esp]
    call put_hex32
    mov esi, ROM(s_want)
    call puts32
    mov eax, [esp + 4]
    call put_hex32
    mov al, 10
    call putc32
    EXIT_WITH EXIT_FAIL

fail:
    mov esi, ROM(s_prefix)
    call puts32
    mov esi, ROM(s_fail)
    call puts32
    mov esi, [step_name]
    call puts32
    mov al, 10
    call putc32
    EXIT_WITH EXIT_FAIL

; ---------------------------------------------------------------- data (ROM)
align 8
gdt_template:
    dq 0
    dq 0x00409a0f0000ffff           ; 0x08 32-bit code, DPL 0, base F0000, limit FFFF
    dq 0x00cf92000000ffff           ; 0x10 data, DPL 0, flat
    dq 0x0040fa0f0000ffff           ; 0x18 32-bit code, DPL 3, base F0000
    dq 0x00cff2000000ffff           ; 0x20 data, DPL 3, flat
    dq 0x00008900200000e8           ; 0x28 TSS A (32-bit), base 0x2000, with I/O bitmap
    dq 0x0000890021000067           ; 0x30 TSS B (32-bit), base 0x2100
    dq 0x000081002200002b           ; 0x38 TSS C (16-bit), base 0x2200
    dw OFS(gate_target), KCODE, 0xec01, 0   ; 0x40 32-bit call gate, DPL 3, 1 parameter
    dq 0x00009a0f0000ffff           ; 0x48 16-bit code, DPL 0, base F0000
    dq 0x000092000000ffff           ; 0x50 16-bit data, DPL 0, base 0
    dw OFS(gate16_target), KCODE, 0xe401, 0 ; 0x58 16-bit call gate, DPL 3, 1 parameter
    dq 0x0000890023000067           ; 0x60 TSS D (32-bit), base 0x2300: INT 0x83's task
gdt_template_end:
gdtr:
    dw gdt_template_end - gdt_template - 1
    dd GDT_BASE
idtr:
    dw 256 * 8 - 1
    dd IDT_BASE

hex_digits: db "0123456789abcdef"
s_prefix:   db "rom386: ", 0
s_ok:       db " ok", 10, 0
s_fail:     db "FAIL: ", 0
s_pass:     db "PASS", 10, 0
s_got:      db ": got ", 0
s_want:     db ", want ", 0
s_unexpected: db "unexpected exception ", 0
s_error:    db " error ", 0
s_at:       db " at ", 0
s_reset:    db "reset vector F000:FFF0, real mode", 0
s_rm_ud:    db "real mode #UD through the IVT, pushed IP", 0
s_pe:       db "protected mode", 0

    times 0xfff0 - ($ - $$) db 0xff
bits 16
reset_vector:
    jmp 0xf000:OFS(start)
    times 0x10000 - ($ - $$) db 0xff
