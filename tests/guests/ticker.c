/* A LAPIC timer ticking periodically at TICK_HZ (guests.mk builds one image
 * per rate, ticker-HZ.elf), counted against the TSC over SPAN_MS while
 * other guests run beside it: the ticks must come at the programmed rate,
 * within 1 %, however busy the others are. */
#include "intr.h"

#ifndef TICK_HZ
#error "TICK_HZ: the tick rate, given by guests.mk"
#endif

#define SPAN_MS 500
#define MAX_TICKS (TICK_HZ * SPAN_MS / 1000 + 16)
#define V_TICK 0x40

static volatile unsigned ticks;
static volatile uint64_t tick_tsc[MAX_TICKS];

static void on_tick(struct trap_frame *f)
{
	(void)f;
	if (ticks < MAX_TICKS)
		tick_tsc[ticks] = rdtsc();
	ticks++;
	apic_eoi();
}

void guest_main(void)
{
	uint64_t hz = tsc_hz(), want = hz / TICK_HZ, start, end, period, err;
	uint64_t max_gap = 0;
	unsigned max_at = 0;
	unsigned n, in_span = 0, expected = TICK_HZ * SPAN_MS / 1000, slack;

	intr_init();
	intr_set_handler(V_TICK, on_tick);
	apic_setup();
	start = rdtsc();
	end = start + hz * SPAN_MS / 1000;
	apic_timer_start(APIC_TIMER_PERIODIC | V_TICK, (uint32_t)want);
	cli();
	while (rdtsc() < end)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	apic_timer_stop();
	n = ticks < MAX_TICKS ? ticks : MAX_TICKS;
	for (unsigned i = 0; i < n; i++)
		if (tick_tsc[i] >= start && tick_tsc[i] < end)
			in_span++;
	for (unsigned i = 1; i < n; i++)
		if (tick_tsc[i] - tick_tsc[i - 1] > max_gap) {
			max_gap = tick_tsc[i] - tick_tsc[i - 1];
			max_at = i;
		}
	period = n > 1 ? (tick_tsc[n - 1] - tick_tsc[0]) / (n - 1) : 0;
	err = period > want ? period - want : want - period;
	slack = expected / 100 > 1 ? expected / 100 : 1;
	print("%u Hz: %u ticks in %u ms of TSC time, period %lu TSC ticks (want %lu)\n", TICK_HZ, in_span, SPAN_MS,
	      period, want);
	print("%u Hz: longest gap between ticks %lu us, before tick %u\n", TICK_HZ, max_gap * 1000000 / hz, max_at);
	check(in_span + slack >= expected && in_span <= expected + slack, "tick count over the span within 1%",
	      "%u ticks, want %u", in_span, expected);
	check(err * 100 < want, "tick period within 1%", "period %lu, want %lu", period, want);
	check(intr_unexpected == 0, "no unexpected interrupts", "%u, the last on vector 0x%x", intr_unexpected,
	      intr_unexpected_vector);
}
