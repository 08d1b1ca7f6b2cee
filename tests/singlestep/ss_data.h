/*
 * tests/singlestep/ss_data.h — one test of the SingleStepTests 80286 real-mode sample
 * (../shared/singlestep-80286, README there), read from its JSON line without a JSON
 * library: keys come in a fixed order and never repeat, so the parser walks the line key
 * by key.
 */
#ifndef SS_DATA_H
#define SS_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The 14 registers, in the order the data lists them. */
enum {
    SS_AX, SS_BX, SS_CX, SS_DX, SS_CS, SS_SS, SS_DS, SS_ES,
    SS_SP, SS_BP, SS_SI, SS_DI, SS_IP, SS_FLAGS, SS_NB_REGS
};
extern const char *const ss_reg_names[SS_NB_REGS];

/* modern_notes tags (README: "80286 vs a modern x86 in real mode"), one bit each. */
enum {
    SS_TAG_FLAGS_12_15, SS_TAG_LOCK_UD, SS_TAG_LEN_GT_10, SS_TAG_SEG_OVERRUN,
    SS_TAG_FS_GS, SS_TAG_X87, SS_TAG_SALC, SS_TAG_RTM, SS_NB_TAGS
};
extern const char *const ss_tag_names[SS_NB_TAGS];

/* Linear addresses in the data reach 0x10FFEF (no wrap at 1 MiB). */
#define SS_ADDR_LIMIT 0x110000u
#define SS_MAX_RAM 512          /* largest list in the sample: 260 */
#define SS_MAX_BYTES 24         /* instruction bytes incl. prefixes and the HLT */
#define SS_LINE_MAX (32 * 1024) /* longest line: about 7 KB */

typedef struct SSRamByte {
    uint32_t addr;
    uint8_t value;
} SSRamByte;

typedef struct SSState {
    uint16_t regs[SS_NB_REGS];
    uint32_t nb_ram;
    SSRamByte ram[SS_MAX_RAM];
} SSState;

typedef struct SSTest {
    char name[96];
    uint8_t bytes[SS_MAX_BYTES];
    uint32_t nb_bytes;
    uint16_t flags_mask_modern;
    uint32_t tags;              /* 1 << SS_TAG_* */
    SSState initial, final;
    bool has_exception;
    uint8_t exception_vector;
    uint32_t flag_address;      /* where the exception frame's FLAGS word was pushed */
} SSTest;

/* Parses one line into *t. On failure returns false with a reason in err. */
bool ss_parse_test(const char *line, SSTest *t, char *err, size_t err_len);

/* The byte at linear addr before the test ran: listed in initial.ram, else the fill every
 * harness here uses for unlisted memory (0xF4, HLT). */
#define SS_FILL_BYTE 0xF4
uint8_t ss_initial_byte(const SSTest *t, uint32_t addr);

/* One row of DIR/index.tsv: the form (file name without .json.gz) and its test count. */
typedef struct SSFile {
    char form[16];
    uint32_t nb_tests;
} SSFile;

/* Reads DIR/index.tsv into a malloc'ed array; returns the number of files, or -1 with a
 * message on stderr. */
int ss_read_index(const char *dir, SSFile **files);

/* Parses every test of DIR/FORM.json.gz in order and calls fn for it (index from 0); stops
 * early if fn returns false. Returns the number of tests read, or -1 with a message on
 * stderr (missing file, unparsable line). */
typedef bool (*SSTestFn)(const SSTest *t, uint32_t index, void *opaque);
long ss_for_each_test(const char *dir, const char *form, SSTestFn fn, void *opaque);

#endif
