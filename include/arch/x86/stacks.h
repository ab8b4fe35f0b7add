/* Per-CPU stacks, each with an unmapped guard page below it so an overflow
 * faults instead of silently corrupting its neighbour. Shared with the
 * assembly entry code, hence plain #defines. */
#ifndef ARCH_X86_STACKS_H
#define ARCH_X86_STACKS_H

#define STACK_GUARD_SIZE 0x1000
#define KERNEL_STACK_SIZE 0x4000
#define IST_STACK_SIZE 0x2000

/* Offset of the kernel stack's top inside struct cpu_stacks. */
#define CPU_STACKS_KERNEL_TOP (STACK_GUARD_SIZE + KERNEL_STACK_SIZE)

/* Interrupt Stack Table slots (SDM Vol. 3A 6.14.5): faults that may arrive
 * on a broken stack get a known-good one. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

#ifndef __ASSEMBLER__
#include "compiler.h"

struct cpu_stacks {
	uint8_t guard0[STACK_GUARD_SIZE];
	uint8_t kernel[KERNEL_STACK_SIZE];
	struct {
		uint8_t guard[STACK_GUARD_SIZE];
		uint8_t stack[IST_STACK_SIZE];
	} ist[IST_COUNT];
} __aligned(4096);

_Static_assert(offsetof(struct cpu_stacks, kernel) + KERNEL_STACK_SIZE == CPU_STACKS_KERNEL_TOP,
	       "entry.S relies on CPU_STACKS_KERNEL_TOP");
#endif

#endif
