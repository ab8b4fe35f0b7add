/* A 16550A UART register model (National PC16550D datasheet), pure so it is
 * unit-tested on the host. It knows nothing of ports, guests or the PIC: the
 * glue (vmm/vuart.c) forwards the guest's register accesses, feeds it input,
 * drains its output and samples the IRQ line after each call.
 *
 * Transmission takes no time: a byte written to THR leaves at once, to the
 * output queue, or to the receiver in loopback mode (MCR bit 4). So THR and
 * the transmitter are always empty (LSR THRE and TEMT stay set), and each THR
 * write raises the THRE interrupt again. Nothing models baud timing; the
 * glue signals "a character time passed" with uart16550_rx_timeout(). */
#ifndef VMM_UART16550_H
#define VMM_UART16550_H

#include "compiler.h"
#include "drivers/uart16550_regs.h"

#define UART16550_FIFO_SIZE 16
/* Transmitted bytes the glue has not taken yet; more are lost. */
#define UART16550_OUT_MAX 64

struct uart16550 {
	uint8_t ier, lcr, mcr, scr;
	uint8_t fcr;        /* FIFO enable and RX trigger level (FCR bits 0, 7:6) */
	uint8_t lsr_errors; /* OE until LSR is read */
	uint8_t msr;        /* line states (bits 7:4) and their deltas (bits 3:0) */
	uint8_t dll, dlm;
	bool thre_pending;    /* THRE interrupt not yet cleared (IIR read, THR write) */
	bool timeout_pending; /* character timeout not yet cleared (RBR read) */
	uint8_t rx[UART16550_FIFO_SIZE];
	size_t rx_head, rx_count;
	uint8_t out[UART16550_OUT_MAX];
	size_t out_count;
};

/* Power-on state: FIFOs off, no interrupt enabled, LSR 0x60, IIR 0x01, the
 * modem inputs showing a connected peer (MSR 0xb0: DCD, DSR, CTS). */
void uart16550_init(struct uart16550 *u);

/* A guest access to register reg (0-7; higher bits are ignored). Reads have
 * the chip's side effects: RBR pops the receive FIFO, IIR clears a reported
 * THRE interrupt, LSR clears the overrun bit, MSR clears the delta bits. */
uint8_t uart16550_read(struct uart16550 *u, unsigned int reg);
void uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t value);

/* The IRQ line: an enabled interrupt is pending and MCR OUT2 is set (the PC
 * gates the UART's INTR output with OUT2). */
bool uart16550_irq(const struct uart16550 *u);

/* A byte from the outside world. False if it was lost: the receiver is
 * looped back (not connected to the outside), or the receive buffer was full
 * (LSR OE is set; in FIFO mode the new byte is lost, in 16450 mode it
 * overwrites the unread one, datasheet LSR bit 1). */
bool uart16550_receive(struct uart16550 *u, uint8_t byte);
/* Would received data raise the IRQ line (ERBFI and OUT2 set)? */
bool uart16550_rx_irq_enabled(const struct uart16550 *u);
/* Would uart16550_receive() take a byte now without losing one? */
bool uart16550_rx_ready(const struct uart16550 *u);

/* Move up to max transmitted bytes, oldest first, to buf; returns how many. */
size_t uart16550_take_output(struct uart16550 *u, uint8_t *buf, size_t max);

/* Four character times passed without input or RBR read: in FIFO mode with
 * data waiting this raises the character timeout interrupt (IIR 0xcc). */
void uart16550_rx_timeout(struct uart16550 *u);

#endif
