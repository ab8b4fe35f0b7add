/* Per-CPU GDT and TSS. Long mode ignores segment bases and limits except for
 * FS, GS and the TSS (SDM Vol. 3A 3.2.4), so the GDT is minimal. */
#include "arch/x86/desc.h"

#define DESC_CODE64 0x00af9a000000ffffULL /* present, DPL0, execute/read, L=1 */
#define DESC_DATA 0x00cf92000000ffffULL	  /* present, DPL0, read/write */
#define DESC_TSS_AVAILABLE 0x89ULL	  /* present, 64-bit TSS (available) */

static void set_tss_descriptor(struct gdt_entry *slot, struct tss64 *tss)
{
	uint64_t base = (uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	slot[0].raw = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_AVAILABLE << 40) |
		      (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1].raw = base >> 32;
}

void gdt_load(struct gdt_entry *gdt, struct tss64 *tss)
{
	struct desc_ptr gdtr = { GDT_ENTRIES * sizeof(*gdt) - 1, (uintptr_t)gdt };

	gdt[GDT_NULL].raw = 0;
	gdt[GDT_CODE64].raw = DESC_CODE64;
	gdt[GDT_DATA].raw = DESC_DATA;
	set_tss_descriptor(&gdt[GDT_TSS], tss);
	/* No I/O permission bitmap: base beyond the limit (SDM Vol. 1 19.5.2). */
	tss->iomap_base = sizeof(*tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_CODE64), "r"(SEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
}
