/* The 16550A model against the PC16550D datasheet and against the register
 * sequences Linux's 8250 driver (drivers/tty/serial/8250/8250_port.c) runs.
 * Bit values are spelled out here rather than taken from the model. */
#include "vmm/uart16550.h"
#include "test.h"

#define RBR UART16550_RBR
#define THR UART16550_THR
#define DLL UART16550_DLL
#define IER UART16550_IER
#define DLM UART16550_DLM
#define IIR UART16550_IIR
#define FCR UART16550_FCR
#define LCR UART16550_LCR
#define MCR UART16550_MCR
#define LSR UART16550_LSR
#define MSR UART16550_MSR
#define SCR UART16550_SCR

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08
#define IIR_NONE 0x01
#define IIR_MSR 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFOS 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_IDLE 0x60 /* THRE | TEMT */

static struct uart16550 fresh(void)
{
	struct uart16550 u;

	memset(&u, 0xA5, sizeof(u)); /* init must set everything */
	uart16550_init(&u);
	return u;
}

static uint8_t rd(struct uart16550 *u, unsigned int reg)
{
	return uart16550_read(u, reg);
}

static void wr(struct uart16550 *u, unsigned int reg, uint8_t value)
{
	uart16550_write(u, reg, value);
}

static void send(struct uart16550 *u, const char *s)
{
	while (*s)
		wr(u, THR, (uint8_t)*s++);
}

/* FIFOs on with the given trigger code (FCR bits 7:6), IRQ line ungated. */
static struct uart16550 with_fifo(uint8_t trigger_code, uint8_t ier)
{
	struct uart16550 u = fresh();

	wr(&u, FCR, (uint8_t)(trigger_code << 6 | FCR_ENABLE));
	wr(&u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(&u, IER, ier);
	return u;
}

TEST(uart16550_reset_values)
{
	struct uart16550 u = fresh();
	uint8_t out[4];

	CHECK_EQ(rd(&u, IER), 0);
	CHECK_EQ(rd(&u, IIR), IIR_NONE);
	CHECK_EQ(rd(&u, LCR), 0);
	CHECK_EQ(rd(&u, MCR), 0);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK_EQ(rd(&u, MSR), 0xb0); /* DCD, DSR, CTS; no deltas */
	CHECK_EQ(rd(&u, RBR), 0);    /* nothing received */
	CHECK(!uart16550_irq(&u));
	CHECK(uart16550_rx_ready(&u));
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 0);
}

TEST(uart16550_scratch_register)
{
	struct uart16550 u = fresh();

	wr(&u, SCR, 0xa5);
	CHECK_EQ(rd(&u, SCR), 0xa5);
	wr(&u, SCR, 0x5a);
	CHECK_EQ(rd(&u, SCR), 0x5a);
	wr(&u, LCR, LCR_DLAB); /* not banked */
	CHECK_EQ(rd(&u, SCR), 0x5a);
}

TEST(uart16550_divisor_latch_and_dlab)
{
	struct uart16550 u = fresh();
	uint8_t out[4];

	wr(&u, IER, IER_RDI);
	wr(&u, LCR, LCR_DLAB | LCR_8N1);
	wr(&u, DLL, 0x0c); /* 9600 baud */
	wr(&u, DLM, 0x01);
	CHECK_EQ(rd(&u, DLL), 0x0c);
	CHECK_EQ(rd(&u, DLM), 0x01);
	CHECK_EQ(rd(&u, LCR), LCR_DLAB | LCR_8N1);
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 0); /* DLL is no THR */

	wr(&u, LCR, LCR_8N1);
	CHECK_EQ(rd(&u, IER), IER_RDI); /* IER kept apart from DLM */
	wr(&u, THR, 'x');
	wr(&u, IER, 0);
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 1);
	CHECK_EQ(out[0], 'x');

	wr(&u, LCR, LCR_DLAB | LCR_8N1);
	CHECK_EQ(rd(&u, DLL), 0x0c);
	CHECK_EQ(rd(&u, DLM), 0x01);
}

TEST(uart16550_reserved_bits_read_zero)
{
	struct uart16550 u = fresh();

	wr(&u, IER, 0xff);
	CHECK_EQ(rd(&u, IER), 0x0f);
	wr(&u, MCR, 0xff);
	CHECK_EQ(rd(&u, MCR), 0x1f);
	wr(&u, LCR, 0xff); /* LCR is all read/write */
	CHECK_EQ(rd(&u, LCR), 0xff);
}

TEST(uart16550_fifo_enable_in_iir)
{
	struct uart16550 u = fresh();

	wr(&u, FCR, FCR_ENABLE);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);
	wr(&u, FCR, 0);
	CHECK_EQ(rd(&u, IIR), IIR_NONE);
	wr(&u, FCR, 0xc0 | FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);
}

TEST(uart16550_thre_interrupt)
{
	struct uart16550 u = with_fifo(0, 0);

	CHECK(!uart16550_irq(&u));
	wr(&u, IER, IER_THRI); /* enabling it with THR empty raises it */
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, LSR), LSR_IDLE); /* reading LSR leaves it */
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_THRE);
	CHECK(!uart16550_irq(&u)); /* reading IIR cleared it */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);

	wr(&u, THR, 'a'); /* sent at once: THR empty again */
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_THRE);

	wr(&u, IER, IER_THRI); /* already enabled: no new interrupt */
	CHECK(!uart16550_irq(&u));
	wr(&u, IER, 0);
	wr(&u, IER, IER_THRI); /* re-enabled: raised again */
	CHECK(uart16550_irq(&u));
	wr(&u, IER, 0); /* masked, not forgotten: IIR shows nothing */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);
	CHECK(!uart16550_irq(&u));
}

TEST(uart16550_transmit_queue_order)
{
	struct uart16550 u = fresh();
	uint8_t out[UART16550_OUT_MAX + 8];

	send(&u, "hello");
	CHECK_EQ(uart16550_take_output(&u, out, 3), 3);
	CHECK(memcmp(out, "hel", 3) == 0);
	send(&u, "!");
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 3);
	CHECK(memcmp(out, "lo!", 3) == 0);
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 0);

	/* Bytes nobody takes: the first UART16550_OUT_MAX are kept. */
	for (unsigned int i = 0; i < sizeof(out); i++)
		wr(&u, THR, (uint8_t)i);
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), UART16550_OUT_MAX);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[UART16550_OUT_MAX - 1], UART16550_OUT_MAX - 1);
}

TEST(uart16550_rx_trigger_levels)
{
	static const unsigned int levels[] = { 1, 4, 8, 14 };

	for (unsigned int code = 0; code < ARRAY_SIZE(levels); code++) {
		struct uart16550 u = with_fifo((uint8_t)code, IER_RDI);

		for (unsigned int i = 0; i + 1 < levels[code]; i++)
			CHECK(uart16550_receive(&u, (uint8_t)i));
		CHECK(!uart16550_irq(&u));
		CHECK_EQ(rd(&u, LSR), LSR_IDLE | (levels[code] > 1 ? LSR_DR : 0));
		CHECK(uart16550_receive(&u, 0xee));
		CHECK(uart16550_irq(&u));
		CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RDA);
		CHECK(uart16550_irq(&u)); /* reading IIR does not clear RDA */
		rd(&u, RBR);              /* below the trigger level: cleared */
		CHECK(!uart16550_irq(&u));
	}
}

TEST(uart16550_rx_fifo_order_and_timeout)
{
	struct uart16550 u = with_fifo(1, IER_RDI); /* trigger at 4 */

	CHECK(uart16550_receive(&u, 'a'));
	CHECK(uart16550_receive(&u, 'b'));
	CHECK(!uart16550_irq(&u));
	uart16550_rx_timeout(&u);
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_TIMEOUT);
	CHECK(uart16550_receive(&u, 'c')); /* a new byte does not clear it */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_TIMEOUT);
	CHECK_EQ(rd(&u, RBR), 'a'); /* reading RBR does */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);
	CHECK_EQ(rd(&u, RBR), 'b');
	CHECK_EQ(rd(&u, LSR), LSR_IDLE | LSR_DR);
	CHECK_EQ(rd(&u, RBR), 'c');
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);

	uart16550_rx_timeout(&u); /* nothing waiting */
	CHECK(!uart16550_irq(&u));
}

TEST(uart16550_rx_timeout_needs_fifo_mode)
{
	struct uart16550 u = with_fifo(0, 0);

	wr(&u, FCR, 0);
	wr(&u, IER, IER_RDI);
	CHECK(uart16550_receive(&u, 'a'));
	uart16550_rx_timeout(&u);
	CHECK_EQ(rd(&u, IIR), IIR_RDA); /* a 16450 has no timeout */
}

TEST(uart16550_fifo_reset_and_mode_switch_clear_rx)
{
	struct uart16550 u = with_fifo(0, IER_RDI);

	uart16550_receive(&u, 'a');
	uart16550_rx_timeout(&u);
	wr(&u, FCR, FCR_ENABLE | FCR_CLEAR_RX);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK(!uart16550_irq(&u));

	uart16550_receive(&u, 'b');
	wr(&u, FCR, 0); /* to 16450 mode */
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	uart16550_receive(&u, 'c');
	wr(&u, FCR, FCR_ENABLE); /* and back */
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
}

TEST(uart16550_fifo_overrun)
{
	struct uart16550 u = with_fifo(3, IER_RDI | IER_RLSI);

	for (unsigned int i = 0; i < UART16550_FIFO_SIZE; i++) {
		CHECK(uart16550_rx_ready(&u));
		CHECK(uart16550_receive(&u, (uint8_t)i));
	}
	CHECK(!uart16550_rx_ready(&u));
	CHECK(!uart16550_receive(&u, 0xff)); /* lost; the FIFO is kept */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RLS); /* above RDA */
	CHECK_EQ(rd(&u, LSR), LSR_IDLE | LSR_OE | LSR_DR);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE | LSR_DR); /* OE cleared by the read */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RDA);
	for (unsigned int i = 0; i < UART16550_FIFO_SIZE; i++)
		CHECK_EQ(rd(&u, RBR), i);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK(!uart16550_irq(&u));
	CHECK(uart16550_rx_ready(&u));
}

TEST(uart16550_16450_mode_overrun)
{
	struct uart16550 u = fresh();

	wr(&u, MCR, MCR_OUT2);
	wr(&u, IER, IER_RDI);
	CHECK(uart16550_receive(&u, 'a'));
	CHECK_EQ(rd(&u, IIR), IIR_RDA); /* trigger is one character */
	CHECK(!uart16550_rx_ready(&u));
	CHECK(!uart16550_receive(&u, 'b')); /* 'a' is destroyed */
	CHECK_EQ(rd(&u, LSR), LSR_IDLE | LSR_OE | LSR_DR);
	CHECK_EQ(rd(&u, RBR), 'b');
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK(!uart16550_irq(&u));
}

TEST(uart16550_loopback_echo)
{
	struct uart16550 u = with_fifo(0, IER_RDI);
	uint8_t out[4];

	wr(&u, MCR, MCR_LOOP | MCR_OUT2);
	CHECK(!uart16550_rx_ready(&u));
	CHECK(!uart16550_receive(&u, 'z')); /* disconnected from outside */
	send(&u, "hi");
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 0);
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RDA);
	CHECK_EQ(rd(&u, RBR), 'h');
	CHECK_EQ(rd(&u, RBR), 'i');
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);

	wr(&u, MCR, MCR_OUT2);
	CHECK(uart16550_rx_ready(&u));
	CHECK(uart16550_receive(&u, 'z'));
	send(&u, "!");
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 1);
	CHECK_EQ(out[0], '!');
}

TEST(uart16550_loopback_overrun)
{
	struct uart16550 u = with_fifo(0, 0);

	wr(&u, MCR, MCR_LOOP);
	for (unsigned int i = 0; i <= UART16550_FIFO_SIZE; i++)
		wr(&u, THR, (uint8_t)i);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE | LSR_OE | LSR_DR);
}

TEST(uart16550_loopback_msr_mapping)
{
	struct uart16550 u = fresh();

	wr(&u, MCR, MCR_LOOP);
	/* DCD, DSR, CTS dropped from the peer's 0xb0: DDCD, DDSR, DCTS. */
	CHECK_EQ(rd(&u, MSR), 0x0b);
	CHECK_EQ(rd(&u, MSR), 0x00); /* reading cleared the deltas */

	wr(&u, MCR, MCR_LOOP | MCR_DTR);
	CHECK_EQ(rd(&u, MSR), 0x22); /* DSR, DDSR */
	wr(&u, MCR, MCR_LOOP | MCR_RTS);
	CHECK_EQ(rd(&u, MSR), 0x13); /* CTS; DCTS, DDSR */
	wr(&u, MCR, MCR_LOOP | MCR_OUT1);
	CHECK_EQ(rd(&u, MSR), 0x41); /* RI (no TERI on the leading edge); DCTS */
	wr(&u, MCR, MCR_LOOP | MCR_OUT2);
	CHECK_EQ(rd(&u, MSR), 0x8c); /* DCD; DDCD, TERI (RI went off) */
	wr(&u, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	CHECK_EQ(rd(&u, MSR) & 0xf0, 0xf0);

	wr(&u, MCR, 0); /* back to the peer's lines */
	CHECK_EQ(rd(&u, MSR), 0xb4); /* and RI went off */
}

TEST(uart16550_modem_status_interrupt)
{
	struct uart16550 u = fresh();

	wr(&u, IER, IER_MSI);
	wr(&u, MCR, MCR_OUT2);
	CHECK(!uart16550_irq(&u));
	wr(&u, MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS); /* DSR drops */
	CHECK(uart16550_irq(&u));
	CHECK_EQ(rd(&u, IIR), IIR_MSR);
	CHECK_EQ(rd(&u, IIR), IIR_MSR); /* only reading MSR clears it */
	rd(&u, MSR);
	CHECK_EQ(rd(&u, IIR), IIR_NONE);
	CHECK(!uart16550_irq(&u));
}

TEST(uart16550_interrupt_priority)
{
	struct uart16550 u = with_fifo(0, IER_RDI | IER_THRI | IER_RLSI | IER_MSI);

	wr(&u, MCR, MCR_LOOP | MCR_OUT2); /* modem status change */
	for (unsigned int i = 0; i <= UART16550_FIFO_SIZE; i++)
		wr(&u, THR, (uint8_t)i); /* data, overrun, THR empty */
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RLS);
	rd(&u, LSR);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_RDA);
	for (unsigned int i = 0; i < UART16550_FIFO_SIZE; i++)
		rd(&u, RBR);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_THRE);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_MSR);
	rd(&u, MSR);
	CHECK_EQ(rd(&u, IIR), IIR_FIFOS | IIR_NONE);
}

TEST(uart16550_out2_gates_irq)
{
	struct uart16550 u = fresh();

	wr(&u, IER, IER_THRI);
	CHECK(!uart16550_irq(&u)); /* pending, but OUT2 is off */
	wr(&u, MCR, MCR_DTR | MCR_RTS);
	CHECK(!uart16550_irq(&u));
	wr(&u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	CHECK(uart16550_irq(&u));
	wr(&u, MCR, MCR_DTR | MCR_RTS);
	CHECK(!uart16550_irq(&u));
	CHECK_EQ(rd(&u, IIR), IIR_THRE); /* the chip still reports it */
}

/* Linux's size_fifo(): loop back 256 bytes at divisor 1 and count what can
 * be read back. */
static unsigned int linux_size_fifo(struct uart16550 *u)
{
	uint8_t old_lcr = rd(u, LCR), old_mcr, old_dll, old_dlm;
	unsigned int count;

	wr(u, LCR, 0);
	old_mcr = rd(u, MCR);
	wr(u, FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	wr(u, MCR, MCR_LOOP);
	wr(u, LCR, LCR_DLAB);
	old_dll = rd(u, DLL);
	old_dlm = rd(u, DLM);
	wr(u, DLL, 1);
	wr(u, DLM, 0);
	wr(u, LCR, LCR_8N1);
	for (count = 0; count < 256; count++)
		wr(u, THR, (uint8_t)count);
	for (count = 0; (rd(u, LSR) & LSR_DR) && count < 256; count++)
		rd(u, RBR);
	wr(u, FCR, 0); /* Linux's old_fcr: FCR cannot be read */
	wr(u, MCR, old_mcr);
	wr(u, LCR, LCR_DLAB);
	wr(u, DLL, old_dll);
	wr(u, DLM, old_dlm);
	wr(u, LCR, old_lcr);
	return count;
}

/* The checks of autoconfig_16550a() that a 16550A must fail: no EFR behind
 * LCR 0x80 or 0xbf (IIR reads there, with bits 7:6 set), no NatSemi EXCR1
 * behind LCR 0xe0, no 16750 64-byte FIFO (IIR bit 5), no Xscale IER bit 6,
 * and a 16-byte FIFO. */
static bool linux_is_plain_16550a(struct uart16550 *u)
{
	uint8_t iir_dlab, iir_conf_b, mcr, excr1, iir_64, iir_64_dlab, ier;

	wr(u, LCR, LCR_DLAB);
	iir_dlab = rd(u, IIR);
	wr(u, LCR, 0xbf);
	iir_conf_b = rd(u, IIR);
	wr(u, LCR, 0);
	mcr = rd(u, MCR);
	wr(u, LCR, 0xe0);
	excr1 = rd(u, IIR);
	wr(u, LCR, 0);
	wr(u, MCR, mcr ^ MCR_LOOP);
	wr(u, LCR, 0xe0);
	excr1 ^= rd(u, IIR); /* EXCR1 would follow the LOOP bit */
	wr(u, LCR, 0);
	wr(u, MCR, mcr);

	wr(u, FCR, FCR_ENABLE | 0x20); /* FCR7_64BYTE */
	iir_64 = rd(u, IIR) >> 5;
	wr(u, FCR, FCR_ENABLE);
	wr(u, LCR, LCR_DLAB);
	wr(u, FCR, FCR_ENABLE | 0x20);
	iir_64_dlab = rd(u, IIR) >> 5;
	wr(u, FCR, FCR_ENABLE);
	wr(u, LCR, 0);

	ier = rd(u, IER);
	wr(u, IER, ier | 0x40); /* UART_IER_UUE */
	ier = rd(u, IER);
	wr(u, IER, ier & ~0x40);

	return iir_dlab != 0 && iir_conf_b != 0 && !(excr1 & MCR_LOOP) &&
	       !(iir_64 == 6 && iir_64_dlab == 7) && !(ier & 0x40) && linux_size_fifo(u) == 16;
}

/* autoconfig(): IER test, loopback test, then the FIFO bits of IIR. */
static const char *linux_autoconfig(struct uart16550 *u)
{
	uint8_t ier = rd(u, IER), ier_zero, ier_all, save_mcr, save_lcr, loop_msr;
	const char *type;

	wr(u, IER, 0);
	ier_zero = rd(u, IER) & 0x0f;
	wr(u, IER, 0x0f);
	ier_all = rd(u, IER) & 0x0f;
	wr(u, IER, ier);
	if (ier_zero != 0 || ier_all != 0x0f)
		return "none (IER test)";

	save_mcr = rd(u, MCR);
	save_lcr = rd(u, LCR);
	wr(u, MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
	loop_msr = rd(u, MSR) & 0xf0;
	wr(u, MCR, save_mcr);
	if (loop_msr != 0x90)
		return "none (loop test)";

	wr(u, LCR, 0xbf); /* UART_LCR_CONF_MODE_B */
	wr(u, IIR, 0);    /* UART_EFR, which is FCR on a 16550A */
	wr(u, LCR, 0);
	wr(u, FCR, FCR_ENABLE);
	switch (rd(u, IIR) >> 6) {
	case 3:
		type = linux_is_plain_16550a(u) ? "16550A" : "16550A variant";
		break;
	case 2:
		type = "16550";
		break;
	case 0:
		type = "8250/16450";
		break;
	default:
		type = "unknown";
		break;
	}
	wr(u, LCR, save_lcr);

	/* Reset as autoconfig() leaves the port. */
	wr(u, MCR, save_mcr);
	wr(u, FCR, FCR_ENABLE);
	wr(u, FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	wr(u, FCR, 0);
	rd(u, RBR);
	wr(u, IER, 0);
	return type;
}

TEST(uart16550_linux_autoconfig_finds_16550a)
{
	struct uart16550 u = fresh();
	uint8_t out[4];

	wr(&u, LCR, LCR_8N1);
	wr(&u, SCR, 0x42);
	CHECK_STR(linux_autoconfig(&u), "16550A");
	CHECK_EQ(rd(&u, LCR), LCR_8N1); /* restored */
	CHECK_EQ(rd(&u, MCR), 0);
	CHECK_EQ(rd(&u, SCR), 0x42);
	CHECK_EQ(rd(&u, LSR), LSR_IDLE);
	CHECK_EQ(rd(&u, IIR), IIR_NONE);
	CHECK_EQ(uart16550_take_output(&u, out, sizeof(out)), 0); /* all looped back */
}

/* serial8250_do_startup(): the THRE re-enable test (UART_BUG_THRE) and the
 * TX-enable test (UART_BUG_TXEN) must find no bugs; autoconfig_irq() must
 * see the line rise. */
TEST(uart16550_linux_startup_tests)
{
	struct uart16550 u = fresh();
	uint8_t iir1, iir2, lsr;

	wr(&u, FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	wr(&u, FCR, 0);
	rd(&u, LSR);
	rd(&u, RBR);
	rd(&u, IIR);
	rd(&u, MSR);
	CHECK(rd(&u, LSR) != 0xff);
	wr(&u, LCR, LCR_8N1);

	wr(&u, IER, IER_THRI);
	iir1 = rd(&u, IIR);
	wr(&u, IER, 0);
	wr(&u, IER, IER_THRI);
	iir2 = rd(&u, IIR);
	wr(&u, IER, 0);
	CHECK(!(iir1 & IIR_NONE) && !(iir2 & IIR_NONE));

	wr(&u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(&u, IER, IER_THRI);
	lsr = rd(&u, LSR);
	iir1 = rd(&u, IIR);
	wr(&u, IER, 0);
	CHECK(!((lsr & 0x40) && (iir1 & IIR_NONE)));

	wr(&u, MCR, MCR_OUT1 | MCR_OUT2);
	wr(&u, MCR, 0);
	wr(&u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(&u, IER, 0x0f);
	rd(&u, LSR);
	rd(&u, RBR);
	rd(&u, IIR);
	rd(&u, MSR);
	wr(&u, THR, 0xff);
	CHECK(uart16550_irq(&u));
}

TEST(uart16550_rx_irq_enabled_needs_erbfi_and_out2)
{
	struct uart16550 u;

	uart16550_init(&u);
	CHECK(!uart16550_rx_irq_enabled(&u));
	uart16550_write(&u, UART16550_IER, 0x01);
	CHECK(!uart16550_rx_irq_enabled(&u));
	uart16550_write(&u, UART16550_MCR, 0x08);
	CHECK(uart16550_rx_irq_enabled(&u));
	uart16550_write(&u, UART16550_IER, 0x02);
	CHECK(!uart16550_rx_irq_enabled(&u));
}
