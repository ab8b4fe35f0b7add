/* make bench: TSC ticks per VM exit of three kinds, and two exit-free loops
 * whose figures hv compares with the same loops on the bare CPU. Under Bochs
 * the TSC counts retired instructions, so every figure is deterministic.
 * Prints "bench: NAME VALUE ticks" lines; see docs/guests.md. */
#include "guest.h"
#include "lib/bench_loops.h"

#define EXITS 100000
#define MEMORY_BYTES BENCH_MEMORY_BYTES /* guest mem= must be at least 32M */

/* Each figure is framed by a "bench: begin NAME" line: scripts/bench.sh
 * timestamps serial lines as they arrive, which gives the wall time. */
static void begin(const char *name)
{
	print("bench: begin %s\n", name);
}

static void report(const char *name, uint64_t ticks, uint64_t ops)
{
	print("bench: %s %lu ticks\n", name, ticks / ops);
}

void guest_main(void)
{
	struct ram_range ranges[FREE_RAM_RANGES];
	uint64_t t0, t1, wrong = 0, result;

	free_ram(ranges);
	if (!check(ranges[1].end - ranges[1].start >= MEMORY_BYTES, "RAM for the memory loop",
		   "free RAM 0x%lx-0x%lx is smaller than %lu MiB", ranges[1].start, ranges[1].end,
		   MEMORY_BYTES / MiB))
		return;

	begin("cpuid_exit");
	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		cpuid(0, 0);
	t1 = rdtsc();
	report("cpuid_exit", t1 - t0, EXITS);

	begin("vmcall_exit");
	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		wrong += hc_version() != HV_VERSION_CODE;
	t1 = rdtsc();
	report("vmcall_exit", t1 - t0, EXITS);
	check(wrong == 0, "every HC_VERSION returned the version", "%lu did not", wrong);

	begin("pio_exit");
	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		outb(UNCLAIMED_PORT_HIGH, 0);
	t1 = rdtsc();
	report("pio_exit", t1 - t0, EXITS);

	begin("compute_loop");
	t0 = rdtsc();
	result = bench_compute();
	t1 = rdtsc();
	report("compute_loop", t1 - t0, 1);
	print("compute result 0x%lx\n", result);

	begin("memory_loop");
	t0 = rdtsc();
	result = bench_memory(ranges[1].start);
	t1 = rdtsc();
	report("memory_loop", t1 - t0, 1);
	print("memory result 0x%lx\n", result);
}
