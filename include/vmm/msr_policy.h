/* Which MSRs a guest may touch directly, and the exit handlers for the
 * rest (vmm/msr.c). */
#ifndef VMM_MSR_POLICY_H
#define VMM_MSR_POLICY_H

#include "compiler.h"

/* Fill a 4 KiB MSR bitmap (SDM Vol. 3C 25.6.9): every MSR exits except the
 * ones the guest owns outright. */
void msr_policy_build_bitmap(uint8_t *bitmap);

#endif
