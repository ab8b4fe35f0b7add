/* The 64-bit entry state hv promises (docs/guests.md): flags, descriptor
 * tables, control registers, the identity map, and a zero-filled .bss. */
#include "guest.h"

#define EFER 0xc0000080
#define EFER_LME (1UL << 8)
#define EFER_LMA (1UL << 10)

#define PTE_P 0x1UL
#define PTE_RW 0x2UL
#define PTE_PS 0x80UL
#define PTE_ADDR 0x000ffffffffff000UL

/* Bigger than the file's .data so most of it is beyond p_filesz: only the
 * loader's zero-fill makes it zero. */
static uint64_t bss_probe[2048];

static uint16_t selector(int which)
{
	uint16_t v = 0;

	switch (which) {
	case 'c': __asm__ volatile("mov %%cs, %0" : "=r"(v)); break;
	case 'd': __asm__ volatile("mov %%ds, %0" : "=r"(v)); break;
	case 'e': __asm__ volatile("mov %%es, %0" : "=r"(v)); break;
	case 's': __asm__ volatile("mov %%ss, %0" : "=r"(v)); break;
	}
	return v;
}

static bool in_entry_area(uint64_t addr)
{
	return addr >= ram_size() - ENTRY_AREA_SIZE && addr < ram_size();
}

static void check_gdt(void)
{
	struct descriptor_table gdtr;
	const uint64_t *gdt;
	uint64_t code, data;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	gdt = (const uint64_t *)gdtr.base;
	check(in_entry_area(gdtr.base), "GDT in the top 64 KiB of RAM", "GDTR base 0x%lx, RAM 0x%lx",
	      gdtr.base, ram_size());
	if (!check(gdtr.limit >= 0x1f, "GDT holds selectors 0x10 and 0x18", "GDTR limit 0x%x", gdtr.limit))
		return;
	code = gdt[2];
	data = gdt[3];
	/* P(47), S(44), code(43); L(53) set and D(54) clear for 64-bit code. */
	check((code & (1UL << 47 | 1UL << 44 | 1UL << 43 | 1UL << 53 | 1UL << 54)) ==
		      (1UL << 47 | 1UL << 44 | 1UL << 43 | 1UL << 53),
	      "GDT 0x10 is 64-bit code", "descriptor 0x%lx", code);
	/* P(47), S(44), data (43 clear), writable(41). */
	check((data & (1UL << 47 | 1UL << 44 | 1UL << 43 | 1UL << 41)) == (1UL << 47 | 1UL << 44 | 1UL << 41),
	      "GDT 0x18 is writable data", "descriptor 0x%lx", data);
}

/* PML4[0] -> one PDPT whose first 4 entries point at page directories of
 * 2 MiB pages mapping 0-4 GiB onto themselves. Reports the first mismatch. */
static void check_identity_map(void)
{
	const uint64_t *pml4 = (const uint64_t *)(read_cr3() & PTE_ADDR);
	const uint64_t *pdpt;

	check(in_entry_area((uintptr_t)pml4), "page tables in the top 64 KiB of RAM", "CR3 0x%lx, RAM 0x%lx",
	      read_cr3(), ram_size());
	if (!check((pml4[0] & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW), "PML4[0] present and writable",
		   "PML4[0] = 0x%lx", pml4[0]))
		return;
	pdpt = (const uint64_t *)(pml4[0] & PTE_ADDR);
	for (uint64_t i = 0; i < 4; i++) {
		const uint64_t *pd;

		if ((pdpt[i] & (PTE_P | PTE_RW | PTE_PS)) != (PTE_P | PTE_RW)) {
			check(false, "0-4 GiB identity-mapped with 2 MiB pages", "PDPT[%lu] = 0x%lx", i, pdpt[i]);
			return;
		}
		pd = (const uint64_t *)(pdpt[i] & PTE_ADDR);
		for (uint64_t j = 0; j < 512; j++) {
			uint64_t want = (i * 512 + j) * 2 * MiB;

			if ((pd[j] & (PTE_P | PTE_RW | PTE_PS)) != (PTE_P | PTE_RW | PTE_PS) ||
			    (pd[j] & PTE_ADDR) != want) {
				check(false, "0-4 GiB identity-mapped with 2 MiB pages",
				      "PDE for 0x%lx is 0x%lx", want, pd[j]);
				return;
			}
		}
	}
	pass("0-4 GiB identity-mapped with 2 MiB pages");
}

static void check_bss(void)
{
	size_t i = 0;

	while (i < sizeof(bss_probe) / sizeof(bss_probe[0]) && bss_probe[i] == 0)
		i++;
	check(i == sizeof(bss_probe) / sizeof(bss_probe[0]), ".bss zero-filled by the loader",
	      "bss_probe[%lu] at %p is 0x%lx", i, (void *)&bss_probe[i], bss_probe[i]);
}

/* hv offsets the guest's TSC so it reads about 0 at its first instruction;
 * by now the host's TSC is far past this (the boot alone takes millions). */
#define TSC_NEAR_START 2000000

void guest_main(void)
{
	uint64_t tsc = rdtsc();
	uint64_t efer = 0;
	int fault;
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	check(tsc < TSC_NEAR_START, "guest TSC starts near 0 (TSC offset)", "TSC %lu", tsc);

	/* The boot case compares this with the guest's mem=. */
	print("entry RSP 0x%lx, RAM %lu KiB\n", entry_rsp, ram_size() / 1024);
	check(entry_rflags == 0x2, "RFLAGS 0x2 at entry (interrupts off)", "RFLAGS 0x%lx", entry_rflags);
	check(entry_idtr.limit == 0, "IDTR limit 0 at entry", "limit 0x%x base 0x%lx", entry_idtr.limit,
	      entry_idtr.base);
	check(selector('c') == 0x10, "CS = 0x10", "CS 0x%x", selector('c'));
	check(selector('d') == 0x18 && selector('e') == 0x18 && selector('s') == 0x18, "DS = ES = SS = 0x18",
	      "DS 0x%x ES 0x%x SS 0x%x", selector('d'), selector('e'), selector('s'));
	check_gdt();
	check((cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG), "CR0.PE and CR0.PG set", "CR0 0x%lx", cr0);
	check((cr4 & (CR4_PAE | CR4_OSFXSR)) == (CR4_PAE | CR4_OSFXSR), "CR4.PAE and CR4.OSFXSR set",
	      "CR4 0x%lx", cr4);
	fault = rdmsr_safe(EFER, &efer);
	check(fault == NO_FAULT && (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "EFER.LME and EFER.LMA set",
	      "%s, EFER 0x%lx", fault_name(fault), efer);
	check_identity_map();
	check_bss();

	/* OSFXSR: SSE instructions run instead of raising #UD. No xmm0 clobber:
	 * compiled guest code uses no SSE registers (-mgeneral-regs-only). */
	fault_arm();
	__asm__ volatile("1: pxor %%xmm0, %%xmm0\n2:\n\t" FIXUP("1b", "2b") : : : "memory");
	check(fault_vector == NO_FAULT, "SSE instructions run", "pxor raised %s", fault_name(fault_vector));
}
