/* Decoding of the VMX capability MSRs (Intel SDM Vol. 3D appendix A). */
#include "vmm/vmx_caps.h"

#include "arch/x86/msr.h"
#include "vmm/vmx_defs.h"

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
	*c = (struct vmx_caps){ 0 };
	c->revision = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK);
	c->vmcs_size = (uint32_t)((m->basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK);
	c->vmcs_wb = ((m->basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK) ==
		     VMX_MEMTYPE_WB;
	c->true_controls = m->basic & VMX_BASIC_TRUE_CONTROLS;

	c->secondary = vmx_ctl_allowed1(m->procbased, PROC_ACTIVATE_SECONDARY);
	if (c->secondary) {
		c->ept = vmx_ctl_allowed1(m->procbased2, PROC2_ENABLE_EPT);
		c->vpid = vmx_ctl_allowed1(m->procbased2, PROC2_ENABLE_VPID);
		/* Unrestricted guest needs EPT (SDM Vol. 3C 26.2.1.1). */
		c->unrestricted = c->ept &&
				  vmx_ctl_allowed1(m->procbased2, PROC2_UNRESTRICTED_GUEST);
	}
	if (c->ept) {
		c->ept_walk4 = m->ept_vpid & EPT_CAP_WALK_4;
		c->ept_wb = m->ept_vpid & EPT_CAP_MEMTYPE_WB;
		c->ept_2m = m->ept_vpid & EPT_CAP_2M_PAGES;
		c->ept_1g = m->ept_vpid & EPT_CAP_1G_PAGES;
		c->ept_ad = m->ept_vpid & EPT_CAP_AD_BITS;
		c->invept = m->ept_vpid & EPT_CAP_INVEPT;
		c->invept_single = c->invept && (m->ept_vpid & EPT_CAP_INVEPT_SINGLE);
	}
	if (c->vpid) {
		c->invvpid = m->ept_vpid & VPID_CAP_INVVPID;
		c->invvpid_single = c->invvpid && (m->ept_vpid & VPID_CAP_INVVPID_SINGLE);
	}

	c->preemption_timer = vmx_ctl_allowed1(m->pinbased, PIN_PREEMPTION_TIMER);
	if (c->preemption_timer)
		c->preemption_shift = (unsigned int)(m->misc & VMX_MISC_PREEMPTION_RATE_MASK);
}

uint32_t vmx_adjust_controls(uint64_t cap_msr, uint32_t required, uint32_t optional,
			     uint32_t *missing)
{
	uint32_t must_be_one = (uint32_t)cap_msr;
	uint32_t may_be_one = (uint32_t)(cap_msr >> 32);

	*missing = required & ~may_be_one;
	return (must_be_one | required | (optional & may_be_one)) & may_be_one;
}

enum feature_control_verdict vmx_feature_control_verdict(uint64_t value, uint64_t *lock_value)
{
	if (!(value & FEATURE_CONTROL_LOCKED)) {
		*lock_value = value | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		return FC_LOCK_AND_ALLOW;
	}
	return value & FEATURE_CONTROL_VMXON_OUTSIDE_SMX ? FC_VMX_ALLOWED : FC_VMX_DISABLED;
}
