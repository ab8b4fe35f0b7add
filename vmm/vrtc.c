/* MC146818 CMOS clock, as much as a PC guest reads at boot. */
#include "vmm/vrtc.h"

#include "lib/civil.h"
#include "lib/string.h"

#define REG_SECONDS 0x00
#define REG_MINUTES 0x02
#define REG_HOURS 0x04
#define REG_WEEKDAY 0x06
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32
#define INDEX_MASK 0x7f /* bit 7 of port 0x70 is the NMI mask */

#define A_DIVIDER_32K_1024HZ 0x26 /* UIP clear: reads never race an update */
#define B_24_HOUR 0x02           /* BCD, 24-hour, no interrupts enabled */
#define D_VALID_RAM 0x80


void vrtc_init(struct vrtc *rtc)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->ram[REG_A] = A_DIVIDER_32K_1024HZ;
	rtc->ram[REG_B] = B_24_HOUR;
	rtc->ram[REG_D] = D_VALID_RAM;
}

static uint8_t bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t time_register(unsigned int reg, const struct civil_time *t)
{
	switch (reg) {
	case REG_SECONDS:
		return bcd(t->second);
	case REG_MINUTES:
		return bcd(t->minute);
	case REG_HOURS:
		return bcd(t->hour);
	case REG_WEEKDAY:
		return bcd(t->weekday + 1);
	case REG_DAY:
		return bcd(t->day);
	case REG_MONTH:
		return bcd(t->month);
	case REG_YEAR:
		return bcd(t->year % 100);
	default:
		return bcd(t->year / 100);
	}
}

static bool is_time_register(unsigned int reg)
{
	return reg <= REG_YEAR || reg == REG_CENTURY;
}

uint8_t vrtc_port_read(struct vrtc *rtc, uint16_t port, uint64_t unix_time)
{
	struct civil_time t;

	if (port == VRTC_INDEX_PORT)
		return rtc->index;
	if (is_time_register(rtc->index)) {
		t = civil_from_unix(unix_time);
		return time_register(rtc->index, &t);
	}
	return rtc->ram[rtc->index];
}

/* The time is the host's: writes to it, and to the status registers the
 * clock itself maintains, are ignored. */
void vrtc_port_write(struct vrtc *rtc, uint16_t port, uint8_t value)
{
	if (port == VRTC_INDEX_PORT) {
		rtc->index = value & INDEX_MASK;
		return;
	}
	if (is_time_register(rtc->index) || (rtc->index >= REG_A && rtc->index <= REG_D))
		return;
	rtc->ram[rtc->index] = value;
}
