/* x86-64 4-level page tables (Intel SDM Vol. 3A 4.5). Levels are numbered as
 * in the SDM's walk: 4 is the PML4, 3 the PDPT, 2 the PD and 1 the PT. */
#include "mm/paging.h"

#include "lib/string.h"

#define LEVEL_PML4 4
#define LEVEL_PDPT 3
#define LEVEL_PD 2
#define LEVEL_PT 1
#define LEVEL_BITS 9
#define INDEX_MASK (PT_ENTRIES - 1)

/* Linear addresses have 48 bits; bits 63:47 must all be equal (SDM Vol. 3A
 * 3.3.7.1), so the address space has a hole in the middle. */
#define VA_BITS 48
#define VA_HIGH_ONES ((1ULL << (64 - VA_BITS + 1)) - 1)
#define PA_LIMIT BIT(52)

/* Non-leaf entries grant everything; the leaf alone restricts access, since
 * the effective rights combine all levels (SDM Vol. 3A 4.6). */
#define TABLE_FLAGS (PTE_P | PTE_W)
/* Attributes lookup reports from the leaf alone. */
#define LEAF_ATTRS (PTE_PWT | PTE_PCD | PTE_G)

_Static_assert(PT_ENTRIES == 1 << LEVEL_BITS, "9 address bits per level");
_Static_assert(PT_SHIFT_2M == PT_SHIFT_4K + LEVEL_BITS, "a PDE maps 2 MiB");
_Static_assert(PT_SHIFT_1G == PT_SHIFT_2M + LEVEL_BITS, "a PDPTE maps 1 GiB");

static unsigned int level_shift(int level)
{
	return PT_SHIFT_4K + LEVEL_BITS * (unsigned int)(level - 1);
}

static uint64_t level_size(int level)
{
	return 1ULL << level_shift(level);
}

static unsigned int entry_index(uint64_t va, int level)
{
	return (va >> level_shift(level)) & INDEX_MASK;
}

/* An entry that maps a page rather than pointing at the next table. PS is
 * reserved in a PML4E and is the PAT bit in a PTE. */
static bool is_leaf(pte_t e, int level)
{
	return level == LEVEL_PT || (level <= LEVEL_PDPT && (e & PTE_PS));
}

static pte_t *table_at(const struct page_table *pt, uint64_t phys)
{
	return pt->ops->phys_to_virt(pt->ops->ctx, phys);
}

static pte_t *next_table(const struct page_table *pt, pte_t e)
{
	return table_at(pt, e & PTE_ADDR_MASK);
}

static enum pt_status new_table(struct page_table *pt, uint64_t *phys)
{
	*phys = pt->ops->alloc_table(pt->ops->ctx);
	if (!*phys)
		return PT_ERR_NOMEM;
	memset(table_at(pt, *phys), 0, PT_SIZE_4K);
	return PT_OK;
}

enum pt_status pt_init(struct page_table *pt, const struct pt_ops *ops)
{
	pt->ops = ops;
	return new_table(pt, &pt->root_phys);
}

static bool is_canonical(uint64_t va)
{
	uint64_t high = va >> (VA_BITS - 1);

	return high == 0 || high == VA_HIGH_ONES;
}

static bool map_args_valid(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
			   uint64_t max_page)
{
	uint64_t last = va + size - 1;

	if ((flags & ~PT_MAP_FLAGS) || !IS_ALIGNED(va | pa | size, PT_SIZE_4K))
		return false;
	if (max_page != PT_SIZE_4K && max_page != PT_SIZE_2M && max_page != PT_SIZE_1G)
		return false;
	if (last < va || !is_canonical(va) || !is_canonical(last) ||
	    (va >> (VA_BITS - 1)) != (last >> (VA_BITS - 1)))
		return false;
	return pa < PA_LIMIT && size <= PA_LIMIT - pa;
}

/* The level whose pages are the largest that fit: aligned and not too big. */
static int leaf_level_for(uint64_t va, uint64_t pa, uint64_t left, uint64_t max_page)
{
	for (int level = LEVEL_PDPT; level > LEVEL_PT; level--) {
		uint64_t size = level_size(level);

		if (size <= max_page && size <= left && IS_ALIGNED(va | pa, size))
			return level;
	}
	return LEVEL_PT;
}

static enum pt_status map_one(struct page_table *pt, uint64_t va, uint64_t pa, int leaf_level,
			      uint64_t flags)
{
	pte_t *table = table_at(pt, pt->root_phys);
	pte_t *e;

	for (int level = LEVEL_PML4; level > leaf_level; level--) {
		e = &table[entry_index(va, level)];
		if (!(*e & PTE_P)) {
			uint64_t phys;
			enum pt_status st = new_table(pt, &phys);

			if (st != PT_OK)
				return st;
			*e = phys | TABLE_FLAGS;
		} else if (is_leaf(*e, level)) {
			return PT_ERR_EXISTS;
		}
		table = next_table(pt, *e);
	}
	e = &table[entry_index(va, leaf_level)];
	if (*e & PTE_P)
		return PT_ERR_EXISTS;
	*e = pa | flags | PTE_P | (leaf_level == LEVEL_PT ? 0 : PTE_PS);
	return PT_OK;
}

enum pt_status pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
		      uint64_t flags, uint64_t max_page)
{
	if (!size)
		return PT_OK;
	if (!map_args_valid(va, pa, size, flags, max_page))
		return PT_ERR_INVAL;
	while (size) {
		int level = leaf_level_for(va, pa, size, max_page);
		enum pt_status st = map_one(pt, va, pa, level, flags);

		if (st != PT_OK)
			return st;
		va += level_size(level);
		pa += level_size(level);
		size -= level_size(level);
	}
	return PT_OK;
}

/* The address and attributes of a large-page entry: bit 12 is PAT there,
 * not part of the address. */
static uint64_t large_page_base(pte_t e, int level)
{
	return e & PTE_ADDR_MASK & ~(level_size(level) - 1);
}

/* Attributes for the entries replacing a large page one level down. */
static pte_t split_attrs(pte_t e, int level)
{
	pte_t attrs = e & ~PTE_ADDR_MASK;

	if (level == LEVEL_PDPT)
		return attrs | (e & PTE_PAT_LARGE);
	attrs &= ~PTE_PS; /* in a PTE, bit 7 is PAT */
	return (e & PTE_PAT_LARGE) ? attrs | PTE_PAT : attrs;
}

/* Replace the large page in *e with a table of pages one size smaller that
 * map the same memory with the same attributes. The table is filled before
 * it is linked, so a live walk never sees it half-built. */
static enum pt_status split_large_page(struct page_table *pt, pte_t *e, int level)
{
	uint64_t base = large_page_base(*e, level);
	pte_t attrs = split_attrs(*e, level);
	uint64_t step = level_size(level - 1);
	uint64_t phys;
	pte_t *table;
	enum pt_status st = new_table(pt, &phys);

	if (st != PT_OK)
		return st;
	table = table_at(pt, phys);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		table[i] = (base + i * step) | attrs;
	*e = phys | TABLE_FLAGS;
	return PT_OK;
}

enum pt_status pt_unmap_page(struct page_table *pt, uint64_t va)
{
	pte_t *table = table_at(pt, pt->root_phys);
	pte_t *e;

	if (!is_canonical(va) || !IS_ALIGNED(va, PT_SIZE_4K))
		return PT_ERR_INVAL;
	for (int level = LEVEL_PML4; level > LEVEL_PT; level--) {
		e = &table[entry_index(va, level)];
		if (!(*e & PTE_P))
			return PT_ERR_NOT_MAPPED;
		if (is_leaf(*e, level)) {
			enum pt_status st = split_large_page(pt, e, level);

			if (st != PT_OK)
				return st;
		}
		table = next_table(pt, *e);
	}
	e = &table[entry_index(va, LEVEL_PT)];
	if (!(*e & PTE_P))
		return PT_ERR_NOT_MAPPED;
	*e = 0;
	return PT_OK;
}

static void report(pte_t leaf, int level, uint64_t va, uint64_t rights, uint64_t *pa,
		   uint64_t *flags, uint64_t *page_size)
{
	uint64_t size = level_size(level);

	if (pa)
		*pa = large_page_base(leaf, level) | (va & (size - 1));
	if (flags)
		*flags = PTE_P | rights | (leaf & LEAF_ATTRS);
	if (page_size)
		*page_size = size;
}

bool pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
	       uint64_t *page_size)
{
	const pte_t *table = table_at(pt, pt->root_phys);
	uint64_t all = PTE_W | PTE_U, any = 0;

	if (!is_canonical(va))
		return false;
	for (int level = LEVEL_PML4; level >= LEVEL_PT; level--) {
		pte_t e = table[entry_index(va, level)];

		if (!(e & PTE_P))
			return false;
		all &= e;
		any |= e & PTE_NX;
		if (is_leaf(e, level)) {
			report(e, level, va, all | any, pa, flags, page_size);
			return true;
		}
		table = next_table(pt, e);
	}
	return false;
}

static void free_tree(struct page_table *pt, uint64_t phys, int level)
{
	const pte_t *table = table_at(pt, phys);

	for (unsigned int i = 0; level > LEVEL_PT && i < PT_ENTRIES; i++) {
		if ((table[i] & PTE_P) && !is_leaf(table[i], level))
			free_tree(pt, table[i] & PTE_ADDR_MASK, level - 1);
	}
	pt->ops->free_table(pt->ops->ctx, phys);
}

void pt_destroy(struct page_table *pt)
{
	free_tree(pt, pt->root_phys, LEVEL_PML4);
	pt->root_phys = 0;
}
