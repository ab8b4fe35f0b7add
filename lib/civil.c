/* Calendar arithmetic for the RTCs. */
#include "lib/civil.h"

#define SECONDS_PER_DAY 86400u
#define DAYS_1970_TO_0000 719468u /* days from 0000-03-01 to 1970-01-01 */

/* Howard Hinnant's days-from-civil algorithm, for dates from 1970 on. */
struct civil_time civil_from_unix(uint64_t unix_time)
{
	uint64_t days = unix_time / SECONDS_PER_DAY, secs = unix_time % SECONDS_PER_DAY;
	uint64_t z = days + DAYS_1970_TO_0000, era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	struct civil_time t;

	t.day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	t.month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	t.year = (unsigned int)(yoe + era * 400 + (t.month <= 2));
	t.hour = (unsigned int)(secs / 3600);
	t.minute = (unsigned int)(secs / 60 % 60);
	t.second = (unsigned int)(secs % 60);
	t.weekday = (unsigned int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	return t;
}

uint64_t unix_from_civil(const struct civil_time *t)
{
	uint64_t y = t->year - (t->month <= 2), era = y / 400, yoe = y - era * 400;
	uint64_t mp = t->month > 2 ? t->month - 3 : t->month + 9;
	uint64_t doy = (153 * mp + 2) / 5 + t->day - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	uint64_t days = era * 146097 + doe - DAYS_1970_TO_0000;

	return days * SECONDS_PER_DAY + t->hour * 3600u + t->minute * 60u + t->second;
}

