/* make bench: TSC ticks per VM exit of three kinds, and two exit-free loops
 * whose figures hv compares with the same loops on the bare CPU. Under Bochs
 * the TSC counts retired instructions, so every figure is deterministic.
 * Prints "bench: NAME VALUE ticks" lines; see docs/guests.md. */
#include "guest.h"

#define EXITS 100000
#define COMPUTE_ROUNDS 1000000
#define MEMORY_BYTES (16 * MiB) /* guest mem= must be at least 32M */
#define MEMORY_STRIDE (4096 + 64) /* a new page and a new cache line each step */
#define MEMORY_PASSES 8

static void report(const char *name, uint64_t ticks, uint64_t ops)
{
	print("bench: %s %lu ticks\n", name, ticks / ops);
}

/* xorshift64: a dependent chain of shifts and xors, no memory traffic. */
static uint64_t compute(void)
{
	uint64_t x = 0x9e3779b97f4a7c15UL;

	for (uint32_t i = 0; i < COMPUTE_ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

/* Reads and writes one qword per step over MEMORY_BYTES above the image,
 * touching 4096 pages per pass: TLB misses, and with EPT two-level walks. */
static uint64_t memory(uint64_t base)
{
	uint64_t sum = 0;

	for (int pass = 0; pass < MEMORY_PASSES; pass++) {
		for (uint64_t off = 0; off + 8 <= MEMORY_BYTES; off += MEMORY_STRIDE) {
			volatile uint64_t *p = (volatile uint64_t *)(base + off);

			sum += *p;
			*p = sum;
		}
	}
	return sum;
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

	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		cpuid(0, 0);
	t1 = rdtsc();
	report("cpuid_exit", t1 - t0, EXITS);

	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		wrong += hc_version() != HV_VERSION_CODE;
	t1 = rdtsc();
	report("vmcall_exit", t1 - t0, EXITS);
	check(wrong == 0, "every HC_VERSION returned the version", "%lu did not", wrong);

	t0 = rdtsc();
	for (int i = 0; i < EXITS; i++)
		outb(UNCLAIMED_PORT_HIGH, 0);
	t1 = rdtsc();
	report("pio_exit", t1 - t0, EXITS);

	t0 = rdtsc();
	result = compute();
	t1 = rdtsc();
	report("compute_loop", t1 - t0, 1);
	print("compute result 0x%lx\n", result);

	t0 = rdtsc();
	result = memory(ranges[1].start);
	t1 = rdtsc();
	report("memory_loop", t1 - t0, 1);
	print("memory result 0x%lx\n", result);
}
