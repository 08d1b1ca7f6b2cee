; tests/platform/pit_calibrate.asm — PIT counter 2 as Linux calibrates the TSC with it
; (mode 0 one-shot, gate on port 0x61 bit 0, output polled on bit 5): two 10 ms
; measurements both end (the output rises) and give nonzero TSC rates — they are not
; compared with each other, since host scheduling can stretch either one and a test must
; not depend on wall-clock timing; the read-back command reports counter 2's
; mode and output; a latched count reads LSB then MSB and decreases. (A low gate pausing
; mode 0 is not checked here: QEMU, the reference, keeps counting.)

%include "mb.inc"
%include "sys32.inc"
%include "platform.inc"

section .rodata
guest_name: db "pit_calibrate", 0
msg_rate:   db "TSC rate from counter 2", 0
msg_readback: db "read-back status of counter 2", 0
msg_latch:  db "latched counts decrease", 0

section .text
; Latch counter 2 and read it: AX = count
read_counter2:
    mov al, 0x80                ; counter latch, counter 2
    out PIT_CTRL, al
    in al, PIT_CH2
    mov ah, al
    in al, PIT_CH2
    xchg al, ah
    ret

guest_main:
    call calibrate_tsc
    test eax, eax
    jnz .nonzero
    mov esi, msg_rate
    jmp guest_fail
.nonzero:
    mov ebp, eax
    mov esi, msg_rate
    call report_ok
    call calibrate_tsc
    test eax, eax
    jnz .nonzero2
    mov esi, msg_rate
    jmp guest_fail
.nonzero2:
    mov esi, msg_rate
    call report_ok

    ; counter 2 has reached its terminal count: OUT high, mode 0, LSB+MSB, binary
    mov al, 0xe8                ; read-back: status only, counter 2
    out PIT_CTRL, al
    in al, PIT_CH2
    movzx eax, al
    CHECK_EQ eax, 0xb0, "read-back status"
    mov esi, msg_readback
    call report_ok

    ; a fresh count of 0xffff: successive latched reads go down
    mov al, 0xb0
    out PIT_CTRL, al
    mov al, 0xff
    out PIT_CH2, al
    out PIT_CH2, al
    call read_counter2
    movzx ebx, ax
    mov eax, 1
    call delay_ms
    call read_counter2
    movzx eax, ax
    cmp eax, ebx
    jb .decreased
    push ebx
    push eax
    mov esi, msg_latch
    jmp fail_mismatch
.decreased:
    mov esi, msg_latch
    call report_ok

    jmp guest_pass
