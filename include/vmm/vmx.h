/* VMX operation on this CPU. */
#ifndef VMM_VMX_H
#define VMM_VMX_H

#include "compiler.h"

/* Enter VMX root operation on the calling CPU: CR0/CR4 per the FIXED MSRs,
 * a VMXON region with the VMCS revision id, VMXON. Panics on failure: by
 * then vmx_probe() said VT-x is usable, so a failure is a bug. */
void vmx_enable_cpu(void);

/* Allocate a zeroed, page-aligned region stamped with the VMCS revision id
 * (a VMXON region or a VMCS, SDM Vol. 3C 25.2 and 25.11.5). */
uint64_t vmx_alloc_region(void);

/* Names for the log, "unknown" when out of range. */
const char *vmx_exit_reason_name(uint32_t basic_reason);
const char *vmx_instruction_error_name(uint32_t error);

#endif
