; tests/display: a boot sector (booted by SeaBIOS from an IDE disk) that shows three
; graphics modes in turn through the VGA BIOS, each long enough for the test to take a
; screendump after the marker line on COM1:
;   mode 13h (320x200x256): rows 0-9 colour 4 (red), rows 10-19 colour 15 (white)
;   mode 12h (640x480x16, planar): a 64-pixel line of colour 14 (yellow) at y=5 (int 10h AH=0Ch)
;   VBE mode 112h (640x480x24, banked window at A000): the first 64 pixels of line 0 = 0x996633
; then exits through isa-debug-exit (port 0xf4) if present, else halts.
bits 16
org 0x7c00
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    cld
    ; ---- mode 13h
    mov ax, 0x0013
    int 0x10
    mov ax, 0xa000
    mov es, ax
    xor di, di
    mov cx, 320 * 10
    mov al, 4
    rep stosb
    mov cx, 320 * 10
    mov al, 15
    rep stosb
    mov si, m13
    call mark
    ; ---- mode 12h
    mov ax, 0x0012
    int 0x10
    xor cx, cx
.px: mov ax, 0x0c0e         ; write pixel, colour 14
    xor bx, bx
    mov dx, 5
    int 0x10
    inc cx
    cmp cx, 64
    jb .px
    mov si, m12
    call mark
    ; ---- VBE 640x480x24, banked
    mov ax, 0x4f02
    mov bx, 0x0112
    int 0x10
    cmp ax, 0x004f
    jne .vbefail
    mov ax, 0xa000
    mov es, ax
    xor di, di
    mov cx, 64
.vp: mov al, 0x33
    stosb
    mov al, 0x66
    stosb
    mov al, 0x99
    stosb
    loop .vp
    mov si, mvbe
    call mark
    jmp .exit
.vbefail:
    mov si, mfail
    call serial
.exit:
    mov dx, 0xf4
    mov al, 1
    out dx, al
.h: cli
    hlt
    jmp .h

; print the marker at si on COM1, then wait 3 s (int 15h AH=86h) for the screendump
mark:
    call serial
    mov ah, 0x86
    mov cx, 0x2d
    mov dx, 0xc6c0
    int 0x15
    ret

serial:
    lodsb
    test al, al
    jz .done
    mov dx, 0x3fd
    mov ah, al
.w: in al, dx
    test al, 0x20
    jz .w
    mov al, ah
    mov dx, 0x3f8
    out dx, al
    jmp serial
.done:
    ret

m13: db "MODE-13H", 10, 0
m12: db "MODE-12H", 10, 0
mvbe: db "MODE-VBE", 10, 0
mfail: db "VBE-FAIL", 10, 0
times 510 - ($ - $$) db 0
dw 0xAA55
