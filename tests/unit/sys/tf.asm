; real mode single step: #DB handler counts
bits 16
org 0x1000
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x8000
    mov word [1*4], hdb
    mov word [1*4+2], 0
    xor bx, bx
    pushf
    pop ax
    or ax, 0x100
    push ax
    popf          ; TF=1 from here: trap after each following instruction
    nop
    nop
    nop
    pushf
    pop ax
    and ax, 0xfeff
    push ax
    popf          ; trap after this one too (TF was set at its start)
    nop
    hlt
hdb: inc bx
    iret
