/* Descriptor tables: GDT, TSS and IDT layouts (SDM Vol. 3A 3.4.5, 7.7, 6.14). */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "arch/x86/stacks.h"
#include "compiler.h"

#define GDT_NULL 0
#define GDT_CODE64 1
#define GDT_DATA 2
#define GDT_TSS 3 /* a 16-byte descriptor: two slots */
#define GDT_ENTRIES 5

#define SEL_CODE64 (GDT_CODE64 * 8)
#define SEL_DATA (GDT_DATA * 8)
#define SEL_TSS (GDT_TSS * 8)

struct gdt_entry {
	uint64_t raw;
};

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A 8.7)");
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes (SDM Vol. 3A 6.14.1)");
_Static_assert(sizeof(struct desc_ptr) == 10, "GDTR/IDTR image is 10 bytes");

#define IDT_VECTORS 256
#define EXCEPTION_VECTORS 32
#define APIC_TIMER_VECTOR 0xf0
#define APIC_SPURIOUS_VECTOR 0xff

/* Register state saved by the interrupt stubs in arch/x86/isr.S, lowest
 * address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "isr.S pushes 22 quadwords");

typedef void (*irq_handler_fn)(struct trap_frame *frame);

void gdt_load(struct gdt_entry *gdt, struct tss64 *tss);
void idt_init(void);
void idt_load(void);
void irq_register(uint8_t vector, irq_handler_fn fn);
/* Called from isr.S for every vector. */
void interrupt_dispatch(struct trap_frame *frame);
/* The exception dump (arch/x86/exception.c); does not return. */
__noreturn void exception_report(struct trap_frame *frame);

#endif
