/* The 8254 and the 8259A: PIT channel 0 in mode 2 at 1 kHz raises IRQ0,
 * which reaches this guest's IDT at vector 0x20 through the PIC (set up as
 * Linux does) and the local APIC's virtual wire (LINT0 ExtINT, as hv
 * starts it); the rate is measured against the TSC. Then Linux's legacy TSC
 * calibration: channel 2 in mode 0 gated by port 0x61, OUT2 polled in port
 * 0x61 bit 5, over 10 ms and 50 ms; the result must match hv's own (CPUID
 * 0x15). */
#include "intr.h"

#define IRQ_PIT 0
#define PIC_BASE 0x20
#define VECTOR_PIT (PIC_BASE + IRQ_PIT)
#define RATE_HZ 1000
#define TICKS 100

static volatile unsigned ticks, pic_isr_in_handler;
static volatile uint64_t tick_tsc[TICKS + 1];

static void on_irq0(struct trap_frame *f)
{
	(void)f;
	if (ticks <= TICKS)
		tick_tsc[ticks] = rdtsc();
	/* Only on the last: the OCW3 read costs two exits, and under Bochs a
	 * handler that costs more than the period loses ticks (or, always
	 * late, never ends). */
	if (ticks == TICKS && (pic_read_master(true) & 1))
		pic_isr_in_handler++;
	ticks++;
	/* Enough: mask IRQ0 here, so even a storm of them ends. */
	if (ticks == TICKS + 1)
		pic_set_mask(0xffff);
	pic_eoi(IRQ_PIT);
}

/* Channel 2 count, latched (counter latch command). */
static uint16_t ch2_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x80);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(hi << 8 | lo);
}

/* arch/x86/kernel/tsc.c pit_calibrate_tsc(): TSC kHz from a ms-long run of
 * channel 2 in mode 0, polling OUT2. Returns 0 when OUT2 never rises. */
static uint64_t pit_calibrate_khz(unsigned ms, unsigned *loops)
{
	uint32_t latch = PIT_HZ / (1000 / ms);
	uint64_t t1, t2, tsc, limit;
	unsigned n = 0;

	outb(PIT_PORT_B, (uint8_t)((inb(PIT_PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_CMD, 0xb0); /* channel 2, LSB then MSB, mode 0, binary */
	outb(PIT_CH2, (uint8_t)latch);
	outb(PIT_CH2, (uint8_t)(latch >> 8));
	tsc = t1 = t2 = rdtsc();
	limit = t1 + 100 * tsc_hz() / 1000 * ms; /* a hundred times too long: give up */
	while (!(inb(PIT_PORT_B) & PORT_B_OUT2) && tsc < limit) {
		t2 = rdtsc();
		tsc = t2;
		n++;
	}
	*loops = n;
	if (tsc >= limit)
		return 0;
	return (t2 - t1) / ms / 1000 * 1000 + ((t2 - t1) / ms) % 1000;
}

static void check_calibration(unsigned ms)
{
	uint64_t hz = tsc_hz(), khz, want = hz / 1000, err;
	unsigned loops = 0;

	khz = pit_calibrate_khz(ms, &loops);
	err = khz > want ? khz - want : want - khz;
	print("PIT channel 2 calibration over %u ms: TSC %lu kHz in %u polls (CPUID 0x15: %lu kHz)\n", ms, khz,
	      loops, want);
	/* The count starts in hv's handler of the MSB write; the guest reads
	 * its first TSC after the rest of that exit, ~600 ticks later under
	 * Bochs: 1.5% of 10 ms, so 10 ms gets 2%, 50 ms 1%. */
	check(khz && err * (ms == 10 ? 50 : 100) < want,
	      ms == 10 ? "TSC calibrated with PIT channel 2 over 10 ms: within 2% of CPUID 0x15" :
			 "TSC calibrated with PIT channel 2 over 50 ms: within 1% of CPUID 0x15",
	      "%lu kHz, CPUID says %lu kHz", khz, want);
}

static void check_channel2(void)
{
	uint16_t c1, c2, held1, held2;
	uint8_t out_before, out_after;

	/* Mode 0 counts down with the gate high, OUT2 low until zero. */
	outb(PIT_PORT_B, (uint8_t)((inb(PIT_PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	c1 = ch2_count();
	c2 = ch2_count();
	out_before = inb(PIT_PORT_B) & PORT_B_OUT2;
	/* Gate low: the count holds. */
	outb(PIT_PORT_B, (uint8_t)(inb(PIT_PORT_B) & ~PORT_B_GATE2));
	held1 = ch2_count();
	tsc_spin(tsc_hz() / 1000);
	held2 = ch2_count();
	/* A short count expires: OUT2 goes high. */
	outb(PIT_PORT_B, (uint8_t)(inb(PIT_PORT_B) | PORT_B_GATE2));
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, 100);
	outb(PIT_CH2, 0);
	tsc_spin(tsc_hz() / 1000);
	out_after = inb(PIT_PORT_B) & PORT_B_OUT2;
	check(c2 < c1 && c1 < 0xffff, "channel 2 mode 0: the latched count counts down", "0x%x then 0x%x", c1, c2);
	check(held1 == held2, "channel 2: gate low holds the count", "0x%x then 0x%x", held1, held2);
	check(!out_before && out_after, "port 0x61 bit 5: OUT2 low while counting, high at zero",
	      "before 0x%x, after 0x%x", out_before, out_after);
}

void guest_main(void)
{
	uint64_t hz = tsc_hz(), want, period, err;
	uint8_t isr_after;

	intr_init();
	intr_set_handler(VECTOR_PIT, on_irq0);
	check((apic_read(APIC_SVR) & APIC_SVR_ENABLE) && (apic_read(APIC_LVT_LINT0) & 0x1f700) == APIC_DM_EXTINT,
	      "local APIC at entry: software-enabled, LINT0 ExtINT (virtual wire)", "SVR 0x%x LINT0 0x%x",
	      apic_read(APIC_SVR), apic_read(APIC_LVT_LINT0));
	pic_init(PIC_BASE, PIC_BASE + 8);
	pic_set_mask((uint16_t)~(1u << IRQ_PIT));
	pit_ch0_rate((PIT_HZ + RATE_HZ / 2) / RATE_HZ);
	cli();
	while (ticks < TICKS + 1)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	pic_set_mask(0xffff);
	outb(PIT_CMD, 0x30); /* channel 0 to mode 0 awaiting a count: no more IRQ0 edges */
	isr_after = pic_read_master(true);
	/* The programmed rate: PIT_HZ / count. */
	want = hz * ((PIT_HZ + RATE_HZ / 2) / RATE_HZ) / PIT_HZ;
	period = (tick_tsc[TICKS] - tick_tsc[0]) / TICKS;
	err = period > want ? period - want : want - period;
	print("IRQ0 period %lu TSC ticks over %u ticks (want %lu)\n", period, TICKS, want);
	check(err * 100 < want, "PIT 1 kHz on IRQ0 at vector 0x20: period within 1% of the programmed rate",
	      "period %lu, want %lu", period, want);
	check(pic_isr_in_handler == 1 && !(isr_after & 1), "8259A ISR bit 0 set in the handler, clear after EOI",
	      "set in %u of 1, ISR now 0x%x", pic_isr_in_handler, isr_after);
	check_channel2();
	check_calibration(10);
	check_calibration(50);
	check(intr_unexpected == 0, "no unexpected interrupts", "%u, the last on vector 0x%x", intr_unexpected,
	      intr_unexpected_vector);
}
