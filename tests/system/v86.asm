; tests/system/v86.asm — virtual-8086 mode: entered with IRET (VM=1) from ring 0, IOPL 0.
; The V86 code writes memory through its real-mode-style segments, uses a port the TSS I/O
; permission bitmap allows (0x80), then CLI, IN from a denied port (0x81) and INT n each
; trap to the ring-0 monitor as #GP(0) through an interrupt gate, with the V86 frame (VM set
; in the saved EFLAGS, the V86 segment selectors) on the TSS ring-0 stack.

%include "mb.inc"
%include "sys32.inc"

TSS_SEL   equ 0x28
V86_SEG   equ 0x0800                ; code and data at linear 0x8000
V86_SS    equ 0x0900
IOMAP     equ 0x68
TSS_LIMIT equ IOMAP + 8192          ; the bitmap and its 0xff terminator byte

section .rodata
guest_name: db "v86", 0
s_fault: db "unexpected exception", 0

section .data
gp_count: dd 0
gp_ip: times 4 dd 0
gp_flags: times 4 dd 0
gp_err: times 4 dd 0
gp_skip: dd 1, 2, 0                 ; bytes of the trapping instruction, per #GP

section .bss
alignb 16
tss: resb TSS_LIMIT + 1
kstack: resb 4096
kstack_top:

section .text
guest_main:
    call load_tables
    SYS_DESC TSS_SEL, tss, TSS_LIMIT, 0x89, 0
    mov ecx, 0
.idt:
    GATE_DESC idt, ecx * 8, KCODE, unexpected, 0x8e, 0
    inc ecx
    cmp ecx, 32
    jb .idt
    GATE_DESC idt, 13 * 8, KCODE, gp_monitor, 0x8e, 0
    mov dword [tss + 4], kstack_top
    mov dword [tss + 8], KDATA
    mov word [tss + 0x66], IOMAP
    mov edi, tss + IOMAP
    mov ecx, 8193
    mov al, 0xff
    rep stosb
    and byte [tss + IOMAP + 0x80 / 8], 0xfe     ; allow port 0x80
    mov ax, TSS_SEL
    ltr ax
    ; the V86 code below 1 MiB
    mov esi, v86_blob
    mov edi, V86_SEG * 16
    mov ecx, v86_end - v86_blob
    rep movsb
    mov word [V86_SEG * 16 + 0x100], 0

    mov esp, kstack_top
    push dword 0                        ; GS
    push dword 0                        ; FS
    push dword V86_SEG                  ; DS
    push dword V86_SEG                  ; ES
    push dword V86_SS                   ; SS
    push dword 0x1000                   ; ESP
    push dword 0x20002                  ; EFLAGS: VM, IOPL 0, IF 0
    push dword V86_SEG                  ; CS
    push dword 0                        ; EIP
    iret

; #GP monitor: [esp] saved EAX, +4 error code, +8 EIP, +12 CS, +16 EFLAGS, +20 ESP, +24 SS,
; +28 ES, +32 DS
gp_monitor:
    push eax
    push ebx
    mov ax, KDATA
    mov ds, ax
    mov ebx, [gp_count]
    cmp ebx, 3
    jae unexpected
    mov eax, [esp + 12]
    mov [gp_ip + ebx * 4], eax
    mov eax, [esp + 20]
    mov [gp_flags + ebx * 4], eax
    mov eax, [esp + 8]
    mov [gp_err + ebx * 4], eax
    inc dword [gp_count]
    cmp ebx, 2
    je v86_done
    mov eax, [gp_skip + ebx * 4]
    add [esp + 12], eax
    pop ebx
    pop eax
    add esp, 4
    iret

v86_done:
    mov ax, KDATA
    mov es, ax
    movzx eax, word [V86_SEG * 16 + 0x100]
    CHECK_EQ eax, 0x1234, "V86 store through DS"
    CHECK_EQ dword [gp_count], 3, "number of #GP traps"
    CHECK_EQ dword [gp_ip], v86_cli - v86_blob, "IP of the trapping CLI"
    CHECK_EQ dword [gp_ip + 4], v86_in - v86_blob, "IP of the denied IN"
    CHECK_EQ dword [gp_ip + 8], v86_int - v86_blob, "IP of the trapping INT"
    mov eax, [gp_flags]
    and eax, 0x20000
    CHECK_EQ eax, 0x20000, "VM in the saved EFLAGS"
    CHECK_EQ dword [gp_err], 0, "#GP error code"
    CHECK_EQ dword [esp + 16], V86_SEG, "V86 CS in the frame"
    CHECK_EQ dword [esp + 36], V86_SEG, "V86 DS in the frame"
    jmp guest_pass

unexpected:
    mov ax, KDATA
    mov ds, ax
    mov esi, s_fault
    jmp guest_fail

bits 16
v86_blob:
    mov al, 0x5a
    out 0x80, al                        ; allowed by the bitmap
    mov ax, 0x1234
    mov [0x100], ax
v86_cli:
    cli
v86_in:
    in al, 0x81                         ; denied by the bitmap
v86_int:
    int 0x21
    jmp $
v86_end:
bits 32
