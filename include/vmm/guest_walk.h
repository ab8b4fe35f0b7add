/* Guest linear -> guest-physical translation through the guest's own page
 * tables (SDM Vol. 3A chapter 4), to fetch the instruction behind an exit.
 * Pure logic: guest memory is read through a callback, so the host unit
 * tests can back it with a buffer.
 *
 * Modes: paging off (identity), 32-bit paging (4 KiB, 4 MiB with CR4.PSE,
 * PSE-36 addresses), PAE (4 KiB, 2 MiB), 4-level (4 KiB, 2 MiB, 1 GiB) and
 * 5-level (CR4.LA57). Only the translation is wanted: the CPU has just
 * walked the same tables itself, so access rights and reserved bits are not
 * checked and accessed/dirty bits are not set. */
#ifndef VMM_GUEST_WALK_H
#define VMM_GUEST_WALK_H

#include "compiler.h"

#define GUEST_PAE_PDPTES 4

/* The guest's paging state, from the VMCS guest-state area. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	/* PAE paging uses the PDPTEs the CPU loaded with CR3 (SDM Vol. 3A
	 * 4.4.1), saved in the VMCS (GUEST_PDPTE0-3) under EPT: point here at
	 * the four of them, or NULL to read them from memory at CR3. */
	const uint64_t *pdpte;
};

/* Copy len bytes of guest-physical memory at gpa to buf; false if any of
 * them is outside guest RAM. */
typedef bool (*guest_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/* Paging-structure levels as SDM Vol. 3A chapter 4 names their entries. */
enum guest_pt_level {
	GUEST_LEVEL_PTE = 1,
	GUEST_LEVEL_PDE = 2,
	GUEST_LEVEL_PDPTE = 3,
	GUEST_LEVEL_PML4E = 4,
	GUEST_LEVEL_PML5E = 5,
};

enum guest_walk_status {
	GW_OK = 0,
	/* the entry at that level is not present: -GUEST_LEVEL_x */
	GW_ERR_NOT_PRESENT_PTE = -GUEST_LEVEL_PTE,
	GW_ERR_NOT_PRESENT_PDE = -GUEST_LEVEL_PDE,
	GW_ERR_NOT_PRESENT_PDPTE = -GUEST_LEVEL_PDPTE,
	GW_ERR_NOT_PRESENT_PML4E = -GUEST_LEVEL_PML4E,
	GW_ERR_NOT_PRESENT_PML5E = -GUEST_LEVEL_PML5E,
	GW_ERR_TABLE_OUTSIDE_RAM = -6, /* read_gpa refused a paging-structure entry */
	GW_ERR_NONCANONICAL = -7,      /* IA-32e paging: linear address not canonical */
};

/* The level whose entry was not present for a status from guest_walk(),
 * or 0 if status is not a not-present error. */
static inline int guest_walk_not_present_level(int status)
{
	return status <= GW_ERR_NOT_PRESENT_PTE && status >= GW_ERR_NOT_PRESENT_PML5E ? -status : 0;
}

/* Translate linear to *gpa; returns GW_OK or an enum guest_walk_status.
 * Outside IA-32e paging linear addresses are 32 bits: the upper half of
 * linear is ignored. */
int guest_walk(const struct guest_paging *p, uint64_t linear, uint64_t *gpa,
	       guest_read_fn read_gpa, void *ctx);

/* Copy up to len bytes from linear into buf, page by page; stops at the
 * first page that does not translate or read. Returns the bytes copied. */
size_t guest_read_linear(const struct guest_paging *p, uint64_t linear, void *buf, size_t len,
			 guest_read_fn read_gpa, void *ctx);

#endif
