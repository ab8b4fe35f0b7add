/* The guest's own IDT: exceptions 0-31 go to one handler that either resumes
 * a listed instruction's recovery address (FIXUP in guest.h) or reports the
 * exception as a failure and ends the guest. */
#include "guest.h"

struct fixup {
	uint64_t insn, resume;
};

#define EXCEPTIONS 32

extern const uint64_t exception_stubs[EXCEPTIONS];
extern const struct fixup __fixup_start[], __fixup_end[];

void fault_handler(struct trap_frame *f);
void install_idt(void);

volatile int fault_vector = NO_FAULT;

static struct idt_gate idt[EXCEPTIONS] __attribute__((aligned(16)));

static const char *const names[EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS", "#MF-old", "#SS", "#GP",
	"#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27",
	"#HV", "#VC", "#SX", "#31",
};

const char *fault_name(int vector)
{
	if (vector == NO_FAULT)
		return "no fault";
	return vector >= 0 && vector < EXCEPTIONS ? names[vector] : "?";
}

/* Gates use whatever code selector hv entered with (0x10 by the contract,
 * checked by the entry guest, not assumed here). */
void install_idt(void)
{
	uint16_t cs;
	struct descriptor_table idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (int v = 0; v < EXCEPTIONS; v++)
		idt[v] = interrupt_gate(exception_stubs[v], cs);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void fault_handler(struct trap_frame *f)
{
	for (const struct fixup *x = __fixup_start; x < __fixup_end; x++) {
		if (x->insn == f->rip) {
			fault_vector = (int)f->vector;
			f->rip = x->resume;
			return;
		}
	}
	check(false, "no unexpected exception", "%s (vector %lu) error code 0x%lx at RIP 0x%lx, RSP 0x%lx",
	      fault_name((int)f->vector), f->vector, f->error, f->rip, f->rsp);
	finish();
}
