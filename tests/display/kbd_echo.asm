; tests/display: a boot sector (booted by SeaBIOS from an IDE disk) that echoes the keyboard.
; Prints two line-graphics characters and KBD-READY on the screen (int 10h) and COM1, then
; for every key from int 16h (AH = set 1 scancode, AL = character) writes "ssaa " in hex to
; COM1 and the character to the screen; Enter ends a line: COM1 gets "\r\nLINE:<the line>\r\n",
; the screen a new line.
bits 16
org 0x7c00
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    cld
    mov si, ready
    call both
next_line:
    mov di, buffer
next_key:
    xor ah, ah
    int 0x16
    push ax
    mov al, ah
    call hex_serial
    pop ax
    push ax
    call hex_serial
    mov al, ' '
    call serial
    pop ax
    cmp al, 13
    je .enter
    cmp di, buffer + 60
    jae next_key
    stosb
    call screen
    jmp next_key
.enter:
    mov byte [di], 0
    mov si, crlf
    call both
    mov si, line
    call serial_string
    mov si, buffer
    call serial_string
    mov si, crlf
    call serial_string
    jmp next_line

; string at si on the screen and COM1
both:
    lodsb
    test al, al
    jz .done
    call screen
    call serial
    jmp both
.done:
    ret

serial_string:
    lodsb
    test al, al
    jz .done
    call serial
    jmp serial_string
.done:
    ret

screen:
    push ax
    mov ah, 0x0e
    mov bx, 0x0007
    int 0x10
    pop ax
    ret

; al as two hex digits on COM1
hex_serial:
    push ax
    shr al, 4
    call .digit
    pop ax
    and al, 15
.digit:
    add al, '0'
    cmp al, '9'
    jbe serial
    add al, 'a' - '9' - 1
serial:
    push dx
    push ax
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    pop ax
    mov dx, 0x3f8
    out dx, al
    pop dx
    ret

ready: db 0xc4, 0xc3, " KBD-READY"   ; line-graphics characters first: the 9th-column rule
crlf: db 13, 10, 0
line: db "LINE:", 0
times 510 - ($ - $$) db 0
dw 0xAA55
buffer:
