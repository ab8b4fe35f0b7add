/* EPT table building. The structure mirrors the host page tables (4 levels
 * of 512 entries), but an entry is present when any of R/W/X is set and
 * leaves carry a memory type instead of cache-control bits. */
#include "vmm/ept.h"

#include "lib/string.h"
#include "vmm/vmcs_fields.h"

#define LEVEL_PT 1
#define LEVEL_PML4 4
#define GPA_LIMIT (1ULL << 48) /* a 4-level walk translates 48 bits */
#define TABLE_RIGHTS EPT_RWX   /* rights are restricted at the leaves only */

static uint64_t *table_at(const struct ept *ept, uint64_t phys)
{
	return ept->ops->phys_to_virt(ept->ops->ctx, phys);
}

static unsigned int level_shift(int level)
{
	return PT_SHIFT_4K + 9 * (unsigned int)(level - 1);
}

static uint64_t level_size(int level)
{
	return 1ULL << level_shift(level);
}

static unsigned int index_of(uint64_t gpa, int level)
{
	return (gpa >> level_shift(level)) & (PT_ENTRIES - 1);
}

static bool is_leaf(uint64_t e, int level)
{
	return level == LEVEL_PT || (e & EPT_LARGE);
}

static uint64_t new_table(struct ept *ept)
{
	uint64_t phys = ept->ops->alloc_table(ept->ops->ctx);

	if (phys)
		memset(table_at(ept, phys), 0, PT_SIZE_4K);
	return phys;
}

enum ept_status ept_init(struct ept *ept, const struct pt_ops *ops)
{
	ept->ops = ops;
	ept->root_phys = new_table(ept);
	return ept->root_phys ? EPT_OK : EPT_ERR_NOMEM;
}

/* The largest page that fits at gpa/hpa for what is left of the range. */
static int leaf_level_for(uint64_t gpa, uint64_t hpa, uint64_t left, uint64_t max_page)
{
	for (int level = 3; level > LEVEL_PT; level--) {
		uint64_t sz = level_size(level);

		if (sz <= max_page && IS_ALIGNED(gpa | hpa, sz) && left >= sz)
			return level;
	}
	return LEVEL_PT;
}

static enum ept_status map_one(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t leaf_bits,
			       int leaf_level)
{
	uint64_t *table = table_at(ept, ept->root_phys);

	for (int level = LEVEL_PML4; level > leaf_level; level--) {
		uint64_t *e = &table[index_of(gpa, level)];

		if (!(*e & EPT_RWX)) {
			uint64_t phys = new_table(ept);

			if (!phys)
				return EPT_ERR_NOMEM;
			*e = phys | TABLE_RIGHTS;
		} else if (is_leaf(*e, level)) {
			return EPT_ERR_EXISTS;
		}
		table = table_at(ept, *e & EPT_ADDR_MASK);
	}
	if (table[index_of(gpa, leaf_level)] & EPT_RWX)
		return EPT_ERR_EXISTS;
	table[index_of(gpa, leaf_level)] = hpa | leaf_bits | (leaf_level > LEVEL_PT ? EPT_LARGE : 0);
	return EPT_OK;
}

enum ept_status ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
			uint64_t rights, uint64_t max_page)
{
	/* RAM is write-back; IPAT stays clear so the guest's PAT still
	 * applies on top (SDM Vol. 3C 29.3.7.2). */
	uint64_t leaf_bits = rights | EPT_MEMTYPE_WB;

	if (!IS_ALIGNED(gpa | hpa | size, PT_SIZE_4K) || !size || (rights & ~EPT_RWX) ||
	    !(rights & EPT_R) || gpa >= GPA_LIMIT || size > GPA_LIMIT - gpa)
		return EPT_ERR_INVAL;
	while (size) {
		int level = leaf_level_for(gpa, hpa, size, max_page);
		enum ept_status st = map_one(ept, gpa, hpa, leaf_bits, level);

		if (st != EPT_OK)
			return st;
		gpa += level_size(level);
		hpa += level_size(level);
		size -= level_size(level);
	}
	return EPT_OK;
}

bool ept_lookup(const struct ept *ept, uint64_t gpa, uint64_t *hpa, uint64_t *rights,
		uint64_t *page_size)
{
	uint64_t *table = table_at(ept, ept->root_phys);

	if (gpa >= GPA_LIMIT)
		return false;
	for (int level = LEVEL_PML4; level >= LEVEL_PT; level--) {
		uint64_t e = table[index_of(gpa, level)];

		if (!(e & EPT_RWX))
			return false;
		if (is_leaf(e, level)) {
			uint64_t sz = level_size(level);

			if (hpa)
				*hpa = (e & EPT_ADDR_MASK & ~(sz - 1)) | (gpa & (sz - 1));
			if (rights)
				*rights = e & EPT_RWX;
			if (page_size)
				*page_size = sz;
			return true;
		}
		table = table_at(ept, e & EPT_ADDR_MASK);
	}
	return false;
}

static void free_tree(struct ept *ept, uint64_t phys, int level)
{
	uint64_t *table = table_at(ept, phys);

	for (unsigned int i = 0; level > LEVEL_PT && i < PT_ENTRIES; i++)
		if ((table[i] & EPT_RWX) && !is_leaf(table[i], level))
			free_tree(ept, table[i] & EPT_ADDR_MASK, level - 1);
	ept->ops->free_table(ept->ops->ctx, phys);
}

void ept_destroy(struct ept *ept)
{
	if (ept->root_phys)
		free_tree(ept, ept->root_phys, LEVEL_PML4);
	ept->root_phys = 0;
}

uint64_t ept_pointer(const struct ept *ept)
{
	return ept->root_phys | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}
