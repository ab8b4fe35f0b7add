/* The exception dump: what happened, where, with every register and a
 * frame-pointer stack walk, then the machine stops with STOP_EXCEPTION.
 * Resolve addresses with: addr2line -e build/hv.elf ADDR */
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/percpu.h"
#include "core/log.h"
#include "core/machine.h"

#define STACK_WALK_MAX 64

#define PF_PRESENT BIT(0)
#define PF_WRITE BIT(1)
#define PF_USER BIT(2)
#define PF_RESERVED BIT(3)
#define PF_FETCH BIT(4)

static const char *const exception_names[EXCEPTION_VECTORS] = {
	[0] = "#DE (divide error)",
	[1] = "#DB (debug)",
	[2] = "NMI (non-maskable interrupt)",
	[3] = "#BP (breakpoint)",
	[4] = "#OF (overflow)",
	[5] = "#BR (bound range exceeded)",
	[6] = "#UD (invalid opcode)",
	[7] = "#NM (device not available)",
	[8] = "#DF (double fault)",
	[9] = "coprocessor segment overrun",
	[10] = "#TS (invalid TSS)",
	[11] = "#NP (segment not present)",
	[12] = "#SS (stack-segment fault)",
	[13] = "#GP (general protection)",
	[14] = "#PF (page fault)",
	[15] = "reserved vector 15",
	[16] = "#MF (x87 floating-point error)",
	[17] = "#AC (alignment check)",
	[18] = "#MC (machine check)",
	[19] = "#XM (SIMD floating-point)",
	[20] = "#VE (virtualization exception)",
	[21] = "#CP (control protection)",
	[22] = "reserved vector 22",
	[23] = "reserved vector 23",
	[24] = "reserved vector 24",
	[25] = "reserved vector 25",
	[26] = "reserved vector 26",
	[27] = "reserved vector 27",
	[28] = "#HV (hypervisor injection)",
	[29] = "#VC (VMM communication)",
	[30] = "#SX (security exception)",
	[31] = "reserved vector 31",
};

static void print_page_fault(const struct trap_frame *f, uint64_t cr2)
{
	const char *guard = percpu_guard_page_of(cr2);

	console_printf("  page fault: %s %s at 0x%016lx, %s%s\n",
		       f->error_code & PF_USER ? "user" : "supervisor",
		       f->error_code & PF_FETCH ? "instruction fetch" :
		       f->error_code & PF_WRITE ? "write" : "read",
		       cr2, f->error_code & PF_PRESENT ? "protection violation" : "page not present",
		       f->error_code & PF_RESERVED ? ", reserved bit set" : "");
	if (guard)
		console_printf("  0x%016lx is the guard page below the %s: stack overflow\n", cr2,
			       guard);
}

/* A push at the bottom of a stack leaves RSP just above its guard page; a
 * write through RSP after "sub" leaves it inside. Either way the CPU cannot
 * deliver the #PF on that stack and raises #DF. */
static void print_stack_overflow(const struct trap_frame *f)
{
	const char *guard = percpu_guard_page_of(f->rsp);

	if (!guard)
		guard = percpu_guard_page_of(f->rsp - sizeof(uint64_t));
	if (guard)
		console_printf("  RSP 0x%016lx is at the guard page below the %s: stack overflow\n",
			       f->rsp, guard);
}

static void print_registers(const struct trap_frame *f)
{
	console_printf("  RIP 0x%016lx  CS  0x%04lx  RFLAGS 0x%016lx\n", f->rip, f->cs, f->rflags);
	console_printf("  RSP 0x%016lx  SS  0x%04lx  CR2 0x%016lx\n", f->rsp, f->ss, read_cr2());
	console_printf("  CR0 0x%016lx  CR3 0x%016lx  CR4 0x%016lx\n", read_cr0(), read_cr3(),
		       read_cr4());
	console_printf("  RAX 0x%016lx  RBX 0x%016lx  RCX 0x%016lx\n", f->rax, f->rbx, f->rcx);
	console_printf("  RDX 0x%016lx  RSI 0x%016lx  RDI 0x%016lx\n", f->rdx, f->rsi, f->rdi);
	console_printf("  RBP 0x%016lx  R8  0x%016lx  R9  0x%016lx\n", f->rbp, f->r8, f->r9);
	console_printf("  R10 0x%016lx  R11 0x%016lx  R12 0x%016lx\n", f->r10, f->r11, f->r12);
	console_printf("  R13 0x%016lx  R14 0x%016lx  R15 0x%016lx\n", f->r13, f->r14, f->r15);
}

/* Follow the saved-RBP chain (we build with frame pointers), never leaving
 * this CPU's stacks, so a corrupt chain cannot fault again. Runs of the same
 * return address (deep recursion) print once with a count. */
static void print_stack_walk(const struct trap_frame *f)
{
	uint64_t rbp = f->rbp, last = f->rip;
	unsigned int repeats = 0;

	console_printf("  stack walk (addr2line -e build/hv.elf ADDR):\n");
	console_printf("    0x%016lx\n", f->rip);
	for (int depth = 1; depth < STACK_WALK_MAX; depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;

		if (!IS_ALIGNED(rbp, 8) || !percpu_on_stack(rbp, 2 * sizeof(uint64_t)) ||
		    frame[1] == 0)
			break;
		if (frame[1] == last) {
			repeats++;
		} else {
			if (repeats)
				console_printf("    ... the same %u more time%s\n", repeats,
					       repeats == 1 ? "" : "s");
			repeats = 0;
			last = frame[1];
			console_printf("    0x%016lx\n", last);
		}
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	if (repeats)
		console_printf("    ... the same %u more time%s\n", repeats, repeats == 1 ? "" : "s");
}

__noreturn void exception_report(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	uint64_t cr2 = read_cr2();

	irq_disable();
	if (++cpu->exception_depth > 1) {
		console_printf("EXCEPTION %s on CPU %u while reporting an earlier one, RIP 0x%016lx\n",
			       exception_names[f->vector], cpu->cpu_id, f->rip);
		machine_stop(STOP_EXCEPTION);
	}
	console_printf("EXCEPTION %s on CPU %u, error code 0x%lx\n", exception_names[f->vector],
		       cpu->cpu_id, f->error_code);
	if (f->vector == 14)
		print_page_fault(f, cr2);
	else
		print_stack_overflow(f);
	print_registers(f);
	print_stack_walk(f);
	machine_stop(STOP_EXCEPTION);
}
