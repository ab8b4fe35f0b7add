/* A virtual local APIC (SDM Vol. 3A chapter 11): xAPIC and x2APIC register
 * access, IRR/ISR/PPR priority logic, self-IPIs and the timer (one-shot,
 * periodic, TSC-deadline). Pure: time is the caller's host TSC (`now`). */
#include "vmm/vlapic.h"

#include "arch/x86/msr.h"
#include "lib/string.h"

#define VERSION_VALUE 0x00050014u /* version 0x14, max LVT entry 5, no EOI suppression */
#define DFR_RESERVED_ONES 0x0fffffffu
#define SVR_RESET 0xffu
#define SVR_WRITABLE 0x3ffu /* vector, enable, focus checking */
#define TPR_WRITABLE 0xffu
#define LDR_WRITABLE 0xff000000u
#define DFR_WRITABLE 0xf0000000u
#define ICR_HI_WRITABLE 0xff000000u
#define DIVIDE_WRITABLE 0xbu
#define X2APIC_CLUSTER_SHIFT 16

/* ICR fields (SDM Vol. 3A 11.6.1). */
#define ICR_LO_WRITABLE 0x000ccfffu
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define SHORTHAND_NONE 0
#define SHORTHAND_SELF 1

/* LVT fields (SDM Vol. 3A 11.5.1, figure 11-8). */
#define LVT_POLARITY (1u << 13)
#define LVT_LEVEL (1u << 15)
#define LVT_BASIC (VLAPIC_VECTOR_MASK | VLAPIC_LVT_MASKED)
#define LVT_WITH_MODE (LVT_BASIC | VLAPIC_DM_MASK)
#define LVT_LINT (LVT_WITH_MODE | LVT_POLARITY | LVT_LEVEL)
#define TIMER_MODE_MASK (3u << 17)
#define TIMER_MODE_RESERVED (3u << 17)

enum lvt_index { LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR };

#define ILLEGAL_VECTORS 16 /* vectors 0-15 are never delivered (SDM Vol. 3A 11.5.2) */
#define NO_VECTOR (-1)

/* Register access in each mode (SDM Vol. 3A tables 11-1 and 11-6). */
#define ACC_R 1u
#define ACC_W 2u
#define ACC_RW (ACC_R | ACC_W)

static bool x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_X2APIC) != 0;
}

static bool hw_enabled(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_ENABLE) != 0;
}

/* ---- 128-bit arithmetic without 128-bit division (no libgcc) ---- */

/* a * b / d rounded down (up if `ceil`), or UINT64_MAX if that does not fit:
 * restoring division of the 128-bit product, one quotient bit per step. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t d, bool ceil)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t rem = (uint64_t)(p >> 64), lo = (uint64_t)p, q = 0;

	if (rem >= d)
		return UINT64_MAX;
	if (rem == 0) {
		q = lo / d;
		rem = lo % d;
	} else {
		for (int i = 0; i < 64; i++) {
			bool carry = rem >> 63;

			rem = rem << 1 | lo >> 63;
			lo <<= 1;
			q <<= 1;
			if (carry || rem >= d) {
				rem -= d;
				q |= 1;
			}
		}
	}
	return q + (ceil && rem && q != UINT64_MAX);
}

/* ---- vectors: IRR, ISR, priorities (SDM Vol. 3A 11.8.3, 11.8.4) ---- */

static void vec_set(uint32_t *bits, unsigned int v)
{
	bits[v / 32] |= 1u << (v % 32);
}

static void vec_clear(uint32_t *bits, unsigned int v)
{
	bits[v / 32] &= ~(1u << (v % 32));
}

static int vec_highest(const uint32_t *bits)
{
	for (int i = VLAPIC_VECTOR_WORDS - 1; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return NO_VECTOR;
}

static uint32_t priority_class(uint32_t v)
{
	return v & 0xf0;
}

/* PPR = TPR, or the class of the highest in-service vector if above it. */
static uint32_t ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv == NO_VECTOR ? 0 : priority_class((uint32_t)isrv);

	return priority_class(l->tpr) >= isr_class ? l->tpr : isr_class;
}

static void deliver_lvt(struct vlapic *l, enum lvt_index i);

/* Errors latch in esr_pending until ESR is written (SDM Vol. 3A 11.5.3);
 * each new one signals through the LVT error entry. */
static void set_error(struct vlapic *l, uint32_t bit)
{
	if (l->esr_pending & bit)
		return;
	l->esr_pending |= bit;
	deliver_lvt(l, LVT_ERROR);
}

/* A fixed interrupt reaches the IRR, unless the APIC is disabled. */
static void accept_fixed(struct vlapic *l, uint32_t vector)
{
	if (!vlapic_enabled(l))
		return;
	if (vector < ILLEGAL_VECTORS)
		set_error(l, VLAPIC_ESR_RECV_ILLEGAL);
	else
		vec_set(l->irr, vector);
}

static void deliver_lvt(struct vlapic *l, enum lvt_index i)
{
	if (!(l->lvt[i] & VLAPIC_LVT_MASKED))
		accept_fixed(l, l->lvt[i] & VLAPIC_VECTOR_MASK);
}

static void eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v != NO_VECTOR)
		vec_clear(l->isr, (unsigned int)v);
}

/* ---- timer (SDM Vol. 3A 11.5.4) ---- */

static uint32_t timer_mode(const struct vlapic *l)
{
	return l->lvt[LVT_TIMER] & TIMER_MODE_MASK;
}

/* Divide configuration bits 3,1:0: 000 = /2 ... 110 = /128, 111 = /1. */
static uint64_t timer_divisor(const struct vlapic *l)
{
	uint32_t code = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);

	return code == 7 ? 1 : 2u << code;
}

/* Bus ticks since timer_base, rounded down. */
static uint64_t timer_ticks(const struct vlapic *l, uint64_t now)
{
	if (now <= l->timer_base)
		return 0;
	return mul_div(now - l->timer_base, l->apic_hz, l->tsc_hz, false);
}

/* The expiry is the first TSC at which timer_ticks() reaches timer_next. */
static void timer_schedule(struct vlapic *l)
{
	uint64_t delta = mul_div(l->timer_next, l->tsc_hz, l->apic_hz, true);

	l->timer_expiry = delta > UINT64_MAX - l->timer_base ? UINT64_MAX : l->timer_base + delta;
}

/* Count from now: the next expiry is `ticks` bus ticks away (0: stopped). */
static void timer_start(struct vlapic *l, uint64_t now, uint64_t ticks)
{
	l->timer_running = ticks != 0;
	l->timer_base = now;
	l->timer_next = ticks;
	l->timer_expiry = UINT64_MAX;
	if (l->timer_running)
		timer_schedule(l);
}

static void timer_disarm(struct vlapic *l)
{
	l->timer_running = false;
	l->timer_initial = 0;
	l->timer_deadline = 0;
	l->timer_expiry = UINT64_MAX;
}

/* Periodic: the next expiry is the first multiple of the period, counted
 * from the last scheduled one, that lies after now; missed ones coalesce. */
static void timer_reload(struct vlapic *l, uint64_t now)
{
	uint64_t period = l->timer_initial * timer_divisor(l);
	uint64_t late = timer_ticks(l, now) - l->timer_next;

	l->timer_next += (late / period + 1) * period;
	timer_schedule(l);
}

static void timer_update(struct vlapic *l, uint64_t now)
{
	if (now < l->timer_expiry)
		return;
	deliver_lvt(l, LVT_TIMER);
	if (timer_mode(l) == VLAPIC_TIMER_PERIODIC) {
		timer_reload(l, now);
	} else {
		l->timer_running = false;
		l->timer_deadline = 0; /* TSC-deadline: fires once (SDM Vol. 3A 11.5.4.1) */
		l->timer_expiry = UINT64_MAX;
	}
}

/* Timer_update() has run: a running count has not reached zero yet. */
static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t div = timer_divisor(l);

	if (!l->timer_running)
		return 0;
	return (uint32_t)((l->timer_next - timer_ticks(l, now) + div - 1) / div);
}

static void write_initial(struct vlapic *l, uint32_t value, uint64_t now)
{
	if (timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return; /* ignored in TSC-deadline mode */
	l->timer_initial = value;
	timer_start(l, now, (uint64_t)value * timer_divisor(l)); /* 0 stops it */
}

/* A new divisor applies from now on; the current count carries over. */
static void write_divide(struct vlapic *l, uint32_t value, uint64_t now)
{
	uint32_t current = timer_current(l, now);

	l->timer_divide = value;
	if (l->timer_running)
		timer_start(l, now, (uint64_t)current * timer_divisor(l));
}

/* ---- LVT and SVR ---- */

static uint32_t lvt_writable(const struct vlapic *l, enum lvt_index i, uint32_t value)
{
	uint32_t mode_bits = l->tsc_deadline_supported ? TIMER_MODE_MASK : VLAPIC_TIMER_PERIODIC;

	switch (i) {
	case LVT_TIMER:
		/* mode 11 is reserved: bit 18 then counts as a reserved bit */
		if ((value & TIMER_MODE_MASK) == TIMER_MODE_RESERVED)
			mode_bits = VLAPIC_TIMER_PERIODIC;
		return LVT_BASIC | mode_bits;
	case LVT_THERMAL:
	case LVT_PMC:
		return LVT_WITH_MODE;
	case LVT_LINT0:
	case LVT_LINT1:
		return LVT_LINT;
	case LVT_ERROR:
	default:
		return LVT_BASIC;
	}
}

/* While software-disabled, every LVT stays masked (SDM Vol. 3A 11.4.7.2). */
static void write_lvt(struct vlapic *l, enum lvt_index i, uint32_t value)
{
	uint32_t old_mode = timer_mode(l);

	if (!(l->svr & VLAPIC_SVR_ENABLE))
		value |= VLAPIC_LVT_MASKED;
	l->lvt[i] = value;
	if (i == LVT_TIMER && timer_mode(l) != old_mode)
		timer_disarm(l); /* SDM Vol. 3A 11.5.4.1 */
}

static void write_svr(struct vlapic *l, uint32_t value)
{
	l->svr = value;
	if (!(value & VLAPIC_SVR_ENABLE))
		for (unsigned int i = 0; i < VLAPIC_LVT_COUNT; i++)
			l->lvt[i] |= VLAPIC_LVT_MASKED;
}

/* ---- IPIs (SDM Vol. 3A 11.6.1, 11.12.9, 11.12.11) ---- */

static void self_ipi(struct vlapic *l, uint32_t vector)
{
	if (vector < ILLEGAL_VECTORS)
		set_error(l, VLAPIC_ESR_SEND_ILLEGAL);
	else
		accept_fixed(l, vector);
}

/* Only fixed interrupts to ourselves are delivered; the rest is the caller's. */
static int send_ipi(struct vlapic *l)
{
	uint32_t dest = x2apic_mode(l) ? l->icr_hi : l->icr_hi >> 24;
	uint32_t shorthand = ICR_SHORTHAND(l->icr_lo);
	bool to_self = shorthand == SHORTHAND_SELF ||
		       (shorthand == SHORTHAND_NONE && !(l->icr_lo & VLAPIC_ICR_LOGICAL) &&
			dest == l->id);

	if ((l->icr_lo & VLAPIC_DM_MASK) != VLAPIC_DM_FIXED || !to_self)
		return VLAPIC_IPI_UNSUPPORTED;
	self_ipi(l, l->icr_lo & VLAPIC_VECTOR_MASK);
	return VLAPIC_OK;
}

/* ---- register file ---- */

static bool in_bank(uint32_t off, uint32_t bank)
{
	return off >= bank && off < bank + VLAPIC_VECTOR_WORDS * VLAPIC_REG_STRIDE;
}

static bool is_lvt(uint32_t off)
{
	return off >= VLAPIC_REG_LVT_TIMER && off <= VLAPIC_REG_LVT_ERROR;
}

static enum lvt_index lvt_of(uint32_t off)
{
	return (enum lvt_index)((off - VLAPIC_REG_LVT_TIMER) / VLAPIC_REG_STRIDE);
}

static unsigned int reg_access(uint32_t off, bool x2)
{
	if (in_bank(off, VLAPIC_REG_ISR) || in_bank(off, VLAPIC_REG_TMR) ||
	    in_bank(off, VLAPIC_REG_IRR))
		return ACC_R;
	if (is_lvt(off))
		return ACC_RW;
	switch (off) {
	case VLAPIC_REG_ID:
	case VLAPIC_REG_VERSION:
	case VLAPIC_REG_PPR:
	case VLAPIC_REG_TIMER_CURRENT:
		return ACC_R;
	case VLAPIC_REG_TPR:
	case VLAPIC_REG_SVR:
	case VLAPIC_REG_ESR:
	case VLAPIC_REG_ICR_LO:
	case VLAPIC_REG_TIMER_INITIAL:
	case VLAPIC_REG_TIMER_DIVIDE:
		return ACC_RW;
	case VLAPIC_REG_EOI:
		return ACC_W;
	case VLAPIC_REG_LDR:
		return x2 ? ACC_R : ACC_RW; /* x2APIC: derived from the ID */
	case VLAPIC_REG_APR:
		return x2 ? 0 : ACC_R;
	case VLAPIC_REG_DFR:
	case VLAPIC_REG_ICR_HI:
		return x2 ? 0 : ACC_RW;
	case VLAPIC_REG_SELF_IPI:
		return x2 ? ACC_W : 0;
	default:
		return 0;
	}
}

/* Logical x2APIC ID: cluster in 31:16, one bit of 16 in 15:0 (SDM Vol. 3A 11.12.10.2). */
static uint32_t x2apic_ldr(uint32_t id)
{
	return (id >> 4) << X2APIC_CLUSTER_SHIFT | 1u << (id & 0xf);
}

static uint32_t bank_word(const uint32_t *bits, uint32_t off, uint32_t bank)
{
	return bits[(off - bank) / VLAPIC_REG_STRIDE];
}

/* A readable register's value; timer_update() has run. */
static uint32_t reg_value(const struct vlapic *l, uint32_t off, uint64_t now)
{
	bool x2 = x2apic_mode(l);

	if (in_bank(off, VLAPIC_REG_ISR))
		return bank_word(l->isr, off, VLAPIC_REG_ISR);
	if (in_bank(off, VLAPIC_REG_IRR))
		return bank_word(l->irr, off, VLAPIC_REG_IRR);
	if (is_lvt(off))
		return l->lvt[lvt_of(off)];
	switch (off) {
	case VLAPIC_REG_ID:
		return x2 ? l->id : l->id << 24;
	case VLAPIC_REG_VERSION:
		return VERSION_VALUE;
	case VLAPIC_REG_TPR:
		return l->tpr;
	case VLAPIC_REG_PPR:
		return ppr(l);
	case VLAPIC_REG_LDR:
		return x2 ? x2apic_ldr(l->id) : l->ldr;
	case VLAPIC_REG_DFR:
		return l->dfr | DFR_RESERVED_ONES;
	case VLAPIC_REG_SVR:
		return l->svr;
	case VLAPIC_REG_ESR:
		return l->esr;
	case VLAPIC_REG_ICR_LO:
		return l->icr_lo; /* delivery status 0: sent at once */
	case VLAPIC_REG_ICR_HI:
		return l->icr_hi;
	case VLAPIC_REG_TIMER_INITIAL:
		return l->timer_initial;
	case VLAPIC_REG_TIMER_CURRENT:
		return timer_current(l, now);
	case VLAPIC_REG_TIMER_DIVIDE:
		return l->timer_divide;
	default:
		return 0; /* APR, TMR (no level-triggered interrupts) */
	}
}

/* Bits a write may set; others are ignored (xAPIC) or #GP (x2APIC). */
static uint64_t reg_writable(const struct vlapic *l, uint32_t off, uint64_t value)
{
	bool x2 = x2apic_mode(l);

	if (is_lvt(off))
		return lvt_writable(l, lvt_of(off), (uint32_t)value);
	switch (off) {
	case VLAPIC_REG_TPR:
		return TPR_WRITABLE;
	case VLAPIC_REG_EOI:
	case VLAPIC_REG_ESR:
		return x2 ? 0 : UINT32_MAX; /* x2APIC: only 0 may be written */
	case VLAPIC_REG_LDR:
		return LDR_WRITABLE;
	case VLAPIC_REG_DFR:
		return DFR_WRITABLE;
	case VLAPIC_REG_SVR:
		return SVR_WRITABLE;
	case VLAPIC_REG_ICR_LO:
		return x2 ? (uint64_t)UINT32_MAX << 32 | ICR_LO_WRITABLE : ICR_LO_WRITABLE;
	case VLAPIC_REG_ICR_HI:
		return ICR_HI_WRITABLE;
	case VLAPIC_REG_TIMER_DIVIDE:
		return DIVIDE_WRITABLE;
	case VLAPIC_REG_SELF_IPI:
		return VLAPIC_VECTOR_MASK;
	default:
		return UINT32_MAX; /* initial count */
	}
}

/* A writable register, value already limited to its writable bits. */
static int reg_store(struct vlapic *l, uint32_t off, uint64_t value, uint64_t now)
{
	uint32_t v = (uint32_t)value;

	if (is_lvt(off)) {
		write_lvt(l, lvt_of(off), v);
		return VLAPIC_OK;
	}
	switch (off) {
	case VLAPIC_REG_TPR:
		l->tpr = v;
		break;
	case VLAPIC_REG_EOI:
		eoi(l);
		break;
	case VLAPIC_REG_LDR:
		l->ldr = v;
		break;
	case VLAPIC_REG_DFR:
		l->dfr = v;
		break;
	case VLAPIC_REG_SVR:
		write_svr(l, v);
		break;
	case VLAPIC_REG_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case VLAPIC_REG_ICR_LO:
		l->icr_lo = v;
		if (x2apic_mode(l))
			l->icr_hi = (uint32_t)(value >> 32);
		return send_ipi(l);
	case VLAPIC_REG_ICR_HI:
		l->icr_hi = v;
		break;
	case VLAPIC_REG_TIMER_INITIAL:
		write_initial(l, v, now);
		break;
	case VLAPIC_REG_TIMER_DIVIDE:
		write_divide(l, v, now);
		break;
	case VLAPIC_REG_SELF_IPI:
		self_ipi(l, v);
		break;
	}
	return VLAPIC_OK;
}

/* ---- the xAPIC page ---- */

static bool xapic_mode(const struct vlapic *l)
{
	return hw_enabled(l) && !x2apic_mode(l);
}

/* Access() of an in-page offset, or 0 (reserved: ESR bit 7, SDM Vol. 3A 11.5.3). */
static unsigned int xapic_access(struct vlapic *l, uint32_t offset)
{
	unsigned int acc = offset % VLAPIC_REG_STRIDE ? 0 : reg_access(offset, false);

	if (!acc)
		set_error(l, VLAPIC_ESR_ILLEGAL_REG);
	return acc;
}

int vlapic_read(struct vlapic *l, uint32_t offset, uint32_t *value, uint64_t now)
{
	unsigned int acc;

	*value = 0;
	if (!xapic_mode(l))
		return VLAPIC_ERR_MODE;
	acc = xapic_access(l, offset);
	if (!acc)
		return VLAPIC_ERR_RESERVED;
	timer_update(l, now);
	if (acc & ACC_R)
		*value = reg_value(l, offset, now); /* write-only EOI reads 0 */
	return VLAPIC_OK;
}

int vlapic_write(struct vlapic *l, uint32_t offset, uint32_t value, uint64_t now)
{
	unsigned int acc;

	if (!xapic_mode(l))
		return VLAPIC_ERR_MODE;
	acc = xapic_access(l, offset);
	if (!acc)
		return VLAPIC_ERR_RESERVED;
	timer_update(l, now);
	if (!(acc & ACC_W))
		return VLAPIC_OK; /* read-only: ignored */
	return reg_store(l, offset, value & reg_writable(l, offset, value), now);
}

/* ---- x2APIC MSRs (SDM Vol. 3A 11.12.1) ---- */

/* The register behind an x2APIC MSR, if this access to it is allowed. */
static bool x2apic_reg(const struct vlapic *l, uint32_t msr, unsigned int need, uint32_t *off)
{
	if (!x2apic_mode(l) || msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST)
		return false;
	*off = (msr - VLAPIC_MSR_FIRST) * VLAPIC_REG_STRIDE;
	return (reg_access(*off, true) & need) != 0;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *value, uint64_t now)
{
	uint32_t off;

	*value = 0;
	if (!x2apic_reg(l, msr, ACC_R, &off))
		return VLAPIC_ERR_GP;
	timer_update(l, now);
	*value = reg_value(l, off, now);
	if (off == VLAPIC_REG_ICR_LO)
		*value |= (uint64_t)l->icr_hi << 32;
	return VLAPIC_OK;
}

/* Reserved bits set, or a write to a read-only register: #GP (SDM Vol. 3A 11.12.1.3). */
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value, uint64_t now)
{
	uint32_t off;

	if (!x2apic_reg(l, msr, ACC_W, &off) || (value & ~reg_writable(l, off, value)))
		return VLAPIC_ERR_GP;
	timer_update(l, now);
	return reg_store(l, off, value, now);
}

/* ---- TSC deadline, timer events, interrupts ---- */

void vlapic_write_tsc_deadline(struct vlapic *l, uint64_t deadline, uint64_t now)
{
	timer_update(l, now);
	if (timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
		return; /* ignored in other modes */
	l->timer_deadline = deadline;
	l->timer_expiry = deadline ? deadline : UINT64_MAX;
	timer_update(l, now); /* a deadline in the past fires at once */
}

uint64_t vlapic_read_tsc_deadline(const struct vlapic *l)
{
	return timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE ? l->timer_deadline : 0;
}

void vlapic_update(struct vlapic *l, uint64_t now)
{
	timer_update(l, now);
}

/* A masked timer keeps counting, computed when read: no event needed. */
uint64_t vlapic_next_event(const struct vlapic *l)
{
	if (l->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED)
		return UINT64_MAX;
	return l->timer_expiry;
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v = vec_highest(l->irr);

	if (!hw_enabled(l) || v == NO_VECTOR || priority_class((uint32_t)v) <= priority_class(ppr(l)))
		return NO_VECTOR;
	return v;
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

void vlapic_raise(struct vlapic *l, uint8_t vector)
{
	accept_fixed(l, vector);
}

/* Globally disabled, LINT0 and LINT1 are the INTR and NMI pins (SDM Vol. 3A 11.4.3). */
enum vlapic_lint vlapic_raise_lint(struct vlapic *l, unsigned int pin)
{
	uint32_t lvt = l->lvt[pin ? LVT_LINT1 : LVT_LINT0];

	if (!hw_enabled(l))
		return pin ? VLAPIC_LINT_NMI : VLAPIC_LINT_EXTINT;
	if (lvt & VLAPIC_LVT_MASKED)
		return VLAPIC_LINT_MASKED;
	switch (lvt & VLAPIC_DM_MASK) {
	case VLAPIC_DM_FIXED:
		accept_fixed(l, lvt & VLAPIC_VECTOR_MASK);
		return VLAPIC_LINT_FIXED;
	case VLAPIC_DM_NMI:
		return VLAPIC_LINT_NMI;
	case VLAPIC_DM_EXTINT:
		return VLAPIC_LINT_EXTINT;
	default:
		return VLAPIC_LINT_UNSUPPORTED;
	}
}

bool vlapic_lint0_extint(const struct vlapic *l)
{
	uint32_t lvt = l->lvt[LVT_LINT0];

	return !hw_enabled(l) ||
	       (!(lvt & VLAPIC_LVT_MASKED) && (lvt & VLAPIC_DM_MASK) == VLAPIC_DM_EXTINT);
}

bool vlapic_enabled(const struct vlapic *l)
{
	return hw_enabled(l) && (l->svr & VLAPIC_SVR_ENABLE);
}

uint64_t vlapic_icr(const struct vlapic *l)
{
	return (uint64_t)l->icr_hi << 32 | l->icr_lo;
}

/* ---- reset and IA32_APIC_BASE (SDM Vol. 3A 11.4.4, 11.4.7.1, 11.12.5) ---- */

/* Every register to its power-up value; ID and IA32_APIC_BASE stay. */
static void reset_registers(struct vlapic *l)
{
	size_t first = offsetof(struct vlapic, tpr);

	memset((char *)l + first, 0, sizeof(*l) - first);
	l->dfr = UINT32_MAX;
	l->svr = SVR_RESET;
	for (unsigned int i = 0; i < VLAPIC_LVT_COUNT; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	l->timer_expiry = UINT64_MAX;
}

void vlapic_init(struct vlapic *l, uint32_t id, uint64_t tsc_hz, uint64_t apic_hz,
		 bool tsc_deadline_supported)
{
	l->id = id;
	l->apic_base = VLAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | (id == 0 ? APIC_BASE_BSP : 0);
	l->tsc_hz = tsc_hz;
	l->apic_hz = apic_hz;
	l->tsc_deadline_supported = tsc_deadline_supported;
	reset_registers(l);
}

void vlapic_virtual_wire(struct vlapic *l)
{
	write_svr(l, l->svr | VLAPIC_SVR_ENABLE);
	write_lvt(l, LVT_LINT0, VLAPIC_DM_EXTINT);
	write_lvt(l, LVT_LINT1, VLAPIC_DM_NMI);
}

uint64_t vlapic_apic_base(const struct vlapic *l)
{
	return l->apic_base;
}

/* Legal moves: disabled <-> xAPIC -> x2APIC -> disabled; EXTD without EN
 * is invalid. The BSP flag is read-only here. */
int vlapic_set_apic_base(struct vlapic *l, uint64_t value)
{
	const uint64_t mode = APIC_BASE_ENABLE | APIC_BASE_X2APIC;
	uint64_t from = l->apic_base & mode, to = value & mode;

	if (value & ~(APIC_BASE_ADDR_MASK | APIC_BASE_BSP | mode))
		return VLAPIC_ERR_GP;
	if (to == APIC_BASE_X2APIC || (from == mode && to == APIC_BASE_ENABLE) ||
	    (from == 0 && to == mode))
		return VLAPIC_ERR_GP;
	if ((value & APIC_BASE_ADDR_MASK) != VLAPIC_DEFAULT_BASE)
		return VLAPIC_ERR_UNSUPPORTED;
	l->apic_base = (value & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
	if (to == 0 && from != 0)
		reset_registers(l); /* disabling loses the state (SDM Vol. 3A 11.4.3) */
	return VLAPIC_OK;
}
