/* VMCS setup. Every control value comes from the capability MSRs through
 * vmx_adjust_controls(): we say what we need and what we would like, the
 * CPU says what it allows. */
#include "vmm/vmcs.h"

#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "drivers/tsc.h"
#include "lib/format.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_defs.h"
#include "vmm/vmx_ops.h"

#define DR7_INIT 0x400
#define TSS_AVAILABLE_TYPE 0x9u
#define PAT_DEFAULT 0x0007040600070406ULL /* the power-up value (SDM Vol. 3A 13.12.4) */

extern char vmx_exit_entry[];

/* Names of the controls we may require, for the refusal line. */
static const struct {
	enum vmcs_field field;
	uint32_t bit;
	const char *name;
} control_names[] = {
	{ VMCS_PIN_BASED_CTLS, PIN_EXTERNAL_INTERRUPT_EXITING, "external-interrupt exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_HLT_EXITING, "HLT exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_UNCONDITIONAL_IO_EXITING, "unconditional I/O exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_USE_MSR_BITMAPS, "MSR bitmaps" },
	{ VMCS_PROC_BASED_CTLS, PROC_MWAIT_EXITING, "MWAIT exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_MONITOR_EXITING, "MONITOR exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_RDPMC_EXITING, "RDPMC exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_CR8_LOAD_EXITING, "CR8-load exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_CR8_STORE_EXITING, "CR8-store exiting" },
	{ VMCS_PROC_BASED_CTLS, PROC_ACTIVATE_SECONDARY, "secondary controls" },
	{ VMCS_PROC_BASED_CTLS2, PROC2_ENABLE_EPT, "EPT" },
	{ VMCS_PROC_BASED_CTLS2, PROC2_UNRESTRICTED_GUEST, "unrestricted guest" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_HOST_ADDRESS_SPACE, "64-bit host" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_SAVE_EFER, "save IA32_EFER" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_LOAD_EFER, "load IA32_EFER on exit" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_SAVE_PAT, "save IA32_PAT" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_LOAD_PAT, "load IA32_PAT on exit" },
	{ VMCS_EXIT_CTLS, EXIT_CTL_SAVE_DEBUG_CONTROLS, "save debug controls" },
	{ VMCS_PROC_BASED_CTLS, PROC_USE_TSC_OFFSETTING, "TSC offsetting" },
	{ VMCS_ENTRY_CTLS, ENTRY_CTL_LOAD_DEBUG_CONTROLS, "load debug controls" },
	{ VMCS_ENTRY_CTLS, ENTRY_CTL_IA32E_MODE, "IA-32e mode guest" },
	{ VMCS_ENTRY_CTLS, ENTRY_CTL_LOAD_EFER, "load IA32_EFER on entry" },
	{ VMCS_ENTRY_CTLS, ENTRY_CTL_LOAD_PAT, "load IA32_PAT on entry" },
};

struct control {
	const char *name;
	enum vmcs_field field;
	uint64_t cap_msr;
	uint32_t required, optional;
};

/* Adjust and write one control field; name the missing required bits. */
static bool write_control(const struct control *c, uint32_t *value, char *why, size_t why_len)
{
	uint32_t missing;

	*value = vmx_adjust_controls(c->cap_msr, c->required, c->optional, &missing);
	if (missing) {
		size_t len = (size_t)fmt_snprintf(why, why_len, "this CPU's VT-x lacks");

		for (size_t i = 0; i < ARRAY_SIZE(control_names) && len < why_len; i++)
			if (control_names[i].field == c->field && (missing & control_names[i].bit))
				len += (size_t)fmt_snprintf(why + len, why_len - len, " %s,",
							    control_names[i].name);
		if (len < why_len)
			fmt_snprintf(why + len - 1, why_len - len + 1, " (%s controls 0x%x)",
				     c->name, missing);
		return false;
	}
	vmcs_write(c->field, *value);
	return true;
}

static void setup_host_state(void)
{
	struct percpu *cpu = this_cpu();
	struct desc_ptr idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SELECTOR, SEL_CODE64);
	vmcs_write(HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write(HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write(HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(HOST_GS_BASE, (uintptr_t)cpu);
	vmcs_write(HOST_TR_BASE, (uintptr_t)&cpu->tss);
	vmcs_write(HOST_GDTR_BASE, (uintptr_t)cpu->gdt);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(HOST_RIP, (uintptr_t)vmx_exit_entry);
}

uint64_t vmcs_cr0_host_owned(void)
{
	const struct vmx_msrs *m = vmx_msrs();
	/* With unrestricted guest, PE and PG are the guest's (SDM Vol. 3C
	 * 26.3.1.1); every other bit VMX fixes is ours. */
	uint64_t fixed0 = m->cr0_fixed0 & ~(CR0_PE | CR0_PG);

	return fixed0 | ~m->cr0_fixed1;
}

uint64_t vmcs_cr4_host_owned(void)
{
	const struct vmx_msrs *m = vmx_msrs();

	return m->cr4_fixed0 | ~m->cr4_fixed1;
}

/* What the guest reads: its own bits from the register, ours from the
 * read shadow (SDM Vol. 3C 26.3, "Guest/Host Masks and Read Shadows"). */
uint64_t vmcs_guest_cr0(void)
{
	uint64_t mask = vmcs_cr0_host_owned();

	return (vmcs_read(GUEST_CR0) & ~mask) | (vmcs_read(VMCS_CR0_READ_SHADOW) & mask);
}

uint64_t vmcs_guest_cr4(void)
{
	uint64_t mask = vmcs_cr4_host_owned();

	return (vmcs_read(GUEST_CR4) & ~mask) | (vmcs_read(VMCS_CR4_READ_SHADOW) & mask);
}

uint64_t vmcs_cr0_real(uint64_t guest_value)
{
	const struct vmx_msrs *m = vmx_msrs();

	return (guest_value | (m->cr0_fixed0 & ~(CR0_PE | CR0_PG))) & m->cr0_fixed1;
}

uint64_t vmcs_cr4_real(uint64_t guest_value)
{
	const struct vmx_msrs *m = vmx_msrs();

	return (guest_value | m->cr4_fixed0) & m->cr4_fixed1;
}

static void write_segment(enum seg_reg s, const struct seg_state *seg)
{
	/* The VMCS keeps each register's four fields at this stride (B.1). */
	static const enum vmcs_field selector[SEG_COUNT] = {
		GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR, GUEST_LDTR_SELECTOR, GUEST_TR_SELECTOR,
	};
	unsigned int i = selector[s] - GUEST_ES_SELECTOR;

	vmcs_write(selector[s], seg->selector);
	vmcs_write(GUEST_ES_BASE + i, seg->base);
	vmcs_write(GUEST_ES_LIMIT + i, seg->limit);
	vmcs_write(GUEST_ES_AR + i, seg->ar);
}

static void setup_guest_state(const struct entry_state *st)
{
	vmcs_write(GUEST_CR0, vmcs_cr0_real(st->cr0));
	vmcs_write(VMCS_CR0_READ_SHADOW, st->cr0);
	vmcs_write(GUEST_CR3, st->cr3);
	vmcs_write(GUEST_CR4, vmcs_cr4_real(st->cr4));
	vmcs_write(VMCS_CR4_READ_SHADOW, st->cr4);
	vmcs_write(GUEST_IA32_EFER, st->efer);
	vmcs_write(GUEST_IA32_PAT, PAT_DEFAULT);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, DR7_INIT);
	for (int s = 0; s < SEG_COUNT; s++)
		write_segment((enum seg_reg)s, &st->seg[s]);
	vmcs_write(GUEST_GDTR_BASE, st->gdtr_base);
	vmcs_write(GUEST_GDTR_LIMIT, st->gdtr_limit);
	vmcs_write(GUEST_IDTR_BASE, st->idtr_base);
	vmcs_write(GUEST_IDTR_LIMIT, st->idtr_limit);
	vmcs_write(GUEST_RIP, st->rip);
	vmcs_write(GUEST_RSP, st->rsp);
	vmcs_write(GUEST_RFLAGS, st->rflags);
	vmcs_write(GUEST_IA32_SYSENTER_CS, 0);
	vmcs_write(GUEST_IA32_SYSENTER_ESP, 0);
	vmcs_write(GUEST_IA32_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
}

static bool setup_execution_controls(struct vcpu *vcpu, char *why, size_t why_len)
{
	const struct vmx_msrs *m = vmx_msrs();
	const struct control pin = {
		"pin-based", VMCS_PIN_BASED_CTLS, m->pinbased,
		/* The host keeps its interrupts: they exit, the host takes them. */
		PIN_EXTERNAL_INTERRUPT_EXITING, PIN_PREEMPTION_TIMER,
	};
	const struct control proc = {
		"processor-based", VMCS_PROC_BASED_CTLS, m->procbased,
		PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO_EXITING | PROC_USE_MSR_BITMAPS |
			PROC_USE_TSC_OFFSETTING |
			/* without a TPR shadow, CR8 would be the real APIC's TPR */
			PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
			PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_RDPMC_EXITING |
			PROC_ACTIVATE_SECONDARY,
		0,
	};
	const struct control proc2 = {
		"secondary processor-based", VMCS_PROC_BASED_CTLS2, m->procbased2,
		PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
		PROC2_ENABLE_VPID | PROC2_WBINVD_EXITING,
	};
	uint32_t pin_v, proc_v, proc2_v;

	if (!write_control(&pin, &pin_v, why, why_len) ||
	    !write_control(&proc, &proc_v, why, why_len) ||
	    !write_control(&proc2, &proc2_v, why, why_len))
		return false;
	vcpu->preempt_timer = pin_v & PIN_PREEMPTION_TIMER;
	vcpu->proc_ctls = proc_v;
	if (proc2_v & PROC2_ENABLE_VPID)
		vmcs_write(VMCS_VPID, vcpu->vpid);
	else
		vcpu->vpid = 0;
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_PF_ERROR_CODE_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_CODE_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_MSR_BITMAP, vcpu->msr_bitmap_phys);
	vmcs_write(VMCS_EPT_POINTER, ept_pointer(&vcpu->vm->ept));
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, vmcs_cr0_host_owned());
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmcs_cr4_host_owned());
	vmcs_write(VMCS_TSC_OFFSET, 0);
	return true;
}

static bool setup_exit_controls(struct vcpu *vcpu, char *why, size_t why_len)
{
	const struct control exit = {
		"VM-exit", VMCS_EXIT_CTLS, vmx_msrs()->exit,
		/* Guests own PAT and EFER (the MSR bitmap lets them write PAT). */
		EXIT_CTL_HOST_ADDRESS_SPACE | EXIT_CTL_SAVE_EFER | EXIT_CTL_LOAD_EFER |
			EXIT_CTL_SAVE_PAT | EXIT_CTL_LOAD_PAT | EXIT_CTL_SAVE_DEBUG_CONTROLS,
		/* so a slice is a slice of guest time, whatever its exits */
		EXIT_CTL_SAVE_PREEMPTION_TIMER,
	};
	uint32_t v;

	if (!write_control(&exit, &v, why, why_len))
		return false;
	vcpu->preempt_saved = vcpu->preempt_timer && (v & EXIT_CTL_SAVE_PREEMPTION_TIMER);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	return true;
}

static bool setup_entry_controls(const struct entry_state *st, char *why, size_t why_len)
{
	const struct control entry = {
		"VM-entry", VMCS_ENTRY_CTLS, vmx_msrs()->entry,
		ENTRY_CTL_LOAD_EFER | ENTRY_CTL_LOAD_PAT | ENTRY_CTL_LOAD_DEBUG_CONTROLS |
			(st->efer & EFER_LMA ? ENTRY_CTL_IA32E_MODE : 0),
		0,
	};
	uint32_t v;

	if (!write_control(&entry, &v, why, why_len))
		return false;
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	return true;
}

/* The break_state= test option: one field the VM-entry checks reject. */
static void break_guest_state(enum guest_break what)
{
	switch (what) {
	case GUEST_BREAK_TR:
		vmcs_write(GUEST_TR_AR, (vmcs_read(GUEST_TR_AR) & ~(uint64_t)AR_TYPE_MASK) |
						TSS_AVAILABLE_TYPE);
		break;
	case GUEST_BREAK_CR0:
		vmcs_write(GUEST_CR0, vmcs_read(GUEST_CR0) & ~CR0_NE);
		break;
	case GUEST_BREAK_RFLAGS:
		vmcs_write(GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS) & ~RFLAGS_FIXED1);
		break;
	case GUEST_BREAK_LINK:
		vmcs_write(GUEST_VMCS_LINK_POINTER, 0);
		break;
	default:
		break;
	}
}

void vmcs_set_slice(struct vcpu *vcpu, uint64_t slice)
{
	if (vcpu->preempt_timer)
		vmcs_write(GUEST_PREEMPTION_TIMER,
			   MIN(slice >> vmx_caps()->preemption_shift, (uint64_t)UINT32_MAX));
}

/* Controls first: a CPU without a required control is refused before we
 * touch state fields that exist only with it (e.g. HOST_IA32_EFER). */
bool vmcs_setup(struct vcpu *vcpu, const struct entry_state *st, char *why, size_t why_len)
{
	if (!setup_execution_controls(vcpu, why, why_len) ||
	    !setup_exit_controls(vcpu, why, why_len) ||
	    !setup_entry_controls(st, why, why_len))
		return false;
	setup_host_state();
	setup_guest_state(st);
	break_guest_state(vcpu->vm->cfg.break_state);
	return true;
}
