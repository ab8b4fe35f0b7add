/* Our own copy of the VM-entry checks on the guest-state area (Intel SDM
 * Vol. 3C 27.3.1, "Checks on the Guest State Area"; 26.3.1 in older
 * editions). When VM entry fails with EXIT_INVALID_GUEST_STATE the CPU says
 * only that; this checker says which field breaks which rule, e.g.
 * "GUEST_TR_AR: TR type must be 11 (64-bit busy TSS) in IA-32e mode, is 9".
 *
 * The checks are pure: they work on a snapshot of the fields, the controls
 * they depend on and the capability values (struct vmx_guest_state), so they
 * are unit-tested on the host. vmx_check_read_current() fills the snapshot
 * from the current VMCS (kernel only, vmm/vmx_check_read.c). */
#ifndef VMM_VMX_CHECK_H
#define VMM_VMX_CHECK_H

#include "compiler.h"
#include "vmm/vmcs_fields.h"

/* Names the checks use that vmx_defs.h, cpu.h and vmcs_fields.h lack:
 * the VM-entry control next to ENTRY_CTL_* (SDM Vol. 3C 24.8.1) and
 * architectural bits (SDM Vol. 3A 2.3, 2.5, 17.4.1; Vol. 3C 25.4.2, 25.8.3) */
#define DEBUGCTL_BTF BIT(1)
#define ACTIVITY_SHUTDOWN 2
#define ACTIVITY_WAIT_SIPI 3
#define INTERRUPTIBILITY_SMI (1u << 2)
#define INTERRUPTIBILITY_NMI (1u << 3)
#define INTERRUPTIBILITY_ENCLAVE (1u << 4)
#define PENDING_DBG_BP_MASK 0xfUL /* B0-B3 */
#define PENDING_DBG_ENABLED_BP BIT(12)
#define PENDING_DBG_BS BIT(14)
#define PENDING_DBG_RTM BIT(16)
#define INTR_TYPE_OTHER_EVENT 7u

/* IA32_VMX_MISC: the activity states VM entry accepts (SDM Vol. 3D A.6) */
#define VMX_MISC_ACTIVITY_HLT BIT(6)
#define VMX_MISC_ACTIVITY_SHUTDOWN BIT(7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI BIT(8)

/* The segment registers in the order of their VMCS encodings */
enum vmx_seg {
	VMX_SEG_ES,
	VMX_SEG_CS,
	VMX_SEG_SS,
	VMX_SEG_DS,
	VMX_SEG_FS,
	VMX_SEG_GS,
	VMX_SEG_LDTR,
	VMX_SEG_TR,
	VMX_SEG_COUNT,
};

/* The field of segment s for the ES one: vmx_seg_field(GUEST_ES_AR, s) */
static inline enum vmcs_field vmx_seg_field(enum vmcs_field es_field, enum vmx_seg s)
{
	return (enum vmcs_field)(es_field + 2 * s);
}

struct vmx_segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar; /* access rights in the VMCS format (AR_* in vmcs_fields.h) */
};

struct vmx_guest_state {
	/* Guest-state fields (SDM Vol. 3C 25.4) */
	uint64_t cr0, cr3, cr4, dr7;
	uint64_t debugctl, efer, pat;
	uint64_t sysenter_esp, sysenter_eip;
	struct vmx_segment seg[VMX_SEG_COUNT];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t rip, rflags;
	uint32_t activity, interruptibility;
	uint64_t pending_dbg;
	uint64_t link_pointer;
	uint64_t pdpte[4]; /* checked only with EPT on (27.3.1.6) */

	/* Controls the checks depend on */
	uint32_t pin_ctls;
	uint32_t proc2_ctls; /* 0 when the secondary controls are not activated */
	uint32_t entry_ctls;
	uint32_t entry_intr_info; /* VMCS_ENTRY_INTR_INFO */

	/* Capabilities */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* IA32_VMX_CRn_FIXEDn */
	uint64_t vmx_misc;           /* IA32_VMX_MISC */
	/* Both must be set (1-63): the canonical and reserved-bit checks use them. */
	unsigned int phys_width;     /* MAXPHYADDR, CPUID.80000008H:EAX[7:0] */
	unsigned int linear_width;   /* CPUID.80000008H:EAX[15:8], 48 without LA57 */
};

#define VMX_CHECK_MAX_FAILURES 8
#define VMX_CHECK_WHY_SIZE 160

struct vmx_check_failure {
	enum vmcs_field field;
	const char *name; /* the field's name in vmcs_fields.h, e.g. "GUEST_TR_AR" */
	char why[VMX_CHECK_WHY_SIZE];
};

/* The failures in SDM order; count may exceed VMX_CHECK_MAX_FAILURES, the
 * ones past it are counted but not kept. */
struct vmx_check_result {
	unsigned int count;
	struct vmx_check_failure fail[VMX_CHECK_MAX_FAILURES];
};

/* Run every check of SDM Vol. 3C 27.3.1.1-27.3.1.6 on gs. Returns true when
 * all pass. */
bool vmx_check_guest_state(const struct vmx_guest_state *gs, struct vmx_check_result *res);

/* The name of a VMCS field as written in vmcs_fields.h ("GUEST_CR0"), or
 * "?" for one the checker never reports. */
const char *vmx_check_field_name(enum vmcs_field field);

/* Kernel only (vmm/vmx_check_read.c). Fill gs from the current VMCS, the
 * capability MSRs and CPUID; fields the controls make unused (and possibly
 * unsupported) read as 0. */
void vmx_check_read_current(struct vmx_guest_state *gs);

#endif
