/*
 * tests/singlestep/ss_modern.h — what a modern x86 (and so ferry) must show for one 80286
 * test: the recorded final state where the two CPUs agree, a computed state where the
 * README defines the modern behaviour, or "not comparable" with the reason.
 */
#ifndef SS_MODERN_H
#define SS_MODERN_H

#include "ss_data.h"

/* How the expectation was obtained; the summary counts tests per rule. */
typedef enum SSRule {
    SS_RULE_RECORDED,           /* the 286's final state, flags under flags_mask_modern */
    SS_RULE_LOCK_UD,            /* LOCK before a non-lockable instruction: #UD (vector 6) */
    SS_RULE_OVERRUN_SS,         /* word access at SS:0xFFFF: #SS (12) where the 286 gave 13 */
    SS_RULE_OVERRUN_GP,         /* the same through DS/ES/CS: #GP (13) as recorded */
    SS_RULE_X87_REGS,           /* ESC D8 without 287: registers and FLAGS only */
    SS_RULE_NC_LEN_GT_10,       /* not comparable from here on */
    SS_RULE_NC_FS_GS,
    SS_RULE_NC_WIDE_STRADDLE,
    SS_RULE_NC_OVERRUN_STRING,
    SS_RULE_NC_OVERRUN_UNKNOWN,
    SS_RULE_NC_LANDING,
    SS_NB_RULES
} SSRule;
#define SS_RULE_FIRST_NC SS_RULE_NC_LEN_GT_10
extern const char *const ss_rule_names[SS_NB_RULES];

typedef struct SSExpect {
    SSRule rule;
    bool compare_ram;           /* false: registers and FLAGS only */
    uint16_t regs[SS_NB_REGS];
    uint16_t flags_mask;        /* for FLAGS and for the pushed FLAGS word */
    uint32_t nb_ram;            /* bytes compared exactly (the FLAGS word excluded) */
    SSRamByte ram[SS_MAX_RAM + 8];
    bool has_flag_word;
    uint32_t flag_address;
    uint16_t flag_word;
} SSExpect;

void ss_expect_modern(const SSTest *t, SSExpect *e);

/* Linear address of the FLAGS word in the exception frame of a test with an exception. */
uint32_t ss_frame_flags_address(const SSTest *t);

#endif
