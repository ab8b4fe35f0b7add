/* make bench, the bare-CPU half: the same loops the bench guest runs
 * (lib/bench_loops.c), here without VMX and EPT. */
#include "core/bench.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "lib/bench_loops.h"
#include "mm/layout.h"
#include "mm/mm.h"

static void report(const char *name, uint64_t t0, uint64_t result)
{
	console_printf("bench: %s %lu ticks\n", name, rdtsc() - t0);
	log_info("bench: %s result 0x%lx", name, result);
}

void bench_bare_cpu(void)
{
	uint64_t pages = BENCH_MEMORY_BYTES / PAGE_SIZE;
	uint64_t phys = frame_alloc_pages(pages, LARGE_PAGE_SIZE / PAGE_SIZE);
	uint64_t t0;

	if (!phys) {
		log_error("bench: no %u MiB of free memory for the memory loop",
			  BENCH_MEMORY_BYTES / (unsigned int)MiB);
		return;
	}
	console_printf("bench: begin bare_compute_loop\n");
	t0 = rdtsc();
	report("bare_compute_loop", t0, bench_compute());
	console_printf("bench: begin bare_memory_loop\n");
	t0 = rdtsc();
	report("bare_memory_loop", t0, bench_memory((uintptr_t)phys_to_virt(phys)));
	frame_free_pages(phys, pages);
}
