/* PIT channel 2 as a one-shot stopwatch (Intel 8254 datasheet; port 0x61 is
 * the PC's NMI status and control register). */
#include "drivers/pit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"

#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PORT_61 0x61
#define P61_GATE2 BIT(0)
#define P61_SPEAKER BIT(1)
#define P61_OUT2 BIT(5)
/* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary */
#define PIT_CMD_CH2_MODE0 0xb0
#define POLL_LIMIT 100000000u

bool pit_measure_tsc(uint16_t pit_ticks, uint64_t *tsc_ticks)
{
	uint8_t p61 = inb(PORT_61);
	uint64_t start, end;
	unsigned int i;

	outb(PORT_61, (uint8_t)((p61 & ~P61_SPEAKER) | P61_GATE2));
	outb(PIT_COMMAND, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, pit_ticks & 0xff);
	outb(PIT_CH2_DATA, pit_ticks >> 8);
	/* Mode 0: OUT2 goes low when the count is written, high at zero. An
	 * OUT2 already high means no PIT answers (the port floats to 0xff). */
	if (inb(PORT_61) & P61_OUT2) {
		outb(PORT_61, p61);
		return false;
	}
	start = rdtsc();
	for (i = 0; i < POLL_LIMIT && !(inb(PORT_61) & P61_OUT2); i++)
		;
	end = rdtsc();
	outb(PORT_61, p61);
	*tsc_ticks = end - start;
	return i < POLL_LIMIT;
}
