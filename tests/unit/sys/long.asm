; flat32 -> long mode; 64-bit IDT gate with IST; iretq; far ret to compat? no: stays 64
bits 32
org 0x5000
    mov eax, cr4
    or eax, 0x620
    mov cr4, eax
    mov eax, 0x100000        ; pml4 (harness-built)
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 0x100
    wrmsr
    mov eax, cr0
    or eax, 0x80000002
    mov cr0, eax
    lgdt [gdtr]
    jmp 0x08:lm64
bits 64
lm64:
    mov ax, 0x10
    mov ss, ax
    mov rsp, 0x9008          ; misaligned on purpose (same-privilege, no IST for 0x20)
    lidt [idtr]
    int 0x20
    mov r9, rsp
    int 0x21                 ; IST1
    mov rax, 0x123456789
    hlt
h20:
    mov r8, rsp              ; frame: rip cs rflags rsp ss -> rsp = aligned - 40
    mov r10, [rsp+24]        ; pushed rsp
    iretq
h21:
    mov r11, rsp
    iretq
align 8
gdt: dq 0
     dq 0x00AF9A000000FFFF
     dq 0x00CF92000000FFFF
gdt_end:
gdtr: dw gdt_end - gdt - 1
      dd gdt
align 16
idt: times 0x20*16 db 0
     dw h20, 0x08
     db 0, 0x8E
     dw 0
     dd 0, 0
     dw h21, 0x08
     db 1, 0x8E
     dw 0
     dd 0, 0
idt_end:
idtr: dw idt_end - idt - 1
      dq idt
    times 0x400 - ($ - $$) db 0     ; the test harness finds the TSS at 0x5400
tss: times 0x68 db 0
