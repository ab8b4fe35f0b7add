/* Guest entry states. Long mode: identity-mapped 0-4 GiB with 2 MiB pages
 * (addresses beyond RAM reach EPT, where they fault, and the local APIC
 * page is addressable), a GDT with 64-bit code at 0x10 and data at 0x18,
 * interrupts off, IDTR limit 0 until the guest loads its own IDT.
 * Protected mode: flat 32-bit segments, paging off. Real mode: CS:IP
 * 0000:7C00 as a BIOS would leave a boot sector (needs unrestricted guest). */
#include "vmm/entry_state.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "vmm/vm.h"
#include "vmm/vmcs_fields.h"

#define IDENTITY_MAP_GIB 4
#define GDT_ENTRIES_GUEST 4
#define FLAT_LIMIT 0xffffffffu
#define REAL_LIMIT 0xffffu
#define TSS_LIMIT 0x67u
#define REAL_IVT_LIMIT 0x3ffu /* 256 four-byte vectors at 0 */
#define BOOT_DRIVE_HDD 0x80 /* DL as a BIOS passes it to a boot sector */

/* Descriptors for the guest's GDT (SDM Vol. 3A 3.4.5). */
#define DESC_CODE64 0x00af9b000000ffffULL
#define DESC_CODE32 0x00cf9b000000ffffULL
#define DESC_DATA 0x00cf93000000ffffULL

#define AR_CODE64 (AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_L | AR_G)
#define AR_CODE32 (AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_DB | AR_G)
#define AR_DATA32 (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P | AR_DB | AR_G)
#define AR_CODE16 (AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P)
#define AR_DATA16 (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P)
#define AR_TR (AR_TYPE_TSS_BUSY | AR_P)

static uint64_t area_gpa(const struct vm *vm, uint64_t offset)
{
	return guest_image_limit(vm->ram_size) + offset;
}

static void *area(const struct vm *vm, uint64_t offset, uint64_t len)
{
	return vm_gpa_to_hva(vm, area_gpa(vm, offset), len);
}

static void build_page_tables(struct vm *vm)
{
	uint64_t *pml4 = area(vm, ES_PML4, PT_SIZE_4K);
	uint64_t *pdpt = area(vm, ES_PDPT, PT_SIZE_4K);
	uint64_t *pd = area(vm, ES_PD, IDENTITY_MAP_GIB * PT_SIZE_4K);

	pml4[0] = area_gpa(vm, ES_PDPT) | PTE_P | PTE_W;
	for (unsigned int g = 0; g < IDENTITY_MAP_GIB; g++)
		pdpt[g] = area_gpa(vm, ES_PD + g * PT_SIZE_4K) | PTE_P | PTE_W;
	for (uint64_t i = 0; i < IDENTITY_MAP_GIB * PT_ENTRIES; i++)
		pd[i] = (i << PT_SHIFT_2M) | PTE_P | PTE_W | PTE_PS;
}

static void build_gdt(struct vm *vm, uint64_t code_desc)
{
	uint64_t *gdt = area(vm, ES_GDT, GDT_ENTRIES_GUEST * sizeof(uint64_t));

	gdt[GUEST_SEL_CODE / 8] = code_desc;
	gdt[GUEST_SEL_DATA / 8] = DESC_DATA;
}

static void set_segments(struct entry_state *st, uint16_t cs, uint16_t ds, uint32_t limit,
			 uint32_t code_ar, uint32_t data_ar)
{
	for (int s = SEG_ES; s <= SEG_GS; s++)
		st->seg[s] = (struct seg_state){ ds, 0, limit, data_ar };
	st->seg[SEG_CS] = (struct seg_state){ cs, 0, limit, code_ar };
	st->seg[SEG_LDTR] = (struct seg_state){ 0, 0, 0, AR_UNUSABLE };
	st->seg[SEG_TR] = (struct seg_state){ 0, 0, TSS_LIMIT, AR_TR };
}

void entry_state_build(struct vm *vm, enum guest_entry mode, uint64_t rip,
		       struct entry_state *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = mode;
	st->rip = rip;
	st->rflags = RFLAGS_FIXED1;
	st->rsp = vm->ram_size;
	switch (mode) {
	case GUEST_ENTRY_LONG:
		build_page_tables(vm);
		build_gdt(vm, DESC_CODE64);
		st->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		st->cr3 = area_gpa(vm, ES_PML4);
		st->cr4 = CR4_PAE | CR4_OSFXSR;
		st->efer = EFER_LME | EFER_LMA;
		set_segments(st, GUEST_SEL_CODE, GUEST_SEL_DATA, FLAT_LIMIT, AR_CODE64, AR_DATA32);
		break;
	case GUEST_ENTRY_PROTECTED:
		build_gdt(vm, DESC_CODE32);
		st->cr0 = CR0_PE | CR0_ET | CR0_NE;
		set_segments(st, GUEST_SEL_CODE, GUEST_SEL_DATA, FLAT_LIMIT, AR_CODE32, AR_DATA32);
		break;
	default:
		st->cr0 = CR0_ET;
		st->rsp = rip;
		st->rdx = BOOT_DRIVE_HDD;
		set_segments(st, 0, 0, REAL_LIMIT, AR_CODE16, AR_DATA16);
		st->seg[SEG_TR].limit = REAL_LIMIT;
		st->idtr_limit = REAL_IVT_LIMIT;
		return;
	}
	st->gdtr_base = area_gpa(vm, ES_GDT);
	st->gdtr_limit = GDT_ENTRIES_GUEST * sizeof(uint64_t) - 1;
}
