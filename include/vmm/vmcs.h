/* Building a vCPU's VMCS (SDM Vol. 3C chapter 25): host state, guest state,
 * execution, exit and entry controls, each in its own step. */
#ifndef VMM_VMCS_H
#define VMM_VMCS_H

#include "compiler.h"
#include "vmm/entry_state.h"

struct vcpu;

/* Fill the current VMCS for vcpu from st. Returns false with a reason in
 * why (a required VMX feature this CPU lacks) when the guest cannot run. */
bool vmcs_setup(struct vcpu *vcpu, const struct entry_state *st, char *why, size_t why_len);

/* CR0/CR4 as the guest sees them, the real values for what a guest
 * writes, and the bits we own (the guest/host masks). */
uint64_t vmcs_guest_cr0(void);
uint64_t vmcs_guest_cr4(void);
uint64_t vmcs_cr0_real(uint64_t guest_value);
uint64_t vmcs_cr4_real(uint64_t guest_value);
uint64_t vmcs_cr0_host_owned(void);
uint64_t vmcs_cr4_host_owned(void);

/* Arm the VMX-preemption timer for a slice of slice TSC ticks. */
void vmcs_set_slice(struct vcpu *vcpu, uint64_t slice);

#endif
