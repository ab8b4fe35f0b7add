/* The guest's own IDT: exceptions 0-31 go to one handler that either resumes
 * a listed instruction's recovery address (FIXUP in guest.h) or reports the
 * exception as a failure and ends the guest. */
#include "guest.h"

struct fault_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct fixup {
	uint64_t insn, resume;
};

struct __attribute__((packed)) idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type_attr; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
};

#define EXCEPTIONS 32

extern const uint64_t exception_stubs[EXCEPTIONS];
extern const struct fixup __fixup_start[], __fixup_end[];

void fault_handler(struct fault_frame *f);
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
	for (int v = 0; v < EXCEPTIONS; v++) {
		uint64_t a = exception_stubs[v];

		idt[v] = (struct idt_gate){
			.offset_low = (uint16_t)a,
			.selector = cs,
			.type_attr = 0x8e,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_high = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void fault_handler(struct fault_frame *f)
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
