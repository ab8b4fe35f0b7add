/* A guest's 8254 PIT (Intel 8254 datasheet, order 231164) and the PC's port
 * 0x61. Nothing ticks: each counter remembers when its run started, and its
 * count and OUT are computed from the clocks elapsed since, as
 * floor(TSC ticks * 1193182 / tsc_hz). A run's clock 0 is the count write
 * (the 8254 loads the count on the next clock edge; that sub-microsecond
 * offset is not modelled), so in mode 0 OUT rises exactly N clocks after the
 * count is written. */
#include "vmm/vpit.h"

#define COUNT_RANGE 65536u      /* a count of 0 means 2^16 */
#define BYTE_BITS 8
#define BYTE_MASK 0xff
#define OPEN_BUS 0xff           /* what a read of no register returns */
#define EDGES_MAX (~0u)
#define TIME_NONE UINT64_MAX
#define BITS_64 64

/* Control word (datasheet figure 8). */
#define CW_SC_SHIFT 6           /* SC1-SC0: counter, or 3 for read-back */
#define CW_READ_BACK 3
#define CW_RW_SHIFT 4           /* RW1-RW0: access, or 0 for counter latch */
#define CW_RW_MASK 3
#define CW_LATCH 0
#define CW_MODE_SHIFT 1         /* M2-M0 */
#define CW_MODE_MASK 7
#define CW_BCD 0x01
#define MODE_PERIODIC_BIT 2     /* modes 2 and 3: M2 is a don't care (6 = 2, 7 = 3) */
#define MODE_PERIODIC_MASK 3

/* Read-back command (datasheet figure 11); COUNT and STATUS are active low. */
#define RB_NOT_COUNT 0x20
#define RB_NOT_STATUS 0x10
#define RB_CNT0 0x02

/* Status byte (datasheet figure 12). */
#define STATUS_OUT 0x80
#define STATUS_NULL_COUNT 0x40

/* Access modes, also the bytes of a latch still to read. */
#define ACCESS_LSB 1
#define ACCESS_MSB 2
#define ACCESS_LSB_MSB (ACCESS_LSB | ACCESS_MSB)

enum pit_mode {
	MODE_TERMINAL_COUNT = 0,   /* mode 0: OUT rises at terminal count */
	MODE_ONE_SHOT = 1,         /* mode 1: hardware retriggerable one-shot */
	MODE_RATE_GENERATOR = 2,   /* mode 2: OUT low for one clock every N */
	MODE_SQUARE_WAVE = 3,      /* mode 3: OUT high ceil(N/2), low floor(N/2) */
	MODE_SOFTWARE_STROBE = 4,  /* mode 4: OUT low for one clock after N */
	MODE_HARDWARE_STROBE = 5,  /* mode 5: mode 4, triggered by the gate */
};

/* Port 0x61 (IBM PC/AT technical reference). */
#define PORT_B_GATE2 0x01
#define PORT_B_WRITABLE 0x0f    /* gate 2, speaker data, parity and I/O check enables */
#define PORT_B_REFRESH 0x10     /* toggles with each DRAM refresh request */
#define PORT_B_OUT2 0x20
#define REFRESH_CLOCKS 18       /* counter 1 as a BIOS programs it: every 15.08 us */

#define IRQ0_CHANNEL 0
#define GATED_CHANNEL 2         /* the others' gates are tied high */

/* (hi:lo) / d for hi < d, by shift and subtract: the kernel has no libgcc
 * for a 128-bit division. */
static uint64_t div_128_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;

	if (!hi) {
		*rem = lo % d;
		return lo / d;
	}
	for (unsigned int i = 0; i < BITS_64; i++) {
		bool carry = hi >> (BITS_64 - 1);

		hi = hi << 1 | lo >> (BITS_64 - 1);
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			q |= 1;
		}
	}
	*rem = hi;
	return q;
}

/* a * b / c, rounded down or up, for a result that fits 64 bits:
 * a = q * c + r gives q * b + r * b / c, with r * b / c < b. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c, bool round_up)
{
	unsigned __int128 rb = (unsigned __int128)(a % c) * b;
	uint64_t rem;
	uint64_t frac = div_128_64((uint64_t)(rb >> BITS_64), (uint64_t)rb, c, &rem);

	return a / c * b + frac + (round_up && rem);
}

/* PIT clocks elapsed over delta TSC ticks. */
static uint64_t clocks_in(const struct vpit *pit, uint64_t delta)
{
	return mul_div(delta, VPIT_HZ, pit->tsc_hz, false);
}

/* TSC ticks until the clocks-th PIT clock. */
static uint64_t tsc_for_clocks(const struct vpit *pit, uint64_t clocks)
{
	return mul_div(clocks, pit->tsc_hz, VPIT_HZ, true);
}

/* Clocks counted in the current run. */
static uint64_t elapsed(const struct vpit *pit, const struct vpit_channel *ch, uint64_t now)
{
	if (!ch->counting || now < ch->start)
		return ch->base_clocks;
	return ch->base_clocks + clocks_in(pit, now - ch->start);
}

static bool is_periodic(const struct vpit_channel *ch)
{
	return ch->mode == MODE_RATE_GENERATOR || ch->mode == MODE_SQUARE_WAVE;
}

static bool is_gate_triggered(const struct vpit_channel *ch)
{
	return ch->mode == MODE_ONE_SHOT || ch->mode == MODE_HARDWARE_STROBE;
}

/* The clock at which OUT has its one rising edge in modes 0, 1, 4 and 5:
 * terminal count, or the clock after it for the strobes. */
static uint64_t single_edge_clock(const struct vpit_channel *ch)
{
	bool strobe = ch->mode == MODE_SOFTWARE_STROBE || ch->mode == MODE_HARDWARE_STROBE;

	return strobe ? (uint64_t)ch->period + 1 : ch->period;
}

static void start_run(struct vpit_channel *ch, uint64_t now)
{
	ch->period = ch->reload;
	ch->start = now;
	ch->base_clocks = 0;
	ch->running = true;
	ch->counting = true;
	ch->null_count = false;
}

/* Before a run, OUT is low in mode 0 and high in the others. */
static bool channel_out(const struct vpit *pit, const struct vpit_channel *ch, uint64_t now)
{
	uint64_t k;

	if (!ch->running)
		return ch->mode != MODE_TERMINAL_COUNT;
	if (is_periodic(ch) && !ch->gate)
		return true;
	k = elapsed(pit, ch, now);
	switch ((enum pit_mode)ch->mode) {
	case MODE_TERMINAL_COUNT:
	case MODE_ONE_SHOT:
		return k >= ch->period;
	case MODE_RATE_GENERATOR:
		return k % ch->period != ch->period - 1;
	case MODE_SQUARE_WAVE:
		return k % ch->period < (ch->period + 1) / 2;
	case MODE_SOFTWARE_STROBE:
	case MODE_HARDWARE_STROBE:
		break;
	}
	return k != ch->period;
}

/* Mode 3 counts down by two, twice per period. An odd N loses one more
 * count at the start of the high half and gains it in the low half, so OUT
 * is high (N + 1) / 2 clocks and low (N - 1) / 2 (datasheet, mode 3). */
static uint32_t square_wave_count(uint32_t n, uint64_t phase)
{
	uint32_t high_clocks = (n + 1) / 2;
	bool high = phase < high_clocks;
	uint32_t j = (uint32_t)(high ? phase : phase - high_clocks);

	if (j == 0)
		return n;
	if (!(n & 1))
		return n - 2 * j;
	return high ? n + 1 - 2 * j : n - 1 - 2 * j;
}

static uint16_t channel_count(const struct vpit *pit, const struct vpit_channel *ch, uint64_t now)
{
	uint64_t k;

	if (!ch->running)
		return (uint16_t)ch->reload;
	k = elapsed(pit, ch, now);
	switch ((enum pit_mode)ch->mode) {
	case MODE_RATE_GENERATOR:
		return (uint16_t)(ch->period - k % ch->period);
	case MODE_SQUARE_WAVE:
		return (uint16_t)square_wave_count(ch->period, k % ch->period);
	case MODE_TERMINAL_COUNT:
	case MODE_ONE_SHOT:
	case MODE_SOFTWARE_STROBE:
	case MODE_HARDWARE_STROBE:
		break;
	}
	/* The one-shot modes keep counting down past zero, wrapping. */
	return (uint16_t)(ch->period - k);
}

/* OUT's rising edges in the current run, up to now. */
static uint64_t run_edges(const struct vpit *pit, const struct vpit_channel *ch, uint64_t now)
{
	uint64_t k;

	if (!ch->running)
		return 0;
	k = elapsed(pit, ch, now);
	if (is_periodic(ch))
		return k / ch->period;
	return k >= single_edge_clock(ch);
}

/* Bank counter 0's edges up to now in irq0_pending. */
static void irq0_sync(struct vpit *pit, uint64_t now)
{
	uint64_t edges = run_edges(pit, &pit->channel[IRQ0_CHANNEL], now);

	if (edges > pit->irq0_seen)
		pit->irq0_pending += edges - pit->irq0_seen;
	pit->irq0_seen = edges;
}

/* A count is complete: modes 0 and 4 (re)start; 2 and 3 too, at once rather
 * than at the end of the current period, if the gate allows; 1 and 5 wait
 * for a trigger. Mode 0 and 4 runs with the gate low start paused. */
static void load_count(struct vpit_channel *ch, uint32_t value, uint64_t now)
{
	ch->reload = value ? value : COUNT_RANGE;
	ch->loaded = true;
	ch->null_count = true;
	if (is_gate_triggered(ch) || (is_periodic(ch) && !ch->gate))
		return;
	start_run(ch, now);
	ch->counting = ch->gate;
}

static void write_counter(struct vpit_channel *ch, uint8_t value, uint64_t now)
{
	switch (ch->access) {
	case ACCESS_LSB:
		load_count(ch, value, now);
		break;
	case ACCESS_MSB:
		load_count(ch, (uint32_t)value << BYTE_BITS, now);
		break;
	default:
		if (!ch->write_msb_next) {
			ch->write_lsb = value;
			/* Mode 0: the first byte stops the count and sets OUT low. */
			if (ch->mode == MODE_TERMINAL_COUNT)
				ch->running = false;
		} else {
			load_count(ch, ch->write_lsb | (uint32_t)value << BYTE_BITS, now);
		}
		ch->write_msb_next = !ch->write_msb_next;
		break;
	}
}

static uint8_t read_counter(const struct vpit *pit, struct vpit_channel *ch, uint64_t now)
{
	uint16_t count;
	bool msb;

	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->status;
	}
	if (ch->latched) {
		msb = !(ch->latched & ACCESS_LSB);
		ch->latched = msb ? 0 : ch->latched & ACCESS_MSB;
		return (uint8_t)(msb ? ch->latch >> BYTE_BITS : ch->latch);
	}
	count = channel_count(pit, ch, now);
	if (ch->access == ACCESS_LSB_MSB) {
		msb = ch->read_msb_next;
		ch->read_msb_next = !msb;
	} else {
		msb = ch->access == ACCESS_MSB;
	}
	return (uint8_t)(msb ? count >> BYTE_BITS : count);
}

/* A second latch before the first is read is ignored (datasheet). */
static void latch_count(const struct vpit *pit, struct vpit_channel *ch, uint64_t now)
{
	if (ch->latched)
		return;
	ch->latch = channel_count(pit, ch, now);
	ch->latched = ch->access;
}

static void latch_status(const struct vpit *pit, struct vpit_channel *ch, uint64_t now)
{
	if (ch->status_latched)
		return;
	ch->status = (uint8_t)((channel_out(pit, ch, now) ? STATUS_OUT : 0) |
			       (ch->null_count ? STATUS_NULL_COUNT : 0) |
			       ch->access << CW_RW_SHIFT | ch->mode << CW_MODE_SHIFT |
			       (ch->bcd ? CW_BCD : 0));
	ch->status_latched = true;
}

static void read_back(struct vpit *pit, uint8_t value, uint64_t now)
{
	for (unsigned int i = 0; i < VPIT_CHANNELS; i++) {
		if (!(value & RB_CNT0 << i))
			continue;
		if (!(value & RB_NOT_COUNT))
			latch_count(pit, &pit->channel[i], now);
		if (!(value & RB_NOT_STATUS))
			latch_status(pit, &pit->channel[i], now);
	}
}

/* A control word resets the counter: no count, OUT at its initial level. */
static void set_mode(struct vpit_channel *ch, uint8_t value)
{
	uint8_t mode = value >> CW_MODE_SHIFT & CW_MODE_MASK;

	if (mode & MODE_PERIODIC_BIT)
		mode &= MODE_PERIODIC_MASK;
	ch->mode = mode;
	ch->access = value >> CW_RW_SHIFT & CW_RW_MASK;
	ch->bcd = value & CW_BCD;
	ch->loaded = false;
	ch->running = false;
	ch->counting = false;
	ch->null_count = true;
	ch->write_msb_next = false;
	ch->read_msb_next = false;
	ch->latched = 0;
	ch->status_latched = false;
}

static void write_command(struct vpit *pit, uint8_t value, uint64_t now)
{
	unsigned int sc = value >> CW_SC_SHIFT;
	struct vpit_channel *ch;

	if (sc == CW_READ_BACK) {
		read_back(pit, value, now);
		return;
	}
	ch = &pit->channel[sc];
	if ((value >> CW_RW_SHIFT & CW_RW_MASK) == CW_LATCH)
		latch_count(pit, ch, now);
	else
		set_mode(ch, value);
}

/* Gate rising: modes 1, 2, 3 and 5 restart from the count; 0 and 4 resume.
 * Gate falling: 0, 2, 3 and 4 pause (2 and 3 with OUT high). */
static void set_gate(const struct vpit *pit, struct vpit_channel *ch, bool gate, uint64_t now)
{
	if (gate == ch->gate)
		return;
	ch->gate = gate;
	if (gate && ch->loaded && (is_gate_triggered(ch) || is_periodic(ch))) {
		start_run(ch, now);
	} else if (gate && ch->running && !is_gate_triggered(ch)) {
		ch->start = now;
		ch->counting = true;
	} else if (!gate && ch->running && !is_gate_triggered(ch)) {
		ch->base_clocks = elapsed(pit, ch, now);
		ch->counting = false;
	}
}

static uint8_t read_port_b(const struct vpit *pit, uint64_t now)
{
	uint64_t since = now > pit->epoch ? now - pit->epoch : 0;
	uint64_t refreshes = clocks_in(pit, since) / REFRESH_CLOCKS;
	uint8_t value = pit->port_b;

	if (refreshes & 1)
		value |= PORT_B_REFRESH;
	if (channel_out(pit, &pit->channel[GATED_CHANNEL], now))
		value |= PORT_B_OUT2;
	return value;
}

/* The counters' state at power-up is undefined (datasheet); this is the
 * mode a BIOS leaves counter 0 in, OUT high, but with no count. */
void vpit_init(struct vpit *pit, uint64_t tsc_hz, uint64_t now)
{
	*pit = (struct vpit){ .tsc_hz = tsc_hz, .epoch = now };
	for (unsigned int i = 0; i < VPIT_CHANNELS; i++) {
		pit->channel[i] = (struct vpit_channel){
			.reload = COUNT_RANGE,
			.mode = MODE_SQUARE_WAVE,
			.access = ACCESS_LSB_MSB,
			.gate = i != GATED_CHANNEL,
		};
	}
}

/* Every write may change counter 0: its edges so far are banked first, and a
 * write that itself raises OUT0 (a control word for a mode whose OUT starts
 * high, after mode 0 before terminal count) is an edge too. */
void vpit_port_write(struct vpit *pit, uint16_t port, uint8_t value, uint64_t now)
{
	struct vpit_channel *ch0 = &pit->channel[IRQ0_CHANNEL];
	bool out0;

	irq0_sync(pit, now);
	out0 = channel_out(pit, ch0, now);
	switch (port) {
	case VPIT_CHANNEL0:
	case VPIT_CHANNEL1:
	case VPIT_CHANNEL2:
		write_counter(&pit->channel[port - VPIT_CHANNEL0], value, now);
		break;
	case VPIT_COMMAND:
		write_command(pit, value, now);
		break;
	case VPIT_PORT_B:
		pit->port_b = value & PORT_B_WRITABLE;
		set_gate(pit, &pit->channel[GATED_CHANNEL], value & PORT_B_GATE2, now);
		break;
	default:
		return;
	}
	pit->irq0_seen = run_edges(pit, ch0, now);
	if (!out0 && channel_out(pit, ch0, now))
		pit->irq0_pending++;
}

uint8_t vpit_port_read(struct vpit *pit, uint16_t port, uint64_t now)
{
	switch (port) {
	case VPIT_CHANNEL0:
	case VPIT_CHANNEL1:
	case VPIT_CHANNEL2:
		return read_counter(pit, &pit->channel[port - VPIT_CHANNEL0], now);
	case VPIT_PORT_B:
		return read_port_b(pit, now);
	default:
		return OPEN_BUS;
	}
}

unsigned int vpit_irq0_edges(struct vpit *pit, uint64_t now)
{
	uint64_t edges;

	irq0_sync(pit, now);
	edges = pit->irq0_pending;
	pit->irq0_pending = 0;
	return edges > EDGES_MAX ? EDGES_MAX : (unsigned int)edges;
}

uint64_t vpit_next_irq0(const struct vpit *pit, uint64_t now)
{
	const struct vpit_channel *ch = &pit->channel[IRQ0_CHANNEL];
	uint64_t k, next, delta;

	if (!ch->running || !ch->counting)
		return TIME_NONE;
	k = elapsed(pit, ch, now);
	if (is_periodic(ch))
		next = (k / ch->period + 1) * ch->period;
	else if (k < single_edge_clock(ch))
		next = single_edge_clock(ch);
	else
		return TIME_NONE;
	delta = tsc_for_clocks(pit, next - ch->base_clocks);
	return delta > TIME_NONE - ch->start ? TIME_NONE : ch->start + delta;
}
