/* Port I/O: every port traps. Unclaimed ports read as all ones and swallow
 * writes; writes that would reset or stop a real machine (or Bochs) reach
 * nothing, so the guest keeps running to tell; COM1's LSR says ready. */
#include "guest.h"

static void check_unclaimed(uint16_t port, const char *name)
{
	uint8_t b;
	uint16_t w;
	uint32_t l;

	outb(port, 0x55); /* ignored: the read below still sees all ones */
	b = inb(port);
	w = inw(port);
	l = inl(port);
	check(b == 0xff && w == 0xffff && l == 0xffffffff, name, "inb 0x%x, inw 0x%x, inl 0x%x", b, w, l);
}

#define RTC_INDEX 0x70
#define RTC_DATA 0x71

static uint8_t rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

/* The CMOS clock: the host's time in BCD, valid, not updating. */
static void check_rtc(void)
{
	uint8_t year = rtc_read(0x09), century = rtc_read(0x32), month = rtc_read(0x08);
	uint8_t d = rtc_read(0x0d), a = rtc_read(0x0a);

	check(century == 0x20 && year >= 0x24 && month >= 1 && month <= 0x12,
	      "CMOS RTC has the date (BCD)", "%02x%02x-%02x", century, year, month);
	check((d & 0x80) && !(a & 0x80), "CMOS RTC valid and not mid-update", "A 0x%x D 0x%x", a, d);
}

void guest_main(void)
{
	uint8_t lsr = inb(COM1_LSR);

	check(lsr == 0x60, "COM1 LSR 0x3fd reads 0x60 (transmitter ready)", "LSR 0x%x", lsr);
	check_unclaimed(UNCLAIMED_PORT_LOW, "port 0x210 reads all ones at 8, 16 and 32 bits");
	check_unclaimed(UNCLAIMED_PORT_HIGH, "port 0xe000 reads all ones at 8, 16 and 32 bits");
	lsr = inb(0xffff);
	check(lsr == 0xff, "port 0xffff reads 0xff", "inb 0x%x", lsr);

	/* Each of these would end the run if it reached Bochs's hardware. */
	/* Writes to the reset ports that are not resets (tests/guests/reset.c
	 * does the resets, which end the guest). */
	outb(0xcf9, 0x02);
	check(inb(0xcf9) == 0xff, "write 0x02 to 0xcf9 (no RST_CPU) ignored", "0xcf9 reads 0x%x", inb(0xcf9));
	outb(0x64, 0xaa);
	pass("write 0xaa to 0x64 (keyboard controller self-test) ignored");
	outb(0x92, 0x02);
	pass("write 0x02 to 0x92 (A20 only) ignored");
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	pass("'Shutdown' to 0x8900 (Bochs shutdown port) ignored");
	outw(0x8a00, 0x8a00);
	outw(0x8a00, 0x8ae0);
	pass("0x8a00, 0x8ae0 to 0x8a00 (Bochs debugger exit) ignored");
	outw(0xb004, 0x2000);
	pass("0x2000 to 0xb004 (ACPI PM1a soft-off under Bochs) ignored");
	check_rtc();
}
