/* A virtual local APIC per vCPU (SDM Vol. 3A chapter 11): registers, the
 * interrupt priority logic and the timer, as a pure model. The caller maps
 * guest accesses (xAPIC MMIO or x2APIC MSRs) onto it, passes the host TSC
 * as `now` and injects what vlapic_pending_vector() reports. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include "compiler.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000UL
#define VLAPIC_MSR_FIRST 0x800 /* x2APIC MSR = VLAPIC_MSR_FIRST + offset / 16 */
#define VLAPIC_MSR_LAST 0x8ff

/* Register offsets in the xAPIC page (SDM Vol. 3A table 11-1). */
#define VLAPIC_REG_ID 0x020
#define VLAPIC_REG_VERSION 0x030
#define VLAPIC_REG_TPR 0x080
#define VLAPIC_REG_APR 0x090
#define VLAPIC_REG_PPR 0x0a0
#define VLAPIC_REG_EOI 0x0b0
#define VLAPIC_REG_LDR 0x0d0
#define VLAPIC_REG_DFR 0x0e0
#define VLAPIC_REG_SVR 0x0f0
#define VLAPIC_REG_ISR 0x100 /* 8 registers, 16 bytes apart */
#define VLAPIC_REG_TMR 0x180
#define VLAPIC_REG_IRR 0x200
#define VLAPIC_REG_ESR 0x280
#define VLAPIC_REG_ICR_LO 0x300
#define VLAPIC_REG_ICR_HI 0x310
#define VLAPIC_REG_LVT_TIMER 0x320
#define VLAPIC_REG_LVT_THERMAL 0x330
#define VLAPIC_REG_LVT_PMC 0x340
#define VLAPIC_REG_LVT_LINT0 0x350
#define VLAPIC_REG_LVT_LINT1 0x360
#define VLAPIC_REG_LVT_ERROR 0x370
#define VLAPIC_REG_TIMER_INITIAL 0x380
#define VLAPIC_REG_TIMER_CURRENT 0x390
#define VLAPIC_REG_TIMER_DIVIDE 0x3e0
#define VLAPIC_REG_SELF_IPI 0x3f0 /* x2APIC only */
#define VLAPIC_REG_STRIDE 0x10

#define VLAPIC_SVR_ENABLE (1u << 8)
#define VLAPIC_VECTOR_MASK 0xffu
#define VLAPIC_DM_FIXED (0u << 8) /* delivery modes, in LVT and ICR bits 10:8 */
#define VLAPIC_DM_NMI (4u << 8)
#define VLAPIC_DM_INIT (5u << 8)
#define VLAPIC_DM_EXTINT (7u << 8)
#define VLAPIC_DM_MASK (7u << 8)
#define VLAPIC_LVT_MASKED (1u << 16)
#define VLAPIC_TIMER_PERIODIC (1u << 17)
#define VLAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define VLAPIC_ICR_LOGICAL (1u << 11)
#define VLAPIC_ICR_SELF (1u << 18) /* destination shorthand 01 */
#define VLAPIC_ESR_SEND_ILLEGAL (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REG (1u << 7)

/* Results of the access functions. */
enum {
	VLAPIC_OK = 0,
	VLAPIC_IPI_UNSUPPORTED = 1, /* ICR written and kept (vlapic_icr), IPI not delivered */
	VLAPIC_ERR_RESERVED = -1,   /* xAPIC: reserved offset (read 0, ignore the write) */
	VLAPIC_ERR_GP = -2,         /* inject #GP(0) */
	VLAPIC_ERR_MODE = -3,       /* MMIO while in x2APIC mode or globally disabled */
	VLAPIC_ERR_UNSUPPORTED = -4 /* IA32_APIC_BASE with a base other than the default */
};

/* What the caller does when it raises LINT0 or LINT1 (vlapic_raise_lint). */
enum vlapic_lint {
	VLAPIC_LINT_MASKED,     /* nothing */
	VLAPIC_LINT_FIXED,      /* the LVT vector is now in the IRR */
	VLAPIC_LINT_NMI,        /* inject an NMI */
	VLAPIC_LINT_EXTINT,     /* take the vector from the 8259 PIC */
	VLAPIC_LINT_UNSUPPORTED /* SMI, INIT or a reserved delivery mode */
};

#define VLAPIC_LVT_COUNT 6
#define VLAPIC_VECTOR_WORDS 8 /* 256 bits */

struct vlapic {
	uint32_t id;
	uint64_t apic_base; /* IA32_APIC_BASE */
	uint64_t tsc_hz, apic_hz;
	bool tsc_deadline_supported;

	/* From here on: register state, zeroed by a reset. */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending; /* what ESR reads, and errors since its last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_LVT_COUNT]; /* in register order, timer first */
	uint32_t irr[VLAPIC_VECTOR_WORDS], isr[VLAPIC_VECTOR_WORDS];
	uint32_t timer_initial, timer_divide;

	/* Timer: one-shot and periodic count bus-clock ticks from `base`. */
	bool timer_running;
	uint64_t timer_base;     /* host TSC the count started from */
	uint64_t timer_next;     /* bus ticks after timer_base of the next expiry */
	uint64_t timer_expiry;   /* host TSC of the next expiry, UINT64_MAX if disarmed */
	uint64_t timer_deadline; /* IA32_TSC_DEADLINE in host TSC terms, 0 if disarmed */
};

/* Power-up state (SDM Vol. 3A 11.4.7.1); id 0 is the BSP. apic_hz is the
 * timer's input (bus) clock, tsc_hz the rate of `now`. */
void vlapic_init(struct vlapic *l, uint32_t id, uint64_t tsc_hz, uint64_t apic_hz,
		 bool tsc_deadline_supported);
/* The state a BIOS leaves for virtual-wire mode (MP spec 3.6.2.2):
 * software-enabled, LINT0 ExtINT, LINT1 NMI. For guests booted without one. */
void vlapic_virtual_wire(struct vlapic *l);

/* xAPIC MMIO, 32-bit accesses at 16-byte aligned offsets into the page. */
int vlapic_read(struct vlapic *l, uint32_t offset, uint32_t *value, uint64_t now);
int vlapic_write(struct vlapic *l, uint32_t offset, uint32_t value, uint64_t now);
/* x2APIC MSRs 0x800-0x8ff. */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *value, uint64_t now);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value, uint64_t now);

/* IA32_TSC_DEADLINE in host TSC terms: 0 disarms; ignored (reads 0) unless
 * the LVT timer is in TSC-deadline mode. Call vlapic_update() before reading. */
void vlapic_write_tsc_deadline(struct vlapic *l, uint64_t deadline, uint64_t now);
uint64_t vlapic_read_tsc_deadline(const struct vlapic *l);

/* Fire a due timer; every function taking `now` does this first. */
void vlapic_update(struct vlapic *l, uint64_t now);
/* Host TSC at which vlapic_update() has something to do, or UINT64_MAX.
 * Changes after any call that takes `now`. */
uint64_t vlapic_next_event(const struct vlapic *l);

/* The vector to inject (highest IRR above the processor priority), or -1. */
int vlapic_pending_vector(const struct vlapic *l);
/* The CPU took `vector`: IRR -> ISR. */
void vlapic_accept(struct vlapic *l, uint8_t vector);
/* A fixed interrupt arrives (dropped while the APIC is disabled). */
void vlapic_raise(struct vlapic *l, uint8_t vector);
/* The caller raises pin 0 (LINT0) or 1 (LINT1), edge-triggered. */
enum vlapic_lint vlapic_raise_lint(struct vlapic *l, unsigned int pin);
/* LINT0 delivers the PIC's INTR (ExtINT, or the APIC globally disabled). */
bool vlapic_lint0_extint(const struct vlapic *l);

/* Globally (IA32_APIC_BASE) and software (SVR) enabled. */
bool vlapic_enabled(const struct vlapic *l);
uint64_t vlapic_apic_base(const struct vlapic *l);
int vlapic_set_apic_base(struct vlapic *l, uint64_t value);
/* The last ICR written: destination in bits 63:32 (xAPIC: 63:56). */
uint64_t vlapic_icr(const struct vlapic *l);

#endif
