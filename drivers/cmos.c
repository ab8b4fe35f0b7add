/* Reading the MC146818 RTC (ports 0x70/0x71). */
#include "drivers/cmos.h"

#include "arch/x86/io.h"
#include "lib/civil.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_DISABLE 0x80
#define REG_SECONDS 0x00
#define REG_MINUTES 0x02
#define REG_HOURS 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_CENTURY 0x32
#define A_UPDATE_IN_PROGRESS 0x80
#define B_BINARY 0x04
#define B_24_HOUR 0x02
#define HOUR_PM 0x80
#define UIP_POLL_LIMIT 1000000
#define DEFAULT_CENTURY 20

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static unsigned int from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10u + (v & 0xf);
}

uint64_t cmos_read_unix_time(void)
{
	struct civil_time t;
	uint8_t b, hours, century;
	bool binary;

	for (unsigned int i = 0; i < UIP_POLL_LIMIT && (cmos_read(REG_A) & A_UPDATE_IN_PROGRESS); i++)
		;
	b = cmos_read(REG_B);
	binary = b & B_BINARY;
	t.second = from_bcd(cmos_read(REG_SECONDS), binary);
	t.minute = from_bcd(cmos_read(REG_MINUTES), binary);
	hours = cmos_read(REG_HOURS);
	t.hour = from_bcd(hours & (uint8_t)~HOUR_PM, binary);
	if (!(b & B_24_HOUR))
		t.hour = t.hour % 12 + ((hours & HOUR_PM) ? 12 : 0);
	t.day = from_bcd(cmos_read(REG_DAY), binary);
	t.month = from_bcd(cmos_read(REG_MONTH), binary);
	century = (uint8_t)from_bcd(cmos_read(REG_CENTURY), binary);
	t.year = (century >= 19 && century <= 21 ? century : DEFAULT_CENTURY) * 100u +
		 from_bcd(cmos_read(REG_YEAR), binary);
	t.weekday = 0;
	if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 ||
	    t.minute > 59 || t.second > 60 || t.year < 1970)
		return 0;
	return unix_from_civil(&t);
}
