/* Per-vCPU state across slices: fills the registers the VMCS does not hold
 * (XMM0-XMM7, CR2, DR0-DR3, KERNEL_GS_BASE, STAR/LSTAR, XCR0 left as is)
 * with values unique to this guest (from its RAM size), runs through
 * several of hv's time slices while other copies do the same with their
 * own values, and checks nothing changed. */
#include "intr.h"

#define SPAN_MS 60 /* several 10 ms slices */
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_KERNEL_GS_BASE 0xc0000102
#define XMM_REGS 8

static void write_xmm(unsigned int i, uint64_t v)
{
	switch (i) {
	case 0: __asm__ volatile("movq %0, %%xmm0" : : "r"(v)); break;
	case 1: __asm__ volatile("movq %0, %%xmm1" : : "r"(v)); break;
	case 2: __asm__ volatile("movq %0, %%xmm2" : : "r"(v)); break;
	case 3: __asm__ volatile("movq %0, %%xmm3" : : "r"(v)); break;
	case 4: __asm__ volatile("movq %0, %%xmm4" : : "r"(v)); break;
	case 5: __asm__ volatile("movq %0, %%xmm5" : : "r"(v)); break;
	case 6: __asm__ volatile("movq %0, %%xmm6" : : "r"(v)); break;
	default: __asm__ volatile("movq %0, %%xmm7" : : "r"(v)); break;
	}
}

static uint64_t read_xmm(unsigned int i)
{
	uint64_t v;

	switch (i) {
	case 0: __asm__ volatile("movq %%xmm0, %0" : "=r"(v)); break;
	case 1: __asm__ volatile("movq %%xmm1, %0" : "=r"(v)); break;
	case 2: __asm__ volatile("movq %%xmm2, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("movq %%xmm3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("movq %%xmm4, %0" : "=r"(v)); break;
	case 5: __asm__ volatile("movq %%xmm5, %0" : "=r"(v)); break;
	case 6: __asm__ volatile("movq %%xmm6, %0" : "=r"(v)); break;
	default: __asm__ volatile("movq %%xmm7, %0" : "=r"(v)); break;
	}
	return v;
}

static uint64_t rdmsr64(uint32_t msr)
{
	uint64_t v = 0;

	rdmsr_safe(msr, &v);
	return v;
}

void guest_main(void)
{
	uint64_t seed = ram_size() >> 20, end = rdtsc() + tsc_hz() * SPAN_MS / 1000;
	uint64_t cr2, dr[4], bad_xmm = 0;

	for (unsigned int i = 0; i < XMM_REGS; i++)
		write_xmm(i, seed * 0x1000 + i);
	__asm__ volatile("mov %0, %%cr2" : : "r"(seed << 12 | 0xc2));
	__asm__ volatile("mov %0, %%db0" : : "r"(seed << 12 | 0xd0));
	__asm__ volatile("mov %0, %%db1" : : "r"(seed << 12 | 0xd1));
	__asm__ volatile("mov %0, %%db2" : : "r"(seed << 12 | 0xd2));
	__asm__ volatile("mov %0, %%db3" : : "r"(seed << 12 | 0xd3));
	wrmsr_safe(MSR_KERNEL_GS_BASE, seed << 32 | 0x6b);
	wrmsr_safe(MSR_STAR, seed << 48);
	wrmsr_safe(MSR_LSTAR, seed << 32 | 0x15);

	while (rdtsc() < end)
		;

	for (unsigned int i = 0; i < XMM_REGS; i++)
		bad_xmm += read_xmm(i) != seed * 0x1000 + i;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	__asm__ volatile("mov %%db0, %0" : "=r"(dr[0]));
	__asm__ volatile("mov %%db1, %0" : "=r"(dr[1]));
	__asm__ volatile("mov %%db2, %0" : "=r"(dr[2]));
	__asm__ volatile("mov %%db3, %0" : "=r"(dr[3]));
	check(bad_xmm == 0, "XMM0-XMM7 kept across slices", "%lu registers changed", bad_xmm);
	check(cr2 == (seed << 12 | 0xc2), "CR2 kept across slices", "CR2 0x%lx", cr2);
	check(dr[0] == (seed << 12 | 0xd0) && dr[1] == (seed << 12 | 0xd1) &&
		      dr[2] == (seed << 12 | 0xd2) && dr[3] == (seed << 12 | 0xd3),
	      "DR0-DR3 kept across slices", "DR0 0x%lx DR3 0x%lx", dr[0], dr[3]);
	check(rdmsr64(MSR_KERNEL_GS_BASE) == (seed << 32 | 0x6b) && rdmsr64(MSR_STAR) == seed << 48 &&
		      rdmsr64(MSR_LSTAR) == (seed << 32 | 0x15),
	      "KERNEL_GS_BASE, STAR, LSTAR kept across slices", "KERNEL_GS_BASE 0x%lx",
	      rdmsr64(MSR_KERNEL_GS_BASE));
}
