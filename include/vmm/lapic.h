/* The guest-facing side of each vCPU's local APIC (model: vmm/vlapic.c):
 * xAPIC MMIO at 0xFEE00000 through EPT violations, x2APIC MSRs,
 * IA32_APIC_BASE and IA32_TSC_DEADLINE. The real APIC stays the host's. */
#ifndef VMM_LAPIC_H
#define VMM_LAPIC_H

#include "compiler.h"

struct vcpu;

void lapic_register(void);
/* MSR accesses the LAPIC owns; false if msr is not one of them. *fault
 * says the access raises #GP. */
bool lapic_rdmsr(struct vcpu *vcpu, uint32_t msr, uint64_t *value, bool *fault);
bool lapic_wrmsr(struct vcpu *vcpu, uint32_t msr, uint64_t value, bool *fault);

#endif
