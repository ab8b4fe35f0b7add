/* make bench, virtual interrupts: TSC ticks (under Bochs: instructions) for
 * a TSC-deadline interrupt to reach the guest's handler after its deadline,
 * for delivering one periodic timer interrupt to a busy guest (handler and
 * EOI included), for one UART byte out (in loopback, so the console stays
 * quiet: the same exit and model path as a byte to the console, minus the
 * line buffer) and for one xAPIC MMIO read and one x2APIC MSR read. Prints
 * "bench: NAME N ticks" lines, each after a "bench: begin NAME" line. */
#include "intr.h"

#define V_TIMER 0x40
#define LATENCY_IRQS 1000
#define READS 1000
#define UART_BYTES 1000
#define COST_SPAN_MS 200
#define COST_HZ 1000

static volatile unsigned fired;
static volatile uint64_t fired_tsc;

static void on_timer(struct trap_frame *f)
{
	(void)f;
	fired_tsc = rdtsc();
	fired++;
	apic_eoi();
}

static void begin(const char *name)
{
	print("bench: begin %s\n", name);
}

static void report(const char *name, uint64_t ticks)
{
	print("bench: %s %lu ticks\n", name, ticks);
}

static uint64_t timer_irq_latency(void)
{
	uint64_t sum = 0, hz = tsc_hz();

	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | V_TIMER);
	for (unsigned i = 0; i < LATENCY_IRQS; i++) {
		uint64_t deadline = rdtsc() + hz / 2000; /* 0.5 ms */
		unsigned before = fired;

		wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
		cli();
		while (fired == before)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		sum += fired_tsc - deadline;
	}
	apic_timer_stop();
	return sum / LATENCY_IRQS;
}

/* Loop iterations in a span: exit-free work. */
static uint64_t count_loops(uint64_t span)
{
	uint64_t end = rdtsc() + span, n = 0;

	while (rdtsc() < end)
		n++;
	return n;
}

/* What a periodic tick costs a busy guest: the iterations it loses. */
static uint64_t timer_irq_cost(void)
{
	uint64_t span = tsc_hz() * COST_SPAN_MS / 1000, quiet, busy;
	unsigned ticks;

	quiet = count_loops(span);
	fired = 0;
	apic_timer_start(APIC_TIMER_PERIODIC | V_TIMER, (uint32_t)(tsc_hz() / COST_HZ));
	sti();
	busy = count_loops(span);
	cli();
	ticks = fired;
	apic_timer_stop();
	if (!ticks || busy >= quiet)
		return 0;
	return span * (quiet - busy) / quiet / ticks;
}

static uint64_t uart_byte_out(void)
{
	uint64_t t0, t1;

	outb(0x3f8 + 2, 0x07);          /* FIFOs on and cleared */
	outb(0x3f8 + 4, 0x10);          /* loopback */
	t0 = rdtsc();
	for (unsigned i = 0; i < UART_BYTES; i++)
		outb(0x3f8, 'x');
	t1 = rdtsc();
	outb(0x3f8 + 2, 0x07);          /* drop what came back */
	outb(0x3f8 + 4, 0x03);          /* DTR, RTS: the console again */
	outb(0x3f8 + 2, 0x00);
	return (t1 - t0) / UART_BYTES;
}

static uint64_t apic_reads(void)
{
	uint64_t t0 = rdtsc(), t1;
	uint32_t sink = 0;

	for (unsigned i = 0; i < READS; i++)
		sink += apic_read(APIC_TPR);
	t1 = rdtsc();
	__asm__ volatile("" : : "r"(sink));
	return (t1 - t0) / READS;
}

void guest_main(void)
{
	uint64_t v;

	intr_init();
	intr_set_handler(V_TIMER, on_timer);
	apic_setup();

	begin("timer_irq_latency");
	report("timer_irq_latency", timer_irq_latency());
	begin("timer_irq_cost");
	v = timer_irq_cost();
	report("timer_irq_cost", v);
	begin("uart_byte_out");
	report("uart_byte_out", uart_byte_out());
	begin("xapic_mmio_read");
	report("xapic_mmio_read", apic_reads());
	apic_set_x2apic(true);
	begin("x2apic_msr_read");
	report("x2apic_msr_read", apic_reads());
	check(v > 0 && intr_unexpected == 0, "interrupt figures measured", "cost %lu, %u unexpected interrupts", v,
	      intr_unexpected);
}
