/* The physical frame allocator: a bitmap with one bit per page, set when the
 * page is in use, reserved or not RAM at all. */
#include "mm/frame.h"

#include "lib/string.h"

#define BITS_PER_WORD 64
#define WORD_FULL UINT64_MAX
/* x86-64 physical addresses have at most 52 bits (SDM Vol. 3A 4.1.4). */
#define PHYS_ADDR_LIMIT BIT(52)

/* A region as a range, clamped so that rounding to pages cannot overflow. */
static struct phys_range region_range(const struct mem_region *r)
{
	uint64_t start = MIN(r->base, PHYS_ADDR_LIMIT);
	uint64_t end = r->base + r->length;

	if (end < r->base || end > PHYS_ADDR_LIMIT)
		end = PHYS_ADDR_LIMIT;
	return (struct phys_range){ start, end };
}

/* Empty ranges overlap nothing. */
static bool overlaps(uint64_t a_start, uint64_t a_end, struct phys_range b)
{
	return a_start < a_end && b.start < b.end && a_start < b.end && b.start < a_end;
}

/* The range of pages a region touches at all (non-usable regions). */
static struct phys_range touched_pages(struct phys_range r)
{
	return (struct phys_range){ ALIGN_DOWN(r.start, FRAME_SIZE),
				    ALIGN_UP(MIN(r.end, PHYS_ADDR_LIMIT), FRAME_SIZE) };
}

/* The range of whole pages inside a region (usable regions). */
static struct phys_range whole_pages(struct phys_range r)
{
	return (struct phys_range){ ALIGN_UP(r.start, FRAME_SIZE), ALIGN_DOWN(r.end, FRAME_SIZE) };
}

/* If [start, end) collides with a non-usable region or a reserved range,
 * the page-aligned end of that obstacle, else 0. */
static uint64_t obstacle_end(const struct mem_region *regions, size_t region_count,
			     const struct phys_range *reserved, size_t reserved_count,
			     uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < region_count; i++) {
		struct phys_range t = touched_pages(region_range(&regions[i]));

		if (regions[i].type != MEM_USABLE && overlaps(start, end, t))
			return t.end;
	}
	for (size_t i = 0; i < reserved_count; i++) {
		struct phys_range t = touched_pages(reserved[i]);

		if (overlaps(start, end, t))
			return t.end;
	}
	return 0;
}

uint64_t frame_find_free_spot(const struct mem_region *regions, size_t region_count,
			      const struct phys_range *reserved, size_t reserved_count,
			      uint64_t size, uint64_t limit)
{
	uint64_t best = 0;

	size = ALIGN_UP(size, FRAME_SIZE);
	for (size_t i = 0; i < region_count && size; i++) {
		struct phys_range r = whole_pages(region_range(&regions[i]));
		uint64_t start = MAX(r.start, FRAME_SIZE); /* 0 means failure */

		if (regions[i].type != MEM_USABLE)
			continue;
		if (limit)
			r.end = MIN(r.end, ALIGN_DOWN(limit, FRAME_SIZE));
		/* Each obstacle pushes start strictly forward, so this ends. */
		while (start < r.end && size <= r.end - start) {
			uint64_t next = obstacle_end(regions, region_count, reserved,
						     reserved_count, start, start + size);

			if (!next) {
				if (!best || start < best)
					best = start;
				break;
			}
			start = next;
		}
	}
	return best;
}

static bool page_used(const struct frame_alloc *fa, uint64_t page)
{
	return fa->bitmap[page / BITS_PER_WORD] & BIT(page % BITS_PER_WORD);
}

static void set_page(struct frame_alloc *fa, uint64_t page, bool used)
{
	if (page_used(fa, page) == used)
		return;
	fa->bitmap[page / BITS_PER_WORD] ^= BIT(page % BITS_PER_WORD);
	if (used)
		fa->free_pages--;
	else
		fa->free_pages++;
}

/* Mark the pages of [start, end) (page-aligned addresses) used or free. */
static void mark(struct frame_alloc *fa, struct phys_range pages, bool used)
{
	uint64_t end = MIN(pages.end >> FRAME_SHIFT, fa->page_count);

	for (uint64_t page = pages.start >> FRAME_SHIFT; page < end; page++)
		set_page(fa, page, used);
}

/* The end of the highest whole usable page, or 0 if there is none. */
static uint64_t usable_top(const struct frame_init_args *args)
{
	uint64_t top = 0;

	for (size_t i = 0; i < args->region_count; i++) {
		struct phys_range r = whole_pages(region_range(&args->regions[i]));

		if (args->regions[i].type == MEM_USABLE && r.start < r.end)
			top = MAX(top, r.end);
	}
	return top;
}

/* Free every whole usable page, then take back any page another region
 * touches: firmware maps can overlap and the stricter type must win. */
static void mark_memory_map(struct frame_alloc *fa, const struct frame_init_args *args)
{
	for (size_t i = 0; i < args->region_count; i++) {
		const struct mem_region *r = &args->regions[i];

		if (r->type == MEM_USABLE)
			mark(fa, whole_pages(region_range(r)), false);
	}
	for (size_t i = 0; i < args->region_count; i++) {
		const struct mem_region *r = &args->regions[i];

		if (r->type != MEM_USABLE)
			mark(fa, touched_pages(region_range(r)), true);
	}
}

enum frame_status frame_init(struct frame_alloc *fa, const struct frame_init_args *args)
{
	uint64_t top = usable_top(args);
	uint64_t words;

	memset(fa, 0, sizeof(*fa));
	if (!top)
		return FRAME_ERR_NO_USABLE;
	fa->page_count = top >> FRAME_SHIFT;
	words = (fa->page_count + BITS_PER_WORD - 1) / BITS_PER_WORD;
	fa->bitmap_bytes = ALIGN_UP(words * sizeof(uint64_t), FRAME_SIZE);
	fa->bitmap_phys = frame_find_free_spot(args->regions, args->region_count, args->reserved,
					       args->reserved_count, fa->bitmap_bytes,
					       args->bitmap_limit);
	if (!fa->bitmap_phys)
		return FRAME_ERR_NO_ROOM;
	fa->bitmap = args->phys_to_virt(args->ctx, fa->bitmap_phys);
	memset(fa->bitmap, 0xff, fa->bitmap_bytes); /* all used until proven RAM */

	mark_memory_map(fa, args);
	fa->usable_pages = fa->free_pages;
	for (size_t i = 0; i < args->reserved_count; i++)
		mark(fa, touched_pages(args->reserved[i]), true);
	mark(fa, (struct phys_range){ fa->bitmap_phys, fa->bitmap_phys + fa->bitmap_bytes }, true);
	set_page(fa, 0, true);
	return FRAME_OK;
}

/* The first free page at or after page, or page_count. */
static uint64_t next_free(const struct frame_alloc *fa, uint64_t page)
{
	while (page < fa->page_count) {
		if (fa->bitmap[page / BITS_PER_WORD] == WORD_FULL)
			page = ALIGN_DOWN(page, BITS_PER_WORD) + BITS_PER_WORD;
		else if (page_used(fa, page))
			page++;
		else
			return page;
	}
	return fa->page_count;
}

/* The first used page in [page, end), or end. */
static uint64_t next_used(const struct frame_alloc *fa, uint64_t page, uint64_t end)
{
	while (page < end && !page_used(fa, page))
		page++;
	return page;
}

uint64_t frame_alloc(struct frame_alloc *fa, size_t count, size_t align_pages)
{
	uint64_t align = align_pages ? align_pages : 1;
	uint64_t page;

	if (!count || (align & (align - 1)))
		return 0;
	fa->hint = next_free(fa, fa->hint);
	for (page = fa->hint;;) {
		uint64_t busy;

		page = ALIGN_UP(next_free(fa, page), align);
		if (page >= fa->page_count || count > fa->page_count - page)
			return 0;
		busy = next_used(fa, page, page + count);
		if (busy == page + count)
			break;
		page = busy + 1;
	}
	for (uint64_t i = 0; i < count; i++)
		set_page(fa, page + i, true);
	return page << FRAME_SHIFT;
}

bool frame_free(struct frame_alloc *fa, uint64_t phys, size_t count)
{
	uint64_t first = phys >> FRAME_SHIFT;

	if (!IS_ALIGNED(phys, FRAME_SIZE) || !count || first >= fa->page_count ||
	    count > fa->page_count - first)
		return false;
	for (uint64_t i = 0; i < count; i++) {
		if (!page_used(fa, first + i))
			return false;
	}
	for (uint64_t i = 0; i < count; i++)
		set_page(fa, first + i, false);
	fa->hint = MIN(fa->hint, first);
	return true;
}
