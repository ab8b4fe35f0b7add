/* vCPU lifecycle and the run loop: enter the guest, dispatch the exit,
 * repeat until the guest is done. */
#include "vmm/vcpu.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/percpu.h"
#include "core/boot.h"
#include "core/log.h"
#include "drivers/tsc.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "vmm/exit.h"
#include "vmm/irq.h"
#include "vmm/msr_policy.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"
#include "vmm/vmcs.h"
#include "vmm/vmx.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_check.h"
#include "vmm/vmx_ops.h"

#define VPID_FIRST 1
#define XCR0_X87 1ULL

static const uint32_t guest_msr_index[GMSR_COUNT] = {
	[GMSR_STAR] = MSR_STAR,
	[GMSR_LSTAR] = MSR_LSTAR,
	[GMSR_CSTAR] = MSR_CSTAR,
	[GMSR_SFMASK] = MSR_SFMASK,
	[GMSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

static uint16_t next_vpid = VPID_FIRST;

void vmcs_write_failed(enum vmcs_field field)
{
	panic("vmx: VMWRITE of field 0x%x failed: %s", field,
		      vmx_instruction_error_name((uint32_t)vmcs_read(VMCS_INSTRUCTION_ERROR)));
}

uint64_t vcpu_gpr(const struct vcpu *vcpu, enum gpr reg)
{
	return reg == GPR_RSP ? vmcs_read(GUEST_RSP) : vcpu->regs.gpr[reg];
}

void vcpu_set_gpr(struct vcpu *vcpu, enum gpr reg, uint64_t value)
{
	if (reg == GPR_RSP)
		vmcs_write(GUEST_RSP, value);
	else
		vcpu->regs.gpr[reg] = value;
}

void vcpu_inject_exception(struct vcpu *vcpu, uint8_t vector, bool has_error, uint32_t error)
{
	uint32_t info = vector | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	(void)vcpu;
	if (has_error) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

/* Stale translations of an earlier user of this VPID or EPT root must not
 * survive (SDM Vol. 3C 29.4.3): single-context where the CPU has it. */
static void flush_guest_tlb(struct vcpu *vcpu)
{
	const struct vmx_caps *caps = vmx_caps();
	uint64_t eptp = ept_pointer(&vcpu->vm->ept);

	if (vcpu->vpid && caps->invvpid)
		invvpid(caps->invvpid_single ? INVVPID_SINGLE_CONTEXT : INVVPID_ALL_CONTEXTS,
			vcpu->vpid);
	if (caps->invept)
		invept(caps->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXTS, eptp);
}

bool vcpu_create(struct vm *vm, struct vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->xcr0 = XCR0_X87;
	vcpu->vmcs_phys = vmx_alloc_region();
	vcpu->msr_bitmap_phys = frame_alloc_page();
	if (!vcpu->vmcs_phys || !vcpu->msr_bitmap_phys) {
		vm_refuse(vm, "out of memory for its VMCS");
		return false;
	}
	vcpu->vmcs = phys_to_virt(vcpu->vmcs_phys);
	vcpu->msr_bitmap = phys_to_virt(vcpu->msr_bitmap_phys);
	msr_policy_build_bitmap(vcpu->msr_bitmap);
	if (!fpu_state_alloc(&vcpu->fpu)) {
		vm_refuse(vm, "out of memory for its FPU state");
		return false;
	}
	/* VPIDs are never reused while we run one guest after another; if
	 * they ever wrap, INVVPID below drops stale translations. */
	vcpu->vpid = next_vpid++;
	if (!next_vpid)
		next_vpid = VPID_FIRST;
	return true;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->vmcs_phys) {
		vmclear(vcpu->vmcs_phys);
		frame_free_pages(vcpu->vmcs_phys, 1);
	}
	if (vcpu->msr_bitmap_phys)
		frame_free_pages(vcpu->msr_bitmap_phys, 1);
	fpu_state_free(&vcpu->fpu);
	vcpu->vmcs_phys = vcpu->msr_bitmap_phys = 0;
}

/* State the VMCS does not switch. The host never uses these MSRs, CR2
 * (outside a fatal page fault), the debug registers or the FPU, so they
 * are switched when the vCPU takes and leaves the CPU, not on every exit. */
static void vcpu_load(struct vcpu *vcpu)
{
	for (int i = 0; i < GMSR_COUNT; i++)
		wrmsr(guest_msr_index[i], vcpu->msrs[i]);
	write_cr2(vcpu->cr2);
	write_dr0(vcpu->dr[0]);
	write_dr1(vcpu->dr[1]);
	write_dr2(vcpu->dr[2]);
	write_dr3(vcpu->dr[3]);
	write_dr6(vcpu->dr6);
	fpu_state_load(&vcpu->fpu, vcpu->xcr0);
}

static void vcpu_put(struct vcpu *vcpu)
{
	for (int i = 0; i < GMSR_COUNT; i++)
		vcpu->msrs[i] = rdmsr(guest_msr_index[i]);
	vcpu->cr2 = read_cr2();
	vcpu->dr[0] = read_dr0();
	vcpu->dr[1] = read_dr1();
	vcpu->dr[2] = read_dr2();
	vcpu->dr[3] = read_dr3();
	vcpu->dr6 = read_dr6();
	fpu_state_save(&vcpu->fpu);
}

static void report_entry_failure(struct vcpu *vcpu, int fail)
{
	uint32_t err;

	if (fail == 2) {
		vm_stop(vcpu->vm, "VM entry failed: VMfailInvalid (no current VMCS)");
		return;
	}
	err = (uint32_t)vmcs_read(VMCS_INSTRUCTION_ERROR);
	vm_stop(vcpu->vm, "VM entry failed: VM-instruction error %u (%s)", err,
		vmx_instruction_error_name(err));
}

void vcpu_entry_failed(struct vcpu *vcpu, uint32_t reason)
{
	struct vmx_guest_state gs;
	struct vmx_check_result res;

	if ((reason & EXIT_REASON_BASIC_MASK) != EXIT_INVALID_GUEST_STATE) {
		vm_stop(vcpu->vm, "VM entry failed with exit reason %u (%s)",
			reason & EXIT_REASON_BASIC_MASK,
			vmx_exit_reason_name(reason & EXIT_REASON_BASIC_MASK));
		return;
	}
	vmx_check_read_current(&gs);
	if (vmx_check_guest_state(&gs, &res)) {
		vm_stop(vcpu->vm, "VM entry failed: invalid guest state (our checker finds no "
				  "broken rule)");
		return;
	}
	for (unsigned int i = 0; i < MIN(res.count, (unsigned int)VMX_CHECK_MAX_FAILURES); i++)
		vm_log(vcpu->vm, "invalid guest state: %s: %s", res.fail[i].name, res.fail[i].why);
	vm_stop(vcpu->vm, "VM entry failed: invalid guest state: %s: %s", res.fail[0].name,
		res.fail[0].why);
}

/* Bochs's TSC counts instructions: this is the cost of our bring-up. */
static void log_first_entry(void)
{
	static bool done;
	uint64_t now = rdtsc();

	if (done)
		return;
	done = true;
	log_info("hv: first VM entry at TSC %lu, %lu TSC ticks after the first line", now,
		 now - boot_banner_tsc);
}

/* The guest's TSC reads about 0 at its first instruction (SDM Vol. 3C
 * 26.6.5, TSC offsetting). */
static void start_guest_clock(struct vcpu *vcpu)
{
	vcpu->tsc_offset = 0 - rdtsc();
	vmcs_write(VMCS_TSC_OFFSET, vcpu->tsc_offset);
	vcpu->started = true;
}

bool vcpu_exit_work(struct vcpu *vcpu)
{
	if ((vcpu->work & VCPU_WORK_SOFT_SLICE) && rdtsc() >= vcpu->slice_end)
		vcpu->work |= VCPU_WORK_YIELD;
	if (vcpu->work & (VCPU_WORK_STOP | VCPU_WORK_YIELD))
		return false;
	if (vcpu->work & VCPU_WORK_EVENTS)
		vcpu_sync_events(vcpu);
	return true;
}

void vcpu_sync_events(struct vcpu *vcpu)
{
	uint64_t now, until;

	irq_sync(vcpu);
	if (!vcpu->preempt_timer)
		return;
	/* Exit when the slice ends or this vCPU's next virtual timer is due,
	 * whichever comes first: its interrupts arrive on time. */
	now = rdtsc();
	until = MIN(vcpu->slice_end, vcpu->next_event);
	vmcs_set_slice(vcpu, until > now ? until - now : 0);
}

void vcpu_run_slice(struct vcpu *vcpu, uint64_t slice)
{
	struct percpu *cpu = this_cpu();
	int fail;

	if (cpu->current_vmcs != vcpu->vmcs_phys) {
		if (!vmptrld(vcpu->vmcs_phys)) {
			vm_stop(vcpu->vm, "VMPTRLD of its VMCS failed");
			return;
		}
		cpu->current_vmcs = vcpu->vmcs_phys;
	}
	if (!vcpu->started) {
		flush_guest_tlb(vcpu);
		start_guest_clock(vcpu);
	}
	/* A timer that woke it may raise nothing (masked, or held off by
	 * TPR): then HLT goes on. */
	if (vcpu->state == VCPU_SLEEPING && !irq_pending(vcpu)) {
		vcpu->wake_tsc = vcpu->next_event;
		if (vcpu->wake_tsc == UINT64_MAX && !vuart_rx_interrupts(vcpu->vm))
			vm_stop(vcpu->vm, "halted, and nothing left that can wake it");
		return;
	}
	vcpu->state = VCPU_RUNNABLE;
	vcpu->work &= (uint8_t)~(VCPU_WORK_YIELD | VCPU_WORK_SOFT_SLICE);
	/* Without a saved preemption timer every entry would restart the
	 * slice: a guest that exits often could keep the CPU forever. */
	if (!vcpu->preempt_saved)
		vcpu->work |= VCPU_WORK_SOFT_SLICE;
	vcpu->slice_end = rdtsc() + slice;
	vcpu_sync_events(vcpu);
	vcpu_load(vcpu);
	log_first_entry();
	vcpu->cpu_budget = ns_to_tsc(vcpu->vm->watchdog_ms * 1000000ull);
	vcpu->slice_start = rdtsc();
	fail = vmx_enter(&vcpu->regs, vcpu->launched);
	vcpu->cpu_ticks += rdtsc() - vcpu->slice_start;
	if (fail)
		report_entry_failure(vcpu, fail);
	vcpu_put(vcpu);
}

void vcpu_crash_report(const struct vcpu *vcpu)
{
	const struct vm *vm = vcpu->vm;
	const uint64_t *r = vcpu->regs.gpr;

	vm_warn(vm, "crash report: exit %s, qualification 0x%lx",
	       vmx_exit_reason_name((uint32_t)vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_BASIC_MASK),
	       vmcs_read(VMCS_EXIT_QUALIFICATION));
	vm_warn(vm, "  RIP 0x%016lx RSP 0x%016lx RFLAGS 0x%lx", vmcs_read(GUEST_RIP),
	       vmcs_read(GUEST_RSP), vmcs_read(GUEST_RFLAGS));
	vm_warn(vm, "  CR0 0x%lx (reads 0x%lx) CR3 0x%lx CR4 0x%lx (reads 0x%lx) EFER 0x%lx",
	       vmcs_read(GUEST_CR0), vmcs_guest_cr0(), vmcs_read(GUEST_CR3),
	       vmcs_read(GUEST_CR4), vmcs_guest_cr4(), vmcs_read(GUEST_IA32_EFER));
	vm_warn(vm, "  RAX 0x%016lx RBX 0x%016lx RCX 0x%016lx RDX 0x%016lx", r[GPR_RAX],
	       r[GPR_RBX], r[GPR_RCX], r[GPR_RDX]);
	vm_warn(vm, "  RSI 0x%016lx RDI 0x%016lx RBP 0x%016lx R8  0x%016lx", r[GPR_RSI],
	       r[GPR_RDI], r[GPR_RBP], r[GPR_R8]);
	vm_warn(vm, "  R9  0x%016lx R10 0x%016lx R11 0x%016lx R12 0x%016lx", r[GPR_R9],
	       r[GPR_R10], r[GPR_R11], r[GPR_R12]);
	vm_warn(vm, "  R13 0x%016lx R14 0x%016lx R15 0x%016lx", r[GPR_R13], r[GPR_R14],
	       r[GPR_R15]);
	vm_warn(vm, "  last exits, oldest first (%lu in all):", vcpu->exits);
	for (uint64_t i = vcpu->exits > EXIT_HISTORY ? vcpu->exits - EXIT_HISTORY : 0;
	     i < vcpu->exits; i++) {
		const struct exit_record *e = &vcpu->history[i % EXIT_HISTORY];

		vm_warn(vm, "    %-24s qual 0x%-8lx RIP 0x%lx",
		       vmx_exit_reason_name(e->reason & EXIT_REASON_BASIC_MASK), e->qualification,
		       e->rip);
	}
}
