#include "lib/bench_loops.h"

uint64_t bench_compute(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (uint32_t i = 0; i < BENCH_COMPUTE_ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

uint64_t bench_memory(uintptr_t base)
{
	uint64_t sum = 0;

	for (int pass = 0; pass < BENCH_MEMORY_PASSES; pass++) {
		for (uint64_t off = 0; off + 8 <= BENCH_MEMORY_BYTES; off += BENCH_MEMORY_STRIDE) {
			volatile uint64_t *p = (volatile uint64_t *)(base + off);

			sum += *p;
			*p = sum;
		}
	}
	return sum;
}
