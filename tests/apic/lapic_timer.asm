; tests/apic/lapic_timer.asm — the local APIC timer: one-shot (one interrupt, then the
; current count stays 0), periodic (interrupts keep coming, the count reloads, masking stops
; them), and the TSC-deadline mode when CPUID advertises it (the MSR reads 0 once it fired).
; Rates are implementation choices, and a busy host may stretch any wait, so only a lower
; bound is checked: 32 million bus cycles at a clock up to 10 GHz last 3.2 ms or more.
%include "mb.inc"
%include "sys32.inc"
%include "apic.inc"

TIMER_VECTOR equ 0x60

section .rodata
guest_name: db "lapic_timer", 0
msg_oneshot:  db "one-shot", 0
msg_periodic: db "periodic", 0
msg_deadline: db "TSC deadline", 0
msg_nodeadline: db "TSC deadline not advertised: skipped", 0

section .text
LOGGING_HANDLER 0x60       ; TIMER_VECTOR

guest_main:
    call load_tables
    SET_GATE TIMER_VECTOR, handler_0x60
    SET_GATE 0xff, spurious_handler
    call platform_quiet
    mov dword [LAPIC + APIC_SVR], 0x1ff
    mov dword [LAPIC + APIC_TPR], 0

    ; one-shot, divide by 16, 2,000,000 counts (long enough that a busy host cannot let it
    ; expire before the current count is read)
    mov dword [LAPIC + APIC_TIMER_DIVIDE], 0x3
    CHECK_EQ [LAPIC + APIC_TIMER_DIVIDE], 0x3, "divide configuration"
    mov dword [LAPIC + APIC_LVT_TIMER], TIMER_VECTOR
    mov dword [LAPIC + APIC_TIMER_INITIAL], 2000000
    CHECK_EQ [LAPIC + APIC_TIMER_INITIAL], 2000000, "initial count"
    mov eax, [LAPIC + APIC_TIMER_CURRENT]
    cmp eax, 2000000
    ja .bad_current
    test eax, eax
    jz .bad_current
    mov ecx, 1
    call wait_ticks
    cmp eax, PM_TICKS_1MS / 5
    jb .too_fast
    CHECK_EQ [log_vec], TIMER_VECTOR, "timer vector"
    CHECK_EQ [LAPIC + APIC_TIMER_CURRENT], 0, "current count after a one-shot"
    sti
    mov ecx, PM_TICKS_1MS * 10
    call pm_delay
    cli
    CHECK_EQ [log_n], 1, "one-shot fires once"
    mov esi, msg_oneshot
    call report_ok

    ; periodic, 200,000 counts: ten interrupts, the count reloads
    mov dword [LAPIC + APIC_LVT_TIMER], 0x20000 | TIMER_VECTOR
    mov dword [LAPIC + APIC_TIMER_INITIAL], 200000
    mov ecx, 11
    call wait_ticks
    mov eax, [LAPIC + APIC_TIMER_CURRENT]
    test eax, eax
    jz .bad_current
    cmp eax, 200000
    ja .bad_current
    ; masked: no more interrupts, though the count goes on
    mov dword [LAPIC + APIC_LVT_TIMER], 0x30000 | TIMER_VECTOR
    sti
    call settle                 ; one accepted before the mask may still be in IRR
    mov ebx, [log_n]
    mov ecx, PM_TICKS_1MS * 10
    call pm_delay
    cli
    CHECK_EQ [log_n], ebx, "masked periodic timer is silent"
    mov dword [LAPIC + APIC_TIMER_INITIAL], 0
    mov esi, msg_periodic
    call report_ok

    ; TSC deadline
    mov eax, 1
    cpuid
    test ecx, 1 << 24
    jz .no_deadline
    mov dword [LAPIC + APIC_LVT_TIMER], 0x40000 | TIMER_VECTOR
    mov ebx, [log_n]
    inc ebx
    rdtsc
    add eax, 50000000           ; 5-100 ms at 0.5-10 GHz: still ahead when read back
    adc edx, 0
    mov esi, eax
    mov ecx, 0x6e0
    wrmsr
    rdmsr
    cmp eax, esi
    jne .deadline_lost
    mov ecx, ebx
    call wait_ticks
    mov ecx, 0x6e0
    rdmsr
    CHECK_EQ eax, 0, "TSC deadline MSR after it fired"
    mov esi, msg_deadline
    call report_ok
    jmp guest_pass
.no_deadline:
    mov esi, msg_nodeadline
    call report_ok
    jmp guest_pass

.bad_current:
    mov esi, msg_bad_current
    jmp guest_fail
.too_fast:
    mov esi, msg_too_fast
    jmp guest_fail
.deadline_lost:
    mov esi, msg_deadline_lost
    jmp guest_fail

section .rodata
msg_bad_current: db "current count out of range", 0
msg_too_fast: db "one-shot ended too early", 0
msg_deadline_lost: db "TSC deadline MSR does not read back before it fired", 0
