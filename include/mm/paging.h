/* x86-64 4-level page tables (Intel SDM Vol. 3A 4.5): PML4 -> PDPT -> PD -> PT.
 * Pure logic: tables come from and are reached through caller-given ops, so
 * the host tests can back them with malloc'd memory. Nothing here touches CR3
 * or the TLB; the caller loads CR3 and runs INVLPG. */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include "compiler.h"

/* Entry bits (SDM Vol. 3A 4.5, tables 4-15 to 4-20). */
#define PTE_P BIT(0) /* present */
#define PTE_W BIT(1) /* writable */
#define PTE_U BIT(2) /* user-mode accessible: never set by this code */
#define PTE_PWT BIT(3) /* page-level write-through */
#define PTE_PCD BIT(4) /* page-level cache disable */
#define PTE_A BIT(5) /* accessed */
#define PTE_D BIT(6) /* dirty (leaf entries only) */
#define PTE_PS BIT(7) /* 1 GiB page in a PDPTE, 2 MiB page in a PDE */
#define PTE_PAT BIT(7) /* PAT index bit 2 in a 4 KiB PTE */
#define PTE_G BIT(8) /* global (leaf entries only) */
#define PTE_PAT_LARGE BIT(12) /* PAT index bit 2 in a 1 GiB or 2 MiB entry */
#define PTE_NX BIT(63) /* execute-disable; reserved unless EFER.NXE */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12 */

/* Flags a caller may ask pt_map() for; PTE_P is implied. */
#define PT_MAP_FLAGS (PTE_W | PTE_PWT | PTE_PCD | PTE_G | PTE_NX)

#define PT_SHIFT_4K 12
#define PT_SHIFT_2M 21
#define PT_SHIFT_1G 30
#define PT_SIZE_4K (1ULL << PT_SHIFT_4K)
#define PT_SIZE_2M (1ULL << PT_SHIFT_2M)
#define PT_SIZE_1G (1ULL << PT_SHIFT_1G)
#define PT_ENTRIES 512 /* 9 bits of the address per level */

typedef uint64_t pte_t;

_Static_assert(sizeof(pte_t) * PT_ENTRIES == PT_SIZE_4K, "a table fills one 4 KiB page");
_Static_assert((PTE_ADDR_MASK & (PT_MAP_FLAGS | PTE_P | PTE_U | PTE_PS)) == 0,
	       "flag bits lie outside the address field");

/* Where page tables come from. alloc_table returns the physical address of
 * a page-aligned 4 KiB page (contents need not be zero), or 0 when out of
 * memory; phys_to_virt must reach any table it returned. */
struct pt_ops {
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t phys);
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

struct page_table {
	uint64_t root_phys; /* the PML4: the value for CR3 */
	const struct pt_ops *ops;
};

enum pt_status {
	PT_OK = 0,
	PT_ERR_NOMEM = -1, /* alloc_table failed */
	PT_ERR_INVAL = -2, /* unaligned, non-canonical or a flag not in PT_MAP_FLAGS */
	PT_ERR_EXISTS = -3, /* part of the range is already mapped */
	PT_ERR_NOT_MAPPED = -4,
};

enum pt_status pt_init(struct page_table *pt, const struct pt_ops *ops);

/* Map [va, va + size) to [pa, pa + size) with flags | PTE_P, using at each
 * step the largest page size that is at most max_page (PT_SIZE_4K, _2M or
 * _1G: pass _1G only if the CPU has PDPE1GB), that va and pa are both
 * aligned to and that fits in what is left. On failure the range may be
 * partly mapped. */
enum pt_status pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
		      uint64_t flags, uint64_t max_page);

/* Unmap the 4 KiB page at va, first splitting a 1 GiB or 2 MiB page holding
 * it into smaller pages that keep the rest mapped as before. */
enum pt_status pt_unmap_page(struct page_table *pt, uint64_t va);

/* Translate va. flags gets the effective rights: PTE_W and PTE_U only if set
 * at every level, PTE_NX if set at any level (SDM Vol. 3A 4.6), the other
 * bits from the leaf. page_size gets the size of the page mapping it.
 * Any output pointer may be NULL. */
bool pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
	       uint64_t *page_size);

/* Free every table, the root included. */
void pt_destroy(struct page_table *pt);

#endif
