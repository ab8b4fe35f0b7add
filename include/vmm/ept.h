/* Extended page tables: guest-physical -> host-physical (SDM Vol. 3C 29.3).
 * Pure logic, like mm/paging.c, with tables reached through struct pt_ops so
 * the host unit tests can back them with malloc'd memory. */
#ifndef VMM_EPT_H
#define VMM_EPT_H

#include "compiler.h"
#include "mm/paging.h"

/* EPT entry bits (SDM Vol. 3C 29.3.2, tables 29-1 to 29-6) */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_WB (6ULL << EPT_MEMTYPE_SHIFT)
#define EPT_LARGE BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL

struct ept {
	uint64_t root_phys; /* the PML4 */
	const struct pt_ops *ops;
};

enum ept_status {
	EPT_OK = 0,
	EPT_ERR_NOMEM = -1,
	EPT_ERR_INVAL = -2,  /* unaligned, beyond 48 bits, or bad rights */
	EPT_ERR_EXISTS = -3, /* part of the range is already mapped */
};

enum ept_status ept_init(struct ept *ept, const struct pt_ops *ops);
/* Map [gpa, gpa + size) to [hpa, hpa + size) as write-back memory with the
 * given EPT_R/W/X rights, using pages up to max_page (PT_SIZE_4K, _2M or
 * _1G, as the CPU's EPT capabilities allow) wherever gpa and hpa align. */
enum ept_status ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size,
			uint64_t rights, uint64_t max_page);
/* Translate gpa; false if it is not mapped. */
bool ept_lookup(const struct ept *ept, uint64_t gpa, uint64_t *hpa, uint64_t *rights,
		uint64_t *page_size);
void ept_destroy(struct ept *ept);
/* The EPTP value for the VMCS: write-back paging structures, 4-level walk. */
uint64_t ept_pointer(const struct ept *ept);

#endif
