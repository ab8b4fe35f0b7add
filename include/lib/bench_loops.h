/* The two exit-free loops of make bench, compiled into the hypervisor (run
 * on the bare CPU) and into the bench guest (run under VMX and EPT) from
 * this one source, so their instruction counts can be compared. */
#ifndef LIB_BENCH_LOOPS_H
#define LIB_BENCH_LOOPS_H

#include <stdint.h>

#define BENCH_COMPUTE_ROUNDS 1000000
#define BENCH_MEMORY_BYTES (16u * 1024 * 1024)
#define BENCH_MEMORY_STRIDE (4096 + 64) /* a new page and a new cache line each step */
#define BENCH_MEMORY_PASSES 8

/* xorshift64: a dependent chain of shifts and xors, no memory traffic. */
uint64_t bench_compute(void);
/* Reads and writes one qword per step over BENCH_MEMORY_BYTES at base,
 * a new page each step: TLB misses, and under EPT two-dimensional walks. */
uint64_t bench_memory(uintptr_t base);

#endif
