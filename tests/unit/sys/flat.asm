; flat 32: triple fault (IDT limit 0) ; run from 0x3000
bits 32
org 0x3000
    lidt [idtr]
    int 0x40
    hlt
idtr: dw 0
      dd 0
