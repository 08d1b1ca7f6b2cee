; tests/pci/fw_cfg.asm — QEMU's fw_cfg on ports 0x510/0x511/0x514: the "QEMU" signature, the
; id (traditional interface), the file directory naming "etc/e820", whose RAM entries end
; exactly at the 64 MiB given with -m 64, and a DMA read of the signature (when the id
; advertises DMA) that completes with control 0.
%include "mb.inc"

FW_CFG_SEL  equ 0x510
FW_CFG_DATA equ 0x511
FW_CFG_DMA  equ 0x514
RAM_SIZE    equ 64 << 20

section .rodata
guest_name: db "fw_cfg", 0
msg_sig: db "signature", 0
msg_dir: db "file directory has etc/e820", 0
msg_e820: db "etc/e820 RAM ends at the -m size", 0
msg_dma: db "DMA read of the signature", 0
msg_nofile: db "no etc/e820 in the directory", 0
e820_name: db "etc/e820", 0, 0, 0, 0, 0, 0, 0, 0     ; 16 bytes: the name and NULs

section .bss
entry: resb 64
sig_buf: resd 1
alignb 16
dma_block: resb 16

section .text
; select item AX
fw_select:
    push edx
    mov dx, FW_CFG_SEL
    out dx, ax
    pop edx
    ret

; read ECX bytes of the selected item to EDI
fw_read:
    push eax
    push ecx
    push edx
    push edi
    mov dx, FW_CFG_DATA
.next:
    in al, dx
    stosb
    loop .next
    pop edi
    pop edx
    pop ecx
    pop eax
    ret

; EAX = a big-endian dword read from the selected item
fw_read_be32:
    push edi
    push ecx
    mov edi, sig_buf
    mov ecx, 4
    call fw_read
    mov eax, [sig_buf]
    bswap eax
    pop ecx
    pop edi
    ret

guest_main:
    mov ax, 0
    call fw_select
    mov edi, sig_buf
    mov ecx, 4
    call fw_read
    CHECK_EQ [sig_buf], 'QEMU', "signature"
    mov ax, 1
    call fw_select
    mov edi, sig_buf
    mov ecx, 4
    call fw_read
    mov ebp, [sig_buf]                  ; the id, for the DMA part
    mov eax, ebp
    and eax, 1
    CHECK_EQ eax, 1, "id bit 0 (traditional interface)"
    mov esi, msg_sig
    call report_ok

    ; the directory: be32 count, then 64-byte entries (be32 size, be16 key, be16, name[56])
    mov ax, 0x19
    call fw_select
    call fw_read_be32
    mov ebx, eax                        ; entries left
.entry:
    test ebx, ebx
    jz .missing
    dec ebx
    mov edi, entry
    mov ecx, 64
    call fw_read
    mov esi, entry + 8
    mov edi, e820_name
    mov ecx, 16
    repe cmpsb
    jne .entry
    mov esi, msg_dir
    call report_ok

    ; walk etc/e820: 20-byte entries le64 address, le64 length, le32 type
    mov ecx, [entry]
    bswap ecx                           ; size in bytes
    movzx eax, word [entry + 4]
    xchg al, ah                         ; key
    call fw_select
    mov eax, ecx
    xor edx, edx
    mov ecx, 20
    div ecx
    CHECK_EQ edx, 0, "etc/e820 size a multiple of 20"
    mov ebx, eax                        ; entries
    xor esi, esi                        ; highest end of RAM below 4 GiB
.e820:
    test ebx, ebx
    jz .e820_done
    dec ebx
    mov edi, entry
    mov ecx, 20
    call fw_read
    cmp dword [entry + 16], 1
    jne .e820
    cmp dword [entry + 4], 0            ; RAM above 4 GiB: none with -m 64
    jne .e820_high
    mov eax, [entry]
    add eax, [entry + 8]
    cmp eax, esi
    jbe .e820
    mov esi, eax
    jmp .e820
.e820_high:
    mov esi, 0xffffffff
.e820_done:
    CHECK_EQ esi, RAM_SIZE, "end of etc/e820 RAM"
    mov esi, msg_e820
    call report_ok

    ; DMA: select key 0 and read 4 bytes into sig_buf; the control word becomes 0
    test ebp, 2
    jz .done
    mov dword [sig_buf], 0
    mov dword [dma_block], 0x0a000000   ; be32: key 0 << 16 | SELECT | READ
    mov dword [dma_block + 4], 0x04000000   ; be32 length 4
    mov dword [dma_block + 8], 0        ; be64 address: high half
    mov eax, sig_buf
    bswap eax
    mov [dma_block + 12], eax
    mov dx, FW_CFG_DMA
    xor eax, eax
    out dx, eax
    mov eax, dma_block
    bswap eax
    add dx, 4
    out dx, eax
    CHECK_EQ [dma_block], 0, "DMA control after the transfer"
    CHECK_EQ [sig_buf], 'QEMU', "signature read by DMA"
    mov esi, msg_dma
    call report_ok
.done:
    jmp guest_pass

.missing:
    mov esi, msg_nofile
    jmp guest_fail
