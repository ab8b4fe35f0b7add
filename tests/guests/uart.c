/* COM1 as a 16550A: registers at reset, scratch, the divisor latch, the IER
 * mask, FIFO bits in IIR, modem status; loopback (bytes come back in RBR and
 * never reach the console), overrun in 16450 and FIFO mode; then IRQ4
 * through the 8259A (initialised as Linux does) and the local APIC's virtual
 * wire: receive and transmit interrupts in loopback, and a console line sent
 * by the THRE interrupt alone. */
#include "intr.h"

#define COM1 0x3f8
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02

#define IRQ_COM1 4
#define PIC_BASE 0x20
#define VECTOR_COM1 (PIC_BASE + IRQ_COM1)

static uint8_t rd(unsigned reg) { return inb((uint16_t)(COM1 + reg)); }
static void wr(unsigned reg, uint8_t v) { outb((uint16_t)(COM1 + reg), v); }

static volatile unsigned irqs, thre_irqs, rda_irqs, other_irqs, pic_isr_in_handler;
static const char *volatile tx_buf;
static volatile unsigned tx_pos, tx_len, rx_len;
static volatile char rx_buf[64];

static void reset_counts(void)
{
	irqs = thre_irqs = rda_irqs = other_irqs = pic_isr_in_handler = 0;
	tx_pos = tx_len = rx_len = 0;
}

/* Like a driver: serve every cause IIR reports until it says none, then EOI. */
static void on_com1(struct trap_frame *f)
{
	uint8_t iir;

	(void)f;
	irqs++;
	if (pic_read_master(true) & (1u << IRQ_COM1))
		pic_isr_in_handler++;
	while (!((iir = rd(IIR)) & 1)) {
		switch (iir & 0x0e) {
		case 0x02: /* THR empty */
			thre_irqs++;
			if (tx_pos < tx_len)
				wr(THR, (uint8_t)tx_buf[tx_pos++]);
			break;
		case 0x04: /* received data */
		case 0x0c: /* character timeout */
			rda_irqs++;
			while ((rd(LSR) & LSR_DR) && rx_len < sizeof(rx_buf))
				rx_buf[rx_len++] = (char)rd(RBR);
			break;
		case 0x06:
			other_irqs++;
			(void)rd(LSR);
			break;
		default:
			other_irqs++;
			(void)rd(MSR);
			break;
		}
	}
	pic_eoi(IRQ_COM1);
}

static bool rx_equals(const char *s, unsigned n)
{
	if (rx_len != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (rx_buf[i] != s[i])
			return false;
	return true;
}

/* Give hv a few exits with IF=1 to deliver anything pending. */
static void let_interrupts_in(void)
{
	for (int i = 0; i < 4; i++)
		(void)rd(SCR);
}

static void check_registers(void)
{
	uint8_t lsr = rd(LSR), iir = rd(IIR), ier = rd(IER), msr = rd(MSR), s1, s2, v;
	uint8_t lcr_dlab, dl, dm, lcr, ier_after, iir_fifo, iir_nofifo, msr_on, msr_off, msr_after;

	wr(SCR, 0x5a);
	s1 = rd(SCR);
	wr(SCR, 0xa5);
	s2 = rd(SCR);
	wr(LCR, 0x83); /* DLAB, 8N1 */
	wr(DLL, 0x0c);
	wr(DLM, 0x01);
	lcr_dlab = rd(LCR);
	dl = rd(DLL);
	dm = rd(DLM);
	wr(DLL, 0x01); /* back to 115200 */
	wr(DLM, 0x00);
	wr(LCR, 0x03);
	lcr = rd(LCR);
	ier_after = rd(IER);
	wr(IER, 0xff);
	v = rd(IER);
	wr(IER, 0);
	wr(FCR, 0x07); /* enable, clear both FIFOs */
	iir_fifo = rd(IIR);
	wr(FCR, 0);
	iir_nofifo = rd(IIR);
	(void)rd(MSR);
	wr(MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	msr_on = rd(MSR);
	wr(MCR, MCR_LOOP);
	msr_off = rd(MSR);
	msr_after = rd(MSR);
	wr(MCR, MCR_DTR | MCR_RTS);
	(void)rd(MSR);

	check(lsr == 0x60, "LSR 0x60 at reset: THR and transmitter empty, no data", "LSR 0x%x", lsr);
	check(iir == 0x01 && ier == 0, "IIR 0x01 and IER 0 at reset", "IIR 0x%x IER 0x%x", iir, ier);
	check((msr & 0xf0) == 0xb0, "MSR at reset: DCD, DSR, CTS", "MSR 0x%x", msr);
	check(s1 == 0x5a && s2 == 0xa5, "scratch register holds what was written", "read 0x%x, 0x%x", s1, s2);
	check(lcr_dlab == 0x83 && dl == 0x0c && dm == 0x01, "DLAB=1: divisor latch reads back",
	      "LCR 0x%x DLL 0x%x DLM 0x%x", lcr_dlab, dl, dm);
	check(lcr == 0x03 && ier_after == 0, "DLAB=0: LCR reads back, IER untouched by the DLM write",
	      "LCR 0x%x IER 0x%x", lcr, ier_after);
	check(v == 0x0f, "IER keeps bits 3:0 only", "wrote 0xff, read 0x%x", v);
	check((iir_fifo & 0xc0) == 0xc0 && (iir_nofifo & 0xc0) == 0, "FIFO enable shows in IIR bits 7:6",
	      "IIR 0x%x with FIFOs, 0x%x without", iir_fifo, iir_nofifo);
	check((msr_on & 0xf0) == 0xf0 && msr_off == 0x0f && msr_after == 0x00,
	      "loopback: MSR follows MCR, deltas set then cleared by the read", "MSR 0x%x, 0x%x, 0x%x", msr_on,
	      msr_off, msr_after);
}

static void check_loopback(void)
{
	static const char msg[] = "leak!";
	char back[sizeof(msg)] = { 0 };
	uint8_t lsr_data, lsr_empty, lsr_oe, lsr_after, last, fifo_lsr;
	unsigned n = 0, fifo_n = 0;
	bool fifo_ok = true;

	wr(FCR, 0x07);
	wr(MCR, MCR_LOOP | MCR_DTR | MCR_RTS);
	for (unsigned i = 0; i < sizeof(msg) - 1; i++)
		wr(THR, (uint8_t)msg[i]);
	lsr_data = rd(LSR);
	while ((rd(LSR) & LSR_DR) && n < sizeof(msg) - 1)
		back[n++] = (char)rd(RBR);
	lsr_empty = rd(LSR);
	/* FIFO overrun: 17 bytes into 16 places; the 17th is lost. */
	for (unsigned i = 0; i < 17; i++)
		wr(THR, (uint8_t)('A' + i));
	fifo_lsr = rd(LSR);
	while (rd(LSR) & LSR_DR) {
		if (rd(RBR) != 'A' + fifo_n)
			fifo_ok = false;
		fifo_n++;
	}
	/* 16450 mode: one holding register, overwritten. */
	wr(FCR, 0);
	wr(THR, 'x');
	wr(THR, 'y');
	lsr_oe = rd(LSR);
	last = rd(RBR);
	lsr_after = rd(LSR);
	wr(MCR, MCR_DTR | MCR_RTS);

	check((lsr_data & LSR_DR) && n == sizeof(msg) - 1 && back[0] == 'l' && back[4] == '!' &&
		      !(lsr_empty & LSR_DR),
	      "loopback: bytes written to THR come back in RBR", "LSR 0x%x, %u bytes '%s', then LSR 0x%x", lsr_data,
	      n, back, lsr_empty);
	check(fifo_n == 16 && fifo_ok && (fifo_lsr & LSR_OE), "loopback FIFO: 16 bytes kept in order, overrun flagged",
	      "%u bytes, in order %d, LSR 0x%x", fifo_n, fifo_ok, fifo_lsr);
	check((lsr_oe & (LSR_OE | LSR_DR)) == (LSR_OE | LSR_DR) && last == 'y' && lsr_after == 0x60,
	      "loopback 16450 mode: overrun keeps the newest byte, reading LSR clears OE",
	      "LSR 0x%x, RBR '%c', then LSR 0x%x", lsr_oe, last, lsr_after);
}

static void check_interrupts(void)
{
	static const char tx[] = "interrupt";
	static const char line[] = "this line was sent by the THRE interrupt\n";
	unsigned n;

	pic_init(PIC_BASE, PIC_BASE + 8);
	pic_set_mask((uint16_t)~(1u << IRQ_COM1));
	intr_set_handler(VECTOR_COM1, on_com1);

	/* Receive: one interrupt per byte looped back. */
	reset_counts();
	wr(MCR, MCR_LOOP | MCR_OUT2);
	wr(IER, IER_ERBFI);
	sti();
	for (unsigned i = 0; i < 4; i++) {
		wr(THR, (uint8_t)('r' + i));
		__asm__ volatile("nop");
	}
	let_interrupts_in();
	cli();
	wr(IER, 0);
	wr(MCR, MCR_DTR | MCR_RTS);
	check(irqs == 4 && rda_irqs == 4 && rx_equals("rstu", 4), "loopback RX: one IRQ4 per byte, bytes in order",
	      "%u IRQs, %u RDA, %u bytes", irqs, rda_irqs, rx_len);
	check(pic_isr_in_handler == irqs && !(pic_read_master(true) & (1u << IRQ_COM1)),
	      "8259A ISR bit 4 set in the handler, clear after EOI", "set in %u of %u, ISR now 0x%x",
	      pic_isr_in_handler, irqs, pic_read_master(true));

	/* Transmit and receive: THRE sends the next byte, RDA collects it. */
	reset_counts();
	tx_buf = tx;
	tx_len = sizeof(tx) - 1;
	wr(MCR, MCR_LOOP | MCR_OUT2);
	sti();
	wr(IER, IER_ETBEI | IER_ERBFI);
	for (n = 0; n < 100 && rx_len < tx_len; n++)
		let_interrupts_in();
	cli();
	wr(IER, 0);
	wr(MCR, MCR_DTR | MCR_RTS);
	print("loopback TX/RX: %u IRQs, %u THRE, %u RDA, %u other\n", irqs, thre_irqs, rda_irqs, other_irqs);
	check(rx_equals(tx, sizeof(tx) - 1) && tx_pos == tx_len && thre_irqs >= tx_len && rda_irqs >= 1,
	      "loopback TX/RX driven by THRE and RDA interrupts", "sent %u, received %u", tx_pos, rx_len);

	/* A console line sent by the interrupt handler alone. */
	reset_counts();
	wr(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	tx_buf = line;
	tx_len = sizeof(line) - 1;
	sti();
	wr(IER, IER_ETBEI);
	for (n = 0; n < 100 && tx_pos < tx_len; n++)
		let_interrupts_in();
	cli();
	wr(IER, 0);
	check(tx_pos == tx_len && thre_irqs >= tx_len, "console line sent from the THRE interrupt",
	      "sent %u of %u, %u THRE", tx_pos, tx_len, thre_irqs);
	pic_set_mask(0xffff);
	check(intr_unexpected == 0, "no unexpected interrupts", "%u, the last on vector 0x%x", intr_unexpected,
	      intr_unexpected_vector);
}

void guest_main(void)
{
	intr_init();
	check_registers();
	check_loopback();
	check_interrupts();
}
