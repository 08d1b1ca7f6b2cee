/*
 * tests/diff/native_stub.S — enter a generated sequence with every register and flag
 * taken from the control block, and save them all back when the sequence falls into its
 * exit stub. All state goes through absolute addresses in the control block, so no
 * register is needed to reach it (mov to/from memory does not touch flags).
 *
 * 32-bit sequences run in compatibility mode from this 64-bit process: DS/ES get the
 * flat 32-bit user data selector (a null DS faults outside 64-bit mode), and a far jump
 * through CTRL_FAR_ENTRY32 switches to the 32-bit user code selector 0x23. The sequence's
 * exit stub far-jumps back to 0x33 (the trampoline in the control block), which reaches
 * diff_native_exit like the 64-bit stub does.
 */
#include "native_ctrl.h"

#define C(off) (CTRL_ADDR + (off))
#define IN(n)  C(CTRL_IN_REGS + 8 * (n))
#define OUT(n) C(CTRL_OUT_REGS + 8 * (n))

        .text

.macro load_state_and_go far
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, C(CTRL_HOST_RSP)
.if \far
        mov $0x2b, %eax
        mov %eax, %ds
        mov %eax, %es
.endif
        pushq C(CTRL_IN_FLAGS)
        popfq
        mov IN(0), %rax
        mov IN(1), %rcx
        mov IN(2), %rdx
        mov IN(3), %rbx
        mov IN(5), %rbp
        mov IN(6), %rsi
        mov IN(7), %rdi
        mov IN(8), %r8
        mov IN(9), %r9
        mov IN(10), %r10
        mov IN(11), %r11
        mov IN(12), %r12
        mov IN(13), %r13
        mov IN(14), %r14
        mov IN(15), %r15
        mov IN(4), %rsp
.if \far
        ljmpl *C(CTRL_FAR_ENTRY32)
.else
        jmp *C(CTRL_ENTRY64)
.endif
.endm

/* void diff_native_enter64(void), void diff_native_enter32(void): return through
 * diff_native_exit once the sequence ends (a fault leaves through the signal handler). */
        .globl diff_native_enter64
        .type diff_native_enter64, @function
diff_native_enter64:
        load_state_and_go 0
        .size diff_native_enter64, . - diff_native_enter64

        .globl diff_native_enter32
        .type diff_native_enter32, @function
diff_native_enter32:
        load_state_and_go 1
        .size diff_native_enter32, . - diff_native_enter32

        .globl diff_native_exit
        .type diff_native_exit, @function
diff_native_exit:
        mov %rax, OUT(0)
        mov %rcx, OUT(1)
        mov %rdx, OUT(2)
        mov %rbx, OUT(3)
        mov %rsp, OUT(4)
        mov %rbp, OUT(5)
        mov %rsi, OUT(6)
        mov %rdi, OUT(7)
        mov %r8, OUT(8)
        mov %r9, OUT(9)
        mov %r10, OUT(10)
        mov %r11, OUT(11)
        mov %r12, OUT(12)
        mov %r13, OUT(13)
        mov %r14, OUT(14)
        mov %r15, OUT(15)
        mov C(CTRL_HOST_RSP), %rsp
        pushfq
        popq C(CTRL_OUT_FLAGS)
        cld                     /* the C ABI wants DF clear */
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        ret
        .size diff_native_exit, . - diff_native_exit

        .section .note.GNU-stack, "", @progbits
