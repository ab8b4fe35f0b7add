/* The machine's own CMOS clock, read once at boot for the guests' RTCs. */
#ifndef DRIVERS_CMOS_H
#define DRIVERS_CMOS_H

#include "compiler.h"

/* Seconds since 1970 (UTC, as the RTC keeps it on a PC), or 0 when the
 * clock reads nonsense. */
uint64_t cmos_read_unix_time(void);

#endif
