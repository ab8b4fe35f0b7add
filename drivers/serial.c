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

static void put_byte(char c)
{
	wait_lsr(LSR_THRE);
	outb(port + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	if (!port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
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
	if (port)
		wait_lsr(LSR_THRE | LSR_TEMT);
}
