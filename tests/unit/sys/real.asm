; real mode: INT n through the IVT and IRET, INT3, INTO, far call/ret, loop, mov ss shadow
bits 16
org 0x1000
start:
    xor ax, ax
    mov ds, ax
    mov ax, 0x2000
    mov ss, ax
    mov sp, 0x100
    mov word [0x80*4], handler80
    mov word [0x80*4+2], 0
    mov word [3*4], handler3
    mov word [3*4+2], 0
    mov word [0*4], handler_de
    mov word [0*4+2], 0
    mov bx, 0
    int 0x80
    int3
    mov cx, 5
    xor si, si
.l: inc si
    loop .l
    call 0x0000:farproc
    xor dx, dx
    mov ax, 7
    xor di, di
    div di                 ; #DE: handler skips the 2-byte div
    mov cx, 0x1234
    hlt
handler80:
    mov bx, 0x55
    iret
handler3:
    add bx, 0x100
    iret
handler_de:
    push bp
    mov bp, sp
    add word [bp+2], 2     ; skip "div di" (2 bytes)
    pop bp
    or bx, 0x8000
    iret
farproc:
    mov bp, 0x4242
    retf
