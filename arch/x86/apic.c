/* Local APIC access through its MMIO page. */
#include "arch/x86/apic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/io.h"
#include "arch/x86/msr.h"
#include "core/log.h"
#include "mm/layout.h"
#include "mm/mm.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

static volatile uint32_t *apic_regs;

uint32_t apic_read(uint32_t reg)
{
	return apic_regs[reg / sizeof(uint32_t)];
}

void apic_write(uint32_t reg, uint32_t value)
{
	apic_regs[reg / sizeof(uint32_t)] = value;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC))
		panic("apic: this CPU has no local APIC (CPUID.1:EDX[9]=0)");
	/* The hypervisor takes interrupts only from its local APIC: mask the
	 * legacy 8259 pair that BIOS or GRUB may have left programmed. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	if (!apic_regs)
		apic_regs = mm_map_mmio(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	log_info("apic: local APIC id %u version 0x%x at 0x%lx", apic_read(APIC_ID) >> 24,
		 apic_read(APIC_VERSION) & 0xff, base & APIC_BASE_ADDR_MASK);
}
