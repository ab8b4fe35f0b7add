/* Is VT-x usable here, and what can it do? Reads the capability MSRs only
 * once CPUID says VMX exists: under emulators without VMX they may read as 0
 * instead of faulting. */
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "core/log.h"
#include "core/machine.h"
#include "drivers/tsc.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_defs.h"

static struct vmx_msrs msrs;
static struct vmx_caps caps;

const struct vmx_msrs *vmx_msrs(void)
{
	return &msrs;
}

const struct vmx_caps *vmx_caps(void)
{
	return &caps;
}

static __noreturn void vmx_unavailable(const char *why)
{
	console_printf("FATAL: VT-x unavailable: %s\n", why);
	machine_stop(STOP_FATAL);
}

static void read_vmx_msrs(struct vmx_msrs *m)
{
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = m->basic & VMX_BASIC_TRUE_CONTROLS;

	m->pinbased = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased =
		rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* These two MSRs exist only when their allowed-1 bits say so (SDM
	 * Vol. 3D A.3.3, A.10); reading them otherwise raises #GP. */
	if (vmx_ctl_allowed1(m->procbased, PROC_ACTIVATE_SECONDARY))
		m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (vmx_ctl_allowed1(m->procbased2, PROC2_ENABLE_EPT) ||
	    vmx_ctl_allowed1(m->procbased2, PROC2_ENABLE_VPID))
		m->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}

static uint64_t check_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL), locked;

	switch (vmx_feature_control_verdict(fc, &locked)) {
	case FC_LOCK_AND_ALLOW:
		wrmsr(MSR_IA32_FEATURE_CONTROL, locked);
		log_info("vmx: IA32_FEATURE_CONTROL was unlocked: locked it with VMXON outside SMX "
			 "enabled");
		return locked;
	case FC_VMX_DISABLED:
		vmx_unavailable("disabled by the firmware (IA32_FEATURE_CONTROL is locked with "
				"VMXON outside SMX off); enable Intel VT-x in the firmware setup");
	default:
		return fc;
	}
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_summary(uint64_t feature_control, const struct vmx_caps *c)
{
	log_info("vmx: VT-x present, IA32_FEATURE_CONTROL 0x%lx (locked, VMXON outside SMX "
		 "allowed)",
		 feature_control);
	log_info("vmx: VMCS revision 0x%x, %u bytes, %s memory, true controls %s",
		 c->revision, c->vmcs_size, c->vmcs_wb ? "write-back" : "uncacheable",
		 yes_no(c->true_controls));
	log_info("vmx: secondary controls %s, EPT %s, VPID %s, unrestricted guest %s",
		 yes_no(c->secondary), yes_no(c->ept), yes_no(c->vpid), yes_no(c->unrestricted));
	if (c->ept)
		log_info("vmx: EPT 4-level walk %s, write-back %s, 2M pages %s, 1G pages %s, "
			 "A/D bits %s, INVEPT %s",
			 yes_no(c->ept_walk4), yes_no(c->ept_wb), yes_no(c->ept_2m),
			 yes_no(c->ept_1g), yes_no(c->ept_ad), yes_no(c->invept));
	if (c->vpid)
		log_info("vmx: INVVPID %s", yes_no(c->invvpid));
	if (c->preemption_timer) {
		uint64_t rate = tsc_hz() >> c->preemption_shift;

		log_info("vmx: preemption timer yes, 1 tick per 2^%u TSC ticks (%lu.%03lu MHz)",
			 c->preemption_shift, rate / 1000000, rate / 1000 % 1000);
	} else {
		log_info("vmx: preemption timer no");
	}
}

void vmx_probe(void)
{
	uint64_t fc;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_VMX))
		vmx_unavailable(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR ?
					"the CPU does not report VMX (CPUID.1:ECX[5]=0); we run "
					"under a hypervisor that does not offer nested VT-x" :
					"the CPU does not report VMX (CPUID.1:ECX[5]=0)");
	fc = check_feature_control();
	read_vmx_msrs(&msrs);
	log_debug("vmx: MSRs basic 0x%lx pin 0x%lx proc 0x%lx proc2 0x%lx exit 0x%lx entry 0x%lx "
		  "misc 0x%lx ept_vpid 0x%lx",
		  msrs.basic, msrs.pinbased, msrs.procbased, msrs.procbased2, msrs.exit,
		  msrs.entry, msrs.misc, msrs.ept_vpid);
	vmx_caps_decode(&msrs, &caps);
	print_summary(fc, &caps);
}
