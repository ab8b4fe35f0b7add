/* The TSC as the hypervisor's clock: calibrated at boot, read as a
 * monotonic nanosecond clock. */
#ifndef DRIVERS_TSC_H
#define DRIVERS_TSC_H

#include "compiler.h"

/* Calibrate against the PIT (or the ACPI PM timer when there is no PIT),
 * log the result beside CPUID's figure. Panics if nothing can measure it. */
void tsc_calibrate(void);
uint64_t tsc_hz(void);
/* Nanoseconds since tsc_calibrate(). */
uint64_t clock_ns(void);
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

#endif
