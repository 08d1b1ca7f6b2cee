; tests/apic/hpet.asm — the HPET: capabilities (10 ns period, vendor, legacy capable, at
; least three timers), the main counter halted and running at 100 MHz against the PM timer,
; timer 0 in 32-bit mode as Linux drives it: periodic (VAL_SET: first write the comparator,
; then the period) through IOAPIC pin 2 as an edge, and a level-triggered one-shot whose status bit and the pin's Remote
; IRR hold until the guest clears the status and EOIs.
%include "mb.inc"
%include "sys32.inc"
%include "apic.inc"

HPET_CAPS    equ HPET + 0x000
HPET_PERIOD  equ HPET + 0x004
HPET_CONF    equ HPET + 0x010
HPET_STATUS  equ HPET + 0x020
HPET_COUNTER equ HPET + 0x0f0
HPET_T0_CONF equ HPET + 0x100
HPET_T0_ROUTE_CAP equ HPET + 0x104
HPET_T0_CMP  equ HPET + 0x108

TN_LEVEL   equ 1 << 1
TN_ENABLE  equ 1 << 2
TN_PERIODIC equ 1 << 3
TN_VAL_SET equ 1 << 6
TN_32BIT   equ 1 << 8           ; what Linux uses: 32-bit comparisons, one-half writes
TN_ROUTE_PIN2 equ 2 << 9

EDGE_VECTOR  equ 0x72
LEVEL_VECTOR equ 0x73

section .rodata
guest_name: db "hpet", 0
msg_caps: db "capabilities", 0
msg_counter: db "main counter at 100 MHz", 0
msg_periodic: db "timer 0 periodic through pin 2", 0
msg_level: db "level-triggered one-shot, status and Remote IRR", 0
msg_rate: db "counter rate off 100 MHz by over 5% against the PM timer", 0
msg_halted: db "counter moved while halted", 0
msg_too_fast: db "a 10 ms start and nine 1 ms periods took under 8 ms", 0

section .bss
level_status: resd 1
level_redir: resd 1

section .text
LOGGING_HANDLER 0x72            ; EDGE_VECTOR

; EAX = PM timer, EDX = HPET counter (low), read within 10 us of each other (retried
; when the host interrupts the pair, so a busy host does not skew the rate check)
sample_pm_hpet:
    push ecx
.again:
    call pm_read
    mov ecx, eax
    mov edx, [HPET_COUNTER]
    call pm_read
    sub eax, ecx
    and eax, 0xffffff
    cmp eax, 36
    ja .again
    mov eax, ecx
    pop ecx
    ret

; level-triggered: the status bit and Remote IRR are set here; clear the status, then EOI
handler_level:
    push eax
    mov eax, [HPET_STATUS]
    mov [level_status], eax
    IOAPIC_READ 0x10 + 2 * 2
    mov [level_redir], eax
    mov dword [HPET_STATUS], 1
    inc dword [log_n]
    mov dword [LAPIC + APIC_EOI], 0
    pop eax
    iret

guest_main:
    call load_tables
    SET_GATE EDGE_VECTOR, handler_0x72
    SET_GATE LEVEL_VECTOR, handler_level
    SET_GATE 0xff, spurious_handler
    call platform_quiet
    mov dword [LAPIC + APIC_SVR], 0x1ff
    mov dword [LAPIC + APIC_TPR], 0

    CHECK_EQ [HPET_PERIOD], 10000000, "period in fs"
    mov eax, [HPET_CAPS]
    shr eax, 16
    CHECK_EQ eax, 0x8086, "vendor"
    mov eax, [HPET_CAPS]
    and eax, 0x8000
    CHECK_EQ eax, 0x8000, "legacy replacement capable"
    mov eax, [HPET_CAPS]
    shr eax, 8
    and eax, 0x1f
    cmp eax, 2
    jb fail_timers
    mov eax, [HPET_T0_ROUTE_CAP]
    and eax, 4
    CHECK_EQ eax, 4, "timer 0 routable to pin 2"
    mov esi, msg_caps
    call report_ok

    ; halted counter holds its value; running, it counts 1,000,000 in 10 ms
    mov dword [HPET_CONF], 0
    mov dword [HPET_COUNTER], 0
    mov dword [HPET_COUNTER + 4], 0
    mov ecx, PM_TICKS_1MS
    call pm_delay
    cmp dword [HPET_COUNTER], 0
    jne fail_halted
    mov dword [HPET_CONF], 1
    ; over ~10 ms: HPET ticks * 100 / PM ticks = 100 MHz * 100 / 3.579545 MHz = 2793
    call sample_pm_hpet
    mov ebx, eax
    mov edi, edx
    mov ecx, 35795
    call pm_delay
    call sample_pm_hpet
    sub eax, ebx
    and eax, 0xffffff
    mov ebx, eax
    mov eax, edx
    sub eax, edi
    mov ecx, 100
    mul ecx
    div ebx
    cmp eax, 2650
    jb fail_rate
    cmp eax, 2950
    ja fail_rate
    mov esi, msg_counter
    call report_ok

    ; timer 0: periodic 1 ms, edge, IOAPIC pin 2
    IOAPIC_WRITE 0x10 + 2 * 2 + 1, 0
    IOAPIC_WRITE 0x10 + 2 * 2, EDGE_VECTOR
    mov dword [HPET_T0_CONF], TN_ENABLE | TN_PERIODIC | TN_VAL_SET | TN_32BIT | TN_ROUTE_PIN2
    mov eax, [HPET_COUNTER]
    add eax, 1000000            ; first match 10 ms ahead: a slow host cannot pass it
    mov [HPET_T0_CMP], eax
    mov dword [HPET_T0_CMP], 100000
    mov ecx, 10
    call wait_ticks
    cmp eax, PM_TICKS_1MS * 8
    jb fail_too_fast
    CHECK_EQ [log_vec], EDGE_VECTOR, "periodic vector"
    mov dword [HPET_T0_CONF], 0
    mov esi, msg_periodic
    call report_ok

    ; level-triggered one-shot 1 ms ahead
    IOAPIC_WRITE 0x10 + 2 * 2, LEVEL_VECTOR | 0x8000
    mov dword [log_n], 0
    ; mode first, comparator with the timer still off, then enable (a comparator already
    ; passed would fire at once on QEMU)
    mov dword [HPET_T0_CONF], TN_LEVEL | TN_32BIT | TN_ROUTE_PIN2
    mov eax, [HPET_COUNTER]
    add eax, 100000
    mov [HPET_T0_CMP], eax
    mov dword [HPET_T0_CONF], TN_LEVEL | TN_ENABLE | TN_32BIT | TN_ROUTE_PIN2
    mov ecx, 1
    call wait_ticks
    mov eax, [level_status]
    and eax, 1
    CHECK_EQ eax, 1, "status bit in the handler"
    mov eax, [level_redir]
    and eax, 0x4000
    CHECK_EQ eax, 0x4000, "Remote IRR in the handler"
    IOAPIC_READ 0x10 + 2 * 2
    and eax, 0x4000
    CHECK_EQ eax, 0, "Remote IRR after the EOI"
    mov eax, [HPET_STATUS]
    and eax, 1
    CHECK_EQ eax, 0, "status after clearing"
    sti
    mov ecx, PM_TICKS_1MS * 5
    call pm_delay
    cli
    CHECK_EQ [log_n], 1, "one level interrupt"
    mov dword [HPET_T0_CONF], 0
    mov dword [HPET_CONF], 0
    mov esi, msg_level
    call report_ok
    jmp guest_pass

fail_timers:
    mov esi, msg_caps
    jmp guest_fail
fail_halted:
    mov esi, msg_halted
    jmp guest_fail
fail_rate:
    mov esi, msg_rate
    jmp guest_fail
fail_too_fast:
    mov esi, msg_too_fast
    jmp guest_fail
