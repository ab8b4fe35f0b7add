/* The CPU state a guest starts in, by entry mode (docs/guests.md). */
#ifndef VMM_ENTRY_STATE_H
#define VMM_ENTRY_STATE_H

#include "compiler.h"
#include "vmm/guest_config.h"

struct vm;

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

struct seg_state {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar; /* VMCS access-rights format */
};

struct entry_state {
	enum guest_entry mode; /* LONG, PROTECTED or REAL */
	uint64_t cr0, cr3, cr4, efer;
	uint64_t rip, rsp, rflags;
	uint64_t rax, rbx, rdx, rsi;
	struct seg_state seg[SEG_COUNT];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
};

/* Layout of the entry-state area, the top GUEST_STATE_AREA_SIZE of RAM. */
#define ES_PML4 0x0000
#define ES_PDPT 0x1000
#define ES_PD 0x2000 /* four page directories: 0-4 GiB */
#define ES_GDT 0x6000
#define ES_BOOT_INFO 0x7000 /* multiboot information for ELF32 guests */
#define ES_BOOT_INFO_SIZE 0x5000
/* The stack takes the rest, up to the top of RAM. */

/* The guest's selectors (the Linux boot protocol's GDT layout). */
#define GUEST_SEL_CODE 0x10
#define GUEST_SEL_DATA 0x18

/* Build the entry state for entry at rip in the given mode, writing the
 * GDT and (long mode) page tables into the guest's entry-state area. */
void entry_state_build(struct vm *vm, enum guest_entry mode, uint64_t rip,
		       struct entry_state *st);

#endif
