/* The IDT, shared by all CPUs, and interrupt dispatch. Exceptions go to the
 * dump; other vectors to the handler registered for them. */
#include "arch/x86/desc.h"
#include "core/log.h"

#define ISR_STUB_SIZE 16
#define GATE_INTERRUPT 0x8e /* present, DPL0, 64-bit interrupt gate */

extern char isr_stubs[];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler_fn irq_handlers[IDT_VECTORS];

static void set_gate(unsigned int vector, unsigned int ist)
{
	uint64_t addr = (uintptr_t)isr_stubs + vector * ISR_STUB_SIZE;

	idt[vector] = (struct idt_gate){
		.offset_low = addr & 0xffff,
		.selector = SEL_CODE64,
		.ist = (uint8_t)ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_high = addr >> 32,
	};
}

void idt_init(void)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++)
		set_gate(v, 0);
	/* Faults that can arrive with a broken stack run on their own stacks. */
	set_gate(2, IST_NMI);
	set_gate(8, IST_DOUBLE_FAULT);
	set_gate(18, IST_MACHINE_CHECK);
}

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void irq_register(uint8_t vector, irq_handler_fn fn)
{
	irq_handlers[vector] = fn;
}

void interrupt_dispatch(struct trap_frame *frame)
{
	irq_handler_fn fn;

	if (frame->vector < EXCEPTION_VECTORS)
		exception_report(frame);
	fn = irq_handlers[frame->vector];
	if (fn)
		fn(frame);
	else if (frame->vector != APIC_SPURIOUS_VECTOR)
		log_warn("irq: unexpected interrupt on vector %lu", frame->vector);
}
