/* A virtual CPU: its VMCS, the guest registers the VMCS does not hold, and
 * what the exit path needs to explain a dead guest. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "arch/x86/fpu.h"
#include "vmm/vlapic.h"
#include "compiler.h"
#include "vmm/vmcs_fields.h"
#include "vmm/vmx_ops.h"

struct vm;

/* Guest general-purpose registers in the order of their encoding in exit
 * qualifications (SDM Vol. 3C table 28-3): 0 RAX ... 15 R15. RSP lives in
 * the VMCS; its slot here is unused. Saved and restored by vmx_entry.S. */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT,
};

struct guest_regs {
	uint64_t gpr[GPR_COUNT];
};

_Static_assert(sizeof(struct guest_regs) == 16 * 8, "vmx_entry.S indexes 16 registers");

/* MSRs the guest owns outright (no exits) that the VMCS does not switch:
 * saved when the vCPU leaves the CPU, restored when it comes back. */
enum guest_msr { GMSR_STAR, GMSR_LSTAR, GMSR_CSTAR, GMSR_SFMASK, GMSR_KERNEL_GS_BASE,
		 GMSR_COUNT };

#define EXIT_HISTORY 16

struct exit_record {
	uint32_t reason; /* the full exit reason field */
	uint64_t qualification;
	uint64_t rip;
};

/* XSAVE components guests get: x87, SSE, AVX. AVX-512, MPX and the rest
 * stay hidden so CPUID's sizes and features agree with what XSETBV
 * accepts (Bochs's own leaf 0xD sizes disagree past AVX). */
#define GUEST_XCR0_MASK 0x7ULL

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_SLEEPING, /* in HLT until wake_tsc (or a virtual interrupt) */
};

#define DEBUG_REGS 4 /* DR0-DR3 */

/* Work for the exit path after the handler: one byte tested on every exit,
 * so the common case (just resume) costs one compare. */
#define VCPU_WORK_EVENTS 0x1     /* irq_sync() before the next entry */
#define VCPU_WORK_YIELD 0x2      /* leave the CPU: slice over, or asleep */
#define VCPU_WORK_STOP 0x4       /* the guest has ended */
#define VCPU_WORK_SOFT_SLICE 0x8 /* no saved preemption timer: watch the TSC */

struct vcpu {
	struct guest_regs regs; /* first: vmx_entry.S is handed a pointer to it */
	struct vm *vm;
	unsigned int id;
	uint16_t vpid;
	enum vcpu_state state;
	bool launched;
	uint8_t work; /* VCPU_WORK_*: what the exit path must do beyond resuming */
	bool preempt_timer;    /* the VMX-preemption timer ends its slices */
	bool preempt_saved;    /* ...and keeps counting down across exits */
	uint64_t wake_tsc;
	uint64_t slice_end; /* TSC; when the CPU cannot save the preemption timer */
	uint64_t tsc_offset; /* guest TSC = host TSC + tsc_offset */
	bool started;
	void *vmcs;
	uint64_t vmcs_phys;
	uint8_t *msr_bitmap;
	uint64_t msr_bitmap_phys;
	uint64_t cr2;
	uint64_t dr[DEBUG_REGS], dr6;
	struct fpu_state fpu;
	uint64_t xcr0;
	uint64_t msrs[GMSR_COUNT];
	uint64_t slice_start; /* TSC when the current slice began */
	uint64_t cpu_ticks;   /* TSC ticks spent on the CPU in earlier slices */
	uint64_t cpu_budget;  /* watchdog_ms= in TSC ticks; 0: none */
	struct vlapic lapic;
	uint64_t next_event;   /* host TSC of its devices' next timer event */
	uint32_t proc_ctls;    /* VMCS_PROC_BASED_CTLS as written */
	uint64_t interrupts;   /* virtual interrupts injected */
	uint64_t exits;
	uint64_t exit_counts[EXIT_REASON_COUNT];
	struct exit_record history[EXIT_HISTORY];
};

_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx_handle_exit() finds the vCPU from regs");

/* Create the vCPU and its VMCS for vm; false (with the reason logged) if
 * the CPU lacks something the guest needs. */
bool vcpu_create(struct vm *vm, struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);
/* Run for at most slice TSC ticks, until the vCPU sleeps, or until its
 * guest ends (vmm/sched.c decides what runs next). */
void vcpu_run_slice(struct vcpu *vcpu, uint64_t slice);

/* Used by exit handlers. */
uint64_t vcpu_gpr(const struct vcpu *vcpu, enum gpr reg);
void vcpu_set_gpr(struct vcpu *vcpu, enum gpr reg, uint64_t value);

/* Move past the instruction that exited (or one we emulated, len bytes);
 * completing it also ends the STI or MOV SS shadow it was in (SDM Vol. 3C
 * 25.4.2). Inline: every emulated instruction pays for it. */
static inline void vcpu_advance_rip(struct vcpu *vcpu, uint64_t len)
{
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY);

	(void)vcpu;
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + len);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY,
			   intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static inline void vcpu_skip_instruction(struct vcpu *vcpu)
{
	vcpu_advance_rip(vcpu, vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
}
void vcpu_inject_exception(struct vcpu *vcpu, uint8_t vector, bool has_error, uint32_t error);
/* Deliver due virtual interrupts and arm the VMX-preemption timer for the
 * end of the slice or the next virtual timer event, whichever is first. */
void vcpu_sync_events(struct vcpu *vcpu);
/* The slow part of the exit path, when vcpu->work is set: true to resume. */
bool vcpu_exit_work(struct vcpu *vcpu);
/* A VM exit that reports a failed VM entry (exit reason bit 31): stop the
 * guest, naming the cause, and for invalid guest state the broken field. */
void vcpu_entry_failed(struct vcpu *vcpu, uint32_t reason);
/* Print the crash report of a dead guest: exit, registers, recent exits. */
void vcpu_crash_report(const struct vcpu *vcpu);

/* The assembly world switch (vmm/vmx_entry.S): enters the guest with regs
 * loaded (VMLAUNCH unless launched) and handles its exits by calling
 * vmx_handle_exit() with the guest's registers saved in regs, resuming the
 * guest while that returns true. Returns 0 then, or 1 (VMfailValid) or 2
 * (VMfailInvalid) when VMLAUNCH or VMRESUME itself fails. */
int vmx_enter(struct guest_regs *regs, bool launched);
/* One VM exit (vmm/exit.c): true to resume the guest. */
bool vmx_handle_exit(struct guest_regs *regs);

#endif
