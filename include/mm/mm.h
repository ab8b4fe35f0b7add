/* Memory management for the rest of the hypervisor: physical frames, the host
 * page tables and a small heap. The pure logic behind it lives in
 * mm/frame.c, mm/paging.c and mm/heap.c and is unit-tested on the host. */
#ifndef MM_MM_H
#define MM_MM_H

#include "boot/bootinfo.h"
#include "compiler.h"
#include "mm/paging.h"

/* Build the frame allocator from the memory map (reserving the first MiB, the
 * image, the boot information and the modules), build the host page tables
 * (direct map of RAM, W^X image), switch CR3 to them and set up the heap.
 * Logs one summary line per step. Panics with a clear message on failure. */
void mm_init(const struct boot_info *bi);

/* Physical frames. Both return 0 when memory is exhausted. */
uint64_t frame_alloc_page(void);
uint64_t frame_alloc_pages(size_t count, size_t align_pages);
void frame_free_pages(uint64_t phys, size_t count);

/* Page-table pages from the frame allocator, reached through the direct
 * map: for any table builder (host page tables, EPT). */
extern const struct pt_ops mm_frame_table_ops;

/* Heap: 16-byte aligned; returns NULL when exhausted. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* Unmap one page of the image mapping so that touching it faults: the guard
 * page below a stack. va must be page-aligned and inside .bss. */
void mm_make_guard_page(void *va);

/* Map the device registers at [phys, phys + size) uncached (PCD|PWT, that
 * is PAT entry 3 = UC with the power-on PAT), writable and not executable,
 * in the MMIO window (0xffffffffc0000000, 512 MiB, see mm/mm.c), and
 * return the virtual address of phys itself (phys need not be page-aligned).
 * Only after mm_init(). Each call takes fresh window space; mappings are
 * never removed. Panics if the window is full. */
void *mm_map_mmio(uint64_t phys, size_t size);

/* Figures for the boot summary. */
uint64_t mm_usable_bytes(void);
uint64_t mm_free_bytes(void);

#endif
