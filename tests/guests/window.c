/* The interrupt window and the STI shadow, seen from the interrupt frame:
 * with a self-IPI (or an expired LAPIC timer) pending while IF=0,
 * "sti; nop" takes it right after the NOP (the RIP the CPU pushed is the
 * label after it); "sti; cli" never takes it (it stays in the IRR); "sti;
 * hlt" takes it after the HLT without sleeping; with IF=1 a self-IPI comes
 * right after the ICR write that sent it; MOV SS holds it for one
 * instruction too. */
#include "intr.h"

#define V_IPI 0x51
#define V_TIMER 0x61

static volatile unsigned taken;
static volatile uint64_t taken_rip;

static void on_vector(struct trap_frame *f)
{
	taken++;
	taken_rip = f->rip;
	apic_eoi();
}

/* Labels the asm blocks define, to compare with the pushed RIP. */
extern const char after_sti_nop[], after_sti_hlt[], after_icr_write[], after_mov_ss[], after_timer_nop[];

static void expect_taken_at(const char *label, const char *name)
{
	check(taken == 1 && taken_rip == (uintptr_t)label, name, "taken %u times, at RIP 0x%lx, label at %p", taken,
	      taken_rip, label);
}

void guest_main(void)
{
	unsigned before;
	bool irr;

	intr_init();
	intr_set_handler(V_IPI, on_vector);
	intr_set_handler(V_TIMER, on_vector);
	apic_setup();

	/* sti; cli: the shadow covers the CLI, so nothing is taken. */
	cli();
	apic_self_ipi(V_IPI);
	__asm__ volatile("sti; cli" ::: "memory");
	irr = apic_irr(V_IPI);
	check(taken == 0 && irr, "sti; cli with an interrupt pending: not taken, still in the IRR",
	      "taken %u times, IRR %d", taken, irr);

	/* sti; nop: taken after the NOP, not before, not later. */
	__asm__ volatile("sti; nop\n.globl after_sti_nop\nafter_sti_nop:\n\tcli" ::: "memory");
	expect_taken_at(after_sti_nop, "sti; nop: taken right after the NOP (pushed RIP = the label after it)");

	/* sti; hlt: taken after the HLT, which does not sleep. */
	taken = 0;
	apic_self_ipi(V_IPI);
	__asm__ volatile("sti; hlt\n.globl after_sti_hlt\nafter_sti_hlt:\n\tcli" ::: "memory");
	expect_taken_at(after_sti_hlt, "sti; hlt: taken right after the HLT");

	/* IF=1: a self-IPI arrives right after the instruction that sent it. */
	taken = 0;
	sti();
	__asm__ volatile("movl %0, (%1)\n.globl after_icr_write\nafter_icr_write:\n\tcli"
			 : : "r"(APIC_ICR_SELF | V_IPI), "r"(XAPIC_BASE + APIC_ICR_LO) : "memory");
	expect_taken_at(after_icr_write, "IF=1: self-IPI taken right after the ICR write");

	/* MOV SS: pending while IF=0, then sti; mov ss; nop: the MOV SS
	 * shadow and the STI shadow overlap, so it comes after the NOP. */
	taken = 0;
	apic_self_ipi(V_IPI);
	__asm__ volatile("mov %%ss, %%eax\n\tsti\n\tmov %%eax, %%ss\n\tnop\n.globl after_mov_ss\nafter_mov_ss:\n\tcli"
			 : : : "rax", "memory");
	expect_taken_at(after_mov_ss, "sti; mov ss; nop: taken right after the NOP");

	/* A LAPIC timer that expired while IF=0: same window. */
	taken = 0;
	apic_timer_start(APIC_TIMER_ONESHOT | V_TIMER, (uint32_t)(tsc_hz() / 2000));
	tsc_spin(tsc_hz() / 500);
	before = taken;
	irr = apic_irr(V_TIMER);
	__asm__ volatile("sti; nop\n.globl after_timer_nop\nafter_timer_nop:\n\tcli" ::: "memory");
	check(before == 0 && irr, "expired timer with IF=0: pending in the IRR", "taken %u, IRR %d", before, irr);
	expect_taken_at(after_timer_nop, "expired timer: sti; nop takes it right after the NOP");
	apic_timer_stop();
	check(intr_unexpected == 0, "no unexpected interrupts", "%u, the last on vector 0x%x", intr_unexpected,
	      intr_unexpected_vector);
}
