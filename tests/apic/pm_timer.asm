; tests/apic/pm_timer.asm — the ACPI PM timer at port 0x608: 24 bits wide, advancing, and
; at a rate that agrees with the TSC within loose bounds (TSC cycles per PM tick over the
; same ~10 ms interval fit any TSC between 0.5 and 10 GHz); writes do not stop it.
%include "mb.inc"
%include "apic.inc"

section .rodata
guest_name: db "pm_timer", 0
msg_width: db "24-bit value", 0
msg_advance: db "advancing", 0
msg_rate: db "rate against the TSC", 0
msg_wide: db "value above 24 bits", 0
msg_still: db "the timer does not advance", 0
msg_tsc: db "TSC cycles per PM tick outside 139-2793 (0.5-10 GHz)", 0

section .text
guest_main:
    mov dx, PM_TMR
    mov ecx, 1000
.width:
    in eax, dx
    test eax, 0xff000000
    jnz fail_wide
    loop .width
    mov esi, msg_width
    call report_ok

    ; writes are ignored, and the value moves within 1 ms of busy reading
    call pm_read
    mov ebx, eax
    mov dx, PM_TMR
    xor eax, eax
    out dx, eax
    mov ecx, 1000000
.advance:
    call pm_read
    cmp eax, ebx
    jne .moved
    loop .advance
    jmp fail_still
.moved:
    mov esi, msg_advance
    call report_ok

    ; TSC cycles per PM tick over ~10 ms, both read at the ends of the same interval:
    ; 0.5-10 GHz / 3.579545 MHz = 139-2793
    call pm_read
    mov ebx, eax
    rdtsc
    mov esi, eax
    mov edi, edx
    mov ecx, 35795
    call pm_delay
    call pm_read
    mov ecx, eax
    rdtsc
    sub eax, esi
    sbb edx, edi
    sub ecx, ebx
    and ecx, 0xffffff
    cmp edx, ecx                ; the quotient must fit in 32 bits
    jae fail_tsc
    div ecx
    cmp eax, 139
    jb fail_tsc
    cmp eax, 2793
    ja fail_tsc
    mov esi, msg_rate
    call report_ok
    jmp guest_pass

fail_wide:
    mov esi, msg_wide
    jmp guest_fail
fail_still:
    mov esi, msg_still
    jmp guest_fail
fail_tsc:
    mov esi, msg_tsc
    jmp guest_fail
