/* Per-CPU state. Every CPU reaches its own through GS: GS_BASE points at its
 * struct percpu, whose first field points to itself (SDM Vol. 3A 3.4.4). */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include "arch/x86/desc.h"
#include "arch/x86/stacks.h"
#include "compiler.h"

#define MAX_CPUS 16

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	unsigned int cpu_id;
	uint32_t apic_id;
	struct cpu_stacks *stacks;
	unsigned int exception_depth;
	uint64_t vmxon_region; /* physical; 0 until VMXON */
	uint64_t current_vmcs; /* physical; the VMCS last made current by VMPTRLD */
	struct tss64 tss;
	struct gdt_entry gdt[GDT_ENTRIES];
};

_Static_assert(offsetof(struct percpu, self) == 0, "this_cpu() reads %gs:0");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

extern struct cpu_stacks boot_cpu_stacks;

/* Bring up the boot CPU's per-CPU structure, GDT, TSS and IDT. */
void percpu_init_boot(void);
/* Once mm owns the page tables: unmap the guard pages under every stack. */
void percpu_protect_stacks(void);
/* Does [p, p + len) lie inside one of this CPU's stacks (not a guard page)? */
bool percpu_on_stack(uint64_t p, size_t len);
/* Name of the guard page p falls into (e.g. "kernel stack"), or NULL. */
const char *percpu_guard_page_of(uint64_t p);

#endif
