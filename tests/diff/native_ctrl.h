/*
 * tests/diff/native_ctrl.h — layout of the native control block at DIFF_CTRL_BASE, shared
 * by native.c and native_stub.S. Everything the stubs touch is at a fixed absolute address
 * below 2 GiB, so they need no free register and 32-bit code can reach it too.
 */
#ifndef FERRY_DIFF_NATIVE_CTRL_H
#define FERRY_DIFF_NATIVE_CTRL_H

#define CTRL_ADDR        0x300000
#define CTRL_TRAMPOLINE  0x000   /* 64-bit code: jmp *[CTRL_EXIT_PTR] */
#define CTRL_EXIT_PTR    0x010   /* u64: diff_native_exit */
#define CTRL_FAR_ENTRY32 0x018   /* m16:32 -> 0x23:DIFF_CODE_BASE (compatibility mode) */
#define CTRL_FAR_EXIT32  0x020   /* m16:32 -> 0x33:CTRL_ADDR+CTRL_TRAMPOLINE */
#define CTRL_ENTRY64     0x028   /* u64: DIFF_CODE_BASE */
#define CTRL_HOST_RSP    0x030   /* u64: the harness's rsp while the sequence runs */
#define CTRL_IN_FLAGS    0x038   /* u64 */
#define CTRL_IN_REGS     0x040   /* u64[16] */
#define CTRL_OUT_REGS    0x0c0   /* u64[16] */
#define CTRL_OUT_FLAGS   0x140   /* u64 */

#endif
