/* Frame allocator: memory maps as firmware really writes them (unsorted,
 * overlapping, unaligned), reservations, bitmap placement, exhaustion,
 * contiguous aligned runs and memory above 4 GiB. */
#include <stdlib.h>

#include "mm/frame.h"
#include "test.h"

#define PG FRAME_SIZE

/* Backs the bitmap with exactly bitmap_bytes of malloc'd memory, so ASan
 * catches any write past it, and records where the allocator put it. */
struct fake_phys {
	struct frame_alloc *fa;
	void *buf;
	uint64_t phys;
};

static void *fake_p2v(void *ctx, uint64_t phys)
{
	struct fake_phys *f = ctx;

	f->phys = phys;
	f->buf = malloc(f->fa->bitmap_bytes);
	return f->buf;
}

static enum frame_status init(struct frame_alloc *fa, struct fake_phys *f,
			      const struct mem_region *r, size_t nr,
			      const struct phys_range *res, size_t nres, uint64_t limit)
{
	struct frame_init_args args = {
		.regions = r, .region_count = nr, .reserved = res, .reserved_count = nres,
		.bitmap_limit = limit, .phys_to_virt = fake_p2v, .ctx = f,
	};

	f->fa = fa;
	f->buf = NULL;
	f->phys = 0;
	return frame_init(fa, &args);
}

/* Allocate single pages until exhaustion; returns how many, saving them. */
static size_t alloc_all(struct frame_alloc *fa, uint64_t *out, size_t max)
{
	size_t n = 0;
	uint64_t p;

	while ((p = frame_alloc(fa, 1, 1)) != 0) {
		if (n < max)
			out[n] = p;
		n++;
	}
	return n;
}

static bool contains(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == x)
			return true;
	}
	return false;
}

TEST(frame_simple_map)
{
	struct mem_region r[] = { { 0, 0x9fc00, MEM_USABLE }, { 0x100000, 15 * MiB, MEM_USABLE } };
	struct phys_range res[] = { { 0, 1 * MiB } };
	struct frame_alloc fa;
	struct fake_phys f;

	CHECK_EQ(init(&fa, &f, r, 2, res, 1, 0), FRAME_OK);
	CHECK_EQ(fa.page_count, 16 * MiB / PG);
	CHECK_EQ(fa.bitmap_bytes, PG); /* 4096 bits fit in one page */
	CHECK_EQ(fa.bitmap_phys, 1 * MiB); /* the lowest free spot */
	CHECK_EQ(f.phys, fa.bitmap_phys);
	CHECK_EQ(frame_usable_bytes(&fa), 0x9f * PG + 15 * MiB);
	CHECK_EQ(frame_free_bytes(&fa), 15 * MiB - PG);
	CHECK_EQ(frame_alloc(&fa, 1, 1), 1 * MiB + PG);
	free(f.buf);
}

TEST(frame_unaligned_overlapping_unsorted)
{
	struct mem_region r[] = {
		{ 0x580000, 0x180000, MEM_USABLE }, /* overlaps the next one */
		{ 0x500000, 0x100000, MEM_USABLE },
		{ 0x300800, 0x1800, MEM_USABLE }, /* only page 0x301000 is whole */
		{ 0x200000, 0x2000, MEM_USABLE },
		{ 0x201800, 0x10, MEM_ACPI_NVS }, /* takes back page 0x201000 */
		{ 0x600ff0, 0x20, MEM_RESERVED }, /* touches 0x600000 and 0x601000 */
		{ 0x700000, 0x1000, 99 }, /* unknown types count as reserved */
	};
	uint64_t got[512];
	struct frame_alloc fa;
	struct fake_phys f;
	size_t n;

	CHECK_EQ(init(&fa, &f, r, ARRAY_SIZE(r), NULL, 0, 0), FRAME_OK);
	CHECK_EQ(fa.page_count, 0x700000 / PG);
	/* 0x200000, 0x301000 and 0x500000-0x700000 less two pages */
	CHECK_EQ(fa.usable_pages, 1 + 1 + 0x200 - 2);
	CHECK_EQ(fa.bitmap_phys, 0x200000);
	n = alloc_all(&fa, got, ARRAY_SIZE(got));
	CHECK_EQ(n, fa.usable_pages - 1);
	CHECK(contains(got, n, 0x301000));
	CHECK(contains(got, n, 0x500000));
	CHECK(contains(got, n, 0x6ff000));
	CHECK(!contains(got, n, 0x200000)); /* the bitmap */
	CHECK(!contains(got, n, 0x201000));
	CHECK(!contains(got, n, 0x300000));
	CHECK(!contains(got, n, 0x302000));
	CHECK(!contains(got, n, 0x600000));
	CHECK(!contains(got, n, 0x601000));
	CHECK_EQ(frame_free_bytes(&fa), 0);
	free(f.buf);
}

TEST(frame_reserved_ranges)
{
	struct mem_region r[] = { { 0, 8 * MiB, MEM_USABLE } };
	struct phys_range res[] = {
		{ 0, 1 * MiB }, /* first MiB */
		{ 2 * MiB, 0x280123 }, /* an image with an unaligned end */
		{ 0x100800, 0x100900 }, /* boot information */
		{ 0x400000, 0x400000 }, /* an empty module reserves nothing */
	};
	uint64_t got[2048];
	struct frame_alloc fa;
	struct fake_phys f;
	size_t n;

	CHECK_EQ(init(&fa, &f, r, 1, res, ARRAY_SIZE(res), 0), FRAME_OK);
	CHECK_EQ(fa.bitmap_phys, 0x101000);
	CHECK_EQ(frame_usable_bytes(&fa), 8 * MiB);
	n = alloc_all(&fa, got, ARRAY_SIZE(got));
	CHECK_EQ(n, (8 * MiB - 1 * MiB - 0x81000 - 2 * PG) / PG);
	CHECK(!contains(got, n, 0x100000));
	CHECK(!contains(got, n, 0x280000));
	CHECK(contains(got, n, 0x281000));
	CHECK(contains(got, n, 0x400000));
	free(f.buf);
}

TEST(frame_find_free_spot)
{
	struct mem_region r[] = {
		{ 0, 0x10000, MEM_USABLE },
		{ 0x100000, 0x100000, MEM_USABLE },
		{ 0x104000, 0x100, MEM_ACPI_RECLAIMABLE },
		{ 4 * GiB, 1 * GiB, MEM_USABLE },
	};
	struct phys_range res[] = { { 0x100000, 0x101000 }, { 0x108000, 0x10a000 } };

	/* Page 0 is never chosen, even when nothing reserves it. */
	CHECK_EQ(frame_find_free_spot(r, 1, NULL, 0, PG, 0), PG);
	CHECK_EQ(frame_find_free_spot(r + 1, 3, res, 2, 3 * PG, 0), 0x101000);
	CHECK_EQ(frame_find_free_spot(r + 1, 3, res, 2, 4 * PG, 0), 0x10a000);
	CHECK_EQ(frame_find_free_spot(r + 1, 3, res, 2, 2 * MiB, 0), 4 * GiB);
	CHECK_EQ(frame_find_free_spot(r + 1, 3, res, 2, 2 * MiB, 4 * GiB), 0);
	CHECK_EQ(frame_find_free_spot(r + 1, 3, res, 2, 2 * GiB, 0), 0);
	/* Too big below 64 KiB, and the ACPI page splits the next region. */
	CHECK_EQ(frame_find_free_spot(r, 4, NULL, 0, 0x10000, 0), 0x105000);
}

TEST(frame_no_usable_memory)
{
	struct mem_region r[] = { { 0x1000, 0x2000, MEM_RESERVED }, { 0x10800, 0xc00, MEM_USABLE } };
	struct frame_alloc fa;
	struct fake_phys f;

	CHECK_EQ(init(&fa, &f, r, ARRAY_SIZE(r), NULL, 0, 0), FRAME_ERR_NO_USABLE);
	CHECK_EQ(init(&fa, &f, r, 0, NULL, 0, 0), FRAME_ERR_NO_USABLE);
}

TEST(frame_no_room_for_bitmap)
{
	struct mem_region r[] = { { 0, 64 * KiB, MEM_USABLE } };
	struct phys_range res[] = { { 0, 64 * KiB } };
	struct frame_alloc fa;
	struct fake_phys f;

	CHECK_EQ(init(&fa, &f, r, 1, res, 1, 0), FRAME_ERR_NO_ROOM);
}

TEST(frame_exhaustion_free_realloc)
{
	struct mem_region r[] = { { 1 * MiB, 8 * PG, MEM_USABLE } };
	uint64_t got[16];
	struct frame_alloc fa;
	struct fake_phys f;

	CHECK_EQ(init(&fa, &f, r, 1, NULL, 0, 0), FRAME_OK);
	CHECK_EQ(alloc_all(&fa, got, ARRAY_SIZE(got)), 7);
	CHECK_EQ(frame_alloc(&fa, 1, 1), 0);
	CHECK(frame_free(&fa, got[3], 1));
	CHECK_EQ(frame_free_bytes(&fa), PG);
	CHECK_EQ(frame_alloc(&fa, 1, 1), got[3]);
	CHECK(frame_free(&fa, got[0], 2));
	CHECK_EQ(frame_alloc(&fa, 2, 1), got[0]);
	free(f.buf);
}

TEST(frame_free_rejects_bad_calls)
{
	struct mem_region r[] = { { 1 * MiB, 1 * MiB, MEM_USABLE } };
	struct frame_alloc fa;
	struct fake_phys f;
	uint64_t p;

	CHECK_EQ(init(&fa, &f, r, 1, NULL, 0, 0), FRAME_OK);
	p = frame_alloc(&fa, 2, 1);
	CHECK(p != 0);
	CHECK(!frame_free(&fa, p + 1, 1)); /* unaligned */
	CHECK(!frame_free(&fa, 64 * GiB, 1)); /* outside the bitmap */
	CHECK(!frame_free(&fa, p, 0));
	CHECK(!frame_free(&fa, p, 3)); /* the third page is free: nothing changes */
	CHECK(frame_free(&fa, p, 2));
	CHECK(!frame_free(&fa, p, 1)); /* double free */
	CHECK_EQ(frame_free_bytes(&fa), 1 * MiB - PG);
	free(f.buf);
}

TEST(frame_contiguous_aligned)
{
	struct mem_region r[] = { { 1 * MiB, 1 * MiB, MEM_USABLE } };
	struct frame_alloc fa;
	struct fake_phys f;
	uint64_t a, b, c;

	CHECK_EQ(init(&fa, &f, r, 1, NULL, 0, 0), FRAME_OK);
	/* The bitmap took 0x100000, so the first 16-page-aligned run is one up. */
	a = frame_alloc(&fa, 4, 16);
	CHECK_EQ(a, 0x110000);
	b = frame_alloc(&fa, 1, 1);
	CHECK_EQ(b, 0x101000);
	c = frame_alloc(&fa, 16, 0);
	CHECK_EQ(c, 0x114000); /* the 14 pages below a are too few */
	CHECK_EQ(frame_alloc(&fa, 2, 3), 0); /* not a power of two */
	CHECK_EQ(frame_alloc(&fa, 0, 1), 0);
	CHECK_EQ(frame_alloc(&fa, 256, 1), 0); /* more pages than the region has */
	free(f.buf);
}

TEST(frame_above_4g)
{
	struct mem_region r[] = {
		{ 4 * GiB, 4 * GiB, MEM_USABLE },
		{ 3 * GiB, 1 * GiB, MEM_RESERVED }, /* PCI hole */
		{ 0, 3 * GiB, MEM_USABLE },
	};
	struct phys_range res[] = { { 0, 1 * MiB } };
	struct frame_alloc fa;
	struct fake_phys f;
	const uint64_t gib_pages = GiB / PG;

	CHECK_EQ(init(&fa, &f, r, ARRAY_SIZE(r), res, 1, 4 * GiB), FRAME_OK);
	CHECK_EQ(fa.page_count, 8 * GiB / PG);
	CHECK_EQ(fa.bitmap_bytes, 8 * GiB / PG / 8);
	CHECK_EQ(fa.bitmap_phys, 1 * MiB);
	CHECK_EQ(frame_usable_bytes(&fa), 7 * GiB);
	CHECK_EQ(frame_free_bytes(&fa), 7 * GiB - 1 * MiB - fa.bitmap_bytes);
	CHECK_EQ(frame_alloc(&fa, gib_pages, gib_pages), 1 * GiB);
	CHECK_EQ(frame_alloc(&fa, gib_pages, gib_pages), 2 * GiB);
	CHECK_EQ(frame_alloc(&fa, gib_pages, gib_pages), 4 * GiB);
	CHECK_EQ(frame_alloc(&fa, 4 * gib_pages, 1), 0); /* the largest run is 3 GiB */
	CHECK_EQ(frame_alloc(&fa, gib_pages, 1), 5 * GiB);
	CHECK(frame_free(&fa, 4 * GiB, gib_pages));
	CHECK_EQ(frame_alloc(&fa, 1, 1), 1 * MiB + fa.bitmap_bytes);
	free(f.buf);
}

TEST(frame_bitmap_limit)
{
	struct mem_region r[] = { { 0, 0x10000, MEM_USABLE }, { 4 * GiB, 1 * GiB, MEM_USABLE } };
	struct phys_range res[] = { { 0, 1 * MiB } };
	struct frame_alloc fa;
	struct fake_phys f;

	CHECK_EQ(init(&fa, &f, r, 2, res, 1, 4 * GiB), FRAME_ERR_NO_ROOM);
	CHECK_EQ(init(&fa, &f, r, 2, res, 1, 0), FRAME_OK);
	CHECK_EQ(fa.bitmap_phys, 4 * GiB);
	free(f.buf);
}
