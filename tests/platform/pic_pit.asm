; tests/platform/pic_pit.asm — the 8259 pair and PIT counter 0: IRQ 0 at 1 kHz (mode 2)
; counted in a `sti; hlt` loop, never faster than the PIT's 50 ms; the handler sees
; its ISR bit and ends it with a non-specific EOI; a masked IRQ 0 waits in IRR and is
; delivered once unmasked; the poll command.

%include "mb.inc"
%include "sys32.inc"
%include "platform.inc"

TICKS equ 50

section .rodata
guest_name: db "pic_pit", 0
msg_ticks:  db "50 ticks of IRQ 0 at 1 kHz", 0
msg_mask:   db "masked IRQ 0 held in IRR, delivered on unmask", 0
msg_poll:   db "poll command", 0

section .bss
ticks: resd 1
isr_in_handler: resd 1
stray: resd 1

section .text
irq0_handler:
    push eax
    inc dword [ticks]
    mov al, 0x0b                ; OCW3: read ISR
    out PIC1_CMD, al
    in al, PIC1_CMD
    movzx eax, al
    mov [isr_in_handler], eax
    mov al, PIC_EOI
    out PIC1_CMD, al
    mov al, 0x0a                ; back to reading IRR
    out PIC1_CMD, al
    pop eax
    iretd

stray_handler:
    inc dword [stray]
    iretd

guest_main:
    call load_tables
    mov ecx, IRQ_BASE
.gates:
    push ecx
    INT_GATE ecx, stray_handler
    pop ecx
    inc ecx
    cmp ecx, IRQ_BASE + 16
    jb .gates
    INT_GATE IRQ_BASE, irq0_handler
    call pic_init
    call calibrate_tsc
    test eax, eax
    jnz .calibrated
    mov esi, msg_ticks
    jmp guest_fail
.calibrated:

    ; counter 0: mode 2, 1193 clocks = 1 kHz
    mov al, 0x34
    out PIT_CTRL, al
    mov al, (PIT_HZ / 1000) & 0xff
    out PIT_CH0, al
    mov al, (PIT_HZ / 1000) >> 8
    out PIT_CH0, al
    mov al, 0xfe                ; unmask IRQ 0
    out PIC1_DATA, al
    rdtsc
    mov ebp, eax
    mov edi, edx
    sti
.wait_ticks:
    hlt
    cmp dword [ticks], TICKS
    jb .wait_ticks
    cli
    rdtsc
    sub eax, ebp
    sbb edx, edi
    call tsc_to_ms
    ; ticks may arrive late on a loaded host (never checked: no wall-clock bounds in a
    ; test), but 50 ticks at 1 kHz can never take less than the PIT's own 50 ms
    cmp eax, 20
    jae .time_ok
    push dword 50
    push eax
    mov esi, msg_ticks
    jmp fail_mismatch
.time_ok:
    CHECK_EQ dword [isr_in_handler], 1, "ISR inside the IRQ 0 handler"
    CHECK_EQ dword [stray], 0, "stray interrupts"
    mov al, 0x0b
    out PIC1_CMD, al
    in al, PIC1_CMD
    movzx eax, al
    CHECK_EQ eax, 0, "ISR after EOI"
    mov esi, msg_ticks
    call report_ok

    ; masked: ticks stop, the request waits in IRR
    mov al, 0xff
    out PIC1_DATA, al
    mov ebx, [ticks]
    push ebx
    sti
    mov eax, 20
    call delay_ms
    cli
    pop ebx
    CHECK_EQ [ticks], ebx, "ticks while IRQ 0 masked"
    mov al, 0x0a                ; OCW3: read IRR
    out PIC1_CMD, al
    in al, PIC1_CMD
    and eax, 1
    CHECK_EQ eax, 1, "IRR bit 0 while masked"
    mov al, 0xfe
    out PIC1_DATA, al
    sti
    hlt                         ; returns at once: the request is already pending
    cli
    inc ebx
    cmp [ticks], ebx
    jae .unmask_ok
    push ebx
    push dword [ticks]
    mov esi, msg_mask
    jmp fail_mismatch
.unmask_ok:
    mov esi, msg_mask
    call report_ok

    ; poll: with IF clear, wait for the next request and take it through the port
    mov ecx, 10000000
.poll:
    mov al, 0x0c                ; OCW3: poll
    out PIC1_CMD, al
    in al, PIC1_CMD
    test al, 0x80
    jnz .polled
    loop .poll
    mov esi, msg_poll
    jmp guest_fail
.polled:
    movzx eax, al
    CHECK_EQ eax, 0x80, "poll result"
    mov al, 0x0b
    out PIC1_CMD, al
    in al, PIC1_CMD
    movzx eax, al
    CHECK_EQ eax, 1, "ISR after poll"
    mov al, PIC_EOI
    out PIC1_CMD, al
    mov al, 0xff
    out PIC1_DATA, al
    mov esi, msg_poll
    call report_ok
    jmp guest_pass
