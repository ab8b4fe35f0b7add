/* Local APIC timer driver (SDM Vol. 3A 11.5.4). */
#include "drivers/timer.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/msr.h"
#include "core/log.h"
#include "drivers/tsc.h"

#define SELFTEST_DELAY_US 1000
#define SELFTEST_PATIENCE 100 /* give up after 100x the delay */
#define APIC_CALIBRATION_US 1000
#define APIC_COUNT_MAX UINT32_MAX

static bool tsc_deadline;
static uint64_t apic_hz; /* one-shot mode only */
static timer_fn armed_fn;
static volatile uint64_t fired_at;

static void timer_interrupt(struct trap_frame *frame)
{
	timer_fn fn = armed_fn;

	(void)frame;
	armed_fn = NULL;
	apic_eoi();
	if (fn)
		fn();
}

/* The APIC timer's input clock is model specific: count it against the TSC. */
static uint64_t calibrate_apic_timer(void)
{
	uint64_t start, wait = ns_to_tsc(APIC_CALIBRATION_US * 1000ull);
	uint32_t elapsed;

	apic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, APIC_COUNT_MAX);
	start = rdtsc();
	while (rdtsc() - start < wait)
		cpu_relax();
	elapsed = APIC_COUNT_MAX - apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INITIAL, 0);
	return (uint64_t)elapsed * 1000000 / APIC_CALIBRATION_US;
}

void timer_init(void)
{
	irq_register(APIC_TIMER_VECTOR, timer_interrupt);
	tsc_deadline = cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE;
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | APIC_TIMER_VECTOR);
		log_info("timer: local APIC timer in TSC-deadline mode");
		return;
	}
	apic_hz = calibrate_apic_timer();
	if (!apic_hz)
		panic("timer: the local APIC timer does not count");
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | APIC_TIMER_VECTOR);
	log_info("timer: local APIC timer in one-shot mode, %lu kHz after divide-by-16",
		 apic_hz / 1000);
}

const char *timer_mode_name(void)
{
	return tsc_deadline ? "TSC-deadline" : "one-shot";
}

void timer_arm(uint64_t deadline_tsc, timer_fn fn)
{
	uint64_t now, count;

	armed_fn = fn;
	if (tsc_deadline) {
		/* A deadline in the past fires at once (SDM Vol. 3A 11.5.4.1). */
		wrmsr(MSR_IA32_TSC_DEADLINE, deadline_tsc);
		return;
	}
	now = rdtsc();
	count = deadline_tsc > now ? (deadline_tsc - now) * apic_hz / tsc_hz() : 0;
	apic_write(APIC_TIMER_INITIAL, (uint32_t)MAX(MIN(count, (uint64_t)APIC_COUNT_MAX), 1ull));
}

void timer_cancel(void)
{
	armed_fn = NULL;
	if (tsc_deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	else
		apic_write(APIC_TIMER_INITIAL, 0);
}

static void selftest_fired(void)
{
	fired_at = rdtsc();
}

void timer_selftest(void)
{
	uint64_t delay = ns_to_tsc(SELFTEST_DELAY_US * 1000ull);
	uint64_t start = rdtsc(), deadline = start + delay;

	fired_at = 0;
	timer_arm(deadline, selftest_fired);
	/* Spin rather than halt: if the timer never fires, HLT would never
	 * wake and the failure would go unreported. */
	irq_enable();
	while (!fired_at && rdtsc() - start < delay * SELFTEST_PATIENCE)
		cpu_relax();
	irq_disable();
	if (!fired_at) {
		timer_cancel();
		panic("timer: the local APIC timer (%s) did not fire within %u us",
		      timer_mode_name(), SELFTEST_DELAY_US * SELFTEST_PATIENCE);
	}
	log_info("timer: %s deadline %u us ahead fired after %lu us", timer_mode_name(),
		 SELFTEST_DELAY_US, tsc_to_ns(fired_at - start) / 1000);
}
