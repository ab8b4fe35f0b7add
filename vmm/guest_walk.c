/* Guest page-table walks (SDM Vol. 3A chapter 4). The four paging modes
 * differ in entry size, index bits per level, depth and which levels may
 * map a page; one walk loop serves them all from a struct walk_format. */
#include "vmm/guest_walk.h"

/* Control-register and EFER bits that select the paging mode (SDM Vol. 3A 4.1.1) */
#define CR0_PG BIT(31)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_LA57 BIT(12)
#define EFER_LME BIT(8)

/* Paging-structure entry bits */
#define ENTRY_P BIT(0)  /* present */
#define ENTRY_PS BIT(7) /* maps a page (PDE, PDPTE), not a table */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define LINEAR_32_MASK 0xffffffffULL  /* linear addresses outside IA-32e mode */
#define ADDR_MASK_32 0xfffff000ULL    /* 32-bit paging: bits 31:12 (SDM Vol. 3A table 4-6) */
#define ADDR_MASK_64 0x000ffffffffff000ULL /* PAE, IA-32e: bits 51:12 (MAXPHYADDR <= 52) */
#define CR3_PAE_PDPT_MASK 0xffffffe0ULL /* PAE: 32-byte aligned PDPT (SDM Vol. 3A table 4-7) */

/* A 4 MiB page of 32-bit paging: bits 31:22 of the address in entry bits
 * 31:22, bits 39:32 in entry bits 20:13 (PSE-36, SDM Vol. 3A table 4-4). */
#define PSE_4M_ADDR_MASK 0xffc00000ULL
#define PSE36_SHIFT 13
#define PSE36_MASK 0xffULL
#define PSE36_ADDR_SHIFT 32

#define BITS_PER_BYTE 8

struct walk_format {
	uint8_t entry_size; /* bytes */
	uint8_t index_bits; /* linear-address bits translated per level */
	uint8_t top_level;
	uint8_t leaf_levels; /* BIT(level): a PS entry there maps a page */
	bool pse36;          /* large-page addresses split as in PSE-36 */
	uint64_t addr_mask;  /* the next table's address in an entry */
};

#define ENTRY_SIZE_32 4
#define ENTRY_SIZE_64 8
#define INDEX_BITS_32 10 /* 1024 entries a table */
#define INDEX_BITS_64 9  /* 512 entries a table */
#define LEAVES_PD_PDPT (BIT(GUEST_LEVEL_PDE) | BIT(GUEST_LEVEL_PDPTE))

/* SDM Vol. 3A 4.3 */
static const struct walk_format paging_32 = {
	.entry_size = ENTRY_SIZE_32, .index_bits = INDEX_BITS_32, .top_level = GUEST_LEVEL_PDE,
	.leaf_levels = 0, .pse36 = true, .addr_mask = ADDR_MASK_32,
};
static const struct walk_format paging_32_pse = {
	.entry_size = ENTRY_SIZE_32, .index_bits = INDEX_BITS_32, .top_level = GUEST_LEVEL_PDE,
	.leaf_levels = BIT(GUEST_LEVEL_PDE), .pse36 = true, .addr_mask = ADDR_MASK_32,
};
/* SDM Vol. 3A 4.4: the top level is the four PDPTEs (index bits 31:30) */
static const struct walk_format paging_pae = {
	.entry_size = ENTRY_SIZE_64, .index_bits = INDEX_BITS_64, .top_level = GUEST_LEVEL_PDPTE,
	.leaf_levels = BIT(GUEST_LEVEL_PDE), .addr_mask = ADDR_MASK_64,
};
/* SDM Vol. 3A 4.5 */
static const struct walk_format paging_4level = {
	.entry_size = ENTRY_SIZE_64, .index_bits = INDEX_BITS_64, .top_level = GUEST_LEVEL_PML4E,
	.leaf_levels = LEAVES_PD_PDPT, .addr_mask = ADDR_MASK_64,
};
static const struct walk_format paging_5level = {
	.entry_size = ENTRY_SIZE_64, .index_bits = INDEX_BITS_64, .top_level = GUEST_LEVEL_PML5E,
	.leaf_levels = LEAVES_PD_PDPT, .addr_mask = ADDR_MASK_64,
};

struct walk {
	const struct walk_format *fmt;
	uint64_t top_table;          /* from CR3 */
	const uint64_t *top_entries; /* PAE PDPTE registers, or NULL: read at top_table */
	guest_read_fn read;
	void *ctx;
};

static unsigned int level_shift(const struct walk_format *f, int level)
{
	return PAGE_SHIFT + f->index_bits * (unsigned int)(level - 1);
}

static uint64_t index_of(const struct walk_format *f, uint64_t linear, int level)
{
	return (linear >> level_shift(f, level)) & ((1ULL << f->index_bits) - 1);
}

/* The entry for linear in the table at table_gpa, little-endian. */
static bool read_entry(const struct walk *w, uint64_t table_gpa, uint64_t linear, int level,
		       uint64_t *entry)
{
	uint64_t index = index_of(w->fmt, linear, level);
	uint8_t raw[sizeof(uint64_t)];

	if (level == w->fmt->top_level && w->top_entries) {
		*entry = w->top_entries[index];
		return true;
	}
	if (!w->read(w->ctx, table_gpa + index * w->fmt->entry_size, raw, w->fmt->entry_size))
		return false;
	*entry = 0;
	for (unsigned int i = 0; i < w->fmt->entry_size; i++)
		*entry |= (uint64_t)raw[i] << (i * BITS_PER_BYTE);
	return true;
}

/* The physical address of the page a leaf entry at level maps. */
static uint64_t page_address(const struct walk_format *f, uint64_t entry, int level)
{
	if (f->pse36 && level > GUEST_LEVEL_PTE)
		return (entry & PSE_4M_ADDR_MASK) |
		       (((entry >> PSE36_SHIFT) & PSE36_MASK) << PSE36_ADDR_SHIFT);
	return entry & ADDR_MASK_64 & ~((1ULL << level_shift(f, level)) - 1);
}

static bool is_leaf(const struct walk_format *f, uint64_t entry, int level)
{
	return level == GUEST_LEVEL_PTE || ((f->leaf_levels & BIT(level)) && (entry & ENTRY_PS));
}

static int walk(const struct walk *w, uint64_t linear, uint64_t *gpa)
{
	uint64_t table = w->top_table;

	for (int level = w->fmt->top_level;; level--) {
		uint64_t entry;

		if (!read_entry(w, table, linear, level, &entry))
			return GW_ERR_TABLE_OUTSIDE_RAM;
		if (!(entry & ENTRY_P))
			return -level;
		if (is_leaf(w->fmt, entry, level)) {
			uint64_t offset = linear & ((1ULL << level_shift(w->fmt, level)) - 1);

			*gpa = page_address(w->fmt, entry, level) | offset;
			return GW_OK;
		}
		table = entry & w->fmt->addr_mask;
	}
}

/* IA-32e paging translates 48 (57 with LA57) bits; the rest must copy the
 * top one (SDM Vol. 3A 4.5). */
static bool is_canonical(uint64_t linear, const struct walk_format *f)
{
	unsigned int bits = level_shift(f, f->top_level) + f->index_bits;
	uint64_t upper = linear >> (bits - 1);

	return upper == 0 || upper == (~0ULL >> (bits - 1));
}

int guest_walk(const struct guest_paging *p, uint64_t linear, uint64_t *gpa,
	       guest_read_fn read_gpa, void *ctx)
{
	struct walk w = { NULL, 0, NULL, read_gpa, ctx };

	if (!(p->cr0 & CR0_PG)) {
		*gpa = linear & LINEAR_32_MASK;
		return GW_OK;
	}
	if (p->efer & EFER_LME) {
		w.fmt = p->cr4 & CR4_LA57 ? &paging_5level : &paging_4level;
		w.top_table = p->cr3 & ADDR_MASK_64;
		return is_canonical(linear, w.fmt) ? walk(&w, linear, gpa) : GW_ERR_NONCANONICAL;
	}
	if (p->cr4 & CR4_PAE) {
		w.fmt = &paging_pae;
		w.top_table = p->cr3 & CR3_PAE_PDPT_MASK;
		w.top_entries = p->pdpte;
	} else {
		w.fmt = p->cr4 & CR4_PSE ? &paging_32_pse : &paging_32;
		w.top_table = p->cr3 & ADDR_MASK_32;
	}
	return walk(&w, linear & LINEAR_32_MASK, gpa);
}

size_t guest_read_linear(const struct guest_paging *p, uint64_t linear, void *buf, size_t len,
			 guest_read_fn read_gpa, void *ctx)
{
	uint8_t *dst = buf;
	size_t done = 0;

	while (done < len) {
		uint64_t at = linear + done, gpa;
		size_t chunk = MIN(len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));

		if (guest_walk(p, at, &gpa, read_gpa, ctx) != GW_OK ||
		    !read_gpa(ctx, gpa, dst + done, chunk))
			break;
		done += chunk;
	}
	return done;
}
