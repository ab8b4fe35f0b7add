/* Calendar conversions (proleptic Gregorian, UTC, from 1970 on). */
#ifndef LIB_CIVIL_H
#define LIB_CIVIL_H

#include "compiler.h"

struct civil_time {
	unsigned int year, month, day, hour, minute, second, weekday; /* weekday 0 = Sunday */
};

struct civil_time civil_from_unix(uint64_t unix_time);
uint64_t unix_from_civil(const struct civil_time *t);

#endif
