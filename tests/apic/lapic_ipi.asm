; tests/apic/lapic_ipi.asm — the local APIC's interrupt logic: software enable through the
; SVR, self-IPIs (the "self" shorthand and a physical destination), ISR and PPR while a
; handler runs, EOI, TPR blocking lower classes, priority order of pending vectors and
; nesting of a higher class inside a handler.
%include "mb.inc"
%include "sys32.inc"
%include "apic.inc"

section .rodata
guest_name: db "lapic_ipi", 0

section .text
LOGGING_HANDLER 0x40
LOGGING_HANDLER 0x50
LOGGING_HANDLER 0x70

; vector 0x60: in service, a self-IPI of a lower class waits, one of a higher class nests
handler_0x60:
    push eax
    mov eax, [log_n]
    mov dword [log_vec + eax * 4], 0x60
    inc dword [log_n]
    sti
    mov dword [LAPIC + APIC_ICR_LO], 0x40040     ; self, fixed, 0x40: below the ISR's class
    call settle
    mov dword [LAPIC + APIC_ICR_LO], 0x40070     ; self, fixed, 0x70: nests
    call settle
    cli
    mov dword [LAPIC + APIC_EOI], 0
    pop eax
    iret

guest_main:
    call load_tables
    SET_GATE 0x40, handler_0x40
    SET_GATE 0x50, handler_0x50
    SET_GATE 0x60, handler_0x60
    SET_GATE 0x70, handler_0x70
    SET_GATE 0xff, spurious_handler
    call platform_quiet

    CHECK_EQ [LAPIC + APIC_VERSION], 0x50014, "version"
    mov dword [LAPIC + APIC_SVR], 0x1ff
    CHECK_EQ [LAPIC + APIC_SVR], 0x1ff, "SVR"
    mov dword [LAPIC + APIC_TPR], 0

    ; self shorthand, fixed, vector 0x40
    sti
    mov dword [LAPIC + APIC_ICR_LO], 0x40040
    call settle
    cli
    CHECK_EQ [log_n], 1, "self-IPI delivered"
    CHECK_EQ [log_vec], 0x40, "self-IPI vector"
    CHECK_EQ [log_isr], 1, "ISR bit of 0x40 in its handler"
    CHECK_EQ [log_ppr], 0x40, "PPR in the handler of 0x40"
    CHECK_EQ [LAPIC + APIC_ISR + 0x20], 0, "ISR after EOI"
    CHECK_EQ [LAPIC + APIC_PPR], 0, "PPR after EOI"
    mov esi, msg_self
    call report_ok

    ; physical destination 0 (our ID), no shorthand
    mov eax, [LAPIC + APIC_ID]
    mov [LAPIC + APIC_ICR_HI], eax
    sti
    mov dword [LAPIC + APIC_ICR_LO], 0x00050
    call settle
    cli
    CHECK_EQ [log_n], 2, "physical IPI delivered"
    CHECK_EQ [log_vec + 4], 0x50, "physical IPI vector"
    CHECK_EQ [log_isr + 4], 0x10000, "ISR bit of 0x50 in its handler"

    ; TPR 0x40 blocks class 4, 0x3f lets it through
    mov dword [LAPIC + APIC_TPR], 0x40
    CHECK_EQ [LAPIC + APIC_TPR], 0x40, "TPR"
    mov dword [LAPIC + APIC_ICR_LO], 0x40040
    sti
    call settle
    cli
    CHECK_EQ [log_n], 2, "TPR 0x40 blocks vector 0x40"
    CHECK_EQ [LAPIC + APIC_IRR + 0x20], 1, "0x40 waits in IRR"
    CHECK_EQ [LAPIC + APIC_PPR], 0x40, "PPR follows TPR"
    sti
    mov dword [LAPIC + APIC_TPR], 0x3f
    call settle
    cli
    CHECK_EQ [log_n], 3, "TPR 0x3f lets 0x40 through"
    CHECK_EQ [log_vec + 8], 0x40, "vector after TPR"
    CHECK_EQ [LAPIC + APIC_IRR + 0x20], 0, "IRR empty"
    mov dword [LAPIC + APIC_TPR], 0
    mov esi, msg_tpr
    call report_ok

    ; two pending vectors: the higher class first
    mov dword [LAPIC + APIC_ICR_LO], 0x40040
    mov dword [LAPIC + APIC_ICR_LO], 0x40050
    CHECK_EQ [LAPIC + APIC_IRR + 0x20], 0x10001, "both pending"
    sti
    call settle
    cli
    CHECK_EQ [log_n], 5, "both delivered"
    CHECK_EQ [log_vec + 12], 0x50, "0x50 first"
    CHECK_EQ [log_vec + 16], 0x40, "0x40 second"

    ; nesting: in 0x60's handler 0x70 interrupts, 0x40 waits for the EOI
    sti
    mov dword [LAPIC + APIC_ICR_LO], 0x40060
    call settle
    cli
    CHECK_EQ [log_n], 8, "nested sequence length"
    CHECK_EQ [log_vec + 20], 0x60, "0x60 first"
    CHECK_EQ [log_vec + 24], 0x70, "0x70 nests"
    CHECK_EQ [log_ppr + 24], 0x70, "PPR inside the nested handler"
    CHECK_EQ [log_vec + 28], 0x40, "0x40 after 0x60's EOI"
    mov esi, msg_order
    call report_ok

    ; a self-IPI is taken at an instruction boundary right after the write that sends it,
    ; not only when the CPU happens to reach the end of a translated block
    sti
    mov dword [LAPIC + APIC_ICR_LO], 0x40040
    nop
    nop
    cli
    CHECK_EQ [log_n], 9, "self-IPI taken before the CLI two instructions later"
    mov esi, msg_prompt
    call report_ok

    jmp guest_pass

section .rodata
msg_self:  db "self-IPI, ISR, PPR, EOI", 0
msg_tpr:   db "TPR blocking", 0
msg_order: db "priority order and nesting", 0
msg_prompt: db "IPI taken at the next instruction boundaries", 0
