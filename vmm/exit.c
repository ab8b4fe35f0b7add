/* VM-exit dispatch. Each basic exit reason has a short handler; an exit we
 * did not ask for and cannot explain stops that guest with a crash report,
 * never the hypervisor. */
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "vmm/irq.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vuart.h"
#include "vmm/vm.h"
#include "vmm/vmx.h"
#include "vmm/vmx_ops.h"


/* HLT: the vCPU sleeps until its next virtual interrupt and costs nothing
 * meanwhile (vmm/sched.c runs the others or halts the CPU). */
static void exit_hlt(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF)) {
		vm_stop(vcpu->vm, "halted with interrupts disabled");
		return;
	}
	vcpu_skip_instruction(vcpu);
	irq_mark_dirty(vcpu);
	if (irq_pending(vcpu))
		return;
	if (vcpu->next_event == UINT64_MAX && !vuart_rx_interrupts(vcpu->vm)) {
		vm_stop(vcpu->vm, "halted, with no virtual timer armed and no UART input enabled "
				  "to wake it");
		return;
	}
	vcpu->state = VCPU_SLEEPING;
	vcpu->wake_tsc = vcpu->next_event;
	vcpu->work |= VCPU_WORK_YIELD;
}

/* The guest can take an interrupt now: irq_sync() injects it. */
static void exit_interrupt_window(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	irq_mark_dirty(vcpu);
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

	/* Outside RAM: a device's registers, or a wild access. An access made
	 * by event delivery itself (an IDT or stack on a device page) is no
	 * instruction hv could emulate. */
	if (mmio_claims(gpa) && !(vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID)) {
		mmio_emulate(vcpu, gpa);
		return;
	}
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
	(void)qualification;
	irq_reinject_vectoring(vcpu);
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* The slice ended: back to the scheduler. A guest that outlives its
 * watchdog_ms= is stopped here: it takes this exit whatever it does, even
 * spinning with interrupts off. */
static void exit_preemption_timer(struct vcpu *vcpu, uint64_t qualification)
{
	(void)qualification;
	/* Either the slice is over or one of its virtual timers is due. */
	if (rdtsc() >= vcpu->slice_end)
		vcpu->work |= VCPU_WORK_YIELD;
	irq_mark_dirty(vcpu);
	if (vcpu->cpu_budget && vcpu->cpu_ticks + (rdtsc() - vcpu->slice_start) >= vcpu->cpu_budget) {
		vcpu_crash_report(vcpu);
		vm_stop(vcpu->vm, "used watchdog_ms=%u of CPU time", vcpu->vm->watchdog_ms);
	}
}

/* Per basic exit reason: the handler, and whether it needs the exit
 * qualification (read only then: each VMREAD is part of every exit's cost). */
static const struct exit_handler {
	exit_handler_fn fn;
	bool needs_qualification;
} exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_EXTERNAL_INTERRUPT] = { exit_external_interrupt, false },
	[EXIT_TRIPLE_FAULT] = { exit_triple_fault, false },
	[EXIT_INTERRUPT_WINDOW] = { exit_interrupt_window, false },
	[EXIT_CPUID] = { exit_cpuid, false },
	[EXIT_HLT] = { exit_hlt, false },
	[EXIT_INVD] = { exit_cache_flush, false },
	[EXIT_RDPMC] = { exit_rdpmc, false },
	[EXIT_VMCALL] = { exit_vmcall, false },
	[EXIT_VMCLEAR] = { exit_undefined_instruction, false },
	[EXIT_VMLAUNCH] = { exit_undefined_instruction, false },
	[EXIT_VMPTRLD] = { exit_undefined_instruction, false },
	[EXIT_VMPTRST] = { exit_undefined_instruction, false },
	[EXIT_VMREAD] = { exit_undefined_instruction, false },
	[EXIT_VMRESUME] = { exit_undefined_instruction, false },
	[EXIT_VMWRITE] = { exit_undefined_instruction, false },
	[EXIT_VMXOFF] = { exit_undefined_instruction, false },
	[EXIT_VMXON] = { exit_undefined_instruction, false },
	[EXIT_CR_ACCESS] = { exit_cr_access, true },
	[EXIT_IO_INSTRUCTION] = { exit_io, true },
	[EXIT_RDMSR] = { exit_rdmsr, false },
	[EXIT_WRMSR] = { exit_wrmsr, false },
	[EXIT_MWAIT] = { exit_undefined_instruction, false },
	[EXIT_MONITOR] = { exit_undefined_instruction, false },
	[EXIT_EPT_VIOLATION] = { exit_ept_violation, true },
	[EXIT_EPT_MISCONFIG] = { exit_ept_misconfig, false },
	[EXIT_INVEPT] = { exit_undefined_instruction, false },
	[EXIT_PREEMPTION_TIMER] = { exit_preemption_timer, false },
	[EXIT_INVVPID] = { exit_undefined_instruction, false },
	[EXIT_WBINVD] = { exit_cache_flush, false },
	[EXIT_XSETBV] = { exit_xsetbv, false },
	[EXIT_VMFUNC] = { exit_undefined_instruction, false },
};

static void record_exit(struct vcpu *vcpu, uint32_t reason, uint64_t qualification)
{
	struct exit_record *e = &vcpu->history[vcpu->exits % EXIT_HISTORY];

	e->reason = reason;
	e->qualification = qualification;
	e->rip = vmcs_read(GUEST_RIP);
	vcpu->exits++;
	if ((reason & EXIT_REASON_BASIC_MASK) < EXIT_REASON_COUNT)
		vcpu->exit_counts[reason & EXIT_REASON_BASIC_MASK]++;
}

static void exit_unhandled(struct vcpu *vcpu, uint32_t reason)
{
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	uint64_t qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);

	record_exit(vcpu, reason, qualification);
	vcpu_crash_report(vcpu);
	vm_stop(vcpu->vm, "unhandled VM exit %u (%s), qualification 0x%lx", basic,
		vmx_exit_reason_name(basic), qualification);
}

static void exit_dispatch(struct vcpu *vcpu, uint32_t reason)
{
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	const struct exit_handler *h = basic < EXIT_REASON_COUNT ? &exit_handlers[basic] : NULL;
	uint64_t qualification;

	if (!h || !h->fn) {
		exit_unhandled(vcpu, reason);
		return;
	}
	qualification = h->needs_qualification ? vmcs_read(VMCS_EXIT_QUALIFICATION) : 0;
	record_exit(vcpu, reason, qualification);
	h->fn(vcpu, qualification);
}

bool vmx_handle_exit(struct guest_regs *regs)
{
	/* regs is the first member of struct vcpu */
	struct vcpu *vcpu = (struct vcpu *)regs;
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);

	vcpu->launched = true;
	if (reason & EXIT_REASON_ENTRY_FAILURE)
		vcpu_entry_failed(vcpu, reason);
	else
		exit_dispatch(vcpu, reason);
	return __builtin_expect(!vcpu->work, 1) || vcpu_exit_work(vcpu);
}
