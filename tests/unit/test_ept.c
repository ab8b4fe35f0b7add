/* EPT builder: page sizes by alignment and capability, rights, memory type,
 * overlaps, bad arguments and table bookkeeping. */
#include "table_pool.h"
#include "test.h"
#include "vmm/ept.h"
#include "vmm/vmcs_fields.h"

struct fixture {
	struct table_pool pool;
	struct pt_ops ops;
	struct ept ept;
};

static void setup(struct fixture *f, size_t limit)
{
	table_pool_init(&f->pool, &f->ops, limit);
	CHECK_EQ(ept_init(&f->ept, &f->ops), EPT_OK);
}

static void teardown(struct fixture *f)
{
	ept_destroy(&f->ept);
	CHECK_EQ(f->pool.live, 0);
}

TEST(ept_guest_ram_uses_large_pages)
{
	struct fixture f;
	uint64_t hpa, rights, size;

	setup(&f, 64);
	/* 2 GiB + 6 MiB + 12 KiB of RAM at host 1 GiB: 1G, 2M and 4K pages */
	CHECK_EQ(ept_map(&f.ept, 0, 1ULL << 30, (2ULL << 30) + (6 << 20) + (12 << 10), EPT_RWX,
			 PT_SIZE_1G),
		 EPT_OK);
	CHECK(ept_lookup(&f.ept, 0x12345, &hpa, &rights, &size));
	CHECK_EQ(hpa, (1ULL << 30) + 0x12345);
	CHECK_EQ(rights, EPT_RWX);
	CHECK_EQ(size, PT_SIZE_1G);
	CHECK(ept_lookup(&f.ept, (2ULL << 30) + 0x100, &hpa, NULL, &size));
	CHECK_EQ(size, PT_SIZE_2M);
	CHECK(ept_lookup(&f.ept, (2ULL << 30) + (6 << 20) + 0x2fff, &hpa, NULL, &size));
	CHECK_EQ(size, PT_SIZE_4K);
	CHECK_EQ(hpa, (3ULL << 30) + (6 << 20) + 0x2fff);
	/* right after the end: not mapped */
	CHECK(!ept_lookup(&f.ept, (2ULL << 30) + (6 << 20) + (12 << 10), NULL, NULL, NULL));
	teardown(&f);
}

TEST(ept_respects_max_page_and_alignment)
{
	struct fixture f;
	uint64_t size;

	setup(&f, 64);
	/* no 1 GiB EPT pages on this CPU: 2 MiB at most */
	CHECK_EQ(ept_map(&f.ept, 0, 1ULL << 30, 1ULL << 30, EPT_RWX, PT_SIZE_2M), EPT_OK);
	CHECK(ept_lookup(&f.ept, 0x40000, NULL, NULL, &size));
	CHECK_EQ(size, PT_SIZE_2M);
	/* host address only 4 KiB aligned: 4 KiB pages throughout */
	CHECK_EQ(ept_map(&f.ept, 1ULL << 30, 0x3000, 4 << 20, EPT_RWX, PT_SIZE_1G), EPT_OK);
	CHECK(ept_lookup(&f.ept, (1ULL << 30) + (3 << 20), NULL, NULL, &size));
	CHECK_EQ(size, PT_SIZE_4K);
	teardown(&f);
}

TEST(ept_leaf_format)
{
	struct fixture f;
	uint64_t *pml4, *pdpt, *pd;

	setup(&f, 8);
	CHECK_EQ(ept_map(&f.ept, 0, 0x40000000, 2 << 20, EPT_R | EPT_X, PT_SIZE_2M), EPT_OK);
	pml4 = (uint64_t *)(uintptr_t)f.ept.root_phys;
	CHECK_EQ(pml4[0] & EPT_RWX, EPT_RWX);
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & EPT_ADDR_MASK);
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & EPT_ADDR_MASK);
	CHECK_EQ(pd[0], 0x40000000 | EPT_R | EPT_X | EPT_MEMTYPE_WB | EPT_LARGE);
	CHECK_EQ(pd[1], 0); /* fresh tables are zeroed */
	CHECK_EQ(ept_pointer(&f.ept), f.ept.root_phys | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4);
	teardown(&f);
}

TEST(ept_rejects_bad_requests)
{
	struct fixture f;

	setup(&f, 64);
	CHECK_EQ(ept_map(&f.ept, 0x1000, 0x2001, 0x1000, EPT_RWX, PT_SIZE_2M), EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, 0, 0, 0, EPT_RWX, PT_SIZE_2M), EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, 0, 0, 0x1000, EPT_W, PT_SIZE_2M), EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, 0, 0, 0x1000, 1ULL << 9, PT_SIZE_2M), EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, 1ULL << 48, 0, 0x1000, EPT_RWX, PT_SIZE_2M), EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, (1ULL << 48) - 0x1000, 0, 0x2000, EPT_RWX, PT_SIZE_2M),
		 EPT_ERR_INVAL);
	CHECK_EQ(ept_map(&f.ept, 0, 0, 2 << 20, EPT_RWX, PT_SIZE_2M), EPT_OK);
	CHECK_EQ(ept_map(&f.ept, 0x1000, 0, 0x1000, EPT_RWX, PT_SIZE_2M), EPT_ERR_EXISTS);
	teardown(&f);
}

TEST(ept_out_of_tables)
{
	struct fixture f;

	setup(&f, 3); /* PML4, PDPT, PD: no room for a page table */
	CHECK_EQ(ept_map(&f.ept, 0, 0, 0x1000, EPT_RWX, PT_SIZE_2M), EPT_ERR_NOMEM);
	teardown(&f);
}
