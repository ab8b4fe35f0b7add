/* The virtual local APIC, first through xAPIC MMIO, then in x2APIC mode
 * (IA32_APIC_BASE EXTD): the timer periodic at 1 kHz (period measured
 * against the TSC), one-shot, TSC-deadline and masked; ISR and EOI; a
 * self-IPI; TPR holding off a lower class. Interrupts arrive through this
 * guest's own IDT; it waits for them with STI; HLT, so hv's HLT sleep and
 * wake-up paths run. */
#include "intr.h"

#define V_PERIODIC 0x40
#define V_ONESHOT 0x41
#define V_DEADLINE 0x42
#define V_MASKED 0x43
#define V_IPI 0x51   /* class 5 */
#define V_TPR 0x52   /* class 5: held off by TPR 0x60 */
#define V_HIGH 0x72  /* class 7: not held off by TPR 0x60 */
#define PERIODIC_TICKS 100

static uint64_t hz;
static const char *mode;

static volatile unsigned count[256];
static volatile uint64_t last_tsc[256];
static volatile uint64_t periodic_tsc[PERIODIC_TICKS + 1];
static volatile bool isr_in_handler, irr_in_handler, isr_after_eoi;
static volatile uint32_t ppr_in_handler;

static void on_timer(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	uint64_t t = rdtsc();

	if (v == V_PERIODIC && count[v] <= PERIODIC_TICKS)
		periodic_tsc[count[v]] = t;
	last_tsc[v] = t;
	count[v]++;
	apic_eoi();
}

/* Looks at its own state before and after the EOI. */
static void on_ipi(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	isr_in_handler = apic_isr((uint8_t)v);
	irr_in_handler = apic_irr((uint8_t)v);
	ppr_in_handler = apic_read(APIC_PPR);
	count[v]++;
	apic_eoi();
	isr_after_eoi = apic_isr((uint8_t)v);
}

static void reset_counts(void)
{
	for (unsigned i = 0; i < 256; i++)
		count[i] = 0;
}

/* Sleep in HLT until `vector` has fired n times (a timer must be armed). */
static void wait_for(unsigned vector, unsigned n)
{
	cli();
	while (count[vector] < n)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void check_periodic(void)
{
	uint64_t want = hz / 1000, period, err;

	reset_counts();
	apic_timer_start(APIC_TIMER_PERIODIC | V_PERIODIC, (uint32_t)want);
	wait_for(V_PERIODIC, PERIODIC_TICKS + 1);
	apic_timer_stop();
	period = (periodic_tsc[PERIODIC_TICKS] - periodic_tsc[0]) / PERIODIC_TICKS;
	err = period > want ? period - want : want - period;
	print("%s: periodic timer period %lu TSC ticks (want %lu)\n", mode, period, want);
	check(err * 200 < want, "periodic 1 kHz timer: period within 0.5% over 100 ticks",
	      "%s: period %lu, want %lu", mode, period, want);
}

static void check_oneshot(void)
{
	uint32_t initial = (uint32_t)(hz / 1000), c1, c2;
	uint64_t start, armed, late;

	reset_counts();
	start = rdtsc();
	apic_timer_start(APIC_TIMER_ONESHOT | V_ONESHOT, initial);
	armed = rdtsc();
	c1 = apic_read(APIC_TIMER_CURRENT);
	c2 = apic_read(APIC_TIMER_CURRENT);
	wait_for(V_ONESHOT, 1);
	check(c1 <= initial && c2 < c1 && c2 > 0, "one-shot: current count counts down",
	      "%s: initial %u, then %u, %u", mode, initial, c1, c2);
	/* The count starts during the write: between start and armed. */
	late = last_tsc[V_ONESHOT] - armed;
	print("%s: one-shot interrupt %lu ticks after the initial-count write, count %u\n", mode, late, initial);
	check(last_tsc[V_ONESHOT] - start >= initial && late < 2 * initial,
	      "one-shot: fires after the initial count, within another",
	      "%s: fired %lu ticks after the start, %lu after the write, count %u", mode,
	      last_tsc[V_ONESHOT] - start, late, initial);
	tsc_spin(3 * hz / 1000);
	c1 = apic_read(APIC_TIMER_CURRENT);
	check(count[V_ONESHOT] == 1 && c1 == 0, "one-shot: fires once, current count then 0",
	      "%s: fired %u times, current count %u", mode, count[V_ONESHOT], c1);
	apic_timer_stop();
}

static void check_masked(void)
{
	uint32_t initial = (uint32_t)(hz / 1000), c1, c2;

	reset_counts();
	apic_timer_start(APIC_LVT_MASKED | APIC_TIMER_ONESHOT | V_MASKED, initial);
	c1 = apic_read(APIC_TIMER_CURRENT);
	c2 = apic_read(APIC_TIMER_CURRENT);
	check(c1 <= initial && c2 < c1, "masked timer: current count still counts down",
	      "%s: initial %u, then %u, %u", mode, initial, c1, c2);
	sti();
	tsc_spin(2 * hz / 1000);
	c1 = apic_read(APIC_TIMER_CURRENT); /* an exit with IF=1: anything pending would come now */
	__asm__ volatile("nop");
	cli();
	check(count[V_MASKED] == 0 && c1 == 0 && !apic_irr(V_MASKED), "masked timer: expires without an interrupt",
	      "%s: %u interrupts, current count %u, IRR %d", mode, count[V_MASKED], c1, apic_irr(V_MASKED));
	apic_timer_stop();
}

static void check_deadline(void)
{
	uint64_t deadline, readback, after;

	reset_counts();
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | V_DEADLINE);
	deadline = rdtsc() + 2 * hz / 1000;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	readback = rdmsr(MSR_IA32_TSC_DEADLINE);
	wait_for(V_DEADLINE, 1);
	check(readback == deadline, "TSC deadline: IA32_TSC_DEADLINE reads back while armed",
	      "%s: wrote 0x%lx, read 0x%lx", mode, deadline, readback);
	check(last_tsc[V_DEADLINE] >= deadline && last_tsc[V_DEADLINE] < deadline + hz / 1000,
	      "TSC deadline: fires at the deadline, within 1 ms",
	      "%s: handler TSC 0x%lx, deadline 0x%lx", mode, last_tsc[V_DEADLINE], deadline);
	print("%s: TSC deadline interrupt %lu ticks after the deadline\n", mode, last_tsc[V_DEADLINE] - deadline);
	tsc_spin(2 * hz / 1000);
	after = rdmsr(MSR_IA32_TSC_DEADLINE);
	check(count[V_DEADLINE] == 1 && after == 0, "TSC deadline: fires once, then reads 0",
	      "%s: fired %u times, IA32_TSC_DEADLINE 0x%lx", mode, count[V_DEADLINE], after);

	/* Writing 0 disarms. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + hz / 1000);
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	after = rdmsr(MSR_IA32_TSC_DEADLINE);
	sti();
	tsc_spin(2 * hz / 1000);
	(void)rdmsr(MSR_IA32_TSC_DEADLINE); /* an exit with IF=1 */
	__asm__ volatile("nop");
	cli();
	check(count[V_DEADLINE] == 1 && after == 0, "TSC deadline: writing 0 disarms",
	      "%s: fired %u more times, reads 0x%lx", mode, count[V_DEADLINE] - 1, after);

	/* A deadline already passed fires at once: right after the WRMSR. */
	sti();
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() - 1);
	__asm__ volatile("nop");
	{
		unsigned n = count[V_DEADLINE];

		cli();
		check(n == 2, "TSC deadline: a deadline in the past fires at once", "%s: %u interrupts", mode,
		      n - 1);
	}
	apic_timer_stop();
}

static void check_ipi_eoi(void)
{
	bool irr;

	reset_counts();
	cli();
	apic_self_ipi(V_IPI);
	irr = apic_irr(V_IPI);
	check(irr && count[V_IPI] == 0, "self-IPI with IF=0: pending in the IRR, not taken",
	      "%s: IRR %d, taken %u", mode, irr, count[V_IPI]);
	sti_nop_cli();
	check(count[V_IPI] == 1, "self-IPI taken once IF=1", "%s: taken %u times", mode, count[V_IPI]);
	check(isr_in_handler && !irr_in_handler, "in the handler: ISR bit set, IRR bit clear",
	      "%s: ISR %d IRR %d", mode, isr_in_handler, irr_in_handler);
	check((ppr_in_handler & 0xf0) == (V_IPI & 0xf0), "in the handler: PPR = the vector's class",
	      "%s: PPR 0x%x", mode, ppr_in_handler);
	check(!isr_after_eoi && !apic_isr(V_IPI), "EOI clears the ISR bit", "%s: ISR %d after EOI, %d later", mode,
	      isr_after_eoi, apic_isr(V_IPI));
}

static void check_tpr(void)
{
	unsigned held, high;
	uint32_t ppr;

	reset_counts();
	apic_write(APIC_TPR, 0x60);
	sti();
	apic_self_ipi(V_TPR);
	__asm__ volatile("nop");
	ppr = apic_read(APIC_PPR);
	held = count[V_TPR];
	apic_self_ipi(V_HIGH);
	__asm__ volatile("nop");
	high = count[V_HIGH];
	check(held == 0 && apic_irr(V_TPR) && ppr == 0x60, "TPR 0x60 holds off vector 0x52",
	      "%s: taken %u, IRR %d, PPR 0x%x", mode, held, apic_irr(V_TPR), ppr);
	check(high == 1, "TPR 0x60 lets vector 0x72 through", "%s: taken %u", mode, high);
	apic_write(APIC_TPR, 0);
	__asm__ volatile("nop");
	held = count[V_TPR];
	cli();
	check(held == 1, "lowering the TPR delivers the held vector", "%s: taken %u", mode, held);
}

static void run_all(void)
{
	apic_setup();
	check((apic_read(APIC_SVR) & 0x1ff) == (APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR),
	      "APIC software-enabled, spurious vector 0xff", "%s: SVR 0x%x", mode, apic_read(APIC_SVR));
	check_ipi_eoi();
	check_tpr();
	check_oneshot();
	check_masked();
	check_deadline();
	check_periodic();
}

void guest_main(void)
{
	uint64_t base;
	struct cpuid c1 = cpuid(1, 0);
	uint32_t version;

	intr_init();
	for (unsigned v = 0x40; v < 0xff; v++)
		intr_set_handler((uint8_t)v, on_timer);
	intr_set_handler(V_IPI, on_ipi);
	hz = tsc_hz();
	check(hz > 0 && (c1.edx & (1u << 9)) && (c1.ecx & (1u << 21)) && (c1.ecx & (1u << 24)),
	      "CPUID: APIC, x2APIC, TSC-deadline, TSC Hz in leaf 0x15",
	      "leaf 1 EDX 0x%x ECX 0x%x, TSC %lu Hz", c1.edx, c1.ecx, hz);
	if (!hz)
		return;
	base = rdmsr(MSR_IA32_APIC_BASE);
	check((base & ~0xfffUL) == XAPIC_BASE && (base & APIC_BASE_ENABLE) && (base & APIC_BASE_BSP) &&
		      !(base & APIC_BASE_X2APIC),
	      "IA32_APIC_BASE: 0xfee00000, enabled, BSP, xAPIC mode", "0x%lx", base);
	/* The state a BIOS leaves: virtual wire through LINT0. */
	check((apic_read(APIC_LVT_LINT0) & 0x1f700) == APIC_DM_EXTINT &&
		      (apic_read(APIC_LVT_LINT1) & 0x1f700) == APIC_DM_NMI,
	      "xAPIC at entry: LINT0 ExtINT, LINT1 NMI", "LINT0 0x%x LINT1 0x%x", apic_read(APIC_LVT_LINT0),
	      apic_read(APIC_LVT_LINT1));
	version = apic_read(APIC_VERSION);

	mode = "xAPIC";
	run_all();

	apic_set_x2apic(true);
	base = rdmsr(MSR_IA32_APIC_BASE);
	check((base & APIC_BASE_X2APIC) && (base & APIC_BASE_ENABLE), "IA32_APIC_BASE: x2APIC mode on",
	      "0x%lx", base);
	check(apic_read(APIC_VERSION) == version && (uint32_t)rdmsr(X2APIC_MSR(APIC_ID)) == 0,
	      "x2APIC: version MSR as in xAPIC mode, ID 0", "version 0x%x (xAPIC 0x%x), ID 0x%x",
	      apic_read(APIC_VERSION), version, (uint32_t)rdmsr(X2APIC_MSR(APIC_ID)));
	mode = "x2APIC";
	run_all();
	check(intr_unexpected == 0, "no unexpected interrupts", "%u, the last on vector 0x%x", intr_unexpected,
	      intr_unexpected_vector);
}
