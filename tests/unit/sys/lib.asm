; library mode flat32: cpuid, msr, ud2
bits 32
org 0x4000
    mov ecx, 0xC0000103
    mov eax, 0x1234
    xor edx, edx
    wrmsr
    xor eax, eax
    rdmsr
    mov esi, eax
    xor eax, eax
    cpuid
    mov edi, ebx
    mov ecx, 0x12345     ; unknown MSR -> #GP
    rdmsr
    ud2
