/* 8254 PIT, used only to measure time at boot. */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include "compiler.h"

#define PIT_HZ 1193182u

/* Count pit_ticks on channel 2 (gated by port 0x61, no speaker) and return
 * how many TSC ticks passed; false when the PIT never finished (absent). */
bool pit_measure_tsc(uint16_t pit_ticks, uint64_t *tsc_ticks);

#endif
