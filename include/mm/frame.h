/* The physical frame allocator: one bit per 4 KiB page, from physical 0 up to
 * the end of the highest usable page. Pure logic: the caller says how to reach
 * physical memory, so the host tests can back it with malloc'd memory. */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "boot/bootinfo.h"
#include "compiler.h"

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ULL << FRAME_SHIFT) /* equals PAGE_SIZE; checked in mm.c */

/* A physical address range [start, end). */
struct phys_range {
	uint64_t start;
	uint64_t end;
};

typedef void *(*frame_phys_to_virt_fn)(void *ctx, uint64_t phys);

struct frame_init_args {
	const struct mem_region *regions; /* any order; may overlap */
	size_t region_count;
	const struct phys_range *reserved; /* never handed out */
	size_t reserved_count;
	uint64_t bitmap_limit; /* the bitmap must end at or below this; 0: anywhere */
	frame_phys_to_virt_fn phys_to_virt;
	void *ctx;
};

struct frame_alloc {
	uint64_t *bitmap; /* bit set: page used or not RAM */
	uint64_t bitmap_phys;
	uint64_t bitmap_bytes; /* whole pages */
	uint64_t page_count; /* pages covered, from physical 0 */
	uint64_t usable_pages; /* whole usable pages, before reservations */
	uint64_t free_pages;
	uint64_t hint; /* no page below this index is free */
};

enum frame_status {
	FRAME_OK = 0,
	FRAME_ERR_NO_USABLE = -1, /* the memory map holds no whole usable page */
	FRAME_ERR_NO_ROOM = -2, /* no free spot for the bitmap */
};

/* Find the lowest page-aligned physical spot of size bytes lying in whole
 * usable pages, touched by no other region and by no reserved range, ending
 * at or below limit (0: no limit). Never returns page 0; 0 means none. */
uint64_t frame_find_free_spot(const struct mem_region *regions, size_t region_count,
			      const struct phys_range *reserved, size_t reserved_count,
			      uint64_t size, uint64_t limit);

/* Build the allocator; the bitmap itself and page 0 are reserved too. */
enum frame_status frame_init(struct frame_alloc *fa, const struct frame_init_args *args);

/* count contiguous pages whose first page number is a multiple of
 * align_pages (a power of two; 0 means 1). Returns 0 when there are none. */
uint64_t frame_alloc(struct frame_alloc *fa, size_t count, size_t align_pages);

/* Returns false, changing nothing, if phys is unaligned, outside the bitmap
 * or any of the pages is already free. */
bool frame_free(struct frame_alloc *fa, uint64_t phys, size_t count);

static inline uint64_t frame_usable_bytes(const struct frame_alloc *fa)
{
	return fa->usable_pages * FRAME_SIZE;
}

static inline uint64_t frame_free_bytes(const struct frame_alloc *fa)
{
	return fa->free_pages * FRAME_SIZE;
}

#endif
