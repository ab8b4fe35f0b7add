/* The hypervisor's virtual address space.
 *
 *   0xffff800000000000  direct map of all physical RAM (read-write, no-execute)
 *   0xffffffff80000000  the hypervisor image, at KERNEL_VMA + its physical address
 *   0xffffffffc0000000  MMIO window: device registers, uncached (mm_map_mmio)
 *
 * Nothing is mapped in the lower half once mm_init() has switched to the final
 * page tables. See docs/boot.md. */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

#ifdef __ASSEMBLER__
#define KERNEL_VMA 0xffffffff80000000
#else
#include "compiler.h"

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define LARGE_PAGE_SIZE (2 * MiB)
#define HUGE_PAGE_SIZE (1 * GiB)

#define KERNEL_VMA 0xffffffff80000000UL
#define DIRECT_MAP_BASE 0xffff800000000000UL
#define MMIO_WINDOW_BASE 0xffffffffc0000000UL
#define MMIO_WINDOW_SIZE (512 * MiB)

/* Section boundaries from linker.ld; the _phys ones are physical addresses. */
extern char _image_phys_start[], _image_phys_end[];
extern char _text_start[], _text_end[];
extern char _rodata_start[], _rodata_end[];
extern char _data_start[], _bss_start[], _bss_end[];

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Works for the direct map and for the image mapping. */
static inline uint64_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}
#endif

#endif
