/* The test-guest library: COM1 output, checks with a closing summary, exit
 * through port 0xF4, hypercalls, and (64-bit only) exceptions that a test can
 * provoke on purpose and survive. The guest contract these guests test is in
 * docs/guests.md. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/io.h" /* the port I/O helpers hv itself uses */
#include "vmm/hypercall_abi.h"

#define COM1_THR 0x3f8
#define COM1_LSR 0x3fd
#define LSR_THR_EMPTY 0x20
#define EXIT_PORT 0xf4 /* any write ends the guest with the value as status */

#define ENTRY_AREA_SIZE 0x10000 /* the top 64 KiB of RAM belong to hv's entry state */
#define MiB (1024UL * 1024)

/* Ports no device of hv claims, one below and one above 0x8000 (VMX keeps
 * two I/O bitmaps split there). The bench guest writes to UNCLAIMED_PORT_HIGH. */
#define UNCLAIMED_PORT_LOW 0x0210
#define UNCLAIMED_PORT_HIGH 0xe000

/* --- instructions ------------------------------------------------------- */

struct cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

/* LFENCE first so earlier instructions cannot drift past the read. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }

static inline unsigned long read_cr3(void)
{
	unsigned long v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

#define CR0_PE (1UL << 0)
#define CR0_NE (1UL << 5)
#define CR0_WP (1UL << 16)
#define CR0_PG (1UL << 31)
#define CR4_PAE (1UL << 5)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_VMXE (1UL << 13)
#define CR4_OSXSAVE (1UL << 18)

/* --- hypercalls (include/vmm/hypercall_abi.h) ------------------------------ */

static inline long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	long ret;
	/* "memory": HC_CONSOLE_WRITE reads the buffer behind the compiler's back. */
	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
	return ret;
}

static inline long hc_version(void) { return hypercall(HC_VERSION, 0, 0, 0); }

static inline long hc_console_write(const void *buf, unsigned long len)
{
	return hypercall(HC_CONSOLE_WRITE, (uintptr_t)buf, len, 0);
}

/* Returns only if hv ignored the call. */
static inline void hc_exit(unsigned long status) { hypercall(HC_EXIT, status, 0, 0); }

/* hv's version as HC_VERSION and CPUID 0x40000001 report it; guests.mk
 * passes the parts of the Makefile's VERSION. */
#define HV_VERSION_CODE ((HV_MAJOR << 16) | (HV_MINOR << 8) | HV_PATCH)

/* --- output, checks, exit (report.c) ------------------------------------- */

/* printf for %s %c %d %u %x and the l/ll modifiers, %p; nothing else. Each
 * '\n' ends a line that hv prints as "[NAME] text". */
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PASS name" when ok, else "FAIL name: " and the detail; counts
 * both. Returns ok. */
bool check(bool ok, const char *name, const char *detail_fmt, ...) __attribute__((format(printf, 3, 4)));

/* A check whose proof is having got this far (e.g. still running after a
 * write that would reset a real machine). */
void pass(const char *name);

/* Prints "N passed, N failed"; returns the number failed. */
unsigned summary(void);

/* summary(), then exit with status = the number failed. */
_Noreturn void finish(void);

/* Writes status to port 0xF4; if hv ignores that, halts with interrupts off,
 * which hv reports as a stop. */
_Noreturn void guest_exit(uint32_t status);

#ifdef __x86_64__
/* --- 64-bit guests (start64.S, runtime64.c, fault.c) ----------------------- */

/* Every 64-bit guest defines guest_main; the library installs an IDT before
 * calling it and calls finish() after. */
void guest_main(void);

/* RAM size in bytes: hv starts a guest with RSP at the top of its RAM, in
 * the top 64 KiB, so rounding the entry RSP up to 64 KiB gives mem=. */
uint64_t ram_size(void);

/* The RAM a guest may overwrite: below its image, and from the page after
 * its image up to hv's entry area. */
struct ram_range {
	uint64_t start, end;
};
#define FREE_RAM_RANGES 2
void free_ram(struct ram_range out[FREE_RAM_RANGES]);

/* What the entry stub saw before anything changed it. */
extern uint64_t entry_rsp, entry_rflags;
extern struct __attribute__((packed)) descriptor_table {
	uint16_t limit;
	uint64_t base;
} entry_idtr;

/* What every exception and interrupt stub builds (trap_entry.h): the
 * registers C may clobber, the vector, the error code (zero where the CPU
 * pushes none), then the CPU's frame. rip is where the code resumes. */
struct trap_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct __attribute__((packed)) idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
};

/* A present, DPL 0, 64-bit interrupt gate (IF clear in the handler). */
static inline struct idt_gate interrupt_gate(uint64_t handler, uint16_t cs)
{
	return (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = cs,
		.type_attr = 0x8e,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

/* The guest's image at 1 MiB, from the linker script. */
extern char __image_start[], __image_end[];

enum { X86_DE = 0, X86_UD = 6, X86_DF = 8, X86_GP = 13, X86_PF = 14, NO_FAULT = -1 };

/* Fault recovery: an instruction at label 1 that is listed in the fixup
 * table with a resume address (label 2) may fault: the handler records the
 * vector in fault_vector and resumes there. Any other exception is reported
 * as a failure and ends the guest. Use: fault_arm(); asm("1: insn\n2:\n"
 * FIXUP("1b", "2b") ...); then read fault_vector. */
#define FIXUP(insn, resume) \
	".pushsection guest_fixup, \"a\"\n\t.balign 8\n\t.quad " insn ", " resume "\n\t.popsection\n\t"

extern volatile int fault_vector;

static inline void fault_arm(void) { fault_vector = NO_FAULT; }

/* "#GP", "#UD", ... or "no fault", for check details. */
const char *fault_name(int vector);

static inline int rdmsr_safe(uint32_t msr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;

	fault_arm();
	__asm__ volatile("1: rdmsr\n2:\n\t" FIXUP("1b", "2b") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*value = (uint64_t)hi << 32 | lo;
	return fault_vector;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t value)
{
	fault_arm();
	__asm__ volatile("1: wrmsr\n2:\n\t" FIXUP("1b", "2b")
			 : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
	return fault_vector;
}

static inline int write_cr4_safe(unsigned long value)
{
	fault_arm();
	__asm__ volatile("1: mov %0, %%cr4\n2:\n\t" FIXUP("1b", "2b") : : "r"(value) : "memory");
	return fault_vector;
}

static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

static inline int xsetbv_safe(uint32_t xcr, uint64_t value)
{
	fault_arm();
	__asm__ volatile("1: xsetbv\n2:\n\t" FIXUP("1b", "2b")
			 : : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
	return fault_vector;
}
#endif /* __x86_64__ */

#endif
