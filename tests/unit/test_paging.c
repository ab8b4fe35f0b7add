/* Page-table builder: page-size choice, flags read back, splitting large
 * pages on unmap, bad arguments and table bookkeeping. Tables are aligned
 * malloc'd pages whose host address serves as their "physical" address. */
#include <stdlib.h>

#include "mm/paging.h"
#include "table_pool.h"
#include "test.h"

#define VA 0xffff800000000000ULL /* the direct map */
#define IMAGE_BASE 0xffffffff80000000ULL

struct fixture {
	struct table_pool pool;
	struct pt_ops ops;
	struct page_table pt;
};

static void setup(struct fixture *f, size_t limit)
{
	table_pool_init(&f->pool, &f->ops, limit);
	CHECK_EQ(pt_init(&f->pt, &f->ops), PT_OK);
}

static void teardown(struct fixture *f)
{
	pt_destroy(&f->pt);
	CHECK_EQ(f->pool.live, 0);
}

/* The page size mapping va, or 0 if va is unmapped. */
static uint64_t size_at(const struct fixture *f, uint64_t va)
{
	uint64_t size;

	return pt_lookup(&f->pt, va, NULL, NULL, &size) ? size : 0;
}

static uint64_t pa_at(const struct fixture *f, uint64_t va)
{
	uint64_t pa;

	return pt_lookup(&f->pt, va, &pa, NULL, NULL) ? pa : ~0ULL;
}

static uint64_t flags_at(const struct fixture *f, uint64_t va)
{
	uint64_t flags;

	return pt_lookup(&f->pt, va, NULL, &flags, NULL) ? flags : 0;
}

TEST(paging_page_size_by_alignment)
{
	struct fixture f;
	const uint64_t size = 2 * PT_SIZE_1G + PT_SIZE_2M + 2 * PT_SIZE_4K;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, size, PTE_W | PTE_NX, PT_SIZE_1G), PT_OK);
	CHECK_EQ(f.pool.live, 4); /* PML4, PDPT, one PD, one PT */
	CHECK_EQ(size_at(&f, VA), PT_SIZE_1G);
	CHECK_EQ(size_at(&f, VA + PT_SIZE_1G + 0x1234), PT_SIZE_1G);
	CHECK_EQ(size_at(&f, VA + 2 * PT_SIZE_1G), PT_SIZE_2M);
	CHECK_EQ(size_at(&f, VA + 2 * PT_SIZE_1G + PT_SIZE_2M + PT_SIZE_4K), PT_SIZE_4K);
	CHECK_EQ(size_at(&f, VA + size), 0);
	CHECK_EQ(pa_at(&f, VA + PT_SIZE_1G + 0x1234), PT_SIZE_1G + 0x1234);
	CHECK_EQ(pa_at(&f, VA + size - 1), size - 1);
	teardown(&f);
}

TEST(paging_max_page_size_respected)
{
	struct fixture f;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_1G, PTE_W, PT_SIZE_2M), PT_OK);
	CHECK_EQ(size_at(&f, VA), PT_SIZE_2M);
	CHECK_EQ(size_at(&f, VA + PT_SIZE_1G - 1), PT_SIZE_2M);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_1G, PT_SIZE_1G, PT_SIZE_2M, PTE_W, PT_SIZE_4K), PT_OK);
	CHECK_EQ(size_at(&f, VA + PT_SIZE_1G), PT_SIZE_4K);
	CHECK_EQ(pt_map(&f.pt, VA + 2 * PT_SIZE_1G, 0, PT_SIZE_1G, PTE_W, 3 * PT_SIZE_4K),
		 PT_ERR_INVAL);
	teardown(&f);
}

TEST(paging_misaligned_pa_uses_small_pages)
{
	struct fixture f;

	setup(&f, SIZE_MAX);
	/* va is 1 GiB-aligned but pa only 4 KiB-aligned: no large page fits. */
	CHECK_EQ(pt_map(&f.pt, VA, 0x5000, 4 * PT_SIZE_2M, PTE_W, PT_SIZE_1G), PT_OK);
	CHECK_EQ(size_at(&f, VA), PT_SIZE_4K);
	CHECK_EQ(pa_at(&f, VA + 3 * PT_SIZE_2M), 3 * PT_SIZE_2M + 0x5000);
	/* pa 2 MiB-aligned, not 1 GiB: 2 MiB pages. */
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_1G, PT_SIZE_2M, PT_SIZE_1G, PTE_W, PT_SIZE_1G), PT_OK);
	CHECK_EQ(size_at(&f, VA + PT_SIZE_1G), PT_SIZE_2M);
	teardown(&f);
}

TEST(paging_wx_flags_read_back)
{
	struct fixture f;
	const uint64_t text = IMAGE_BASE + 0x200000, rodata = text + 0x3000, data = rodata + 0x2000;
	const uint64_t mmio = 0xffffffffc0000000ULL;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, text, 0x200000, 0x3000, 0, PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_map(&f.pt, rodata, 0x203000, 0x2000, PTE_NX, PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_map(&f.pt, data, 0x205000, 0x4000, PTE_W | PTE_NX, PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_map(&f.pt, mmio, 0xfee00000, PT_SIZE_4K, PTE_W | PTE_NX | PTE_PCD | PTE_PWT,
			PT_SIZE_4K), PT_OK);
	CHECK_EQ(flags_at(&f, text + 0x2fff), PTE_P);
	CHECK_EQ(flags_at(&f, rodata), PTE_P | PTE_NX);
	CHECK_EQ(flags_at(&f, data + 0x3000), PTE_P | PTE_W | PTE_NX);
	CHECK_EQ(flags_at(&f, mmio), PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
	CHECK_EQ(pa_at(&f, mmio + 0x30), 0xfee00030);
	CHECK_EQ(pa_at(&f, data + 0x10), 0x205010);
	teardown(&f);
}

TEST(paging_unmap_splits_2m_page)
{
	struct fixture f;
	const uint64_t hole = VA + PT_SIZE_2M + 0x5000;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, 2 * PT_SIZE_2M, PTE_W | PTE_NX, PT_SIZE_2M), PT_OK);
	CHECK_EQ(pt_unmap_page(&f.pt, hole), PT_OK);
	CHECK_EQ(size_at(&f, hole), 0);
	CHECK_EQ(size_at(&f, hole + 0xfff), 0);
	CHECK_EQ(size_at(&f, hole - PT_SIZE_4K), PT_SIZE_4K);
	CHECK_EQ(pa_at(&f, hole - PT_SIZE_4K), PT_SIZE_2M + 0x4000);
	CHECK_EQ(pa_at(&f, hole + PT_SIZE_4K), PT_SIZE_2M + 0x6000);
	CHECK_EQ(pa_at(&f, VA + 2 * PT_SIZE_2M - 1), 2 * PT_SIZE_2M - 1);
	CHECK_EQ(flags_at(&f, hole + PT_SIZE_4K), PTE_P | PTE_W | PTE_NX);
	CHECK_EQ(size_at(&f, VA), PT_SIZE_2M); /* the neighbour stays large */
	CHECK_EQ(pt_unmap_page(&f.pt, hole), PT_ERR_NOT_MAPPED);
	teardown(&f);
}

TEST(paging_unmap_splits_1g_page)
{
	struct fixture f;
	const uint64_t pa = 4 * PT_SIZE_1G; /* above 4 GiB */

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, pa, PT_SIZE_1G, PTE_NX, PT_SIZE_1G), PT_OK);
	CHECK_EQ(pt_unmap_page(&f.pt, VA + 0x3000), PT_OK);
	CHECK_EQ(size_at(&f, VA + 0x3000), 0);
	CHECK_EQ(size_at(&f, VA), PT_SIZE_4K);
	CHECK_EQ(pa_at(&f, VA + 0x4000), pa + 0x4000);
	CHECK_EQ(size_at(&f, VA + PT_SIZE_2M), PT_SIZE_2M);
	CHECK_EQ(pa_at(&f, VA + PT_SIZE_1G - 1), pa + PT_SIZE_1G - 1);
	CHECK_EQ(flags_at(&f, VA + PT_SIZE_1G - 1), PTE_P | PTE_NX);
	CHECK_EQ(flags_at(&f, VA + 0x4000), PTE_P | PTE_NX);
	teardown(&f);
}

TEST(paging_split_keeps_pat_bit)
{
	struct fixture f;
	pte_t *pml4, *pdpt, *pd, *pt;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_2M, PTE_W, PT_SIZE_2M), PT_OK);
	pml4 = (pte_t *)(uintptr_t)f.pt.root_phys;
	pdpt = (pte_t *)(uintptr_t)(pml4[256] & PTE_ADDR_MASK);
	pd = (pte_t *)(uintptr_t)(pdpt[0] & PTE_ADDR_MASK);
	pd[0] |= PTE_PAT_LARGE;
	CHECK_EQ(pa_at(&f, VA + 0x1000), 0x1000);
	CHECK_EQ(pt_unmap_page(&f.pt, VA), PT_OK);
	pt = (pte_t *)(uintptr_t)(pd[0] & PTE_ADDR_MASK);
	CHECK_EQ(pt[1], 0x1000 | PTE_P | PTE_W | PTE_PAT);
	teardown(&f);
}

TEST(paging_high_physical_addresses)
{
	struct fixture f;
	const uint64_t pa = 0x000ffffffffe0000ULL; /* the top of 52 bits */

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, pa, 0x20000, PTE_W, PT_SIZE_1G), PT_OK);
	CHECK_EQ(pa_at(&f, VA + 0x1ffff), 0x000fffffffffffffULL);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_1G, 5 * PT_SIZE_1G, PT_SIZE_1G, PTE_W, PT_SIZE_1G),
		 PT_OK);
	CHECK_EQ(pa_at(&f, VA + PT_SIZE_1G + 0x123), 5 * PT_SIZE_1G + 0x123);
	CHECK_EQ(pt_map(&f.pt, VA + 2 * PT_SIZE_1G, pa, 0x21000, PTE_W, PT_SIZE_4K), PT_ERR_INVAL);
	teardown(&f);
}

TEST(paging_lookup_unmapped)
{
	struct fixture f;

	setup(&f, SIZE_MAX);
	CHECK(!pt_lookup(&f.pt, VA, NULL, NULL, NULL));
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_OK);
	CHECK(pt_lookup(&f.pt, VA, NULL, NULL, NULL));
	CHECK(!pt_lookup(&f.pt, VA + PT_SIZE_4K, NULL, NULL, NULL));
	CHECK(!pt_lookup(&f.pt, VA + PT_SIZE_1G, NULL, NULL, NULL));
	CHECK(!pt_lookup(&f.pt, 0x0000800000000000ULL, NULL, NULL, NULL)); /* non-canonical */
	CHECK_EQ(pt_unmap_page(&f.pt, VA + PT_SIZE_1G), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_unmap_page(&f.pt, VA), PT_OK);
	CHECK(!pt_lookup(&f.pt, VA, NULL, NULL, NULL));
	teardown(&f);
}

TEST(paging_rejects_bad_arguments)
{
	struct fixture f;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_4K, PTE_W | PTE_U, PT_SIZE_4K), PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_4K, PTE_PS, PT_SIZE_4K), PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, VA + 1, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, VA, 0x800, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, VA, 0, 0x800, PTE_W, PT_SIZE_4K), PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, 0x0000800000000000ULL, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K),
		 PT_ERR_INVAL);
	/* A range running from the lower half across the hole. */
	CHECK_EQ(pt_map(&f.pt, 0x00007ffffffff000ULL, 0, 2 * PT_SIZE_4K, PTE_W, PT_SIZE_4K),
		 PT_ERR_INVAL);
	CHECK_EQ(pt_map(&f.pt, VA, 0, 0, PTE_W, PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_unmap_page(&f.pt, VA + 0x10), PT_ERR_INVAL);
	CHECK_EQ(f.pool.live, 1);
	teardown(&f);
}

TEST(paging_refuses_overlap)
{
	struct fixture f;

	setup(&f, SIZE_MAX);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_2M, PTE_W, PT_SIZE_2M), PT_OK);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_4K, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_2M, PTE_W, PT_SIZE_2M), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_2M, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_2M, 0, PT_SIZE_2M, PTE_W, PT_SIZE_2M), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_1G, PTE_W, PT_SIZE_1G), PT_ERR_EXISTS);
	teardown(&f);
}

TEST(paging_out_of_tables)
{
	struct fixture f;
	struct page_table other;

	setup(&f, 3);
	CHECK_EQ(pt_map(&f.pt, VA, 0, PT_SIZE_2M, PTE_W, PT_SIZE_2M), PT_OK);
	CHECK_EQ(pt_map(&f.pt, VA + PT_SIZE_2M, 0, PT_SIZE_4K, PTE_W, PT_SIZE_4K), PT_ERR_NOMEM);
	CHECK_EQ(pt_unmap_page(&f.pt, VA), PT_ERR_NOMEM);
	CHECK_EQ(size_at(&f, VA), PT_SIZE_2M); /* a failed split changes nothing */
	CHECK_EQ(pt_init(&other, &f.ops), PT_ERR_NOMEM);
	teardown(&f);
}
