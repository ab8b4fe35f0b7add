/* Spins with interrupts disabled and never exits: only the host's own
 * timer (hv's watchdog_ms=) can take the CPU back and stop it. */
#include "guest.h"

void guest_main(void)
{
	print("spinning with interrupts disabled\n");
	__asm__ volatile("cli; 1: jmp 1b");
}
