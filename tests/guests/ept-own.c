/* EPT maps all of the guest's RAM, each page to its own memory: fresh RAM
 * reads zero (nothing left over from another guest), and patterns written in
 * 4 KiB and 2 MiB strides and over every qword read back. Two guest pages
 * backed by one host page would show as a mismatch. */
#include "guest.h"

static struct ram_range ranges[FREE_RAM_RANGES];

static uint64_t pattern(uint64_t addr, uint64_t seed)
{
	return (addr ^ seed) * 0x9e3779b97f4a7c15UL;
}

/* Writes pattern(seed) at every stride bytes of the free RAM, then reads it
 * all back; reports the first mismatch. */
static void check_stride(uint64_t stride, uint64_t seed, const char *name)
{
	for (int r = 0; r < FREE_RAM_RANGES; r++)
		for (uint64_t a = ranges[r].start; a < ranges[r].end; a += stride)
			*(volatile uint64_t *)a = pattern(a, seed);
	for (int r = 0; r < FREE_RAM_RANGES; r++) {
		for (uint64_t a = ranges[r].start; a < ranges[r].end; a += stride) {
			uint64_t got = *(volatile uint64_t *)a;

			if (got != pattern(a, seed)) {
				check(false, name, "GPA 0x%lx reads 0x%lx, wrote 0x%lx", a, got, pattern(a, seed));
				return;
			}
		}
	}
	pass(name);
}

static void check_zero(void)
{
	for (int r = 0; r < FREE_RAM_RANGES; r++) {
		for (uint64_t a = ranges[r].start; a < ranges[r].end; a += 8) {
			uint64_t got = *(volatile uint64_t *)a;

			if (got) {
				check(false, "RAM outside the image reads zero at entry", "GPA 0x%lx reads 0x%lx", a, got);
				return;
			}
		}
	}
	pass("RAM outside the image reads zero at entry");
}

/* An unaligned qword across each 2 MiB boundary: one access, two EPT
 * mappings (or one large page split by hv). */
static void check_boundaries(void)
{
	for (uint64_t b = 2 * MiB; b + 4 <= ranges[1].end; b += 2 * MiB) {
		volatile uint64_t *p = (volatile uint64_t *)(b - 4);

		if (b - 4 < ranges[1].start)
			continue;
		*p = pattern(b, 7);
		if (*p != pattern(b, 7)) {
			check(false, "qwords across 2 MiB boundaries", "at GPA 0x%lx reads 0x%lx", b - 4, *p);
			return;
		}
	}
	pass("qwords across 2 MiB boundaries");
}

void guest_main(void)
{
	free_ram(ranges);
	print("RAM %lu KiB; free 0x%lx-0x%lx and 0x%lx-0x%lx\n", ram_size() / 1024, ranges[0].start, ranges[0].end,
	      ranges[1].start, ranges[1].end);
	check_zero();
	check_stride(4096, 1, "pattern in 4 KiB strides");
	check_stride(2 * MiB, 2, "pattern in 2 MiB strides");
	check_boundaries();
	check_stride(8, 3, "pattern in every qword");
}
