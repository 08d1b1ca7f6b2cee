; tests/platform/rtc.asm — the MC146818: the seconds read on each side of an update (found
; through UIP) are valid BCD and differ; the periodic interrupt at 1024 Hz arrives on
; IRQ 8 through the slave 8259, each acknowledged by reading register C; CMOS RAM keeps a
; byte.

%include "mb.inc"
%include "sys32.inc"
%include "platform.inc"

RTC_INDEX equ 0x70
RTC_DATA  equ 0x71
PERIODIC_COUNT equ 100

section .rodata
msg_seconds_moved: db "seconds changed across an update", 0
guest_name: db "rtc", 0
msg_bcd:    db "seconds across an update", 0
msg_periodic: db "100 periodic interrupts at 1024 Hz on IRQ 8", 0
msg_nvram:  db "CMOS RAM byte", 0

section .bss
periodic: resd 1
reg_c_bad: resd 1

section .text
; AL = register index; returns AL = its value
rtc_read:
    out RTC_INDEX, al
    in al, RTC_DATA
    ret

; AL = register index, AH = value
rtc_write:
    out RTC_INDEX, al
    mov al, ah
    out RTC_DATA, al
    ret

; Wait until an update starts (UIP set) and ends (UIP clear).
wait_update:
.rise:
    mov al, 0x0a
    call rtc_read
    test al, 0x80
    jz .rise
.fall:
    mov al, 0x0a
    call rtc_read
    test al, 0x80
    jnz .fall
    ret

; AL = packed BCD seconds: fails unless both digits are valid (0-5, 0-9)
check_bcd_seconds:
    mov ah, al
    and ah, 0x0f
    cmp ah, 9
    ja .bad
    cmp al, 0x59
    ja .bad
    ret
.bad:
    mov esi, msg_bcd
    jmp guest_fail

irq8_handler:
    push eax
    mov al, 0x0c
    call rtc_read
    test al, 0x40               ; PF
    jnz .pf
    inc dword [reg_c_bad]
.pf:
    inc dword [periodic]
    mov al, PIC_EOI
    out PIC2_CMD, al
    out PIC1_CMD, al
    pop eax
    iretd

guest_main:
    call load_tables
    INT_GATE IRQ_BASE + 8, irq8_handler
    call pic_init
    call calibrate_tsc

    mov ax, 0x020b              ; register B: 24 hours, BCD, no interrupts
    call rtc_write
    call wait_update
    mov al, 0
    call rtc_read
    call check_bcd_seconds
    movzx ebx, al
    call wait_update
    mov al, 0
    call rtc_read
    call check_bcd_seconds
    movzx ecx, al
    ; the seconds moved on across the update (by one on an idle host; a loaded host may
    ; let more than a second pass between the two reads, so only a change is required)
    cmp ecx, ebx
    jne .seconds_moved
    mov esi, msg_seconds_moved
    jmp guest_fail
.seconds_moved:
    mov esi, msg_bcd
    call report_ok

    ; periodic interrupt: rate 6 = 1024 Hz; unmask IRQ 8 and the cascade
    mov al, 0x0c
    call rtc_read               ; clear stale flags
    mov ax, 0x260a
    call rtc_write
    mov ax, 0x420b              ; PIE, 24 hours
    call rtc_write
    mov al, 0xfb
    out PIC1_DATA, al
    mov al, 0xfe
    out PIC2_DATA, al
    rdtsc
    mov ebp, eax
    mov edi, edx
    sti
.wait_periodic:
    hlt
    cmp dword [periodic], PERIODIC_COUNT
    jb .wait_periodic
    cli
    rdtsc
    sub eax, ebp
    sbb edx, edi
    call tsc_to_ms
    ; 100 periods are 98 ms: never fewer than 40 ms; a loaded host may stretch them, which
    ; is not checked (no wall-clock bounds in a test)
    cmp eax, 40
    jae .time_ok
    push dword 98
    push eax
    mov esi, msg_periodic
    jmp fail_mismatch
.time_ok:
    CHECK_EQ dword [reg_c_bad], 0, "register C without PF in the handler"
    mov ax, 0x020b
    call rtc_write
    mov al, 0xff
    out PIC1_DATA, al
    out PIC2_DATA, al
    mov esi, msg_periodic
    call report_ok

    ; a byte of general-purpose CMOS RAM
    mov ax, 0xa545
    call rtc_write
    mov al, 0x45
    call rtc_read
    movzx eax, al
    CHECK_EQ eax, 0xa5, "CMOS byte 0x45"
    mov esi, msg_nvram
    call report_ok
    jmp guest_pass
