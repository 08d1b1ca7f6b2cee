; tests/snapshot/ticks.asm — a computation interleaved with timer interrupts, for snapshot
; exactness under -icount: PIT counter 0 ticks at about 10 kHz (IRQ 0 through the 8259),
; the handler folds the main loop's position into a checksum, so the result depends on the
; exact instruction each interrupt arrives at. Each round computes, then waits for two ticks
; in HLT (virtual time must jump there), and prints its round number, both checksums, the
; tick count and the TSC. PASS once every round is done and ticks arrived.

%include "mb.inc"
%include "sys32.inc"
%include "../platform/platform.inc"

ROUNDS equ 12
WORK   equ 40000                ; main-loop iterations per round
PIT_DIVISOR equ 119             ; 1193182 / 119: about 10 kHz

section .rodata
guest_name: db "ticks", 0
msg_round:  db "round ", 0
msg_acc:    db " acc=", 0
msg_mix:    db " mix=", 0
msg_ticks:  db " ticks=", 0
msg_tsc:    db " tsc=", 0
msg_noticks: db "no timer interrupt arrived", 0

section .bss
ticks:  resd 1
mix:    resd 1
acc:    resd 1
loop_i: resd 1

section .text
irq0_handler:
    push eax
    inc dword [ticks]
    mov eax, [mix]
    imul eax, eax, 33
    xor eax, [loop_i]           ; where the main loop was when the tick came
    mov [mix], eax
    mov al, PIC_EOI
    out PIC1_CMD, al
    pop eax
    iretd

; ESI = label, EAX = value: prints " label0x%08x"
put_field:
    push eax
    call serial_puts
    pop eax
    call put_hex32
    ret

guest_main:
    call load_tables
    INT_GATE IRQ_BASE, irq0_handler
    call pic_init
    mov al, 0x34                ; counter 0, LSB then MSB, mode 2
    out PIT_CTRL, al
    mov al, PIT_DIVISOR & 0xff
    out PIT_CH0, al
    mov al, PIT_DIVISOR >> 8
    out PIT_CH0, al
    mov al, 0xfe                ; unmask IRQ 0
    out PIC1_DATA, al
    sti
    xor ebx, ebx                ; round
.round:
    mov ecx, WORK
.work:
    mov [loop_i], ecx
    mov eax, ecx
    imul eax, eax, 0x9e3779b1
    add eax, ebx
    xor [acc], eax
    rol dword [acc], 3
    dec ecx
    jnz .work
    mov edx, [ticks]
    add edx, 2
.idle:
    hlt
    cmp [ticks], edx
    jb .idle
    inc ebx
    call put_prefix
    mov esi, msg_round
    mov eax, ebx
    call put_field
    mov esi, msg_acc
    mov eax, [acc]
    call put_field
    mov esi, msg_mix
    mov eax, [mix]
    call put_field
    mov esi, msg_ticks
    mov eax, [ticks]
    call put_field
    mov esi, msg_tsc
    rdtsc
    call put_field
    mov al, 10
    call serial_putc
    cmp ebx, ROUNDS
    jb .round
    cli
    cmp dword [ticks], 0
    jne .ticked
    mov esi, msg_noticks
    jmp guest_fail
.ticked:
    jmp guest_pass
