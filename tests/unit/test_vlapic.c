#include "arch/x86/msr.h"
#include "vmm/vlapic.h"
#include "test.h"

#define TSC_HZ 2893412345ULL /* no integer ratio to the bus clock */
#define BUS_HZ 128000000ULL  /* 1 kHz is a whole count with every divisor */
#define T0 1000003ULL
#define VEC_TIMER 0x30
#define DIVIDE_BY_1 0xb
#define DIVIDE_BY_2 0x0
#define SVR_ON (VLAPIC_SVR_ENABLE | 0xff)
#define MSR(reg) (VLAPIC_MSR_FIRST + (reg) / VLAPIC_REG_STRIDE)
#define BASE_XAPIC (VLAPIC_DEFAULT_BASE | APIC_BASE_ENABLE)
#define BASE_X2APIC (BASE_XAPIC | APIC_BASE_X2APIC)

static struct vlapic lapic(uint32_t id, bool tsc_deadline)
{
	struct vlapic l;

	vlapic_init(&l, id, TSC_HZ, BUS_HZ, tsc_deadline);
	return l;
}

static uint32_t rd(struct vlapic *l, uint32_t off, uint64_t now)
{
	uint32_t v = 0xdead;

	CHECK_EQ(vlapic_read(l, off, &v, now), VLAPIC_OK);
	return v;
}

static void wr(struct vlapic *l, uint32_t off, uint32_t v, uint64_t now)
{
	CHECK_EQ(vlapic_write(l, off, v, now), VLAPIC_OK);
}

static uint64_t mrd(struct vlapic *l, uint32_t reg)
{
	uint64_t v = 0xdead;

	CHECK_EQ(vlapic_msr_read(l, MSR(reg), &v, T0), VLAPIC_OK);
	return v;
}

static bool in_irr(const struct vlapic *l, unsigned int v)
{
	return l->irr[v / 32] >> (v % 32) & 1;
}

/* Host TSC of the k-th expiry of a timer started at `t0` (k counts of
 * `ticks` bus ticks each): the first TSC at which that many ticks passed. */
static uint64_t expiry(uint64_t t0, uint64_t k, uint64_t ticks, uint64_t tsc_hz, uint64_t bus_hz)
{
	unsigned __int128 num = (unsigned __int128)k * ticks * tsc_hz;

	return t0 + (uint64_t)((num + bus_hz - 1) / bus_hz);
}

static uint64_t tsc_at(uint64_t k, uint64_t ticks)
{
	return expiry(T0, k, ticks, TSC_HZ, BUS_HZ);
}

/* Deliver and complete whatever is pending (as the CPU and guest would). */
static int take(struct vlapic *l, uint64_t now)
{
	int v = vlapic_pending_vector(l);

	if (v >= 0) {
		vlapic_accept(l, (uint8_t)v);
		wr(l, VLAPIC_REG_EOI, 0, now);
	}
	return v;
}

TEST(vlapic_reset_values)
{
	struct vlapic l = lapic(0, false), ap = lapic(2, false);

	CHECK_EQ(vlapic_apic_base(&l), BASE_XAPIC | APIC_BASE_BSP);
	CHECK_EQ(vlapic_apic_base(&ap), BASE_XAPIC);
	CHECK_EQ(rd(&ap, VLAPIC_REG_ID, 0), 2u << 24);
	CHECK_EQ(rd(&l, VLAPIC_REG_VERSION, 0), 0x50014);
	CHECK_EQ(rd(&l, VLAPIC_REG_TPR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_APR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LDR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_DFR, 0), 0xffffffff);
	CHECK_EQ(rd(&l, VLAPIC_REG_SVR, 0), 0xff);
	for (uint32_t i = 0; i < 8; i++) {
		CHECK_EQ(rd(&l, VLAPIC_REG_ISR + i * 16, 0), 0);
		CHECK_EQ(rd(&l, VLAPIC_REG_TMR + i * 16, 0), 0);
		CHECK_EQ(rd(&l, VLAPIC_REG_IRR + i * 16, 0), 0);
	}
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ICR_LO, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ICR_HI, 0), 0);
	for (uint32_t off = VLAPIC_REG_LVT_TIMER; off <= VLAPIC_REG_LVT_ERROR; off += 16)
		CHECK_EQ(rd(&l, off, 0), VLAPIC_LVT_MASKED);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_INITIAL, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_DIVIDE, 0), 0);
	CHECK(!vlapic_enabled(&l));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	CHECK(!vlapic_lint0_extint(&l));
}

/* Exactly 1000 expiries in one second of TSC time, each at the first TSC at
 * which k periods of bus ticks have passed, with every divide setting. */
TEST(vlapic_periodic_1khz_every_divisor)
{
	static const struct {
		uint32_t code, div;
	} divs[] = { { 0xb, 1 }, { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 },
		     { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 } };
	const uint64_t period = BUS_HZ / 1000;

	for (size_t d = 0; d < ARRAY_SIZE(divs); d++) {
		struct vlapic l = lapic(0, false);
		uint64_t next, count = 0;

		wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
		wr(&l, VLAPIC_REG_TIMER_DIVIDE, divs[d].code, T0);
		wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
		wr(&l, VLAPIC_REG_TIMER_INITIAL, (uint32_t)(period / divs[d].div), T0);
		while ((next = vlapic_next_event(&l)) <= T0 + TSC_HZ) {
			count++;
			CHECK_EQ(next, tsc_at(count, period));
			vlapic_update(&l, next - 1);
			CHECK_EQ(vlapic_pending_vector(&l), -1);
			vlapic_update(&l, next);
			CHECK_EQ(take(&l, next), VEC_TIMER);
		}
		CHECK_EQ(count, 1000);
		CHECK_EQ(tsc_at(1000, period), T0 + TSC_HZ);
	}
}

/* A caller that notices late gets one interrupt and the original phase. */
TEST(vlapic_periodic_late_caller_keeps_phase)
{
	struct vlapic l = lapic(0, false);
	const uint64_t period = 128000;

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&l, VLAPIC_REG_TIMER_DIVIDE, DIVIDE_BY_1, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, (uint32_t)period, T0);
	vlapic_update(&l, tsc_at(21, period / 2)); /* 10.5 periods */
	CHECK_EQ(take(&l, 0), VEC_TIMER);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_next_event(&l), tsc_at(11, period));
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(21, period / 2)), period / 2);
}

TEST(vlapic_oneshot_counts_down_and_fires_once)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&l, VLAPIC_REG_TIMER_DIVIDE, DIVIDE_BY_2, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_INITIAL, T0), 1000);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, T0), 1000);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 2)), 999);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 2) - 1), 1000);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 500)), 750);
	CHECK_EQ(vlapic_next_event(&l), tsc_at(1, 2000));
	vlapic_update(&l, tsc_at(1, 2000) - 1);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 2000) - 1), 1);
	vlapic_update(&l, tsc_at(1, 2000));
	CHECK_EQ(take(&l, 0), VEC_TIMER);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(3, 2000)), 0);
	vlapic_update(&l, tsc_at(3, 2000));
	CHECK_EQ(vlapic_pending_vector(&l), -1);

	/* writing the initial count restarts it; 0 stops it */
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 10, T0);
	CHECK_EQ(vlapic_next_event(&l), tsc_at(1, 20));
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 0, T0 + 1);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, T0 + 1), 0);
}

TEST(vlapic_divide_change_keeps_current_count)
{
	struct vlapic l = lapic(0, false);
	uint64_t now = tsc_at(1, 500);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0); /* divide by 2 at reset */
	wr(&l, VLAPIC_REG_TIMER_DIVIDE, DIVIDE_BY_1, now);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, now), 750);
	CHECK_EQ(vlapic_next_event(&l), expiry(now, 1, 750, TSC_HZ, BUS_HZ));
}

/* Counts near the limits: a 128-bit product, 64-bit results. */
TEST(vlapic_timer_large_counts)
{
	static const uint64_t freqs[][2] = { { 4000000000ULL, 1000000000ULL },
					     { 3999999999ULL, 999999937ULL },
					     { 1000000ULL, 3000000000ULL } };

	for (size_t i = 0; i < ARRAY_SIZE(freqs); i++) {
		struct vlapic l;
		uint64_t ticks = 0xffffffffULL * 128, t0 = 1ULL << 40;

		vlapic_init(&l, 0, freqs[i][0], freqs[i][1], false);
		CHECK_EQ(vlapic_write(&l, VLAPIC_REG_SVR, SVR_ON, t0), VLAPIC_OK);
		CHECK_EQ(vlapic_write(&l, VLAPIC_REG_TIMER_DIVIDE, 0xa, t0), VLAPIC_OK);
		CHECK_EQ(vlapic_write(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0x40, t0),
			 VLAPIC_OK);
		CHECK_EQ(vlapic_write(&l, VLAPIC_REG_TIMER_INITIAL, 0xffffffff, t0), VLAPIC_OK);
		CHECK_EQ(vlapic_next_event(&l), expiry(t0, 1, ticks, freqs[i][0], freqs[i][1]));
		vlapic_update(&l, vlapic_next_event(&l));
		CHECK_EQ(vlapic_pending_vector(&l), 0x40);
		CHECK_EQ(vlapic_next_event(&l), expiry(t0, 2, ticks, freqs[i][0], freqs[i][1]));
	}
	CHECK_EQ(expiry(0, 1, 0xffffffffULL * 128, 4000000000ULL, 1000000000ULL),
		 0xffffffffULL * 128 * 4);
}

TEST(vlapic_tsc_deadline)
{
	struct vlapic no = lapic(0, false), l = lapic(0, true);

	/* without CPU support bit 18 is reserved: the mode stays one-shot */
	wr(&no, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&no, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_TSC_DEADLINE | VEC_TIMER, T0);
	CHECK_EQ(rd(&no, VLAPIC_REG_LVT_TIMER, T0), VEC_TIMER);
	vlapic_write_tsc_deadline(&no, T0 + 100, T0);
	CHECK_EQ(vlapic_read_tsc_deadline(&no), 0);
	CHECK_EQ(vlapic_next_event(&no), UINT64_MAX);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	vlapic_write_tsc_deadline(&l, T0 + 100, T0); /* ignored in one-shot mode */
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_TSC_DEADLINE | VEC_TIMER, T0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LVT_TIMER, T0), VLAPIC_TIMER_TSC_DEADLINE | VEC_TIMER);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0); /* ignored */
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_INITIAL, T0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, T0), 0);

	vlapic_write_tsc_deadline(&l, T0 + 5000, T0);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), T0 + 5000);
	CHECK_EQ(vlapic_next_event(&l), T0 + 5000);
	vlapic_update(&l, T0 + 4999);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_update(&l, T0 + 5000);
	CHECK_EQ(take(&l, T0 + 5000), VEC_TIMER);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0); /* fired: disarmed */
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);

	vlapic_write_tsc_deadline(&l, T0 - 1, T0); /* in the past: at once */
	CHECK_EQ(take(&l, T0), VEC_TIMER);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);

	vlapic_write_tsc_deadline(&l, T0 + 9000, T0);
	vlapic_write_tsc_deadline(&l, 0, T0 + 1); /* 0 disarms */
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	vlapic_update(&l, T0 + 9000);
	CHECK_EQ(vlapic_pending_vector(&l), -1);

	/* a mode change disarms */
	vlapic_write_tsc_deadline(&l, T0 + 9000, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VEC_TIMER, T0);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_TSC_DEADLINE | VEC_TIMER, T0);
	CHECK_EQ(vlapic_read_tsc_deadline(&l), 0);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
}

TEST(vlapic_mode_change_disarms_count)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VEC_TIMER | VLAPIC_LVT_MASKED, T0); /* same mode */
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, T0), 1000);
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, T0), 0);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
}

/* A masked timer counts (and reloads) but raises nothing. */
TEST(vlapic_masked_timer_counts)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_MASKED | VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 500)), 750);
	vlapic_update(&l, tsc_at(1, 2000));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(5, 500)), 750); /* reloaded */
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, tsc_at(5, 500));
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	CHECK_EQ(vlapic_next_event(&l), tsc_at(2, 2000));
}

TEST(vlapic_priorities)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, 0);
	vlapic_raise(&l, 0x40);
	vlapic_raise(&l, 0x50);
	CHECK_EQ(rd(&l, VLAPIC_REG_IRR + 0x20, 0), 1u << 0x10 | 1u << 0x0);
	CHECK_EQ(vlapic_pending_vector(&l), 0x50);
	vlapic_accept(&l, 0x50);
	CHECK_EQ(rd(&l, VLAPIC_REG_ISR + 0x20, 0), 1u << 0x10);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x50);
	CHECK_EQ(vlapic_pending_vector(&l), -1); /* lower class waits */
	vlapic_raise(&l, 0x5f);
	CHECK_EQ(vlapic_pending_vector(&l), -1); /* same class waits */
	vlapic_raise(&l, 0x61);
	CHECK_EQ(vlapic_pending_vector(&l), 0x61); /* higher class preempts */
	vlapic_accept(&l, 0x61);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x60);
	wr(&l, VLAPIC_REG_EOI, 0, 0); /* ends 0x61, the highest in service */
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x50);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(&l, VLAPIC_REG_EOI, 0, 0);
	CHECK_EQ(vlapic_pending_vector(&l), 0x5f);
	vlapic_accept(&l, 0x5f);
	wr(&l, VLAPIC_REG_EOI, 0, 0);
	CHECK_EQ(vlapic_pending_vector(&l), 0x40);

	/* TPR blocks its class and below */
	wr(&l, VLAPIC_REG_TPR, 0x47, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x47);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_raise(&l, 0x65);
	CHECK_EQ(vlapic_pending_vector(&l), 0x65);
	wr(&l, VLAPIC_REG_TPR, 0x70, 0);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	vlapic_accept(&l, 0x40);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x70); /* TPR above the ISR class */
	wr(&l, VLAPIC_REG_TPR, 0x300, 0);  /* only bits 7:0 */
	CHECK_EQ(rd(&l, VLAPIC_REG_TPR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_PPR, 0), 0x40);
	CHECK_EQ(vlapic_pending_vector(&l), 0x65);
}

TEST(vlapic_self_ipi)
{
	struct vlapic l = lapic(3, false);
	uint64_t v;

	wr(&l, VLAPIC_REG_SVR, SVR_ON, 0);
	wr(&l, VLAPIC_REG_ICR_HI, 3u << 24, 0);
	wr(&l, VLAPIC_REG_ICR_LO, VLAPIC_DM_FIXED | 0x45, 0); /* physical, our ID */
	CHECK(in_irr(&l, 0x45));
	wr(&l, VLAPIC_REG_ICR_HI, 0, 0);
	wr(&l, VLAPIC_REG_ICR_LO, VLAPIC_ICR_SELF | 0x46, 0);
	CHECK(in_irr(&l, 0x46));
	CHECK_EQ(rd(&l, VLAPIC_REG_ICR_LO, 0), VLAPIC_ICR_SELF | 0x46);

	/* anything else is recorded and left to the caller */
	wr(&l, VLAPIC_REG_ICR_HI, 5u << 24, 0);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_ICR_LO, 0x47, 0), VLAPIC_IPI_UNSUPPORTED);
	CHECK_EQ(vlapic_icr(&l), (uint64_t)5 << 56 | 0x47);
	CHECK(!in_irr(&l, 0x47));
	wr(&l, VLAPIC_REG_ICR_HI, 3u << 24, 0);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_ICR_LO, VLAPIC_DM_INIT, 0), VLAPIC_IPI_UNSUPPORTED);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_ICR_LO, VLAPIC_ICR_LOGICAL | 0x48, 0),
		 VLAPIC_IPI_UNSUPPORTED);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_ICR_LO, 3u << 18 | 0x49, 0), VLAPIC_IPI_UNSUPPORTED);

	/* x2APIC: the 64-bit ICR and SELF IPI */
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_X2APIC), VLAPIC_OK);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_ICR_LO), (uint64_t)3 << 32 | 0x50, 0),
		 VLAPIC_OK);
	CHECK(in_irr(&l, 0x50));
	CHECK_EQ(vlapic_msr_read(&l, MSR(VLAPIC_REG_ICR_LO), &v, 0), VLAPIC_OK);
	CHECK_EQ(v, (uint64_t)3 << 32 | 0x50);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_ICR_LO), (uint64_t)0x103 << 32 | 0x51, 0),
		 VLAPIC_IPI_UNSUPPORTED);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_SELF_IPI), 0x52, 0), VLAPIC_OK);
	CHECK(in_irr(&l, 0x52));
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_SELF_IPI), 0x152, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_read(&l, MSR(VLAPIC_REG_SELF_IPI), &v, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_pending_vector(&l), 0x52);
}

TEST(vlapic_xapic_access_rules)
{
	struct vlapic l = lapic(3, false);
	uint32_t v;
	uint64_t m;

	CHECK_EQ(vlapic_msr_read(&l, MSR(VLAPIC_REG_ID), &m, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_TPR), 0, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_read(&l, 0x040, &v, 0), VLAPIC_ERR_RESERVED);
	CHECK_EQ(v, 0);
	CHECK_EQ(vlapic_read(&l, VLAPIC_REG_TPR + 4, &v, 0), VLAPIC_ERR_RESERVED);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_SELF_IPI, 0x40, 0), VLAPIC_ERR_RESERVED);
	CHECK_EQ(vlapic_read(&l, 0x2f0, &v, 0), VLAPIC_ERR_RESERVED); /* no CMCI LVT */
	CHECK_EQ(vlapic_read(&l, 0x1000, &v, 0), VLAPIC_ERR_RESERVED);
	wr(&l, VLAPIC_REG_ESR, 0, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), VLAPIC_ESR_ILLEGAL_REG);

	wr(&l, VLAPIC_REG_ID, 0x7f000000, 0); /* read-only: ignored */
	CHECK_EQ(rd(&l, VLAPIC_REG_ID, 0), 3u << 24);
	CHECK_EQ(rd(&l, VLAPIC_REG_EOI, 0), 0); /* write-only */
	wr(&l, VLAPIC_REG_LDR, 0x12345678, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LDR, 0), 0x12000000);
	wr(&l, VLAPIC_REG_DFR, 0, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_DFR, 0), 0x0fffffff);
	wr(&l, VLAPIC_REG_SVR, 0xffffffff, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_SVR, 0), 0x3ff);
	wr(&l, VLAPIC_REG_LVT_LINT0, 0xffffffff, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LVT_LINT0, 0), 0x1a7ff); /* remote IRR, status read-only */
	wr(&l, VLAPIC_REG_LVT_ERROR, 0xffffffff, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LVT_ERROR, 0), 0x100ff);
	wr(&l, VLAPIC_REG_TIMER_DIVIDE, 0xffffffff, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_DIVIDE, 0), 0xb);
}

TEST(vlapic_x2apic_access_rules)
{
	struct vlapic l = lapic(0x23, false);
	uint32_t v;
	uint64_t m;

	wr(&l, VLAPIC_REG_TPR, 0x20, 0);
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_X2APIC), VLAPIC_OK);
	CHECK_EQ(vlapic_read(&l, VLAPIC_REG_ID, &v, 0), VLAPIC_ERR_MODE);
	CHECK_EQ(vlapic_write(&l, VLAPIC_REG_TPR, 0, 0), VLAPIC_ERR_MODE);
	CHECK_EQ(mrd(&l, VLAPIC_REG_TPR), 0x20); /* state carries over */
	CHECK_EQ(mrd(&l, VLAPIC_REG_ID), 0x23);
	CHECK_EQ(mrd(&l, VLAPIC_REG_VERSION), 0x50014);
	CHECK_EQ(mrd(&l, VLAPIC_REG_LDR), 2u << 16 | 1u << 3);

	static const uint32_t absent_or_ro[] = { VLAPIC_REG_ID, VLAPIC_REG_VERSION,
						 VLAPIC_REG_APR, VLAPIC_REG_PPR, VLAPIC_REG_LDR,
						 VLAPIC_REG_DFR, VLAPIC_REG_ISR, VLAPIC_REG_IRR,
						 VLAPIC_REG_ICR_HI, VLAPIC_REG_TIMER_CURRENT,
						 0x2f0 };
	for (size_t i = 0; i < ARRAY_SIZE(absent_or_ro); i++)
		CHECK_EQ(vlapic_msr_write(&l, MSR(absent_or_ro[i]), 0, 0), VLAPIC_ERR_GP);
	static const uint32_t unreadable[] = { VLAPIC_REG_APR, VLAPIC_REG_DFR, VLAPIC_REG_EOI,
					       VLAPIC_REG_ICR_HI, VLAPIC_REG_SELF_IPI, 0x2f0 };
	for (size_t i = 0; i < ARRAY_SIZE(unreadable); i++)
		CHECK_EQ(vlapic_msr_read(&l, MSR(unreadable[i]), &m, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_read(&l, 0x7ff, &m, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_read(&l, 0x900, &m, 0), VLAPIC_ERR_GP);

	/* reserved bits: #GP, where xAPIC would ignore them */
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_TPR), 0x100, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_TPR), 1ULL << 32, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_EOI), 1, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_ESR), 1, 0), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_LVT_TIMER), VLAPIC_TIMER_TSC_DEADLINE, 0),
		 VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_ICR_LO), 1u << 12, 0), VLAPIC_ERR_GP);
	CHECK_EQ(mrd(&l, VLAPIC_REG_TPR), 0x20);

	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_TPR), 0x30, 0), VLAPIC_OK);
	CHECK_EQ(mrd(&l, VLAPIC_REG_TPR), 0x30);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_SVR), SVR_ON, 0), VLAPIC_OK);
	vlapic_raise(&l, 0x80);
	vlapic_accept(&l, 0x80);
	CHECK_EQ(mrd(&l, VLAPIC_REG_ISR + 0x40), 1);
	CHECK_EQ(vlapic_msr_write(&l, MSR(VLAPIC_REG_EOI), 0, 0), VLAPIC_OK);
	CHECK_EQ(mrd(&l, VLAPIC_REG_ISR + 0x40), 0);
}

TEST(vlapic_apic_base_transitions)
{
	struct vlapic l = lapic(0, false);
	const uint64_t bsp = APIC_BASE_BSP;
	uint32_t v;
	uint64_t m;

	CHECK_EQ(vlapic_set_apic_base(&l, BASE_XAPIC | bsp | 1), VLAPIC_ERR_GP); /* reserved */
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_XAPIC | bsp | 1ULL << 52), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_set_apic_base(&l, 0xfed00000 | APIC_BASE_ENABLE), VLAPIC_ERR_UNSUPPORTED);
	CHECK_EQ(vlapic_set_apic_base(&l, VLAPIC_DEFAULT_BASE | APIC_BASE_X2APIC),
		 VLAPIC_ERR_GP); /* EXTD without EN */
	CHECK_EQ(vlapic_apic_base(&l), BASE_XAPIC | bsp);

	wr(&l, VLAPIC_REG_TPR, 0x20, 0);
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_X2APIC), VLAPIC_OK); /* BSP flag kept */
	CHECK_EQ(vlapic_apic_base(&l), BASE_X2APIC | bsp);
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_XAPIC | bsp), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_X2APIC | bsp), VLAPIC_OK);

	/* disabling resets the registers; no interface works */
	CHECK_EQ(vlapic_set_apic_base(&l, VLAPIC_DEFAULT_BASE | bsp), VLAPIC_OK);
	CHECK_EQ(vlapic_read(&l, VLAPIC_REG_TPR, &v, 0), VLAPIC_ERR_MODE);
	CHECK_EQ(vlapic_msr_read(&l, MSR(VLAPIC_REG_TPR), &m, 0), VLAPIC_ERR_GP);
	CHECK(vlapic_lint0_extint(&l));
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_X2APIC | bsp), VLAPIC_ERR_GP);
	CHECK_EQ(vlapic_set_apic_base(&l, BASE_XAPIC | bsp), VLAPIC_OK);
	CHECK_EQ(rd(&l, VLAPIC_REG_TPR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_SVR, 0), 0xff);
	CHECK_EQ(vlapic_set_apic_base(&l, VLAPIC_DEFAULT_BASE), VLAPIC_OK); /* xAPIC -> off */
	CHECK_EQ(vlapic_apic_base(&l), VLAPIC_DEFAULT_BASE | bsp);
}

/* Software-disabled: every LVT masked and stays so (SDM Vol. 3A 11.4.7.2). */
TEST(vlapic_svr_disable_masks_lvts)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	CHECK(vlapic_enabled(&l));
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
	wr(&l, VLAPIC_REG_LVT_LINT0, VLAPIC_DM_EXTINT, T0);
	wr(&l, VLAPIC_REG_TIMER_INITIAL, 1000, T0);
	CHECK(vlapic_lint0_extint(&l));
	wr(&l, VLAPIC_REG_SVR, 0xff, T0);
	CHECK(!vlapic_enabled(&l));
	for (uint32_t off = VLAPIC_REG_LVT_TIMER; off <= VLAPIC_REG_LVT_ERROR; off += 16)
		CHECK(rd(&l, off, T0) & VLAPIC_LVT_MASKED);
	CHECK(!vlapic_lint0_extint(&l));
	wr(&l, VLAPIC_REG_LVT_TIMER, VLAPIC_TIMER_PERIODIC | VEC_TIMER, T0);
	CHECK_EQ(rd(&l, VLAPIC_REG_LVT_TIMER, T0),
		 VLAPIC_LVT_MASKED | VLAPIC_TIMER_PERIODIC | VEC_TIMER);
	CHECK_EQ(vlapic_next_event(&l), UINT64_MAX);
	CHECK_EQ(rd(&l, VLAPIC_REG_TIMER_CURRENT, tsc_at(1, 1000)), 500); /* still counts */
	vlapic_update(&l, tsc_at(1, 2000));
	vlapic_raise(&l, 0x80); /* dropped */
	CHECK_EQ(vlapic_pending_vector(&l), -1);
	wr(&l, VLAPIC_REG_SVR, SVR_ON, T0);
	CHECK(rd(&l, VLAPIC_REG_LVT_TIMER, T0) & VLAPIC_LVT_MASKED);
}

TEST(vlapic_illegal_vectors_set_esr)
{
	struct vlapic l = lapic(0, false);

	wr(&l, VLAPIC_REG_SVR, SVR_ON, 0);
	vlapic_raise(&l, 5);
	CHECK_EQ(rd(&l, VLAPIC_REG_IRR, 0), 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), 0); /* visible only after a write */
	wr(&l, VLAPIC_REG_ESR, 0, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL);
	wr(&l, VLAPIC_REG_ESR, 0, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), 0);

	/* an LVT with an illegal vector, and an error interrupt */
	wr(&l, VLAPIC_REG_LVT_ERROR, 0xe0, 0);
	wr(&l, VLAPIC_REG_LVT_LINT1, 0x0f, 0);
	CHECK_EQ(vlapic_raise_lint(&l, 1), VLAPIC_LINT_FIXED);
	CHECK_EQ(vlapic_pending_vector(&l), 0xe0);
	vlapic_accept(&l, 0xe0);
	wr(&l, VLAPIC_REG_ICR_LO, VLAPIC_ICR_SELF | 0x03, 0);
	wr(&l, VLAPIC_REG_ESR, 0, 0);
	CHECK_EQ(rd(&l, VLAPIC_REG_ESR, 0), VLAPIC_ESR_RECV_ILLEGAL | VLAPIC_ESR_SEND_ILLEGAL);
	CHECK_EQ(rd(&l, VLAPIC_REG_IRR, 0), 0);
}

TEST(vlapic_lint_pins)
{
	struct vlapic l = lapic(0, false);

	CHECK_EQ(vlapic_raise_lint(&l, 0), VLAPIC_LINT_MASKED);
	vlapic_virtual_wire(&l);
	CHECK(vlapic_enabled(&l));
	CHECK(vlapic_lint0_extint(&l));
	CHECK_EQ(vlapic_raise_lint(&l, 0), VLAPIC_LINT_EXTINT);
	CHECK_EQ(vlapic_raise_lint(&l, 1), VLAPIC_LINT_NMI);
	CHECK_EQ(vlapic_pending_vector(&l), -1); /* ExtINT bypasses the IRR */

	wr(&l, VLAPIC_REG_LVT_LINT0, VLAPIC_DM_FIXED | 0x38, 0);
	CHECK(!vlapic_lint0_extint(&l));
	CHECK_EQ(vlapic_raise_lint(&l, 0), VLAPIC_LINT_FIXED);
	CHECK_EQ(vlapic_pending_vector(&l), 0x38);
	wr(&l, VLAPIC_REG_LVT_LINT1, VLAPIC_LVT_MASKED | VLAPIC_DM_NMI, 0);
	CHECK_EQ(vlapic_raise_lint(&l, 1), VLAPIC_LINT_MASKED);
	wr(&l, VLAPIC_REG_LVT_LINT1, VLAPIC_DM_INIT, 0);
	CHECK_EQ(vlapic_raise_lint(&l, 1), VLAPIC_LINT_UNSUPPORTED);

	/* globally disabled: LINT0 is INTR, LINT1 is NMI */
	CHECK_EQ(vlapic_set_apic_base(&l, VLAPIC_DEFAULT_BASE), VLAPIC_OK);
	CHECK(vlapic_lint0_extint(&l));
	CHECK_EQ(vlapic_raise_lint(&l, 0), VLAPIC_LINT_EXTINT);
	CHECK_EQ(vlapic_raise_lint(&l, 1), VLAPIC_LINT_NMI);
	CHECK_EQ(vlapic_pending_vector(&l), -1);
}
