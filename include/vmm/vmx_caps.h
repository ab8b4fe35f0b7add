/* VMX capabilities decoded from the capability MSRs. The decoding is pure
 * so it is unit-tested with MSR values of known CPUs. */
#ifndef VMM_VMX_CAPS_H
#define VMM_VMX_CAPS_H

#include "compiler.h"

/* The raw capability MSRs. A control MSR's low half holds the allowed-0
 * settings (bits that must be 1), its high half the allowed-1 settings
 * (bits that may be 1) (SDM Vol. 3D A.3). */
struct vmx_msrs {
	uint64_t basic;
	uint64_t pinbased, procbased, exit, entry; /* TRUE_* ones when basic says so */
	uint64_t procbased2; /* 0 when secondary controls cannot be activated */
	uint64_t misc;
	uint64_t ept_vpid;   /* 0 unless EPT or VPID may be enabled */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

struct vmx_caps {
	uint32_t revision;
	uint32_t vmcs_size;
	bool vmcs_wb;
	bool true_controls;
	bool secondary;
	bool ept, ept_walk4, ept_wb, ept_2m, ept_1g, ept_ad, invept, invept_single;
	bool vpid, invvpid, invvpid_single;
	bool unrestricted;
	bool preemption_timer;
	unsigned int preemption_shift; /* the timer ticks every 2^shift TSC ticks */
};

/* May this control bit be set to 1? */
static inline bool vmx_ctl_allowed1(uint64_t ctl_msr, uint32_t bit)
{
	return (ctl_msr >> 32) & bit;
}

void vmx_caps_decode(const struct vmx_msrs *msrs, struct vmx_caps *caps);

/* The value for a VMCS control field (SDM Vol. 3D A.3): the bits the
 * capability MSR says must be 1, plus the required and the optional bits it
 * allows. Required bits it does not allow are dropped and set in *missing. */
uint32_t vmx_adjust_controls(uint64_t cap_msr, uint32_t required, uint32_t optional,
			     uint32_t *missing);

/* What IA32_FEATURE_CONTROL allows (SDM Vol. 3C 24.7): VMXON outside SMX
 * needs bit 2 and the lock bit. Firmware that left it unlocked lets us set
 * both (*lock_value is what to write). */
enum feature_control_verdict { FC_VMX_ALLOWED, FC_LOCK_AND_ALLOW, FC_VMX_DISABLED };
enum feature_control_verdict vmx_feature_control_verdict(uint64_t value, uint64_t *lock_value);

/* Read the MSRs, check that VMX may be used, and print the summary. Prints
 * "FATAL: VT-x unavailable: WHY" and stops the machine when it cannot. */
void vmx_probe(void);
/* What vmx_probe() found (valid once it returned). */
const struct vmx_msrs *vmx_msrs(void);
const struct vmx_caps *vmx_caps(void);

#endif
