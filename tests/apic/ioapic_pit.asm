; tests/apic/ioapic_pit.asm — the I/O APIC: identification, the redirection table (masked
; at reset, read back), and the PIT's IRQ 0 arriving at pin 2 (the interrupt source
; override) as an edge-triggered vector with both 8259s masked; masking the pin stops it.
%include "mb.inc"
%include "sys32.inc"
%include "apic.inc"

PIT_VECTOR equ 0x70
PIT_1KHZ   equ 1193             ; 1.193182 MHz / 1193 = 1000.15 Hz

section .rodata
guest_name: db "ioapic_pit", 0
msg_table: db "identification and redirection table", 0
msg_pit: db "PIT through pin 2", 0
msg_mask: db "masked pin", 0
msg_too_fast: db "ten PIT ticks took under 8 ms", 0

section .text
LOGGING_HANDLER 0x70            ; PIT_VECTOR

; PIT channel 0, mode 2 (rate generator), 1 kHz
pit_start:
    mov al, 0x34
    out 0x43, al
    mov al, PIT_1KHZ & 0xff
    out 0x40, al
    mov al, PIT_1KHZ >> 8
    out 0x40, al
    ret

guest_main:
    call load_tables
    SET_GATE PIT_VECTOR, handler_0x70
    SET_GATE 0xff, spurious_handler
    call platform_quiet
    mov dword [LAPIC + APIC_SVR], 0x1ff
    mov dword [LAPIC + APIC_TPR], 0

    IOAPIC_READ 1
    shr eax, 16
    and eax, 0xff
    CHECK_EQ eax, 23, "maximum redirection entry"
    IOAPIC_READ 0x10 + 2 * 2
    and eax, 0x10000
    CHECK_EQ eax, 0x10000, "pin 2 masked at reset"
    ; pin 2: vector, fixed, physical, active high, edge, unmasked; destination APIC ID 0
    IOAPIC_WRITE 0x10 + 2 * 2 + 1, 0
    IOAPIC_WRITE 0x10 + 2 * 2, PIT_VECTOR
    IOAPIC_READ 0x10 + 2 * 2
    CHECK_EQ eax, PIT_VECTOR, "pin 2 entry read back"
    mov esi, msg_table
    call report_ok

    call pit_start
    mov ecx, 10
    call wait_ticks
    cmp eax, PM_TICKS_1MS * 8
    jb .too_fast
    CHECK_EQ [log_vec], PIT_VECTOR, "vector"
    CHECK_EQ [log_isr], 0x10000, "ISR bit of the PIT vector in its handler"
    mov esi, msg_pit
    call report_ok

    IOAPIC_WRITE 0x10 + 2 * 2, 0x10000 | PIT_VECTOR
    sti
    call settle                 ; one sent before the mask may still be in IRR
    mov ebx, [log_n]
    mov ecx, PM_TICKS_1MS * 10
    call pm_delay
    cli
    CHECK_EQ [log_n], ebx, "no interrupts from a masked pin"
    mov al, 0x30                ; stop the PIT
    out 0x43, al
    mov esi, msg_mask
    call report_ok
    jmp guest_pass

.too_fast:
    mov esi, msg_too_fast
    jmp guest_fail
