/* The snapshot vmx_check_guest_state() works on, read from the current VMCS
 * (kernel only). A field that exists only with some capability is read only
 * when the control that uses it is on: VMREAD of an unsupported field fails. */
#include "arch/x86/cpu.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_check.h"
#include "vmm/vmx_defs.h"
#include "vmm/vmx_ops.h"

#define CPUID_ADDRESS_SIZES 0x80000008u
#define CPUID_PHYS_WIDTH_MASK 0xffu
#define CPUID_LINEAR_WIDTH_SHIFT 8
#define CPUID_LINEAR_WIDTH_MASK 0xffu
/* Without the leaf: the widths of the first processors with Intel 64 */
#define DEFAULT_PHYS_WIDTH 36u
#define DEFAULT_LINEAR_WIDTH 48u

static void read_segments(struct vmx_guest_state *gs)
{
	for (unsigned int i = 0; i < VMX_SEG_COUNT; i++) {
		enum vmx_seg s = (enum vmx_seg)i;
		struct vmx_segment *sg = &gs->seg[s];

		sg->selector = (uint16_t)vmcs_read(vmx_seg_field(GUEST_ES_SELECTOR, s));
		sg->base = vmcs_read(vmx_seg_field(GUEST_ES_BASE, s));
		sg->limit = (uint32_t)vmcs_read(vmx_seg_field(GUEST_ES_LIMIT, s));
		sg->ar = (uint32_t)vmcs_read(vmx_seg_field(GUEST_ES_AR, s));
	}
}

static void read_controls(struct vmx_guest_state *gs)
{
	gs->pin_ctls = (uint32_t)vmcs_read(VMCS_PIN_BASED_CTLS);
	if (vmcs_read(VMCS_PROC_BASED_CTLS) & PROC_ACTIVATE_SECONDARY)
		gs->proc2_ctls = (uint32_t)vmcs_read(VMCS_PROC_BASED_CTLS2);
	gs->entry_ctls = (uint32_t)vmcs_read(VMCS_ENTRY_CTLS);
	gs->entry_intr_info = (uint32_t)vmcs_read(VMCS_ENTRY_INTR_INFO);
}

static void read_capabilities(struct vmx_guest_state *gs)
{
	const struct vmx_msrs *m = vmx_msrs();

	gs->cr0_fixed0 = m->cr0_fixed0;
	gs->cr0_fixed1 = m->cr0_fixed1;
	gs->cr4_fixed0 = m->cr4_fixed0;
	gs->cr4_fixed1 = m->cr4_fixed1;
	gs->vmx_misc = m->misc;
	gs->phys_width = DEFAULT_PHYS_WIDTH;
	gs->linear_width = DEFAULT_LINEAR_WIDTH;
	if (cpuid_max_ext_leaf() >= CPUID_ADDRESS_SIZES) {
		uint32_t eax = cpuid(CPUID_ADDRESS_SIZES, 0).eax;

		gs->phys_width = eax & CPUID_PHYS_WIDTH_MASK;
		gs->linear_width = (eax >> CPUID_LINEAR_WIDTH_SHIFT) & CPUID_LINEAR_WIDTH_MASK;
	}
}

void vmx_check_read_current(struct vmx_guest_state *gs)
{
	*gs = (struct vmx_guest_state){ 0 };
	read_controls(gs);
	read_capabilities(gs);

	gs->cr0 = vmcs_read(GUEST_CR0);
	gs->cr3 = vmcs_read(GUEST_CR3);
	gs->cr4 = vmcs_read(GUEST_CR4);
	gs->dr7 = vmcs_read(GUEST_DR7);
	gs->debugctl = vmcs_read(GUEST_IA32_DEBUGCTL);
	if (gs->entry_ctls & ENTRY_CTL_LOAD_PAT)
		gs->pat = vmcs_read(GUEST_IA32_PAT);
	if (gs->entry_ctls & ENTRY_CTL_LOAD_EFER)
		gs->efer = vmcs_read(GUEST_IA32_EFER);
	gs->sysenter_esp = vmcs_read(GUEST_IA32_SYSENTER_ESP);
	gs->sysenter_eip = vmcs_read(GUEST_IA32_SYSENTER_EIP);

	read_segments(gs);
	gs->gdtr_base = vmcs_read(GUEST_GDTR_BASE);
	gs->gdtr_limit = (uint32_t)vmcs_read(GUEST_GDTR_LIMIT);
	gs->idtr_base = vmcs_read(GUEST_IDTR_BASE);
	gs->idtr_limit = (uint32_t)vmcs_read(GUEST_IDTR_LIMIT);

	gs->rip = vmcs_read(GUEST_RIP);
	gs->rflags = vmcs_read(GUEST_RFLAGS);
	gs->activity = (uint32_t)vmcs_read(GUEST_ACTIVITY_STATE);
	gs->interruptibility = (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY);
	gs->pending_dbg = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
	gs->link_pointer = vmcs_read(GUEST_VMCS_LINK_POINTER);
	if (gs->proc2_ctls & PROC2_ENABLE_EPT) {
		for (unsigned int i = 0; i < ARRAY_SIZE(gs->pdpte); i++)
			gs->pdpte[i] = vmcs_read((enum vmcs_field)(GUEST_PDPTE0 + 2 * i));
	}
}
