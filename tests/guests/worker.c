/* CPU-bound: counts loop iterations (no exits) for SPAN_MS of TSC time and
 * prints the count and the longest gap between two TSC reads, i.e. the
 * longest time the CPU was elsewhere. Run N copies side by side: their
 * counts show how fairly hv shares the CPU. */
#include "intr.h"

#define SPAN_MS 500

void guest_main(void)
{
	uint64_t hz = tsc_hz(), start = rdtsc(), end = start + hz * SPAN_MS / 1000, now = start, prev = start;
	uint64_t n = 0, gap = 0;

	while (now < end) {
		now = rdtsc();
		if (now - prev > gap)
			gap = now - prev;
		prev = now;
		n++;
	}
	print("worker: %lu iterations in %u ms of TSC time, longest gap %lu us\n", n, SPAN_MS,
	      hz ? gap * 1000000 / hz : 0);
	check(n > 0, "worker ran", "%lu iterations", n);
}
