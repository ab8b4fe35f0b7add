/* Local APIC access paths. Times are host TSC; the guest's TSC-deadline
 * values are in guest TSC terms (host + TSC offset) and are converted. */
#include "vmm/lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "vmm/irq.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define XAPIC_PAGE_SIZE 0x1000
#define XAPIC_REG_ALIGN 0x10
#define DWORD_MASK 0xffffffffULL

static uint64_t xapic_read(struct vcpu *vcpu, uint64_t offset, unsigned int size)
{
	uint32_t value = 0;
	unsigned int shift = (unsigned int)(offset % sizeof(uint32_t)) * 8;

	/* Registers are 32 bits at 16-byte strides; narrower reads see part
	 * of one (SDM Vol. 3A 11.4.1). */
	vlapic_read(&vcpu->lapic, (uint32_t)(offset & ~(uint64_t)(sizeof(uint32_t) - 1)), &value,
		    rdtsc());
	return size >= sizeof(uint32_t) ? value : (value >> shift) & ((1u << (8 * size)) - 1);
}

static void xapic_write(struct vcpu *vcpu, uint64_t offset, unsigned int size, uint64_t value)
{
	(void)size;
	vlapic_write(&vcpu->lapic, (uint32_t)offset, (uint32_t)(value & DWORD_MASK), rdtsc());
	irq_mark_dirty(vcpu);
}

static const struct mmio_device xapic_device = {
	"local APIC", VLAPIC_DEFAULT_BASE, XAPIC_PAGE_SIZE, xapic_read, xapic_write,
};

void lapic_register(void)
{
	mmio_register(&xapic_device);
}

bool lapic_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value, bool *fault)
{
	uint64_t deadline;

	*fault = false;
	if (msr == MSR_IA32_APIC_BASE) {
		*value = vlapic_apic_base(&vcpu->lapic);
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		vlapic_update(&vcpu->lapic, rdtsc());
		deadline = vlapic_read_tsc_deadline(&vcpu->lapic);
		*value = deadline ? deadline + vcpu->tsc_offset : 0;
	} else if (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST) {
		*fault = vlapic_msr_read(&vcpu->lapic, msr, value, rdtsc()) < 0;
	} else {
		return false;
	}
	return true;
}

bool lapic_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value, bool *fault)
{
	uint64_t now = rdtsc();

	*fault = false;
	if (msr == MSR_IA32_APIC_BASE)
		*fault = vlapic_set_apic_base(&vcpu->lapic, value) < 0;
	else if (msr == MSR_IA32_TSC_DEADLINE)
		vlapic_write_tsc_deadline(&vcpu->lapic, value ? value - vcpu->tsc_offset : 0, now);
	else if (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST)
		*fault = vlapic_msr_write(&vcpu->lapic, msr, value, now) < 0;
	else
		return false;
	irq_mark_dirty(vcpu);
	return true;
}
