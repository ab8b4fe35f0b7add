/* Interrupts for the test guests: the IDT, the dispatcher, APIC, PIC, PIT
 * and TSC helpers (intr.h). */
#include "intr.h"

#define VECTORS 256
#define FIRST_IRQ_VECTOR 32
#define STUB_SIZE 16

extern const char intr_stub_base[];
void intr_dispatch(struct trap_frame *f);

static struct idt_gate idt[VECTORS] __attribute__((aligned(16)));
static intr_handler_fn handlers[VECTORS];
volatile unsigned intr_unexpected;
volatile uint8_t intr_unexpected_vector;

void intr_init(void)
{
	struct descriptor_table old, idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	const struct idt_gate *exc;
	uint16_t cs;

	__asm__ volatile("sidt %0; mov %%cs, %1" : "=m"(old), "=r"(cs));
	exc = (const struct idt_gate *)old.base;
	for (unsigned v = 0; v < FIRST_IRQ_VECTOR && v * sizeof(struct idt_gate) < old.limit; v++)
		idt[v] = exc[v];
	for (unsigned v = FIRST_IRQ_VECTOR; v < VECTORS; v++)
		idt[v] = interrupt_gate((uintptr_t)intr_stub_base + (v - FIRST_IRQ_VECTOR) * STUB_SIZE,
					cs);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void intr_set_handler(uint8_t vector, intr_handler_fn fn)
{
	handlers[vector] = fn;
}

void intr_dispatch(struct trap_frame *f)
{
	intr_handler_fn fn = handlers[f->vector & 0xff];

	if (fn) {
		fn(f);
		return;
	}
	intr_unexpected++;
	intr_unexpected_vector = (uint8_t)f->vector;
}

/* --- TSC --------------------------------------------------------------- */

uint64_t tsc_hz(void)
{
	struct cpuid c = cpuid(0x15, 0);

	if (!c.eax || !c.ebx)
		return 0;
	return (uint64_t)c.ecx * c.ebx / c.eax;
}

void tsc_spin(uint64_t ticks)
{
	uint64_t end = rdtsc() + ticks;

	while (rdtsc() < end)
		cpu_pause();
}

/* --- local APIC -------------------------------------------------------- */

bool apic_x2;

void apic_set_x2apic(bool on)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (on)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	apic_x2 = on;
}

/* Plain MOVs, the forms hv's MMIO decoder handles. */
uint32_t apic_read(uint32_t reg)
{
	uint32_t v;

	if (apic_x2)
		return (uint32_t)rdmsr(X2APIC_MSR(reg));
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(XAPIC_BASE + reg) : "memory");
	return v;
}

void apic_write(uint32_t reg, uint32_t value)
{
	if (apic_x2) {
		wrmsr(X2APIC_MSR(reg), value);
		return;
	}
	__asm__ volatile("movl %0, (%1)" : : "r"(value), "r"(XAPIC_BASE + reg) : "memory");
}

void apic_self_ipi(uint8_t vector)
{
	if (apic_x2) {
		wrmsr(X2APIC_SELF_IPI_MSR, vector);
		return;
	}
	apic_write(APIC_ICR_HI, 0);
	apic_write(APIC_ICR_LO, APIC_ICR_SELF | vector);
}

bool apic_isr(uint8_t vector)
{
	return (apic_read(APIC_ISR + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

bool apic_irr(uint8_t vector)
{
	return (apic_read(APIC_IRR + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

void apic_setup(void)
{
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INITIAL, 0);
	apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_1);
}

void apic_timer_start(uint32_t lvt, uint32_t initial)
{
	apic_write(APIC_LVT_TIMER, lvt);
	apic_write(APIC_TIMER_INITIAL, initial);
}

void apic_timer_stop(void)
{
	apic_write(APIC_TIMER_INITIAL, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

/* --- 8259A ------------------------------------------------------------- */

void pic_init(uint8_t master_base, uint8_t slave_base)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	outb(PIC1_CMD, 0x11);        /* ICW1: edge, cascade, ICW4 */
	outb(PIC1_DATA, master_base); /* ICW2 */
	outb(PIC1_DATA, 0x04);       /* ICW3: slave on IR2 */
	outb(PIC1_DATA, 0x01);       /* ICW4: 8086, normal EOI */
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, slave_base);
	outb(PIC2_DATA, 0x02);       /* ICW3: slave ID 2 */
	outb(PIC2_DATA, 0x01);
	pic_set_mask(0xffff);
}

void pic_set_mask(uint16_t mask)
{
	outb(PIC1_DATA, (uint8_t)mask);
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

uint8_t pic_read_master(bool is_isr)
{
	outb(PIC1_CMD, is_isr ? 0x0b : 0x0a);
	return inb(PIC1_CMD);
}

/* --- 8254 -------------------------------------------------------------- */

void pit_ch0_rate(uint16_t count)
{
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
}
