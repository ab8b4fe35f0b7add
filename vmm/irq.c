/* Interrupt routing and injection. Routing follows a PC without an IOAPIC
 * (how Linux runs with acpi=off and no MP table): PIT channel 0 on IRQ0,
 * COM1 on IRQ4, the 8259 pair's output on the local APIC's LINT0, which
 * the guest (or our BIOS-like reset state) programs as ExtINT. */
#include "vmm/irq.h"

#include "arch/x86/cpu.h"
#include "drivers/tsc.h"
#include "vmm/vm.h"
#include "vmm/vmx_defs.h"
#include "vmm/vmx_ops.h"

#define IRQ_PIT 0
#define IRQ_COM1 4
#define APIC_TIMER_HZ_DIVISOR 1 /* the LAPIC timer's input clock: the TSC's rate */

void irq_devices_init(struct vm *vm)
{
	uint64_t now = rdtsc();

	vpic_init(&vm->pic);
	vrtc_init(&vm->rtc);
	vpit_init(&vm->pit, tsc_hz(), now);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vlapic *l = &vm->vcpus[i].lapic;

		vlapic_init(l, i, tsc_hz(), tsc_hz() / APIC_TIMER_HZ_DIVISOR, true);
		vlapic_virtual_wire(l);
		vm->vcpus[i].next_event = UINT64_MAX;
	}
}

/* Time-driven sources: the PIT's channel 0 and the LAPIC timer. */
static void update_devices(struct vcpu *vcpu, uint64_t now)
{
	struct vm *vm = vcpu->vm;

	vlapic_update(&vcpu->lapic, now);
	if (vpit_irq0_edges(&vm->pit, now)) {
		vpic_set_irq(&vm->pic, IRQ_PIT, true);
		vpic_set_irq(&vm->pic, IRQ_PIT, false);
	}
	vpic_set_irq(&vm->pic, IRQ_COM1, uart16550_irq(&vm->com1.uart));
	vcpu->next_event = MIN(vlapic_next_event(&vcpu->lapic), vpit_next_irq0(&vm->pit, now));
}

static bool extint_pending(struct vcpu *vcpu)
{
	return vlapic_lint0_extint(&vcpu->lapic) && vpic_output(&vcpu->vm->pic);
}

bool irq_pending(struct vcpu *vcpu)
{
	update_devices(vcpu, rdtsc());
	return vlapic_pending_vector(&vcpu->lapic) >= 0 || extint_pending(vcpu);
}

static bool can_inject(void)
{
	return (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static void set_window_exiting(struct vcpu *vcpu, bool on)
{
	uint32_t ctls = on ? vcpu->proc_ctls | PROC_INTERRUPT_WINDOW_EXITING :
			     vcpu->proc_ctls & ~PROC_INTERRUPT_WINDOW_EXITING;

	if (ctls != vcpu->proc_ctls) {
		vcpu->proc_ctls = ctls;
		vmcs_write(VMCS_PROC_BASED_CTLS, ctls);
	}
}

static void inject_external(uint8_t vector)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   vector | (INTR_TYPE_EXTERNAL << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID);
}

void irq_sync(struct vcpu *vcpu)
{
	int vector;
	bool pending;

	vcpu->work &= (uint8_t)~VCPU_WORK_EVENTS;
	update_devices(vcpu, rdtsc());
	vector = vlapic_pending_vector(&vcpu->lapic);
	pending = vector >= 0 || extint_pending(vcpu);
	/* An event already queued for this entry (an exception, or one being
	 * re-delivered) goes first; ours waits for the window after it. */
	if (!pending || (vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) || !can_inject()) {
		set_window_exiting(vcpu, pending);
		return;
	}
	if (vector >= 0) {
		vlapic_accept(&vcpu->lapic, (uint8_t)vector);
		inject_external((uint8_t)vector);
	} else {
		inject_external(vpic_acknowledge(&vcpu->vm->pic));
	}
	vcpu->interrupts++;
	set_window_exiting(vcpu, false);
	/* Another may be pending behind it: look again after this entry. */
	irq_mark_dirty(vcpu);
}

void irq_reinject_vectoring(struct vcpu *vcpu)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	uint32_t type = (info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;

	(void)vcpu;
	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & INTR_INFO_ENTRY_MASK);
	if (info & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE));
	/* Software interrupts and exceptions need their instruction length. */
	if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
}
