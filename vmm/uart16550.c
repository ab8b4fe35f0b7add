/* The 16550A register model (include/vmm/uart16550.h); register and bit
 * definitions in include/drivers/uart16550_regs.h. */
#include "vmm/uart16550.h"

#include "lib/string.h"

/* The modem inputs outside loopback: a peer that is there and ready. */
#define MSR_PEER (MSR_DCD | MSR_DSR | MSR_CTS)

/* RX FIFO interrupt trigger levels by FCR bits 7:6 ("FIFO Control Register"). */
static const uint8_t rx_trigger_levels[] = { 1, 4, 8, 14 };

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & MCR_LOOP;
}

/* In 16450 mode the receiver holds a single character (RBR). */
static size_t rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART16550_FIFO_SIZE : 1;
}

static size_t rx_trigger(const struct uart16550 *u)
{
	return fifo_enabled(u) ? rx_trigger_levels[u->fcr >> FCR_TRIGGER_SHIFT] : 1;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->timeout_pending = false;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
	u->rx_count--;
	return byte;
}

/* A character reaches the receiver (from outside or looped back). When no
 * room is left it is an overrun: the FIFO keeps its contents and loses the
 * new character; a 16450 overwrites its RBR (LSR bit 1). */
static bool rx_push(struct uart16550 *u, uint8_t byte)
{
	size_t tail = (u->rx_head + u->rx_count) % UART16550_FIFO_SIZE;

	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!fifo_enabled(u))
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[tail] = byte;
	u->rx_count++;
	return true;
}

/* The four modem inputs: in loopback, wired to the four MCR outputs
 * (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD), else the peer's. */
static uint8_t modem_inputs(const struct uart16550 *u)
{
	uint8_t lines = 0;

	if (!loopback(u))
		return MSR_PEER;
	if (u->mcr & MCR_DTR)
		lines |= MSR_DSR;
	if (u->mcr & MCR_RTS)
		lines |= MSR_CTS;
	if (u->mcr & MCR_OUT1)
		lines |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		lines |= MSR_DCD;
	return lines;
}

/* Latch the inputs into MSR. DCTS, DDSR and DDCD note any change; TERI
 * only RI going from on to off (the trailing edge). */
static void modem_update(struct uart16550 *u)
{
	uint8_t old = u->msr & MSR_LINES, now = modem_inputs(u);
	uint8_t deltas = ((old ^ now) >> MSR_DELTA_SHIFT) & (MSR_DCTS | MSR_DDSR | MSR_DDCD);

	if ((old & MSR_RI) && !(now & MSR_RI))
		deltas |= MSR_TERI;
	u->msr = now | (u->msr & MSR_DELTAS) | deltas;
}

/* The highest-priority enabled interrupt, as IIR bits 3:0: receiver line
 * status, then received data or character timeout, then THR empty, then
 * modem status. */
static uint8_t pending_interrupt(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_errors & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->timeout_pending)
		return IIR_TIMEOUT;
	if ((u->ier & IER_ERBFI) && u->rx_count >= rx_trigger(u))
		return IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSR;
	return IIR_NONE;
}

void uart16550_init(struct uart16550 *u)
{
	*u = (struct uart16550){ .msr = MSR_PEER };
}

static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t id = pending_interrupt(u);

	/* Reading IIR clears a THRE interrupt it reports. */
	if (id == IIR_THRE)
		u->thre_pending = false;
	return id | (fifo_enabled(u) ? IIR_FIFOS : 0);
}

/* OE (and PE, FE, BI) clear when LSR is read. */
static uint8_t read_lsr(struct uart16550 *u)
{
	uint8_t lsr = u->lsr_errors | LSR_THRE | LSR_TEMT;

	if (u->rx_count)
		lsr |= LSR_DR;
	u->lsr_errors = 0;
	return lsr;
}

static uint8_t read_msr(struct uart16550 *u)
{
	uint8_t msr = u->msr;

	u->msr &= MSR_LINES;
	return msr;
}

/* Reading RBR clears the character timeout (and the data available
 * interrupt once the FIFO is below its trigger level). */
static uint8_t read_rbr(struct uart16550 *u)
{
	u->timeout_pending = false;
	return rx_pop(u);
}

uint8_t uart16550_read(struct uart16550 *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg % UART16550_NR_REGS) {
	case UART16550_RBR:
		return dlab ? u->dll : read_rbr(u);
	case UART16550_IER:
		return dlab ? u->dlm : u->ier;
	case UART16550_IIR:
		return read_iir(u);
	case UART16550_LCR:
		return u->lcr;
	case UART16550_MCR:
		return u->mcr;
	case UART16550_LSR:
		return read_lsr(u);
	case UART16550_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

/* The byte leaves at once, so THR is empty again straight away: writing THR
 * clears the THRE interrupt and its emptying raises it anew. */
static void write_thr(struct uart16550 *u, uint8_t byte)
{
	if (loopback(u))
		rx_push(u, byte);
	else if (u->out_count < UART16550_OUT_MAX)
		u->out[u->out_count++] = byte;
	u->thre_pending = true;
}

/* Enabling ETBEI while THR is empty raises the THRE interrupt even if an
 * IIR read cleared it before; Linux's start_tx and its THRE test rely on it. */
static void write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t enabled = (uint8_t)(value & ~u->ier);

	u->ier = value & IER_MASK;
	if (enabled & IER_ETBEI)
		u->thre_pending = true;
}

/* Switching between FIFO and 16450 mode empties the FIFOs; the other bits
 * take effect only with FCR bit 0 set. RX reset empties the receive FIFO (and
 * drops its timeout); TX reset has nothing to empty; both are self-clearing.
 * DMA mode (bit 3) changes nothing without DMA. */
static void write_fcr(struct uart16550 *u, uint8_t value)
{
	bool enable = value & FCR_ENABLE;

	if (enable != fifo_enabled(u) || (enable && (value & FCR_RX_RESET)))
		rx_clear(u);
	u->fcr = enable ? value & (FCR_TRIGGER_MASK | FCR_ENABLE) : 0;
}

static void write_mcr(struct uart16550 *u, uint8_t value)
{
	u->mcr = value & MCR_MASK;
	modem_update(u);
}

void uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t value)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg % UART16550_NR_REGS) {
	case UART16550_THR:
		if (dlab)
			u->dll = value;
		else
			write_thr(u, value);
		break;
	case UART16550_IER:
		if (dlab)
			u->dlm = value;
		else
			write_ier(u, value);
		break;
	case UART16550_FCR:
		write_fcr(u, value);
		break;
	case UART16550_LCR:
		u->lcr = value;
		break;
	case UART16550_MCR:
		write_mcr(u, value);
		break;
	case UART16550_SCR:
		u->scr = value;
		break;
	default: /* LSR and MSR are read-only (writes are for factory test) */
		break;
	}
}

bool uart16550_irq(const struct uart16550 *u)
{
	return (u->mcr & MCR_OUT2) && pending_interrupt(u) != IIR_NONE;
}

bool uart16550_rx_irq_enabled(const struct uart16550 *u)
{
	return (u->mcr & MCR_OUT2) && (u->ier & IER_ERBFI);
}

bool uart16550_receive(struct uart16550 *u, uint8_t byte)
{
	/* In loopback the receiver input is disconnected from the outside. */
	if (loopback(u))
		return false;
	return rx_push(u, byte);
}

bool uart16550_rx_ready(const struct uart16550 *u)
{
	return !loopback(u) && u->rx_count < rx_capacity(u);
}

size_t uart16550_take_output(struct uart16550 *u, uint8_t *buf, size_t max)
{
	size_t n = MIN(max, u->out_count);

	memcpy(buf, u->out, n);
	u->out_count -= n;
	memmove(u->out, u->out + n, u->out_count);
	return n;
}

void uart16550_rx_timeout(struct uart16550 *u)
{
	if (fifo_enabled(u) && u->rx_count)
		u->timeout_pending = true;
}
