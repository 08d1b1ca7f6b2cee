/*
 * hw/i8042.c — the 8042 keyboard controller (data port 0x60, status/command port 0x64)
 * with a PS/2 keyboard on its first port and a PS/2 mouse on the AUX port.
 *
 * Bytes for the CPU wait in one output queue, each tagged with the port it came from (the
 * status register's AUX bit); the head is the output buffer. IRQ 1 / IRQ 12 follow a full
 * output buffer from that port when the command byte enables them, and drop while the CPU
 * reads, so the next byte makes a fresh edge. The output port's bit 1 is the A20 gate and
 * bit 0 the CPU reset line (active low), also pulsed by command 0xFE.
 *
 * Keys arrive as scancode set 2 bytes (i8042_key_event); with the command byte's translate
 * bit the controller hands out set 1, as the chip's translation table does for the keys a
 * PC keyboard has (other bytes pass unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define KBD_IRQ 1
#define AUX_IRQ 12
#define QUEUE_SIZE 32

#define STAT_OBF      0x01
#define STAT_SYS      0x04
#define STAT_CMD      0x08      /* last write went to port 0x64 */
#define STAT_UNLOCKED 0x10
#define STAT_AUX_OBF  0x20

#define CB_KBD_INT    0x01
#define CB_AUX_INT    0x02
#define CB_SYS        0x04
#define CB_KBD_OFF    0x10
#define CB_AUX_OFF    0x20
#define CB_TRANSLATE  0x40

#define OUT_RESET     0x01      /* active low */
#define OUT_A20       0x02

#define ACK 0xfa
#define RESEND 0xfe
#define SELF_TEST_OK 0xaa
#define CTRL_TEST_OK 0x55
#define SET2_BREAK 0xf0

/* controller commands that take a data byte, and keyboard/mouse commands with an argument */
enum { CTRL_NONE, CTRL_WRITE_CB = 0x60, CTRL_WRITE_OUT = 0xd1, CTRL_KBD_OBUF = 0xd2,
       CTRL_AUX_OBUF = 0xd3, CTRL_TO_AUX = 0xd4 };

typedef struct I8042State {
    uint8_t queue[QUEUE_SIZE];
    uint8_t queue_aux[QUEUE_SIZE];  /* 1 where the byte came from the AUX port */
    uint8_t head, count;
    uint8_t last_data;              /* what port 0x60 reads with nothing new */
    uint8_t command_byte;
    uint8_t status_flags;           /* STAT_SYS | STAT_CMD */
    uint8_t output_port;
    uint8_t pending_ctrl;           /* controller command awaiting its data byte */
    uint8_t pending_kbd;            /* keyboard command awaiting its argument */
    uint8_t pending_aux;            /* mouse command awaiting its argument */
    uint8_t kbd_scanning;
    uint8_t kbd_set;                /* scancode set 1-3 */
    uint8_t kbd_leds, kbd_typematic;
    uint8_t break_pending;          /* set 2 0xF0 seen: the next code is a release */
    uint8_t aux_status;             /* mode bits of the status request: enabled 0x20 ... */
    uint8_t aux_resolution, aux_rate;
    uint8_t irq_kbd, irq_aux;       /* levels driven */
} I8042State;

static const StateField i8042_fields[] = {
    STATE_FIELD(I8042State, queue, 1),
    STATE_FIELD(I8042State, queue_aux, 1),
    STATE_FIELD(I8042State, head, 1),
    STATE_FIELD(I8042State, count, 1),
    STATE_FIELD(I8042State, last_data, 1),
    STATE_FIELD(I8042State, command_byte, 1),
    STATE_FIELD(I8042State, status_flags, 1),
    STATE_FIELD(I8042State, output_port, 1),
    STATE_FIELD(I8042State, pending_ctrl, 1),
    STATE_FIELD(I8042State, pending_kbd, 1),
    STATE_FIELD(I8042State, pending_aux, 1),
    STATE_FIELD(I8042State, kbd_scanning, 1),
    STATE_FIELD(I8042State, kbd_set, 1),
    STATE_FIELD(I8042State, kbd_leds, 1),
    STATE_FIELD(I8042State, kbd_typematic, 1),
    STATE_FIELD(I8042State, break_pending, 1),
    STATE_FIELD(I8042State, aux_status, 1),
    STATE_FIELD(I8042State, aux_resolution, 1),
    STATE_FIELD(I8042State, aux_rate, 1),
    STATE_FIELD(I8042State, irq_kbd, 1),
    STATE_FIELD(I8042State, irq_aux, 1),
    STATE_END
};

typedef struct I8042 {
    I8042State s;               /* first: DeviceOps hands us &s */
    Machine *machine;
} I8042;

static I8042 *kbc;              /* for i8042_key_event */

#define AUX_STATUS_ENABLED 0x20
#define AUX_ID 0x00             /* a standard PS/2 mouse */

/* Set 2 -> set 1 for the keys of a PC keyboard (0 = pass unchanged). */
static const uint8_t set2_to_set1[0x84] = {
    [0x01] = 0x43, [0x03] = 0x3f, [0x04] = 0x3d, [0x05] = 0x3b, [0x06] = 0x3c, [0x07] = 0x58,
    [0x09] = 0x44, [0x0a] = 0x42, [0x0b] = 0x40, [0x0c] = 0x3e, [0x0d] = 0x0f, [0x0e] = 0x29,
    [0x11] = 0x38, [0x12] = 0x2a, [0x14] = 0x1d, [0x15] = 0x10, [0x16] = 0x02, [0x1a] = 0x2c,
    [0x1b] = 0x1f, [0x1c] = 0x1e, [0x1d] = 0x11, [0x1e] = 0x03, [0x21] = 0x2e, [0x22] = 0x2d,
    [0x23] = 0x20, [0x24] = 0x12, [0x25] = 0x05, [0x26] = 0x04, [0x29] = 0x39, [0x2a] = 0x2f,
    [0x2b] = 0x21, [0x2c] = 0x14, [0x2d] = 0x13, [0x2e] = 0x06, [0x31] = 0x31, [0x32] = 0x30,
    [0x33] = 0x23, [0x34] = 0x22, [0x35] = 0x15, [0x36] = 0x07, [0x3a] = 0x32, [0x3b] = 0x24,
    [0x3c] = 0x16, [0x3d] = 0x08, [0x3e] = 0x09, [0x41] = 0x33, [0x42] = 0x25, [0x43] = 0x17,
    [0x44] = 0x18, [0x45] = 0x0b, [0x46] = 0x0a, [0x49] = 0x34, [0x4a] = 0x35, [0x4b] = 0x26,
    [0x4c] = 0x27, [0x4d] = 0x19, [0x4e] = 0x0c, [0x52] = 0x28, [0x54] = 0x1a, [0x55] = 0x0d,
    [0x58] = 0x3a, [0x59] = 0x36, [0x5a] = 0x1c, [0x5b] = 0x1b, [0x5d] = 0x2b, [0x61] = 0x56,
    [0x66] = 0x0e, [0x69] = 0x4f, [0x6b] = 0x4b, [0x6c] = 0x47, [0x70] = 0x52, [0x71] = 0x53,
    [0x72] = 0x50, [0x73] = 0x4c, [0x74] = 0x4d, [0x75] = 0x48, [0x76] = 0x01, [0x77] = 0x45,
    [0x78] = 0x57, [0x79] = 0x4e, [0x7a] = 0x51, [0x7b] = 0x4a, [0x7c] = 0x37, [0x7d] = 0x49,
    [0x7e] = 0x46, [0x83] = 0x41,
};

static void update_irq(I8042State *s)
{
    bool full = s->count != 0, aux = full && s->queue_aux[s->head];
    uint8_t kbd_level = full && !aux && (s->command_byte & CB_KBD_INT);
    uint8_t aux_level = full && aux && (s->command_byte & CB_AUX_INT);
    if (kbd_level != s->irq_kbd) irq_set(KBD_IRQ, s->irq_kbd = kbd_level);
    if (aux_level != s->irq_aux) irq_set(AUX_IRQ, s->irq_aux = aux_level);
}

static void push(I8042State *s, uint8_t byte, bool aux)
{
    if (s->count == QUEUE_SIZE) return;     /* the devices' own buffers overflow: dropped */
    int tail = (s->head + s->count) % QUEUE_SIZE;
    s->queue[tail] = byte;
    s->queue_aux[tail] = aux;
    s->count++;
    update_irq(s);
}

static void push_kbd(I8042State *s, uint8_t byte)
{
    push(s, byte, false);
}

static void push_aux(I8042State *s, uint8_t byte)
{
    push(s, byte, true);
}

static void keyboard_defaults(I8042State *s)
{
    s->kbd_set = 2;
    s->kbd_typematic = 0x2b;    /* 10.9 characters/s after 500 ms */
    s->break_pending = 0;
}

static void keyboard_arg(I8042State *s, uint8_t cmd, uint8_t v)
{
    switch (cmd) {
    case 0xed: s->kbd_leds = v & 7; break;
    case 0xf3: s->kbd_typematic = v & 0x7f; break;
    case 0xf0:
        if (v == 0) {
            push_kbd(s, ACK);
            push_kbd(s, s->kbd_set);
            return;
        }
        if (v > 3) {
            push_kbd(s, RESEND);
            return;
        }
        s->kbd_set = v;
        break;
    default: break;
    }
    push_kbd(s, ACK);
}

static void keyboard_command(I8042State *s, uint8_t v)
{
    if (s->pending_kbd) {
        uint8_t cmd = s->pending_kbd;
        s->pending_kbd = 0;
        keyboard_arg(s, cmd, v);
        return;
    }
    switch (v) {
    case 0xed: case 0xf0: case 0xf3:
        s->pending_kbd = v;
        push_kbd(s, ACK);
        break;
    case 0xee:
        push_kbd(s, 0xee);      /* echo */
        break;
    case 0xf2:                  /* identify: MF2 keyboard (translated id with translation) */
        push_kbd(s, ACK);
        push_kbd(s, 0xab);
        push_kbd(s, (s->command_byte & CB_TRANSLATE) ? 0x41 : 0x83);
        break;
    case 0xf4: s->kbd_scanning = 1; push_kbd(s, ACK); break;
    case 0xf5: s->kbd_scanning = 0; keyboard_defaults(s); push_kbd(s, ACK); break;
    case 0xf6: s->kbd_scanning = 1; keyboard_defaults(s); push_kbd(s, ACK); break;
    case 0xff:
        keyboard_defaults(s);
        s->kbd_scanning = 1;
        push_kbd(s, ACK);
        push_kbd(s, SELF_TEST_OK);
        break;
    default:
        /* 0xf7-0xfd (set 3 key types) are acknowledged; anything else asks to resend */
        push_kbd(s, v >= 0xf7 && v <= 0xfd ? ACK : RESEND);
        break;
    }
}

static void aux_defaults(I8042State *s)
{
    s->aux_status = 0;
    s->aux_resolution = 2;
    s->aux_rate = 100;
}

static void aux_command(I8042State *s, uint8_t v)
{
    if (s->pending_aux) {
        if (s->pending_aux == 0xe8) s->aux_resolution = v & 3;
        else s->aux_rate = v;
        s->pending_aux = 0;
        push_aux(s, ACK);
        return;
    }
    switch (v) {
    case 0xe8: case 0xf3:
        s->pending_aux = v;
        push_aux(s, ACK);
        break;
    case 0xe6: s->aux_status &= ~0x10; push_aux(s, ACK); break;     /* scaling 1:1 */
    case 0xe7: s->aux_status |= 0x10; push_aux(s, ACK); break;      /* scaling 2:1 */
    case 0xe9:                                                       /* status request */
        push_aux(s, ACK);
        push_aux(s, s->aux_status);
        push_aux(s, s->aux_resolution);
        push_aux(s, s->aux_rate);
        break;
    case 0xeb:                                                       /* read data: no motion */
        push_aux(s, ACK);
        push_aux(s, 0x08);
        push_aux(s, 0);
        push_aux(s, 0);
        break;
    case 0xf2: push_aux(s, ACK); push_aux(s, AUX_ID); break;
    case 0xf4: s->aux_status |= AUX_STATUS_ENABLED; push_aux(s, ACK); break;
    case 0xf5: s->aux_status &= ~AUX_STATUS_ENABLED; push_aux(s, ACK); break;
    case 0xf6: aux_defaults(s); push_aux(s, ACK); break;
    case 0xff:
        aux_defaults(s);
        push_aux(s, ACK);
        push_aux(s, SELF_TEST_OK);
        push_aux(s, AUX_ID);
        break;
    case 0xea: case 0xec: case 0xee: case 0xf0:    /* stream, wrap, remote modes */
        push_aux(s, ACK);
        break;
    default:
        push_aux(s, RESEND);
        break;
    }
}

static void write_output_port(I8042 *k, uint8_t v)
{
    k->s.output_port = v;
    phys_set_a20(v & OUT_A20);
    if (!(v & OUT_RESET)) machine_request_reset(k->machine);
}

static void controller_data(I8042 *k, uint8_t cmd, uint8_t v)
{
    I8042State *s = &k->s;
    switch (cmd) {
    case CTRL_WRITE_CB:
        s->command_byte = v;
        s->status_flags = (uint8_t)((s->status_flags & ~STAT_SYS) | (v & CB_SYS));
        update_irq(s);
        break;
    case CTRL_WRITE_OUT: write_output_port(k, v); break;
    case CTRL_KBD_OBUF: push_kbd(s, v); break;
    case CTRL_AUX_OBUF: push_aux(s, v); break;
    default: aux_command(s, v); break;            /* CTRL_TO_AUX */
    }
}

static void controller_command(I8042 *k, uint8_t v)
{
    I8042State *s = &k->s;
    switch (v) {
    case 0x20: push_kbd(s, s->command_byte); break;
    case CTRL_WRITE_CB: case CTRL_WRITE_OUT: case CTRL_KBD_OBUF: case CTRL_AUX_OBUF:
    case CTRL_TO_AUX:
        s->pending_ctrl = v;
        break;
    case 0xa7: s->command_byte |= CB_AUX_OFF; break;
    case 0xa8: s->command_byte &= ~CB_AUX_OFF; break;
    case 0xa9: push_kbd(s, 0x00); break;          /* AUX interface test: no error */
    case 0xaa:
        s->status_flags |= STAT_SYS;
        push_kbd(s, CTRL_TEST_OK);
        break;
    case 0xab: push_kbd(s, 0x00); break;          /* keyboard interface test */
    case 0xad: s->command_byte |= CB_KBD_OFF; break;
    case 0xae: s->command_byte &= ~CB_KBD_OFF; break;
    case 0xc0: push_kbd(s, 0x00); break;          /* input port */
    case 0xd0: push_kbd(s, s->output_port); break;
    case 0xe0: push_kbd(s, 0x00); break;          /* test inputs */
    default:
        /* 0xf0-0xff pulse the output port bits that are 0 in the low nibble: bit 0 resets */
        if (v >= 0xf0 && !(v & 1)) machine_request_reset(k->machine);
        break;
    }
}

static uint64_t status_read(void *opaque, uint64_t offset, unsigned size)
{
    I8042State *s = &((I8042 *)opaque)->s;
    uint8_t st = s->status_flags | STAT_UNLOCKED;
    if (s->count) st |= STAT_OBF | (s->queue_aux[s->head] ? STAT_AUX_OBF : 0);
    return st;
}

static void command_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8042 *k = opaque;
    k->s.status_flags |= STAT_CMD;
    k->s.pending_ctrl = CTRL_NONE;
    controller_command(k, (uint8_t)value);
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
    I8042State *s = &((I8042 *)opaque)->s;
    if (s->count) {
        s->last_data = s->queue[s->head];
        s->head = (uint8_t)((s->head + 1) % QUEUE_SIZE);
        s->count--;
        /* the line drops while the buffer is empty, so the next byte is a new edge */
        if (s->irq_kbd) irq_set(KBD_IRQ, s->irq_kbd = 0);
        if (s->irq_aux) irq_set(AUX_IRQ, s->irq_aux = 0);
        update_irq(s);
    }
    return s->last_data;
}

static void data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8042 *k = opaque;
    I8042State *s = &k->s;
    uint8_t v = (uint8_t)value;
    s->status_flags &= ~STAT_CMD;
    if (s->pending_ctrl != CTRL_NONE) {
        uint8_t cmd = s->pending_ctrl;
        s->pending_ctrl = CTRL_NONE;
        controller_data(k, cmd, v);
    } else {
        s->command_byte &= ~CB_KBD_OFF;   /* writing to the keyboard enables its port */
        keyboard_command(s, v);
    }
}

void i8042_key_event(uint8_t set2_byte)
{
    if (!kbc) return;
    I8042State *s = &kbc->s;
    if (!s->kbd_scanning || (s->command_byte & CB_KBD_OFF)) return;
    if (!(s->command_byte & CB_TRANSLATE)) {
        push_kbd(s, set2_byte);
        return;
    }
    if (set2_byte == SET2_BREAK) {
        s->break_pending = 1;
        return;
    }
    uint8_t code = set2_byte < sizeof(set2_to_set1) && set2_to_set1[set2_byte]
                   ? set2_to_set1[set2_byte] : set2_byte;
    if (s->break_pending) code |= 0x80;
    s->break_pending = 0;
    push_kbd(s, code);
}

static int clamp_motion(int v)
{
    return v < -255 ? -255 : v > 255 ? 255 : v;
}

void i8042_mouse_event(int dx, int dy, unsigned buttons)
{
    if (!kbc) return;
    I8042State *s = &kbc->s;
    if (!(s->aux_status & AUX_STATUS_ENABLED) || (s->command_byte & CB_AUX_OFF)) return;
    if (s->count > QUEUE_SIZE - 3) return;     /* never a partial packet: it desynchronises */
    dx = clamp_motion(dx);
    dy = clamp_motion(dy);
    push_aux(s, (uint8_t)(0x08 | (buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0)));
    push_aux(s, (uint8_t)dx);
    push_aux(s, (uint8_t)dy);
}

static const MemOps data_ops = { data_read, data_write };
static const MemOps command_ops = { status_read, command_write };

static void i8042_reset(void *state)
{
    I8042 *k = state;
    I8042State *s = &k->s;
    memset(s, 0, sizeof(*s));
    /* as firmware leaves it: translation, keyboard interrupt, self-test passed */
    s->command_byte = CB_TRANSLATE | CB_SYS | CB_KBD_INT;
    s->status_flags = STAT_SYS;
    s->output_port = OUT_RESET | OUT_A20;
    s->kbd_scanning = 1;
    keyboard_defaults(s);
    aux_defaults(s);
    irq_set(KBD_IRQ, 0);
    irq_set(AUX_IRQ, 0);
}

static const DeviceOps i8042_device = {
    .name = "i8042",
    .version = 1,
    .fields = i8042_fields,
    .reset = i8042_reset,
};

bool i8042_create(Machine *m)
{
    I8042 *k = calloc(1, sizeof(*k));
    if (!k) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    k->machine = m;
    if (!port_register(0x60, 1, &data_ops, k) || !port_register(0x64, 1, &command_ops, k)) {
        fprintf(stderr, "ferry: i8042: ports 0x60/0x64 already in use\n");
        free(k);
        return false;
    }
    kbc = k;
    machine_add_device(m, &i8042_device, &k->s);
    return true;
}
