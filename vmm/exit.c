/* VM-exit dispatch. Each basic exit reason has a short handler; an exit we
 * did not ask for and cannot explain stops that guest with a crash report,
 * never the hypervisor. */
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmx.h"
#include "vmm/vmx_ops.h"


static void exit_hlt(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	/* Nothing can raise a virtual interrupt yet, so HLT never wakes. */
	if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF))
		vm_stop(vcpu->vm, "halted with interrupts disabled");
	else
		vm_stop(vcpu->vm, "halted, and no virtual interrupt source can wake it");
}

static void exit_triple_fault(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	vcpu_crash_report(vcpu);
	vm_stop(vcpu->vm, "triple fault");
}

/* Guests are not offered VMX, MONITOR or MWAIT (CPUID hides them all), so
 * these instructions raise #UD as they would on such a CPU. */
static void exit_undefined_instruction(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	vcpu_inject_exception(vcpu, VECTOR_UD, false, 0);
}

/* Guest memory is write-back RAM kept coherent by the CPU: no cache flush
 * of the host's is needed on the guest's behalf. */
static void exit_cache_flush(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	vcpu_skip_instruction(vcpu);
}

/* No performance counters for guests: reading one is a #GP. */
static void exit_rdpmc(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	vcpu_inject_exception(vcpu, VECTOR_GP, true, 0);
}

static void exit_ept_violation(struct vcpu *vcpu, uint64_t qualification)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	const char *access = qualification & EPT_QUAL_FETCH ? "instruction fetch" :
			     qualification & EPT_QUAL_WRITE ? "write" : "read";

	vcpu_crash_report(vcpu);
	vm_stop(vcpu->vm, "EPT violation at GPA 0x%lx (%s)", gpa, access);
}

static void exit_ept_misconfig(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	vcpu_crash_report(vcpu);
	vm_stop(vcpu->vm, "EPT misconfiguration at GPA 0x%lx (a hypervisor bug)",
		vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS));
}

/* The interrupt is still pending at the host's local APIC: open the window
 * for a moment and the host's own IDT takes it. */
static void exit_external_interrupt(struct vcpu *vcpu, uint64_t qualification)
{
	(void)vcpu;
	(void)qualification;
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* The slice ended. With one guest at a time there is nothing else to run:
 * the next entry reloads the timer. */
static void exit_preemption_timer(struct vcpu *vcpu, uint64_t qualification)
{
	(void)vcpu;
	(void)qualification;
}

static const exit_handler_fn exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_cache_flush,
	[EXIT_RDPMC] = exit_rdpmc,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_undefined_instruction,
	[EXIT_VMLAUNCH] = exit_undefined_instruction,
	[EXIT_VMPTRLD] = exit_undefined_instruction,
	[EXIT_VMPTRST] = exit_undefined_instruction,
	[EXIT_VMREAD] = exit_undefined_instruction,
	[EXIT_VMRESUME] = exit_undefined_instruction,
	[EXIT_VMWRITE] = exit_undefined_instruction,
	[EXIT_VMXOFF] = exit_undefined_instruction,
	[EXIT_VMXON] = exit_undefined_instruction,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_IO_INSTRUCTION] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_MWAIT] = exit_undefined_instruction,
	[EXIT_MONITOR] = exit_undefined_instruction,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_INVEPT] = exit_undefined_instruction,
	[EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_INVVPID] = exit_undefined_instruction,
	[EXIT_WBINVD] = exit_cache_flush,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_VMFUNC] = exit_undefined_instruction,
};

static void record_exit(struct vcpu *vcpu, uint32_t reason, uint64_t qualification)
{
	struct exit_record *e = &vcpu->history[vcpu->exits % EXIT_HISTORY];

	e->reason = reason;
	e->qualification = qualification;
	e->rip = vmcs_read(GUEST_RIP);
	vcpu->exits++;
	vcpu->exit_counts[reason & EXIT_REASON_BASIC_MASK]++;
}

void exit_dispatch(struct vcpu *vcpu, uint32_t reason)
{
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	uint64_t qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
	exit_handler_fn fn = basic < EXIT_REASON_COUNT ? exit_handlers[basic] : NULL;

	if (basic < EXIT_REASON_COUNT)
		record_exit(vcpu, reason, qualification);
	if (fn) {
		fn(vcpu, qualification);
		return;
	}
	vcpu_crash_report(vcpu);
	vm_stop(vcpu->vm, "unhandled VM exit %u (%s), qualification 0x%lx", basic,
		vmx_exit_reason_name(basic), qualification);
}
