; tests/system/task.asm — hardware task switches with 32-bit TSSs: CALL to a TSS descriptor
; (nested: NT, back link, both busy) and IRET back (NT task return, the callee freed), JMP
; through a task gate in the GDT and JMP back to the first task's TSS (old task freed),
; INT through a task gate in the IDT, the registers saved and restored, and #TS for a TSS
; whose limit is below 0x67.

%include "mb.inc"
%include "sys32.inc"

MAIN_TSS  equ 0x28
CALL_TSS  equ 0x30
JMP_TSS   equ 0x38
INT_TSS   equ 0x40
TASK_GATE equ 0x48                  ; GDT task gate -> JMP_TSS
SHORT_TSS equ 0x50                  ; TSS descriptor with limit 0x20

section .rodata
guest_name: db "task", 0
s_fault: db "unexpected exception", 0

section .data
call_ran: dd 0
jmp_ran: dd 0
int_ran: dd 0
ts_error: dd 0xffffffff

section .bss
alignb 16
main_tss: resb 0x68
call_tss: resb 0x68
jmp_tss: resb 0x68
int_tss: resb 0x68
call_stack: resb 1024
call_stack_top:
jmp_stack: resb 1024
jmp_stack_top:
int_stack: resb 1024
int_stack_top:

section .text
; TASK_INIT tss, entry, stack top: a ring-0 flat task starting at entry
%macro TASK_INIT 3
    mov dword [%1 + 0x20], %2           ; EIP
    mov dword [%1 + 0x24], 0x2          ; EFLAGS
    mov dword [%1 + 0x38], %3           ; ESP
    mov dword [%1 + 0x48], KDATA        ; ES
    mov dword [%1 + 0x4c], KCODE        ; CS
    mov dword [%1 + 0x50], KDATA        ; SS
    mov dword [%1 + 0x54], KDATA        ; DS
    mov dword [%1 + 0x58], KDATA        ; FS
    mov dword [%1 + 0x5c], KDATA        ; GS
%endmacro

guest_main:
    call load_tables
    SYS_DESC MAIN_TSS, main_tss, 0x67, 0x89, 0
    SYS_DESC CALL_TSS, call_tss, 0x67, 0x89, 0
    SYS_DESC JMP_TSS, jmp_tss, 0x67, 0x89, 0
    SYS_DESC INT_TSS, int_tss, 0x67, 0x89, 0
    SYS_DESC SHORT_TSS, call_tss, 0x20, 0x89, 0
    mov dword [gdt + TASK_GATE], JMP_TSS << 16
    mov dword [gdt + TASK_GATE + 4], 0x8500             ; present task gate, DPL 0
    mov ecx, 0
.idt:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 32
    jb .idt
    GATE_DESC idt, 10 * 8, KCODE, ts_handler, 0x8e, 0
    mov dword [idt + 0x40 * 8], INT_TSS << 16
    mov dword [idt + 0x40 * 8 + 4], 0x8500              ; task gate for INT 0x40
    TASK_INIT call_tss, call_task, call_stack_top
    TASK_INIT jmp_tss, jmp_task, jmp_stack_top
    TASK_INIT int_tss, int_task, int_stack_top
    mov ax, MAIN_TSS
    ltr ax

    ; CALL to a TSS: nested task, IRET returns
    mov eax, 0xaaaa0001
    mov ebp, 0xbbbb0002
    call CALL_TSS:0
    CHECK_EQ eax, 0xaaaa0001, "EAX restored from the main TSS"
    CHECK_EQ ebp, 0xbbbb0002, "EBP restored from the main TSS"
    CHECK_EQ dword [call_ran], 1, "the called task ran"
    movzx eax, byte [gdt + CALL_TSS + 5]
    CHECK_EQ eax, 0x89, "called TSS freed by its IRET"
    movzx eax, byte [gdt + MAIN_TSS + 5]
    CHECK_EQ eax, 0x8b, "main TSS busy again"
    str eax
    and eax, 0xffff
    CHECK_EQ eax, MAIN_TSS, "TR after the task return"
    pushfd
    pop eax
    and eax, 0x4000
    CHECK_EQ eax, 0, "NT clear in the main task"
    mov eax, cr0
    and eax, 8
    CHECK_EQ eax, 8, "CR0.TS set by the task switch"
    clts

    ; JMP through a task gate; that task JMPs back to the main TSS
    call main_jmp_out
    CHECK_EQ dword [jmp_ran], 1, "the task-gate target ran"
    movzx eax, byte [gdt + JMP_TSS + 5]
    CHECK_EQ eax, 0x89, "jumped-to TSS freed by its JMP back"
    movzx eax, byte [gdt + MAIN_TSS + 5]
    CHECK_EQ eax, 0x8b, "main TSS busy after the JMP back"

    ; INT through a task gate in the IDT
    int 0x40
    CHECK_EQ dword [int_ran], 1, "the interrupt task ran"
    movzx eax, byte [gdt + INT_TSS + 5]
    CHECK_EQ eax, 0x89, "interrupt TSS freed by its IRET"

    ; #TS: a TSS below the minimum limit
    call SHORT_TSS:0
    CHECK_EQ dword [ts_error], SHORT_TSS, "#TS error code for a short TSS"
    jmp guest_pass

main_jmp_out:
    mov esi, 0x5151
    jmp TASK_GATE:0
    ; the JMP back resumes here
    CHECK_EQ esi, 0x5151, "ESI restored after the JMP back"
    ret

call_task:
    pushfd
    pop eax
    and eax, 0x4000
    CHECK_EQ eax, 0x4000, "NT set in the called task"
    movzx eax, word [call_tss]
    CHECK_EQ eax, MAIN_TSS, "back link of the called task"
    movzx eax, byte [gdt + MAIN_TSS + 5]
    CHECK_EQ eax, 0x8b, "caller stays busy while nested"
    movzx eax, byte [gdt + CALL_TSS + 5]
    CHECK_EQ eax, 0x8b, "called TSS busy"
    str eax
    and eax, 0xffff
    CHECK_EQ eax, CALL_TSS, "TR in the called task"
    CHECK_EQ dword [main_tss + 0x28], 0xaaaa0001, "EAX saved in the main TSS"
    CHECK_EQ esp, call_stack_top, "ESP from the called TSS"
    mov dword [call_ran], 1
    mov eax, 0x12345678
    iret

jmp_task:
    pushfd
    pop eax
    and eax, 0x4000
    CHECK_EQ eax, 0, "NT clear after a JMP task switch"
    movzx eax, byte [gdt + MAIN_TSS + 5]
    CHECK_EQ eax, 0x89, "main TSS freed by the JMP"
    mov dword [jmp_ran], 1
    jmp MAIN_TSS:0

int_task:
    movzx eax, word [int_tss]
    CHECK_EQ eax, MAIN_TSS, "back link of the interrupt task"
    mov dword [int_ran], 1
    iret

; #TS handler (interrupt gate, same task): record the error code, skip the 7-byte far call
ts_handler:
    pop dword [ts_error]
    add dword [esp], 7
    iret

unexpected:
    mov esi, s_fault
    jmp guest_fail
