/* Fills its RAM with a pattern and exits 0. Booted before ept-wild with hv's
 * memcheck option: hv hashes this RAM when the guest ends and verifies the
 * hash after the last guest, so a wild guest that reached it would show. */
#include "guest.h"

static uint64_t pattern(uint64_t addr)
{
	return addr * 0x2545f4914f6cdd1dUL + 0xca4a7;
}

void guest_main(void)
{
	struct ram_range ranges[FREE_RAM_RANGES];
	uint64_t bad = 0;

	free_ram(ranges);
	for (int r = 0; r < FREE_RAM_RANGES; r++)
		for (uint64_t a = ranges[r].start; a < ranges[r].end; a += 8)
			*(volatile uint64_t *)a = pattern(a);
	for (int r = 0; r < FREE_RAM_RANGES; r++)
		for (uint64_t a = ranges[r].start; a < ranges[r].end; a += 8)
			bad += *(volatile uint64_t *)a != pattern(a);
	check(bad == 0, "canary pattern written over all free RAM", "%lu qwords differ", bad);
}
