#include "vmm/vpit.h"
#include "test.h"

#define BOCHS_HZ 4000000ull
#define HOST_HZ 3000000000ull
#define LATE (1ull << 62) /* a TSC that has been running a long time */
#define OUT2 0x20
#define GATE2 0x01
#define SPEAKER 0x02
#define NONE UINT64_MAX

static const uint64_t tsc_rates[] = { BOCHS_HZ, HOST_HZ };

/* The first TSC time at which k PIT clocks have passed since t0. */
static uint64_t at(uint64_t hz, uint64_t t0, uint64_t k)
{
	unsigned __int128 num = (unsigned __int128)k * hz;

	return t0 + (uint64_t)((num + VPIT_HZ - 1) / VPIT_HZ);
}

static void program(struct vpit *pit, uint16_t port, uint8_t cw, uint32_t count, uint64_t now)
{
	vpit_port_write(pit, 0x43, cw, now);
	vpit_port_write(pit, port, (uint8_t)count, now);
	vpit_port_write(pit, port, (uint8_t)(count >> 8), now);
}

static bool out2(struct vpit *pit, uint64_t now)
{
	return vpit_port_read(pit, 0x61, now) & OUT2;
}

static uint16_t latched_count(struct vpit *pit, unsigned int channel, uint64_t now)
{
	uint16_t port = (uint16_t)(0x40 + channel);
	uint8_t lsb;

	vpit_port_write(pit, 0x43, (uint8_t)(channel << 6), now);
	lsb = vpit_port_read(pit, port, now);
	return (uint16_t)(lsb | vpit_port_read(pit, port, now) << 8);
}

/* Linux's pit_calibrate_tsc(): gate high, speaker off, counter 2 in mode 0
 * with a 50 ms count, then poll OUT2 through port 0x61. */
TEST(vpit_linux_calibration_loop)
{
	const uint32_t latch = VPIT_HZ / 20;

	for (size_t i = 0; i < ARRAY_SIZE(tsc_rates); i++) {
		uint64_t hz = tsc_rates[i], t0 = 1000, now, step = hz / 10000;
		struct vpit pit;

		vpit_init(&pit, hz, 0);
		vpit_port_write(&pit, 0x61, (vpit_port_read(&pit, 0x61, t0) & ~SPEAKER) | GATE2, t0);
		program(&pit, 0x42, 0xb0, latch, t0);
		CHECK(!out2(&pit, t0));
		for (now = t0; !out2(&pit, now); now += step)
			;
		CHECK(now >= at(hz, t0, latch));
		CHECK(now < at(hz, t0, latch) + step);
		CHECK(!out2(&pit, at(hz, t0, latch) - 1));
		CHECK(out2(&pit, at(hz, t0, latch)));
		CHECK(out2(&pit, at(hz, t0, latch) + hz)); /* stays high */
		/* 50 ms of TSC */
		CHECK_EQ((at(hz, t0, latch) - t0 + hz / 2000) / (hz / 1000), 50);
	}
}

/* quick_pit_calibrate(): count 0xffff, the MSB read without a latch. */
TEST(vpit_quick_calibrate_msb_reads)
{
	struct vpit pit;
	uint64_t hz = HOST_HZ, t0 = LATE;

	vpit_init(&pit, hz, t0);
	vpit_port_write(&pit, 0x61, GATE2, t0);
	program(&pit, 0x42, 0xb0, 0xffff, t0);
	for (unsigned int msb = 0xff; msb > 0xf0; msb--) {
		uint64_t now = at(hz, t0, 0xffff - (msb << 8 | 0x80));

		vpit_port_read(&pit, 0x42, now);
		CHECK_EQ(vpit_port_read(&pit, 0x42, now), msb);
	}
}

TEST(vpit_gate_low_holds_mode0)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	uint64_t t1 = at(hz, 0, 50), t2, t3, t4;

	vpit_init(&pit, hz, 0);
	program(&pit, 0x42, 0xb0, 100, 0);
	CHECK_EQ(latched_count(&pit, 2, t1), 100);
	vpit_port_write(&pit, 0x61, GATE2, t1);
	t2 = at(hz, t1, 30);
	CHECK_EQ(latched_count(&pit, 2, t2), 70);
	vpit_port_write(&pit, 0x61, 0, t2);
	t3 = t2 + hz;
	CHECK_EQ(latched_count(&pit, 2, t3), 70);
	vpit_port_write(&pit, 0x61, GATE2, t3);
	CHECK(!out2(&pit, at(hz, t3, 70) - 1));
	CHECK(out2(&pit, at(hz, t3, 70)));
	/* A new count restarts mode 0. */
	t4 = t3 + hz;
	program(&pit, 0x42, 0xb0, 10, t4);
	CHECK(!out2(&pit, at(hz, t4, 10) - 1));
	CHECK(out2(&pit, at(hz, t4, 10)));
}

/* Linux's periodic tick: 0x34 and LATCH = 1193 for HZ=1000. */
TEST(vpit_mode2_1000hz_edges)
{
	const uint32_t latch = (VPIT_HZ + 500) / 1000;

	for (size_t i = 0; i < ARRAY_SIZE(tsc_rates); i++) {
		uint64_t hz = tsc_rates[i], t0 = hz * 7 + 3, now = t0, total = 0;
		unsigned int calls = 0;
		struct vpit pit;

		vpit_init(&pit, hz, 0);
		CHECK_EQ(vpit_next_irq0(&pit, t0), NONE);
		program(&pit, 0x40, 0x34, latch, t0);
		CHECK_EQ(vpit_irq0_edges(&pit, t0), 0);
		CHECK_EQ(vpit_next_irq0(&pit, t0), at(hz, t0, latch));
		/* The glue's loop: sleep until the next edge, count it. */
		for (;;) {
			uint64_t next = vpit_next_irq0(&pit, now);

			CHECK(next > now);
			if (next > t0 + hz)
				break;
			CHECK_EQ(vpit_irq0_edges(&pit, next - 1), 0);
			now = next;
			CHECK_EQ(vpit_irq0_edges(&pit, now), 1);
			calls++;
			CHECK_EQ(now, at(hz, t0, (uint64_t)calls * latch));
		}
		CHECK_EQ(calls, 1000);
		/* All at once, from a second PIT. */
		vpit_init(&pit, hz, 0);
		program(&pit, 0x40, 0x34, latch, t0);
		total = vpit_irq0_edges(&pit, t0 + hz);
		CHECK_EQ(total, 1000);
		CHECK_EQ(vpit_irq0_edges(&pit, t0 + 2 * hz), 1000);
	}
}

TEST(vpit_mode2_counts_and_out)
{
	struct vpit pit;
	uint64_t hz = HOST_HZ, t0 = LATE;

	vpit_init(&pit, hz, t0);
	vpit_port_write(&pit, 0x61, GATE2, t0);
	program(&pit, 0x42, 0xb4, 10, t0);
	CHECK_EQ(latched_count(&pit, 2, t0), 10);
	CHECK_EQ(latched_count(&pit, 2, at(hz, t0, 8)), 2);
	CHECK(out2(&pit, at(hz, t0, 8)));
	CHECK_EQ(latched_count(&pit, 2, at(hz, t0, 9)), 1);
	CHECK(!out2(&pit, at(hz, t0, 9))); /* low for the clock at count 1 */
	CHECK_EQ(latched_count(&pit, 2, at(hz, t0, 10)), 10);
	CHECK(out2(&pit, at(hz, t0, 10)));
	/* Gate low: OUT high, counting stops; gate high reloads. */
	vpit_port_write(&pit, 0x61, 0, at(hz, t0, 19));
	CHECK(out2(&pit, at(hz, t0, 19)));
	CHECK_EQ(latched_count(&pit, 2, at(hz, t0, 50)), 1); /* held */
	vpit_port_write(&pit, 0x61, GATE2, at(hz, t0, 100));
	CHECK_EQ(latched_count(&pit, 2, at(hz, at(hz, t0, 100), 3)), 7);
}

TEST(vpit_mode3_half_periods)
{
	for (size_t i = 0; i < ARRAY_SIZE(tsc_rates); i++) {
		uint64_t hz = tsc_rates[i], t0 = 12345;
		struct vpit pit;

		vpit_init(&pit, hz, 0);
		vpit_port_write(&pit, 0x61, GATE2, t0);
		program(&pit, 0x42, 0xb6, 1000, t0);
		program(&pit, 0x40, 0x36, 1000, t0);
		for (unsigned int period = 0; period < 3; period++) {
			uint64_t k0 = period * 1000ull;

			CHECK(out2(&pit, at(hz, t0, k0)));
			CHECK_EQ(latched_count(&pit, 2, at(hz, t0, k0 + 100)), 800);
			CHECK(out2(&pit, at(hz, t0, k0 + 499)));
			CHECK(!out2(&pit, at(hz, t0, k0 + 500)));
			CHECK_EQ(latched_count(&pit, 2, at(hz, t0, k0 + 600)), 800);
			CHECK(!out2(&pit, at(hz, t0, k0 + 999)));
		}
		/* Counter 0 in mode 3: one rising edge per period. */
		CHECK_EQ(vpit_next_irq0(&pit, t0), at(hz, t0, 1000));
		CHECK_EQ(vpit_irq0_edges(&pit, at(hz, t0, 10500)), 10);
		CHECK_EQ(vpit_next_irq0(&pit, at(hz, t0, 10500)), at(hz, t0, 11000));
	}
}

/* An odd count: OUT high (N + 1) / 2 clocks, low (N - 1) / 2; the count goes
 * N, N-1, N-3, ... then N, N-3, ... (datasheet, mode 3). */
TEST(vpit_mode3_odd_count)
{
	static const uint16_t counts[] = { 5, 4, 2, 5, 2, 5, 4 };
	static const bool outs[] = { 1, 1, 1, 0, 0, 1, 1 };
	uint64_t hz = BOCHS_HZ;
	struct vpit pit;

	vpit_init(&pit, hz, 0);
	vpit_port_write(&pit, 0x61, GATE2, 0);
	program(&pit, 0x42, 0xb6, 5, 0);
	for (unsigned int k = 0; k < ARRAY_SIZE(counts); k++) {
		CHECK_EQ(latched_count(&pit, 2, at(hz, 0, k)), counts[k]);
		CHECK_EQ(out2(&pit, at(hz, 0, k)), outs[k]);
	}
}

TEST(vpit_mode0_single_edge)
{
	for (size_t i = 0; i < ARRAY_SIZE(tsc_rates); i++) {
		uint64_t hz = tsc_rates[i], t0 = 5;
		struct vpit pit;

		vpit_init(&pit, hz, 0);
		program(&pit, 0x40, 0x30, 5000, t0);
		CHECK_EQ(vpit_next_irq0(&pit, t0), at(hz, t0, 5000));
		CHECK_EQ(vpit_irq0_edges(&pit, at(hz, t0, 4999)), 0);
		CHECK_EQ(vpit_irq0_edges(&pit, at(hz, t0, 5000)), 1);
		CHECK_EQ(vpit_next_irq0(&pit, at(hz, t0, 5000)), NONE);
		CHECK_EQ(vpit_irq0_edges(&pit, at(hz, t0, 500000)), 0);
		/* It keeps counting down, wrapping, OUT high. */
		CHECK_EQ(latched_count(&pit, 0, at(hz, t0, 5001)), 0xffff);
	}
}

TEST(vpit_control_word_raising_out0_is_an_edge)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	vpit_init(&pit, hz, 0);
	program(&pit, 0x40, 0x30, 1000, 0); /* mode 0: OUT low */
	vpit_port_write(&pit, 0x43, 0x34, 10); /* mode 2: OUT high at once */
	CHECK_EQ(vpit_irq0_edges(&pit, 10), 1);
	CHECK_EQ(vpit_next_irq0(&pit, 10), NONE); /* no count yet */
	/* Edges before a reprogramming are not lost. */
	program(&pit, 0x40, 0x34, 100, 1000);
	vpit_port_write(&pit, 0x43, 0x34, at(hz, 1000, 350));
	CHECK_EQ(vpit_irq0_edges(&pit, at(hz, 1000, 400)), 3);
}

TEST(vpit_counter_latch_is_consistent)
{
	struct vpit pit;
	uint64_t hz = HOST_HZ, t0 = LATE;

	vpit_init(&pit, hz, t0);
	program(&pit, 0x40, 0x34, 0x1234, t0);
	vpit_port_write(&pit, 0x43, 0x00, at(hz, t0, 0x35)); /* count 0x11ff */
	vpit_port_write(&pit, 0x43, 0x00, at(hz, t0, 0x100)); /* ignored: still latched */
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, t0, 0x200)), 0xff);
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, t0, 0x300)), 0x11);
	/* Unlatched reads follow the counter again: 0x1200 in the next period. */
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, t0, 0x1234 + 0x34)), 0x00);
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, t0, 0x1234 + 0x34)), 0x12);
}

TEST(vpit_access_modes)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	uint64_t t1 = at(hz, 0, 0x80), t2 = at(hz, t1, 0x200), t3 = t2 + hz;

	vpit_init(&pit, hz, 0);
	vpit_port_write(&pit, 0x61, GATE2, 0);
	vpit_port_write(&pit, 0x43, 0x90, 0); /* counter 2, LSB only, mode 0 */
	vpit_port_write(&pit, 0x42, 0x80, 0);
	CHECK_EQ(vpit_port_read(&pit, 0x42, at(hz, 0, 0x10)), 0x70);
	CHECK_EQ(vpit_port_read(&pit, 0x42, at(hz, 0, 0x20)), 0x60);
	CHECK(out2(&pit, t1));
	vpit_port_write(&pit, 0x43, 0xa0, t1); /* MSB only: count 0x0200 */
	vpit_port_write(&pit, 0x42, 0x02, t1);
	CHECK_EQ(vpit_port_read(&pit, 0x42, at(hz, t1, 0x101)), 0x00);
	CHECK_EQ(vpit_port_read(&pit, 0x42, at(hz, t1, 0x100)), 0x01);
	CHECK(!out2(&pit, t2 - 1));
	CHECK(out2(&pit, t2));
	/* LSB then MSB: the first byte stops mode 0 and drops OUT. */
	vpit_port_write(&pit, 0x43, 0xb0, t2);
	vpit_port_write(&pit, 0x42, 0x10, t2);
	CHECK(!out2(&pit, t3));
	vpit_port_write(&pit, 0x42, 0x00, t3);
	CHECK(!out2(&pit, at(hz, t3, 0x10) - 1));
	CHECK(out2(&pit, at(hz, t3, 0x10)));
}

TEST(vpit_reload_zero_is_65536)
{
	struct vpit pit;
	uint64_t hz = HOST_HZ, t0 = LATE;

	vpit_init(&pit, hz, t0);
	program(&pit, 0x40, 0x34, 0, t0);
	CHECK_EQ(latched_count(&pit, 0, t0), 0);
	CHECK_EQ(latched_count(&pit, 0, at(hz, t0, 1)), 0xffff);
	CHECK_EQ(vpit_next_irq0(&pit, t0), at(hz, t0, 65536));
	CHECK_EQ(vpit_irq0_edges(&pit, at(hz, t0, 3 * 65536)), 3);
}

TEST(vpit_read_back)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	vpit_init(&pit, hz, 0);
	vpit_port_write(&pit, 0x43, 0x34, 0);
	vpit_port_write(&pit, 0x43, 0xe2, 0); /* status of counter 0 */
	CHECK_EQ(vpit_port_read(&pit, 0x40, 0), 0x80 | 0x40 | 0x34); /* OUT high, null count */
	vpit_port_write(&pit, 0x40, 0x00, 0);
	vpit_port_write(&pit, 0x40, 0x01, 0);
	vpit_port_write(&pit, 0x43, 0xc2, at(hz, 0, 0x10)); /* count and status */
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, 0, 0x50)), 0x80 | 0x34);
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, 0, 0x50)), 0xf0);
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, 0, 0x50)), 0x00);
	vpit_port_write(&pit, 0x43, 0xd2, at(hz, 0, 0x60)); /* count only */
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, 0, 0x70)), 0xa0);
	CHECK_EQ(vpit_port_read(&pit, 0x40, at(hz, 0, 0x70)), 0x00);
}

TEST(vpit_mode4_strobe)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	vpit_init(&pit, hz, 0);
	program(&pit, 0x40, 0x38, 100, 0);
	CHECK_EQ(vpit_next_irq0(&pit, 0), at(hz, 0, 101));
	CHECK_EQ(vpit_irq0_edges(&pit, at(hz, 0, 100)), 0);
	CHECK_EQ(vpit_irq0_edges(&pit, at(hz, 0, 101)), 1);
	CHECK_EQ(vpit_next_irq0(&pit, at(hz, 0, 101)), NONE);
}

TEST(vpit_mode1_gate_triggered)
{
	struct vpit pit;
	uint64_t hz = BOCHS_HZ;

	uint64_t t1 = at(hz, 0, 10), t2 = at(hz, t1, 70), t3 = at(hz, t2, 10);

	vpit_init(&pit, hz, 0);
	program(&pit, 0x42, 0xb2, 50, 0);
	CHECK(out2(&pit, t1));
	vpit_port_write(&pit, 0x61, GATE2, t1); /* trigger */
	CHECK(!out2(&pit, t1));
	CHECK(!out2(&pit, at(hz, t1, 50) - 1));
	CHECK(out2(&pit, at(hz, t1, 50)));
	vpit_port_write(&pit, 0x61, 0, t2);
	CHECK(out2(&pit, t3)); /* the gate falling does nothing */
	vpit_port_write(&pit, 0x61, GATE2, t3); /* retrigger */
	CHECK(!out2(&pit, at(hz, t3, 50) - 1));
	CHECK(out2(&pit, at(hz, t3, 50)));
}

TEST(vpit_port61)
{
	struct vpit pit;
	uint64_t hz = HOST_HZ;
	unsigned int toggles = 0;
	uint8_t last;

	vpit_init(&pit, hz, 0);
	vpit_port_write(&pit, 0x61, 0xff, 0);
	last = vpit_port_read(&pit, 0x61, 0);
	CHECK_EQ(last & 0xcf, 0x0f);
	for (uint64_t k = 1; k <= 18 * 10; k++) {
		uint8_t v = vpit_port_read(&pit, 0x61, at(hz, 0, k));

		toggles += (v ^ last) & 0x10 ? 1 : 0;
		last = v;
	}
	CHECK_EQ(toggles, 10);
	vpit_port_write(&pit, 0x65, 0x00, 0);
	CHECK_EQ(vpit_port_read(&pit, 0x65, 0), 0xff);
}

/* Long runs and huge TSC rates: the 128-bit products, divided in 64-bit parts. */
TEST(vpit_no_overflow)
{
	static const uint64_t rates[] = { HOST_HZ, 1ull << 50, (1ull << 63) + 12345 };

	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		uint64_t hz = rates[i], t0 = 777, later;
		unsigned __int128 clocks;
		struct vpit pit;

		vpit_init(&pit, hz, 0);
		program(&pit, 0x40, 0x34, 1193, t0);
		later = UINT64_MAX - hz;
		clocks = (unsigned __int128)(later - t0) * VPIT_HZ / hz;
		CHECK_EQ(vpit_irq0_edges(&pit, later),
			 clocks / 1193 > UINT32_MAX ? UINT32_MAX : (uint64_t)(clocks / 1193));
		CHECK_EQ(vpit_next_irq0(&pit, later),
			 at(hz, t0, (uint64_t)(clocks / 1193 + 1) * 1193));
		CHECK_EQ(latched_count(&pit, 0, later), 1193 - (uint64_t)(clocks % 1193));
	}
}
