/* The hypervisor's own deadlines: one local-APIC timer per CPU, in
 * TSC-deadline mode when the CPU has it, else one-shot. Tickless: nothing
 * fires unless a deadline is armed. */
#ifndef DRIVERS_TIMER_H
#define DRIVERS_TIMER_H

#include "compiler.h"

typedef void (*timer_fn)(void);

void timer_init(void);
/* Fire fn once the TSC reaches deadline (replaces any armed deadline). */
void timer_arm(uint64_t deadline_tsc, timer_fn fn);
void timer_cancel(void);
const char *timer_mode_name(void);
/* Arm a short deadline, halt until it fires, log how late it was. */
void timer_selftest(void);

#endif
