/*
 * hw/uart16550.c — a 16550A UART (COM1 at 0x3f8, IRQ 4).
 *
 * Registers (offset, with LCR.DLAB): 0 RBR/THR (DLL), 1 IER (DLM), 2 IIR/FCR, 3 LCR, 4 MCR,
 * 5 LSR, 6 MSR, 7 SCR. Transmission is instantaneous, so THRE and TEMT are always set and a
 * THR write immediately makes the "THR empty" interrupt pending again. Receive data comes
 * from stdin (with -serial stdio) into a 16-byte FIFO (1 byte deep with FIFOs off); MCR
 * loopback routes THR to the receiver and MCR's outputs to MSR's inputs, as on the chip.
 * With nothing in loopback, MSR shows a connected line (DCD, DSR, CTS), as QEMU does.
 *
 * The IRQ output follows IIR; like QEMU (and unlike a PC's wiring) it is not gated by
 * MCR.OUT2, so guests written against QEMU behave the same.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define RX_FIFO_SIZE 16

#define IER_RDI  0x01   /* received data available */
#define IER_THRI 0x02   /* THR empty */
#define IER_RLSI 0x04   /* receiver line status */
#define IER_MSI  0x08   /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_FIFO   0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

/* Poll stdin from register reads at most this often (a guest polling LSR reads it millions
 * of times a second; each poll is a system call). */
#define INPUT_POLL_NS 1000000ull

typedef struct UartState {
    uint8_t rx_fifo[RX_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_errors;         /* OE: sticky until LSR is read */
    uint8_t msr_lines;          /* MSR bits 4-7 as last reported */
    uint8_t msr_delta;          /* MSR bits 0-3 */
    uint8_t thr_ipending;       /* "THR empty" interrupt pending */
    uint8_t irq_out;            /* level driven on the IRQ line */
} UartState;

static const StateField uart_fields[] = {
    STATE_FIELD(UartState, rx_fifo, 1),
    STATE_FIELD(UartState, rx_head, 1),
    STATE_FIELD(UartState, rx_count, 1),
    STATE_FIELD(UartState, ier, 1),
    STATE_FIELD(UartState, fcr, 1),
    STATE_FIELD(UartState, lcr, 1),
    STATE_FIELD(UartState, mcr, 1),
    STATE_FIELD(UartState, scr, 1),
    STATE_FIELD(UartState, dll, 1),
    STATE_FIELD(UartState, dlm, 1),
    STATE_FIELD(UartState, lsr_errors, 1),
    STATE_FIELD(UartState, msr_lines, 1),
    STATE_FIELD(UartState, msr_delta, 1),
    STATE_FIELD(UartState, thr_ipending, 1),
    STATE_FIELD(UartState, irq_out, 1),
    STATE_END
};

/* Host side: the sink and input wiring (not guest state). */
typedef struct Uart {
    UartState s;                /* first: DeviceOps hands us &s */
    FILE *out;
    bool stdin_input;
    int irq;
    uint64_t last_input_poll;
    unsigned idle_lsr_reads;    /* LSR reads since the last THR write */
    bool out_unflushed;
} Uart;

static unsigned rx_capacity(const UartState *s)
{
    return (s->fcr & FCR_ENABLE) ? RX_FIFO_SIZE : 1;
}

static void rx_push(UartState *s, uint8_t byte)
{
    if (s->rx_count >= rx_capacity(s)) {
        s->lsr_errors |= LSR_OE;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % RX_FIFO_SIZE] = byte;
    s->rx_count++;
}

static uint8_t rx_pop(UartState *s)
{
    if (s->rx_count == 0) return 0;
    uint8_t b = s->rx_fifo[s->rx_head];
    s->rx_head = (uint8_t)((s->rx_head + 1) % RX_FIFO_SIZE);
    s->rx_count--;
    return b;
}

static void rx_clear(UartState *s)
{
    s->rx_head = s->rx_count = 0;
}

static uint8_t iir_value(const UartState *s)
{
    uint8_t id;
    if ((s->ier & IER_RLSI) && s->lsr_errors) {
        id = IIR_RLSI;
    } else if ((s->ier & IER_RDI) && s->rx_count) {
        id = IIR_RDI;
    } else if ((s->ier & IER_THRI) && s->thr_ipending) {
        id = IIR_THRI;
    } else if ((s->ier & IER_MSI) && s->msr_delta) {
        id = IIR_MSI;
    } else {
        id = IIR_NO_INT;
    }
    return id | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static void update_irq(Uart *u)
{
    uint8_t level = !(iir_value(&u->s) & IIR_NO_INT);
    if (level != u->s.irq_out) {
        u->s.irq_out = level;
        irq_set(u->irq, level);
    }
}

/* MSR inputs: in loopback they are MCR's outputs, otherwise a connected line. */
static uint8_t msr_inputs(const UartState *s)
{
    if (!(s->mcr & MCR_LOOP)) return MSR_DCD | MSR_DSR | MSR_CTS;
    return (uint8_t)(((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                     ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

static void update_msr(UartState *s)
{
    uint8_t now = msr_inputs(s), changed = now ^ s->msr_lines;
    if (changed & MSR_CTS) s->msr_delta |= MSR_DCTS;
    if (changed & MSR_DSR) s->msr_delta |= MSR_DDSR;
    if (changed & MSR_DCD) s->msr_delta |= MSR_DDCD;
    if ((s->msr_lines & MSR_RI) && !(now & MSR_RI)) s->msr_delta |= MSR_TERI;
    s->msr_lines = now;
}

static void pull_input(Uart *u)
{
    if (!u->stdin_input || (u->s.mcr & MCR_LOOP)) return;
    unsigned room = rx_capacity(&u->s) - u->s.rx_count;
    if (room == 0) return;
    uint8_t buf[RX_FIFO_SIZE];
    size_t n = charsink_input_read(buf, room);
    for (size_t i = 0; i < n; i++) rx_push(&u->s, buf[i]);
}

static void poll_input_rate_limited(Uart *u)
{
    if (!u->stdin_input || u->s.rx_count) return;
    uint64_t now = clock_now_ns();
    if (now - u->last_input_poll < INPUT_POLL_NS) return;
    u->last_input_poll = now;
    pull_input(u);
}

static void flush_output(Uart *u)
{
    if (u->out_unflushed) {
        fflush(u->out);
        u->out_unflushed = false;
    }
}

static void transmit(Uart *u, uint8_t byte)
{
    if (u->s.mcr & MCR_LOOP) {
        rx_push(&u->s, byte);
    } else if (u->out) {
        fputc(byte, u->out);
        u->out_unflushed = byte != '\n';
    }
    u->s.thr_ipending = 1;
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    Uart *u = opaque;
    UartState *s = &u->s;
    uint8_t v;
    bool dlab = s->lcr & LCR_DLAB;
    if (offset != 5) u->idle_lsr_reads = 0;
    switch (offset) {
    case 0:
        if (dlab) {
            v = s->dll;
        } else {
            v = rx_pop(s);
            if (!s->rx_count) pull_input(u);
        }
        break;
    case 1:
        v = dlab ? s->dlm : s->ier;
        break;
    case 2:
        poll_input_rate_limited(u);
        v = iir_value(s);
        /* reading IIR acknowledges a THR-empty interrupt it reports */
        if ((v & 0x0f) == IIR_THRI) s->thr_ipending = 0;
        break;
    case 3:
        v = s->lcr;
        break;
    case 4:
        v = s->mcr;
        break;
    case 5:
        poll_input_rate_limited(u);
        v = LSR_THRE | LSR_TEMT | s->lsr_errors | (s->rx_count ? LSR_DR : 0);
        s->lsr_errors = 0;
        /* Two LSR reads without output in between: the guest waits for input, so whatever
         * prompt it printed without a newline must be visible now. */
        if (++u->idle_lsr_reads >= 2) flush_output(u);
        break;
    case 6:
        update_msr(s);
        v = s->msr_lines | s->msr_delta;
        s->msr_delta = 0;
        break;
    default:
        v = s->scr;
        break;
    }
    update_irq(u);
    return v;
}

static void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Uart *u = opaque;
    UartState *s = &u->s;
    uint8_t v = (uint8_t)value;
    bool dlab = s->lcr & LCR_DLAB;
    switch (offset) {
    case 0:
        if (dlab) {
            s->dll = v;
        } else {
            u->idle_lsr_reads = 0;
            transmit(u, v);
        }
        break;
    case 1:
        if (dlab) {
            s->dlm = v;
        } else {
            /* enabling the THR-empty interrupt while THR is empty raises it at once */
            if ((v & IER_THRI) && !(s->ier & IER_THRI)) s->thr_ipending = 1;
            s->ier = v & 0x0f;
        }
        break;
    case 2:
        if ((v ^ s->fcr) & FCR_ENABLE) rx_clear(s);   /* switching FIFO mode empties it */
        if (v & FCR_CLEAR_RX) rx_clear(s);
        s->fcr = v & (FCR_ENABLE | 0xc0);              /* enable and trigger level persist */
        break;
    case 3:
        s->lcr = v;
        break;
    case 4:
        s->mcr = v & 0x1f;
        update_msr(s);
        break;
    case 5:             /* LSR: factory test only */
        break;
    case 6:             /* MSR: read-only */
        break;
    default:
        s->scr = v;
        break;
    }
    update_irq(u);
}

static const MemOps uart_ops = { uart_read, uart_write };

static void uart_reset(void *state)
{
    Uart *u = state;    /* state is the first member */
    UartState *s = &u->s;
    memset(s, 0, sizeof(*s));
    s->dll = 0x0c;      /* 9600 baud */
    s->msr_lines = msr_inputs(s);
    update_irq(u);
}

static void uart_tick(void *state, uint64_t now_ns)
{
    Uart *u = state;
    flush_output(u);
    pull_input(u);
    update_irq(u);
}

static const DeviceOps uart_device = {
    .name = "uart16550",
    .version = 1,
    .fields = uart_fields,
    .reset = uart_reset,
    .tick = uart_tick,
};

bool uart16550_create(Machine *m, uint16_t iobase, int irq, const CharSink *sink)
{
    Uart *u = calloc(1, sizeof(*u));
    if (!u) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    u->irq = irq;
    u->out = charsink_open(sink);
    if (!u->out) {
        free(u);
        return false;
    }
    if (sink->kind == SERIAL_STDIO) {
        u->stdin_input = true;
        charsink_input_start();
        charsink_input_attach(m);
    }
    if (!port_register(iobase, 8, &uart_ops, u)) {
        fprintf(stderr, "ferry: serial port 0x%x: ports already in use\n", iobase);
        free(u);
        return false;
    }
    machine_add_device(m, &uart_device, &u->s);
    return true;
}
