/* Virtual interrupts: from the guest's devices (PIT -> PIC -> LAPIC LINT0,
 * UART -> PIC, the LAPIC timer and self-IPIs) into the vCPU by VM-entry
 * event injection (SDM Vol. 3C 27.6), or an interrupt-window exit when the
 * guest cannot take one yet. */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

#include "compiler.h"

struct vcpu;
struct vm;

/* Bring the guest's devices up to now, raise what is due, inject the
 * highest-priority pending interrupt if the guest can take it (else ask for
 * an interrupt window), and compute the vCPU's next device event. */
void irq_sync(struct vcpu *vcpu);
/* A device changed something that may raise or lower an interrupt or move
 * a deadline: irq_sync() before the next entry. */
static inline void irq_mark_dirty(struct vcpu *vcpu);
/* Is an interrupt pending that a HLT would wake up for? */
bool irq_pending(struct vcpu *vcpu);
/* An exit that interrupted the delivery of an event: deliver it again
 * (SDM Vol. 3C 28.2.4, IDT-vectoring information). */
void irq_reinject_vectoring(struct vcpu *vcpu);
/* The guest's devices, at VM creation. */
void irq_devices_init(struct vm *vm);

#include "vmm/vcpu.h"

static inline void irq_mark_dirty(struct vcpu *vcpu)
{
	vcpu->work |= VCPU_WORK_EVENTS;
}

#endif
