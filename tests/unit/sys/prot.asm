; real -> protected mode, int through 32-bit gates, iret to ring 3, ring-3 int via TSS stack, #GP
bits 16
org 0x1000
start:
    cli
    xor ax, ax
    mov ds, ax
    lgdt [gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x08:pm
bits 32
pm:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x9000
    lidt [idtr]
    int 0x40
    push dword 0x23
    push dword 0x7000
    pushfd
    push dword 0x1b
    push dword ring3
    iretd
ring3:
    int 0x41
ring3_cli:
    cli
    hlt
h40:
    mov ebx, 0x40
    iretd
h41:
    mov ecx, [esp+4]
    mov esi, [esp+12]
    mov edx, [esp+16]
    iretd
hgp:
    pop edi
    mov ebp, [esp]
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
    dq 0x00CFFA000000FFFF
    dq 0x00CFF2000000FFFF
gdt_end:
gdtr: dw gdt_end - gdt - 1
      dd gdt
%macro GATE 3 ; handler, type/dpl byte
    dw %1, 0x08
    db 0, %2
    dw 0
%endmacro
align 8
idt:
%assign i 0
%rep 0x42
%if i == 0x0d
    GATE hgp, 0x8E, 0
%elif i == 0x40
    GATE h40, 0x8E, 0
%elif i == 0x41
    GATE h41, 0xEF, 0
%else
    dq 0
%endif
%assign i i+1
%endrep
idt_end:
idtr: dw idt_end - idt - 1
      dd idt
    times 0x300 - ($ - $$) db 0     ; the test harness finds the TSS at 0x1300
tss: times 0x68 db 0
