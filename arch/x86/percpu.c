/* The boot CPU's per-CPU structure and stacks. Application processors will
 * get theirs the same way when SMP bring-up arrives. */
#include "arch/x86/percpu.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "mm/mm.h"

struct cpu_stacks boot_cpu_stacks;
static struct percpu boot_percpu __aligned(64);

static const char *const ist_names[IST_COUNT] = { "double-fault stack", "NMI stack",
						  "machine-check stack" };

void percpu_init_boot(void)
{
	struct percpu *cpu = &boot_percpu;

	cpu->self = cpu;
	cpu->cpu_id = 0;
	cpu->apic_id = cpuid(1, 0).ebx >> 24;
	cpu->stacks = &boot_cpu_stacks;
	/* TSS.IST[n - 1] holds the stack for IST slot n. */
	for (unsigned int i = 0; i < IST_COUNT; i++)
		cpu->tss.ist[i] = (uintptr_t)(cpu->stacks->ist[i].stack + IST_STACK_SIZE);
	cpu->tss.rsp[0] = (uintptr_t)(cpu->stacks->kernel + KERNEL_STACK_SIZE);
	wrmsr(MSR_GS_BASE, (uintptr_t)cpu);
	gdt_load(cpu->gdt, &cpu->tss);
	idt_init();
	idt_load();
}

void percpu_protect_stacks(void)
{
	struct cpu_stacks *s = this_cpu()->stacks;

	mm_make_guard_page(s->guard0);
	for (unsigned int i = 0; i < IST_COUNT; i++)
		mm_make_guard_page(s->ist[i].guard);
}

static bool range_in(uint64_t p, size_t len, const uint8_t *base, size_t size)
{
	return p >= (uintptr_t)base && p + len <= (uintptr_t)base + size;
}

bool percpu_on_stack(uint64_t p, size_t len)
{
	struct cpu_stacks *s = this_cpu()->stacks;

	if (range_in(p, len, s->kernel, sizeof(s->kernel)))
		return true;
	for (unsigned int i = 0; i < IST_COUNT; i++)
		if (range_in(p, len, s->ist[i].stack, sizeof(s->ist[i].stack)))
			return true;
	return false;
}

const char *percpu_guard_page_of(uint64_t p)
{
	struct cpu_stacks *s = this_cpu()->stacks;

	if (range_in(p, 1, s->guard0, sizeof(s->guard0)))
		return "kernel stack";
	for (unsigned int i = 0; i < IST_COUNT; i++)
		if (range_in(p, 1, s->ist[i].guard, sizeof(s->ist[i].guard)))
			return ist_names[i];
	return NULL;
}
