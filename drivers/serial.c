/* 16550 UART, polled. Register offsets and bits: PC16550D datasheet. */
#include "drivers/serial.h"

#include "arch/x86/io.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define UART_CLOCK 115200
#define BAUD 115200
/* Bounded polling: a missing or wedged UART must not hang the hypervisor. */
#define POLL_LIMIT 1000000

static const uint16_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static uint16_t port;

static bool wait_lsr(uint8_t bits)
{
	for (unsigned int i = 0; i < POLL_LIMIT; i++)
		if ((inb(port + UART_LSR) & bits) == bits)
			return true;
	return false;
}

bool serial_init(unsigned int com)
{
	uint16_t base;

	if (com < 1 || com > ARRAY_SIZE(com_ports))
		return false;
	base = com_ports[com - 1];
	/* The scratch register tells whether a UART is there at all. */
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	if (port)
		serial_drain();
	port = base;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, (UART_CLOCK / BAUD) & 0xff);
	outb(port + UART_DLM, (UART_CLOCK / BAUD) >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
	return true;
}

/* Output goes through a ring buffer that serial_pump() feeds to the UART
 * a FIFO-load at a time when the transmitter is empty: at 115200 baud a
 * line takes milliseconds, and guests must not stall while it goes out. */
#define TX_BUFFER_SIZE 65536
#define TX_FIFO_DEPTH 16

static char tx_buf[TX_BUFFER_SIZE];
static size_t tx_head, tx_count; /* oldest byte, bytes waiting */

void serial_pump(void)
{
	if (!port || !tx_count || !(inb(port + UART_LSR) & LSR_THRE))
		return;
	/* THRE with FIFOs on: the whole transmit FIFO is free. */
	for (unsigned int i = 0; i < TX_FIFO_DEPTH && tx_count; i++) {
		outb(port + UART_THR, (uint8_t)tx_buf[tx_head]);
		tx_head = (tx_head + 1) % TX_BUFFER_SIZE;
		tx_count--;
	}
}

static bool synchronous;

void serial_set_synchronous(bool on)
{
	synchronous = on;
}

bool serial_busy(void)
{
	return tx_count != 0;
}

static void queue_byte(char c)
{
	/* Full: wait for room rather than lose output. */
	while (tx_count == TX_BUFFER_SIZE) {
		wait_lsr(LSR_THRE);
		serial_pump();
	}
	tx_buf[(tx_head + tx_count) % TX_BUFFER_SIZE] = c;
	tx_count++;
}

void serial_write(const char *s, size_t len)
{
	if (!port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			queue_byte('\r');
		queue_byte(s[i]);
	}
	if (synchronous)
		serial_drain();
	else
		serial_pump();
}

bool serial_read_byte(uint8_t *byte)
{
	if (!port || !(inb(port + UART_LSR) & LSR_DR))
		return false;
	*byte = inb(port + UART_RBR);
	return true;
}

void serial_drain(void)
{
	if (!port)
		return;
	while (tx_count) {
		wait_lsr(LSR_THRE);
		serial_pump();
	}
	wait_lsr(LSR_THRE | LSR_TEMT);
}
