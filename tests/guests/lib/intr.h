/* Interrupts for the 64-bit test guests that need them (intr.c, intr_stubs.S):
 * a 256-entry IDT whose vectors 32-255 call C handlers with the interrupted
 * frame, and helpers for the devices hv emulates: the local APIC (xAPIC MMIO
 * or x2APIC MSRs), the 8259A PIC pair, the 8254 PIT and the TSC rate hv
 * reports in CPUID 0x15. Only guests listed in GUEST_IRQ_ELF64 link it. */
#ifndef INTR_H
#define INTR_H

#include "guest.h"

typedef void (*intr_handler_fn)(struct trap_frame *f);

/* Replaces the library's exception IDT with a 256-entry one: vectors 0-31
 * keep their exception gates, 32-255 go to the handler set for them, or are
 * counted in intr_unexpected. Call with interrupts off. */
void intr_init(void);
void intr_set_handler(uint8_t vector, intr_handler_fn fn);
extern volatile unsigned intr_unexpected;  /* interrupts on vectors without a handler */
extern volatile uint8_t intr_unexpected_vector;   /* the last of them */

static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
/* The safe idle: an interrupt pending at the STI is taken after the HLT. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
/* Open the interrupt window for exactly one instruction. */
static inline void sti_nop_cli(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

#define RFLAGS_IF (1UL << 9)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* --- TSC --------------------------------------------------------------- */

/* The TSC rate from CPUID 0x15 (ECX; EAX = EBX = 1 under hv), 0 if absent. */
uint64_t tsc_hz(void);
/* Busy-waits (no exits) until the TSC passes now + ticks. */
void tsc_spin(uint64_t ticks);

/* --- local APIC -------------------------------------------------------- */

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_BSP (1UL << 8)
#define APIC_BASE_X2APIC (1UL << 10)
#define APIC_BASE_ENABLE (1UL << 11)
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define XAPIC_BASE 0xfee00000UL
#define X2APIC_MSR(off) (0x800 + ((off) >> 4))
#define X2APIC_SELF_IPI_MSR 0x83f

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SVR_ENABLE (1u << 8)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_TIMER_ONESHOT (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_DM_EXTINT (7u << 8)
#define APIC_DM_NMI (4u << 8)
#define APIC_DIVIDE_1 0xb
#define APIC_ICR_SELF (1u << 18)
#define APIC_SPURIOUS_VECTOR 0xff

/* Which interface apic_read/apic_write use: false = xAPIC MMIO at
 * 0xFEE00000, true = x2APIC MSRs. apic_set_x2apic(true) also switches the
 * APIC through IA32_APIC_BASE (EN and EXTD set). */
extern bool apic_x2;
void apic_set_x2apic(bool on);
uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t value);
static inline void apic_eoi(void) { apic_write(APIC_EOI, 0); }
/* A fixed interrupt to ourselves: ICR with the self shorthand (xAPIC), the
 * SELF_IPI MSR (x2APIC). */
void apic_self_ipi(uint8_t vector);
bool apic_isr(uint8_t vector);
bool apic_irr(uint8_t vector);
/* Software-enable with the spurious vector 0xFF, TPR 0, timer stopped,
 * divide by 1, LVT timer masked. */
void apic_setup(void);

/* The timer in one-shot or periodic mode: LVT then the initial count. */
void apic_timer_start(uint32_t lvt, uint32_t initial);
void apic_timer_stop(void);

/* --- 8259A PIC pair ---------------------------------------------------- */

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20

/* As Linux's init_8259A: ICW1 0x11, ICW2 base, ICW3 4 / 2, ICW4 1 (8086
 * mode, normal EOI); then every IRQ masked. */
void pic_init(uint8_t master_base, uint8_t slave_base);
/* Bit n masks IRQn (0-15). */
void pic_set_mask(uint16_t mask);
void pic_eoi(unsigned irq);
/* OCW3: the master's ISR (is_isr) or IRR. */
uint8_t pic_read_master(bool is_isr);

/* --- 8254 PIT ---------------------------------------------------------- */

#define PIT_HZ 1193182
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

/* Channel 0, mode 2 (rate generator), binary, LSB then MSB. */
void pit_ch0_rate(uint16_t count);

#endif
