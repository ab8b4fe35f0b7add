/* A guest's 8254 programmable interval timer: counters 0-2 at ports
 * 0x40-0x42, the control word at 0x43, and the PC's port 0x61 (system control
 * port B: counter 2's gate, speaker data, refresh toggle, OUT2). Counter 0's
 * OUT drives IRQ0. A pure state machine: time is the caller's TSC, given with
 * every call, at the frequency given to vpit_init(). */
#ifndef VMM_VPIT_H
#define VMM_VPIT_H

#include "compiler.h"

#define VPIT_CHANNEL0 0x40
#define VPIT_CHANNEL1 0x41
#define VPIT_CHANNEL2 0x42
#define VPIT_COMMAND 0x43
#define VPIT_PORT_B 0x61
#define VPIT_CHANNELS 3
#define VPIT_HZ 1193182 /* the PC's PIT input clock */

struct vpit_channel {
	uint32_t reload;      /* the count register: 1-65536 (a written 0 is 65536) */
	uint32_t period;      /* the count the current run started from */
	uint64_t start;       /* TSC time the clock last started counting for this run */
	uint64_t base_clocks;  /* clocks counted in this run before start (gate pauses) */
	uint16_t latch;       /* the latched count */
	uint8_t latched;      /* latched count bytes still to read (access-mode bits) */
	uint8_t status;       /* the latched status byte */
	bool status_latched;
	uint8_t mode;         /* 0-5 */
	uint8_t access;       /* RW bits: 1 LSB only, 2 MSB only, 3 LSB then MSB */
	bool bcd;             /* kept for the status byte; the count is binary */
	bool loaded;          /* a count was written since the control word */
	bool running;         /* a run started: OUT and the count follow the clock */
	bool counting;        /* the clock is enabled (the gate allows it) */
	bool null_count;      /* a count written but not yet in the counting element */
	bool gate;
	bool write_msb_next;  /* LSB-then-MSB flip-flops */
	bool read_msb_next;
	uint8_t write_lsb;
};

struct vpit {
	struct vpit_channel channel[VPIT_CHANNELS];
	uint64_t tsc_hz;
	uint64_t epoch;        /* vpit_init()'s now: the refresh toggle's time origin */
	uint64_t irq0_pending; /* IRQ0 rising edges not yet reported */
	uint64_t irq0_seen;    /* rising edges of counter 0's run already in irq0_pending */
	uint8_t port_b;        /* port 0x61's writable bits */
};

/* tsc_hz: the frequency of every now passed in (nonzero). Counters start
 * unprogrammed (mode 3, OUT high, no count): no IRQ0 until the guest
 * programs counter 0. */
void vpit_init(struct vpit *pit, uint64_t tsc_hz, uint64_t now);
/* port: VPIT_CHANNEL0-2, VPIT_COMMAND or VPIT_PORT_B; others are ignored
 * (read 0xff). now must not go backwards from call to call. */
void vpit_port_write(struct vpit *pit, uint16_t port, uint8_t value, uint64_t now);
uint8_t vpit_port_read(struct vpit *pit, uint16_t port, uint64_t now);
/* The number of IRQ0 rising edges in (the last call, now], saturated to
 * UINT_MAX; the caller raises IRQ0 on the PIC once per edge (or once if >0). */
unsigned int vpit_irq0_edges(struct vpit *pit, uint64_t now);
/* TSC time of the next IRQ0 rising edge after now, or UINT64_MAX if none is
 * scheduled (mode 0 expired, or not programmed). */
uint64_t vpit_next_irq0(const struct vpit *pit, uint64_t now);

#endif
