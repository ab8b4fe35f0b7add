/* 16550 UART, polled (registers: drivers/uart16550_regs.h). */
#include "drivers/serial.h"

#include "arch/x86/io.h"
#include "drivers/uart16550_regs.h"

#define UART_CLOCK 115200
#define BAUD 115200
/* Bounded polling: a missing or wedged UART must not hang the hypervisor. */
#define POLL_LIMIT 1000000

static const uint16_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static uint16_t port;

static bool wait_lsr(uint8_t bits)
{
	for (unsigned int i = 0; i < POLL_LIMIT; i++)
		if ((inb(port + UART16550_LSR) & bits) == bits)
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
	outb(base + UART16550_SCR, 0x5a);
	if (inb(base + UART16550_SCR) != 0x5a)
		return false;
	if (port)
		serial_drain();
	port = base;
	outb(port + UART16550_IER, 0);
	outb(port + UART16550_LCR, LCR_DLAB);
	outb(port + UART16550_DLL, (UART_CLOCK / BAUD) & 0xff);
	outb(port + UART16550_DLM, (UART_CLOCK / BAUD) >> 8);
	outb(port + UART16550_LCR, LCR_8N1);
	outb(port + UART16550_FCR, FCR_ENABLE | FCR_RX_RESET | FCR_CLEAR_TX);
	outb(port + UART16550_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
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
	if (!port || !tx_count || !(inb(port + UART16550_LSR) & LSR_THRE))
		return;
	/* THRE with FIFOs on: the whole transmit FIFO is free. */
	for (unsigned int i = 0; i < TX_FIFO_DEPTH && tx_count; i++) {
		outb(port + UART16550_THR, (uint8_t)tx_buf[tx_head]);
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
	if (!port || !(inb(port + UART16550_LSR) & LSR_DR))
		return false;
	*byte = inb(port + UART16550_RBR);
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
