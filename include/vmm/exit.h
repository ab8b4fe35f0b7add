/* VM-exit dispatch: one small handler per basic exit reason. */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include "compiler.h"

struct vcpu;

typedef void (*exit_handler_fn)(struct vcpu *vcpu, uint64_t qualification);

/* Read what the CPUID handler needs from the real CPU, once. */
void cpuid_init(void);

/* Handlers that live beside the state they emulate. */
void exit_cpuid(struct vcpu *vcpu, uint64_t qualification);
void exit_io(struct vcpu *vcpu, uint64_t qualification);
void exit_rdmsr(struct vcpu *vcpu, uint64_t qualification);
void exit_wrmsr(struct vcpu *vcpu, uint64_t qualification);
void exit_cr_access(struct vcpu *vcpu, uint64_t qualification);
void exit_xsetbv(struct vcpu *vcpu, uint64_t qualification);
void exit_vmcall(struct vcpu *vcpu, uint64_t qualification);

#endif
